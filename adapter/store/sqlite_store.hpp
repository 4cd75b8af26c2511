#pragma once
// The SQLite backend of the store.
//
// Connections: one writer connection, used only by the group-commit writer thread
// (WriteBatcher), and a pool of reader connections (StoreOptions::reader_connections).
// A read borrows a free reader connection for the duration of one operation (waiting
// only if all are borrowed) and gives it back. The database runs in WAL mode, so readers
// see the last committed state and never block the writer, nor the writer them.
//
// Durability: PRAGMA synchronous from StoreOptions (default FULL), foreign_keys ON,
// busy_timeout from StoreOptions. A completion callback runs only after COMMIT returned.

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "adapter/store/group_commit.hpp"
#include "adapter/store/sqlite_db.hpp"
#include "adapter/store/store.hpp"

namespace simpul::adapter::store {

class SqliteStore final : public Store {
 public:
  // Opens or creates the database file at `path` (its directory must exist), migrates it,
  // and starts the writer thread. Throws StoreError.
  SqliteStore(std::string path, const StoreOptions& options);
  // Drains the write queue (every queued job is run and completed), then closes.
  ~SqliteStore() override;

  std::string_view backend() const noexcept override { return "sqlite"; }
  bool ping() noexcept override;
  StoreStats stats() const override;
  const std::string& path() const noexcept { return path_; }
  static int latest_schema_version() noexcept;

  // Holds the writer between batches; see WriteBatcher::Hold. Must not outlive the store.
  WriteBatcher::Hold hold_writes() { return batcher_->hold(); }

 protected:
  int do_schema_version() override;
  std::optional<CachedReference> do_get_reference(std::string_view tenant, std::string_view kind,
                                                  std::string_view key) override;
  void do_put_reference(ReferencePut entry, Done done) override;
  void do_begin_idempotency(NewIdempotencyKey request, Completion<IdempotencyBegin> done) override;
  void do_complete_idempotency(IdempotencyCompletion completion, Completion<bool> done) override;
  void do_abandon_idempotency(std::string tenant, std::string key, Completion<bool> done) override;
  std::optional<IdempotencyRecord> do_get_idempotency(std::string_view tenant, std::string_view key) override;
  void do_enqueue_outbox_batch(OutboxBatch batch, Completion<std::vector<EnqueueResult>> done) override;
  void do_claim_outbox(OutboxClaim claim, Completion<std::vector<OutboxItem>> done) override;
  void do_record_outcome(DeliveryReport report, Completion<OutcomeResult> done) override;
  std::optional<OutboxItem> do_get_outbox_item(std::string_view tenant, std::int64_t id) override;
  std::vector<OutboxAttempt> do_get_outbox_attempts(std::string_view tenant, std::int64_t id) override;
  std::map<OutboxStatus, std::int64_t> do_count_outbox(std::string_view tenant) override;
  std::vector<OutboxItem> do_list_outbox(const OutboxFilter& filter) override;
  std::optional<std::string> do_outbox_item_tenant(std::int64_t id) override;
  void do_reset_outbox(std::string tenant, std::vector<OutboxReset> resets,
                       Completion<std::vector<OutboxResetResult>> done) override;
  void do_suspend_outbox(OutboxSuspension suspension, Completion<bool> done) override;
  void do_resume_outbox(std::string tenant, std::string destination, Completion<bool> done) override;
  std::vector<OutboxSuspension> do_list_outbox_suspensions(std::string_view tenant) override;
  std::vector<OutboxDepth> do_outbox_depth() override;
  void do_append_audit(std::vector<AuditRecord> records, AuditLeafHasher hasher,
                       Completion<std::vector<AuditRecord>> done) override;
  std::vector<AuditRecord> do_read_audit(std::string_view tenant, std::optional<std::string_view> subject,
                                         std::int64_t from_seq, std::size_t limit) override;
  std::vector<AuditLeaf> do_read_audit_leaves(std::string_view tenant, std::int64_t from_seq,
                                              std::size_t limit) override;
  std::vector<std::string> do_audit_tenants() override;
  void do_put_tree_head(AuditTreeHead head, Done done) override;
  std::vector<AuditTreeHead> do_read_tree_heads(std::string_view tenant, bool latest_only) override;
  void do_put_registry_report(RegistryReport report, Completion<RegistryPutResult> done) override;
  std::vector<RegistryReport> do_find_registry_reports(std::string_view tenant, std::string_view facility,
                                                       std::string_view identifier) override;
  std::vector<RegistryReport> do_latest_registry_reports(std::string_view tenant, std::string_view measure,
                                                         std::string_view period_start,
                                                         std::string_view period_end) override;
  bool on_writer_thread() const noexcept override;

 private:
  class Transaction;
  class ReaderLease;

  UnixMillis now() const;
  ReaderLease borrow_reader();
  template <class T, class Work>
  void submit(std::string_view op, Work work, Completion<T> done);
  void submit_void(std::string_view op, std::function<void()> work, Done done);

  // Writer-thread work, inside the batch transaction.
  std::vector<EnqueueResult> write_enqueue(const OutboxBatch& batch);
  bool write_complete_idempotency(const IdempotencyCompletion& completion);
  std::vector<OutboxItem> write_claim(const OutboxClaim& claim);
  OutcomeResult write_outcome(const DeliveryReport& report);
  std::vector<OutboxResetResult> write_reset(const std::string& tenant, const std::vector<OutboxReset>& resets);
  std::vector<AuditRecord> write_audit(const std::vector<AuditRecord>& records, const AuditLeafHasher& hasher);

  std::string path_;
  Clock clock_;
  std::unique_ptr<sqlite::Connection> writer_;
  std::unique_ptr<Transaction> transaction_;

  std::mutex readers_mutex_;
  std::condition_variable reader_returned_;
  std::vector<std::unique_ptr<sqlite::Connection>> all_readers_;
  std::vector<sqlite::Connection*> free_readers_;

  std::unique_ptr<WriteBatcher> batcher_;  // last: stopped first
};

}  // namespace simpul::adapter::store
