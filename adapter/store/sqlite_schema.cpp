#include "adapter/store/sqlite_schema.hpp"

#include <string>

namespace simpul::adapter::store::sqlite {

namespace {

// Migration 1: the tables the outbox, idempotency, audit, indicator and reference-cache
// work needs. Every table carries the tenant (facility) so tenants stay isolated; times
// are Unix milliseconds (INTEGER). docs/store.md explains each column.
constexpr std::string_view kMigration1 = R"sql(
CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant          TEXT    NOT NULL CHECK (tenant <> ''),
  destination     TEXT    NOT NULL CHECK (destination <> ''),
  source_type     TEXT    NOT NULL CHECK (source_type <> ''),
  source_id       TEXT    NOT NULL CHECK (source_id <> ''),
  source_version  TEXT    NOT NULL CHECK (source_version <> ''),
  payload         BLOB    NOT NULL,
  payload_hash    TEXT    NOT NULL,
  status          TEXT    NOT NULL CHECK (status IN
                    ('pending','in_flight','retrying','delivered','dead','held','suspended')),
  attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at INTEGER NOT NULL,
  lease_owner     TEXT,
  lease_until     INTEGER,
  claimed_at      INTEGER,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  last_error      TEXT,
  upstream_id     TEXT,
  depends_on      INTEGER REFERENCES outbox(id) ON DELETE RESTRICT,
  CHECK (status <> 'in_flight' OR (lease_owner IS NOT NULL AND lease_until IS NOT NULL)),
  UNIQUE (tenant, source_type, source_id, source_version, destination)
);
CREATE INDEX outbox_due ON outbox (destination, next_attempt_at) WHERE status IN ('pending','retrying');
CREATE INDEX outbox_leases ON outbox (destination, lease_until) WHERE status = 'in_flight';
CREATE INDEX outbox_by_tenant_status ON outbox (tenant, status, updated_at);
CREATE INDEX outbox_dependents ON outbox (depends_on) WHERE depends_on IS NOT NULL;

CREATE TABLE outbox_attempts (
  item_id     INTEGER NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
  attempt_no  INTEGER NOT NULL CHECK (attempt_no >= 1),
  tenant      TEXT    NOT NULL CHECK (tenant <> ''),
  worker      TEXT    NOT NULL,
  started_at  INTEGER NOT NULL,
  ended_at    INTEGER NOT NULL,
  outcome     TEXT    NOT NULL CHECK (outcome IN ('delivered','retry','dead','held','lease_expired')),
  http_status INTEGER,
  error       TEXT,
  PRIMARY KEY (item_id, attempt_no)
) WITHOUT ROWID;
CREATE INDEX outbox_attempts_by_tenant ON outbox_attempts (tenant, ended_at);

CREATE TABLE idempotency_keys (
  tenant          TEXT    NOT NULL CHECK (tenant <> ''),
  key             TEXT    NOT NULL CHECK (key <> ''),
  request_hash    TEXT    NOT NULL,
  state           TEXT    NOT NULL CHECK (state IN ('in_progress','completed')),
  response_status INTEGER,
  response_body   BLOB,
  created_at      INTEGER NOT NULL,
  expires_at      INTEGER NOT NULL,
  CHECK (state <> 'completed' OR response_status IS NOT NULL),
  PRIMARY KEY (tenant, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_keys_by_expiry ON idempotency_keys (expires_at);

CREATE TABLE audit_log (
  tenant             TEXT    NOT NULL CHECK (tenant <> ''),
  seq                INTEGER NOT NULL CHECK (seq >= 1),
  recorded_at        INTEGER NOT NULL,
  actor              TEXT    NOT NULL,
  action             TEXT    NOT NULL,
  purpose            TEXT    NOT NULL,
  resource_type      TEXT,
  resource_id        TEXT,
  subject_pseudonym  TEXT,
  subject_ciphertext BLOB,
  destination        TEXT,
  outcome            TEXT    NOT NULL,
  request_id         TEXT,
  leaf_hash          BLOB    NOT NULL,
  PRIMARY KEY (tenant, seq)
) WITHOUT ROWID;
CREATE INDEX audit_log_by_subject ON audit_log (tenant, subject_pseudonym, seq) WHERE subject_pseudonym IS NOT NULL;
CREATE INDEX audit_log_by_time ON audit_log (tenant, recorded_at);
CREATE INDEX audit_log_by_request ON audit_log (tenant, request_id) WHERE request_id IS NOT NULL;
CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE audit_tree_heads (
  tenant     TEXT    NOT NULL CHECK (tenant <> ''),
  tree_size  INTEGER NOT NULL CHECK (tree_size >= 0),
  root_hash  BLOB    NOT NULL,
  signature  BLOB    NOT NULL,
  key_id     TEXT    NOT NULL,
  signed_at  INTEGER NOT NULL,
  PRIMARY KEY (tenant, tree_size)
) WITHOUT ROWID;

CREATE TABLE indicator_facts (
  id                INTEGER PRIMARY KEY,
  tenant            TEXT    NOT NULL CHECK (tenant <> ''),
  kind              TEXT    NOT NULL CHECK (kind <> ''),
  subject_pseudonym TEXT    NOT NULL,
  period_key        TEXT    NOT NULL,
  fact_date         TEXT    NOT NULL,
  code              TEXT    NOT NULL DEFAULT '',
  value             INTEGER NOT NULL,
  value_scale       INTEGER NOT NULL DEFAULT 0 CHECK (value_scale BETWEEN 0 AND 18),
  source_type       TEXT    NOT NULL,
  source_id         TEXT    NOT NULL,
  source_version    TEXT    NOT NULL,
  recorded_at       INTEGER NOT NULL,
  UNIQUE (tenant, kind, source_type, source_id, code)
);
CREATE INDEX indicator_facts_by_period ON indicator_facts (tenant, kind, period_key);
CREATE INDEX indicator_facts_by_subject ON indicator_facts (tenant, subject_pseudonym);

CREATE TABLE reference_cache (
  tenant     TEXT    NOT NULL DEFAULT '',
  kind       TEXT    NOT NULL CHECK (kind <> ''),
  key        TEXT    NOT NULL CHECK (key <> ''),
  value      TEXT    NOT NULL,
  fetched_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (tenant, kind, key)
) WITHOUT ROWID;
CREATE INDEX reference_cache_by_expiry ON reference_cache (expires_at);
)sql";

// Migration 2: audit records name what was done (AuditEntry::event, e.g.
// "vclaim.sep.insert"); the column is part of the record's leaf hash (docs/pdp.md).
constexpr std::string_view kMigration2 = R"sql(
ALTER TABLE audit_log ADD COLUMN event TEXT NOT NULL DEFAULT '';
)sql";

// Migration 3: outbox operations. Suspended (tenant, destination) pairs, which claims skip
// (the items stay as they are); and where an item's attempt budget and age restart after
// an admin retry / replay.
constexpr std::string_view kMigration3 = R"sql(
CREATE TABLE outbox_suspensions (
  tenant       TEXT    NOT NULL CHECK (tenant <> ''),
  destination  TEXT    NOT NULL CHECK (destination <> ''),
  actor        TEXT    NOT NULL,
  reason       TEXT    NOT NULL,
  suspended_at INTEGER NOT NULL,
  PRIMARY KEY (tenant, destination)
) WITHOUT ROWID;
ALTER TABLE outbox ADD COLUMN attempts_at_replay INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN replayed_at INTEGER NOT NULL DEFAULT 0;
)sql";

