// A small validating JSON scanner (RFC 8259 grammar), shared by
// json_syntax_error() and the envelope parser. It never recurses (nesting is
// bounded by memory only) and never allocates per token. Internal to
// connectors/bpjs; see json_check.hpp for the grammar details.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace simpul::connectors::bpjs {

class JsonScanner {
 public:
  explicit JsonScanner(std::string_view text) noexcept
      : begin_(reinterpret_cast<const unsigned char*>(text.data())),
        p_(begin_),
        end_(begin_ + text.size()) {}

  std::size_t offset() const noexcept { return static_cast<std::size_t>(p_ - begin_); }
  bool at_end() const noexcept { return p_ == end_; }
  /// The next byte, or -1 at the end.
  int peek() const noexcept { return p_ == end_ ? -1 : *p_; }
  void skip_ws() noexcept {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }
  /// Consumes c if it is the next byte.
  bool consume(char c) noexcept {
    if (p_ == end_ || *p_ != static_cast<unsigned char>(c)) return false;
    ++p_;
    return true;
  }

  /// Validates one complete value at the current position (no leading
  /// whitespace) and moves just past it.
  bool value();
  /// Validates a string at the current position ('"') and moves past the
  /// closing quote. has_escape tells whether json_unescape() is needed.
  bool string(bool* has_escape = nullptr);

  /// Records "<what> at offset N" and returns false.
  bool fail(const char* what);
  const std::string& error() const noexcept { return error_; }

 private:
  bool key();
  bool literal(const char* word);
  bool number();
  int unicode_escape();

  const unsigned char* begin_;
  const unsigned char* p_;
  const unsigned char* end_;
  std::string error_;
};

/// Decodes the content of a validated JSON string literal (without the
/// quotes) to UTF-8. \uXXXX pairs are joined; an unpaired low-surrogate
/// escape becomes U+FFFD.
std::string json_unescape(std::string_view content);

}  // namespace simpul::connectors::bpjs
