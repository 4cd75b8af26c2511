#include "connectors/bpjs/crypto.hpp"

#include <algorithm>
#include <memory>
#include <stdexcept>

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace simpul::connectors::bpjs {
namespace {

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const noexcept { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

Sha256Digest sha256(std::string_view data) {
  Sha256Digest out{};
  unsigned int len = 0;
  // EVP_Digest is the one-shot EVP API; it only fails on allocation failure.
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr) != 1 || len != out.size()) {
    throw std::runtime_error("EVP_Digest(SHA-256) failed");
  }
  return out;
}

Sha256Digest hmac_sha256(std::string_view key, std::string_view message) {
  Sha256Digest out{};
  unsigned int len = 0;
  // HMAC() one-shot is not deprecated in OpenSSL 3 (only the HMAC_CTX API is).
  // A zero-length key must still be a valid pointer.
  static const unsigned char empty = 0;
  const void* key_ptr = key.empty() ? static_cast<const void*>(&empty) : key.data();
  if (HMAC(EVP_sha256(), key_ptr, static_cast<int>(key.size()), bytes(message), message.size(), out.data(), &len) ==
          nullptr ||
      len != out.size()) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  return out;
}

AesKey derive_response_key(std::string_view cons_id, std::string_view secret_key, std::string_view timestamp) {
  std::string material;
  material.reserve(cons_id.size() + secret_key.size() + timestamp.size());
  material.append(cons_id).append(secret_key).append(timestamp);
  AesKey k;
  k.key = sha256(material);
  std::copy_n(k.key.begin(), k.iv.size(), k.iv.begin());
  return k;
}

namespace {

// One AES-256-CBC pass over `in` with the EVP_Cipher* API (encrypt or decrypt
// by the flag). A failed final step of a decryption is a bad PKCS#7 padding.
Result<std::string> aes256cbc(const AesKey& key, std::string_view in, bool encrypt) {
  const std::string op = encrypt ? "EVP_Encrypt" : "EVP_Decrypt";
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx ||
      EVP_CipherInit_ex(ctx.get(), EVP_aes_256_cbc(), nullptr, key.key.data(), key.iv.data(), encrypt ? 1 : 0) != 1) {
    return make_error(ErrorCode::crypto_failure, op + "Init_ex failed");
  }
  std::string out;
  out.resize(in.size() + 16);
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  // EVP lengths are int: process in chunks so huge inputs cannot overflow.
  std::size_t done = 0;
  std::size_t written = 0;
  constexpr std::size_t kChunk = std::size_t{1} << 30;
  int len = 0;
  do {
    const std::size_t n = std::min(kChunk, in.size() - done);
    if (EVP_CipherUpdate(ctx.get(), dst + written, &len, bytes(in) + done, static_cast<int>(n)) != 1) {
      return make_error(ErrorCode::crypto_failure, op + "Update failed");
    }
    done += n;
    written += static_cast<std::size_t>(len);
  } while (done < in.size());
  if (EVP_CipherFinal_ex(ctx.get(), dst + written, &len) != 1) {
    if (encrypt) return make_error(ErrorCode::crypto_failure, op + "Final_ex failed");
    return make_error(ErrorCode::bad_padding,
                      "AES-256-CBC PKCS#7 padding check failed (wrong cons_id/secret/timestamp?)");
  }
  out.resize(written + static_cast<std::size_t>(len));
  return out;
}

}  // namespace

Result<std::string> aes256cbc_encrypt(const AesKey& key, std::string_view plaintext) {
  return aes256cbc(key, plaintext, true);
}

Result<std::string> aes256cbc_decrypt(const AesKey& key, std::string_view ciphertext) {
  if (ciphertext.empty() || ciphertext.size() % 16 != 0) {
    return make_error(ErrorCode::bad_ciphertext, "ciphertext length " + std::to_string(ciphertext.size()) +
                                                     " is not a positive multiple of the AES block size (16)");
  }
  return aes256cbc(key, ciphertext, false);
}

}  // namespace simpul::connectors::bpjs
