// Byte codecs used by the BPJS protocol: standard Base64 (RFC 4648 §4, alphabet
// A-Z a-z 0-9 + /, '=' padding) and lower-case hex.
//
// Base64 decoding is strict: every character must be in the alphabet, the
// length (after skipping line breaks) must be a multiple of 4 and '=' may only
// appear as the last one or two characters. The only tolerance is that CR and
// LF are skipped, so a response copied out of a log wrapped at 64/76 columns
// still decodes. Spaces are NOT skipped: in a BPJS response a space is a '+'
// mangled by URL-decoding somewhere, and the AES padding check would turn it
// into a confusing "wrong key" error; rejecting it says what really happened.
// Non-zero bits in the last character before padding are accepted (as Node,
// PHP and OpenSSL do).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "connectors/bpjs/error.hpp"

namespace simpul::connectors::bpjs {

std::string base64_encode(std::span<const std::uint8_t> bytes);
std::string base64_encode(std::string_view bytes);

/// Decoded bytes in a std::string (binary-safe). Errors: bad_base64.
Result<std::string> base64_decode(std::string_view text);

std::string hex_encode(std::span<const std::uint8_t> bytes);
std::string hex_encode(std::string_view bytes);

/// Accepts upper and lower case. Errors: bad_hex.
Result<std::string> hex_decode(std::string_view text);

}  // namespace simpul::connectors::bpjs
