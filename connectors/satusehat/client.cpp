#include "connectors/satusehat/client.hpp"

#include <algorithm>
#include <cctype>
#include <exception>
#include <list>
#include <map>
#include <mutex>
#include <unordered_map>
#include <utility>

#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <curl/curl.h>
#include <rapidjson/document.h>

namespace simpul::connectors::satusehat {

namespace asio = boost::asio;

// ---------------------------------------------------------------- errors

std::string_view to_string(SatusehatError::Kind kind) noexcept {
  switch (kind) {
    case SatusehatError::transport_before_send:
      return "transport_before_send";
    case SatusehatError::transport_unknown:
      return "transport_unknown";
    case SatusehatError::timeout_unknown:
      return "timeout_unknown";
    case SatusehatError::auth:
      return "auth";
    case SatusehatError::rate_limited:
      return "rate_limited";
    case SatusehatError::server:
      return "server";
    case SatusehatError::rejected:
      return "rejected";
    case SatusehatError::not_found:
      return "not_found";
    case SatusehatError::malformed:
      return "malformed";
  }
  return "unknown";
}

std::string SatusehatError::summary() const {
  std::string out(to_string(kind));
  if (http_status || !code.empty()) {
    out += " (";
    if (http_status) out += "HTTP " + std::to_string(http_status);
    if (http_status && !code.empty()) out += ", ";
    out += code;
    out += ')';
  }
  out += ": ";
  if (!message.empty()) {
    out += message;
  } else {
    switch (kind) {
      case transport_before_send:
        out += "SATUSEHAT could not be reached; nothing was sent";
        break;
      case transport_unknown:
        out += "the connection was lost after sending; the request may have been applied";
        break;
      case timeout_unknown:
        out += "no answer in time; the request may have been applied";
        break;
      case malformed:
        out += "SATUSEHAT's answer could not be read";
        break;
      default:
        out += "SATUSEHAT refused the request";
        break;
    }
  }
  if (!expression.empty()) out += " [" + expression + "]";
  if (retry_after.count() > 0) out += " (retry after " + std::to_string((retry_after.count() + 999) / 1000) + " s)";
  return out;
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value, std::int64_t now_ms) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); })) {
    if (value.size() > 9) return std::chrono::milliseconds(std::int64_t{999'999'999} * 1000);  // absurd: cap
    std::int64_t s = 0;
    for (char c : value) s = s * 10 + (c - '0');
    return std::chrono::milliseconds(s * 1000);
  }
  const std::string text(value);
  const time_t t = curl_getdate(text.c_str(), nullptr);
  if (t == static_cast<time_t>(-1)) return std::nullopt;
  const std::int64_t delta = static_cast<std::int64_t>(t) * 1000 - now_ms;
  return std::chrono::milliseconds(std::max<std::int64_t>(delta, 0));
}

// ---------------------------------------------------------------- helpers

