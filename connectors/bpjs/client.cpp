#include "connectors/bpjs/client.hpp"

#include <algorithm>
#include <cctype>
#include <random>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include "connectors/bpjs/client_call.hpp"
#include "connectors/bpjs/codec.hpp"
#include "connectors/bpjs/crypto.hpp"
#include "connectors/bpjs/envelope.hpp"
#include "connectors/observability/log.hpp"
#include "connectors/observability/metrics.hpp"
#include "mappings/bpjs/enum_names.hpp"

namespace simpul::connectors::bpjs {

namespace asio = boost::asio;

namespace {

using mappings::bpjs::enum_name;

// In declaration order (enum_name checks the count).
constexpr std::string_view kServiceNames[] = {"vclaim", "pcare", "antrean"};
constexpr std::string_view kErrorKindNames[] = {"business",      "auth",      "not_found",
                                                "upstream_http", "transport", "decode"};
constexpr std::string_view kTransportFailureNames[] = {"none", "timeout",  "connect",   "dns",
                                                       "tls",  "too_many", "cancelled", "other"};

}  // namespace

std::string_view to_string(Service service) noexcept {
  return enum_name<Service::antrean>(service, kServiceNames);
}

std::string_view to_string(BpjsErrorKind kind) noexcept {
  return enum_name<BpjsErrorKind::decode>(kind, kErrorKindNames);
}

std::string_view to_string(TransportFailure failure) noexcept {
  return enum_name<TransportFailure::other>(failure, kTransportFailureNames);
}

std::string BpjsError::describe() const {
  std::string out(to_string(kind));
  if (kind == BpjsErrorKind::transport) {
    out += '/';
    out += to_string(transport);
  }
  out += ' ';
  out += code;
  if (http_status) out += " (HTTP " + std::to_string(http_status) + ")";
  out += ": ";
  out += message;
  if (maybe_delivered) out += " [maybe delivered]";
  return out;
}

// ---------------------------------------------------------------- endpoints, keys

BpjsEndpoints BpjsEndpoints::development() {
  BpjsEndpoints e;
  e.vclaim_base = "https://apijkn-dev.bpjs-kesehatan.go.id/vclaim-rest-dev";
  e.pcare_base = "https://apijkn-dev.bpjs-kesehatan.go.id/pcare-rest-dev";
  e.antrean_base = "https://apijkn-dev.bpjs-kesehatan.go.id/antreanrs_dev";
  return e;
}

BpjsEndpoints BpjsEndpoints::at(std::string_view origin) {
  while (!origin.empty() && origin.back() == '/') origin.remove_suffix(1);
  BpjsEndpoints e;
  e.vclaim_base = std::string(origin) + "/vclaim-rest";
  e.pcare_base = std::string(origin) + "/pcare-rest";
  e.antrean_base = std::string(origin) + "/antreanrs";
  return e;
}

const std::string& BpjsEndpoints::base(Service service) const {
  switch (service) {
    case Service::pcare:
      return pcare_base;
    case Service::antrean:
      return antrean_base;
    case Service::vclaim:
      break;
  }
  return vclaim_base;
}

std::string limiter_key(std::string_view cons_id) {
  const Sha256Digest d = sha256(cons_id);
  return "bpjs:" + hex_encode(std::span<const std::uint8_t>(d.data(), 8));
}

std::string path_segment(std::string_view text) { return http::percent_encode(text); }

std::shared_ptr<UpstreamClock> UpstreamClocks::for_cons_id(const std::string& cons_id) {
  const std::string key = limiter_key(cons_id);
  std::lock_guard lock(mu_);
  auto& slot = clocks_[key];
  if (!slot) slot = std::make_shared<UpstreamClock>(offset_, true);
  return slot;
}

// ---------------------------------------------------------------- interpretation

namespace {

bool is_success_code(Service service, std::string_view code) {
  switch (service) {
    case Service::vclaim:
      return code == "200";
    case Service::pcare:
      return code == "200" || code == "201";
    case Service::antrean:
      return code == "200" || code == "1";
  }
  return false;
}

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(text[i])) != std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  return true;
}

