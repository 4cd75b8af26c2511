#pragma once
// Structured logs: one JSON object per line. Producers format a line and hand it to a
// background writer, so a request never waits on the terminal or the disk.
//
// What goes in is the caller's duty and a rule of the house: never a secret, never a
// request body, never a NIK or card number (use the audit trail's pseudonyms instead).
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

namespace simpul::connectors::obs {

enum class Level { debug = 0, info = 1, warn = 2, error = 3 };

// "debug" | "info" | "warn" | "error"; returns false for anything else.
bool parse_level(std::string_view text, Level& out);

struct Field {
  using Value = std::variant<std::string_view, std::int64_t, double, bool>;
  std::string_view key;
  Value value;
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  Field(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
  Field(std::string_view k, std::int64_t v) : key(k), value(v) {}
  Field(std::string_view k, int v) : key(k), value(static_cast<std::int64_t>(v)) {}
  Field(std::string_view k, unsigned v) : key(k), value(static_cast<std::int64_t>(v)) {}
  Field(std::string_view k, std::uint64_t v) : key(k), value(static_cast<std::int64_t>(v)) {}
  Field(std::string_view k, double v) : key(k), value(v) {}
  Field(std::string_view k, bool v) : key(k), value(v) {}
};

// Process-wide logger configuration. Until configured, lines go to stderr at info.
// path empty = stderr; otherwise the file is opened for append.
void configure_logging(Level level, const std::string& path = {});
bool log_enabled(Level level);
void log(Level level, std::string_view message, std::initializer_list<Field> fields = {});
// Lifecycle lines (listening, shutting down, stopped) that operators and scripts rely on:
// written whatever the configured level.
void log_always(Level level, std::string_view message, std::initializer_list<Field> fields = {});
// Blocks until every line logged so far has been written (used at shutdown and in tests).
void flush_logs();

// Appends `s` to `out` as a JSON string literal (with quotes), escaping control characters.
void append_json_string(std::string& out, std::string_view s);

}  // namespace simpul::connectors::obs
