// FHIR Claim (use = preauthorization) <-> V-Claim SEP 2.0 insert / update / delete.
#include <functional>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <rapidjson/pointer.h>

#include "fhir/error.hpp"
#include "fhir/json.hpp"
#include "mappings/vclaim_fhir/sep.hpp"
#include "tests/mappings/schema_oracle.hpp"

namespace b = simpul::mappings::bpjs;
namespace vf = simpul::mappings::vclaim_fhir;
using simpul::fhir::Error;

namespace {

// CAT-VC SEP 2.0 insert request (bpjs-api.md §5.1), verbatim values, minified.
constexpr std::string_view kCatalogueInsert =
    R"({"request":{"t_sep":{"noKartu":"0001105689835","tglSep":"2021-07-30","ppkPelayanan":"0301R011",)"
    R"("jnsPelayanan":"1","klsRawat":{"klsRawatHak":"2","klsRawatNaik":"1","pembiayaan":"1",)"
    R"("penanggungJawab":"Pribadi"},"noMR":"MR9835","rujukan":{"asalRujukan":"2","tglRujukan":"2021-07-23",)"
    R"("noRujukan":"RJKMR9835001","ppkRujukan":"0301R011"},"catatan":"testinsert RI","diagAwal":"E10",)"
    R"("poli":{"tujuan":"","eksekutif":"0"},"cob":{"cob":"0"},"katarak":{"katarak":"0"},)"
    R"("jaminan":{"lakaLantas":"0","noLP":"12345","penjamin":{"tglKejadian":"","keterangan":"",)"
    R"("suplesi":{"suplesi":"0","noSepSuplesi":"","lokasiLaka":{"kdPropinsi":"","kdKabupaten":"",)"
    R"("kdKecamatan":""}}}},"tujuanKunj":"0","flagProcedure":"","kdPenunjang":"","assesmentPel":"",)"
    R"("skdp":{"noSurat":"0301R0110721K000021","kodeDPJP":"31574"},"dpjpLayan":"","noTelp":"081111111101",)"
    R"("user":"Coba Ws"}}})";

// CAT-VC SEP 2.0 insert response.
constexpr std::string_view kCatalogueResponse =
    R"({"sep":{"assestmenPel":"1","catatan":"testinsert RJ",)"
    R"("diagnosa":"A15 - Respiratory tuberculosis, bacteriologically and histologically confirmed",)"
    R"("flagProcedure":"","informasi":{"dinsos":null,"eSEP":"True","noSKTM":null,"prolanisPRB":null},)"
    R"("jnsPelayanan":"R.Jalan","kdPenunjang":"","kdPoli":"INT","kelasRawat":"-",)"
    R"("noRujukan":"0050B1070223P000004","noSep":"0301R0010323V000039","penjamin":"-",)"
    R"~("peserta":{"asuransi":"-","hakKelas":"Kelas 3","jnsPeserta":"PBI (APBN)","kelamin":"Perempuan",)~"
    R"("nama":"ARSTNUU","noKartu":"0002802875185","noMr":"MR5185","tglLahir":"1944-02-24"},)"
    R"("poli":"PENYAKIT DALAM","poliEksekutif":"Tidak","tglSep":"2023-03-30","tujuanKunj":"2"}})";

constexpr std::string_view kSepDetail =
    R"({"noSep":"0301R0110326V000001","tglSep":"2026-03-01","jnsPelayanan":"Rawat Jalan","kelasRawat":"3",)"
    R"("diagnosa":"A09 - Diarrhoea","noRujukan":"0114A0260326P000001","poli":"PENYAKIT DALAM","poliEksekutif":"0",)"
    R"("catatan":"","penjamin":null,"kdStatusKecelakaan":"0","nmstatusKecelakaan":"BKLL",)"
    R"("lokasiKejadian":{"kdKab":null,"kdKec":null,"kdProp":null,"ketKejadian":null,"lokasi":null,"tglKejadian":null},)"
    R"("dpjp":{"kdDPJP":"31574","nmDPJP":"dr. A"},"peserta":{"noKartu":"0000000000123","nama":"X","tglLahir":"1980-01-01",)"
    R"("kelamin":"L","hakKelas":"Kelas 3","jnsPeserta":"PBI","asuransi":null,"noMr":"MR1"},)"
    R"("klsRawat":{"klsRawatHak":"3","klsRawatNaik":null,"pembiayaan":null,"penanggungJawab":null},)"
    R"("kontrol":{"kdDokter":null,"nmDokter":null,"noSurat":null},"cob":"0","katarak":"0",)"
    R"("tujuanKunj":{"kode":"0","nama":"Normal"},"flagProcedure":{"kode":null,"nama":null},)"
    R"("kdPenunjang":{"kode":null,"nama":null},"assestmenPel":{"kode":null,"nama":null},"eSEP":"False"})";

#define EXT "https://fhir.simpul.id/StructureDefinition/"
#define CS "https://fhir.simpul.id/CodeSystem/bpjs-"
#define INFO \
  R"("category":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/claiminformationcategory","code":"info"}]})"

// The catalogue example as a FHIR Claim with its resources contained. Contained
// indices: 0 Patient, 1 Coverage, 2 Encounter, 3 Practitioner (DPJP),
// 4 ServiceRequest (referral), 5 ServiceRequest (SPRI).
constexpr std::string_view kCatalogueClaim = R"({"resourceType":"Claim","id":"sep-ri-1",
 "contained":[
  {"resourceType":"Patient","id":"pat","identifier":[
    {"system":"https://fhir.simpul.id/sid/bpjs-no-kartu","value":"0001105689835"},
    {"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR"}]},"value":"MR9835"}],
   "telecom":[{"system":"email","value":"x@example.org"},{"system":"phone","value":"081111111101"}]},
  {"resourceType":"Coverage","id":"cov","status":"active","subscriberId":"0001105689835",
   "beneficiary":{"reference":"#pat"},"payor":[{"display":"BPJS Kesehatan"}],
   "class":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/coverage-class","code":"class"}]},"value":"2"}]},
  {"resourceType":"Encounter","id":"enc","status":"in-progress",
   "class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"IMP"},
   "subject":{"reference":"#pat"},"participant":[{"individual":{"reference":"#dpjp"}}],
   "period":{"start":"2021-07-30T08:00:00+07:00"}},
  {"resourceType":"Practitioner","id":"dpjp","identifier":[{"system":"https://fhir.simpul.id/sid/bpjs-kode-dpjp","value":"31574"}]},
  {"resourceType":"ServiceRequest","id":"rujukan",
   "extension":[{"url":")" EXT R"(bpjs-asal-rujukan","valueCoding":{"system":")" CS R"(asal-rujukan","code":"2"}}],
   "identifier":[{"system":"https://fhir.simpul.id/sid/bpjs-no-rujukan","value":"RJKMR9835001"}],
   "status":"active","intent":"order","subject":{"reference":"#pat"},"authoredOn":"2021-07-23",
   "requester":{"type":"Organization","identifier":{"system":"https://fhir.simpul.id/sid/bpjs-kode-faskes","value":"0301R011"}}},
  {"resourceType":"ServiceRequest","id":"spri",
   "identifier":[{"system":"https://fhir.simpul.id/sid/bpjs-no-surat-kontrol","value":"0301R0110721K000021"}],
   "status":"active","intent":"order","subject":{"reference":"#pat"},"requester":{"reference":"#dpjp"}}],
 "extension":[{"url":")" EXT R"(bpjs-naik-kelas","extension":[
   {"url":"kelas","valueCoding":{"system":")" CS R"(kelas-rawat-naik","code":"1","display":"VVIP"}},
   {"url":"pembiayaan","valueCoding":{"system":")" CS R"(pembiayaan","code":"1","display":"Pribadi"}}]}],
 "identifier":[{"system":"https://rs.example/claim","value":"SEP-RI-1"}],
 "status":"active",
 "type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/claim-type","code":"institutional"}]},
 "use":"preauthorization",
 "patient":{"reference":"#pat"},
 "created":"2021-07-30T08:05:00+07:00",
 "provider":{"identifier":{"system":"https://fhir.simpul.id/sid/bpjs-kode-faskes","value":"0301R011"}},
 "priority":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/processpriority","code":"normal"}]},
 "referral":{"reference":"#rujukan"},
 "supportingInfo":[{"sequence":1,)" INFO R"(,"valueString":"testinsert RI"},
   {"sequence":2,)" INFO R"(,"valueReference":{"reference":"#spri"}}],
 "diagnosis":[{"sequence":1,"diagnosisCodeableConcept":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10","code":"E10"}]}}],
 "insurance":[{"sequence":1,"focal":true,"coverage":{"reference":"#cov"}}],
 "accident":{"date":"2021-07-30","type":{"coding":[{"system":")" CS R"(laka-lantas","code":"0"}]},
   "extension":[{"url":")" EXT R"(bpjs-no-lp","valueString":"12345"}]},
 "item":[{"sequence":1,"productOrService":{"text":"SEP rawat inap"},"encounter":[{"reference":"#enc"}]}]})";

