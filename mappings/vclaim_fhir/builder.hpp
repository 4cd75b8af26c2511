#pragma once
// A thin layer over RapidJSON for building FHIR resources: values are always
// copied into the document's allocator, and empty strings are never written
// (FHIR forbids "" and empty arrays, so "absent" is the only way to say "none").
#include <initializer_list>
#include <string_view>

#include <rapidjson/document.h>

namespace simpul::mappings::vclaim_fhir {

class Builder {
 public:
  explicit Builder(rapidjson::Document& doc) : a_(doc.GetAllocator()) {}

  rapidjson::Value object() const { return rapidjson::Value(rapidjson::kObjectType); }
  rapidjson::Value array() const { return rapidjson::Value(rapidjson::kArrayType); }
  rapidjson::Value string(std::string_view s) const {
    return rapidjson::Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a_);
  }

  // obj[key] = s, unless s is empty.
  void set(rapidjson::Value& obj, std::string_view key, std::string_view s) const {
    if (!s.empty()) put(obj, key, string(s));
  }
  void set_bool(rapidjson::Value& obj, std::string_view key, bool b) const { put(obj, key, rapidjson::Value(b)); }
  // obj[key] = v, unless v is an empty array or object.
  void put(rapidjson::Value& obj, std::string_view key, rapidjson::Value&& v) const {
    if ((v.IsArray() && v.Empty()) || (v.IsObject() && v.ObjectEmpty())) return;
    obj.AddMember(string(key), v, a_);
  }
  // arr.push_back(v), unless v is an empty object.
  void push(rapidjson::Value& arr, rapidjson::Value&& v) const {
    if (v.IsObject() && v.ObjectEmpty()) return;
    arr.PushBack(v, a_);
  }

  // {"system":..,"value":..}; an empty object when value is empty.
  rapidjson::Value identifier(std::string_view system, std::string_view value) const {
    auto id = object();
    if (value.empty()) return id;
    set(id, "system", system);
    set(id, "value", value);
    return id;
  }
  // {"system":..,"code":..,"display":..}; an empty object when code is empty.
  rapidjson::Value coding(std::string_view system, std::string_view code, std::string_view display = {}) const {
    auto c = object();
    if (code.empty()) return c;
    set(c, "system", system);
    set(c, "code", code);
    set(c, "display", display);
    return c;
  }
  // {"coding":[coding],"text":text}
  rapidjson::Value codeable(rapidjson::Value&& coding_value, std::string_view text = {}) const {
    auto cc = object();
    auto codings = array();
    push(codings, std::move(coding_value));
    put(cc, "coding", std::move(codings));
    set(cc, "text", text);
    return cc;
  }
  // {"reference":..,"display":..}
  rapidjson::Value reference(std::string_view ref, std::string_view display = {}) const {
    auto r = object();
    set(r, "reference", ref);
    set(r, "display", display);
    return r;
  }

  rapidjson::Document::AllocatorType& allocator() const { return a_; }

 private:
  rapidjson::Document::AllocatorType& a_;
};

}  // namespace simpul::mappings::vclaim_fhir
