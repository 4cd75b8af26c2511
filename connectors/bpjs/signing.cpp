#include "connectors/bpjs/signing.hpp"

#include <chrono>
#include <cstdlib>

#include "connectors/bpjs/codec.hpp"

namespace simpul::connectors::bpjs {

std::string signature(std::string_view cons_id, std::string_view secret, std::string_view timestamp) {
  std::string message;
  message.reserve(cons_id.size() + 1 + timestamp.size());
  message.append(cons_id).append(1, '&').append(timestamp);
  const Sha256Digest mac = hmac_sha256(secret, message);
  return base64_encode(std::span<const std::uint8_t>(mac.data(), mac.size()));
}

bool is_valid_timestamp(std::string_view timestamp) noexcept {
  if (timestamp.empty() || timestamp.size() > 19) return false;
  for (const char c : timestamp) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

RequestStamp::RequestStamp(std::uint64_t unix_seconds)
    : seconds_(unix_seconds), value_(std::to_string(unix_seconds)) {}

Result<RequestStamp> RequestStamp::parse(std::string_view timestamp) {
  if (!is_valid_timestamp(timestamp)) {
    return make_error(ErrorCode::bad_timestamp,
                      "X-timestamp must be 1 to 19 decimal digits (Unix seconds)");
  }
  std::uint64_t v = 0;
  for (const char c : timestamp) v = v * 10 + static_cast<std::uint64_t>(c - '0');
  RequestStamp stamp(v);
  // Keep the caller's exact spelling (e.g. leading zeros): it is what was sent.
  stamp.value_ = std::string(timestamp);
  return stamp;
}

std::string RequestStamp::signature(std::string_view cons_id, std::string_view secret) const {
  return bpjs::signature(cons_id, secret, value_);
}

AesKey RequestStamp::response_key(std::string_view cons_id, std::string_view secret) const {
  return derive_response_key(cons_id, secret, value_);
}

namespace {

int parse_digits(std::string_view s, std::size_t pos, std::size_t count) {
  int v = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    const char c = s[i];
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

// Days since 1970-01-01 of a proleptic Gregorian date (era-based computation).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

}  // namespace

std::optional<std::int64_t> parse_http_date(std::string_view s) noexcept {
  // "Sun, 06 Nov 1994 08:49:37 GMT"
  //  0123456789012345678901234567 8
  if (s.size() != 29) return std::nullopt;
  static constexpr std::string_view kDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  bool day_ok = false;
  for (auto d : kDays) day_ok = day_ok || s.substr(0, 3) == d;
  if (!day_ok || s.substr(3, 2) != ", " || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
      s[19] != ':' || s[22] != ':' || s.substr(25) != " GMT") {
    return std::nullopt;
  }
  unsigned month = 0;
  for (unsigned i = 0; i < 12; ++i) {
    if (s.substr(8, 3) == kMonths[i]) month = i + 1;
  }
  const int day = parse_digits(s, 5, 2);
  const int year = parse_digits(s, 12, 4);
  const int hour = parse_digits(s, 17, 2);
  const int minute = parse_digits(s, 20, 2);
  const int second = parse_digits(s, 23, 2);
  if (month == 0 || day < 1 || year < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 ||
      second < 0 || second > 60) {
    return std::nullopt;
  }
  static constexpr int kMonthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int max_day = kMonthDays[month - 1] + (month == 2 && is_leap(year) ? 1 : 0);
  if (day > max_day) return std::nullopt;
  const std::int64_t days = days_from_civil(year, month, static_cast<unsigned>(day));
  return days * 86400 + hour * 3600 + minute * 60 + second;
}

std::int64_t system_unix_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

UpstreamClock::UpstreamClock(std::int64_t configured_offset_seconds, bool learn, LocalClock local)
    : offset_(configured_offset_seconds),
      learn_(learn),
      local_(local ? std::move(local) : LocalClock(system_unix_seconds)) {}

std::int64_t UpstreamClock::now_unix_seconds() const { return local_() + offset_seconds(); }

RequestStamp UpstreamClock::stamp() const {
  const std::int64_t now = now_unix_seconds();
  return RequestStamp(now < 0 ? 0 : static_cast<std::uint64_t>(now));
}

bool UpstreamClock::observe_date_header(std::string_view http_date, std::int64_t local_unix_seconds) {
  const auto upstream = parse_http_date(http_date);
  if (!upstream) return false;
  if (!learn_) return true;
  const std::int64_t skew = *upstream - local_unix_seconds;
  std::int64_t current = offset_.load(std::memory_order_relaxed);
  while (std::llabs(skew - current) >= kLearnTolerance) {
    if (offset_.compare_exchange_weak(current, skew, std::memory_order_relaxed)) break;
  }
  return true;
}

bool UpstreamClock::observe_date_header(std::string_view http_date) {
  return observe_date_header(http_date, local_());
}

std::string pcare_authorization(std::string_view username, std::string_view password,
                                std::string_view kd_aplikasi) {
  std::string plain;
  plain.reserve(username.size() + password.size() + kd_aplikasi.size() + 2);
  plain.append(username).append(1, ':').append(password).append(1, ':').append(kd_aplikasi);
  return "Basic " + base64_encode(plain);
}

std::vector<Header> request_headers(const Credentials& credentials, const RequestStamp& stamp,
                                    const PcareLogin* pcare) {
  std::vector<Header> headers;
  headers.reserve(5);
  headers.push_back({"X-cons-id", credentials.cons_id});
  headers.push_back({"X-timestamp", stamp.value()});
  headers.push_back({"X-signature", stamp.signature(credentials.cons_id, credentials.secret_key)});
  headers.push_back({"user_key", credentials.user_key});
  if (pcare != nullptr) {
    headers.push_back({"X-authorization",
                       pcare_authorization(pcare->username, pcare->password, pcare->kd_aplikasi)});
  }
  return headers;
}

bool is_secret_header(std::string_view name) noexcept {
  auto iequals = [](std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      char x = a[i];
      char y = b[i];
      if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
      if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
      if (x != y) return false;
    }
    return true;
  };
  return iequals(name, "x-signature") || iequals(name, "x-authorization") ||
         iequals(name, "user_key");
}

}  // namespace simpul::connectors::bpjs
