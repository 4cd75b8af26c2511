// V-Claim referensi (reference data) -> FHIR ValueSet expansion, Organization, Practitioner.
#include <gtest/gtest.h>

#include "fhir/error.hpp"
#include "fhir/json.hpp"
#include "mappings/vclaim_fhir/referensi.hpp"

namespace b = simpul::mappings::bpjs;
namespace vf = simpul::mappings::vclaim_fhir;
using simpul::fhir::Error;

namespace {

std::string str(const rapidjson::Value& v) {
  return std::string(v.GetString(), v.GetStringLength());
}

// The status and expression of the fhir::Error `f` throws.
template <class F>
std::pair<int, std::string> error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    const auto& issues = e.issues();
    return {e.status(), issues.empty() || issues[0].expression.empty() ? "" : issues[0].expression[0]};
  }
  return {0, "no error"};
}

vf::ExpandParams expand(std::string url, std::string filter = {}) {
  vf::ExpandParams p;
  p.url = std::move(url);
  p.filter = std::move(filter);
  return p;
}

const std::string kPoli = "https://fhir.simpul.id/ValueSet/bpjs-poli";
const std::string kDiagnosa = "https://fhir.simpul.id/ValueSet/bpjs-diagnosa";
const std::string kPropinsi = "https://fhir.simpul.id/ValueSet/bpjs-propinsi";
const std::string kKabupaten = "https://fhir.simpul.id/ValueSet/bpjs-kabupaten";

const vf::CacheInfo kFresh{"2025-06-15T01:02:03Z", false};

}  // namespace

TEST(VclaimReferensi, KeywordsAreTrimmedCollapsedAndLowercased) {
  EXPECT_EQ(vf::normalize_keyword("  Penyakit \t  DALAM  "), "penyakit dalam");
  EXPECT_EQ(vf::normalize_keyword("A09"), "a09");
  EXPECT_EQ(vf::normalize_keyword("   "), "");
  EXPECT_EQ(vf::normalize_keyword(""), "");
}

TEST(VclaimReferensi, ValueSetsAreFoundByCanonicalUrl) {
  ASSERT_EQ(vf::value_sets().size(), 4u);
  ASSERT_NE(vf::find_value_set(kPoli), nullptr);
  EXPECT_EQ(vf::find_value_set(kPoli)->list, vf::CodeList::poli);
  EXPECT_EQ(vf::find_value_set(kDiagnosa + "|2025")->list, vf::CodeList::diagnosa);  // version ignored
  EXPECT_EQ(vf::find_value_set(kDiagnosa)->code_system, "http://hl7.org/fhir/sid/icd-10");
  EXPECT_EQ(vf::find_value_set("https://fhir.simpul.id/ValueSet/bpjs-kecamatan"), nullptr);
}

TEST(VclaimReferensi, ExpandParametersAreCheckedBeforeBpjsIsAsked) {
  auto r = vf::parse_expand_request(expand(kPoli, "  Dalam "));
  EXPECT_EQ(r.filter, "dalam");
  EXPECT_FALSE(r.count);

  EXPECT_EQ(error_of([] { vf::parse_expand_request(expand("")); }), std::make_pair(400, std::string("url")));
  EXPECT_EQ(error_of([] { vf::parse_expand_request(expand("https://x.org/ValueSet/y", "abc")); }).first, 404);
  // Keyword searches need a filter of at least three characters.
  EXPECT_EQ(error_of([] { vf::parse_expand_request(expand(kPoli)); }), std::make_pair(400, std::string("filter")));
  EXPECT_EQ(error_of([] { vf::parse_expand_request(expand(kDiagnosa, " a0 ")); }),
            std::make_pair(400, std::string("filter")));
  // Full lists do not.
  EXPECT_NO_THROW(vf::parse_expand_request(expand(kPropinsi)));
  EXPECT_EQ(vf::parse_expand_request(expand(kPropinsi, "Ti")).filter, "ti");
  // kabupaten needs the province, and only kabupaten takes one.
  EXPECT_EQ(error_of([] { vf::parse_expand_request(expand(kKabupaten)); }),
            std::make_pair(400, std::string("propinsi")));
  auto kab = expand(kKabupaten);
  kab.propinsi = "91";
  EXPECT_EQ(vf::parse_expand_request(kab).propinsi, "91");
  kab.propinsi = "9 1";
  EXPECT_EQ(error_of([&] { vf::parse_expand_request(kab); }).first, 400);
  auto poli = expand(kPoli, "ana");
  poli.propinsi = "91";
  EXPECT_EQ(error_of([&] { vf::parse_expand_request(poli); }).second, "propinsi");
  // count / offset.
  poli = expand(kPoli, "ana");
  poli.count = "2";
  poli.offset = "1";
  r = vf::parse_expand_request(poli);
  EXPECT_EQ(*r.count, 2u);
  EXPECT_EQ(r.offset, 1u);
  poli.count = "-1";
  EXPECT_EQ(error_of([&] { vf::parse_expand_request(poli); }), std::make_pair(400, std::string("count")));
  poli.count = "x";
  EXPECT_EQ(error_of([&] { vf::parse_expand_request(poli); }).first, 400);
}

