// The SATUSEHAT simulator over real sockets: started in-process on 127.0.0.1
// port 0 and driven with a Beast client, with the simulator's clock pinned.
#include <atomic>
#include <chrono>
#include <random>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>

#include "connectors/sim/json_util.hpp"
#include "connectors/sim/listener.hpp"
#include "connectors/sim/participants.hpp"
#include "connectors/sim/satusehat_sim.hpp"
#include "tests/connectors/sim_test_support.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace sim = simpul::connectors::sim;
namespace sjson = simpul::connectors::sim::json;

namespace {

// 2025-06-15T03:00:00Z in milliseconds.
constexpr std::int64_t kNowMs = 1749956400000;
const std::string kCard = "0001234567890";
const std::string kPatient = "P" + kCard;
const std::string kPractitioner = "N0001234567891";
const std::string kOrg = "10000004";

using simpul::testing::sim::Http;
using simpul::testing::sim::parse;
using simpul::testing::sim::send_raw;

std::string text(const rapidjson::Value& v, const char* path) {
  return sjson::text_or_empty(v, path);
}

// The first issue of an OperationOutcome: "code|text|expression".
std::string issue_of(const std::string& body) {
  auto d = parse(body);
  if (!d.IsObject() || text(d, "resourceType") != "OperationOutcome" || !d.HasMember("issue")) return "not an outcome";
  const auto& i = d["issue"][0];
  std::string expr = i.HasMember("expression") ? std::string(i["expression"][0].GetString()) : std::string();
  return text(i, "code") + "|" + text(i, "details.text") + "|" + expr;
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (auto p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) s.replace(p, from.size(), to);
}

std::string encounter_json(const std::string& reg_no, const std::string& org = kOrg) {
  std::string s = R"({"resourceType":"Encounter",
    "identifier":[{"system":"http://sys-ids.kemkes.go.id/encounter/@ORG","value":"@REG"}],
    "status":"arrived",
    "class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB","display":"ambulatory"},
    "subject":{"reference":"Patient/@PAT","display":"Pasien"},
    "participant":[{"type":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ParticipationType","code":"ATND","display":"attender"}]}],
      "individual":{"reference":"Practitioner/@PRAC","display":"Dokter"}}],
    "period":{"start":"2025-06-15T01:00:00+00:00"},
    "location":[{"location":{"reference":"Location/b017aa54-f1df-4ec2-9d84-8823815d7228","display":"Poli"}}],
    "statusHistory":[{"status":"arrived","period":{"start":"2025-06-15T01:00:00+00:00","end":"2025-06-15T02:00:00+00:00"}}],
    "serviceProvider":{"reference":"Organization/@ORG"}})";
  replace_all(s, "@ORG", org);
  replace_all(s, "@REG", reg_no);
  replace_all(s, "@PAT", kPatient);
  replace_all(s, "@PRAC", kPractitioner);
  return s;
}

std::string subject_encounter(const std::string& enc) {
  return R"("subject":{"reference":"Patient/)" + kPatient + R"("},"encounter":{"reference":")" + enc + R"("})";
}

std::string condition_json(const std::string& enc) {
  return R"({"resourceType":"Condition","clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]},
    "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-category","code":"encounter-diagnosis"}]}],
    "code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10","code":"K35.8","display":"Acute appendicitis"}]},)" +
         subject_encounter(enc) + "}";
}

std::string observation_json(const std::string& enc) {
  return R"({"resourceType":"Observation","status":"final",
    "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],
    "code":{"coding":[{"system":"http://loinc.org","code":"8867-4","display":"Heart rate"}]},)" +
         subject_encounter(enc) + R"(,"effectiveDateTime":"2025-06-15T01:10:00+00:00",
    "valueQuantity":{"value":80,"unit":"beats/minute","system":"http://unitsofmeasure.org","code":"/min"}})";
}

std::string procedure_json(const std::string& enc) {
  return R"({"resourceType":"Procedure","status":"completed",
    "code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-9-cm","code":"88.78"}]},)" +
         subject_encounter(enc) + R"(,"performer":[{"actor":{"reference":"Practitioner/)" + kPractitioner + R"("}}]})";
}

std::string medication_json() {
  return R"({"resourceType":"Medication","identifier":[{"system":"http://sys-ids.kemkes.go.id/medication/10000004","value":"OBAT-1"}],
    "extension":[{"url":"https://fhir.kemkes.go.id/r4/StructureDefinition/MedicationType","valueCodeableConcept":{"coding":[{"system":"http://terminology.kemkes.go.id/CodeSystem/medication-type","code":"NC"}]}}],
    "code":{"coding":[{"system":"http://sys-ids.kemkes.go.id/kfa","code":"93006500"}]}})";
}

