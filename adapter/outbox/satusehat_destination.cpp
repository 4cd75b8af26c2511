#include "adapter/outbox/satusehat_destination.hpp"

#include <algorithm>
#include <utility>

#include "adapter/auth.hpp"
#include "fhir/error.hpp"
#include "fhir/json.hpp"
#include "mappings/satusehat_fhir/transaction.hpp"

namespace simpul::adapter::outbox {

namespace {

namespace ss = connectors::satusehat;
namespace sf = mappings::satusehat_fhir;
using boost::asio::awaitable;

sf::SatusehatContext context_of(const Tenant& tenant) {
  sf::SatusehatContext c;
  c.organization_id = tenant.satusehat_organization_id;
  c.location_id = tenant.satusehat_location_id;
  c.location_display = tenant.satusehat_location_name;
  c.utc_offset_minutes = tenant.utc_offset_minutes;
  return c;
}

DeliveryResult result(DeliveryResult::Kind kind, std::string error) {
  DeliveryResult r;
  r.kind = kind;
  r.error = std::move(error);
  return r;
}

// SATUSEHAT's answer for one step (`what`); its code, text and expression are kept (no
// secrets: the client scrubs them) so the facility can act on them.
DeliveryResult from_error(const ss::SatusehatError& e, std::string_view what) {
  return delivery_result_of(e, std::string(what) + ": SATUSEHAT ", "satusehat_client_id / satusehat_client_secret");
}

}  // namespace

DeliveryResult delivery_result_of(const ss::SatusehatError& e, const std::string& error_prefix,
                                  std::string_view credentials) {
  DeliveryResult r;
  if (e.http_status > 0) r.http_status = e.http_status;
  r.error = error_prefix + e.summary();
  r.retry_after = e.retry_after;
  switch (e.kind) {
    case ss::SatusehatError::transport_before_send:
    case ss::SatusehatError::rate_limited:
    case ss::SatusehatError::server:
      r.kind = DeliveryResult::retry;
      break;
    case ss::SatusehatError::auth:
      // Our credentials, not the data: retry with backoff so that fixing them drains the queue.
      r.kind = DeliveryResult::retry;
      r.error += " (check the tenant's " + std::string(credentials) + ")";
      break;
    case ss::SatusehatError::transport_unknown:
    case ss::SatusehatError::timeout_unknown:
    case ss::SatusehatError::malformed:
      // Sent without a readable answer (a 2xx we could not read was accepted): reconcile first.
      r.kind = DeliveryResult::unknown;
      break;
    case ss::SatusehatError::rejected:
    case ss::SatusehatError::not_found:
      r.kind = DeliveryResult::permanent;
      break;
  }
  return r;
}

connectors::http::ClientOptions oauth_fhir_http_options(const std::string& ca_bundle, std::size_t max_connections,
                                                         std::chrono::milliseconds read_timeout,
                                                         std::chrono::milliseconds write_timeout) {
  connectors::http::ClientOptions o;
  o.ca_bundle = ca_bundle;
  o.max_host_connections = static_cast<long>(max_connections);
  o.max_in_flight = std::max(o.max_in_flight, 2 * max_connections);
  o.total_timeout = std::max(read_timeout, write_timeout) + std::chrono::seconds(5);
  return o;
}

ss::SatusehatEndpoints satusehat_endpoints_at(const std::string& origin) {
  std::string o = origin;
  while (!o.empty() && o.back() == '/') o.pop_back();
  return {o + "/oauth2/v1", o + "/fhir-r4/v1"};
}

ss::SatusehatEndpoints satusehat_endpoints(const SatusehatSettings& settings) {
  const std::string& e = settings.endpoint;
  if (e == "development") return satusehat_endpoints_at("https://api-satusehat-dev.dto.kemkes.go.id");
  if (e == "staging") return satusehat_endpoints_at("https://api-satusehat-stg.dto.kemkes.go.id");
  if (e.rfind("http://", 0) == 0 || e.rfind("https://", 0) == 0) return satusehat_endpoints_at(e);
  return satusehat_endpoints_at("https://api-satusehat.kemkes.go.id");
}

bool tenant_satusehat_credentials(const Config& config, const Tenant& tenant, ss::SatusehatCredentials& out) {
  const auto id = tenant.credentials.find("satusehat_client_id");
  const auto secret = tenant.credentials.find("satusehat_client_secret");
  if (id == tenant.credentials.end() || secret == tenant.credentials.end()) return false;
  out.client_id = resolve_secret(config, id->second);
  out.client_secret = resolve_secret(config, secret->second);
  out.organization_id = tenant.satusehat_organization_id;
  return true;
}

void plan_satusehat(const rapidjson::Value& bundle, const Tenant& tenant, IntakePlan& plan) {
  if (tenant.satusehat_organization_id.empty()) {
    throw fhir::Error::forbidden("This facility has no SATUSEHAT organization id configured.", {},
                                 "tenant " + tenant.id + " routes to satusehat without satusehat_organization_id");
  }
  const sf::Lookups lookups = sf::needed_lookups(bundle);
  const sf::SatusehatTransaction rendered = sf::render_transaction(bundle, context_of(tenant), true);
  if (plan.encounter_identifier.empty()) plan.encounter_identifier = rendered.encounter_identifier;
  if (!lookups.patient_niks.empty()) plan.subject_nik = lookups.patient_niks.front();
  IntakeItem item;
  item.destination = std::string(kDestinationSatusehat);
  item.source_type = "Encounter";
  // What SATUSEHAT would get, before the lookups: an unchanged visit resent is the same item.
  item.source_version = sha256_hex(rendered.bundle_json);
  item.payload = fhir::to_json(bundle, false);
  item.label = "SATUSEHAT Encounter transaction";
  plan.items.push_back(std::move(item));
}

SatusehatDestination::SatusehatDestination(boost::asio::io_context& io, const Config& config,
                                           ss::SatusehatEndpoints endpoints)
    : config_(config),
      http_(io,
            oauth_fhir_http_options(config.satusehat.ca_bundle, config.satusehat.max_connections,
                                    config.satusehat.read_timeout, config.satusehat.write_timeout)),
      client_(io, http_, std::move(endpoints), [&config] {
        ss::SatusehatOptions o;
        o.read_timeout = config.satusehat.read_timeout;
        o.write_timeout = config.satusehat.write_timeout;
        o.refresh_early = std::chrono::duration_cast<std::chrono::seconds>(config.satusehat.refresh_early);
        o.ihs_cache_ttl = std::chrono::duration_cast<std::chrono::seconds>(config.satusehat.ihs_cache_ttl);
        return o;
      }()) {
  for (const Tenant& t : config.tenants) {
    TenantSide side;
    if (!tenant_satusehat_credentials(config, t, side.credentials)) continue;
    side.tenant = &t;
    tenants_.emplace(t.id, std::move(side));
  }
}

SatusehatDestination::~SatusehatDestination() = default;

const SatusehatDestination::TenantSide* SatusehatDestination::side(const std::string& tenant) const {
  auto it = tenants_.find(tenant);
  return it == tenants_.end() ? nullptr : &it->second;
}

awaitable<DeliveryResult> SatusehatDestination::deliver(const store::OutboxItem& item) {
  const TenantSide* t = side(item.tenant);
  if (!t) {
    co_return result(DeliveryResult::permanent,
                     "tenant " + item.tenant + " has no SATUSEHAT credentials (satusehat_client_id, satusehat_client_secret)");
  }
  rapidjson::Document bundle;
  bundle.Parse(item.payload.data(), item.payload.size());
  if (bundle.HasParseError()) co_return result(DeliveryResult::permanent, "the stored bundle is not JSON");
  sf::SatusehatContext context = context_of(*t->tenant);
  sf::Lookups lookups;
  try {
    lookups = sf::needed_lookups(bundle);
  } catch (const fhir::Error& e) {
    co_return result(DeliveryResult::permanent, "the mapping refuses the stored bundle: " + e.internal());
  }
  // The MPI/MNI ids: a NIK SATUSEHAT does not know is the facility's to fix (register the
  // patient, or the practitioner's NIK); no NIK goes into the stored error.
  for (const auto& nik : lookups.patient_niks) {
    auto id = co_await client_.patient_ihs(t->credentials, nik);
    if (!id) {
      if (id.error().kind == ss::SatusehatError::not_found)
        co_return result(DeliveryResult::permanent,
                         "the patient's NIK is not in SATUSEHAT's patient index (MPI): register the patient first");
      co_return from_error(id.error(), "patient lookup");
    }
    context.patient_ihs_by_nik[nik] = *id;
  }
  for (const auto& nik : lookups.practitioner_niks) {
    auto id = co_await client_.practitioner_ihs(t->credentials, nik);
    if (!id) {
      if (id.error().kind == ss::SatusehatError::not_found)
        co_return result(DeliveryResult::permanent,
                         "a practitioner's NIK is not in SATUSEHAT's practitioner index (NAKES): check it");
      co_return from_error(id.error(), "practitioner lookup");
    }
    context.practitioner_ihs_by_nik[nik] = *id;
  }
  sf::SatusehatTransaction rendered;
  try {
    rendered = sf::render_transaction(bundle, context);
  } catch (const fhir::Error& e) {
    co_return result(DeliveryResult::permanent, "the mapping refuses the stored bundle: " + e.internal());
  }
  auto posted = co_await client_.post_transaction(t->credentials, rendered.bundle_json);
  if (posted) {
    DeliveryResult r;
    r.kind = DeliveryResult::delivered;
    r.upstream_id = posted->encounter_id;
    co_return r;
  }
  const ss::SatusehatError& e = posted.error();
  if (e.kind == ss::SatusehatError::rejected && e.code == "duplicate" && !rendered.encounter_identifier.empty()) {
    // Already there (an earlier attempt we could not see finish, or another sender): find it.
    auto found = co_await client_.search_by_identifier(t->credentials, "Encounter", rendered.encounter_identifier);
    if (found && !found->empty()) {
      DeliveryResult r;
      r.kind = DeliveryResult::delivered;
      r.upstream_id = found->front();
      co_return r;
    }
  }
  co_return from_error(e, "transaction");
}

awaitable<std::optional<std::string>> SatusehatDestination::reconcile(const store::OutboxItem& item) {
  const TenantSide* t = side(item.tenant);
  if (!t) co_return std::nullopt;  // deliver() dead-letters it
  rapidjson::Document bundle;
  bundle.Parse(item.payload.data(), item.payload.size());
  if (bundle.HasParseError()) co_return std::nullopt;
  std::string key;
  try {
    key = sf::render_transaction(bundle, context_of(*t->tenant), true).encounter_identifier;
  } catch (const fhir::Error&) {
    co_return std::nullopt;
  }
  if (key.empty()) co_return std::nullopt;
  auto found = co_await client_.search_by_identifier(t->credentials, "Encounter", key);
  if (!found) throw std::runtime_error("SATUSEHAT lookup failed: " + found.error().summary());
  if (found->empty()) co_return std::nullopt;
  co_return found->front();
}

}  // namespace simpul::adapter::outbox
