#include "connectors/bpjs/utf.hpp"

#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace simpul::connectors::bpjs {
namespace {

inline bool is_high_surrogate(char16_t u) { return u >= 0xD800 && u <= 0xDBFF; }
inline bool is_low_surrogate(char16_t u) { return u >= 0xDC00 && u <= 0xDFFF; }

// Writes one code point (<= U+10FFFF, not a surrogate) as UTF-8 at p; returns bytes written.
inline std::size_t put_utf8(char* p, std::uint32_t cp) {
  if (cp < 0x80) {
    p[0] = static_cast<char>(cp);
    return 1;
  }
  if (cp < 0x800) {
    p[0] = static_cast<char>(0xC0 | (cp >> 6));
    p[1] = static_cast<char>(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    p[0] = static_cast<char>(0xE0 | (cp >> 12));
    p[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    p[2] = static_cast<char>(0x80 | (cp & 0x3F));
    return 3;
  }
  p[0] = static_cast<char>(0xF0 | (cp >> 18));
  p[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
  p[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
  p[3] = static_cast<char>(0x80 | (cp & 0x3F));
  return 4;
}

// One step of the WHATWG UTF-8 decoder. Returns the code point and advances i,
// or returns -1 (ill-formed subpart consumed, i advanced past it).
inline std::int32_t decode_one(const unsigned char* s, std::size_t n, std::size_t& i) {
  const unsigned char b = s[i];
  if (b < 0x80) {
    ++i;
    return b;
  }
  std::uint32_t cp;
  int needed;
  unsigned char lower = 0x80;
  unsigned char upper = 0xBF;
  if (b >= 0xC2 && b <= 0xDF) {
    needed = 1;
    cp = b & 0x1F;
  } else if (b >= 0xE0 && b <= 0xEF) {
    if (b == 0xE0) lower = 0xA0;
    if (b == 0xED) upper = 0x9F;
    needed = 2;
    cp = b & 0x0F;
  } else if (b >= 0xF0 && b <= 0xF4) {
    if (b == 0xF0) lower = 0x90;
    if (b == 0xF4) upper = 0x8F;
    needed = 3;
    cp = b & 0x07;
  } else {
    ++i;
    return -1;
  }
  ++i;
  for (int k = 0; k < needed; ++k) {
    if (i >= n) return -1;
    const unsigned char c = s[i];
    if (c < lower || c > upper) return -1;  // c is not consumed: it starts the next unit
    lower = 0x80;
    upper = 0xBF;
    cp = (cp << 6) | (c & 0x3F);
    ++i;
  }
  return static_cast<std::int32_t>(cp);
}

}  // namespace

void append_utf16_as_utf8(std::u16string_view text, std::string& out) {
  const std::size_t start = out.size();
  const char16_t* s = text.data();
  const std::size_t n = text.size();
  // One pass, no exact pre-count: start with room for mostly-ASCII text
  // (BPJS JSON) and, when fewer than kMargin bytes remain, grow to the
  // worst case for the rest (3 bytes per remaining unit).
  constexpr std::size_t kMargin = 32;
  std::size_t cap = n + n / 4 + kMargin;
  out.resize(start + cap);
  char* base = out.data() + start;
  std::size_t o = 0;
  std::size_t i = 0;
  while (i < n) {
    if (cap - o < kMargin) {
      cap = o + (n - i) * 3 + kMargin;
      out.resize(start + cap);
      base = out.data() + start;
    }
#if defined(__SSE2__)
    // ASCII fast path: 16 units per step while they all are below U+0080
    // and the output has room (the margin check above keeps 16 bytes free).
    while (i + 16 <= n && cap - o >= 16) {
      const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
      const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i + 8));
      const __m128i high = _mm_and_si128(_mm_or_si128(a, b), _mm_set1_epi16(static_cast<short>(0xFF80)));
      if (_mm_movemask_epi8(_mm_cmpeq_epi16(high, _mm_setzero_si128())) != 0xFFFF) break;
      _mm_storeu_si128(reinterpret_cast<__m128i*>(base + o), _mm_packus_epi16(a, b));
      o += 16;
      i += 16;
    }
#else
    while (i + 8 <= n && cap - o >= 8 &&
           ((s[i] | s[i + 1] | s[i + 2] | s[i + 3] | s[i + 4] | s[i + 5] | s[i + 6] | s[i + 7]) &
            0xFF80) == 0) {
      for (int k = 0; k < 8; ++k) base[o + k] = static_cast<char>(s[i + k]);
      o += 8;
      i += 8;
    }
#endif
    if (i >= n) break;
    if (cap - o < 4) continue;  // grow first
    const char16_t u = s[i];
    if (u < 0x80) {
      base[o++] = static_cast<char>(u);
      ++i;
    } else if (u < 0x800) {
      o += put_utf8(base + o, u);
      ++i;
    } else if (is_high_surrogate(u)) {
      if (i + 1 < n && is_low_surrogate(s[i + 1])) {
        const std::uint32_t cp = 0x10000 + ((std::uint32_t{u} - 0xD800) << 10) + (s[i + 1] - 0xDC00);
        o += put_utf8(base + o, cp);
        i += 2;
      } else {
        o += put_utf8(base + o, 0xFFFD);
        ++i;
      }
    } else if (is_low_surrogate(u)) {
      o += put_utf8(base + o, 0xFFFD);
      ++i;
    } else {
      o += put_utf8(base + o, u);
      ++i;
    }
  }
  out.resize(start + o);
}

std::string utf16_to_utf8(std::u16string_view text) {
  std::string out;
  append_utf16_as_utf8(text, out);
  return out;
}

Result<std::u16string> utf8_to_utf16(std::string_view text, Utf8Errors errors) {
  std::u16string out;
  out.resize(text.size());  // never more units than bytes
  char16_t* p = out.data();
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    if (s[i] < 0x80) {
      *p++ = s[i++];
      continue;
    }
    const std::size_t at = i;
    const std::int32_t cp = decode_one(s, n, i);
    if (cp < 0) {
      if (errors == Utf8Errors::reject) {
        return make_error(ErrorCode::bad_utf,
                          "ill-formed UTF-8 sequence at byte offset " + std::to_string(at));
      }
      *p++ = u'\uFFFD';
    } else if (cp >= 0x10000) {
      const std::uint32_t v = static_cast<std::uint32_t>(cp) - 0x10000;
      *p++ = static_cast<char16_t>(0xD800 + (v >> 10));
      *p++ = static_cast<char16_t>(0xDC00 + (v & 0x3FF));
    } else {
      *p++ = static_cast<char16_t>(cp);
    }
  }
  out.resize(static_cast<std::size_t>(p - out.data()));
  return out;
}

bool is_valid_utf8(std::string_view text) noexcept {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    if (s[i] < 0x80) {
      ++i;
      continue;
    }
    if (decode_one(s, n, i) < 0) return false;
  }
  return true;
}

}  // namespace simpul::connectors::bpjs