std::string med_request_json(const std::string& enc, const std::string& med) {
  return R"({"resourceType":"MedicationRequest","identifier":[{"system":"http://sys-ids.kemkes.go.id/prescription/10000004","value":"RX-1"}],
    "status":"completed","intent":"order","medicationReference":{"reference":")" +
         med + R"("},)" + subject_encounter(enc) + R"(,"requester":{"reference":"Practitioner/)" + kPractitioner +
         R"("}})";
}

std::string med_dispense_json(const std::string& enc, const std::string& med, const std::string& rx) {
  return R"({"resourceType":"MedicationDispense","status":"completed","medicationReference":{"reference":")" + med +
         R"("},"subject":{"reference":"Patient/)" + kPatient + R"("},"context":{"reference":")" + enc +
         R"("},"authorizingPrescription":[{"reference":")" + rx + R"("}]})";
}

std::string service_request_json(const std::string& enc) {
  return R"({"resourceType":"ServiceRequest","status":"active","intent":"order",
    "code":{"coding":[{"system":"http://loinc.org","code":"11477-7"}]},)" +
         subject_encounter(enc) + R"(,"requester":{"reference":"Practitioner/)" + kPractitioner + R"("}})";
}

class SimSatusehat : public ::testing::Test {
 protected:
  void SetUp() override {
    sim::SatusehatSimOptions o;
    o.clients.push_back({"other-client", "other-secret", "10000099"});
    o.clock_ms = [this] { return now.load(); };
    simulator = std::make_shared<sim::SatusehatSimulator>(o);
    listener = std::make_unique<sim::Listener>(ioc, sim::ListenerOptions{}, simulator);
    listener->start();
    port = listener->port();
    for (int i = 0; i < 2; ++i) threads.emplace_back([this] { ioc.run(); });
  }
  void TearDown() override {
    listener->stop();
    ioc.stop();
    for (auto& t : threads) t.join();
  }

  Http token_call(const std::string& id, const std::string& secret,
                  const std::string& query = "?grant_type=client_credentials") {
    return send_raw(port, "POST", "/oauth2/v1/accesstoken" + query, "client_id=" + id + "&client_secret=" + secret,
                    {{"Content-Type", "application/x-www-form-urlencoded"}});
  }
  std::string token(const std::string& id = "simpul-demo-client", const std::string& secret = "simpul-demo-secret") {
    Http h = token_call(id, secret);
    EXPECT_EQ(h.status, 200u) << h.body;
    return text(parse(h.body), "access_token");
  }
  Http fhir(const std::string& method, const std::string& path, const std::string& body = {}, std::string tok = {}) {
    if (tok.empty()) {
      if (demo_token.empty()) demo_token = token();
      tok = demo_token;
    }
    return send_raw(port, method, "/fhir-r4/v1" + path, body,
                    {{"Authorization", "Bearer " + tok}, {"Content-Type", "application/json"}});
  }
  // Creates and returns "Type/id".
  std::string create(const std::string& type, const std::string& body) {
    Http h = fhir("POST", "/" + type, body);
    EXPECT_EQ(h.status, 201u) << type << ": " << h.body;
    auto d = parse(h.body);
    return type + "/" + text(d, "id");
  }
  rapidjson::Document state() { return simpul::testing::sim::sim_state(port); }
  std::int64_t state_int(const char* path) { return simpul::testing::sim::sim_state_int(port, path); }
  void set_faults(const std::string& json) { simpul::testing::sim::set_sim_faults(port, json); }

  std::atomic<std::int64_t> now{kNowMs};
  std::string demo_token;
  asio::io_context ioc;
  std::shared_ptr<sim::SatusehatSimulator> simulator;
  std::unique_ptr<sim::Listener> listener;
  std::vector<std::thread> threads;
  std::uint16_t port = 0;
};

TEST_F(SimSatusehat, TokenHasTheOfficialShapeWithStringValues) {
  Http h = token_call("simpul-demo-client", "simpul-demo-secret");
  ASSERT_EQ(h.status, 200u) << h.body;
  auto d = parse(h.body);
  for (const char* k : {"refresh_token_expires_in", "api_product_list", "organization_name", "developer.email",
                        "token_type", "issued_at", "client_id", "access_token", "application_name", "scope",
                        "expires_in", "refresh_count", "status"}) {
    ASSERT_TRUE(d.HasMember(k)) << k;
    EXPECT_TRUE(d[k].IsString()) << k;
  }
  EXPECT_EQ(text(d, "token_type"), "BearerToken");
  EXPECT_EQ(text(d, "expires_in"), "3599");
  EXPECT_EQ(text(d, "issued_at"), std::to_string(kNowMs));
  EXPECT_EQ(text(d, "client_id"), "simpul-demo-client");
  EXPECT_EQ(text(d, "status"), "approved");
  EXPECT_GE(text(d, "access_token").size(), 20u);
  EXPECT_NE(text(d, "access_token"), token());  // every call issues a new token
  EXPECT_EQ(state_int("tokens.issued"), 2);
}

