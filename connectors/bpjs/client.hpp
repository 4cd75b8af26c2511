#pragma once
// BpjsClient: one facility's BPJS credentials talking to V-Claim, P-Care and
// Antrean over the shared outbound HTTP client (docs/bpjs-clients.md).
//
//   BpjsResult r = co_await client.async_call(Service::vclaim, http::Method::get,
//                      "Peserta/nokartu/" + card + "/tglSEP/2026-03-01", "",
//                      "Peserta/nokartu/{noKartu}/tglSEP/{tgl}");
//   if (!r) handle(r.error());          // BpjsError: kind, BPJS code + message, retryable, ...
//   else use(r->response_json);         // decrypted `response` JSON text
//
// Per call: one permit from the KeyedLimiter (keyed by a hash of the consId: a
// concurrency cap and a token bucket per consId), one RequestStamp from the
// consId's UpstreamClock used for X-timestamp, X-signature and the decryption
// key, the service's Content-Type quirk (§2.4), decryption unless the endpoint
// answers in clear (§3.6), and a typed error that keeps BPJS's code and message.
// GETs are retried (each attempt re-signed with a fresh stamp); writes never are.
// Every response's Date header feeds the UpstreamClock, and a call rejected
// because of a clock skew the Date header just revealed is re-signed once.
//
// No secret (consId, secret key, user_key, P-Care password) ever appears in an
// error, a log line or a metric label.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "connectors/bpjs/signing.hpp"
#include "connectors/http/client.hpp"
#include "connectors/http/limiter.hpp"
#include "mappings/bpjs/expected.hpp"

namespace simpul::connectors::obs {
class Registry;
}

namespace simpul::connectors::bpjs {

enum class Service { vclaim, pcare, antrean };
std::string_view to_string(Service service) noexcept;

// One facility's credentials. cons_id + secret_key sign every service; the
// user_key differs per service; P-Care also needs the P-Care web login.
struct BpjsCredentials {
  std::string cons_id;
  std::string secret_key;
  std::string user_key_vclaim;
  std::string user_key_pcare;
  std::string user_key_antrean;
  std::string pcare_username;
  std::string pcare_password;
  std::string kd_aplikasi = "095";  // kode aplikasi (application code) in X-authorization
};

// Service base URLs (no trailing slash). Defaults: production (bpjs-api.md §1).
struct BpjsEndpoints {
  std::string vclaim_base = "https://apijkn.bpjs-kesehatan.go.id/vclaim-rest";
  std::string pcare_base = "https://apijkn.bpjs-kesehatan.go.id/pcare-rest";
  std::string antrean_base = "https://apijkn.bpjs-kesehatan.go.id/antreanrs";

