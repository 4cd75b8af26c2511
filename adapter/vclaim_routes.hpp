#pragma once
// Hospital bridging through V-Claim, as FHIR (docs/mappings/vclaim.md):
//   POST /fhir/CoverageEligibilityRequest/$check  -> CoverageEligibilityResponse
//   GET  /fhir/Coverage?identifier=<system>|<value>[&date=] -> searchset Bundle
// Both need the `eligibility` role and a tenant with BPJS credentials.
#include <chrono>
#include <string>

#include "adapter/app.hpp"
#include "adapter/bpjs_upstream.hpp"

namespace simpul::adapter {

void add_vclaim_routes(App& app, BpjsUpstream& bpjs, const Config& config);

// The BPJS client of the caller's facility; 403 when the tenant has no BPJS credentials.
connectors::bpjs::BpjsClient& tenant_client(RequestContext& ctx, BpjsUpstream& upstream);

// Today's date (yyyy-mm-dd) and the current instant (yyyy-mm-ddThh:mm:ss+07:00)
// in Asia/Jakarta (WIB, UTC+7, no daylight saving): BPJS service dates are local.
std::string jakarta_date(std::chrono::system_clock::time_point now);
// Today's date (yyyy-mm-dd) at UTC + `utc_offset_minutes` (a facility in WITA or WIT).
std::string local_date(std::chrono::system_clock::time_point now, int utc_offset_minutes);
std::string jakarta_instant(std::chrono::system_clock::time_point now);
// The current instant at UTC + `utc_offset_minutes` (yyyy-mm-ddThh:mm:ss+08:00).
std::string local_instant(std::chrono::system_clock::time_point now, int utc_offset_minutes);

}  // namespace simpul::adapter
