#include "connectors/bpjs/codec.hpp"

#include <array>

namespace simpul::connectors::bpjs {
namespace {

constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::uint8_t kInvalid = 0xFF;
constexpr std::uint8_t kPad = 0xFE;
constexpr std::uint8_t kSkip = 0xFD;

constexpr std::array<std::uint8_t, 256> make_base64_table() {
  std::array<std::uint8_t, 256> t{};
  for (auto& v : t) v = kInvalid;
  for (std::size_t i = 0; i < kBase64Alphabet.size(); ++i) {
    t[static_cast<unsigned char>(kBase64Alphabet[i])] = static_cast<std::uint8_t>(i);
  }
  t[static_cast<unsigned char>('=')] = kPad;
  t[static_cast<unsigned char>('\r')] = kSkip;
  t[static_cast<unsigned char>('\n')] = kSkip;
  return t;
}
constexpr auto kBase64Table = make_base64_table();

std::string describe_char(unsigned char c) {
  constexpr char hex[] = "0123456789abcdef";
  std::string s = "0x";
  s += hex[c >> 4];
  s += hex[c & 15];
  if (c >= 0x20 && c < 0x7F) {
    s += " '";
    s += static_cast<char>(c);
    s += '\'';
  }
  return s;
}

}  // namespace

std::string base64_encode(std::span<const std::uint8_t> bytes) {
  std::string out;
  out.resize((bytes.size() + 2) / 3 * 4);
  std::size_t o = 0;
  std::size_t i = 0;
  const std::size_t n = bytes.size();
  for (; i + 3 <= n; i += 3) {
    const std::uint32_t v = (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8) |
                            std::uint32_t{bytes[i + 2]};
    out[o++] = kBase64Alphabet[(v >> 18) & 63];
    out[o++] = kBase64Alphabet[(v >> 12) & 63];
    out[o++] = kBase64Alphabet[(v >> 6) & 63];
    out[o++] = kBase64Alphabet[v & 63];
  }
  if (n - i == 1) {
    const std::uint32_t v = std::uint32_t{bytes[i]} << 16;
    out[o++] = kBase64Alphabet[(v >> 18) & 63];
    out[o++] = kBase64Alphabet[(v >> 12) & 63];
    out[o++] = '=';
    out[o++] = '=';
  } else if (n - i == 2) {
    const std::uint32_t v = (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8);
    out[o++] = kBase64Alphabet[(v >> 18) & 63];
    out[o++] = kBase64Alphabet[(v >> 12) & 63];
    out[o++] = kBase64Alphabet[(v >> 6) & 63];
    out[o++] = '=';
  }
  return out;
}

std::string base64_encode(std::string_view bytes) {
  return base64_encode(std::span<const std::uint8_t>(
      reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}

Result<std::string> base64_decode(std::string_view text) {
  std::string out;
  out.resize(text.size() / 4 * 3 + 3);
  char* const begin = out.data();
  char* o = begin;
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;

  // Fast path: whole groups of 4 alphabet characters (the last group is left
  // to the careful loop below, which handles '=' and line breaks).
  while (i + 8 <= n) {
    const std::uint8_t a = kBase64Table[s[i]];
    const std::uint8_t b = kBase64Table[s[i + 1]];
    const std::uint8_t c = kBase64Table[s[i + 2]];
    const std::uint8_t d = kBase64Table[s[i + 3]];
    if ((a | b | c | d) & 0xC0) break;  // '=', CR/LF or an invalid character
    const std::uint32_t v = (std::uint32_t{a} << 18) | (std::uint32_t{b} << 12) |
                            (std::uint32_t{c} << 6) | d;
    o[0] = static_cast<char>(v >> 16);
    o[1] = static_cast<char>((v >> 8) & 0xFF);
    o[2] = static_cast<char>(v & 0xFF);
    o += 3;
    i += 4;
  }

  std::uint32_t acc = 0;
  int quad = 0;         // characters collected in the current group of 4
  int pads = 0;         // '=' seen (only allowed at the very end)
  std::size_t significant = i;
  for (; i < n; ++i) {
    const unsigned char ch = s[i];
    const std::uint8_t v = kBase64Table[ch];
    if (v == kSkip) continue;
    if (v == kInvalid) {
      return make_error(ErrorCode::bad_base64,
                        "character " + describe_char(ch) + " at offset " + std::to_string(i) +
                            " is not in the Base64 alphabet");
    }
    ++significant;
    if (v == kPad) {
      // '=' only in position 3 or 4 of the final group.
      if (quad < 2) {
        return make_error(ErrorCode::bad_base64, "misplaced '=' at offset " + std::to_string(i));
      }
      ++pads;
      ++quad;
      if (quad == 4) quad = 0;
      continue;
    }
    if (pads > 0) {
      return make_error(ErrorCode::bad_base64,
                        "data after '=' padding at offset " + std::to_string(i));
    }
    acc = (acc << 6) | v;
    ++quad;
    if (quad == 4) {
      o[0] = static_cast<char>((acc >> 16) & 0xFF);
      o[1] = static_cast<char>((acc >> 8) & 0xFF);
      o[2] = static_cast<char>(acc & 0xFF);
      o += 3;
      acc = 0;
      quad = 0;
    }
  }
  if (quad != 0 || significant % 4 != 0) {
    return make_error(ErrorCode::bad_base64,
                      "length " + std::to_string(significant) + " is not a multiple of 4");
  }
  if (pads == 1) {
    // The last group held 3 data characters: acc has 18 bits -> 2 bytes.
    o[0] = static_cast<char>((acc >> 10) & 0xFF);
    o[1] = static_cast<char>((acc >> 2) & 0xFF);
    o += 2;
  } else if (pads == 2) {
    *o++ = static_cast<char>((acc >> 4) & 0xFF);
  }
  out.resize(static_cast<std::size_t>(o - begin));
  return out;
}

std::string hex_encode(std::span<const std::uint8_t> bytes) {
  constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.resize(bytes.size() * 2);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = digits[bytes[i] >> 4];
    out[2 * i + 1] = digits[bytes[i] & 15];
  }
  return out;
}

std::string hex_encode(std::string_view bytes) {
  return hex_encode(std::span<const std::uint8_t>(
      reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}

Result<std::string> hex_decode(std::string_view text) {
  if (text.size() % 2 != 0) {
    return make_error(ErrorCode::bad_hex, "odd hex length " + std::to_string(text.size()));
  }
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.resize(text.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = nibble(text[2 * i]);
    const int lo = nibble(text[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return make_error(ErrorCode::bad_hex,
                        "non-hex character at offset " + std::to_string(hi < 0 ? 2 * i : 2 * i + 1));
    }
    out[i] = static_cast<char>((hi << 4) | lo);
  }
  return out;
}

}  // namespace simpul::connectors::bpjs
