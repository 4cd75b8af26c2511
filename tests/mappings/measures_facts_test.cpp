// The pseudonymised fact model: date arithmetic, exact values, extraction from FHIR
// resources, Bundles and NDJSON, and the per-subject layout.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "fhir/error.hpp"
#include "fhir/json.hpp"
#include "mappings/measures/facts.hpp"

namespace m = simpul::mappings::measures;
using simpul::fhir::Error;

namespace {

// A stand-in pseudonymiser that records the keys it was given.
struct Pseudo {
  std::vector<std::string> keys;
  m::ExtractOptions options() {
    m::ExtractOptions o;
    o.pseudonymise = [this](std::string_view key) {
      keys.emplace_back(key);
      return "p" + std::to_string(std::hash<std::string_view>{}(key) % 100000);
    };
    return o;
  }
};

rapidjson::Document json(const std::string& text) {
  return simpul::fhir::parse_json(text);
}

std::string example_text() {
  std::ifstream in(std::filesystem::path(SIMPUL_SOURCE_DIR) / "docs/examples/puskesmas-encounter-bundle.json");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

// ---------------------------------------------------------------- time

TEST(MeasuresTime, CivilDaysRoundTrip) {
  EXPECT_EQ(m::day_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(m::day_from_civil(2024, 2, 29) - m::day_from_civil(2024, 2, 28), 1);
  const m::CivilDate c = m::civil_from_day(m::day_from_civil(2026, 12, 31));
  EXPECT_EQ(c.year, 2026);
  EXPECT_EQ(c.month, 12u);
  EXPECT_EQ(c.day, 31u);
}

TEST(MeasuresTime, WholeMonthsAndYearsAtTheEdges) {
  const m::Day jan31 = m::day_from_civil(2024, 1, 31);
  EXPECT_EQ(m::whole_months_between(jan31, m::day_from_civil(2024, 2, 29)), 0);
  EXPECT_EQ(m::whole_months_between(jan31, m::day_from_civil(2024, 3, 1)), 1);
  const m::Day born = m::day_from_civil(2020, 6, 15);
  EXPECT_EQ(m::whole_years_between(born, m::day_from_civil(2025, 6, 14)), 4);  // the day before the 5th birthday
  EXPECT_EQ(m::whole_years_between(born, m::day_from_civil(2025, 6, 15)), 5);  // the birthday itself
  EXPECT_EQ(m::whole_months_between(born, m::day_from_civil(2021, 6, 15)), 12);
  EXPECT_EQ(m::add_months(jan31, 1), m::day_from_civil(2024, 2, 29));
  EXPECT_EQ(m::add_months(m::day_from_civil(2024, 11, 30), 2), m::day_from_civil(2025, 1, 30));
  EXPECT_EQ(m::add_months(m::day_from_civil(2024, 3, 1), -3), m::day_from_civil(2023, 12, 1));
}

TEST(MeasuresTime, ParsesFhirDateTimesToUtcSeconds) {
  const m::Instant utc = m::day_start(m::day_from_civil(2026, 3, 2), 0) + 1 * 3600 + 15 * 60;
  EXPECT_EQ(m::parse_datetime("2026-03-02T01:15:00+00:00", 420), utc);
  EXPECT_EQ(m::parse_datetime("2026-03-02T08:15:00+07:00", 0), utc);
  EXPECT_EQ(m::parse_datetime("2026-03-02T01:15:00.250Z", 0), utc);
  // A date alone is local midnight in the facility's zone (WIB: 17:00 UTC the day before).
  EXPECT_EQ(m::parse_datetime("2026-03-02", 420), m::day_start(m::day_from_civil(2026, 3, 2), 0) - 7 * 3600);
  EXPECT_EQ(m::local_day(*m::parse_datetime("2026-03-01T17:00:00Z", 0), 420), m::day_from_civil(2026, 3, 2));
  EXPECT_FALSE(m::parse_datetime("2026-03", 420));
  EXPECT_FALSE(m::parse_datetime("2026-02-30", 420));
  EXPECT_FALSE(m::parse_datetime("2026-03-02T01:15:00", 420));  // a time needs a zone
  EXPECT_EQ(m::parse_date("2025-12-31"), m::day_from_civil(2025, 12, 31));
  EXPECT_FALSE(m::parse_date("2025"));
  EXPECT_EQ(m::local_day(m::kNoInstant, 420), m::kNoDay);  // no overflow on the "no time" marker
}

TEST(MeasuresTime, PeriodsOfWholeMonths) {
  const m::Period q4 = m::months_period(2026, 10, 2026, 12);
  EXPECT_EQ(q4.first, m::day_from_civil(2026, 10, 1));
  EXPECT_EQ(q4.last, m::day_from_civil(2026, 12, 31));
  const m::Period school = m::months_period(2025, 6, 2026, 5);
  EXPECT_TRUE(school.contains(m::day_from_civil(2026, 5, 31)));
  EXPECT_FALSE(school.contains(m::day_from_civil(2026, 6, 1)));
  EXPECT_FALSE(school.contains(m::kNoDay));
}

// ---------------------------------------------------------------- codes

TEST(MeasuresCodes, CodeSetMatchesExactAndPrefixPatterns) {
  m::Interner codes;
  const m::Code i10 = codes.intern("http://hl7.org/fhir/sid/icd-10|I10");
  const m::Code i159 = codes.intern("http://hl7.org/fhir/sid/icd-10|I15.9");
  const m::Code i16 = codes.intern("http://hl7.org/fhir/sid/icd-10|I16.0");
  const m::Code bp = codes.intern("http://loinc.org|8480-6");
  const m::CodeSet ht(codes, m::icd10_range("I10", "I15"));
  EXPECT_TRUE(ht.contains(i10));
  EXPECT_TRUE(ht.contains(i159));
  EXPECT_FALSE(ht.contains(i16));
  EXPECT_FALSE(ht.contains(bp));
  EXPECT_FALSE(ht.contains(m::kNoCode));
  const m::CodeSet exact(codes, {"http://loinc.org|8480-6", "http://loinc.org|never-seen"});
  EXPECT_TRUE(exact.contains(bp));
  EXPECT_FALSE(exact.empty());
  EXPECT_TRUE(m::CodeSet(codes, {}).empty());
  EXPECT_EQ(m::icd10_range("E10", "E14").size(), 5u);
  EXPECT_EQ(codes.find("http://loinc.org|8480-6"), bp);
  EXPECT_EQ(codes.find("nope"), m::kNoCode);
}

// ---------------------------------------------------------------- the example bundle

TEST(MeasuresExtract, PuskesmasExampleBundle) {
  Pseudo pseudo;
  m::FactStore store;
  auto doc = json(example_text());
  const m::ExtractResult r = m::extract_facts(doc, store, pseudo.options());
  EXPECT_TRUE(r.errors.empty()) << (r.errors.empty() ? "" : r.errors.front());
  // 20 entries: Practitioner, Medication, 2 MedicationRequest and Organization are not used.
  EXPECT_EQ(r.resources, 20);
  EXPECT_EQ(r.ignored, 5);
  // 1 Patient + 1 Encounter + 3 Conditions + 8 Observations (+2 BP components) + 1 Procedure + 1 ServiceRequest.
  EXPECT_EQ(r.facts, 17);
  store.finalize();

  // One person, pseudonymised from the NIK (the Patient has no id); the NIK itself is not kept.
  ASSERT_EQ(store.subjects.size(), 1u);
  for (const std::string& k : pseudo.keys) EXPECT_EQ(k, "https://fhir.kemkes.go.id/id/nik|9903951739517307");
  for (const std::string& s : store.subjects) EXPECT_EQ(s.find("9903951739517307"), std::string::npos);
  for (std::size_t c = 0; c < store.codes.size(); ++c) {
    EXPECT_EQ(store.codes.name(static_cast<m::Code>(c)).find("9903951739517307"), std::string_view::npos);
  }

  const m::PatientFact* p = store.patient(0);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->birth, m::day_from_civil(1980, 8, 17));
  EXPECT_EQ(p->sex, m::Sex::female);
  EXPECT_TRUE(p->jkn);  // has a BPJS card number; the number itself is not kept

  ASSERT_EQ(store.encounters.size(), 1u);
  const m::EncounterFact& e = store.encounters[0];
  EXPECT_EQ(e.cls, m::EncounterClass::amb);
  EXPECT_EQ(e.status, m::EncounterStatus::finished);
  EXPECT_EQ(e.start, *m::parse_datetime("2026-03-02T01:15:00+00:00", 0));
  EXPECT_EQ(e.end, *m::parse_datetime("2026-03-02T02:05:00+00:00", 0));
  EXPECT_TRUE(e.has_attender);
  EXPECT_EQ(store.codes.name(e.provider), "Organization/10000004");
  EXPECT_EQ(store.codes.name(e.service_type), "https://fhir.simpul.id/CodeSystem/bpjs-pcare-poli|001");
  EXPECT_EQ(store.codes.name(e.ref), "urn:uuid:6f1c2a4e-1b0d-4d8e-9a51-0c2f3f6b7a01");

  // Conditions link to the encounter and, having no onset, take its start.
  ASSERT_EQ(store.conditions.size(), 3u);
  int icd = 0;
  for (const m::ConditionFact& c : store.conditions) {
    EXPECT_EQ(c.encounter, e.ref);
    EXPECT_EQ(c.onset, e.start);
    if (store.codes.name(c.code).starts_with("http://hl7.org/fhir/sid/icd-10|")) ++icd;
  }
  EXPECT_EQ(icd, 2);

  auto obs = [&](std::string_view code) -> const m::ObservationFact* {
    for (const auto& o : store.observations) {
      if (store.codes.name(o.code) == "http://loinc.org|" + std::string(code)) return &o;
    }
    return nullptr;
  };
  ASSERT_NE(obs("8480-6"), nullptr);  // the BP panel's components are facts of their own
  ASSERT_NE(obs("8462-4"), nullptr);
  ASSERT_NE(obs("85354-9"), nullptr);
  EXPECT_EQ(obs("29463-7")->value_milli, 68500);  // 68.5 kg, exactly
  EXPECT_EQ(store.codes.name(obs("29463-7")->unit), "kg");
  EXPECT_EQ(obs("8310-5")->value_milli, 36600);  // 36.6 Cel: the decimal text, not a binary fraction
  EXPECT_EQ(obs("80288-4")->kind, m::ValueKind::coded);
  EXPECT_EQ(obs("8480-6")->encounter, e.ref);

  ASSERT_EQ(store.service_requests.size(), 1u);
  const m::ServiceRequestFact& sr = store.service_requests[0];
  EXPECT_TRUE(sr.referral);
  EXPECT_TRUE(sr.specialist);
  EXPECT_FALSE(sr.completed);
  EXPECT_EQ(store.codes.name(sr.target), "https://fhir.simpul.id/sid/bpjs-kode-faskes|0114R005");
  EXPECT_EQ(store.codes.name(sr.reason), "http://hl7.org/fhir/sid/icd-10|I10");  // via reasonReference
  EXPECT_EQ(sr.time, *m::parse_datetime("2026-03-02T02:00:00+00:00", 0));

  ASSERT_EQ(store.procedures.size(), 1u);
  EXPECT_EQ(store.procedures[0].time, e.start);  // no performed[x]: the encounter's start
  EXPECT_EQ(store.encounters_of(0).size(), 1u);
  EXPECT_EQ(store.observations_of(0).size(), 10u);
  EXPECT_TRUE(store.observations_of(1).empty());
}

// ---------------------------------------------------------------- single resources

TEST(MeasuresExtract, ObservationValuesAreExactThousandths) {
  Pseudo pseudo;
  m::FactStore store;
  auto value_of = [&](const std::string& number) {
    auto doc = json(
        R"({"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"2345-7"}]},
      "subject":{"reference":"Patient/a"},"effectiveDateTime":"2026-01-05","valueQuantity":{"value":)" +
        number + R"(,"code":"mg/dL"}})");
    m::extract_facts(doc, store, pseudo.options());
    return store.observations.back().value_milli;
  };
  EXPECT_EQ(value_of("126"), 126000);
  EXPECT_EQ(value_of("0.1"), 100);
  EXPECT_EQ(value_of("-3.25"), -3250);
  EXPECT_EQ(value_of("1e2"), 100000);
  EXPECT_EQ(value_of("7.0005"), 7001);  // half up at the thousandth
  EXPECT_EQ(value_of("7.00049"), 7000);
  EXPECT_EQ(value_of("139.999"), 139999);
  auto doc = json(R"({"resourceType":"Observation","code":{"coding":[{"system":"http://loinc.org","code":"2345-7"}]},
    "subject":{"reference":"Patient/a"},"effectiveDateTime":"2026-01-05","valueQuantity":{"value":1e30}})");
  EXPECT_THROW(m::extract_facts(doc, store, pseudo.options()), Error);
}

