#pragma once
// Thin RAII layer over the SQLite C API, private to the SQLite backend: a connection with
// a cache of prepared statements, and a Query that binds, steps and reads one cached
// statement and resets it when it goes out of scope. Every SQLite error becomes a
// StoreError naming the database path, what was being done and SQLite's own message.

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include <sqlite3.h>

#include "adapter/store/store.hpp"

namespace simpul::adapter::store::sqlite {

class Connection;

// Maps a SQLite result code to the store's error categories.
StoreErrc classify(int sqlite_code) noexcept;

// Parameters of Query::bind_all that the C++ type alone does not say.
struct Blob {
  std::string_view bytes;
};
struct TextOrNull {
  std::string_view text;  // "" -> NULL
};

class Query {
 public:
  Query(Connection& connection, sqlite3_stmt* statement) noexcept : connection_(connection), statement_(statement) {}
  ~Query();
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  // Parameters are 1-based, as in SQL (?1, ?2, ...).
  Query& bind_int(int index, std::int64_t value);
  Query& bind_text(int index, std::string_view value);
  Query& bind_blob(int index, std::string_view bytes);
  Query& bind_null(int index);
  Query& bind_optional_int(int index, const std::optional<std::int64_t>& value);
  Query& bind_optional_text(int index, const std::optional<std::string>& value);
  Query& bind_text_or_null(int index, std::string_view value);  // "" -> NULL

  // Binds ?1, ?2, ... in order: integers as INTEGER, strings as TEXT, Blob and TextOrNull as
  // they say, an optional as its value or NULL.
  template <class... Values>
  Query& bind_all(const Values&... values) {
    int index = 0;
    (bind_value(++index, values), ...);
    return *this;
  }

  // True when a row is available; false when done. Throws StoreError on failure.
  bool step();
  // Steps to completion, ignoring rows.
  void run();

  // Columns are 0-based.
  bool is_null(int column) const;
  std::int64_t int64(int column) const;
  std::optional<std::int64_t> optional_int64(int column) const;
  std::string text(int column) const;  // NULL -> ""
  std::string blob(int column) const;  // NULL -> ""

 private:
  void bind_value(int index, std::string_view text) { bind_text(index, text); }
  void bind_value(int index, Blob blob) { bind_blob(index, blob.bytes); }
  void bind_value(int index, TextOrNull text) { bind_text_or_null(index, text.text); }
  template <std::integral Int>
  void bind_value(int index, Int value) {
    bind_int(index, value);
  }
  template <class T>
  void bind_value(int index, const std::optional<T>& value) {
    if constexpr (std::integral<T>) {
      bind_optional_int(index, value ? std::optional<std::int64_t>(*value) : std::nullopt);
    } else {
      bind_optional_text(index, value);
    }
  }

  Connection& connection_;
  sqlite3_stmt* statement_;
};

class Connection {
 public:
  // flags: SQLITE_OPEN_* (NOMUTEX is added: a connection is used by one thread at a time).
  Connection(std::string path, int flags, int busy_timeout_ms);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* handle() const noexcept { return db_; }
  const std::string& path() const noexcept { return path_; }

  // Runs SQL text (possibly several statements) without results.
  void exec(std::string_view sql, std::string_view doing);
  // A prepared statement for `sql`, prepared once per connection and cached.
  Query query(const char* sql);
  std::int64_t changes() const noexcept;
  std::int64_t last_insert_rowid() const noexcept;
  bool in_transaction() const noexcept;

  [[noreturn]] void fail(int code, std::string_view doing) const;

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

}  // namespace simpul::adapter::store::sqlite
