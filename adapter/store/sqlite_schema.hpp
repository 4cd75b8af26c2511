#pragma once
// The SQLite schema as an ordered list of migrations compiled into the binary.
// Version numbers are shared with every backend: the PostgreSQL backend's migration N
// must create the same tables and meaning as SQLite's migration N (docs/store.md).

#include <span>
#include <string_view>

#include "adapter/store/sqlite_db.hpp"
#include "adapter/store/store.hpp"

namespace simpul::adapter::store::sqlite {

struct Migration {
  int version;  // 1, 2, 3, ... in order, never renumbered or edited once released
  std::string_view description;
  std::string_view sql;
};

std::span<const Migration> migrations() noexcept;
int latest_schema_version() noexcept;

// Brings the database to latest_schema_version() in one IMMEDIATE transaction
// (safe against another process migrating at the same time). Idempotent.
// Throws StoreError(schema_too_new) when the database is newer than this binary.
// Returns the version the database had before.
int migrate(Connection& connection, UnixMillis now);

// The highest applied version (0 for an empty database).
int current_schema_version(Connection& connection);

}  // namespace simpul::adapter::store::sqlite
