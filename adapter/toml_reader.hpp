#pragma once
// Reading a TOML configuration file (Simpul's own and the simulators'): every problem is
// collected as "file:line: key: message" so that one run reports them all, and keys
// nobody asked for are reported (typos are the commonest config bug).
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

namespace simpul::adapter {

class TomlReader {
 public:
  // `unknown_key` is the message for a key the file's format does not have, e.g. naming its docs.
  TomlReader(std::string path, std::string unknown_key);

  void problem(const toml::node* at, std::string_view key, std::string_view what);
  const std::vector<std::string>& problems() const { return problems_; }

  // "where.key", or "key" at the top level.
  static std::string join(std::string_view where, std::string_view key);

  // Reports every key of `table` that is not one of `keys`.
  void known_keys(const toml::table& table, std::string_view where, std::initializer_list<std::string_view> keys);

  // The read_* functions leave `out` as it is when the key is absent or its value is wrong.
  void read_string(const toml::table& t, std::string_view where, std::string_view key, std::string& out,
                   bool required = false);
  void read_bool(const toml::table& t, std::string_view where, std::string_view key, bool& out);
  void read_double(const toml::table& t, std::string_view where, std::string_view key, double& out, double min,
                   double max);
  template <class Int>
  void read_int(const toml::table& t, std::string_view where, std::string_view key, Int& out, std::int64_t min,
                std::int64_t max) {
    std::int64_t v = 0;
    if (read_int64(t, where, key, v, min, max)) out = static_cast<Int>(v);
  }

  // The sub-table `key`, or null when it is absent or not a table (reported).
  const toml::table* table(const toml::table& t, std::string_view where, std::string_view key);

  // Calls each(table, "where[i]") for every element of the array of tables `node`. A node
  // that is not an array (or is empty, with `non_empty`) is reported as `not_array`, an
  // element that is not a table as such.
  template <class Each>
  void each_table(const toml::node& node, std::string_view where, std::string_view not_array, Each&& each,
                  bool non_empty = false) {
    const toml::array* arr = node.as_array();
    if (!arr || (non_empty && arr->empty())) return problem(&node, where, not_array);
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const std::string w = std::string(where) + "[" + std::to_string(i) + "]";
      if (const toml::table* t = (*arr)[i].as_table())
        each(*t, w);
      else
        problem(&(*arr)[i], w, "must be a table");
    }
  }

  // Throws Error listing every problem, one a line, when there is any.
  template <class Error>
  void throw_problems() const {
    if (problems_.empty()) return;
    std::string all;
    for (const auto& p : problems_) all += (all.empty() ? "" : "\n") + p;
    throw Error(all);
  }

 private:
  bool read_int64(const toml::table& t, std::string_view where, std::string_view key, std::int64_t& out,
                  std::int64_t min, std::int64_t max);

  std::string path_;
  std::string unknown_key_;
  std::vector<std::string> problems_;
};

// Parses the file. A syntax error or an unreadable file throws Error as "path:line: what".
std::string toml_parse_problem(const std::string& path, const std::exception& e);
template <class Error>
toml::table parse_toml_file(const std::string& path) {
  try {
    return toml::parse_file(path);
  } catch (const std::exception& e) {
    throw Error(toml_parse_problem(path, e));
  }
}

}  // namespace simpul::adapter
