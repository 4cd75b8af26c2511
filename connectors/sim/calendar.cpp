#include "connectors/sim/calendar.hpp"

#include <cstdio>

namespace simpul::connectors::sim::cal {

namespace {

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

std::optional<int> digits(std::string_view s) {
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

std::optional<Date> make(std::optional<int> y, std::optional<int> m, std::optional<int> d) {
  if (!y || !m || !d) return std::nullopt;
  if (*y < 1900 || *y > 2199 || *m < 1 || *m > 12 || *d < 1 || *d > days_in_month(*y, *m)) return std::nullopt;
  return Date{*y, *m, *d};
}

std::string format(const char* fmt, int a, int b, int c) {
  char buf[16];
  std::snprintf(buf, sizeof buf, fmt, a, b, c);
  return buf;
}

}  // namespace

// Days from civil, after the well-known era-based algorithm.
std::int64_t to_days(const Date& d) {
  const int y = d.year - (d.month <= 2 ? 1 : 0);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned mp = static_cast<unsigned>(d.month > 2 ? d.month - 3 : d.month + 9);
  const unsigned doy = (153 * mp + 2) / 5 + static_cast<unsigned>(d.day) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

Date from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return Date{static_cast<int>(y + (m <= 2 ? 1 : 0)), static_cast<int>(m), static_cast<int>(d)};
}

Date add_days(const Date& d, std::int64_t n) { return from_days(to_days(d) + n); }

std::optional<Date> parse_ymd(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  return make(digits(s.substr(0, 4)), digits(s.substr(5, 2)), digits(s.substr(8, 2)));
}

std::optional<Date> parse_dmy(std::string_view s) {
  if (s.size() != 10 || s[2] != '-' || s[5] != '-') return std::nullopt;
  return make(digits(s.substr(6, 4)), digits(s.substr(3, 2)), digits(s.substr(0, 2)));
}

std::string ymd(const Date& d) { return format("%04d-%02d-%02d", d.year, d.month, d.day); }
std::string dmy(const Date& d) { return format("%02d-%02d-%04d", d.day, d.month, d.year); }
std::string mmyy(const Date& d) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d%02d", d.month, d.year % 100);
  return buf;
}

Date today_wib(std::int64_t unix_seconds) {
  const std::int64_t t = unix_seconds + 7 * 3600;
  return from_days(t >= 0 ? t / 86400 : (t - 86399) / 86400);
}

std::string age_text(const Date& birth, const Date& at) {
  int y = 0, m = 0, d = 0;
  if (at >= birth) {
    y = at.year - birth.year;
    m = at.month - birth.month;
    d = at.day - birth.day;
    if (d < 0) {
      --m;
      const int pm = at.month == 1 ? 12 : at.month - 1;
      const int py = at.month == 1 ? at.year - 1 : at.year;
      d += days_in_month(py, pm);
    }
    if (m < 0) {
      --y;
      m += 12;
    }
  }
  return std::to_string(y) + " tahun ," + std::to_string(m) + " bulan ," + std::to_string(d) + " hari";
}

int age_years(const Date& birth, const Date& at) {
  if (at < birth) return 0;
  int y = at.year - birth.year;
  if (at.month < birth.month || (at.month == birth.month && at.day < birth.day)) --y;
  return y;
}

}  // namespace simpul::connectors::sim::cal
