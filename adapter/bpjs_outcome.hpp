#pragma once
// What a FHIR client sees when a BPJS call fails: the upstream's own code and
// message are kept (a hospital can act on "201 Peserta tidak ditemukan"), the
// HTTP status says whose problem it is, and transient failures carry Retry-After.
//
//   business (metaData code != 200)   404 when BPJS says "tidak ditemukan" (not found),
//                                     409 when it says the thing already exists
//                                     ("sudah"), otherwise 422
//   not_found (P-Care 204)            404
//   auth (signature/user key/login)   502: the facility's BPJS credentials, not the client
//   upstream_http (5xx, HTML pages)   502, or 503 + Retry-After for 502/503/504 upstream
//   transport timeout                 504 + Retry-After
//   transport too_many (our limiter)  503 + Retry-After
//   transport connect/dns/tls/other   503 + Retry-After
//   decode (unreadable answer)        502
#include <string_view>

#include "connectors/bpjs/client.hpp"
#include "fhir/error.hpp"

namespace simpul::adapter {

// BPJS's "not found" answer: P-Care 204, or a business answer saying
// "tidak ditemukan". Searches treat it as an empty result.
bool bpjs_not_found(const connectors::bpjs::BpjsError& error);

// `service` names the upstream for the client ("V-Claim", "P-Care", "Antrean").
fhir::Error bpjs_failure(std::string_view service, const connectors::bpjs::BpjsError& error);

}  // namespace simpul::adapter
