// SEP lifecycle, the no-duplicate-SEP guarantee and dry runs: the real `simpul
// serve` against a separate `simpul sim bpjs` process (faults injected through
// the simulator's /sim API).
#include <future>
#include <latch>
#include <set>

#include <rapidjson/document.h>

#include "adapter/vclaim_routes.hpp"
#include "tests/adapter/serve_fixture.hpp"

namespace {

using namespace simpul::testing::serve;

std::int64_t int_at(const rapidjson::Value& root, std::initializer_list<const char*> path) {
  const rapidjson::Value* v = &root;
  for (const char* k : path) {
    if (!v->IsObject() || !v->HasMember(k)) return -1;
    v = &(*v)[k];
  }
  return v->IsInt64() ? v->GetInt64() : -1;
}

// The string at `path` ("a.b.0.c": numbers index arrays), or "".
std::string str_at(const rapidjson::Value& root, const std::string& path) {
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

  // Reference lookups show what a cache miss would ask; the cache is not consulted.
  auto poli =
      call(port_, bhttp::verb::get,
           "/fhir/ValueSet/$expand?url=https://fhir.simpul.id/ValueSet/bpjs-poli&filter=dalam&_dryRun=true", kKey);
  ASSERT_EQ(poli.status, 200u) << poli.body;
  const DryRun pd = read_dry_run(poli.body);
  ASSERT_EQ(pd.urls.size(), 1u);
  EXPECT_NE(pd.urls[0].find("/vclaim-rest/referensi/poli/dalam"), std::string::npos) << pd.urls[0];
  EXPECT_EQ(pd.trace.at("keyword").second, "filter");
  auto faskes = call(port_, bhttp::verb::get, "/fhir/Organization?name=sehat&_dryRun=true", kKey);
  ASSERT_EQ(faskes.status, 200u) << faskes.body;
  const DryRun fd = read_dry_run(faskes.body);
  ASSERT_EQ(fd.urls.size(), 2u) << "both facility levels";
  EXPECT_NE(fd.urls[0].find("/referensi/faskes/sehat/1"), std::string::npos) << fd.urls[0];
  EXPECT_NE(fd.urls[1].find("/referensi/faskes/sehat/2"), std::string::npos) << fd.urls[1];
  auto dpjp = call(port_, bhttp::verb::get, "/fhir/Practitioner?specialty=INT&date=2025-06-15&_dryRun=true", kKey);
  ASSERT_EQ(dpjp.status, 200u) << dpjp.body;
  const DryRun dd = read_dry_run(dpjp.body);
  ASSERT_EQ(dd.urls.size(), 1u);
  EXPECT_NE(dd.urls[0].find("/referensi/dokter/pelayanan/2/tglPelayanan/2025-06-15/Spesialis/INT"), std::string::npos)
      << dd.urls[0];

  // Nothing reached V-Claim: no upstream call was counted.
  auto metrics = call(port_, bhttp::verb::get, "/metrics");
  EXPECT_EQ(metrics.body.find("simpul_upstream_requests_total{"), std::string::npos) << metrics.body;

  auto bad =
      call(port_, bhttp::verb::get, "/fhir/Coverage?identifier=" + kCardSystem + "%7C0001234567890&_dryRun=ya", kKey);
  EXPECT_EQ(bad.status, 400u);
  EXPECT_NE(bad.body.find("_dryRun"), std::string::npos);

  const auto verdicts = schema_verdicts(dir_, {r.body, ruj.body, poli.body, faskes.body, dpjp.body});
  ASSERT_EQ(verdicts.size(), 5u);
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

// ------------------------------------------------------------ SEP lifecycle

namespace {

// yyyy-mm-dd in Asia/Jakarta, `days_ago` days back (the server's own rule).
std::string wib_date(int days_ago) {
  return simpul::adapter::jakarta_date(std::chrono::system_clock::now() - std::chrono::days(days_ago));
}

struct SepClaim {
  std::string identifier = "SEP-RJ-1";
  std::string card = "0001234567890";
  std::string hak_kelas = "1";
  std::string no_rujukan = "0114P0010001P000001";
  std::string diagnosis = "A09";
  std::string no_sep;  // set: an update (or a cancel)
  bool cancel = false;
  std::string catatan;
};

// An outpatient (poli INT) SEP request as docs/mappings/vclaim.md describes it.
std::string sep_claim(const SepClaim& c) {
  std::string insurance = R"({"sequence":1,"focal":true,"coverage":{"reference":"#cov"}})";
  if (!c.no_sep.empty()) insurance.insert(insurance.size() - 1, R"(,"preAuthRef":[")" + c.no_sep + "\"]");
  std::string supporting;
  if (!c.catatan.empty()) {
    supporting =
        R"(,"supportingInfo":[{"sequence":1,"category":{"coding":[{"system":)"
        R"("http://terminology.hl7.org/CodeSystem/claiminformationcategory","code":"info"}]},"valueString":")" +
        c.catatan + "\"}]";
  }
  return R"({"resourceType":"Claim","status":")" + std::string(c.cancel ? "cancelled" : "active") +
         R"(","use":"preauthorization","identifier":[{"system":"https://rs.example/claim","value":")" + c.identifier +
         R"("}],"contained":[)"
         R"({"resourceType":"Patient","id":"pat","identifier":[{"system":")" +
         kCardSystem + R"(","value":")" + c.card +
         R"("},{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR"}]},)"
         R"("value":"MR000123"}],"telecom":[{"system":"phone","value":"081200000000"}]},)"
         R"({"resourceType":"Coverage","id":"cov","status":"active","beneficiary":{"reference":"#pat"},)"
         R"("payor":[{"display":"BPJS Kesehatan"}],"class":[{"type":{"coding":[{"system":)"
         R"("http://terminology.hl7.org/CodeSystem/coverage-class","code":"class"}]},"value":")" +
         c.hak_kelas +
         R"("}]},)"
         R"({"resourceType":"Encounter","id":"enc","status":"planned","class":{"system":)"
         R"("http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},"serviceType":{"coding":[{"system":)"
         R"("https://fhir.simpul.id/CodeSystem/bpjs-poli","code":"INT"}]},"participant":[{"individual":)"
         R"({"reference":"#dpjp"}}]},)"
         R"({"resourceType":"Practitioner","id":"dpjp","identifier":[{"system":)"
         R"("https://fhir.simpul.id/sid/bpjs-kode-dpjp","value":"90001"}]},)"
         R"({"resourceType":"ServiceRequest","id":"rujukan","status":"active","intent":"order",)"
         R"("subject":{"reference":"#pat"},"extension":[{"url":)"
         R"("https://fhir.simpul.id/StructureDefinition/bpjs-asal-rujukan","valueCoding":{"system":)"
         R"("https://fhir.simpul.id/CodeSystem/bpjs-asal-rujukan","code":"1"}}],"identifier":[{"system":)"
         R"("https://fhir.simpul.id/sid/bpjs-no-rujukan","value":")" +
         c.no_rujukan + R"("}],"authoredOn":")" + wib_date(1) +
         R"(","requester":{"type":"Organization","identifier":{"system":)"
         R"("https://fhir.simpul.id/sid/bpjs-kode-faskes","value":"0114P001"}}}],)"
         R"("patient":{"reference":"#pat"},"referral":{"reference":"#rujukan"},)"
         R"("diagnosis":[{"sequence":1,"diagnosisCodeableConcept":{"coding":[{"system":)"
         R"("http://hl7.org/fhir/sid/icd-10","code":")" +
         c.diagnosis + R"("}]}}],"insurance":[)" + insurance + "]" + supporting +
         R"(,"item":[{"sequence":1,"productOrService":{"text":"SEP rawat jalan"},)"
         R"("encounter":[{"reference":"#enc"}]}],"type":{"coding":[{"system":)"
         R"("http://terminology.hl7.org/CodeSystem/claim-type","code":"professional"}]},"created":")" +
         wib_date(0) + R"(","provider":{"display":"RSUD Demo Simpul"},"priority":{"coding":[{"code":"normal"}]}})";
}