namespace {

// Percent-encodes everything but the unreserved characters (query values, form values).
std::string pct(std::string_view text) { return http::percent_encode(text); }

// Replaces every occurrence of each non-empty secret by "<redacted>".
void scrub(std::string& text, std::initializer_list<std::string_view> secrets) {
  for (std::string_view s : secrets) {
    if (s.empty()) continue;
    for (auto p = text.find(s); p != std::string::npos; p = text.find(s, p + 10)) text.replace(p, s.size(), "<redacted>");
  }
}

void scrub(SatusehatError& e, std::initializer_list<std::string_view> secrets) {
  scrub(e.message, secrets);
  scrub(e.internal, secrets);
  scrub(e.code, secrets);
  scrub(e.expression, secrets);
}

std::string_view str(const rapidjson::Value& v, const char* key) {
  if (!v.IsObject()) return {};
  auto it = v.FindMember(key);
  if (it == v.MemberEnd() || !it->value.IsString()) return {};
  return {it->value.GetString(), it->value.GetStringLength()};
}

const rapidjson::Value* member(const rapidjson::Value& v, const char* key) {
  if (!v.IsObject()) return nullptr;
  auto it = v.FindMember(key);
  return it == v.MemberEnd() ? nullptr : &it->value;
}

bool parse_json(rapidjson::Document& d, std::string_view body) {
  d.Parse(body.data(), body.size());
  return !d.HasParseError();
}

// A short, single-line, printable excerpt of a non-JSON body (gateway texts), for messages.
std::string excerpt(std::string_view body, std::size_t max = 200) {
  std::string out;
  for (unsigned char c : body) {
    if (out.size() >= max) {
      out += "...";
      break;
    }
    out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : ' ';
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  while (!out.empty() && out.front() == ' ') out.erase(out.begin());
  return out;
}

bool looks_html(std::string_view body) {
  std::size_t i = 0;
  while (i < body.size() && std::isspace(static_cast<unsigned char>(body[i]))) ++i;
  return i < body.size() && body[i] == '<';
}

bool contains_ci(std::string_view text, std::string_view needle) {
  auto it = std::search(text.begin(), text.end(), needle.begin(), needle.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  });
  return it != text.end();
}

// Fills code / message / expression from whatever error body SATUSEHAT (or its Apigee gateway)
// sent: an OperationOutcome, {"fault":{"faultstring"...}}, {"ErrorCode","Error"}, or plain text.
void read_error_body(SatusehatError& e, std::string_view body) {
  rapidjson::Document d;
  if (parse_json(d, body) && d.IsObject()) {
    if (str(d, "resourceType") == "OperationOutcome") {
      const rapidjson::Value* issues = member(d, "issue");
      if (issues && issues->IsArray() && !issues->Empty()) {
        const auto& i = (*issues)[0];
        e.code = std::string(str(i, "code"));
        if (const auto* det = member(i, "details")) e.message = std::string(str(*det, "text"));
        if (e.message.empty()) e.message = std::string(str(i, "diagnostics"));
        for (const char* k : {"expression", "location"}) {
          const auto* ex = member(i, k);
          if (e.expression.empty() && ex && ex->IsArray() && !ex->Empty() && (*ex)[0].IsString())
            e.expression = (*ex)[0].GetString();
        }
        if (issues->Size() > 1) e.internal += "; " + std::to_string(issues->Size()) + " issues, first shown";
      }
      return;
    }
    if (const auto* fault = member(d, "fault")) {  // Apigee gateway
      e.message = std::string(str(*fault, "faultstring"));
      if (const auto* det = member(*fault, "detail")) e.code = std::string(str(*det, "errorcode"));
      return;
    }
    if (d.HasMember("ErrorCode") || d.HasMember("Error")) {  // Apigee OAuth errors
      e.code = std::string(str(d, "ErrorCode"));
      e.message = std::string(str(d, "Error"));
      return;
    }
    e.internal += "; JSON error body of an unknown shape";
    return;
  }
  if (looks_html(body)) {
    e.internal += "; HTML body: " + excerpt(body, 120);
    return;
  }
  e.message = excerpt(body);  // text/plain gateway answers ("Gateway Timeout")
}

std::int64_t system_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The typed error of an HTTP exchange that got no answer.
SatusehatError transport_error(const http::HttpError& he, bool write, std::string_view what) {
  SatusehatError e;
  switch (he.kind) {
    case http::ErrorKind::timeout:
      // A read that timed out is harmless either way; a write that may have been sent is unknown.
      e.kind = (he.maybe_delivered || write) ? SatusehatError::timeout_unknown : SatusehatError::transport_before_send;
      break;
    case http::ErrorKind::connect_failed:
    case http::ErrorKind::dns:
    case http::ErrorKind::tls:
    case http::ErrorKind::too_many:
      e.kind = SatusehatError::transport_before_send;
      break;
    case http::ErrorKind::cancelled:
    case http::ErrorKind::other:
    case http::ErrorKind::none:
      e.kind = he.maybe_delivered ? SatusehatError::transport_unknown : SatusehatError::transport_before_send;
      break;
  }
  e.code = std::string(http::to_string(he.kind));
  e.internal = std::string(what) + ": " + std::string(http::to_string(he.kind)) + " (" + he.reason + ")" +
               (he.maybe_delivered ? ", request bytes sent" : ", nothing sent");
  return e;
}

// Whether to resend once: nothing was sent and it was not our own refusal or cancellation.
bool resend_once(const http::HttpError& he, const SatusehatError& e) {
  return e.kind == SatusehatError::transport_before_send && he.kind != http::ErrorKind::too_many &&
         he.kind != http::ErrorKind::cancelled;
}

}  // namespace

