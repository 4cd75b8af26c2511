// V-Claim reference data (referensi) as FHIR through the real `simpul serve` and its
// built-in BPJS simulator: every list, the cache in the store (no second BPJS call),
// BPJS outages (fault injection on the simulator's /sim API), bad parameters, and the
// FHIR R4 JSON schema for every answer.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "tests/adapter/process.hpp"
#include "tests/adapter/serve_fixture.hpp"

namespace {

using namespace simpul::testing::serve;

const std::string kExpand = "/fhir/ValueSet/$expand?url=https://fhir.simpul.id/ValueSet/";
const std::string kFaskesSystem = "https://fhir.simpul.id/sid/bpjs-kode-faskes";
const std::string kPkmKey = "demo-pkm-simpus-key";

class ServeReference : public ServeTest {
 protected:
  // Starts the server with the demo config plus `bpjs_extra` lines in [bpjs].
  void start_with(const std::string& bpjs_extra = "") {
    prepare_dir();
    auto cfg = write_config(dir_, "");
    std::string text = read_file(cfg);
    text = std::regex_replace(text, std::regex("\\[bpjs\\]\n"), "[bpjs]\n" + bpjs_extra + "\n");
    std::ofstream(cfg) << text;
    server_.emplace(
        std::vector<std::string>{std::string(SIMPUL_BINARY_DIR) + "/simpul", "serve", "--config", cfg.string()},
        dir_ / "stderr.log");
    port_ = server_->wait_for_port();
    ASSERT_NE(port_, 0) << "server did not start; stderr:\n" << read_file(dir_ / "stderr.log");
  }

  // The in-process simulator's port, from the serve log line "bpjs simulator".
  std::uint16_t sim_port() {
    const std::string log = read_file(dir_ / "stderr.log");
    std::smatch m;
    if (!std::regex_search(log, m, std::regex("\"msg\":\"bpjs simulator\"[^\n]*\"port\":([0-9]+)"))) return 0;
    return static_cast<std::uint16_t>(std::stoi(m[1]));
  }

  void set_faults(const std::string& json) {
    const std::uint16_t sim = sim_port();
    ASSERT_NE(sim, 0) << read_file(dir_ / "stderr.log");
    auto r = call(sim, bhttp::verb::post, "/sim/faults", "", json, "application/json");
    ASSERT_EQ(r.status, 200u) << r.body;
  }

  Reply get(const std::string& target, const std::string& key = kKey) {
    return call(port_, bhttp::verb::get, target, key);
  }

  // simpul_upstream_requests_total summed over outcomes for one V-Claim endpoint template.
  long upstream_calls(const std::string& endpoint) {
    const auto metrics = call(port_, bhttp::verb::get, "/metrics");
    long n = 0;
    std::istringstream lines(metrics.body);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("simpul_upstream_requests_total{", 0) != 0) continue;
      if (line.find("endpoint=\"" + endpoint + "\"") == std::string::npos) continue;
      n += std::stol(line.substr(line.rfind(' ') + 1));
    }
    return n;
  }

  // A reference-cache counter from /metrics (0 when absent).
  long cache_count(const std::string& kind, const std::string& result) {
    const auto metrics = call(port_, bhttp::verb::get, "/metrics");
    std::smatch m;
    const std::regex line("simpul_reference_cache_total\\{[^}]*kind=\"" + kind + "\"[^}]*result=\"" + result +
                          "\"[^}]*\\} ([0-9]+)");
    if (!std::regex_search(metrics.body, m, line)) return 0;
    return std::stol(m[1]);
  }

  void expect_schema_valid(const std::vector<std::pair<std::string, Reply>>& replies) {
    std::vector<std::string> bodies;
    for (const auto& [name, r] : replies) bodies.push_back(r.body);
    const auto verdicts = schema_verdicts(dir_, bodies);
    ASSERT_EQ(verdicts.size(), bodies.size());
    for (std::size_t i = 0; i < verdicts.size(); ++i)
      EXPECT_EQ(verdicts[i], "ok") << replies[i].first << ": " << replies[i].second.body;
  }
};

std::string cache_header(const Reply& r) {
  return std::string(r.raw["X-Simpul-Cache"]);
}

bool has(const Reply& r, const std::string& text) {
  return r.body.find(text) != std::string::npos;
}

