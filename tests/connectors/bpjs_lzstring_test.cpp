// lz-string URI-component codec and UTF conversions.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "connectors/bpjs/lzstring.hpp"
#include "connectors/bpjs/utf.hpp"
#include "tests/connectors/bpjs_golden.hpp"

namespace bpjs = simpul::connectors::bpjs;
namespace golden = simpul::connectors::bpjs::golden;
using bpjs::ErrorCode;

namespace {

std::u16string random_units(std::mt19937& rng, std::size_t len, char16_t lo, char16_t hi) {
  std::uniform_int_distribution<int> d(lo, hi);
  std::u16string s(len, u'\0');
  for (auto& c : s) c = static_cast<char16_t>(d(rng));
  return s;
}

}  // namespace

TEST(BpjsLzString, GoldenVectorDecompresses) {
  auto r = bpjs::lz_decompress_from_encoded_uri_component_to_utf8(golden::kLz);
  ASSERT_TRUE(r) << r.error().reason;
  EXPECT_EQ(*r, golden::kPlaintext);
}

TEST(BpjsLzString, GoldenVectorCompressesToTheSameCharacters) {
  auto utf16 = bpjs::utf8_to_utf16(golden::kPlaintext, bpjs::Utf8Errors::reject);
  ASSERT_TRUE(utf16);
  EXPECT_EQ(bpjs::lz_compress_to_encoded_uri_component(*utf16), golden::kLz);
}

TEST(BpjsLzString, KnownSmallOutputs) {
  // The end-of-stream code alone: 2 in two bits, padded.
  EXPECT_EQ(bpjs::lz_compress_to_encoded_uri_component(u""), "Q");
  auto empty = bpjs::lz_decompress_from_encoded_uri_component("Q");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST(BpjsLzString, RoundTripsVariedInputs) {
  std::mt19937 rng(42);
  for (int i = 0; i < 300; ++i) {
    const std::size_t len = static_cast<std::size_t>(rng() % 400);
    std::u16string s;
    switch (i % 4) {
      case 0: s = random_units(rng, len, 0x20, 0x7E); break;
      case 1: s = random_units(rng, len, 0x00, 0xFF); break;
      case 2: s = random_units(rng, len, 0x0000, 0xFFFF); break;
      default: s = random_units(rng, len, u'a', u'c'); break;  // highly repetitive
    }
    const std::string c = bpjs::lz_compress_to_encoded_uri_component(s);
    auto d = bpjs::lz_decompress_from_encoded_uri_component(c);
    ASSERT_TRUE(d) << i << ": " << d.error().reason;
    EXPECT_EQ(*d, s) << "case " << i;
  }
}

TEST(BpjsLzString, RoundTripsLargeRepetitivePayload) {
  std::u16string s;
  for (int i = 0; i < 20000; ++i) s += u"{\"kode\":\"" + std::u16string(1, static_cast<char16_t>(u'A' + i % 26)) + u"\"},";
  const std::string c = bpjs::lz_compress_to_encoded_uri_component(s);
  EXPECT_LT(c.size(), s.size() / 4);
  auto d = bpjs::lz_decompress_from_encoded_uri_component(c);
  ASSERT_TRUE(d);
  EXPECT_EQ(*d, s);
}

TEST(BpjsLzString, SpaceIsReadAsPlus) {
  // Find a compressed string containing '+' and replace it by ' '.
  std::mt19937 rng(3);
  for (int i = 0; i < 200; ++i) {
    const auto s = random_units(rng, 40, 0x20, 0x7E);
    std::string c = bpjs::lz_compress_to_encoded_uri_component(s);
    if (c.find('+') == std::string::npos) continue;
    for (auto& ch : c) {
      if (ch == '+') ch = ' ';
    }
    auto d = bpjs::lz_decompress_from_encoded_uri_component(c);
    ASSERT_TRUE(d);
    EXPECT_EQ(*d, s);
    return;
  }
  FAIL() << "no sample contained '+'";
}

TEST(BpjsLzString, EveryTruncationIsAnErrorNeverACrash) {
  const std::string full(golden::kLz);
  int errors = 0;
  for (std::size_t n = 0; n < full.size(); ++n) {
    auto r = bpjs::lz_decompress_from_encoded_uri_component_to_utf8(full.substr(0, n));
    if (r) {
      // Only the final padding character may go missing without harm.
      EXPECT_EQ(n, full.size() - 1);
      EXPECT_EQ(*r, golden::kPlaintext);
      continue;
    }
    EXPECT_EQ(r.error().code, ErrorCode::bad_lz_stream);
    EXPECT_FALSE(r.error().reason.empty());
    ++errors;
  }
  EXPECT_GE(errors, static_cast<int>(full.size()) - 1);
  auto truncated = bpjs::lz_decompress_from_encoded_uri_component(full.substr(0, 60));
  EXPECT_NE(truncated.error().reason.find("truncated"), std::string::npos)
      << truncated.error().reason;
}

TEST(BpjsLzString, CharacterOutsideAlphabetIsAnErrorWithItsOffset) {
  std::string bad(golden::kLz);
  bad[10] = '/';
  auto r = bpjs::lz_decompress_from_encoded_uri_component(bad);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::bad_lz_stream);
  EXPECT_NE(r.error().reason.find("offset 10"), std::string::npos) << r.error().reason;
}

