// SPM puskesmas (the 12 basic services): hand-computed fixtures. Each test builds a
// few people whose numerator can be counted by hand (the comments say how) and
// checks every counting-rule boundary: trimester edges, KN windows, age bands,
// pregnancies across New Year, month-by-month control.
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fhir/error.hpp"
#include "fhir/json.hpp"
#include "mappings/measures/spm_puskesmas.hpp"
#include "tests/mappings/measures_facts_fixture.hpp"

namespace m = simpul::mappings::measures;
namespace spm = simpul::mappings::measures::spm;
using simpul::fhir::Error;
using simpul::testing::measures::Facts;

namespace {

const std::string kDoctor = "http://snomed.info/sct|158965000";
const std::string kMidwife = "http://snomed.info/sct|309453006";
const std::string kUsg = "http://snomed.info/sct|268445003";

spm::Scope year(int y, std::string area = {}) {
  spm::Scope s;
  s.period = m::year_period(y);
  s.area_prefix = std::move(area);
  return s;
}

// A pregnancy with ANC visits on the given gestational days (days since HPHT);
// visits on `doctor_days` are by a doctor; an ultrasound on `usg_day` (-1: none).
void pregnancy(Facts& f, m::Subject s, const std::string& ref, m::Day lmp, m::Day end, const std::vector<int>& days,
               const std::set<int>& doctor_days, int usg_day = 50) {
  f.pregnancy(s, ref, lmp, end);
  for (int d : days) {
    auto& e = f.enc(s, m::day_start(lmp + d, f.off) + 9 * 3600);
    e.episode = f.code(ref);
    e.participant_role = f.code(doctor_days.count(d) ? kDoctor : kMidwife);
  }
  if (usg_day >= 0) f.proc(s, kUsg, m::day_start(lmp + usg_day, f.off) + 10 * 3600);
}

spm::AncParams anc() {
  spm::AncParams p = spm::default_anc_params();
  p.sasaran = 100;
  return p;
}

}  // namespace

// ---------------------------------------------------------------- SPM-01

TEST(SpmIbuHamil, K6WithTrimesterDistributionAndCarryOverAcrossNewYear) {
  Facts f;
  // HPHT 2025-05-01, delivered 2026-02-05 (280 days): T1 day 50 (doctor), T2 days 100 and 150,
  // T3 days 200 (doctor), 230, 260; ultrasound on day 50. K6 per standard.
  const m::Subject a = f.person("ibu-a", Facts::day(1995, 1, 1));
  const m::Day lmp = Facts::day(2025, 5, 1);
  pregnancy(f, a, "EpisodeOfCare/a", lmp, Facts::day(2026, 2, 5), {50, 100, 150, 200, 230, 260}, {50, 200});
  const auto& st = f.done();
  // 2025: still pregnant on 31 December -> not counted, carried over.
  const spm::ServiceResult y2025 = spm::evaluate_ibu_hamil(st, year(2025), anc());
  EXPECT_EQ(y2025.coverage, (m::Proportion{0, 100}));
  EXPECT_EQ(y2025.carried_over, 1);
  // 2026: completed (delivered) -> counted, with the 2025 visits.
  const spm::ServiceResult y2026 = spm::evaluate_ibu_hamil(st, year(2026), anc());
  EXPECT_EQ(y2026.coverage, (m::Proportion{1, 100}));
  EXPECT_EQ(y2026.assessed, 1);
  EXPECT_EQ(y2026.carried_over, 0);
}

TEST(SpmIbuHamil, MissingTrimesterVisitIsNotCounted) {
  Facts f;
  const m::Day lmp = Facts::day(2025, 6, 1);
  const m::Day end = lmp + 275;
  // a: six visits but none in T1 (days 100,120,150 in T2 and 200,220,240 in T3) -> not K6.
  pregnancy(f, f.person("a", Facts::day(1990, 1, 1)), "EpisodeOfCare/a", lmp, end, {100, 120, 150, 200, 220, 240},
            {200});
  // b: T1 visit on day 97 (the last day of T1, 13w6d) -> T1 = 1, counted.
  pregnancy(f, f.person("b", Facts::day(1990, 1, 1)), "EpisodeOfCare/b", lmp, end, {97, 100, 150, 200, 230, 260},
            {97, 200});
  // c: the "first" visit on day 98 (14w0d) already falls in T2 -> T1 = 0, not counted.
  pregnancy(f, f.person("c", Facts::day(1990, 1, 1)), "EpisodeOfCare/c", lmp, end, {98, 100, 150, 200, 230, 260},
            {98, 200});
  // d: T3 starts on day 196 (28w0d): visits 195 (T2), 196, 210, 230 -> T3 = 3, counted.
  pregnancy(f, f.person("d", Facts::day(1990, 1, 1)), "EpisodeOfCare/d", lmp, end, {10, 100, 195, 196, 210, 230},
            {10, 196});
  // e: only two T3 visits (day 195 is T2) -> not counted.
  pregnancy(f, f.person("e", Facts::day(1990, 1, 1)), "EpisodeOfCare/e", lmp, end, {10, 100, 150, 195, 210, 230},
            {10, 210});
  // Hand count: b and d.
  const spm::ServiceResult r = spm::evaluate_ibu_hamil(f.done(), year(2026), anc());
  EXPECT_EQ(r.coverage, (m::Proportion{2, 100}));
  EXPECT_EQ(r.assessed, 5);
}

