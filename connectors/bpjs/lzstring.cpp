// lz-string URI-component codec, written from the format's description:
// LZW with codes 0/1 = literal 8/16-bit code unit, 2 = end of stream, the
// dictionary starting at 3 (decoder) and the code width growing by one bit
// whenever "enlargeIn" reaches zero; 6 bits per output character, bits of a
// value written least significant first, each character filled from its most
// significant bit.
//
// Implementation notes (speed matters: every BPJS response goes through here):
//  - Bits are kept as an LSB-first 64-bit reservoir. The lookup tables store
//    each character's 6-bit value already bit-reversed, so reading n bits is a
//    mask and a shift instead of a per-bit loop.
//  - The decoder's dictionary entries are (start, length) slices of the output
//    itself: every entry is either a literal just written or "previous entry +
//    first unit of the next one", which is always contiguous in the output.
//    No per-entry strings are allocated.
#include "connectors/bpjs/lzstring.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "connectors/bpjs/utf.hpp"

namespace simpul::connectors::bpjs {
namespace {

constexpr std::string_view kUriAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-$";
constexpr std::uint8_t kNotInAlphabet = 0xFF;

constexpr std::uint8_t reverse6(std::uint8_t v) {
  std::uint8_t r = 0;
  for (int i = 0; i < 6; ++i) {
    if (v & (1u << i)) r = static_cast<std::uint8_t>(r | (1u << (5 - i)));
  }
  return r;
}

// Character -> its 6 bits in stream (LSB-first) order.
constexpr std::array<std::uint8_t, 256> kDecodeTable = [] {
  std::array<std::uint8_t, 256> t{};
  for (auto& v : t) v = kNotInAlphabet;
  for (std::size_t i = 0; i < kUriAlphabet.size(); ++i) {
    t[static_cast<unsigned char>(kUriAlphabet[i])] = reverse6(static_cast<std::uint8_t>(i));
  }
  // decompressFromEncodedURIComponent maps ' ' to '+' before decoding.
  t[static_cast<unsigned char>(' ')] = reverse6(62);
  return t;
}();

// 6 stream-order bits -> output character.
constexpr std::array<char, 64> kEncodeTable = [] {
  std::array<char, 64> t{};
  for (std::uint8_t v = 0; v < 64; ++v) t[v] = kUriAlphabet[reverse6(v)];
  return t;
}();

class BitReader {
 public:
  explicit BitReader(std::string_view in)
      : begin_(reinterpret_cast<const unsigned char*>(in.data())),
        p_(begin_),
        end_(begin_ + in.size()) {}

  // Reads n (1..32) bits, value assembled least significant bit first.
  inline bool read(unsigned n, std::uint32_t& out) {
    if (count_ < n) {
      refill();
      if (count_ < n) return false;
    }
    out = static_cast<std::uint32_t>(buf_ & ((std::uint64_t{1} << n) - 1));
    buf_ >>= n;
    count_ -= n;
    return true;
  }

  std::string failure_reason() const {
    if (p_ != end_) {
      const unsigned char c = *p_;
      std::string what = "character ";
      if (c >= 0x20 && c < 0x7F) {
        what += '\'';
        what += static_cast<char>(c);
        what += '\'';
      } else {
        constexpr char hex[] = "0123456789abcdef";
        what += "0x";
        what += hex[c >> 4];
        what += hex[c & 15];
      }
      return what + " at offset " + std::to_string(p_ - begin_) +
             " is not in the lz-string URI alphabet";
    }
    return "stream ends before the end-of-stream code (truncated)";
  }

 private:
  inline void refill() {
    while (count_ <= 58 && p_ != end_) {
      const std::uint8_t v = kDecodeTable[*p_];
      if (v == kNotInAlphabet) return;  // reported only if these bits are needed
      buf_ |= std::uint64_t{v} << count_;
      count_ += 6;
      ++p_;
    }
  }

  const unsigned char* begin_;
  const unsigned char* p_;
  const unsigned char* end_;
  std::uint64_t buf_ = 0;
  unsigned count_ = 0;
};

// Growable UTF-16 buffer without zero-initialisation of new space.
class U16Buffer {
 public:
  explicit U16Buffer(std::size_t initial) { grow(initial < 64 ? 64 : initial); }

  char16_t* data() noexcept { return data_.get(); }
  std::size_t size() const noexcept { return size_; }
  std::u16string_view view() const noexcept { return {data_.get(), size_}; }

  // Makes room for n more units and returns a pointer to them. Keeps at
  // least kSlack writable units beyond the end for the decoder's over-copy.
  static constexpr std::size_t kSlack = 16;
  inline char16_t* extend(std::size_t n) {
    if (size_ + n + kSlack > cap_) grow(size_ + n + kSlack);
    char16_t* p = data_.get() + size_;
    size_ += n;
    return p;
  }

 private:
  void grow(std::size_t need) {
    std::size_t cap = cap_ * 2;
    if (cap < need) cap = need;
    std::unique_ptr<char16_t[]> next(new char16_t[cap]);
    if (size_ != 0) std::memcpy(next.get(), data_.get(), size_ * sizeof(char16_t));
    data_ = std::move(next);
    cap_ = cap;
  }