TEST_F(SimSatusehat, TokenRefusesWrongCredentialsAndGrantType) {
  Http bad = token_call("simpul-demo-client", "wrong");
  EXPECT_EQ(bad.status, 401u);
  auto d = parse(bad.body);
  EXPECT_EQ(text(d, "resourceType"), "OperationOutcome");
  EXPECT_EQ(text(d["issue"][0], "severity"), "invalid");
  EXPECT_EQ(text(d["issue"][0], "code"), "value");
  EXPECT_NE(text(d["issue"][0], "details.text").find("client_id or client_secret"), std::string::npos);
  EXPECT_EQ(token_call("nobody", "simpul-demo-secret").status, 401u);

  Http no_grant = token_call("simpul-demo-client", "simpul-demo-secret", "");
  EXPECT_EQ(no_grant.status, 400u);
  EXPECT_EQ(text(parse(no_grant.body), "ErrorCode"), "invalid_request");
  Http wrong_grant = token_call("simpul-demo-client", "simpul-demo-secret", "?grant_type=password");
  EXPECT_EQ(wrong_grant.status, 400u);
  EXPECT_EQ(text(parse(wrong_grant.body), "ErrorCode"), "unsupported_grant_type");
  EXPECT_EQ(state_int("auth_failures.by_reason.bad_client_credentials"), 2);
  EXPECT_EQ(state_int("tokens.issued"), 0);
}

TEST_F(SimSatusehat, BearerTokenMissingUnknownAndExpiredAre401) {
  const std::string tok = token();
  EXPECT_EQ(fhir("GET", "/Patient/" + kPatient, {}, tok).status, 200u);
  Http missing = send_raw(port, "GET", "/fhir-r4/v1/Patient/" + kPatient, {}, {});
  EXPECT_EQ(missing.status, 401u);
  EXPECT_EQ(issue_of(missing.body).substr(0, 6), "login|");
  EXPECT_EQ(fhir("GET", "/Patient/" + kPatient, {}, "not-a-token").status, 401u);

  now += 3598 * 1000;
  EXPECT_EQ(fhir("GET", "/Patient/" + kPatient, {}, tok).status, 200u);
  now += 2 * 1000;  // issued_at + expires_in reached
  Http expired = fhir("GET", "/Patient/" + kPatient, {}, tok);
  EXPECT_EQ(expired.status, 401u);
  EXPECT_NE(issue_of(expired.body).find("expired"), std::string::npos);
  EXPECT_EQ(fhir("GET", "/Patient/" + kPatient, {}, token()).status, 200u);  // a new token works
  auto s = state();
  EXPECT_EQ(text(s, "auth_failures.by_reason.missing_token"), "1");
  EXPECT_EQ(text(s, "auth_failures.by_reason.invalid_token"), "1");
  EXPECT_EQ(text(s, "auth_failures.by_reason.expired_token"), "1");
  EXPECT_EQ(text(s, "tokens.active"), "1");
}

TEST_F(SimSatusehat, EveryResourceKindIsCreatedAndReadBack) {
  const std::string enc = create("Encounter", encounter_json("REG-1"));
  const std::string med = create("Medication", medication_json());
  const std::string rx = create("MedicationRequest", med_request_json(enc, med));
  std::vector<std::string> refs = {enc,
                                   med,
                                   rx,
                                   create("Condition", condition_json(enc)),
                                   create("Observation", observation_json(enc)),
                                   create("Procedure", procedure_json(enc)),
                                   create("MedicationDispense", med_dispense_json(enc, med, rx)),
                                   create("ServiceRequest", service_request_json(enc))};
  for (const auto& ref : refs) {
    Http h = fhir("GET", "/" + ref);
    ASSERT_EQ(h.status, 200u) << ref << h.body;
    auto d = parse(h.body);
    EXPECT_EQ(text(d, "resourceType") + "/" + text(d, "id"), ref);
    EXPECT_EQ(text(d, "meta.versionId"), "1");
    EXPECT_EQ(text(d, "meta.lastUpdated"), "2025-06-15T03:00:00.000+00:00");
  }
  Http created = fhir("POST", "/Encounter", encounter_json("REG-2"));
  EXPECT_EQ(created.status, 201u);
  EXPECT_NE(created.location.find("/fhir-r4/v1/Encounter/"), std::string::npos) << created.location;
  EXPECT_NE(created.location.find("/_history/1"), std::string::npos);

  auto s = state();
  EXPECT_EQ(text(s, "counts.Encounter"), "2");
  EXPECT_EQ(text(s, "counts.ServiceRequest"), "1");
  EXPECT_EQ(text(s, "resources_total"), "9");
  EXPECT_EQ(std::string(s["resources"][0]["identifiers"][0].GetString()),
            "http://sys-ids.kemkes.go.id/encounter/10000004|REG-1");
  EXPECT_EQ(fhir("GET", "/Encounter/no-such-id").status, 404u);
  EXPECT_EQ(issue_of(fhir("GET", "/Encounter/no-such-id").body).substr(0, 10), "not-found|");
}

