// Fuzz target: lz-string decoding directly on raw input (no Base64/AES in
// front), with a small output cap so decompression bombs are reported as
// errors instead of exhausting memory. Whatever decodes must survive the
// UTF-16 -> UTF-8 -> UTF-16 trip where it is well-formed, and re-compressing
// the output must decode back to the same units.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "connectors/bpjs/lzstring.hpp"
#include "connectors/bpjs/utf.hpp"

namespace bpjs = simpul::connectors::bpjs;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto units = bpjs::lz_decompress_from_encoded_uri_component(input, 1 << 20);
  if (!units) return 0;
  auto utf8 = bpjs::lz_decompress_from_encoded_uri_component_to_utf8(input, 1 << 20);
  if (!utf8 || *utf8 != bpjs::utf16_to_utf8(*units)) __builtin_trap();
  if (!bpjs::is_valid_utf8(*utf8)) __builtin_trap();

  const std::string again = bpjs::lz_compress_to_encoded_uri_component(*units);
  auto round = bpjs::lz_decompress_from_encoded_uri_component(again, 1 << 21);
  if (!round || *round != *units) __builtin_trap();
  return 0;
}