  std::unique_ptr<char16_t[]> data_;
  std::size_t size_ = 0;
  std::size_t cap_ = 0;
};

struct Slice {
  std::uint32_t start;
  std::uint32_t length;
};

Error lz_error(std::string reason) { return make_error(ErrorCode::bad_lz_stream, std::move(reason)); }

// Decodes into `out`. Returns an error or nullopt on success.
std::optional<Error> decode(std::string_view input, std::size_t max_units, U16Buffer& out) {
  if (input.empty()) return lz_error("empty input (lz-string yields null for it)");
  if (max_units > UINT32_MAX - 1) max_units = UINT32_MAX - 1;

  BitReader in(input);
  std::uint32_t bits = 0;
  if (!in.read(2, bits)) return lz_error(in.failure_reason());
  std::uint32_t unit = 0;
  switch (bits) {
    case 0:
      if (!in.read(8, unit)) return lz_error(in.failure_reason());
      break;
    case 1:
      if (!in.read(16, unit)) return lz_error(in.failure_reason());
      break;
    case 2:
      return std::nullopt;  // a valid stream of zero code units
    default:
      return lz_error("first code is 3; a stream must start with a literal or the end code");
  }
  if (max_units < 1) return lz_error("decompressed size exceeds the limit");

  // Each code takes at least 3 bits, so there are at most 2 codes per input
  // character, and each code adds at most 2 entries: a fixed bound, so the
  // hot loop never checks capacity. Codes 0, 1, 2 are control codes.
  const std::size_t dict_capacity = 4 * input.size() + 16;
  std::unique_ptr<Slice[]> dict(new Slice[dict_capacity]);
  std::uint32_t dict_size = 3;
  *out.extend(1) = static_cast<char16_t>(unit);
  dict[dict_size++] = Slice{0, 1};
  Slice w{0, 1};
  std::uint32_t enlarge_in = 4;
  unsigned num_bits = 3;

  for (;;) {
    std::uint32_t code = 0;
    if (!in.read(num_bits, code)) return lz_error(in.failure_reason());

    Slice entry;
    if (code <= 1) {
      if (!in.read(code == 0 ? 8 : 16, unit)) return lz_error(in.failure_reason());
      if (out.size() + 1 > max_units) return lz_error("decompressed size exceeds the limit");
      entry = Slice{static_cast<std::uint32_t>(out.size()), 1};
      dict[dict_size++] = entry;
      *out.extend(1) = static_cast<char16_t>(unit);
      if (--enlarge_in == 0) {
        enlarge_in = std::uint32_t{1} << num_bits;
        ++num_bits;
      }
    } else if (code == 2) {
      return std::nullopt;
    } else if (code < dict_size) {
      const Slice e = dict[code];
      const std::size_t at = out.size();
      if (at + e.length > max_units) return lz_error("decompressed size exceeds the limit");
      entry = Slice{static_cast<std::uint32_t>(at), e.length};
      char16_t* dst = out.extend(e.length);
      const char16_t* src = out.data() + e.start;
      if (e.length <= 16 && e.start + 16 <= at) {
        // Short entry well behind the end: copy a fixed 16 units (the buffer
        // keeps that much slack); units past e.length are overwritten later.
        std::memcpy(dst, src, 16 * sizeof(char16_t));
      } else {
        std::memcpy(dst, src, e.length * sizeof(char16_t));
      }
    } else if (code == dict_size) {
      // The code being defined right now: previous entry + its own first unit.
      if (out.size() + w.length + 1 > max_units) {
        return lz_error("decompressed size exceeds the limit");
      }
      entry = Slice{static_cast<std::uint32_t>(out.size()), w.length + 1};
      char16_t* dst = out.extend(w.length + 1);
      const char16_t* src = out.data() + w.start;
      std::memcpy(dst, src, w.length * sizeof(char16_t));
      dst[w.length] = src[0];
    } else {
      return lz_error("back reference to code " + std::to_string(code) +
                      " beyond the dictionary size " + std::to_string(dict_size));
    }

    dict[dict_size++] = Slice{w.start, w.length + 1};
    w = entry;
    if (--enlarge_in == 0) {
      enlarge_in = std::uint32_t{1} << num_bits;
      ++num_bits;
      if (num_bits > 32) return lz_error("code width exceeds 32 bits");
    }
  }
}

// ---- compressor -----------------------------------------------------------

// Open-addressing map from a 49-bit key to a dictionary code.
class CodeMap {
 public:
  explicit CodeMap(std::size_t expected) {
    std::size_t cap = 64;
    while (cap < expected * 2) cap <<= 1;
    reset(cap);
  }

  // Returns the code for key, or inserts `code_if_absent` and returns nullopt.
  std::optional<std::uint32_t> find_or_insert(std::uint64_t key, std::uint32_t code_if_absent) {
    std::size_t i = slot_of(key);
    while (keys_[i] != kEmpty) {
      if (keys_[i] == key) return values_[i];
      i = (i + 1) & mask_;
    }
    keys_[i] = key;
    values_[i] = code_if_absent;
    if (++used_ * 2 > keys_.size()) rehash();
    return std::nullopt;
  }

