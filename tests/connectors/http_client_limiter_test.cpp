// KeyedLimiter: per-key concurrency cap, token bucket, FIFO, cancellation, queue cap, shutdown.
#include "connectors/http/limiter.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "tests/connectors/http_client_test_support.hpp"

namespace {

using namespace simpul::connectors::http;
using namespace simpul_test;

// Collects granted permits in completion order.
struct Grants {
  std::mutex mu;
  std::vector<std::pair<int, Permit>> got;
  auto handler(int tag) {
    return [this, tag](Permit p) {
      std::lock_guard lk(mu);
      got.emplace_back(tag, std::move(p));
    };
  }
  std::size_t size() {
    std::lock_guard lk(mu);
    return got.size();
  }
  // Releases the permit with `tag`; false when not granted.
  bool release(int tag) {
    std::lock_guard lk(mu);
    for (auto& [t, p] : got)
      if (t == tag && p) {
        p.release();
        return true;
      }
    return false;
  }
  std::vector<int> order() {
    std::lock_guard lk(mu);
    std::vector<int> o;
    for (auto& [t, p] : got) o.push_back(t);
    return o;
  }
};

// For tests with one waiter whose outcome is checked: `g` collects the grants, `last` that
// waiter's permit or refusal. Declared before the io threads (cio) so that late completions
// never outlive them.
struct OneWaiter {
  Grants g;
  Slot<Permit> last;
  ClientIo cio;

  auto into_last() {
    return [this](Permit p) { last.set(std::move(p)); };
  }
  // Waits for the waiter's outcome and checks it is a refusal for `why`.
  void expect_refused(PermitError why) {
    auto p = last.wait();
    ASSERT_TRUE(p.has_value());
    EXPECT_FALSE(p->ok());
    EXPECT_EQ(p->error(), why);
  }
};

TEST(KeyedLimiter, CapsConcurrencyPerKeyAndServesWaitersInOrder) {
  // Declared before the io threads so that late completions never outlive them.
  Grants g;
  Grants other;
  ClientIo cio;
  KeyedLimiter lim(cio.io, LimitOptions{.max_concurrent = 2});
  for (int i = 0; i < 5; ++i) lim.acquire("cons-1", g.handler(i));
  EXPECT_EQ(lim.active("cons-1"), 2u);
  EXPECT_EQ(lim.waiting("cons-1"), 3u);
  // Another key is independent.
  lim.acquire("cons-2", other.handler(100));
  ASSERT_TRUE(wait_until([&] { return other.size() == 1; }));
  ASSERT_TRUE(wait_until([&] { return g.size() == 2; }));
  auto first_two = g.order();
  std::sort(first_two.begin(), first_two.end());
  EXPECT_EQ(first_two, (std::vector<int>{0, 1}));

  // Each release admits exactly the next waiter in arrival order. (Handlers run on two
  // threads, so only one grant is outstanding at a time to observe the order.)
  for (int next = 2; next < 5; ++next) {
    ASSERT_TRUE(g.release(next - 2));
    EXPECT_EQ(lim.active("cons-1"), 2u);
    EXPECT_EQ(lim.waiting("cons-1"), static_cast<std::size_t>(4 - next));
    ASSERT_TRUE(wait_until([&] { return g.size() == static_cast<std::size_t>(next + 1); }));
    EXPECT_EQ(g.order().back(), next);
  }
  EXPECT_EQ(lim.waiting("cons-1"), 0u);
}

TEST(KeyedLimiter, PermitReleasesOnDestruction) {
  // Declared before the io threads so that late completions never outlive them.
  Slot<Permit> first;
  ClientIo cio;
  KeyedLimiter lim(cio.io, LimitOptions{.max_concurrent = 1});
  lim.acquire("k", [&](Permit p) { first.set(std::move(p)); });
  auto p = first.wait();
  ASSERT_TRUE(p.has_value() && p->ok());
  EXPECT_EQ(lim.active("k"), 1u);
  p.reset();  // destroys the permit
  EXPECT_EQ(lim.active("k"), 0u);
}

TEST(KeyedLimiter, RateLimitsWithATokenBucket) {
  // Declared before the io threads so that late completions never outlive them.
  Grants g;
  ClientIo cio;
  KeyedLimiter lim(cio.io, LimitOptions{.max_concurrent = 0, .rate_per_second = 20, .burst = 1});
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 5; ++i) lim.acquire("k", g.handler(i));
  EXPECT_EQ(lim.active("k"), 1u);  // one token in the bucket, the rest must wait for refills
  EXPECT_EQ(lim.waiting("k"), 4u);
  ASSERT_TRUE(wait_until([&] { return g.size() == 5; }));
  // Four refills at 20/s cannot take less than 200 ms (a correctness bound, not a speed one).
  EXPECT_GE(std::chrono::steady_clock::now() - start, 190ms);
}

