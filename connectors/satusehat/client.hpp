#pragma once
// SatusehatClient: the SATUSEHAT connector (OAuth2 client credentials + FHIR R4)
// over the shared outbound HTTP client. See docs/satusehat-client.md.
//
//   SatusehatClient ss(io, http, {auth_base, fhir_base});
//   auto ihs = co_await ss.patient_ihs(creds, nik);        // "P..." or error not_found
//   auto tx = co_await ss.post_transaction(creds, bundle);  // encounter id + locations
//   if (!tx && tx.error().outcome_unknown())                // sent, no answer: look it up,
//     co_await ss.search_by_identifier(creds, "Encounter", system + "|" + value);  // never resend blindly
//
// Tokens are cached per client_id and refreshed `refresh_early` before expiry, one refresh
// at a time per client_id (single flight). Every FHIR call retries exactly once after a 401,
// with a fresh token. Writes (POST) are never retried after their bytes may have left;
// reads are retried once when nothing was sent. No secret (client_secret, access token)
// ever appears in an error.
//
// Thread-safe: calls may run concurrently on any threads of the io_context. The io_context
// and the HttpClient must outlive the SatusehatClient, and the SatusehatClient every call.
// Credentials are taken by reference: co_await each call at once (or keep them alive).
// Awaiting callers of token() are not cancellable: they wait for the one refresh, which
// token_timeout bounds.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include "connectors/http/client.hpp"
#include "mappings/bpjs/expected.hpp"

namespace simpul::connectors::satusehat {

// One facility's OAuth client; SATUSEHAT binds it to exactly one organization (IHS) id.
struct SatusehatCredentials {
  std::string client_id;
  std::string client_secret;
  std::string organization_id;
};

// No trailing slash. Production: https://api-satusehat.kemkes.go.id/oauth2/v1 and .../fhir-r4/v1.
struct SatusehatEndpoints {
  std::string auth_base;  // e.g. http://127.0.0.1:8082/oauth2/v1
  std::string fhir_base;  // e.g. http://127.0.0.1:8082/fhir-r4/v1
};

struct SatusehatOptions {
  std::chrono::milliseconds read_timeout{10000};   // GET, per attempt
  std::chrono::milliseconds write_timeout{30000};  // POST (transaction)
  std::chrono::milliseconds token_timeout{10000};  // POST accesstoken
  // Refresh this long before expiry (uncertain value: configurable). Capped at half the
  // token's lifetime, so a short-lived token is still reused.
  std::chrono::seconds refresh_early{300};
  std::chrono::seconds ihs_cache_ttl{86400};       // NIK -> IHS id cache lifetime
  std::chrono::seconds ihs_negative_ttl{300};      // "the MPI/MNI has no such NIK" lifetime
  std::size_t ihs_cache_max = 100000;              // entries (least recently used go first)
  // After the token endpoint refused a client_id's credentials, token() answers that error
  // again without asking, for this long (SATUSEHAT: "1 request per minute after a failed
  // attempt"). A different client_secret is tried at once. Zero disables.
  std::chrono::seconds auth_failure_holdoff{60};
  std::function<std::int64_t()> clock_ms{};        // Unix ms; empty = system clock; tests pin it
};

// Result of one upstream call: `internal` is detail for logs; summary() is short and safe to
// show. Neither ever contains the client secret or an access token.
struct SatusehatError {
  enum Kind {
    transport_before_send,  // nothing reached SATUSEHAT (connect, DNS, TLS, queue full): safe to resend
    transport_unknown,      // connection lost after sending: a write MAY have taken effect
    timeout_unknown,        // no answer in time after sending (or a gateway 502/504 on a write): MAY have taken effect
    auth,                   // credentials refused, or a 401 again after a fresh token
    rate_limited,           // 429 (or the auth rate-limit text); see retry_after
    server,                 // 5xx: nothing was taken (for writes: 500/503 and other non-gateway 5xx)
    rejected,               // 4xx OperationOutcome: validation, duplicate, business rule
    not_found,              // 404, or the MPI/MNI has no such NIK
    malformed,              // an answer we cannot read (not JSON, not the expected shape)
  } kind = transport_before_send;
  int http_status = 0;       // 0 when no HTTP answer arrived
  std::string code;          // OperationOutcome issue code ("duplicate", "value", "throttled"), or ErrorCode
  std::string message;       // upstream text (issue details.text / diagnostics), kept so the facility can act
  std::string expression;    // first issue expression ("Encounter.identifier"), when given
  std::chrono::milliseconds retry_after{0};  // from Retry-After (429/503), or the auth hold-off
  std::string internal;      // for logs: what happened, HTTP details, body excerpt (secrets scrubbed)

