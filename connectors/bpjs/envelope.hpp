// BPJS response envelopes: tolerant parsing, response decryption, and the
// inverse (encryption + envelope writing) for the upstream simulators.
//
// Shapes seen (bpjs-api.md §4.1):
//   V-Claim  {"metaData":{"code":"200","message":"OK"},"response":"<encrypted>"|null|...}
//   P-Care   {"response":...,"metaData":{"message":"CREATED","code":201}}
//   Antrean  {"metadata":{"code":200,"message":"Ok"},"response":...}   (writes: no response)
// The code may be a JSON string or number; it is normalised to its text.
// `response` may be absent, null, a string (usually encrypted), an object, an
// array, a number or a boolean. Decryption happens only when `response` is a
// non-empty JSON string and the endpoint is not on the plain list (§3.6).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/bpjs/crypto.hpp"
#include "connectors/bpjs/error.hpp"
#include "connectors/bpjs/json_check.hpp"
#include "connectors/bpjs/signing.hpp"

namespace simpul::connectors::bpjs {

enum class MetaKey { metaData, metadata };  // which spelling the upstream used
enum class ResponseKind { absent, null, string, object, array, number, boolean };

std::string_view to_string(ResponseKind kind) noexcept;

/// A parsed (not yet decrypted) envelope.
struct Envelope {
  MetaKey meta_key = MetaKey::metaData;
  std::string code;              // normalised to text: 200 and "200" both give "200"
  bool code_was_number = false;  // P-Care/Antrean send numbers, V-Claim strings
  std::string message;
  std::string metadata_json;     // exact bytes of the metadata object (keeps e.g. totalitems)
  ResponseKind response_kind = ResponseKind::absent;
  std::string response_json;     // exact bytes of the response value; "" when absent
  std::string response_string;   // the unescaped value when response_kind == string
};

/// Parses a response body. Errors (with http_status set): empty_body,
/// html_body (reason = the page text with tags stripped, shortened),
/// not_json, bad_envelope (JSON but no metaData/metadata object).
Result<Envelope> parse_envelope(std::string_view body, int http_status);

/// True when this endpoint's `response` is sent in clear even though it is a
/// string (bpjs-api.md §3.6). `path` may be relative to the service base or
/// include the service prefix, host or query string; the table is matched
/// against the end of the path, case-insensitively.
bool is_plain_response(std::string_view method, std::string_view path);

/// The non-empty segments of a '/'-separated path ("/a//b/" gives a, b); views into `path`.
std::vector<std::string_view> path_segments(std::string_view path);

/// What to do when `response` is a string that should be encrypted but does
/// not decrypt (bad Base64, padding, lz stream, or not JSON once decoded).
enum class UndecryptablePolicy {
  fail,                     // always an error
  keep_raw,                 // keep the string as sent; decrypt_error says why
  keep_raw_unless_success,  // keep it for error codes (an upstream error text),
                            // fail for success codes (a key/clock mismatch)
};

struct DecodeOptions {
  bool plain_endpoint = false;  // from is_plain_response(), or forced by the caller
  UndecryptablePolicy on_undecryptable = UndecryptablePolicy::keep_raw_unless_success;
  /// Check that the decrypted text is JSON (json_syntax_error) so a non-JSON
  /// payload is a typed not_json error / kept raw by the policy above. A
  /// caller that parses response_json right away (and maps its own parse
  /// error to not_json) may turn this off and save one pass over the payload.
  bool check_json = true;
};

struct DecodedResponse {
  int http_status = 0;
  MetaKey meta_key = MetaKey::metaData;
  std::string code;
  bool code_was_number = false;
  std::string message;
  std::string metadata_json;
  ResponseKind response_kind = ResponseKind::absent;  // as sent
  std::string response_json;  // decoded JSON text, UTF-8; "null" when absent or null
  bool encrypted = false;     // true when response_json came out of decryption
  std::optional<Error> decrypt_error;  // set when a raw string was kept (policy)

  /// "200", "201" (P-Care CREATED) and "1" (some Antrean references).
  bool is_success_code() const noexcept;
};

/// Base64 -> AES-256-CBC (PKCS#7) -> lz-string -> UTF-8. Does not check JSON.
Result<std::string> decrypt_response_payload(std::string_view response_string, const AesKey& key);

/// Full decode of a response body with a precomputed key.
Result<DecodedResponse> decode_response(std::string_view body, int http_status, const AesKey& key,
                                        const DecodeOptions& options = {});

/// Full decode with the request's credentials and stamp; the plain list is
/// looked up from method and path.
Result<DecodedResponse> decode_response(std::string_view body, int http_status,
                                        std::string_view method, std::string_view path,
                                        const Credentials& credentials, const RequestStamp& stamp,
                                        UndecryptablePolicy policy =
                                            UndecryptablePolicy::keep_raw_unless_success);

/// The simulator side: UTF-8 JSON -> UTF-16 -> lz-string -> AES-256-CBC ->
/// Base64. Errors: bad_utf (input must be well-formed UTF-8).
Result<std::string> encrypt_response(std::string_view json_utf8, std::string_view cons_id,
                                     std::string_view secret_key, std::string_view timestamp);
Result<std::string> encrypt_response(std::string_view json_utf8, const AesKey& key);

enum class EnvelopeStyle {
  vclaim,   // {"metaData":{"code":"200","message":...},"response":...}
  pcare,    // {"response":...,"metaData":{"message":...,"code":201}}
  antrean,  // {"metadata":{"code":200,"message":...},"response":...}
};

/// Writes an envelope. `response_json` is inserted verbatim (it must be JSON
/// text, e.g. json_quote(encrypted) or "null"); nullopt omits the key, as
/// Antrean writes do.
std::string write_envelope(EnvelopeStyle style, int code, std::string_view message,
                           std::optional<std::string_view> response_json);

/// A JSON string literal for UTF-8 text (quotes and escapes added).
std::string json_quote(std::string_view utf8);

/// Strips tags/scripts from an HTML page, decodes a few entities, collapses
/// whitespace and cuts to at most max_bytes on a UTF-8 boundary.
std::string html_to_text(std::string_view html, std::size_t max_bytes = 200);

}  // namespace simpul::connectors::bpjs
