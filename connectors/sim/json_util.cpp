#include "connectors/sim/json_util.hpp"

#include <charconv>

#include <rapidjson/error/en.h>

namespace simpul::connectors::sim::json {

namespace {

// Deepest nesting of [ and { outside strings; SIZE_MAX on an unterminated string.
std::size_t nesting_depth(std::string_view t) {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false, escape = false;
  for (char c : t) {
    if (in_string) {
      if (escape) escape = false;
      else if (c == '\\') escape = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '{' || c == '[') deepest = std::max(deepest, ++depth);
    else if ((c == '}' || c == ']') && depth > 0) --depth;
  }
  return deepest;
}

const rapidjson::Value* step(const rapidjson::Value& v, std::string_view key) {
  if (!v.IsObject()) return nullptr;
  auto it = v.FindMember(rapidjson::Value(key.data(), static_cast<rapidjson::SizeType>(key.size())));
  return it == v.MemberEnd() ? nullptr : &it->value;
}

}  // namespace

std::optional<rapidjson::Document> parse(std::string_view text, std::string* error, std::size_t max_depth) {
  if (nesting_depth(text) > max_depth) {
    if (error) *error = "JSON nested too deeply";
    return std::nullopt;
  }
  rapidjson::Document d;
  d.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(text.data(), text.size());
  if (d.HasParseError()) {
    if (error) *error = std::string(rapidjson::GetParseError_En(d.GetParseError())) + " at offset " +
                        std::to_string(d.GetErrorOffset());
    return std::nullopt;
  }
  return d;
}

const rapidjson::Value* at(const rapidjson::Value& root, std::string_view dotted) {
  const rapidjson::Value* v = &root;
  while (v && !dotted.empty()) {
    const auto dot = dotted.find('.');
    v = step(*v, dotted.substr(0, dot));
    dotted = dot == std::string_view::npos ? std::string_view{} : dotted.substr(dot + 1);
  }
  return v;
}

std::optional<std::string> text(const rapidjson::Value& root, std::string_view dotted) {
  const rapidjson::Value* v = at(root, dotted);
  if (!v) return std::nullopt;
  if (v->IsString()) return std::string(v->GetString(), v->GetStringLength());
  if (v->IsInt64()) return std::to_string(v->GetInt64());
  if (v->IsUint64()) return std::to_string(v->GetUint64());
  return std::nullopt;
}

std::string text_or_empty(const rapidjson::Value& root, std::string_view dotted) {
  return text(root, dotted).value_or(std::string());
}

bool present(const rapidjson::Value& root, std::string_view dotted) {
  const rapidjson::Value* v = at(root, dotted);
  return v && !v->IsNull();
}

std::optional<std::int64_t> integer(const rapidjson::Value& root, std::string_view dotted) {
  const rapidjson::Value* v = at(root, dotted);
  if (!v) return std::nullopt;
  if (v->IsInt64()) return v->GetInt64();
  if (v->IsString()) {
    std::string_view s(v->GetString(), v->GetStringLength());
    std::int64_t out = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec == std::errc() && p == s.data() + s.size() && !s.empty()) return out;
  }
  return std::nullopt;
}

std::optional<bool> boolean(const rapidjson::Value& root, std::string_view dotted) {
  const rapidjson::Value* v = at(root, dotted);
  if (!v) return std::nullopt;
  if (v->IsBool()) return v->GetBool();
  if (v->IsString()) {
    std::string_view s(v->GetString(), v->GetStringLength());
    if (s == "true") return true;
    if (s == "false") return false;
  }
  return std::nullopt;
}

std::string dump(const rapidjson::Value& value) {
  rapidjson::StringBuffer b;
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  value.Accept(w);
  return std::string(b.GetString(), b.GetSize());
}

std::string quote(std::string_view s) {
  rapidjson::StringBuffer b;
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  return std::string(b.GetString(), b.GetSize());
}

}  // namespace simpul::connectors::sim::json