bool retryable_status(int status) {
  return status >= 500 || status == 408 || status == 429;
}

bool is_body_problem(ErrorCode code) {
  return code == ErrorCode::html_body || code == ErrorCode::empty_body || code == ErrorCode::not_json ||
         code == ErrorCode::bad_envelope;
}

// Metric labels carry templates only; a caller that passes a raw path by
// mistake must not leak a card number or NIK, so long digit runs are masked.
std::string safe_label(std::string_view label) {
  std::string out;
  std::size_t i = 0;
  while (i < label.size()) {
    std::size_t j = i;
    while (j < label.size() && std::isdigit(static_cast<unsigned char>(label[j]))) ++j;
    if (j - i >= 6) {
      out += "{n}";
      i = j;
    } else if (j > i) {
      out.append(label.substr(i, j - i));
      i = j;
    } else {
      out += label[i++];
    }
  }
  return out;
}

}  // namespace

BpjsResult interpret_response(Service service, http::Method method, std::string_view path, int http_status,
                              std::string_view body, const BpjsCredentials& credentials, const RequestStamp& stamp) {
  const bool write = method != http::Method::get;
  BpjsError e;
  e.http_status = http_status;

  if (http_status == 204) {  // P-Care "not found" (no body, as HTTP requires)
    e.kind = BpjsErrorKind::not_found;
    e.code = "204";
    e.message = "BPJS answered 204 No Content (data not found)";
    return e;
  }

  DecodeOptions options;
  options.plain_endpoint = is_plain_response(http::to_string(method), path);
  options.on_undecryptable = UndecryptablePolicy::keep_raw;  // success or not is decided below, per service
  auto decoded =
      decode_response(body, http_status, stamp.response_key(credentials.cons_id, credentials.secret_key), options);
  if (!decoded) {
    const Error& x = decoded.error();
    if (is_body_problem(x.code) && (http_status == 401 || http_status == 403)) {
      e.kind = BpjsErrorKind::auth;
      e.code = std::to_string(http_status);
      e.message = x.reason;
    } else if (is_body_problem(x.code) && (http_status < 200 || http_status > 299)) {
      e.kind = BpjsErrorKind::upstream_http;
      e.code = std::to_string(http_status);
      e.message = x.reason;  // the page's text with tags stripped, or the start of the body
      e.retryable = retryable_status(http_status);
      e.maybe_delivered = write && retryable_status(http_status);
    } else {
      e.kind = BpjsErrorKind::decode;
      e.code = std::string(to_string(x.code));
      e.message = "BPJS answered HTTP " + std::to_string(http_status) + " with an unreadable body: " + x.reason;
      e.retryable = true;
      e.maybe_delivered = write;
    }
    return e;
  }

  DecodedResponse& r = *decoded;
  const bool success = http_status >= 200 && http_status <= 299 && is_success_code(service, r.code);
  if (success) {
    if (r.decrypt_error) {
      e.kind = BpjsErrorKind::decode;
      e.code = std::string(to_string(r.decrypt_error->code));
      e.message = "BPJS answered " + r.code +
                  " but the response could not be decrypted (wrong secret key, or a "
                  "stamp the response was not made with): " +
                  r.decrypt_error->reason;
      e.retryable = true;
      e.maybe_delivered = write;  // BPJS said it did it
      return e;
    }
    BpjsReply reply;
    reply.response_json = std::move(r.response_json);
    reply.code = std::move(r.code);
    reply.message = std::move(r.message);
    reply.http_status = http_status;
    return reply;
  }

  e.code = r.code;
  e.message = r.message;
  if (r.response_kind != ResponseKind::absent && r.response_kind != ResponseKind::null) e.details = r.response_json;
  if (http_status == 401 || http_status == 403 || r.code == "401" || r.code == "403" ||
      starts_with_ci(r.message, "unauthorized")) {
    e.kind = BpjsErrorKind::auth;
  } else if (http_status == 404 || r.code == "404" || (service == Service::pcare && r.code == "204")) {
    e.kind = BpjsErrorKind::not_found;
  } else if (retryable_status(http_status)) {
    e.kind = BpjsErrorKind::upstream_http;
    e.retryable = true;
    e.maybe_delivered = write;
  } else {
    e.kind = BpjsErrorKind::business;  // V-Claim/Antrean HTTP 200 + code "201"..., P-Care 412/424/...
  }
  return e;
}

