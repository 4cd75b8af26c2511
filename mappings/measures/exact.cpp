#include "mappings/measures/exact.hpp"

#include <limits>

#include "fhir/error.hpp"

namespace simpul::mappings::measures {

namespace {

// 128-bit intermediates (a GCC/Clang extension; __extension__ keeps -pedantic quiet).
__extension__ typedef __int128 Wide;
__extension__ typedef unsigned __int128 UWide;

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

UWide magnitude(Wide v) {
  return v < 0 ? static_cast<UWide>(-(v + 1)) + 1 : static_cast<UWide>(v);
}

UWide gcd(UWide a, UWide b) {
  while (b != 0) {
    const UWide t = a % b;
    a = b;
    b = t;
  }
  return a;
}

[[noreturn]] void overflow(std::string_view what) {
  throw fhir::Error::unprocessable(
      "The indicator figures are too large to compute exactly (" + std::string(what) + ").", {},
      "exact arithmetic overflow: " + std::string(what));
}

}  // namespace

struct RationalAccess {
  // Normalises n/d (d != 0) and checks that both parts fit in (-2^63, 2^63).
  static Rational make(Wide n, Wide d, std::string_view what) {
    if (d == 0)
      throw fhir::Error::unprocessable("Division by zero in an indicator calculation.", {},
                                       "exact arithmetic: zero denominator (" + std::string(what) + ")");
    if (d < 0) {
      n = -n;
      d = -d;
    }
    const UWide g = gcd(magnitude(n), static_cast<UWide>(d));
    if (g > 1) {
      n /= static_cast<Wide>(g);
      d /= static_cast<Wide>(g);
    }
    if (n > kMax || n < -kMax || d > kMax) overflow(what);
    return Rational(static_cast<std::int64_t>(n), static_cast<std::int64_t>(d), 0);
  }
};

Rational::Rational(std::int64_t integer) : num_(integer), den_(1) {
  if (integer == std::numeric_limits<std::int64_t>::min()) overflow("integer out of range");
}

Rational Rational::of(std::int64_t numerator, std::int64_t denominator) {
  if (numerator == std::numeric_limits<std::int64_t>::min() || denominator == std::numeric_limits<std::int64_t>::min())
    overflow("fraction part out of range");
  return RationalAccess::make(numerator, denominator, "fraction");
}

std::optional<Rational> Rational::try_parse(std::string_view text) noexcept {
  std::size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) {
    negative = text[i] == '-';
    ++i;
  }
  Wide digits = 0;
  Wide scale = 1;
  int significant = 0;
  bool any_digit = false;
  bool point = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.') {
      if (point) return std::nullopt;
      point = true;
      continue;
    }
    if (c < '0' || c > '9') return std::nullopt;
    any_digit = true;
    if (digits != 0 || c != '0') ++significant;
    if (significant > 18) return std::nullopt;
    digits = digits * 10 + (c - '0');
    if (point) {
      // Trailing fractional zeros beyond 18 places would overflow the scale.
      if (scale > static_cast<Wide>(kMax) / 10) return std::nullopt;
      scale *= 10;
    }
  }
  if (!any_digit) return std::nullopt;
  try {
    return RationalAccess::make(negative ? -digits : digits, scale, "parse");
  } catch (...) {
    return std::nullopt;
  }
}

Rational Rational::parse(std::string_view text) {
  if (auto r = try_parse(text)) return *r;
  std::string reason(1, '\'');
  reason.append(text.substr(0, 40));
  reason += "' is not a decimal number like 147, 2.5 or 0.24";
  if (text.find(',') != std::string_view::npos)
    reason += " (use a decimal point, not a comma)";
  else if (text.find_first_of("eE") != std::string_view::npos)
    reason += " (no exponent)";
  else if (text.size() > 19)
    reason += " (at most 18 significant digits)";
  throw fhir::Error::value(reason + ".");
}

Rational Rational::operator-() const {
  return RationalAccess::make(-static_cast<Wide>(num_), den_, "negate");
}