TEST(VclaimReferensi, PoliListBecomesAnExpansion) {
  const auto req = vf::parse_expand_request(expand(kPoli, "dalam"));
  const std::vector<b::ReferensiItem> items = {{"INT", "PENYAKIT DALAM"}, {"", "no code: skipped"}};
  auto doc = vf::expand_value_set(req, items, "urn:uuid:0b7e3c52-7d0c-4f43-9f1a-8f0f1c2d3e4f", kFresh);
  EXPECT_EQ(str(doc["resourceType"]), "ValueSet");
  EXPECT_EQ(str(doc["url"]), kPoli);
  EXPECT_EQ(str(doc["status"]), "active");
  EXPECT_EQ(str(doc["meta"]["lastUpdated"]), "2025-06-15T01:02:03Z");
  EXPECT_FALSE(doc["meta"].HasMember("tag"));
  const auto& e = doc["expansion"];
  EXPECT_EQ(str(e["identifier"]), "urn:uuid:0b7e3c52-7d0c-4f43-9f1a-8f0f1c2d3e4f");
  EXPECT_EQ(str(e["timestamp"]), "2025-06-15T01:02:03Z");
  EXPECT_EQ(e["total"].GetInt(), 1);
  EXPECT_FALSE(e.HasMember("offset"));
  EXPECT_EQ(str(e["parameter"][0]["name"]), "filter");
  EXPECT_EQ(str(e["parameter"][0]["valueString"]), "dalam");
  ASSERT_EQ(e["contains"].Size(), 1u);
  EXPECT_EQ(str(e["contains"][0]["system"]), "https://fhir.simpul.id/CodeSystem/bpjs-poli");
  EXPECT_EQ(str(e["contains"][0]["code"]), "INT");
  EXPECT_EQ(str(e["contains"][0]["display"]), "PENYAKIT DALAM");
}

TEST(VclaimReferensi, DiagnosesAreIcd10WithoutTheRepeatedCode) {
  const auto req = vf::parse_expand_request(expand(kDiagnosa, "A09"));
  const std::vector<b::ReferensiItem> items = {
      {"A09", "A09 - Diarrhoea and gastroenteritis of presumed infectious origin"},
      {"A15.0", "Tuberculosis of lung"},
      {"J45", "J45-Asthma"}};
  auto doc = vf::expand_value_set(req, items, "urn:uuid:1", kFresh);
  const auto& c = doc["expansion"]["contains"];
  ASSERT_EQ(c.Size(), 3u);  // V-Claim filtered: not filtered again
  EXPECT_EQ(str(c[0]["system"]), "http://hl7.org/fhir/sid/icd-10");
  EXPECT_EQ(str(c[0]["display"]), "Diarrhoea and gastroenteritis of presumed infectious origin");
  EXPECT_EQ(str(c[1]["display"]), "Tuberculosis of lung");
  EXPECT_EQ(str(c[2]["display"]), "Asthma");
}

TEST(VclaimReferensi, FullListsAreFilteredAndPagedHere) {
  const std::vector<b::ReferensiItem> items = {
      {"9101", "KAB. SIMULASI UTARA"}, {"9171", "KOTA SIMULASI"}, {"9172", "KOTA LAIN"}};
  auto p = expand(kKabupaten, "kota");
  p.propinsi = "91";
  auto doc = vf::expand_value_set(vf::parse_expand_request(p), items, "urn:uuid:1", kFresh);
  EXPECT_EQ(doc["expansion"]["total"].GetInt(), 2);
  EXPECT_EQ(str(doc["expansion"]["contains"][0]["code"]), "9171");
  EXPECT_EQ(str(doc["expansion"]["contains"][0]["system"]), "https://fhir.simpul.id/CodeSystem/bpjs-kabupaten");
  // By code prefix.
  p.filter = "9101";
  doc = vf::expand_value_set(vf::parse_expand_request(p), items, "urn:uuid:1", kFresh);
  EXPECT_EQ(doc["expansion"]["total"].GetInt(), 1);
  // count/offset page through the matches; total stays the number of matches.
  p.filter.clear();
  p.count = "1";
  p.offset = "1";
  doc = vf::expand_value_set(vf::parse_expand_request(p), items, "urn:uuid:1", kFresh);
  EXPECT_EQ(doc["expansion"]["total"].GetInt(), 3);
  EXPECT_EQ(doc["expansion"]["offset"].GetInt(), 1);
  ASSERT_EQ(doc["expansion"]["contains"].Size(), 1u);
  EXPECT_EQ(str(doc["expansion"]["contains"][0]["code"]), "9171");
  // Past the end: no contains at all (FHIR forbids empty arrays).
  p.offset = "7";
  doc = vf::expand_value_set(vf::parse_expand_request(p), items, "urn:uuid:1", kFresh);
  EXPECT_FALSE(doc["expansion"].HasMember("contains"));
}