TEST(MeasuresExtract, PatientBirthTimeAreaAndDeath) {
  Pseudo pseudo;
  m::FactStore store;
  auto doc = json(R"({"resourceType":"Patient","id":"bayi-1","gender":"male","birthDate":"2026-01-10",
    "_birthDate":{"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/patient-birthTime","valueDateTime":"2026-01-10T22:30:00+07:00"}]},
    "deceasedDateTime":"2026-02-01T10:00:00+07:00",
    "address":[{"extension":[{"url":"https://fhir.kemkes.go.id/r4/StructureDefinition/administrativeCode","extension":[
      {"url":"province","valueCode":"73"},{"url":"city","valueCode":"7318"},{"url":"district","valueCode":"731801"}]}]}]})");
  EXPECT_EQ(m::extract_facts(doc, store, pseudo.options()).facts, 1);
  store.finalize();
  EXPECT_EQ(pseudo.keys.at(0), "Patient/bayi-1");
  const m::PatientFact* p = store.patient(0);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->birth, m::day_from_civil(2026, 1, 10));
  EXPECT_EQ(p->birth_time, *m::parse_datetime("2026-01-10T15:30:00Z", 0));
  EXPECT_EQ(store.codes.name(p->area), "731801");  // the deepest code: kecamatan
  EXPECT_TRUE(p->deceased_flag);
  EXPECT_EQ(p->sex, m::Sex::male);
}

