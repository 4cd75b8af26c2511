#include "adapter/store/sqlite_db.hpp"

#include <utility>

namespace simpul::adapter::store::sqlite {

StoreErrc classify(int sqlite_code) noexcept {
  switch (sqlite_code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return StoreErrc::busy;
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_NOMEM:
    case SQLITE_PROTOCOL:
    case SQLITE_PERM:
    case SQLITE_NOLFS:
      return StoreErrc::io;
    case SQLITE_CONSTRAINT:
      return StoreErrc::conflict;
    default:
      return StoreErrc::internal;
  }
}

// ---------------------------------------------------------------- Query

Query::~Query() {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

Query& Query::bind_int(int index, std::int64_t value) {
  int rc = sqlite3_bind_int64(statement_, index, value);
  if (rc != SQLITE_OK) connection_.fail(rc, "binding a parameter");
  return *this;
}

Query& Query::bind_text(int index, std::string_view value) {
  int rc = sqlite3_bind_text64(statement_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) connection_.fail(rc, "binding a parameter");
  return *this;
}

Query& Query::bind_blob(int index, std::string_view bytes) {
  // A zero-length blob, not NULL, for an empty payload.
  int rc = bytes.empty() ? sqlite3_bind_zeroblob(statement_, index, 0)
                         : sqlite3_bind_blob64(statement_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) connection_.fail(rc, "binding a parameter");
  return *this;
}

Query& Query::bind_null(int index) {
  int rc = sqlite3_bind_null(statement_, index);
  if (rc != SQLITE_OK) connection_.fail(rc, "binding a parameter");
  return *this;
}

Query& Query::bind_optional_int(int index, const std::optional<std::int64_t>& value) {
  return value ? bind_int(index, *value) : bind_null(index);
}

Query& Query::bind_optional_text(int index, const std::optional<std::string>& value) {
  return value ? bind_text(index, *value) : bind_null(index);
}

Query& Query::bind_text_or_null(int index, std::string_view value) {
  return value.empty() ? bind_null(index) : bind_text(index, value);
}

bool Query::step() {
  int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // sqlite3_errmsg describes the failure of the last call on the connection.
  connection_.fail(rc, sqlite3_sql(statement_) ? sqlite3_sql(statement_) : "running a statement");
}

void Query::run() {
  while (step()) {
  }
}

bool Query::is_null(int column) const { return sqlite3_column_type(statement_, column) == SQLITE_NULL; }

std::int64_t Query::int64(int column) const { return sqlite3_column_int64(statement_, column); }

std::optional<std::int64_t> Query::optional_int64(int column) const {
  if (is_null(column)) return std::nullopt;
  return int64(column);
}

std::string Query::text(int column) const {
  const auto* p = sqlite3_column_text(statement_, column);
  int n = sqlite3_column_bytes(statement_, column);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)) : std::string();
}

std::string Query::blob(int column) const {
  const void* p = sqlite3_column_blob(statement_, column);
  int n = sqlite3_column_bytes(statement_, column);
  return p ? std::string(static_cast<const char*>(p), static_cast<std::size_t>(n)) : std::string();
}

// ---------------------------------------------------------------- Connection

Connection::Connection(std::string path, int flags, int busy_timeout_ms) : path_(std::move(path)) {
  int rc = sqlite3_open_v2(path_.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw StoreError(StoreErrc::open_failed, "cannot open SQLite store '" + path_ + "': " + message);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, busy_timeout_ms);
}

Connection::~Connection() {
  for (auto& [sql, statement] : statements_) sqlite3_finalize(statement);
  sqlite3_close_v2(db_);
}

void Connection::exec(std::string_view sql, std::string_view doing) {
  std::string text(sql);
  char* message = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string detail = message ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    throw StoreError(classify(rc), "SQLite store '" + path_ + "': " + std::string(doing) + ": " + detail);
  }
}

Query Connection::query(const char* sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    sqlite3_stmt* statement = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, nullptr);
    if (rc != SQLITE_OK) fail(rc, std::string("preparing ") + sql);
    it = statements_.emplace(sql, statement).first;
  }
  return Query(*this, it->second);
}

std::int64_t Connection::changes() const noexcept { return sqlite3_changes64(db_); }
std::int64_t Connection::last_insert_rowid() const noexcept { return sqlite3_last_insert_rowid(db_); }
bool Connection::in_transaction() const noexcept { return sqlite3_get_autocommit(db_) == 0; }

void Connection::fail(int code, std::string_view doing) const {
  std::string message = "SQLite store '" + path_ + "': " + std::string(doing) + ": " + sqlite3_errmsg(db_);
  const char* name = sqlite3_errstr(code);
  message += " (";
  message += name ? name : "error";
  message += ", code " + std::to_string(code) + ")";
  throw StoreError(classify(code), message);
}

}  // namespace simpul::adapter::store::sqlite
