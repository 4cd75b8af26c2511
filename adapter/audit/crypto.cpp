#include "adapter/audit/crypto.hpp"

#include <stdexcept>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

namespace simpul::adapter::audit {

namespace {

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* bytes(std::string& s) {
  return reinterpret_cast<unsigned char*>(s.data());
}

[[noreturn]] void fail(const char* what) {
  throw std::runtime_error(std::string("audit crypto: ") + what + " failed");
}

struct CipherFree {
  void operator()(EVP_CIPHER_CTX* c) const noexcept { EVP_CIPHER_CTX_free(c); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const noexcept { EVP_MD_CTX_free(c); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const noexcept { EVP_PKEY_free(k); }
};
struct BioFree {
  void operator()(BIO* b) const noexcept { BIO_free(b); }
};
struct KdfFree {
  void operator()(EVP_KDF* k) const noexcept { EVP_KDF_free(k); }
};
struct KdfCtxFree {
  void operator()(EVP_KDF_CTX* k) const noexcept { EVP_KDF_CTX_free(k); }
};

constexpr std::size_t kNonce = 12, kTag = 16;

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

}  // namespace

std::string sha256(std::string_view data) {
  std::string out(32, '\0');
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), bytes(out), &len, EVP_sha256(), nullptr) != 1 || len != 32) fail("SHA-256");
  return out;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  std::string out(32, '\0');
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), bytes(data), data.size(), bytes(out), &len) ||
      len != 32)
    fail("HMAC-SHA256");
  return out;
}

std::string hkdf_sha256(std::string_view ikm, std::string_view salt, std::string_view info, std::size_t length) {
  std::unique_ptr<EVP_KDF, KdfFree> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
  if (!kdf) fail("HKDF fetch");
  std::unique_ptr<EVP_KDF_CTX, KdfCtxFree> ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) fail("HKDF context");
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<char*>(ikm.data()), ikm.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(salt.data()), salt.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char*>(info.data()), info.size()),
      OSSL_PARAM_construct_end()};
  std::string out(length, '\0');
  if (EVP_KDF_derive(ctx.get(), bytes(out), out.size(), params) != 1) fail("HKDF-SHA256");
  return out;
}

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  if (n && RAND_bytes(bytes(out), static_cast<int>(n)) != 1) fail("RAND_bytes");
  return out;
}

std::string to_hex(std::string_view in) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(in.size() * 2);
  for (unsigned char c : in) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 0x0f]);
  }
  return out;
}

std::optional<std::string> from_hex(std::string_view hex) noexcept {
  if (hex.size() % 2) return std::nullopt;
  auto value = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int hi = value(hex[i]), lo = value(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

std::string aes256gcm_seal(std::string_view key, std::string_view plaintext, std::string_view aad) {
  if (key.size() != 32) fail("AES-256-GCM (key is not 32 bytes)");
  std::string out = random_bytes(kNonce);
  out.resize(kNonce + plaintext.size() + kTag);
  std::unique_ptr<EVP_CIPHER_CTX, CipherFree> ctx(EVP_CIPHER_CTX_new());
  int len = 0, total = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key), bytes(out)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), bytes(out) + kNonce, &len, bytes(plaintext), static_cast<int>(plaintext.size())) !=
          1)
    fail("AES-256-GCM encryption");
  total = len;
  if (EVP_EncryptFinal_ex(ctx.get(), bytes(out) + kNonce + total, &len) != 1) fail("AES-256-GCM encryption");
  total += len;
  if (static_cast<std::size_t>(total) != plaintext.size() ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTag, bytes(out) + kNonce + total) != 1)
    fail("AES-256-GCM tag");
  return out;
}

std::optional<std::string> aes256gcm_open(std::string_view key, std::string_view sealed, std::string_view aad) {
  if (key.size() != 32 || sealed.size() < kNonce + kTag) return std::nullopt;
  const std::string_view nonce = sealed.substr(0, kNonce);
  const std::string_view body = sealed.substr(kNonce, sealed.size() - kNonce - kTag);
  std::string tag(sealed.substr(sealed.size() - kTag));
  std::string out(body.size(), '\0');
  std::unique_ptr<EVP_CIPHER_CTX, CipherFree> ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key), bytes(nonce)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), bytes(out), &len, bytes(body), static_cast<int>(body.size())) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTag, bytes(tag)) != 1)
    return std::nullopt;
  int tail = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), bytes(out) + len, &tail) != 1) return std::nullopt;
  return out;
}

// ---------------------------------------------------------------- Ed25519

void SigningKey::Free::operator()(void* key) const noexcept {
  EVP_PKEY_free(static_cast<EVP_PKEY*>(key));
}

SigningKey SigningKey::generate() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (!key) fail("Ed25519 key generation");
  return SigningKey(key);
}

SigningKey SigningKey::from_pem(std::string_view pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) fail("reading the signing key");
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (!key) throw std::runtime_error("audit signing key: not a PEM private key");
  SigningKey result(key);
  if (EVP_PKEY_get_id(key) != EVP_PKEY_ED25519)
    throw std::runtime_error(
        "audit signing key: not an Ed25519 key (generate one with: openssl genpkey -algorithm ed25519)");
  return result;
}

std::string SigningKey::private_pem() const {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), static_cast<EVP_PKEY*>(key_.get()), nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1)
    fail("writing the signing key");
  return bio_text(bio.get());
}

std::string SigningKey::public_pem() const {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), static_cast<EVP_PKEY*>(key_.get())) != 1) fail("writing the public key");
  return bio_text(bio.get());
}

std::string SigningKey::public_key() const {
  std::string out(32, '\0');
  std::size_t len = out.size();
  if (EVP_PKEY_get_raw_public_key(static_cast<EVP_PKEY*>(key_.get()), bytes(out), &len) != 1 || len != 32)
    fail("reading the Ed25519 public key");
  return out;
}

std::string SigningKey::sign(std::string_view message) const {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  std::string sig(64, '\0');
  std::size_t len = sig.size();
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, static_cast<EVP_PKEY*>(key_.get())) != 1 ||
      EVP_DigestSign(ctx.get(), bytes(sig), &len, bytes(message), message.size()) != 1 || len != 64)
    fail("Ed25519 signing");
  return sig;
}

std::string SigningKey::key_id() const {
  return key_id_of(public_key());
}

std::string key_id_of(std::string_view public_key) {
  return to_hex(sha256(public_key)).substr(0, 16);
}

bool ed25519_verify(std::string_view public_key, std::string_view message, std::string_view signature) noexcept {
  if (public_key.size() != 32 || signature.size() != 64) return false;
  std::unique_ptr<EVP_PKEY, PkeyFree> key(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes(public_key), public_key.size()));
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!key || !ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) return false;
  return EVP_DigestVerify(ctx.get(), bytes(signature), signature.size(), bytes(message), message.size()) == 1;
}

std::string ed25519_public_key_from_pem(std::string_view pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) fail("reading the public key");
  std::unique_ptr<EVP_PKEY, PkeyFree> key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!key || EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519)
    throw std::runtime_error("audit public key: not a PEM Ed25519 public key");
  std::string out(32, '\0');
  std::size_t len = out.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), bytes(out), &len) != 1 || len != 32) fail("reading the public key");
  return out;
}

}  // namespace simpul::adapter::audit
