#include "connectors/bpjs/error.hpp"

#include "mappings/bpjs/enum_names.hpp"

namespace simpul::connectors::bpjs {

namespace {

// In ErrorCode declaration order (enum_name checks the count).
constexpr std::string_view kCodeNames[] = {
    "bad_base64", "bad_hex",   "bad_padding", "bad_ciphertext", "bad_lz_stream", "bad_utf",
    "not_json",   "html_body", "empty_body",  "bad_envelope",   "bad_timestamp", "crypto_failure",
};

constexpr std::string_view kNotEnvelope = "BPJS returned a response that is not a BPJS JSON envelope";
constexpr std::string_view kUndecryptable = "BPJS response could not be decrypted (credentials or clock mismatch)";
constexpr std::string_view kUndecodable = "BPJS response could not be decoded";

// What a FHIR client is told, per ErrorCode in declaration order.
constexpr std::string_view kClientTexts[] = {
    kUndecodable,                      // bad_base64
    kUndecodable,                      // bad_hex
    kUndecryptable,                    // bad_padding
    kUndecodable,                      // bad_ciphertext
    kUndecodable,                      // bad_lz_stream
    kUndecodable,                      // bad_utf
    kNotEnvelope,                      // not_json
    kNotEnvelope,                      // html_body
    kNotEnvelope,                      // empty_body
    kNotEnvelope,                      // bad_envelope
    "invalid BPJS request timestamp",  // bad_timestamp
    "internal cryptography failure",   // crypto_failure
};

}  // namespace

std::string_view to_string(ErrorCode code) noexcept {
  return mappings::bpjs::enum_name<ErrorCode::crypto_failure>(code, kCodeNames);
}

std::string client_message(const Error& error) {
  std::string msg(mappings::bpjs::enum_name<ErrorCode::crypto_failure>(error.code, kClientTexts, ""));
  if (error.http_status) {
    msg += " (HTTP " + std::to_string(*error.http_status) + ")";
  }
  return msg;
}

}  // namespace simpul::connectors::bpjs
