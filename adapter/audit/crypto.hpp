#pragma once
// The audit trail's cryptography, on OpenSSL 3 EVP: SHA-256, HMAC-SHA256 pseudonyms,
// HKDF-SHA256 key derivation, AES-256-GCM subject encryption and Ed25519 tree-head
// signatures. Byte strings are std::string. Errors throw std::runtime_error whose message
// names the operation, never a key or the data.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace simpul::adapter::audit {

std::string sha256(std::string_view data);                             // 32 bytes
std::string hmac_sha256(std::string_view key, std::string_view data);  // 32 bytes
// RFC 5869 HKDF-SHA256 (extract and expand).
std::string hkdf_sha256(std::string_view ikm, std::string_view salt, std::string_view info, std::size_t length);
std::string random_bytes(std::size_t n);

std::string to_hex(std::string_view bytes);                          // lowercase
std::optional<std::string> from_hex(std::string_view hex) noexcept;  // nullopt: odd length or a non-hex digit

// AES-256-GCM with a random 96-bit nonce: returns nonce (12) || ciphertext || tag (16).
std::string aes256gcm_seal(std::string_view key, std::string_view plaintext, std::string_view aad);
// nullopt when the key, the AAD or the bytes do not match (authentication failed).
std::optional<std::string> aes256gcm_open(std::string_view key, std::string_view sealed, std::string_view aad);

// An Ed25519 private key.
class SigningKey {
 public:
  static SigningKey generate();
  // PEM "PRIVATE KEY" (PKCS#8). Throws std::runtime_error when it is not an Ed25519 key.
  static SigningKey from_pem(std::string_view pem);
  std::string private_pem() const;
  std::string public_key() const;                    // raw 32 bytes
  std::string public_pem() const;                    // "PUBLIC KEY" (SubjectPublicKeyInfo)
  std::string sign(std::string_view message) const;  // 64 bytes
  // First 16 hex digits of SHA-256(raw public key).
  std::string key_id() const;

 private:
  struct Free {
    void operator()(void* key) const noexcept;
  };
  explicit SigningKey(void* key) : key_(key) {}
  std::unique_ptr<void, Free> key_;
};

// Verifies an Ed25519 signature with a raw 32-byte public key.
bool ed25519_verify(std::string_view public_key, std::string_view message, std::string_view signature) noexcept;
std::string key_id_of(std::string_view public_key);
// The raw 32-byte key of a PEM "PUBLIC KEY" (Ed25519). Throws std::runtime_error.
std::string ed25519_public_key_from_pem(std::string_view pem);

}  // namespace simpul::adapter::audit
