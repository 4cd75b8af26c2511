#pragma once
// Registry role (docs/registry.md): a tenant of kind `registry` collects MeasureReports
// from the facilities configured as its [[tenants.reporters]] and serves aggregates.
//
//   POST /registry/oauth2/v1/accesstoken   client_credentials (form body), SATUSEHAT-style answer
//   POST /registry/fhir/MeasureReport      Bearer token: a facility's summary report
//   GET  /registry/fhir/MeasureReport?identifier=system|value   the facility's own, for reconcile
//   GET  /registry/aggregate?measure=&period-start=&period-end=&area=   registry API key, role admin
//
// Only aggregates are taken: a report that points at a person is refused.
#include <cstdint>
#include <string>

#include "adapter/app.hpp"
#include "adapter/config.hpp"
#include "adapter/store/store.hpp"

namespace simpul::adapter {

// Adds the routes when some tenant is a registry. Throws ConfigError when a reporter's
// client_secret reference cannot be resolved.
void add_registry_routes(App& app, store::Store& store, const Config& config);

// numerator * multiplier / denominator with `decimals` fixed decimals, rounded half up,
// in integer arithmetic ("24.9954"). denominator > 0, numerator >= 0.
std::string exact_ratio(std::int64_t numerator, std::int64_t denominator, std::int64_t multiplier, int decimals);

}  // namespace simpul::adapter