// ---------------------------------------------------------------- shared state

struct SatusehatClient::Flight {
  bool done = false;
  std::optional<Result<std::string>> result;
  std::vector<std::unique_ptr<http::detail::Completion<Result<std::string>>>> waiters;
};

struct SatusehatClient::State {
  struct TokenEntry {
    std::string token;               // empty = none
    std::int64_t refresh_at_ms = 0;  // use until then
    std::int64_t expires_at_ms = 0;
    std::shared_ptr<Flight> flight;  // a refresh in progress
    // Hold-off after the token endpoint refused these credentials.
    std::int64_t failed_until_ms = 0;
    std::size_t failed_secret = 0;   // std::hash of the refused client_secret (in memory only)
    std::optional<SatusehatError> failure;
  };
  struct IhsEntry {
    std::string key;
    std::string id;  // empty = negative entry
    std::int64_t expires_ms = 0;
  };

  std::mutex mu;
  std::map<std::string, TokenEntry> tokens;  // by client_id
  std::list<IhsEntry> lru;                   // most recently used first
  std::unordered_map<std::string, std::list<IhsEntry>::iterator> ihs;
};

SatusehatClient::SatusehatClient(asio::io_context& io, http::HttpClient& http, SatusehatEndpoints endpoints,
                                 SatusehatOptions options)
    : io_(io), http_(http), endpoints_(std::move(endpoints)), options_(std::move(options)),
      state_(std::make_shared<State>()) {
  for (std::string* base : {&endpoints_.auth_base, &endpoints_.fhir_base})
    while (!base->empty() && base->back() == '/') base->pop_back();
  if (!options_.clock_ms) options_.clock_ms = system_ms;
}

SatusehatClient::~SatusehatClient() = default;

void SatusehatClient::forget_token(const std::string& client_id) {
  std::lock_guard lock(state_->mu);
  auto it = state_->tokens.find(client_id);
  if (it == state_->tokens.end()) return;
  it->second.token.clear();
  it->second.failure.reset();
  it->second.failed_until_ms = 0;
}

// ---------------------------------------------------------------- tokens

namespace {

SatusehatError token_error(const http::HttpResponse& r, std::int64_t now_ms) {
  SatusehatError e;
  e.http_status = r.status;
  read_error_body(e, r.body);
  auto ra = r.header("Retry-After");
  if (ra) e.retry_after = parse_retry_after(*ra, now_ms).value_or(std::chrono::milliseconds{0});
  if (r.status == 429 || contains_ci(e.message, "rate limit")) {
    e.kind = SatusehatError::rate_limited;
    if (e.retry_after.count() == 0 && r.status != 429) e.retry_after = std::chrono::seconds(60);  // "1 per minute"
  } else if (r.status >= 500) {
    e.kind = SatusehatError::server;
  } else if (r.status >= 400) {
    // Bad credentials (401, status undocumented), grant_type errors (400): our configuration.
    e.kind = SatusehatError::auth;
    if (e.message.empty()) e.message = "SATUSEHAT refused the client credentials";
  } else {
    e.kind = SatusehatError::malformed;
  }
  e.internal = "POST accesstoken: HTTP " + std::to_string(r.status) + e.internal;
  return e;
}

Result<detail::IssuedToken> read_token(const http::HttpResponse& r) {
  SatusehatError e;
  e.kind = SatusehatError::malformed;
  e.http_status = r.status;
  rapidjson::Document d;
  if (!parse_json(d, r.body) || !d.IsObject()) {
    e.message = "the token answer is not JSON";
    e.internal = "POST accesstoken: HTTP " + std::to_string(r.status) + ", body not a JSON object";
    return e;
  }
  detail::IssuedToken out;
  out.token = std::string(str(d, "access_token"));
  const bool printable = std::all_of(out.token.begin(), out.token.end(),
                                     [](unsigned char c) { return c > 0x20 && c < 0x7f; });
  if (out.token.empty() || !printable) {
    e.message = "the token answer has no usable access_token";
    e.internal = "POST accesstoken: HTTP " + std::to_string(r.status) + ", access_token missing or not printable";
    return e;
  }
  // Every value is a string ("3599"); a number is accepted too.
  if (const auto* v = member(d, "expires_in")) {
    if (v->IsString()) {
      std::string_view s(v->GetString(), v->GetStringLength());
      if (!s.empty() && s.size() < 10 &&
          std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); }))
        out.lifetime_s = std::stoll(std::string(s));
    } else if (v->IsInt64()) {
      out.lifetime_s = v->GetInt64();
    } else if (v->IsNumber()) {
      out.lifetime_s = static_cast<std::int64_t>(v->GetDouble());
    }
  }
  if (out.lifetime_s <= 0) out.lifetime_s = 3599;  // the documented lifetime
  return out;
}

}  // namespace

