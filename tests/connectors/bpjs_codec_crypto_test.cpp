// Base64/hex codecs and the crypto primitives of the BPJS protocol.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "connectors/bpjs/codec.hpp"
#include "connectors/bpjs/crypto.hpp"
#include "tests/connectors/bpjs_golden.hpp"

namespace bpjs = simpul::connectors::bpjs;
namespace golden = simpul::connectors::bpjs::golden;
using bpjs::ErrorCode;

namespace {

std::string hex(const bpjs::Sha256Digest& d) {
  return bpjs::hex_encode(std::span<const std::uint8_t>(d.data(), d.size()));
}

}  // namespace

TEST(BpjsBase64, EncodesRfc4648Vectors) {
  EXPECT_EQ(bpjs::base64_encode(std::string_view("")), "");
  EXPECT_EQ(bpjs::base64_encode(std::string_view("f")), "Zg==");
  EXPECT_EQ(bpjs::base64_encode(std::string_view("fo")), "Zm8=");
  EXPECT_EQ(bpjs::base64_encode(std::string_view("foo")), "Zm9v");
  EXPECT_EQ(bpjs::base64_encode(std::string_view("foob")), "Zm9vYg==");
  EXPECT_EQ(bpjs::base64_encode(std::string_view("fooba")), "Zm9vYmE=");
  EXPECT_EQ(bpjs::base64_encode(std::string_view("foobar")), "Zm9vYmFy");
}

TEST(BpjsBase64, DecodesRfc4648Vectors) {
  for (const auto& [enc, dec] : {std::pair{"", ""}, {"Zg==", "f"}, {"Zm8=", "fo"}, {"Zm9v", "foo"},
                                 {"Zm9vYg==", "foob"}, {"Zm9vYmE=", "fooba"}, {"Zm9vYmFy", "foobar"}}) {
    auto r = bpjs::base64_decode(enc);
    ASSERT_TRUE(r) << enc << ": " << r.error().reason;
    EXPECT_EQ(*r, dec);
  }
}

TEST(BpjsBase64, RoundTripsAllByteValuesAndLengths) {
  std::mt19937 rng(7);
  for (std::size_t len = 0; len < 300; ++len) {
    std::string bytes(len, '\0');
    for (auto& b : bytes) b = static_cast<char>(rng() & 0xFF);
    const std::string enc = bpjs::base64_encode(bytes);
    EXPECT_EQ(enc.size() % 4, 0u);
    auto dec = bpjs::base64_decode(enc);
    ASSERT_TRUE(dec);
    EXPECT_EQ(*dec, bytes);
  }
}

TEST(BpjsBase64, SkipsLineBreaksOnly) {
  auto r = bpjs::base64_decode("Zm9v\r\nYmFy\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "foobar");
  auto space = bpjs::base64_decode("Zm9v YmFy");
  ASSERT_FALSE(space);
  EXPECT_EQ(space.error().code, ErrorCode::bad_base64);
  EXPECT_NE(space.error().reason.find("offset 4"), std::string::npos) << space.error().reason;
}

TEST(BpjsBase64, RejectsMalformedInput) {
  for (const char* bad : {"Zm9", "Zm9vY", "Z===", "Zg=a", "Zg==Zg==", "=Zg=", "Zm-v", "Zm_v",
                          "Zm9v\x01", "Zg=", "Zm9vYmFy=", "Zm9v====", "\xC3\x91\xC3\x91"}) {
    auto r = bpjs::base64_decode(bad);
    ASSERT_FALSE(r) << "accepted: " << bad;
    EXPECT_EQ(r.error().code, ErrorCode::bad_base64) << bad;
    EXPECT_FALSE(r.error().reason.empty());
  }
}

TEST(BpjsHex, EncodesAndDecodes) {
  EXPECT_EQ(bpjs::hex_encode(std::string_view("\x00\xff\x10", 3)), "00ff10");
  auto r = bpjs::hex_decode("00FFa0");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, std::string("\x00\xff\xa0", 3));
  EXPECT_EQ(bpjs::hex_decode("abc").error().code, ErrorCode::bad_hex);
  EXPECT_EQ(bpjs::hex_decode("zz").error().code, ErrorCode::bad_hex);
}