TEST(VclaimReferensi, NothingFoundIsAnEmptyExpansion) {
  auto doc = vf::expand_value_set(vf::parse_expand_request(expand(kPoli, "zzz")), {}, "urn:uuid:1", kFresh);
  EXPECT_EQ(doc["expansion"]["total"].GetInt(), 0);
  EXPECT_FALSE(doc["expansion"].HasMember("contains"));
}

TEST(VclaimReferensi, StaleAnswersCarryAMetaTag) {
  auto doc = vf::expand_value_set(vf::parse_expand_request(expand(kPropinsi)), {{"91", "SIMULASI BARAT"}}, "urn:uuid:1",
                                  {"2025-06-14T00:00:00Z", true});
  ASSERT_TRUE(doc["meta"].HasMember("tag"));
  EXPECT_EQ(str(doc["meta"]["tag"][0]["system"]), vf::kCacheTagSystem);
  EXPECT_EQ(str(doc["meta"]["tag"][0]["code"]), "stale");
  // mark_cache replaces meta.
  vf::mark_cache(doc, kFresh);
  EXPECT_FALSE(doc["meta"].HasMember("tag"));
  EXPECT_EQ(str(doc["meta"]["lastUpdated"]), kFresh.fetched_at);
}

TEST(VclaimReferensi, OrganizationSearchParameters) {
  vf::Systems sys;
  auto s = vf::parse_organization_search(sys.kode_faskes + "|0301r011", "", "", sys);
  EXPECT_EQ(s.code, "0301R011");
  EXPECT_EQ(s.keyword, "0301R011");
  EXPECT_EQ(s.levels, (std::vector<int>{1, 2}));
  EXPECT_EQ(vf::parse_organization_search("0301R011", "", "2").levels, (std::vector<int>{2}));
  s = vf::parse_organization_search("", "  Puskesmas ", "fktp");
  EXPECT_EQ(s.keyword, "puskesmas");
  EXPECT_TRUE(s.code.empty());
  EXPECT_EQ(s.levels, (std::vector<int>{1}));
  EXPECT_EQ(vf::parse_organization_search("", "rsud", sys.bpjs_code_system_base + "jenis-faskes|2").levels,
            (std::vector<int>{2}));

  EXPECT_EQ(error_of([] { vf::parse_organization_search("", "", ""); }).first, 400);
  EXPECT_EQ(error_of([] { vf::parse_organization_search("0301R011", "rsud", ""); }).first, 400);
  EXPECT_EQ(error_of([] { vf::parse_organization_search("http://other|0301R011", "", ""); }),
            std::make_pair(400, std::string("identifier")));
  EXPECT_EQ(error_of([] { vf::parse_organization_search("", "rs", ""); }), std::make_pair(400, std::string("name")));
  EXPECT_EQ(error_of([] { vf::parse_organization_search("", "rsud", "3"); }), std::make_pair(400, std::string("type")));

  // By identifier only the exact code matches (V-Claim's keyword search may return more).
  s = vf::parse_organization_search("0301R011", "", "");
  EXPECT_TRUE(vf::organization_matches(s, {"0301R011", "RSU"}));
  EXPECT_FALSE(vf::organization_matches(s, {"0301R0110", "RSU 2"}));
  EXPECT_TRUE(vf::organization_matches(vf::parse_organization_search("", "rsu", ""), {"0301R0110", "RSU 2"}));
}

TEST(VclaimReferensi, FaskesBecomesAnOrganization) {
  auto doc = vf::organization_from_faskes({"0301R011", "RSU SIMPUL SEHAT"}, 2);
  EXPECT_EQ(str(doc["resourceType"]), "Organization");
  EXPECT_EQ(str(doc["id"]), "0301R011");
  EXPECT_EQ(str(doc["identifier"][0]["system"]), "https://fhir.simpul.id/sid/bpjs-kode-faskes");
  EXPECT_EQ(str(doc["identifier"][0]["value"]), "0301R011");
  EXPECT_TRUE(doc["active"].GetBool());
  EXPECT_EQ(str(doc["name"]), "RSU SIMPUL SEHAT");
  EXPECT_EQ(str(doc["type"][0]["coding"][0]["code"]), "prov");
  EXPECT_EQ(str(doc["type"][1]["coding"][0]["system"]), "https://fhir.simpul.id/CodeSystem/bpjs-jenis-faskes");
  EXPECT_EQ(str(doc["type"][1]["coding"][0]["code"]), "2");
  auto fktp = vf::organization_from_faskes({"0114P001", "PUSKESMAS"}, 1);
  EXPECT_EQ(str(fktp["type"][1]["coding"][0]["code"]), "1");
}

