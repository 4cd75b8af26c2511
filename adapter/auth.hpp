#pragma once
// The front door: API clients present `Authorization: Bearer <key>`; the config
// stores only SHA-256(key). Each key belongs to one tenant and carries roles.
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "adapter/config.hpp"

namespace simpul::adapter {

struct Principal {
  const Tenant* tenant = nullptr;
  const ApiClient* client = nullptr;
};

// Lowercase hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

// The demo API keys printed in the README: valid only on loopback listeners.
const std::vector<std::string_view>& demo_api_keys();
bool is_demo_key_hash(std::string_view key_sha256);

class Authenticator {
 public:
  explicit Authenticator(const Config& config);

  // The principal for an Authorization header value; throws fhir::Error 401
  // (with WWW-Authenticate) when the header is missing, malformed or unknown.
  Principal authenticate(std::string_view authorization) const;

  // Token bucket per client. Returns std::nullopt when the request may go on,
  // otherwise the whole seconds to wait (for Retry-After).
  std::optional<int> take_token(const ApiClient& client);

 private:
  struct Bucket {
    std::mutex mu;
    double rate = 0;
    double burst = 0;
    double tokens = 0;
    std::chrono::steady_clock::time_point last;
  };
  std::unordered_map<std::string, Principal> by_hash_;
  std::unordered_map<const ApiClient*, std::unique_ptr<Bucket>> buckets_;
};

}  // namespace simpul::adapter
