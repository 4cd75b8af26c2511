#include "connectors/bpjs/json_check.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

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

inline bool is_ws(unsigned char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }
inline bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

inline int hex_value(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class Checker {
 public:
  explicit Checker(std::string_view text)
      : begin_(reinterpret_cast<const unsigned char*>(text.data())),
        p_(begin_),
        end_(begin_ + text.size()) {}

  std::optional<std::string> run() {
    enum class State { value, value_or_close, key_or_close, after_value };
    State state = State::value;
    std::vector<unsigned char> stack;  // '{' or '['
    for (;;) {
      skip_ws();
      if (state == State::after_value) {
        if (stack.empty()) {
          if (p_ != end_) return fail("unexpected data after the JSON value");
          return std::nullopt;
        }
        if (p_ == end_) return fail("unexpected end inside an object or array");
        const unsigned char c = *p_;
        if (c == ',') {
          ++p_;
          if (stack.back() == '{') {
            skip_ws();
            if (!key()) return error_;
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
        if (!key()) return error_;
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
          if (!string()) return error_;
          break;
        case 't':
          if (!literal("true")) return error_;
          break;
        case 'f':
          if (!literal("false")) return error_;
          break;
        case 'n':
          if (!literal("null")) return error_;
          break;
        default:
          if (c == '-' || is_digit(c)) {
            if (!number()) return error_;
            break;
          }
          return fail("unexpected character, expected a value");
      }
      state = State::after_value;
    }
  }

 private:
  void skip_ws() {
    while (p_ != end_ && is_ws(*p_)) ++p_;
  }

  std::optional<std::string> fail(const char* what) {
    error_ = std::string(what) + " at offset " + std::to_string(p_ - begin_);
    return error_;
  }
  bool fail_bool(const char* what) {
    fail(what);
    return false;
  }

  // `"key"` followed by ':' (whitespace allowed around the colon).
  bool key() {
    if (p_ == end_ || *p_ != '"') return fail_bool("expected a string key");
    if (!string()) return false;
    skip_ws();
    if (p_ == end_ || *p_ != ':') return fail_bool("expected ':' after an object key");
    ++p_;
    return true;
  }

  bool literal(const char* word) {
    const std::size_t n = std::strlen(word);
    if (static_cast<std::size_t>(end_ - p_) < n || std::memcmp(p_, word, n) != 0) {
      return fail_bool("invalid literal");
    }
    p_ += n;
    return true;
  }

  bool number() {
    if (*p_ == '-') ++p_;
    if (p_ == end_ || !is_digit(*p_)) return fail_bool("invalid number: missing digits");
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ != end_ && is_digit(*p_)) ++p_;
    }
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      if (p_ == end_ || !is_digit(*p_)) return fail_bool("invalid number: missing fraction digits");
      while (p_ != end_ && is_digit(*p_)) ++p_;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || !is_digit(*p_)) return fail_bool("invalid number: missing exponent digits");
      while (p_ != end_ && is_digit(*p_)) ++p_;
    }
    return true;
  }

  // Reads \uXXXX at p_ (p_ on the 'u'); returns the code unit or -1.
  int unicode_escape() {
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

  bool string() {
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
      if (p_ == end_) return fail_bool("unterminated string");
      const unsigned char c = *p_;
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c < 0x20) return fail_bool("unescaped control character in string");
      ++p_;
      if (p_ == end_) return fail_bool("unterminated escape");
      switch (*p_) {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
          ++p_;
          break;
        case 'u': {
          const int unit = unicode_escape();
          if (unit < 0) return fail_bool("invalid \\u escape");
          if (unit >= 0xD800 && unit <= 0xDBFF) {
            if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') {
              return fail_bool("high surrogate escape not followed by a low surrogate escape");
            }
            ++p_;
            const int low = unicode_escape();
            if (low < 0xDC00 || low > 0xDFFF) {
              return fail_bool("high surrogate escape not followed by a low surrogate escape");
            }
          }
          break;
        }
        default:
          return fail_bool("invalid escape character");
      }
    }
  }

  const unsigned char* begin_;
  const unsigned char* p_;
  const unsigned char* end_;
  std::optional<std::string> error_;
};

}  // namespace

std::optional<std::string> json_syntax_error(std::string_view text) {
  if (std::memchr(text.data(), '\0', text.size()) != nullptr) {
    const auto* nul = static_cast<const char*>(std::memchr(text.data(), '\0', text.size()));
    return "NUL byte at offset " + std::to_string(nul - text.data());
  }
  return Checker(text).run();
}

}  // namespace simpul::connectors::bpjs