TEST(VclaimReferensi, PractitionerSearchParameters) {
  auto s = vf::parse_practitioner_search("int", "", "", "", "", "2025-06-15");
  EXPECT_EQ(s.spesialis, "INT");
  EXPECT_EQ(s.date, "2025-06-15");
  EXPECT_EQ(s.jenis_pelayanan, 2);
  s = vf::parse_practitioner_search("https://fhir.simpul.id/CodeSystem/bpjs-poli|ANA", "2025-01-02", "inpatient",
                                    std::string(vf::kKodeDpjpSystem) + "|90003", " Ratmika ", "2025-06-15");
  EXPECT_EQ(s.spesialis, "ANA");
  EXPECT_EQ(s.date, "2025-01-02");
  EXPECT_EQ(s.jenis_pelayanan, 1);
  EXPECT_EQ(s.code, "90003");
  EXPECT_EQ(s.name, "ratmika");
  EXPECT_EQ(vf::parse_practitioner_search("INT", "", "1", "", "", "2025-06-15").jenis_pelayanan, 1);

  const std::string today = "2025-06-15";
  EXPECT_EQ(error_of([&] { vf::parse_practitioner_search("", "", "", "", "", today); }),
            std::make_pair(400, std::string("specialty")));
  EXPECT_EQ(error_of([&] { vf::parse_practitioner_search("IN T", "", "", "", "", today); }).second, "specialty");
  EXPECT_EQ(error_of([&] { vf::parse_practitioner_search("INT", "15-06-2025", "", "", "", today); }),
            std::make_pair(400, std::string("date")));
  EXPECT_EQ(error_of([&] { vf::parse_practitioner_search("INT", "", "emergency", "", "", today); }),
            std::make_pair(400, std::string("service-type")));
  EXPECT_EQ(error_of([&] { vf::parse_practitioner_search("INT", "", "", "http://x|1", "", today); }),
            std::make_pair(400, std::string("identifier")));

  s = vf::parse_practitioner_search("INT", "", "", "", "kuswara", today);
  EXPECT_TRUE(vf::practitioner_matches(s, {"90002", "dr. Kuswara Pendani, Sp.PD"}));
  EXPECT_FALSE(vf::practitioner_matches(s, {"90001", "dr. Sarimbi Lontaran, Sp.PD"}));
  s = vf::parse_practitioner_search("INT", "", "", "90001", "", today);
  EXPECT_TRUE(vf::practitioner_matches(s, {"90001", "dr. Sarimbi Lontaran, Sp.PD"}));
  EXPECT_FALSE(vf::practitioner_matches(s, {"90002", "dr. Kuswara Pendani, Sp.PD"}));
}

TEST(VclaimReferensi, DpjpBecomesAPractitioner) {
  auto doc = vf::practitioner_from_dpjp({"90001", "dr. Sarimbi Lontaran, Sp.PD"});
  EXPECT_EQ(str(doc["resourceType"]), "Practitioner");
  EXPECT_EQ(str(doc["id"]), "90001");
  EXPECT_EQ(str(doc["identifier"][0]["system"]), "https://fhir.simpul.id/sid/bpjs-kode-dpjp");
  EXPECT_EQ(str(doc["identifier"][0]["value"]), "90001");
  EXPECT_TRUE(doc["active"].GetBool());
  EXPECT_EQ(str(doc["name"][0]["text"]), "dr. Sarimbi Lontaran, Sp.PD");
  EXPECT_EQ(str(doc["name"][0]["use"]), "official");
}

TEST(VclaimReferensi, CachedListsRoundTripThroughTheWireCodec) {
  // The cache stores lists with the V-Claim wire codec; an empty list ("not found") too.
  const std::vector<b::ReferensiItem> items = {{"INT", "PENYAKIT DALAM"}, {"ANA", "ANAK"}};
  auto back = b::parse_referensi(b::to_json(items, "list"), "list");
  ASSERT_TRUE(back);
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[1].kode, "ANA");
  auto empty = b::parse_referensi(b::to_json(std::vector<b::ReferensiItem>{}, "list"), "list");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}
