#pragma once
// The outbox delivery engine (docs/operations.md): per destination a worker on the
// io_context claims due items from the store (with a lease), sends them through the
// Destination, and records each attempt's outcome. Retries back off exponentially with
// jitter, honour Retry-After, and give up (status dead, with the reason) after
// max_attempts or max_age; permanent refusals are dead at once. At most `concurrency`
// attempts per destination are in flight. Ordering is the store's: an item whose
// prerequisite (depends_on) is not delivered is not claimed. Suspended (tenant,
// destination) pairs are skipped by the store's claim: their items wait.
//
// Exactly once as seen upstream: an item whose previous attempt may have reached the
// upstream (its lease expired - a crash - or it ended `unknown`) is reconciled first
// (Destination::reconcile: found = delivered, nothing sent).
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "adapter/config.hpp"
#include "adapter/outbox/destination.hpp"
#include "adapter/store/store.hpp"
#include "connectors/observability/metrics.hpp"

namespace simpul::adapter::outbox {

// Marks, in an attempt's stored error, an outcome that may have reached the upstream:
// the next attempt reconciles before sending.
inline constexpr std::string_view kUnknownOutcome = "outcome unknown: ";

struct EngineOptions {
  OutboxSettings settings{};
  std::string worker_id{};           // lease owner prefix; empty = "<hostname>:<pid>"
  store::Clock clock{};              // Unix ms, for item ages; empty = the system clock
  std::function<double()> random{};  // uniform [0, 1) for jitter; empty = a seeded PRNG
};

// The delay after `failures` failed attempts (1 = the first): min(max, base * 2^(failures-1)),
// jittered: full = uniform [0, d], equal = d/2 + uniform [0, d/2]. `random01` in [0, 1).
std::chrono::milliseconds backoff_delay(const OutboxPolicy& policy, int failures, double random01);

class Engine {
 public:
  Engine(boost::asio::io_context& ioc, store::Store& store, connectors::obs::Registry& metrics, EngineOptions options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Registers a destination (one per name; a second one with the same name throws). Its
  // worker starts at once when the engine is running, else with start().
  void add_destination(std::shared_ptr<Destination> destination);
  std::shared_ptr<Destination> destination(std::string_view name) const;
  std::vector<std::string> destinations() const;

  void start();
  // Due work may be there now (an admin retry, replay or resume): look without waiting for the poll.
  void wake(std::string_view destination);
  // Stops claiming; `done` runs (on the io_context) once every in-flight attempt has
  // recorded its outcome, or after `grace` (their leases then lapse and the items are
  // reconciled on the next start). Call once.
  void stop(std::chrono::milliseconds grace, std::function<void()> done);
  // Attempts in flight now for a destination (tests, metrics).
  std::size_t in_flight(std::string_view destination) const;
  // Recomputes the queue gauges now (they are refreshed every metrics_interval anyway).
  void refresh_metrics();

  struct Core;
  struct Worker;

 private:
  std::shared_ptr<Core> core_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Worker>, std::less<>> workers_;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace simpul::adapter::outbox