BpjsError transport_error(const http::HttpError& error, http::Method method) {
  BpjsError e;
  e.kind = BpjsErrorKind::transport;
  switch (error.kind) {
    case http::ErrorKind::timeout:
      e.transport = TransportFailure::timeout;
      break;
    case http::ErrorKind::connect_failed:
      // Request bytes that went out prove a connection: a timeout on a reused
      // connection is reported by curl with no connect time.
      e.transport = error.maybe_delivered ? TransportFailure::timeout : TransportFailure::connect;
      break;
    case http::ErrorKind::dns:
      e.transport = TransportFailure::dns;
      break;
    case http::ErrorKind::tls:
      e.transport = TransportFailure::tls;
      break;
    case http::ErrorKind::cancelled:
      e.transport = TransportFailure::cancelled;
      break;
    case http::ErrorKind::too_many:
      e.transport = TransportFailure::too_many;
      break;
    case http::ErrorKind::none:
    case http::ErrorKind::other:
      e.transport = TransportFailure::other;
      break;
  }
  e.code = std::string(to_string(e.transport));
  switch (e.transport) {
    case TransportFailure::timeout:
      e.message = "BPJS did not answer in time";
      break;
    case TransportFailure::connect:
      e.message = "could not connect to BPJS";
      break;
    case TransportFailure::dns:
      e.message = "the BPJS host name did not resolve";
      break;
    case TransportFailure::tls:
      e.message = "TLS handshake or certificate verification with BPJS failed";
      break;
    case TransportFailure::cancelled:
      e.message = "the call was cancelled";
      break;
    case TransportFailure::too_many:
      e.message = "too many BPJS calls in flight; rejected without sending";
      break;
    default:
      e.message = "the connection to BPJS failed without an answer";
      break;
  }
  e.details = error.reason;  // curl's text, host and port at most
  e.retryable = e.transport != TransportFailure::tls && e.transport != TransportFailure::cancelled;
  e.maybe_delivered = method != http::Method::get && error.maybe_delivered;
  return e;
}

// ---------------------------------------------------------------- BpjsClient

BpjsClient::BpjsClient(http::HttpClient& http, http::KeyedLimiter& limiter, std::shared_ptr<UpstreamClock> clock,
                       BpjsCredentials credentials, BpjsClientOptions options)
    : http_(http),
      limiter_(limiter),
      clock_(clock ? std::move(clock) : std::make_shared<UpstreamClock>()),
      credentials_(std::move(credentials)),
      options_(std::move(options)),
      key_(limiter_key(credentials_.cons_id)) {}

BpjsClient::BpjsClient(http::HttpClient& http, http::KeyedLimiter& limiter, UpstreamClocks& clocks,
                       BpjsCredentials credentials, BpjsClientOptions options)
    : BpjsClient(http, limiter, clocks.for_cons_id(credentials.cons_id), std::move(credentials), std::move(options)) {}