TEST(SpmIbuHamil, DoctorVisitsUltrasoundAndSameDayVisits) {
  Facts f;
  const m::Day lmp = Facts::day(2025, 6, 1);
  const m::Day end = lmp + 275;
  // a: no doctor visit in T3 -> not counted.
  pregnancy(f, f.person("a", Facts::day(1990, 1, 1)), "EpisodeOfCare/a", lmp, end, {10, 100, 150, 200, 230, 260}, {10});
  // b: no ultrasound -> not counted (the default rule: at least one USG).
  pregnancy(f, f.person("b", Facts::day(1990, 1, 1)), "EpisodeOfCare/b", lmp, end, {10, 100, 150, 200, 230, 260},
            {10, 200}, -1);
  // c: two encounters on day 100 are one visit -> T2 = 1, not counted.
  pregnancy(f, f.person("c", Facts::day(1990, 1, 1)), "EpisodeOfCare/c", lmp, end, {10, 100, 100, 200, 230, 260},
            {10, 200});
  // d: all per standard -> counted.
  pregnancy(f, f.person("d", Facts::day(1990, 1, 1)), "EpisodeOfCare/d", lmp, end, {10, 100, 150, 200, 230, 260},
            {10, 200});
  const auto& st = f.done();
  EXPECT_EQ(spm::evaluate_ibu_hamil(st, year(2026), anc()).coverage.numerator, 1);
  // Without the doctor and USG requirements, a and b also count (c still lacks a T2 visit).
  spm::AncParams loose = anc();
  loose.doctor_in_t1_and_t3 = false;
  loose.usg = spm::UsgRule::not_required;
  EXPECT_EQ(spm::evaluate_ibu_hamil(st, year(2026), loose).coverage.numerator, 3);
}

TEST(SpmIbuHamil, AbortionPretermAndMaternalDeathAreExcluded) {
  Facts f;
  const m::Day lmp = Facts::day(2025, 8, 1);
  const std::vector<int> k6 = {10, 100, 150, 200, 230, 250};
  // a: delivered at 258 days (36w6d) -> partus prematurus, excluded.
  pregnancy(f, f.person("a", Facts::day(1990, 1, 1)), "EpisodeOfCare/a", lmp, lmp + 258, k6, {10, 200});
  // b: delivered at 259 days (37w0d) -> term, counted.
  pregnancy(f, f.person("b", Facts::day(1990, 1, 1)), "EpisodeOfCare/b", lmp, lmp + 259, k6, {10, 200});
  // c: outcome recorded as abortion -> excluded.
  pregnancy(f, f.person("c", Facts::day(1990, 1, 1)), "EpisodeOfCare/c", lmp, lmp + 270, k6, {10, 200});
  f.st.episodes.back().outcome = m::PregnancyOutcome::abortion;
  // d: an ICD-10 O03 (spontaneous abortion) during the pregnancy -> excluded.
  const m::Subject d = f.person("d", Facts::day(1990, 1, 1));
  pregnancy(f, d, "EpisodeOfCare/d", lmp, lmp + 270, k6, {10, 200});
  f.cond(d, Facts::icd("O03.9"), m::day_start(lmp + 90, f.off));
  // e: died during pregnancy -> excluded.
  const m::Subject e = f.person("e", Facts::day(1990, 1, 1));
  pregnancy(f, e, "EpisodeOfCare/e", lmp, lmp + 270, k6, {10, 200});
  f.st.patients.back().deceased = m::day_start(lmp + 270, f.off);
  const spm::ServiceResult r = spm::evaluate_ibu_hamil(f.done(), year(2026), anc());
  EXPECT_EQ(r.coverage.numerator, 1);
  EXPECT_EQ(r.excluded, 4);
  EXPECT_EQ(r.assessed, 1);
}

TEST(SpmIbuHamil, HphtFromObservationVisitCodesAreaAndSasaran) {
  Facts f;
  // The episode starts at the first visit (SATUSEHAT style); HPHT comes from LOINC 8665-2.
  const m::Subject a = f.person("a", Facts::day(1990, 1, 1), m::Sex::female, "731801");
  const m::Day lmp = Facts::day(2025, 6, 1);
  const m::Day first_visit = lmp + 40;
  auto& ep = f.pregnancy(a, "EpisodeOfCare/a", first_visit, lmp + 275);
  ep.lmp_explicit = false;
  auto& hpht = f.obs(a, Facts::loinc("8665-2"), m::day_start(first_visit, f.off));
  hpht.kind = m::ValueKind::date;
  hpht.value_milli = lmp;
  // Visits identified by the P-Care KIA poli instead of Encounter.episodeOfCare.
  for (int d : {40, 100, 150, 200, 230, 260}) {
    auto& e = f.enc(a, m::day_start(lmp + d, f.off) + 3600);
    e.service_type = f.code("https://fhir.simpul.id/CodeSystem/bpjs-pcare-poli|003");
    e.participant_role = f.code(d == 40 || d == 200 ? kDoctor : kMidwife);
  }
  f.proc(a, kUsg, m::day_start(lmp + 40, f.off));
  const auto& st = f.done();
  // Day 40 is T1 only with the HPHT observation (with period.start as HPHT it would be day 0 of a 235-day
  // pregnancy: preterm and excluded).
  EXPECT_EQ(spm::evaluate_ibu_hamil(st, year(2026, "7318"), anc()).coverage.numerator, 1);
  EXPECT_EQ(spm::evaluate_ibu_hamil(st, year(2026, "7371"), anc()).coverage.numerator, 0);  // another kabupaten
  spm::AncParams missing = anc();
  missing.sasaran = -1;
  EXPECT_THROW(spm::evaluate_ibu_hamil(st, year(2026), missing), Error);
}

