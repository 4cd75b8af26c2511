#include "adapter/outbox/registry_destination.hpp"

#include <algorithm>
#include <utility>

#include "adapter/auth.hpp"
#include "adapter/outbox/satusehat_destination.hpp"
#include "adapter/store/await.hpp"
#include "fhir/error.hpp"
#include "fhir/json.hpp"
#include "fhir/measure_report_shape.hpp"

namespace simpul::adapter::outbox {

namespace {

namespace ss = connectors::satusehat;
using boost::asio::awaitable;

DeliveryResult result(DeliveryResult::Kind kind, std::string error) {
  DeliveryResult r;
  r.kind = kind;
  r.error = std::move(error);
  return r;
}

// The registry's answer as the engine needs it (the client scrubs secrets from it).
DeliveryResult from_error(const ss::SatusehatError& e) {
  return delivery_result_of(e, "registry: ", "registry_client_id / registry_client_secret");
}

// "system|value" of an item (its source_id), for the registry search.
const std::string& identifier_of(const store::OutboxItem& item) { return item.source_id; }

}  // namespace

ss::SatusehatEndpoints registry_endpoints(const RegistrySettings& settings) {
  std::string o = settings.endpoint;
  while (!o.empty() && o.back() == '/') o.pop_back();
  return {o + settings.auth_path, o + settings.fhir_path};
}

bool tenant_registry_credentials(const Config& config, const Tenant& tenant, ss::SatusehatCredentials& out) {
  const auto id = tenant.credentials.find("registry_client_id");
  const auto secret = tenant.credentials.find("registry_client_secret");
  if (id == tenant.credentials.end() || secret == tenant.credentials.end()) return false;
  out.client_id = resolve_secret(config, id->second);
  out.client_secret = resolve_secret(config, secret->second);
  out.organization_id = tenant.registry_reporter_id();
  return true;
}

store::OutboxItem registry_item(const rapidjson::Value& report, const Tenant& tenant) {
  const fhir::MeasureReportFigures figures = fhir::read_measure_report(report);
  if (!tenant.sends_to(kDestinationRegistry))
    throw fhir::Error::unprocessable("This facility does not report to a registry.", {},
                                     "tenant " + tenant.id + " has no registry destination");
  const std::string& facility = tenant.registry_reporter_id();
  if (facility.empty())
    throw fhir::Error::forbidden("This facility has no registry facility id configured.", {},
                                 "tenant " + tenant.id + " routes to registry without registry_facility_id");
  if (!figures.reporter_id.empty() && figures.reporter_id != facility)
    throw fhir::Error::unprocessable("MeasureReport.reporter must be this facility (Organization/" + facility + ").",
                                     "MeasureReport.reporter");

  rapidjson::Document stamped;
  stamped.CopyFrom(report, stamped.GetAllocator());
  auto& a = stamped.GetAllocator();
  const std::string hash = sha256_hex(fhir::measure_report_content(stamped));
  const std::string value =
      tenant.id + "|" + figures.measure + "|" + figures.period_start + "/" + figures.period_end + "|" + hash.substr(0, 16);
  // Our identifier replaces any earlier one of our system; other identifiers stay.
  rapidjson::Value identifiers(rapidjson::kArrayType);
  const rapidjson::Value* old = stamped.HasMember("identifier") ? &stamped["identifier"] : nullptr;
  if (old && old->IsArray()) {
    for (const auto& i : old->GetArray())
      if (fhir::string_member(i, "system").value_or("") != kMeasureReportIdentifierSystem)
        identifiers.PushBack(rapidjson::Value(i, a), a);
  }
  rapidjson::Value ours(rapidjson::kObjectType);
  ours.AddMember("system", rapidjson::Value(kMeasureReportIdentifierSystem.data(),
                                            static_cast<rapidjson::SizeType>(kMeasureReportIdentifierSystem.size()), a),
                 a);
  ours.AddMember("value", rapidjson::Value(value.c_str(), a), a);
  identifiers.PushBack(std::move(ours), a);
  stamped.RemoveMember("identifier");
  stamped.AddMember("identifier", std::move(identifiers), a);
  if (figures.reporter_id.empty()) {
    rapidjson::Value reporter(rapidjson::kObjectType);
    const std::string ref = "Organization/" + facility;
    reporter.AddMember("reference", rapidjson::Value(ref.c_str(), a), a);
    stamped.AddMember("reporter", std::move(reporter), a);
  }

  store::OutboxItem item;
  item.tenant = tenant.id;
  item.destination = std::string(kDestinationRegistry);
  item.source_type = "MeasureReport";
  item.source_id = std::string(kMeasureReportIdentifierSystem) + "|" + value;
  item.source_version = hash;
  item.payload = fhir::to_json(stamped);
  return item;
}

awaitable<store::EnqueueResult> submit_measure_report(store::Store& store, Engine& engine, const Tenant& tenant,
                                                      const rapidjson::Value& report) {
  store::OutboxItem item = registry_item(report, tenant);
  store::EnqueueResult r = co_await store::await<store::EnqueueResult>(
      [&](store::Store::Completion<store::EnqueueResult> done) { store.enqueue_outbox(std::move(item), std::move(done)); });
  engine.wake(kDestinationRegistry);
  co_return r;
}

RegistryDestination::RegistryDestination(boost::asio::io_context& io, const Config& config,
                                         ss::SatusehatEndpoints endpoints)
    : http_(io,
            oauth_fhir_http_options(config.registry.ca_bundle, config.registry.max_connections,
                                    config.registry.read_timeout, config.registry.write_timeout)),
      client_(io, http_, std::move(endpoints), [&config] {
        ss::SatusehatOptions o;
        o.read_timeout = config.registry.read_timeout;
        o.write_timeout = config.registry.write_timeout;
        o.refresh_early = std::chrono::duration_cast<std::chrono::seconds>(config.registry.refresh_early);
        return o;
      }()) {
  for (const Tenant& t : config.tenants) {
    ss::SatusehatCredentials c;
    if (!tenant_registry_credentials(config, t, c)) continue;
    tenants_.emplace(t.id, std::move(c));
  }
}

RegistryDestination::~RegistryDestination() = default;

const ss::SatusehatCredentials* RegistryDestination::credentials(const std::string& tenant) const {
  auto it = tenants_.find(tenant);
  return it == tenants_.end() ? nullptr : &it->second;
}

awaitable<DeliveryResult> RegistryDestination::deliver(const store::OutboxItem& item) {
  const ss::SatusehatCredentials* c = credentials(item.tenant);
  if (!c) {
    co_return result(DeliveryResult::permanent, "tenant " + item.tenant +
                                                    " has no registry credentials (registry_client_id, "
                                                    "registry_client_secret)");
  }
  auto posted = co_await client_.post_resource(*c, "MeasureReport", item.payload);
  if (posted) {
    DeliveryResult r;
    r.kind = DeliveryResult::delivered;
    r.upstream_id = *posted;
    co_return r;
  }
  const ss::SatusehatError e = posted.error();
  if (e.kind == ss::SatusehatError::rejected && e.code == "duplicate") {
    auto found = co_await client_.search_by_identifier(*c, "MeasureReport", identifier_of(item));
    if (found && !found->empty()) {
      DeliveryResult r;
      r.kind = DeliveryResult::delivered;
      r.upstream_id = found->front();
      co_return r;
    }
  }
  co_return from_error(e);
}

awaitable<std::optional<std::string>> RegistryDestination::reconcile(const store::OutboxItem& item) {
  const ss::SatusehatCredentials* c = credentials(item.tenant);
  if (!c) co_return std::nullopt;  // deliver() dead-letters it
  auto found = co_await client_.search_by_identifier(*c, "MeasureReport", identifier_of(item));
  if (!found) throw std::runtime_error("registry lookup failed: " + found.error().summary());
  if (found->empty()) co_return std::nullopt;
  co_return found->front();
}

}  // namespace simpul::adapter::outbox
