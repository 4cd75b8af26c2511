// Request signing for BPJS bridging (bpjs-api.md §2).
//
//   X-cons-id   = consumer id
//   X-timestamp = Unix seconds (UTC) as a decimal string
//   X-signature = Base64(HMAC-SHA256(key = secretKey, msg = consId + "&" + X-timestamp))
//   user_key    = per-service user key
//   X-authorization (P-Care) = "Basic " + Base64(username + ":" + password + ":" + kdAplikasi)
//
// One RequestStamp per request: the same string is used for X-timestamp, the
// signature and the response decryption key (§6 pitfall 2 and 3).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/bpjs/crypto.hpp"
#include "connectors/bpjs/error.hpp"

namespace simpul::connectors::bpjs {

/// Base64(HMAC-SHA256(secret, cons_id + "&" + timestamp)), standard alphabet,
/// with padding, not URL-encoded.
std::string signature(std::string_view cons_id, std::string_view secret, std::string_view timestamp);

/// X-timestamp must be 1..19 ASCII digits (Unix seconds).
bool is_valid_timestamp(std::string_view timestamp) noexcept;

/// The timestamp of one request, fixed once and reused everywhere.
class RequestStamp {
 public:
  explicit RequestStamp(std::uint64_t unix_seconds);
  /// Errors: bad_timestamp.
  static Result<RequestStamp> parse(std::string_view timestamp);

  const std::string& value() const noexcept { return value_; }
  std::uint64_t unix_seconds() const noexcept { return seconds_; }

  std::string signature(std::string_view cons_id, std::string_view secret) const;
  AesKey response_key(std::string_view cons_id, std::string_view secret) const;

 private:
  std::uint64_t seconds_;
  std::string value_;
};

/// Parses an RFC 7231 IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") to Unix
/// seconds. The obsolete RFC 850 and asctime forms are not accepted.
std::optional<std::int64_t> parse_http_date(std::string_view http_date) noexcept;

/// Seconds since the Unix epoch from the system clock (UTC by definition).
std::int64_t system_unix_seconds();

/// Clock for X-timestamp: local time plus an offset that is configured and/or
/// learned from the upstream `Date` header. Thread-safe.
///
/// Learning: each observation computes skew = upstream Date - local time. The
/// Date header has one-second resolution and the response spent time in
/// flight, so the offset only moves when the new skew differs from the current
/// offset by at least kLearnTolerance seconds; this keeps the offset from
/// flapping between 0 and 1 while still following a real clock error (a
/// workstation set to WIB as UTC shows up as 25200 s at once).
class UpstreamClock {
 public:
  using LocalClock = std::function<std::int64_t()>;
  static constexpr std::int64_t kLearnTolerance = 2;

  explicit UpstreamClock(std::int64_t configured_offset_seconds = 0, bool learn = true,
                         LocalClock local = system_unix_seconds);

  std::int64_t now_unix_seconds() const;
  /// A stamp for a new request (never before the epoch).
  RequestStamp stamp() const;

  std::int64_t offset_seconds() const noexcept { return offset_.load(std::memory_order_relaxed); }
  void set_offset_seconds(std::int64_t offset) noexcept {
    offset_.store(offset, std::memory_order_relaxed);
  }

  /// Learns from an upstream Date header received at local_unix_seconds.
  /// Returns false (and changes nothing) if the header is not an IMF-fixdate.
  bool observe_date_header(std::string_view http_date, std::int64_t local_unix_seconds);
  bool observe_date_header(std::string_view http_date);

 private:
  std::atomic<std::int64_t> offset_;
  bool learn_;
  LocalClock local_;
};

struct Credentials {
  std::string cons_id;     // X-cons-id
  std::string secret_key;  // signs requests, derives the response key; never sent
  std::string user_key;    // per service (V-Claim, Antrean, P-Care ... differ)
};

/// P-Care login of the puskesmas (the P-Care web application account).
struct PcareLogin {
  std::string username;
  std::string password;
  std::string kd_aplikasi = "095";  // kode aplikasi: application code, "095" in every client found
};

/// "Basic " + Base64(username:password:kdAplikasi)
std::string pcare_authorization(std::string_view username, std::string_view password,
                                std::string_view kd_aplikasi = "095");

struct Header {
  std::string name;
  std::string value;
  friend bool operator==(const Header&, const Header&) = default;
};

/// X-cons-id, X-timestamp, X-signature, user_key and, when `pcare` is given,
/// X-authorization. Content-Type is the caller's business (it differs per
/// service and method: §2.4).
std::vector<Header> request_headers(const Credentials& credentials, const RequestStamp& stamp,
                                    const PcareLogin* pcare = nullptr);

/// True for headers whose value must never reach a log (X-signature,
/// X-authorization, user_key), compared case-insensitively.
bool is_secret_header(std::string_view name) noexcept;

}  // namespace simpul::connectors::bpjs
