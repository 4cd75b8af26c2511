// FHIR puskesmas encounter Bundle -> P-Care pendaftaran + kunjungan, and the P-Care answer classification.
#include <chrono>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/pointer.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "fhir/error.hpp"
#include "mappings/pcare_fhir/encounter.hpp"
#include "tests/mappings/schema_oracle.hpp"

namespace pf = simpul::mappings::pcare_fhir;
namespace b = simpul::mappings::bpjs;
using simpul::fhir::Error;

namespace {

std::string example_text() {
  return simpul::testing::mappings::read_text(std::filesystem::path(SIMPUL_SOURCE_DIR) /
                                              "docs/examples/puskesmas-encounter-bundle.json");
}

rapidjson::Document example() {
  rapidjson::Document d;
  d.Parse(example_text().c_str());
  EXPECT_FALSE(d.HasParseError());
  return d;
}

pf::PcareContext context() {
  pf::PcareContext c;
  c.kd_provider = "17040101";
  c.today = "2026-03-02";
  return c;
}

std::string dump(const rapidjson::Value& v) {
  rapidjson::StringBuffer s;
  rapidjson::Writer<rapidjson::StringBuffer> w(s);
  v.Accept(w);
  return s.GetString();
}

// The error a mutated example gives (status and first expression); "ok" when it maps.
std::string error_of(const rapidjson::Value& doc, const pf::PcareContext& ctx = context()) {
  try {
    pf::parse_pcare_bundle(doc, ctx);
    return "ok";
  } catch (const Error& e) {
    std::string expr = e.issues().empty() || e.issues()[0].expression.empty() ? "" : e.issues()[0].expression[0];
    return std::to_string(e.status()) + " " + expr;
  }
}

constexpr std::string_view kPendaftaran =
    R"({"kdProviderPeserta":"0114U003","tglDaftar":"02-03-2026","noKartu":"0001234567890","kdPoli":"001",)"
    R"("keluhan":"Pusing dan tengkuk terasa berat sejak 3 hari","kunjSakit":true,"sistole":160,"diastole":95,)"
    R"("beratBadan":68.5,"tinggiBadan":155,"respRate":20,"heartRate":88,"lingkarPerut":92,"rujukBalik":0,)"
    R"("kdTkp":"10"})";

constexpr std::string_view kKunjungan =
    R"({"noKunjungan":null,"noKartu":"0001234567890","tglDaftar":"02-03-2026","kdPoli":"001",)"
    R"("keluhan":"Pusing dan tengkuk terasa berat sejak 3 hari","kdSadar":"01","sistole":160,"diastole":95,)"
    R"("beratBadan":68.5,"tinggiBadan":155,"respRate":20,"heartRate":88,"lingkarPerut":92,"kdStatusPulang":"4",)"
    R"("tglPulang":"02-03-2026","kdDokter":"290001","kdDiag1":"I10","kdDiag2":"E11.9","kdDiag3":null,)"
    R"("kdPoliRujukInternal":null,"rujukLanjut":{"tglEstRujuk":"04-03-2026","kdppk":"0114R005",)"
    R"("subSpesialis":{"kdSubSpesialis1":"26","kdSarana":"1"},"khusus":null},"kdTacc":-1,"alasanTacc":null,)"
    R"("anamnesa":"Pusing 3 hari, riwayat hipertensi 2 tahun, minum obat tidak teratur","alergiMakan":"00",)"
    R"("alergiUdara":"00","alergiObat":"00","kdPrognosa":"01",)"
    R"("terapiObat":"Amlodipine 10 mg Tablet 1 x 1 tablet sehari; Metformin 500 mg Tablet 2 x 1 tablet sesudah makan",)"
    R"("terapiNonObat":"Edukasi diet rendah garam dan gula","bmhp":"","suhu":"36,6"})";

}  // namespace

// ---------------------------------------------------------------- the example, field by field

TEST(PcareEncounter, ExampleBundleIsValidFhir) {
  const auto verdicts = simpul::testing::mappings::schema_verdicts("pcare-example", {dump(example())});
  ASSERT_EQ(verdicts.size(), 1u);
  EXPECT_EQ(verdicts[0], "ok");
}