// Migration 4: why an item that is due cannot be claimed, kept in the row so the claim's
// index holds only claimable items (a suspended backlog or kunjungan waiting for their
// pendaftaran used to be walked row by row on every claim). Bits: 1 = its (tenant,
// destination) is suspended, 2 = its prerequisite (depends_on) is not delivered yet.
// The store keeps it in step with outbox_suspensions and the prerequisite's status. Also a
// covering index for the queue-depth metrics.
constexpr std::string_view kMigration4 = R"sql(
ALTER TABLE outbox ADD COLUMN blocked INTEGER NOT NULL DEFAULT 0;
UPDATE outbox SET blocked =
    (CASE WHEN EXISTS (SELECT 1 FROM outbox_suspensions s WHERE s.tenant = outbox.tenant
                       AND s.destination = outbox.destination) THEN 1 ELSE 0 END)
  | (CASE WHEN depends_on IS NOT NULL AND NOT EXISTS (SELECT 1 FROM outbox d WHERE d.id = outbox.depends_on
                       AND d.status = 'delivered') THEN 2 ELSE 0 END);
DROP INDEX outbox_due;
CREATE INDEX outbox_due ON outbox (destination, next_attempt_at) WHERE status IN ('pending','retrying') AND blocked = 0;
-- The queue-depth gauges read this index alone (they read every undelivered row before).
CREATE INDEX outbox_open ON outbox (tenant, destination, status, created_at) WHERE status <> 'delivered';
)sql";