TEST_F(SimSatusehat, PutUpdatesWithIdInTheBody) {
  const std::string enc = create("Encounter", encounter_json("REG-PUT"));
  const std::string id = enc.substr(enc.find('/') + 1);
  std::string body = encounter_json("REG-PUT");
  replace_all(body, "\"status\":\"arrived\"", "\"status\":\"in-progress\"");
  Http no_id = fhir("PUT", "/" + enc, body);
  EXPECT_EQ(no_id.status, 400u);
  EXPECT_EQ(issue_of(no_id.body), "value|id is required|Encounter.id");
  body.insert(1, "\"id\":\"" + id + "\",");
  Http ok = fhir("PUT", "/" + enc, body);
  ASSERT_EQ(ok.status, 200u) << ok.body;
  EXPECT_EQ(text(parse(ok.body), "meta.versionId"), "2");
  EXPECT_EQ(text(parse(fhir("GET", "/" + enc).body), "status"), "in-progress");
  EXPECT_EQ(fhir("PUT", "/Encounter/unknown-id",
                 [&] {
                   std::string b = body;
                   replace_all(b, id, "unknown-id");
                   return b;
                 }())
                .status,
            404u);
  // Another organization's client may not update it.
  EXPECT_EQ(fhir("PUT", "/" + enc, body, token("other-client", "other-secret")).status, 403u);
  EXPECT_EQ(state_int("updated"), 1);
}

TEST_F(SimSatusehat, TransactionBundleResolvesUrnUuidReferences) {
  std::string enc = encounter_json("REG-B");
  replace_all(enc, "\"status\":\"arrived\"", "\"status\":\"finished\"");
  enc.insert(enc.size() - 1,
             R"(,"diagnosis":[{"condition":{"reference":"urn:uuid:ba5a7dec-023f-45e1-adb9-1b9d71737a5f"},"rank":1}])");
  const std::string bundle =
      R"({"resourceType":"Bundle","type":"transaction","entry":[
      {"fullUrl":"urn:uuid:5e2b0b7e-6a4c-4d8b-9f0e-1a2b3c4d5e6f","resource":)" +
      enc + R"(,"request":{"method":"POST","url":"Encounter"}},
      {"fullUrl":"urn:uuid:ba5a7dec-023f-45e1-adb9-1b9d71737a5f","resource":)" +
      condition_json("urn:uuid:5e2b0b7e-6a4c-4d8b-9f0e-1a2b3c4d5e6f") +
      R"(,"request":{"method":"POST","url":"Condition"}},
      {"fullUrl":"urn:uuid:2aa0c9f1-4c3e-4e5b-8a0c-7d2f6b9e1c11","resource":)" +
      observation_json("urn:uuid:5e2b0b7e-6a4c-4d8b-9f0e-1a2b3c4d5e6f") +
      R"(,"request":{"method":"POST","url":"Observation"}}]})";
  Http h = fhir("POST", "", bundle);
  ASSERT_EQ(h.status, 200u) << h.body;
  auto d = parse(h.body);
  EXPECT_EQ(text(d, "type"), "transaction-response");
  ASSERT_EQ(d["entry"].Size(), 3u);
  std::vector<std::string> loc;
  for (const auto& e : d["entry"].GetArray()) {
    EXPECT_EQ(text(e, "response.status"), "201 Created");
    const std::string l = text(e, "response.location");
    loc.push_back(l.substr(0, l.find("/_history")));
  }
  EXPECT_EQ(loc[0].rfind("Encounter/", 0), 0u);
  EXPECT_EQ(loc[1].rfind("Condition/", 0), 0u);
  auto cond = parse(fhir("GET", "/" + loc[1]).body);
  EXPECT_EQ(text(cond, "encounter.reference"), loc[0]);
  auto encd = parse(fhir("GET", "/" + loc[0]).body);
  EXPECT_EQ(text(encd["diagnosis"][0], "condition.reference"), loc[1]);
  EXPECT_EQ(state_int("transactions"), 1);

  // All or nothing: an unresolved urn:uuid or a bad entry stores nothing.
  std::string broken = bundle;
  replace_all(broken, "REG-B", "REG-C");
  replace_all(
      broken, "\"url\":\"Observation\"}}",
      "\"url\":\"Observation\"}},{\"resource\":" + condition_json("urn:uuid:00000000-0000-4000-8000-000000000000") +
          ",\"request\":{\"method\":\"POST\",\"url\":\"Condition\"}}");
  Http b = fhir("POST", "", broken);
  EXPECT_EQ(b.status, 400u);
  EXPECT_NE(issue_of(b.body).find("Unresolved reference urn:uuid:00000000"), std::string::npos) << b.body;
  EXPECT_EQ(state_int("resources_total"), 3);
  // A batch is not a transaction.
  std::string batch = bundle;
  replace_all(batch, "\"type\":\"transaction\"", "\"type\":\"batch\"");
  EXPECT_EQ(issue_of(fhir("POST", "", batch).body), "value|Bundle.type must be transaction|Bundle.type");
  // A duplicate inside the transaction (same Encounter identifier as before).
  Http dup = fhir("POST", "", bundle);
  EXPECT_EQ(dup.status, 400u);
  EXPECT_EQ(issue_of(dup.body).substr(0, 10), "duplicate|");
}

