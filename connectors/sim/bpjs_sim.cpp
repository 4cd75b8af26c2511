// The BPJS simulator core: routing, authentication as the gateway checks it,
// envelopes and encryption, fault injection and the /sim control API. The
// service endpoints live in bpjs_vclaim.cpp, bpjs_pcare.cpp and bpjs_antrean.cpp.
#include "connectors/sim/bpjs_sim.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http.hpp>
#include <openssl/crypto.h>

#include "connectors/bpjs/codec.hpp"
#include "connectors/bpjs/envelope.hpp"
#include "connectors/bpjs/signing.hpp"
#include "connectors/observability/log.hpp"
#include "connectors/sim/bpjs_sim_internal.hpp"
#include "connectors/sim/control.hpp"

namespace simpul::connectors::sim {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using namespace bpjs_sim;

namespace bpjs_sim {

std::string_view service_name(Service s) {
  switch (s) {
    case Service::vclaim:
      return "vclaim";
    case Service::pcare:
      return "pcare";
    case Service::antrean:
      return "antrean";
  }
  return "?";
}

Outcome ok(std::string response_json, std::string message) {
  Outcome o;
  o.response_json = std::move(response_json);
  o.message = std::move(message);
  return o;
}

Outcome vclaim_error(std::string message, std::string code) {
  Outcome o;
  o.code = std::move(code);
  o.message = std::move(message);
  o.response_json = "null";
  return o;
}

Outcome pcare_error(unsigned status, std::string field_name, std::string message) {
  Outcome o;
  o.http_status = status;
  o.code = std::to_string(status);
  json::Writer w;
  w.arr().obj().s("field", field_name).s("message", message).end().end_arr();
  o.response_json = w.take();
  o.message = std::move(message);
  o.encrypt = false;  // bpjs_sim.cpp applies options.pcare_encrypt_errors
  return o;
}

Outcome antrean_error(std::string message, int code) {
  Outcome o;
  o.code = std::to_string(code);
  o.message = std::move(message);
  o.response_json = std::nullopt;
  return o;
}

std::string field(const Fields& f, const std::string& key) {
  auto it = f.find(key);
  return it == f.end() ? std::string() : it->second;
}

void State::clear() {
  seq = 0;
  seps.clear();
  sep_counter = 0;
  sep_created = 0;
  rujukan_fktp.clear();
  rujukan_rs.clear();
  pendaftaran.clear();
  no_urut_counter.clear();
  kunjungan.clear();
  kunjungan_counter = 0;
  antrean.clear();
  requests.clear();
  auth_failures.clear();
  requests_total = 0;
  auth_failures_total = 0;
}

void flatten(const rapidjson::Value& object, Fields& out, const std::string& prefix) {
  if (!object.IsObject()) return;
  for (auto m = object.MemberBegin(); m != object.MemberEnd(); ++m) {
    const std::string key = prefix + std::string(m->name.GetString(), m->name.GetStringLength());
    const auto& v = m->value;
    if (v.IsString())
      out[key] = std::string(v.GetString(), v.GetStringLength());
    else if (v.IsBool())
      out[key] = v.GetBool() ? "true" : "false";
    else if (v.IsNumber())
      out[key] = json::dump(v);
    else if (v.IsObject())
      flatten(v, out, key + ".");
  }
}

std::optional<rapidjson::Document> parse_object(std::string_view body, std::string& error) {
  auto d = json::parse(body, &error);
  if (!d) return std::nullopt;
  if (!d->IsObject()) {
    error = "expected a JSON object";
    return std::nullopt;
  }
  return d;
}

}  // namespace bpjs_sim

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(s[i + 2])))
      return std::nullopt;
    out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
    i += 2;
  }
  return out;
}

