#include "adapter/reference_cache.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>

#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "adapter/bpjs_outcome.hpp"
#include "adapter/store/await.hpp"
#include "connectors/observability/log.hpp"
#include "fhir/error.hpp"

namespace simpul::adapter {

namespace asio = boost::asio;
namespace obs = connectors::obs;
namespace wire = mappings::bpjs;
using boost::asio::awaitable;

namespace {

// The stored value: the list in V-Claim's own {kode, nama} shape under one key.
constexpr std::string_view kValueKey = "list";
// The longest wait after a failed background refresh before the next one (capped by the TTL).
constexpr std::chrono::milliseconds kRefreshBackoff{30'000};

std::string flight_key(const ReferenceKey& k) {
  return k.tenant + '\x1f' + k.kind + '\x1f' + k.key;
}

}  // namespace

std::string_view to_string(CacheResult result) noexcept {
  switch (result) {
    case CacheResult::hit:
      return "hit";
    case CacheResult::miss:
      return "miss";
    case CacheResult::stale:
      return "stale";
  }
  return "?";
}

struct ReferenceCache::Shared {
  store::Store& store;
  obs::Registry& metrics;
  ReferenceCacheSettings settings;

  std::mutex mutex;
  // Keys with a refresh in flight, or whose last refresh failed: no new refresh before `not_before`.
  struct Flight {
    bool in_flight = false;
    std::chrono::steady_clock::time_point not_before{};
  };
  std::map<std::string, Flight> flights;

  Shared(store::Store& s, obs::Registry& m, ReferenceCacheSettings st) : store(s), metrics(m), settings(st) {}

  void count(const ReferenceKey& key, std::string_view result) {
    metrics
        .counter("simpul_reference_cache_total", "Reference-data lookups by list and cache result.",
                 {{"kind", key.kind}, {"result", std::string(result)}})
        .inc();
  }

  // True when the caller should start a refresh of `key` (and is now its owner).
  bool claim_refresh(const std::string& fk) {
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex);
    Flight& f = flights[fk];
    if (f.in_flight || now < f.not_before) return false;
    f.in_flight = true;
    return true;
  }

  void end_refresh(const std::string& fk, bool ok) {
    std::lock_guard lock(mutex);
    if (ok) {
      flights.erase(fk);
      return;
    }
    Flight& f = flights[fk];
    f.in_flight = false;
    f.not_before = std::chrono::steady_clock::now() + std::min(kRefreshBackoff, settings.ttl);
  }

  std::optional<store::CachedReference> read(const ReferenceKey& key) {
    try {
      return store.get_reference(key.tenant, key.kind, key.key);
    } catch (const std::exception& e) {
      obs::log(obs::Level::warn, "reference cache read failed",
               {{"kind", key.kind}, {"key", key.key}, {"error", e.what()}});
      return std::nullopt;
    }
  }

  // Writes the list; waits for the commit so that the next request finds it. Errors are logged.
  awaitable<void> write(const ReferenceKey& key, const ReferenceItems& items) {
    store::ReferencePut put;
    put.tenant = key.tenant;
    put.kind = key.kind;
    put.key = key.key;
    put.value = wire::to_json(items, kValueKey);
    put.ttl_ms = (items.empty() ? std::min(settings.empty_ttl, settings.ttl) : settings.ttl).count();
    try {
      co_await store::await_done(
          [&](store::Store::Done done) { store.put_reference(std::move(put), std::move(done)); });
    } catch (const std::exception& e) {
      obs::log(obs::Level::warn, "reference cache write failed",
               {{"kind", key.kind}, {"key", key.key}, {"error", e.what()}});
    }
  }
};

namespace {

// One background refresh; owns everything it uses.
awaitable<void> refresh(std::shared_ptr<ReferenceCache::Shared> shared, ReferenceKey key, ReferenceFetch fetch) {
  const std::string fk = flight_key(key);
  bool ok = false;
  try {
    auto outcome = co_await fetch();
    if (outcome || bpjs_not_found(outcome.error())) {
      ReferenceItems items;
      if (outcome) items = std::move(*outcome);
      co_await shared->write(key, items);
      ok = true;
    } else {
      obs::log(obs::Level::warn, "reference refresh failed; serving the cached list",
               {{"kind", key.kind}, {"key", key.key}, {"error", outcome.error().describe()}});
    }
  } catch (const std::exception& e) {
    obs::log(obs::Level::warn, "reference refresh failed; serving the cached list",
             {{"kind", key.kind}, {"key", key.key}, {"error", e.what()}});
  }
  shared->count(key, ok ? "refresh_ok" : "refresh_failed");
  shared->end_refresh(fk, ok);
}

}  // namespace

ReferenceCache::ReferenceCache(store::Store& store, obs::Registry& metrics, ReferenceCacheSettings settings)
    : shared_(std::make_shared<Shared>(store, metrics, settings)) {}

ReferenceCache::~ReferenceCache() = default;

awaitable<ReferenceAnswer> ReferenceCache::get(ReferenceKey key, ReferenceFetch fetch) {
  if (auto cached = shared_->read(key)) {
    auto items = wire::parse_referensi(cached->value, kValueKey);
    if (items) {
      ReferenceAnswer answer;
      answer.items = std::move(*items);
      answer.fetched_at = cached->fetched_at;
      answer.result = cached->stale ? CacheResult::stale : CacheResult::hit;
      shared_->count(key, to_string(answer.result));
      if (cached->stale && fetch && shared_->claim_refresh(flight_key(key))) {
        auto executor = co_await asio::this_coro::executor;
        asio::co_spawn(executor, refresh(shared_, key, std::move(fetch)), asio::detached);
      }
      co_return answer;
    }
    obs::log(obs::Level::warn, "reference cache entry unreadable; asking BPJS",
             {{"kind", key.kind}, {"key", key.key}, {"error", items.error().text()}});
  }
  shared_->count(key, "miss");
  if (!fetch) {
    throw fhir::Error::forbidden("This facility has no BPJS credentials configured, and the list is not cached.", {},
                                 "reference " + key.kind + " '" + key.key + "' not cached; tenant cannot call BPJS");
  }
  ReferenceAnswer answer;
  answer.result = CacheResult::miss;
  answer.fetched_at = store::system_clock_millis();
  auto outcome = co_await fetch();
  if (outcome) {
    answer.items = std::move(*outcome);
  } else if (!bpjs_not_found(outcome.error())) {
    throw bpjs_failure("V-Claim", outcome.error());
  }
  co_await shared_->write(key, answer.items);
  co_return answer;
}

}  // namespace simpul::adapter
