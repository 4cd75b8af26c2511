// The outbox delivery engine against fake destinations: real store (SQLite in a temp dir),
// real io_context threads, every wait bounded.
#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include "adapter/outbox/engine.hpp"
#include "tests/adapter/store_test_support.hpp"

namespace {

namespace asio = boost::asio;

// "e<i>" (spelled out: GCC 12 -O3 warns falsely on source(i)).
std::string source(int i) {
  std::string s = std::to_string(i);
  s.insert(s.begin(), 'e');
  return s;
}
namespace st = simpul::adapter::store;
namespace ob = simpul::adapter::outbox;
using simpul::adapter::OutboxJitter;
using simpul::adapter::OutboxPolicy;
using namespace std::chrono_literals;

// What the fake upstream does with one deliver call: the answer, and whether the request
// took effect upstream (an `unknown` answer may have).
struct Step {
  ob::DeliveryResult result;
  bool executed = false;
};

Step ok() {
  Step s;
  s.result.kind = ob::DeliveryResult::delivered;
  s.executed = true;
  return s;
}
Step fail(ob::DeliveryResult::Kind kind, int http, std::string error, bool executed = false,
          std::chrono::milliseconds retry_after = 0ms) {
  Step s;
  s.result.kind = kind;
  s.result.http_status = http;
  s.result.error = std::move(error);
  s.result.retry_after = retry_after;
  s.executed = executed;
  return s;
}

class FakeDestination : public ob::Destination {
 public:
  explicit FakeDestination(std::string name) : name_(std::move(name)) {}
  std::string name() const override { return name_; }

  // script(item, n): the n-th (1-based) deliver call of that item. Default: delivered.
  std::function<Step(const st::OutboxItem&, int)> script;
  std::chrono::milliseconds delay{0};

  asio::awaitable<ob::DeliveryResult> deliver(const st::OutboxItem& item) override {
    const int now = ++concurrent_;
    int seen = max_concurrent.load();
    while (now > seen && !max_concurrent.compare_exchange_weak(seen, now)) {
    }
    if (delay.count() > 0) {
      asio::steady_timer t(co_await asio::this_coro::executor, delay);
      co_await t.async_wait(asio::use_awaitable);
    }
    Step step;
    {
      std::lock_guard lock(mu_);
      const int n = ++calls_[item.source_id];
      step = script ? script(item, n) : ok();
      if (step.executed) {
        ++executions_[item.source_id];
        upstream_[item.source_id] = "up-" + item.source_id;
        order_.push_back(item.source_id);
      }
    }
    --concurrent_;
    if (step.result.kind == ob::DeliveryResult::delivered) step.result.upstream_id = "up-" + item.source_id;
    co_return step.result;
  }

  asio::awaitable<std::optional<std::string>> reconcile(const st::OutboxItem& item) override {
    std::lock_guard lock(mu_);
    ++reconciles_[item.source_id];
    auto it = upstream_.find(item.source_id);
    if (it == upstream_.end()) co_return std::nullopt;
    co_return it->second;
  }

  int calls(const std::string& id) {
    std::lock_guard l(mu_);
    return calls_[id];
  }
  int executions(const std::string& id) {
    std::lock_guard l(mu_);
    return executions_[id];
  }
  int reconciles(const std::string& id) {
    std::lock_guard l(mu_);
    return reconciles_[id];
  }
  std::vector<std::string> order() {
    std::lock_guard l(mu_);
    return order_;
  }
  // The upstream already has it (a request sent before a crash).
  void preload(const std::string& id) {
    std::lock_guard l(mu_);
    ++executions_[id];
    upstream_[id] = "up-" + id;
  }
  std::atomic<int> max_concurrent{0};

 private:
  std::string name_;
  std::mutex mu_;
  std::map<std::string, int> calls_, executions_, reconciles_;
  std::map<std::string, std::string> upstream_;
  std::vector<std::string> order_;
  std::atomic<int> concurrent_{0};
};

OutboxPolicy fast_policy() {
  OutboxPolicy p;
  p.concurrency = 4;
  p.send_timeout = 2000ms;
  p.lease_margin = 100ms;
  p.backoff_base = 20ms;
  p.backoff_max = 200ms;
  p.jitter = OutboxJitter::equal;
  p.max_attempts = 5;
  p.max_age = 600'000ms;
  p.poll_interval = 20ms;
  return p;
}

class OutboxEngineTest : public ::testing::Test {
 protected:
  void start(OutboxPolicy policy = fast_policy()) {
    store_ = st::open_store(simpul::testing::options_for("sqlite:" + dir_.db()));
    ob::EngineOptions o;
    o.settings.defaults = policy;
    o.settings.metrics_interval = 50ms;
    o.random = [] { return 0.0; };  // equal jitter at 0: delays are exactly d/2
    o.worker_id = "test";
    engine_ = std::make_unique<ob::Engine>(ioc_, *store_, metrics_, std::move(o));
    engine_->add_destination(dest_);
    engine_->add_destination(other_);
    engine_->start();
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { ioc_.run(); });
  }
  void TearDown() override {
    if (engine_) stop_engine();
    work_.reset();
    ioc_.stop();
    for (auto& t : threads_) t.join();
    // Store first: a claim still queued completes into the stopped (alive) io_context.
    store_.reset();
  }
  bool stop_engine(std::chrono::milliseconds grace = 5000ms) {
    std::promise<void> done;
    auto f = done.get_future();
    engine_->stop(grace, [&done] { done.set_value(); });
    const bool ok = f.wait_for(10s) == std::future_status::ready;
    engine_.reset();
    return ok;
  }

