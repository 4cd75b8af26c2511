#include "connectors/bpjs/error.hpp"

namespace simpul::connectors::bpjs {

std::string_view to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::bad_base64: return "bad_base64";
    case ErrorCode::bad_hex: return "bad_hex";
    case ErrorCode::bad_padding: return "bad_padding";
    case ErrorCode::bad_ciphertext: return "bad_ciphertext";
    case ErrorCode::bad_lz_stream: return "bad_lz_stream";
    case ErrorCode::bad_utf: return "bad_utf";
    case ErrorCode::not_json: return "not_json";
    case ErrorCode::html_body: return "html_body";
    case ErrorCode::empty_body: return "empty_body";
    case ErrorCode::bad_envelope: return "bad_envelope";
    case ErrorCode::bad_timestamp: return "bad_timestamp";
    case ErrorCode::crypto_failure: return "crypto_failure";
  }
  return "unknown";
}

std::string client_message(const Error& error) {
  std::string msg;
  switch (error.code) {
    case ErrorCode::html_body:
    case ErrorCode::empty_body:
    case ErrorCode::not_json:
    case ErrorCode::bad_envelope:
      msg = "BPJS returned a response that is not a BPJS JSON envelope";
      break;
    case ErrorCode::bad_padding:
      msg = "BPJS response could not be decrypted (credentials or clock mismatch)";
      break;
    case ErrorCode::bad_base64:
    case ErrorCode::bad_hex:
    case ErrorCode::bad_ciphertext:
    case ErrorCode::bad_lz_stream:
    case ErrorCode::bad_utf:
      msg = "BPJS response could not be decoded";
      break;
    case ErrorCode::bad_timestamp:
      msg = "invalid BPJS request timestamp";
      break;
    case ErrorCode::crypto_failure:
      msg = "internal cryptography failure";
      break;
  }
  if (error.http_status) {
    msg += " (HTTP " + std::to_string(*error.http_status) + ")";
  }
  return msg;
}

}  // namespace simpul::connectors::bpjs
