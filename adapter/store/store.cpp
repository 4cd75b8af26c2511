#include "adapter/store/store.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <future>
#include <utility>

#include "adapter/enum_names.hpp"
#include "adapter/store/sqlite_store.hpp"

namespace simpul::adapter::store {

// ---------------------------------------------------------------- names

namespace {

constexpr std::string_view kStoreErrcNames[] = {"invalid_argument", "not_found",      "conflict", "unsupported",
                                                "open_failed",      "schema_too_new", "busy",     "io",
                                                "closed",           "internal"};
static_assert(names_every(kStoreErrcNames, StoreErrc::internal));
constexpr std::string_view kSynchronousModeNames[] = {"OFF", "NORMAL", "FULL", "EXTRA"};
static_assert(names_every(kSynchronousModeNames, SynchronousMode::extra));
constexpr std::string_view kIdempotencyStateNames[] = {"in_progress", "completed"};
static_assert(names_every(kIdempotencyStateNames, IdempotencyState::completed));
constexpr std::string_view kOutboxStatusNames[] = {"pending", "in_flight", "retrying", "delivered",
                                                   "dead",    "held",      "suspended"};
static_assert(names_every(kOutboxStatusNames, OutboxStatus::suspended));
constexpr std::string_view kAttemptOutcomeNames[] = {"delivered", "retry", "dead", "held", "lease_expired"};
static_assert(names_every(kAttemptOutcomeNames, AttemptOutcome::lease_expired));

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::string_view to_string(StoreErrc code) noexcept {
  return name_of(kStoreErrcNames, code, "unknown");
}

StoreError::StoreError(StoreErrc code, const std::string& message) : std::runtime_error(message), code_(code) {}

bool StoreError::retryable() const noexcept {
  return code_ == StoreErrc::busy || code_ == StoreErrc::io || code_ == StoreErrc::closed;
}

std::string_view to_string(SynchronousMode mode) noexcept {
  return name_of(kSynchronousModeNames, mode, "FULL");
}

std::optional<SynchronousMode> parse_synchronous_mode(std::string_view text) noexcept {
  return value_of<SynchronousMode>(kSynchronousModeNames, text, iequals);
}

std::string_view to_string(IdempotencyState state) noexcept {
  return name_of(kIdempotencyStateNames, state, "in_progress");
}

std::optional<IdempotencyState> parse_idempotency_state(std::string_view text) noexcept {
  return value_of<IdempotencyState>(kIdempotencyStateNames, text);
}

std::string_view to_string(OutboxStatus status) noexcept {
  return name_of(kOutboxStatusNames, status, "pending");
}

std::optional<OutboxStatus> parse_outbox_status(std::string_view text) noexcept {
  return value_of<OutboxStatus>(kOutboxStatusNames, text);
}

std::string_view to_string(AttemptOutcome outcome) noexcept {
  return name_of(kAttemptOutcomeNames, outcome, "retry");
}

std::optional<AttemptOutcome> parse_attempt_outcome(std::string_view text) noexcept {
  return value_of<AttemptOutcome>(kAttemptOutcomeNames, text);
}

UnixMillis system_clock_millis() noexcept {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// ---------------------------------------------------------------- validation

namespace {

void require(bool ok, std::string_view message) {
  if (!ok) throw StoreError(StoreErrc::invalid_argument, "store: " + std::string(message));
}

void validate_tenant(std::string_view tenant) { require(!tenant.empty(), "tenant must not be empty"); }

void validate(const ReferencePut& e) {
  require(!e.kind.empty(), "reference kind must not be empty");
  require(!e.key.empty(), "reference key must not be empty");
  require(e.ttl_ms > 0, "reference ttl_ms must be positive");
}

void validate(const NewIdempotencyKey& r) {
  validate_tenant(r.tenant);
  require(!r.key.empty(), "idempotency key must not be empty");
  require(r.ttl_ms > 0, "idempotency ttl_ms must be positive");
}

void validate(const IdempotencyCompletion& c) {
  validate_tenant(c.tenant);
  require(!c.key.empty(), "idempotency key must not be empty");
  require(c.response_status >= 100 && c.response_status <= 599, "idempotency response_status must be an HTTP status");
  require(c.ttl_ms >= 0, "idempotency completion ttl_ms must not be negative");
}

void validate(const OutboxItem& item) {
  validate_tenant(item.tenant);
  require(!item.destination.empty(), "outbox destination must not be empty");
  require(!item.source_type.empty(), "outbox source_type must not be empty");
  require(!item.source_id.empty(), "outbox source_id must not be empty");
  require(!item.source_version.empty(),
          "outbox source_version must not be empty (it is part of the idempotency key; use a content hash)");
  require(item.status == OutboxStatus::pending || item.status == OutboxStatus::held ||
              item.status == OutboxStatus::suspended,
          "a new outbox item must be pending, held or suspended");
  require(item.next_attempt_at >= 0, "outbox next_attempt_at must not be negative");
}

void validate(const OutboxBatch& batch) {
  require(!batch.items.empty(), "outbox batch must hold at least one item");
  for (const auto& item : batch.items) validate(item);
  for (const auto& dep : batch.dependencies) {
    require(dep.item < batch.items.size() && dep.prerequisite < batch.items.size(),
            "outbox dependency index out of range");
    require(dep.prerequisite < dep.item, "an outbox item may only depend on an earlier item of its batch");
    require(!batch.items[dep.item].depends_on.has_value(),
            "outbox item has both depends_on and a batch dependency");
  }
  for (std::size_t i = 0; i < batch.dependencies.size(); ++i) {
    for (std::size_t j = i + 1; j < batch.dependencies.size(); ++j) {
      require(batch.dependencies[i].item != batch.dependencies[j].item,
              "an outbox item may depend on one prerequisite only");
    }
  }
  if (batch.completes) validate(*batch.completes);
}

void validate(const OutboxClaim& c) {
  require(!c.destination.empty(), "claim destination must not be empty");
  require(!c.owner.empty(), "claim owner must not be empty");
  require(c.lease_ms > 0, "claim lease_ms must be positive");
  require(c.limit > 0, "claim limit must be positive");
  if (c.tenant) validate_tenant(*c.tenant);
}

void validate(const DeliveryReport& r) {
  validate_tenant(r.tenant);
  require(r.item_id > 0, "delivery report item_id must be positive");
  require(!r.lease_owner.empty(), "delivery report lease_owner must not be empty");
  require(r.outcome != AttemptOutcome::lease_expired, "lease_expired is recorded by the store, not reported");
  require(r.retry_after_ms >= 0, "retry_after_ms must not be negative");
  if (r.http_status) require(*r.http_status >= 100 && *r.http_status <= 599, "http_status must be an HTTP status");
  if (r.then_claim) validate(*r.then_claim);
}

void validate(const AuditRecord& r) {
  validate_tenant(r.tenant);
  require(r.seq == 0, "audit seq is assigned by the store (leave it 0)");
  require(r.recorded_at >= 0, "audit recorded_at must not be negative");
  require(!r.actor.empty(), "audit actor must not be empty");
  require(!r.action.empty(), "audit action must not be empty");
  require(!r.purpose.empty(), "audit purpose must not be empty");
  require(!r.event.empty(), "audit event must not be empty");
  require(!r.outcome.empty(), "audit outcome must not be empty");
}

void validate(const AuditTreeHead& h) {
  validate_tenant(h.tenant);
  require(h.tree_size >= 0, "tree head size must not be negative");
  require(h.root_hash.size() == 32, "tree head root_hash must be 32 bytes");
  require(!h.signature.empty(), "tree head signature must not be empty");
  require(!h.key_id.empty(), "tree head key_id must not be empty");
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// True when check() passes; otherwise `done` gets its error (and the operation goes no further).
template <class Check>
bool accepted(const Store::Done& done, Check check) {
  try {
    check();
    return true;
  } catch (...) {
    done(std::current_exception());
    return false;
  }
}

template <class T, class Check>
bool accepted(const Store::Completion<T>& done, Check check) {
  return accepted(Store::Done([&](std::exception_ptr e) { done(e, T{}); }), check);
}

}  // namespace

// ---------------------------------------------------------------- Store

Store::Store(LatencyHook on_latency) : on_latency_(std::move(on_latency)) {}
Store::~Store() = default;

void Store::report_latency(std::string_view op, double seconds) const noexcept {
  if (!on_latency_) return;
  try {
    on_latency_(op, seconds);
  } catch (...) {
    // A metrics hook must not break the store.
  }
}

template <class T, class Submit>
T Store::wait_for(Submit submit) {
  if (on_writer_thread()) {
    throw StoreError(StoreErrc::internal,
                     "store: a blocking write from a store completion callback would deadlock; use the "
                     "asynchronous form");
  }
  auto promise = std::make_shared<std::promise<T>>();
  auto future = promise->get_future();
  if constexpr (std::is_void_v<T>) {
    submit([promise](std::exception_ptr error) {
      if (error) promise->set_exception(error);
      else promise->set_value();
    });
  } else {
    submit([promise](std::exception_ptr error, T value) {
      if (error) promise->set_exception(error);
      else promise->set_value(std::move(value));
    });
  }
  return future.get();
}

template <class Fn>
auto Store::timed_read(std::string_view op, Fn fn) -> decltype(fn()) {
  auto start = std::chrono::steady_clock::now();
  struct Report {
    const Store* self;
    std::string_view op;
    std::chrono::steady_clock::time_point start;
    ~Report() { self->report_latency(op, seconds_since(start)); }
  } report{this, op, start};
  return fn();
}

template <class T>
Store::Completion<T> Store::timed(std::string_view op, Completion<T> done) {
  if (!done) throw StoreError(StoreErrc::invalid_argument, "store: " + std::string(op) + " needs a completion callback");
  if (!on_latency_) return done;
  return [this, op, start = std::chrono::steady_clock::now(), done = std::move(done)](std::exception_ptr e, T v) {
    report_latency(op, seconds_since(start));
    done(e, std::move(v));
  };
}

Store::Done Store::timed(std::string_view op, Done done) {
  if (!done) throw StoreError(StoreErrc::invalid_argument, "store: " + std::string(op) + " needs a completion callback");
  if (!on_latency_) return done;
  return [this, op, start = std::chrono::steady_clock::now(), done = std::move(done)](std::exception_ptr e) {
    report_latency(op, seconds_since(start));
    done(e);
  };
}

int Store::schema_version() {
  return timed_read("schema_version", [&] { return do_schema_version(); });
}

std::optional<CachedReference> Store::get_reference(std::string_view tenant, std::string_view kind,
                                                    std::string_view key) {
  require(!kind.empty() && !key.empty(), "reference kind and key must not be empty");
  return timed_read("reference.get", [&] { return do_get_reference(tenant, kind, key); });
}

void Store::put_reference(ReferencePut entry, Done done) {
  done = timed("reference.put", std::move(done));
  if (!accepted(done, [&] { validate(entry); })) return;
  do_put_reference(std::move(entry), std::move(done));
}

void Store::put_reference(ReferencePut entry) {
  wait_for<void>([&](Done done) { put_reference(std::move(entry), std::move(done)); });
}

void Store::begin_idempotency(NewIdempotencyKey request, Completion<IdempotencyBegin> done) {
  done = timed("idempotency.begin", std::move(done));
  if (!accepted(done, [&] { validate(request); })) return;
  do_begin_idempotency(std::move(request), std::move(done));
}

IdempotencyBegin Store::begin_idempotency(NewIdempotencyKey request) {
  return wait_for<IdempotencyBegin>(
      [&](Completion<IdempotencyBegin> done) { begin_idempotency(std::move(request), std::move(done)); });
}

void Store::complete_idempotency(IdempotencyCompletion completion, Completion<bool> done) {
  done = timed("idempotency.complete", std::move(done));
  if (!accepted(done, [&] { validate(completion); })) return;
  do_complete_idempotency(std::move(completion), std::move(done));
}

bool Store::complete_idempotency(IdempotencyCompletion completion) {
  return wait_for<bool>(
      [&](Completion<bool> done) { complete_idempotency(std::move(completion), std::move(done)); });
}

void Store::abandon_idempotency(std::string tenant, std::string key, Completion<bool> done) {
  done = timed("idempotency.abandon", std::move(done));
  auto check = [&] {
    validate_tenant(tenant);
    require(!key.empty(), "idempotency key must not be empty");
  };
  if (!accepted(done, check)) return;
  do_abandon_idempotency(std::move(tenant), std::move(key), std::move(done));
}

bool Store::abandon_idempotency(std::string tenant, std::string key) {
  return wait_for<bool>([&](Completion<bool> done) {
    abandon_idempotency(std::move(tenant), std::move(key), std::move(done));
  });
}

std::optional<IdempotencyRecord> Store::get_idempotency(std::string_view tenant, std::string_view key) {
  validate_tenant(tenant);
  return timed_read("idempotency.get", [&] { return do_get_idempotency(tenant, key); });
}

void Store::enqueue_outbox(OutboxItem item, Completion<EnqueueResult> done) {
  done = timed("outbox.enqueue", std::move(done));
  OutboxBatch batch;
  batch.items.push_back(std::move(item));
  if (!accepted(done, [&] { validate(batch); })) return;
  do_enqueue_outbox_batch(std::move(batch),
                          [done = std::move(done)](std::exception_ptr e, std::vector<EnqueueResult> results) {
                            if (!e && results.size() != 1) {
                              e = std::make_exception_ptr(
                                  StoreError(StoreErrc::internal, "store: enqueue returned no result"));
                            }
                            done(e, e ? EnqueueResult{} : results.front());
                          });
}

EnqueueResult Store::enqueue_outbox(OutboxItem item) {
  return wait_for<EnqueueResult>(
      [&](Completion<EnqueueResult> done) { enqueue_outbox(std::move(item), std::move(done)); });
}

void Store::enqueue_outbox_batch(OutboxBatch batch, Completion<std::vector<EnqueueResult>> done) {
  done = timed("outbox.enqueue_batch", std::move(done));
  if (!accepted(done, [&] { validate(batch); })) return;
  do_enqueue_outbox_batch(std::move(batch), std::move(done));
}

std::vector<EnqueueResult> Store::enqueue_outbox_batch(OutboxBatch batch) {
  return wait_for<std::vector<EnqueueResult>>([&](Completion<std::vector<EnqueueResult>> done) {
    enqueue_outbox_batch(std::move(batch), std::move(done));
  });
}

void Store::claim_outbox(OutboxClaim claim, Completion<std::vector<OutboxItem>> done) {
  done = timed("outbox.claim", std::move(done));
  if (!accepted(done, [&] { validate(claim); })) return;
  do_claim_outbox(std::move(claim), std::move(done));
}

std::vector<OutboxItem> Store::claim_outbox(OutboxClaim claim) {
  return wait_for<std::vector<OutboxItem>>(
      [&](Completion<std::vector<OutboxItem>> done) { claim_outbox(std::move(claim), std::move(done)); });
}

void Store::record_outcome(DeliveryReport report, Completion<OutcomeResult> done) {
  done = timed("outbox.record_outcome", std::move(done));
  if (!accepted(done, [&] { validate(report); })) return;
  do_record_outcome(std::move(report), std::move(done));
}

OutcomeResult Store::record_outcome(DeliveryReport report) {
  return wait_for<OutcomeResult>(
      [&](Completion<OutcomeResult> done) { record_outcome(std::move(report), std::move(done)); });
}

std::optional<OutboxItem> Store::get_outbox_item(std::string_view tenant, std::int64_t id) {
  validate_tenant(tenant);
  return timed_read("outbox.get", [&] { return do_get_outbox_item(tenant, id); });
}

std::vector<OutboxAttempt> Store::get_outbox_attempts(std::string_view tenant, std::int64_t id) {
  validate_tenant(tenant);
  return timed_read("outbox.attempts", [&] { return do_get_outbox_attempts(tenant, id); });
}

std::map<OutboxStatus, std::int64_t> Store::count_outbox(std::string_view tenant) {
  validate_tenant(tenant);
  return timed_read("outbox.count", [&] { return do_count_outbox(tenant); });
}

std::vector<OutboxItem> Store::list_outbox(const OutboxFilter& filter) {
  validate_tenant(filter.tenant);
  require(filter.limit > 0 && filter.limit <= 10000, "outbox list limit must be 1..10000");
  require(!filter.destination || !filter.destination->empty(), "outbox list destination must not be empty");
  return timed_read("outbox.list", [&] { return do_list_outbox(filter); });
}

std::optional<std::string> Store::outbox_item_tenant(std::int64_t id) {
  return timed_read("outbox.item_tenant", [&] { return do_outbox_item_tenant(id); });
}

void Store::reset_outbox(std::string tenant, std::vector<OutboxReset> resets,
                         Completion<std::vector<OutboxResetResult>> done) {
  done = timed("outbox.reset", std::move(done));
  auto check = [&] {
    validate_tenant(tenant);
    require(!resets.empty(), "outbox reset needs at least one item");
    for (const auto& r : resets) require(r.id > 0, "outbox reset id must be positive");
  };
  if (!accepted(done, check)) return;
  do_reset_outbox(std::move(tenant), std::move(resets), std::move(done));
}

std::vector<OutboxResetResult> Store::reset_outbox(std::string tenant, std::vector<OutboxReset> resets) {
  return wait_for<std::vector<OutboxResetResult>>([&](Completion<std::vector<OutboxResetResult>> done) {
    reset_outbox(std::move(tenant), std::move(resets), std::move(done));
  });
}

void Store::suspend_outbox(OutboxSuspension suspension, Completion<bool> done) {
  done = timed("outbox.suspend", std::move(done));
  auto check = [&] {
    validate_tenant(suspension.tenant);
    require(!suspension.destination.empty(), "suspended destination must not be empty");
  };
  if (!accepted(done, check)) return;
  do_suspend_outbox(std::move(suspension), std::move(done));
}

bool Store::suspend_outbox(OutboxSuspension suspension) {
  return wait_for<bool>([&](Completion<bool> done) { suspend_outbox(std::move(suspension), std::move(done)); });
}

void Store::resume_outbox(std::string tenant, std::string destination, Completion<bool> done) {
  done = timed("outbox.resume", std::move(done));
  auto check = [&] {
    validate_tenant(tenant);
    require(!destination.empty(), "resumed destination must not be empty");
  };
  if (!accepted(done, check)) return;
  do_resume_outbox(std::move(tenant), std::move(destination), std::move(done));
}

bool Store::resume_outbox(std::string tenant, std::string destination) {
  return wait_for<bool>(
      [&](Completion<bool> done) { resume_outbox(std::move(tenant), std::move(destination), std::move(done)); });
}

std::vector<OutboxSuspension> Store::list_outbox_suspensions(std::string_view tenant) {
  return timed_read("outbox.suspensions", [&] { return do_list_outbox_suspensions(tenant); });
}

std::vector<OutboxDepth> Store::outbox_depth() {
  return timed_read("outbox.depth", [&] { return do_outbox_depth(); });
}

void Store::append_audit(std::vector<AuditRecord> records, AuditLeafHasher hasher,
                         Completion<std::vector<AuditRecord>> done) {
  done = timed("audit.append", std::move(done));
  auto check = [&] {
    require(!records.empty(), "audit append needs at least one record");
    require(static_cast<bool>(hasher), "audit append needs a leaf hasher");
    for (const auto& r : records) validate(r);
  };
  if (!accepted(done, check)) return;
  do_append_audit(std::move(records), std::move(hasher), std::move(done));
}

std::vector<AuditRecord> Store::append_audit(std::vector<AuditRecord> records, AuditLeafHasher hasher) {
  return wait_for<std::vector<AuditRecord>>([&](Completion<std::vector<AuditRecord>> done) {
    append_audit(std::move(records), std::move(hasher), std::move(done));
  });
}

std::vector<AuditRecord> Store::read_audit(std::string_view tenant, std::int64_t from_seq, std::size_t limit) {
  validate_tenant(tenant);
  return timed_read("audit.read", [&] { return do_read_audit(tenant, std::nullopt, from_seq, limit); });
}

std::vector<AuditRecord> Store::find_audit_by_subject(std::string_view tenant, std::string_view subject_pseudonym,
                                                      std::int64_t from_seq, std::size_t limit) {
  validate_tenant(tenant);
  require(!subject_pseudonym.empty(), "audit subject pseudonym must not be empty");
  return timed_read("audit.by_subject", [&] { return do_read_audit(tenant, subject_pseudonym, from_seq, limit); });
}

std::vector<AuditLeaf> Store::read_audit_leaves(std::string_view tenant, std::int64_t from_seq, std::size_t limit) {
  validate_tenant(tenant);
  return timed_read("audit.leaves", [&] { return do_read_audit_leaves(tenant, from_seq, limit); });
}

std::vector<std::string> Store::audit_tenants() {
  return timed_read("audit.tenants", [&] { return do_audit_tenants(); });
}

void Store::put_tree_head(AuditTreeHead head, Done done) {
  done = timed("audit.put_head", std::move(done));
  if (!accepted(done, [&] { validate(head); })) return;
  do_put_tree_head(std::move(head), std::move(done));
}

void Store::put_tree_head(AuditTreeHead head) {
  wait_for<void>([&](Done done) { put_tree_head(std::move(head), std::move(done)); });
}

std::vector<AuditTreeHead> Store::read_tree_heads(std::string_view tenant) {
  validate_tenant(tenant);
  return timed_read("audit.heads", [&] { return do_read_tree_heads(tenant, false); });
}

std::optional<AuditTreeHead> Store::latest_tree_head(std::string_view tenant) {
  validate_tenant(tenant);
  auto heads = timed_read("audit.latest_head", [&] { return do_read_tree_heads(tenant, true); });
  if (heads.empty()) return std::nullopt;
  return std::move(heads.back());
}

// ---------------------------------------------------------------- registry reports

void Store::put_registry_report(RegistryReport report, Completion<RegistryPutResult> done) {
  done = timed("registry.put", std::move(done));
  if (!accepted(done, [&] {
        validate_tenant(report.tenant);
        require(!report.facility.empty(), "registry report facility must not be empty");
        require(!report.measure.empty(), "registry report measure must not be empty");
        require(report.period_start.size() == 10 && report.period_end.size() == 10,
                "registry report period must be two YYYY-MM-DD dates");
        require(!report.resource.empty(), "registry report resource must not be empty");
      }))
    return;
  do_put_registry_report(std::move(report), std::move(done));
}

RegistryPutResult Store::put_registry_report(RegistryReport report) {
  return wait_for<RegistryPutResult>(
      [&](Completion<RegistryPutResult> done) { put_registry_report(std::move(report), std::move(done)); });
}

std::vector<RegistryReport> Store::find_registry_reports(std::string_view tenant, std::string_view facility,
                                                         std::string_view identifier) {
  validate_tenant(tenant);
  require(!identifier.empty(), "registry identifier must not be empty");
  return timed_read("registry.find", [&] { return do_find_registry_reports(tenant, facility, identifier); });
}

std::vector<RegistryReport> Store::latest_registry_reports(std::string_view tenant, std::string_view measure,
                                                           std::string_view period_start, std::string_view period_end) {
  validate_tenant(tenant);
  return timed_read("registry.latest",
                    [&] { return do_latest_registry_reports(tenant, measure, period_start, period_end); });
}

// ---------------------------------------------------------------- open_store

std::unique_ptr<Store> open_store(const StoreOptions& options) {
  const std::string& url = options.url;
  if (url.empty()) throw StoreError(StoreErrc::invalid_argument, "store: url is empty (set a SQLite file path)");
  auto starts_with = [&](std::string_view prefix) {
    return url.size() >= prefix.size() && iequals(std::string_view(url).substr(0, prefix.size()), prefix);
  };
  if (starts_with("postgresql:") || starts_with("postgres:")) {
    throw StoreError(StoreErrc::unsupported,
                     "store: PostgreSQL backend is not built yet; use a SQLite path (e.g. sqlite:/var/lib/simpul/simpul.db)");
  }
  std::string path;
  if (starts_with("sqlite://")) {
    path = url.substr(9);  // sqlite:///abs/path -> /abs/path
    if (path.empty() || path.front() != '/') {
      throw StoreError(StoreErrc::invalid_argument,
                       "store: '" + url + "': use sqlite:/absolute/path or sqlite:relative/path (no host part)");
    }
  } else if (starts_with("sqlite:")) {
    path = url.substr(7);
  } else {
    // A URL scheme we do not know ("mysql://...") must not be taken for a file name.
    auto colon = url.find("://");
    if (colon != std::string::npos && colon > 0 &&
        std::all_of(url.begin(), url.begin() + static_cast<std::ptrdiff_t>(colon), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
        })) {
      throw StoreError(StoreErrc::unsupported,
                       "store: unknown store URL scheme in '" + url + "' (supported: a path or sqlite:/path)");
    }
    path = url;
  }
  if (path.empty()) throw StoreError(StoreErrc::invalid_argument, "store: '" + url + "' names no file");
  return std::make_unique<SqliteStore>(path, options);
}

}  // namespace simpul::adapter::store
