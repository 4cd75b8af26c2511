#pragma once
// The measure catalogue as FHIR (docs/indicators.md):
//   GET /fhir/Measure        a searchset Bundle of every Measure; _id and url narrow it
//                            (other parameters are ignored, or 400 with Prefer: handling=strict)
//   GET /fhir/Measure/{id}   one Measure, or 404 OperationOutcome
// Any authenticated client may read them: they are published definitions, no
// personal data, so no audit record is written.
#include "adapter/app.hpp"

namespace simpul::adapter {

void add_measure_routes(App& app);

}  // namespace simpul::adapter
