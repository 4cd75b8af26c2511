#pragma once
// FHIR JSON in and out, over RapidJSON.
//
// parse_json() is how every request body enters Simpul. It is safe on hostile
// input: a size limit (413), a nesting-depth limit enforced during parsing by a
// SAX wrapper around the Document (RapidJSON's iterative parser, so no native
// recursion however deep the input is), strict UTF-8, no trailing garbage, no
// duplicate property names. Every failure is an fhir::Error 400 whose client
// diagnostics say what is wrong and where (line, column, byte offset).
//
// The depth limit also protects everything downstream that recurses over a
// Value (Accept/serialisation, CopyFrom, destruction with freeing allocators).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "fhir/error.hpp"

namespace simpul::fhir {

struct ParseLimits {
  std::size_t max_bytes = 16u << 20;   // larger bodies -> 413 payload_too_large
  std::size_t max_depth = 100;         // nesting levels; the top-level value is level 1
  bool reject_duplicate_keys = true;   // {"a":1,"a":2} -> 400 (JSON smuggling between readers)
};

// Parses any JSON document. Throws Error 400 (syntax, encoding, depth, duplicates)
// or 413 (size). A leading UTF-8 byte-order mark is tolerated.
rapidjson::Document parse_json(std::string_view body, const ParseLimits& limits = {});

// parse_json + the top level must be an object whose resourceType names a FHIR R4
// resource. Otherwise Error 400 with expression "resourceType".
rapidjson::Document parse_resource(std::string_view body, const ParseLimits& limits = {});

// Serialises a value (minified, or indented by two spaces). Strings that are not
// valid UTF-8 are repaired with U+FFFD so the output is always valid JSON.
// Throws Error::internal if the value holds NaN or infinity (not representable).
std::string to_json(const rapidjson::Value& value, bool pretty = false);

// The member `key` of an object, or nullptr (also when `value` is not an object).
const rapidjson::Value* member(const rapidjson::Value& value, std::string_view key);
// The member `key` if it is a string, else nullopt. The view points into `value`.
std::optional<std::string_view> string_member(const rapidjson::Value& value, std::string_view key);

// The string of a string value as a view (no strlen; embedded NULs kept).
inline std::string_view as_string_view(const rapidjson::Value& value) {
  return {value.GetString(), value.GetStringLength()};
}

// A RapidJSON string reference to a view (no copy; the view must outlive its use).
inline rapidjson::Value::StringRefType string_ref(std::string_view s) {
  return rapidjson::Value::StringRefType(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

// UTF-8 helpers: strict validity (no overlongs, no surrogates, <= U+10FFFF), and a
// repair that replaces each invalid sequence with U+FFFD.
bool is_valid_utf8(std::string_view s) noexcept;
std::string sanitize_utf8(std::string_view s);

}  // namespace simpul::fhir
