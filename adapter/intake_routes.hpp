#pragma once
// Push once, delivered everywhere (docs/operations.md, "Intake"): POST /fhir takes a
// finished encounter as a transaction or batch Bundle (POST /fhir/Encounter: a lone
// Encounter with its resources contained), checks it against every destination the
// tenant routes to (P-Care, SATUSEHAT), and writes one outbox item per upstream request
// in one transaction. The answer is 202 Accepted with a Task per item, which the client
// polls at GET /fhir/Task/{id}: status, attempts, last error, upstream ids.
#include <rapidjson/document.h>

#include "adapter/app.hpp"
#include "adapter/config.hpp"
#include "adapter/outbox/engine.hpp"
#include "adapter/outbox/intake_plan.hpp"
#include "adapter/store/store.hpp"

namespace simpul::adapter {

void add_intake_routes(App& app, store::Store& store, outbox::Engine& engine, const Config& config);

// The Task of one outbox item (FHIR R4), as GET /fhir/Task/{id} answers it.
rapidjson::Document task_resource(const store::OutboxItem& item);

}  // namespace simpul::adapter