TEST(BpjsLzString, TrailingBytesAfterEndCodeAreIgnored) {
  // PKCS#7 padding left in place (§3.4): 0x02 0x02 after the stream.
  std::string padded(golden::kLz);
  padded += "\x02\x02";
  auto r = bpjs::lz_decompress_from_encoded_uri_component_to_utf8(padded);
  ASSERT_TRUE(r) << r.error().reason;
  EXPECT_EQ(*r, golden::kPlaintext);
}

TEST(BpjsLzString, InvalidStreamsAreErrors) {
  EXPECT_EQ(bpjs::lz_decompress_from_encoded_uri_component("").error().code,
            ErrorCode::bad_lz_stream);
  // First code 3 ("$" = 63 -> first two stream bits are 1,1).
  EXPECT_EQ(bpjs::lz_decompress_from_encoded_uri_component("$$$$").error().code,
            ErrorCode::bad_lz_stream);
  // Random garbage in the alphabet: must never crash; result is either an
  // error or some output.
  std::mt19937 rng(11);
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-$";
  int errors = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string g(1 + rng() % 64, 'A');
    for (auto& c : g) c = alphabet[rng() % alphabet.size()];
    auto r = bpjs::lz_decompress_from_encoded_uri_component(g, 4096);
    if (!r) {
      EXPECT_EQ(r.error().code, ErrorCode::bad_lz_stream);
      ++errors;
    }
  }
  EXPECT_GT(errors, 1000);
}

TEST(BpjsLzString, OutputCapStopsDecompressionBombs) {
  std::u16string big(100000, u'a');
  const std::string c = bpjs::lz_compress_to_encoded_uri_component(big);
  auto capped = bpjs::lz_decompress_from_encoded_uri_component(c, 1000);
  ASSERT_FALSE(capped);
  EXPECT_NE(capped.error().reason.find("limit"), std::string::npos);
  auto ok = bpjs::lz_decompress_from_encoded_uri_component(c, 100000);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->size(), 100000u);
}

TEST(BpjsUtf, Utf16ToUtf8JoinsPairsAndReplacesLoneSurrogates) {
  EXPECT_EQ(bpjs::utf16_to_utf8(u"A\u00D1\u20AC"), "A\xC3\x91\xE2\x82\xAC");
  EXPECT_EQ(bpjs::utf16_to_utf8(u"\U0001F600"), "\xF0\x9F\x98\x80");
  const std::u16string lone_high = {u'x', static_cast<char16_t>(0xD83D), u'y'};
  EXPECT_EQ(bpjs::utf16_to_utf8(lone_high), "x\xEF\xBF\xBDy");
  const std::u16string lone_low = {static_cast<char16_t>(0xDE00)};
  EXPECT_EQ(bpjs::utf16_to_utf8(lone_low), "\xEF\xBF\xBD");
  const std::u16string reversed = {static_cast<char16_t>(0xDE00), static_cast<char16_t>(0xD83D)};
  EXPECT_EQ(bpjs::utf16_to_utf8(reversed), "\xEF\xBF\xBD\xEF\xBF\xBD");
  const std::u16string high_at_end = {u'a', static_cast<char16_t>(0xD800)};
  EXPECT_EQ(bpjs::utf16_to_utf8(high_at_end), "a\xEF\xBF\xBD");
}

TEST(BpjsUtf, Utf8ToUtf16RoundTripsValidText) {
  const std::string text = "Gr\xC3\xBC\xC3\x9F \xE2\x82\xAC \xF0\x9F\x98\x80 end";
  auto u = bpjs::utf8_to_utf16(text, bpjs::Utf8Errors::reject);
  ASSERT_TRUE(u);
  EXPECT_EQ(*u, u"Gr\u00FC\u00DF \u20AC \U0001F600 end");
  EXPECT_EQ(bpjs::utf16_to_utf8(*u), text);
  EXPECT_TRUE(bpjs::is_valid_utf8(text));
}

TEST(BpjsUtf, IllFormedUtf8ReplacedLikeWhatwgOrRejected) {
  struct Case {
    std::string in;
    std::u16string out;
  };
  const Case cases[] = {
      {"a\x80" "b", u"a\uFFFDb"},                 // lone continuation
      {"\xC3", u"\uFFFD"},                       // truncated 2-byte
      {"\xE2\x82", u"\uFFFD"},                   // truncated 3-byte: one maximal subpart
      {"\xE2\x82x", u"\uFFFDx"},
      {"\xC0\xAF", u"\uFFFD\uFFFD"},             // overlong: C0 invalid lead, AF lone
      {"\xED\xA0\x80", u"\uFFFD\uFFFD\uFFFD"},   // UTF-8 encoded surrogate
      {"\xF4\x90\x80\x80", u"\uFFFD\uFFFD\uFFFD\uFFFD"},  // > U+10FFFF
      {"\xFF", u"\uFFFD"},
      {"\xF0\x9F\x98", u"\uFFFD"},
  };
  for (const auto& c : cases) {
    auto r = bpjs::utf8_to_utf16(c.in, bpjs::Utf8Errors::replace);
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, c.out) << "input bytes: " << c.in.size();
    EXPECT_FALSE(bpjs::is_valid_utf8(c.in));
    auto strict = bpjs::utf8_to_utf16(c.in, bpjs::Utf8Errors::reject);
    ASSERT_FALSE(strict);
    EXPECT_EQ(strict.error().code, ErrorCode::bad_utf);
  }
}
