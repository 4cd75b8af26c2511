#include "adapter/outbox/engine.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <optional>
#include <random>
#include <set>
#include <stdexcept>
#include <utility>
#include <variant>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "adapter/store/await.hpp"
#include "connectors/observability/log.hpp"

namespace simpul::adapter::outbox {

namespace asio = boost::asio;
namespace obs = connectors::obs;
using asio::awaitable;
using asio::use_awaitable;
using std::chrono::milliseconds;

std::chrono::milliseconds backoff_delay(const OutboxPolicy& policy, int failures, double random01) {
  const double base = static_cast<double>(policy.backoff_base.count());
  const double cap = static_cast<double>(policy.backoff_max.count());
  const int exponent = std::clamp(failures - 1, 0, 62);
  const double d = std::min(cap, base * std::ldexp(1.0, exponent));
  const double r = std::clamp(random01, 0.0, 1.0);
  const double jittered = policy.jitter == OutboxJitter::full ? d * r : d / 2 + (d / 2) * r;
  return milliseconds(static_cast<std::int64_t>(jittered));
}

namespace {

struct Timeout : std::runtime_error {
  Timeout() : std::runtime_error("timed out") {}
};

template <class T>
awaitable<T> with_timeout(awaitable<T> op, milliseconds timeout) {
  using namespace asio::experimental::awaitable_operators;
  asio::steady_timer timer(co_await asio::this_coro::executor, timeout);
  std::variant<T, std::monostate> r = co_await (std::move(op) || timer.async_wait(use_awaitable));
  if (r.index() == 1) throw Timeout();
  co_return std::get<0>(std::move(r));
}

std::string host_worker_id() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host[0] ? host : "simpul") + ":" + std::to_string(::getpid());
}

// Lease: room for a reconcile and a send, plus the margin.
std::int64_t lease_ms(const OutboxPolicy& p) {
  return 2 * p.send_timeout.count() + p.lease_margin.count();
}

}  // namespace

// ---------------------------------------------------------------- shared state

struct StopState {
  std::mutex mu;
  std::size_t remaining = 0;
  std::function<void()> done;
  bool fired = false;
  std::unique_ptr<asio::steady_timer> grace;

  void fire() {
    std::function<void()> d;
    {
      std::lock_guard lock(mu);
      if (fired) return;
      fired = true;
      d = std::move(done);
      if (grace) grace->cancel();
    }
    if (d) d();
  }
  void one_done() {
    bool all = false;
    {
      std::lock_guard lock(mu);
      all = remaining > 0 && --remaining == 0;
    }
    if (all) fire();
  }
};

struct Engine::Core {
  asio::io_context& ioc;
  store::Store& store;
  obs::Registry& metrics;
  EngineOptions options;
  std::mutex random_mu;
  std::mt19937_64 prng{std::random_device{}()};
  asio::strand<asio::io_context::executor_type> metrics_strand;
  asio::steady_timer metrics_timer;
  bool metrics_stopping = false;
  std::set<std::string> depth_series;  // label keys set last time (zeroed when they disappear)
  std::set<std::pair<std::string, std::string>> suspended_series;

  Core(asio::io_context& io, store::Store& s, obs::Registry& m, EngineOptions o)
      : ioc(io),
        store(s),
        metrics(m),
        options(std::move(o)),
        metrics_strand(asio::make_strand(io)),
        metrics_timer(metrics_strand) {
    if (options.worker_id.empty()) options.worker_id = host_worker_id();
    if (!options.clock) options.clock = store::system_clock_millis;
  }

  double random01() {
    if (options.random) return options.random();
    std::lock_guard lock(random_mu);
    return std::uniform_real_distribution<double>(0.0, 1.0)(prng);
  }

  void refresh_metrics();
};

