#pragma once
// Outbound HTTP(S) client: one libcurl multi handle driven by the Asio event loop.
//
// No thread is blocked per in-flight request: curl tells us which sockets to watch
// (CURLMOPT_SOCKETFUNCTION) and when to call it back (CURLMOPT_TIMERFUNCTION); the sockets
// are watched with async_wait on their native descriptors and the timeout with a
// steady_timer. Every curl call happens on one strand. See docs/http-client.md.
//
//   HttpResult r = co_await client.async_request(req, boost::asio::use_awaitable);
//   if (!r) log(r.error().reason) else use(r.response().status, r.response().body);
//
// TLS peer and host verification are always on; there is no switch to turn them off.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <boost/asio/async_result.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>

#include "connectors/http/client_completion.hpp"

namespace simpul::connectors::http {

enum class Method { get, post, put, del };
std::string_view to_string(Method m);

enum class ErrorKind {
  none,            // a response arrived (whatever its status)
  timeout,         // total timeout elapsed after the connection was up: the server MAY have the request
  connect_failed,  // refused / unreachable / connect timeout: the request was never sent
  dns,             // host (or proxy) name did not resolve
  tls,             // handshake or certificate verification failed
  cancelled,       // the caller cancelled, or the client shut down
  too_many,        // in-flight cap reached and the queue was full: rejected without trying
  other,           // anything else (reset connection, malformed reply, invalid request, ...)
};
std::string_view to_string(ErrorKind k);

struct Header {
  std::string name{};
  std::string value{};
};
using Headers = std::vector<Header>;

// First header named `name` (ASCII case-insensitive), or nullopt.
std::optional<std::string_view> find_header(const Headers& headers, std::string_view name);

struct CallStats;

struct HttpRequest {
  Method method = Method::get;
  std::string url{};  // http:// or https:// only
  Headers headers{};  // names/values must not contain CR, LF or NUL
  std::string body{};  // sent for POST, PUT and (when non-empty) DELETE; GET must have none
  // Per-call limits; zero means the client default. Both apply to each attempt.
  std::chrono::milliseconds timeout{0};
  std::chrono::milliseconds connect_timeout{0};
  // Metrics label, e.g. the endpoint path template "/Peserta/nokartu/{}/tglSEP/{}".
  // Never put raw paths with identifiers here.
  std::string label{};
  // Attempts for GET (>= 1); zero means the client's retry policy. Ignored for other methods,
  // which are never retried.
  int max_attempts = 0;
  // Optional per-call hook, run after the client-wide one (same rules, see ClientOptions).
  std::function<void(const CallStats&)> on_complete{};
};

struct HttpResponse {
  int status = 0;
  Headers headers{};  // of the final response (interim 1xx and proxy CONNECT replies dropped)
  std::string body{};
  double total_seconds = 0;  // of the final attempt, from curl (name lookup .. last byte)
  std::chrono::system_clock::time_point received_at{};  // local clock when the reply completed

  std::optional<std::string_view> header(std::string_view name) const {
    return find_header(headers, name);
  }
};

struct HttpError {
  ErrorKind kind = ErrorKind::other;
  // Internal reason for logs (curl's message, host and port at most). Never shown to
  // clients verbatim, never contains header values or bodies.
  std::string reason{};
  // True when request bytes may have reached the server (so a non-idempotent call may
  // have been executed and needs reconciliation, not a blind resend).
  bool maybe_delivered = false;
};

class HttpResult {
 public:
  HttpResult(HttpResponse r, int attempts = 1) : v_(std::move(r)), attempts_(attempts) {}
  HttpResult(HttpError e, int attempts = 1) : v_(std::move(e)), attempts_(attempts) {}

  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }
  // Preconditions: ok() for response(), !ok() for error() (std::bad_variant_access otherwise).
  const HttpResponse& response() const& { return std::get<HttpResponse>(v_); }
  HttpResponse& response() & { return std::get<HttpResponse>(v_); }
  HttpResponse&& response() && { return std::get<HttpResponse>(std::move(v_)); }
  const HttpError& error() const { return std::get<HttpError>(v_); }
  ErrorKind error_kind() const noexcept {
    return ok() ? ErrorKind::none : std::get<HttpError>(v_).kind;
  }
  int attempts() const noexcept { return attempts_; }

 private:
  std::variant<HttpResponse, HttpError> v_{};
  int attempts_ = 1;
};