std::string http_date(std::int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

bool numeric_code(std::string_view code) {
  std::string_view d = code;
  if (!d.empty() && d.front() == '-') d.remove_prefix(1);
  return !d.empty() && d.size() < 10 && std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The service's own envelope shape (bpjs-api.md §4.1); V-Claim codes are
// strings, P-Care and Antrean codes numbers.
std::string envelope(Service s, std::string_view code, std::string_view message,
                     std::optional<std::string_view> response_json) {
  json::Writer w;
  auto write_code = [&](bool as_string) {
    w.key("code");
    if (!as_string && numeric_code(code))
      w.raw(code);
    else
      w.str(code);
  };
  auto write_response = [&] {
    if (response_json) w.key("response").raw(*response_json);
  };
  w.obj();
  if (s == Service::pcare) {
    write_response();
    w.o("metaData").s("message", message);
    write_code(false);
    w.end();
  } else {  // V-Claim and Antrean: metadata first, code before message
    w.o(s == Service::vclaim ? "metaData" : "metadata");
    write_code(s == Service::vclaim);
    w.s("message", message).end();
    write_response();
  }
  w.end();
  return w.take();
}

const char* kHtml500 =
    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>500 - Internal Server Error</title></head>\n"
    "<body><h1>Server Error</h1><h2>500 - Internal Server Error</h2>\n"
    "<p>The gateway could not complete the request. (simulated fault: simpul sim)</p></body></html>\n";
const char* kHtml404 =
    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>404 - Not Found</title></head>\n"
    "<body><h1>Not Found</h1><h2>404 - File or directory not found.</h2>\n"
    "<p>The resource you are looking for might have been removed, had its name changed, or is temporarily "
    "unavailable.</p></body></html>\n";

struct Auth {
  const BpjsConsumer* consumer = nullptr;
  std::string timestamp;
  std::string reason;  // "" = authenticated
  std::string message;
};

}  // namespace

struct BpjsSimulator::Impl {
  BpjsSimOptions options;
  State state;
  FaultInjector injector;
  std::vector<Route> routes;

  explicit Impl(BpjsSimOptions o) : options(std::move(o)), injector(options.faults) {
    if (!options.clock) options.clock = [] { return bpjs::system_unix_seconds(); };
    if (options.consumers.empty()) options.consumers.push_back(BpjsConsumer{});
    for (auto&& list : {vclaim_routes(), pcare_routes(), antrean_routes()})
      routes.insert(routes.end(), list.begin(), list.end());
  }

  Response make(unsigned status, std::string body, std::string_view content_type) const {
    Response r{static_cast<bhttp::status>(status), 11};
    r.set(bhttp::field::server, "simpul-sim");
    r.set(bhttp::field::date, http_date(options.clock()));
    if (status != 204 && status != 304 && status / 100 != 1) {
      r.set(bhttp::field::content_type, content_type);
      r.body() = std::move(body);
    }
    r.prepare_payload();
    return r;
  }
  Response json_response(unsigned status, std::string body) const {
    return make(status, std::move(body), "application/json; charset=utf-8");
  }
  Response html(unsigned status) const { return make(status, status == 404 ? kHtml404 : kHtml500, "text/html"); }

  void count_auth_failure(const std::string& reason) {
    std::lock_guard lock(state.mu);
    ++state.auth_failures[reason];
    ++state.auth_failures_total;
  }

  Auth authenticate(const Request& req, Service service) const {
    Auth a;
    auto header = [&](std::string_view name) -> std::optional<std::string_view> {
      auto it = req.find(name);
      if (it == req.end()) return std::nullopt;
      return std::string_view(it->value().data(), it->value().size());
    };
    auto fail = [&](std::string reason, std::string message) {
      a.reason = std::move(reason);
      a.message = std::move(message);
      return a;
    };
    std::vector<std::string_view> required = {"X-cons-id", "X-timestamp", "X-signature", "user_key"};
    if (service == Service::pcare) required.push_back("X-authorization");
    for (auto name : required)
      if (!header(name)) return fail("missing_header", "Unauthorized! Missing header " + std::string(name));
    const std::string_view cons_id = *header("X-cons-id");
    const std::string_view ts = *header("X-timestamp");
    for (const auto& c : options.consumers)
      if (c.cons_id == cons_id) a.consumer = &c;
    if (!a.consumer) return fail("unknown_cons_id", "Unauthorized! Invalid consumer id");
    if (!bpjs::is_valid_timestamp(ts)) return fail("bad_timestamp", "Unauthorized! Invalid timestamp");
    const std::uint64_t sent = std::stoull(std::string(ts));
    const std::int64_t now = options.clock();
    const std::uint64_t unow = now < 0 ? 0 : static_cast<std::uint64_t>(now);
    const std::uint64_t diff = sent > unow ? sent - unow : unow - sent;
    if (diff > static_cast<std::uint64_t>(std::max<std::int64_t>(0, options.timestamp_skew_seconds)))
      return fail("stale_timestamp", "Unauthorized! Request expired (X-timestamp out of range)");
    const std::string expected = bpjs::signature(a.consumer->cons_id, a.consumer->secret, ts);
    const std::string_view got = *header("X-signature");
    if (got.size() != expected.size() || CRYPTO_memcmp(got.data(), expected.data(), got.size()) != 0)
      return fail("bad_signature", "Unauthorized! Invalid signature");
    const std::string& key = service == Service::vclaim  ? a.consumer->user_key_vclaim
                             : service == Service::pcare ? a.consumer->user_key_pcare
                                                         : a.consumer->user_key_antrean;
    const std::string_view user_key = *header("user_key");
    if (user_key.size() != key.size() || CRYPTO_memcmp(user_key.data(), key.data(), key.size()) != 0)
      return fail("wrong_user_key", "Unauthorized! Invalid user_key");
    if (service == Service::pcare) {
      std::string_view v = *header("X-authorization");
      bool good = false;
      if (v.size() > 6 && iequals(v.substr(0, 6), "Basic ")) {
        v.remove_prefix(6);
        while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
        auto decoded = bpjs::base64_decode(v);
        good = decoded && *decoded == a.consumer->pcare_username + ":" + a.consumer->pcare_password + ":" +
                                          a.consumer->pcare_app_code;
      }
      if (!good) return fail("pcare_bad_login", "Unauthorized! Username atau password P-Care salah");
    }
    a.timestamp = std::string(ts);
    return a;
  }

  Response metadata_error(Service s, const FaultRule& r) const {
    unsigned status = r.http_status;
    std::string code = r.code;
    std::string message = r.message.empty() ? "Terjadi kesalahan pada sistem (simulasi)" : r.message;
    switch (s) {
      case Service::vclaim:
        if (!status) status = 200;
        if (code.empty()) code = "201";
        return json_response(status, envelope(s, code, message, "null"));
      case Service::pcare:
        if (!status) status = 500;
        if (code.empty()) code = std::to_string(status);
        return json_response(status, envelope(s, code, message, "null"));
      case Service::antrean:
        if (!status) status = 200;
        if (code.empty()) code = "201";
        return json_response(status, envelope(s, code, message, std::nullopt));
    }
    return html(500);
  }

  Response control(const Request& req, std::string_view path) {
    ControlAnswer a = control_endpoint(
        req.method() == bhttp::verb::get, req.method() == bhttp::verb::post, path, req.body(), injector, "bpjs",
        [this] { return state_json(); },
        [this] {
          {
            std::lock_guard lock(state.mu);
            state.clear();
          }
          injector.clear_counters();
        });
    return json_response(a.status, std::move(a.body));
  }

  std::string state_json() {
    const auto injected = injector.injected();
    std::lock_guard lock(state.mu);
    json::Writer w;
    w.obj().s("service", "bpjs");
    std::uint64_t live = 0, deleted = 0;
    for (const auto& [k, s] : state.seps) (s.deleted ? deleted : live)++;
    w.o("vclaim")
        .i("sep_count", static_cast<std::int64_t>(live))
        .i("sep_created", static_cast<std::int64_t>(state.sep_created));
    w.i("sep_deleted", static_cast<std::int64_t>(deleted)).a("sep");
    for (const auto& [k, s] : state.seps) {
      w.obj()
          .s("noSep", s.no_sep)
          .s("noKartu", field(s.f, "noKartu"))
          .s("tglSep", field(s.f, "tglSep"))
          .s("jnsPelayanan", field(s.f, "jnsPelayanan"))
          .s("poli", field(s.f, "poli.tujuan"))
          .s("diagAwal", field(s.f, "diagAwal"))
          .s("noRujukan", field(s.f, "rujukan.noRujukan"))
          .s("noMR", field(s.f, "noMR"))
          .i("updates", s.updates)
          .b("deleted", s.deleted)
          .end();
    }
    w.end_arr().a("rujukan");
    for (const auto* m : {&state.rujukan_fktp, &state.rujukan_rs})
      for (const auto& [k, r] : *m)
        w.obj()
            .s("noRujukan", r.no)
            .s("noKartu", r.no_kartu)
            .i("asal", r.source)
            .s("tglKunjungan", cal::ymd(r.tgl_kunjungan))
            .end();
    w.end_arr().end();

    std::uint64_t pd_live = 0, kj_live = 0;
    for (const auto& [k, p] : state.pendaftaran) pd_live += !p.deleted;
    for (const auto& [k, p] : state.kunjungan) kj_live += !p.deleted;
    w.o("pcare").i("pendaftaran_count", static_cast<std::int64_t>(pd_live)).a("pendaftaran");
    for (const auto& [k, p] : state.pendaftaran)
      w.obj()
          .s("noUrut", p.no_urut)
          .s("tglDaftar", p.tgl_daftar)
          .s("noKartu", p.no_kartu)
          .s("kdPoli", p.kd_poli)
          .s("kdProviderPeserta", p.kd_provider)
          .b("deleted", p.deleted)
          .end();
    w.end_arr().i("kunjungan_count", static_cast<std::int64_t>(kj_live)).a("kunjungan");
    for (const auto& [k, p] : state.kunjungan)
      w.obj()
          .s("noKunjungan", p.no_kunjungan)
          .s("noKartu", p.no_kartu)
          .s("tglDaftar", p.tgl_daftar)
          .s("kdDiag1", field(p.f, "kdDiag1"))
          .b("rujukLanjut", p.rujuk)
          .i("updates", p.updates)
          .b("deleted", p.deleted)
          .end();
    w.end_arr().end();

    std::uint64_t an_live = 0;
    for (const auto& [k, a] : state.antrean) an_live += !a.batal;
    w.o("antrean").i("antrean_count", static_cast<std::int64_t>(an_live)).a("antrean");
    for (const auto& [k, a] : state.antrean) {
      w.obj()
          .s("kodebooking", a.kodebooking)
          .s("nomorkartu", field(a.f, "nomorkartu"))
          .s("tanggalperiksa", field(a.f, "tanggalperiksa"))
          .s("kodepoli", field(a.f, "kodepoli"))
          .s("status", a.batal ? "batal" : "aktif")
          .a("tasks");
      for (const auto& [id, t] : a.tasks) w.obj().i("taskid", id).i("waktu", t).end();
      w.end_arr().end();
    }
    w.end_arr().end();

    w.o("requests").i("total", static_cast<std::int64_t>(state.requests_total)).o("by_endpoint");
    for (const auto& [k, n] : state.requests) w.i(k, static_cast<std::int64_t>(n));
    w.end().end();
    w.o("auth_failures").i("total", static_cast<std::int64_t>(state.auth_failures_total)).o("by_reason");
    for (const auto& [k, n] : state.auth_failures) w.i(k, static_cast<std::int64_t>(n));
    w.end().end();
    w.o("faults_injected");
    for (const auto& [k, n] : injected) w.i(k, static_cast<std::int64_t>(n));
    w.end();
    w.end();
    return w.take();
  }

  // The service and the route for a BPJS path; route == nullptr when no endpoint matches.
  struct Match {
    std::optional<Service> service;
    const Route* route = nullptr;
    std::vector<std::string> params;
  };
  Match match(std::string_view method, std::string_view path) const {
    Match m;
    const auto segs = bpjs::path_segments(path);
    if (segs.empty()) return m;
    const std::string_view base = segs[0];
    if (base == "vclaim-rest" || base == "vclaim-rest-dev")
      m.service = Service::vclaim;
    else if (base == "pcare-rest" || base == "pcare-rest-dev")
      m.service = Service::pcare;
    else if (base == "antreanrs" || base == "antreanrs_dev")
      m.service = Service::antrean;
    else
      return m;
    std::vector<std::string> rest;
    for (std::size_t i = 1; i < segs.size(); ++i) {
      auto d = percent_decode(segs[i]);
      if (!d) return m;
      rest.push_back(std::move(*d));
    }
    for (const auto& r : routes) {
      if (r.service != *m.service || r.method != method) continue;
      const auto pat = bpjs::path_segments(r.pattern);
      if (pat.size() != rest.size()) continue;
      std::vector<std::string> params;
      bool good = true;
      for (std::size_t i = 0; i < pat.size() && good; ++i) {
        if (pat[i] == "*")
          params.push_back(rest[i]);
        else
          good = iequals(pat[i], rest[i]);
      }
      if (good) {
        m.route = &r;
        m.params = std::move(params);
        return m;
      }
    }
    return m;
  }

  asio::awaitable<Reply> handle(Request& req) {
    const std::string target(req.target());
    std::string_view path = target;
    if (auto q = path.find_first_of("?#"); q != std::string_view::npos) path = path.substr(0, q);
    if (path == "/sim" || path.rfind("/sim/", 0) == 0) co_return Reply{control(req, path)};

    const std::string method(req.method_string());
    Match m = match(method, path);
    {
      std::lock_guard lock(state.mu);
      ++state.requests_total;
      std::string key = m.service ? std::string(service_name(*m.service)) : std::string("unknown");
      key += " " + method + " ";
      if (m.route) {
        for (auto seg : bpjs::path_segments(m.route->pattern))
          key += (seg == "*" ? std::string("{}") : std::string(seg)) + "/";
        key.pop_back();
      } else {
        key += "(no route)";
      }
      ++state.requests[key];
    }
    if (!m.service) co_return Reply{html(404)};

    auto before = injector.before(method, target);
    if (before.delay.count() > 0) {
      asio::steady_timer timer(co_await asio::this_coro::executor, before.delay);
      co_await timer.async_wait(use_tuple);
    }
    if (before.fault) {
      const FaultRule& f = *before.fault;
      switch (f.kind) {
        case FaultKind::http_500:
          co_return Reply{html(f.http_status ? f.http_status : 500)};
        case FaultKind::html_404:
          co_return Reply{html(f.http_status ? f.http_status : 404)};
        case FaultKind::metadata_error:
          co_return Reply{metadata_error(*m.service, f)};
        case FaultKind::timeout: {
          asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::milliseconds(f.hold_ms));
          co_await timer.async_wait(use_tuple);
          co_return Reply::drop();
        }
        default:
          break;
      }
    }
    if (!m.route) co_return Reply{html(404)};

    const Service service = *m.service;
    Auth auth = authenticate(req, service);
    if (!auth.reason.empty()) {
      count_auth_failure(auth.reason);
      std::optional<std::string_view> resp;
      if (service != Service::antrean) resp = "null";
      co_return Reply{
          json_response(options.auth_failure_status,
                        envelope(service, std::to_string(options.auth_failure_status), auth.message, resp))};
    }

    Ctx ctx;
    ctx.service = service;
    ctx.method = method;
    ctx.params = std::move(m.params);
    ctx.body = req.body();
    ctx.now = options.clock();
    ctx.today = cal::today_wib(ctx.now);
    Env env{options, state};
    Outcome out;
    try {
      out = m.route->fn(env, ctx);
    } catch (const std::exception& e) {
      obs::log(obs::Level::error, "sim handler failed", {{"service", "bpjs"}, {"error", e.what()}});
      co_return Reply{html(500)};
    }
    if (out.no_body) {
      if (injector.after(method, target, false)) co_return Reply::drop();
      co_return Reply{make(out.http_status, {}, {})};
    }

    bool encrypt = out.encrypt && out.response_json && *out.response_json != "null";
    if (service == Service::pcare && out.http_status >= 400 && options.pcare_encrypt_errors && out.response_json)
      encrypt = true;
    std::string response_text;
    if (encrypt) {
      auto cipher =
          bpjs::encrypt_response(*out.response_json, auth.consumer->cons_id, auth.consumer->secret, auth.timestamp);
      if (!cipher) co_return Reply{html(500)};
      response_text = std::move(*cipher);
    }
    auto after = injector.after(method, target, encrypt);
    if (after && after->kind == FaultKind::drop_after_commit) co_return Reply::drop();
    if (after && after->kind == FaultKind::garbled) {
      // Valid Base64 of the same length as the real ciphertext, but the wrong bytes.
      std::string bytes((response_text.size() / 4) * 3, '\0');
      for (std::size_t i = 0; i < bytes.size(); i += 8) {
        std::uint64_t r = injector.next_random();
        for (std::size_t j = 0; j < 8 && i + j < bytes.size(); ++j, r >>= 8) bytes[i + j] = static_cast<char>(r);
      }
      bytes.resize(bytes.size() - bytes.size() % 16);
      if (bytes.empty()) bytes.assign(16, '\x5a');
      response_text = bpjs::base64_encode(bytes);
    }
    std::optional<std::string> resp;
    if (encrypt)
      resp = json::quote(response_text);
    else if (out.response_json)
      resp = *out.response_json;
    std::optional<std::string_view> resp_view;
    if (resp) resp_view = *resp;
    co_return Reply{json_response(out.http_status, envelope(service, out.code, out.message, resp_view))};
  }
};

BpjsSimulator::BpjsSimulator(BpjsSimOptions options) : impl_(std::make_shared<Impl>(std::move(options))) {}
BpjsSimulator::~BpjsSimulator() = default;

asio::awaitable<Reply> BpjsSimulator::handle(Request& request) {
  auto impl = impl_;  // the coroutine keeps the simulator alive while it waits
  co_return co_await impl->handle(request);
}

std::string BpjsSimulator::state_json() const {
  return impl_->state_json();
}

void BpjsSimulator::reset() {
  {
    std::lock_guard lock(impl_->state.mu);
    impl_->state.clear();
  }
  impl_->injector.clear_counters();
}

FaultInjector& BpjsSimulator::faults() {
  return impl_->injector;
}

}  // namespace simpul::connectors::sim
