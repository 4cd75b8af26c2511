// KeyedLimiter: state behind one mutex (short critical sections, no I/O, no user code);
// completions are collected under the lock and posted after it is released.
#include "connectors/http/limiter.hpp"

#include <algorithm>
#include <list>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace simpul::connectors::http {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace detail {

struct Waiter {
  std::uint64_t id = 0;
  std::unique_ptr<Completion<Permit>> done;
};

struct LimiterKey {
  std::string name;
  LimitOptions lim;
  std::size_t active = 0;
  double tokens = 0;
  Clock::time_point refilled{};
  std::list<Waiter> waiters;
  std::optional<asio::steady_timer> timer;
  bool timer_armed = false;
};

struct Grant {
  std::unique_ptr<Completion<Permit>> done;
  Permit permit;
};

struct LimiterState : std::enable_shared_from_this<LimiterState> {
  LimiterState(asio::io_context& ctx, LimitOptions d) : io(ctx), defaults(d) {}

  asio::io_context& io;
  mutable std::mutex mu;
  bool closed = false;
  LimitOptions defaults;
  std::unordered_map<std::string, LimitOptions> overrides;
  std::unordered_map<std::string, std::shared_ptr<LimiterKey>> keys;
  struct Where {
    std::shared_ptr<LimiterKey> key;
    std::list<Waiter>::iterator pos;
  };
  std::unordered_map<std::uint64_t, Where> index;  // waiting acquirers, for cancellation
  std::uint64_t next_id = 1;

  static LimitOptions sane(LimitOptions l) {
    if (l.burst < 1) l.burst = 1;
    if (l.rate_per_second < 0) l.rate_per_second = 0;
    return l;
  }

  LimitOptions limits_for(const std::string& name) const {
    auto it = overrides.find(name);
    return sane(it != overrides.end() ? it->second : defaults);
  }

  std::shared_ptr<LimiterKey> key_for(const std::string& name) {
    auto& k = keys[name];
    if (!k) {
      k = std::make_shared<LimiterKey>();
      k->name = name;
      k->lim = limits_for(name);
      k->tokens = k->lim.burst;
      k->refilled = Clock::now();
    }
    return k;
  }

  static void refill(LimiterKey& k, Clock::time_point now) {
    if (k.lim.rate_per_second <= 0) return;
    double add = std::chrono::duration<double>(now - k.refilled).count() * k.lim.rate_per_second;
    k.tokens = std::min(k.lim.burst, k.tokens + add);
    k.refilled = now;
  }

  bool can_take(LimiterKey& k) const {
    if (k.lim.max_concurrent > 0 && k.active >= k.lim.max_concurrent) return false;
    if (k.lim.rate_per_second > 0 && k.tokens < 1) return false;
    return true;
  }

  Permit take(const std::shared_ptr<LimiterKey>& k) {
    if (k->lim.rate_per_second > 0) k->tokens -= 1;
    ++k->active;
    return Permit(shared_from_this(), k);
  }

  // Grants to waiters in order while limits allow; arms the refill timer if tokens block.
  void serve(const std::shared_ptr<LimiterKey>& k, std::vector<Grant>& out) {
    if (closed) return;
    refill(*k, Clock::now());
    while (!k->waiters.empty() && can_take(*k)) {
      Waiter w = std::move(k->waiters.front());
      k->waiters.pop_front();
      index.erase(w.id);
      out.push_back(Grant{std::move(w.done), take(k)});
    }
    bool blocked_by_rate = !k->waiters.empty() &&
                           (k->lim.max_concurrent == 0 || k->active < k->lim.max_concurrent);
    if (blocked_by_rate && !k->timer_armed) {
      double wait_s = (1.0 - k->tokens) / k->lim.rate_per_second;
      auto wait = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(wait_s)) +
                  std::chrono::microseconds(100);
      if (!k->timer) k->timer.emplace(io);
      k->timer->expires_after(wait);
      k->timer_armed = true;
      k->timer->async_wait([self = shared_from_this(), k](boost::system::error_code) {
        std::vector<Grant> granted;
        {
          std::lock_guard lk(self->mu);
          k->timer_armed = false;
          if (self->closed) return;
          self->serve(k, granted);
          self->maybe_forget(k);
        }
        deliver(granted);
      });
    }
  }

  // Drops an idle key whose bucket is full again (it would be recreated identical).
  void maybe_forget(const std::shared_ptr<LimiterKey>& k) {
    if (k->active != 0 || !k->waiters.empty() || k->timer_armed) return;
    refill(*k, Clock::now());
    if (k->lim.rate_per_second > 0 && k->tokens < k->lim.burst) return;
    auto it = keys.find(k->name);
    if (it != keys.end() && it->second == k) keys.erase(it);
  }

  static void deliver(std::vector<Grant>& granted) {
    for (auto& g : granted) {
      try { g.done->complete(std::move(g.permit)); } catch (...) {}
    }
  }

  void release(const std::shared_ptr<LimiterKey>& k) {
    std::vector<Grant> granted;
    {
      std::lock_guard lk(mu);
      if (k->active > 0) --k->active;
      if (closed) return;
      serve(k, granted);
      maybe_forget(k);
    }
    deliver(granted);
  }
};

}  // namespace detail

