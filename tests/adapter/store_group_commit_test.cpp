// The write path: group commit, per-job savepoints, shutdown draining, crash durability.
// Assertions are on counts and contents only, never on time.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "adapter/store/group_commit.hpp"
#include "adapter/store/sqlite_store.hpp"
#include "adapter/store/store.hpp"
#include "tests/adapter/store_test_support.hpp"

namespace st = simpul::adapter::store;
using simpul::testing::options_for;
using simpul::testing::TempDir;

namespace {

st::OutboxItem item(const std::string& tenant, const std::string& id) {
  st::OutboxItem i;
  i.tenant = tenant;
  i.destination = "satusehat";
  i.source_type = "Encounter";
  i.source_id = id;
  i.source_version = "1";
  i.payload = "{\"resourceType\":\"Encounter\",\"id\":\"" + id + "\"}";
  return i;
}

// Collects the outcome of asynchronous jobs.
struct Outcomes {
  std::mutex mutex;
  std::condition_variable changed;
  std::map<std::string, std::exception_ptr> errors;  // name -> error (null: success)
  std::map<std::string, std::int64_t> ids;

  auto enqueue_callback(const std::string& name) {
    return [this, name](std::exception_ptr e, st::EnqueueResult r) {
      std::lock_guard lock(mutex);
      errors[name] = e;
      if (!e) ids[name] = r.id;
      changed.notify_all();
    };
  }
  void wait_for(std::size_t n) {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return errors.size() >= n; });
  }
};

st::StoreErrc code_of(std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (const st::StoreError& error) {
    return error.code();
  } catch (...) {
  }
  return st::StoreErrc::internal;
}

}  // namespace

// ---------------------------------------------------------------- through the SQLite store

TEST(StoreGroupCommit, ConcurrentWritersShareCommitsAndAllAreDurable) {
  TempDir dir;
  constexpr int kThreads = 32;
  constexpr int kWrites = 100;
  std::vector<std::vector<std::int64_t>> ids(kThreads);
  st::StoreStats stats;
  {
    auto store = st::open_store(options_for(dir.db()));
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kWrites; ++i) {
          auto r = store->enqueue_outbox(item("pkm-" + std::to_string(t % 4), std::to_string(t) + "-" + std::to_string(i)));
          ASSERT_TRUE(r.created);
          ids[t].push_back(r.id);
        }
      });
    }
    for (auto& th : threads) th.join();
    stats = store->stats();
  }
  EXPECT_EQ(stats.jobs, static_cast<std::uint64_t>(kThreads * kWrites));
  EXPECT_EQ(stats.failed_jobs, 0u);
  EXPECT_LT(stats.commits, stats.jobs) << "concurrent writers must share commits";
  EXPECT_GT(stats.largest_batch, 1u);

  auto store = st::open_store(options_for(dir.db()));
  std::int64_t total = 0;
  for (int tenant = 0; tenant < 4; ++tenant) {
    total += store->count_outbox("pkm-" + std::to_string(tenant))[st::OutboxStatus::pending];
  }
  EXPECT_EQ(total, kThreads * kWrites);
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(ids[t].size(), static_cast<std::size_t>(kWrites));
    for (int i = 0; i < kWrites; i += 17) {
      auto got = store->get_outbox_item("pkm-" + std::to_string(t % 4), ids[t][i]);
      ASSERT_TRUE(got.has_value());
      EXPECT_EQ(got->source_id, std::to_string(t) + "-" + std::to_string(i));
    }
  }
}