  std::int64_t enqueue(const std::string& source_id, const std::string& tenant = "t1",
                       const std::string& destination = "fake") {
    st::OutboxItem item;
    item.tenant = tenant;
    item.destination = destination;
    item.source_type = "Encounter";
    item.source_id = source_id;
    item.source_version = "1";
    item.payload = "{\"encounter\":\"" + source_id + "\"}";
    return store_->enqueue_outbox(item).id;
  }
  st::OutboxItem item(std::int64_t id, const std::string& tenant = "t1") {
    return *store_->get_outbox_item(tenant, id);
  }
  template <class Pred>
  bool wait_until(Pred pred, std::chrono::milliseconds limit = 10s) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      if (pred()) return true;
      std::this_thread::sleep_for(5ms);
    }
    return pred();
  }
  bool wait_status(std::int64_t id, st::OutboxStatus s, const std::string& tenant = "t1") {
    return wait_until([&] { return item(id, tenant).status == s; });
  }

  simpul::testing::TempDir dir_{"simpul-outbox"};
  std::unique_ptr<st::Store> store_;
  simpul::connectors::obs::Registry metrics_;
  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(ioc_);
  std::vector<std::thread> threads_;
  std::shared_ptr<FakeDestination> dest_ = std::make_shared<FakeDestination>("fake");
  std::shared_ptr<FakeDestination> other_ = std::make_shared<FakeDestination>("other");
  std::unique_ptr<ob::Engine> engine_;
};

TEST(OutboxBackoff, DoublesUpToTheCapWithJitter) {
  OutboxPolicy p;
  p.backoff_base = 1000ms;
  p.backoff_max = 5000ms;
  p.jitter = OutboxJitter::full;
  EXPECT_EQ(ob::backoff_delay(p, 1, 0.999999).count(), 999);
  EXPECT_EQ(ob::backoff_delay(p, 2, 0.5).count(), 1000);
  EXPECT_EQ(ob::backoff_delay(p, 3, 0.0).count(), 0);
  EXPECT_EQ(ob::backoff_delay(p, 50, 0.5).count(), 2500);  // capped at 5000
  p.jitter = OutboxJitter::equal;
  EXPECT_EQ(ob::backoff_delay(p, 1, 0.0).count(), 500);
  EXPECT_EQ(ob::backoff_delay(p, 3, 0.0).count(), 2000);
  EXPECT_EQ(ob::backoff_delay(p, 3, 0.5).count(), 3000);
  EXPECT_EQ(ob::backoff_delay(p, 1000, 0.0).count(), 2500);
}

TEST_F(OutboxEngineTest, DeliversOnce) {
  start();
  const auto id = enqueue("e1");
  ASSERT_TRUE(wait_status(id, st::OutboxStatus::delivered));
  EXPECT_EQ(item(id).upstream_id, "up-e1");
  EXPECT_EQ(dest_->executions("e1"), 1);
  auto attempts = store_->get_outbox_attempts("t1", id);
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].outcome, st::AttemptOutcome::delivered);
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(dest_->calls("e1"), 1);
}

TEST_F(OutboxEngineTest, RetriesWithBackoffThenDelivers) {
  auto p = fast_policy();
  p.backoff_base = 80ms;
  dest_->script = [](const st::OutboxItem&, int n) {
    return n < 3 ? fail(ob::DeliveryResult::retry, 503, "upstream unavailable") : ok();
  };
  start(p);
  const auto id = enqueue("e1");
  ASSERT_TRUE(wait_status(id, st::OutboxStatus::delivered));
  auto a = store_->get_outbox_attempts("t1", id);
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[0].outcome, st::AttemptOutcome::retry);
  EXPECT_EQ(a[0].http_status, 503);
  EXPECT_EQ(a[2].outcome, st::AttemptOutcome::delivered);
  // equal jitter at 0: 40 ms, then 80 ms
  EXPECT_GE(a[1].started_at - a[0].ended_at, 38);
  EXPECT_GE(a[2].started_at - a[1].ended_at, 78);
  EXPECT_EQ(dest_->executions("e1"), 1);
}

