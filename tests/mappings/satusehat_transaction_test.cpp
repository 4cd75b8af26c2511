// FHIR puskesmas encounter Bundle -> SATUSEHAT transaction Bundle (pure mapping).
#include <filesystem>
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
#include "mappings/satusehat_fhir/transaction.hpp"
#include "tests/mappings/schema_oracle.hpp"

namespace ss = simpul::mappings::satusehat_fhir;
using simpul::fhir::Error;

namespace {

// The simulator's people: card 0001234567890 (patient) and 0002345678901 (doctor).
constexpr const char* kPatientNik = "9903951739517307";
constexpr const char* kPractitionerNik = "9904062840628307";
constexpr const char* kPatientIhs = "P0001234567890";
constexpr const char* kPractitionerIhs = "N0002345678901";

rapidjson::Document example() {
  rapidjson::Document d;
  const std::string text = simpul::testing::mappings::read_text(std::filesystem::path(SIMPUL_SOURCE_DIR) /
                                                                "docs/examples/puskesmas-encounter-bundle.json");
  d.Parse(text.c_str());
  EXPECT_FALSE(d.HasParseError());
  return d;
}

ss::SatusehatContext context() {
  ss::SatusehatContext c;
  c.organization_id = "10000004";
  c.location_id = "b017aa54-f1df-4ec2-9d84-8823815d7228";
  c.location_display = "Poli Umum, Puskesmas Bontang Utara I";
  c.patient_ihs_by_nik = {{kPatientNik, kPatientIhs}};
  c.practitioner_ihs_by_nik = {{kPractitionerNik, kPractitionerIhs}};
  return c;
}

std::string dump(const rapidjson::Value& v) {
  rapidjson::StringBuffer s;
  rapidjson::Writer<rapidjson::StringBuffer> w(s);
  v.Accept(w);
  return s.GetString();
}

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  EXPECT_FALSE(d.HasParseError()) << text;
  return d;
}

std::string at(const rapidjson::Value& root, const char* pointer) {
  const rapidjson::Value* v = rapidjson::Pointer(pointer).Get(root);
  if (v == nullptr) return "<absent>";
  return v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : dump(*v);
}

void set(rapidjson::Document& d, const char* pointer, const std::string& json) {
  rapidjson::Document v(&d.GetAllocator());
  v.Parse(json.c_str());
  ASSERT_FALSE(v.HasParseError()) << json;
  rapidjson::Pointer(pointer).Set(d, v);
}

void erase(rapidjson::Document& d, const char* pointer) {
  ASSERT_TRUE(rapidjson::Pointer(pointer).Erase(d)) << pointer;
}

// "status expression" of the error a mutated input gives; "ok" when it renders.
std::string error_of(const rapidjson::Value& doc, const ss::SatusehatContext& ctx = context(),
                     bool validate_only = false) {
  try {
    ss::render_transaction(doc, ctx, validate_only);
    return "ok";
  } catch (const Error& e) {
    std::string expr = e.issues().empty() || e.issues()[0].expression.empty() ? "" : e.issues()[0].expression[0];
    return std::to_string(e.status()) + " " + expr;
  }
}

// The output entry's resource whose type is `type` (the n-th of them).
const rapidjson::Value& resource(const rapidjson::Value& bundle, const std::string& type, unsigned n = 0) {
  for (const auto& e : bundle["entry"].GetArray()) {
    if (std::string(e["resource"]["resourceType"].GetString()) == type && n-- == 0) return e["resource"];
  }
  static const rapidjson::Value none(rapidjson::kObjectType);
  ADD_FAILURE() << "no " << type;
  return none;
}

std::string full_url(const rapidjson::Value& bundle, const std::string& type, unsigned n = 0) {
  for (const auto& e : bundle["entry"].GetArray()) {
    if (std::string(e["resource"]["resourceType"].GetString()) == type && n-- == 0) return e["fullUrl"].GetString();
  }
  return "<none>";
}

}  // namespace

