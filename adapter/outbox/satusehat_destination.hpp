#pragma once
// SATUSEHAT as an outbox destination (docs/mappings/satusehat.md, "Delivery"). A pushed
// visit becomes one item whose payload is the bundle as the SIMPUS sent it; each attempt
// renders it with today's mapping (mappings/satusehat_fhir) into one transaction Bundle,
// after looking up the patient's and practitioners' IHS ids by NIK (cached by the
// client), and posts it. The Encounter's http://sys-ids.kemkes.go.id/encounter/{org}
// identifier is the reconcile key: after an unknown outcome, or a "duplicate" answer, the
// Encounter is searched by it before anything is sent again.
#include <map>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <rapidjson/document.h>

#include "adapter/config.hpp"
#include "adapter/outbox/destination.hpp"
#include "adapter/outbox/intake_plan.hpp"
#include "connectors/http/client.hpp"
#include "connectors/satusehat/client.hpp"

namespace simpul::adapter::outbox {

// Intake: the SATUSEHAT item of a pushed encounter for `tenant`. Throws fhir::Error 400
// naming the element SATUSEHAT would refuse (checked without any lookup).
void plan_satusehat(const rapidjson::Value& bundle, const Tenant& tenant, IntakePlan& plan);

// A SATUSEHAT-style upstream's error (SATUSEHAT itself, a registry) as the engine needs it:
// retry before sending, on 429, 5xx and our own credentials (`credentials` names the tenant
// keys to check); unknown when it was sent without a readable answer (reconciled first);
// permanent when refused. The stored error starts with `error_prefix`.
DeliveryResult delivery_result_of(const connectors::satusehat::SatusehatError& e, const std::string& error_prefix,
                                  std::string_view credentials);

// The outbound HTTP pool of a SATUSEHAT-style upstream (SATUSEHAT, a registry): TLS with
// `ca_bundle`, `max_connections` to the host, a whole-call bound past the slower timeout.
connectors::http::ClientOptions oauth_fhir_http_options(const std::string& ca_bundle, std::size_t max_connections,
                                                         std::chrono::milliseconds read_timeout,
                                                         std::chrono::milliseconds write_timeout);

// `[satusehat] endpoint` -> the auth and FHIR bases (for "simulator" the caller passes the
// simulator's loopback origin to satusehat_endpoints_at).
connectors::satusehat::SatusehatEndpoints satusehat_endpoints(const SatusehatSettings& settings);
connectors::satusehat::SatusehatEndpoints satusehat_endpoints_at(const std::string& origin);

// tenants[].credentials satusehat_client_id / satusehat_client_secret and the tenant's
// organization id; false when the tenant has none. Throws ConfigError naming an
// unresolvable reference.
bool tenant_satusehat_credentials(const Config& config, const Tenant& tenant,
                                  connectors::satusehat::SatusehatCredentials& out);

class SatusehatDestination final : public Destination {
 public:
  SatusehatDestination(boost::asio::io_context& io, const Config& config,
                       connectors::satusehat::SatusehatEndpoints endpoints);
  ~SatusehatDestination() override;

  std::string name() const override { return std::string(kDestinationSatusehat); }
  boost::asio::awaitable<DeliveryResult> deliver(const store::OutboxItem& item) override;
  boost::asio::awaitable<std::optional<std::string>> reconcile(const store::OutboxItem& item) override;

 private:
  struct TenantSide {
    connectors::satusehat::SatusehatCredentials credentials;
    const Tenant* tenant = nullptr;
  };
  const TenantSide* side(const std::string& tenant) const;

  const Config& config_;
  connectors::http::HttpClient http_;
  connectors::satusehat::SatusehatClient client_;
  std::map<std::string, TenantSide, std::less<>> tenants_;
};

}  // namespace simpul::adapter::outbox
