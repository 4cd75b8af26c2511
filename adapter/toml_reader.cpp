#include "adapter/toml_reader.hpp"

#include <algorithm>
#include <sstream>

namespace simpul::adapter {

TomlReader::TomlReader(std::string path, std::string unknown_key)
    : path_(std::move(path)), unknown_key_(std::move(unknown_key)) {}

void TomlReader::problem(const toml::node* at, std::string_view key, std::string_view what) {
  std::ostringstream s;
  s << path_;
  if (at && at->source().begin.line) s << ':' << at->source().begin.line;
  s << ": " << key << ": " << what;
  problems_.push_back(s.str());
}

std::string TomlReader::join(std::string_view where, std::string_view key) {
  return where.empty() ? std::string(key) : std::string(where) + "." + std::string(key);
}

void TomlReader::known_keys(const toml::table& table, std::string_view where,
                            std::initializer_list<std::string_view> keys) {
  for (const auto& [k, v] : table) {
    if (std::find(keys.begin(), keys.end(), k.str()) == keys.end()) problem(&v, join(where, k.str()), unknown_key_);
  }
}

void TomlReader::read_string(const toml::table& t, std::string_view where, std::string_view key, std::string& out,
                             bool required) {
  const toml::node* n = t.get(key);
  if (!n) {
    if (required) problem(&t, join(where, key), "is required");
    return;
  }
  if (auto v = n->value<std::string>())
    out = *v;
  else
    problem(n, join(where, key), "must be a string");
}

void TomlReader::read_bool(const toml::table& t, std::string_view where, std::string_view key, bool& out) {
  const toml::node* n = t.get(key);
  if (!n) return;
  if (auto v = n->value<bool>())
    out = *v;
  else
    problem(n, join(where, key), "must be true or false");
}

bool TomlReader::read_int64(const toml::table& t, std::string_view where, std::string_view key, std::int64_t& out,
                            std::int64_t min, std::int64_t max) {
  const toml::node* n = t.get(key);
  if (!n) return false;
  auto v = n->value<std::int64_t>();
  if (!v || !n->is_integer()) {
    problem(n, join(where, key), "must be an integer");
    return false;
  }
  if (*v < min || *v > max) {
    problem(n, join(where, key),
            "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " + std::to_string(*v));
    return false;
  }
  out = *v;
  return true;
}

void TomlReader::read_double(const toml::table& t, std::string_view where, std::string_view key, double& out,
                             double min, double max) {
  const toml::node* n = t.get(key);
  if (!n) return;
  auto v = n->value<double>();
  if (!v || !(n->is_floating_point() || n->is_integer())) return problem(n, join(where, key), "must be a number");
  if (!(*v >= min && *v <= max))  // NaN is out of every range
    return problem(n, join(where, key), "must be between " + std::to_string(min) + " and " + std::to_string(max));
  out = *v;
}

const toml::table* TomlReader::table(const toml::table& t, std::string_view where, std::string_view key) {
  const toml::node* n = t.get(key);
  if (!n) return nullptr;
  if (!n->is_table()) {
    problem(n, join(where, key), "must be a table");
    return nullptr;
  }
  return n->as_table();
}

std::string toml_parse_problem(const std::string& path, const std::exception& e) {
  const auto* parse = dynamic_cast<const toml::parse_error*>(&e);
  if (!parse) return path + ": " + e.what();
  std::ostringstream s;
  s << path;
  if (parse->source().begin.line) s << ':' << parse->source().begin.line;
  s << ": " << parse->description();
  return s.str();
}

}  // namespace simpul::adapter