TEST(StoreGroupCommit, AFailingJobRollsBackOnlyItself) {
  TempDir dir;
  auto store = std::make_unique<st::SqliteStore>(dir.db(), options_for(dir.db()));
  ASSERT_TRUE(store->begin_idempotency({"pkm-a", "push-ok", "h", 60'000}).acquired);
  const auto before = store->stats();
  Outcomes outcomes;
  {
    auto hold = store->hold_writes();  // everything below lands in one batch
    store->enqueue_outbox(item("pkm-a", "first"), outcomes.enqueue_callback("first"));
    // Inserts its item, then fails (the idempotency key is not in progress): the savepoint
    // must take its item away again.
    st::OutboxBatch bad;
    bad.items.push_back(item("pkm-a", "bad"));
    bad.completes = st::IdempotencyCompletion{"pkm-a", "no-such-key", 202, "x"};
    store->enqueue_outbox_batch(bad, [&](std::exception_ptr e, std::vector<st::EnqueueResult>) {
      std::lock_guard lock(outcomes.mutex);
      outcomes.errors["bad"] = e;
      outcomes.changed.notify_all();
    });
    auto dependent = item("pkm-a", "dangling");
    dependent.depends_on = 999'999;  // fails before touching anything
    store->enqueue_outbox(dependent, outcomes.enqueue_callback("dangling"));
    st::OutboxBatch good;
    good.items.push_back(item("pkm-a", "last"));
    good.completes = st::IdempotencyCompletion{"pkm-a", "push-ok", 202, "accepted"};
    store->enqueue_outbox_batch(good, [&](std::exception_ptr e, std::vector<st::EnqueueResult> r) {
      std::lock_guard lock(outcomes.mutex);
      outcomes.errors["last"] = e;
      if (!e) outcomes.ids["last"] = r.at(0).id;
      outcomes.changed.notify_all();
    });
    EXPECT_EQ(store->stats().queued, 4u);
  }
  outcomes.wait_for(4);
  const auto after = store->stats();
  EXPECT_EQ(after.commits - before.commits, 1u) << "the four jobs shared one transaction";
  EXPECT_EQ(after.jobs - before.jobs, 4u);
  EXPECT_EQ(after.failed_jobs - before.failed_jobs, 2u);

  EXPECT_FALSE(outcomes.errors["first"]);
  EXPECT_FALSE(outcomes.errors["last"]);
  ASSERT_TRUE(outcomes.errors["bad"]);
  EXPECT_EQ(code_of(outcomes.errors["bad"]), st::StoreErrc::conflict);
  ASSERT_TRUE(outcomes.errors["dangling"]);
  EXPECT_EQ(code_of(outcomes.errors["dangling"]), st::StoreErrc::not_found);

  store.reset();
  auto reopened = st::open_store(options_for(dir.db()));
  EXPECT_TRUE(reopened->get_outbox_item("pkm-a", outcomes.ids["first"]).has_value());
  EXPECT_TRUE(reopened->get_outbox_item("pkm-a", outcomes.ids["last"]).has_value());
  EXPECT_EQ(reopened->count_outbox("pkm-a")[st::OutboxStatus::pending], 2) << "the failed jobs left no rows";
  EXPECT_EQ(reopened->get_idempotency("pkm-a", "push-ok")->state, st::IdempotencyState::completed);
}

TEST(StoreGroupCommit, ShutdownCompletesEveryQueuedJob) {
  TempDir dir;
  constexpr int kJobs = 1000;
  Outcomes outcomes;
  {
    auto store = std::make_unique<st::SqliteStore>(dir.db(), options_for(dir.db(), 16));
    {
      auto hold = store->hold_writes();
      for (int i = 0; i < kJobs; ++i) {
        store->enqueue_outbox(item("pkm-a", std::to_string(i)), outcomes.enqueue_callback(std::to_string(i)));
      }
      EXPECT_EQ(store->stats().queued, static_cast<std::uint64_t>(kJobs));
    }
    store.reset();  // the queue is (nearly) full: the destructor must drain it
  }
  {
    std::lock_guard lock(outcomes.mutex);
    ASSERT_EQ(outcomes.errors.size(), static_cast<std::size_t>(kJobs)) << "every job completed";
    for (const auto& [name, error] : outcomes.errors) EXPECT_FALSE(error) << name;
  }
  auto store = st::open_store(options_for(dir.db()));
  EXPECT_EQ(store->count_outbox("pkm-a")[st::OutboxStatus::pending], kJobs);
}

TEST(StoreGroupCommit, BlockingWriteFromACallbackIsRefusedNotDeadlocked) {
  TempDir dir;
  auto store = st::open_store(options_for(dir.db()));
  std::promise<st::StoreErrc> seen;
  store->enqueue_outbox(item("pkm-a", "outer"), [&](std::exception_ptr e, st::EnqueueResult) {
    if (e) {
      seen.set_value(code_of(e));
      return;
    }
    try {
      store->enqueue_outbox(item("pkm-a", "inner"));  // blocking form on the writer thread
      seen.set_value(st::StoreErrc::not_found);        // unexpected: it returned
    } catch (const st::StoreError& error) {
      seen.set_value(error.code());
    }
  });
  EXPECT_EQ(seen.get_future().get(), st::StoreErrc::internal);
  // The asynchronous form from a callback is fine.
  std::promise<bool> chained;
  store->enqueue_outbox(item("pkm-a", "a"), [&](std::exception_ptr e, st::EnqueueResult) {
    if (e) {
      chained.set_value(false);
      return;
    }
    store->enqueue_outbox(item("pkm-a", "b"),
                          [&](std::exception_ptr e2, st::EnqueueResult r) { chained.set_value(!e2 && r.created); });
  });
  EXPECT_TRUE(chained.get_future().get());
}

// ---------------------------------------------------------------- crash durability

namespace {

struct Ack {
  std::int64_t index;
  std::int64_t id;
};

// Child: writes from several threads and reports each acknowledged write on the pipe.
// With exit_after > 0 it _exit()s from a completion callback once that many were acked,
// with writes still in flight; otherwise it writes until killed.
[[noreturn]] void crash_child(const std::string& path, int fd, int exit_after) {
  try {
    auto* store = st::open_store(options_for(path)).release();  // never closed
    std::atomic<int> acked{0};
    std::atomic<std::int64_t> next{0};
    auto writer = [&] {
      for (;;) {
        const std::int64_t index = next++;
        store->enqueue_outbox(item("pkm-crash", std::to_string(index)), [&, index, fd](std::exception_ptr e,
                                                                                     st::EnqueueResult r) {
          if (e) _exit(3);
          Ack ack{index, r.id};
          if (write(fd, &ack, sizeof ack) != static_cast<ssize_t>(sizeof ack)) _exit(4);
          if (++acked == exit_after) _exit(0);
        });
        if (index % 64 == 63) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    };
    std::thread a(writer), b(writer), c(writer);
    a.join();
  } catch (...) {
    _exit(2);
  }
  _exit(5);
}

std::vector<Ack> read_acks(int fd) {
  std::vector<Ack> acks;
  Ack ack{};
  std::size_t have = 0;
  for (;;) {
    ssize_t n = read(fd, reinterpret_cast<char*>(&ack) + have, sizeof ack - have);
    if (n <= 0) break;
    have += static_cast<std::size_t>(n);
    if (have == sizeof ack) {
      acks.push_back(ack);
      have = 0;
    }
  }
  return acks;
}

// A forked crash_child and the read end of the pipe it acknowledges writes on.
struct CrashChild {
  pid_t pid = -1;
  int acks_fd = -1;
};

void start_crash_child(const std::string& path, int exit_after, CrashChild& out) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  out.pid = fork();
  ASSERT_GE(out.pid, 0);
  if (out.pid == 0) {
    close(fds[0]);
    crash_child(path, fds[1], exit_after);
  }
  close(fds[1]);
  out.acks_fd = fds[0];
}

// Reads the acknowledgements left in the pipe, closes it and reaps the child.
void finish_crash_child(const CrashChild& child, std::vector<Ack>& acks, int& status) {
  auto rest = read_acks(child.acks_fd);
  acks.insert(acks.end(), rest.begin(), rest.end());
  close(child.acks_fd);
  ASSERT_EQ(waitpid(child.pid, &status, 0), child.pid);
}

void expect_all_acknowledged_present(const std::string& path, const std::vector<Ack>& acks) {
  auto store = st::open_store(options_for(path));
  for (const auto& ack : acks) {
    auto got = store->get_outbox_item("pkm-crash", ack.id);
    ASSERT_TRUE(got.has_value()) << "acknowledged write " << ack.index << " lost";
    EXPECT_EQ(got->source_id, std::to_string(ack.index));
  }
  EXPECT_GE(store->count_outbox("pkm-crash")[st::OutboxStatus::pending], static_cast<std::int64_t>(acks.size()));
}

}  // namespace

TEST(StoreCrash, ExitWithoutClosingKeepsEveryAcknowledgedWrite) {
  TempDir dir;
  CrashChild child;
  ASSERT_NO_FATAL_FAILURE(start_crash_child(dir.db(), 500, child));
  std::vector<Ack> acks;
  int status = 0;
  ASSERT_NO_FATAL_FAILURE(finish_crash_child(child, acks, status));
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0) << "child failed before acknowledging 500 writes";
  ASSERT_GE(acks.size(), 500u);
  expect_all_acknowledged_present(dir.db(), acks);
}

TEST(StoreCrash, KillNineKeepsEveryAcknowledgedWrite) {
  TempDir dir;
  CrashChild child;
  ASSERT_NO_FATAL_FAILURE(start_crash_child(dir.db(), 0, child));
  // Let it acknowledge a few hundred writes, then kill it mid-stream.
  std::vector<Ack> acks;
  Ack ack{};
  while (acks.size() < 300) {
    ssize_t n = read(child.acks_fd, &ack, sizeof ack);
    if (n != static_cast<ssize_t>(sizeof ack)) break;
    acks.push_back(ack);
  }
  kill(child.pid, SIGKILL);
  int status = 0;  // acknowledgements already in the pipe count too
  ASSERT_NO_FATAL_FAILURE(finish_crash_child(child, acks, status));
  ASSERT_GE(acks.size(), 300u) << "child stopped early";
  expect_all_acknowledged_present(dir.db(), acks);
}

// ---------------------------------------------------------------- WriteBatcher with a scripted backend

namespace {

// Records the transaction verbs; can be told to fail or to lose the transaction.
struct ScriptedTransaction : st::WriteBatcher::Transaction {
  std::mutex mutex;
  std::vector<std::string> log;
  bool in_tx = false;
  bool fail_begin = false;
  bool fail_commit = false;

  void note(const std::string& verb) {
    std::lock_guard lock(mutex);
    log.push_back(verb);
  }
  void begin() override {
    note("begin");
    if (fail_begin) throw st::StoreError(st::StoreErrc::busy, "database is locked");
    in_tx = true;
  }
  void savepoint() override { note("savepoint"); }
  void release_savepoint() override { note("release"); }
  void rollback_to_savepoint() override { note("rollback_to"); }
  bool active() noexcept override { return in_tx; }
  void commit() override {
    note("commit");
    if (fail_commit) throw st::StoreError(st::StoreErrc::io, "disk I/O error");
    in_tx = false;
  }
  void rollback() noexcept override {
    note("rollback");
    in_tx = false;
  }
};

struct JobLog {
  std::mutex mutex;
  std::condition_variable changed;
  std::map<std::string, int> runs;
  std::map<std::string, std::vector<std::exception_ptr>> finishes;
  std::size_t finished = 0;

  st::WriteBatcher::Job job(const std::string& name, std::function<void()> body = [] {}) {
    st::WriteBatcher::Job j;
    j.op = "test";
    j.run = [this, name, body] {
      {
        std::lock_guard lock(mutex);
        ++runs[name];
      }
      body();
    };
    j.finish = [this, name](std::exception_ptr e) {
      std::lock_guard lock(mutex);
      finishes[name].push_back(e);
      ++finished;
      changed.notify_all();
    };
    return j;
  }
  void wait_for(std::size_t n) {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return finished >= n; });
  }
};

}  // namespace