TEST(MeasuresExtract, EncounterTimesDispositionAndRole) {
  Pseudo pseudo;
  m::FactStore store;
  auto doc = json(R"({"resourceType":"Encounter","id":"igd-7","status":"finished",
    "class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"EMER"},
    "subject":{"reference":"https://satusehat.example/fhir/Patient/P1"},
    "statusHistory":[{"status":"arrived","period":{"start":"2026-04-01T10:00:00+07:00","end":"2026-04-01T10:04:00+07:00"}},
                     {"status":"in-progress","period":{"start":"2026-04-01T10:04:00+07:00"}}],
    "period":{"start":"2026-04-01T10:00:00+07:00","end":"2026-04-02T09:00:00+07:00"},
    "participant":[{"type":[{"coding":[{"system":"http://snomed.info/sct","code":"158965000"}]}]},
                   {"type":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ParticipationType","code":"ATND"}]}]}],
    "hospitalization":{"dischargeDisposition":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/discharge-disposition","code":"aadvice"}]}},
    "episodeOfCare":[{"reference":"EpisodeOfCare/hamil-1"}],
    "location":[{"location":{"reference":"Location/IGD"}}]})");
  m::extract_facts(doc, store, pseudo.options());
  store.finalize();
  EXPECT_EQ(pseudo.keys.at(0), "Patient/P1");  // an absolute reference is made canonical
  const m::EncounterFact& e = store.encounters.at(0);
  EXPECT_EQ(e.cls, m::EncounterClass::emer);
  EXPECT_EQ(e.seen - e.arrived, 4 * 60);
  EXPECT_TRUE(e.has_attender);
  EXPECT_EQ(store.codes.name(e.participant_role), "http://snomed.info/sct|158965000");
  EXPECT_EQ(store.codes.name(e.discharge), "http://terminology.hl7.org/CodeSystem/discharge-disposition|aadvice");
  EXPECT_EQ(store.codes.name(e.episode), "EpisodeOfCare/hamil-1");
  EXPECT_EQ(store.codes.name(e.location), "Location/IGD");
  EXPECT_EQ(store.codes.name(e.ref), "Encounter/igd-7");
}

TEST(MeasuresExtract, PregnancyEpisodeOfCare) {
  Pseudo pseudo;
  m::FactStore store;
  auto doc = json(R"({"resourceType":"EpisodeOfCare","id":"hamil-1","status":"finished",
    "type":[{"coding":[{"system":"http://terminology.kemkes.go.id/CodeSystem/episodeofcare-type","code":"ANC"}]}],
    "patient":{"reference":"Patient/ibu-1"},"period":{"start":"2025-06-20","end":"2026-01-12"},
    "extension":[{"url":"https://fhir.simpul.id/StructureDefinition/pregnancy-lmp","valueDate":"2025-04-10"},
                 {"url":"https://fhir.simpul.id/StructureDefinition/pregnancy-outcome","valueCoding":{"code":"live-birth"}}]})");
  m::extract_facts(doc, store, pseudo.options());
  const m::EpisodeOfCareFact& f = store.episodes.at(0);
  EXPECT_TRUE(f.pregnancy);
  EXPECT_TRUE(f.lmp_explicit);
  EXPECT_EQ(f.lmp, m::day_from_civil(2025, 4, 10));
  EXPECT_EQ(f.end, m::day_from_civil(2026, 1, 12));
  EXPECT_EQ(f.outcome, m::PregnancyOutcome::live_birth);
  EXPECT_EQ(store.codes.name(f.ref), "EpisodeOfCare/hamil-1");

  auto bad = json(R"({"resourceType":"EpisodeOfCare","status":"active","patient":{"reference":"Patient/ibu-1"},
    "type":[{"coding":[{"system":"http://snomed.info/sct","code":"77386006"}]}],"period":{"start":"2025-06-20"},
    "extension":[{"url":"https://fhir.simpul.id/StructureDefinition/pregnancy-outcome","valueCoding":{"code":"twins"}}]})");
  try {
    m::extract_facts(bad, store, pseudo.options());
    FAIL() << "an unknown outcome must be refused";
  } catch (const Error& e) {
    EXPECT_NE(e.issues().at(0).diagnostics.find("live-birth"), std::string::npos);
  }
}

