// Push once, delivered everywhere: `simpul serve` with `simpul sim bpjs` and `simpul sim
// satusehat` as separate processes. A puskesmas bundle pushed once (and again) arrives once
// at P-Care (pendaftaran + kunjungan) and once at SATUSEHAT; a P-Care 412 ends dead with
// P-Care's reason; suspend holds work and resume drains it; bad bundles are refused with
// every bad element named; Tasks are per tenant.
#include <chrono>
#include <regex>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "tests/adapter/serve_fixture.hpp"

namespace {

using namespace simpul::testing::serve;

constexpr const char* kSimpusKey = "demo-pkm-simpus-key";
constexpr const char* kPkmAdminKey = "demo-pkm-admin-key";

rapidjson::Document example() {
  return json_of(read_file(std::filesystem::path(SIMPUL_SOURCE_DIR) / "docs/examples/puskesmas-encounter-bundle.json"));
}

// The example as another visit: its own identifiers (Encounter, Bundle, prescriptions...) so
// SATUSEHAT and the outbox see a new encounter, on another day so that P-Care's one
// registration per participant, day and poli holds.
std::string visit(int n, const std::string& card = {}) {
  std::string text = dump(example());
  const std::string suffix = "-V" + std::to_string(n);
  for (const char* id : {"RJ-2026-03-02-0042", "BDL-2026-03-02-0042", "RX-0042-1", "RX-0042-2", "RUJ-0042"})
    text = std::regex_replace(text, std::regex(std::string("\"") + id + "\""), std::string("\"") + id + suffix + "\"");
  char day[8];
  std::snprintf(day, sizeof day, "%02d", 1 + n % 28);
  text = std::regex_replace(text, std::regex("2026-03-0([0-9])"), std::string("2026-02-") + day);
  if (!card.empty()) text = std::regex_replace(text, std::regex("0001234567890"), card);
  return text;
}

class ServeIntakeTest : public ServeTest {
 protected:
  void start_with_sims(const std::string& outbox_extra = "") {
    prepare_dir();
    bpjs_.emplace(
        std::vector<std::string>{std::string(SIMPUL_BINARY_DIR) + "/simpul", "sim", "bpjs", "--listen", "127.0.0.1:0"},
        dir_ / "sim-bpjs.log");
    bpjs_port_ = bpjs_->wait_for_port();
    ASSERT_NE(bpjs_port_, 0) << read_file(dir_ / "sim-bpjs.log");
    satusehat_.emplace(std::vector<std::string>{std::string(SIMPUL_BINARY_DIR) + "/simpul", "sim", "satusehat",
                                                "--listen", "127.0.0.1:0"},
                       dir_ / "sim-satusehat.log");
    satusehat_port_ = satusehat_->wait_for_port();
    ASSERT_NE(satusehat_port_, 0) << read_file(dir_ / "sim-satusehat.log");
    start("", "",
          "endpoint = \"http://127.0.0.1:" + std::to_string(bpjs_port_) + "\"\n\n[outbox]\nbackoff_base_ms = 100\n"
          "backoff_max_ms = 1000\npoll_interval_ms = 100\nmax_attempts = 1000\n" + outbox_extra,
          "endpoint = \"http://127.0.0.1:" + std::to_string(satusehat_port_) + "\"\n");
  }
  void TearDown() override {
    ServeTest::TearDown();
    for (auto* sim : {&bpjs_, &satusehat_}) {
      if (!*sim) continue;
      (*sim)->signal(SIGTERM);
      (*sim)->wait_exit(std::chrono::seconds(20));
    }
  }
  rapidjson::Document bpjs_state() { return json_of(call(bpjs_port_, bhttp::verb::get, "/sim/state").body); }
  rapidjson::Document satusehat_state() {
    return json_of(call(satusehat_port_, bhttp::verb::get, "/sim/state").body);
  }
  int satusehat_count(const char* type) {
    const auto s = satusehat_state();
    return s.HasMember("counts") && s["counts"].HasMember(type) ? s["counts"][type].GetInt() : 0;
  }
  void satusehat_faults(const std::string& json) {
    const auto r = call(satusehat_port_, bhttp::verb::post, "/sim/faults", "", json, "application/json");
    ASSERT_EQ(r.status, 200u) << r.body;
  }