struct Rule {
  std::string name, from, to, expected;  // expected: "code|text|expression" prefix
};

TEST_F(SimSatusehat, EncounterRequiredElements) {
  const std::vector<Rule> rules = {
      {"identifier", R"("identifier":[{"system":"http://sys-ids.kemkes.go.id/encounter/10000004","value":"@V"}],)", "",
       "required|identifier is required|Encounter.identifier"},
      {"status", R"("status":"arrived",)", "", "required|status is required|Encounter.status"},
      {"status code", R"("status":"arrived")", R"("status":"done")", "value|Invalid status code|Encounter.status"},
      {"class system", "v3-ActCode\",\"code\":\"AMB\"", "v2-0004\",\"code\":\"AMB\"",
       "value|class.system must be http://terminology.hl7.org/CodeSystem/v3-ActCode|Encounter.class.system"},
      {"subject", R"("subject":{"reference":"Patient/P0001234567890","display":"Pasien"},)", "",
       "required|subject is required|Encounter.subject"},
      {"subject type", "Patient/P0001234567890", "Practitioner/N0001234567891",
       "value|subject.reference must be Patient/<id>, got 'Practitioner/N0001234567891'|Encounter.subject.reference"},
      {"unknown patient", "Patient/P0001234567890", "Patient/P0000000000001",
       "value|Resource Patient/P0000000000001 not found (subject.reference)|Encounter.subject.reference"},
      {"participant", R"("individual":{"reference":"Practitioner/N0001234567891","display":"Dokter"})", R"("x":1)",
       "required|participant[0].individual is required|Encounter.participant[0].individual"},
      {"period", R"("period":{"start":"2025-06-15T01:00:00+00:00"},)", "",
       "required|period is required|Encounter.period"},
      {"period format", R"("period":{"start":"2025-06-15T01:00:00+00:00"})", R"("period":{"start":"15-06-2025"})",
       "value|period.start must be a FHIR dateTime (e.g. 2023-08-23T10:35:00+00:00)|Encounter.period.start"},
      {"date floor", R"("period":{"start":"2025-06-15T01:00:00+00:00"})", R"("period":{"start":"2014-06-02"})",
       "value|period.start cannot be earlier than 2014-06-03|Encounter.period.start"},
      {"location",
       R"("location":[{"location":{"reference":"Location/b017aa54-f1df-4ec2-9d84-8823815d7228","display":"Poli"}}],)",
       "", "required|location is required|Encounter.location"},
      {"statusHistory", "\"statusHistory\"", "\"statusHistoryX\"",
       "required|statusHistory is required|Encounter.statusHistory"},
      {"statusHistory period", R"("period":{"start":"2025-06-15T01:00:00+00:00","end":"2025-06-15T02:00:00+00:00"})",
       R"("x":{})", "required|statusHistory[0].period is required|Encounter.statusHistory[0].period"},
      {"serviceProvider", R"("serviceProvider":{"reference":"Organization/10000004"})", R"("sp":0)",
       "required|serviceProvider is required|Encounter.serviceProvider"},
      {"diagnosis condition", R"("serviceProvider")", R"("diagnosis":[{"rank":1}],"serviceProvider")",
       "required|diagnosis[0].condition is required|Encounter.diagnosis[0].condition"},
  };
  int n = 0;
  for (const auto& r : rules) {
    std::string body = encounter_json("REG-V" + std::to_string(++n));
    std::string from = r.from;
    replace_all(from, "@V", "REG-V" + std::to_string(n));
    ASSERT_NE(body.find(from), std::string::npos) << r.name;
    replace_all(body, from, r.to);
    Http h = fhir("POST", "/Encounter", body);
    EXPECT_EQ(h.status, 400u) << r.name << ": " << h.body;
    EXPECT_EQ(issue_of(h.body), r.expected) << r.name;
  }
  EXPECT_EQ(state_int("resources_total"), 0);
  EXPECT_EQ(state_int("rejected.total"), static_cast<std::int64_t>(rules.size()));
}