asio::awaitable<Result<std::string>> SatusehatClient::token(const SatusehatCredentials& credentials) {
  Result<std::string> result = co_await acquire_token(credentials, {});
  co_return result;
}

asio::awaitable<Result<std::string>> SatusehatClient::acquire_token(const SatusehatCredentials& credentials,
                                                                    std::string stale) {
  std::shared_ptr<Flight> flight;
  bool lead = false;
  {
    std::lock_guard lock(state_->mu);
    auto& entry = state_->tokens[credentials.client_id];
    if (!stale.empty() && entry.token == stale) entry.token.clear();  // refused upstream: never use it again
    const std::int64_t now = options_.clock_ms();
    if (!entry.token.empty() && now < entry.refresh_at_ms) co_return std::string(entry.token);
    if (entry.failure && now < entry.failed_until_ms &&
        entry.failed_secret == std::hash<std::string>{}(credentials.client_secret)) {
      SatusehatError e = *entry.failure;
      e.retry_after = std::chrono::milliseconds(entry.failed_until_ms - now);
      e.internal += "; answered from the token hold-off, no request";
      co_return e;
    }
    if (!entry.flight) {
      entry.flight = std::make_shared<Flight>();
      lead = true;
    }
    flight = entry.flight;
  }
  if (lead) {
    asio::co_spawn(io_, refresh_token(credentials, flight), asio::detached);
  }
  // A named initiation and a named result: GCC 12 destroys the temporaries of a
  // `co_return co_await f([captures])` twice (the captured shared_ptr was released twice:
  // heap-use-after-free under ASan when a token refresh failed).
  auto initiate = [this, flight](auto handler) {
    auto done = http::detail::make_completion<Result<std::string>>(std::move(handler), io_.get_executor());
    std::unique_lock lock(state_->mu);
    if (flight->done) {
      Result<std::string> r = *flight->result;
      lock.unlock();
      done->complete(std::move(r));
    } else {
      flight->waiters.push_back(std::move(done));
    }
  };
  Result<std::string> result =
      co_await asio::async_initiate<decltype(asio::use_awaitable), void(Result<std::string>)>(initiate,
                                                                                              asio::use_awaitable);
  co_return result;
}

