#pragma once
// Shared pieces of the BPJS wire models (V-Claim, P-Care, Antrean): the parse
// result type and the date formats each service uses on the wire.
//
// Every model has a `to_json` that writes exactly the text BPJS puts on the wire
// (a request body, or the decrypted `response` value) and a `parse_*` that reads
// it back. Parsing ignores fields it does not know and is strict about the JSON
// type of the fields it does know: a wrong type gives a WireError naming the
// field by its dotted path ("peserta.statusPeserta.kode"). Error messages never
// quote field values (they may be card numbers or NIKs).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace simpul::mappings::bpjs {

struct WireError {
  std::string field;    // dotted path of the offending field; "" = the document itself
  std::string message;  // what is wrong, e.g. "expected a string, got a number"

  // "field: message" (or just the message for the document).
  std::string text() const;
};

// Minimal expected<T, WireError> (std::expected is C++23).
template <typename T>
class WireResult {
 public:
  WireResult(T value) : v_(std::in_place_index<0>, std::move(value)) {}          // NOLINT(implicit)
  WireResult(WireError error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT(implicit)

  [[nodiscard]] bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const WireError& error() const& { return std::get<1>(v_); }
  WireError&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, WireError> v_;
};

using Date = std::chrono::year_month_day;

// V-Claim and Antrean dates: yyyy-MM-dd.
std::string format_ymd(const Date& date);
// P-Care dates: dd-MM-yyyy (bpjs-api.md §6 pitfall 10).
std::string format_dmy(const Date& date);
// Strict: exactly that shape, and a real calendar date.
std::optional<Date> parse_ymd(std::string_view text);
std::optional<Date> parse_dmy(std::string_view text);

// Antrean event times are Unix time in milliseconds (not the seconds of X-timestamp).
std::int64_t unix_millis(std::chrono::system_clock::time_point t);

// A JSON string value (`"0301R0011017V000007"`) as sent in the `response` of
// SEP update/delete. Errors when the text is not exactly one JSON string.
WireResult<std::string> parse_json_string(std::string_view json);

}  // namespace simpul::mappings::bpjs
