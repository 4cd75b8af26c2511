#include "connectors/bpjs/cli.hpp"

#include <iterator>
#include <string>

#include <rapidjson/document.h>

#include "connectors/bpjs/crypto.hpp"
#include "connectors/bpjs/envelope.hpp"
#include "connectors/bpjs/signing.hpp"

namespace simpul::connectors::bpjs {
namespace {

int fail(std::ostream& err, const Error& e) {
  std::string reason = e.reason;
  for (char& c : reason) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  err << "error: " << to_string(e.code) << ": " << reason << '\n';
  return 1;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

int bpjs_sign_command(std::string_view cons_id, std::string_view secret, std::string_view timestamp,
                      std::ostream& out, std::ostream& err) {
  if (!is_valid_timestamp(timestamp)) {
    return fail(err, make_error(ErrorCode::bad_timestamp,
                                "timestamp must be 1 to 19 decimal digits (Unix seconds, UTC)"));
  }
  out << signature(cons_id, secret, timestamp) << '\n';
  return out.good() ? 0 : 1;
}

int bpjs_decrypt_command(std::string_view cons_id, std::string_view secret,
                         std::string_view timestamp, std::istream& in, std::ostream& out,
                         std::ostream& err) {
  if (!is_valid_timestamp(timestamp)) {
    return fail(err, make_error(ErrorCode::bad_timestamp,
                                "timestamp must be 1 to 19 decimal digits (Unix seconds, UTC)"));
  }
  const std::string input{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const std::string_view text = trim(input);
  if (text.empty()) {
    return fail(err, make_error(ErrorCode::empty_body, "no input on stdin"));
  }
  const AesKey key = derive_response_key(cons_id, secret, timestamp);

  std::string decoded;
  if (text.front() == '{') {
    DecodeOptions options;
    options.plain_endpoint = false;
    options.on_undecryptable = UndecryptablePolicy::fail;
    auto result = decode_response(text, 200, key, options);
    if (!result) return fail(err, result.error());
    decoded = std::move(result->response_json);
  } else {
    std::string bare;
    if (text.front() == '"') {
      // A quoted JSON string (e.g. copied with its quotes from a log).
      rapidjson::Document doc;
      doc.Parse(text.data(), text.size());
      if (doc.HasParseError() || !doc.IsString()) {
        return fail(err, make_error(ErrorCode::not_json,
                                    "input starts with '\"' but is not one JSON string"));
      }
      bare.assign(doc.GetString(), doc.GetStringLength());
    } else {
      bare.assign(text);
    }
    auto plain = decrypt_response_payload(bare, key);
    if (!plain) return fail(err, plain.error());
    if (auto syntax = json_syntax_error(*plain)) {
      return fail(err, make_error(ErrorCode::not_json, "decrypted payload is not JSON: " + *syntax));
    }
    decoded = std::move(*plain);
  }
  out.write(decoded.data(), static_cast<std::streamsize>(decoded.size()));
  out << '\n';
  return out.good() ? 0 : 1;
}

}  // namespace simpul::connectors::bpjs
