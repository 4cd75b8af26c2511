// SEP lifecycle, the no-duplicate-SEP guarantee and dry runs: the real `simpul
// serve` against a separate `simpul sim bpjs` process (faults injected through
// the simulator's /sim API).
#include <future>
#include <latch>
#include <set>

#include <rapidjson/document.h>

#include "tests/adapter/serve_fixture.hpp"

namespace {

using namespace simpul::testing::serve;

rapidjson::Document json_of(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  return d;
}

[[maybe_unused]] std::int64_t int_at(const rapidjson::Value& root, std::initializer_list<const char*> path) {
  const rapidjson::Value* v = &root;
  for (const char* k : path) {
    if (!v->IsObject() || !v->HasMember(k)) return -1;
    v = &(*v)[k];
  }
  return v->IsInt64() ? v->GetInt64() : -1;
}

// The string at `path` ("a.b.0.c": numbers index arrays), or "".
[[maybe_unused]] std::string str_at(const rapidjson::Value& root, const std::string& path) {
  const rapidjson::Value* v = &root;
  std::istringstream parts(path);
  for (std::string k; std::getline(parts, k, '.');) {
    if (!k.empty() && std::isdigit(static_cast<unsigned char>(k[0]))) {
      const auto i = static_cast<rapidjson::SizeType>(std::stoul(k));
      if (!v->IsArray() || i >= v->Size()) return {};
      v = &(*v)[i];
    } else {
      if (!v->IsObject() || !v->HasMember(k.c_str())) return {};
      v = &(*v)[k.c_str()];
    }
  }
  return v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : std::string();
}

// The Parameters of a dry run as {name -> values} of its request headers and trace fields.
struct DryRun {
  std::vector<std::string> urls;
  std::vector<std::string> methods;
  std::vector<std::string> headers;
  std::vector<std::string> bodies;
  std::map<std::string, std::pair<std::string, std::string>> trace;  // field -> (value, source)
};

DryRun read_dry_run(const std::string& body) {
  DryRun out;
  const auto d = json_of(body);
  if (!d.IsObject() || !d.HasMember("parameter") || !d["parameter"].IsArray()) return out;
  for (const auto& p : d["parameter"].GetArray()) {
    const std::string name = p["name"].GetString();
    if (!p.HasMember("part")) continue;
    std::map<std::string, std::string> parts;
    for (const auto& part : p["part"].GetArray()) {
      std::string value;
      for (const char* k : {"valueString", "valueUri", "valueCode"})
        if (part.HasMember(k)) value = part[k].GetString();
      const std::string pname = part["name"].GetString();
      if (name == "request" && pname == "header") out.headers.push_back(value);
      parts[pname] = value;
    }
    if (name == "request") {
      out.urls.push_back(parts["url"]);
      out.methods.push_back(parts["method"]);
      out.bodies.push_back(parts["body"]);
    } else if (name == "trace") {
      out.trace[parts["field"]] = {parts["value"], parts["source"]};
    }
  }
  return out;
}

// `simpul sim bpjs` on a loopback port, and `simpul serve` pointed at it.
class ServeSepTest : public ServeTest {
 protected:
  void start_with_sim(const std::string& bpjs_extra = "") {
    prepare_dir();
    sim_.emplace(
        std::vector<std::string>{std::string(SIMPUL_BINARY_DIR) + "/simpul", "sim", "bpjs", "--listen", "127.0.0.1:0"},
        dir_ / "sim.log");
    sim_port_ = sim_->wait_for_port();
    ASSERT_NE(sim_port_, 0) << read_file(dir_ / "sim.log");
    start("", "", "endpoint = \"http://127.0.0.1:" + std::to_string(sim_port_) + "\"\n" + bpjs_extra);
  }
  void TearDown() override {
    ServeTest::TearDown();
    if (sim_) {
      sim_->signal(SIGTERM);
      sim_->wait_exit(std::chrono::seconds(20));
    }
  }
  rapidjson::Document sim_state() { return json_of(call(sim_port_, bhttp::verb::get, "/sim/state").body); }
  void set_faults(const std::string& json) {
    auto r = call(sim_port_, bhttp::verb::post, "/sim/faults", "", json, "application/json");
    ASSERT_EQ(r.status, 200u) << r.body;
  }
  std::optional<simpul::testing::Process> sim_;
  std::uint16_t sim_port_ = 0;
};

}  // namespace

// ------------------------------------------------------------ dry run

