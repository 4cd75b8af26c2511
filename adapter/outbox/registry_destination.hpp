#pragma once
// A registry as an outbox destination (docs/registry.md): a facility's MeasureReports go
// to a SATUSEHAT-style endpoint (OAuth2 client credentials + FHIR), normally a Simpul in
// registry role. One item per MeasureReport version; its idempotency key is (tenant,
// measure, period, content hash). Before it is stored the report is stamped with the
// facility as reporter and an identifier
//   https://fhir.simpul.id/sid/measure-report | {tenant}|{measure}|{start}/{end}|{hash16}
// which is the reconcile key: after an unknown outcome (or a duplicate answer) the
// registry is searched by it before anything is sent again. The OAuth2 token logic is
// the SATUSEHAT client's (connectors/satusehat), pointed at the registry's paths.
#include <map>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <rapidjson/document.h>

#include "adapter/config.hpp"
#include "adapter/outbox/destination.hpp"
#include "adapter/outbox/engine.hpp"
#include "adapter/store/store.hpp"
#include "connectors/http/client.hpp"
#include "connectors/satusehat/client.hpp"

namespace simpul::adapter::outbox {

inline constexpr std::string_view kMeasureReportIdentifierSystem = "https://fhir.simpul.id/sid/measure-report";

// The outbox item of `report` for `tenant` (payload: the stamped MeasureReport). Throws
// fhir::Error: 400 naming what is wrong with the report, 403 when the tenant has no
// registry facility id, 422 when the report names another facility as reporter or the
// tenant does not route to the registry.
store::OutboxItem registry_item(const rapidjson::Value& report, const Tenant& tenant);

// Accepts `report` for delivery to the registry (what POST /fhir/MeasureReport and the
// scheduled evaluator call): checks and stamps it, writes the item, wakes the worker.
// An unchanged report submitted again is the same item (created = false). Throws
// fhir::Error as registry_item does, store::StoreError when the store fails.
boost::asio::awaitable<store::EnqueueResult> submit_measure_report(store::Store& store, Engine& engine,
                                                                   const Tenant& tenant,
                                                                   const rapidjson::Value& report);

// [registry] endpoint + auth_path / fhir_path.
connectors::satusehat::SatusehatEndpoints registry_endpoints(const RegistrySettings& settings);

// tenants[].credentials registry_client_id / registry_client_secret; false when the tenant
// has none. Throws ConfigError naming an unresolvable reference.
bool tenant_registry_credentials(const Config& config, const Tenant& tenant,
                                 connectors::satusehat::SatusehatCredentials& out);

class RegistryDestination final : public Destination {
 public:
  RegistryDestination(boost::asio::io_context& io, const Config& config,
                      connectors::satusehat::SatusehatEndpoints endpoints);
  ~RegistryDestination() override;

  std::string name() const override { return std::string(kDestinationRegistry); }
  boost::asio::awaitable<DeliveryResult> deliver(const store::OutboxItem& item) override;
  boost::asio::awaitable<std::optional<std::string>> reconcile(const store::OutboxItem& item) override;

 private:
  const connectors::satusehat::SatusehatCredentials* credentials(const std::string& tenant) const;

  connectors::http::HttpClient http_;
  connectors::satusehat::SatusehatClient client_;
  std::map<std::string, connectors::satusehat::SatusehatCredentials, std::less<>> tenants_;
};

}  // namespace simpul::adapter::outbox
