// Registry role end to end: a registry-role `simpul serve` and a facility `simpul serve`.
// The facility's MeasureReports go through its outbox (OAuth2 client credentials + FHIR)
// to the registry, which stores every version and aggregates the latest per facility by
// area with exact scores; a second facility posts directly. Wrong tokens are 401, posting
// for another facility 403, a registry outage ends delivered exactly once, and every
// MeasureReport (pushed and aggregate) validates against the FHIR R4 JSON schema.
#include <chrono>
#include <regex>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "adapter/registry_routes.hpp"
#include "tests/adapter/serve_fixture.hpp"

namespace {

// A query parameter value, percent-encoded (RFC 3986 unreserved characters kept).
std::string url_encoded(const std::string& text) {
  std::string encoded;
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_') {
      encoded += c;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "%%%02X", static_cast<unsigned char>(c));
      encoded += buf;
    }
  }
  return encoded;
}

using namespace simpul::testing::serve;

constexpr const char* kSimpusKey = "demo-pkm-simpus-key";
constexpr const char* kRegistryAdminKey = "demo-registry-admin-key";
const std::string kMeasure = "https://fhir.simpul.id/Measure/spm-08-hipertensi";

const bool kRegistrySecrets = [] {
  ::setenv("SIMPUL_TEST_REGISTRY_SECRET_A", "secret-pkm-a", 1);
  ::setenv("SIMPUL_TEST_REGISTRY_SECRET_B", "secret-pkm-b", 1);
  ::setenv("SIMPUL_TEST_REGISTRY_SECRET_C", "secret-pkm-c", 1);
  return true;
}();

std::string report(const std::string& reporter, long numerator, long denominator,
                   const std::string& start = "2026-01-01", const std::string& end = "2026-03-31") {
  std::string r = R"({"resourceType":"MeasureReport","status":"complete","type":"summary","measure":")" + kMeasure +
                  R"(","date":"2026-04-05T08:00:00+07:00","period":{"start":")" + start + R"(","end":")" + end + R"("},)";
  if (!reporter.empty()) r += R"("reporter":{"reference":"Organization/)" + reporter + R"("},)";
  r += R"("group":[{"code":{"coding":[{"system":"https://fhir.simpul.id/CodeSystem/spm","code":"SPM-08"}],)"
       R"("text":"Pelayanan kesehatan penderita hipertensi sesuai standar"},"population":[)"
       R"({"code":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/measure-population","code":"denominator"}]},"count":)" +
       std::to_string(denominator) +
       R"(},{"code":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/measure-population","code":"numerator"}]},"count":)" +
       std::to_string(numerator) +
       R"(}],"measureScore":{"value":25.0,"unit":"%","system":"http://unitsofmeasure.org","code":"%"}}]})";
  return r;
}

std::string rewrite(std::string text, const std::string& pattern, const std::string& replacement) {
  return std::regex_replace(text, std::regex(pattern), replacement, std::regex_constants::format_first_only);
}