TEST_F(SimSatusehat, OtherResourcesRequiredElements) {
  const std::string enc = create("Encounter", encounter_json("REG-O"));
  struct Case {
    std::string type, body, from, to, expected;
  };
  const std::vector<Case> cases = {
      {"Condition", condition_json(enc), "\"code\":{", "\"codeX\":{", "required|code is required|Condition.code"},
      {"Condition", condition_json(enc), "\"subject\"", "\"subjectX\"",
       "required|subject is required|Condition.subject"},
      {"Condition", condition_json(enc), "\"encounter\"", "\"encounterX\"",
       "required|encounter is required|Condition.encounter"},
      {"Condition", condition_json(enc), enc, "Encounter/nope",
       "value|Resource Encounter/nope not found (encounter.reference)|Condition.encounter.reference"},
      {"Condition", condition_json(enc), "\"code\":\"K35.8\"", "\"cod\":\"K35.8\"",
       "required|code.coding[0].code is required|Condition.code.coding[0].code"},
      {"Observation", observation_json(enc), "\"status\":\"final\",", "",
       "required|status is required|Observation.status"},
      {"Observation", observation_json(enc), "\"category\"", "\"categoryX\"",
       "required|category is required|Observation.category"},
      {"Observation", observation_json(enc), "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\"",
       "\"codeX\":{\"coding\":[{\"system\":\"http://loinc.org\"", "required|code is required|Observation.code"},
      {"Observation", observation_json(enc), "\"effectiveDateTime\"", "\"effectiveX\"",
       "required|effective[x] is required|Observation.effective[x]"},
      {"Observation", observation_json(enc), "\"valueQuantity\"", "\"note\"",
       "required|value[x] is required|Observation.value[x]"},
      {"Procedure", procedure_json(enc), "\"status\":\"completed\"", "\"status\":\"done\"",
       "value|Invalid status code|Procedure.status"},
      {"Procedure", procedure_json(enc), "\"actor\"", "\"actorX\"",
       "required|performer[0].actor is required|Procedure.performer[0].actor"},
      {"MedicationRequest", med_request_json(enc, "Medication/x"), "\"intent\":\"order\",", "",
       "required|intent is required|MedicationRequest.intent"},
      {"MedicationRequest", med_request_json(enc, "Medication/x"), "\"requester\"", "\"requesterX\"",
       "value|Resource Medication/x not found (medicationReference.reference)|"
       "MedicationRequest.medicationReference.reference"},
      {"MedicationDispense", med_dispense_json(enc, "Medication/x", "MedicationRequest/y"), "\"medicationReference\"",
       "\"medicationX\"", "required|medication[x] is required|MedicationDispense.medication[x]"},
      {"ServiceRequest", service_request_json(enc), "\"intent\":\"order\"", "\"intent\":\"wish\"",
       "value|Invalid intent code|ServiceRequest.intent"},
      {"Medication", medication_json(), "MedicationType", "OtherType",
       "required|extension(MedicationType) is required|Medication.extension(MedicationType)"},
      {"Encounter", condition_json(enc), "", "",
       "invalid|resourceType 'Condition' does not match the endpoint (Encounter)|Encounter.resourceType"},
  };
  for (const auto& c : cases) {
    std::string body = c.body;
    if (!c.from.empty()) {
      ASSERT_NE(body.find(c.from), std::string::npos) << c.expected;
      body.replace(body.find(c.from), c.from.size(), c.to);
    }
    Http h = fhir("POST", "/" + c.type, body);
    EXPECT_EQ(h.status, 400u) << c.expected << ": " << h.body;
    EXPECT_EQ(issue_of(h.body), c.expected);
  }
  Http prac = fhir("POST", "/Practitioner", R"({"resourceType":"Practitioner"})");
  EXPECT_EQ(prac.status, 405u);
  EXPECT_EQ(issue_of(prac.body), "operation-invalid|The operation is not allowed by this server|");
  EXPECT_EQ(fhir("POST", "/Encounter", "{not json").status, 400u);
  EXPECT_EQ(issue_of(fhir("POST", "/Encounter", "[1,2]").body), "structure|The body must be a JSON object|");
}

TEST_F(SimSatusehat, OrganizationIdRule) {
  // serviceProvider must be the client's own organization.
  Http other_sp = fhir("POST", "/Encounter", [] {
    std::string b = encounter_json("REG-ORG1");
    replace_all(b, "Organization/10000004", "Organization/10000099");
    return b;
  }());
  EXPECT_EQ(other_sp.status, 400u);
  EXPECT_EQ(issue_of(other_sp.body),
            "business-rule|resource cannot be accessed due to business rule|Encounter.serviceProvider.reference");
  // The sys-ids identifier system must name it too (RuleNumber 10117).
  Http other_sys = fhir("POST", "/Encounter", [] {
    std::string b = encounter_json("REG-ORG2");
    replace_all(b, "encounter/10000004", "encounter/100025753");
    return b;
  }());
  EXPECT_EQ(other_sys.status, 400u);
  EXPECT_EQ(issue_of(other_sys.body),
            "value|Wrong organization ID provided by system URL: http://sys-ids.kemkes.go.id/encounter/100025753 "
            "(RuleNumber: 10117)|Encounter.identifier[0].system");
  // The other client's token belongs to organization 10000099: the demo org's Encounter is refused...
  const std::string other = token("other-client", "other-secret");
  EXPECT_EQ(fhir("POST", "/Encounter", encounter_json("REG-ORG3"), other).status, 400u);
  // ...and its own is accepted.
  Http own = fhir("POST", "/Encounter", encounter_json("REG-ORG3", "10000099"), other);
  EXPECT_EQ(own.status, 201u) << own.body;
  EXPECT_EQ(text(state()["resources"][0], "organization"), "10000099");
}