void Engine::Core::refresh_metrics() {
  std::vector<store::OutboxDepth> depth;
  std::vector<store::OutboxSuspension> suspended;
  try {
    depth = store.outbox_depth();
    suspended = store.list_outbox_suspensions("");
  } catch (const std::exception& e) {
    obs::log(obs::Level::warn, "outbox metrics: store read failed", {{"error", e.what()}});
    return;
  }
  const store::UnixMillis now = options.clock();
  std::set<std::string> seen;
  std::map<std::string, store::UnixMillis> oldest;  // destination -> oldest waiting item
  for (const auto& d : depth) {
    const std::string status(store::to_string(d.status));
    metrics
        .gauge("simpul_outbox_depth", "Outbox items not delivered, by tenant, destination and status.",
               {{"tenant", d.tenant}, {"destination", d.destination}, {"status", status}})
        .set(d.count);
    seen.insert(d.tenant + '\x1f' + d.destination + '\x1f' + status);
    if (d.status != store::OutboxStatus::dead) {
      auto [it, fresh] = oldest.emplace(d.destination, d.oldest_created_at);
      if (!fresh) it->second = std::min(it->second, d.oldest_created_at);
    }
  }
  for (const auto& key : depth_series) {
    if (seen.count(key)) continue;
    const auto a = key.find('\x1f'), b = key.find('\x1f', a + 1);
    metrics
        .gauge("simpul_outbox_depth", "Outbox items not delivered, by tenant, destination and status.",
               {{"tenant", key.substr(0, a)},
                {"destination", key.substr(a + 1, b - a - 1)},
                {"status", key.substr(b + 1)}})
        .set(0);
  }
  depth_series = std::move(seen);
  std::set<std::string> destinations;
  for (const auto& key : depth_series) {
    const auto a = key.find('\x1f'), b = key.find('\x1f', a + 1);
    destinations.insert(key.substr(a + 1, b - a - 1));
  }
  for (const auto& [d, created] : oldest) destinations.insert(d);
  for (const auto& d : destinations) {
    auto it = oldest.find(d);
    const std::int64_t age = it == oldest.end() ? 0 : std::max<std::int64_t>(0, (now - it->second) / 1000);
    metrics
        .gauge("simpul_outbox_oldest_age_seconds",
               "Age of the oldest outbox item still to deliver (not delivered, not dead).", {{"destination", d}})
        .set(age);
  }
  std::set<std::pair<std::string, std::string>> now_suspended;
  for (const auto& s : suspended) now_suspended.emplace(s.tenant, s.destination);
  for (const auto& pair : suspended_series) now_suspended.emplace(pair);  // resumed ones go to 0
  for (const auto& [tenant, destination] : now_suspended) {
    bool on = false;
    for (const auto& s : suspended) on = on || (s.tenant == tenant && s.destination == destination);
    metrics
        .gauge("simpul_outbox_suspended", "1 while transfers of a tenant to a destination are suspended.",
               {{"tenant", tenant}, {"destination", destination}})
        .set(on ? 1 : 0);
  }
  suspended_series = std::move(now_suspended);
}

// ---------------------------------------------------------------- one destination

struct Engine::Worker : std::enable_shared_from_this<Engine::Worker> {
  std::shared_ptr<Core> core;
  std::shared_ptr<Destination> dest;
  std::string name;
  OutboxPolicy policy;
  std::string owner;
  asio::strand<asio::io_context::executor_type> strand;
  asio::steady_timer wake_timer;
  // Touched on the strand only.
  bool kicked = false;
  bool stopping = false;
  bool loop_done = false;
  bool stop_reported = false;
  std::shared_ptr<StopState> stop_state;
  // Read from other threads (in_flight()).
  std::atomic<std::size_t> in_flight{0};

  obs::Gauge& in_flight_gauge;
  obs::Histogram& duration;

  Worker(std::shared_ptr<Core> c, std::shared_ptr<Destination> d)
      : core(std::move(c)),
        dest(std::move(d)),
        name(dest->name()),
        policy(core->options.settings.policy(name)),
        owner(core->options.worker_id + ":" + name),
        strand(asio::make_strand(core->ioc)),
        wake_timer(strand),
        in_flight_gauge(core->metrics.gauge("simpul_outbox_in_flight", "Outbox delivery attempts in flight.",
                                            {{"destination", name}})),
        duration(core->metrics.histogram("simpul_outbox_attempt_duration_seconds",
                                         "Outbox delivery attempt duration (reconcile + send).",
                                         {{"destination", name}})) {}

  obs::Counter& attempts(std::string_view outcome) {
    return core->metrics.counter("simpul_outbox_attempts_total", "Outbox delivery attempts by outcome.",
                                 {{"destination", name}, {"outcome", std::string(outcome)}});
  }