asio::awaitable<void> SatusehatClient::refresh_token(SatusehatCredentials credentials,
                                                     std::shared_ptr<Flight> flight) {
  std::optional<Result<std::string>> out;
  try {
    const std::int64_t sent_ms = options_.clock_ms();
    Result<detail::IssuedToken> issued = co_await request_token(credentials);
    std::lock_guard lock(state_->mu);
    auto& entry = state_->tokens[credentials.client_id];
    if (issued) {
      const std::int64_t life_ms = issued->lifetime_s * 1000;
      const std::int64_t early_ms =
          std::min<std::int64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(options_.refresh_early).count(),
                                 life_ms / 2);
      entry.token = issued->token;
      entry.expires_at_ms = sent_ms + life_ms;
      entry.refresh_at_ms = sent_ms + life_ms - std::max<std::int64_t>(early_ms, 0);
      entry.failure.reset();
      entry.failed_until_ms = 0;
      out.emplace(std::string(issued->token));
    } else {
      const SatusehatError& e = issued.error();
      const auto holdoff = std::chrono::duration_cast<std::chrono::milliseconds>(options_.auth_failure_holdoff);
      std::chrono::milliseconds hold{0};
      if (e.kind == SatusehatError::auth) hold = holdoff;
      if (e.kind == SatusehatError::rate_limited) hold = e.retry_after.count() > 0 ? e.retry_after : holdoff;
      if (hold.count() > 0) {
        entry.failure = e;
        entry.failed_until_ms = options_.clock_ms() + hold.count();
        entry.failed_secret = std::hash<std::string>{}(credentials.client_secret);
      }
      out.emplace(e);
    }
  } catch (const std::exception& ex) {
    SatusehatError e;
    e.kind = SatusehatError::transport_before_send;
    e.message = "the token request failed inside Simpul";
    e.internal = std::string("token refresh threw: ") + ex.what();
    scrub(e, {credentials.client_secret});
    out.emplace(std::move(e));
  }
  std::vector<std::unique_ptr<http::detail::Completion<Result<std::string>>>> waiters;
  {
    std::lock_guard lock(state_->mu);
    auto& entry = state_->tokens[credentials.client_id];
    if (entry.flight == flight) entry.flight.reset();
    flight->done = true;
    flight->result = *out;
    waiters = std::move(flight->waiters);
  }
  for (auto& w : waiters) w->complete(*out);
}

asio::awaitable<Result<detail::IssuedToken>> SatusehatClient::request_token(const SatusehatCredentials& credentials) {
  http::HttpRequest req;
  req.method = http::Method::post;
  req.url = endpoints_.auth_base + "/accesstoken?grant_type=client_credentials";
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
  req.body = "client_id=" + pct(credentials.client_id) + "&client_secret=" + pct(credentials.client_secret);
  req.timeout = options_.token_timeout;
  req.label = "/oauth2/v1/accesstoken";
  for (int attempt = 0;; ++attempt) {
    http::HttpResult hr = co_await http_.async_request(req, asio::use_awaitable);
    if (!hr.ok()) {
      // A token request that may have arrived issued at most a token nobody uses: harmless,
      // but it still counts against the auth rate limit, so only a request never sent is resent.
      SatusehatError e = transport_error(hr.error(), false, "POST accesstoken");
      if (e.kind == SatusehatError::transport_unknown || e.kind == SatusehatError::timeout_unknown)
        e.message = "no answer from the SATUSEHAT token endpoint";
      if (attempt == 0 && resend_once(hr.error(), e)) continue;
      scrub(e, {credentials.client_secret});
      co_return e;
    }
    const http::HttpResponse& r = hr.response();
    Result<detail::IssuedToken> out = r.status == 200 ? read_token(r) : Result<detail::IssuedToken>(token_error(r, options_.clock_ms()));
    if (!out) {
      SatusehatError e = std::move(out).error();
      scrub(e, {credentials.client_secret});
      co_return e;
    }
    co_return out;
  }
}

// ---------------------------------------------------------------- FHIR calls