// A WriteBatcher's backend that follows a script, and the jobs' log; each test makes its batcher.
class WriteBatcherTest : public ::testing::Test {
 protected:
  ScriptedTransaction tx_;
  JobLog jobs_;
};

TEST_F(WriteBatcherTest, OneTransactionPerBatchWithASavepointPerJob) {
  st::WriteBatcher batcher(tx_, 64, nullptr);
  {
    auto hold = batcher.hold();
    batcher.submit(jobs_.job("a"));
    batcher.submit(jobs_.job("b", [] { throw st::StoreError(st::StoreErrc::conflict, "b fails"); }));
    batcher.submit(jobs_.job("c"));
  }
  jobs_.wait_for(3);
  std::vector<std::string> expected = {"begin",     "savepoint", "release", "savepoint",   "rollback_to", "release",
                                       "savepoint", "release",   "commit"};
  {
    std::lock_guard lock(tx_.mutex);
    EXPECT_EQ(tx_.log, expected);
  }
  EXPECT_FALSE(jobs_.finishes["a"].at(0));
  EXPECT_TRUE(jobs_.finishes["b"].at(0));
  EXPECT_FALSE(jobs_.finishes["c"].at(0));
  auto stats = batcher.stats();
  EXPECT_EQ(stats.commits, 1u);
  EXPECT_EQ(stats.jobs, 3u);
  EXPECT_EQ(stats.failed_jobs, 1u);
  EXPECT_EQ(stats.largest_batch, 3u);
}

