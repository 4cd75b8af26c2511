#pragma once
// Exact arithmetic for indicators (DESIGN.md: "Indicator arithmetic is exact
// (scaled integers / rationals), never binary floating point at thresholds").
//
// Rational is a fraction p/q of 64-bit integers, always normalised: q > 0 and
// gcd(|p|, q) = 1, so equal values have equal parts. Every operation computes in
// 128-bit intermediates, reduces, and throws fhir::Error (422 "processing") when
// the reduced result does not fit 64 bits — never undefined behaviour, never a
// silently wrapped value. Comparisons never overflow (a 64x64-bit product always
// fits 128 bits).
//
// Decimal text in:  Rational::parse("147"), ("2.5"), ("-0.24"), ("4.")... read
//                   digit by digit, exactly (no strtod); 0.1 is exactly 1/10.
// Decimal text out: to_decimal(places) rounds half-up, i.e. a tie goes away
//                   from zero (1.25 -> "1.3", -1.25 -> "-1.3"); the digits are
//                   always `places` long ("2.0", "0.24", "95"). exact_decimal()
//                   is the shortest exact form when one exists ("3.5", "0.24"),
//                   nullopt for 1/3.
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace simpul::mappings::measures {

class Rational {
 public:
  // Zero.
  constexpr Rational() noexcept = default;
  // An integer. Throws for INT64_MIN (its negation would not fit).
  Rational(std::int64_t integer);  // NOLINT(google-explicit-constructor): 4 is a Rational
  // numerator / denominator, normalised. Throws fhir::Error 422 when the
  // denominator is 0 or a part is INT64_MIN.
  static Rational of(std::int64_t numerator, std::int64_t denominator);

  // An exact decimal: optional sign, digits, optional '.' and digits ("147",
  // "2.5", "-0.25", ".5", "4."). No exponent, no thousands separator, no
  // decimal comma, no spaces. Throws fhir::Error 400 (value) saying what is
  // wrong, or when the number has more than 18 significant digits.
  static Rational parse(std::string_view text);
  // As parse(), nullopt instead of throwing.
  static std::optional<Rational> try_parse(std::string_view text) noexcept;

  std::int64_t numerator() const noexcept { return num_; }
  std::int64_t denominator() const noexcept { return den_; }
  bool is_integer() const noexcept { return den_ == 1; }
  bool is_zero() const noexcept { return num_ == 0; }
  bool is_negative() const noexcept { return num_ < 0; }

  Rational operator-() const;
  friend Rational operator+(const Rational& a, const Rational& b);
  friend Rational operator-(const Rational& a, const Rational& b);
  friend Rational operator*(const Rational& a, const Rational& b);
  // Throws fhir::Error 422 on division by zero.
  friend Rational operator/(const Rational& a, const Rational& b);
  Rational& operator+=(const Rational& b) { return *this = *this + b; }
  Rational& operator-=(const Rational& b) { return *this = *this - b; }
  Rational& operator*=(const Rational& b) { return *this = *this * b; }
  Rational& operator/=(const Rational& b) { return *this = *this / b; }

  friend bool operator==(const Rational& a, const Rational& b) noexcept { return a.num_ == b.num_ && a.den_ == b.den_; }
  friend std::strong_ordering operator<=>(const Rational& a, const Rational& b) noexcept;

  // Fixed decimals, half-up (ties away from zero). places: 0..18.
  std::string to_decimal(int places) const;
  // The exact decimal without trailing zeros, when the denominator has no prime
  // factor but 2 and 5 ("3.5", "0.24", "150"); nullopt otherwise (1/3).
  std::optional<std::string> exact_decimal() const;
  // "p/q", or "p" for an integer: a lossless text form for logs and tests.
  std::string to_string() const;

 private:
  constexpr Rational(std::int64_t n, std::int64_t d, int) noexcept : num_(n), den_(d) {}
  friend struct RationalAccess;
  std::int64_t num_ = 0;
  std::int64_t den_ = 1;
};

// count / total x scale, exactly: the form every indicator ratio takes
// (x1000 for per mille, x100 for percent). Throws fhir::Error 422 when total
// is 0 or the counts are negative.
Rational ratio_of_counts(std::int64_t count, std::int64_t total, std::int64_t scale);

}  // namespace simpul::mappings::measures
