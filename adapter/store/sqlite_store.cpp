#include "adapter/store/sqlite_store.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <limits>
#include <utility>

#include "adapter/store/sqlite_schema.hpp"

namespace simpul::adapter::store {

namespace {

using sqlite::Blob;
using sqlite::TextOrNull;

UnixMillis add_clamped(UnixMillis now, std::int64_t delta) {
  if (delta > 0 && now > std::numeric_limits<UnixMillis>::max() - delta) return std::numeric_limits<UnixMillis>::max();
  return now + delta;
}

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    throw StoreError(StoreErrc::internal, "store: SHA-256 of the outbox payload failed");
  }
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(hex[digest[i] >> 4]);
    out.push_back(hex[digest[i] & 0x0f]);
  }
  return out;
}

[[noreturn]] void corrupt(const std::string& path, const std::string& what) {
  throw StoreError(StoreErrc::io, "SQLite store '" + path + "': " + what);
}

constexpr const char* kItemColumns =
    "id, tenant, destination, source_type, source_id, source_version, payload, payload_hash, status, attempts, "
    "next_attempt_at, lease_owner, lease_until, claimed_at, created_at, updated_at, last_error, upstream_id, "
    "depends_on, attempts_at_replay, replayed_at";

OutboxItem read_item(const sqlite::Query& q, const std::string& path) {
  OutboxItem item;
  item.id = q.int64(0);
  item.tenant = q.text(1);
  item.destination = q.text(2);
  item.source_type = q.text(3);
  item.source_id = q.text(4);
  item.source_version = q.text(5);
  item.payload = q.blob(6);
  item.payload_hash = q.text(7);
  auto status = parse_outbox_status(q.text(8));
  if (!status) corrupt(path, "outbox item " + std::to_string(item.id) + " has unknown status '" + q.text(8) + "'");
  item.status = *status;
  item.attempts = static_cast<int>(q.int64(9));
  item.next_attempt_at = q.int64(10);
  item.lease_owner = q.text(11);
  item.lease_until = q.optional_int64(12).value_or(0);
  item.claimed_at = q.optional_int64(13).value_or(0);
  item.created_at = q.int64(14);
  item.updated_at = q.int64(15);
  item.last_error = q.text(16);
  item.upstream_id = q.text(17);
  item.depends_on = q.optional_int64(18);
  item.attempts_at_replay = static_cast<int>(q.int64(19));
  item.replayed_at = q.int64(20);
  return item;
}

IdempotencyRecord read_idempotency(const sqlite::Query& q, const std::string& path) {
  // Columns: tenant, key, request_hash, state, response_status, response_body, created_at, expires_at
  IdempotencyRecord r;
  r.tenant = q.text(0);
  r.key = q.text(1);
  r.request_hash = q.text(2);
  auto state = parse_idempotency_state(q.text(3));
  if (!state) corrupt(path, "idempotency key '" + r.key + "' has unknown state '" + q.text(3) + "'");
  r.state = *state;
  r.response_status = static_cast<int>(q.optional_int64(4).value_or(0));
  r.response_body = q.blob(5);
  r.created_at = q.int64(6);
  r.expires_at = q.int64(7);
  return r;
}

constexpr const char* kSelectIdempotency =
    "SELECT tenant, key, request_hash, state, response_status, response_body, created_at, expires_at "
    "FROM idempotency_keys WHERE tenant = ?1 AND key = ?2";

}  // namespace

// ---------------------------------------------------------------- transaction verbs

class SqliteStore::Transaction final : public WriteBatcher::Transaction {
 public:
  explicit Transaction(sqlite::Connection& connection) : connection_(connection) {}
  void begin() override { connection_.query("BEGIN IMMEDIATE").run(); }
  void savepoint() override { connection_.query("SAVEPOINT job").run(); }
  void release_savepoint() override { connection_.query("RELEASE job").run(); }
  void rollback_to_savepoint() override { connection_.query("ROLLBACK TO job").run(); }
  bool active() noexcept override { return connection_.in_transaction(); }
  void commit() override { connection_.query("COMMIT").run(); }
  void rollback() noexcept override {
    if (connection_.in_transaction()) sqlite3_exec(connection_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
  }

 private:
  sqlite::Connection& connection_;
};

// ---------------------------------------------------------------- reader pool

class SqliteStore::ReaderLease {
 public:
  ReaderLease(SqliteStore& store, sqlite::Connection* connection) : store_(store), connection_(connection) {}
  ReaderLease(const ReaderLease&) = delete;
  ReaderLease& operator=(const ReaderLease&) = delete;
  ~ReaderLease() {
    {
      std::lock_guard lock(store_.readers_mutex_);
      store_.free_readers_.push_back(connection_);
    }
    store_.reader_returned_.notify_one();
  }
  sqlite::Connection& operator*() const noexcept { return *connection_; }
  sqlite::Connection* operator->() const noexcept { return connection_; }

