// Fuzz target: a BPJS response body through envelope parsing, decryption and
// lz-string decoding, plus the CLI path. The golden key is used so that the
// seed corpus (scripts/fuzz.sh) reaches the decrypt and lz stages; mutations
// of the Base64 then hit padding, lz and UTF handling.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string_view>

#include "connectors/bpjs/cli.hpp"
#include "connectors/bpjs/envelope.hpp"

namespace bpjs = simpul::connectors::bpjs;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  static const bpjs::AesKey key = bpjs::derive_response_key("1234", "pwd", "433223232");

  bpjs::DecodeOptions options;
  options.on_undecryptable = bpjs::UndecryptablePolicy::keep_raw;
  auto decoded = bpjs::decode_response(body, 200, key, options);
  if (decoded && decoded->encrypted) {
    // Whatever decrypted must be valid JSON text.
    if (bpjs::json_syntax_error(decoded->response_json)) __builtin_trap();
  }

  // The same bytes as a bare `response` string.
  auto payload = bpjs::decrypt_response_payload(body, key);
  (void)payload;

  // And through the CLI function (never more than one line on error).
  std::istringstream in{std::string(body)};
  std::ostringstream out;
  std::ostringstream err;
  const int rc = bpjs::bpjs_decrypt_command("1234", "pwd", "433223232", in, out, err);
  if (rc != 0 && (!out.str().empty() || err.str().empty())) __builtin_trap();
  return 0;
}