class ServeRegistryTest : public ServeTest {
 protected:
  // The registry: the demo config's registry tenant with three reporters (two in district
  // 3273, one in 3201, all in province 32).
  void start_registry(std::uint16_t port = 0) {
    prepare_dir();
    const auto dir = dir_ / "registry";
    std::filesystem::create_directories(dir);
    auto cfg = write_config(dir, "", "127.0.0.1:" + std::to_string(port));
    std::string text = read_file(cfg);
    text += R"(
[[tenants.reporters]]
client_id = "pkm-a-client"
client_secret = "env:SIMPUL_TEST_REGISTRY_SECRET_A"
facility = "10000004"
area = "3273"
name = "Puskesmas A"

[[tenants.reporters]]
client_id = "pkm-b-client"
client_secret = "env:SIMPUL_TEST_REGISTRY_SECRET_B"
facility = "10000099"
area = "3273"
name = "Puskesmas B"

[[tenants.reporters]]
client_id = "pkm-c-client"
client_secret = "env:SIMPUL_TEST_REGISTRY_SECRET_C"
facility = "20000001"
area = "3201"
name = "Puskesmas C"
)";
    std::ofstream(cfg) << text;
    registry_.emplace(
        std::vector<std::string>{std::string(SIMPUL_BINARY_DIR) + "/simpul", "serve", "--config", cfg.string()},
        dir / "stderr.log");
    registry_port_ = registry_->wait_for_port();
    ASSERT_NE(registry_port_, 0) << read_file(dir / "stderr.log");
  }
  void stop_registry() {
    registry_->signal(SIGTERM);
    registry_->wait_exit(std::chrono::seconds(20));
    registry_.reset();
  }
  // The facility: the demo puskesmas reporting to the registry as facility 10000004.
  void start_facility() {
    prepare_dir();
    auto cfg = write_config(dir_, "");
    std::string text = read_file(cfg);
    text = rewrite(text, "\\[\\[tenants\\]\\]",
                   "[registry]\nendpoint = \"http://127.0.0.1:" + std::to_string(registry_port_) +
                       "\"\nwrite_timeout_ms = 5000\n\n[outbox]\nbackoff_base_ms = 100\nbackoff_max_ms = 500\n"
                       "poll_interval_ms = 100\nmax_attempts = 1000\n\n[[tenants]]");
    text = rewrite(text, "satusehat_location_name = \"Poli Umum\"\n",
                   "satusehat_location_name = \"Poli Umum\"\ndestinations = [\"pcare\", \"satusehat\", \"registry\"]\n");
    text = rewrite(text, "satusehat_client_secret = \"env:SIMPUL_DEMO_SATUSEHAT_CLIENT_SECRET\"\n",
                   "satusehat_client_secret = \"env:SIMPUL_DEMO_SATUSEHAT_CLIENT_SECRET\"\n"
                   "registry_client_id = \"env:SIMPUL_TEST_REGISTRY_ID_A\"\n"
                   "registry_client_secret = \"env:SIMPUL_TEST_REGISTRY_SECRET_A\"\n");
    ::setenv("SIMPUL_TEST_REGISTRY_ID_A", "pkm-a-client", 1);
    std::ofstream(cfg) << text;
    server_.emplace(
        std::vector<std::string>{std::string(SIMPUL_BINARY_DIR) + "/simpul", "serve", "--config", cfg.string()},
        dir_ / "stderr.log");
    port_ = server_->wait_for_port();
    ASSERT_NE(port_, 0) << read_file(dir_ / "stderr.log");
  }
  void TearDown() override {
    if (registry_) {
      registry_->signal(SIGTERM);
      registry_->wait_exit(std::chrono::seconds(20));
      if (HasFailure()) std::cerr << "--- registry stderr ---\n" << read_file(dir_ / "registry" / "stderr.log");
    }
    ServeTest::TearDown();
  }

  std::string token(const std::string& client_id, const std::string& secret) {
    const Reply r = call(registry_port_, bhttp::verb::post, "/registry/oauth2/v1/accesstoken?grant_type=client_credentials",
                         "", "client_id=" + client_id + "&client_secret=" + secret,
                         "application/x-www-form-urlencoded");
    EXPECT_EQ(r.status, 200u) << r.body;
    const auto d = json_of(r.body);
    return d.IsObject() && d.HasMember("access_token") ? d["access_token"].GetString() : "";
  }
  rapidjson::Document task(const std::string& id) {
    return json_of(call(port_, bhttp::verb::get, "/fhir/Task/" + id, kSimpusKey).body);
  }
  std::string wait_final(const std::string& id, std::chrono::seconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    std::string status = "?";
    while (std::chrono::steady_clock::now() < until) {
      const auto t = task(id);
      status = t.IsObject() && t.HasMember("status") ? t["status"].GetString() : "?";
      if (status == "completed" || status == "failed") return status;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return status;
  }
  Reply aggregate(const std::string& area, const std::string& key = kRegistryAdminKey) {
    return call(registry_port_, bhttp::verb::get,
                "/registry/aggregate?measure=" + kMeasure + "&period-start=2026-01-01&period-end=2026-03-31&area=" + area,
                key);
  }
  static std::string count_of(const rapidjson::Value& populations, const std::string& code) {
    for (const auto& p : populations.GetArray())
      if (p["code"]["coding"][0]["code"].GetString() == code) return std::to_string(p["count"].GetInt64());
    return "none";
  }

  std::optional<simpul::testing::Process> registry_;
  std::uint16_t registry_port_ = 0;
};

TEST(RegistryArithmetic, ExactRatioRoundsHalfUpInIntegers) {
  using simpul::adapter::exact_ratio;
  EXPECT_EQ(exact_ratio(1, 8, 1, 2), "0.13");        // 0.125: half up
  EXPECT_EQ(exact_ratio(1, 8, 1, 3), "0.125");
  EXPECT_EQ(exact_ratio(2, 3, 1, 4), "0.6667");
  EXPECT_EQ(exact_ratio(40, 149, 100, 4), "26.8456");  // 26.845637...
  EXPECT_EQ(exact_ratio(0, 7, 100, 4), "0.0000");
  EXPECT_EQ(exact_ratio(7, 7, 100, 4), "100.0000");
  EXPECT_EQ(exact_ratio(145, 1000, 1000, 0), "145");
  EXPECT_EQ(exact_ratio(9'000'000'000'000'000'000LL, 3, 1000, 4), "3000000000000000000000.0000");
}

