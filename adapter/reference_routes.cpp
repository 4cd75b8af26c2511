#include "adapter/reference_routes.hpp"

#include <cstdio>
#include <memory>
#include <optional>
#include <random>

#include "adapter/dry_run.hpp"
#include "adapter/reference_cache.hpp"
#include "adapter/vclaim_routes.hpp"
#include "connectors/bpjs/vclaim_client.hpp"
#include "connectors/http/response.hpp"
#include "fhir/bundle.hpp"
#include "fhir/content_type.hpp"
#include "fhir/json.hpp"
#include "mappings/vclaim_fhir/referensi.hpp"

namespace simpul::adapter {

namespace {

namespace http = connectors::http;
namespace bpjs = connectors::bpjs;
namespace vf = mappings::vclaim_fhir;
using boost::asio::awaitable;
using Fetched = bpjs::Outcome<ReferenceItems>;

// ------------------------------------------------------------------ BPJS calls

// One referensi list. By-value parameters: a background refresh may run it after the
// request that started it has ended. The BpjsClient lives as long as the server.
awaitable<Fetched> fetch_list(bpjs::BpjsClient* client, bpjs::UpstreamRequest request, std::string list_key) {
  bpjs::VClaimClient vclaim(*client);
  Fetched result = co_await vclaim.referensi(std::move(request), list_key);
  co_return result;
}

// What a lookup would ask V-Claim on a cache miss.
struct ListRequest {
  bpjs::UpstreamRequest wire;
  std::string_view list_key;
  vf::Trace trace;
};

ReferenceFetch fetcher(bpjs::BpjsClient* client, const ListRequest& r) {
  if (client == nullptr) return {};
  return [client, wire = r.wire, key = std::string(r.list_key)] { return fetch_list(client, wire, key); };
}

// _dryRun=true: the request a cache miss would send; the cache is not consulted.
std::optional<http::Response> dry_run(RequestContext& ctx, BpjsUpstream& upstream,
                                      const std::vector<ListRequest>& lists) {
  if (!dry_run_requested(ctx)) return std::nullopt;
  const bpjs::BpjsClient& client = tenant_client(ctx, upstream);
  std::vector<bpjs::UpstreamRequest> wires;
  vf::Trace trace;
  for (const auto& l : lists) {
    wires.push_back(l.wire);
    trace.insert(trace.end(), l.trace.begin(), l.trace.end());
  }
  return fhir_response(ctx, 200, dry_run_parameters(client, bpjs::Service::vclaim, wires, trace));
}

// ------------------------------------------------------------------ answers

// A random (version 4) UUID for ValueSet.expansion.identifier.
std::string new_uuid() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const std::uint64_t hi = (rng() & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
  const std::uint64_t lo = (rng() & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  char buf[48];
  std::snprintf(buf, sizeof buf, "urn:uuid:%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xffff),
                static_cast<unsigned>(lo >> 48), static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return buf;
}

// What several cache answers say together: the oldest fetch, stale if any is.
struct Combined {
  store::UnixMillis fetched_at = 0;
  CacheResult result = CacheResult::hit;

  void add(const ReferenceAnswer& a) {
    fetched_at = fetched_at == 0 ? a.fetched_at : std::min(fetched_at, a.fetched_at);
    if (a.result == CacheResult::stale || (a.result == CacheResult::miss && result == CacheResult::hit))
      result = a.result;
  }
  vf::CacheInfo info() const {
    vf::CacheInfo c;
    c.fetched_at = jakarta_instant(std::chrono::system_clock::time_point(std::chrono::milliseconds(fetched_at)));
    c.stale = result == CacheResult::stale;
    return c;
  }
};

// 200 with the resource; X-Simpul-Cache says hit / miss / stale, and a stale answer
// also carries the HTTP Warning 110.
http::Response answer(RequestContext& ctx, const rapidjson::Value& resource, CacheResult result) {
  auto res = fhir_response(ctx, 200, resource);
  res.set("X-Simpul-Cache", std::string(to_string(result)));
  if (result == CacheResult::stale) res.set("Warning", "110 simpul \"Response is Stale\"");
  return res;
}

bpjs::BpjsClient* client_of(RequestContext& ctx, BpjsUpstream& upstream) {
  return upstream.client(ctx.principal->tenant->id);
}

// ------------------------------------------------------------------ handlers

awaitable<http::Response> expand_value_set(RequestContext& ctx, BpjsUpstream& upstream, ReferenceCache& cache) {
  vf::ExpandParams params;
  params.url = ctx.param("url");
  params.filter = ctx.param("filter");
  params.count = ctx.param("count");
  params.offset = ctx.param("offset");
  params.propinsi = ctx.param("propinsi");
  const vf::ExpandRequest request = vf::parse_expand_request(params);
  bpjs::BpjsClient* client = client_of(ctx, upstream);

  ReferenceKey key;
  ListRequest list;
  switch (request.value_set->list) {
    case vf::CodeList::poli:
      key.kind = "vclaim.poli";
      key.key = request.filter;
      list = {bpjs::vclaim_request::referensi_poli(request.filter),
              bpjs::wire::referensi_key::poli,
              {{"keyword", request.filter, "filter"}}};
      break;
    case vf::CodeList::diagnosa:
      key.kind = "vclaim.diagnosa";
      key.key = request.filter;
      list = {bpjs::vclaim_request::referensi_diagnosa(request.filter),
              bpjs::wire::referensi_key::diagnosa,
              {{"keyword", request.filter, "filter"}}};
      break;
    case vf::CodeList::propinsi:
      key.kind = "vclaim.propinsi";
      key.key = "all";
      list = {bpjs::vclaim_request::referensi_propinsi(), bpjs::wire::referensi_key::propinsi, {}};
      break;
    case vf::CodeList::kabupaten:
      key.kind = "vclaim.kabupaten";
      key.key = request.propinsi;
      list = {bpjs::vclaim_request::referensi_kabupaten(request.propinsi),
              bpjs::wire::referensi_key::kabupaten,
              {{"kdPropinsi", request.propinsi, "propinsi"}}};
      break;
  }
  if (auto dry = dry_run(ctx, upstream, {list})) co_return std::move(*dry);
  ReferenceFetch fetch = fetcher(client, list);
  const ReferenceAnswer found = co_await cache.get(std::move(key), std::move(fetch));
  Combined combined;
  combined.add(found);
  const rapidjson::Document doc = vf::expand_value_set(request, found.items, new_uuid(), combined.info());
  co_return answer(ctx, doc, combined.result);
}

awaitable<http::Response> search_organization(RequestContext& ctx, BpjsUpstream& upstream, ReferenceCache& cache) {
  const vf::OrganizationSearch search =
      vf::parse_organization_search(ctx.param("identifier"), ctx.param("name"), ctx.param("type"));
  bpjs::BpjsClient* client = client_of(ctx, upstream);
  auto list_of = [&](int level) {
    const auto jenis = level == 2 ? bpjs::JenisFaskes::rs : bpjs::JenisFaskes::fktp;
    return ListRequest{
        bpjs::vclaim_request::referensi_faskes(search.keyword, jenis),
        bpjs::wire::referensi_key::faskes,
        {{"keyword", search.keyword, "identifier / name"}, {"jenisFaskes", std::to_string(level), "type"}}};
  };
  std::vector<ListRequest> lists;
  for (const int level : search.levels) lists.push_back(list_of(level));
  if (auto dry = dry_run(ctx, upstream, lists)) co_return std::move(*dry);
  fhir::SearchsetBuilder bundle;
  std::uint64_t total = 0;
  Combined combined;
  for (std::size_t i = 0; i < lists.size(); ++i) {
    const int level = search.levels[i];
    ReferenceKey key;
    key.kind = "vclaim.faskes";
    key.key = std::to_string(level) + ":" + search.keyword;
    ReferenceFetch fetch = fetcher(client, lists[i]);
    const ReferenceAnswer found = co_await cache.get(std::move(key), std::move(fetch));
    combined.add(found);
    for (const auto& item : found.items) {
      if (!vf::organization_matches(search, item)) continue;
      bundle.add("urn:bpjs:faskes:" + item.kode, vf::organization_from_faskes(item, level));
      ++total;
    }
  }
  bundle.total(total);
  rapidjson::Document doc = bundle.finish();
  vf::mark_cache(doc, combined.info());
  co_return answer(ctx, doc, combined.result);
}

awaitable<http::Response> search_practitioner(RequestContext& ctx, BpjsUpstream& upstream, ReferenceCache& cache) {
  const vf::PractitionerSearch search = vf::parse_practitioner_search(
      ctx.param("specialty"), ctx.param("date"), ctx.param("service-type"), ctx.param("identifier"), ctx.param("name"),
      jakarta_date(std::chrono::system_clock::now()));
  bpjs::BpjsClient* client = client_of(ctx, upstream);
  ReferenceKey key;
  key.tenant = ctx.principal->tenant->id;  // the DPJP list depends on the hospital
  key.kind = "vclaim.dokter";
  key.key = std::to_string(search.jenis_pelayanan) + ":" + search.date + ":" + search.spesialis;
  const auto day = bpjs::wire::parse_ymd(search.date);
  if (!day) throw fhir::Error::value("date must be a full date (yyyy-mm-dd).", "date");
  const ListRequest list{
      bpjs::vclaim_request::referensi_dokter_dpjp(
          search.jenis_pelayanan == 1 ? bpjs::JenisPelayanan::rawat_inap : bpjs::JenisPelayanan::rawat_jalan, *day,
          search.spesialis),
      bpjs::wire::referensi_key::dokter,
      {{"jnsPelayanan", std::to_string(search.jenis_pelayanan), "service-type"},
       {"tglPelayanan", search.date, "date"},
       {"kdSpesialis", search.spesialis, "specialty"}}};
  if (auto dry = dry_run(ctx, upstream, {list})) co_return std::move(*dry);
  ReferenceFetch fetch = fetcher(client, list);
  const ReferenceAnswer found = co_await cache.get(std::move(key), std::move(fetch));
  Combined combined;
  combined.add(found);
  fhir::SearchsetBuilder bundle;
  std::uint64_t total = 0;
  for (const auto& item : found.items) {
    if (!vf::practitioner_matches(search, item)) continue;
    bundle.add("urn:bpjs:dpjp:" + item.kode, vf::practitioner_from_dpjp(item));
    ++total;
  }
  bundle.total(total);
  rapidjson::Document doc = bundle.finish();
  vf::mark_cache(doc, combined.info());
  co_return answer(ctx, doc, combined.result);
}

}  // namespace

void add_reference_routes(App& app, BpjsUpstream& upstream, store::Store& store, connectors::obs::Registry& metrics,
                          const Config& config) {
  ReferenceCacheSettings settings;
  settings.ttl = config.bpjs.reference_ttl;
  settings.empty_ttl = config.bpjs.reference_empty_ttl;
  auto cache = std::make_shared<ReferenceCache>(store, metrics, settings);
  auto route = [&app](std::string path, RouteHandler handler) {
    std::string label = path;
    app.add_route({"GET",
                   std::move(path),
                   std::move(label),
                   true,
                   {Role::eligibility, Role::submitter},
                   true,
                   std::move(handler)});
  };
  route("/fhir/ValueSet/$expand",
        [&upstream, cache](RequestContext& ctx) { return expand_value_set(ctx, upstream, *cache); });
  route("/fhir/Organization",
        [&upstream, cache](RequestContext& ctx) { return search_organization(ctx, upstream, *cache); });
  route("/fhir/Practitioner",
        [&upstream, cache](RequestContext& ctx) { return search_practitioner(ctx, upstream, *cache); });
}

}  // namespace simpul::adapter
