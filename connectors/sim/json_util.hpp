#pragma once
// JSON helpers for the simulators (internal): a safe parser for request bodies,
// field access that accepts codes sent as strings or numbers, and a small
// streaming writer.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace simpul::connectors::sim::json {

// Parses `text` (iteratively: no native recursion) after checking that it nests
// at most `max_depth` levels. nullopt on any error; `error` gets a short reason.
std::optional<rapidjson::Document> parse(std::string_view text, std::string* error = nullptr,
                                         std::size_t max_depth = 32);

// The value at a dotted path ("request.t_sep.noKartu"), or nullptr.
const rapidjson::Value* at(const rapidjson::Value& root, std::string_view dotted);

// The text of a string, or of an integer number (BPJS code fields arrive either
// way), at a dotted path. nullopt when absent, null, or another type.
std::optional<std::string> text(const rapidjson::Value& root, std::string_view dotted);
// Same, with "" for absent/null.
std::string text_or_empty(const rapidjson::Value& root, std::string_view dotted);
// True when present and not null.
bool present(const rapidjson::Value& root, std::string_view dotted);
// An integer (number, or a string of digits with optional '-').
std::optional<std::int64_t> integer(const rapidjson::Value& root, std::string_view dotted);
std::optional<bool> boolean(const rapidjson::Value& root, std::string_view dotted);

// Compact JSON text of a value (the value must be nested at most a few levels:
// only used on parsed bodies, whose depth parse() limits).
std::string dump(const rapidjson::Value& value);

// A JSON string literal.
std::string quote(std::string_view s);

// Streaming writer with short, unambiguous method names.
class Writer {
 public:
  Writer() : w_(buf_) {}
  Writer& obj() { w_.StartObject(); return *this; }
  Writer& end() { w_.EndObject(); return *this; }
  Writer& arr() { w_.StartArray(); return *this; }
  Writer& end_arr() { w_.EndArray(); return *this; }
  Writer& key(std::string_view k) { w_.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); return *this; }
  Writer& str(std::string_view v) { w_.String(v.data(), static_cast<rapidjson::SizeType>(v.size())); return *this; }
  Writer& num(std::int64_t v) { w_.Int64(v); return *this; }
  Writer& real(double v) { w_.Double(v); return *this; }
  Writer& boolean(bool v) { w_.Bool(v); return *this; }
  Writer& null() { w_.Null(); return *this; }
  Writer& raw(std::string_view json) {
    w_.RawValue(json.data(), json.size(), rapidjson::kObjectType);
    return *this;
  }
  // key + value
  Writer& s(std::string_view k, std::string_view v) { return key(k).str(v); }
  Writer& i(std::string_view k, std::int64_t v) { return key(k).num(v); }
  Writer& b(std::string_view k, bool v) { return key(k).boolean(v); }
  Writer& n(std::string_view k) { return key(k).null(); }
  // key + string, or null when v is empty
  Writer& sn(std::string_view k, std::string_view v) { return v.empty() ? n(k) : s(k, v); }
  Writer& o(std::string_view k) { return key(k).obj(); }
  Writer& a(std::string_view k) { return key(k).arr(); }

  std::string take() const { return std::string(buf_.GetString(), buf_.GetSize()); }

 private:
  rapidjson::StringBuffer buf_;
  rapidjson::Writer<rapidjson::StringBuffer> w_;
};

}  // namespace simpul::connectors::sim::json