TEST_F(ServeRegistryTest, MeasureReportsGoThroughTheOutboxAndAggregateExactlyByArea) {
  start_registry();
  start_facility();

  // Facility A through its outbox: 27 of 108.
  const Reply pushed = call(port_, bhttp::verb::post, "/fhir/MeasureReport", kSimpusKey, report("", 27, 108));
  ASSERT_EQ(pushed.status, 202u) << pushed.body;
  const auto t = json_of(pushed.body);
  ASSERT_STREQ(t["resourceType"].GetString(), "Task");
  const std::string task_id = t["id"].GetString();
  EXPECT_STREQ(t["focus"]["type"].GetString(), "MeasureReport");
  EXPECT_EQ(wait_final(task_id, std::chrono::seconds(30)), "completed");
  const auto done = task(task_id);
  ASSERT_TRUE(done.HasMember("output")) << dump(done);
  const std::string upstream_id = done["output"][0]["valueIdentifier"]["value"].GetString();
  // The same report again is the same item: nothing is sent twice.
  const Reply again = call(port_, bhttp::verb::post, "/fhir/MeasureReport", kSimpusKey, report("", 27, 108));
  ASSERT_EQ(again.status, 202u) << again.body;
  EXPECT_EQ(std::string(json_of(again.body)["id"].GetString()), task_id);
  EXPECT_EQ(std::string(again.raw["Idempotent-Replayed"]), "true");

  // What the registry holds for A, found by the identifier the facility stamped.
  const std::string a_token = token("pkm-a-client", "secret-pkm-a");
  const std::string identifier = std::string(done["focus"]["identifier"]["system"].GetString()) + "|" +
                                 done["focus"]["identifier"]["value"].GetString();
  const std::string encoded = url_encoded(identifier);
  const Reply found = call(registry_port_, bhttp::verb::get, "/registry/fhir/MeasureReport?identifier=" + encoded, a_token);
  ASSERT_EQ(found.status, 200u) << found.body;
  const auto bundle = json_of(found.body);
  ASSERT_EQ(bundle["entry"].Size(), 1u) << found.body;
  const auto& stored = bundle["entry"][0]["resource"];
  EXPECT_EQ(std::string(stored["id"].GetString()), upstream_id);
  EXPECT_STREQ(stored["reporter"]["reference"].GetString(), "Organization/10000004");
  // The same submission sent again (a facility that lost the answer) is answered with the stored one.
  const Reply resent = call(registry_port_, bhttp::verb::post, "/registry/fhir/MeasureReport", a_token, dump(stored));
  EXPECT_EQ(resent.status, 200u) << resent.body;
  EXPECT_EQ(std::string(resent.raw["Idempotent-Replayed"]), "true");
  EXPECT_EQ(std::string(json_of(resent.body)["id"].GetString()), upstream_id);

  // B and C post directly; a wrong token is 401, posting for another facility 403.
  const std::string b_token = token("pkm-b-client", "secret-pkm-b");
  const std::string c_token = token("pkm-c-client", "secret-pkm-c");
  EXPECT_EQ(call(registry_port_, bhttp::verb::post, "/registry/fhir/MeasureReport", b_token, report("10000099", 13, 41)).status,
            201u);
  EXPECT_EQ(call(registry_port_, bhttp::verb::post, "/registry/fhir/MeasureReport", c_token, report("20000001", 5, 5)).status,
            201u);
  EXPECT_EQ(call(registry_port_, bhttp::verb::post, "/registry/fhir/MeasureReport", "not-a-token", report("10000099", 1, 2)).status,
            401u);
  EXPECT_EQ(call(registry_port_, bhttp::verb::post, "/registry/oauth2/v1/accesstoken?grant_type=client_credentials", "",
                 "client_id=pkm-b-client&client_secret=wrong", "application/x-www-form-urlencoded")
                .status,
            401u);
  const Reply forged = call(registry_port_, bhttp::verb::post, "/registry/fhir/MeasureReport", b_token, report("10000004", 1, 2));
  EXPECT_EQ(forged.status, 403u) << forged.body;
  // Personal data is refused: a report about a patient.
  std::string personal = report("10000099", 1, 2);
  personal = rewrite(personal, "\"type\":\"summary\"", "\"type\":\"individual\",\"subject\":{\"reference\":\"Patient/P1\"}");
  EXPECT_EQ(call(registry_port_, bhttp::verb::post, "/registry/fhir/MeasureReport", b_token, personal).status, 400u);

  // District 3273: A and B. 40 of 149 = 26.845637...% -> 26.8456.
  Reply district = aggregate("3273");
  ASSERT_EQ(district.status, 200u) << district.body;
  EXPECT_NE(district.body.find("\"value\":26.8456,"), std::string::npos) << district.body;
  auto agg = json_of(district.body);
  ASSERT_TRUE(agg.IsObject()) << district.body;
  EXPECT_STREQ(agg["type"].GetString(), "summary");
  EXPECT_EQ(count_of(agg["group"][0]["population"], "numerator"), "40");
  EXPECT_EQ(count_of(agg["group"][0]["population"], "denominator"), "149");
  const auto& strata = agg["group"][0]["stratifier"][0]["stratum"];
  ASSERT_EQ(strata.Size(), 2u);
  EXPECT_STREQ(strata[0]["value"]["coding"][0]["code"].GetString(), "10000004");
  EXPECT_EQ(count_of(strata[0]["population"], "numerator"), "27");
  EXPECT_EQ(count_of(strata[1]["population"], "denominator"), "41");
  // Province 32: A, B and C. 45 of 154 = 29.220779...% -> 29.2208.
  const Reply province = aggregate("32");
  ASSERT_EQ(province.status, 200u) << province.body;
  EXPECT_NE(province.body.find("\"value\":29.2208,"), std::string::npos) << province.body;
  EXPECT_EQ(count_of(json_of(province.body)["group"][0]["population"], "numerator"), "45");
  // A facility's key cannot read aggregates.
  EXPECT_EQ(aggregate("32", kSimpusKey).status, 403u);

  // A corrected report from A is a new version; the latest counts: 30 + 13 of 149 -> 28.8591.
  const Reply corrected = call(port_, bhttp::verb::post, "/fhir/MeasureReport", kSimpusKey, report("", 30, 108));
  ASSERT_EQ(corrected.status, 202u) << corrected.body;
  const std::string corrected_id = json_of(corrected.body)["id"].GetString();
  EXPECT_NE(corrected_id, task_id);
  EXPECT_EQ(wait_final(corrected_id, std::chrono::seconds(30)), "completed");
  district = aggregate("3273");
  EXPECT_NE(district.body.find("\"value\":28.8591,"), std::string::npos) << district.body;
  agg = json_of(district.body);
  EXPECT_EQ(count_of(agg["group"][0]["population"], "numerator"), "43");

  // Every MeasureReport is FHIR R4: what the facility pushed (as stored), the search
  // Bundle and the aggregates.
  const auto verdicts = schema_verdicts(dir_, {dump(stored), found.body, district.body, province.body});
  ASSERT_EQ(verdicts.size(), 4u);
  for (const auto& v : verdicts) EXPECT_EQ(v, "ok");
}

