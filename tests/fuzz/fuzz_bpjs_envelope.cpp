// Fuzz target: a BPJS response body through envelope parsing, decryption and
// lz-string decoding, plus the CLI path. The golden key is used so that the
// seed corpus (scripts/fuzz.sh) reaches the decrypt and lz stages; mutations
// of the Base64 then hit padding, lz and UTF handling.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string_view>

#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

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

  // Our JSON syntax check agrees with RapidJSON (numbers as text, so only the
  // grammar counts; NUL bytes we reject, RapidJSON stops at them).
  if (body.find('\0') == std::string_view::npos) {
    rapidjson::MemoryStream stream(body.data(), body.size());
    rapidjson::BaseReaderHandler<> sink;
    rapidjson::Reader reader;
    const rapidjson::ParseResult rapid =
        reader.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag>(stream, sink);
    // RapidJSON stops at exponents beyond the double range even when it keeps
    // numbers as text (the grammar has no such limit, we accept them), so it
    // has no verdict on the rest of such a document: compare the others.
    if (rapid.Code() != rapidjson::kParseErrorNumberTooBig) {
      const bool rapid_ok = !rapid.IsError();
      const bool ours_ok = !bpjs::json_syntax_error(body).has_value();
      if (rapid_ok != ours_ok) __builtin_trap();
      // An envelope we accept is JSON by RapidJSON's account too.
      if (bpjs::parse_envelope(body, 200) && !rapid_ok) __builtin_trap();
    }
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