http::HttpRequest BpjsClient::build_request(Service service, http::Method method, const std::string& path,
                                            const std::string& body, const std::string& label,
                                            const RequestStamp& stamp, const CallOptions& call) const {
  http::HttpRequest req;
  req.method = method;
  const std::string& base = options_.endpoints.base(service);
  req.url.reserve(base.size() + 1 + path.size());
  req.url = base;
  if (!path.empty() && path.front() != '/') req.url += '/';
  req.url += path;

  Credentials creds{credentials_.cons_id, credentials_.secret_key,
                    service == Service::vclaim  ? credentials_.user_key_vclaim
                    : service == Service::pcare ? credentials_.user_key_pcare
                                                : credentials_.user_key_antrean};
  PcareLogin login{credentials_.pcare_username, credentials_.pcare_password, credentials_.kd_aplikasi};
  for (auto& h : request_headers(creds, stamp, service == Service::pcare ? &login : nullptr))
    req.headers.push_back({std::move(h.name), std::move(h.value)});
  req.headers.push_back({"Accept", "application/json"});
  if (method == http::Method::get) {
    req.headers.push_back({"Content-Type", "application/json; charset=utf-8"});
  } else {
    // §2.4: V-Claim (and Antrean, as SSECD/VPHP do) writes declare form encoding
    // although the body is JSON; P-Care writes send text/plain.
    req.headers.push_back(
        {"Content-Type", service == Service::pcare ? "text/plain" : "Application/x-www-form-urlencoded"});
    req.body = body;
  }
  const auto per_method = method == http::Method::get ? options_.timeouts.read : options_.timeouts.write;
  req.timeout = call.timeout.count() > 0 ? call.timeout : per_method;
  req.connect_timeout = options_.timeouts.connect;
  req.label = std::string(to_string(service)) + " " + label;
  req.max_attempts = 1;  // retries happen here, each with a fresh signature
  return req;
}

RequestPreview BpjsClient::preview(Service service, const UpstreamRequest& request) const {
  const http::HttpRequest req =
      build_request(service, request.method, request.path, request.body, request.label, clock_->stamp(), {});
  RequestPreview out;
  out.method = std::string(http::to_string(request.method));
  out.url = req.url;
  for (const auto& h : req.headers) {
    const bool secret = is_secret_header(h.name) || h.name == "X-cons-id";
    out.headers.emplace_back(h.name, secret ? std::string(kRedacted) : h.value);
  }
  out.body = req.body;
  return out;
}

void BpjsClient::record(Service service, const std::string& label, const BpjsResult& result, double seconds,
                        int retries) const {
  if (!options_.metrics) return;
  obs::Registry& reg = *options_.metrics;
  const std::string svc(to_string(service));
  const std::string outcome = result ? std::string("ok") : std::string(to_string(result.error().kind));
  reg.counter("simpul_upstream_requests_total", "Upstream (BPJS) calls by endpoint template and outcome",
              {{"service", svc}, {"endpoint", label}, {"outcome", outcome}})
      .inc();
  reg.histogram("simpul_upstream_request_duration_seconds",
                "Upstream (BPJS) call duration including limiter waits and retries",
                {{"service", svc}, {"endpoint", label}})
      .observe(seconds);
  if (retries > 0)
    reg.counter("simpul_upstream_retries_total", "Upstream (BPJS) attempts beyond the first",
                {{"service", svc}, {"endpoint", label}})
        .inc(static_cast<std::uint64_t>(retries));
}