TEST(PcareEncounter, ExampleMapsToExactPcareJson) {
  const auto doc = example();
  const pf::PcareSubmission s = pf::parse_pcare_bundle(doc, context());
  EXPECT_EQ(b::to_json(s.pendaftaran), kPendaftaran);
  EXPECT_EQ(b::to_json(s.kunjungan), kKunjungan);
  EXPECT_EQ(s.encounter_identifier, "http://sys-ids.kemkes.go.id/encounter/10000004|RJ-2026-03-02-0042");
  EXPECT_EQ(s.bundle_identifier, "http://sys-ids.kemkes.go.id/bundle/10000004|BDL-2026-03-02-0042");
  EXPECT_EQ(s.no_kartu, "0001234567890");
  EXPECT_EQ(s.tgl_daftar, "02-03-2026");
  EXPECT_EQ(s.contact, pf::Contact::langsung);
  EXPECT_TRUE(s.referred);
  EXPECT_TRUE(s.notes.empty());
  // The wire models read it back (round trip through the P-Care parser).
  ASSERT_TRUE(b::parse_kunjungan_request(b::to_json(s.kunjungan)).ok());
  ASSERT_TRUE(b::parse_pendaftaran_request(b::to_json(s.pendaftaran)).ok());
}

// Every key P-Care receives has exactly one trace entry with a source, in wire order.
TEST(PcareEncounter, TraceCoversEveryWireField) {
  const auto doc = example();
  const pf::PcareSubmission s = pf::parse_pcare_bundle(doc, context());
  const auto keys = [](std::string_view json) {
    rapidjson::Document d;
    d.Parse(json.data(), json.size());
    std::vector<std::string> out;
    for (auto& m : d.GetObject()) {
      const std::string k = m.name.GetString();
      if (m.value.IsObject()) {
        for (auto& n : m.value.GetObject()) {
          const std::string kk = k + "." + n.name.GetString();
          if (n.value.IsObject()) {
            for (auto& o : n.value.GetObject()) out.push_back(kk + "." + o.name.GetString());
          } else {
            out.push_back(kk);
          }
        }
      } else {
        out.push_back(k);
      }
    }
    return out;
  };
  const auto fields = [](const pf::Trace& t) {
    std::vector<std::string> out;
    for (const auto& f : t) {
      EXPECT_FALSE(f.source.empty()) << f.field;
      out.push_back(f.field);
    }
    return out;
  };
  EXPECT_EQ(fields(s.pendaftaran_trace), keys(b::to_json(s.pendaftaran)));
  EXPECT_EQ(fields(s.kunjungan_trace), keys(b::to_json(s.kunjungan)));
  for (const auto& f : s.kunjungan_trace) {
    if (f.field == "kdDiag1") {
      EXPECT_EQ(f.source, "Encounter.diagnosis[1].condition -> Condition.code.coding[0].code");
    }
    if (f.field == "kdDokter") {
      EXPECT_EQ(f.source, "Encounter.participant[0].individual -> Practitioner.identifier[1].value");
    }
    if (f.field == "sistole") {
      EXPECT_EQ(f.source, "Observation(Bundle.entry[6].resource).component[0].valueQuantity.value (mm[Hg])");
    }
  }
}

// ---------------------------------------------------------------- defaults and variants

constexpr std::string_view kMinimal = R"({"resourceType":"Bundle","type":"transaction","entry":[
 {"fullUrl":"urn:uuid:e","resource":{"resourceType":"Encounter","status":"finished",
   "class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},
   "serviceType":{"coding":[{"system":"https://fhir.simpul.id/CodeSystem/bpjs-pcare-poli","code":"002"}]},
   "subject":{"reference":"Patient/p"},"participant":[{"individual":{"identifier":{
     "system":"https://fhir.simpul.id/sid/bpjs-kode-dokter-pcare","value":"290003"}}}],
   "period":{"start":"2026-03-01T17:30:00Z"}}},
 {"resource":{"resourceType":"Patient","id":"p"}},
 {"resource":{"resourceType":"Coverage","status":"active","subscriberId":"0009876543210"}},
 {"resource":{"resourceType":"Condition","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-category","code":"encounter-diagnosis"}]}],
   "code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10","code":"K02.1"}]}}}]})";