// Migration 5: registry role (docs/registry.md). Every MeasureReport a facility sent,
// every version kept; the latest (highest id) per (facility, measure, period) is the one
// aggregated. An identifier, when the report has one, is unique per facility: the same
// submission sent again is answered with the stored one.
constexpr std::string_view kMigration5 = R"sql(
CREATE TABLE registry_reports (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant          TEXT    NOT NULL CHECK (tenant <> ''),
  facility        TEXT    NOT NULL CHECK (facility <> ''),
  area            TEXT    NOT NULL,
  measure         TEXT    NOT NULL CHECK (measure <> ''),
  period_start    TEXT    NOT NULL,
  period_end      TEXT    NOT NULL,
  identifier      TEXT,
  content_hash    TEXT    NOT NULL,
  reporter_client TEXT    NOT NULL,
  resource        BLOB    NOT NULL,
  received_at     INTEGER NOT NULL,
  UNIQUE (tenant, facility, identifier)
);
CREATE INDEX registry_reports_by_period ON registry_reports (tenant, measure, period_start, period_end, facility, id);
)sql";

constexpr Migration kMigrations[] = {
    {1, "outbox, idempotency keys, audit log, indicator facts, reference cache", kMigration1},
    {2, "audit_log.event", kMigration2},
    {3, "outbox suspensions, replay bookkeeping", kMigration3},
    {4, "outbox.blocked: claimable items only in the claim index", kMigration4},
    {5, "registry_reports: MeasureReports received in registry role", kMigration5},
};

constexpr std::string_view kCreateVersionTable = R"sql(
CREATE TABLE IF NOT EXISTS schema_version (
  version     INTEGER PRIMARY KEY,
  description TEXT    NOT NULL,
  applied_at  INTEGER NOT NULL
);
)sql";

}  // namespace

std::span<const Migration> migrations() noexcept { return kMigrations; }

int latest_schema_version() noexcept { return kMigrations[std::size(kMigrations) - 1].version; }

int current_schema_version(Connection& connection) {
  {
    auto q = connection.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'");
    if (!q.step()) return 0;
  }
  auto q = connection.query("SELECT COALESCE(MAX(version), 0) FROM schema_version");
  q.step();
  return static_cast<int>(q.int64(0));
}

int migrate(Connection& connection, UnixMillis now) {
  connection.exec("BEGIN IMMEDIATE", "starting the migration transaction");
  try {
    connection.exec(kCreateVersionTable, "creating the schema_version table");
    const int before = current_schema_version(connection);
    if (before > latest_schema_version()) {
      throw StoreError(StoreErrc::schema_too_new,
                       "SQLite store '" + connection.path() + "' has schema version " + std::to_string(before) +
                           ", newer than this Simpul knows (" + std::to_string(latest_schema_version()) +
                           "); run the Simpul release that migrated it, or a newer one");
    }
    for (const auto& m : kMigrations) {
      if (m.version <= before) continue;
      connection.exec(m.sql, "applying schema migration " + std::to_string(m.version) + " (" +
                                 std::string(m.description) + ")");
      auto q = connection.query("INSERT INTO schema_version (version, description, applied_at) VALUES (?1, ?2, ?3)");
      q.bind_int(1, m.version).bind_text(2, m.description).bind_int(3, now).run();
    }
    connection.exec("COMMIT", "committing the schema migration");
    return before;
  } catch (...) {
    if (connection.in_transaction()) sqlite3_exec(connection.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

}  // namespace simpul::adapter::store::sqlite
