// Cryptographic primitives of the BPJS bridging protocol, on OpenSSL 3 EVP.
//
// Research note bpjs-api.md §3.2: the response key is
//   digest = SHA-256(consId + secretKey + X-timestamp)   (raw 32 bytes)
//   AES-256-CBC key = digest, IV = digest[0..16), PKCS#7 padding.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "connectors/bpjs/error.hpp"

namespace simpul::connectors::bpjs {

using Sha256Digest = std::array<std::uint8_t, 32>;

Sha256Digest sha256(std::string_view data);
Sha256Digest hmac_sha256(std::string_view key, std::string_view message);

/// AES-256-CBC key material for one request.
struct AesKey {
  std::array<std::uint8_t, 32> key{};
  std::array<std::uint8_t, 16> iv{};
};

/// key = SHA-256(cons_id + secret_key + timestamp), iv = key[0..16).
AesKey derive_response_key(std::string_view cons_id, std::string_view secret_key,
                           std::string_view timestamp);

/// AES-256-CBC with PKCS#7 padding. Output is binary (std::string as bytes).
Result<std::string> aes256cbc_encrypt(const AesKey& key, std::string_view plaintext);

/// Errors: bad_ciphertext (empty / not a multiple of 16 bytes), bad_padding
/// (PKCS#7 check failed: a wrong key or timestamp shows up here), crypto_failure.
Result<std::string> aes256cbc_decrypt(const AesKey& key, std::string_view ciphertext);

}  // namespace simpul::connectors::bpjs
