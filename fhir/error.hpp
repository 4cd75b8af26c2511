#pragma once
// simpul::fhir::Error - the one error type of the whole product.
//
// Every failure that can reach a client is thrown as an Error. It carries two
// separate messages, in the spirit of userver's InternalMessage/ExternalBody:
//   * issues()   - what the client may see: FHIR OperationOutcome issues (severity,
//                  IssueType code, plain-English diagnostics, FHIRPath expression).
//   * internal() - what goes to the logs: may name fields, values, upstream bodies,
//                  SQL errors... It is NEVER sent to a client. what() returns it.
// status() is the HTTP status to answer with; headers() are extra response headers
// (Retry-After, WWW-Authenticate, ...) attached with with_header().
//
// Typical use:
//   throw Error::invalid("birthDate is not a valid date", "Patient.birthDate",
//                        "birthDate='" + value + "'");
//   throw Error::too_many_requests("Too many requests; retry later").with_header("Retry-After", "5");
//
// The HTTP layer renders an Error with outcome_json(err) (fhir/outcome.hpp).

#include <exception>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace simpul::fhir {

// OperationOutcome.issue.severity (FHIR R4 value set issue-severity).
enum class Severity { fatal, error, warning, information };

// The FHIR code of a severity: "fatal", "error", "warning" or "information".
std::string_view to_string(Severity severity) noexcept;

// One OperationOutcome.issue. Everything here is safe to show to the client.
struct Issue {
  Severity severity = Severity::error;
  std::string code;                     // FHIR IssueType code, e.g. "invalid", "required"
  std::string diagnostics;              // plain-English explanation for the client
  std::vector<std::string> expression;  // FHIRPath of the offending element(s), e.g. "Patient.birthDate"

  bool operator==(const Issue&) const = default;
};

class Error : public std::exception {
 public:
  using Header = std::pair<std::string, std::string>;

  // General constructor. An empty `internal` defaults to the issue's diagnostics,
  // so the log line always says something.
  Error(int status, Issue issue, std::string internal = {});

  // 4xx: the client must fix the request.
  static Error invalid(std::string diagnostics, std::string expression = {}, std::string internal = {});      // 400 invalid
  static Error structure(std::string diagnostics, std::string expression = {}, std::string internal = {});    // 400 structure
  static Error required(std::string diagnostics, std::string expression = {}, std::string internal = {});     // 400 required
  static Error value(std::string diagnostics, std::string expression = {}, std::string internal = {});        // 400 value
  static Error unauthorized(std::string diagnostics, std::string expression = {}, std::string internal = {}); // 401 login
  static Error forbidden(std::string diagnostics, std::string expression = {}, std::string internal = {});    // 403 forbidden
  static Error not_found(std::string diagnostics, std::string expression = {}, std::string internal = {});    // 404 not-found
  static Error method_not_allowed(std::string diagnostics, std::string expression = {},
                                  std::string internal = {});                                                 // 405 not-supported
  static Error not_acceptable(std::string diagnostics, std::string expression = {},
                              std::string internal = {});                                                     // 406 not-supported
  static Error conflict(std::string diagnostics, std::string expression = {}, std::string internal = {});     // 409 conflict
  static Error payload_too_large(std::string diagnostics, std::string expression = {},
                                 std::string internal = {});                                                  // 413 too-costly
  static Error unsupported_media_type(std::string diagnostics, std::string expression = {},
                                      std::string internal = {});                                             // 415 not-supported
  static Error unprocessable(std::string diagnostics, std::string expression = {},
                             std::string internal = {});                                                      // 422 processing
  static Error too_many_requests(std::string diagnostics, std::string expression = {},
                                 std::string internal = {});                                                  // 429 throttled

  // 5xx: the client may retry later.
  // internal(): the client only sees a generic "internal server error" text; the
  // `diagnostics` given here goes to internal() (joined with `internal` if both are set).
  static Error internal(std::string diagnostics, std::string expression = {}, std::string internal = {});     // 500 exception
  static Error bad_gateway(std::string diagnostics, std::string expression = {}, std::string internal = {});  // 502 exception
  static Error unavailable(std::string diagnostics, std::string expression = {}, std::string internal = {});  // 503 transient
  static Error gateway_timeout(std::string diagnostics, std::string expression = {},
                               std::string internal = {});                                                    // 504 timeout

  // The client-facing diagnostics used by Error::internal.
  static constexpr std::string_view kInternalDiagnostics =
      "The server encountered an internal error. The problem has been logged.";

  int status() const noexcept { return status_; }
  const std::vector<Issue>& issues() const noexcept { return issues_; }
  const std::string& internal() const noexcept { return internal_; }
  const std::vector<Header>& headers() const noexcept { return headers_; }

  // Adds an extra response header (e.g. Retry-After, WWW-Authenticate).
  Error& with_header(std::string name, std::string value);
  // Adds another issue (e.g. one per invalid element). If the internal message was
  // defaulted from diagnostics, the new diagnostics are appended to it.
  Error& add_issue(Issue issue);

  // The internal message (for logs).
  const char* what() const noexcept override { return internal_.c_str(); }

 private:
  int status_;
  std::vector<Issue> issues_;
  std::string internal_;
  bool internal_defaulted_ = false;
  std::vector<Header> headers_;
};

}  // namespace simpul::fhir
