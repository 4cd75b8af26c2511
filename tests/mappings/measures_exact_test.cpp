// Exact rational arithmetic for indicators (mappings/measures/exact.hpp).
#include <cstdint>
#include <limits>
#include <string>

#include <gtest/gtest.h>

#include "fhir/error.hpp"
#include "mappings/measures/exact.hpp"

namespace {

using simpul::mappings::measures::ratio_of_counts;
using simpul::mappings::measures::Rational;

Rational r(const char* text) {
  return Rational::parse(text);
}

TEST(RationalParse, ReadsDecimalsExactly) {
  EXPECT_EQ(r("145"), Rational(145));
  EXPECT_EQ(r("2.5"), Rational::of(5, 2));
  EXPECT_EQ(r("4.2"), Rational::of(21, 5));
  EXPECT_EQ(r("0.1"), Rational::of(1, 10));
  EXPECT_EQ(r("-0.24"), Rational::of(-6, 25));
  EXPECT_EQ(r("+7"), Rational(7));
  EXPECT_EQ(r(".5"), Rational::of(1, 2));
  EXPECT_EQ(r("4."), Rational(4));
  EXPECT_EQ(r("0004.000"), Rational(4));
  EXPECT_EQ(r("-0"), Rational(0));
  EXPECT_EQ(r("123456789012345678"), Rational(123456789012345678));
  EXPECT_EQ(r("0.000000000000000001"), Rational::of(1, 1000000000000000000));
}

TEST(RationalParse, NormalisesSoEqualValuesHaveEqualParts) {
  const Rational a = r("2.50");
  EXPECT_EQ(a.numerator(), 5);
  EXPECT_EQ(a.denominator(), 2);
  const Rational b = Rational::of(-10, -4);
  EXPECT_EQ(b.numerator(), 5);
  EXPECT_EQ(b.denominator(), 2);
  const Rational c = Rational::of(3, -6);
  EXPECT_EQ(c.numerator(), -1);
  EXPECT_EQ(c.denominator(), 2);
}

TEST(RationalParse, RejectsWhatIsNotAPlainDecimal) {
  for (const char* bad : {"", "-", ".", "1.2.3", "1,5", "1e3", " 1", "1 ", "abc", "0x10", "1_000", "--1", "1-",
                          "1234567890123456789", "0.0000000000000000001", "∞", "NaN"}) {
    EXPECT_FALSE(Rational::try_parse(bad).has_value()) << bad;
    EXPECT_THROW(Rational::parse(bad), simpul::fhir::Error) << bad;
  }
}

TEST(RationalParse, SaysWhyInOneLine) {
  try {
    Rational::parse("1,5");
    FAIL();
  } catch (const simpul::fhir::Error& e) {
    EXPECT_EQ(e.status(), 400);
    const std::string d = e.issues().at(0).diagnostics;
    EXPECT_NE(d.find("decimal point"), std::string::npos) << d;
    EXPECT_EQ(d.find('\n'), std::string::npos);
  }
}

TEST(RationalArithmetic, FloatingPointTrapsHoldExactly) {
  // 0.1 + 0.2 == 0.3 and 0.4*4 + 0.5*4 + 0.1*4 == 4: false in binary floating point.
  EXPECT_EQ(r("0.1") + r("0.2"), r("0.3"));
  EXPECT_EQ(r("0.4") * Rational(4) + r("0.5") * Rational(4) + r("0.1") * Rational(4), Rational(4));
  EXPECT_EQ(r("1.2") + r("2.0") + r("0.3"), r("3.5"));
  EXPECT_EQ(r("3.5") - r("0.5"), Rational(3));
  EXPECT_EQ(Rational(1) / Rational(3) * Rational(3), Rational(1));
  EXPECT_EQ(-r("2.5"), r("-2.5"));
}

TEST(RationalArithmetic, ComparesWithoutOverflow) {
  const std::int64_t big = std::numeric_limits<std::int64_t>::max();
  const Rational a = Rational::of(big, big - 1);  // just above 1
  const Rational b = Rational::of(big - 1, big - 2);
  EXPECT_LT(a, b);
  EXPECT_GT(a, Rational(1));
  EXPECT_LT(r("145"), r("145.000000000000001"));
  EXPECT_LE(r("2.5"), r("2.50"));
  EXPECT_EQ(r("2.5") <=> r("2.50"), std::strong_ordering::equal);
}

TEST(RationalArithmetic, OverflowIsAnErrorNotUndefinedBehaviour) {
  const std::int64_t big = std::numeric_limits<std::int64_t>::max();
  EXPECT_THROW(Rational(big) + Rational(1), simpul::fhir::Error);
  EXPECT_THROW(Rational(big) * Rational(2), simpul::fhir::Error);
  EXPECT_THROW(Rational::of(1, big) * Rational::of(1, big - 1), simpul::fhir::Error);
  EXPECT_THROW(Rational(std::numeric_limits<std::int64_t>::min()), simpul::fhir::Error);
  EXPECT_THROW(Rational::of(1, 0), simpul::fhir::Error);
  EXPECT_THROW(Rational(1) / Rational(0), simpul::fhir::Error);
  try {
    (void)(Rational(big) * Rational(big));
    FAIL();
  } catch (const simpul::fhir::Error& e) {
    EXPECT_EQ(e.status(), 422);
  }
  // Reduction keeps in range what fits after it: (big/2) * (2/big) = 1.
  EXPECT_EQ(Rational::of(big, 2) * Rational::of(2, big), Rational(1));
}

TEST(RationalFormat, FixedDecimalsRoundHalfUp) {
  EXPECT_EQ(r("3.5").to_decimal(1), "3.5");
  EXPECT_EQ(r("2").to_decimal(1), "2.0");
  EXPECT_EQ(r("95").to_decimal(0), "95");
  EXPECT_EQ(r("88.5").to_decimal(0), "89");  // the annex's rounding (seed-004 §6)
  EXPECT_EQ(r("1.25").to_decimal(1), "1.3");
  EXPECT_EQ(r("1.24999").to_decimal(1), "1.2");
  EXPECT_EQ(r("-1.25").to_decimal(1), "-1.3");  // ties away from zero
  EXPECT_EQ(r("-0.04").to_decimal(1), "0.0");   // no "-0.0"
  EXPECT_EQ(r("0.005").to_decimal(2), "0.01");
  EXPECT_EQ(Rational::of(1, 3).to_decimal(4), "0.3333");
  EXPECT_EQ(Rational::of(2, 3).to_decimal(4), "0.6667");
  EXPECT_EQ(Rational::of(1, 233).to_decimal(2), "0.00");
  EXPECT_EQ((Rational(100) / Rational(233)).to_decimal(2), "0.43");  // 1/233 x 100, seed-004 RI 8
  EXPECT_EQ(Rational::of(15 * 100, 233).to_decimal(2), "6.44");      // RI 9
  EXPECT_EQ(r("0.000000000000000001").to_decimal(18), "0.000000000000000001");
  EXPECT_EQ(Rational(std::numeric_limits<std::int64_t>::max()).to_decimal(18),
            "9223372036854775807.000000000000000000");
  EXPECT_THROW((void)r("1").to_decimal(19), simpul::fhir::Error);
}

TEST(RationalFormat, ExactDecimalWhenOneExists) {
  EXPECT_EQ(r("3.50").exact_decimal(), "3.5");
  EXPECT_EQ(r("0.24").exact_decimal(), "0.24");
  EXPECT_EQ(r("150").exact_decimal(), "150");
  EXPECT_EQ(Rational::of(1, 8).exact_decimal(), "0.125");
  EXPECT_FALSE(Rational::of(1, 3).exact_decimal().has_value());
  EXPECT_EQ(Rational::of(21, 5).to_string(), "21/5");
  EXPECT_EQ(Rational(7).to_string(), "7");
}

TEST(RationalCounts, RatioOfCountsIsExact) {
  EXPECT_EQ(ratio_of_counts(1470, 10000, 1000), r("147"));
  EXPECT_EQ(ratio_of_counts(21, 27, 100), Rational::of(700, 9));
  EXPECT_EQ(ratio_of_counts(0, 5, 100), Rational(0));
  EXPECT_THROW(ratio_of_counts(1, 0, 100), simpul::fhir::Error);
  EXPECT_THROW(ratio_of_counts(-1, 10, 100), simpul::fhir::Error);
  // count x scale beyond 64 bits is computed in 128 and reduced.
  const std::int64_t big = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(ratio_of_counts(big, big, 1000), Rational(1000));
  EXPECT_THROW(ratio_of_counts(big, 1, 1000), simpul::fhir::Error);
}

}  // namespace
