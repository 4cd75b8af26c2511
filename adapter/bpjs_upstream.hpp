#pragma once
// The BPJS side of a running server: one HTTP client, one limiter keyed by
// consId, one clock per consId, and a BpjsClient for every tenant that has BPJS
// credentials. Credentials are resolved from their references once, at start.
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "adapter/config.hpp"
#include "connectors/bpjs/client.hpp"
#include "connectors/http/client.hpp"
#include "connectors/http/limiter.hpp"
#include "connectors/observability/metrics.hpp"

namespace simpul::adapter {

// tenants[].credentials keys -> BpjsCredentials fields.
//   bpjs_cons_id, bpjs_secret_key (both required for any BPJS call),
//   bpjs_user_key_vclaim, bpjs_user_key_pcare, bpjs_user_key_antrean,
//   pcare_username, pcare_password, pcare_kd_aplikasi (the puskesmas P-Care login)
// Returns false when the tenant has no consId/secret (it cannot call BPJS).
// Throws ConfigError naming a reference that cannot be resolved.
bool tenant_bpjs_credentials(const Config& config, const Tenant& tenant, connectors::bpjs::BpjsCredentials& out);

// The base URLs for `[bpjs] endpoint` (for "simulator" the caller uses
// BpjsEndpoints::at() with the simulator's loopback origin).
connectors::bpjs::BpjsEndpoints bpjs_endpoints(const BpjsSettings& settings);

class BpjsUpstream {
 public:
  BpjsUpstream(boost::asio::io_context& io, const Config& config, connectors::bpjs::BpjsEndpoints endpoints,
               connectors::obs::Registry& metrics);
  ~BpjsUpstream();
  BpjsUpstream(const BpjsUpstream&) = delete;
  BpjsUpstream& operator=(const BpjsUpstream&) = delete;

  // nullptr when the tenant has no BPJS credentials.
  connectors::bpjs::BpjsClient* client(std::string_view tenant_id);
  const connectors::bpjs::BpjsEndpoints& endpoints() const noexcept { return endpoints_; }

 private:
  connectors::bpjs::BpjsEndpoints endpoints_;
  connectors::http::HttpClient http_;
  connectors::http::KeyedLimiter limiter_;
  connectors::bpjs::UpstreamClocks clocks_;
  std::map<std::string, std::unique_ptr<connectors::bpjs::BpjsClient>, std::less<>> clients_;
};

}  // namespace simpul::adapter