TEST(MeasuresExtract, UnusableResourcesAreClearErrors) {
  Pseudo pseudo;
  m::FactStore store;
  auto no_subject =
      json(R"({"resourceType":"Observation","code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},
    "effectiveDateTime":"2026-01-05"})");
  try {
    m::extract_facts(no_subject, store, pseudo.options());
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), 400);
    EXPECT_EQ(e.issues().at(0).expression.at(0), "Observation.subject");
  }
  auto bad_date =
      json(R"({"resourceType":"Encounter","subject":{"reference":"Patient/a"},"period":{"start":"02-03-2026"}})");
  EXPECT_THROW(m::extract_facts(bad_date, store, pseudo.options()), Error);
  auto wrong_type = json(R"({"resourceType":"Condition","subject":{"reference":"Patient/a"},"code":"I10"})");
  EXPECT_THROW(m::extract_facts(wrong_type, store, pseudo.options()), Error);
  auto no_time = json(R"({"resourceType":"Observation","subject":{"reference":"Patient/a"},
    "code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]}})");
  EXPECT_THROW(m::extract_facts(no_time, store, pseudo.options()), Error);
  // A type no indicator uses is not an error.
  auto med = json(R"({"resourceType":"Medication","code":{"text":"x"}})");
  const m::ExtractResult r = m::extract_facts(med, store, pseudo.options());
  EXPECT_EQ(r.ignored, 1);
  EXPECT_EQ(r.facts, 0);
  // Entered-in-error is skipped silently.
  auto eie = json(R"({"resourceType":"Observation","status":"entered-in-error","subject":{"reference":"Patient/a"},
    "code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"effectiveDateTime":"2026-01-05"})");
  EXPECT_EQ(m::extract_facts(eie, store, pseudo.options()).facts, 0);
  // No pseudonymiser: a programming error, not a client one.
  m::ExtractOptions none;
  EXPECT_THROW(m::extract_facts(med, store, none), Error);
}