  // A write may have been applied: reconcile (search the business identifier) before resending.
  bool outcome_unknown() const noexcept { return kind == transport_unknown || kind == timeout_unknown; }
  // Trying the same call later may succeed (never true for an unknown write outcome).
  bool retryable() const noexcept {
    return kind == transport_before_send || kind == rate_limited || kind == server;
  }
  // "rejected (HTTP 400, duplicate): Duplicate Encounter ... [Encounter.identifier]"
  std::string summary() const;
};
std::string_view to_string(SatusehatError::Kind kind) noexcept;

template <class T>
using Result = mappings::bpjs::Expected<T, SatusehatError>;

// Retry-After as delta-seconds or an HTTP-date; `now_ms` is the reference for a date (the
// response's Date header when it has one). nullopt when unreadable; negative deltas give 0.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value, std::int64_t now_ms);

namespace detail {
struct IssuedToken {  // what POST accesstoken gave
  std::string token;
  std::int64_t lifetime_s = 0;
};
}  // namespace detail

// The identifier system of NIKs in the MPI/MNI.
inline constexpr std::string_view kNikSystem = "https://fhir.kemkes.go.id/id/nik";

class SatusehatClient {
 public:
  SatusehatClient(boost::asio::io_context& io, http::HttpClient& http, SatusehatEndpoints endpoints,
                  SatusehatOptions options = {});
  ~SatusehatClient();
  SatusehatClient(const SatusehatClient&) = delete;
  SatusehatClient& operator=(const SatusehatClient&) = delete;

  // Bearer token for a tenant's credentials: cached per client_id, refreshed `refresh_early` before expiry,
  // ONE refresh at a time per client_id (single flight: concurrent callers wait for the same refresh).
  boost::asio::awaitable<Result<std::string>> token(const SatusehatCredentials& credentials);

  // GET Patient?identifier=https://fhir.kemkes.go.id/id/nik|{nik} (Practitioner likewise): the IHS id, cached per
  // (organization, NIK) incl. a short negative cache; Result error not_found when the MPI has none.
  // A NIK that is not 16 digits is `rejected` without a request.
  boost::asio::awaitable<Result<std::string>> patient_ihs(const SatusehatCredentials& credentials, std::string nik);
  boost::asio::awaitable<Result<std::string>> practitioner_ihs(const SatusehatCredentials& credentials,
                                                               std::string nik);

  // POST the transaction Bundle to fhir_base; on 200 returns the response Bundle JSON and the id of the first
  // Encounter entry (response.location "Encounter/<id>/_history/n"; "" when there is none).
  // Never retried once sent: outcome_unknown() errors are for the caller to reconcile, and so is
  // `malformed` with a 2xx http_status (accepted, but the answer could not be read).
  struct TransactionResult {
    std::string response_json;
    std::string encounter_id;
    std::vector<std::string> locations;  // each entry's response.location, in entry order
  };
  boost::asio::awaitable<Result<TransactionResult>> post_transaction(const SatusehatCredentials& credentials,
                                                                     std::string bundle_json);

  // POST one resource to {fhir_base}/{Type} (a registry's MeasureReport, ...): the id the server
  // gave it (the answer's `id`, else its Location header; "" when it names none). Like
  // post_transaction, never retried once sent: outcome_unknown() errors are for the caller
  // to reconcile by identifier.
  boost::asio::awaitable<Result<std::string>> post_resource(const SatusehatCredentials& credentials, std::string type,
                                                            std::string resource_json);

  // GET {Type}?identifier=system|value: the ids found (empty vector = certainly not there).
  boost::asio::awaitable<Result<std::vector<std::string>>> search_by_identifier(
      const SatusehatCredentials& credentials, std::string type, std::string system_and_value);

  // Forgets the cached token of a client_id (e.g. after its secret was rotated).
  void forget_token(const std::string& client_id);

 private:
  struct State;   // token cache, IHS cache (behind one mutex)
  enum class Kind { patient, practitioner };
  struct Flight;  // one token refresh in progress and its waiters
  // The cached token, or the one refresh of this client_id (started when there is none).
  // `stale`: a token SATUSEHAT just refused; dropped from the cache if it is still there.
  boost::asio::awaitable<Result<std::string>> acquire_token(const SatusehatCredentials& credentials,
                                                            std::string stale);
  boost::asio::awaitable<void> refresh_token(SatusehatCredentials credentials, std::shared_ptr<Flight> flight);
  boost::asio::awaitable<Result<detail::IssuedToken>> request_token(const SatusehatCredentials& credentials);
  boost::asio::awaitable<Result<std::string>> lookup_ihs(const SatusehatCredentials& credentials, Kind kind,
                                                         std::string nik);
  // One FHIR exchange with a Bearer token, retried once after a 401 with a fresh token, and
  // (GET only) once when nothing was sent.
  boost::asio::awaitable<Result<http::HttpResponse>> fhir_call(const SatusehatCredentials& credentials,
                                                               http::Method method, std::string path_and_query,
                                                               std::string body, std::string label);

  boost::asio::io_context& io_;
  http::HttpClient& http_;
  SatusehatEndpoints endpoints_;
  SatusehatOptions options_;
  std::shared_ptr<State> state_;
};

}  // namespace simpul::connectors::satusehat