TEST(SatusehatTransaction, ExampleRendersTheClinicalResources) {
  const auto tx = ss::render_transaction(example(), context());
  const std::vector<std::string> types = {
      "Encounter",   "Condition",   "Condition",   "Condition",   "Observation",       "Observation",
      "Observation", "Observation", "Observation", "Observation", "Observation",       "Observation",
      "Medication",  "MedicationRequest", "MedicationRequest", "Procedure", "ServiceRequest"};
  EXPECT_EQ(tx.entry_types, types);
  EXPECT_EQ(tx.encounter_identifier, "http://sys-ids.kemkes.go.id/encounter/10000004|RJ-2026-03-02-0042");

  auto b = parse(tx.bundle_json);
  EXPECT_EQ(at(b, "/resourceType"), "Bundle");
  EXPECT_EQ(at(b, "/type"), "transaction");
  ASSERT_EQ(b["entry"].Size(), types.size());
  std::set<std::string> urls;
  for (const auto& e : b["entry"].GetArray()) {
    const std::string url = e["fullUrl"].GetString();
    EXPECT_EQ(url.rfind("urn:uuid:", 0), 0u);
    EXPECT_EQ(url.size(), 9u + 36u) << url;
    urls.insert(url);
    EXPECT_EQ(at(e, "/request/method"), "POST");
    EXPECT_EQ(at(e, "/request/url"), at(e, "/resource/resourceType"));
    EXPECT_EQ(at(e, "/resource/id"), "<absent>");
  }
  EXPECT_EQ(urls.size(), types.size());
  // Nothing of the input's own ids, NIKs or Simpul code systems reaches SATUSEHAT.
  EXPECT_EQ(tx.bundle_json.find("6f1c2a4e-1b0d-4d8e-9a51"), std::string::npos);
  EXPECT_EQ(tx.bundle_json.find("fhir.simpul.id"), std::string::npos);
  EXPECT_EQ(tx.bundle_json.find(kPatientNik), std::string::npos);
  EXPECT_EQ(tx.bundle_json.find("\"Patient\""), std::string::npos);
  EXPECT_EQ(tx.bundle_json.find("\"Organization\""), std::string::npos);
}