std::string pre_auth_ref(const std::string& claim_response) {
  const auto d = json_of(claim_response);
  return str_at(d, "preAuthRef");
}

// The participant's entitled class, as eligibility reports it (the simulator checks it).
std::string hak_kelas(std::uint16_t port, const std::string& card) {
  const auto r = call(port, bhttp::verb::get, "/fhir/Coverage?identifier=" + kCardSystem + "%7C" + card, kKey);
  const auto d = json_of(r.body);
  const auto& classes = d["entry"][0]["resource"]["class"];
  for (const auto& c : classes.GetArray())
    if (str_at(c, "type.coding.0.code") == "class") return c["value"].GetString();
  return {};
}

}  // namespace

TEST_F(ServeSepTest, SepCreateReadUpdateCancelAndDryRun) {
  start_with_sim();
  SepClaim claim;
  claim.hak_kelas = hak_kelas(port_, claim.card);
  ASSERT_FALSE(claim.hak_kelas.empty());
  const std::string submit = "/fhir/Claim/$submit";
  std::vector<std::string> bodies;

  // Dry run first: the exact insert, traced, and nothing sent.
  auto dry = call(port_, bhttp::verb::post, submit + "?_dryRun=true", kKey, sep_claim(claim));
  ASSERT_EQ(dry.status, 200u) << dry.body;
  bodies.push_back(dry.body);
  const DryRun d = read_dry_run(dry.body);
  ASSERT_EQ(d.urls.size(), 1u);
  EXPECT_EQ(d.methods[0], "POST");
  EXPECT_NE(d.urls[0].find("/vclaim-rest/SEP/2.0/insert"), std::string::npos);
  EXPECT_NE(d.bodies[0].find(R"("noRujukan":")" + claim.no_rujukan + "\""), std::string::npos) << d.bodies[0];
  EXPECT_NE(d.bodies[0].find(R"("ppkPelayanan":"0301R011")"), std::string::npos);
  EXPECT_EQ(d.trace.at("rujukan.noRujukan").first, claim.no_rujukan);
  EXPECT_NE(d.trace.at("rujukan.noRujukan").second.find("ServiceRequest.identifier"), std::string::npos);
  EXPECT_EQ(d.trace.at("user").first, "simrs");
  EXPECT_EQ(int_at(sim_state(), {"vclaim", "sep_created"}), 0);

  // Create.
  auto created = call(port_, bhttp::verb::post, submit, kKey, sep_claim(claim));
  ASSERT_EQ(created.status, 200u) << created.body;
  bodies.push_back(created.body);
  const std::string no_sep = pre_auth_ref(created.body);
  ASSERT_EQ(no_sep.size(), 19u) << created.body;
  EXPECT_EQ(no_sep.substr(0, 8), "0301R011");
  EXPECT_EQ(int_at(sim_state(), {"vclaim", "sep_created"}), 1);

  // A retry (same Claim.identifier) is answered from the store, not sent again.
  auto retry = call(port_, bhttp::verb::post, submit, kKey, sep_claim(claim));
  ASSERT_EQ(retry.status, 200u) << retry.body;
  EXPECT_EQ(std::string(retry.raw["Idempotent-Replayed"]), "true");
  EXPECT_EQ(pre_auth_ref(retry.body), no_sep);
  EXPECT_EQ(int_at(sim_state(), {"vclaim", "sep_created"}), 1);
  // The same identifier for another request is refused.
  SepClaim other = claim;
  other.diagnosis = "A15";
  auto reused = call(port_, bhttp::verb::post, submit, kKey, sep_claim(other));
  EXPECT_EQ(reused.status, 422u) << reused.body;
  bodies.push_back(reused.body);

  // Read.
  auto read = call(port_, bhttp::verb::get, "/fhir/ClaimResponse/" + no_sep, kKey);
  ASSERT_EQ(read.status, 200u) << read.body;
  EXPECT_EQ(pre_auth_ref(read.body), no_sep);
  bodies.push_back(read.body);

  // Update: a Claim carrying the SEP number in insurance.preAuthRef.
  SepClaim update = claim;
  update.no_sep = no_sep;
  update.catatan = "kontrol ulang";
  auto updated = call(port_, bhttp::verb::post, submit, kKey, sep_claim(update));
  ASSERT_EQ(updated.status, 200u) << updated.body;
  EXPECT_EQ(pre_auth_ref(updated.body), no_sep);
  bodies.push_back(updated.body);
  // V-Claim has the new note: the SEP read back carries it.
  auto reread = call(port_, bhttp::verb::get, "/fhir/ClaimResponse/" + no_sep, kKey);
  EXPECT_NE(reread.body.find("kontrol ulang"), std::string::npos) << reread.body;

  // Cancel, then the SEP is gone: BPJS's own code and message in a 404.
  SepClaim cancel = update;
  cancel.cancel = true;
  auto cancelled = call(port_, bhttp::verb::post, submit, kKey, sep_claim(cancel));
  ASSERT_EQ(cancelled.status, 200u) << cancelled.body;
  EXPECT_EQ(str_at(json_of(cancelled.body), "status"), "cancelled");
  bodies.push_back(cancelled.body);
  auto gone = call(port_, bhttp::verb::get, "/fhir/ClaimResponse/" + no_sep, kKey);
  EXPECT_EQ(gone.status, 404u) << gone.body;
  EXPECT_NE(gone.body.find("V-Claim 201"), std::string::npos) << gone.body;
  bodies.push_back(gone.body);
  EXPECT_EQ(int_at(sim_state(), {"vclaim", "sep_count"}), 0);

  // Client mistakes: 400 naming the element; no V-Claim call.
  auto bad_no = call(port_, bhttp::verb::get, "/fhir/ClaimResponse/123", kKey);
  EXPECT_EQ(bad_no.status, 400u);
  bodies.push_back(bad_no.body);
  auto no_card = call(port_, bhttp::verb::post, submit, kKey,
                      R"({"resourceType":"Claim","status":"active","use":"preauthorization"})");
  EXPECT_EQ(no_card.status, 400u) << no_card.body;
  bodies.push_back(no_card.body);
  // The eligibility-only role may read but not create.
  auto meta = call(port_, bhttp::verb::get, "/fhir/metadata", kKey);
  EXPECT_NE(meta.body.find("\"name\":\"submit\""), std::string::npos);

  const auto verdicts = schema_verdicts(dir_, bodies);
  ASSERT_EQ(verdicts.size(), bodies.size());
  for (std::size_t i = 0; i < verdicts.size(); ++i) EXPECT_EQ(verdicts[i], "ok") << bodies[i];
}