// ---------------------------------------------------------------- SPM-02

TEST(SpmIbuBersalin, DeliveriesAtAHealthFacilityInThePeriod) {
  Facts f;
  // a: O80 linked to an inpatient encounter in 2026 -> counted.
  const m::Subject a = f.person("a", Facts::day(1995, 1, 1));
  f.enc(a, f.at(2026, 3, 1, 20), m::EncounterClass::imp, f.at(2026, 3, 3)).ref = f.code("Encounter/a1");
  f.cond(a, Facts::icd("O80"), f.at(2026, 3, 2, 2), "Encounter/a1");
  // b: delivered at home (a home visit encounter) -> assessed, not counted.
  const m::Subject b = f.person("b", Facts::day(1995, 1, 1));
  f.enc(b, f.at(2026, 4, 1, 8), m::EncounterClass::hh).ref = f.code("Encounter/b1");
  f.cond(b, Facts::icd("O80"), f.at(2026, 4, 1, 8), "Encounter/b1");
  // c: SNOMED delivery procedure on 31 Dec 2025 23:30 WIB -> 2025, not this period.
  const m::Subject c = f.person("c", Facts::day(1995, 1, 1));
  f.enc(c, f.at(2025, 12, 31, 22), m::EncounterClass::imp, f.at(2026, 1, 2));
  f.proc(c, "http://snomed.info/sct|236973005", f.at(2025, 12, 31, 23, 30));
  // d: caesarean O82 without an encounter link, on a day she was an inpatient -> counted.
  const m::Subject d = f.person("d", Facts::day(1995, 1, 1));
  f.enc(d, f.at(2026, 7, 1, 8), m::EncounterClass::imp, f.at(2026, 7, 5, 8));
  f.cond(d, Facts::icd("O82.0"), f.at(2026, 7, 2, 8));
  spm::PersalinanParams p = spm::default_persalinan_params();
  p.sasaran = 40;
  const spm::ServiceResult r = spm::evaluate_ibu_bersalin(f.done(), year(2026), p);
  EXPECT_EQ(r.coverage, (m::Proportion{2, 40}));
  EXPECT_EQ(r.assessed, 3);
}

// ---------------------------------------------------------------- SPM-03

TEST(SpmBayiBaruLahir, Kn1Kn2Kn3WindowsAndYearOfCompletion) {
  Facts f;
  auto baby = [&](const std::string& name, int y, unsigned mo, unsigned d, int hh, bool with_time) {
    const m::Subject s = f.person(name, Facts::day(y, mo, d), m::Sex::male);
    if (with_time) f.st.patients.back().birth_time = f.at(y, mo, d, hh);
    return s;
  };
  auto visit = [&](m::Subject s, m::Instant t) { f.enc(s, t, m::EncounterClass::hh); };
  const m::Instant h = 3600;
  // A: born 2026-03-10 08:00; KN1 at exactly +6 h, KN2 day 3, KN3 day 8 -> counted.
  const m::Subject a = baby("A", 2026, 3, 10, 8, true);
  visit(a, f.at(2026, 3, 10, 8) + 6 * h);
  visit(a, f.at(2026, 3, 13, 9));
  visit(a, f.at(2026, 3, 18, 9));
  // B: visits at +5h59m (too early) and +49 h (too late for KN1, still day 2) -> no KN1, not counted.
  const m::Subject b = baby("B", 2026, 4, 1, 8, true);
  visit(b, f.at(2026, 4, 1, 13, 59));
  visit(b, f.at(2026, 4, 3, 9));
  visit(b, f.at(2026, 4, 5, 9));
  visit(b, f.at(2026, 4, 10, 9));
  // C: born 2025-12-28 10:00; KN1 +10 h, KN2 day 5 (2026-01-02), KN3 day 28 (2026-01-25, the last day) ->
  // completed in 2026: counted in 2026, not in 2025.
  const m::Subject c = baby("C", 2025, 12, 28, 10, true);
  visit(c, f.at(2025, 12, 28, 20));
  visit(c, f.at(2026, 1, 2, 9));
  visit(c, f.at(2026, 1, 25, 9));
  // D: no birth time: a visit on day 2 is KN1; KN2 on day 7 (the last day), KN3 on day 8 -> counted.
  const m::Subject d = baby("D", 2026, 6, 1, 0, false);
  visit(d, f.at(2026, 6, 3, 9));
  visit(d, f.at(2026, 6, 8, 9));
  visit(d, f.at(2026, 6, 9, 9));
  // E: KN3 only on day 29 -> not counted.
  const m::Subject e = baby("E", 2026, 5, 1, 7, true);
  visit(e, f.at(2026, 5, 1, 20));
  visit(e, f.at(2026, 5, 4, 9));
  visit(e, f.at(2026, 5, 30, 9));
  spm::NeonatalParams p = spm::default_neonatal_params();
  p.sasaran = 10;
  const auto& st = f.done();
  const spm::ServiceResult r2026 = spm::evaluate_bayi_baru_lahir(st, year(2026), p);
  EXPECT_EQ(r2026.coverage, (m::Proportion{3, 10}));  // A, C, D
  EXPECT_EQ(r2026.assessed, 5);
  EXPECT_EQ(spm::evaluate_bayi_baru_lahir(st, year(2025), p).coverage.numerator, 0);  // C completed in 2026
}

