#pragma once
// Civil dates for the simulators (internal): strict parsing of the two formats
// BPJS uses (V-Claim/Antrean yyyy-MM-dd, P-Care dd-MM-yyyy) and "today" in WIB.
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace simpul::connectors::sim::cal {

struct Date {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
  friend auto operator<=>(const Date&, const Date&) = default;
};

std::int64_t to_days(const Date& d);  // days since 1970-01-01
Date from_days(std::int64_t days);
Date add_days(const Date& d, std::int64_t n);

// Strict: exactly the digits and dashes, and a real calendar day (years 1900..2199).
std::optional<Date> parse_ymd(std::string_view s);  // yyyy-MM-dd
std::optional<Date> parse_dmy(std::string_view s);  // dd-MM-yyyy
std::string ymd(const Date& d);
std::string dmy(const Date& d);
std::string mmyy(const Date& d);  // "0323" for March 2023

// The date in Western Indonesia Time (UTC+7), where BPJS lives.
Date today_wib(std::int64_t unix_seconds);

// "35 tahun ,1 bulan ,11 hari" (the V-Claim umur text); zeroes when at < birth.
std::string age_text(const Date& birth, const Date& at);
int age_years(const Date& birth, const Date& at);

}  // namespace simpul::connectors::sim::cal
