#pragma once
// Building responses: every error a client sees is an OperationOutcome with the
// HTTP status that tells it what to do (4xx fix the request, 5xx retry later).
#include <string_view>

#include "connectors/http/server.hpp"
#include "fhir/error.hpp"

namespace simpul::connectors::http {

// A response with `body` and content type `content_type`.
Response make_response(unsigned status, std::string body, std::string_view content_type, unsigned version = 11);
// The OperationOutcome for `error`, its status and extra headers (Retry-After...).
Response error_response(const fhir::Error& error, unsigned version = 11, bool pretty = false);

}  // namespace simpul::connectors::http