// ---------------------------------------------------------------- SPM-04

TEST(SpmBalita, AgeBandIsTheLastCompletedYearAtThePeriodEnd) {
  Facts f;
  // Simple packages so the band logic is visible: 0-11 = two weighings, 12-23 = a height, 24-59 = a head circumference.
  spm::BalitaParams p;
  p.sasaran = 50;
  p.standar_0_11 = {{"penimbangan", spm::FactKind::observation, spm::codes::body_weight(), 2, -1, -1, 0}};
  p.standar_12_23 = {{"tinggi", spm::FactKind::observation, spm::codes::body_height(), 1, -1, -1, 0}};
  p.standar_24_59 = {{"lingkar kepala", spm::FactKind::observation, spm::codes::head_circumference(), 1, -1, -1, 0}};
  const std::string weight = Facts::loinc("29463-7"), height = Facts::loinc("8302-2"), hc = Facts::loinc("9843-4");
  // 1: born 2025-03-15, 21 months on 2026-12-31 -> 12-23 group, assessed on months 0-11 [2025-03-15, 2026-03-15):
  //    weighed 2025-04-01 and 2026-03-14 (the last day before the first birthday) -> counted.
  const m::Subject c1 = f.person("c1", Facts::day(2025, 3, 15));
  f.obs(c1, weight, f.at(2025, 4, 1));
  f.obs(c1, weight, f.at(2026, 3, 14, 23));
  // 2: same birth date, second weighing ON the first birthday -> outside the 0-11 window, not counted.
  const m::Subject c2 = f.person("c2", Facts::day(2025, 3, 15));
  f.obs(c2, weight, f.at(2025, 4, 1));
  f.obs(c2, weight, f.at(2026, 3, 15, 8));
  // 3: born 2026-01-01, 11 months at year end -> not yet assessed.
  const m::Subject c3 = f.person("c3", Facts::day(2026, 1, 1));
  f.obs(c3, weight, f.at(2026, 2, 1));
  f.obs(c3, weight, f.at(2026, 3, 1));
  // 4: born 2024-12-31, exactly 24 months on 2026-12-31 -> 24-35 group, assessed on months 12-23 with a height ->
  // counted.
  const m::Subject c4 = f.person("c4", Facts::day(2024, 12, 31));
  f.obs(c4, height, f.at(2026, 6, 1));
  // 5: born 2023-06-01, 42 months -> 36-59 group, months 24-35 [2025-06-01, 2026-06-01): HC on 2026-07-01 is too late.
  const m::Subject c5 = f.person("c5", Facts::day(2023, 6, 1));
  f.obs(c5, hc, f.at(2026, 7, 1));
  // 6: born 2021-12-31, 60 months -> no longer a balita, not assessed.
  const m::Subject c6 = f.person("c6", Facts::day(2021, 12, 31));
  f.obs(c6, hc, f.at(2026, 5, 5));
  // 7: born 2022-01-01, 59 months -> months 36-47 [2025-01-01, 2026-01-01): HC on 2025-05-05 -> counted.
  const m::Subject c7 = f.person("c7", Facts::day(2022, 1, 1));
  f.obs(c7, hc, f.at(2025, 5, 5));
  const spm::ServiceResult r = spm::evaluate_balita(f.done(), year(2026), p);
  EXPECT_EQ(r.coverage, (m::Proportion{3, 50}));  // 1, 4, 7
  EXPECT_EQ(r.assessed, 5);                       // 1, 2, 4, 5, 7
}

