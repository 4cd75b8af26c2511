#pragma once
// Group commit: one writer thread runs every write job. It takes all jobs waiting (up to
// the batch limit), runs them in ONE transaction, each inside its own savepoint (a failing
// job rolls back only itself and gets its own exception), commits once (one fsync for the
// whole batch) and then completes every job. Backend-neutral: the backend supplies the
// transaction verbs (SQLite now; PostgreSQL's BEGIN/SAVEPOINT/COMMIT fit the same shape).

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include "adapter/store/store.hpp"

namespace simpul::adapter::store {

class WriteBatcher {
 public:
  // Transaction verbs, called on the writer thread only.
  class Transaction {
   public:
    virtual ~Transaction() = default;
    virtual void begin() = 0;
    virtual void savepoint() = 0;
    virtual void release_savepoint() = 0;
    virtual void rollback_to_savepoint() = 0;
    // False when the backend dropped the whole transaction after an error (SQLite does so
    // on e.g. SQLITE_FULL or SQLITE_IOERR): the batch's earlier work is gone.
    virtual bool active() noexcept = 0;
    virtual void commit() = 0;
    virtual void rollback() noexcept = 0;
  };

  struct Job {
    std::string_view op;  // static name, for diagnostics
    // Does the work inside the transaction; throws to fail. May be run again if the
    // transaction is lost through another job's fault, so it must only touch the database
    // and its own result slot.
    std::function<void()> run;
    // Called once, after the commit (or with the error). Must not block.
    std::function<void(std::exception_ptr)> finish;
  };

  // Keeps the writer from starting a new batch while alive (jobs queue up meanwhile).
  // For tests that need several jobs in one batch, and for maintenance that needs the
  // writer quiet. Shutdown ignores holds. Must not outlive the batcher.
  class Hold {
   public:
    Hold(Hold&& other) noexcept : batcher_(other.batcher_) { other.batcher_ = nullptr; }
    Hold& operator=(Hold&&) = delete;
    ~Hold();

   private:
    friend class WriteBatcher;
    explicit Hold(WriteBatcher* batcher) : batcher_(batcher) {}
    WriteBatcher* batcher_;
  };

  WriteBatcher(Transaction& transaction, std::size_t max_batch, LatencyHook on_latency);
  ~WriteBatcher();  // stop(): drains the queue, every job gets completed
  WriteBatcher(const WriteBatcher&) = delete;
  WriteBatcher& operator=(const WriteBatcher&) = delete;

  // Queues a job; after stop() the job is failed at once with StoreErrc::closed.
  void submit(Job job);
  // Runs every queued job, then joins the writer thread. Idempotent.
  void stop();
  Hold hold();
  bool running() const noexcept;
  bool on_writer_thread() const noexcept;
  StoreStats stats() const;

 private:
  void writer_loop();
  // Runs one batch; jobs that must be re-run (transaction lost) are put back at the front.
  void run_batch(std::vector<Job>& batch);
  void finish(Job& job, std::exception_ptr error);

  Transaction& transaction_;
  const std::size_t max_batch_;
  LatencyHook on_latency_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;
  std::size_t holds_ = 0;
  bool stopping_ = false;
  bool stopped_ = false;
  StoreStats stats_;
  std::thread::id writer_id_;
  std::thread writer_;
  std::mutex stop_mutex_;
};

}  // namespace simpul::adapter::store
