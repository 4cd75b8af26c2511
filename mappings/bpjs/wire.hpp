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

#include "mappings/bpjs/expected.hpp"

namespace simpul::mappings::bpjs {

struct WireError {
  std::string field;    // dotted path of the offending field; "" = the document itself
  std::string message;  // what is wrong, e.g. "expected a string, got a number"

  // "field: message" (or just the message for the document).
  std::string text() const;
};

// A parse result: the value or the WireError.
template <typename T>
using WireResult = Expected<T, WireError>;

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
