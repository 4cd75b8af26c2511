#pragma once
// The store: everything Simpul keeps durably (outbox, idempotency keys, audit trail,
// indicator facts, reference-data cache), behind a backend-neutral interface.
//
// The interface speaks the domain (outbox items, idempotency records, cached reference
// data), never SQL. SQLite is the default backend (adapter/store/sqlite_store.hpp);
// PostgreSQL comes later and must honour the same contract (docs/store.md).
//
// Threading: every member function is thread-safe. Writes go through one writer queue
// with group commit; each write has an asynchronous form whose completion callback runs
// on the writer thread (keep it short, never block in it, never call a blocking store
// write from it) and a blocking form for the CLI and tests. Reads run on the calling
// thread against a reader connection and never wait for the writer.
//
// Time: all times are Unix milliseconds (UnixMillis), taken from StoreOptions::clock.

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace simpul::adapter::store {

using UnixMillis = std::int64_t;

// What went wrong, so callers can choose an HTTP status / retry policy.
enum class StoreErrc {
  invalid_argument,  // the request itself is wrong (caller bug): do not retry
  not_found,         // the referenced row does not exist (for this tenant)
  conflict,          // a constraint was violated (e.g. dependency on another tenant's item)
  unsupported,       // e.g. a PostgreSQL URL before that backend exists
  open_failed,       // the database could not be opened (path, permissions, not a database)
  schema_too_new,    // the database was migrated by a newer Simpul
  busy,              // the database stayed locked past the busy timeout: retry later
  io,                // disk full, I/O error, corruption: retry later, page an operator
  closed,            // the store is shutting down
  internal,          // a bug or a misuse (e.g. a blocking write from a completion callback)
};
std::string_view to_string(StoreErrc code) noexcept;

class StoreError : public std::runtime_error {
 public:
  StoreError(StoreErrc code, const std::string& message);
  StoreErrc code() const noexcept { return code_; }
  // True when the same request may succeed later (busy, io, closed): answer 503.
  bool retryable() const noexcept;

 private:
  StoreErrc code_;
};

// SQLite's PRAGMA synchronous. FULL (default) fsyncs the WAL on every commit, so an
// acknowledged write survives power loss; NORMAL survives a process crash only.
enum class SynchronousMode { off, normal, full, extra };
std::string_view to_string(SynchronousMode mode) noexcept;
std::optional<SynchronousMode> parse_synchronous_mode(std::string_view text) noexcept;  // case-insensitive

using LatencyHook = std::function<void(std::string_view op, double seconds)>;
using Clock = std::function<UnixMillis()>;
UnixMillis system_clock_millis() noexcept;

struct StoreOptions {
  // A plain path or "sqlite:/path/file.db" (also "sqlite:///path/file.db") selects SQLite;
  // "postgresql://..." is reserved for the PostgreSQL backend (not built yet).
  std::string url;
  int busy_timeout_ms = 5000;
  SynchronousMode synchronous = SynchronousMode::full;
  std::size_t max_batch_size = 256;   // most write jobs sharing one transaction/fsync
  std::size_t reader_connections = 4;  // size of the reader pool (at least 1)
  // Called after every operation with its name ("outbox.enqueue", "commit", ...) and
  // duration in seconds (writes: from submission to completion, queueing included).
  // Called concurrently from any thread; must be thread-safe and must not throw.
  LatencyHook on_latency;
  Clock clock;  // empty: the system clock
};

struct StoreStats {
  std::uint64_t jobs = 0;            // write jobs completed (succeeded or failed)
  std::uint64_t failed_jobs = 0;     // of which failed
  std::uint64_t commits = 0;         // transactions committed (one fsync each)
  std::uint64_t failed_commits = 0;  // batches whose BEGIN/COMMIT failed
  std::uint64_t largest_batch = 0;
  std::uint64_t queued = 0;            // jobs waiting right now
  std::uint64_t callback_errors = 0;   // completion callbacks that threw (swallowed)
};

// ---------------------------------------------------------------- reference cache

// Reference data fetched from upstream (V-Claim poli, diagnoses, P-Care dokter, ...).
struct ReferencePut {
  std::string tenant;  // "" = shared by all tenants
  std::string kind;    // e.g. "vclaim.poli"
  std::string key;
  std::string value;   // text / JSON as received
  std::int64_t ttl_ms = 0;  // fresh until fetched_at + ttl_ms (> 0)
};

struct CachedReference {
  std::string value;
  UnixMillis fetched_at = 0;
  UnixMillis expires_at = 0;
  bool stale = false;  // expires_at <= now: usable as a fallback when upstream is down
};

// ---------------------------------------------------------------- idempotency keys

enum class IdempotencyState { in_progress, completed };
std::string_view to_string(IdempotencyState state) noexcept;
std::optional<IdempotencyState> parse_idempotency_state(std::string_view text) noexcept;

struct IdempotencyRecord {
  std::string tenant;
  std::string key;           // the client's Idempotency-Key
  std::string request_hash;  // hash of the request that first used the key
  IdempotencyState state = IdempotencyState::in_progress;
  int response_status = 0;     // when completed
  std::string response_body;   // when completed
  UnixMillis created_at = 0;
  UnixMillis expires_at = 0;
};

struct NewIdempotencyKey {
  std::string tenant;
  std::string key;
  std::string request_hash;
  std::int64_t ttl_ms = 0;  // > 0; after expiry the key may be reused
};

struct IdempotencyBegin {
  bool acquired = false;      // true: this caller inserted the key and must complete or abandon it
  bool same_request = false;  // the stored request_hash equals the caller's
  // Acquired by replacing an in_progress record whose ttl ran out: an earlier
  // attempt never finished (crash, or an upstream outcome it could not learn).
  // Its effect upstream is unknown: reconcile before doing it again.
  bool replaced_unfinished = false;
  IdempotencyRecord record;   // the record now stored (the caller's, or the earlier one)
};

struct IdempotencyCompletion {
  std::string tenant;
  std::string key;
  int response_status = 0;
  std::string response_body;
  // > 0: the completed record is kept until now + ttl_ms (an in-progress lease
  // is short, the replay window long); 0 keeps the expiry set by begin.
  std::int64_t ttl_ms = 0;
};

// ---------------------------------------------------------------- outbox

enum class OutboxStatus { pending, in_flight, retrying, delivered, dead, held, suspended };
std::string_view to_string(OutboxStatus status) noexcept;
std::optional<OutboxStatus> parse_outbox_status(std::string_view text) noexcept;

enum class AttemptOutcome { delivered, retry, dead, held, lease_expired };
std::string_view to_string(AttemptOutcome outcome) noexcept;
std::optional<AttemptOutcome> parse_attempt_outcome(std::string_view text) noexcept;

// One unit of work to deliver upstream. Its idempotency key is
// (tenant, source_type, source_id, source_version, destination): enqueueing the same
// key twice keeps the first item.
struct OutboxItem {
  std::int64_t id = 0;  // assigned by the store
  std::string tenant;
  std::string destination;     // "pcare", "satusehat", "registry", ...
  std::string source_type;     // e.g. "Encounter"
  std::string source_id;
  std::string source_version;  // must not be empty (use a content hash if unversioned)
  std::string payload;         // bytes, stored as a blob
  std::string payload_hash;    // empty on enqueue: the store computes SHA-256 (hex)
  OutboxStatus status = OutboxStatus::pending;  // on enqueue: pending, held or suspended
  int attempts = 0;
  UnixMillis next_attempt_at = 0;  // on enqueue: 0 = now
  std::string lease_owner;
  UnixMillis lease_until = 0;
  UnixMillis claimed_at = 0;
  UnixMillis created_at = 0;
  UnixMillis updated_at = 0;
  std::string last_error;
  std::string upstream_id;  // e.g. P-Care noKunjungan, SATUSEHAT resource id
  std::optional<std::int64_t> depends_on;  // delivered only after this item (same tenant)
  // Set by a retry / replay (admin API): the attempt budget and the age of the item count
  // from here (attempts - attempts_at_replay, now - max(created_at, replayed_at)).
  int attempts_at_replay = 0;
  UnixMillis replayed_at = 0;
};

struct EnqueueResult {
  std::int64_t id = 0;
  bool created = false;  // false: the key was already present; id is the existing item
  OutboxStatus status = OutboxStatus::pending;
  bool payload_matches = true;  // for an existing item: same payload hash as this request
};

// Item `item` of a batch is delivered only after item `prerequisite` (prerequisite < item).
struct OutboxDependency {
  std::size_t item = 0;
  std::size_t prerequisite = 0;
};

// Several items accepted together, atomically, optionally completing the HTTP request's
// idempotency record in the same transaction ("accepted means durable").
struct OutboxBatch {
  std::vector<OutboxItem> items;
  std::vector<OutboxDependency> dependencies;
  std::optional<IdempotencyCompletion> completes;  // must be in_progress, else the batch fails
};

struct OutboxClaim {
  std::string destination;
  std::optional<std::string> tenant;  // nullopt: any tenant
  std::string owner;                  // worker identity, recorded as lease_owner
  std::int64_t lease_ms = 0;          // > 0
  std::size_t limit = 1;              // > 0
};

struct DeliveryReport {
  std::int64_t item_id = 0;
  std::string tenant;
  std::string lease_owner;  // the owner that claimed the item
  AttemptOutcome outcome = AttemptOutcome::retry;  // not lease_expired
  UnixMillis started_at = 0;  // 0: the claim time
  std::optional<int> http_status;
  std::string error;
  std::string upstream_id;       // for delivered
  std::int64_t retry_after_ms = 0;  // for retry
  // More work claimed in the same write as this outcome (the worker's freed slot): one
  // store round-trip per delivery instead of two. The items come back in OutcomeResult::claimed.
  std::optional<OutboxClaim> then_claim;
};

struct OutcomeResult {
  bool applied = false;  // false: the lease was lost; the attempt is recorded, status unchanged
  OutboxStatus status = OutboxStatus::pending;
  int attempts = 0;
  std::vector<OutboxItem> claimed;  // DeliveryReport::then_claim's items, leased
};

struct OutboxAttempt {
  std::int64_t item_id = 0;
  int attempt_no = 0;
  std::string worker;
  UnixMillis started_at = 0;
  UnixMillis ended_at = 0;
  AttemptOutcome outcome = AttemptOutcome::retry;
  std::optional<int> http_status;
  std::string error;
};

// ---------------------------------------------------------------- outbox operations

// What the admin API lists. Items newest first (by id), ids below `before_id` when set.
struct OutboxFilter {
  std::string tenant;                      // required: every read is per tenant
  std::optional<std::string> destination{};
  std::optional<OutboxStatus> status{};
  std::optional<UnixMillis> created_before{};  // created_at < this ("older than")
  std::optional<UnixMillis> created_after{};   // created_at >= this
  std::int64_t before_id = 0;                  // > 0: paging, ids below this
  std::size_t limit = 100;                     // 1..10000
};

// Makes an item due again now (admin retry / replay). Allowed from pending, retrying, dead,
// held and suspended; an in-flight or delivered item is refused (conflict). A new payload
// (re-rendered with the current mapping) replaces the old one, with its hash.
struct OutboxReset {
  std::int64_t id = 0;
  std::optional<std::string> payload{};
};

struct OutboxResetResult {
  std::int64_t id = 0;
  bool reset = false;        // false: the item was in flight or delivered (left alone)
  OutboxStatus status = OutboxStatus::pending;  // the status now
  bool payload_changed = false;
};

// Transfers of one tenant to one destination stopped (PKS / data-protection officer).
// While a pair is suspended, claims skip its items: they stay as they are, nothing is lost.
struct OutboxSuspension {
  std::string tenant;
  std::string destination;
  std::string actor{};
  std::string reason{};
  UnixMillis suspended_at = 0;  // set by the store
};

// Queue depth, for metrics: items not delivered, by tenant, destination and status.
struct OutboxDepth {
  std::string tenant;
  std::string destination;
  OutboxStatus status = OutboxStatus::pending;
  std::int64_t count = 0;
  UnixMillis oldest_created_at = 0;
};

// ---------------------------------------------------------------- audit trail

// One processing record (UU PDP Pasal 31), as stored in audit_log. Built by the audit
// recorder (adapter/audit/audit_log.hpp): the data subject appears only as a pseudonym
// and a ciphertext. Optional columns use "" for "none" (stored as NULL).
struct AuditRecord {
  std::string tenant;
  std::int64_t seq = 0;        // assigned by the store: the tenant's next, 1, 2, 3, ... without gaps
  UnixMillis recorded_at = 0;  // on append: 0 = the store's clock
  std::string actor;
  std::string action;   // AuditEvent.action code: C R U D E
  std::string purpose;  // v3-ActReason code
  std::string event;    // e.g. "vclaim.sep.insert"
  std::string resource_type{};
  std::string resource_id{};
  std::string subject_pseudonym{};
  std::string subject_ciphertext{};  // bytes
  std::string destination{};
  std::string outcome;
  std::string request_id{};
  std::string leaf_hash{};  // 32 bytes: the record's RFC 6962 leaf hash, set by the AuditLeafHasher
};

// Computes a record's leaf hash (32 bytes) once the store has set its seq and recorded_at.
// Runs on the writer thread inside the transaction (possibly more than once, if the
// transaction is lost and re-run): must be pure, fast and thread-safe.
using AuditLeafHasher = std::function<std::string(const AuditRecord&)>;

// One leaf hash of a tenant's tree.
struct AuditLeaf {
  std::int64_t seq = 0;
  std::string leaf_hash;
};

// A signed tree head: the tenant's Merkle root over records 1..tree_size, signed.
struct AuditTreeHead {
  std::string tenant;
  std::int64_t tree_size = 0;
  std::string root_hash;  // 32 bytes
  std::string signature;  // bytes (Ed25519: 64)
  std::string key_id;     // which signing key (docs/pdp.md)
  UnixMillis signed_at = 0;
};

// ---------------------------------------------------------------- registry reports

// One MeasureReport a facility sent to a registry tenant (docs/registry.md). Every version
// is kept; for aggregation the latest (highest id) per (facility, measure, period) counts.
// Only aggregates: no personal data is in it (the routes refuse any).
struct RegistryReport {
  std::int64_t id = 0;  // assigned by the store; the MeasureReport's id at the registry
  std::string tenant;   // the registry tenant
  std::string facility;
  std::string area;          // the reporter's area when it was received
  std::string measure;       // canonical URL
  std::string period_start;  // YYYY-MM-DD
  std::string period_end;
  std::string identifier{};  // "system|value"; "" = none. Unique per (tenant, facility).
  std::string content_hash;
  std::string reporter_client;  // the OAuth2 client_id that sent it
  std::string resource;         // the MeasureReport JSON as stored
  UnixMillis received_at = 0;   // set by the store
};

struct RegistryPutResult {
  RegistryReport report;  // as stored: this one, or the earlier one with the same identifier
  bool created = false;   // false: the identifier was already there (nothing written)
};

// ---------------------------------------------------------------- the interface

class Store {
 public:
  template <class T>
  using Completion = std::function<void(std::exception_ptr, T)>;
  using Done = std::function<void(std::exception_ptr)>;

  virtual ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  virtual std::string_view backend() const noexcept = 0;  // "sqlite"
  // readyz: a cheap read succeeds and the writer is running. Never throws.
  virtual bool ping() noexcept = 0;
  int schema_version();
  virtual StoreStats stats() const = 0;

  // Reference cache. get: nullopt when absent; stale entries are returned marked stale.
  std::optional<CachedReference> get_reference(std::string_view tenant, std::string_view kind,
                                               std::string_view key);
  void put_reference(ReferencePut entry, Done done);
  void put_reference(ReferencePut entry);

  // Idempotency keys. begin = insert-if-absent (an expired key counts as absent).
  void begin_idempotency(NewIdempotencyKey request, Completion<IdempotencyBegin> done);
  IdempotencyBegin begin_idempotency(NewIdempotencyKey request);
  // complete: in_progress -> completed; false when no in-progress record exists.
  void complete_idempotency(IdempotencyCompletion completion, Completion<bool> done);
  bool complete_idempotency(IdempotencyCompletion completion);
  // abandon: removes an in-progress record so the client may retry; false when none.
  void abandon_idempotency(std::string tenant, std::string key, Completion<bool> done);
  bool abandon_idempotency(std::string tenant, std::string key);
  std::optional<IdempotencyRecord> get_idempotency(std::string_view tenant, std::string_view key);

  // Outbox.
  void enqueue_outbox(OutboxItem item, Completion<EnqueueResult> done);
  EnqueueResult enqueue_outbox(OutboxItem item);
  void enqueue_outbox_batch(OutboxBatch batch, Completion<std::vector<EnqueueResult>> done);
  std::vector<EnqueueResult> enqueue_outbox_batch(OutboxBatch batch);
  // Leases due items (pending/retrying with next_attempt_at <= now, prerequisite delivered)
  // to `owner`. Items whose lease expired are first recorded as a lease_expired attempt.
  void claim_outbox(OutboxClaim claim, Completion<std::vector<OutboxItem>> done);
  std::vector<OutboxItem> claim_outbox(OutboxClaim claim);
  // Records one delivery attempt and applies its outcome. delivered is applied even when
  // the lease was lost (the upstream has the data); other outcomes need the lease.
  void record_outcome(DeliveryReport report, Completion<OutcomeResult> done);
  OutcomeResult record_outcome(DeliveryReport report);
  std::optional<OutboxItem> get_outbox_item(std::string_view tenant, std::int64_t id);
  std::vector<OutboxAttempt> get_outbox_attempts(std::string_view tenant, std::int64_t id);
  std::map<OutboxStatus, std::int64_t> count_outbox(std::string_view tenant);
  // Admin: list by filter; reset items (all in one transaction) to pending, due now.
  std::vector<OutboxItem> list_outbox(const OutboxFilter& filter);
  // Whose item `id` is (the admin API answers 403, not 404, for another tenant's item).
  std::optional<std::string> outbox_item_tenant(std::int64_t id);
  void reset_outbox(std::string tenant, std::vector<OutboxReset> resets, Completion<std::vector<OutboxResetResult>> done);
  std::vector<OutboxResetResult> reset_outbox(std::string tenant, std::vector<OutboxReset> resets);
  // Suspend (true: the pair was not suspended before) / resume (true: it was).
  void suspend_outbox(OutboxSuspension suspension, Completion<bool> done);
  bool suspend_outbox(OutboxSuspension suspension);
  void resume_outbox(std::string tenant, std::string destination, Completion<bool> done);
  bool resume_outbox(std::string tenant, std::string destination);
  // The suspended pairs; tenant "" = every tenant's.
  std::vector<OutboxSuspension> list_outbox_suspensions(std::string_view tenant);
  // Undelivered items counted by (tenant, destination, status), every tenant (metrics).
  std::vector<OutboxDepth> outbox_depth();

  // Audit trail (append-only). append: each record gets its tenant's next seq inside the
  // transaction (gap-free and monotonic per tenant; a record whose job fails takes no
  // seq), then `leaf_hash` is set by `hasher`; `done` receives the stored records.
  void append_audit(std::vector<AuditRecord> records, AuditLeafHasher hasher,
                    Completion<std::vector<AuditRecord>> done);
  std::vector<AuditRecord> append_audit(std::vector<AuditRecord> records, AuditLeafHasher hasher);
  // A tenant's records with seq >= from_seq, in seq order, at most `limit`.
  std::vector<AuditRecord> read_audit(std::string_view tenant, std::int64_t from_seq, std::size_t limit);
  // A tenant's records about one data subject (by pseudonym), in seq order, from from_seq.
  std::vector<AuditRecord> find_audit_by_subject(std::string_view tenant, std::string_view subject_pseudonym,
                                                 std::int64_t from_seq, std::size_t limit);
  // Only (seq, leaf_hash) of seq >= from_seq, in seq order: for rebuilding the tree.
  std::vector<AuditLeaf> read_audit_leaves(std::string_view tenant, std::int64_t from_seq, std::size_t limit);
  // The tenants that have audit records or tree heads, sorted.
  std::vector<std::string> audit_tenants();
  // Signed tree heads. put: conflict when the tenant already has a head of that size.
  void put_tree_head(AuditTreeHead head, Done done);
  void put_tree_head(AuditTreeHead head);
  std::vector<AuditTreeHead> read_tree_heads(std::string_view tenant);  // by tree_size
  std::optional<AuditTreeHead> latest_tree_head(std::string_view tenant);

  // Registry reports. put: insert, unless (tenant, facility, identifier) is already stored,
  // in which case the stored report is answered and nothing is written.
  void put_registry_report(RegistryReport report, Completion<RegistryPutResult> done);
  RegistryPutResult put_registry_report(RegistryReport report);
  // A facility's reports carrying `identifier` ("system|value"), oldest first.
  std::vector<RegistryReport> find_registry_reports(std::string_view tenant, std::string_view facility,
                                                    std::string_view identifier);
  // The latest report of every facility for (measure, period), by facility.
  std::vector<RegistryReport> latest_registry_reports(std::string_view tenant, std::string_view measure,
                                                      std::string_view period_start, std::string_view period_end);

 protected:
  explicit Store(LatencyHook on_latency);
  void report_latency(std::string_view op, double seconds) const noexcept;

  // Backends implement these. Asynchronous ones must call `done` exactly once (from the
  // writer thread, or immediately on the caller's thread when the job cannot be queued).
  // Arguments arrive validated.
  virtual int do_schema_version() = 0;
  virtual std::optional<CachedReference> do_get_reference(std::string_view tenant, std::string_view kind,
                                                          std::string_view key) = 0;
  virtual void do_put_reference(ReferencePut entry, Done done) = 0;
  virtual void do_begin_idempotency(NewIdempotencyKey request, Completion<IdempotencyBegin> done) = 0;
  virtual void do_complete_idempotency(IdempotencyCompletion completion, Completion<bool> done) = 0;
  virtual void do_abandon_idempotency(std::string tenant, std::string key, Completion<bool> done) = 0;
  virtual std::optional<IdempotencyRecord> do_get_idempotency(std::string_view tenant, std::string_view key) = 0;
  virtual void do_enqueue_outbox_batch(OutboxBatch batch, Completion<std::vector<EnqueueResult>> done) = 0;
  virtual void do_claim_outbox(OutboxClaim claim, Completion<std::vector<OutboxItem>> done) = 0;
  virtual void do_record_outcome(DeliveryReport report, Completion<OutcomeResult> done) = 0;
  virtual std::optional<OutboxItem> do_get_outbox_item(std::string_view tenant, std::int64_t id) = 0;
  virtual std::vector<OutboxAttempt> do_get_outbox_attempts(std::string_view tenant, std::int64_t id) = 0;
  virtual std::map<OutboxStatus, std::int64_t> do_count_outbox(std::string_view tenant) = 0;
  virtual std::vector<OutboxItem> do_list_outbox(const OutboxFilter& filter) = 0;
  virtual std::optional<std::string> do_outbox_item_tenant(std::int64_t id) = 0;
  virtual void do_reset_outbox(std::string tenant, std::vector<OutboxReset> resets,
                               Completion<std::vector<OutboxResetResult>> done) = 0;
  virtual void do_suspend_outbox(OutboxSuspension suspension, Completion<bool> done) = 0;
  virtual void do_resume_outbox(std::string tenant, std::string destination, Completion<bool> done) = 0;
  virtual std::vector<OutboxSuspension> do_list_outbox_suspensions(std::string_view tenant) = 0;
  virtual std::vector<OutboxDepth> do_outbox_depth() = 0;
  virtual void do_append_audit(std::vector<AuditRecord> records, AuditLeafHasher hasher,
                               Completion<std::vector<AuditRecord>> done) = 0;
  virtual std::vector<AuditRecord> do_read_audit(std::string_view tenant, std::optional<std::string_view> subject,
                                                 std::int64_t from_seq, std::size_t limit) = 0;
  virtual std::vector<AuditLeaf> do_read_audit_leaves(std::string_view tenant, std::int64_t from_seq,
                                                      std::size_t limit) = 0;
  virtual std::vector<std::string> do_audit_tenants() = 0;
  virtual void do_put_tree_head(AuditTreeHead head, Done done) = 0;
  virtual std::vector<AuditTreeHead> do_read_tree_heads(std::string_view tenant, bool latest_only) = 0;
  virtual void do_put_registry_report(RegistryReport report, Completion<RegistryPutResult> done) = 0;
  virtual std::vector<RegistryReport> do_find_registry_reports(std::string_view tenant, std::string_view facility,
                                                               std::string_view identifier) = 0;
  virtual std::vector<RegistryReport> do_latest_registry_reports(std::string_view tenant, std::string_view measure,
                                                                 std::string_view period_start,
                                                                 std::string_view period_end) = 0;
  // True on the thread that runs completion callbacks: blocking writes there would deadlock.
  virtual bool on_writer_thread() const noexcept = 0;

 private:
  template <class T, class Submit>
  T wait_for(Submit submit);
  template <class Fn>
  auto timed_read(std::string_view op, Fn fn) -> decltype(fn());
  template <class T>
  Completion<T> timed(std::string_view op, Completion<T> done);
  Done timed(std::string_view op, Done done);

  LatencyHook on_latency_;
};

// Opens (creating and migrating if needed) the store named by options.url.
// Throws StoreError: unsupported (PostgreSQL, unknown scheme), open_failed, schema_too_new, ...
std::unique_ptr<Store> open_store(const StoreOptions& options);

}  // namespace simpul::adapter::store