  static BpjsEndpoints production() { return {}; }
  static BpjsEndpoints development();
  // The production path prefixes under another origin, e.g. "http://127.0.0.1:8081" for the simulator.
  static BpjsEndpoints at(std::string_view origin);
  const std::string& base(Service service) const;
};

struct BpjsTimeouts {
  std::chrono::milliseconds read{10'000};   // GET, per attempt
  std::chrono::milliseconds write{20'000};  // POST / PUT / DELETE
  std::chrono::milliseconds connect{5'000};
};

// Retries of GETs (transport failures, 5xx/408/429, HTML pages, undecryptable
// responses). Delay before attempt n+1: min(max_delay, base_delay * 2^(n-1)),
// jittered uniformly in [d/2, d].
struct BpjsRetry {
  int max_attempts = 3;
  std::chrono::milliseconds base_delay{200};
  std::chrono::milliseconds max_delay{2'000};
};

struct BpjsClientOptions {
  BpjsEndpoints endpoints{};
  BpjsTimeouts timeouts{};
  BpjsRetry get_retry{};
  // Re-sign and resend once when an auth rejection came with a Date header that
  // moved the UpstreamClock (the rejection was our clock, not our keys).
  bool resign_on_clock_skew = true;
  // Optional Prometheus registry: simpul_upstream_requests_total{service,endpoint,outcome},
  // simpul_upstream_request_duration_seconds{service,endpoint}, simpul_upstream_retries_total.
  obs::Registry* metrics = nullptr;
};

enum class BpjsErrorKind {
  business,       // metaData code is not a success code (V-Claim "201", P-Care 412/424, Antrean 201)
  auth,           // signature / timestamp / user_key / P-Care login rejected (401/403)
  not_found,      // P-Care 204 (or an envelope with HTTP 404)
  upstream_http,  // non-2xx that is not a BPJS business answer: 5xx, HTML pages, gateway errors
  transport,      // no usable HTTP answer: timeout, connect, dns, tls, too_many, cancelled
  decode,         // an answer that cannot be read: bad ciphertext, not JSON, wrong wire types
};
std::string_view to_string(BpjsErrorKind kind) noexcept;

enum class TransportFailure { none, timeout, connect, dns, tls, too_many, cancelled, other };
std::string_view to_string(TransportFailure failure) noexcept;

struct BpjsError {
  BpjsErrorKind kind = BpjsErrorKind::transport;
  TransportFailure transport = TransportFailure::none;  // set when kind == transport
  // BPJS's own metaData code as sent ("201", "412"), or the HTTP status for
  // upstream_http, or our code for transport/decode ("timeout", "bad_padding", "wire_format").
  std::string code;
  // BPJS's own metaData message as sent, or the stripped HTML/text of an upstream
  // page, or our explanation. Never contains credentials.
  std::string message;
  int http_status = 0;  // 0 when no HTTP answer arrived
  // Sending the same request again later may succeed. For a write with
  // maybe_delivered, reconcile (look it up) before resending.
  bool retryable = false;
  // A write (POST/PUT/DELETE) whose bytes may have reached BPJS: it may have been
  // executed even though no answer (or no readable answer) came back.
  bool maybe_delivered = false;
  std::string details;  // BPJS's error `response` when it sent one (P-Care [{field,message}])
  int attempts = 0;

  // "kind code: message" for logs and test failure messages (no secrets by construction).
  std::string describe() const;
};

// Either a value or a BpjsError.
template <class T>
using Outcome = mappings::bpjs::Expected<T, BpjsError>;

// A successful call: the decoded `response` and BPJS's metaData.
struct BpjsReply {
  std::string response_json;  // decrypted JSON text; "null" when BPJS sent none (Antrean writes)
  std::string code;           // "200", "201" (P-Care CREATED), "1" (Antrean references)
  std::string message;
  int http_status = 0;
  int attempts = 1;
};
using BpjsResult = Outcome<BpjsReply>;

// A write BPJS acknowledged without a body (Antrean add/batal, P-Care deletes).
struct WriteAck {
  std::string code;
  std::string message;
};

// One request of a typed client before it is signed: `path` is relative to the
// service base with identifiers already path_segment()-encoded; `label` is its
// template ("SEP/{noSep}"), which metrics show; `body` is sent for writes.
struct UpstreamRequest {
  http::Method method = http::Method::get;
  std::string path{};
  std::string body{};
  std::string label{};
};

// What would go on the wire for an UpstreamRequest (dry run): the full URL, every
// header with the secret ones (X-cons-id, X-signature, user_key, X-authorization)
// replaced by "<redacted>", and the body.
struct RequestPreview {
  std::string method;
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};
inline constexpr std::string_view kRedacted = "<redacted>";

struct CallOptions {
  std::chrono::milliseconds timeout{0};  // per attempt; 0 = BpjsTimeouts for the method
  int max_attempts = 0;                  // GET only; 0 = BpjsRetry::max_attempts
};

// One UpstreamClock per consId, shared by every client of that consId (a clock
// skew learned by one call helps all). Thread-safe.
class UpstreamClocks {
 public:
  explicit UpstreamClocks(std::int64_t configured_offset_seconds = 0) : offset_(configured_offset_seconds) {}
  std::shared_ptr<UpstreamClock> for_cons_id(const std::string& cons_id);

 private:
  std::mutex mu_;
  std::int64_t offset_;
  std::map<std::string, std::shared_ptr<UpstreamClock>> clocks_;  // key: limiter_key(consId)
};

// The non-secret key of a consId for limiters and maps: "bpjs:" + 16 hex of SHA-256(consId).
std::string limiter_key(std::string_view cons_id);

// Percent-encodes one path segment (everything but A-Z a-z 0-9 - . _ ~).
std::string path_segment(std::string_view text);

// Turns one HTTP answer into a reply or a typed error (pure; used by async_call).
// `method` and `path` select the plain-response table; the stamp is the one the
// request was signed with.
BpjsResult interpret_response(Service service, http::Method method, std::string_view path, int http_status,
                              std::string_view body, const BpjsCredentials& credentials, const RequestStamp& stamp);

// The typed error for a failed HTTP exchange (no answer).
BpjsError transport_error(const http::HttpError& error, http::Method method);

class BpjsClient {
 public:
  BpjsClient(http::HttpClient& http, http::KeyedLimiter& limiter, std::shared_ptr<UpstreamClock> clock,
             BpjsCredentials credentials, BpjsClientOptions options = {});
  BpjsClient(http::HttpClient& http, http::KeyedLimiter& limiter, UpstreamClocks& clocks, BpjsCredentials credentials,
             BpjsClientOptions options = {});
  BpjsClient(const BpjsClient&) = delete;
  BpjsClient& operator=(const BpjsClient&) = delete;

  // `path` is relative to the service base, with identifiers already
  // path_segment()-encoded; `label` is its template ("SEP/{noSep}") and is what
  // metrics show. `body` is sent for POST/PUT/DELETE. Honours cancellation of
  // the awaiting coroutine. Never throws for upstream behaviour.
  boost::asio::awaitable<BpjsResult> async_call(Service service, http::Method method, std::string path,
                                                std::string body, std::string label, CallOptions options = {});

  // The request as it would be sent now (signed with a fresh stamp), secrets
  // redacted; nothing is sent.
  RequestPreview preview(Service service, const UpstreamRequest& request) const;

  const std::string& key() const noexcept { return key_; }  // limiter key of this consId
  UpstreamClock& clock() noexcept { return *clock_; }
  const BpjsClientOptions& options() const noexcept { return options_; }

 private:
  http::HttpRequest build_request(Service service, http::Method method, const std::string& path,
                                  const std::string& body, const std::string& label, const RequestStamp& stamp,
                                  const CallOptions& call) const;
  void record(Service service, const std::string& label, const BpjsResult& result, double seconds, int retries) const;

  http::HttpClient& http_;
  http::KeyedLimiter& limiter_;
  std::shared_ptr<UpstreamClock> clock_;
  BpjsCredentials credentials_;
  BpjsClientOptions options_;
  std::string key_;
};

}  // namespace simpul::connectors::bpjs
