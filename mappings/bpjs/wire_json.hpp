#pragma once
// Internal to mappings/bpjs: field-by-field JSON reading and writing of the
// wire models. Each model has one description,
//
//   template <class V> void describe(V& v, Peserta& p) {
//     v("nama", p.nama);              // string / number / bool / struct / list / optional
//     v.required("noKartu", p.no_kartu);  // must be present and not null
//     v.omittable("eSEP", p.e_sep);   // optional that is left out (not null) when empty
//   }
//
// used by both Writer (in declaration order, so the output follows the
// catalogue byte for byte) and Reader (by name, unknown fields ignored).
//
// C++ field type -> JSON:
//   std::string              string            (absent/null read as "")
//   bool                     true/false        (absent/null read as false)
//   std::int64_t             integer number    (absent/null read as 0)
//   double                   number; written as an integer when it is one
//   std::optional<T>         T or null         (absent read as nullopt)
//   std::vector<T>           array             (absent/null read as empty)
//   a described struct       object            (absent/null read as default)
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "mappings/bpjs/wire.hpp"

namespace simpul::mappings::bpjs::io {

// Thrown by Reader on a type mismatch; read_message() turns it into a WireError.
struct Failure {
  std::string field;
  std::string message;
};

std::string_view type_name(const rapidjson::Value& v) noexcept;
std::string join(const std::string& path, std::string_view key);

class Writer {
 public:
  explicit Writer(rapidjson::Writer<rapidjson::StringBuffer>& w) : w_(w) {}

  template <class T>
  void operator()(std::string_view key, const T& value) {
    w_.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    put(value);
  }
  template <class T>
  void required(std::string_view key, const T& value) {
    (*this)(key, value);
  }
  template <class T>
  void omittable(std::string_view key, const std::optional<T>& value) {
    if (value) (*this)(key, *value);
  }

  void put(const std::string& s) { w_.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }
  void put(bool b) { w_.Bool(b); }
  void put(std::int64_t n) { w_.Int64(n); }
  void put(double d) {
    if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 9.0e15) {
      w_.Int64(static_cast<std::int64_t>(d));
    } else if (std::isfinite(d)) {
      w_.Double(d);
    } else {
      w_.Null();  // NaN/inf are not JSON; never produced by our own models
    }
  }
  template <class T>
  void put(const std::optional<T>& v) {
    if (v)
      put(*v);
    else
      w_.Null();
  }
  template <class T>
  void put(const std::vector<T>& list) {
    w_.StartArray();
    for (const auto& e : list) put(e);
    w_.EndArray();
  }
  template <class T>
  void put(const T& object) {
    static_assert(std::is_class_v<T>, "no JSON mapping for this field type");
    w_.StartObject();
    describe(*this, const_cast<T&>(object));  // Writer only reads through the reference
    w_.EndObject();
  }

 private:
  rapidjson::Writer<rapidjson::StringBuffer>& w_;
};

class Reader {
 public:
  Reader(const rapidjson::Value& object, std::string path) : obj_(object), path_(std::move(path)) {}

  template <class T>
  void operator()(std::string_view key, T& out) {
    get(find(key), out, join(path_, key));
  }
  template <class T>
  void required(std::string_view key, T& out) {
    const rapidjson::Value* v = find(key);
    if (!v) throw Failure{join(path_, key), "required field is missing"};
    if (v->IsNull()) throw Failure{join(path_, key), "required field is null"};
    get(v, out, join(path_, key));
  }
  template <class T>
  void omittable(std::string_view key, std::optional<T>& out) {
    (*this)(key, out);
  }

  static void get(const rapidjson::Value* v, std::string& out, const std::string& path) {
    if (!v || v->IsNull()) {
      out.clear();
      return;
    }
    if (!v->IsString()) throw Failure{path, "expected a string, got " + std::string(type_name(*v))};
    out.assign(v->GetString(), v->GetStringLength());
  }
  static void get(const rapidjson::Value* v, bool& out, const std::string& path) {
    if (!v || v->IsNull()) {
      out = false;
      return;
    }
    if (!v->IsBool()) throw Failure{path, "expected true or false, got " + std::string(type_name(*v))};
    out = v->GetBool();
  }
  static void get(const rapidjson::Value* v, std::int64_t& out, const std::string& path) {
    if (!v || v->IsNull()) {
      out = 0;
      return;
    }
    if (v->IsInt64()) {
      out = v->GetInt64();
      return;
    }
    if (v->IsDouble() && std::trunc(v->GetDouble()) == v->GetDouble() && std::fabs(v->GetDouble()) < 9.0e15) {
      out = static_cast<std::int64_t>(v->GetDouble());  // 120.0 is still an integer
      return;
    }
    throw Failure{path, "expected an integer, got " + std::string(type_name(*v))};
  }
  static void get(const rapidjson::Value* v, double& out, const std::string& path) {
    if (!v || v->IsNull()) {
      out = 0;
      return;
    }
    if (!v->IsNumber()) throw Failure{path, "expected a number, got " + std::string(type_name(*v))};
    out = v->GetDouble();
  }
  template <class T>
  static void get(const rapidjson::Value* v, std::optional<T>& out, const std::string& path) {
    if (!v || v->IsNull()) {
      out.reset();
      return;
    }
    T value{};
    get(v, value, path);
    out = std::move(value);
  }
  template <class T>
  static void get(const rapidjson::Value* v, std::vector<T>& out, const std::string& path) {
    out.clear();
    if (!v || v->IsNull()) return;
    if (!v->IsArray()) throw Failure{path, "expected an array, got " + std::string(type_name(*v))};
    out.reserve(v->Size());
    for (rapidjson::SizeType i = 0; i < v->Size(); ++i) {
      T item{};
      get(&(*v)[i], item, path + "[" + std::to_string(i) + "]");
      out.push_back(std::move(item));
    }
  }
  template <class T>
  static void get(const rapidjson::Value* v, T& out, const std::string& path) {
    static_assert(std::is_class_v<T>, "no JSON mapping for this field type");
    out = T{};
    if (!v || v->IsNull()) return;
    if (!v->IsObject()) throw Failure{path, "expected an object, got " + std::string(type_name(*v))};
    Reader r(*v, path);
    describe(r, out);
  }