TEST(SpmBalita, WeighingsPerHalfYearAndTheDefaultFirstYearPackage) {
  Facts f;
  const std::string weight = Facts::loinc("29463-7");
  // Both born 2024-03-15: 33 months on 2026-12-31, assessed on months 12-23 [2025-03-15, 2026-03-15), halves split
  // at 2025-09-15. Default 12-23 package needs 8 weighings with >= 4 in each half.
  spm::BalitaParams p = spm::default_balita_params();
  p.sasaran = 5;
  p.standar_12_23 = {p.standar_12_23.front()};  // only the weighing requirement
  // even: 4 + 4 -> counted. uneven: 5 + 3 -> not counted.
  const m::Subject even = f.person("even", Facts::day(2024, 3, 15));
  const m::Subject uneven = f.person("uneven", Facts::day(2024, 3, 15));
  for (unsigned mo : {4u, 5u, 6u, 7u}) f.obs(even, weight, f.at(2025, mo, 1));
  for (unsigned mo : {10u, 11u, 12u}) f.obs(even, weight, f.at(2025, mo, 1));
  f.obs(even, weight, f.at(2026, 1, 1));
  for (unsigned mo : {4u, 5u, 6u, 7u, 8u}) f.obs(uneven, weight, f.at(2025, mo, 1));
  for (unsigned mo : {10u, 11u, 12u}) f.obs(uneven, weight, f.at(2025, mo, 1));

  // The default 0-11 package, complete, for a child born 2025-02-01 (22 months at year end); and the same
  // child's twin whose vitamin A came at 5 months (before the 6-11 month window) -> not counted.
  spm::BalitaParams d = spm::default_balita_params();
  d.sasaran = 5;
  auto first_year = [&](const std::string& name, unsigned vit_a_month) {
    const m::Subject s = f.person(name, Facts::day(2025, 2, 1));
    for (unsigned mo = 3; mo <= 10; ++mo) f.obs(s, weight, f.at(2025, mo, 2));
    for (unsigned mo : {3u, 9u}) f.obs(s, Facts::loinc("8306-3"), f.at(2025, mo, 2));
    for (unsigned mo : {3u, 9u}) f.obs(s, Facts::loinc("9843-4"), f.at(2025, mo, 2));
    for (unsigned mo : {3u, 5u, 8u, 11u})
      f.proc(s, "https://fhir.simpul.id/CodeSystem/spm-layanan|kpsp", f.at(2025, mo, 2));
    f.imm(s, "https://fhir.simpul.id/CodeSystem/spm-layanan|vitamin-a", f.at(2025, vit_a_month, 2));
    const std::string v = "https://fhir.simpul.id/CodeSystem/vaksin|";
    f.imm(s, v + "BCG", f.at(2025, 2, 2));
    for (unsigned mo : {2u, 3u, 4u, 5u}) f.imm(s, v + "OPV", f.at(2025, mo, 3));
    f.imm(s, v + "IPV", f.at(2025, 5, 4));
    for (unsigned mo : {3u, 4u, 5u}) f.imm(s, v + "DPT-HB-Hib", f.at(2025, mo, 5));
    f.imm(s, v + "MR", f.at(2025, 11, 5));
  };
  first_year("complete", 8);     // vitamin A at 6 months (2025-08-02) -> counted
  first_year("early-vit-a", 7);  // 2025-07-02 is 5 months old -> the capsule does not count
  const auto& st = f.done();
  EXPECT_EQ(spm::evaluate_balita(st, year(2026), p).coverage.numerator, 2);  // even and complete
  EXPECT_EQ(spm::evaluate_balita(st, year(2026), d).coverage.numerator, 1);  // complete (even lacks heights etc.)
}

// ---------------------------------------------------------------- SPM-05..07

TEST(SpmScreening, ElderlyAgeIsTheAgeOnTheDayTheScreeningWasComplete) {
  Facts f;
  spm::ScreeningParams p = spm::default_usia_lanjut_params();
  p.sasaran = 20;
  auto screen = [&](m::Subject s, m::Instant t) {
    f.obs(s, Facts::loinc("29463-7"), t);
    f.obs(s, Facts::loinc("8480-6"), t);
    f.obs(s, Facts::loinc("2345-7"), t);
    f.obs(s, Facts::loinc("2093-3"), t);
  };
  // p1: turns 60 on 2026-06-01, screened the day before (59) -> not counted.
  screen(f.person("p1", Facts::day(1966, 6, 1)), f.at(2026, 5, 31));
  // p2: screened on the 60th birthday -> counted.
  screen(f.person("p2", Facts::day(1966, 6, 1)), f.at(2026, 6, 1));
  // p3: the four parts on different days, the last at 23:00 WIB on 31 December -> counted.
  const m::Subject p3 = f.person("p3", Facts::day(1950, 1, 1));
  f.obs(p3, Facts::loinc("29463-7"), f.at(2026, 1, 10));
  f.obs(p3, Facts::loinc("8480-6"), f.at(2026, 2, 10));
  f.obs(p3, Facts::loinc("2345-7"), f.at(2026, 3, 10));
  f.obs(p3, Facts::loinc("2093-3"), f.at(2026, 12, 31, 23));
  // p4: no cholesterol -> not counted.
  const m::Subject p4 = f.person("p4", Facts::day(1950, 1, 1));
  f.obs(p4, Facts::loinc("29463-7"), f.at(2026, 1, 10));
  f.obs(p4, Facts::loinc("8480-6"), f.at(2026, 1, 10));
  f.obs(p4, Facts::loinc("2345-7"), f.at(2026, 1, 10));
  // p5: complete but in 2025 -> not counted in 2026.
  screen(f.person("p5", Facts::day(1950, 1, 1)), f.at(2025, 12, 31, 23));
  const spm::ServiceResult r = spm::evaluate_screening(f.done(), year(2026), p);
  EXPECT_EQ(r.coverage, (m::Proportion{2, 20}));  // p2, p3
}

TEST(SpmScreening, ProductiveAgeNeedsGlucoseFromForty) {
  Facts f;
  spm::ScreeningParams p = spm::default_usia_produktif_params();
  p.sasaran = 30;
  auto basic = [&](m::Subject s, m::Instant t) {
    for (const char* c : {"29463-7", "8302-2", "8280-0", "8480-6"}) f.obs(s, Facts::loinc(c), t);
  };
  // a: 45 years, no glucose -> not counted.
  basic(f.person("a", Facts::day(1981, 1, 1)), f.at(2026, 3, 1));
  // b: 39 years, no glucose -> counted.
  basic(f.person("b", Facts::day(1987, 3, 2)), f.at(2026, 3, 1));
  // c: turns 40 on the screening day, no glucose -> not counted.
  basic(f.person("c", Facts::day(1986, 4, 10)), f.at(2026, 4, 10));
  // d: 50 years with glucose (capillary, LOINC 41653-7) -> counted.
  const m::Subject d = f.person("d", Facts::day(1976, 1, 1));
  basic(d, f.at(2026, 3, 1));
  f.obs(d, Facts::loinc("41653-7"), f.at(2026, 8, 1));
  // e: 15th birthday on the screening day -> counted; g: 14 -> not.
  basic(f.person("e", Facts::day(2011, 5, 5)), f.at(2026, 5, 5));
  basic(f.person("g", Facts::day(2011, 5, 6)), f.at(2026, 5, 5));
  EXPECT_EQ(spm::evaluate_screening(f.done(), year(2026), p).coverage, (m::Proportion{3, 30}));  // b, d, e
}