TEST_F(SimSatusehat, DuplicateBusinessIdentifierIsRejectedAndFoundBySearch) {
  const std::string first = create("Encounter", encounter_json("REG-DUP"));
  Http again = fhir("POST", "/Encounter", encounter_json("REG-DUP"));
  EXPECT_EQ(again.status, 400u);
  EXPECT_EQ(issue_of(again.body),
            "duplicate|Duplicate Encounter: identifier http://sys-ids.kemkes.go.id/encounter/10000004|REG-DUP already "
            "exists (" +
                first + ")|Encounter.identifier");
  EXPECT_EQ(state_int("counts.Encounter"), 1);
  EXPECT_EQ(state_int("rejected.by_code.duplicate"), 1);
  // Reconciliation: search by the identifier finds the one accepted.
  Http found = fhir("GET", "/Encounter?identifier=http://sys-ids.kemkes.go.id/encounter/10000004%7CREG-DUP");
  ASSERT_EQ(found.status, 200u);
  auto d = parse(found.body);
  EXPECT_EQ(text(d, "type"), "searchset");
  EXPECT_EQ(text(d, "total"), "1");
  EXPECT_EQ("Encounter/" + text(d["entry"][0], "resource.id"), first);
  EXPECT_EQ(
      text(parse(fhir("GET", "/Encounter?identifier=http://sys-ids.kemkes.go.id/encounter/10000004|X").body), "total"),
      "0");
  // Same value under another organization's system is a different identifier.
  EXPECT_EQ(
      fhir("POST", "/Encounter", encounter_json("REG-DUP", "10000099"), token("other-client", "other-secret")).status,
      201u);
}

TEST_F(SimSatusehat, PatientAndPractitionerSearchByNik) {
  const std::string nik = *sim::nik_for_card(kCard);
  const auto person = *sim::participant_by_card(kCard);
  Http p = fhir("GET", "/Patient?identifier=https://fhir.kemkes.go.id/id/nik|" + nik);
  ASSERT_EQ(p.status, 200u);
  auto d = parse(p.body);
  EXPECT_EQ(text(d, "type"), "searchset");
  EXPECT_EQ(text(d, "total"), "1");
  EXPECT_EQ(text(d["entry"][0], "resource.id"), kPatient);
  EXPECT_EQ(text(d["entry"][0], "search.mode"), "match");
  EXPECT_EQ(text(d["entry"][0]["resource"]["name"][0], "text"), person.nama);
  EXPECT_EQ(sim::satusehat_patient_id_for_nik(nik), kPatient);

  Http pr = fhir("GET", "/Practitioner?identifier=https%3A%2F%2Ffhir.kemkes.go.id%2Fid%2Fnik%7C" + nik);
  auto dr = parse(pr.body);
  EXPECT_EQ(text(dr, "total"), "1");
  EXPECT_EQ(text(dr["entry"][0], "resource.id"), "N" + kCard);
  EXPECT_EQ(text(parse(fhir("GET", "/Practitioner/N" + kCard).body), "resourceType"), "Practitioner");

  for (const std::string& missing :
       {std::string("3273246309870001"), *sim::nik_for_card("0000000000001"), std::string("x")})
    EXPECT_EQ(text(parse(fhir("GET", "/Patient?identifier=https://fhir.kemkes.go.id/id/nik|" + missing).body), "total"),
              "0")
        << missing;
  EXPECT_EQ(fhir("GET", "/Patient/P0000000000001").status, 404u);
}

TEST_F(SimSatusehat, PatientCreateAnswersTheMpiWrapper) {
  const std::string body =
      R"({"resourceType":"Patient","identifier":[{"system":"https://fhir.kemkes.go.id/id/nik","value":"3173000000000001"}],
    "name":[{"use":"official","text":"Bayi Uji"}],"gender":"female","birthDate":"2025-06-01","multipleBirthInteger":0})";
  Http h = fhir("POST", "/Patient", body);
  ASSERT_EQ(h.status, 201u) << h.body;
  auto d = parse(h.body);
  EXPECT_EQ(d["success"].GetBool(), true);
  const std::string id = text(d, "data.patient_id");
  EXPECT_EQ(
      text(parse(fhir("GET", "/Patient?identifier=https://fhir.kemkes.go.id/id/nik|3173000000000001").body), "total"),
      "1");
  EXPECT_EQ(fhir("GET", "/Patient/" + id).status, 200u);
  EXPECT_EQ(fhir("POST", "/Patient", body).status, 400u);  // the NIK is registered now
  std::string fake = body;
  replace_all(fake, "3173000000000001", *sim::nik_for_card(kCard));
  EXPECT_EQ(issue_of(fhir("POST", "/Patient", fake).body).substr(0, 10), "duplicate|");
}