namespace {

SatusehatError fhir_error(const http::HttpResponse& r, bool write, std::string_view what, std::int64_t now_ms) {
  SatusehatError e;
  e.http_status = r.status;
  read_error_body(e, r.body);
  std::int64_t ref_ms = now_ms;
  if (auto date = r.header("Date")) {
    const std::string d(*date);
    const time_t t = curl_getdate(d.c_str(), nullptr);
    if (t != static_cast<time_t>(-1)) ref_ms = static_cast<std::int64_t>(t) * 1000;
  }
  if (auto ra = r.header("Retry-After")) e.retry_after = parse_retry_after(*ra, ref_ms).value_or(e.retry_after);
  const int s = r.status;
  if (s == 401) {
    e.kind = SatusehatError::auth;
  } else if (s == 404) {
    e.kind = SatusehatError::not_found;
  } else if (s == 429) {
    e.kind = SatusehatError::rate_limited;
  } else if (s >= 500) {
    // A gateway error on a write: the backend may have committed before the gateway gave up.
    if (write && s == 504) e.kind = SatusehatError::timeout_unknown;
    else if (write && s == 502) e.kind = SatusehatError::transport_unknown;
    else e.kind = SatusehatError::server;
  } else if (s >= 400) {
    e.kind = SatusehatError::rejected;
  } else {
    e.kind = SatusehatError::malformed;  // 1xx/3xx: redirects are not followed
  }
  e.internal = std::string(what) + ": HTTP " + std::to_string(s) + e.internal;
  return e;
}

// The `id`s of a searchset Bundle's entries.
Result<std::vector<std::string>> read_searchset(const http::HttpResponse& r, std::string_view what) {
  SatusehatError e;
  e.kind = SatusehatError::malformed;
  e.http_status = r.status;
  e.message = "the search answer is not a FHIR Bundle";
  rapidjson::Document d;
  if (!parse_json(d, r.body) || !d.IsObject() || str(d, "resourceType") != "Bundle") {
    e.internal = std::string(what) + ": HTTP " + std::to_string(r.status) + ", not a Bundle";
    return e;
  }
  std::vector<std::string> ids;
  const auto* entries = member(d, "entry");
  if (entries && entries->IsArray()) {
    for (const auto& en : entries->GetArray()) {
      if (const auto* search = member(en, "search"); search && !str(*search, "mode").empty() &&
                                                      str(*search, "mode") != "match")
        continue;  // include / outcome entries
      const auto* res = member(en, "resource");
      std::string_view id = res ? str(*res, "id") : std::string_view{};
      if (id.empty()) {
        e.message = "a search result has no id";
        e.internal = std::string(what) + ": entry without resource.id";
        return e;
      }
      if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.emplace_back(id);
    }
  } else if (entries) {
    e.internal = std::string(what) + ": entry is not an array";
    return e;
  }
  return ids;
}

bool is_nik(std::string_view s) {
  return s.size() == 16 && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

bool is_type_name(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::isupper(static_cast<unsigned char>(s.front())) &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalpha(c); });
}

// FHIR allows absolute locations: keep "Type/id/_history/n" (or "Type/id").
std::string relative_location(std::string_view loc) {
  if (loc.find("://") == std::string_view::npos) return std::string(loc);
  std::vector<std::string_view> segs;
  for (std::size_t i = 0; i <= loc.size();) {
    std::size_t j = std::min(loc.find('/', i), loc.size());
    segs.push_back(loc.substr(i, j - i));
    i = j + 1;
  }
  std::size_t first = segs.size() >= 2 ? segs.size() - 2 : 0;
  for (std::size_t k = segs.size(); k-- > 0;) {
    if (segs[k] == "_history") {
      first = k >= 2 ? k - 2 : 0;
      break;
    }
  }
  std::string out;
  for (std::size_t k = first; k < segs.size(); ++k) {
    if (!out.empty()) out += '/';
    out += segs[k];
  }
  return out;
}

SatusehatError local_rejection(std::string message, std::string internal) {
  SatusehatError e;
  e.kind = SatusehatError::rejected;
  e.code = "value";
  e.message = std::move(message);
  e.internal = std::move(internal) + " (refused locally, nothing sent)";
  return e;
}

}  // namespace