const vf::SepContext kContext{"0301R011", "Coba Ws", "2021-07-30"};

rapidjson::Document parse(std::string_view json) {
  return simpul::fhir::parse_json(json);
}

rapidjson::Document catalogue_claim() {
  return parse(kCatalogueClaim);
}

void set(rapidjson::Document& doc, const char* pointer, std::string_view json) {
  rapidjson::Document fragment;
  fragment.Parse(json.data(), json.size());
  ASSERT_FALSE(fragment.HasParseError()) << json;
  rapidjson::Value v(fragment, doc.GetAllocator());
  rapidjson::Pointer(pointer).Set(doc, v);
}

void erase(rapidjson::Document& doc, const char* pointer) {
  ASSERT_TRUE(rapidjson::Pointer(pointer).Erase(doc)) << pointer;
}

// The leaves of a V-Claim request body, under t_sep: "klsRawat.klsRawatHak" -> "2".
void flatten(const rapidjson::Value& v, const std::string& path, std::map<std::string, std::string>& out) {
  if (v.IsObject()) {
    for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
      const std::string key = m->name.GetString();
      flatten(m->value, path.empty() ? key : path + "." + key, out);
    }
  } else {
    out[path] = v.IsString() ? v.GetString() : simpul::fhir::to_json(v);
  }
}

std::map<std::string, std::string> wire_fields(const std::string& body) {
  const auto doc = parse(body);
  std::map<std::string, std::string> out;
  flatten(doc["request"]["t_sep"], "", out);
  return out;
}

// Field -> value from the trace; a field traced twice fails the test.
std::map<std::string, std::string> traced(const vf::Trace& trace) {
  std::map<std::string, std::string> out;
  for (const auto& t : trace) {
    EXPECT_TRUE(out.emplace(t.field, t.value).second) << "traced twice: " << t.field;
    EXPECT_FALSE(t.source.empty()) << t.field;
  }
  return out;
}

std::string source_of(const vf::Trace& trace, std::string_view field) {
  for (const auto& t : trace) {
    if (t.field == field) return t.source;
  }
  return "<not traced>";
}

// The catalogue Claim turned into a Bundle: the Claim first, then each
// contained resource as an entry, references "#id" rewritten to "Type/id".
std::string as_bundle(const rapidjson::Document& claim, bool urn_uuid = false) {
  rapidjson::Document copy;
  copy.CopyFrom(claim, copy.GetAllocator());
  std::vector<std::pair<std::string, std::string>> entries;  // fullUrl, resource
  std::string text;
  for (auto& r : copy["contained"].GetArray()) {
    const std::string type = r["resourceType"].GetString();
    const std::string id = r["id"].GetString();
    entries.emplace_back(urn_uuid ? "urn:uuid:00000000-0000-4000-8000-00000000000" + std::to_string(entries.size())
                                  : "https://rs.example/fhir/" + type + "/" + id,
                         simpul::fhir::to_json(r));
  }
  copy.RemoveMember("contained");
  std::string claim_text = simpul::fhir::to_json(copy);
  std::string out = R"({"resourceType":"Bundle","type":"collection","entry":[{"fullUrl":"urn:uuid:c1a1)"
                    R"(0000-0000-4000-8000-000000000000","resource":)" +
                    claim_text + "}";
  for (const auto& [url, resource] : entries) out += R"(,{"fullUrl":")" + url + R"(","resource":)" + resource + "}";
  out += "]}";
  // Rewrite the references: by the full URL (urn:uuid) or by Type/id.
  const std::pair<std::string, std::string> refs[] = {{"#pat", "Patient/pat"},
                                                      {"#cov", "Coverage/cov"},
                                                      {"#enc", "Encounter/enc"},
                                                      {"#dpjp", "Practitioner/dpjp"},
                                                      {"#rujukan", "ServiceRequest/rujukan"},
                                                      {"#spri", "ServiceRequest/spri"}};
  for (std::size_t i = 0; i < std::size(refs); ++i) {
    const std::string from = "\"" + refs[i].first + "\"";
    const std::string to = "\"" + (urn_uuid ? entries[i].first : refs[i].second) + "\"";
    for (auto pos = out.find(from); pos != std::string::npos; pos = out.find(from, pos + to.size())) {
      out.replace(pos, from.size(), to);
    }
  }
  return out;
}

// The 400 an input gives: its first issue's expression ("<no error>" when it parses).
std::string error_expression(const rapidjson::Value& input, const vf::SepContext& context = kContext) {
  try {
    vf::parse_sep_claim(input, context);
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), 400) << e.internal();
    EXPECT_FALSE(e.issues().empty());
    if (e.issues().empty() || e.issues()[0].expression.empty()) return "<no expression>";
    EXPECT_FALSE(e.issues()[0].diagnostics.empty());
    return e.issues()[0].expression[0];
  }
  return "<no error>";
}

// An outpatient (rawat jalan) visit: poli INT, DPJP serving, no referral extras.
rapidjson::Document outpatient_claim() {
  auto doc = catalogue_claim();
  set(doc, "/contained/2/class/code", R"("AMB")");
  set(doc, "/contained/2/serviceType",
      R"({"coding":[{"system":"https://fhir.simpul.id/CodeSystem/bpjs-poli","code":"INT","display":"PENYAKIT DALAM"}]})");
  erase(doc, "/extension");
  return doc;
}

}  // namespace

// ---------------------------------------------------------------- insert

TEST(VclaimSep, CatalogueExampleFromAnEquivalentClaim) {
  const auto claim = catalogue_claim();
  const auto sub = vf::parse_sep_claim(claim, kContext);
  EXPECT_EQ(sub.action, vf::SepAction::create);
  EXPECT_EQ(vf::to_string(sub.action), "create");
  EXPECT_EQ(sub.claim_identifier, "https://rs.example/claim|SEP-RI-1");
  EXPECT_EQ(sub.no_kartu, "0001105689835");

  const std::string json = b::to_json(sub.insert);
  const auto want = wire_fields(std::string(kCatalogueInsert));
  const auto got = wire_fields(json);
  for (const auto& [field, value] : want) {
    ASSERT_TRUE(got.count(field)) << field;
    EXPECT_EQ(got.at(field), value) << field;
  }
  EXPECT_EQ(got.size(), want.size());
  EXPECT_EQ(json, kCatalogueInsert);  // and byte for byte
}

