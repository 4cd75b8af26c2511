#include "adapter/bpjs_upstream.hpp"

#include <algorithm>
#include <utility>

namespace simpul::adapter {

namespace bpjs = connectors::bpjs;

bool tenant_bpjs_credentials(const Config& config, const Tenant& tenant, bpjs::BpjsCredentials& out) {
  auto get = [&](const char* key, std::string& field) {
    auto it = tenant.credentials.find(key);
    if (it != tenant.credentials.end()) field = resolve_secret(config, it->second);
  };
  if (!tenant.credentials.count("bpjs_cons_id") || !tenant.credentials.count("bpjs_secret_key")) return false;
  get("bpjs_cons_id", out.cons_id);
  get("bpjs_secret_key", out.secret_key);
  get("bpjs_user_key_vclaim", out.user_key_vclaim);
  get("bpjs_user_key_pcare", out.user_key_pcare);
  get("bpjs_user_key_antrean", out.user_key_antrean);
  get("pcare_username", out.pcare_username);
  get("pcare_password", out.pcare_password);
  get("pcare_kd_aplikasi", out.kd_aplikasi);
  return true;
}

namespace {

connectors::http::ClientOptions http_options(const BpjsSettings& settings) {
  connectors::http::ClientOptions o;
  o.ca_bundle = settings.ca_bundle;
  o.proxy = settings.proxy;
  o.connect_timeout = settings.connect_timeout;
  o.max_host_connections = static_cast<long>(settings.max_connections);
  o.max_total_connections = std::max(256L, 3 * o.max_host_connections);  // V-Claim, P-Care, Antrean hosts
  o.max_in_flight = std::max<std::size_t>(o.max_in_flight, 2 * settings.max_connections);
  o.max_queued = std::max<std::size_t>(o.max_queued, settings.max_waiting);
  return o;
}

connectors::http::LimitOptions consumer_limits(const BpjsSettings& settings) {
  connectors::http::LimitOptions l;
  l.max_concurrent = settings.max_concurrent;
  l.rate_per_second = settings.rate_per_second;
  l.burst = std::max(1.0, settings.rate_per_second);
  l.max_waiters = settings.max_waiting;
  return l;
}

}  // namespace

bpjs::BpjsEndpoints bpjs_endpoints(const BpjsSettings& settings) {
  if (settings.endpoint == "development") return bpjs::BpjsEndpoints::development();
  if (settings.endpoint.rfind("http://", 0) == 0 || settings.endpoint.rfind("https://", 0) == 0) {
    return bpjs::BpjsEndpoints::at(settings.endpoint);
  }
  return bpjs::BpjsEndpoints::production();
}

BpjsUpstream::BpjsUpstream(boost::asio::io_context& io, const Config& config, bpjs::BpjsEndpoints endpoints,
                           connectors::obs::Registry& metrics)
    : endpoints_(std::move(endpoints)), http_(io, http_options(config.bpjs)),
      limiter_(io, consumer_limits(config.bpjs)),
      clocks_(0) {
  bpjs::BpjsClientOptions options;
  options.endpoints = endpoints_;
  options.timeouts.read = config.bpjs.read_timeout;
  options.timeouts.write = config.bpjs.write_timeout;
  options.timeouts.connect = config.bpjs.connect_timeout;
  options.metrics = &metrics;
  for (const Tenant& tenant : config.tenants) {
    bpjs::BpjsCredentials credentials;
    if (!tenant_bpjs_credentials(config, tenant, credentials)) continue;
    clients_.emplace(tenant.id,
                     std::make_unique<bpjs::BpjsClient>(http_, limiter_, clocks_, std::move(credentials), options));
  }
}

BpjsUpstream::~BpjsUpstream() = default;

bpjs::BpjsClient* BpjsUpstream::client(std::string_view tenant_id) {
  auto it = clients_.find(tenant_id);
  return it == clients_.end() ? nullptr : it->second.get();
}

}  // namespace simpul::adapter