asio::awaitable<Result<http::HttpResponse>> SatusehatClient::fhir_call(const SatusehatCredentials& credentials,
                                                                       http::Method method,
                                                                       std::string path_and_query, std::string body,
                                                                       std::string label) {
  const bool write = method != http::Method::get;
  const std::string what = std::string(http::to_string(method)) + " " + label;
  std::string used;  // the token the previous attempt was refused with
  for (int auth_try = 0; auth_try < 2; ++auth_try) {
    Result<std::string> tok = co_await acquire_token(credentials, used);
    if (!tok) co_return std::move(tok).error();
    used = *tok;
    http::HttpRequest req;
    req.method = method;
    req.url = endpoints_.fhir_base + path_and_query;
    req.headers = {{"Authorization", "Bearer " + used}, {"Accept", "application/fhir+json, application/json"}};
    if (write) req.headers.push_back({"Content-Type", "application/json"});
    req.body = body;
    req.timeout = write ? options_.write_timeout : options_.read_timeout;
    req.label = label;
    req.max_attempts = 1;  // our own retry policy below
    std::optional<http::HttpResult> hr;
    for (int attempt = 0;; ++attempt) {
      hr.emplace(co_await http_.async_request(req, asio::use_awaitable));
      if (hr->ok()) break;
      SatusehatError e = transport_error(hr->error(), write, what);
      // Writes are never resent here: the caller reconciles. A read never sent may be, once.
      if (!write && attempt == 0 && resend_once(hr->error(), e)) continue;
      scrub(e, {credentials.client_secret, used});
      co_return e;
    }
    http::HttpResponse& r = hr->response();
    if (r.status == 401 && auth_try == 0) continue;  // drop this token, fetch a fresh one, once
    if (r.status >= 200 && r.status < 300) co_return std::move(r);
    SatusehatError e = fhir_error(r, write, what, options_.clock_ms());
    if (r.status == 401) e.internal += " (again, with a fresh token)";
    scrub(e, {credentials.client_secret, used});
    co_return e;
  }
  SatusehatError e;  // not reached: the second 401 returns above
  e.kind = SatusehatError::auth;
  co_return e;
}

asio::awaitable<Result<std::string>> SatusehatClient::patient_ihs(const SatusehatCredentials& credentials,
                                                                  std::string nik) {
  Result<std::string> result = co_await lookup_ihs(credentials, Kind::patient, std::move(nik));
  co_return result;
}

asio::awaitable<Result<std::string>> SatusehatClient::practitioner_ihs(const SatusehatCredentials& credentials,
                                                                       std::string nik) {
  Result<std::string> result = co_await lookup_ihs(credentials, Kind::practitioner, std::move(nik));
  co_return result;
}

asio::awaitable<Result<std::string>> SatusehatClient::lookup_ihs(const SatusehatCredentials& credentials, Kind kind,
                                                                 std::string nik) {
  const std::string type = kind == Kind::patient ? "Patient" : "Practitioner";
  const std::string label = "/fhir-r4/v1/" + type + "?identifier=nik|{nik}";
  if (!is_nik(nik)) co_return local_rejection("a NIK has 16 digits", "GET " + label + ": NIK is not 16 digits");

  auto not_found = [&](bool cached) {
    SatusehatError e;
    e.kind = SatusehatError::not_found;
    e.http_status = cached ? 0 : 200;
    e.message = "SATUSEHAT has no " + type + " with this NIK";
    e.internal = "GET " + label + ": no match" + (cached ? " (negative cache, no request)" : "");
    return e;
  };
  const std::string key = (kind == Kind::patient ? "P|" : "N|") + credentials.organization_id + "|" + nik;
  {
    std::lock_guard lock(state_->mu);
    auto it = state_->ihs.find(key);
    if (it != state_->ihs.end()) {
      if (options_.clock_ms() < it->second->expires_ms) {
        state_->lru.splice(state_->lru.begin(), state_->lru, it->second);
        if (it->second->id.empty()) co_return not_found(true);
        co_return std::string(it->second->id);
      }
      state_->lru.erase(it->second);
      state_->ihs.erase(it);
    }
  }

  Result<http::HttpResponse> r = co_await fhir_call(
      credentials, http::Method::get, "/" + type + "?identifier=" + pct(std::string(kNikSystem) + "|" + nik), {}, label);
  if (!r) co_return std::move(r).error();
  Result<std::vector<std::string>> ids = read_searchset(*r, "GET " + label);
  if (!ids) co_return std::move(ids).error();
  std::string id = ids->empty() ? std::string() : ids->front();

  const auto ttl = id.empty() ? options_.ihs_negative_ttl : options_.ihs_cache_ttl;
  if (options_.ihs_cache_max > 0 && ttl.count() > 0) {
    std::lock_guard lock(state_->mu);
    const std::int64_t expires = options_.clock_ms() + std::chrono::duration_cast<std::chrono::milliseconds>(ttl).count();
    if (auto it = state_->ihs.find(key); it != state_->ihs.end()) {
      it->second->id = id;
      it->second->expires_ms = expires;
      state_->lru.splice(state_->lru.begin(), state_->lru, it->second);
    } else {
      while (state_->ihs.size() >= options_.ihs_cache_max && !state_->lru.empty()) {
        state_->ihs.erase(state_->lru.back().key);
        state_->lru.pop_back();
      }
      state_->lru.push_front(State::IhsEntry{key, id, expires});
      state_->ihs.emplace(key, state_->lru.begin());
    }
  }
  if (id.empty()) co_return not_found(false);
  co_return id;
}