TEST(VclaimSep, EveryWireFieldIsTracedExactlyOnceWithItsValue) {
  auto check = [](const rapidjson::Value& claim, const vf::SepContext& ctx) {
    const auto sub = vf::parse_sep_claim(claim, ctx);
    const auto wire = wire_fields(b::to_json(sub.insert));
    const auto trace = traced(sub.trace);
    EXPECT_EQ(trace, wire);  // the same fields, the same values
  };
  check(catalogue_claim(), kContext);
  check(outpatient_claim(), kContext);
  auto minimal = outpatient_claim();
  erase(minimal, "/referral");
  erase(minimal, "/accident");
  erase(minimal, "/supportingInfo");
  check(minimal, kContext);
}

TEST(VclaimSep, TraceNamesTheFhirElements) {
  const auto sub = vf::parse_sep_claim(catalogue_claim(), kContext);
  const auto& t = sub.trace;
  EXPECT_EQ(source_of(t, "noKartu"), "Claim.patient -> Patient.identifier[0].value");
  EXPECT_EQ(source_of(t, "tglSep"), "Claim.item[0].encounter[0] -> Encounter.period.start");
  EXPECT_EQ(source_of(t, "jnsPelayanan"), "Claim.item[0].encounter[0] -> Encounter.class.code");
  EXPECT_EQ(source_of(t, "klsRawat.klsRawatHak"), "Claim.insurance[0].coverage -> Coverage.class[0].value");
  EXPECT_EQ(source_of(t, "klsRawat.klsRawatNaik"),
            "Claim.extension(bpjs-naik-kelas).extension(kelas).valueCoding.code");
  EXPECT_EQ(source_of(t, "klsRawat.penanggungJawab"), "default: the name of pembiayaan 1");
  EXPECT_EQ(source_of(t, "noMR"), "Claim.patient -> Patient.identifier[1].value");
  EXPECT_EQ(source_of(t, "noTelp"), "Claim.patient -> Patient.telecom[1].value");
  EXPECT_EQ(source_of(t, "rujukan.noRujukan"), "Claim.referral -> ServiceRequest.identifier[0].value");
  EXPECT_EQ(source_of(t, "rujukan.asalRujukan"),
            "Claim.referral -> ServiceRequest.extension(bpjs-asal-rujukan).valueCoding.code");
  EXPECT_EQ(source_of(t, "rujukan.tglRujukan"), "Claim.referral -> ServiceRequest.authoredOn");
  EXPECT_EQ(source_of(t, "rujukan.ppkRujukan"), "Claim.referral -> ServiceRequest.requester.identifier.value");
  EXPECT_EQ(source_of(t, "catatan"), "Claim.supportingInfo[0].valueString");
  EXPECT_EQ(source_of(t, "diagAwal"), "Claim.diagnosis[0].diagnosisCodeableConcept.coding[0].code");
  EXPECT_EQ(source_of(t, "jaminan.lakaLantas"), "Claim.accident.type.coding[0].code");
  EXPECT_EQ(source_of(t, "jaminan.noLP"), "Claim.accident.extension(bpjs-no-lp).valueString");
  EXPECT_EQ(source_of(t, "skdp.noSurat"),
            "Claim.supportingInfo[1].valueReference -> ServiceRequest.identifier[0].value");
  EXPECT_EQ(source_of(t, "skdp.kodeDPJP"),
            "Claim.supportingInfo[1].valueReference -> ServiceRequest.requester -> Practitioner.identifier[0].value");
  EXPECT_EQ(source_of(t, "dpjpLayan"), "default: empty for rawat inap (jnsPelayanan 1)");
  EXPECT_EQ(source_of(t, "ppkPelayanan"), "context.ppk_pelayanan");
  EXPECT_EQ(source_of(t, "user"), "context.user");
  // The trace is in the catalogue's key order.
  ASSERT_FALSE(t.empty());
  EXPECT_EQ(t.front().field, "noKartu");
  EXPECT_EQ(t.back().field, "user");
}

TEST(VclaimSep, DefaultsForAMinimalOutpatientClaim) {
  auto claim = outpatient_claim();
  erase(claim, "/referral");
  erase(claim, "/accident");
  erase(claim, "/supportingInfo");
  erase(claim, "/contained/2/period");
  erase(claim, "/contained/0/telecom");
  const vf::SepContext ctx{"0301R011", "Coba Ws", "2026-03-02"};
  const auto sub = vf::parse_sep_claim(claim, ctx);
  const auto& r = sub.insert;
  EXPECT_EQ(r.tgl_sep, "2026-03-02");
  EXPECT_EQ(source_of(sub.trace, "tglSep"), "context.today");
  EXPECT_EQ(r.jns_pelayanan, "2");
  EXPECT_EQ(r.poli.tujuan, "INT");
  EXPECT_EQ(r.kls_rawat.kls_rawat_naik, "");
  EXPECT_EQ(r.kls_rawat.pembiayaan, "");
  EXPECT_EQ(r.kls_rawat.penanggung_jawab, "");
  EXPECT_EQ(r.rujukan.no_rujukan, "");
  EXPECT_EQ(r.rujukan.asal_rujukan, "");
  EXPECT_EQ(source_of(sub.trace, "rujukan.noRujukan"), "default: no Claim.referral");
  EXPECT_EQ(r.catatan, "");
  EXPECT_EQ(r.poli.eksekutif, "0");
  EXPECT_EQ(r.cob.cob, "0");
  EXPECT_EQ(r.katarak.katarak, "0");
  EXPECT_EQ(source_of(sub.trace, "cob.cob"), "default: no bpjs-cob");
  EXPECT_EQ(r.jaminan.laka_lantas, "0");
  EXPECT_EQ(source_of(sub.trace, "jaminan.lakaLantas"), "default: no Claim.accident");
  EXPECT_EQ(r.jaminan.no_lp, "");
  EXPECT_EQ(r.jaminan.penjamin.suplesi.suplesi, "0");
  EXPECT_EQ(r.tujuan_kunj, "0");
  EXPECT_EQ(source_of(sub.trace, "tujuanKunj"), "default: Normal (no bpjs-tujuan-kunjungan)");
  EXPECT_EQ(r.flag_procedure, "");
  EXPECT_EQ(r.kd_penunjang, "");
  EXPECT_EQ(r.assesment_pel, "");
  EXPECT_EQ(r.skdp.no_surat, "");
  EXPECT_EQ(r.skdp.kode_dpjp, "");
  EXPECT_EQ(r.dpjp_layan, "31574");  // outpatient: the Encounter's DPJP serves
  EXPECT_EQ(source_of(sub.trace, "dpjpLayan"),
            "Claim.item[0].encounter[0] -> Encounter.participant[0].individual -> Practitioner.identifier[0].value");
  EXPECT_EQ(r.no_telp, "");
  EXPECT_EQ(source_of(sub.trace, "noTelp"), "default: no Patient.telecom phone");
}