TEST_F(OutboxEngineTest, PermanentRefusalIsDeadAtOnceWithTheReason) {
  dest_->script = [](const st::OutboxItem&, int) {
    return fail(ob::DeliveryResult::permanent, 422, "peserta tidak ditemukan");
  };
  start();
  const auto id = enqueue("e1");
  ASSERT_TRUE(wait_status(id, st::OutboxStatus::dead));
  EXPECT_NE(item(id).last_error.find("peserta tidak ditemukan"), std::string::npos);
  EXPECT_EQ(store_->get_outbox_attempts("t1", id).size(), 1u);
  ASSERT_TRUE(wait_until(
      [&] { return metrics_.render().find("simpul_outbox_dead_total{destination=\"fake\"} 1") != std::string::npos; }));
}

TEST_F(OutboxEngineTest, MaxAttemptsThenDead) {
  auto p = fast_policy();
  p.max_attempts = 3;
  dest_->script = [](const st::OutboxItem&, int) { return fail(ob::DeliveryResult::retry, 503, "down"); };
  start(p);
  const auto id = enqueue("e1");
  ASSERT_TRUE(wait_status(id, st::OutboxStatus::dead));
  EXPECT_EQ(store_->get_outbox_attempts("t1", id).size(), 3u);
  EXPECT_NE(item(id).last_error.find("gave up after 3 attempts"), std::string::npos) << item(id).last_error;
}

TEST_F(OutboxEngineTest, MaxAgeThenDead) {
  auto p = fast_policy();
  p.max_attempts = 1000;
  p.max_age = 150ms;
  dest_->script = [](const st::OutboxItem&, int) { return fail(ob::DeliveryResult::retry, 503, "down"); };
  start(p);
  const auto id = enqueue("e1");
  ASSERT_TRUE(wait_status(id, st::OutboxStatus::dead));
  EXPECT_NE(item(id).last_error.find("older than max_age"), std::string::npos) << item(id).last_error;
  EXPECT_LT(store_->get_outbox_attempts("t1", id).size(), 20u);
}

TEST_F(OutboxEngineTest, RetryAfterIsHonoured) {
  dest_->script = [](const st::OutboxItem&, int n) {
    return n == 1 ? fail(ob::DeliveryResult::retry, 429, "slow down", false, 400ms) : ok();
  };
  start();
  const auto id = enqueue("e1");
  ASSERT_TRUE(wait_status(id, st::OutboxStatus::delivered));
  auto a = store_->get_outbox_attempts("t1", id);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_GE(a[1].started_at - a[0].ended_at, 395);
}

TEST_F(OutboxEngineTest, ConcurrencyCapIsNeverExceeded) {
  auto p = fast_policy();
  p.concurrency = 3;
  dest_->delay = 30ms;
  start(p);
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 15; ++i) ids.push_back(enqueue(source(i)));
  for (auto id : ids) ASSERT_TRUE(wait_status(id, st::OutboxStatus::delivered));
  EXPECT_LE(dest_->max_concurrent.load(), 3);
  EXPECT_EQ(dest_->max_concurrent.load(), 3);
}

TEST_F(OutboxEngineTest, PrerequisiteIsDeliveredFirst) {
  // The Encounter (pendaftaran) fails once; its Condition (kunjungan) must still wait for it.
  dest_->script = [](const st::OutboxItem& item, int n) {
    return item.source_id == "encounter" && n == 1 ? fail(ob::DeliveryResult::retry, 503, "busy") : ok();
  };
  start();
  st::OutboxBatch batch;
  for (const char* id : {"encounter", "condition"}) {
    st::OutboxItem i;
    i.tenant = "t1";
    i.destination = "fake";
    i.source_type = "Encounter";
    i.source_id = id;
    i.source_version = "1";
    i.payload = "{}";
    batch.items.push_back(i);
  }
  batch.dependencies.push_back({1, 0});
  auto r = store_->enqueue_outbox_batch(batch);
  ASSERT_TRUE(wait_status(r[1].id, st::OutboxStatus::delivered));
  EXPECT_EQ(dest_->order(), (std::vector<std::string>{"encounter", "condition"}));
  EXPECT_EQ(dest_->calls("condition"), 1);
}

TEST_F(OutboxEngineTest, UnknownOutcomeIsReconciledNotSentAgain) {
  // The first request reached the upstream, but the answer was lost.
  dest_->script = [](const st::OutboxItem&, int n) {
    return n == 1 ? fail(ob::DeliveryResult::unknown, 0, "connection reset after sending", true) : ok();
  };
  start();
  const auto id = enqueue("e1");
  ASSERT_TRUE(wait_status(id, st::OutboxStatus::delivered));
  EXPECT_EQ(dest_->executions("e1"), 1);
  EXPECT_EQ(dest_->calls("e1"), 1);
  EXPECT_EQ(dest_->reconciles("e1"), 1);
  EXPECT_EQ(item(id).upstream_id, "up-e1");
}