TEST(PcareEncounter, MinimalBundleTakesEveryDefault) {
  rapidjson::Document doc;
  doc.Parse(kMinimal.data(), kMinimal.size());
  const pf::PcareSubmission s = pf::parse_pcare_bundle(doc, context());
  // 17:30Z on 1 March is 00:30 WIB on 2 March.
  EXPECT_EQ(b::to_json(s.pendaftaran),
            R"({"kdProviderPeserta":"17040101","tglDaftar":"02-03-2026","noKartu":"0009876543210","kdPoli":"002",)"
            R"("keluhan":null,"kunjSakit":true,"sistole":0,"diastole":0,"beratBadan":0,"tinggiBadan":0,"respRate":0,)"
            R"("heartRate":0,"lingkarPerut":0,"rujukBalik":0,"kdTkp":"10"})");
  EXPECT_EQ(b::to_json(s.kunjungan),
            R"({"noKunjungan":null,"noKartu":"0009876543210","tglDaftar":"02-03-2026","kdPoli":"002","keluhan":null,)"
            R"("kdSadar":"01","sistole":0,"diastole":0,"beratBadan":0,"tinggiBadan":0,"respRate":0,"heartRate":0,)"
            R"("lingkarPerut":0,"kdStatusPulang":"3","tglPulang":"02-03-2026","kdDokter":"290003","kdDiag1":"K02.1",)"
            R"("kdDiag2":null,"kdDiag3":null,"kdPoliRujukInternal":null,"rujukLanjut":null,"kdTacc":-1,)"
            R"("alasanTacc":null,"anamnesa":"","alergiMakan":"00","alergiUdara":"00","alergiObat":"00",)"
            R"("kdPrognosa":"01","terapiObat":"","terapiNonObat":"","bmhp":"","suhu":"0"})");
  EXPECT_EQ(s.encounter_identifier, "");
  EXPECT_FALSE(s.referred);
  for (const auto& f : s.pendaftaran_trace) {
    if (f.field == "kdProviderPeserta") {
      EXPECT_TRUE(f.source.starts_with("context.kd_provider")) << f.source;
    }
    if (f.field == "noKartu") {
      EXPECT_EQ(f.source, "Coverage(Bundle.entry[2].resource).subscriberId");
    }
  }

  // The uncertain values come from the context; the facility zone moves the date.
  pf::PcareContext c = context();
  c.kd_tacc_none = 0;
  c.utc_offset_minutes = 0;
  c.kd_sadar_default = "";
  EXPECT_EQ(error_of(doc, c), "400 Bundle.entry");  // kdSadar now required
  c.kd_sadar_default = "01";
  const pf::PcareSubmission u = pf::parse_pcare_bundle(doc, c);
  EXPECT_EQ(u.tgl_daftar, "01-03-2026");
  EXPECT_EQ(u.kunjungan.kd_tacc, 0);
}

