#include "connectors/bpjs/json_check.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#include "connectors/bpjs/json_scan.hpp"

namespace simpul::connectors::bpjs {
namespace {

constexpr std::uint64_t kOnes = 0x0101010101010101ull;
constexpr std::uint64_t kHighs = 0x8080808080808080ull;

// True if any byte of v is 0x22 ('"'), 0x5C ('\\') or below 0x20.
inline bool has_string_special(std::uint64_t v) {
  const std::uint64_t quote = v ^ (kOnes * 0x22);
  const std::uint64_t backslash = v ^ (kOnes * 0x5C);
  const std::uint64_t zero_quote = (quote - kOnes) & ~quote;
  const std::uint64_t zero_backslash = (backslash - kOnes) & ~backslash;
  const std::uint64_t below_space = (v - kOnes * 0x20) & ~v;
  return ((zero_quote | zero_backslash | below_space) & kHighs) != 0;
}

// '"', '\\' and control characters end a run of plain string bytes.
constexpr std::array<std::uint8_t, 256> kStringSpecial = [] {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[static_cast<std::size_t>(c)] = 1;
  t['"'] = 1;
  t['\\'] = 1;
  return t;
}();

inline bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

inline int hex_value(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void put_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

bool JsonScanner::fail(const char* what) {
  error_ = std::string(what) + " at offset " + std::to_string(offset());
  return false;
}

bool JsonScanner::value() {
  enum class State { value, value_or_close, key_or_close, after_value };
  State state = State::value;
  std::vector<unsigned char> stack;  // '{' or '['
  for (;;) {
    if (state == State::after_value) {
      if (stack.empty()) return true;
      skip_ws();
      if (p_ == end_) return fail("unexpected end inside an object or array");
      const unsigned char c = *p_;
      if (c == ',') {
        ++p_;
        if (stack.back() == '{') {
          skip_ws();
          if (!key()) return false;
        }
        state = State::value;
        continue;
      }
      if ((c == '}' && stack.back() == '{') || (c == ']' && stack.back() == '[')) {
        ++p_;
        stack.pop_back();
        continue;
      }
      return fail(stack.back() == '{' ? "expected ',' or '}'" : "expected ',' or ']'");
    }
    skip_ws();
    if (p_ == end_) return fail("unexpected end, expected a value");
    const unsigned char c = *p_;
    if (state == State::value_or_close && c == ']') {
      ++p_;
      stack.pop_back();
      state = State::after_value;
      continue;
    }
    if (state == State::key_or_close) {
      if (c == '}') {
        ++p_;
        stack.pop_back();
        state = State::after_value;
        continue;
      }
      if (!key()) return false;
      state = State::value;
      continue;
    }
    switch (c) {
      case '{':
        ++p_;
        stack.push_back('{');
        state = State::key_or_close;
        continue;
      case '[':
        ++p_;
        stack.push_back('[');
        state = State::value_or_close;
        continue;
      case '"':
        if (!string()) return false;
        break;
      case 't':
        if (!literal("true")) return false;
        break;
      case 'f':
        if (!literal("false")) return false;
        break;
      case 'n':
        if (!literal("null")) return false;
        break;
      default:
        if (c == '-' || is_digit(c)) {
          if (!number()) return false;
          break;
        }
        return fail("unexpected character, expected a value");
    }
    state = State::after_value;
  }
}

// `"key"` followed by ':' (whitespace allowed around the colon).
bool JsonScanner::key() {
  if (p_ == end_ || *p_ != '"') return fail("expected a string key");
  if (!string()) return false;
  skip_ws();
  if (p_ == end_ || *p_ != ':') return fail("expected ':' after an object key");
  ++p_;
  return true;
}

bool JsonScanner::literal(const char* word) {
  const std::size_t n = std::strlen(word);
  if (static_cast<std::size_t>(end_ - p_) < n || std::memcmp(p_, word, n) != 0) {
    return fail("invalid literal");
  }
  p_ += n;
  return true;
}

bool JsonScanner::number() {
  if (*p_ == '-') ++p_;
  if (p_ == end_ || !is_digit(*p_)) return fail("invalid number: missing digits");
  if (*p_ == '0') {
    ++p_;
  } else {
    while (p_ != end_ && is_digit(*p_)) ++p_;
  }
  if (p_ != end_ && *p_ == '.') {
    ++p_;
    if (p_ == end_ || !is_digit(*p_)) return fail("invalid number: missing fraction digits");
    while (p_ != end_ && is_digit(*p_)) ++p_;
  }
  if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
    ++p_;
    if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
    if (p_ == end_ || !is_digit(*p_)) return fail("invalid number: missing exponent digits");
    while (p_ != end_ && is_digit(*p_)) ++p_;
  }
  return true;
}

// Reads \uXXXX at p_ (p_ on the 'u'); returns the code unit or -1.
int JsonScanner::unicode_escape() {
  if (end_ - p_ < 5) return -1;
  int v = 0;
  for (int i = 1; i <= 4; ++i) {
    const int h = hex_value(p_[i]);
    if (h < 0) return -1;
    v = (v << 4) | h;
  }
  p_ += 5;
  return v;
}

bool JsonScanner::string(bool* has_escape) {
  if (has_escape != nullptr) *has_escape = false;
  ++p_;  // opening quote
  for (;;) {
    // Plain bytes: 4 table lookups per step, then SWAR for long runs.
    while (end_ - p_ >= 4 && !(kStringSpecial[p_[0]] | kStringSpecial[p_[1]] |
                               kStringSpecial[p_[2]] | kStringSpecial[p_[3]])) {
      p_ += 4;
      while (end_ - p_ >= 8) {
        std::uint64_t v;
        std::memcpy(&v, p_, 8);
        if (has_string_special(v)) break;
        p_ += 8;
      }
    }
    while (p_ != end_ && !kStringSpecial[*p_]) ++p_;
    if (p_ == end_) return fail("unterminated string");
    const unsigned char c = *p_;
    if (c == '"') {
      ++p_;
      return true;
    }
    if (c < 0x20) return fail("unescaped control character in string");
    if (has_escape != nullptr) *has_escape = true;
    ++p_;
    if (p_ == end_) return fail("unterminated escape");
    switch (*p_) {
      case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
        ++p_;
        break;
      case 'u': {
        const int unit = unicode_escape();
        if (unit < 0) return fail("invalid \\u escape");
        if (unit >= 0xD800 && unit <= 0xDBFF) {
          if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') {
            return fail("high surrogate escape not followed by a low surrogate escape");
          }
          ++p_;
          const int low = unicode_escape();
          if (low < 0xDC00 || low > 0xDFFF) {
            return fail("high surrogate escape not followed by a low surrogate escape");
          }
        }
        break;
      }
      default:
        return fail("invalid escape character");
    }
  }
}

std::string json_unescape(std::string_view content) {
  std::string out;
  out.reserve(content.size());
  std::size_t i = 0;
  const std::size_t n = content.size();
  auto hex4 = [&](std::size_t at) -> int {
    if (at + 4 > n) return -1;
    int v = 0;
    for (std::size_t k = at; k < at + 4; ++k) {
      const int h = hex_value(static_cast<unsigned char>(content[k]));
      if (h < 0) return -1;
      v = (v << 4) | h;
    }
    return v;
  };
  while (i < n) {
    const std::size_t bs = content.find('\\', i);
    if (bs == std::string_view::npos) {
      out.append(content.substr(i));
      break;
    }
    out.append(content.substr(i, bs - i));
    if (bs + 1 >= n) break;  // not reachable for validated input
    const char e = content[bs + 1];
    i = bs + 2;
    switch (e) {
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'u': {
        int unit = hex4(i);
        if (unit < 0) return out;  // not reachable for validated input
        i += 4;
        std::uint32_t cp = static_cast<std::uint32_t>(unit);
        if (unit >= 0xD800 && unit <= 0xDBFF) {
          const int low = (i + 1 < n && content[i] == '\\' && content[i + 1] == 'u') ? hex4(i + 2) : -1;
          if (low >= 0xDC00 && low <= 0xDFFF) {
            cp = 0x10000 + ((static_cast<std::uint32_t>(unit) - 0xD800) << 10) +
                 (static_cast<std::uint32_t>(low) - 0xDC00);
            i += 6;
          } else {
            cp = 0xFFFD;
          }
        } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
          cp = 0xFFFD;
        }
        put_utf8(out, cp);
        break;
      }
      default: out.push_back(e); break;  // '"', '\\', '/'
    }
  }
  return out;
}

std::optional<std::string> json_syntax_error(std::string_view text) {
  if (const void* nul = std::memchr(text.data(), '\0', text.size())) {
    return "NUL byte at offset " + std::to_string(static_cast<const char*>(nul) - text.data());
  }
  JsonScanner scanner(text);
  scanner.skip_ws();
  if (!scanner.value()) return scanner.error();
  scanner.skip_ws();
  if (!scanner.at_end()) {
    scanner.fail("unexpected data after the JSON value");
    return scanner.error();
  }
  return std::nullopt;
}

}  // namespace simpul::connectors::bpjs