TEST_F(ServeRegistryTest, ARegistryOutageEndsDeliveredExactlyOnce) {
  start_registry();
  const std::uint16_t port = registry_port_;
  stop_registry();
  start_facility();  // points at the stopped registry's port

  const Reply pushed = call(port_, bhttp::verb::post, "/fhir/MeasureReport", kSimpusKey, report("", 27, 108));
  ASSERT_EQ(pushed.status, 202u) << pushed.body;
  const std::string task_id = json_of(pushed.body)["id"].GetString();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const auto waiting = task(task_id);
  EXPECT_STREQ(waiting["status"].GetString(), "in-progress") << dump(waiting);
  EXPECT_GE(waiting["extension"][0]["valueInteger"].GetInt(), 1) << dump(waiting);

  start_registry(port);
  ASSERT_EQ(registry_port_, port);
  EXPECT_EQ(wait_final(task_id, std::chrono::seconds(30)), "completed");
  // Exactly once at the registry: one report from A for the period.
  const Reply district = aggregate("3273");
  ASSERT_EQ(district.status, 200u) << district.body;
  const auto agg = json_of(district.body);
  ASSERT_EQ(agg["group"][0]["stratifier"][0]["stratum"].Size(), 1u) << district.body;
  EXPECT_EQ(count_of(agg["group"][0]["population"], "numerator"), "27");
  const std::string a_token = token("pkm-a-client", "secret-pkm-a");
  const auto done = task(task_id);
  const std::string value = done["focus"]["identifier"]["value"].GetString();
  const std::string encoded = url_encoded("https://fhir.simpul.id/sid/measure-report|" + value);
  const Reply found = call(registry_port_, bhttp::verb::get, "/registry/fhir/MeasureReport?identifier=" + encoded, a_token);
  ASSERT_EQ(found.status, 200u) << found.body;
  EXPECT_EQ(json_of(found.body)["entry"].Size(), 1u) << found.body;
}

}  // namespace
