#include "adapter/bpjs_outcome.hpp"

#include <algorithm>
#include <cctype>
#include <string>

namespace simpul::adapter {

namespace bpjs = connectors::bpjs;

namespace {

constexpr std::string_view kRetryAfterSeconds = "5";

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

fhir::Error retry_later(fhir::Error e) {
  e.with_header("Retry-After", std::string(kRetryAfterSeconds));
  return e;
}

}  // namespace

bool bpjs_not_found(const bpjs::BpjsError& error) {
  if (error.kind == bpjs::BpjsErrorKind::not_found) return true;
  return error.kind == bpjs::BpjsErrorKind::business &&
         lower(error.message).find("tidak ditemukan") != std::string::npos;
}

fhir::Error bpjs_failure(std::string_view service, const bpjs::BpjsError& error) {
  const std::string who(service);
  const std::string internal = who + ": " + error.describe();
  switch (error.kind) {
    case bpjs::BpjsErrorKind::business: {
      // BPJS's code and message as sent: they are about the request, not secrets.
      const std::string text = who + " " + error.code + ": " + error.message;
      if (bpjs_not_found(error)) return fhir::Error::not_found(text, {}, internal);
      if (lower(error.message).find("sudah") != std::string::npos) return fhir::Error::conflict(text, {}, internal);
      return fhir::Error::unprocessable(text, {}, internal);
    }
    case bpjs::BpjsErrorKind::not_found:
      return fhir::Error::not_found(who + " " + error.code + ": " + error.message, {}, internal);
    case bpjs::BpjsErrorKind::auth:
      return fhir::Error::bad_gateway(who + " rejected this facility's BPJS credentials (" + error.code +
                                          "); the operator must check the consumer id, secret key and user key.",
                                      {}, internal);
    case bpjs::BpjsErrorKind::upstream_http:
      if (error.http_status == 502 || error.http_status == 503 || error.http_status == 504) {
        return retry_later(fhir::Error::unavailable(
            who + " is unavailable (HTTP " + std::to_string(error.http_status) + "); retry later.", {}, internal));
      }
      return fhir::Error::bad_gateway(
          who + " answered with an error page (HTTP " + std::to_string(error.http_status) + ").", {}, internal);
    case bpjs::BpjsErrorKind::transport:
      switch (error.transport) {
        case bpjs::TransportFailure::timeout:
          return retry_later(fhir::Error::gateway_timeout(
              who + " did not answer in time" +
                  (error.maybe_delivered ? "; the request may have been executed: look it up before resending." : "."),
              {}, internal));
        case bpjs::TransportFailure::too_many:
          return retry_later(
              fhir::Error::unavailable("Too many calls to " + who + " are waiting; retry later.", {}, internal));
        default:
          return retry_later(fhir::Error::unavailable(who + " cannot be reached; retry later.", {}, internal));
      }
    case bpjs::BpjsErrorKind::decode:
      return fhir::Error::bad_gateway(who + " sent an answer that cannot be read (" + error.code + ").", {}, internal);
  }
  return fhir::Error::bad_gateway(who + " call failed.", {}, internal);
}

}  // namespace simpul::adapter