TEST(MeasuresExtract, BundleKeepsGoodEntriesAndReportsBadOnes) {
  Pseudo pseudo;
  m::FactStore store;
  auto doc = json(R"({"resourceType":"Bundle","type":"collection","entry":[
    {"fullUrl":"urn:uuid:1","resource":{"resourceType":"Patient","id":"x","birthDate":"1950-02-01"}},
    {"fullUrl":"urn:uuid:2","resource":{"resourceType":"Observation","subject":{"reference":"urn:uuid:1"},
       "code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"effectiveDateTime":"not a date"}},
    {"fullUrl":"urn:uuid:3","resource":{"resourceType":"Observation","subject":{"reference":"urn:uuid:1"},
       "code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"effectiveDateTime":"2026-02-03","valueQuantity":{"value":150}}},
    {"fullUrl":"urn:uuid:4"}]})");
  const m::ExtractResult r = m::extract_facts(doc, store, pseudo.options());
  EXPECT_EQ(r.facts, 2);
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_NE(r.errors[0].find("Bundle.entry[1] Observation"), std::string::npos) << r.errors[0];
  EXPECT_NE(r.errors[1].find("Bundle.entry[3]"), std::string::npos);
  store.finalize();
  ASSERT_EQ(store.subjects.size(), 1u);  // urn:uuid:1 resolves to Patient/x
  EXPECT_EQ(store.observations_of(0).size(), 1u);
  ASSERT_NE(store.patient(0), nullptr);
}

TEST(MeasuresExtract, NdjsonLines) {
  Pseudo pseudo;
  m::FactStore store;
  const std::string text =
      R"({"resourceType":"Patient","id":"a","birthDate":"1960-01-01"})"
      "\n\n"
      R"({"resourceType":"Observation","subject":{"reference":"Patient/a"},"code":{"coding":[{"system":"http://loinc.org","code":"2093-3"}]},"effectiveDateTime":"2026-05-05"})"
      "\r\n"
      "{not json\n"
      R"({"resourceType":"Practitioner"})";
  const m::ExtractResult r = m::extract_ndjson(text, store, pseudo.options());
  EXPECT_EQ(r.facts, 2);
  EXPECT_EQ(r.resources, 4);
  EXPECT_EQ(r.ignored, 1);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].rfind("line 4: ", 0), 0u) << r.errors[0];
  store.finalize();
  EXPECT_EQ(store.subjects.size(), 1u);
}