TEST_F(OutboxEngineTest, UnknownOutcomeNotFoundUpstreamIsSentAgain) {
  dest_->script = [](const st::OutboxItem&, int n) {
    return n == 1 ? fail(ob::DeliveryResult::unknown, 0, "timeout before the upstream took it", false) : ok();
  };
  start();
  const auto id = enqueue("e1");
  ASSERT_TRUE(wait_status(id, st::OutboxStatus::delivered));
  EXPECT_EQ(dest_->executions("e1"), 1);
  EXPECT_EQ(dest_->calls("e1"), 2);
  EXPECT_EQ(dest_->reconciles("e1"), 1);
}

TEST_F(OutboxEngineTest, CrashedWorkerItemIsReconciledAfterTheLease) {
  store_ = st::open_store(simpul::testing::options_for("sqlite:" + dir_.db()));
  const auto id = enqueue("e1");
  // A worker claims, sends (the upstream has it), and dies without reporting.
  st::OutboxClaim claim;
  claim.destination = "fake";
  claim.owner = "crashed-worker";
  claim.lease_ms = 150;
  ASSERT_EQ(store_->claim_outbox(claim).size(), 1u);
  dest_->preload("e1");
  store_.reset();
  start();
  ASSERT_TRUE(wait_status(id, st::OutboxStatus::delivered));
  EXPECT_EQ(dest_->executions("e1"), 1);
  EXPECT_EQ(dest_->calls("e1"), 0);
  EXPECT_EQ(dest_->reconciles("e1"), 1);
  auto a = store_->get_outbox_attempts("t1", id);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].outcome, st::AttemptOutcome::lease_expired);
  EXPECT_EQ(a[1].outcome, st::AttemptOutcome::delivered);
}

TEST_F(OutboxEngineTest, SuspendHoldsAndResumeDrains) {
  start();
  st::OutboxSuspension s;
  s.tenant = "t1";
  s.destination = "fake";
  s.actor = "test";
  ASSERT_TRUE(store_->suspend_outbox(s));
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(enqueue(source(i)));
  const auto other_tenant = enqueue("x1", "t2");
  ASSERT_TRUE(wait_status(other_tenant, st::OutboxStatus::delivered, "t2"));  // not suspended
  std::this_thread::sleep_for(200ms);
  for (auto id : ids) EXPECT_EQ(item(id).status, st::OutboxStatus::pending);
  EXPECT_EQ(dest_->calls("e0"), 0);
  ASSERT_TRUE(store_->resume_outbox("t1", "fake"));
  engine_->wake("fake");
  for (auto id : ids) ASSERT_TRUE(wait_status(id, st::OutboxStatus::delivered));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(dest_->executions(source(i)), 1);
}

TEST_F(OutboxEngineTest, GracefulStopLetsInFlightAttemptsFinish) {
  dest_->delay = 300ms;
  start();
  const auto id = enqueue("e1");
  ASSERT_TRUE(wait_until([&] { return engine_->in_flight("fake") == 1; }));
  ASSERT_TRUE(stop_engine());
  EXPECT_EQ(item(id).status, st::OutboxStatus::delivered);  // recorded before stop completed
  const auto later = enqueue("e2");
  std::this_thread::sleep_for(150ms);
  EXPECT_EQ(item(later).status, st::OutboxStatus::pending);  // nothing claims after stop
}

TEST_F(OutboxEngineTest, QueueMetrics) {
  dest_->script = [](const st::OutboxItem&, int) { return fail(ob::DeliveryResult::permanent, 400, "bad"); };
  start();
  const auto id = enqueue("e1");
  ASSERT_TRUE(wait_status(id, st::OutboxStatus::dead));
  enqueue("p1", "t1", "nowhere");
  ASSERT_TRUE(wait_until([&] {
    const std::string m = metrics_.render();
    return m.find("simpul_outbox_depth{tenant=\"t1\",destination=\"fake\",status=\"dead\"} 1") != std::string::npos &&
           m.find("simpul_outbox_depth{tenant=\"t1\",destination=\"nowhere\",status=\"pending\"} 1") !=
               std::string::npos &&
           m.find("simpul_outbox_oldest_age_seconds{destination=\"nowhere\"}") != std::string::npos &&
           m.find("simpul_outbox_attempts_total{destination=\"fake\",outcome=\"permanent\"} 1") != std::string::npos;
  })) << metrics_.render();
}

}  // namespace
