#pragma once
// Reading FHIR JSON defensively, shared by the FHIR -> BPJS request mappings
// (V-Claim SEP, P-Care pendaftaran/kunjungan): every access checks the JSON type
// and throws fhir::Error 400 naming the element by its FHIRPath, so no input
// crashes; a Node also carries how a dry-run trace names the element
// ("Claim.patient -> Patient.identifier[1]"). References resolve to contained
// resources or Bundle entries. Internal to mappings/.
#include <algorithm>
#include <cctype>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include <rapidjson/document.h>

#include "fhir/error.hpp"
#include "fhir/json.hpp"

namespace simpul::mappings::vclaim_fhir::read {

using fhir::Error;
using rapidjson::SizeType;
using rapidjson::Value;

// ---------------------------------------------------------------- small checks

inline bool all_alnum(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c) != 0; });
}
inline bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}
inline bool is_upper_or_digit(char c) {
  return is_upper(c) || (c >= '0' && c <= '9');
}

// An ICD-10 code as BPJS lists them: a letter, two characters, optionally "." and 1-4 more (E10, I63.9).
inline bool valid_icd10(std::string_view s) {
  if (s.size() < 3 || !is_upper(s[0]) || !is_upper_or_digit(s[1]) || !is_upper_or_digit(s[2])) return false;
  if (s.size() == 3) return true;
  if (s[3] != '.' || s.size() < 5 || s.size() > 8) return false;
  return std::all_of(s.begin() + 4, s.end(), is_upper_or_digit);
}

// The first `n` characters (error texts never carry a whole hostile value).
inline std::string clip(std::string_view s, std::size_t n = 40) {
  return std::string(s.substr(0, n));
}

// ---------------------------------------------------------------- reading JSON safely

// One element of the input: the JSON value (nullptr when absent), its FHIRPath in
// the input (for errors) and how a trace names it ("Claim.patient -> Patient.identifier[1]").
struct Node {
  const Value* value = nullptr;
  std::string path;
  std::string source;

  explicit operator bool() const { return value != nullptr; }
};

inline std::string_view json_type(const Value& v) {
  if (v.IsObject()) return "an object";
  if (v.IsArray()) return "an array";
  if (v.IsString()) return "a string";
  if (v.IsNumber()) return "a number";
  if (v.IsBool()) return "a boolean";
  return "null";
}

inline Error wrong_type(const Node& n, std::string_view expected) {
  return Error::structure(n.path + " must be " + std::string(expected), n.path,
                          n.path + " is " + std::string(json_type(*n.value)));
}

inline Node field(const Node& parent, std::string_view key) {
  Node out;
  out.path = parent.path + "." + std::string(key);
  out.source = parent.source + "." + std::string(key);
  if (parent.value != nullptr) out.value = fhir::member(*parent.value, key);
  return out;
}

inline Node object_at(const Node& parent, std::string_view key) {
  Node n = field(parent, key);
  if (n && !n.value->IsObject()) throw wrong_type(n, "an object");
  return n;
}

inline Node array_at(const Node& parent, std::string_view key) {
  Node n = field(parent, key);
  if (n && !n.value->IsArray()) throw wrong_type(n, "an array");
  return n;
}

inline SizeType size_of(const Node& array) {
  return array ? array.value->Size() : 0;
}

// Element i of an array; it must be an object (every repeating FHIR element read here is one).
inline Node element(const Node& array, SizeType i) {
  Node n;
  n.path = array.path + "[" + std::to_string(i) + "]";
  n.source = array.source + "[" + std::to_string(i) + "]";
  n.value = &(*array.value)[i];
  if (!n.value->IsObject()) throw wrong_type(n, "an object");
  return n;
}

// A string member; "" when absent (FHIR has no empty strings, so "" is absent too).
// (The element's path is built only for an error: these are the hottest reads of a push.)
inline std::string_view text_at(const Node& parent, std::string_view key) {
  const Value* v = parent.value != nullptr ? fhir::member(*parent.value, key) : nullptr;
  if (v == nullptr) return {};
  if (!v->IsString()) throw wrong_type(field(parent, key), "a string");
  return fhir::as_string_view(*v);
}

inline std::optional<bool> bool_at(const Node& parent, std::string_view key) {
  const Value* v = parent.value != nullptr ? fhir::member(*parent.value, key) : nullptr;
  if (v == nullptr) return std::nullopt;
  if (!v->IsBool()) throw wrong_type(field(parent, key), "a boolean");
  return v->GetBool();
}

// A value read from the input and the element it came from.
struct Found {
  std::string value;
  std::string source;  // trace description
  std::string path;    // FHIRPath, for errors
  explicit operator bool() const { return !value.empty(); }
};

inline Found found_at(const Node& parent, std::string_view key) {
  const std::string_view v = text_at(parent, key);
  if (v.empty()) return {};
  Node n = field(parent, key);
  return {std::string(v), n.source, n.path};
}

// The first identifier of `resource` (its `identifier` array) in `system`.
inline Found identifier_in(const Node& resource, std::string_view system) {
  Node ids = array_at(resource, "identifier");
  for (SizeType i = 0; i < size_of(ids); ++i) {
    Node id = element(ids, i);
    if (text_at(id, "system") == system) {
      if (Found f = found_at(id, "value")) return f;
    }
  }
  return {};
}

