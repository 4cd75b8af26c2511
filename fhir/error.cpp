#include "fhir/error.hpp"

namespace simpul::fhir {

std::string_view to_string(Severity severity) noexcept {
  switch (severity) {
    case Severity::fatal: return "fatal";
    case Severity::error: return "error";
    case Severity::warning: return "warning";
    case Severity::information: return "information";
  }
  return "error";
}

namespace {

Issue make_issue(std::string code, std::string diagnostics, std::string expression) {
  Issue issue;
  issue.severity = Severity::error;
  issue.code = std::move(code);
  issue.diagnostics = std::move(diagnostics);
  if (!expression.empty()) issue.expression.push_back(std::move(expression));
  return issue;
}

}  // namespace

Error::Error(int status, Issue issue, std::string internal)
    : status_(status), internal_(std::move(internal)) {
  if (internal_.empty()) {
    internal_ = issue.diagnostics;
    internal_defaulted_ = true;
  }
  issues_.push_back(std::move(issue));
}

Error& Error::with_header(std::string name, std::string value) {
  headers_.emplace_back(std::move(name), std::move(value));
  return *this;
}

Error& Error::add_issue(Issue issue) {
  if (internal_defaulted_ && !issue.diagnostics.empty()) {
    if (!internal_.empty()) internal_ += "; ";
    internal_ += issue.diagnostics;
  }
  issues_.push_back(std::move(issue));
  return *this;
}

#define SIMPUL_FHIR_ERROR_FACTORY(name, status, code)                                          \
  Error Error::name(std::string diagnostics, std::string expression, std::string internal) { \
    return Error(status, make_issue(code, std::move(diagnostics), std::move(expression)),    \
                 std::move(internal));                                                       \
  }

SIMPUL_FHIR_ERROR_FACTORY(invalid, 400, "invalid")
SIMPUL_FHIR_ERROR_FACTORY(structure, 400, "structure")
SIMPUL_FHIR_ERROR_FACTORY(required, 400, "required")
SIMPUL_FHIR_ERROR_FACTORY(value, 400, "value")
SIMPUL_FHIR_ERROR_FACTORY(unauthorized, 401, "login")
SIMPUL_FHIR_ERROR_FACTORY(forbidden, 403, "forbidden")
SIMPUL_FHIR_ERROR_FACTORY(not_found, 404, "not-found")
SIMPUL_FHIR_ERROR_FACTORY(method_not_allowed, 405, "not-supported")
SIMPUL_FHIR_ERROR_FACTORY(not_acceptable, 406, "not-supported")
SIMPUL_FHIR_ERROR_FACTORY(conflict, 409, "conflict")
SIMPUL_FHIR_ERROR_FACTORY(payload_too_large, 413, "too-costly")
SIMPUL_FHIR_ERROR_FACTORY(unsupported_media_type, 415, "not-supported")
SIMPUL_FHIR_ERROR_FACTORY(unprocessable, 422, "processing")
SIMPUL_FHIR_ERROR_FACTORY(too_many_requests, 429, "throttled")
SIMPUL_FHIR_ERROR_FACTORY(bad_gateway, 502, "exception")
SIMPUL_FHIR_ERROR_FACTORY(unavailable, 503, "transient")
SIMPUL_FHIR_ERROR_FACTORY(gateway_timeout, 504, "timeout")

#undef SIMPUL_FHIR_ERROR_FACTORY

Error Error::internal(std::string diagnostics, std::string expression, std::string internal) {
  std::string log_message;
  if (diagnostics.empty()) {
    log_message = std::move(internal);
  } else if (internal.empty()) {
    log_message = std::move(diagnostics);
  } else {
    log_message = std::move(diagnostics) + ": " + internal;
  }
  if (log_message.empty()) log_message = "internal error";
  return Error(500, make_issue("exception", std::string(kInternalDiagnostics), std::move(expression)),
               std::move(log_message));
}

}  // namespace simpul::fhir