  Reply push(const std::string& body, const std::string& key = kSimpusKey) {
    return call(port_, bhttp::verb::post, "/fhir", key, body);
  }
  std::vector<std::string> task_ids(const Reply& r) {
    std::vector<std::string> ids;
    const auto d = json_of(r.body);
    if (!d.IsObject() || !d.HasMember("entry")) return ids;
    for (const auto& e : d["entry"].GetArray()) ids.push_back(e["resource"]["id"].GetString());
    return ids;
  }
  rapidjson::Document task(const std::string& id, const std::string& key = kSimpusKey) {
    return json_of(call(port_, bhttp::verb::get, "/fhir/Task/" + id, key).body);
  }
  // Waits (bounded) until every Task is in a final state; returns their statuses.
  std::vector<std::string> wait_final(const std::vector<std::string>& ids, std::chrono::seconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    std::vector<std::string> statuses;
    while (std::chrono::steady_clock::now() < until) {
      statuses.clear();
      bool final = true;
      for (const auto& id : ids) {
        const auto t = task(id);
        statuses.push_back(t.IsObject() && t.HasMember("status") ? t["status"].GetString() : "?");
        final = final && (statuses.back() == "completed" || statuses.back() == "failed");
      }
      if (final) return statuses;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return statuses;
  }
  static std::string output_id(const rapidjson::Value& task) {
    if (!task.HasMember("output")) return {};
    return task["output"][0]["valueIdentifier"]["value"].GetString();
  }

  std::optional<simpul::testing::Process> bpjs_;
  std::optional<simpul::testing::Process> satusehat_;
  std::uint16_t bpjs_port_ = 0;
  std::uint16_t satusehat_port_ = 0;
};

TEST_F(ServeIntakeTest, APushedVisitArrivesOnceAtPcareAndSatusehatEvenWhenPushedAgain) {
  start_with_sims();
  const std::string body = visit(1);
  const Reply first = push(body);
  ASSERT_EQ(first.status, 202u) << first.body;
  const auto ids = task_ids(first);
  ASSERT_EQ(ids.size(), 3u) << first.body;
  EXPECT_EQ(wait_final(ids, std::chrono::seconds(30)), std::vector<std::string>(ids.size(), "completed"));

  const auto pendaftaran = task(ids[0]);
  const auto kunjungan = task(ids[1]);
  EXPECT_EQ(std::string(pendaftaran["code"]["text"].GetString()), "P-Care pendaftaran");
  EXPECT_EQ(std::string(kunjungan["code"]["text"].GetString()), "P-Care kunjungan");
  const auto state = bpjs_state();
  ASSERT_EQ(state["pcare"]["pendaftaran_count"].GetInt(), 1) << dump(state["pcare"]);
  ASSERT_EQ(state["pcare"]["kunjungan_count"].GetInt(), 1) << dump(state["pcare"]);
  const auto& pd = state["pcare"]["pendaftaran"][0];
  const auto& kj = state["pcare"]["kunjungan"][0];
  EXPECT_STREQ(pd["noKartu"].GetString(), "0001234567890");
  EXPECT_STREQ(pd["kdPoli"].GetString(), "001");
  EXPECT_EQ(output_id(pendaftaran), pd["noUrut"].GetString());
  EXPECT_EQ(output_id(kunjungan), kj["noKunjungan"].GetString());
  EXPECT_STREQ(kj["kdDiag1"].GetString(), "I10");
  EXPECT_TRUE(kj["rujukLanjut"].GetBool());

  // SATUSEHAT: one transaction with the Encounter (its id is the Task's output), its three
  // Conditions, the vital signs, the prescriptions, the procedure and the referral, all
  // under the patient's and the doctor's IHS ids.
  const auto ss_task = task(ids[2]);
  EXPECT_EQ(std::string(ss_task["code"]["coding"][0]["code"].GetString()), "satusehat");
  const auto ss = satusehat_state();
  ASSERT_EQ(ss["counts"]["Encounter"].GetInt(), 1) << dump(ss["counts"]);
  EXPECT_EQ(ss["counts"]["Condition"].GetInt(), 3) << dump(ss["counts"]);
  EXPECT_GE(ss["counts"]["Observation"].GetInt(), 7) << dump(ss["counts"]);
  EXPECT_EQ(ss["counts"]["MedicationRequest"].GetInt(), 2) << dump(ss["counts"]);
  EXPECT_EQ(ss["counts"]["ServiceRequest"].GetInt(), 1) << dump(ss["counts"]);
  EXPECT_EQ(ss["transactions"].GetInt(), 1);
  bool found_encounter = false;
  for (const auto& r : ss["resources"].GetArray()) {
    const std::string type = r["type"].GetString();
    if (r.HasMember("subject") && r["subject"].IsString()) {
      EXPECT_EQ(std::string(r["subject"].GetString()), "Patient/P0001234567890") << type;
    }
    if (type != "Encounter") continue;
    found_encounter = true;
    EXPECT_EQ(output_id(ss_task), r["id"].GetString());
    EXPECT_EQ(std::string(r["identifiers"][0].GetString()),
              "http://sys-ids.kemkes.go.id/encounter/10000004|RJ-2026-02-02-0042-V1");
  }
  EXPECT_TRUE(found_encounter);

  // The same push again (a SIMPUS retry after a lost answer): the same Tasks, nothing new upstream.
  const Reply again = push(body);
  ASSERT_EQ(again.status, 202u) << again.body;
  EXPECT_EQ(std::string(again.raw["Idempotent-Replayed"]), "true");
  EXPECT_EQ(task_ids(again), ids);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto after = bpjs_state();
  EXPECT_EQ(after["pcare"]["pendaftaran_count"].GetInt(), 1);
  EXPECT_EQ(after["pcare"]["kunjungan_count"].GetInt(), 1);
  EXPECT_EQ(satusehat_count("Encounter"), 1);

  // Tasks are the tenant's own: another tenant's key does not see them.
  EXPECT_EQ(call(port_, bhttp::verb::get, "/fhir/Task/" + ids[0], kKey).status, 404u);
  EXPECT_EQ(call(port_, bhttp::verb::get, "/fhir/Task/999999", kSimpusKey).status, 404u);
}

TEST_F(ServeIntakeTest, APcare412IsDeadWithPcaresReasonAndItsKunjunganWaits) {
  start_with_sims();
  // 0001234567899 is an inactive participant: P-Care answers 412 "Peserta tidak aktif".
  const Reply r = push(visit(2, "0001234567899"));
  ASSERT_EQ(r.status, 202u) << r.body;
  const auto ids = task_ids(r);
  ASSERT_GE(ids.size(), 2u);
  const auto statuses = wait_final({ids[0]}, std::chrono::seconds(30));
  ASSERT_EQ(statuses, std::vector<std::string>{"failed"});
  const auto dead = task(ids[0]);
  const std::string reason = dead["statusReason"]["text"].GetString();
  EXPECT_NE(reason.find("412"), std::string::npos) << reason;
  EXPECT_NE(reason.find("tidak aktif"), std::string::npos) << reason;
  EXPECT_STREQ(dead["businessStatus"]["coding"][0]["code"].GetString(), "dead");
  // Its kunjungan is never sent before its pendaftaran: it waits.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_STREQ(task(ids[1])["status"].GetString(), "requested");
  EXPECT_EQ(bpjs_state()["pcare"]["kunjungan_count"].GetInt(), 0);
}

// SATUSEHAT down for a minute (every request answered 500): the visits wait, retrying with
// backoff, and are all delivered once it is back; P-Care is not held up meanwhile.
TEST_F(ServeIntakeTest, ASatusehatOutageOfAMinuteEndsWithEverythingDelivered) {
  start_with_sims();
  satusehat_faults(R"({"error_rate":1.0,"error_kind":"http_500"})");
  std::vector<std::string> ids;
  for (int i = 20; i < 25; ++i) {
    const Reply r = push(visit(i));
    ASSERT_EQ(r.status, 202u) << r.body;
    for (const auto& id : task_ids(r)) ids.push_back(id);
  }
  ASSERT_EQ(ids.size(), 15u);
  const auto outage_end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::this_thread::sleep_for(std::chrono::seconds(5));
  EXPECT_EQ(bpjs_state()["pcare"]["kunjungan_count"].GetInt(), 5) << "P-Care is not held up by SATUSEHAT";
  EXPECT_EQ(satusehat_count("Encounter"), 0);
  const auto retrying = task(ids[2]);
  EXPECT_STREQ(retrying["businessStatus"]["coding"][0]["code"].GetString(), "retrying");
  EXPECT_NE(std::string(retrying["statusReason"]["text"].GetString()).find("500"), std::string::npos);
  std::this_thread::sleep_until(outage_end);
  satusehat_faults(R"({"error_rate":0.0})");
  EXPECT_EQ(wait_final(ids, std::chrono::seconds(30)), std::vector<std::string>(ids.size(), "completed"));
  EXPECT_EQ(satusehat_count("Encounter"), 5);
  EXPECT_EQ(satusehat_count("Condition"), 15);
}

TEST_F(ServeIntakeTest, SuspendHoldsWorkAndResumeDrainsIt) {
  start_with_sims();
  const auto suspend =
      call(port_, bhttp::verb::post, "/admin/destinations/pkm-demo/pcare/suspend", kPkmAdminKey,
           R"({"reason":"PKS: transfer stopped by the data protection officer"})", "application/json");
  ASSERT_EQ(suspend.status, 200u) << suspend.body;
  const auto suspend_ss =
      call(port_, bhttp::verb::post, "/admin/destinations/pkm-demo/satusehat/suspend", kPkmAdminKey,
           R"({"reason":"PKS: transfer stopped by the data protection officer"})", "application/json");
  ASSERT_EQ(suspend_ss.status, 200u) << suspend_ss.body;
  std::vector<std::string> ids;
  for (int i = 3; i < 6; ++i) {
    const Reply r = push(visit(i));
    ASSERT_EQ(r.status, 202u) << r.body;
    for (const auto& id : task_ids(r)) ids.push_back(id);
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));
  EXPECT_EQ(bpjs_state()["pcare"]["pendaftaran_count"].GetInt(), 0) << "suspended work must wait";
  EXPECT_EQ(satusehat_count("Encounter"), 0) << "suspended work must wait";
  for (const auto& id : ids) EXPECT_NE(std::string(task(id)["status"].GetString()), "completed");
  const auto resume = call(port_, bhttp::verb::post, "/admin/destinations/pkm-demo/pcare/resume", kPkmAdminKey, "{}",
                           "application/json");
  ASSERT_EQ(resume.status, 200u) << resume.body;
  const auto resume_ss = call(port_, bhttp::verb::post, "/admin/destinations/pkm-demo/satusehat/resume",
                              kPkmAdminKey, "{}", "application/json");
  ASSERT_EQ(resume_ss.status, 200u) << resume_ss.body;
  EXPECT_EQ(wait_final(ids, std::chrono::seconds(30)), std::vector<std::string>(ids.size(), "completed"));
  const auto state = bpjs_state();
  EXPECT_EQ(state["pcare"]["pendaftaran_count"].GetInt(), 3);
  EXPECT_EQ(state["pcare"]["kunjungan_count"].GetInt(), 3);
  EXPECT_EQ(satusehat_count("Encounter"), 3);
}

TEST_F(ServeIntakeTest, BadBundlesAreRefusedNamingTheElements) {
  start_with_sims();
  // Not a Bundle, a wrong Bundle type, a visit still in progress.
  auto r = push(R"({"resourceType":"Patient"})");
  EXPECT_EQ(r.status, 400u) << r.body;
  r = push(R"({"resourceType":"Bundle","type":"searchset","entry":[]})");
  EXPECT_EQ(r.status, 400u);
  EXPECT_NE(r.body.find("Bundle.type"), std::string::npos) << r.body;
  std::string body = visit(7);
  body = std::regex_replace(body, std::regex("\"status\":\"finished\""), "\"status\":\"in-progress\"");
  r = push(body);
  ASSERT_EQ(r.status, 400u) << r.body;
  EXPECT_NE(r.body.find("P-Care: Only a finished encounter"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("Bundle.entry[0].resource.status"), std::string::npos) << r.body;
  // SATUSEHAT's own rules in the same answer: an identifier under another organization.
  body = std::regex_replace(visit(9), std::regex("kemkes.go.id/prescription/10000004"),
                            "kemkes.go.id/prescription/99999999");
  body = std::regex_replace(body, std::regex("\"status\":\"finished\""), "\"status\":\"in-progress\"");
  r = push(body);
  ASSERT_EQ(r.status, 400u) << r.body;
  EXPECT_NE(r.body.find("P-Care: "), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("SATUSEHAT: "), std::string::npos) << r.body;
  // The eligibility-only key of the hospital cannot push for the puskesmas; no key, no push.
  EXPECT_EQ(push(visit(8), "").status, 401u);
  EXPECT_EQ(bpjs_state()["pcare"]["pendaftaran_count"].GetInt(), 0);
  EXPECT_EQ(satusehat_count("Encounter"), 0);
}

}  // namespace
