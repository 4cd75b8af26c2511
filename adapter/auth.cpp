#include "adapter/auth.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cmath>

#include "fhir/error.hpp"

namespace simpul::adapter {

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(len * 2, '0');
  for (unsigned i = 0; i < len; ++i) {
    out[2 * i] = hex[md[i] >> 4];
    out[2 * i + 1] = hex[md[i] & 15];
  }
  return out;
}

const std::vector<std::string_view>& demo_api_keys() {
  static const std::vector<std::string_view> keys{
      "demo-rs-simrs-key",        "demo-rs-admin-key",       "demo-rs-auditor-key", "demo-pkm-simpus-key",
      "demo-pkm-admin-key",       "demo-registry-admin-key", "demo-registry-submit-key",
  };
  return keys;
}

bool is_demo_key_hash(std::string_view key_sha256) {
  static const std::vector<std::string> hashes = [] {
    std::vector<std::string> h;
    for (auto k : demo_api_keys()) h.push_back(sha256_hex(k));
    return h;
  }();
  return std::find(hashes.begin(), hashes.end(), key_sha256) != hashes.end();
}

Authenticator::Authenticator(const Config& config) {
  for (const auto& t : config.tenants) {
    for (const auto& c : t.clients) {
      by_hash_.emplace(c.key_sha256, Principal{&t, &c});
      auto b = std::make_unique<Bucket>();
      b->rate = c.rate_per_second.value_or(config.limits.rate_per_second);
      b->burst = c.rate_burst.value_or(config.limits.rate_burst);
      b->tokens = b->burst;
      b->last = std::chrono::steady_clock::now();
      buckets_.emplace(&c, std::move(b));
    }
  }
}

Principal Authenticator::authenticate(std::string_view authorization) const {
  auto challenge = [](fhir::Error e) {
    return std::move(e.with_header("WWW-Authenticate", "Bearer realm=\"simpul\""));
  };
  if (authorization.empty())
    throw challenge(fhir::Error::unauthorized("Missing Authorization header; send 'Authorization: Bearer <api key>'.",
                                              {}, "no Authorization header"));
  constexpr std::string_view scheme = "Bearer ";
  if (authorization.size() <= scheme.size() ||
      !std::equal(scheme.begin(), scheme.end(), authorization.begin(),
                  [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) ==
                                              std::tolower(static_cast<unsigned char>(b)); }))
    throw challenge(fhir::Error::unauthorized("Authorization must use the Bearer scheme.", {},
                                              "Authorization scheme is not Bearer"));
  std::string_view token = authorization.substr(scheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  auto it = by_hash_.find(sha256_hex(token));
  if (it == by_hash_.end())
    throw challenge(fhir::Error::unauthorized("The API key is not valid.", {}, "unknown API key"));
  return it->second;
}

std::optional<int> Authenticator::take_token(const ApiClient& client) {
  auto it = buckets_.find(&client);
  if (it == buckets_.end()) return std::nullopt;
  Bucket& b = *it->second;
  std::lock_guard lock(b.mu);
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - b.last).count();
  b.last = now;
  b.tokens = std::min(b.burst, b.tokens + elapsed * b.rate);
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return std::nullopt;
  }
  return std::max(1, static_cast<int>(std::ceil((1 - b.tokens) / b.rate)));
}

}  // namespace simpul::adapter