TEST(MeasuresExtract, ReferralWithTaccReasonCodeAndLabReport) {
  Pseudo pseudo;
  m::FactStore store;
  auto sr = json(R"({"resourceType":"ServiceRequest","status":"completed","intent":"order",
    "category":[{"coding":[{"system":"http://snomed.info/sct","code":"3457005"}]}],
    "subject":{"identifier":{"system":"https://fhir.kemkes.go.id/id/nik","value":"9901010101010001"}},
    "authoredOn":"2026-02-02T10:00:00+07:00","reasonCode":[{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10","code":"J06.9"}]}],
    "performer":[{"reference":"Organization/rs-1"}],
    "extension":[{"url":"https://fhir.simpul.id/StructureDefinition/bpjs-tacc",
                  "valueCoding":{"system":"https://fhir.simpul.id/CodeSystem/bpjs-pcare-tacc","code":"3"}}]})");
  m::extract_facts(sr, store, pseudo.options());
  // A logical reference by NIK: the pseudonymiser gets the key, the store never sees the NIK.
  EXPECT_EQ(pseudo.keys.at(0), "https://fhir.kemkes.go.id/id/nik|9901010101010001");
  const m::ServiceRequestFact& f = store.service_requests.at(0);
  EXPECT_TRUE(f.referral);
  EXPECT_TRUE(f.completed);
  EXPECT_FALSE(f.specialist);
  EXPECT_EQ(store.codes.name(f.reason), "http://hl7.org/fhir/sid/icd-10|J06.9");
  EXPECT_EQ(store.codes.name(f.tacc), "https://fhir.simpul.id/CodeSystem/bpjs-pcare-tacc|3");
  EXPECT_EQ(store.codes.name(f.target), "Organization/rs-1");

  auto dr = json(R"({"resourceType":"DiagnosticReport","status":"final",
    "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0074","code":"LAB"}]}],
    "code":{"coding":[{"system":"http://loinc.org","code":"58410-2"}]},"subject":{"reference":"Patient/a"},
    "effectiveDateTime":"2026-02-02T07:00:00+07:00","issued":"2026-02-02T08:30:00+07:00"})");
  EXPECT_EQ(m::extract_facts(dr, store, pseudo.options()).facts, 1);
  const m::ObservationFact& o = store.observations.back();
  EXPECT_TRUE(o.lab);
  EXPECT_TRUE(o.report);
  EXPECT_EQ(o.issued - o.time, 90 * 60);
}