TEST(VclaimSep, OutpatientWithEveryOptionalPart) {
  auto claim = outpatient_claim();
  set(claim, "/extension",
      R"([{"url":")" EXT R"(bpjs-tujuan-kunjungan","valueCoding":{"system":")" CS R"(tujuan-kunjungan","code":"2"}},
          {"url":")" EXT R"(bpjs-assesment-pelayanan","valueCoding":{"system":")" CS
      R"(assesment-pelayanan","code":"5"}},
          {"url":")" EXT R"(bpjs-poli-eksekutif","valueBoolean":true},
          {"url":")" EXT R"(bpjs-cob","valueBoolean":false},
          {"url":")" EXT R"(bpjs-katarak","valueBoolean":true}])");
  set(claim, "/accident",
      R"({"date":"2021-07-29","type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActIncidentCode","code":"MVA"}]},
          "extension":[{"url":")" EXT R"(bpjs-no-lp","valueString":"LP/123/VII/2021"},
            {"url":")" EXT R"(bpjs-keterangan-kejadian","valueString":"tabrakan motor"},
            {"url":")" EXT R"(bpjs-lokasi-laka","extension":[
              {"url":"propinsi","valueCoding":{"system":")" CS R"(propinsi","code":"03"}},
              {"url":"kabupaten","valueCoding":{"system":")" CS R"(kabupaten","code":"0301"}},
              {"url":"kecamatan","valueCoding":{"system":")" CS R"(kecamatan","code":"030101"}}]}]})");
  set(claim, "/related",
      R"([{"relationship":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/ex-relatedclaimrelationship","code":"prior"}]},
           "reference":{"system":"https://fhir.simpul.id/sid/bpjs-no-sep","value":"0301R0110721V000007"}}])");
  const auto sub = vf::parse_sep_claim(claim, kContext);
  const auto& r = sub.insert;
  EXPECT_EQ(r.tujuan_kunj, "2");
  EXPECT_EQ(r.assesment_pel, "5");
  EXPECT_EQ(r.poli.eksekutif, "1");
  EXPECT_EQ(r.cob.cob, "0");
  EXPECT_EQ(r.katarak.katarak, "1");
  EXPECT_EQ(r.jaminan.laka_lantas, "1");
  EXPECT_EQ(source_of(sub.trace, "jaminan.lakaLantas"), "Claim.accident.type.coding(MVA)");
  EXPECT_EQ(r.jaminan.no_lp, "LP/123/VII/2021");
  EXPECT_EQ(r.jaminan.penjamin.tgl_kejadian, "2021-07-29");
  EXPECT_EQ(r.jaminan.penjamin.keterangan, "tabrakan motor");
  EXPECT_EQ(r.jaminan.penjamin.suplesi.suplesi, "1");
  EXPECT_EQ(r.jaminan.penjamin.suplesi.no_sep_suplesi, "0301R0110721V000007");
  EXPECT_EQ(r.jaminan.penjamin.suplesi.lokasi_laka.kd_propinsi, "03");
  EXPECT_EQ(r.jaminan.penjamin.suplesi.lokasi_laka.kd_kabupaten, "0301");
  EXPECT_EQ(r.jaminan.penjamin.suplesi.lokasi_laka.kd_kecamatan, "030101");
  EXPECT_EQ(r.dpjp_layan, "31574");
  EXPECT_EQ(r.skdp.kode_dpjp, "31574");
  EXPECT_EQ(traced(sub.trace), wire_fields(b::to_json(r)));

  // A work accident (WPA) is 3; a procedure visit carries its flag and supporting service.
  set(claim, "/accident/type",
      R"({"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActIncidentCode","code":"WPA"}]})");
  set(claim, "/extension",
      R"([{"url":")" EXT R"(bpjs-tujuan-kunjungan","valueCoding":{"system":")" CS R"(tujuan-kunjungan","code":"1"}},
          {"url":")" EXT R"(bpjs-flag-procedure","valueCoding":{"system":")" CS R"(flag-procedure","code":"1"}},
          {"url":")" EXT R"(bpjs-penunjang","valueCoding":{"system":")" CS R"(penunjang","code":"12"}}])");
  const auto proc = vf::parse_sep_claim(claim, kContext);
  EXPECT_EQ(proc.insert.jaminan.laka_lantas, "3");
  EXPECT_EQ(proc.insert.tujuan_kunj, "1");
  EXPECT_EQ(proc.insert.flag_procedure, "1");
  EXPECT_EQ(proc.insert.kd_penunjang, "12");
  EXPECT_EQ(proc.insert.assesment_pel, "");
}