TEST(PcareEncounter, VariantsTeleconsultationKhususTaccUnitsAllergies) {
  auto doc = example();
  using P = rapidjson::Pointer;
  P("/entry/0/resource/class/code").Set(doc, "VR");
  P("/entry/0/resource/extension/0/url").Set(doc, "https://fhir.simpul.id/StructureDefinition/bpjs-kunjungan-sakit");
  P("/entry/0/resource/extension/0/valueBoolean").Set(doc, false);
  // Weight in grams, height in metres, temperature with a dot.
  P("/entry/7/resource/valueQuantity/value").Set(doc, 68500);
  P("/entry/7/resource/valueQuantity/code").Set(doc, "g");
  P("/entry/8/resource/valueQuantity/value").Set(doc, 1.55);
  P("/entry/8/resource/valueQuantity/code").Set(doc, "m");
  // A special referral (hemodialysis) with TACC.
  auto& sr = *P("/entry/19/resource").Get(doc);
  P("/entry/19/resource/code").Set(doc, rapidjson::Value(rapidjson::kObjectType));
  rapidjson::Document code;
  code.Parse(R"({"coding":[{"system":"https://fhir.simpul.id/CodeSystem/bpjs-pcare-khusus","code":"HDL"}]})");
  sr["code"].CopyFrom(code, doc.GetAllocator());
  rapidjson::Document ext;
  ext.Parse(R"([{"url":"https://fhir.simpul.id/StructureDefinition/bpjs-tacc","valueCoding":{
    "system":"https://fhir.simpul.id/CodeSystem/bpjs-pcare-tacc","code":"3"}},
    {"url":"https://fhir.simpul.id/StructureDefinition/bpjs-alasan-tacc","valueString":"I10 - Hipertensi esensial"}])");
  sr.AddMember("extension", rapidjson::Value(ext, doc.GetAllocator()), doc.GetAllocator());
  // A drug allergy coded in P-Care's list.
  rapidjson::Document allergy;
  allergy.Parse(R"({"resource":{"resourceType":"AllergyIntolerance","category":["medication"],
    "code":{"coding":[{"system":"https://fhir.simpul.id/CodeSystem/bpjs-pcare-alergi","code":"02"}]},
    "patient":{"reference":"urn:uuid:6f1c2a4e-1b0d-4d8e-9a51-0c2f3f6b7a02"}}})");
  doc["entry"].PushBack(rapidjson::Value(allergy, doc.GetAllocator()), doc.GetAllocator());

  pf::PcareContext c = context();
  c.suhu_decimal = '.';
  const pf::PcareSubmission s = pf::parse_pcare_bundle(doc, c);
  EXPECT_EQ(s.contact, pf::Contact::tidak_langsung);
  EXPECT_FALSE(s.pendaftaran.kunj_sakit);
  EXPECT_DOUBLE_EQ(s.kunjungan.berat_badan, 68.5);
  EXPECT_DOUBLE_EQ(s.kunjungan.tinggi_badan, 155);
  EXPECT_EQ(s.kunjungan.suhu, "36.6");
  EXPECT_EQ(s.kunjungan.alergi_obat, "02");
  EXPECT_EQ(s.kunjungan.alergi_makan, "00");
  const std::string k = b::to_json(s.kunjungan);
  EXPECT_NE(
      k.find(
          R"("rujukLanjut":{"tglEstRujuk":"04-03-2026","kdppk":"0114R005","subSpesialis":null,)"
          R"("khusus":{"kdKhusus":"HDL","kdSubSpesialis":null,"catatan":"Hipertensi belum terkontrol dengan DM tipe 2"}})"),
      std::string::npos)
      << k;
  EXPECT_NE(k.find(R"("kdTacc":3,"alasanTacc":"I10 - Hipertensi esensial")"), std::string::npos) << k;
}

TEST(PcareEncounter, LoneEncounterWithContainedResources) {
  rapidjson::Document doc;
  doc.Parse(R"({"resourceType":"Encounter","status":"finished",
    "contained":[{"resourceType":"Patient","id":"p","identifier":[{"system":"https://fhir.simpul.id/sid/bpjs-no-kartu","value":"0001234567890"}]},
                 {"resourceType":"Condition","id":"c","code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10","code":"J06.9"}]}}],
    "class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},
    "serviceType":{"coding":[{"system":"https://fhir.simpul.id/CodeSystem/bpjs-pcare-poli","code":"001"}]},
    "subject":{"reference":"#p"},"participant":[{"individual":{"identifier":{
      "system":"https://fhir.simpul.id/sid/bpjs-kode-dokter-pcare","value":"290001"}}}],
    "diagnosis":[{"condition":{"reference":"#c"}}],"period":{"start":"2026-02-27"}})");
  const pf::PcareSubmission s = pf::parse_pcare_bundle(doc, context());
  EXPECT_EQ(s.kunjungan.kd_diag1, "J06.9");
  EXPECT_EQ(s.tgl_daftar, "27-02-2026");
}

// ---------------------------------------------------------------- errors: 400 naming the element