// Every element of the example bundle replaced, one at a time, by a value of another
// JSON type: extraction never crashes; it keeps the other entries and reports the
// broken one (or, for the Bundle's own structure, throws fhir::Error).
TEST(MeasuresExtract, HostileShapesNeverCrash) {
  Pseudo pseudo;
  const auto opts = pseudo.options();
  auto original = json(example_text());
  std::vector<std::vector<std::string>> paths;  // JSON pointers as token lists
  std::function<void(const rapidjson::Value&, std::vector<std::string>&)> walk = [&](const rapidjson::Value& v,
                                                                                     std::vector<std::string>& at) {
    paths.push_back(at);
    if (v.IsObject()) {
      for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
        at.emplace_back(it->name.GetString(), it->name.GetStringLength());
        walk(it->value, at);
        at.pop_back();
      }
    } else if (v.IsArray()) {
      for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
        at.push_back(std::to_string(i));
        walk(v[i], at);
        at.pop_back();
      }
    }
  };
  std::vector<std::string> root;
  walk(original, root);
  ASSERT_GT(paths.size(), 300u);
  int runs = 0, thrown = 0;
  for (std::size_t k = 1; k < paths.size(); ++k) {
    for (int kind = 0; kind < 5; ++kind) {
      rapidjson::Document doc;
      doc.CopyFrom(original, doc.GetAllocator());
      rapidjson::Value* v = &doc;
      for (const std::string& t : paths[k]) {
        v = v->IsObject() ? &(*v)[rapidjson::Value(t.c_str(), doc.GetAllocator()).Move()] : &(*v)[std::stoul(t)];
      }
      switch (kind) {
        case 0:
          v->SetNull();
          break;
        case 1:
          v->SetDouble(1.5);
          break;
        case 2:
          v->SetString("x");
          break;
        case 3:
          v->SetArray();
          break;
        default:
          v->SetObject();
          break;
      }
      m::FactStore store;
      try {
        const m::ExtractResult r = m::extract_facts(doc, store, opts);
        store.finalize();
        EXPECT_LE(r.facts, 17);
      } catch (const Error& e) {
        ++thrown;
        EXPECT_EQ(e.status() / 100, 4);
      }
      ++runs;
    }
  }
  EXPECT_GT(runs, 1500);
  EXPECT_LT(thrown, runs);
}

// ---------------------------------------------------------------- layout

TEST(MeasuresStore, FinalizeSortsBySubjectAndTimeAndMergesPatients) {
  m::FactStore store;
  const m::Subject b = store.subject("b");
  const m::Subject a = store.subject("a");
  auto enc = [&](m::Subject s, m::Instant t) {
    m::EncounterFact e;
    e.subject = s;
    e.start = t;
    store.encounters.push_back(e);
  };
  enc(a, 300);
  enc(b, 100);
  enc(a, 200);
  m::PatientFact p1;
  p1.subject = a;
  p1.birth = 10;
  m::PatientFact p2;
  p2.subject = a;
  p2.sex = m::Sex::male;
  store.patients = {p1, p2};
  store.finalize();
  ASSERT_EQ(store.encounters_of(a).size(), 2u);
  EXPECT_EQ(store.encounters_of(a)[0].start, 200);
  EXPECT_EQ(store.encounters_of(a)[1].start, 300);
  EXPECT_EQ(store.encounters_of(b).size(), 1u);
  EXPECT_TRUE(store.encounters_of(99).empty());
  ASSERT_EQ(store.patients.size(), 1u);
  EXPECT_EQ(store.patient(a)->birth, 10);
  EXPECT_EQ(store.patient(a)->sex, m::Sex::male);
  EXPECT_EQ(store.patient(b), nullptr);
  EXPECT_EQ(store.find_subject("a"), a);
  EXPECT_FALSE(store.find_subject("zz"));
  EXPECT_LE(sizeof(m::EncounterFact), 96u);  // kept small for a district-year in memory
}