Permit::Permit(Permit&& o) noexcept
    : state_(std::move(o.state_)), key_(std::move(o.key_)), error_(o.error_) {}

Permit& Permit::operator=(Permit&& o) noexcept {
  if (this != &o) {
    release();
    state_ = std::move(o.state_);
    key_ = std::move(o.key_);
    error_ = o.error_;
  }
  return *this;
}

void Permit::release() noexcept {
  if (!key_) return;
  auto s = std::move(state_);
  auto k = std::move(key_);
  try {
    s->release(k);
  } catch (...) {
  }
}

namespace {

// The limiter's part of a cancellation (detail::CancelById): a waiter still waiting leaves
// its queue and completes with `cancelled`.
void cancel_waiter(const std::shared_ptr<detail::LimiterState>& s, std::uint64_t id) {
  std::unique_ptr<detail::Completion<Permit>> done;
  {
    std::lock_guard lk(s->mu);
    auto it = s->index.find(id);
    if (it == s->index.end()) return;  // granted or failed already
    auto key = it->second.key;
    done = std::move(it->second.pos->done);
    key->waiters.erase(it->second.pos);
    s->index.erase(it);
    s->maybe_forget(key);
  }
  try { done->complete(Permit(PermitError::cancelled)); } catch (...) {}
}
using CancelAcquire = detail::CancelById<detail::LimiterState, cancel_waiter>;

}  // namespace

KeyedLimiter::KeyedLimiter(asio::io_context& io, LimitOptions defaults)
    : io_(io), state_(std::make_shared<detail::LimiterState>(io, defaults)) {}

KeyedLimiter::~KeyedLimiter() {
  std::vector<std::unique_ptr<detail::Completion<Permit>>> waiting;
  {
    std::lock_guard lk(state_->mu);
    state_->closed = true;
    for (auto& [name, k] : state_->keys) {
      for (auto& w : k->waiters) waiting.push_back(std::move(w.done));
      k->waiters.clear();
      k->timer.reset();  // cancels a pending refill wait; no Asio object outlives us
      k->timer_armed = false;
    }
    state_->index.clear();
    state_->keys.clear();
  }
  for (auto& d : waiting) {
    try { d->complete(Permit(PermitError::shut_down)); } catch (...) {}
  }
}

void KeyedLimiter::set_limits(const std::string& key, LimitOptions limits) {
  std::vector<detail::Grant> granted;
  {
    std::lock_guard lk(state_->mu);
    state_->overrides[key] = limits;
    auto it = state_->keys.find(key);
    if (it != state_->keys.end()) {
      auto k = it->second;
      detail::LimiterState::refill(*k, Clock::now());
      k->lim = detail::LimiterState::sane(limits);
      k->tokens = std::min(k->tokens, k->lim.burst);
      state_->serve(k, granted);  // a raised cap may free waiters
    }
  }
  detail::LimiterState::deliver(granted);
}

void KeyedLimiter::submit(std::string key, std::unique_ptr<detail::Completion<Permit>> done,
                          asio::cancellation_slot slot) {
  auto& s = *state_;
  std::vector<detail::Grant> granted;
  std::optional<PermitError> failed;
  {
    std::lock_guard lk(s.mu);
    if (s.closed) {
      failed = PermitError::shut_down;
    } else {
      auto k = s.key_for(key);
      detail::LimiterState::refill(*k, Clock::now());
      if (k->waiters.empty() && s.can_take(*k)) {
        granted.push_back(detail::Grant{std::move(done), s.take(k)});
      } else if (k->waiters.size() >= k->lim.max_waiters) {
        failed = PermitError::too_many;
        s.maybe_forget(k);
      } else {
        std::uint64_t id = s.next_id++;
        k->waiters.push_back(detail::Waiter{id, std::move(done)});
        s.index.emplace(id, detail::LimiterState::Where{k, std::prev(k->waiters.end())});
        if (slot.is_connected()) slot.emplace<CancelAcquire>(CancelAcquire{state_, id});
        s.serve(k, granted);  // arms the refill timer when tokens are what blocks
      }
    }
  }
  if (failed) {
    try { done->complete(Permit(*failed)); } catch (...) {}
  }
  detail::LimiterState::deliver(granted);
}

std::size_t KeyedLimiter::active(const std::string& key) const {
  std::lock_guard lk(state_->mu);
  auto it = state_->keys.find(key);
  return it == state_->keys.end() ? 0 : it->second->active;
}

std::size_t KeyedLimiter::waiting(const std::string& key) const {
  std::lock_guard lk(state_->mu);
  auto it = state_->keys.find(key);
  return it == state_->keys.end() ? 0 : it->second->waiters.size();
}

std::size_t KeyedLimiter::keys() const {
  std::lock_guard lk(state_->mu);
  return state_->keys.size();
}

}  // namespace simpul::connectors::http