TEST(PcareEncounter, EveryMissingOrBadFieldIsA400NamingTheElement) {
  using P = rapidjson::Pointer;
  struct Case {
    std::function<void(rapidjson::Document&)> mutate;
    std::string expected;
  };
  const auto set = [](const char* p, const char* v) { return [=](rapidjson::Document& d) { P(p).Set(d, v); }; };
  const auto set_num = [](const char* p, double v) { return [=](rapidjson::Document& d) { P(p).Set(d, v); }; };
  const auto erase = [](const char* p) { return [=](rapidjson::Document& d) { P(p).Erase(d); }; };
  const std::vector<Case> cases = {
      {set("/entry/0/resource/status", "in-progress"), "400 Bundle.entry[0].resource.status"},
      {erase("/entry/0/resource/subject"), "400 Bundle.entry[0].resource.subject"},
      {set("/entry/0/resource/subject/reference", "Patient/nowhere"), "400 Bundle.entry[0].resource.subject.reference"},
      {erase("/entry/1/resource/identifier/1"), "400 Bundle.entry[0].resource.subject"},
      {set("/entry/1/resource/identifier/1/value", "12345"), "400 Bundle.entry[1].resource.identifier[1].value"},
      {erase("/entry/0/resource/period/start"), "400 Bundle.entry[0].resource.period.start"},
      {set("/entry/0/resource/period/start", "2026-03"), "400 Bundle.entry[0].resource.period.start"},
      {set("/entry/0/resource/period/start", "2026-03-05T08:00:00+07:00"), "400 Bundle.entry[0].resource.period.start"},
      {set("/entry/0/resource/period/end", "2026-03-01T08:00:00+07:00"), "400 Bundle.entry[0].resource.period.end"},
      {erase("/entry/0/resource/serviceType"), "400 Bundle.entry[0].resource.serviceType"},
      {set("/entry/0/resource/serviceType/coding/0/code", "0 1"),
       "400 Bundle.entry[0].resource.serviceType.coding[0].code"},
      {set("/entry/0/resource/class/code", "XYZ"), "400 Bundle.entry[0].resource.class.code"},
      {set("/entry/0/resource/class/system", "http://example.org"), "400 Bundle.entry[0].resource.class.system"},
      {erase("/entry/2/resource/identifier/1"), "400 Bundle.entry[0].resource.participant"},
      {set("/entry/2/resource/identifier/1/value", "dr-1"), "400 Bundle.entry[2].resource.identifier[1].value"},
      {erase("/entry/0/resource/diagnosis"), "ok"},  // falls back to the encounter-diagnosis Conditions
      {set("/entry/4/resource/code/coding/0/system", "http://snomed.info/sct"),
       "400 Bundle.entry[4].resource.code.coding"},
      {set("/entry/4/resource/code/coding/0/code", "hypertension"), "400 Bundle.entry[4].resource.code.coding[0].code"},
      {set_num("/entry/0/resource/diagnosis/0/rank", 0), "400 Bundle.entry[0].resource.diagnosis[0].rank"},
      {set("/entry/0/resource/diagnosis/0/condition/reference", "urn:uuid:6f1c2a4e-1b0d-4d8e-9a51-0c2f3f6b7a02"),
       "400 Bundle.entry[0].resource.diagnosis[0].condition.reference"},
      {set("/entry/6/resource/component/0/valueQuantity/code", "kPa"),
       "400 Bundle.entry[6].resource.component[0].valueQuantity.code"},
      {set("/entry/6/resource/component/0/valueQuantity/system", "http://example.org"),
       "400 Bundle.entry[6].resource.component[0].valueQuantity.system"},
      {set_num("/entry/7/resource/valueQuantity/value", 68500), "400 Bundle.entry[7].resource.valueQuantity.value"},
      {erase("/entry/11/resource/valueQuantity"), "400 Bundle.entry[11].resource.valueQuantity"},
      {set("/entry/12/resource/valueQuantity/code", "[degF]"), "400 Bundle.entry[12].resource.valueQuantity.code"},
      {set("/entry/13/resource/valueCodeableConcept/coding/0/code", "09"),
       "400 Bundle.entry[13].resource.valueCodeableConcept.coding[0].code"},
      {erase("/entry/16/resource/medicationCodeableConcept"), "400 Bundle.entry[16].resource.medication[x]"},
      {erase("/entry/17/resource/code"), "400 Bundle.entry[17].resource.code"},
      {erase("/entry/19/resource/performer"), "400 Bundle.entry[19].resource.performer"},
      {erase("/entry/18/resource/identifier"), "400 Bundle.entry[19].resource.performer"},
      {erase("/entry/19/resource/performerType"), "400 Bundle.entry[19].resource.performerType"},
      {set("/entry/19/resource/occurrenceDateTime", "2026-03-01"), "400 Bundle.entry[19].resource.occurrenceDateTime"},
      {set("/entry/19/resource/occurrenceDateTime", "soon"), "400 Bundle.entry[19].resource.occurrenceDateTime"},
      {[](rapidjson::Document& d) {
         rapidjson::Document h;
         h.Parse(R"({"coding":[{"system":"https://fhir.simpul.id/CodeSystem/bpjs-pcare-status-pulang","code":"3"}]})");
         P("/entry/0/resource/hospitalization/dischargeDisposition").Set(d, rapidjson::Value(h, d.GetAllocator()));
       },
       "400 Bundle.entry[0].resource.hospitalization.dischargeDisposition.coding[0].code"},
      {[](rapidjson::Document& d) {
         rapidjson::Document e;
         e.Parse(R"({"resource":{"resourceType":"Encounter","status":"finished"}})");
         d["entry"].PushBack(rapidjson::Value(e, d.GetAllocator()), d.GetAllocator());
       },
       "400 Bundle.entry[20].resource"},
      {[](rapidjson::Document& d) {
         rapidjson::Value sr(d["entry"][19], d.GetAllocator());
         d["entry"].PushBack(sr, d.GetAllocator());
       },
       "400 Bundle.entry[20].resource"},
      {[](rapidjson::Document& d) { d["entry"].Clear(); }, "400 Bundle.entry"},
      {set("/resourceType", "Claim"), "400 resourceType"},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    auto doc = example();
    cases[i].mutate(doc);
    EXPECT_EQ(error_of(doc), cases[i].expected) << "case " << i;
  }

  // The context is the caller's: empty provider or no today is a 500, not a client error.
  auto doc = example();
  pf::PcareContext c = context();
  c.kd_provider = "";
  EXPECT_EQ(error_of(doc, c).substr(0, 3), "500");
  c = context();
  c.today = "02-03-2026";
  EXPECT_EQ(error_of(doc, c).substr(0, 3), "500");
}

// ---------------------------------------------------------------- hostile input

// Every value of the example replaced by every wrong JSON type: a mapping or a fhir::Error, never a crash.
TEST(PcareEncounter, WrongJsonTypesEverywhereNeverCrash) {
  const auto original = example();
  std::vector<std::string> pointers;
  std::function<void(const rapidjson::Value&, const std::string&)> walk = [&](const rapidjson::Value& v,
                                                                              const std::string& at) {
    pointers.push_back(at);
    if (v.IsObject()) {
      for (auto& m : v.GetObject()) walk(m.value, at + "/" + m.name.GetString());
    } else if (v.IsArray()) {
      for (rapidjson::SizeType i = 0; i < v.Size(); ++i) walk(v[i], at + "/" + std::to_string(i));
    }
  };
  walk(original, "");
  const char* replacements[] = {"null", "1", "-1e308", "\"x\"", "\"\"", "[]", "[1,null]", "{}", "true"};
  std::size_t mapped = 0;
  std::size_t rejected = 0;
  for (const auto& p : pointers) {
    if (p.empty()) continue;
    for (const char* r : replacements) {
      auto doc = example();
      rapidjson::Document rep;
      rep.Parse(r);
      rapidjson::Pointer(p.c_str()).Set(doc, rapidjson::Value(rep, doc.GetAllocator()));
      try {
        pf::parse_pcare_bundle(doc, context());
        ++mapped;
      } catch (const Error& e) {
        EXPECT_TRUE(e.status() == 400) << p << " = " << r << ": " << e.what();
        ++rejected;
      }
    }
  }
  EXPECT_GT(mapped, 0u);
  EXPECT_GT(rejected, 0u);
  // Non-objects at the top.
  for (const char* r : {"null", "[]", "\"Bundle\"", "{\"resourceType\":\"Bundle\",\"entry\":{}}",
                        "{\"resourceType\":\"Bundle\",\"entry\":[1,2]}", "{\"resourceType\":\"Encounter\"}"}) {
    rapidjson::Document d;
    d.Parse(r);
    EXPECT_THROW(pf::parse_pcare_bundle(d, context()), Error) << r;
  }
}

TEST(PcareEncounter, HugeArraysStayBoundedAndNoted) {
  auto doc = example();
  auto& a = doc.GetAllocator();
  auto& enc = doc["entry"][0]["resource"];
  // 200k diagnoses pointing at the same Condition, 200k participants without a code first.
  rapidjson::Value diag(enc["diagnosis"][1], a);
  for (int i = 0; i < 200000; ++i) enc["diagnosis"].PushBack(rapidjson::Value(diag, a), a);
  // 20k more MedicationRequests and 20k duplicate heart-rate Observations.
  rapidjson::Value med(doc["entry"][16], a);
  rapidjson::Value hr(doc["entry"][11], a);
  for (int i = 0; i < 20000; ++i) {
    doc["entry"].PushBack(rapidjson::Value(med, a), a);
    doc["entry"].PushBack(rapidjson::Value(hr, a), a);
  }
  const auto t0 = std::chrono::steady_clock::now();
  const pf::PcareSubmission s = pf::parse_pcare_bundle(doc, context());
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  EXPECT_LT(elapsed, std::chrono::seconds(20));
  EXPECT_EQ(s.kunjungan.kd_diag1, "I10");
  EXPECT_EQ(s.kunjungan.heart_rate, 88);
  EXPECT_FALSE(s.notes.empty());
  bool capped = false;
  for (const auto& n : s.notes) capped = capped || n.starts_with("terapiObat: more than 100");
  EXPECT_TRUE(capped);
}

// ---------------------------------------------------------------- P-Care answers

TEST(PcareAnswer, ClassificationTable) {
  using V = pf::PcareVerdict;
  struct Row {
    int http;
    std::optional<int> meta;
    V verdict;
    bool reconcile;
  };
  const Row rows[] = {
      {201, 201, V::delivered, false},
      {200, 200, V::delivered, false},
      {200, std::nullopt, V::delivered, false},
      {204, std::nullopt, V::not_found, false},
      {200, 204, V::not_found, false},
      {200, 412, V::permanent_request, false},
      {200, 500, V::retry, true},
      {400, std::nullopt, V::permanent_request, false},
      {401, 401, V::permanent_config, false},
      {403, std::nullopt, V::permanent_config, false},
      {404, std::nullopt, V::permanent_config, false},
      {408, std::nullopt, V::retry, true},
      {412, 412, V::permanent_request, false},
      {424, 424, V::permanent_request, false},
      {422, std::nullopt, V::permanent_request, false},
      {429, std::nullopt, V::retry, false},
      {500, std::nullopt, V::retry, true},
      {502, std::nullopt, V::retry, true},
      {503, std::nullopt, V::retry, false},
      {504, std::nullopt, V::retry, true},
      {599, std::nullopt, V::retry, true},
      {0, std::nullopt, V::retry, true},
      {302, std::nullopt, V::permanent_config, false},
      {201, 1, V::delivered, false},
  };
  for (const Row& r : rows) {
    const pf::PcareClassification c = pf::classify_pcare_answer(r.http, r.meta);
    EXPECT_EQ(c.verdict, r.verdict) << r.http << "/" << r.meta.value_or(-1) << " " << pf::to_string(c.verdict);
    EXPECT_EQ(c.reconcile_first, r.reconcile) << r.http;
    EXPECT_FALSE(c.reason.empty());
  }
  EXPECT_TRUE(pf::is_retryable(V::retry));
  EXPECT_FALSE(pf::is_retryable(V::permanent_config));
}

// Routing: a visit of a patient without a BPJS card (umum) is not for P-Care. With
// allow_non_jkn the mapping says so instead of refusing; without it the 400 stands.
TEST(PcareEncounter, NonJknPatientIsNotForPcareWhenRoutingAsks) {
  auto doc = example();
  rapidjson::Value& patient = doc["entry"][1]["resource"];
  ASSERT_STREQ(patient["resourceType"].GetString(), "Patient");
  rapidjson::Value& ids = patient["identifier"];
  for (rapidjson::SizeType i = 0; i < ids.Size();) {
    const auto* system = ids[i].HasMember("system") ? ids[i]["system"].GetString() : "";
    if (std::string_view(system).find("bpjs-no-kartu") != std::string_view::npos)
      ids.Erase(ids.Begin() + i);
    else
      ++i;
  }
  EXPECT_EQ(error_of(doc), "400 Bundle.entry[0].resource.subject");
  auto ctx = context();
  ctx.allow_non_jkn = true;
  const auto s = pf::parse_pcare_bundle(doc, ctx);
  EXPECT_FALSE(s.jkn);
  EXPECT_TRUE(s.no_kartu.empty());
  // A participant's visit is read in full either way.
  const auto full = pf::parse_pcare_bundle(example(), ctx);
  EXPECT_TRUE(full.jkn);
  EXPECT_EQ(full.no_kartu, "0001234567890");
}