TEST(SatusehatTransaction, EncounterCarriesWhatSatusehatRequires) {
  const auto tx = ss::render_transaction(example(), context());
  auto b = parse(tx.bundle_json);
  const auto& enc = resource(b, "Encounter");
  EXPECT_EQ(dump(enc["identifier"]),
            R"([{"system":"http://sys-ids.kemkes.go.id/encounter/10000004","value":"RJ-2026-03-02-0042"}])");
  EXPECT_EQ(at(enc, "/status"), "finished");
  EXPECT_EQ(at(enc, "/class/system"), "http://terminology.hl7.org/CodeSystem/v3-ActCode");
  EXPECT_EQ(at(enc, "/class/code"), "AMB");
  EXPECT_EQ(dump(enc["subject"]), R"({"reference":"Patient/P0001234567890","display":"Siti Aminah"})");
  EXPECT_EQ(at(enc, "/participant/0/individual/reference"), "Practitioner/N0002345678901");
  EXPECT_EQ(at(enc, "/participant/0/individual/display"), "dr. Wulanari Pesakih");
  EXPECT_EQ(at(enc, "/participant/0/type/0/coding/0/code"), "ATND");
  EXPECT_EQ(dump(enc["period"]), R"({"start":"2026-03-02T01:15:00+00:00","end":"2026-03-02T02:05:00+00:00"})");
  EXPECT_EQ(dump(enc["statusHistory"]),
            R"([{"status":"arrived","period":{"start":"2026-03-02T01:15:00+00:00","end":"2026-03-02T01:15:00+00:00"}},)"
            R"({"status":"in-progress","period":{"start":"2026-03-02T01:15:00+00:00","end":"2026-03-02T02:05:00+00:00"}},)"
            R"({"status":"finished","period":{"start":"2026-03-02T02:05:00+00:00","end":"2026-03-02T02:05:00+00:00"}}])");
  EXPECT_EQ(dump(enc["serviceProvider"]),
            R"({"reference":"Organization/10000004","display":"Puskesmas Bontang Utara I"})");
  EXPECT_EQ(dump(enc["location"]),
            R"([{"location":{"reference":"Location/b017aa54-f1df-4ec2-9d84-8823815d7228",)"
            R"("display":"Poli Umum, Puskesmas Bontang Utara I"}}])");
  // serviceType's only coding was Simpul's P-Care poli: its display stays as text.
  EXPECT_EQ(dump(enc["serviceType"]), R"({"text":"Umum"})");
  // diagnosis -> the Conditions' new fullUrls (input order: rank 2 = E11.9 first).
  EXPECT_EQ(at(enc, "/diagnosis/0/condition/reference"), full_url(b, "Condition", 2));
  EXPECT_EQ(at(enc, "/diagnosis/1/condition/reference"), full_url(b, "Condition", 1));
  EXPECT_EQ(at(enc, "/diagnosis/1/rank"), "1");
}

TEST(SatusehatTransaction, ReferencesAreRewritten) {
  const auto tx = ss::render_transaction(example(), context());
  auto b = parse(tx.bundle_json);
  const std::string enc = full_url(b, "Encounter");
  for (unsigned i = 0; i < 3; ++i) {
    const auto& c = resource(b, "Condition", i);
    EXPECT_EQ(at(c, "/subject/reference"), "Patient/P0001234567890");
    EXPECT_EQ(at(c, "/encounter/reference"), enc);
  }
  for (unsigned i = 0; i < 8; ++i) {
    // Observations without an encounter get the Bundle's Encounter (SATUSEHAT requires it).
    EXPECT_EQ(at(resource(b, "Observation", i), "/encounter/reference"), enc) << i;
  }
  const auto& rx = resource(b, "MedicationRequest", 0);
  EXPECT_EQ(at(rx, "/medicationReference/reference"), full_url(b, "Medication"));
  EXPECT_EQ(dump(rx["requester"]), R"({"reference":"Practitioner/N0002345678901","display":"dr. Wulanari Pesakih"})");
  EXPECT_EQ(at(rx, "/authoredOn"), "2026-03-02T02:00:00+00:00");
  const auto& sr = resource(b, "ServiceRequest");
  EXPECT_EQ(at(sr, "/reasonReference/0/reference"), full_url(b, "Condition", 1));
  // The referral target Organization is not sent: its reference keeps only a display.
  EXPECT_EQ(dump(sr["performer"]), R"([{"display":"RSUD Taman Husada Bontang"}])");
  EXPECT_EQ(at(sr, "/code/coding/0/code"), "3457005");
  EXPECT_EQ(at(sr, "/code/text"), "Rujukan ke poli penyakit dalam");
  EXPECT_EQ(at(sr, "/occurrenceDateTime"), "2026-03-04");  // a date stays a date
  EXPECT_EQ(at(sr, "/performerType"), "<absent>");         // only a Simpul coding, no display
  EXPECT_EQ(at(sr, "/requester/reference"), "Practitioner/N0002345678901");
  // The consciousness code was Simpul's P-Care code: the display is kept as text.
  EXPECT_EQ(dump(resource(b, "Observation", 7)["valueCodeableConcept"]), R"({"text":"Compos mentis"})");
  std::string notes;
  for (const auto& n : tx.notes) notes += n + "\n";
  EXPECT_NE(notes.find("Bundle.entry[1].resource (Patient): not sent"), std::string::npos) << notes;
  EXPECT_NE(notes.find("Bundle.entry[2].resource (Practitioner): not sent"), std::string::npos) << notes;
  EXPECT_NE(notes.find("Bundle.entry[18].resource (Organization): not sent"), std::string::npos) << notes;
  EXPECT_NE(notes.find("bpjs-pcare-kesadaran is Simpul's"), std::string::npos) << notes;
}

TEST(SatusehatTransaction, RenderingTwiceGivesTheSameBytes) {
  const auto a = ss::render_transaction(example(), context());
  const auto b = ss::render_transaction(example(), context());
  EXPECT_EQ(a.bundle_json, b.bundle_json);
  EXPECT_EQ(a.notes, b.notes);
  // The ids come from the input, not from the tenant's lookups: validate_only keeps them.
  auto v = ss::render_transaction(example(), context(), true);
  EXPECT_EQ(full_url(parse(v.bundle_json), "Condition", 2), full_url(parse(a.bundle_json), "Condition", 2));
}

TEST(SatusehatTransaction, DateTimesAreSentInUtc) {
  auto d = example();
  set(d, "/entry/0/resource/period/start", R"("2026-03-02T08:15:00+07:00")");
  set(d, "/entry/0/resource/period/end", R"("2026-03-02T09:05:30.250")");  // no offset: the facility's zone
  set(d, "/entry/6/resource/effectiveDateTime", R"("2026-03-02T05:00:00+07:00")");
  set(d, "/entry/7/resource/effectiveDateTime", R"("2026-03-02T01:20:00Z")");
  set(d, "/entry/3/resource/note/0/time", R"("2026-03-02T08:00:00+08:00")");
  auto b = parse(ss::render_transaction(d, context()).bundle_json);
  EXPECT_EQ(at(resource(b, "Encounter"), "/period/start"), "2026-03-02T01:15:00+00:00");
  EXPECT_EQ(at(resource(b, "Encounter"), "/period/end"), "2026-03-02T02:05:30.250+00:00");
  EXPECT_EQ(at(resource(b, "Observation", 0), "/effectiveDateTime"), "2026-03-01T22:00:00+00:00");
  EXPECT_EQ(at(resource(b, "Observation", 1), "/effectiveDateTime"), "2026-03-02T01:20:00+00:00");
  EXPECT_EQ(at(resource(b, "Condition", 0), "/note/0/time"), "2026-03-02T00:00:00+00:00");
  // WITA (UTC+8): the same local time is an hour earlier in UTC.
  auto wita = context();
  wita.utc_offset_minutes = 480;
  set(d, "/entry/0/resource/period/start", R"("2026-03-02T08:15:00")");
  auto w = parse(ss::render_transaction(d, wita).bundle_json);
  EXPECT_EQ(at(resource(w, "Encounter"), "/period/end"), "2026-03-02T01:05:30.250+00:00");
}

TEST(SatusehatTransaction, EncounterIdentifierIsBuiltWhenTheInputHasNoSatusehatOne) {
  auto d = example();
  set(d, "/entry/0/resource/identifier", R"([{"system":"urn:oid:1.2.3","value":"REG-77"}])");
  const auto tx = ss::render_transaction(d, context());
  EXPECT_EQ(tx.encounter_identifier, "http://sys-ids.kemkes.go.id/encounter/10000004|REG-77");
  // A literal Location in the input is kept; statusHistory given by the input is kept.
  set(d, "/entry/0/resource/location", R"([{"location":{"reference":"Location/abc-1","display":"Poli KIA"}}])");
  set(d, "/entry/0/resource/statusHistory",
      R"([{"status":"finished","period":{"start":"2026-03-02T08:15:00+07:00"}}])");
  auto none = context();
  none.location_id.clear();
  auto b = parse(ss::render_transaction(d, none).bundle_json);
  EXPECT_EQ(at(resource(b, "Encounter"), "/location/0/location/reference"), "Location/abc-1");
  EXPECT_EQ(dump(resource(b, "Encounter")["statusHistory"]),
            R"([{"status":"finished","period":{"start":"2026-03-02T01:15:00+00:00"}}])");
}

TEST(SatusehatTransaction, ReferencesResolveByUrlAndTypeId) {
  auto d = example();
  // An absolute fullUrl referenced as Type/id, and an entry found by its id.
  set(d, "/entry/4/fullUrl", R"("http://simpus.example/fhir/Condition/c5")");
  set(d, "/entry/0/resource/diagnosis/1/condition/reference", R"("Condition/c5")");
  set(d, "/entry/19/resource/reasonReference/0/reference", R"("http://simpus.example/fhir/Condition/c5")");
  set(d, "/entry/3/resource/encounter/reference", R"("urn:uuid:6f1c2a4e-1b0d-4d8e-9a51-0c2f3f6b7a01")");
  set(d, "/entry/2/resource/id", R"("dok-1")");
  set(d, "/entry/0/resource/participant/0/individual/reference", R"("Practitioner/dok-1")");
  auto b = parse(ss::render_transaction(d, context()).bundle_json);
  EXPECT_EQ(at(resource(b, "Encounter"), "/diagnosis/1/condition/reference"), full_url(b, "Condition", 1));
  EXPECT_EQ(at(resource(b, "Encounter"), "/participant/0/individual/reference"), "Practitioner/N0002345678901");
  // A SATUSEHAT literal that is not in the Bundle is kept.
  set(d, "/entry/3/resource/encounter/reference", R"("Encounter/2823ed1d-3e3e-434e-9a5b-9c579d192787")");
  auto k = parse(ss::render_transaction(d, context()).bundle_json);
  EXPECT_EQ(at(resource(k, "Condition", 0), "/encounter/reference"), "Encounter/2823ed1d-3e3e-434e-9a5b-9c579d192787");
}

TEST(SatusehatTransaction, BadInputNamesTheElement) {
  struct Case {
    const char* name;
    std::function<void(rapidjson::Document&)> mutate;
    std::string expected;
    ss::SatusehatContext ctx = context();
  };
  auto no_location = context();
  no_location.location_id.clear();
  const std::vector<Case> cases = {
      {"not a bundle", [](auto& d) { set(d, "/resourceType", R"("Encounter")"); }, "400 resourceType"},
      {"no encounter", [](auto& d) { erase(d, "/entry/0"); }, "400 Bundle.entry"},
      {"two encounters",
       [](auto& d) {
         rapidjson::Value copy(d["entry"][0], d.GetAllocator());
         d["entry"].PushBack(copy, d.GetAllocator());
         set(d, "/entry/20/fullUrl", R"("urn:uuid:6f1c2a4e-1b0d-4d8e-9a51-0c2f3f6b7aff")");
       },
       "400 Bundle.entry[20].resource"},
      {"patient without NIK or IHS", [](auto& d) { erase(d, "/entry/1/resource/identifier/0"); },
       "400 Bundle.entry[1].resource.identifier"},
      {"practitioner NIK not 16 digits",
       [](auto& d) { set(d, "/entry/2/resource/identifier/0/value", R"("12345")"); },
       "400 Bundle.entry[2].resource.identifier[0].value"},
      {"encounter identifier of another organization",
       [](auto& d) {
         set(d, "/entry/0/resource/identifier/0/system", R"("http://sys-ids.kemkes.go.id/encounter/10000099")");
       },
       "400 Bundle.entry[0].resource.identifier[0].system"},
      {"prescription identifier of another organization",
       [](auto& d) {
         set(d, "/entry/16/resource/identifier/0/system", R"("http://sys-ids.kemkes.go.id/prescription/100025753")");
       },
       "400 Bundle.entry[16].resource.identifier[0].system"},
      {"encounter without identifier", [](auto& d) { erase(d, "/entry/0/resource/identifier"); },
       "400 Bundle.entry[0].resource.identifier"},
      {"no location and no default", [](auto&) {}, "400 Bundle.entry[0].resource.location", no_location},
      {"location not a SATUSEHAT id",
       [](auto& d) { set(d, "/entry/0/resource/location", R"([{"location":{"reference":"urn:uuid:x"}}])"); },
       "400 Bundle.entry[0].resource.location[0].location.reference"},
      {"bad observation dateTime",
       [](auto& d) { set(d, "/entry/6/resource/effectiveDateTime", R"("2026-13-02T01:20:00+00:00")"); },
       "400 Bundle.entry[6].resource.effectiveDateTime"},
      {"bad period start", [](auto& d) { set(d, "/entry/0/resource/period/start", R"("kemarin pagi")"); },
       "400 Bundle.entry[0].resource.period.start"},
      {"bad offset", [](auto& d) { set(d, "/entry/0/resource/period/end", R"("2026-03-02T02:05:00+15:00")"); },
       "400 Bundle.entry[0].resource.period.end"},
      {"before 2014-06-03",
       [](auto& d) { set(d, "/entry/0/resource/period/start", R"("2014-06-02T01:15:00+00:00")"); },
       "400 Bundle.entry[0].resource.period.start"},
      {"finished without end", [](auto& d) { erase(d, "/entry/0/resource/period/end"); },
       "400 Bundle.entry[0].resource.period.end"},
      {"end before start", [](auto& d) { set(d, "/entry/0/resource/period/end", R"("2026-03-02T01:00:00+00:00")"); },
       "400 Bundle.entry[0].resource.period.end"},
      {"class not v3-ActCode",
       [](auto& d) { set(d, "/entry/0/resource/class/system", R"("http://example.org/class")"); },
       "400 Bundle.entry[0].resource.class.system"},
      {"no subject", [](auto& d) { erase(d, "/entry/0/resource/subject"); }, "400 Bundle.entry[0].resource.subject"},
      {"no participant", [](auto& d) { erase(d, "/entry/0/resource/participant"); },
       "400 Bundle.entry[0].resource.participant"},
      {"reference outside the bundle",
       [](auto& d) { set(d, "/entry/3/resource/encounter/reference", R"("urn:uuid:00000000-0000-0000-0000-0")"); },
       "400 Bundle.entry[3].resource.encounter.reference"},
      {"condition coded only in a Simpul system",
       [](auto& d) {
         set(d, "/entry/4/resource/code",
             R"({"coding":[{"system":"https://fhir.simpul.id/CodeSystem/x","code":"1"}]})");
       },
       "400 Bundle.entry[4].resource.code"},
      {"observation without effective", [](auto& d) { erase(d, "/entry/8/resource/effectiveDateTime"); },
       "400 Bundle.entry[8].resource.effective"},
      {"medication without MedicationType", [](auto& d) { erase(d, "/entry/14/resource/extension"); },
       "400 Bundle.entry[14].resource.extension"},
      {"medication request without intent", [](auto& d) { erase(d, "/entry/15/resource/intent"); },
       "400 Bundle.entry[15].resource.intent"},
      {"two entries with one fullUrl",
       [](auto& d) { set(d, "/entry/4/fullUrl", R"("urn:uuid:6f1c2a4e-1b0d-4d8e-9a51-0c2f3f6b7a04")"); },
       "400 Bundle.entry[4].fullUrl"},
      {"wrong JSON type", [](auto& d) { set(d, "/entry/0/resource/identifier", R"({"value":"x"})"); },
       "400 Bundle.entry[0].resource.identifier"},
  };
  for (const auto& c : cases) {
    auto d = example();
    c.mutate(d);
    EXPECT_EQ(error_of(d, c.ctx), c.expected) << c.name;
  }
}

TEST(SatusehatTransaction, ContextProblemsAreServerErrors) {
  auto no_org = context();
  no_org.organization_id.clear();
  EXPECT_EQ(error_of(example(), no_org), "500 ");
  auto unresolved = context();
  unresolved.practitioner_ihs_by_nik.clear();
  EXPECT_EQ(error_of(example(), unresolved), "500 ");
  try {
    ss::render_transaction(example(), unresolved);
  } catch (const Error& e) {
    // The log line masks the NIK; the client sees the generic text.
    EXPECT_EQ(std::string(e.what()).find(kPractitionerNik), std::string::npos) << e.what();
  }
}

TEST(SatusehatTransaction, ValidateOnlyWorksWithoutIds) {
  ss::SatusehatContext c = context();
  c.patient_ihs_by_nik.clear();
  c.practitioner_ihs_by_nik.clear();
  const auto tx = ss::render_transaction(example(), c, true);
  auto b = parse(tx.bundle_json);
  EXPECT_EQ(at(resource(b, "Encounter"), "/subject/reference"), "Patient/unresolved-1");
  EXPECT_EQ(at(resource(b, "Encounter"), "/participant/0/individual/reference"), "Practitioner/unresolved-1");
  EXPECT_EQ(tx.entry_types.size(), 17u);
  std::string notes;
  for (const auto& n : tx.notes) notes += n + "\n";
  EXPECT_NE(notes.find("Patient NIK ...7307: not resolved (validate only)"), std::string::npos) << notes;
  EXPECT_EQ(notes.find(kPatientNik), std::string::npos);
  // Bad input is still a 400 in a dry run.
  auto d = example();
  erase(d, "/entry/1/resource/identifier/0");
  EXPECT_EQ(error_of(d, c, true), "400 Bundle.entry[1].resource.identifier");
}

TEST(SatusehatLookups, ExampleNeedsThePatientAndThePractitioner) {
  const auto l = ss::needed_lookups(example());
  EXPECT_EQ(l.patient_niks, std::vector<std::string>{kPatientNik});
  EXPECT_EQ(l.practitioner_niks, std::vector<std::string>{kPractitionerNik});
}

TEST(SatusehatLookups, IhsIdsNeedNoLookup) {
  auto d = example();
  // The Patient carries its IHS number.
  set(d, "/entry/1/resource/identifier/0",
      R"({"system":"https://fhir.kemkes.go.id/id/ihs-number","value":"P0001234567890"})");
  // The Encounter names the doctor by a SATUSEHAT literal reference.
  set(d, "/entry/0/resource/participant/0/individual/reference", R"("Practitioner/N0002345678901")");
  const auto l = ss::needed_lookups(d);
  EXPECT_TRUE(l.patient_niks.empty());
  EXPECT_TRUE(l.practitioner_niks.empty());
  ss::SatusehatContext c = context();
  c.patient_ihs_by_nik.clear();
  c.practitioner_ihs_by_nik.clear();
  auto b = parse(ss::render_transaction(d, c).bundle_json);
  EXPECT_EQ(at(resource(b, "Encounter"), "/subject/reference"), "Patient/P0001234567890");
  EXPECT_EQ(at(resource(b, "Encounter"), "/participant/0/individual/reference"), "Practitioner/N0002345678901");
  // A Patient with neither is a 400 for the lookups too.
  erase(d, "/entry/1/resource/identifier/0");
  EXPECT_THROW(ss::needed_lookups(d), Error);
}

TEST(SatusehatTransaction, OutputIsValidFhirR4) {
  const auto tx = ss::render_transaction(example(), context());
  auto b = parse(tx.bundle_json);
  std::vector<std::string> resources{tx.bundle_json};
  for (const auto& e : b["entry"].GetArray()) resources.push_back(dump(e["resource"]));
  const auto verdicts = simpul::testing::mappings::schema_verdicts("satusehat-transaction", resources);
  ASSERT_EQ(verdicts.size(), resources.size());
  for (std::size_t i = 0; i < verdicts.size(); ++i) EXPECT_EQ(verdicts[i], "ok") << resources[i];
}
