// Pengampuan (priority-service mentoring): referral rate, morbidity and mortality
// per engagement and per hospital of the pair, on a hand-counted quarter.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fhir/error.hpp"
#include "mappings/measures/pengampuan.hpp"
#include "tests/mappings/measures_facts_fixture.hpp"

namespace m = simpul::mappings::measures;
namespace pg = simpul::mappings::measures::pengampuan;
using simpul::testing::measures::Facts;

namespace {

const std::string kMentor = "Organization/rs-pengampu";
const std::string kMentee = "Organization/rs-diampu";

pg::Engagement stroke() {
  pg::Engagement g;
  g.id = "PKS-2026-001";
  g.mentor = kMentor;
  g.mentee = kMentee;
  g.service = "stroke";
  g.diagnosis_codes = m::icd10_range("I60", "I64");
  return g;
}

pg::Scope q1() {
  pg::Scope s;
  s.period = m::months_period(2026, 1, 2026, 3);
  return s;
}

}  // namespace

TEST(Pengampuan, ReferralMorbidityAndMortalityPerHospital) {
  Facts f;
  auto visit = [&](m::Subject s, const std::string& hospital, const std::string& ref, m::Instant start,
                   m::Instant end) -> m::EncounterFact& {
    auto& e = f.enc(s, start, m::EncounterClass::imp, end);
    e.provider = f.code(hospital);
    e.ref = f.code(ref);
    return e;
  };
  // p1: stroke (I63.9, linked) at the mentee on 10 Jan, referred on (a referral ServiceRequest of that encounter);
  //     then at the mentor 12-20 Jan, where she dies (Patient.deceased on 20 Jan).
  const m::Subject p1 = f.person("p1", Facts::day(1955, 1, 1));
  visit(p1, kMentee, "Encounter/p1a", f.at(2026, 1, 10, 8), f.at(2026, 1, 11, 8));
  f.cond(p1, Facts::icd("I63.9"), f.at(2026, 1, 10, 9), "Encounter/p1a");
  f.referral(p1, f.at(2026, 1, 11, 7), "Encounter/p1a");
  visit(p1, kMentor, "Encounter/p1b", f.at(2026, 1, 12, 8), f.at(2026, 1, 20, 8));
  f.cond(p1, Facts::icd("I63.9"), f.at(2026, 1, 12, 9), "Encounter/p1b");
  f.st.patients.back().deceased = f.at(2026, 1, 20, 8);
  // p2: two stroke encounters at the mentee (I61, unlinked, dated within each); the second ends in death (exp).
  const m::Subject p2 = f.person("p2", Facts::day(1950, 1, 1));
  visit(p2, kMentee, "Encounter/p2a", f.at(2026, 2, 1, 8), f.at(2026, 2, 3, 8));
  f.cond(p2, Facts::icd("I61.0"), f.at(2026, 2, 1, 10));
  visit(p2, kMentee, "Encounter/p2b", f.at(2026, 3, 1, 8), f.at(2026, 3, 2, 8)).discharge =
      f.code("http://terminology.hl7.org/CodeSystem/discharge-disposition|exp");
  f.cond(p2, Facts::icd("I61.0"), f.at(2026, 3, 1, 10));
  // p3: hypertension only (I10) -> not a stroke case.
  const m::Subject p3 = f.person("p3", Facts::day(1950, 1, 1));
  visit(p3, kMentee, "Encounter/p3", f.at(2026, 2, 1, 8), f.at(2026, 2, 2, 8));
  f.cond(p3, Facts::icd("I10"), f.at(2026, 2, 1, 10), "Encounter/p3");
  // p4: stroke in April -> outside Q1.
  const m::Subject p4 = f.person("p4", Facts::day(1950, 1, 1));
  visit(p4, kMentee, "Encounter/p4", f.at(2026, 4, 1, 8), f.at(2026, 4, 2, 8));
  f.cond(p4, Facts::icd("I64"), f.at(2026, 4, 1, 10), "Encounter/p4");
  // p5: stroke at the mentee, discharged to another facility (other-hcf) -> referred.
  const m::Subject p5 = f.person("p5", Facts::day(1950, 1, 1));
  visit(p5, kMentee, "Encounter/p5", f.at(2026, 3, 20, 8), f.at(2026, 3, 21, 8)).discharge =
      f.code("http://terminology.hl7.org/CodeSystem/discharge-disposition|other-hcf");
  f.cond(p5, Facts::icd("I64"), f.at(2026, 3, 20, 10), "Encounter/p5");

  const auto results = pg::evaluate(f.done(), q1(), {stroke()}, pg::default_params());
  ASSERT_EQ(results.size(), 1u);
  const pg::EngagementResult& r = results[0];
  EXPECT_EQ(r.engagement, "PKS-2026-001");
  EXPECT_EQ(r.service, "stroke");
  // Mentee: cases p1, p2, p5 (4 encounters); referred p1, p5; died p2.
  EXPECT_EQ(r.mentee.patients, 3);
  EXPECT_EQ(r.mentee.encounters, 4);
  EXPECT_EQ(r.mentee.referral, (m::Proportion{2, 3}));
  EXPECT_EQ(r.mentee.mortality, (m::Proportion{1, 3}));
  // Mentor: p1 only, who died there.
  EXPECT_EQ(r.mentor.patients, 1);
  EXPECT_EQ(r.mentor.referral, (m::Proportion{0, 1}));
  EXPECT_EQ(r.mentor.mortality, (m::Proportion{1, 1}));
}

TEST(Pengampuan, EngagementNeedsItsDiagnosisListAndBothHospitals) {
  Facts f;
  const auto& st = f.done();
  pg::Engagement g = stroke();
  g.diagnosis_codes.clear();
  EXPECT_THROW(pg::evaluate(st, q1(), {g}, pg::default_params()), simpul::fhir::Error);
  g = stroke();
  g.mentee.clear();
  EXPECT_THROW(pg::evaluate(st, q1(), {g}, pg::default_params()), simpul::fhir::Error);
  // A hospital never seen has zero cases (no division anywhere).
  const auto r = pg::evaluate(st, q1(), {stroke()}, pg::default_params());
  EXPECT_EQ(r.at(0).mentee, pg::HospitalFigures{});
}