 private:
  SqliteStore& store_;
  sqlite::Connection* connection_;
};

SqliteStore::ReaderLease SqliteStore::borrow_reader() {
  std::unique_lock lock(readers_mutex_);
  reader_returned_.wait(lock, [&] { return !free_readers_.empty(); });
  sqlite::Connection* connection = free_readers_.back();
  free_readers_.pop_back();
  return ReaderLease(*this, connection);
}

// ---------------------------------------------------------------- open / close

SqliteStore::SqliteStore(std::string path, const StoreOptions& options)
    : Store(options.on_latency),
      path_(std::move(path)),
      clock_(options.clock ? options.clock : Clock(&system_clock_millis)) {
  namespace fs = std::filesystem;
  const std::string prefix = "cannot open SQLite store '" + path_ + "': ";
  if (path_ == ":memory:" || path_.starts_with("file:")) {
    throw StoreError(StoreErrc::invalid_argument,
                     prefix + "in-memory and URI file names are not supported (the writer and the readers share "
                              "one file); give a file path");
  }
  if (options.busy_timeout_ms < 0) throw StoreError(StoreErrc::invalid_argument, prefix + "busy timeout is negative");
  const fs::path file(path_);
  fs::path directory = file.parent_path();
  if (directory.empty()) directory = ".";
  std::error_code ec;
  if (!fs::exists(directory, ec)) {
    throw StoreError(StoreErrc::open_failed, prefix + "directory '" + directory.string() +
                                                 "' does not exist (Simpul does not create it; create it with the "
                                                 "owner and permissions the service runs with)");
  }
  if (!fs::is_directory(directory, ec)) {
    throw StoreError(StoreErrc::open_failed, prefix + "'" + directory.string() + "' is not a directory");
  }
  if (fs::is_directory(file, ec)) {
    throw StoreError(StoreErrc::open_failed, prefix + "it is a directory, not a database file");
  }

  writer_ = std::make_unique<sqlite::Connection>(path_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                                 options.busy_timeout_ms);
  try {
    // The first statement reads the file header: "file is not a database" surfaces here.
    auto mode = writer_->query("PRAGMA journal_mode = WAL");
    if (!mode.step() || mode.text(0) != "wal") {
      throw StoreError(StoreErrc::open_failed,
                       "SQLite store '" + path_ + "': the file system does not support WAL journal mode (got '" +
                           mode.text(0) + "')");
    }
  } catch (const StoreError& e) {
    if (e.code() == StoreErrc::open_failed) throw;
    throw StoreError(StoreErrc::open_failed, std::string("cannot open ") + e.what());
  }
  writer_->exec("PRAGMA synchronous = " + std::string(to_string(options.synchronous)), "setting synchronous");
  writer_->exec("PRAGMA foreign_keys = ON", "enabling foreign keys");
  sqlite::migrate(*writer_, now());

  const std::size_t readers = std::max<std::size_t>(1, options.reader_connections);
  for (std::size_t i = 0; i < readers; ++i) {
    auto reader = std::make_unique<sqlite::Connection>(path_, SQLITE_OPEN_READWRITE, options.busy_timeout_ms);
    reader->exec("PRAGMA query_only = ON", "making a reader connection read-only");
    free_readers_.push_back(reader.get());
    all_readers_.push_back(std::move(reader));
  }

  transaction_ = std::make_unique<Transaction>(*writer_);
  batcher_ = std::make_unique<WriteBatcher>(*transaction_, options.max_batch_size, options.on_latency);
}

SqliteStore::~SqliteStore() {
  if (batcher_) batcher_->stop();
}

int SqliteStore::latest_schema_version() noexcept { return sqlite::latest_schema_version(); }

UnixMillis SqliteStore::now() const { return clock_(); }

bool SqliteStore::on_writer_thread() const noexcept { return batcher_ && batcher_->on_writer_thread(); }

StoreStats SqliteStore::stats() const { return batcher_->stats(); }

bool SqliteStore::ping() noexcept {
  try {
    auto start = std::chrono::steady_clock::now();
    bool ok;
    {
      auto reader = borrow_reader();
      auto q = reader->query("SELECT version FROM schema_version ORDER BY version DESC LIMIT 1");
      ok = q.step() && batcher_->running();
    }
    report_latency("ping", std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return ok;
  } catch (...) {
    return false;
  }
}

int SqliteStore::do_schema_version() {
  auto reader = borrow_reader();
  return sqlite::current_schema_version(*reader);
}

// ---------------------------------------------------------------- job submission

template <class T, class Work>
void SqliteStore::submit(std::string_view op, Work work, Completion<T> done) {
  auto result = std::make_shared<T>();
  WriteBatcher::Job job;
  job.op = op;
  job.run = [result, work = std::move(work)]() mutable { *result = work(); };
  job.finish = [result, done = std::move(done)](std::exception_ptr error) {
    if (error) done(error, T{});
    else done(nullptr, std::move(*result));
  };
  batcher_->submit(std::move(job));
}

void SqliteStore::submit_void(std::string_view op, std::function<void()> work, Done done) {
  WriteBatcher::Job job;
  job.op = op;
  job.run = std::move(work);
  job.finish = std::move(done);
  batcher_->submit(std::move(job));
}

// ---------------------------------------------------------------- reference cache

std::optional<CachedReference> SqliteStore::do_get_reference(std::string_view tenant, std::string_view kind,
                                                             std::string_view key) {
  auto reader = borrow_reader();
  auto q = reader->query(
      "SELECT value, fetched_at, expires_at FROM reference_cache WHERE tenant = ?1 AND kind = ?2 AND key = ?3");
  q.bind_text(1, tenant).bind_text(2, kind).bind_text(3, key);
  if (!q.step()) return std::nullopt;
  CachedReference ref;
  ref.value = q.text(0);
  ref.fetched_at = q.int64(1);
  ref.expires_at = q.int64(2);
  ref.stale = ref.expires_at <= now();
  return ref;
}

void SqliteStore::do_put_reference(ReferencePut entry, Done done) {
  submit_void(
      "reference.put",
      [this, entry = std::move(entry)] {
        const UnixMillis t = now();
        auto q = writer_->query(
            "INSERT INTO reference_cache (tenant, kind, key, value, fetched_at, expires_at) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
            "ON CONFLICT (tenant, kind, key) DO UPDATE SET value = excluded.value, "
            "fetched_at = excluded.fetched_at, expires_at = excluded.expires_at");
        q.bind_all(entry.tenant, entry.kind, entry.key, entry.value, t, add_clamped(t, entry.ttl_ms)).run();
      },
      std::move(done));
}

// ---------------------------------------------------------------- idempotency keys

void SqliteStore::do_begin_idempotency(NewIdempotencyKey request, Completion<IdempotencyBegin> done) {
  submit<IdempotencyBegin>(
      "idempotency.begin",
      [this, request = std::move(request)] {
        const UnixMillis t = now();
        bool replaced_unfinished = false;
        {
          auto existing = writer_->query(kSelectIdempotency);
          existing.bind_text(1, request.tenant).bind_text(2, request.key);
          if (existing.step()) {
            IdempotencyRecord record = read_idempotency(existing, path_);
            if (record.expires_at > t) {
              IdempotencyBegin out;
              out.acquired = false;
              out.same_request = record.request_hash == request.request_hash;
              out.record = std::move(record);
              return out;
            }
            replaced_unfinished = record.state == IdempotencyState::in_progress;
          }
        }
        // Absent, or expired: the key is free again.
        writer_->query("DELETE FROM idempotency_keys WHERE tenant = ?1 AND key = ?2")
            .bind_text(1, request.tenant)
            .bind_text(2, request.key)
            .run();
        IdempotencyRecord record;
        record.tenant = request.tenant;
        record.key = request.key;
        record.request_hash = request.request_hash;
        record.state = IdempotencyState::in_progress;
        record.created_at = t;
        record.expires_at = add_clamped(t, request.ttl_ms);
        writer_
            ->query(
                "INSERT INTO idempotency_keys (tenant, key, request_hash, state, created_at, expires_at) "
                "VALUES (?1, ?2, ?3, 'in_progress', ?4, ?5)")
            .bind_all(record.tenant, record.key, record.request_hash, record.created_at, record.expires_at)
            .run();
        IdempotencyBegin out;
        out.acquired = true;
        out.same_request = true;
        out.replaced_unfinished = replaced_unfinished;
        out.record = std::move(record);
        return out;
      },
      std::move(done));
}

bool SqliteStore::write_complete_idempotency(const IdempotencyCompletion& c) {
  writer_
      ->query(
          "UPDATE idempotency_keys SET state = 'completed', response_status = ?3, response_body = ?4, "
          "expires_at = CASE WHEN ?5 > 0 THEN ?6 ELSE expires_at END "
          "WHERE tenant = ?1 AND key = ?2 AND state = 'in_progress'")
      .bind_all(c.tenant, c.key, c.response_status, Blob{c.response_body}, c.ttl_ms, add_clamped(now(), c.ttl_ms))
      .run();
  return writer_->changes() == 1;
}

void SqliteStore::do_complete_idempotency(IdempotencyCompletion completion, Completion<bool> done) {
  submit<bool>(
      "idempotency.complete",
      [this, completion = std::move(completion)] { return write_complete_idempotency(completion); },
      std::move(done));
}

void SqliteStore::do_abandon_idempotency(std::string tenant, std::string key, Completion<bool> done) {
  submit<bool>(
      "idempotency.abandon",
      [this, tenant = std::move(tenant), key = std::move(key)] {
        writer_->query("DELETE FROM idempotency_keys WHERE tenant = ?1 AND key = ?2 AND state = 'in_progress'")
            .bind_text(1, tenant)
            .bind_text(2, key)
            .run();
        return writer_->changes() == 1;
      },
      std::move(done));
}

std::optional<IdempotencyRecord> SqliteStore::do_get_idempotency(std::string_view tenant, std::string_view key) {
  auto reader = borrow_reader();
  auto q = reader->query(kSelectIdempotency);
  q.bind_text(1, tenant).bind_text(2, key);
  if (!q.step()) return std::nullopt;
  IdempotencyRecord record = read_idempotency(q, path_);
  if (record.expires_at <= now()) return std::nullopt;  // expired counts as absent, as in begin
  return record;
}

// ---------------------------------------------------------------- outbox

std::vector<EnqueueResult> SqliteStore::write_enqueue(const OutboxBatch& batch) {
  const UnixMillis t = now();
  std::vector<EnqueueResult> results;
  results.reserve(batch.items.size());
  for (const OutboxItem& item : batch.items) {
    if (item.depends_on) {
      auto q = writer_->query("SELECT tenant FROM outbox WHERE id = ?1");
      q.bind_int(1, *item.depends_on);
      if (!q.step() || q.text(0) != item.tenant) {
        throw StoreError(StoreErrc::not_found, "store: outbox item depends on item " +
                                                   std::to_string(*item.depends_on) + ", which tenant '" +
                                                   item.tenant + "' does not have");
      }
    }
    const std::string hash = item.payload_hash.empty() ? sha256_hex(item.payload) : item.payload_hash;
    writer_
        ->query(
            "INSERT INTO outbox (tenant, destination, source_type, source_id, source_version, payload, "
            "payload_hash, status, attempts, next_attempt_at, created_at, updated_at, depends_on, blocked) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, ?9, ?10, ?10, ?11, "
            "(CASE WHEN EXISTS (SELECT 1 FROM outbox_suspensions s WHERE s.tenant = ?1 AND s.destination = ?2) "
            "THEN 1 ELSE 0 END) | (CASE WHEN ?11 IS NOT NULL AND NOT EXISTS (SELECT 1 FROM outbox d "
            "WHERE d.id = ?11 AND d.status = 'delivered') THEN 2 ELSE 0 END)) "
            "ON CONFLICT (tenant, source_type, source_id, source_version, destination) DO NOTHING")
        .bind_all(item.tenant, item.destination, item.source_type, item.source_id, item.source_version,
                  Blob{item.payload}, hash, to_string(item.status), item.next_attempt_at > 0 ? item.next_attempt_at : t,
                  t, item.depends_on)
        .run();
    EnqueueResult result;
    if (writer_->changes() == 1) {
      result.id = writer_->last_insert_rowid();
      result.created = true;
      result.status = item.status;
      result.payload_matches = true;
    } else {
      auto q = writer_->query(
          "SELECT id, status, payload_hash FROM outbox WHERE tenant = ?1 AND source_type = ?2 AND source_id = ?3 "
          "AND source_version = ?4 AND destination = ?5");
      q.bind_all(item.tenant, item.source_type, item.source_id, item.source_version, item.destination);
      if (!q.step()) {
        throw StoreError(StoreErrc::internal, "store: outbox insert was ignored but no item holds its key");
      }
      result.id = q.int64(0);
      result.created = false;
      auto status = parse_outbox_status(q.text(1));
      if (!status) corrupt(path_, "outbox item " + std::to_string(result.id) + " has unknown status");
      result.status = *status;
      result.payload_matches = q.text(2) == hash;
    }
    results.push_back(result);
  }
  for (const auto& dep : batch.dependencies) {
    if (!results[dep.item].created) continue;  // an existing item keeps its ordering
    writer_
        ->query(
            "UPDATE outbox SET depends_on = ?1, blocked = blocked | (CASE WHEN EXISTS (SELECT 1 FROM outbox d "
            "WHERE d.id = ?1 AND d.status = 'delivered') THEN 0 ELSE 2 END) WHERE id = ?2")
        .bind_int(1, results[dep.prerequisite].id)
        .bind_int(2, results[dep.item].id)
        .run();
  }
  if (batch.completes && !write_complete_idempotency(*batch.completes)) {
    throw StoreError(StoreErrc::conflict, "store: idempotency key '" + batch.completes->key + "' of tenant '" +
                                              batch.completes->tenant +
                                              "' is not in progress; the outbox items were not accepted");
  }
  return results;
}

void SqliteStore::do_enqueue_outbox_batch(OutboxBatch batch, Completion<std::vector<EnqueueResult>> done) {
  submit<std::vector<EnqueueResult>>(
      "outbox.enqueue", [this, batch = std::move(batch)] { return write_enqueue(batch); }, std::move(done));
}

std::vector<OutboxItem> SqliteStore::write_claim(const OutboxClaim& claim) {
  const UnixMillis t = now();
  const auto limit = static_cast<std::int64_t>(std::min<std::size_t>(claim.limit, 100000));

  // 1. Leases that ran out: the worker died or hung. The attempt's fate is unknown, so it
  // is recorded as lease_expired and the item becomes due again right away.
  struct Expired {
    std::int64_t id;
    std::string tenant, owner;
    std::int64_t attempts, claimed_at;
  };
  std::vector<Expired> expired;
  {
    auto q = writer_->query(
        "SELECT id, tenant, lease_owner, attempts, claimed_at FROM outbox "
        "WHERE destination = ?1 AND status = 'in_flight' AND lease_until <= ?2 AND (?3 IS NULL OR tenant = ?3) "
        "ORDER BY lease_until LIMIT ?4");
    q.bind_text(1, claim.destination).bind_int(2, t).bind_optional_text(3, claim.tenant).bind_int(4, limit);
    while (q.step()) {
      expired.push_back({q.int64(0), q.text(1), q.text(2), q.int64(3), q.optional_int64(4).value_or(t)});
    }
  }
  for (const auto& e : expired) {
    const std::string error = "lease of worker '" + e.owner + "' expired before it reported an outcome";
    writer_
        ->query(
            "INSERT INTO outbox_attempts (item_id, attempt_no, tenant, worker, started_at, ended_at, outcome, "
            "http_status, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'lease_expired', NULL, ?7)")
        .bind_all(e.id, e.attempts + 1, e.tenant, e.owner, e.claimed_at, t, error)
        .run();
    writer_
        ->query(
            "UPDATE outbox SET status = 'retrying', attempts = attempts + 1, lease_owner = NULL, lease_until = NULL, "
            "claimed_at = NULL, next_attempt_at = ?2, updated_at = ?2, last_error = ?3 WHERE id = ?1")
        .bind_all(e.id, t, error)
        .run();
  }

  // 2. Due items whose prerequisite (if any) is delivered, oldest due first. `blocked = 0`
  // keeps the walk to claimable items (the outbox_due index holds only those); the
  // prerequisite and suspension are checked again on the few rows it yields.
  std::vector<std::int64_t> ids;
  {
    auto q = writer_->query(
        "SELECT o.id FROM outbox o WHERE o.destination = ?1 AND o.status IN ('pending','retrying') "
        "AND o.blocked = 0 AND o.next_attempt_at <= ?2 AND (?3 IS NULL OR o.tenant = ?3) "
        "AND (o.depends_on IS NULL OR EXISTS (SELECT 1 FROM outbox d WHERE d.id = o.depends_on "
        "AND d.status = 'delivered')) "
        "AND NOT EXISTS (SELECT 1 FROM outbox_suspensions s WHERE s.tenant = o.tenant "
        "AND s.destination = o.destination) ORDER BY o.next_attempt_at, o.id LIMIT ?4");
    q.bind_text(1, claim.destination).bind_int(2, t).bind_optional_text(3, claim.tenant).bind_int(4, limit);
    while (q.step()) ids.push_back(q.int64(0));
  }
  std::vector<OutboxItem> items;
  items.reserve(ids.size());
  const std::string select_item = std::string("SELECT ") + kItemColumns + " FROM outbox WHERE id = ?1";
  for (std::int64_t id : ids) {
    writer_
        ->query(
            "UPDATE outbox SET status = 'in_flight', lease_owner = ?2, lease_until = ?3, claimed_at = ?4, "
            "updated_at = ?4 WHERE id = ?1")
        .bind_all(id, claim.owner, add_clamped(t, claim.lease_ms), t)
        .run();
    auto q = writer_->query(select_item.c_str());
    q.bind_int(1, id);
    if (q.step()) items.push_back(read_item(q, path_));
  }
  return items;
}

void SqliteStore::do_claim_outbox(OutboxClaim claim, Completion<std::vector<OutboxItem>> done) {
  submit<std::vector<OutboxItem>>(
      "outbox.claim", [this, claim = std::move(claim)] { return write_claim(claim); }, std::move(done));
}

OutcomeResult SqliteStore::write_outcome(const DeliveryReport& report) {
  const UnixMillis t = now();
  std::string tenant, status_text, owner;
  std::int64_t attempts = 0, claimed_at = 0;
  {
    auto q = writer_->query("SELECT tenant, status, lease_owner, attempts, claimed_at FROM outbox WHERE id = ?1");
    q.bind_int(1, report.item_id);
    if (!q.step() || q.text(0) != report.tenant) {
      throw StoreError(StoreErrc::not_found, "store: outbox item " + std::to_string(report.item_id) +
                                                 " not found for tenant '" + report.tenant + "'");
    }
    tenant = q.text(0);
    status_text = q.text(1);
    owner = q.text(2);
    attempts = q.int64(3);
    claimed_at = q.optional_int64(4).value_or(t);
  }
  auto status = parse_outbox_status(status_text);
  if (!status) corrupt(path_, "outbox item " + std::to_string(report.item_id) + " has unknown status");
  const bool lease_held = *status == OutboxStatus::in_flight && owner == report.lease_owner;
  const std::int64_t attempt_no = attempts + 1;

  // The attempt happened whatever its effect on the item: record it.
  writer_
      ->query(
          "INSERT INTO outbox_attempts (item_id, attempt_no, tenant, worker, started_at, ended_at, outcome, "
          "http_status, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
      .bind_all(report.item_id, attempt_no, tenant, report.lease_owner,
                report.started_at > 0 ? report.started_at : claimed_at, t, to_string(report.outcome),
                report.http_status, TextOrNull{report.error})
      .run();

  OutcomeResult result;
  result.attempts = static_cast<int>(attempt_no);
  result.status = *status;
  std::optional<OutboxStatus> next;
  if (report.outcome == AttemptOutcome::delivered) {
    // The upstream has the data: that is true whoever holds the lease now.
    if (*status != OutboxStatus::delivered) next = OutboxStatus::delivered;
  } else if (lease_held) {
    switch (report.outcome) {
      case AttemptOutcome::retry: next = OutboxStatus::retrying; break;
      case AttemptOutcome::dead: next = OutboxStatus::dead; break;
      case AttemptOutcome::held: next = OutboxStatus::held; break;
      default: break;
    }
  }
  if (!next) {
    writer_->query("UPDATE outbox SET attempts = ?2, updated_at = ?3 WHERE id = ?1")
        .bind_all(report.item_id, attempt_no, t)
        .run();
    return result;
  }
  if (*next == OutboxStatus::delivered) {
    writer_
        ->query(
            "UPDATE outbox SET status = 'delivered', attempts = ?2, updated_at = ?3, lease_owner = NULL, "
            "lease_until = NULL, last_error = NULL, upstream_id = COALESCE(?4, upstream_id) WHERE id = ?1")
        .bind_all(report.item_id, attempt_no, t, TextOrNull{report.upstream_id})
        .run();
    // Its dependents (a kunjungan after its pendaftaran) become claimable.
    writer_->query("UPDATE outbox SET blocked = blocked & ~2 WHERE depends_on = ?1 AND blocked & 2 <> 0")
        .bind_int(1, report.item_id)
        .run();
  } else {
    const UnixMillis next_attempt =
        *next == OutboxStatus::retrying ? add_clamped(t, report.retry_after_ms) : t;
    writer_
        ->query(
            "UPDATE outbox SET status = ?2, attempts = ?3, updated_at = ?4, lease_owner = NULL, lease_until = NULL, "
            "last_error = ?5, next_attempt_at = ?6 WHERE id = ?1")
        .bind_all(report.item_id, to_string(*next), attempt_no, t, TextOrNull{report.error}, next_attempt)
        .run();
  }
  result.applied = true;
  result.status = *next;
  return result;
}

void SqliteStore::do_record_outcome(DeliveryReport report, Completion<OutcomeResult> done) {
  submit<OutcomeResult>(
      "outbox.record_outcome",
      [this, report = std::move(report)] {
        OutcomeResult result = write_outcome(report);
        if (report.then_claim) result.claimed = write_claim(*report.then_claim);
        return result;
      },
      std::move(done));
}

std::optional<OutboxItem> SqliteStore::do_get_outbox_item(std::string_view tenant, std::int64_t id) {
  static const std::string sql = std::string("SELECT ") + kItemColumns + " FROM outbox WHERE id = ?1 AND tenant = ?2";
  auto reader = borrow_reader();
  auto q = reader->query(sql.c_str());
  q.bind_int(1, id).bind_text(2, tenant);
  if (!q.step()) return std::nullopt;
  return read_item(q, path_);
}

std::vector<OutboxAttempt> SqliteStore::do_get_outbox_attempts(std::string_view tenant, std::int64_t id) {
  auto reader = borrow_reader();
  auto q = reader->query(
      "SELECT item_id, attempt_no, worker, started_at, ended_at, outcome, http_status, error FROM outbox_attempts "
      "WHERE item_id = ?1 AND tenant = ?2 ORDER BY attempt_no");
  q.bind_int(1, id).bind_text(2, tenant);
  std::vector<OutboxAttempt> attempts;
  while (q.step()) {
    OutboxAttempt a;
    a.item_id = q.int64(0);
    a.attempt_no = static_cast<int>(q.int64(1));
    a.worker = q.text(2);
    a.started_at = q.int64(3);
    a.ended_at = q.int64(4);
    auto outcome = parse_attempt_outcome(q.text(5));
    if (!outcome) corrupt(path_, "outbox attempt of item " + std::to_string(id) + " has unknown outcome");
    a.outcome = *outcome;
    if (auto s = q.optional_int64(6)) a.http_status = static_cast<int>(*s);
    a.error = q.text(7);
    attempts.push_back(std::move(a));
  }
  return attempts;
}

std::map<OutboxStatus, std::int64_t> SqliteStore::do_count_outbox(std::string_view tenant) {
  auto reader = borrow_reader();
  auto q = reader->query("SELECT status, COUNT(*) FROM outbox WHERE tenant = ?1 GROUP BY status");
  q.bind_text(1, tenant);
  std::map<OutboxStatus, std::int64_t> counts;
  while (q.step()) {
    auto status = parse_outbox_status(q.text(0));
    if (!status) corrupt(path_, "outbox holds an unknown status '" + q.text(0) + "'");
    counts[*status] = q.int64(1);
  }
  return counts;
}

// ---------------------------------------------------------------- outbox operations

std::vector<OutboxItem> SqliteStore::do_list_outbox(const OutboxFilter& f) {
  static const std::string sql = std::string("SELECT ") + kItemColumns +
                                 " FROM outbox WHERE tenant = ?1 AND (?2 IS NULL OR destination = ?2) "
                                 "AND (?3 IS NULL OR status = ?3) AND (?4 IS NULL OR created_at < ?4) "
                                 "AND (?5 IS NULL OR created_at >= ?5) AND (?6 = 0 OR id < ?6) "
                                 "ORDER BY id DESC LIMIT ?7";
  std::optional<std::string> status;
  if (f.status) status = std::string(to_string(*f.status));
  auto reader = borrow_reader();
  auto q = reader->query(sql.c_str());
  q.bind_all(f.tenant, f.destination, status, f.created_before, f.created_after, f.before_id,
             static_cast<std::int64_t>(f.limit));
  std::vector<OutboxItem> items;
  while (q.step()) items.push_back(read_item(q, path_));
  return items;
}

std::optional<std::string> SqliteStore::do_outbox_item_tenant(std::int64_t id) {
  auto reader = borrow_reader();
  auto q = reader->query("SELECT tenant FROM outbox WHERE id = ?1");
  q.bind_int(1, id);
  if (!q.step()) return std::nullopt;
  return q.text(0);
}

std::vector<OutboxResetResult> SqliteStore::write_reset(const std::string& tenant,
                                                        const std::vector<OutboxReset>& resets) {
  const UnixMillis t = now();
  std::vector<OutboxResetResult> results;
  for (const auto& r : resets) {
    OutboxResetResult result;
    result.id = r.id;
    std::string status_text;
    {
      auto q = writer_->query("SELECT tenant, status FROM outbox WHERE id = ?1");
      q.bind_int(1, r.id);
      if (!q.step() || q.text(0) != tenant) {
        throw StoreError(StoreErrc::not_found,
                         "store: outbox item " + std::to_string(r.id) + " not found for tenant '" + tenant + "'");
      }
      status_text = q.text(1);
    }
    auto status = parse_outbox_status(status_text);
    if (!status) corrupt(path_, "outbox item " + std::to_string(r.id) + " has unknown status");
    result.status = *status;
    if (*status == OutboxStatus::in_flight || *status == OutboxStatus::delivered) {
      results.push_back(result);
      continue;
    }
    if (r.payload) {
      const std::string hash = sha256_hex(*r.payload);
      writer_->query("UPDATE outbox SET payload = ?2, payload_hash = ?3 WHERE id = ?1 AND payload_hash <> ?3")
          .bind_all(r.id, Blob{*r.payload}, hash)
          .run();
      result.payload_changed = writer_->changes() == 1;
    }
    writer_
        ->query(
            "UPDATE outbox SET status = 'pending', next_attempt_at = ?2, updated_at = ?2, replayed_at = ?2, "
            "attempts_at_replay = attempts, lease_owner = NULL, lease_until = NULL, claimed_at = NULL WHERE id = ?1")
        .bind_all(r.id, t)
        .run();
    result.reset = true;
    result.status = OutboxStatus::pending;
    results.push_back(result);
  }
  return results;
}

void SqliteStore::do_reset_outbox(std::string tenant, std::vector<OutboxReset> resets,
                                  Completion<std::vector<OutboxResetResult>> done) {
  submit<std::vector<OutboxResetResult>>(
      "outbox.reset",
      [this, tenant = std::move(tenant), resets = std::move(resets)] { return write_reset(tenant, resets); },
      std::move(done));
}

void SqliteStore::do_suspend_outbox(OutboxSuspension s, Completion<bool> done) {
  submit<bool>(
      "outbox.suspend",
      [this, s = std::move(s)] {
        writer_
            ->query(
                "INSERT INTO outbox_suspensions (tenant, destination, actor, reason, suspended_at) "
                "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (tenant, destination) DO NOTHING")
            .bind_all(s.tenant, s.destination, s.actor, s.reason, now())
            .run();
        const bool suspended = writer_->changes() == 1;
        writer_
            ->query(
                "UPDATE outbox SET blocked = blocked | 1 WHERE tenant = ?1 AND destination = ?2 "
                "AND status IN ('pending','in_flight','retrying','dead','held','suspended')")
            .bind_all(s.tenant, s.destination)
            .run();
        return suspended;
      },
      std::move(done));
}

void SqliteStore::do_resume_outbox(std::string tenant, std::string destination, Completion<bool> done) {
  submit<bool>(
      "outbox.resume",
      [this, tenant = std::move(tenant), destination = std::move(destination)] {
        writer_->query("DELETE FROM outbox_suspensions WHERE tenant = ?1 AND destination = ?2")
            .bind_all(tenant, destination)
            .run();
        const bool resumed = writer_->changes() == 1;
        writer_
            ->query(
                "UPDATE outbox SET blocked = blocked & ~1 WHERE tenant = ?1 AND destination = ?2 "
                "AND status IN ('pending','in_flight','retrying','dead','held','suspended') AND blocked & 1 <> 0")
            .bind_all(tenant, destination)
            .run();
        return resumed;
      },
      std::move(done));
}

std::vector<OutboxSuspension> SqliteStore::do_list_outbox_suspensions(std::string_view tenant) {
  auto reader = borrow_reader();
  auto q = reader->query(
      "SELECT tenant, destination, actor, reason, suspended_at FROM outbox_suspensions "
      "WHERE ?1 = '' OR tenant = ?1 ORDER BY tenant, destination");
  q.bind_text(1, tenant);
  std::vector<OutboxSuspension> out;
  while (q.step()) {
    OutboxSuspension s;
    s.tenant = q.text(0);
    s.destination = q.text(1);
    s.actor = q.text(2);
    s.reason = q.text(3);
    s.suspended_at = q.int64(4);
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<OutboxDepth> SqliteStore::do_outbox_depth() {
  auto reader = borrow_reader();
  auto q = reader->query(
      "SELECT tenant, destination, status, COUNT(*), MIN(created_at) FROM outbox WHERE status <> 'delivered' "
      "GROUP BY tenant, destination, status ORDER BY tenant, destination, status");
  std::vector<OutboxDepth> out;
  while (q.step()) {
    OutboxDepth d;
    d.tenant = q.text(0);
    d.destination = q.text(1);
    auto status = parse_outbox_status(q.text(2));
    if (!status) corrupt(path_, "outbox holds an unknown status '" + q.text(2) + "'");
    d.status = *status;
    d.count = q.int64(3);
    d.oldest_created_at = q.int64(4);
    out.push_back(std::move(d));
  }
  return out;
}

#undef SIMPUL_REGISTRY_COLUMNS

}  // namespace simpul::adapter::store

namespace simpul::adapter::store {

// ---------------------------------------------------------------- audit trail

namespace {

constexpr const char* kAuditColumns =
    "tenant, seq, recorded_at, actor, action, purpose, event, resource_type, resource_id, subject_pseudonym, "
    "subject_ciphertext, destination, outcome, request_id, leaf_hash";

AuditRecord read_audit_record(const sqlite::Query& q) {
  AuditRecord r;
  r.tenant = q.text(0);
  r.seq = q.int64(1);
  r.recorded_at = q.int64(2);
  r.actor = q.text(3);
  r.action = q.text(4);
  r.purpose = q.text(5);
  r.event = q.text(6);
  r.resource_type = q.text(7);
  r.resource_id = q.text(8);
  r.subject_pseudonym = q.text(9);
  r.subject_ciphertext = q.blob(10);
  r.destination = q.text(11);
  r.outcome = q.text(12);
  r.request_id = q.text(13);
  r.leaf_hash = q.blob(14);
  return r;
}

std::int64_t clamp_limit(std::size_t limit) {
  return static_cast<std::int64_t>(std::min<std::size_t>(limit, static_cast<std::size_t>(1) << 40));
}

}  // namespace

std::vector<AuditRecord> SqliteStore::write_audit(const std::vector<AuditRecord>& records,
                                                  const AuditLeafHasher& hasher) {
  const UnixMillis t = now();
  std::vector<AuditRecord> stored;
  stored.reserve(records.size());
  for (const AuditRecord& in : records) {
    AuditRecord r = in;
    {
      // The tenant's next seq, read inside this transaction: the writer is the only one
      // appending, so seqs are gap-free and increasing (a failed job rolls back its seq).
      auto q = writer_->query("SELECT COALESCE(MAX(seq), 0) FROM audit_log WHERE tenant = ?1");
      q.bind_text(1, r.tenant);
      q.step();
      r.seq = q.int64(0) + 1;
    }
    if (r.recorded_at == 0) r.recorded_at = t;
    r.leaf_hash = hasher(r);
    if (r.leaf_hash.size() != 32) {
      throw StoreError(StoreErrc::internal, "store: the audit leaf hasher returned " +
                                                std::to_string(r.leaf_hash.size()) + " bytes, not 32");
    }
    auto insert = writer_->query(
        "INSERT INTO audit_log (tenant, seq, recorded_at, actor, action, purpose, event, resource_type, "
        "resource_id, subject_pseudonym, subject_ciphertext, destination, outcome, request_id, leaf_hash) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)");
    insert.bind_all(r.tenant, r.seq, r.recorded_at, r.actor, r.action, r.purpose, r.event, TextOrNull{r.resource_type},
                    TextOrNull{r.resource_id}, TextOrNull{r.subject_pseudonym}, Blob{r.subject_ciphertext},
                    TextOrNull{r.destination}, r.outcome, TextOrNull{r.request_id}, Blob{r.leaf_hash});
    if (r.subject_ciphertext.empty()) insert.bind_null(11);
    insert.run();
    stored.push_back(std::move(r));
  }
  return stored;
}

void SqliteStore::do_append_audit(std::vector<AuditRecord> records, AuditLeafHasher hasher,
                                  Completion<std::vector<AuditRecord>> done) {
  submit<std::vector<AuditRecord>>(
      "audit.append",
      [this, records = std::move(records), hasher = std::move(hasher)] { return write_audit(records, hasher); },
      std::move(done));
}

std::vector<AuditRecord> SqliteStore::do_read_audit(std::string_view tenant, std::optional<std::string_view> subject,
                                                    std::int64_t from_seq, std::size_t limit) {
  static const std::string by_seq =
      std::string("SELECT ") + kAuditColumns + " FROM audit_log WHERE tenant = ?1 AND seq >= ?2 ORDER BY seq LIMIT ?3";
  static const std::string by_subject =
      std::string("SELECT ") + kAuditColumns +
      " FROM audit_log WHERE tenant = ?1 AND subject_pseudonym = ?4 AND seq >= ?2 ORDER BY seq LIMIT ?3";
  auto reader = borrow_reader();
  auto q = reader->query(subject ? by_subject.c_str() : by_seq.c_str());
  q.bind_text(1, tenant).bind_int(2, from_seq).bind_int(3, clamp_limit(limit));
  if (subject) q.bind_text(4, *subject);
  std::vector<AuditRecord> records;
  while (q.step()) records.push_back(read_audit_record(q));
  return records;
}

std::vector<AuditLeaf> SqliteStore::do_read_audit_leaves(std::string_view tenant, std::int64_t from_seq,
                                                         std::size_t limit) {
  auto reader = borrow_reader();
  auto q = reader->query("SELECT seq, leaf_hash FROM audit_log WHERE tenant = ?1 AND seq >= ?2 ORDER BY seq LIMIT ?3");
  q.bind_text(1, tenant).bind_int(2, from_seq).bind_int(3, clamp_limit(limit));
  std::vector<AuditLeaf> leaves;
  while (q.step()) leaves.push_back({q.int64(0), q.blob(1)});
  return leaves;
}

std::vector<std::string> SqliteStore::do_audit_tenants() {
  auto reader = borrow_reader();
  auto q = reader->query(
      "SELECT tenant FROM (SELECT DISTINCT tenant FROM audit_log UNION SELECT DISTINCT tenant FROM audit_tree_heads) "
      "ORDER BY tenant");
  std::vector<std::string> tenants;
  while (q.step()) tenants.push_back(q.text(0));
  return tenants;
}

void SqliteStore::do_put_tree_head(AuditTreeHead head, Done done) {
  submit_void(
      "audit.put_head",
      [this, head = std::move(head)] {
        writer_
            ->query(
                "INSERT INTO audit_tree_heads (tenant, tree_size, root_hash, signature, key_id, signed_at) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
            .bind_all(head.tenant, head.tree_size, Blob{head.root_hash}, Blob{head.signature}, head.key_id,
                      head.signed_at)
            .run();
      },
      std::move(done));
}

std::vector<AuditTreeHead> SqliteStore::do_read_tree_heads(std::string_view tenant, bool latest_only) {
  auto reader = borrow_reader();
  auto q = reader->query(
      latest_only ? "SELECT tenant, tree_size, root_hash, signature, key_id, signed_at FROM audit_tree_heads "
                    "WHERE tenant = ?1 ORDER BY tree_size DESC LIMIT 1"
                  : "SELECT tenant, tree_size, root_hash, signature, key_id, signed_at FROM audit_tree_heads "
                    "WHERE tenant = ?1 ORDER BY tree_size");
  q.bind_text(1, tenant);
  std::vector<AuditTreeHead> heads;
  while (q.step()) {
    AuditTreeHead h;
    h.tenant = q.text(0);
    h.tree_size = q.int64(1);
    h.root_hash = q.blob(2);
    h.signature = q.blob(3);
    h.key_id = q.text(4);
    h.signed_at = q.int64(5);
    heads.push_back(std::move(h));
  }
  return heads;
}

// ---------------------------------------------------------------- registry reports

namespace {

#define SIMPUL_REGISTRY_COLUMNS                                                                              \
  "id, tenant, facility, area, measure, period_start, period_end, identifier, content_hash, reporter_client, " \
  "resource, received_at"

RegistryReport read_registry_report(const sqlite::Query& q) {
  RegistryReport r;
  r.id = q.int64(0);
  r.tenant = q.text(1);
  r.facility = q.text(2);
  r.area = q.text(3);
  r.measure = q.text(4);
  r.period_start = q.text(5);
  r.period_end = q.text(6);
  r.identifier = q.text(7);
  r.content_hash = q.text(8);
  r.reporter_client = q.text(9);
  r.resource = q.blob(10);
  r.received_at = q.int64(11);
  return r;
}

}  // namespace

void SqliteStore::do_put_registry_report(RegistryReport report, Completion<RegistryPutResult> done) {
  submit<RegistryPutResult>(
      "registry.put",
      [this, report = std::move(report)] {
        RegistryPutResult out;
        if (!report.identifier.empty()) {
          auto q = writer_->query("SELECT " SIMPUL_REGISTRY_COLUMNS
                                  " FROM registry_reports WHERE tenant = ?1 AND facility = ?2 AND identifier = ?3");
          q.bind_all(report.tenant, report.facility, report.identifier);
          if (q.step()) {
            out.report = read_registry_report(q);
            return out;
          }
        }
        out.report = report;
        out.report.received_at = now();
        writer_
            ->query(
                "INSERT INTO registry_reports (tenant, facility, area, measure, period_start, period_end, identifier, "
                "content_hash, reporter_client, resource, received_at) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")
            .bind_all(report.tenant, report.facility, report.area, report.measure, report.period_start,
                      report.period_end, TextOrNull{report.identifier}, report.content_hash, report.reporter_client,
                      Blob{report.resource}, out.report.received_at)
            .run();
        out.report.id = writer_->last_insert_rowid();
        out.created = true;
        return out;
      },
      std::move(done));
}

std::vector<RegistryReport> SqliteStore::do_find_registry_reports(std::string_view tenant, std::string_view facility,
                                                                  std::string_view identifier) {
  auto reader = borrow_reader();
  auto q = reader->query("SELECT " SIMPUL_REGISTRY_COLUMNS
                         " FROM registry_reports WHERE tenant = ?1 AND facility = ?2 AND identifier = ?3 ORDER BY id");
  q.bind_text(1, tenant).bind_text(2, facility).bind_text(3, identifier);
  std::vector<RegistryReport> out;
  while (q.step()) out.push_back(read_registry_report(q));
  return out;
}

std::vector<RegistryReport> SqliteStore::do_latest_registry_reports(std::string_view tenant, std::string_view measure,
                                                                    std::string_view period_start,
                                                                    std::string_view period_end) {
  auto reader = borrow_reader();
  auto q = reader->query("SELECT " SIMPUL_REGISTRY_COLUMNS
                         " FROM registry_reports r WHERE tenant = ?1 AND measure = ?2 AND period_start = ?3 AND "
                         "period_end = ?4 AND id = (SELECT MAX(id) FROM registry_reports l WHERE l.tenant = r.tenant "
                         "AND l.measure = r.measure AND l.period_start = r.period_start AND l.period_end = "
                         "r.period_end AND l.facility = r.facility) ORDER BY facility");
  q.bind_text(1, tenant).bind_text(2, measure).bind_text(3, period_start).bind_text(4, period_end);
  std::vector<RegistryReport> out;
  while (q.step()) out.push_back(read_registry_report(q));
  return out;
}

#undef SIMPUL_REGISTRY_COLUMNS

}  // namespace simpul::adapter::store