TEST(BpjsCrypto, Sha256KnownVectors) {
  EXPECT_EQ(hex(bpjs::sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hex(bpjs::sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(BpjsCrypto, HmacRfc4231Case2) {
  EXPECT_EQ(hex(bpjs::hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(BpjsCrypto, CatalogueHmacVector) {
  const auto mac = bpjs::hmac_sha256(golden::kCatalogueHmacKey, golden::kCatalogueHmacMessage);
  EXPECT_EQ(bpjs::base64_encode(std::span<const std::uint8_t>(mac.data(), mac.size())),
            golden::kCatalogueHmacBase64);
}

TEST(BpjsCrypto, GoldenKeyDerivation) {
  const auto k = bpjs::derive_response_key(golden::kConsId, golden::kSecret, golden::kTimestamp);
  EXPECT_EQ(bpjs::hex_encode(std::span<const std::uint8_t>(k.key.data(), k.key.size())),
            golden::kKeyHex);
  EXPECT_EQ(bpjs::hex_encode(std::span<const std::uint8_t>(k.iv.data(), k.iv.size())),
            golden::kIvHex);
}

TEST(BpjsCrypto, GoldenAesBothDirections) {
  const auto k = bpjs::derive_response_key(golden::kConsId, golden::kSecret, golden::kTimestamp);
  auto cipher = bpjs::base64_decode(golden::kResponse);
  ASSERT_TRUE(cipher);
  auto plain = bpjs::aes256cbc_decrypt(k, *cipher);
  ASSERT_TRUE(plain) << plain.error().reason;
  EXPECT_EQ(*plain, golden::kLz);

  auto again = bpjs::aes256cbc_encrypt(k, golden::kLz);
  ASSERT_TRUE(again);
  EXPECT_EQ(bpjs::base64_encode(*again), golden::kResponse);
}

TEST(BpjsCrypto, AesRoundTripAndPaddingSizes) {
  const auto k = bpjs::derive_response_key("c", "s", "1");
  for (std::size_t len : {0u, 1u, 15u, 16u, 17u, 31u, 32u, 1000u}) {
    const std::string text(len, 'x');
    auto c = bpjs::aes256cbc_encrypt(k, text);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->size(), (len / 16 + 1) * 16) << len;
    auto p = bpjs::aes256cbc_decrypt(k, *c);
    ASSERT_TRUE(p);
    EXPECT_EQ(*p, text);
  }
}

TEST(BpjsCrypto, WrongKeyIsBadPaddingOrGarbageNeverCrash) {
  const auto right = bpjs::derive_response_key(golden::kConsId, golden::kSecret, golden::kTimestamp);
  auto cipher = bpjs::base64_decode(golden::kResponse);
  ASSERT_TRUE(cipher);
  int bad_padding = 0;
  for (int ts = 433223200; ts < 433223232; ++ts) {
    const auto wrong = bpjs::derive_response_key(golden::kConsId, golden::kSecret, std::to_string(ts));
    auto r = bpjs::aes256cbc_decrypt(wrong, *cipher);
    if (!r) {
      EXPECT_EQ(r.error().code, ErrorCode::bad_padding);
      ++bad_padding;
    } else {
      EXPECT_NE(*r, golden::kLz);  // 1-in-256 chance of "valid" padding: still not the plaintext
    }
  }
  EXPECT_GE(bad_padding, 28);
  EXPECT_TRUE(bpjs::aes256cbc_decrypt(right, *cipher));
}

TEST(BpjsCrypto, RejectsBadCiphertextLength) {
  const auto k = bpjs::derive_response_key("c", "s", "1");
  EXPECT_EQ(bpjs::aes256cbc_decrypt(k, "").error().code, ErrorCode::bad_ciphertext);
  EXPECT_EQ(bpjs::aes256cbc_decrypt(k, std::string(17, 'a')).error().code,
            ErrorCode::bad_ciphertext);
}
