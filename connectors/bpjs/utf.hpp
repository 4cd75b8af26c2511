// UTF-8 <-> UTF-16 conversion with JavaScript/Node semantics.
//
// lz-string works on JavaScript strings, i.e. sequences of UTF-16 code units
// that may contain unpaired surrogates. BPJS payloads travel as UTF-8 JSON.
//
// UTF-16 -> UTF-8: a valid surrogate pair becomes one 4-byte sequence; an
//   unpaired surrogate becomes U+FFFD (EF BF BD), exactly like Node's
//   Buffer.from(str, 'utf8').
// UTF-8 -> UTF-16: with Utf8Errors::replace, ill-formed input is decoded like
//   Node's buffer.toString('utf8') / the WHATWG Encoding "utf-8" decoder: each
//   maximal ill-formed subpart becomes one U+FFFD. With Utf8Errors::reject the
//   first ill-formed byte is an error (bad_utf) naming its offset.
#pragma once

#include <string>
#include <string_view>

#include "connectors/bpjs/error.hpp"

namespace simpul::connectors::bpjs {

enum class Utf8Errors { replace, reject };

std::string utf16_to_utf8(std::u16string_view text);
/// Appends to `out` (no allocation when out has capacity).
void append_utf16_as_utf8(std::u16string_view text, std::string& out);

Result<std::u16string> utf8_to_utf16(std::string_view text, Utf8Errors errors = Utf8Errors::replace);

/// True if `text` is well-formed UTF-8 (no surrogates, no overlongs, <= U+10FFFF).
bool is_valid_utf8(std::string_view text) noexcept;

}  // namespace simpul::connectors::bpjs