TEST(SpmScreening, SchoolAgeOverASchoolYear) {
  Facts f;
  spm::ScreeningParams p = spm::default_usia_pendidikan_dasar_params();
  p.sasaran = 12;
  spm::Scope school;
  school.period = m::months_period(2025, 6, 2026, 5);
  auto screen = [&](m::Subject s, m::Instant t) {
    for (const char* c : {"29463-7", "8302-2", "8867-4"}) f.obs(s, Facts::loinc(c), t);
  };
  // a: 6 years on the screening day (turns 7 on 2025-09-01) -> not counted; b: screened on the 7th birthday -> counted.
  screen(f.person("a", Facts::day(2018, 9, 1)), f.at(2025, 8, 31));
  screen(f.person("b", Facts::day(2018, 9, 1)), f.at(2025, 9, 1));
  // c: 15 on the screening day -> counted; d: 16 that day -> not.
  screen(f.person("c", Facts::day(2010, 1, 10)), f.at(2026, 1, 9));
  screen(f.person("d", Facts::day(2010, 1, 10)), f.at(2026, 1, 10));
  // e: screened 2026-06-01 -> the next school year.
  screen(f.person("e", Facts::day(2015, 1, 1)), f.at(2026, 6, 1));
  EXPECT_EQ(spm::evaluate_screening(f.done(), school, p).coverage, (m::Proportion{2, 12}));  // b, c
}

// ---------------------------------------------------------------- SPM-08/09

TEST(SpmHipertensi, MonthlyBloodPressureFromTheDiagnosisMonth) {
  Facts f;
  spm::ChronicParams p = spm::default_hipertensi_params();
  p.sasaran = 64;
  const std::string bp = Facts::loinc("8480-6");
  // p1: hypertensive since 2024; a BP every month of 2026, December's at 23:59 WIB on the 31st -> counted.
  const m::Subject p1 = f.person("p1", Facts::day(1960, 1, 1));
  f.cond(p1, Facts::icd("I10"), f.at(2024, 5, 1));
  for (unsigned mo = 1; mo <= 11; ++mo) f.obs(p1, bp, f.at(2026, mo, 15));
  f.obs(p1, bp, f.at(2026, 12, 31, 23, 59));
  // p2: the same without July -> not counted.
  const m::Subject p2 = f.person("p2", Facts::day(1960, 1, 1));
  f.cond(p2, Facts::icd("I11.9"), f.at(2024, 5, 1));
  for (unsigned mo = 1; mo <= 12; ++mo) {
    if (mo != 7) f.obs(p2, bp, f.at(2026, mo, 15));
  }
  // p3: diagnosed 2026-10-15; BP in October, November, December -> counted.
  const m::Subject p3 = f.person("p3", Facts::day(1970, 1, 1));
  f.cond(p3, Facts::icd("I10"), f.at(2026, 10, 15));
  for (unsigned mo : {10u, 11u, 12u}) f.obs(p3, bp, f.at(2026, mo, 20));
  // p4: diagnosed 2026-10-15; no BP in November -> not counted.
  const m::Subject p4 = f.person("p4", Facts::day(1970, 1, 1));
  f.cond(p4, Facts::icd("I10"), f.at(2026, 10, 15));
  for (unsigned mo : {10u, 12u}) f.obs(p4, bp, f.at(2026, mo, 20));
  // p5: 14 years old at the year end -> not assessed.
  const m::Subject p5 = f.person("p5", Facts::day(2012, 6, 1));
  f.cond(p5, Facts::icd("I10"), f.at(2026, 1, 2));
  for (unsigned mo = 1; mo <= 12; ++mo) f.obs(p5, bp, f.at(2026, mo, 15));
  // p6: a BP at 00:30 WIB on 1 February counts for February, not January -> January missing, not counted.
  const m::Subject p6 = f.person("p6", Facts::day(1960, 1, 1));
  f.cond(p6, Facts::icd("I10"), f.at(2025, 1, 1));
  f.obs(p6, bp, f.at(2026, 2, 1, 0, 30));
  for (unsigned mo = 2; mo <= 12; ++mo) f.obs(p6, bp, f.at(2026, mo, 15));
  const auto& st = f.done();
  const spm::ServiceResult r = spm::evaluate_chronic(st, year(2026), p);
  EXPECT_EQ(r.coverage, (m::Proportion{2, 64}));  // p1, p3
  EXPECT_EQ(r.assessed, 5);
  p.allowed_missing_months = 1;  // a district that tolerates one missed month: p2, p4, p6 too
  EXPECT_EQ(spm::evaluate_chronic(st, year(2026), p).coverage.numerator, 5);
}