 private:
  const rapidjson::Value* find(std::string_view key) const {
    auto it = obj_.FindMember(rapidjson::Value(rapidjson::StringRef(key.data(), key.size())));
    return it == obj_.MemberEnd() ? nullptr : &it->value;
  }

  const rapidjson::Value& obj_;
  std::string path_;
};

// Parses a message. Errors: not JSON (field ""), or nested Failure.
// Tolerant parse settings: duplicate keys allowed (the last wins, as BPJS peers
// do), depth and size bounded.
struct ParsedDocument {
  rapidjson::Document doc;
};
WireResult<ParsedDocument> parse_document(std::string_view json);

// Walks `wrap` keys down from the root; throws Failure when one is missing or not an object.
const rapidjson::Value& unwrap(const rapidjson::Value& root, std::initializer_list<std::string_view> wrap,
                               std::string& path);

template <class T>
std::string write_message(const T& value, std::initializer_list<std::string_view> wrap = {}) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> raw(buf);
  Writer w(raw);
  for (auto key : wrap) {
    raw.StartObject();
    raw.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
  }
  w.put(value);
  for (std::size_t i = 0; i < wrap.size(); ++i) raw.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

template <class T>
WireResult<T> read_message(std::string_view json, std::initializer_list<std::string_view> wrap = {}) {
  auto parsed = parse_document(json);
  if (!parsed) return std::move(parsed).error();
  try {
    std::string path;
    const rapidjson::Value& v = unwrap(parsed->doc, wrap, path);
    if (!v.IsObject()) throw Failure{path, "expected an object, got " + std::string(type_name(v))};
    T out{};
    Reader::get(&v, out, path);
    return out;
  } catch (const Failure& f) {
    return WireError{f.field, f.message};
  }
}

// {"key":[...]}; an empty key writes the bare array.
template <class T>
std::string write_list(const std::vector<T>& list, std::string_view key) {
  if (key.empty()) return write_message(list);
  return write_message(list, {key});
}

// {"key":[...]} or a bare array (Antrean references come both ways); a null list is empty.
template <class T>
WireResult<std::vector<T>> read_list(std::string_view json, std::string_view key) {
  auto parsed = parse_document(json);
  if (!parsed) return std::move(parsed).error();
  try {
    const rapidjson::Value& root = parsed->doc;
    std::vector<T> out;
    if (root.IsArray() || root.IsNull()) {
      Reader::get(&root, out, "");
      return out;
    }
    if (!root.IsObject()) throw Failure{"", "expected an object or an array, got " + std::string(type_name(root))};
    auto it = root.FindMember(rapidjson::Value(rapidjson::StringRef(key.data(), key.size())));
    if (it == root.MemberEnd()) throw Failure{std::string(key), "required field is missing"};
    Reader::get(&it->value, out, std::string(key));
    return out;
  } catch (const Failure& f) {
    return WireError{f.field, f.message};
  }
}

}  // namespace simpul::mappings::bpjs::io

// Defines the codec pair of a message object under the optional `wrap` keys:
//   std::string to_json(const Type&);  WireResult<Type> parse(std::string_view);
// e.g. SIMPUL_BPJS_WIRE_MESSAGE(SepRequest, parse_sep_request, "request", "t_sep").
#define SIMPUL_BPJS_WIRE_MESSAGE(Type, parse, ...)      \
  std::string to_json(const Type& value) {              \
    return io::write_message(value, {__VA_ARGS__});     \
  }                                                     \
  WireResult<Type> parse(std::string_view json) {       \
    return io::read_message<Type>(json, {__VA_ARGS__}); \
  }

// Defines the codec pair of a list under `key` ({"key":[...]}, see write_list / read_list).
#define SIMPUL_BPJS_WIRE_LIST(Type, parse, key)                \
  std::string to_json(const std::vector<Type>& list) {         \
    return io::write_list(list, key);                          \
  }                                                            \
  WireResult<std::vector<Type>> parse(std::string_view json) { \
    return io::read_list<Type>(json, key);                     \
  }
