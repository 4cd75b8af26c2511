// KBK ratings, score and capitation share (mappings/measures/kbk.hpp), against
// the PKS's Tabel 1 and Tabel 2 (research/seed-003-pks-bpjs-fktp.md §3.4):
// the worked example and both sides of every edge.
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "fhir/error.hpp"
#include "mappings/measures/kbk.hpp"

namespace {

namespace m = simpul::mappings::measures;
using m::Rational;

Rational r(const char* text) {
  return Rational::parse(text);
}

TEST(KbkScore, WorkedExampleFromThePks) {
  // AK 147‰ -> 3 (1.2); RRNS 1.8% -> 4 (2.0); RPPT 4.2% -> 3 (0.3); total 3.5 -> 95%.
  const m::KbkResult k = m::kbk_score(r("147"), r("1.8"), r("4.2"));
  EXPECT_EQ(k.ak.rating, 3);
  EXPECT_EQ(k.ak.score, r("1.2"));
  EXPECT_EQ(k.rrns.rating, 4);
  EXPECT_EQ(k.rrns.score, r("2.0"));
  EXPECT_EQ(k.rppt.rating, 3);
  EXPECT_EQ(k.rppt.score, r("0.3"));
  EXPECT_EQ(k.total, r("3.5"));
  EXPECT_EQ(k.capitation_percent, 95);
}

// Tabel 1, AK: ≥150 -> 4; >145 – <150 -> 3; >140 – 145 -> 2; ≤140 -> 1.
TEST(KbkRating, AngkaKontakEveryEdge) {
  const std::vector<std::tuple<const char*, int>> cases{
      {"1000", 4},    {"150.001", 4}, {"150", 4}, {"149.999", 3}, {"145.001", 3}, {"145", 2},
      {"144.999", 2}, {"140.001", 2}, {"140", 1}, {"139.999", 1}, {"0", 1},
  };
  for (const auto& [value, rating] : cases) EXPECT_EQ(m::rate_ak(r(value)), rating) << value << "‰";
}

// Tabel 1, RRNS: ≤2 -> 4; >2 – 2.5 -> 3; >2.5 – 3 -> 2; >3 -> 1.
TEST(KbkRating, RasioRujukanEveryEdge) {
  const std::vector<std::tuple<const char*, int>> cases{
      {"0", 4},     {"1.999", 4}, {"2", 4}, {"2.001", 3}, {"2.5", 3},
      {"2.501", 2}, {"2.999", 2}, {"3", 2}, {"3.001", 1}, {"100", 1},
  };
  for (const auto& [value, rating] : cases) EXPECT_EQ(m::rate_rrns(r(value)), rating) << value << "%";
}

// Tabel 1, RPPT: ≥5 -> 4; 4 – <5 -> 3; 3 – <4 -> 2; <3 -> 1.
TEST(KbkRating, RasioProlanisEveryEdge) {
  const std::vector<std::tuple<const char*, int>> cases{
      {"100", 4}, {"5", 4}, {"4.999", 3}, {"4", 3}, {"3.999", 2}, {"3", 2}, {"2.999", 1}, {"0", 1},
  };
  for (const auto& [value, rating] : cases) EXPECT_EQ(m::rate_rppt(r(value)), rating) << value << "%";
}

TEST(KbkRating, TheResearchNoteEdgeCases) {
  EXPECT_EQ(m::rate_ak(r("145")), 2);
  EXPECT_EQ(m::rate_rrns(r("2.5")), 3);
  EXPECT_EQ(m::rate_rppt(r("4")), 3);
}

TEST(KbkRating, ValuesOutsideTheirRangeAreRefused) {
  EXPECT_THROW(m::rate_ak(r("-0.001")), simpul::fhir::Error);
  EXPECT_THROW(m::rate_ak(r("1000.001")), simpul::fhir::Error);
  EXPECT_THROW(m::rate_rrns(r("100.5")), simpul::fhir::Error);
  EXPECT_THROW(m::rate_rppt(r("-1")), simpul::fhir::Error);
  try {
    m::rate_rrns(r("101"));
    FAIL();
  } catch (const simpul::fhir::Error& e) {
    EXPECT_EQ(e.status(), 400);
    EXPECT_EQ(e.issues().at(0).diagnostics, "RRNS must be between 0 and 100%, not 101.");
  }
}

// Tabel 2: 4 -> 100%; 3 – <4 -> 95%; 2 – <3 -> 90%; 1 – <2 -> 85%.
TEST(KbkCapitation, EveryEdge) {
  EXPECT_EQ(m::capitation_percent(r("4")), 100);
  EXPECT_EQ(m::capitation_percent(r("4.0")), 100);
  EXPECT_EQ(m::capitation_percent(r("3.9")), 95);
  EXPECT_EQ(m::capitation_percent(r("3")), 95);
  EXPECT_EQ(m::capitation_percent(r("2.9")), 90);
  EXPECT_EQ(m::capitation_percent(r("2")), 90);
  EXPECT_EQ(m::capitation_percent(r("1.9")), 85);
  EXPECT_EQ(m::capitation_percent(r("1")), 85);
}

TEST(KbkScore, AllBestIsExactlyFourAndPaysInFull) {
  // 0.4x4 + 0.5x4 + 0.1x4: 3.9999999999999996 in binary floating point.
  const m::KbkResult k = m::kbk_score(r("150"), r("2"), r("5"));
  EXPECT_EQ(k.total, Rational(4));
  EXPECT_EQ(k.capitation_percent, 100);
}

TEST(KbkScore, ScoreEdgesFromRatings) {
  // 3.9: AK 3 (1.2) + RRNS 4 (2.0) + RPPT 4 (0.4) -> 3.6; AK 4 + RRNS 4 + RPPT 3 -> 3.9 -> 95%.
  EXPECT_EQ(m::kbk_score(r("150"), r("2"), r("4.999")).total, r("3.9"));
  EXPECT_EQ(m::kbk_score(r("150"), r("2"), r("4.999")).capitation_percent, 95);
  // Exactly 3.0: AK 4 (1.6) + RRNS 2 (1.0) + RPPT 4 (0.4) -> 95%.
  EXPECT_EQ(m::kbk_score(r("150"), r("3"), r("5")).total, Rational(3));
  EXPECT_EQ(m::kbk_score(r("150"), r("3"), r("5")).capitation_percent, 95);
  // 2.9: AK 3 (1.2) + RRNS 3 (1.5) + RPPT 2 (0.2) -> 90%.
  EXPECT_EQ(m::kbk_score(r("146"), r("2.5"), r("3")).total, r("2.9"));
  EXPECT_EQ(m::kbk_score(r("146"), r("2.5"), r("3")).capitation_percent, 90);
  // Exactly 2.0: AK 2 (0.8) + RRNS 2 (1.0) + RPPT 2 (0.2) -> 90%.
  EXPECT_EQ(m::kbk_score(r("145"), r("3"), r("3")).total, Rational(2));
  EXPECT_EQ(m::kbk_score(r("145"), r("3"), r("3")).capitation_percent, 90);
  // 1.9: AK 1 (0.4) + RRNS 2 (1.0) + RPPT 4 (0.4)... = 1.8; AK 2 (0.8) + RRNS 1 (0.5) + RPPT 4 (0.4) = 1.7;
  // AK 3 (1.2) + RRNS 1 (0.5) + RPPT 2 (0.2) = 1.9 -> 85%.
  EXPECT_EQ(m::kbk_score(r("146"), r("3.001"), r("3")).total, r("1.9"));
  EXPECT_EQ(m::kbk_score(r("146"), r("3.001"), r("3")).capitation_percent, 85);
  // All worst: 1.0 -> 85%.
  EXPECT_EQ(m::kbk_score(r("0"), r("100"), r("0")).total, Rational(1));
  EXPECT_EQ(m::kbk_score(r("0"), r("100"), r("0")).capitation_percent, 85);
}

TEST(KbkScore, EveryRatingCombinationSumsExactly) {
  // 4 x 4 x 4 combinations: the total is exactly 0.4a + 0.5b + 0.1c, and the share follows Tabel 2.
  const char* ak[] = {"140", "145", "149", "150"};  // ratings 1..4
  const char* rrns[] = {"3.5", "3", "2.5", "2"};    // ratings 1..4
  const char* rppt[] = {"2", "3", "4", "5"};        // ratings 1..4
  for (int a = 0; a < 4; ++a)
    for (int b = 0; b < 4; ++b)
      for (int c = 0; c < 4; ++c) {
        const m::KbkResult k = m::kbk_score(r(ak[a]), r(rrns[b]), r(rppt[c]));
        ASSERT_EQ(k.ak.rating, a + 1);
        ASSERT_EQ(k.rrns.rating, b + 1);
        ASSERT_EQ(k.rppt.rating, c + 1);
        const Rational expected = Rational::of(4 * (a + 1) + 5 * (b + 1) + (c + 1), 10);
        EXPECT_EQ(k.total, expected);
        const int pct = expected >= Rational(4)   ? 100
                        : expected >= Rational(3) ? 95
                        : expected >= Rational(2) ? 90
                                                  : 85;
        EXPECT_EQ(k.capitation_percent, pct);
      }
}

TEST(KbkCounts, AngkaKontakFromCounts) {
  // 1,470 of 10,000 registered participants had contact: 147‰ -> rating 3.
  EXPECT_EQ(m::angka_kontak(1470, 10000), r("147"));
  EXPECT_EQ(m::rate_ak(m::angka_kontak(1470, 10000)), 3);
  // 1,450 of 10,000 is exactly 145‰ -> rating 2; one more participant -> 145.1‰ -> 3.
  EXPECT_EQ(m::rate_ak(m::angka_kontak(1450, 10000)), 2);
  EXPECT_EQ(m::rate_ak(m::angka_kontak(1451, 10000)), 3);
  // 29 of 200 is exactly 145‰ too.
  EXPECT_EQ(m::angka_kontak(29, 200), r("145"));
  // 1 of 3 = 333.33…‰, kept exact.
  EXPECT_EQ(m::angka_kontak(1, 3), Rational::of(1000, 3));
  EXPECT_THROW(m::angka_kontak(1, 0), simpul::fhir::Error);
  EXPECT_THROW(m::angka_kontak(11, 10), simpul::fhir::Error);
  EXPECT_THROW(m::angka_kontak(-1, 10), simpul::fhir::Error);
}

TEST(KbkCounts, RasioRujukanFromCounts) {
  // 5 of 200 referrals non-specialist (TACC excluded): 2.5% -> rating 3; 4 of 200: 2% -> 4.
  EXPECT_EQ(m::rasio_rujukan_non_spesialistik(5, 200), r("2.5"));
  EXPECT_EQ(m::rate_rrns(m::rasio_rujukan_non_spesialistik(5, 200)), 3);
  EXPECT_EQ(m::rate_rrns(m::rasio_rujukan_non_spesialistik(4, 200)), 4);
  EXPECT_EQ(m::rate_rrns(m::rasio_rujukan_non_spesialistik(6, 200)), 2);
  // No referral at all: 0% (our interpretation), rating 4.
  EXPECT_EQ(m::rasio_rujukan_non_spesialistik(0, 0), Rational(0));
  EXPECT_THROW(m::rasio_rujukan_non_spesialistik(3, 2), simpul::fhir::Error);
  EXPECT_THROW(m::rasio_rujukan_non_spesialistik(-1, 2), simpul::fhir::Error);
}

TEST(KbkCounts, RasioProlanisFromCounts) {
  // DM 3 of 100 (3%) and HT 5 of 100 (5%): (3 + 5) / 2 = 4% -> rating 3 exactly on the edge.
  EXPECT_EQ(m::rasio_prolanis_terkendali(3, 100, 5, 100), Rational(4));
  EXPECT_EQ(m::rate_rppt(m::rasio_prolanis_terkendali(3, 100, 5, 100)), 3);
  // DM 1 of 3 and HT 0 of 7: (33.33…% + 0%) / 2 = 50/3 %.
  EXPECT_EQ(m::rasio_prolanis_terkendali(1, 3, 0, 7), Rational::of(50, 3));
  // The worked example's 4.2%: DM 21 of 500 (4.2%) and HT 42 of 1000 (4.2%).
  EXPECT_EQ(m::rasio_prolanis_terkendali(21, 500, 42, 1000), r("4.2"));
  EXPECT_THROW(m::rasio_prolanis_terkendali(0, 0, 1, 10), simpul::fhir::Error);
  EXPECT_THROW(m::rasio_prolanis_terkendali(1, 10, 0, 0), simpul::fhir::Error);
  EXPECT_THROW(m::rasio_prolanis_terkendali(11, 10, 0, 10), simpul::fhir::Error);
}

TEST(KbkCounts, WorkedExampleFromCounts) {
  const m::KbkResult k = m::kbk_score(m::angka_kontak(1470, 10000), m::rasio_rujukan_non_spesialistik(9, 500),
                                      m::rasio_prolanis_terkendali(21, 500, 42, 1000));
  EXPECT_EQ(k.rrns.value, r("1.8"));
  EXPECT_EQ(k.total, r("3.5"));
  EXPECT_EQ(k.capitation_percent, 95);
}

TEST(KbkRules, WeightsSumToOne) {
  EXPECT_EQ(
      r(m::kbk_rule_ak().weight.data()) + r(m::kbk_rule_rrns().weight.data()) + r(m::kbk_rule_rppt().weight.data()),
      Rational(1));
}

}  // namespace
