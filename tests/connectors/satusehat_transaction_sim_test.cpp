// Cross-check of the SATUSEHAT mapping (mappings/satusehat_fhir) against the
// SATUSEHAT simulator's validation: the example encounter Bundle, rendered with
// IHS ids looked up by NIK on the simulator, is accepted as one transaction and
// stored as the clinical resources. (The mapping tests cannot link the
// simulator: mappings sit below connectors.)
#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "connectors/sim/json_util.hpp"
#include "connectors/sim/listener.hpp"
#include "connectors/sim/satusehat_sim.hpp"
#include "mappings/satusehat_fhir/transaction.hpp"
#include "tests/connectors/sim_test_support.hpp"

namespace sim = simpul::connectors::sim;
namespace sjson = simpul::connectors::sim::json;
namespace ss = simpul::mappings::satusehat_fhir;
using simpul::testing::sim::Http;
using simpul::testing::sim::parse;
using simpul::testing::sim::send_raw;

namespace {

std::string read_example() {
  std::ifstream f(std::filesystem::path(SIMPUL_SOURCE_DIR) / "docs/examples/puskesmas-encounter-bundle.json");
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

class SatusehatTransactionSim : public ::testing::Test {
 protected:
  void SetUp() override {
    sim::SatusehatSimOptions o;
    o.clock_ms = [] { return std::int64_t{1772413200000}; };  // 2026-03-02T01:00:00Z
    simulator = std::make_shared<sim::SatusehatSimulator>(o);
    listener = std::make_unique<sim::Listener>(ioc, sim::ListenerOptions{}, simulator);
    listener->start();
    port = listener->port();
    for (int i = 0; i < 2; ++i) threads.emplace_back([this] { ioc.run(); });
    Http t = send_raw(port, "POST", "/oauth2/v1/accesstoken?grant_type=client_credentials",
                      "client_id=simpul-demo-client&client_secret=simpul-demo-secret",
                      std::vector<std::pair<std::string, std::string>>{
                          {"Content-Type", "application/x-www-form-urlencoded"}});
    ASSERT_EQ(t.status, 200u) << t.body;
    token = sjson::text_or_empty(parse(t.body), "access_token");
  }
  void TearDown() override {
    listener->stop();
    ioc.stop();
    for (auto& t : threads) t.join();
  }
  Http fhir(const std::string& method, const std::string& path, const std::string& body = {}) {
    return send_raw(port, method, "/fhir-r4/v1" + path, body,
                    std::vector<std::pair<std::string, std::string>>{{"Authorization", "Bearer " + token},
                                                                     {"Content-Type", "application/json"}});
  }
  // GET {Type}?identifier=nik|{nik} -> the IHS id, as the caller of the mapping does.
  std::string ihs_by_nik(const std::string& type, const std::string& nik) {
    Http h = fhir("GET", "/" + type + "?identifier=https://fhir.kemkes.go.id/id/nik%7C" + nik);
    EXPECT_EQ(h.status, 200u) << h.body;
    auto d = parse(h.body);
    EXPECT_EQ(sjson::text_or_empty(d, "total"), "1") << h.body;
    return d.HasMember("entry") ? std::string(d["entry"][0]["resource"]["id"].GetString()) : std::string();
  }

  boost::asio::io_context ioc;
  std::shared_ptr<sim::SatusehatSimulator> simulator;
  std::unique_ptr<sim::Listener> listener;
  std::vector<std::thread> threads;
  std::uint16_t port = 0;
  std::string token;
};

}  // namespace

TEST_F(SatusehatTransactionSim, RenderedExampleIsAcceptedAndStored) {
  rapidjson::Document input;
  const std::string text = read_example();
  input.Parse(text.c_str());
  ASSERT_FALSE(input.HasParseError());

  ss::SatusehatContext ctx;
  ctx.organization_id = "10000004";  // the simulator's demo client
  ctx.location_id = "b017aa54-f1df-4ec2-9d84-8823815d7228";
  const ss::Lookups need = ss::needed_lookups(input);
  ASSERT_EQ(need.patient_niks.size(), 1u);
  ASSERT_EQ(need.practitioner_niks.size(), 1u);
  for (const auto& nik : need.patient_niks) ctx.patient_ihs_by_nik[nik] = ihs_by_nik("Patient", nik);
  for (const auto& nik : need.practitioner_niks) ctx.practitioner_ihs_by_nik[nik] = ihs_by_nik("Practitioner", nik);
  EXPECT_EQ(ctx.patient_ihs_by_nik[need.patient_niks[0]], "P0001234567890");
  EXPECT_EQ(ctx.practitioner_ihs_by_nik[need.practitioner_niks[0]], "N0002345678901");

  const ss::SatusehatTransaction tx = ss::render_transaction(input, ctx);
  Http h = fhir("POST", "", tx.bundle_json);
  ASSERT_EQ(h.status, 200u) << h.body;
  auto resp = parse(h.body);
  EXPECT_EQ(sjson::text_or_empty(resp, "type"), "transaction-response");
  ASSERT_EQ(resp["entry"].Size(), tx.entry_types.size());
  for (rapidjson::SizeType i = 0; i < resp["entry"].Size(); ++i) {
    const auto& e = resp["entry"][i];
    EXPECT_EQ(sjson::text_or_empty(e, "response.status"), "201 Created");
    EXPECT_EQ(sjson::text_or_empty(e, "response.location").rfind(tx.entry_types[i] + "/", 0), 0u);
  }

  auto state = simpul::testing::sim::sim_state(port);
  EXPECT_EQ(sjson::integer(state, "transactions"), 1);
  EXPECT_EQ(sjson::integer(state, "resources_total"), 17);
  EXPECT_EQ(sjson::integer(state, "counts.Encounter"), 1);
  EXPECT_EQ(sjson::integer(state, "counts.Condition"), 3);
  EXPECT_EQ(sjson::integer(state, "counts.Observation"), 8);
  EXPECT_EQ(sjson::integer(state, "counts.Medication"), 1);
  EXPECT_EQ(sjson::integer(state, "counts.MedicationRequest"), 2);
  EXPECT_EQ(sjson::integer(state, "counts.Procedure"), 1);
  EXPECT_EQ(sjson::integer(state, "counts.ServiceRequest"), 1);
  std::string encounter_id;
  for (const auto& r : state["resources"].GetArray()) {
    const std::string type = sjson::text_or_empty(r, "type");
    EXPECT_EQ(sjson::text_or_empty(r, "organization"), "10000004");
    if (type == "Encounter") {
      encounter_id = "Encounter/" + sjson::text_or_empty(r, "id");
      ASSERT_EQ(r["identifiers"].Size(), 1u);
      EXPECT_EQ(std::string(r["identifiers"][0].GetString()), tx.encounter_identifier);
    }
    if (type != "Medication") {
      EXPECT_EQ(sjson::text_or_empty(r, "subject"), "Patient/P0001234567890") << type;
    }
    if (type != "Medication" && type != "Encounter") {
      EXPECT_EQ(sjson::text_or_empty(r, "encounter"), encounter_id) << type;
    }
  }

  // The reconcile key finds the stored Encounter; sending the same visit again is a duplicate.
  Http found = fhir("GET", "/Encounter?identifier=http://sys-ids.kemkes.go.id/encounter/10000004%7CRJ-2026-03-02-0042");
  ASSERT_EQ(found.status, 200u) << found.body;
  EXPECT_EQ(sjson::text_or_empty(parse(found.body), "total"), "1");
  Http again = fhir("POST", "", ss::render_transaction(input, ctx).bundle_json);
  EXPECT_EQ(again.status, 400u);
  EXPECT_NE(again.body.find("duplicate"), std::string::npos) << again.body;
  EXPECT_EQ(sjson::integer(simpul::testing::sim::sim_state(port), "resources_total"), 17);
}