// ------------------------------------------------------------ no duplicate SEP

namespace {

// Fires `n` identical SEP creates at once; returns every answer.
std::vector<Reply> fire_concurrently(std::uint16_t port, const std::string& body, int n) {
  std::latch go(n);
  std::vector<std::future<Reply>> futures;
  for (int i = 0; i < n; ++i) {
    futures.push_back(std::async(std::launch::async, [&] {
      go.arrive_and_wait();
      return call(port, bhttp::verb::post, "/fhir/Claim/$submit", kKey, body);
    }));
  }
  std::vector<Reply> replies;
  for (auto& f : futures) replies.push_back(f.get());
  return replies;
}

}  // namespace

TEST_F(ServeSepTest, TwentyConcurrentIdenticalRequestsAndUnknownOutcomesMakeExactlyOneSep) {
  // Short upstream timeouts so the injected hang is quick to detect.
  start_with_sim("write_timeout_ms = 1500\nread_timeout_ms = 2000\n");
  SepClaim claim;
  claim.hak_kelas = hak_kelas(port_, claim.card);
  ASSERT_FALSE(claim.hak_kelas.empty());

  struct Phase {
    std::string name;
    std::string faults;  // /sim/faults for the phase
    std::string fault_kind;
  };
  const std::vector<Phase> phases = {
      {"no fault", "{}", ""},
      // The insert is executed, then the connection drops: the outcome is unknown to Simpul.
      {"dropped after commit",
       R"({"rules":[{"kind":"drop_after_commit","method":"POST","path":"SEP/2.0/insert","count":1}]})",
       "drop_after_commit"},
      // The insert hangs past the write timeout (and is not executed).
      {"upstream timeout",
       R"({"rules":[{"kind":"timeout","method":"POST","path":"SEP/2.0/insert","count":1,"hold_ms":2500}]})", "timeout"},
  };
  std::int64_t expected_seps = 0;
  for (std::size_t i = 0; i < phases.size(); ++i) {
    const Phase& phase = phases[i];
    SCOPED_TRACE(phase.name);
    set_faults(phase.faults);
    SepClaim c = claim;
    c.identifier = "SEP-CONCURRENT-" + std::to_string(i);
    c.no_rujukan = "0114P0010001P00010" + std::to_string(i);
    const auto replies = fire_concurrently(port_, sep_claim(c), 20);
    std::set<std::string> seps;
    int replayed = 0;
    for (const auto& r : replies) {
      EXPECT_EQ(r.status, 200u) << r.body;
      seps.insert(pre_auth_ref(r.body));
      if (r.raw["Idempotent-Replayed"] == "true") ++replayed;
    }
    EXPECT_EQ(seps.size(), 1u) << "every response carries the one SEP";
    EXPECT_EQ(seps.begin()->size(), 19u);
    EXPECT_EQ(replayed, 19) << "one request did the work, the others got its answer";
    const auto state = sim_state();
    EXPECT_EQ(int_at(state, {"vclaim", "sep_created"}), ++expected_seps) << "exactly one SEP in the simulator";
    if (!phase.fault_kind.empty()) {
      EXPECT_EQ(int_at(state, {"faults_injected", phase.fault_kind.c_str()}), 1) << "the fault did fire";
    }
    // A later retry of the same request still gets the same SEP, without a new one.
    auto later = call(port_, bhttp::verb::post, "/fhir/Claim/$submit", kKey, sep_claim(c));
    EXPECT_EQ(pre_auth_ref(later.body), *seps.begin());
  }
  EXPECT_EQ(int_at(sim_state(), {"vclaim", "sep_created"}), expected_seps);
}

