#pragma once
// `_dryRun=true` on a V-Claim operation: the mapping runs, nothing is sent.
// The answer is a FHIR Parameters resource (docs/mappings/vclaim.md, "Dry run"):
//
//   operation          the V-Claim endpoint template, e.g. "SEP/2.0/insert"
//   request (1..n)     method, url, one `header` part per header ("Name: value",
//                      X-cons-id / X-signature / user_key / X-authorization redacted),
//                      body (when the method sends one): exactly what would be sent,
//                      in the order it would be sent
//   trace (0..n)       one per V-Claim field: part `field` (the V-Claim name),
//                      `value`, `source` (the FHIR element that produced it)
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "adapter/app.hpp"
#include "connectors/bpjs/client.hpp"
#include "mappings/vclaim_fhir/sep.hpp"

namespace simpul::adapter {

// True for `_dryRun=true`, false when absent or "false"; any other value is a 400.
bool dry_run_requested(const RequestContext& ctx);

rapidjson::Document dry_run_parameters(const connectors::bpjs::BpjsClient& client, connectors::bpjs::Service service,
                                       const std::vector<connectors::bpjs::UpstreamRequest>& requests,
                                       const mappings::vclaim_fhir::Trace& trace);

}  // namespace simpul::adapter