  void kick() {
    kicked = true;
    wake_timer.cancel();
  }

  void maybe_report_stopped() {
    if (stopping && loop_done && in_flight == 0 && !stop_reported && stop_state) {
      stop_reported = true;
      stop_state->one_done();
    }
  }

  store::OutboxClaim claim_request(std::size_t limit) const {
    store::OutboxClaim claim;
    claim.destination = name;
    claim.owner = owner;
    claim.lease_ms = lease_ms(policy);
    claim.limit = limit;
    return claim;
  }

  // On the strand: one attempt per claimed item, each holding a slot until its outcome is recorded.
  void spawn_attempts(const std::shared_ptr<Worker>& self, std::vector<store::OutboxItem> items) {
    for (auto& item : items) {
      ++in_flight;
      in_flight_gauge.add(1);
      asio::co_spawn(strand, attempt(self, std::move(item)), asio::detached);
    }
  }

  static awaitable<void> run(std::shared_ptr<Worker> self);
  static awaitable<void> attempt(std::shared_ptr<Worker> self, store::OutboxItem item);
  awaitable<void> process(const store::OutboxItem& item, store::DeliveryReport& report, std::string& label);
  void apply(const store::OutboxItem& item, const DeliveryResult& r, store::DeliveryReport& report, std::string& label);
  bool needs_reconcile(const store::OutboxItem& item);
};

awaitable<void> Engine::Worker::run(std::shared_ptr<Worker> self) {
  obs::log(obs::Level::info, "outbox worker started",
           {{"destination", self->name}, {"concurrency", static_cast<std::uint64_t>(self->policy.concurrency)}});
  while (!self->stopping) {
    std::size_t claimed = 0;
    if (self->in_flight < self->policy.concurrency) {
      const store::OutboxClaim claim = self->claim_request(self->policy.concurrency - self->in_flight);
      std::vector<store::OutboxItem> items;
      try {
        items = co_await store::await<std::vector<store::OutboxItem>>(
            [&](store::Store::Completion<std::vector<store::OutboxItem>> done) {
              self->core->store.claim_outbox(claim, std::move(done));
            });
      } catch (const std::exception& e) {
        obs::log(obs::Level::warn, "outbox claim failed", {{"destination", self->name}, {"error", e.what()}});
      }
      claimed = items.size();
      self->spawn_attempts(self, std::move(items));
    }
    if (self->stopping) break;
    if (claimed > 0 && self->in_flight < self->policy.concurrency) continue;  // more may be due
    if (self->kicked) {
      self->kicked = false;
      continue;
    }
    self->wake_timer.expires_after(self->policy.poll_interval);
    boost::system::error_code ec;
    co_await self->wake_timer.async_wait(asio::redirect_error(use_awaitable, ec));
    self->kicked = false;
  }
  self->loop_done = true;
  self->maybe_report_stopped();
}

bool Engine::Worker::needs_reconcile(const store::OutboxItem& item) {
  if (item.attempts == 0) return false;
  std::vector<store::OutboxAttempt> history;
  try {
    history = core->store.get_outbox_attempts(item.tenant, item.id);
  } catch (const std::exception&) {
    return true;  // cannot tell: the safe side
  }
  if (history.empty()) return false;
  const auto& last = history.back();
  return last.outcome == store::AttemptOutcome::lease_expired || last.error.find(kUnknownOutcome) != std::string::npos;
}

