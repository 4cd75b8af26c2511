// KBK counts from pushed facts: a hand-counted month (March 2026, WIB) with every
// boundary the interpretation in kbk_facts.hpp draws.
#include <gtest/gtest.h>

#include "fhir/error.hpp"
#include "mappings/measures/kbk_facts.hpp"
#include "tests/mappings/measures_facts_fixture.hpp"

namespace {

namespace m = simpul::mappings::measures;
namespace kbk = simpul::mappings::measures::kbk;
using simpul::testing::measures::Facts;

m::Subject participant(Facts& f, const std::string& name, bool jkn = true) {
  const m::Subject s = f.person(name, Facts::day(1970, 1, 1));
  f.st.patients.back().jkn = jkn;
  return s;
}

kbk::KbkFactParams params() {
  kbk::KbkFactParams p;
  p.registered_participants = 1000;
  p.competence_diagnoses = {Facts::icd("J06*")};
  return p;
}

struct KbkFactsMarch : ::testing::Test {
  Facts f;
  m::Period month = m::months_period(2026, 3, 2026, 3);

  void SetUp() override {
    // p1: two visits (one contact); a competence referral without TACC; DM controlled at
    // the latest reading (150 then 120); HT at 139/89 (controlled).
    const auto p1 = participant(f, "p1");
    f.enc(p1, f.at(2026, 3, 3));
    f.enc(p1, f.at(2026, 3, 20));
    f.referral(p1, f.at(2026, 3, 3)).reason = f.code(Facts::icd("J06.9"));
    f.cond(p1, Facts::icd("E11.9"), f.at(2026, 1, 10));
    f.obs(p1, Facts::loinc("1558-6"), f.at(2026, 3, 2), 150'000);
    f.obs(p1, Facts::loinc("1558-6"), f.at(2026, 3, 25), 120'000);
    f.cond(p1, Facts::icd("I10"), f.at(2025, 6, 1));
    f.obs(p1, Facts::loinc("8480-6"), f.at(2026, 3, 10), 139'000);
    f.obs(p1, Facts::loinc("8462-4"), f.at(2026, 3, 10), 89'000);
    // p2: a home visit at 23:30 WIB on 31 March (still March locally); a competence
    // referral WITH TACC; DM diagnosed in April (not yet); HT from 1 March, read only in February.
    const auto p2 = participant(f, "p2");
    f.enc(p2, f.at(2026, 3, 31, 23, 30), m::EncounterClass::hh);
    auto& r2 = f.referral(p2, f.at(2026, 3, 5));
    r2.reason = f.code(Facts::icd("J06.9"));
    r2.tacc = f.code("https://fhir.simpul.id/CodeSystem/tacc|Comorbidity");
    f.cond(p2, Facts::icd("E11"), f.at(2026, 4, 2));
    f.cond(p2, Facts::icd("I10"), f.at(2026, 3, 1));
    f.obs(p2, Facts::loinc("8480-6"), f.at(2026, 2, 27), 120'000);
    f.obs(p2, Facts::loinc("8462-4"), f.at(2026, 2, 27), 80'000);
    // p3: visits on 28 February and at 00:10 on 1 April only; a referral outside the
    // competence list; fasting glucose exactly 130 (controlled); systolic exactly 140 (not).
    const auto p3 = participant(f, "p3");
    f.enc(p3, f.at(2026, 2, 28));
    f.enc(p3, f.at(2026, 4, 1, 0, 10));
    f.referral(p3, f.at(2026, 3, 10)).reason = f.code(Facts::icd("I21.0"));
    f.cond(p3, Facts::icd("E10.9"), f.at(2026, 2, 1));
    f.obs(p3, Facts::loinc("1558-6"), f.at(2026, 3, 15), 130'000);
    f.cond(p3, Facts::icd("I10"), f.at(2026, 2, 1));
    f.obs(p3, Facts::loinc("8480-6"), f.at(2026, 3, 15), 140'000);
    f.obs(p3, Facts::loinc("8462-4"), f.at(2026, 3, 15), 80'000);
    // p4: not a JKN participant: neither the visit nor the referral counts.
    const auto p4 = participant(f, "p4", false);
    f.enc(p4, f.at(2026, 3, 4));
    f.referral(p4, f.at(2026, 3, 4)).reason = f.code(Facts::icd("J06.9"));
    f.cond(p4, Facts::icd("E11.9"), f.at(2026, 1, 1));
    // p5: a cancelled visit is no contact; DM without a reading this month.
    const auto p5 = participant(f, "p5");
    f.enc(p5, f.at(2026, 3, 6)).status = m::EncounterStatus::cancelled;
    f.cond(p5, Facts::icd("E11.9"), f.at(2025, 1, 1));
    f.done();
  }
};

TEST_F(KbkFactsMarch, CountsEachRatioByHand) {
  const kbk::KbkCounts c = kbk::count_kbk(f.st, month, params());
  EXPECT_EQ(c.ak, (m::Proportion{2, 1000})) << "p1 once, p2's late home visit; not p3, p4, p5";
  EXPECT_EQ(c.rrns, (m::Proportion{1, 3})) << "p1 of p1, p2 (TACC), p3 (outside the list)";
  EXPECT_EQ(c.tacc_referrals, 1);
  EXPECT_EQ(c.rppt_dm, (m::Proportion{2, 3})) << "p1 (latest 120), p3 (exactly 130) of p1, p3, p5";
  EXPECT_EQ(c.rppt_ht, (m::Proportion{1, 3})) << "p1 (139/89) of p1, p2 (no March reading), p3 (140)";
}

TEST_F(KbkFactsMarch, TaccOutOfTheDenominatorAndRegisteredOverridesAreParameters) {
  auto p = params();
  p.tacc_out_of_denominator = true;
  p.dm_registered = 40;
  p.ht_registered = 50;
  const kbk::KbkCounts c = kbk::count_kbk(f.st, month, p);
  EXPECT_EQ(c.rrns, (m::Proportion{1, 2}));
  EXPECT_EQ(c.rppt_dm, (m::Proportion{2, 40}));
  EXPECT_EQ(c.rppt_ht, (m::Proportion{1, 50}));
}

TEST_F(KbkFactsMarch, MissingParametersAreNamed) {
  auto p = params();
  p.registered_participants = -1;
  try {
    kbk::count_kbk(f.st, month, p);
    FAIL() << "counted AK without registered participants";
  } catch (const simpul::fhir::Error& e) {
    EXPECT_NE(std::string(e.what()).find("registered_participants"), std::string::npos) << e.what();
  }
  p = params();
  p.competence_diagnoses.clear();
  EXPECT_THROW(kbk::count_kbk(f.st, month, p), simpul::fhir::Error);
}

}  // namespace
