// A fast JSON syntax check (RFC 8259 grammar) used on every decrypted BPJS
// payload before it is handed on, so a payload that is not JSON becomes a
// typed not_json error here instead of a parse failure somewhere downstream.
//
// It accepts exactly one JSON value of any type with optional surrounding
// whitespace. Like RapidJSON (which parses the payload next) it requires a
// \uD800-\uDBFF escape to be followed by a \uDC00-\uDFFF escape and rejects
// unescaped control characters; unlike RapidJSON it also rejects NUL bytes
// anywhere (RapidJSON would stop reading at one) and accepts numbers of any
// magnitude (RapidJSON rejects exponents past the double range, e.g. 1e400:
// a caller's later RapidJSON parse reports those). It does not check UTF-8
// (decrypted payloads are produced as valid UTF-8 by our own converter), and
// nesting depth is limited only by memory (no recursion).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace simpul::connectors::bpjs {

/// nullopt if `text` is exactly one JSON value; otherwise what is wrong and
/// the byte offset where it was found.
std::optional<std::string> json_syntax_error(std::string_view text);

}  // namespace simpul::connectors::bpjs