void Engine::Worker::apply(const store::OutboxItem& item, const DeliveryResult& r, store::DeliveryReport& report,
                           std::string& label) {
  report.http_status = r.http_status;
  if (report.http_status && (*report.http_status < 100 || *report.http_status > 599)) report.http_status.reset();
  switch (r.kind) {
    case DeliveryResult::delivered:
      report.outcome = store::AttemptOutcome::delivered;
      report.upstream_id = r.upstream_id;
      label = "delivered";
      return;
    case DeliveryResult::permanent:
      report.outcome = store::AttemptOutcome::dead;
      report.error = "refused: " + r.error;
      label = "permanent";
      return;
    case DeliveryResult::retry:
    case DeliveryResult::unknown:
      break;
  }
  const std::string error =
      (r.kind == DeliveryResult::unknown ? std::string(kUnknownOutcome) : std::string()) + r.error;
  label = r.kind == DeliveryResult::unknown ? "unknown" : "retry";
  const int failures = item.attempts - item.attempts_at_replay + 1;
  const store::UnixMillis age = core->options.clock() - std::max(item.created_at, item.replayed_at);
  if (failures >= policy.max_attempts) {
    report.outcome = store::AttemptOutcome::dead;
    report.error = "gave up after " + std::to_string(failures) + " attempts (max_attempts " +
                   std::to_string(policy.max_attempts) + "): " + error;
    return;
  }
  if (age >= policy.max_age.count()) {
    report.outcome = store::AttemptOutcome::dead;
    report.error = "gave up: older than max_age (" + std::to_string(policy.max_age.count() / 1000) + " s): " + error;
    return;
  }
  const milliseconds delay = std::max(backoff_delay(policy, failures, core->random01()), r.retry_after);
  report.outcome = store::AttemptOutcome::retry;
  report.error = error;
  report.retry_after_ms = delay.count();
}

awaitable<void> Engine::Worker::process(const store::OutboxItem& item, store::DeliveryReport& report,
                                        std::string& label) {
  if (needs_reconcile(item)) {
    std::optional<std::string> found;
    std::string failure;
    try {
      found = co_await with_timeout(dest->reconcile(item), policy.send_timeout);
    } catch (const Timeout&) {
      failure = "reconcile: no answer within send_timeout";
    } catch (const std::exception& e) {
      failure = std::string("reconcile: ") + e.what();
    }
    if (!failure.empty()) {
      // Still unknown: never send blind. Try again later.
      DeliveryResult r;
      r.kind = DeliveryResult::unknown;
      r.error = failure;
      apply(item, r, report, label);
      label = "reconcile_failed";
      co_return;
    }
    if (found) {
      report.outcome = store::AttemptOutcome::delivered;
      report.upstream_id = *found;
      report.error = "reconciled: found upstream, not sent again";
      label = "reconciled";
      co_return;
    }
  }
  DeliveryResult r;
  try {
    r = co_await with_timeout(dest->deliver(item), policy.send_timeout);
  } catch (const Timeout&) {
    r = DeliveryResult{};
    r.kind = DeliveryResult::unknown;
    r.error = "no answer within send_timeout";
  } catch (const std::exception& e) {
    r = DeliveryResult{};
    r.kind = DeliveryResult::unknown;
    r.error = e.what();
  }
  apply(item, r, report, label);
}

awaitable<void> Engine::Worker::attempt(std::shared_ptr<Worker> self, store::OutboxItem item) {
  const auto t0 = std::chrono::steady_clock::now();
  store::DeliveryReport report;
  report.item_id = item.id;
  report.tenant = item.tenant;
  report.lease_owner = self->owner;
  report.started_at = self->core->options.clock();
  std::string label = "unknown";
  if (!self->stopping) {
    // This attempt's slot, refilled in the same store write that records the outcome.
    report.then_claim = self->claim_request(1);
  }
  try {
    co_await self->process(item, report, label);
  } catch (const std::exception& e) {
    report.outcome = store::AttemptOutcome::retry;
    report.error = std::string(kUnknownOutcome) + e.what();
    report.retry_after_ms = backoff_delay(self->policy, 1, self->core->random01()).count();
  }
  self->duration.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  self->attempts(label).inc();
  try {
    store::OutcomeResult result =
        co_await store::await<store::OutcomeResult>([&](store::Store::Completion<store::OutcomeResult> done) {
          self->core->store.record_outcome(report, std::move(done));
        });
    // Claimed with the outcome: they take over this attempt's slot (the cap holds).
    self->spawn_attempts(self, std::move(result.claimed));
    if (!result.applied) {
      obs::log(obs::Level::warn, "outbox outcome recorded after the lease was lost",
               {{"destination", self->name}, {"item", item.id}, {"tenant", item.tenant}});
    } else if (result.status == store::OutboxStatus::dead) {
      self->core->metrics
          .counter("simpul_outbox_dead_total", "Outbox items that went dead (gave up).", {{"destination", self->name}})
          .inc();
      obs::log(obs::Level::warn, "outbox item dead",
               {{"destination", self->name}, {"item", item.id}, {"tenant", item.tenant}, {"reason", report.error}});
    }
  } catch (const std::exception& e) {
    // The lease lapses; the next claim records lease_expired and reconciles first.
    obs::log(obs::Level::error, "outbox outcome could not be recorded",
             {{"destination", self->name}, {"item", item.id}, {"error", e.what()}});
  }
  --self->in_flight;
  self->in_flight_gauge.add(-1);
  // A free slot: the worker looks for more (several kicks while it claims are one claim).
  if (!self->stopping && self->in_flight < self->policy.concurrency) self->kick();
  self->maybe_report_stopped();
}