asio::awaitable<BpjsResult> BpjsClient::async_call(Service service, http::Method method, std::string path,
                                                   std::string body, std::string label, CallOptions call) {
  const auto started = std::chrono::steady_clock::now();
  label = safe_label(label);
  const bool is_get = method == http::Method::get;
  const int budget =
      is_get ? std::max(1, call.max_attempts > 0 ? call.max_attempts : options_.get_retry.max_attempts) : 1;
  int attempts = 0;  // requests sent (or tried)
  int counted = 0;   // attempts that count against the GET budget
  bool resigned = false;
  std::optional<BpjsResult> result;

  try {
    for (;;) {
      ++attempts;
      ++counted;
      http::Permit permit = co_await limiter_.acquire(key_, asio::use_awaitable);
      if (!permit) {
        BpjsError e;
        e.kind = BpjsErrorKind::transport;
        e.transport =
            permit.error() == http::PermitError::too_many ? TransportFailure::too_many : TransportFailure::cancelled;
        e.code = std::string(to_string(e.transport));
        e.message = e.transport == TransportFailure::too_many
                        ? "too many BPJS calls waiting for this consId; rejected without sending"
                        : "the call was cancelled before it was sent";
        e.retryable = e.transport == TransportFailure::too_many;
        result = std::move(e);
        break;
      }
      const std::int64_t offset_used = clock_->offset_seconds();
      const RequestStamp stamp = clock_->stamp();
      http::HttpResult hr = co_await http_.async_request(build_request(service, method, path, body, label, stamp, call),
                                                         asio::use_awaitable);
      permit.release();
      if (hr.ok()) {
        const http::HttpResponse& resp = hr.response();
        if (auto date = resp.header("Date")) clock_->observe_date_header(*date);
        result = interpret_response(service, method, path, resp.status, resp.body, credentials_, stamp);
      } else {
        result = transport_error(hr.error(), method);
      }
      if (result->ok()) break;
      const BpjsError& e = result->error();
      if (e.kind == BpjsErrorKind::auth && options_.resign_on_clock_skew && !resigned &&
          clock_->offset_seconds() != offset_used) {
        // Our stamp was off by what the Date header just taught the clock: BPJS
        // rejected the request before doing anything, so sending it again is safe.
        resigned = true;
        --counted;
        continue;
      }
      const bool retry_kind = e.kind == BpjsErrorKind::transport || e.kind == BpjsErrorKind::upstream_http ||
                              e.kind == BpjsErrorKind::decode;
      if (!is_get || !retry_kind || !e.retryable || counted >= budget) break;
      // Backoff: min(max, base * 2^(n-1)), jittered in [d/2, d].
      long long d = std::max<long long>(options_.get_retry.base_delay.count(), 0);
      for (int i = 1; i < counted && d < options_.get_retry.max_delay.count(); ++i) d *= 2;
      d = std::min<long long>(d, std::max<long long>(options_.get_retry.max_delay.count(), 0));
      thread_local std::mt19937_64 rng{std::random_device{}()};
      const long long wait =
          d <= 1 ? d : d / 2 + static_cast<long long>(rng() % static_cast<unsigned long long>(d - d / 2 + 1));
      asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::milliseconds(wait));
      auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
      if (ec) break;  // cancelled while backing off: report the last failure
    }
  } catch (const boost::system::system_error&) {
    // The awaiting coroutine was cancelled between operations.
    BpjsError e;
    e.kind = BpjsErrorKind::transport;
    e.transport = TransportFailure::cancelled;
    e.code = "cancelled";
    e.message = "the call was cancelled";
    result = std::move(e);
  }

  if (*result) {
    (*result)->attempts = attempts;
  } else {
    BpjsError e = std::move(*result).error();
    e.attempts = attempts;
    result = std::move(e);
    const BpjsError& err = result->error();
    const bool operational = err.kind != BpjsErrorKind::business && err.kind != BpjsErrorKind::not_found;
    obs::log(operational ? obs::Level::warn : obs::Level::debug, "bpjs call failed",
             {{"service", to_string(service)},
              {"endpoint", label},
              {"kind", to_string(err.kind)},
              {"code", err.code},
              {"http_status", err.http_status},
              {"attempts", attempts},
              {"maybe_delivered", err.maybe_delivered}});
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  record(service, label, *result, seconds, attempts - 1);
  co_return std::move(*result);
}

}  // namespace simpul::connectors::bpjs

// ---------------------------------------------------------------- typed-client helpers

namespace simpul::connectors::bpjs::detail {

BpjsError wire_error(const simpul::mappings::bpjs::WireError& error, http::Method method, const BpjsReply& reply) {
  BpjsError e;
  e.kind = BpjsErrorKind::decode;
  e.code = "wire_format";
  e.message = "BPJS response does not have the expected shape: " + error.text();
  e.http_status = reply.http_status;
  e.attempts = reply.attempts;
  e.retryable = method == http::Method::get;
  e.maybe_delivered = method != http::Method::get;
  return e;
}

asio::awaitable<Outcome<WriteAck>> call_ack(BpjsClient& client, Service service, http::Method method, std::string path,
                                            std::string body, std::string label) {
  BpjsResult r = co_await client.async_call(service, method, std::move(path), std::move(body), std::move(label));
  if (!r) co_return std::move(r).error();
  co_return WriteAck{std::move(r->code), std::move(r->message)};
}

}  // namespace simpul::connectors::bpjs::detail