Rational operator+(const Rational& a, const Rational& b) {
  return RationalAccess::make(static_cast<Wide>(a.num_) * b.den_ + static_cast<Wide>(b.num_) * a.den_,
                              static_cast<Wide>(a.den_) * b.den_, "add");
}

Rational operator-(const Rational& a, const Rational& b) {
  return RationalAccess::make(static_cast<Wide>(a.num_) * b.den_ - static_cast<Wide>(b.num_) * a.den_,
                              static_cast<Wide>(a.den_) * b.den_, "subtract");
}

Rational operator*(const Rational& a, const Rational& b) {
  return RationalAccess::make(static_cast<Wide>(a.num_) * b.num_, static_cast<Wide>(a.den_) * b.den_, "multiply");
}

Rational operator/(const Rational& a, const Rational& b) {
  return RationalAccess::make(static_cast<Wide>(a.num_) * b.den_, static_cast<Wide>(a.den_) * b.num_, "divide");
}

std::strong_ordering operator<=>(const Rational& a, const Rational& b) noexcept {
  const Wide l = static_cast<Wide>(a.num_) * b.den_;
  const Wide r = static_cast<Wide>(b.num_) * a.den_;
  return l < r ? std::strong_ordering::less : l > r ? std::strong_ordering::greater : std::strong_ordering::equal;
}

std::string Rational::to_decimal(int places) const {
  if (places < 0 || places > 18)
    throw fhir::Error::internal("Rational::to_decimal: places must be 0..18, not " + std::to_string(places));
  UWide scale = 1;
  for (int i = 0; i < places; ++i) scale *= 10;
  // |num| < 2^63 and scale <= 10^18 < 2^60: the product fits 123 bits.
  const UWide scaled = magnitude(num_) * scale;
  const UWide den = static_cast<UWide>(den_);
  UWide q = scaled / den;
  const UWide r = scaled % den;
  if (2 * r >= den) ++q;  // half-up: ties away from zero
  // The digits of q from the right, at least places + 1 of them (a leading "0.").
  char buf[64];
  std::size_t start = sizeof buf;
  int written = 0;
  while (q != 0 || written <= places) {
    buf[--start] = static_cast<char>('0' + static_cast<int>(q % 10));
    q /= 10;
    ++written;
  }
  const std::size_t int_digits = static_cast<std::size_t>(written - places);
  std::string out;
  out.reserve(static_cast<std::size_t>(written) + 2);
  // A value that rounds to zero has no sign ("0.0", not "-0.0").
  bool all_zero = true;
  for (std::size_t i = start; i < sizeof buf; ++i) all_zero = all_zero && buf[i] == '0';
  if (num_ < 0 && !all_zero) out.push_back('-');
  out.append(buf + start, int_digits);
  if (places > 0) {
    out.push_back('.');
    out.append(buf + start + int_digits, static_cast<std::size_t>(places));
  }
  return out;
}

std::optional<std::string> Rational::exact_decimal() const {
  std::int64_t d = den_;
  int twos = 0;
  int fives = 0;
  while (d % 2 == 0) {
    d /= 2;
    ++twos;
  }
  while (d % 5 == 0) {
    d /= 5;
    ++fives;
  }
  if (d != 1) return std::nullopt;
  const int places = twos > fives ? twos : fives;
  if (places > 18) return std::nullopt;
  return to_decimal(places);
}

std::string Rational::to_string() const {
  return den_ == 1 ? std::to_string(num_) : std::to_string(num_) + "/" + std::to_string(den_);
}

Rational ratio_of_counts(std::int64_t count, std::int64_t total, std::int64_t scale) {
  if (count < 0 || total < 0)
    throw fhir::Error::unprocessable("Indicator counts cannot be negative.", {},
                                     "ratio_of_counts: " + std::to_string(count) + "/" + std::to_string(total));
  if (total == 0)
    throw fhir::Error::unprocessable("The denominator of the indicator is zero: the ratio is undefined.", {},
                                     "ratio_of_counts: zero total");
  return RationalAccess::make(static_cast<Wide>(count) * scale, total, "ratio of counts");
}

}  // namespace simpul::mappings::measures