TEST_F(WriteBatcherTest, LostTransactionRerunsTheInnocentJobs) {
  st::WriteBatcher batcher(tx_, 64, nullptr);
  {
    auto hold = batcher.hold();
    batcher.submit(jobs_.job("a"));
    batcher.submit(jobs_.job("b", [&] {
      tx_.in_tx = false;  // e.g. SQLITE_FULL: the backend rolled everything back
      throw st::StoreError(st::StoreErrc::io, "database or disk is full");
    }));
    batcher.submit(jobs_.job("c"));
  }
  jobs_.wait_for(3);
  std::lock_guard lock(jobs_.mutex);
  EXPECT_EQ(jobs_.runs["a"], 2) << "a's work was lost with the transaction and is redone";
  EXPECT_EQ(jobs_.runs["b"], 1);
  EXPECT_EQ(jobs_.runs["c"], 1) << "c had not run yet";
  ASSERT_EQ(jobs_.finishes["a"].size(), 1u) << "completed exactly once";
  ASSERT_EQ(jobs_.finishes["b"].size(), 1u);
  ASSERT_EQ(jobs_.finishes["c"].size(), 1u);
  EXPECT_FALSE(jobs_.finishes["a"][0]);
  EXPECT_EQ(code_of(jobs_.finishes["b"][0]), st::StoreErrc::io);
  EXPECT_FALSE(jobs_.finishes["c"][0]);
  EXPECT_EQ(batcher.stats().commits, 1u);
}