TEST(KeyedLimiter, PerKeyLimitsOverrideTheDefaults) {
  // Declared before the io threads so that late completions never outlive them.
  Grants g;
  ClientIo cio;
  KeyedLimiter lim(cio.io, LimitOptions{.max_concurrent = 1});
  lim.set_limits("big", LimitOptions{.max_concurrent = 3});
  for (int i = 0; i < 4; ++i) lim.acquire("big", g.handler(i));
  EXPECT_EQ(lim.active("big"), 3u);
  EXPECT_EQ(lim.waiting("big"), 1u);
  for (int i = 0; i < 4; ++i) lim.acquire("small", g.handler(10 + i));
  EXPECT_EQ(lim.active("small"), 1u);
  // Raising a key's cap frees its waiters.
  lim.set_limits("small", LimitOptions{.max_concurrent = 4});
  EXPECT_EQ(lim.active("small"), 4u);
  EXPECT_TRUE(wait_until([&] { return g.size() == 7; }));
}

TEST(KeyedLimiter, TooManyWaitersFailFast) {
  OneWaiter t;
  KeyedLimiter lim(t.cio.io, LimitOptions{.max_concurrent = 1, .max_waiters = 1});
  lim.acquire("k", t.g.handler(0));
  lim.acquire("k", t.g.handler(1));
  lim.acquire("k", t.into_last());
  t.expect_refused(PermitError::too_many);
  EXPECT_EQ(lim.waiting("k"), 1u);
}

TEST(KeyedLimiter, CancellingAWaiterCompletesItWithCancelled) {
  OneWaiter t;
  KeyedLimiter lim(t.cio.io, LimitOptions{.max_concurrent = 1});
  lim.acquire("k", t.g.handler(0));
  asio::cancellation_signal sig;
  lim.acquire("k", asio::bind_cancellation_slot(sig.slot(), t.into_last()));
  EXPECT_EQ(lim.waiting("k"), 1u);
  sig.emit(asio::cancellation_type::terminal);
  t.expect_refused(PermitError::cancelled);
  EXPECT_EQ(lim.waiting("k"), 0u);
  sig.emit(asio::cancellation_type::terminal);  // late emission: no effect
  ASSERT_TRUE(wait_until([&] { return t.g.size() == 1; }));
  ASSERT_TRUE(t.g.release(0));
  EXPECT_EQ(lim.active("k"), 0u);
}

TEST(KeyedLimiter, ShutdownCompletesWaitersAndLaterReleasesAreHarmless) {
  OneWaiter t;
  {
    KeyedLimiter lim(t.cio.io, LimitOptions{.max_concurrent = 1, .rate_per_second = 1000});
    lim.acquire("k", t.g.handler(0));
    lim.acquire("k", t.into_last());
    ASSERT_TRUE(wait_until([&] { return t.g.size() == 1; }));
  }
  t.expect_refused(PermitError::shut_down);
  EXPECT_TRUE(t.g.release(0));  // the limiter is gone; releasing is a no-op
}

TEST(KeyedLimiter, IdleKeysAreForgotten) {
  ClientIo cio;
  KeyedLimiter lim(cio.io, LimitOptions{.max_concurrent = 2});
  for (int i = 0; i < 100; ++i) {
    Slot<Permit> s;
    lim.acquire("key-" + std::to_string(i), [&](Permit p) { s.set(std::move(p)); });
    auto p = s.wait();
    ASSERT_TRUE(p.has_value() && p->ok());
  }
  EXPECT_EQ(lim.keys(), 0u);
}

TEST(KeyedLimiter, WorksWithCoroutines) {
  ClientIo cio;
  KeyedLimiter lim(cio.io, LimitOptions{.max_concurrent = 1});
  std::atomic<int> max_seen{0}, inside{0}, finished{0};
  for (int i = 0; i < 10; ++i) {
    asio::co_spawn(
        cio.io,
        [&]() -> asio::awaitable<void> {
          Permit p = co_await lim.acquire("cons", asio::use_awaitable);
          if (!p) co_return;
          int now = ++inside;
          int prev = max_seen.load();
          while (now > prev && !max_seen.compare_exchange_weak(prev, now)) {
          }
          asio::steady_timer t(co_await asio::this_coro::executor, 5ms);
          co_await t.async_wait(asio::use_awaitable);
          --inside;
          ++finished;
        },
        asio::detached);
  }
  ASSERT_TRUE(wait_until([&] { return finished.load() == 10; }));
  EXPECT_EQ(max_seen.load(), 1);
}

}  // namespace
