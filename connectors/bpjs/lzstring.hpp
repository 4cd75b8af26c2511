// lz-string "EncodedURIComponent" codec (the variant BPJS uses; bpjs-api.md §3.5).
//
// The format is LZW over UTF-16 code units with a growing code width, packed
// 6 bits per output character in the URI-safe alphabet
//   A-Z a-z 0-9 + - $
// Literal code units are introduced by code 0 (8-bit unit) or 1 (16-bit
// unit); code 2 ends the stream. Our compressor produces the same characters
// as npm lz-string@1.5.0's compressToEncodedURIComponent (checked by a
// differential test against the npm package).
//
// Decoding differences from the JavaScript original, all on invalid input:
//  - a character outside the alphabet that the decoder needs, a stream that
//    ends before the end-of-stream code, a first code of 3, or a back
//    reference past the dictionary are errors (bad_lz_stream) with a reason;
//    JavaScript silently returns "", null or garbage;
//  - the empty input is an error (JavaScript returns null);
//  - characters after the end-of-stream code are ignored, as in JavaScript
//    (this is why a response decrypted without stripping PKCS#7 still
//    decodes there: §3.4);
//  - ' ' is read as '+' (a '+' that went through form-decoding), as the
//    original's decompressFromEncodedURIComponent does;
//  - output is capped (max_output_units) so a tiny hostile stream cannot make
//    us allocate gigabytes (LZW output can grow quadratically in the input).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "connectors/bpjs/error.hpp"

namespace simpul::connectors::bpjs {

/// Default cap on decompressed size: 64 Mi UTF-16 code units (128 MiB).
inline constexpr std::size_t kLzDefaultMaxOutputUnits = std::size_t{1} << 26;

std::string lz_compress_to_encoded_uri_component(std::u16string_view input);

Result<std::u16string> lz_decompress_from_encoded_uri_component(
    std::string_view input, std::size_t max_output_units = kLzDefaultMaxOutputUnits);

/// Decompress and convert straight to UTF-8 (unpaired surrogates -> U+FFFD,
/// as Node's Buffer.from(str, 'utf8')). This is the hot path of response
/// decoding: one internal UTF-16 buffer, no per-character allocation.
Result<std::string> lz_decompress_from_encoded_uri_component_to_utf8(
    std::string_view input, std::size_t max_output_units = kLzDefaultMaxOutputUnits);

}  // namespace simpul::connectors::bpjs