TEST_F(ServeTest, DryRunShowsTheExactV_ClaimRequestWithoutSendingIt) {
  start();
  const std::string check = "/fhir/CoverageEligibilityRequest/$check?_dryRun=true";
  auto r = call(port_, bhttp::verb::post, check, kKey, eligibility_request(kCardSystem, "0001234567890"));
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_NE(r.body.find("\"resourceType\":\"Parameters\""), std::string::npos);
  const DryRun d = read_dry_run(r.body);
  ASSERT_EQ(d.urls.size(), 1u) << r.body;
  EXPECT_EQ(d.methods[0], "GET");
  EXPECT_NE(d.urls[0].find("/vclaim-rest/Peserta/nokartu/0001234567890/tglSEP/2025-06-15"), std::string::npos);
  // Secrets redacted, the rest as sent.
  std::set<std::string> headers(d.headers.begin(), d.headers.end());
  EXPECT_TRUE(headers.count("X-cons-id: <redacted>")) << r.body;
  EXPECT_TRUE(headers.count("X-signature: <redacted>"));
  EXPECT_TRUE(headers.count("user_key: <redacted>"));
  EXPECT_EQ(r.body.find("demo-user-key"), std::string::npos);
  EXPECT_EQ(r.body.find("\"1234\""), std::string::npos);
  // Each value says which FHIR element it came from.
  EXPECT_EQ(d.trace.at("noKartu").first, "0001234567890");
  EXPECT_EQ(d.trace.at("noKartu").second, "CoverageEligibilityRequest.patient.identifier");
  EXPECT_EQ(d.trace.at("tglSEP").first, "2025-06-15");
  EXPECT_EQ(d.trace.at("tglSEP").second, "CoverageEligibilityRequest.servicedDate");

  // The referral search shows both lookups in the order they would be made.
  auto ruj = call(port_, bhttp::verb::get,
                  "/fhir/ServiceRequest?patient.identifier=" + kCardSystem + "%7C0001234567890&_dryRun=true", kKey);
  ASSERT_EQ(ruj.status, 200u) << ruj.body;
  const DryRun rd = read_dry_run(ruj.body);
  ASSERT_EQ(rd.urls.size(), 2u);
  EXPECT_NE(rd.urls[0].find("/Rujukan/List/Peserta/0001234567890"), std::string::npos);
  EXPECT_NE(rd.urls[1].find("/Rujukan/RS/List/Peserta/0001234567890"), std::string::npos);

  // Nothing reached V-Claim: no upstream call was counted.
  auto metrics = call(port_, bhttp::verb::get, "/metrics");
  EXPECT_EQ(metrics.body.find("simpul_upstream_requests_total{"), std::string::npos) << metrics.body;

  auto bad =
      call(port_, bhttp::verb::get, "/fhir/Coverage?identifier=" + kCardSystem + "%7C0001234567890&_dryRun=ya", kKey);
  EXPECT_EQ(bad.status, 400u);
  EXPECT_NE(bad.body.find("_dryRun"), std::string::npos);

  const auto verdicts = schema_verdicts(dir_, {r.body, ruj.body});
  ASSERT_EQ(verdicts.size(), 2u);
  for (const auto& v : verdicts) EXPECT_EQ(v, "ok");
}

// ------------------------------------------------------------ every error class, end to end

TEST_F(ServeSepTest, EveryBpjsErrorClassBecomesTheRightOperationOutcome) {
  start_with_sim("read_timeout_ms = 800\n");
  const std::string check = "/fhir/CoverageEligibilityRequest/$check";
  const std::string body = eligibility_request(kCardSystem, "0001234567890");
  auto ok = call(port_, bhttp::verb::post, check, kKey, body);
  ASSERT_EQ(ok.status, 200u) << ok.body;

  struct Case {
    std::string name;
    std::string rule;  // one /sim/faults rule for the peserta lookup
    unsigned status;
    std::string says;  // in the OperationOutcome
    bool retry_after;
  };
  const std::vector<Case> cases = {
      {"business not found", R"({"kind":"metadata_error","code":"201","message":"Data peserta tidak ditemukan"})", 404,
       "V-Claim 201: Data peserta tidak ditemukan", false},
      {"business exists", R"({"kind":"metadata_error","code":"201","message":"Data sudah ada"})", 409,
       "V-Claim 201: Data sudah ada", false},
      {"business other", R"({"kind":"metadata_error","code":"201","message":"Tanggal tidak valid"})", 422,
       "V-Claim 201: Tanggal tidak valid", false},
      {"auth", R"({"kind":"metadata_error","code":"401","message":"Unauthorized","http_status":401})", 502, "", false},
      {"gateway error page", R"({"kind":"http_500"})", 502, "", false},
      {"upstream unavailable", R"({"kind":"http_500","http_status":503})", 503, "", true},
      {"garbled answer", R"({"kind":"garbled"})", 502, "", false},
      {"timeout", R"({"kind":"timeout","hold_ms":3000})", 504, "", true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::string rule = c.rule;
    rule.insert(rule.size() - 1, R"(,"path":"Peserta/")");
    set_faults(R"({"rules":[)" + rule + "]}");
    auto r = call(port_, bhttp::verb::post, check, kKey, body);
    EXPECT_EQ(r.status, c.status) << r.body;
    EXPECT_NE(r.body.find("\"resourceType\":\"OperationOutcome\""), std::string::npos) << r.body;
    if (!c.says.empty()) {
      EXPECT_NE(r.body.find(c.says), std::string::npos) << r.body;
    }
    EXPECT_EQ(r.raw.find(bhttp::field::retry_after) != r.raw.end(), c.retry_after) << r.body;
    // Never a secret in what the client sees.
    EXPECT_EQ(r.body.find("demo-user-key"), std::string::npos);
    EXPECT_EQ(r.body.find("pwd"), std::string::npos);
  }

  // BPJS unreachable: 503 with Retry-After.
  set_faults("{}");
  sim_->signal(SIGTERM);
  sim_->wait_exit(std::chrono::seconds(20));
  auto down = call(port_, bhttp::verb::post, check, kKey, body);
  EXPECT_EQ(down.status, 503u) << down.body;
  EXPECT_NE(down.raw.find(bhttp::field::retry_after), down.raw.end());
}