// Reported once per async_request, when it completes (success, error, cancel or too_many).
struct CallStats {
  Method method = Method::get;
  std::string host{};   // host name only (no port, path or query)
  std::string label{};  // HttpRequest::label
  int status = 0;     // 0 unless a response arrived
  ErrorKind error = ErrorKind::none;
  double seconds = 0;         // submit .. completion, including queueing and backoff
  double queued_seconds = 0;  // time spent waiting for an in-flight slot
  int attempts = 0;           // 0 when never started (too_many, cancelled in queue)
};

// Retries apply to GET only: transport errors (timeout, connect_failed, dns, resets) and
// 502/503/504. Delay before attempt n+1: d = min(max_delay, base_delay * 2^(n-1)), jittered
// uniformly in [d/2, d]; a Retry-After (seconds or HTTP date) longer than that is honoured
// up to max_delay; a longer Retry-After ends the retries and returns that response.
struct RetryPolicy {
  int max_attempts = 3;
  std::chrono::milliseconds base_delay{200};
  std::chrono::milliseconds max_delay{5000};
};

struct ClientOptions {
  // PEM bundle of trusted CAs. Empty = the system store. When set it REPLACES the system
  // store (the client then trusts only these CAs).
  std::string ca_bundle{};
  // Forward proxy, e.g. "http://proxy:3128". Empty = no proxy; the http_proxy/https_proxy
  // environment variables are ignored either way, so the config file is the only source.
  std::string proxy{};
  // Comma-separated hosts/domains that bypass the proxy (curl NOPROXY syntax, "*" = all).
  std::string no_proxy{};
  long max_total_connections = 256;  // open connections across all hosts
  long max_host_connections = 32;    // open connections per host:port
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds total_timeout{30'000};
  std::string user_agent = "simpul/0.1";
  std::size_t max_in_flight = 512;   // requests handed to curl (or in retry backoff) at once
  std::size_t max_queued = 4096;     // waiting for an in-flight slot; beyond: too_many
  std::size_t max_response_bytes = 32u << 20;  // larger bodies fail with `other`
  RetryPolicy retry{};
  // Runs after each call completes, before its handler is posted: on the client's strand,
  // outside the client's lock (at shutdown: on the destroying thread, possibly concurrently
  // with a strand thread). Keep it short, non-blocking and thread-safe (feed counters).
  // Exceptions are swallowed.
  std::function<void(const CallStats&)> on_complete{};
};

// Counters for tests and /metrics. Values are a racy snapshot.
struct ClientStats {
  std::size_t in_flight = 0;        // admitted: running in curl or in retry backoff
  std::size_t queued = 0;           // waiting for an in-flight slot
  std::size_t sockets_open = 0;     // sockets opened by curl through the client and not closed
  std::size_t sockets_watched = 0;  // descriptors registered with the Asio reactor
  std::size_t easy_handles = 0;     // easy handles alive (in use + pooled)
  std::uint64_t sockets_opened_total = 0;
};

class HttpClient {
 public:
  HttpClient(boost::asio::io_context& io, ClientOptions options = {});
  // Completes every pending request with `cancelled` (their handlers are posted), removes
  // all easy handles, closes all sockets, waits for hooks running on other threads, then
  // returns. Safe from any thread, including io_context threads and the client's own hooks.
  // The io_context must outlive the client.
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Completion signature: void(HttpResult). Honours the bound cancellation slot
  // (terminal/partial/total all cancel): the transfer is removed and completes with
  // `cancelled`. The handler is always posted to its associated executor, never run inline.
  template <class CompletionToken>
  auto async_request(HttpRequest request, CompletionToken&& token) {
    return boost::asio::async_initiate<CompletionToken, void(HttpResult)>(
        [this](auto handler, HttpRequest req) {
          auto slot = boost::asio::get_associated_cancellation_slot(handler);
          submit(std::move(req),
                 detail::make_completion<HttpResult>(std::move(handler), io_.get_executor()),
                 slot);
        },
        token, std::move(request));
  }

  ClientStats stats() const;
  const ClientOptions& options() const;

  struct Core;  // implementation, shared with in-flight asynchronous operations

 private:
  void submit(HttpRequest req, std::unique_ptr<detail::Completion<HttpResult>> done,
              boost::asio::cancellation_slot slot);

  boost::asio::io_context& io_;
  std::shared_ptr<Core> core_{};
};

// RFC 3986 percent-encoding of everything but the unreserved characters (A-Z a-z 0-9 - . _ ~):
// a URL path segment, a query value or a form value.
std::string percent_encode(std::string_view text);

}  // namespace simpul::connectors::http
