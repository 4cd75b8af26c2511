// Typed errors for the BPJS bridging protocol (signing, decryption, envelopes).
//
// Every failure carries an ErrorCode (stable, for logic and metrics), an internal
// reason (for logs: may quote upstream text, never secrets) and, where it matters,
// the upstream HTTP status. What a FHIR client sees comes from client_message(),
// which never includes upstream bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "mappings/bpjs/expected.hpp"

namespace simpul::connectors::bpjs {

enum class ErrorCode {
  bad_base64,      // not standard Base64 (bad character, length or padding)
  bad_hex,         // not an even-length hex string
  bad_padding,     // AES-CBC PKCS#7 padding invalid: almost always a wrong key/timestamp
  bad_ciphertext,  // ciphertext empty or not a multiple of the AES block size
  bad_lz_stream,   // lz-string stream truncated, out-of-alphabet character, bad code
  bad_utf,         // invalid UTF-8 / UTF-16 where a strict conversion was asked for
  not_json,        // body (or decrypted payload) is not JSON
  html_body,       // upstream answered with an HTML page (wrong base URL / service name)
  empty_body,      // upstream answered with an empty body
  bad_envelope,    // JSON, but not a BPJS envelope (no metaData/metadata object)
  bad_timestamp,   // X-timestamp is not a decimal string of Unix seconds
  crypto_failure,  // OpenSSL itself failed (allocation etc.)
};

/// Stable lower-case name of a code ("bad_padding"), for logs and metrics labels.
std::string_view to_string(ErrorCode code) noexcept;

struct Error {
  ErrorCode code;
  std::string reason;                  // internal: for logs only
  std::optional<int> http_status = {};  // upstream HTTP status when known
};

/// A short message that is safe to show to a FHIR client (no upstream bytes,
/// no credentials), e.g. "BPJS returned a non-JSON response (HTTP 404)".
std::string client_message(const Error& error);

/// The value or the Error.
template <typename T>
using Result = mappings::bpjs::Expected<T, Error>;

inline Error make_error(ErrorCode code, std::string reason) {
  return Error{code, std::move(reason), std::nullopt};
}

}  // namespace simpul::connectors::bpjs