// A logical reference's identifier (Reference.identifier) in `system`.
inline Found reference_identifier(const Node& reference, std::string_view system) {
  Node id = object_at(reference, "identifier");
  if (id && text_at(id, "system") == system) return found_at(id, "value");
  return {};
}

// A Coding object with `system`: its code.
inline Found coding_code(const Node& coding, std::string_view system) {
  if (coding && text_at(coding, "system") == system) return found_at(coding, "code");
  return {};
}

// The first coding of a CodeableConcept in `system`.
inline Found concept_code(const Node& codeable, std::string_view system) {
  Node codings = array_at(codeable, "coding");
  for (SizeType i = 0; i < size_of(codings); ++i) {
    if (Found f = coding_code(element(codings, i), system)) return f;
  }
  return {};
}

inline bool concept_has(const Node& codeable, std::string_view system, std::string_view code) {
  Node codings = array_at(codeable, "coding");
  for (SizeType i = 0; i < size_of(codings); ++i) {
    Node c = element(codings, i);
    if (text_at(c, "system") == system && text_at(c, "code") == code) return true;
  }
  return false;
}

// ---------------------------------------------------------------- code lists and extensions

// One code of a BPJS code list and its display text.
struct Code {
  std::string_view code;
  std::string_view display;
};

inline const Code* find_code(std::span<const Code> list, std::string_view code) {
  for (const Code& c : list) {
    if (c.code == code) return &c;
  }
  return nullptr;
}

// "1 Rawat Inap, 2 Rawat Jalan": the allowed codes, for error messages.
inline std::string listing(std::span<const Code> list) {
  std::string out;
  for (const Code& c : list) {
    if (!out.empty()) out += ", ";
    out += std::string(c.code) + " " + std::string(c.display);
  }
  return out;
}

// The first extension of `parent` with `url` (a full URL, or a sub-extension name);
// the trace names it by `label`.
inline Node extension_at(const Node& parent, std::string_view url, std::string_view label) {
  Node list = array_at(parent, "extension");
  for (SizeType i = 0; i < size_of(list); ++i) {
    Node ext = element(list, i);
    if (text_at(ext, "url") == url) {
      ext.source = parent.source + ".extension(" + std::string(label) + ")";
      return ext;
    }
  }
  return {};
}

// ---------------------------------------------------------------- references

// Finds what a Reference points to: "#id" among the contained resources of the
// resource holding the reference (then of the root resource), or a Bundle entry
// by fullUrl or "Type/id".
class Resources {
 public:
  Resources(Node root, const Value* bundle) : root_(std::move(root)), bundle_(bundle) {}

  // The resource the request is about (the SEP's Claim, P-Care's Encounter).
  const Node& root() const { return root_; }

  // The `type` resource `reference` points to. An empty Node when the reference
  // has no literal `reference` (a logical reference: the caller reads its
  // identifier). Throws 400 when it points nowhere or to another resource type;
  // with `lenient`, returns an empty Node instead.
  Node resolve(const Node& reference, std::string_view type, const Node& holder, bool lenient = false) const {
    const std::string_view ref = text_at(reference, "reference");
    if (ref.empty()) return {};
    Node target = find(ref, holder);
    const std::string expr = reference.path + ".reference";
    if (!target) {
      if (lenient) return {};
      throw Error::value("The reference '" + clip(ref, 80) + "' is not in the request: give the " + std::string(type) +
                             " as a contained resource (#id) or as an entry of the Bundle",
                         expr);
    }
    if (text_at(target, "resourceType") != type) {
      if (lenient) return {};
      throw Error::value(reference.path + " must reference a " + std::string(type), expr);
    }
    target.source = reference.source + " -> " + std::string(type);
    return target;
  }

 private:
  Node find(std::string_view ref, const Node& holder) const {
    if (ref.front() == '#') {
      const std::string_view id = ref.substr(1);
      if (Node n = contained(holder, id)) return n;
      return contained(root_, id);
    }
    if (bundle_ == nullptr) return {};
    const Value* entries = fhir::member(*bundle_, "entry");
    if (entries == nullptr || !entries->IsArray()) return {};
    for (SizeType i = 0; i < entries->Size(); ++i) {
      const Value& entry = (*entries)[i];
      const Value* resource = fhir::member(entry, "resource");
      if (resource == nullptr || !resource->IsObject()) continue;
      const std::string_view full_url = fhir::string_member(entry, "fullUrl").value_or("");
      const std::string type_id = std::string(fhir::string_member(*resource, "resourceType").value_or("")) + "/" +
                                  std::string(fhir::string_member(*resource, "id").value_or(""));
      const bool by_url = full_url == ref || (full_url.size() > ref.size() && full_url.ends_with(ref) &&
                                              full_url[full_url.size() - ref.size() - 1] == '/');
      if (by_url || type_id == ref) return {resource, "Bundle.entry[" + std::to_string(i) + "].resource", {}};
    }
    return {};
  }

  static Node contained(const Node& holder, std::string_view id) {
    if (!holder || !holder.value->IsObject()) return {};
    const Value* list = fhir::member(*holder.value, "contained");
    if (list == nullptr || !list->IsArray()) return {};
    for (SizeType i = 0; i < list->Size(); ++i) {
      const Value& r = (*list)[i];
      if (r.IsObject() && fhir::string_member(r, "id") == id) {
        return {&r, holder.path + ".contained[" + std::to_string(i) + "]", {}};
      }
    }
    return {};
  }

  Node root_;
  const Value* bundle_;
};

}  // namespace simpul::mappings::vclaim_fhir::read