// ---------------------------------------------------------------- the engine

Engine::Engine(asio::io_context& ioc, store::Store& store, obs::Registry& metrics, EngineOptions options)
    : core_(std::make_shared<Core>(ioc, store, metrics, std::move(options))) {}

Engine::~Engine() = default;

void Engine::add_destination(std::shared_ptr<Destination> destination) {
  if (!destination) throw std::invalid_argument("outbox: null destination");
  auto worker = std::make_shared<Worker>(core_, std::move(destination));
  std::lock_guard lock(mu_);
  if (workers_.count(worker->name)) throw std::invalid_argument("outbox: destination '" + worker->name + "' twice");
  workers_.emplace(worker->name, worker);
  if (started_ && !stopped_) asio::co_spawn(worker->strand, Worker::run(worker), asio::detached);
}

std::shared_ptr<Destination> Engine::destination(std::string_view name) const {
  std::lock_guard lock(mu_);
  auto it = workers_.find(name);
  return it == workers_.end() ? nullptr : it->second->dest;
}

std::vector<std::string> Engine::destinations() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& [name, w] : workers_) out.push_back(name);
  return out;
}

void Engine::start() {
  std::lock_guard lock(mu_);
  if (started_) return;
  started_ = true;
  for (auto& [name, w] : workers_) asio::co_spawn(w->strand, Worker::run(w), asio::detached);
  auto core = core_;
  asio::co_spawn(
      core->metrics_strand,
      [core]() -> awaitable<void> {
        while (!core->metrics_stopping) {
          core->refresh_metrics();
          core->metrics_timer.expires_after(core->options.settings.metrics_interval);
          boost::system::error_code ec;
          co_await core->metrics_timer.async_wait(asio::redirect_error(use_awaitable, ec));
        }
      },
      asio::detached);
}

void Engine::wake(std::string_view destination) {
  std::lock_guard lock(mu_);
  auto it = workers_.find(destination);
  if (it == workers_.end()) return;
  auto w = it->second;
  asio::post(w->strand, [w] { w->kick(); });
}

void Engine::stop(std::chrono::milliseconds grace, std::function<void()> done) {
  auto state = std::make_shared<StopState>();
  state->done = std::move(done);
  std::vector<std::shared_ptr<Worker>> workers;
  bool was_started = false;
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
    was_started = started_;
    for (auto& [name, w] : workers_) workers.push_back(w);
  }
  auto core = core_;
  asio::post(core->metrics_strand, [core] {
    core->metrics_stopping = true;
    core->metrics_timer.cancel();
  });
  if (!was_started || workers.empty()) {
    asio::post(core->ioc, [state] { state->fire(); });
    return;
  }
  state->remaining = workers.size();
  state->grace = std::make_unique<asio::steady_timer>(core->ioc, grace);
  state->grace->async_wait([state](const boost::system::error_code& ec) {
    if (ec) return;
    obs::log(obs::Level::warn, "outbox stop: grace ran out with attempts in flight (their leases will lapse)");
    state->fire();
  });
  for (auto& w : workers) {
    asio::post(w->strand, [w, state] {
      w->stopping = true;
      w->stop_state = state;
      w->wake_timer.cancel();
      w->maybe_report_stopped();
    });
  }
}

std::size_t Engine::in_flight(std::string_view destination) const {
  std::lock_guard lock(mu_);
  auto it = workers_.find(destination);
  return it == workers_.end() ? 0 : it->second->in_flight.load();
}

void Engine::refresh_metrics() {
  core_->refresh_metrics();
}

}  // namespace simpul::adapter::outbox