TEST(VclaimSep, CardNumberFromTheCoverageOrALogicalPatientReference) {
  auto claim = catalogue_claim();
  erase(claim, "/contained/0/identifier/0");  // the Patient has only the MR now
  auto sub = vf::parse_sep_claim(claim, kContext);
  EXPECT_EQ(sub.insert.no_kartu, "0001105689835");
  EXPECT_EQ(source_of(sub.trace, "noKartu"), "Claim.insurance[0].coverage -> Coverage.subscriberId");

  set(claim, "/patient/identifier", R"({"system":"https://fhir.simpul.id/sid/bpjs-no-kartu","value":"0009999999999"})");
  sub = vf::parse_sep_claim(claim, kContext);
  EXPECT_EQ(sub.insert.no_kartu, "0009999999999");
  EXPECT_EQ(source_of(sub.trace, "noKartu"), "Claim.patient.identifier.value");
}

TEST(VclaimSep, BundleInputGivesTheSameRequest) {
  const auto contained = vf::parse_sep_claim(catalogue_claim(), kContext);
  for (const bool urn : {false, true}) {
    const auto bundle = parse(as_bundle(catalogue_claim(), urn));
    const auto sub = vf::parse_sep_claim(bundle, kContext);
    EXPECT_EQ(b::to_json(sub.insert), kCatalogueInsert) << (urn ? "urn:uuid" : "Type/id");
    EXPECT_EQ(sub.claim_identifier, contained.claim_identifier);
    EXPECT_EQ(traced(sub.trace), traced(contained.trace));
  }
  // Errors name the Bundle entry the element is in.
  auto bundle = parse(as_bundle(catalogue_claim()));
  erase(bundle, "/entry/3/resource/class");
  EXPECT_EQ(error_expression(bundle), "Bundle.entry[3].resource.class");
  bundle = parse(as_bundle(catalogue_claim()));
  set(bundle, "/entry/0/resource/item/0/encounter/0/reference", R"("Encounter/other")");
  EXPECT_EQ(error_expression(bundle), "Claim.item[0].encounter[0].reference");
  // A batch or transaction Bundle reads the same way.
  bundle = parse(as_bundle(catalogue_claim()));
  set(bundle, "/type", R"("transaction")");
  EXPECT_EQ(b::to_json(vf::parse_sep_claim(bundle, kContext).insert), kCatalogueInsert);
}

TEST(VclaimSep, ClaimIdentifier) {
  auto claim = catalogue_claim();
  set(claim, "/identifier", R"([{"value":"SEP-RI-1"}])");
  EXPECT_EQ(vf::parse_sep_claim(claim, kContext).claim_identifier, "|SEP-RI-1");
  erase(claim, "/identifier");
  EXPECT_EQ(vf::parse_sep_claim(claim, kContext).claim_identifier, "");
}

// ---------------------------------------------------------------- errors

struct BadCase {
  const char* name;
  std::function<void(rapidjson::Document&)> edit;
  const char* expression;
};

TEST(VclaimSep, EveryRuleIsA400NamingTheElement) {
  auto ext = [](const char* name, const char* system, const char* code) {
    return std::string(R"({"url":")" EXT) + name + R"(","valueCoding":{"system":")" CS + system + R"(","code":")" +
           code + R"("}})";
  };
  const std::vector<BadCase> cases = {
      {"not a Claim", [](auto& d) { set(d, "/resourceType", R"("Patient")"); }, "resourceType"},
      {"no use", [](auto& d) { erase(d, "/use"); }, "Claim.use"},
      {"use claim", [](auto& d) { set(d, "/use", R"("claim")"); }, "Claim.use"},
      {"use a number", [](auto& d) { set(d, "/use", "5"); }, "Claim.use"},
      {"status entered-in-error", [](auto& d) { set(d, "/status", R"("entered-in-error")"); }, "Claim.status"},
      {"no card",
       [](auto& d) {
         erase(d, "/contained/0/identifier/0");
         erase(d, "/contained/1/subscriberId");
       },
       "Claim.patient"},
      {"card not 13 to 15 digits", [](auto& d) { set(d, "/contained/0/identifier/0/value", R"("12345")"); },
       "Claim.contained[0].identifier[0].value"},
      {"card with letters", [](auto& d) { set(d, "/contained/0/identifier/0/value", R"("000110568983X")"); },
       "Claim.contained[0].identifier[0].value"},
      {"patient not resolvable", [](auto& d) { set(d, "/patient/reference", R"("Patient/elsewhere")"); },
       "Claim.patient.reference"},
      {"no Encounter", [](auto& d) { erase(d, "/item"); }, "Claim.item[0].encounter"},
      {"Encounter reference to nothing", [](auto& d) { set(d, "/item/0/encounter/0/reference", R"("#nope")"); },
       "Claim.item[0].encounter[0].reference"},
      {"Encounter reference to a Patient", [](auto& d) { set(d, "/item/0/encounter/0/reference", R"("#pat")"); },
       "Claim.item[0].encounter[0].reference"},
      {"Encounter logical", [](auto& d) { set(d, "/item/0/encounter/0", R"({"display":"visit"})"); },
       "Claim.item[0].encounter[0]"},
      {"no class", [](auto& d) { erase(d, "/contained/2/class"); }, "Claim.contained[2].class"},
      {"class VR", [](auto& d) { set(d, "/contained/2/class/code", R"("VR")"); }, "Claim.contained[2].class.code"},
      {"class other system", [](auto& d) { set(d, "/contained/2/class/system", R"("urn:x")"); },
       "Claim.contained[2].class.system"},
      {"tglSep partial", [](auto& d) { set(d, "/contained/2/period/start", R"("2021-07")"); },
       "Claim.contained[2].period.start"},
      {"tglSep after today", [](auto& d) { set(d, "/contained/2/period/start", R"("2021-07-31")"); },
       "Claim.contained[2].period.start"},
      {"outpatient without poli", [](auto& d) { set(d, "/contained/2/class/code", R"("AMB")"); },
       "Claim.contained[2].serviceType"},
      {"poli with spaces",
       [](auto& d) {
         set(d, "/contained/2/serviceType",
             R"({"coding":[{"system":"https://fhir.simpul.id/CodeSystem/bpjs-poli","code":"I N T"}]})");
       },
       "Claim.contained[2].serviceType.coding[0].code"},
      {"DPJP not digits", [](auto& d) { set(d, "/contained/3/identifier/0/value", R"("dr-A")"); },
       "Claim.contained[3].identifier[0].value"},
      {"no diagnosis", [](auto& d) { erase(d, "/diagnosis"); }, "Claim.diagnosis"},
      {"diagnosis without code", [](auto& d) { set(d, "/diagnosis/0", R"({"sequence":1})"); }, "Claim.diagnosis[0]"},
      {"diagnosis not ICD-10",
       [](auto& d) { set(d, "/diagnosis/0/diagnosisCodeableConcept/coding/0/system", R"("http://snomed.info/sct")"); },
       "Claim.diagnosis[0].diagnosisCodeableConcept.coding"},
      {"diagnosis malformed", [](auto& d) { set(d, "/diagnosis/0/diagnosisCodeableConcept/coding/0/code", R"("E1")"); },
       "Claim.diagnosis[0].diagnosisCodeableConcept.coding[0].code"},
      {"no referral origin", [](auto& d) { erase(d, "/contained/4/extension"); }, "Claim.contained[4].extension"},
      {"referral origin 3", [](auto& d) { set(d, "/contained/4/extension/0/valueCoding/code", R"("3")"); },
       "Claim.contained[4].extension[0].valueCoding.code"},
      {"referral origin other system",
       [](auto& d) { set(d, "/contained/4/extension/0/valueCoding/system", R"("urn:x")"); },
       "Claim.contained[4].extension[0].valueCoding.system"},
      {"no referral date", [](auto& d) { erase(d, "/contained/4/authoredOn"); }, "Claim.contained[4].authoredOn"},
      {"referral date partial", [](auto& d) { set(d, "/contained/4/authoredOn", R"("2021")"); },
       "Claim.contained[4].authoredOn"},
      {"no referral number", [](auto& d) { erase(d, "/contained/4/identifier"); }, "Claim.contained[4].identifier"},
      {"referral number with spaces", [](auto& d) { set(d, "/contained/4/identifier/0/value", R"("RJK 001")"); },
       "Claim.contained[4].identifier[0].value"},
      {"no referring facility", [](auto& d) { erase(d, "/contained/4/requester"); }, "Claim.contained[4].requester"},
      {"facility code too short", [](auto& d) { set(d, "/contained/4/requester/identifier/value", R"("0301")"); },
       "Claim.contained[4].requester.identifier.value"},
      {"referral logical only",
       [](auto& d) {
         set(d, "/referral",
             R"({"identifier":{"system":"https://fhir.simpul.id/sid/bpjs-no-rujukan","value":"RJKMR9835001"}})");
       },
       "Claim.referral"},
      {"no room class", [](auto& d) { erase(d, "/contained/1/class"); }, "Claim.contained[1].class"},
      {"room class 4", [](auto& d) { set(d, "/contained/1/class/0/value", R"("4")"); },
       "Claim.contained[1].class[0].value"},
      {"no Coverage", [](auto& d) { erase(d, "/insurance"); }, "Claim.insurance[0].coverage"},
      {"upgrade class 9", [](auto& d) { set(d, "/extension/0/extension/0/valueCoding/code", R"("9")"); },
       "Claim.extension[0].extension[0].valueCoding.code"},
      {"upgrade without payer", [](auto& d) { erase(d, "/extension/0/extension/1"); }, "Claim.extension[0]"},
      {"payer in another system", [](auto& d) { set(d, "/extension/0/extension/1/valueCoding/system", R"("urn:x")"); },
       "Claim.extension[0].extension[1].valueCoding.system"},
      {"payer 4", [](auto& d) { set(d, "/extension/0/extension/1/valueCoding/code", R"("4")"); },
       "Claim.extension[0].extension[1].valueCoding.code"},
      {"no medical-record number", [](auto& d) { erase(d, "/contained/0/identifier/1"); },
       "Claim.contained[0].identifier"},
      {"accident kind 5", [](auto& d) { set(d, "/accident/type/coding/0/code", R"("5")"); },
       "Claim.accident.type.coding[0].code"},
      {"accident without kind", [](auto& d) { erase(d, "/accident/type"); }, "Claim.accident.type"},
      {"traffic accident without date",
       [](auto& d) {
         set(d, "/accident/type/coding/0/code", R"("1")");
         erase(d, "/accident/date");
       },
       "Claim.accident.date"},
      {"traffic accident bad date",
       [](auto& d) {
         set(d, "/accident/type/coding/0/code", R"("1")");
         set(d, "/accident/date", R"("2021-13-01")");
       },
       "Claim.accident.date"},
      {"accident region without coding",
       [](auto& d) {
         set(d, "/accident/type/coding/0/code", R"("2")");
         set(d, "/accident/extension/-",
             R"({"url":")" EXT R"(bpjs-lokasi-laka","extension":[{"url":"propinsi","valueString":"03"}]})");
       },
       "Claim.accident.extension[1].extension[0].valueCoding"},
      {"suplesi without accident",
       [](auto& d) {
         set(d, "/related",
             R"([{"reference":{"system":"https://fhir.simpul.id/sid/bpjs-no-sep","value":"0301R0110721V000007"}}])");
       },
       "Claim.related[0].reference.value"},
      {"tujuanKunj 3", [&](auto& d) { set(d, "/extension/-", ext("bpjs-tujuan-kunjungan", "tujuan-kunjungan", "3")); },
       "Claim.extension[1].valueCoding.code"},
      {"flagProcedure with tujuanKunj 0",
       [&](auto& d) { set(d, "/extension/-", ext("bpjs-flag-procedure", "flag-procedure", "1")); },
       "Claim.extension[1].valueCoding.code"},
      {"kdPenunjang with tujuanKunj 0",
       [&](auto& d) { set(d, "/extension/-", ext("bpjs-penunjang", "penunjang", "7")); },
       "Claim.extension[1].valueCoding.code"},
      {"kdPenunjang 13",
       [&](auto& d) {
         set(d, "/extension/-", ext("bpjs-tujuan-kunjungan", "tujuan-kunjungan", "1"));
         set(d, "/extension/-", ext("bpjs-penunjang", "penunjang", "13"));
       },
       "Claim.extension[2].valueCoding.code"},
      {"procedure without flag",
       [&](auto& d) {
         set(d, "/extension/-", ext("bpjs-tujuan-kunjungan", "tujuan-kunjungan", "1"));
         set(d, "/extension/-", ext("bpjs-penunjang", "penunjang", "7"));
       },
       "Claim.extension"},
      {"procedure without supporting service",
       [&](auto& d) {
         set(d, "/extension/-", ext("bpjs-tujuan-kunjungan", "tujuan-kunjungan", "1"));
         set(d, "/extension/-", ext("bpjs-flag-procedure", "flag-procedure", "0"));
       },
       "Claim.extension"},
      {"consultation without assessment",
       [&](auto& d) { set(d, "/extension/-", ext("bpjs-tujuan-kunjungan", "tujuan-kunjungan", "2")); },
       "Claim.extension"},
      {"assessment for a procedure",
       [&](auto& d) {
         set(d, "/extension/-", ext("bpjs-tujuan-kunjungan", "tujuan-kunjungan", "1"));
         set(d, "/extension/-", ext("bpjs-flag-procedure", "flag-procedure", "0"));
         set(d, "/extension/-", ext("bpjs-penunjang", "penunjang", "7"));
         set(d, "/extension/-", ext("bpjs-assesment-pelayanan", "assesment-pelayanan", "1"));
       },
       "Claim.extension[4].valueCoding.code"},
      {"assessment 6",
       [&](auto& d) {
         set(d, "/extension/-", ext("bpjs-tujuan-kunjungan", "tujuan-kunjungan", "2"));
         set(d, "/extension/-", ext("bpjs-assesment-pelayanan", "assesment-pelayanan", "6"));
       },
       "Claim.extension[2].valueCoding.code"},
      {"flag without valueBoolean",
       [](auto& d) { set(d, "/extension/-", R"({"url":")" EXT R"(bpjs-cob","valueString":"ya"})"); },
       "Claim.extension[1].valueBoolean"},
      {"flag as a string",
       [](auto& d) { set(d, "/extension/-", R"({"url":")" EXT R"(bpjs-katarak","valueBoolean":"1"})"); },
       "Claim.extension[1].valueBoolean"},
      {"surat without DPJP",
       [](auto& d) {
         erase(d, "/contained/5/requester");
         erase(d, "/contained/2/participant");
       },
       "Claim.contained[5].identifier[0].value"},
      {"surat number with symbols", [](auto& d) { set(d, "/contained/5/identifier/0/value", R"("K/000021")"); },
       "Claim.contained[5].identifier[0].value"},
      {"noSep not 19", [](auto& d) { set(d, "/insurance/0/preAuthRef", R"(["0301R011"])"); },
       "Claim.insurance[0].preAuthRef[0]"},
      {"noSep a number", [](auto& d) { set(d, "/insurance/0/preAuthRef", "[5]"); }, "Claim.insurance[0].preAuthRef[0]"},
      {"cancel without noSep", [](auto& d) { set(d, "/status", R"("cancelled")"); }, "Claim.insurance[0].preAuthRef"},
      {"identifier not an array", [](auto& d) { set(d, "/contained/0/identifier", R"("x")"); },
       "Claim.contained[0].identifier"},
      {"identifier element a string", [](auto& d) { set(d, "/contained/0/identifier/0", R"("x")"); },
       "Claim.contained[0].identifier[0]"},
      {"diagnosis not an array", [](auto& d) { set(d, "/diagnosis", R"({"sequence":1})"); }, "Claim.diagnosis"},
  };
  for (const BadCase& c : cases) {
    auto doc = catalogue_claim();
    c.edit(doc);
    EXPECT_EQ(error_expression(doc), c.expression) << c.name;
  }

  // Not a Claim nor a Bundle with the Claim first.
  EXPECT_EQ(error_expression(parse("[]")), "resourceType");
  EXPECT_EQ(error_expression(parse(R"({"resourceType":"Bundle","type":"collection"})")), "Bundle.entry[0].resource");
  EXPECT_EQ(error_expression(parse(R"({"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Patient"}}]})")),
            "Bundle.entry[0].resource");
}

TEST(VclaimSep, MissingContextIsAServerError) {
  const auto claim = catalogue_claim();
  for (const vf::SepContext& ctx :
       {vf::SepContext{"", "Coba Ws", "2021-07-30"}, vf::SepContext{"0301R011", "", "2021-07-30"}}) {
    try {
      vf::parse_sep_claim(claim, ctx);
      ADD_FAILURE() << "no error";
    } catch (const Error& e) {
      EXPECT_EQ(e.status(), 500);
    }
  }
}

// ---------------------------------------------------------------- update, cancel

TEST(VclaimSep, PreAuthRefMakesAnUpdateWithOnlyTheUpdatesFields) {
  auto claim = catalogue_claim();
  set(claim, "/insurance/0/preAuthRef", R"(["0301R0110721V000001"])");
  const auto sub = vf::parse_sep_claim(claim, kContext);
  EXPECT_EQ(sub.action, vf::SepAction::update);
  EXPECT_EQ(vf::to_string(sub.action), "update");
  EXPECT_EQ(sub.no_kartu, "0001105689835");
  const std::string json = b::to_json(sub.update);
  EXPECT_EQ(json,
            R"({"request":{"t_sep":{"noSep":"0301R0110721V000001","klsRawat":{"klsRawatHak":"2","klsRawatNaik":"1",)"
            R"("pembiayaan":"1","penanggungJawab":"Pribadi"},"noMR":"MR9835","catatan":"testinsert RI",)"
            R"("diagAwal":"E10","poli":{"tujuan":"","eksekutif":"0"},"cob":{"cob":"0"},"katarak":{"katarak":"0"},)"
            R"("jaminan":{"lakaLantas":"0","penjamin":{"tglKejadian":"","keterangan":"","suplesi":{"suplesi":"0",)"
            R"("noSepSuplesi":"","lokasiLaka":{"kdPropinsi":"","kdKabupaten":"","kdKecamatan":""}}}},)"
            R"("dpjpLayan":"","noTelp":"081111111101","user":"Coba Ws"}}})");
  EXPECT_EQ(traced(sub.trace), wire_fields(json));
  EXPECT_EQ(source_of(sub.trace, "noSep"), "Claim.insurance[0].preAuthRef[0]");
  EXPECT_EQ(sub.trace.front().field, "noSep");
  EXPECT_EQ(b::to_json(sub.insert), b::to_json(b::SepRequest{}));  // only the update is filled

  // The update needs no referral, and an outpatient update still sends the DPJP.
  auto rj = outpatient_claim();
  set(rj, "/insurance/0/preAuthRef", R"(["0301R0110721V000001"])");
  erase(rj, "/referral");
  const auto upd = vf::parse_sep_claim(rj, kContext);
  EXPECT_EQ(upd.update.poli.tujuan, "INT");
  EXPECT_EQ(upd.update.dpjp_layan, "31574");
  EXPECT_EQ(traced(upd.trace), wire_fields(b::to_json(upd.update)));
}

TEST(VclaimSep, CancelledStatusDeletes) {
  auto claim = catalogue_claim();
  set(claim, "/insurance/0/preAuthRef", R"(["0301R0110721V000001"])");
  set(claim, "/status", R"("cancelled")");
  auto sub = vf::parse_sep_claim(claim, kContext);
  EXPECT_EQ(sub.action, vf::SepAction::cancel);
  EXPECT_EQ(vf::to_string(sub.action), "cancel");
  EXPECT_EQ(b::to_json(sub.cancel), R"({"request":{"t_sep":{"noSep":"0301R0110721V000001","user":"Coba Ws"}}})");
  EXPECT_EQ(traced(sub.trace), wire_fields(b::to_json(sub.cancel)));
  EXPECT_EQ(sub.no_kartu, "0001105689835");

  // A cancel needs nothing else: a bare Claim with the number does it.
  const auto bare = parse(R"({"resourceType":"Claim","status":"cancelled","use":"preauthorization",
      "patient":{"reference":"Patient/somewhere"},"insurance":[{"sequence":1,"focal":true,
      "coverage":{"display":"JKN"},"preAuthRef":["0301R0110721V000001"]}]})");
  sub = vf::parse_sep_claim(bare, kContext);
  EXPECT_EQ(sub.action, vf::SepAction::cancel);
  EXPECT_EQ(sub.cancel.no_sep, "0301R0110721V000001");
  EXPECT_EQ(sub.no_kartu, "");
}

// ---------------------------------------------------------------- hostile input

namespace {

void pointers(const rapidjson::Value& v, const std::string& at, std::vector<std::string>& out) {
  if (!at.empty()) out.push_back(at);
  if (v.IsObject()) {
    for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) pointers(m->value, at + "/" + m->name.GetString(), out);
  } else if (v.IsArray()) {
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) pointers(v[i], at + "/" + std::to_string(i), out);
  }
}

// Parses and returns normally or with a 400: anything else fails the test.
void expect_no_crash(const rapidjson::Value& input, const std::string& what) {
  try {
    const auto sub = vf::parse_sep_claim(input, kContext);
    (void)b::to_json(sub.insert);
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), 400) << what << ": " << e.internal();
  } catch (const std::exception& e) {
    ADD_FAILURE() << what << ": " << e.what();
  }
}

}  // namespace

TEST(VclaimSep, WrongJsonTypesEverywhereAreA400NeverACrash) {
  const std::vector<std::string> replacements = {"5",  "-1.5", R"("")", R"("x")", "[]",
                                                 "{}", "null", "true",  "[1,{}]", R"([{"a":null}])"};
  for (const std::string& form :
       {std::string(kCatalogueClaim), as_bundle(catalogue_claim()), as_bundle(catalogue_claim(), true)}) {
    const auto original = parse(form);
    std::vector<std::string> all;
    pointers(original, "", all);
    ASSERT_GT(all.size(), 100u);
    for (const std::string& p : all) {
      for (const std::string& r : replacements) {
        rapidjson::Document doc;
        doc.CopyFrom(original, doc.GetAllocator());
        set(doc, p.c_str(), r);
        expect_no_crash(doc, p + " = " + r);
      }
      rapidjson::Document doc;
      doc.CopyFrom(original, doc.GetAllocator());
      rapidjson::Pointer(p.c_str()).Erase(doc);
      expect_no_crash(doc, "without " + p);
    }
  }
  for (const char* top : {"5", "\"Claim\"", "[]", "null", "{}", R"({"resourceType":5})"}) {
    expect_no_crash(parse(top), top);
  }
}

TEST(VclaimSep, HugeArraysAreFine) {
  auto claim = catalogue_claim();
  std::string ids = "[";
  for (int i = 0; i < 100000; ++i) ids += R"({"system":"urn:x","value":"v"},)";
  ids += R"({"system":"https://fhir.simpul.id/sid/bpjs-no-kartu","value":"0001105689835"},)";
  ids +=
      R"({"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR"}]},"value":"MR9835"}])";
  set(claim, "/contained/0/identifier", ids);
  std::string infos = "[";
  for (int i = 0; i < 50000; ++i) infos += R"({"sequence":1,"category":{"text":"x"}},)";
  infos += R"({"sequence":2,)" INFO R"(,"valueString":"testinsert RI"},{"sequence":3,)" INFO
           R"(,"valueReference":{"reference":"#spri"}}])";
  set(claim, "/supportingInfo", infos);
  EXPECT_EQ(b::to_json(vf::parse_sep_claim(claim, kContext).insert), kCatalogueInsert);

  // A Bundle with many entries before the ones referenced.
  std::string bundle = as_bundle(catalogue_claim());
  std::string filler;
  for (int i = 0; i < 20000; ++i)
    filler += R"({"fullUrl":"urn:uuid:x)" + std::to_string(i) + R"(","resource":{"resourceType":"Basic"}},)";
  bundle.insert(bundle.find(R"({"fullUrl":"https://rs.example)"), filler);
  EXPECT_EQ(b::to_json(vf::parse_sep_claim(parse(bundle), kContext).insert), kCatalogueInsert);
}

// ---------------------------------------------------------------- ClaimResponse

TEST(VclaimSep, ClaimResponseForACreatedSep) {
  const auto sub = vf::parse_sep_claim(catalogue_claim(), kContext);
  const auto sep = b::parse_sep(kCatalogueResponse);
  ASSERT_TRUE(sep) << sep.error().text();
  const auto doc = vf::claim_response_from_sep(*sep, sub, "2023-03-30T10:00:00+07:00");
  const std::string json = simpul::fhir::to_json(doc);
  EXPECT_EQ(std::string(doc["resourceType"].GetString()), "ClaimResponse");
  EXPECT_EQ(std::string(doc["id"].GetString()), "0301R0010323V000039");
  EXPECT_EQ(std::string(doc["status"].GetString()), "active");
  EXPECT_EQ(std::string(doc["use"].GetString()), "preauthorization");
  EXPECT_EQ(std::string(doc["outcome"].GetString()), "complete");
  EXPECT_EQ(std::string(doc["preAuthRef"].GetString()), "0301R0010323V000039");
  EXPECT_EQ(std::string(doc["identifier"][0]["system"].GetString()), vf::kNoSepSystem);
  EXPECT_EQ(std::string(doc["request"]["identifier"]["value"].GetString()), "SEP-RI-1");
  EXPECT_EQ(std::string(doc["request"]["identifier"]["system"].GetString()), "https://rs.example/claim");
  EXPECT_EQ(std::string(doc["patient"]["reference"].GetString()), "#patient");
  EXPECT_EQ(std::string(doc["contained"][0]["gender"].GetString()), "female");
  EXPECT_EQ(std::string(doc["contained"][0]["identifier"][0]["value"].GetString()), "0002802875185");
  EXPECT_EQ(std::string(doc["insurer"]["reference"].GetString()), "#bpjs");
  EXPECT_EQ(std::string(doc["created"].GetString()), "2023-03-30T10:00:00+07:00");
  EXPECT_EQ(std::string(doc["preAuthPeriod"]["start"].GetString()), "2023-03-30");
  EXPECT_EQ(std::string(doc["subType"]["coding"][0]["code"].GetString()), "2");
  EXPECT_EQ(std::string(doc["requestor"]["identifier"]["value"].GetString()), "0301R011");
  EXPECT_EQ(std::string(doc["processNote"][0]["text"].GetString()), "testinsert RJ");
  EXPECT_NE(json.find(R"("code":"INT","display":"PENYAKIT DALAM")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("system":"http://hl7.org/fhir/sid/icd-10","code":"A15","display":"Respiratory)"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find(R"(bpjs-poli-eksekutif","valueBoolean":false)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"(bpjs-esep","valueBoolean":true)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("code":"2","display":"Konsul Dokter")"), std::string::npos) << json;
  EXPECT_EQ(json.find(R"("")"), std::string::npos) << json;   // no empty strings
  EXPECT_EQ(json.find(R"("-")"), std::string::npos) << json;  // BPJS's "-" placeholders are left out
}

TEST(VclaimSep, ClaimResponseForAReadAndForAcks) {
  const auto detail = b::parse_sep_detail(kSepDetail);
  ASSERT_TRUE(detail) << detail.error().text();
  const auto read = vf::claim_response_from_sep_detail(*detail, "2026-03-01T09:00:00+07:00");
  const std::string json = simpul::fhir::to_json(read);
  EXPECT_EQ(std::string(read["status"].GetString()), "active");
  EXPECT_EQ(std::string(read["preAuthRef"].GetString()), "0301R0110326V000001");
  EXPECT_EQ(std::string(read["contained"][0]["gender"].GetString()), "male");
  EXPECT_FALSE(read.HasMember("processNote"));  // empty catatan
  EXPECT_NE(json.find(R"(bpjs-dpjp","valueReference":{"type":"Practitioner","identifier":{"system":)"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("value":"31574"},"display":"dr. A")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("code":"0","display":"BKLL")"), std::string::npos) << json;

  auto claim = catalogue_claim();
  set(claim, "/insurance/0/preAuthRef", R"(["0301R0110721V000001"])");
  const auto upd = vf::parse_sep_claim(claim, kContext);
  const auto ack =
      vf::claim_response_for_ack("0301R0110721V000001", vf::SepAction::update, upd, "2021-07-30T09:00:00Z");
  EXPECT_EQ(std::string(ack["status"].GetString()), "active");
  EXPECT_EQ(std::string(ack["disposition"].GetString()), "SEP 0301R0110721V000001 updated");
  EXPECT_EQ(std::string(ack["request"]["identifier"]["value"].GetString()), "SEP-RI-1");

  set(claim, "/status", R"("cancelled")");
  erase(claim, "/identifier");
  const auto del = vf::parse_sep_claim(claim, kContext);
  const auto cancelled =
      vf::claim_response_for_ack("0301R0110721V000001", vf::SepAction::cancel, del, "2021-07-30T09:00:00Z");
  EXPECT_EQ(std::string(cancelled["status"].GetString()), "cancelled");
  EXPECT_EQ(std::string(cancelled["request"]["display"].GetString()), "SEP request as submitted");
}

TEST(VclaimSep, ClaimResponsesAndTheDocumentedClaimShapesValidateAgainstTheR4Schema) {
  std::vector<std::pair<std::string, std::string>> resources;
  const auto sub = vf::parse_sep_claim(catalogue_claim(), kContext);
  const auto sep = b::parse_sep(kCatalogueResponse);
  ASSERT_TRUE(sep);
  resources.emplace_back("created",
                         simpul::fhir::to_json(vf::claim_response_from_sep(*sep, sub, "2023-03-30T10:00:00+07:00")));
  resources.emplace_back("created, empty SEP", simpul::fhir::to_json(vf::claim_response_from_sep(
                                                   b::Sep{}, vf::SepSubmission{}, "2023-03-30T10:00:00Z")));
  const auto detail = b::parse_sep_detail(kSepDetail);
  ASSERT_TRUE(detail);
  resources.emplace_back("read",
                         simpul::fhir::to_json(vf::claim_response_from_sep_detail(*detail, "2026-03-01T09:00:00Z")));
  resources.emplace_back(
      "read, empty", simpul::fhir::to_json(vf::claim_response_from_sep_detail(b::SepDetail{}, "2026-03-01T09:00:00Z")));
  auto claim = catalogue_claim();
  set(claim, "/insurance/0/preAuthRef", R"(["0301R0110721V000001"])");
  const auto upd = vf::parse_sep_claim(claim, kContext);
  resources.emplace_back("update ack", simpul::fhir::to_json(vf::claim_response_for_ack(
                                           "0301R0110721V000001", vf::SepAction::update, upd, "2021-07-30T09:00:00Z")));
  resources.emplace_back("cancel ack", simpul::fhir::to_json(vf::claim_response_for_ack(
                                           "0301R0110721V000001", vf::SepAction::cancel, {}, "2021-07-30T09:00:00Z")));
  // The request shapes this file documents are valid R4 too.
  resources.emplace_back("catalogue Claim", std::string(kCatalogueClaim));
  resources.emplace_back("catalogue Bundle", as_bundle(catalogue_claim()));
  resources.emplace_back("catalogue Bundle (urn:uuid)", as_bundle(catalogue_claim(), true));
  {
    auto rj = outpatient_claim();
    set(rj, "/extension",
        R"([{"url":")" EXT R"(bpjs-tujuan-kunjungan","valueCoding":{"system":")" CS R"(tujuan-kunjungan","code":"2"}},
            {"url":")" EXT R"(bpjs-assesment-pelayanan","valueCoding":{"system":")" CS
        R"(assesment-pelayanan","code":"5"}},
            {"url":")" EXT R"(bpjs-cob","valueBoolean":false}])");
    set(rj, "/accident",
        R"({"date":"2021-07-29","type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActIncidentCode","code":"MVA"}]},
            "extension":[{"url":")" EXT R"(bpjs-lokasi-laka","extension":[
              {"url":"propinsi","valueCoding":{"system":")" CS R"(propinsi","code":"03"}}]}]})");
    set(rj, "/related",
        R"([{"reference":{"system":"https://fhir.simpul.id/sid/bpjs-no-sep","value":"0301R0110721V000007"}}])");
    ASSERT_NO_THROW(vf::parse_sep_claim(rj, kContext));
    resources.emplace_back("outpatient Claim", simpul::fhir::to_json(rj));
  }
  std::vector<std::string> bodies;
  for (const auto& [name, body] : resources) bodies.push_back(body);
  const auto verdicts = simpul::testing::mappings::schema_verdicts("vclaim-sep", bodies);
  ASSERT_EQ(verdicts.size(), bodies.size());
  for (std::size_t i = 0; i < verdicts.size(); ++i) {
    EXPECT_EQ(verdicts[i], "ok") << resources[i].first << ": " << resources[i].second;
  }
}

// ---------------------------------------------------------------- reconciliation

TEST(VclaimSep, HistoriMatchesTheSepARequestWouldCreate) {
  const auto sub = vf::parse_sep_claim(catalogue_claim(), kContext);
  b::HistoriPelayanan h;
  h.no_kartu = "0001105689835";
  h.tgl_sep = "2021-07-30";
  h.jns_pelayanan = "1";
  h.no_rujukan = "RJKMR9835001";
  h.no_sep = "0301R0110721V000001";
  EXPECT_TRUE(vf::histori_matches(h, sub.insert));
  h.jns_pelayanan = "R.Inap";
  EXPECT_TRUE(vf::histori_matches(h, sub.insert));
  auto other = h;
  other.jns_pelayanan = "2";
  EXPECT_FALSE(vf::histori_matches(other, sub.insert));
  other = h;
  other.tgl_sep = "2021-07-29";
  EXPECT_FALSE(vf::histori_matches(other, sub.insert));
  other = h;
  other.no_kartu = "0001105689836";
  EXPECT_FALSE(vf::histori_matches(other, sub.insert));
  other = h;
  other.no_rujukan = "RJKMR9835002";
  EXPECT_FALSE(vf::histori_matches(other, sub.insert));
  EXPECT_FALSE(vf::histori_matches(b::HistoriPelayanan{}, b::SepRequest{}));
}