TEST_F(WriteBatcherTest, FailedCommitFailsEveryJobOfTheBatch) {
  tx_.fail_commit = true;
  st::WriteBatcher batcher(tx_, 64, nullptr);
  {
    auto hold = batcher.hold();
    batcher.submit(jobs_.job("a"));
    batcher.submit(jobs_.job("b"));
  }
  jobs_.wait_for(2);
  EXPECT_EQ(code_of(jobs_.finishes["a"].at(0)), st::StoreErrc::io);
  EXPECT_EQ(code_of(jobs_.finishes["b"].at(0)), st::StoreErrc::io);
  auto stats = batcher.stats();
  EXPECT_EQ(stats.commits, 0u);
  EXPECT_EQ(stats.failed_commits, 1u);
  EXPECT_EQ(stats.failed_jobs, 2u);
}

TEST_F(WriteBatcherTest, FailedBeginFailsTheBatchWithoutRunningIt) {
  tx_.fail_begin = true;
  st::WriteBatcher batcher(tx_, 64, nullptr);
  batcher.submit(jobs_.job("a"));
  jobs_.wait_for(1);
  EXPECT_EQ(jobs_.runs["a"], 0);
  EXPECT_EQ(code_of(jobs_.finishes["a"].at(0)), st::StoreErrc::busy);
}

TEST_F(WriteBatcherTest, RespectsTheBatchLimitAndSurvivesThrowingCallbacks) {
  st::WriteBatcher batcher(tx_, 4, nullptr);
  {
    auto hold = batcher.hold();
    for (int i = 0; i < 10; ++i) batcher.submit(jobs_.job(std::to_string(i)));
    st::WriteBatcher::Job throwing;
    throwing.op = "test";
    throwing.run = [] {};
    throwing.finish = [](std::exception_ptr) { throw std::runtime_error("callback bug"); };
    batcher.submit(std::move(throwing));
  }
  jobs_.wait_for(10);
  batcher.stop();
  auto stats = batcher.stats();
  EXPECT_EQ(stats.jobs, 11u);
  EXPECT_EQ(stats.commits, 3u);  // 4 + 4 + 3
  EXPECT_EQ(stats.largest_batch, 4u);
  EXPECT_EQ(stats.callback_errors, 1u);
}

TEST_F(WriteBatcherTest, SubmitAfterStopFailsAtOnce) {
  st::WriteBatcher batcher(tx_, 4, nullptr);
  batcher.stop();
  batcher.submit(jobs_.job("late"));
  ASSERT_EQ(jobs_.finishes["late"].size(), 1u);
  EXPECT_EQ(code_of(jobs_.finishes["late"][0]), st::StoreErrc::closed);
  EXPECT_EQ(jobs_.runs["late"], 0);
}
