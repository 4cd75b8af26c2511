#include "connectors/bpjs/envelope.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <array>
#include <cstring>
#include <vector>

#include "connectors/bpjs/codec.hpp"
#include "connectors/bpjs/json_scan.hpp"
#include "connectors/bpjs/lzstring.hpp"
#include "connectors/bpjs/utf.hpp"

namespace simpul::connectors::bpjs {
namespace {

bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

// Cuts s to at most max_bytes without splitting a UTF-8 sequence.
std::string_view utf8_prefix(std::string_view s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  std::size_t n = max_bytes;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

// A log-safe excerpt of a non-JSON body: control characters become spaces.
std::string excerpt(std::string_view body, std::size_t max_bytes = 120) {
  std::string out(utf8_prefix(body, max_bytes));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
  }
  if (out.size() < body.size()) out += "...";
  return out;
}

Error envelope_error(ErrorCode code, std::string reason, int http_status) {
  return Error{code, std::move(reason), http_status};
}

enum class ScanOutcome { ok, not_json, not_object, no_meta };

ResponseKind kind_of(int first) {
  switch (first) {
    case '"': return ResponseKind::string;
    case '{': return ResponseKind::object;
    case '[': return ResponseKind::array;
    case 't':
    case 'f': return ResponseKind::boolean;
    case 'n': return ResponseKind::null;
    default: return ResponseKind::number;
  }
}

// Reads `"key" :` at the scanner position; key is unescaped only if needed.
bool scan_key(JsonScanner& sc, std::string_view body, std::string& storage, std::string_view& key) {
  sc.skip_ws();
  if (sc.peek() != '"') return sc.fail("expected a string key");
  const std::size_t start = sc.offset();
  bool escaped = false;
  if (!sc.string(&escaped)) return false;
  key = body.substr(start + 1, sc.offset() - start - 2);
  if (escaped) {
    storage = json_unescape(key);
    key = storage;
  }
  sc.skip_ws();
  if (!sc.consume(':')) return sc.fail("expected ':' after an object key");
  sc.skip_ws();
  return true;
}

// A string value at the scanner position, unescaped.
bool scan_string_value(JsonScanner& sc, std::string_view body, std::string& out) {
  const std::size_t start = sc.offset();
  bool escaped = false;
  if (!sc.string(&escaped)) return false;
  const std::string_view content = body.substr(start + 1, sc.offset() - start - 2);
  if (escaped) {
    out = json_unescape(content);
  } else {
    out.assign(content);
  }
  return true;
}

// Iterates the members of the object at the scanner position ('{').
template <typename OnMember>
bool scan_members(JsonScanner& sc, std::string_view body, OnMember&& on_member) {
  sc.consume('{');
  sc.skip_ws();
  if (sc.consume('}')) return true;
  std::string storage;
  for (;;) {
    std::string_view key;
    if (!scan_key(sc, body, storage, key)) return false;
    if (!on_member(key)) return false;
    sc.skip_ws();
    if (sc.consume(',')) continue;
    if (sc.consume('}')) return true;
    return sc.fail("expected ',' or '}'");
  }
}

// Parses the whole body: top-level `response` and metadata object (first
// occurrence of each wins; keys deeper down never count), validating
// everything else. Plain values keep their exact bytes.
ScanOutcome scan_envelope(std::string_view body, Envelope& env, std::string& why) {
  JsonScanner sc(body);
  auto syntax_error = [&] {
    why = sc.error();
    return ScanOutcome::not_json;
  };
  sc.skip_ws();
  if (sc.peek() != '{') {
    if (!sc.value()) return syntax_error();
    sc.skip_ws();
    if (!sc.at_end()) {
      sc.fail("unexpected data after the JSON value");
      return syntax_error();
    }
    return ScanOutcome::not_object;
  }
  bool meta_done = false;
  bool response_done = false;
  const bool ok = scan_members(sc, body, [&](std::string_view key) {
    const std::size_t start = sc.offset();
    const int first = sc.peek();
    if (key == "response" && !response_done) {
      response_done = true;
      env.response_kind = kind_of(first);
      if (first == '"') {
        if (!scan_string_value(sc, body, env.response_string)) return false;
      } else if (!sc.value()) {
        return false;
      }
      env.response_json.assign(body.substr(start, sc.offset() - start));
      return true;
    }
    if ((key == "metaData" || key == "metadata") && !meta_done && first == '{') {
      meta_done = true;
      env.meta_key = key == "metaData" ? MetaKey::metaData : MetaKey::metadata;
      bool code_seen = false;
      bool message_seen = false;
      const bool meta_ok = scan_members(sc, body, [&](std::string_view field) {
        const bool is_code = field == "code" && !code_seen;
        const bool is_message = field == "message" && !message_seen;
        const int f = sc.peek();
        if (!is_code && !is_message) return sc.value();
        std::string& target = is_code ? env.code : env.message;
        (is_code ? code_seen : message_seen) = true;
        if (f == '"') return scan_string_value(sc, body, target);
        const std::size_t vstart = sc.offset();
        if (!sc.value()) return false;
        const ResponseKind kind = kind_of(f);
        if (kind == ResponseKind::number || kind == ResponseKind::boolean) {
          target.assign(body.substr(vstart, sc.offset() - vstart));
        } else {
          target.clear();  // null, or an object/array where text was expected
        }
        if (is_code) env.code_was_number = kind == ResponseKind::number;
        return true;
      });
      if (!meta_ok) return false;
      env.metadata_json.assign(body.substr(start, sc.offset() - start));
      return true;
    }
    return sc.value();
  });
  if (!ok) return syntax_error();
  sc.skip_ws();
  if (!sc.at_end()) {
    sc.fail("unexpected data after the JSON value");
    return syntax_error();
  }
  return meta_done ? ScanOutcome::ok : ScanOutcome::no_meta;
}

bool starts_with_tag(std::string_view s) {
  for (const char c : s) {
    if (is_json_space(c)) continue;
    return c == '<';
  }
  return false;
}

}  // namespace

std::string_view to_string(ResponseKind kind) noexcept {
  switch (kind) {
    case ResponseKind::absent: return "absent";
    case ResponseKind::null: return "null";
    case ResponseKind::string: return "string";
    case ResponseKind::object: return "object";
    case ResponseKind::array: return "array";
    case ResponseKind::number: return "number";
    case ResponseKind::boolean: return "boolean";
  }
  return "unknown";
}

std::string html_to_text(std::string_view html, std::size_t max_bytes) {
  std::string text;
  text.reserve(std::min<std::size_t>(html.size(), max_bytes * 2 + 16));
  auto put_space = [&] {
    if (!text.empty() && text.back() != ' ') text.push_back(' ');
  };
  std::size_t i = 0;
  const std::size_t n = html.size();
  while (i < n && text.size() <= max_bytes + 8) {
    const char c = html[i];
    if (c == '<') {
      if (html.substr(i, 4) == "<!--") {
        const std::size_t end = html.find("-->", i + 4);
        i = end == std::string_view::npos ? n : end + 3;
        continue;
      }
      std::size_t name_start = i + 1;
      std::size_t name_end = name_start;
      while (name_end < n && ((html[name_end] >= 'a' && html[name_end] <= 'z') ||
                              (html[name_end] >= 'A' && html[name_end] <= 'Z'))) {
        ++name_end;
      }
      const std::string_view name = html.substr(name_start, name_end - name_start);
      const std::size_t close = html.find('>', i);
      if (close == std::string_view::npos) break;
      i = close + 1;
      if (iequals(name, "script") || iequals(name, "style")) {
        // Skip to the matching end tag.
        const std::string end_tag = "</" + std::string(name);
        std::size_t j = i;
        while (j < n) {
          const std::size_t lt = html.find("</", j);
          if (lt == std::string_view::npos) {
            j = n;
            break;
          }
          if (iequals(html.substr(lt, end_tag.size()), end_tag)) {
            const std::size_t gt = html.find('>', lt);
            j = gt == std::string_view::npos ? n : gt + 1;
            break;
          }
          j = lt + 2;
        }
        i = j;
      }
      put_space();
      continue;
    }
    if (c == '&') {
      static constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kEntities = {{
          {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""},
          {"&#39;", "'"}, {"&apos;", "'"}, {"&nbsp;", " "},
      }};
      bool replaced = false;
      for (const auto& [entity, value] : kEntities) {
        if (html.substr(i, entity.size()) == entity) {
          if (value == " ") {
            put_space();
          } else {
            text.append(value);
          }
          i += entity.size();
          replaced = true;
          break;
        }
      }
      if (replaced) continue;
    }
    if (is_json_space(c) || c == '\f' || c == '\v') {
      put_space();
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
      put_space();
    } else {
      text.push_back(c);
    }
    ++i;
  }
  while (!text.empty() && text.front() == ' ') text.erase(text.begin());
  while (!text.empty() && text.back() == ' ') text.pop_back();
  if (text.size() > max_bytes) {
    std::string cut(utf8_prefix(text, max_bytes));
    while (!cut.empty() && cut.back() == ' ') cut.pop_back();
    return cut + "...";
  }
  return text;
}

Result<Envelope> parse_envelope(std::string_view body, int http_status) {
  std::size_t first = 0;
  while (first < body.size() && is_json_space(body[first])) ++first;
  if (first == body.size()) {
    return envelope_error(ErrorCode::empty_body,
                          "upstream sent non-JSON: empty body (HTTP " +
                              std::to_string(http_status) + ")",
                          http_status);
  }
  if (starts_with_tag(body)) {
    std::string text = html_to_text(body);
    return envelope_error(ErrorCode::html_body,
                          "upstream sent non-JSON: HTML page (HTTP " + std::to_string(http_status) +
                              "): " + (text.empty() ? std::string("(no text)") : text),
                          http_status);
  }
  if (std::memchr(body.data(), '\0', body.size()) != nullptr) {
    return envelope_error(ErrorCode::not_json,
                          "upstream sent non-JSON (HTTP " + std::to_string(http_status) +
                              "): body contains a NUL byte",
                          http_status);
  }
  Envelope env;
  std::string why;
  switch (scan_envelope(body, env, why)) {
    case ScanOutcome::ok:
      return env;
    case ScanOutcome::not_json:
      return envelope_error(ErrorCode::not_json,
                            "upstream sent non-JSON (HTTP " + std::to_string(http_status) + "): " +
                                why + "; body starts: " + excerpt(body),
                            http_status);
    case ScanOutcome::not_object:
      return envelope_error(ErrorCode::bad_envelope,
                            "upstream JSON is not an object (HTTP " + std::to_string(http_status) +
                                "); body starts: " + excerpt(body),
                            http_status);
    case ScanOutcome::no_meta:
      break;
  }
  return envelope_error(ErrorCode::bad_envelope,
                        "upstream JSON has no metaData/metadata object (HTTP " +
                            std::to_string(http_status) + "); body starts: " + excerpt(body),
                        http_status);
}

bool is_plain_response(std::string_view method, std::string_view path) {
  // bpjs-api.md §3.6. "*" matches one non-empty path segment.
  struct Rule {
    std::string_view method;
    std::array<std::string_view, 8> segments;
  };
  static constexpr Rule kRules[] = {
      // V-Claim: SEP 2.0 delete answers the plain SEP number (SSECD deleteV2, TM).
      {"DELETE", {"SEP", "2.0", "delete"}},
      // V-Claim: INA-CBG lookup (SSECD, TM).
      {"GET", {"sep", "cbg", "*"}},
      // V-Claim: SEP internal delete (TM).
      {"DELETE", {"SEP", "Internal", "delete"}},
      // Antrean RS dashboards (SSECD skipDecrypt).
      {"GET", {"dashboard", "waktutunggu", "tanggal", "*", "waktu", "*"}},
      {"GET", {"dashboard", "waktutunggu", "bulan", "*", "tahun", "*", "waktu", "*"}},
      // Aplicares reads (SSECD aplicares.ts).
      {"GET", {"rest", "ref", "kelas"}},
      {"GET", {"rest", "bed", "read", "*", "*", "*"}},
      // eRekamMedis insert (SSECD rekam-medis).
      {"POST", {"eclaim", "rekammedis", "insert"}},
  };
  // Normalise: drop scheme/host, query and fragment, split on '/'.
  std::string_view p = path;
  if (const auto scheme = p.find("://"); scheme != std::string_view::npos) {
    const auto slash = p.find('/', scheme + 3);
    p = slash == std::string_view::npos ? std::string_view{} : p.substr(slash);
  }
  if (const auto q = p.find_first_of("?#"); q != std::string_view::npos) p = p.substr(0, q);
  const std::vector<std::string_view> segs = path_segments(p);
  for (const Rule& rule : kRules) {
    if (!iequals(rule.method, method)) continue;
    std::vector<std::string_view> pattern;
    for (const auto& s : rule.segments) {
      if (!s.empty()) pattern.push_back(s);
    }
    if (segs.size() < pattern.size()) continue;
    const std::size_t offset = segs.size() - pattern.size();
    bool match = true;
    for (std::size_t k = 0; k < pattern.size() && match; ++k) {
      match = pattern[k] == "*" || iequals(pattern[k], segs[offset + k]);
    }
    if (match) return true;
  }
  return false;
}

std::vector<std::string_view> path_segments(std::string_view path) {
  std::vector<std::string_view> segs;
  std::size_t i = 0;
  while (i <= path.size()) {
    const std::size_t j = std::min(path.find('/', i), path.size());
    if (j > i) segs.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return segs;
}

bool DecodedResponse::is_success_code() const noexcept {
  return code == "200" || code == "201" || code == "1";
}

Result<std::string> decrypt_response_payload(std::string_view response_string, const AesKey& key) {
  auto cipher = base64_decode(response_string);
  if (!cipher) return std::move(cipher).error();
  auto plain = aes256cbc_decrypt(key, *cipher);
  if (!plain) return std::move(plain).error();
  return lz_decompress_from_encoded_uri_component_to_utf8(*plain);
}

Result<DecodedResponse> decode_response(std::string_view body, int http_status, const AesKey& key,
                                        const DecodeOptions& options) {
  auto parsed = parse_envelope(body, http_status);
  if (!parsed) return std::move(parsed).error();
  Envelope& env = *parsed;

  DecodedResponse out;
  out.http_status = http_status;
  out.meta_key = env.meta_key;
  out.code = std::move(env.code);
  out.code_was_number = env.code_was_number;
  out.message = std::move(env.message);
  out.metadata_json = std::move(env.metadata_json);
  out.response_kind = env.response_kind;

  const bool wants_decrypt = env.response_kind == ResponseKind::string &&
                             !env.response_string.empty() && !options.plain_endpoint;
  if (!wants_decrypt) {
    out.response_json = env.response_kind == ResponseKind::absent ? std::string("null")
                                                                  : std::move(env.response_json);
    return out;
  }

  std::optional<Error> failure;
  auto text = decrypt_response_payload(env.response_string, key);
  if (!text) {
    failure = std::move(text).error();
  } else if (auto syntax = options.check_json ? json_syntax_error(*text) : std::nullopt) {
    failure = make_error(ErrorCode::not_json, "decrypted response is not JSON: " + *syntax);
  } else {
    out.response_json = std::move(*text);
    out.encrypted = true;
    return out;
  }

  failure->http_status = http_status;
  const bool keep = options.on_undecryptable == UndecryptablePolicy::keep_raw ||
                    (options.on_undecryptable == UndecryptablePolicy::keep_raw_unless_success &&
                     !out.is_success_code());
  if (!keep) {
    failure->reason = "response of envelope with code " + out.code + " could not be decrypted: " +
                      failure->reason;
    return std::move(*failure);
  }
  out.response_json = std::move(env.response_json);
  out.decrypt_error = std::move(failure);
  return out;
}

Result<DecodedResponse> decode_response(std::string_view body, int http_status,
                                        std::string_view method, std::string_view path,
                                        const Credentials& credentials, const RequestStamp& stamp,
                                        UndecryptablePolicy policy) {
  DecodeOptions options;
  options.plain_endpoint = is_plain_response(method, path);
  options.on_undecryptable = policy;
  return decode_response(body, http_status,
                         stamp.response_key(credentials.cons_id, credentials.secret_key), options);
}

Result<std::string> encrypt_response(std::string_view json_utf8, const AesKey& key) {
  auto utf16 = utf8_to_utf16(json_utf8, Utf8Errors::reject);
  if (!utf16) return std::move(utf16).error();
  const std::string lz = lz_compress_to_encoded_uri_component(*utf16);
  auto cipher = aes256cbc_encrypt(key, lz);
  if (!cipher) return std::move(cipher).error();
  return base64_encode(*cipher);
}

Result<std::string> encrypt_response(std::string_view json_utf8, std::string_view cons_id,
                                     std::string_view secret_key, std::string_view timestamp) {
  return encrypt_response(json_utf8, derive_response_key(cons_id, secret_key, timestamp));
}

std::string json_quote(std::string_view utf8) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.String(utf8.data(), static_cast<rapidjson::SizeType>(utf8.size()));
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string write_envelope(EnvelopeStyle style, int code, std::string_view message,
                           std::optional<std::string_view> response_json) {
  const std::string code_text = std::to_string(code);
  const std::string quoted_message = json_quote(message);
  std::string out;
  out.reserve(64 + message.size() + (response_json ? response_json->size() : 0));
  auto append_response = [&](bool leading_comma) {
    if (!response_json) return;
    if (leading_comma) out += ',';
    out += "\"response\":";
    out.append(*response_json);
  };
  switch (style) {
    case EnvelopeStyle::vclaim:
      out += "{\"metaData\":{\"code\":\"" + code_text + "\",\"message\":" + quoted_message + "}";
      append_response(true);
      out += '}';
      break;
    case EnvelopeStyle::pcare:
      out += '{';
      append_response(false);
      if (response_json) out += ',';
      out += "\"metaData\":{\"message\":" + quoted_message + ",\"code\":" + code_text + "}}";
      break;
    case EnvelopeStyle::antrean:
      out += "{\"metadata\":{\"code\":" + code_text + ",\"message\":" + quoted_message + "}";
      append_response(true);
      out += '}';
      break;
  }
  return out;
}

}  // namespace simpul::connectors::bpjs