 private:
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};

  std::size_t slot_of(std::uint64_t key) const {
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_) & mask_;
  }

  void reset(std::size_t cap) {
    keys_.assign(cap, kEmpty);
    values_.assign(cap, 0);
    mask_ = cap - 1;
    shift_ = 64;
    for (std::size_t c = cap; c > 1; c >>= 1) --shift_;
    used_ = 0;
  }

  void rehash() {
    std::vector<std::uint64_t> old_keys = std::move(keys_);
    std::vector<std::uint32_t> old_values = std::move(values_);
    reset(old_keys.size() * 2);
    for (std::size_t j = 0; j < old_keys.size(); ++j) {
      if (old_keys[j] == kEmpty) continue;
      std::size_t i = slot_of(old_keys[j]);
      while (keys_[i] != kEmpty) i = (i + 1) & mask_;
      keys_[i] = old_keys[j];
      values_[i] = old_values[j];
      ++used_;
    }
  }

  std::vector<std::uint64_t> keys_;
  std::vector<std::uint32_t> values_;
  std::size_t mask_ = 0;
  unsigned shift_ = 64;
  std::size_t used_ = 0;
};

class BitWriter {
 public:
  explicit BitWriter(std::string& out) : out_(out) {}

  // Writes the low n bits (n <= 32) of value, least significant first.
  inline void write(std::uint32_t value, unsigned n) {
    const std::uint64_t masked = n >= 32 ? value : (value & ((std::uint32_t{1} << n) - 1));
    buf_ |= masked << count_;
    count_ += n;
    while (count_ >= 6) {
      out_.push_back(kEncodeTable[buf_ & 63]);
      buf_ >>= 6;
      count_ -= 6;
    }
  }

  // lz-string always pads with at least one zero bit, so a full extra
  // character is emitted when the stream ends on a character boundary.
  void finish() { out_.push_back(kEncodeTable[buf_ & 63]); }

 private:
  std::string& out_;
  std::uint64_t buf_ = 0;
  unsigned count_ = 0;
};

}  // namespace

std::string lz_compress_to_encoded_uri_component(std::u16string_view input) {
  std::string out;
  out.reserve(input.size() / 2 + 16);
  BitWriter bits(out);
  CodeMap codes(input.size() + 16);
  std::vector<std::uint8_t> pending;  // by code: literal defined but not yet emitted
  pending.reserve(input.size() + 8);
  pending.resize(3, 0);

  std::uint32_t dict_size = 3;
  std::uint32_t enlarge_in = 2;
  unsigned num_bits = 2;
  auto count_code = [&] {
    if (--enlarge_in == 0) {
      enlarge_in = std::uint32_t{1} << num_bits;
      ++num_bits;
    }
  };

  bool have_w = false;
  bool w_single = false;
  std::uint32_t w_code = 0;
  char16_t w_unit = 0;

  auto emit_w = [&] {
    if (w_single && pending[w_code]) {
      if (w_unit < 256) {
        bits.write(0, num_bits);
        bits.write(w_unit, 8);
      } else {
        bits.write(1, num_bits);
        bits.write(w_unit, 16);
      }
      count_code();
      pending[w_code] = 0;
    } else {
      bits.write(w_code, num_bits);
    }
    count_code();
  };

  for (const char16_t c : input) {
    std::uint32_t c_code = dict_size;
    if (auto found = codes.find_or_insert(c, dict_size)) {
      c_code = *found;
    } else {
      ++dict_size;
      pending.push_back(1);
    }
    if (!have_w) {
      have_w = true;
      w_single = true;
      w_code = c_code;
      w_unit = c;
      continue;
    }
    const std::uint64_t wc_key = ((std::uint64_t{w_code} + 1) << 16) | c;
    if (auto found = codes.find_or_insert(wc_key, dict_size)) {
      w_code = *found;
      w_single = false;
      continue;
    }
    // wc was just added to the dictionary with code dict_size.
    emit_w();
    ++dict_size;
    pending.push_back(0);
    w_single = true;
    w_code = c_code;
    w_unit = c;
  }
  if (have_w) emit_w();
  bits.write(2, num_bits);
  bits.finish();
  return out;
}

Result<std::u16string> lz_decompress_from_encoded_uri_component(std::string_view input,
                                                                std::size_t max_output_units) {
  U16Buffer out(input.size() * 3);
  if (auto err = decode(input, max_output_units, out)) return std::move(*err);
  return std::u16string(out.view());
}

Result<std::string> lz_decompress_from_encoded_uri_component_to_utf8(std::string_view input,
                                                                    std::size_t max_output_units) {
  U16Buffer out(input.size() * 3);
  if (auto err = decode(input, max_output_units, out)) return std::move(*err);
  std::string utf8;
  append_utf16_as_utf8(out.view(), utf8);
  return utf8;
}

}  // namespace simpul::connectors::bpjs