asio::awaitable<Result<SatusehatClient::TransactionResult>> SatusehatClient::post_transaction(
    const SatusehatCredentials& credentials, std::string bundle_json) {
  const std::string label = "/fhir-r4/v1 (transaction)";
  Result<http::HttpResponse> r =
      co_await fhir_call(credentials, http::Method::post, "", std::move(bundle_json), label);
  if (!r) co_return std::move(r).error();

  // 2xx: the Bundle was accepted. If the answer cannot be read, the caller must reconcile.
  SatusehatError e;
  e.kind = SatusehatError::malformed;
  e.http_status = r->status;
  e.message = "SATUSEHAT accepted the transaction but its answer could not be read";
  rapidjson::Document d;
  if (!parse_json(d, r->body) || !d.IsObject() || str(d, "resourceType") != "Bundle") {
    e.internal = "POST " + label + ": HTTP " + std::to_string(r->status) + ", answer not a Bundle";
    co_return e;
  }
  TransactionResult out;
  if (const auto* entries = member(d, "entry"); entries && entries->IsArray()) {
    for (const auto& en : entries->GetArray()) {
      const auto* resp = member(en, "response");
      std::string loc = relative_location(resp ? str(*resp, "location") : std::string_view{});
      if (out.encounter_id.empty() && loc.rfind("Encounter/", 0) == 0) {
        std::string_view rest = std::string_view(loc).substr(10);
        out.encounter_id = std::string(rest.substr(0, rest.find('/')));
      }
      out.locations.push_back(std::move(loc));
    }
  }
  out.response_json = std::move(r->body);
  co_return out;
}

asio::awaitable<Result<std::string>> SatusehatClient::post_resource(const SatusehatCredentials& credentials,
                                                                    std::string type, std::string resource_json) {
  const std::string label = "/fhir/" + (is_type_name(type) ? type : std::string("{type}"));
  if (!is_type_name(type)) co_return local_rejection("not a FHIR resource type", "POST " + label + ": bad type");
  Result<http::HttpResponse> r =
      co_await fhir_call(credentials, http::Method::post, "/" + type, std::move(resource_json), label);
  if (!r) co_return std::move(r).error();
  rapidjson::Document d;
  std::string id;
  if (parse_json(d, r->body) && d.IsObject()) id = std::string(str(d, "id"));
  if (id.empty()) {
    if (auto loc = r->header("Location")) {
      const std::string rel = relative_location(*loc);  // "Type/id/_history/n" or "Type/id"
      if (rel.rfind(type + "/", 0) == 0) {
        const std::string_view rest = std::string_view(rel).substr(type.size() + 1);
        id = std::string(rest.substr(0, rest.find('/')));
      }
    }
  }
  co_return id;
}

asio::awaitable<Result<std::vector<std::string>>> SatusehatClient::search_by_identifier(
    const SatusehatCredentials& credentials, std::string type, std::string system_and_value) {
  const std::string label = "/fhir-r4/v1/" + (is_type_name(type) ? type : std::string("{type}")) + "?identifier={}";
  if (!is_type_name(type)) co_return local_rejection("not a FHIR resource type", "GET " + label + ": bad type");
  if (system_and_value.empty()) co_return local_rejection("an identifier is required", "GET " + label + ": empty");
  Result<http::HttpResponse> r = co_await fhir_call(credentials, http::Method::get,
                                                    "/" + type + "?identifier=" + pct(system_and_value), {}, label);
  if (!r) co_return std::move(r).error();
  co_return read_searchset(*r, "GET " + label);
}

}  // namespace simpul::connectors::satusehat
