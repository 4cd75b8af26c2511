#pragma once
// V-Claim reference data (referensi) as FHIR, from the cache in the store
// (docs/mappings/vclaim.md, "Reference data"):
//   GET /fhir/ValueSet/$expand?url=<canonical>&filter=..  poli, diagnosa (ICD-10), propinsi, kabupaten
//   GET /fhir/Organization?identifier=..|name=..[&type=]   faskes (FKTP / hospital)
//   GET /fhir/Practitioner?specialty=..[&date=&service-type=] dokter DPJP
// Each needs the `eligibility` or `submitter` role. Cached lists are shared by all
// tenants except the DPJP list (per tenant: it depends on the hospital). A tenant
// without BPJS credentials is served what is cached, and 403 for the rest.
#include "adapter/app.hpp"
#include "adapter/bpjs_upstream.hpp"
#include "adapter/store/store.hpp"
#include "connectors/observability/metrics.hpp"

namespace simpul::adapter {

void add_reference_routes(App& app, BpjsUpstream& bpjs, store::Store& store, connectors::obs::Registry& metrics,
                          const Config& config);

}  // namespace simpul::adapter
