#pragma once
// HTTP content negotiation for the FHIR REST interface (JSON only; Simpul does
// not implement FHIR XML or Turtle).
//
// Request side:  check_request_content_type() -> 415 unless the body is
//                application/fhir+json or application/json (charset utf-8 only,
//                optional fhirVersion=4.0 / 4.0.1).
// Response side: negotiate_format() picks the response media type from the
//                _format query parameter (which wins) or the Accept header;
//                406 when only unsupported types (e.g. XML) are acceptable.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fhir/error.hpp"

namespace simpul::fhir {

enum class Format { fhir_json, json };

// Throws Error 415 (unsupported_media_type) when a request with a body has no
// Content-Type, or one other than application/fhir+json / application/json, or a
// charset other than UTF-8, or a fhirVersion other than 4.0. Requests without a
// body are not checked. Type, subtype and parameter names are case-insensitive.
void check_request_content_type(std::string_view content_type_header, bool has_body);

// The response format. `format_param` is the raw _format query value (json,
// application/json, application/fhir+json; "application/fhir json" is accepted
// because '+' decodes to a space in query strings). Otherwise Accept is used,
// honouring q-values and wildcards; empty or */* gives fhir_json, and on a tie
// fhir_json is preferred. Throws Error 406 (not_acceptable) when nothing we can
// produce is acceptable, e.g. only XML.
Format negotiate_format(std::string_view accept_header, std::string_view format_param);

// "application/fhir+json; charset=utf-8" or "application/json; charset=utf-8".
std::string_view content_type_of(Format format) noexcept;

// A parsed media type: type and subtype lower-cased, parameter names lower-cased,
// parameter values unquoted (case kept).
struct MediaType {
  std::string type;
  std::string subtype;
  std::vector<std::pair<std::string, std::string>> parameters;

  // The value of parameter `name` (lower-case), if present.
  std::optional<std::string_view> parameter(std::string_view name) const;
};

// Parses "type/subtype *( OWS ; OWS name=value )" (RFC 9110 media-type);
// nullopt if malformed.
std::optional<MediaType> parse_media_type(std::string_view text);

}  // namespace simpul::fhir