TEST(SpmDiabetes, MonthlyVisitAndGlucose) {
  Facts f;
  spm::ChronicParams p = spm::default_dm_params();
  p.sasaran = 8;
  // a: diagnosed 2026-11-03; visit + glucose in November and December -> counted.
  const m::Subject a = f.person("a", Facts::day(1970, 1, 1));
  f.cond(a, Facts::icd("E11.9"), f.at(2026, 11, 3));
  for (unsigned mo : {11u, 12u}) {
    f.enc(a, f.at(2026, mo, 5));
    f.obs(a, Facts::loinc("2345-7"), f.at(2026, mo, 5));
  }
  // b: glucose both months but no visit in December -> not counted.
  const m::Subject b = f.person("b", Facts::day(1970, 1, 1));
  f.cond(b, Facts::icd("E11.9"), f.at(2026, 11, 3));
  f.enc(b, f.at(2026, 11, 5));
  for (unsigned mo : {11u, 12u}) f.obs(b, Facts::loinc("1558-6"), f.at(2026, mo, 5));
  // c: E16 (not diabetes) -> not assessed.
  const m::Subject c = f.person("c", Facts::day(1970, 1, 1));
  f.cond(c, Facts::icd("E16.2"), f.at(2026, 11, 3));
  const spm::ServiceResult r = spm::evaluate_chronic(f.done(), year(2026), p);
  EXPECT_EQ(r.coverage, (m::Proportion{1, 8}));
  EXPECT_EQ(r.assessed, 2);
}

// ---------------------------------------------------------------- SPM-10..12

TEST(SpmOdgj, SevereMentalIllnessSeenInThePeriod) {
  Facts f;
  spm::OdgjParams p = spm::default_odgj_params();
  p.sasaran = 3;
  f.cond(f.person("a", Facts::day(1980, 1, 1)), Facts::icd("F20.0"), f.at(2026, 4, 4));  // counted
  f.cond(f.person("b", Facts::day(1980, 1, 1)), Facts::icd("F23.1"), f.at(2025, 4, 4));  // known, not seen in 2026
  f.cond(f.person("c", Facts::day(1980, 1, 1)), Facts::icd("F32.1"), f.at(2026, 4, 4));  // depression: not ODGJ berat
  const spm::ServiceResult r = spm::evaluate_odgj(f.done(), year(2026), p);
  EXPECT_EQ(r.coverage, (m::Proportion{1, 3}));
  EXPECT_EQ(r.assessed, 2);
}

TEST(SpmTerdugaTb, SupportingExaminationInThePeriod) {
  Facts f;
  spm::TbParams p = spm::default_tb_params();
  p.sasaran = spm::estimated_presumptive_tb(54);  // 54 / 54% x 10 = 1000
  EXPECT_EQ(p.sasaran, 1000);
  EXPECT_EQ(spm::estimated_presumptive_tb(1), 19);  // 18.52 rounded half up
  EXPECT_EQ(spm::estimated_presumptive_tb(0), 0);
  EXPECT_THROW(spm::estimated_presumptive_tb(-1), Error);
  f.obs(f.person("tcm", m::kNoDay), Facts::loinc("38379-4"), f.at(2026, 2, 2));  // counted
  f.proc(f.person("cxr", m::kNoDay), "https://fhir.simpul.id/CodeSystem/spm-layanan|rontgen-toraks",
         f.at(2026, 3, 3));  // counted
  auto& sent =
      f.referral(f.person("sent", m::kNoDay), f.at(2026, 4, 4));  // specimen sent to a TCM lab, done -> counted
  sent.referral = false;
  sent.completed = true;
  sent.code = f.code("https://fhir.simpul.id/CodeSystem/spm-layanan|tcm");
  auto& pending = f.referral(f.person("pending", m::kNoDay), f.at(2026, 4, 4));  // not completed -> not counted
  pending.referral = false;
  pending.code = f.code("https://fhir.simpul.id/CodeSystem/spm-layanan|tcm");
  f.obs(f.person("late", m::kNoDay), Facts::loinc("11545-1"), f.at(2025, 12, 31, 23));  // 2025
  EXPECT_EQ(spm::evaluate_terduga_tb(f.done(), year(2026), p).coverage, (m::Proportion{3, 1000}));
}

TEST(SpmRisikoHiv, RapidTestAmongPeopleAtRisk) {
  Facts f;
  spm::HivParams p = spm::default_hiv_params();
  p.sasaran = 10;
  const std::string test = Facts::loinc("68961-2");
  const m::Subject tb = f.person("tb", Facts::day(1980, 1, 1));  // TB patient tested -> counted
  f.cond(tb, Facts::icd("A15.0"), f.at(2026, 1, 5));
  f.obs(tb, test, f.at(2026, 1, 20));
  const m::Subject hamil = f.person("hamil", Facts::day(1995, 1, 1));  // pregnant when tested -> counted
  f.pregnancy(hamil, "EpisodeOfCare/h", Facts::day(2026, 1, 1), Facts::day(2026, 10, 1));
  f.obs(hamil, test, f.at(2026, 3, 1));
  const m::Subject none = f.person("none", Facts::day(1980, 1, 1));  // tested, no recorded risk -> not counted
  f.obs(none, test, f.at(2026, 3, 1));
  const m::Subject untested = f.person("untested", Facts::day(1980, 1, 1));  // at risk, not tested
  f.cond(untested, Facts::icd("A53.9"), f.at(2026, 1, 5));
  f.obs(untested, Facts::loinc("8480-6"), f.at(2026, 1, 5));
  const auto& st = f.done();
  const spm::ServiceResult r = spm::evaluate_risiko_hiv(st, year(2026), p);
  EXPECT_EQ(r.coverage, (m::Proportion{2, 10}));
  EXPECT_EQ(r.assessed, 3);
  p.require_risk_group = false;
  EXPECT_EQ(spm::evaluate_risiko_hiv(st, year(2026), p).coverage.numerator, 3);
}