TEST_F(SimSatusehat, FaultsServerErrorsTimeoutLatencyAndDropAfterCommit) {
  demo_token = token();
  set_faults(R"({"rules":[{"kind":"http_500","method":"POST","path":"/Encounter","count":1}]})");
  Http e500 = fhir("POST", "/Encounter", encounter_json("REG-F1"));
  EXPECT_EQ(e500.status, 500u);
  EXPECT_EQ(e500.content_type, "text/plain");
  EXPECT_EQ(state_int("counts.Encounter"), -1);  // nothing stored

  set_faults(R"({"rules":[{"kind":"metadata_error","http_status":429,"count":1}]})");
  Http e429 = fhir("GET", "/Patient/" + kPatient);
  EXPECT_EQ(e429.status, 429u);
  EXPECT_EQ(e429.retry_after, "60");
  EXPECT_EQ(issue_of(e429.body).substr(0, 10), "throttled|");

  set_faults(R"({"rules":[{"kind":"timeout","hold_ms":100,"count":1}]})");
  EXPECT_FALSE(fhir("GET", "/Patient/" + kPatient).answered);

  set_faults(R"({"latency_ms":200})");
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(fhir("GET", "/Patient/" + kPatient).status, 200u);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(200));

  set_faults(R"({"rules":[{"kind":"drop_after_commit","method":"POST","path":"Encounter","count":1}]})");
  Http dropped = fhir("POST", "/Encounter", encounter_json("REG-F2"));
  EXPECT_FALSE(dropped.answered);
  EXPECT_EQ(state_int("counts.Encounter"), 1);  // committed although never answered
  // The retry is a duplicate; the search finds what was committed.
  EXPECT_EQ(issue_of(fhir("POST", "/Encounter", encounter_json("REG-F2")).body).substr(0, 10), "duplicate|");
  EXPECT_EQ(state_int("faults_injected.drop_after_commit"), 1);

  Http bad = send_raw(port, "POST", "/sim/faults", R"({"rules":[{"kind":"nope"}]})", {});
  EXPECT_EQ(bad.status, 400u);
  EXPECT_EQ(send_raw(port, "GET", "/sim/faults", {}, {}).status, 200u);
}

TEST_F(SimSatusehat, StateCountsRoutesAndResetForgetsEverything) {
  create("Encounter", encounter_json("REG-S"));
  fhir("GET", "/Patient?identifier=x");
  auto s = state();
  EXPECT_EQ(text(s, "service"), "satusehat");
  EXPECT_EQ(text(s, "requests.by_route.POST /oauth2/v1/accesstoken"), "1");
  EXPECT_EQ(text(s, "requests.by_route.POST /fhir-r4/v1/Encounter"), "1");
  EXPECT_EQ(text(s, "requests.by_route.GET /fhir-r4/v1/Patient?search"), "1");
  EXPECT_EQ(send_raw(port, "POST", "/sim/reset", {}, {}).status, 200u);
  EXPECT_EQ(state_int("resources_total"), 0);
  EXPECT_EQ(state_int("tokens.issued"), 0);
  EXPECT_EQ(fhir("GET", "/Patient/" + kPatient).status, 401u);  // tokens are forgotten too
  EXPECT_EQ(send_raw(port, "GET", "/nowhere", {}, {}).status, 404u);
}

TEST_F(SimSatusehat, GarbageNeverCrashesTheSimulator) {
  demo_token = token();
  std::mt19937 rng(7);
  const std::vector<std::string> pieces = {"{",
                                           "}",
                                           "[",
                                           "]",
                                           "\"resourceType\"",
                                           ":",
                                           ",",
                                           "\"Encounter\"",
                                           "\"Bundle\"",
                                           "\"entry\"",
                                           "\"reference\"",
                                           "\"urn:uuid:x\"",
                                           "null",
                                           "1e999",
                                           "\"identifier\"",
                                           "\"\\u0000\"",
                                           "true",
                                           "\"transaction\""};
  const std::vector<std::string> paths = {"",         "/Encounter", "/Condition", "/Encounter/x",
                                          "/Patient", "/Bundle",    "/%zz",       "/Observation/../../x"};
  for (int i = 0; i < 150; ++i) {
    std::string body;
    const int n = static_cast<int>(rng() % 40);
    for (int j = 0; j < n; ++j) body += pieces[rng() % pieces.size()];
    const std::string method = (i % 3 == 0) ? "PUT" : "POST";
    Http h = fhir(method, paths[rng() % paths.size()], body);
    ASSERT_TRUE(h.answered) << body;
    EXPECT_GE(h.status, 200u);
  }
  // Deeply nested input is refused, not recursed into.
  Http deep = fhir("POST", "", std::string(5000, '[') + std::string(5000, ']'));
  EXPECT_EQ(deep.status, 400u);
  EXPECT_EQ(fhir("GET", "/Patient/" + kPatient).status, 200u);
}

}  // namespace
