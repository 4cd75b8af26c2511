#pragma once
// KeyedLimiter: per-key concurrency cap + token-bucket rate limit for asynchronous callers.
//
//   Permit p = co_await limiter.acquire(cons_id, boost::asio::use_awaitable);
//   if (!p) return fail(p.error());         // cancelled / too_many / shut_down
//   auto r = co_await client.async_request(req, boost::asio::use_awaitable);
//   // p releases its slot when it goes out of scope (or on p.release()).
//
// Waiters are served first come, first served per key. No thread ever blocks: a waiter is a
// stored completion handler, woken by a permit's release or by the key's refill timer.
// Handlers are always posted to their associated executor, never run inline.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/async_result.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>

#include "connectors/http/client_completion.hpp"

namespace simpul::connectors::http {

struct LimitOptions {
  std::size_t max_concurrent = 8;  // permits held at once; 0 = no cap
  double rate_per_second = 0;      // permits granted per second; 0 = no rate limit
  double burst = 1;                // bucket size (tokens available after idling); >= 1
  std::size_t max_waiters = 1024;  // waiting acquirers per key; beyond: too_many at once
};

enum class PermitError { none, cancelled, too_many, shut_down };

namespace detail {
struct LimiterState;
struct LimiterKey;
}  // namespace detail

class Permit {
 public:
  Permit() = default;
  explicit Permit(PermitError e) : error_(e) {}
  Permit(Permit&& o) noexcept;
  Permit& operator=(Permit&& o) noexcept;
  Permit(const Permit&) = delete;
  Permit& operator=(const Permit&) = delete;
  ~Permit() { release(); }

  bool ok() const noexcept { return key_ != nullptr; }
  explicit operator bool() const noexcept { return ok(); }
  // none for a held (or released) permit.
  PermitError error() const noexcept { return error_; }
  // Gives the slot back now; idempotent. Safe from any thread, also after the limiter is gone.
  void release() noexcept;

 private:
  friend struct detail::LimiterState;
  Permit(std::shared_ptr<detail::LimiterState> s, std::shared_ptr<detail::LimiterKey> k)
      : state_(std::move(s)), key_(std::move(k)) {}
  std::shared_ptr<detail::LimiterState> state_;
  std::shared_ptr<detail::LimiterKey> key_;
  PermitError error_ = PermitError::none;
};

class KeyedLimiter {
 public:
  explicit KeyedLimiter(boost::asio::io_context& io, LimitOptions defaults = {});
  // Completes every waiter with shut_down. Permits still held stay valid objects; releasing
  // them afterwards is a no-op. The io_context must outlive the limiter.
  ~KeyedLimiter();
  KeyedLimiter(const KeyedLimiter&) = delete;
  KeyedLimiter& operator=(const KeyedLimiter&) = delete;

  // Limits for one key (e.g. a BPJS consId); other keys use the defaults. Applies to grants
  // from now on (permits already held are not revoked).
  void set_limits(const std::string& key, LimitOptions limits);

  // Completion signature: void(Permit). Honours the bound cancellation slot: a waiting
  // acquire completes with PermitError::cancelled.
  template <class CompletionToken>
  auto acquire(std::string key, CompletionToken&& token) {
    return boost::asio::async_initiate<CompletionToken, void(Permit)>(
        [this](auto handler, std::string k) {
          auto slot = boost::asio::get_associated_cancellation_slot(handler);
          submit(std::move(k), detail::make_completion<Permit>(std::move(handler), io_.get_executor()), slot);
        },
        token, std::move(key));
  }

  std::size_t active(const std::string& key) const;   // permits held
  std::size_t waiting(const std::string& key) const;  // acquirers waiting
  std::size_t keys() const;                           // keys currently tracked

 private:
  void submit(std::string key, std::unique_ptr<detail::Completion<Permit>> done,
              boost::asio::cancellation_slot slot);

  boost::asio::io_context& io_;
  std::shared_ptr<detail::LimiterState> state_;
};

}  // namespace simpul::connectors::http