// The example in docs/examples (README, demo tour) stays a valid R4 Claim that makes an SEP.
TEST_F(ServeTest, TheDocumentedSepExampleMakesAnSep) {
  start();
  std::string claim = read_file(std::filesystem::path(SIMPUL_SOURCE_DIR) / "docs/examples/sep-rawat-jalan.json");
  ASSERT_FALSE(claim.empty());
  claim =
      std::regex_replace(claim, std::regex(R"("authoredOn": "[0-9-]+")"), "\"authoredOn\": \"" + wib_date(0) + "\"");
  auto r = call(port_, bhttp::verb::post, "/fhir/Claim/$submit", kKey, claim);
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(pre_auth_ref(r.body).size(), 19u) << r.body;
  const auto verdicts = schema_verdicts(dir_, {claim, r.body});
  ASSERT_EQ(verdicts.size(), 2u);
  EXPECT_EQ(verdicts[0], "ok") << "the example Claim";
  EXPECT_EQ(verdicts[1], "ok");
}

// The lookups of issue 4 once more, against `simpul sim bpjs` as a separate process (the
// other serve tests use the simulator `serve` starts in-process for the demo).
TEST_F(ServeSepTest, EligibilityReferralsAndReferenceListsAgainstSimpulSimBpjs) {
  start_with_sim();
  const std::string check = "/fhir/CoverageEligibilityRequest/$check";
  std::vector<std::string> bodies;
  auto active = call(port_, bhttp::verb::post, check, kKey, eligibility_request(kCardSystem, "0001234567890"));
  ASSERT_EQ(active.status, 200u) << active.body;
  EXPECT_NE(active.body.find("\"inforce\":true"), std::string::npos);
  auto inactive = call(port_, bhttp::verb::post, check, kKey, eligibility_request(kCardSystem, "0001234567899"));
  ASSERT_EQ(inactive.status, 200u) << inactive.body;
  EXPECT_NE(inactive.body.find("\"inforce\":false"), std::string::npos);
  auto unknown = call(port_, bhttp::verb::post, check, kKey, eligibility_request(kCardSystem, "0000000000001"));
  EXPECT_EQ(unknown.status, 404u) << unknown.body;
  auto nik = call(port_, bhttp::verb::post, check, kKey, eligibility_request(kNikSystem, "9903951739517307"));
  ASSERT_EQ(nik.status, 200u) << nik.body;
  auto referrals = call(port_, bhttp::verb::get,
                        "/fhir/ServiceRequest?patient.identifier=" + kCardSystem + "%7C0001234567890", kKey);
  ASSERT_EQ(referrals.status, 200u) << referrals.body;
  EXPECT_NE(referrals.body.find("\"resourceType\":\"ServiceRequest\""), std::string::npos);
  for (const std::string target :
       {"/fhir/ValueSet/$expand?url=https://fhir.simpul.id/ValueSet/bpjs-poli&filter=dalam",
        "/fhir/ValueSet/$expand?url=https://fhir.simpul.id/ValueSet/bpjs-diagnosa&filter=A09",
        "/fhir/ValueSet/$expand?url=https://fhir.simpul.id/ValueSet/bpjs-propinsi", "/fhir/Organization?name=sehat",
        "/fhir/Practitioner?specialty=INT"}) {
    auto r = call(port_, bhttp::verb::get, target, kKey);
    EXPECT_EQ(r.status, 200u) << target << ": " << r.body;
    bodies.push_back(r.body);
  }
  for (const auto* r : {&active, &inactive, &unknown, &nik, &referrals}) bodies.push_back(r->body);
  const auto verdicts = schema_verdicts(dir_, bodies);
  ASSERT_EQ(verdicts.size(), bodies.size());
  for (std::size_t i = 0; i < verdicts.size(); ++i) EXPECT_EQ(verdicts[i], "ok") << bodies[i];
  // Every call went to the separate simulator process.
  EXPECT_GE(int_at(sim_state(), {"requests", "total"}), 10);
}