TEST(SpmCommon, UnfinalizedStoreAndMissingTargetsAreErrors) {
  m::FactStore st;
  spm::OdgjParams p = spm::default_odgj_params();
  p.sasaran = 1;
  EXPECT_THROW(spm::evaluate_odgj(st, year(2026), p), Error);
  st.finalize();
  EXPECT_EQ(spm::evaluate_odgj(st, year(2026), p).coverage, (m::Proportion{0, 1}));
  p.sasaran = -1;
  try {
    spm::evaluate_odgj(st, year(2026), p);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(e.issues().at(0).diagnostics.find("sasaran"), std::string::npos);
  }
}

// ---------------------------------------------------------------- from FHIR resources

// The same rules on resources as a SIMPUS pushes them (NDJSON through extract_ndjson):
// a SATUSEHAT-style pregnancy (episode opened at the first visit, HPHT as LOINC 8665-2)
// and a hypertensive patient whose BP comes as the 85354-9 panel.
TEST(SpmFromFhir, NdjsonThroughExtractionToCounts) {
  std::ostringstream nd;
  nd << R"({"resourceType":"Patient","id":"ibu","gender":"female","birthDate":"1994-02-03"})"
     << "\n";
  nd << R"({"resourceType":"EpisodeOfCare","id":"hamil","status":"finished","patient":{"reference":"Patient/ibu"},)"
     << R"("type":[{"coding":[{"system":"http://terminology.kemkes.go.id/CodeSystem/episodeofcare-type","code":"ANC"}]}],)"
     << R"("period":{"start":"2025-05-20","end":"2026-01-20"}})"
     << "\n";
  nd << R"({"resourceType":"Observation","status":"final","subject":{"reference":"Patient/ibu"},)"
     << R"("code":{"coding":[{"system":"http://loinc.org","code":"8665-2"}]},"effectiveDateTime":"2025-05-20T09:00:00+07:00",)"
     << R"("valueDateTime":"2025-04-20"})"
     << "\n";
  // HPHT 2025-04-20: visits on days 30 (doctor), 110, 150, 200 (doctor), 230, 260; delivered on day 275.
  const char* visits[] = {"2025-05-20", "2025-08-08", "2025-09-17", "2025-11-06", "2025-12-06", "2026-01-05"};
  for (int i = 0; i < 6; ++i) {
    const bool doctor = i == 0 || i == 3;
    nd << R"({"resourceType":"Encounter","id":"anc-)" << i << R"(","status":"finished",)"
       << R"("class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},)"
       << R"("subject":{"reference":"Patient/ibu"},"episodeOfCare":[{"reference":"EpisodeOfCare/hamil"}],)"
       << R"("participant":[{"type":[{"coding":[{"system":"http://snomed.info/sct","code":")"
       << (doctor ? "158965000" : "309453006") << R"("}]}]}],)"
       << R"("period":{"start":")" << visits[i] << R"(T09:00:00+07:00"}})"
       << "\n";
  }
  nd << R"({"resourceType":"Procedure","status":"completed","subject":{"reference":"Patient/ibu"},)"
     << R"("encounter":{"reference":"Encounter/anc-0"},"code":{"coding":[{"system":"http://snomed.info/sct","code":"268445003"}]}})"
     << "\n";
  nd << R"({"resourceType":"Patient","id":"ht","birthDate":"1960-07-07"})"
     << "\n";
  nd << R"({"resourceType":"Condition","subject":{"reference":"Patient/ht"},"onsetDateTime":"2026-10-02",)"
     << R"("code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10","code":"I10"}]}})"
     << "\n";
  for (const char* d : {"2026-10-02", "2026-11-03", "2026-12-04"}) {
    nd << R"({"resourceType":"Observation","status":"final","subject":{"reference":"Patient/ht"},"effectiveDateTime":")"
       << d << R"(","code":{"coding":[{"system":"http://loinc.org","code":"85354-9"}]},"component":[)"
       << R"({"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":150,"code":"mm[Hg]"}},)"
       << R"({"code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}]},"valueQuantity":{"value":95,"code":"mm[Hg]"}}]})"
       << "\n";
  }
  m::FactStore st;
  m::ExtractOptions opt;
  opt.pseudonymise = [](std::string_view key) { return "x-" + std::string(key.substr(key.find('/') + 1)); };
  const m::ExtractResult r = m::extract_ndjson(nd.str(), st, opt);
  ASSERT_TRUE(r.errors.empty()) << r.errors.front();
  st.finalize();
  // The procedure has no performed[x]: it takes Encounter/anc-0's start (day 30, T1).
  EXPECT_EQ(spm::evaluate_ibu_hamil(st, year(2026), anc()).coverage, (m::Proportion{1, 100}));
  EXPECT_EQ(spm::evaluate_ibu_hamil(st, year(2025), anc()).carried_over, 1);
  spm::ChronicParams ht = spm::default_hipertensi_params();
  ht.sasaran = 9;
  EXPECT_EQ(spm::evaluate_chronic(st, year(2026), ht).coverage, (m::Proportion{1, 9}));
}
