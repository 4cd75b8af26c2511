#include "mappings/bpjs/wire.hpp"

#include <cstdio>

#include "fhir/error.hpp"
#include "fhir/json.hpp"
#include "mappings/bpjs/enum_names.hpp"
#include "mappings/bpjs/wire_json.hpp"

namespace simpul::mappings::bpjs {

std::string WireError::text() const {
  return field.empty() ? message : field + ": " + message;
}

namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

std::optional<Date> make_date(int y, int m, int d) {
  const Date date{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                  std::chrono::day{static_cast<unsigned>(d)}};
  if (!date.ok()) return std::nullopt;
  return date;
}

}  // namespace

std::string format_ymd(const Date& date) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(date.year()) % 10000,
                static_cast<unsigned>(date.month()) % 100, static_cast<unsigned>(date.day()) % 100);
  return buf;
}

std::string format_dmy(const Date& date) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02u-%02u-%04d", static_cast<unsigned>(date.day()) % 100,
                static_cast<unsigned>(date.month()) % 100, static_cast<int>(date.year()) % 10000);
  return buf;
}

std::optional<Date> parse_ymd(std::string_view s) {
  int y = 0, m = 0, d = 0;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  if (!digits(s, 0, 4, y) || !digits(s, 5, 2, m) || !digits(s, 8, 2, d)) return std::nullopt;
  return make_date(y, m, d);
}

std::optional<Date> parse_dmy(std::string_view s) {
  int y = 0, m = 0, d = 0;
  if (s.size() != 10 || s[2] != '-' || s[5] != '-') return std::nullopt;
  if (!digits(s, 0, 2, d) || !digits(s, 3, 2, m) || !digits(s, 6, 4, y)) return std::nullopt;
  return make_date(y, m, d);
}

std::int64_t unix_millis(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

WireResult<std::string> parse_json_string(std::string_view json) {
  auto parsed = io::parse_document(json);
  if (!parsed) return std::move(parsed).error();
  const rapidjson::Value& v = parsed->doc;
  if (!v.IsString()) return WireError{"", "expected a JSON string, got " + std::string(io::type_name(v))};
  return std::string(v.GetString(), v.GetStringLength());
}

namespace io {

// By rapidjson::Type, in its declaration order.
constexpr std::string_view kTypeNames[] = {"null",     "a boolean", "a boolean", "an object",
                                           "an array", "a string",  "a number"};

std::string_view type_name(const rapidjson::Value& v) noexcept {
  return enum_name<rapidjson::kNumberType>(v.GetType(), kTypeNames, "an unknown value");
}

std::string join(const std::string& path, std::string_view key) {
  if (path.empty()) return std::string(key);
  std::string out = path;
  out += '.';
  out += key;
  return out;
}

WireResult<ParsedDocument> parse_document(std::string_view json) {
  fhir::ParseLimits limits;
  limits.reject_duplicate_keys = false;
  limits.max_depth = 64;
  try {
    return ParsedDocument{fhir::parse_json(json, limits)};
  } catch (const fhir::Error& e) {
    std::string why = e.issues().empty() ? std::string("not JSON") : e.issues().front().diagnostics;
    return WireError{"", "not valid JSON: " + why};
  }
}

const rapidjson::Value& unwrap(const rapidjson::Value& root, std::initializer_list<std::string_view> wrap,
                               std::string& path) {
  const rapidjson::Value* v = &root;
  for (auto key : wrap) {
    if (!v->IsObject()) throw Failure{path, "expected an object, got " + std::string(type_name(*v))};
    auto it = v->FindMember(rapidjson::Value(rapidjson::StringRef(key.data(), key.size())));
    path = join(path, key);
    if (it == v->MemberEnd()) throw Failure{path, "required field is missing"};
    v = &it->value;
  }
  return *v;
}

}  // namespace io

}  // namespace simpul::mappings::bpjs
