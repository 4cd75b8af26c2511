#pragma once
// The V-Claim reference-data cache (docs/mappings/vclaim.md, "Reference data"): lists
// fetched from BPJS are kept in the store's reference_cache table, fresh for a TTL.
//
//   fresh entry            -> answered from the store; BPJS is not called
//   entry older than TTL   -> answered from the store at once ("stale"), and one
//                             background refresh per key is started (none while one
//                             is in flight, none for min(TTL, 30 s) after one failed)
//   no entry               -> BPJS is called, the list stored, then answered ("miss");
//                             V-Claim's "not found" is an empty list, cached for
//                             min(TTL, empty TTL); any other failure is the usual
//                             bpjs_failure() error (502/503/504, Retry-After)
//
// A store that cannot be read or written degrades to calling BPJS (logged). Stale
// entries are served for as long as they are stale: a BPJS outage never breaks a
// lookup that was answered once.
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "adapter/store/store.hpp"
#include "connectors/bpjs/client.hpp"
#include "connectors/observability/metrics.hpp"
#include "mappings/bpjs/vclaim.hpp"

namespace simpul::adapter {

struct ReferenceCacheSettings {
  std::chrono::milliseconds ttl{std::chrono::hours(24)};
  std::chrono::milliseconds empty_ttl{std::chrono::hours(1)};  // for "not found" answers
};

using ReferenceItems = std::vector<mappings::bpjs::ReferensiItem>;

// Asks BPJS for one list. It may run in a background refresh after the request that
// started it has ended: it must own what it uses (capture by value).
using ReferenceFetch = std::function<boost::asio::awaitable<connectors::bpjs::Outcome<ReferenceItems>>()>;

struct ReferenceKey {
  std::string tenant;  // "" = shared by all tenants
  std::string kind;    // e.g. "vclaim.poli"
  std::string key;     // normalized parameters, e.g. "dalam" or "2:rsud"
};

enum class CacheResult { hit, miss, stale };
std::string_view to_string(CacheResult result) noexcept;

struct ReferenceAnswer {
  ReferenceItems items;
  store::UnixMillis fetched_at = 0;  // when the list came from BPJS
  CacheResult result = CacheResult::miss;
};

class ReferenceCache {
 public:
  ReferenceCache(store::Store& store, connectors::obs::Registry& metrics, ReferenceCacheSettings settings);
  ~ReferenceCache();
  ReferenceCache(const ReferenceCache&) = delete;
  ReferenceCache& operator=(const ReferenceCache&) = delete;

  // The list for `key`. An empty `fetch` means the caller cannot ask BPJS (the tenant
  // has no credentials): a miss is then 403, a stale entry is served unrefreshed.
  // Throws fhir::Error when there is no entry and BPJS fails.
  boost::asio::awaitable<ReferenceAnswer> get(ReferenceKey key, ReferenceFetch fetch);

  struct Shared;  // state shared with background refreshes (they may outlive a request)

 private:
  std::shared_ptr<Shared> shared_;
};

}  // namespace simpul::adapter