// ------------------------------------------------------------ every list

TEST_F(ServeReference, EveryReferenceListThroughTheRealServer) {
  start_with();
  std::vector<std::pair<std::string, Reply>> replies;
  auto keep = [&](const std::string& name, const Reply& r) {
    replies.emplace_back(name, r);
    return r;
  };

  auto poli = keep("poli", get(kExpand + "bpjs-poli&filter=dalam"));
  ASSERT_EQ(poli.status, 200u) << poli.body;
  EXPECT_EQ(cache_header(poli), "miss");
  EXPECT_TRUE(has(poli, "\"resourceType\":\"ValueSet\"")) << poli.body;
  EXPECT_TRUE(has(poli, "\"url\":\"https://fhir.simpul.id/ValueSet/bpjs-poli\""));
  EXPECT_TRUE(has(poli, "\"total\":1")) << poli.body;
  EXPECT_TRUE(
      has(poli, R"({"system":"https://fhir.simpul.id/CodeSystem/bpjs-poli","code":"INT","display":"PENYAKIT DALAM"})"))
      << poli.body;
  EXPECT_TRUE(has(poli, "\"identifier\":\"urn:uuid:")) << poli.body;

  auto icd = keep("diagnosa by code", get(kExpand + "bpjs-diagnosa&filter=A09"));
  ASSERT_EQ(icd.status, 200u) << icd.body;
  EXPECT_TRUE(has(
      icd,
      R"({"system":"http://hl7.org/fhir/sid/icd-10","code":"A09","display":"Diarrhoea and gastroenteritis of presumed infectious origin"})"))
      << icd.body;
  auto fever = keep("diagnosa by name", get(kExpand + "bpjs-diagnosa&filter=fever&count=1"));
  ASSERT_EQ(fever.status, 200u) << fever.body;
  EXPECT_TRUE(has(fever, "\"total\":4")) << fever.body;  // A01.0, A90, A91, R50.9
  EXPECT_TRUE(has(fever, "\"code\":\"A01.0\"")) << fever.body;
  EXPECT_FALSE(has(fever, "\"code\":\"R50.9\"")) << "count=1 pages: " << fever.body;

  auto propinsi = keep("propinsi", get(kExpand + "bpjs-propinsi"));
  ASSERT_EQ(propinsi.status, 200u) << propinsi.body;
  EXPECT_TRUE(has(propinsi, "\"total\":2")) << propinsi.body;
  EXPECT_TRUE(has(propinsi, "\"code\":\"91\",\"display\":\"SIMULASI BARAT\"")) << propinsi.body;
  auto timur = keep("propinsi filtered", get(kExpand + "bpjs-propinsi&filter=timur"));
  EXPECT_TRUE(has(timur, "\"total\":1")) << timur.body;
  EXPECT_TRUE(has(timur, "\"code\":\"92\"")) << timur.body;
  EXPECT_EQ(cache_header(timur), "hit") << "one cached list serves every filter";

  auto kab = keep("kabupaten", get(kExpand + "bpjs-kabupaten&propinsi=91"));
  ASSERT_EQ(kab.status, 200u) << kab.body;
  EXPECT_TRUE(has(kab, "\"total\":2")) << kab.body;
  EXPECT_TRUE(has(kab, "\"code\":\"9171\",\"display\":\"KOTA SIMULASI\"")) << kab.body;
  EXPECT_TRUE(has(kab, R"({"name":"propinsi","valueString":"91"})")) << kab.body;

  // V-Claim's "201 not found" is an empty expansion, not an error.
  auto none = keep("poli none", get(kExpand + "bpjs-poli&filter=zzz"));
  ASSERT_EQ(none.status, 200u) << none.body;
  EXPECT_TRUE(has(none, "\"total\":0")) << none.body;
  EXPECT_FALSE(has(none, "\"contains\""));

  auto org = keep("faskes by code", get("/fhir/Organization?identifier=" + kFaskesSystem + "%7C0301R011"));
  ASSERT_EQ(org.status, 200u) << org.body;
  EXPECT_TRUE(has(org, "\"type\":\"searchset\""));
  EXPECT_TRUE(has(org, "\"total\":1")) << org.body;
  EXPECT_TRUE(has(org, "\"name\":\"RSU SIMPUL SEHAT (SIMULASI)\"")) << org.body;
  EXPECT_TRUE(has(org, "{\"system\":\"" + kFaskesSystem + "\",\"value\":\"0301R011\"}")) << org.body;
  EXPECT_TRUE(has(org, "\"code\":\"2\",\"display\":\"Faskes 2 (rumah sakit)\"")) << org.body;
  auto all = keep("faskes by name", get("/fhir/Organization?name=simulasi"));
  EXPECT_TRUE(has(all, "\"total\":6")) << all.body;  // both levels
  auto fktp = keep("faskes fktp", get("/fhir/Organization?name=puskesmas&type=1"));
  EXPECT_TRUE(has(fktp, "\"total\":2")) << fktp.body;
  EXPECT_FALSE(has(fktp, "\"code\":\"2\"")) << fktp.body;

  auto dpjp = keep("dpjp", get("/fhir/Practitioner?specialty=INT&date=2025-06-15&service-type=outpatient"));
  ASSERT_EQ(dpjp.status, 200u) << dpjp.body;
  EXPECT_TRUE(has(dpjp, "\"total\":2")) << dpjp.body;
  EXPECT_TRUE(has(dpjp, R"({"system":"https://fhir.simpul.id/sid/bpjs-kode-dpjp","value":"90001"})")) << dpjp.body;
  EXPECT_TRUE(has(dpjp, "\"text\":\"dr. Kuswara Pendani, Sp.PD\"")) << dpjp.body;
  auto one = keep("dpjp by name", get("/fhir/Practitioner?specialty=INT&service-type=inpatient&name=kuswara"));
  EXPECT_TRUE(has(one, "\"total\":1")) << one.body;
  auto nobody = keep("dpjp none", get("/fhir/Practitioner?specialty=XYZ"));
  EXPECT_EQ(nobody.status, 200u) << nobody.body;
  EXPECT_TRUE(has(nobody, "\"total\":0")) << nobody.body;

  // The CapabilityStatement lists what is routed.
  auto meta = keep("metadata", get("/fhir/metadata"));
  EXPECT_TRUE(has(meta, "\"type\":\"ValueSet\"")) << meta.body;
  EXPECT_TRUE(has(meta, "\"name\":\"expand\"")) << meta.body;
  EXPECT_TRUE(has(meta, "\"type\":\"Organization\"")) << meta.body;
  EXPECT_TRUE(has(meta, "\"type\":\"Practitioner\"")) << meta.body;

  expect_schema_valid(replies);
}

// ------------------------------------------------------------ the cache

TEST_F(ServeReference, SecondLookupIsServedFromTheStoreWithoutCallingBpjs) {
  start_with();
  auto first = get(kExpand + "bpjs-poli&filter=anak");
  ASSERT_EQ(first.status, 200u) << first.body;
  EXPECT_EQ(cache_header(first), "miss");
  // The same keyword, differently typed, and from another tenant: the shared entry.
  auto second = get(kExpand + "bpjs-poli&filter=%20%20ANAK%20");
  ASSERT_EQ(second.status, 200u) << second.body;
  EXPECT_EQ(cache_header(second), "hit");
  auto other_tenant = get(kExpand + "bpjs-poli&filter=Anak", kPkmKey);
  ASSERT_EQ(other_tenant.status, 200u) << other_tenant.body;
  EXPECT_EQ(cache_header(other_tenant), "hit");
  EXPECT_EQ(upstream_calls("referensi/poli/{keyword}"), 1);
  EXPECT_EQ(cache_count("vclaim.poli", "hit"), 2);
  EXPECT_EQ(cache_count("vclaim.poli", "miss"), 1);

  // "Not found" is cached too.
  EXPECT_EQ(get(kExpand + "bpjs-poli&filter=zzz").status, 200u);
  EXPECT_EQ(cache_header(get(kExpand + "bpjs-poli&filter=zzz")), "hit");
  EXPECT_EQ(upstream_calls("referensi/poli/{keyword}"), 2);

  // Facilities: one call per level, then none.
  EXPECT_EQ(get("/fhir/Organization?name=rsud").status, 200u);
  auto again = get("/fhir/Organization?name=RSUD");
  EXPECT_EQ(cache_header(again), "hit");
  EXPECT_TRUE(has(again, "\"total\":1")) << again.body;
  EXPECT_EQ(upstream_calls("referensi/faskes/{keyword}/{jenis}"), 2);

  // Diagnoses, regions and DPJP likewise.
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(get(kExpand + "bpjs-diagnosa&filter=J45").status, 200u);
    EXPECT_EQ(get(kExpand + "bpjs-propinsi").status, 200u);
    EXPECT_EQ(get(kExpand + "bpjs-kabupaten&propinsi=92").status, 200u);
    EXPECT_EQ(get("/fhir/Practitioner?specialty=ANA&date=2025-06-15").status, 200u);
  }
  EXPECT_EQ(upstream_calls("referensi/diagnosa/{keyword}"), 1);
  EXPECT_EQ(upstream_calls("referensi/propinsi"), 1);
  EXPECT_EQ(upstream_calls("referensi/kabupaten/propinsi/{kdPropinsi}"), 1);
  const std::string dokter = "referensi/dokter/pelayanan/{jns}/tglPelayanan/{tgl}/Spesialis/{kdSpesialis}";
  EXPECT_EQ(upstream_calls(dokter), 1);
  // The DPJP list belongs to the hospital: another tenant does not get it from the cache.
  auto pkm = get("/fhir/Practitioner?specialty=ANA&date=2025-06-15", kPkmKey);
  EXPECT_NE(cache_header(pkm), "hit") << pkm.status << " " << pkm.body;
  EXPECT_EQ(upstream_calls(dokter), 2);
}

// ------------------------------------------------------------ BPJS outages

TEST_F(ServeReference, OutageServesCachedListsAndFailsUncachedOnesWithRetryAfter) {
  start_with("reference_ttl_ms = 2000");
  std::vector<std::pair<std::string, Reply>> replies;
  auto first = get(kExpand + "bpjs-poli&filter=anak");
  ASSERT_EQ(first.status, 200u) << first.body;
  auto org = get("/fhir/Organization?identifier=0301R011&type=2");
  ASSERT_EQ(org.status, 200u) << org.body;

  // BPJS's gateway goes down (HTTP 503 on every reference call).
  set_faults(R"({"rules":[{"kind":"http_500","http_status":503,"path":"referensi"}]})");
  auto fresh = get(kExpand + "bpjs-poli&filter=anak");
  EXPECT_EQ(cache_header(fresh), "hit");
  EXPECT_FALSE(has(fresh, "\"tag\""));

  std::this_thread::sleep_for(std::chrono::milliseconds(2300));  // past the TTL
  auto stale = get(kExpand + "bpjs-poli&filter=anak");
  replies.emplace_back("stale poli", stale);
  ASSERT_EQ(stale.status, 200u) << stale.body;
  EXPECT_EQ(cache_header(stale), "stale");
  EXPECT_NE(std::string(stale.raw["Warning"]).find("110"), std::string::npos);
  EXPECT_TRUE(has(stale, R"("tag":[{"system":"https://fhir.simpul.id/CodeSystem/cache-status","code":"stale")"))
      << stale.body;
  EXPECT_TRUE(has(stale, "\"code\":\"ANA\"")) << stale.body;
  auto stale_org = get("/fhir/Organization?identifier=0301R011&type=2");
  replies.emplace_back("stale organization", stale_org);
  ASSERT_EQ(stale_org.status, 200u) << stale_org.body;
  EXPECT_EQ(cache_header(stale_org), "stale");
  EXPECT_TRUE(has(stale_org, "\"code\":\"stale\"")) << stale_org.body;

  // Nothing cached: the usual BPJS error mapping, retry later.
  auto uncached = get(kExpand + "bpjs-poli&filter=bedah");
  replies.emplace_back("uncached 503", uncached);
  EXPECT_EQ(uncached.status, 503u) << uncached.body;
  EXPECT_FALSE(std::string(uncached.raw["Retry-After"]).empty());
  EXPECT_TRUE(has(uncached, "\"resourceType\":\"OperationOutcome\"")) << uncached.body;

  // The background refresh fails (logged), and the cached list keeps answering.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (cache_count("vclaim.poli", "refresh_failed") == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_GE(cache_count("vclaim.poli", "refresh_failed"), 1);
  auto still = get(kExpand + "bpjs-poli&filter=anak");
  EXPECT_EQ(still.status, 200u) << still.body;
  EXPECT_EQ(cache_header(still), "stale");

  // BPJS is back: a later lookup refreshes the entry in the background, and it is fresh again.
  set_faults("{}");
  bool refreshed = false;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!refreshed && std::chrono::steady_clock::now() < until) {
    auto r = get(kExpand + "bpjs-poli&filter=anak");
    ASSERT_EQ(r.status, 200u) << r.body;
    refreshed = cache_header(r) == "hit";
    if (!refreshed) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(refreshed);
  EXPECT_GE(cache_count("vclaim.poli", "refresh_ok"), 1);
  const std::string log = read_file(dir_ / "stderr.log");
  EXPECT_NE(log.find("reference refresh failed"), std::string::npos);

  expect_schema_valid(replies);
}

// ------------------------------------------------------------ bad requests

TEST_F(ServeReference, BadParametersAreRejectedBeforeBpjsIsAsked) {
  start_with();
  const std::vector<std::tuple<std::string, unsigned, std::string>> cases = {
      {"/fhir/ValueSet/$expand", 400, "url"},
      {"/fhir/ValueSet/$expand?url=https://example.org/ValueSet/x", 404, "url"},
      {kExpand + "bpjs-poli", 400, "filter"},
      {kExpand + "bpjs-poli&filter=%20a%20", 400, "filter"},
      {kExpand + "bpjs-diagnosa&filter=A0", 400, "filter"},
      {kExpand + "bpjs-kabupaten", 400, "propinsi"},
      {kExpand + "bpjs-poli&filter=anak&count=-1", 400, "count"},
      {kExpand + "bpjs-poli&filter=anak&offset=x", 400, "offset"},
      {"/fhir/Organization", 400, "identifier"},
      {"/fhir/Organization?identifier=http://other.org%7C0301R011", 400, "identifier"},
      {"/fhir/Organization?name=rs", 400, "name"},
      {"/fhir/Organization?name=rsud&type=3", 400, "type"},
      {"/fhir/Practitioner", 400, "specialty"},
      {"/fhir/Practitioner?specialty=INT&date=15-06-2025", 400, "date"},
      {"/fhir/Practitioner?specialty=INT&service-type=emergency", 400, "service-type"},
  };
  std::vector<std::pair<std::string, Reply>> replies;
  for (const auto& [target, status, expression] : cases) {
    auto r = get(target);
    EXPECT_EQ(r.status, status) << target << ": " << r.body;
    EXPECT_TRUE(has(r, "\"resourceType\":\"OperationOutcome\"")) << target << ": " << r.body;
    EXPECT_TRUE(has(r, "\"expression\":[\"" + expression + "\"]")) << target << ": " << r.body;
    replies.emplace_back(target, r);
  }
  // No role: 403.
  auto admin = get(kExpand + "bpjs-poli&filter=anak", kAdminKey);
  EXPECT_EQ(admin.status, 403u) << admin.body;
  // No BPJS call was made for any of them.
  const auto metrics = call(port_, bhttp::verb::get, "/metrics");
  EXPECT_EQ(metrics.body.find("endpoint=\"referensi/"), std::string::npos);
  expect_schema_valid(replies);
}

TEST(ServeReferenceConfig, TtlKeysAreCheckedWithFileAndLine) {
  auto dir = std::filesystem::temp_directory_path() / ("simpul-refcfg-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "bad.toml") << "[bpjs]\nendpoint = \"simulator\"\nreference_ttl_ms = 10\n"
                                     "reference_empty_ttl_ms = \"1h\"\n";
  const std::string bin = std::string(SIMPUL_BINARY_DIR) + "/simpul";
  auto bad = simpul::testing::run({bin, "config", "check", "--config", (dir / "bad.toml").string()});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("bad.toml:3: bpjs.reference_ttl_ms"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("bad.toml:4: bpjs.reference_empty_ttl_ms"), std::string::npos) << bad.err;
  std::ofstream(dir / "good.toml") << "[bpjs]\nendpoint = \"simulator\"\nreference_ttl_ms = 86400000\n"
                                      "reference_empty_ttl_ms = 3600000\n";
  auto good = simpul::testing::run({bin, "config", "check", "--config", (dir / "good.toml").string()});
  EXPECT_EQ(good.exit_code, 0) << good.err;
  std::filesystem::remove_all(dir);
}

}  // namespace
