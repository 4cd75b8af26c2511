// The SATUSEHAT simulator core: OAuth2 token endpoint, Bearer checks, the FHIR
// REST endpoints (create, update, read, search, transaction Bundle), duplicate
// business identifiers, fault injection and the /sim control API. What each
// resource must contain lives in satusehat_validate.cpp.
#include "connectors/sim/satusehat_sim.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <variant>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http.hpp>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "connectors/observability/log.hpp"
#include "connectors/sim/calendar.hpp"
#include "connectors/sim/control.hpp"
#include "connectors/sim/json_util.hpp"
#include "connectors/sim/participants.hpp"
#include "connectors/sim/satusehat_sim_internal.hpp"

namespace simpul::connectors::sim {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using namespace satusehat_sim;

std::string satusehat_patient_id_for_nik(std::string_view nik) {
  auto card = card_for_nik(nik);
  if (!card || !participant_by_card(*card)) return {};
  return "P" + *card;
}

std::string satusehat_practitioner_id_for_nik(std::string_view nik) {
  auto card = card_for_nik(nik);
  if (!card || !participant_by_card(*card)) return {};
  return "N" + *card;
}

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::string_view kFhirBase = "/fhir-r4/v1";
constexpr std::string_view kTokenPath = "/oauth2/v1/accesstoken";
constexpr std::string_view kBadCredentials =
    "The user or system was not able to be authenticated (either client_id or client_secret combination is "
    "unacceptable)";

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Percent-decoding; `plus_is_space` for form bodies and query strings.
std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+' && plus_is_space) {
      out += ' ';
    } else if (s[i] != '%') {
      out += s[i];
    } else {
      if (i + 2 >= s.size() || hex(s[i + 1]) < 0 || hex(s[i + 2]) < 0) return std::nullopt;
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    }
  }
  return out;
}

// name=value pairs of a query string or urlencoded form; the first of a repeated name wins.
std::map<std::string, std::string> parse_form(std::string_view s) {
  std::map<std::string, std::string> out;
  while (!s.empty()) {
    const auto amp = s.find('&');
    const std::string_view pair = s.substr(0, amp);
    s = amp == std::string_view::npos ? std::string_view{} : s.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto k = percent_decode(pair.substr(0, eq), true);
    auto v = percent_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true);
    if (k && v) out.emplace(std::move(*k), std::move(*v));
  }
  return out;
}

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    const auto slash = path.find('/');
    const std::string_view seg = path.substr(0, slash);
    if (!seg.empty()) out.push_back(seg);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

bool type_name(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::isupper(static_cast<unsigned char>(s[0])) &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); });
}

bool id_text(std::string_view s) {  // FHIR id: [A-Za-z0-9\-\.]{1,64}
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
  });
}

std::string http_date(std::int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

// "2025-06-15T03:00:00.123+00:00"
std::string instant(std::int64_t unix_ms) {
  const std::int64_t secs = unix_ms >= 0 ? unix_ms / 1000 : (unix_ms - 999) / 1000;
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char ms[16];
  std::snprintf(ms, sizeof ms, ".%03d+00:00", static_cast<int>(unix_ms - secs * 1000));
  return std::string(buf) + ms;
}

std::string str_of(const rapidjson::Value& o, const char* key) {
  if (!o.IsObject()) return {};
  auto it = o.FindMember(key);
  if (it == o.MemberEnd() || !it->value.IsString()) return {};
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

// "system|value" of every identifier that has both.
std::vector<std::string> identifier_keys(const rapidjson::Value& r) {
  std::vector<std::string> out;
  if (!r.IsObject()) return out;
  auto it = r.FindMember("identifier");
  if (it == r.MemberEnd() || !it->value.IsArray()) return out;
  for (const auto& id : it->value.GetArray()) {
    const std::string sys = str_of(id, "system"), val = str_of(id, "value");
    if (!sys.empty() && !val.empty()) out.push_back(sys + "|" + val);
  }
  return out;
}

// A reference's "Type/id", or "" ("subject.reference").
std::string reference_of(const rapidjson::Value& r, const char* key) {
  if (!r.IsObject()) return {};
  auto it = r.FindMember(key);
  if (it == r.MemberEnd()) return {};
  return str_of(it->value, "reference");
}

// Replaces every "reference": "urn:uuid:..." found in `map`; returns the first unresolved one.
std::optional<std::string> resolve_references(rapidjson::Value& v, const std::map<std::string, std::string>& map,
                                              rapidjson::Document::AllocatorType& a) {
  if (v.IsObject()) {
    for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
      const std::string_view k(m->name.GetString(), m->name.GetStringLength());
      if (k == "reference" && m->value.IsString()) {
        const std::string ref(m->value.GetString(), m->value.GetStringLength());
        if (ref.rfind("urn:uuid:", 0) == 0) {
          auto it = map.find(ref);
          if (it == map.end()) return ref;
          m->value.SetString(it->second.data(), static_cast<rapidjson::SizeType>(it->second.size()), a);
        }
      } else if (auto e = resolve_references(m->value, map, a)) {
        return e;
      }
    }
  } else if (v.IsArray()) {
    for (auto& e : v.GetArray())
      if (auto u = resolve_references(e, map, a)) return u;
  }
  return std::nullopt;
}

struct Stored {
  std::string type, id;
  int version = 1;
  std::string json;  // the resource as stored (with id and meta)
  std::vector<std::string> identifiers;
  std::string organization_id;  // of the client that wrote it
  std::string subject, encounter;
  std::string last_updated;
  std::uint64_t seq = 0;
};

struct Token {
  std::size_t client = 0;
  std::int64_t issued_ms = 0;
  std::int64_t expires_ms = 0;
};

struct State {
  std::mutex mu;
  std::uint64_t seq = 0;
  std::map<std::string, Stored> resources;           // "Type/id"
  std::map<std::string, std::string> by_identifier;  // "Type|system|value" -> id
  std::uint64_t patient_counter = 0;
  std::map<std::string, Token> tokens;
  std::uint64_t tokens_issued = 0;
  std::map<std::string, std::uint64_t> requests;  // "POST /fhir-r4/v1/Encounter"
  std::uint64_t requests_total = 0;
  std::map<std::string, std::uint64_t> auth_failures;  // by reason
  std::uint64_t auth_failures_total = 0;
  std::map<std::string, std::uint64_t> rejected;  // by OperationOutcome issue code
  std::uint64_t rejected_total = 0;
  std::uint64_t created = 0, updated = 0, transactions = 0;

  void clear() {
    seq = 0;
    resources.clear();
    by_identifier.clear();
    patient_counter = 0;
    tokens.clear();
    tokens_issued = 0;
    requests.clear();
    requests_total = 0;
    auth_failures.clear();
    auth_failures_total = 0;
    rejected.clear();
    rejected_total = 0;
    created = updated = transactions = 0;
  }
};

const char* kHtml404 =
    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>404 Not Found</title></head>\n"
    "<body><h1>Not Found</h1><p>The requested URL was not found on this server. (simulated fault: simpul sim)</p>"
    "</body></html>\n";

std::string reason_phrase(unsigned status) {
  const auto r = bhttp::obsolete_reason(static_cast<bhttp::status>(status));
  return r.empty() ? std::string("Error") : std::string(r);
}

// One write of a request (create or update), checked and ready to commit.
struct Write {
  std::string type, id;
  bool create = true;
  rapidjson::Document doc;
  std::vector<std::string> identifiers;
  std::string location;  // "Encounter/<id>/_history/<v>"
  int version = 1;
};

}  // namespace

struct SatusehatSimulator::Impl {
  SatusehatSimOptions options;
  State state;
  FaultInjector injector;
  std::mt19937_64 rng;  // ids; guarded by state.mu

  explicit Impl(SatusehatSimOptions o) : options(std::move(o)), injector(options.faults), rng(std::random_device{}()) {
    if (!options.clock_ms)
      options.clock_ms = [] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
      };
    if (options.clients.empty()) options.clients.push_back(SatusehatClient{});
  }

  // --- responses -------------------------------------------------------------

  Response make(unsigned status, std::string body, std::string_view content_type) const {
    Response r{static_cast<bhttp::status>(status), 11};
    r.set(bhttp::field::server, "simpul-sim");
    r.set(bhttp::field::date, http_date(options.clock_ms() / 1000));
    if (status != 204 && status != 304 && status / 100 != 1) {
      r.set(bhttp::field::content_type, content_type);
      r.body() = std::move(body);
    }
    if (status == 429 || status == 503) r.set(bhttp::field::retry_after, std::to_string(options.retry_after_seconds));
    r.prepare_payload();
    return r;
  }
  Response json_response(unsigned status, std::string body) const {
    return make(status, std::move(body), "application/json");
  }
  Response outcome(const Issue& i) {
    {
      std::lock_guard lock(state.mu);
      ++state.rejected[i.code];
      ++state.rejected_total;
    }
    return json_response(i.status, outcome_json(i));
  }
  static Issue issue(unsigned status, std::string code, std::string text, std::string expression = {},
                     std::string severity = "error") {
    Issue i;
    i.status = status;
    i.code = std::move(code);
    i.text = std::move(text);
    i.expression = std::move(expression);
    i.severity = std::move(severity);
    return i;
  }

  // --- ids -------------------------------------------------------------------

  std::string uuid_locked() {
    const std::uint64_t a = rng(), b = rng();
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                  static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                  static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                  static_cast<unsigned long long>(b & 0xffffffffffffull));
    return buf;
  }
  static std::string token_text() {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    unsigned char raw[28];
    if (RAND_bytes(raw, sizeof raw) != 1) {
      std::random_device rd;
      for (auto& c : raw) c = static_cast<unsigned char>(rd());
    }
    std::string out;
    for (unsigned char c : raw) out += kAlphabet[c % 62];
    return out;
  }

  // --- the fake MPI / MNI ------------------------------------------------------

  static std::optional<Participant> fake_person(std::string_view id, char prefix) {
    if (id.size() != 14 || id[0] != prefix) return std::nullopt;
    return participant_by_card(id.substr(1));
  }
  std::string fake_patient_json(const Participant& p) const {
    json::Writer w;
    w.obj().s("resourceType", "Patient").s("id", "P" + p.no_kartu);
    w.o("meta").s("versionId", "1").s("lastUpdated", "2024-01-01T00:00:00.000+00:00").end();
    w.b("active", true).a("identifier");
    w.obj().s("use", "official").s("system", kIhsSystem).s("value", "P" + p.no_kartu).end();
    w.obj().s("use", "official").s("system", kNikSystem).s("value", p.nik).end();
    w.end_arr().a("name").obj().s("use", "official").s("text", p.nama).end().end_arr();
    w.s("gender", p.sex == 'P' ? "female" : "male").s("birthDate", cal::ymd(p.tgl_lahir));
    w.b("deceasedBoolean", false).b("multipleBirthBoolean", false).end();
    return w.take();
  }
  std::string fake_practitioner_json(const Participant& p) const {
    json::Writer w;
    w.obj().s("resourceType", "Practitioner").s("id", "N" + p.no_kartu);
    w.o("meta").s("versionId", "1").s("lastUpdated", "2024-01-01T00:00:00.000+00:00").end();
    w.a("identifier");
    w.obj()
        .s("use", "official")
        .s("system", "https://fhir.kemkes.go.id/id/nakes-his-number")
        .s("value", "N" + p.no_kartu)
        .end();
    w.obj().s("use", "official").s("system", kNikSystem).s("value", p.nik).end();
    w.end_arr().a("name").obj().s("use", "official").s("text", "dr. " + p.nama).end().end_arr();
    w.s("gender", p.sex == 'P' ? "female" : "male").s("birthDate", cal::ymd(p.tgl_lahir)).end();
    return w.take();
  }

  bool exists_locked(std::string_view type, std::string_view id) const {
    if (type == "Patient" && fake_person(id, 'P')) return true;
    if (type == "Practitioner" && fake_person(id, 'N')) return true;
    std::string key(type);
    key += '/';
    key += id;
    return state.resources.count(key) > 0;
  }

  // --- control API -----------------------------------------------------------

  Response control(const Request& req, std::string_view path) {
    ControlAnswer a = control_endpoint(
        req.method() == bhttp::verb::get, req.method() == bhttp::verb::post, path, req.body(), injector, "satusehat",
        [this] { return state_json(); }, [this] { reset(); });
    return json_response(a.status, std::move(a.body));
  }

  void reset() {
    {
      std::lock_guard lock(state.mu);
      state.clear();
    }
    injector.clear_counters();
  }

  std::string state_json() {
    const auto injected = injector.injected();
    const std::int64_t now = options.clock_ms();
    std::lock_guard lock(state.mu);
    json::Writer w;
    w.obj().s("service", "satusehat");
    std::map<std::string, std::int64_t> counts;
    for (const auto& [k, r] : state.resources) ++counts[r.type];
    w.o("counts");
    for (const auto& [t, n] : counts) w.i(t, n);
    w.end().i("resources_total", static_cast<std::int64_t>(state.resources.size()));
    w.i("created", static_cast<std::int64_t>(state.created)).i("updated", static_cast<std::int64_t>(state.updated));
    w.i("transactions", static_cast<std::int64_t>(state.transactions));
    std::vector<const Stored*> ordered;
    for (const auto& [k, r] : state.resources) ordered.push_back(&r);
    std::sort(ordered.begin(), ordered.end(), [](const Stored* a, const Stored* b) { return a->seq < b->seq; });
    w.a("resources");
    for (const Stored* r : ordered) {
      w.obj().s("type", r->type).s("id", r->id).i("version", r->version).s("organization", r->organization_id);
      w.s("lastUpdated", r->last_updated).a("identifiers");
      for (const auto& i : r->identifiers) w.str(i);
      w.end_arr();
      if (!r->subject.empty()) w.s("subject", r->subject);
      if (!r->encounter.empty()) w.s("encounter", r->encounter);
      w.end();
    }
    w.end_arr();
    std::int64_t active = 0;
    for (const auto& [k, t] : state.tokens) active += now < t.expires_ms;
    w.o("tokens").i("issued", static_cast<std::int64_t>(state.tokens_issued)).i("active", active);
    w.i("expired", static_cast<std::int64_t>(state.tokens.size()) - active).end();
    w.o("requests").i("total", static_cast<std::int64_t>(state.requests_total)).o("by_route");
    for (const auto& [k, n] : state.requests) w.i(k, static_cast<std::int64_t>(n));
    w.end().end();
    w.o("auth_failures").i("total", static_cast<std::int64_t>(state.auth_failures_total)).o("by_reason");
    for (const auto& [k, n] : state.auth_failures) w.i(k, static_cast<std::int64_t>(n));
    w.end().end();
    w.o("rejected").i("total", static_cast<std::int64_t>(state.rejected_total)).o("by_code");
    for (const auto& [k, n] : state.rejected) w.i(k, static_cast<std::int64_t>(n));
    w.end().end();
    w.o("faults_injected");
    for (const auto& [k, n] : injected) w.i(k, static_cast<std::int64_t>(n));
    w.end().end();
    return w.take();
  }

  // --- OAuth2 -----------------------------------------------------------------

  void count_auth_failure(const std::string& reason) {
    std::lock_guard lock(state.mu);
    ++state.auth_failures[reason];
    ++state.auth_failures_total;
  }

  Response token(const Request& req, std::string_view query) {
    auto apigee = [this](std::string code, std::string text) {
      json::Writer w;
      w.obj().s("ErrorCode", code).s("Error", text).end();
      return json_response(400, w.take());
    };
    const auto q = parse_form(query);
    auto gt = q.find("grant_type");
    if (gt == q.end()) {
      count_auth_failure("missing_grant_type");
      return apigee("invalid_request", "Required param : grant_type");
    }
    if (gt->second != "client_credentials") {
      count_auth_failure("unsupported_grant_type");
      return apigee("unsupported_grant_type", "Unsupported grant type : " + gt->second);
    }
    const auto form = parse_form(req.body());
    auto id = form.find("client_id");
    auto secret = form.find("client_secret");
    std::optional<std::size_t> client;
    if (id != form.end() && secret != form.end()) {
      for (std::size_t i = 0; i < options.clients.size(); ++i) {
        const auto& c = options.clients[i];
        if (c.client_id == id->second && c.client_secret.size() == secret->second.size() &&
            CRYPTO_memcmp(c.client_secret.data(), secret->second.data(), c.client_secret.size()) == 0)
          client = i;
      }
    }
    if (!client) {
      count_auth_failure("bad_client_credentials");
      Issue i = issue(401, "value", std::string(kBadCredentials), {}, "invalid");
      return json_response(401, outcome_json(i));
    }
    const std::int64_t now = options.clock_ms();
    const std::string tok = token_text();
    {
      std::lock_guard lock(state.mu);
      if (state.tokens.size() > 100'000)
        std::erase_if(state.tokens, [now](const auto& kv) { return kv.second.expires_ms <= now; });
      state.tokens[tok] = Token{*client, now, now + options.token_lifetime_seconds * 1000};
      ++state.tokens_issued;
    }
    const auto& c = options.clients[*client];
    json::Writer w;
    w.obj()
        .s("refresh_token_expires_in", "0")
        .s("api_product_list", "[api-satusehat-stg, api-dev]")
        .a("api_product_list_json")
        .str("api-satusehat-stg")
        .str("api-dev")
        .end_arr()
        .s("organization_name", "simpul-sim")
        .s("developer.email", "developer@simpul-sim.invalid")
        .s("token_type", "BearerToken")
        .s("issued_at", std::to_string(now))
        .s("client_id", c.client_id)
        .s("access_token", tok)
        .s("application_name", "simpul-sim-" + c.organization_id)
        .s("scope", "")
        .s("expires_in", std::to_string(options.token_lifetime_seconds))
        .s("refresh_count", "0")
        .s("status", "approved")
        .end();
    return json_response(200, w.take());
  }

  // The index of the client of a valid Bearer token, or the 401 to answer.
  std::variant<std::size_t, Response> authenticate(const Request& req) {
    auto fail = [&](const std::string& reason, const std::string& text) -> std::variant<std::size_t, Response> {
      count_auth_failure(reason);
      return json_response(401, outcome_json(issue(401, "login", text)));
    };
    auto it = req.find(bhttp::field::authorization);
    if (it == req.end()) return fail("missing_token", "Access token is missing (Authorization: Bearer <token>)");
    std::string_view v(it->value().data(), it->value().size());
    if (v.size() < 7 || !iequals(v.substr(0, 7), "Bearer "))
      return fail("missing_token", "Invalid authorization scheme");
    v.remove_prefix(7);
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
    const std::int64_t now = options.clock_ms();
    enum { good, unknown, expired } verdict = unknown;
    std::size_t client = 0;
    {
      std::lock_guard lock(state.mu);
      auto t = state.tokens.find(std::string(v));
      if (t != state.tokens.end()) {
        verdict = now < t->second.expires_ms ? good : expired;
        client = t->second.client;
      }
    }
    if (verdict == unknown) return fail("invalid_token", "Invalid access token");
    if (verdict == expired) return fail("expired_token", "Access token expired");
    return client;
  }

  // --- FHIR --------------------------------------------------------------------

  ValidationEnv env_locked(const SatusehatClient& c, const std::set<std::string>* pending = nullptr) {
    ValidationEnv env;
    env.organization_id = c.organization_id;
    env.exists = [this, pending](std::string_view type, std::string_view id) {
      if (exists_locked(type, id)) return true;
      if (!pending) return false;
      std::string key(type);
      key += '/';
      key += id;
      return pending->count(key) > 0;
    };
    return env;
  }

  // A business identifier already accepted for another resource of the type (research §4.4).
  std::optional<Issue> duplicate_locked(const Write& w, const std::string& where,
                                        const std::set<std::string>* in_bundle = nullptr) {
    for (const auto& key : w.identifiers) {
      auto it = state.by_identifier.find(w.type + "|" + key);
      std::string other;
      if (it != state.by_identifier.end() && it->second != w.id) other = w.type + "/" + it->second;
      if (other.empty() && w.type == "Patient") {
        const auto bar = key.find('|');
        if (key.substr(0, bar) == kNikSystem) {
          const std::string fake = satusehat_patient_id_for_nik(key.substr(bar + 1));
          if (!fake.empty()) other = "Patient/" + fake;
        }
      }
      if (other.empty() && in_bundle && in_bundle->count(w.type + "|" + key)) other = "another entry of this Bundle";
      if (!other.empty())
        return issue(options.duplicate_status, "duplicate",
                     "Duplicate " + w.type + ": identifier " + key + " already exists (" + other + ")",
                     where + ".identifier");
    }
    return std::nullopt;
  }

  std::string new_id_locked(const std::string& type) {
    if (type == "Patient") {
      char buf[16];
      std::snprintf(buf, sizeof buf, "P9%010llu", static_cast<unsigned long long>(++state.patient_counter));
      return buf;
    }
    return uuid_locked();
  }

  // Adds id and meta (versionId, lastUpdated) and stores the resource.
  const Stored& commit_locked(Write& w, const SatusehatClient& c, std::int64_t now) {
    const std::string key = w.type + "/" + w.id;
    auto old = state.resources.find(key);
    if (old != state.resources.end())
      for (const auto& k : old->second.identifiers) state.by_identifier.erase(w.type + "|" + k);
    Stored s;
    s.type = w.type;
    s.id = w.id;
    s.version = w.version;
    s.identifiers = w.identifiers;
    s.organization_id = c.organization_id;
    s.subject = reference_of(w.doc, "subject");
    s.encounter = reference_of(w.doc, w.type == "MedicationDispense" ? "context" : "encounter");
    s.last_updated = instant(now);
    s.seq = old != state.resources.end() ? old->second.seq : ++state.seq;

    rapidjson::Document out;
    out.SetObject();
    auto& a = out.GetAllocator();
    out.AddMember("resourceType", rapidjson::Value(w.type.c_str(), a), a);
    out.AddMember("id", rapidjson::Value(w.id.c_str(), a), a);
    rapidjson::Value meta(rapidjson::kObjectType);
    if (auto m = w.doc.FindMember("meta"); m != w.doc.MemberEnd() && m->value.IsObject())
      for (auto f = m->value.MemberBegin(); f != m->value.MemberEnd(); ++f) {
        const std::string_view n(f->name.GetString(), f->name.GetStringLength());
        if (n != "versionId" && n != "lastUpdated")
          meta.AddMember(rapidjson::Value(f->name, a), rapidjson::Value(f->value, a), a);
      }
    meta.AddMember("versionId", rapidjson::Value(std::to_string(w.version).c_str(), a), a);
    meta.AddMember("lastUpdated", rapidjson::Value(s.last_updated.c_str(), a), a);
    out.AddMember("meta", meta, a);
    for (auto m = w.doc.MemberBegin(); m != w.doc.MemberEnd(); ++m) {
      const std::string_view n(m->name.GetString(), m->name.GetStringLength());
      if (n == "resourceType" || n == "id" || n == "meta") continue;
      out.AddMember(rapidjson::Value(m->name, a), rapidjson::Value(m->value, a), a);
    }
    s.json = json::dump(out);
    for (const auto& k : s.identifiers) state.by_identifier[w.type + "|" + k] = w.id;
    w.location = key + "/_history/" + std::to_string(w.version);
    if (w.create)
      ++state.created;
    else
      ++state.updated;
    auto& slot = state.resources[key];
    slot = std::move(s);
    return slot;
  }

  std::optional<rapidjson::Document> parse_body(std::string_view body, Issue& problem) {
    std::string err;
    auto d = json::parse(body, &err, 64);
    if (!d) {
      problem = issue(400, "structure", "Invalid JSON: " + err);
      return std::nullopt;
    }
    if (!d->IsObject()) {
      problem = issue(400, "structure", "The body must be a JSON object");
      return std::nullopt;
    }
    return d;
  }

  Response create(const std::string& type, std::string_view body, const SatusehatClient& c,
                  const std::string& base_url) {
    Issue problem;
    auto doc = parse_body(body, problem);
    if (!doc) return outcome(problem);
    Write w;
    w.type = type;
    w.doc = std::move(*doc);
    w.identifiers = identifier_keys(w.doc);
    std::string answer;
    std::string location;
    {
      std::lock_guard lock(state.mu);
      const ValidationEnv env = env_locked(c);
      std::optional<Issue> bad = validate_resource(w.doc, type, env, type);
      if (!bad) bad = duplicate_locked(w, type);
      if (bad) {
        problem = *bad;
      } else {
        w.id = new_id_locked(type);
        answer = commit_locked(w, c, options.clock_ms()).json;
        location = w.location;
      }
    }
    if (answer.empty()) return outcome(problem);
    if (type == "Patient") {  // the MPI answers a wrapper, not the resource (research §2.5)
      json::Writer pw;
      pw.obj().b("success", true).o("data").s("patient_id", w.id).end().end();
      answer = pw.take();
    }
    Response r = json_response(201, std::move(answer));
    r.set(bhttp::field::location, base_url + "/" + location);
    r.set(bhttp::field::etag, "W/\"1\"");
    return r;
  }

  Response update(const std::string& type, const std::string& id, std::string_view body, const SatusehatClient& c) {
    if (type == "Patient" || !writable_type(type))
      return outcome(issue(405, "operation-invalid", "The operation is not allowed by this server", {}, "fatal"));
    Issue problem;
    auto doc = parse_body(body, problem);
    if (!doc) return outcome(problem);
    const std::string body_id = str_of(*doc, "id");
    if (body_id.empty()) return outcome(issue(400, "value", "id is required", type + ".id"));
    if (body_id != id)
      return outcome(
          issue(400, "value", "id in the body (" + body_id + ") does not match the URL (" + id + ")", type + ".id"));
    Write w;
    w.type = type;
    w.id = id;
    w.create = false;
    w.doc = std::move(*doc);
    w.identifiers = identifier_keys(w.doc);
    std::string answer;
    {
      std::lock_guard lock(state.mu);
      auto it = state.resources.find(type + "/" + id);
      if (it == state.resources.end()) {
        problem = issue(404, "not-found", "Resource " + type + "/" + id + " not found");
      } else if (it->second.organization_id != c.organization_id) {
        problem = issue(403, "business-rule", "resource cannot be accessed due to business rule");
      } else {
        w.version = it->second.version + 1;
        std::optional<Issue> bad = validate_resource(w.doc, type, env_locked(c), type);
        if (!bad) bad = duplicate_locked(w, type);
        if (bad)
          problem = *bad;
        else
          answer = commit_locked(w, c, options.clock_ms()).json;
      }
    }
    if (answer.empty()) return outcome(problem);
    Response r = json_response(200, std::move(answer));
    r.set(bhttp::field::etag, "W/\"" + std::to_string(w.version) + "\"");
    return r;
  }

  Response read(const std::string& type, const std::string& id) {
    if (type == "Patient")
      if (auto p = fake_person(id, 'P')) return json_response(200, fake_patient_json(*p));
    if (type == "Practitioner")
      if (auto p = fake_person(id, 'N')) return json_response(200, fake_practitioner_json(*p));
    std::string answer;
    {
      std::lock_guard lock(state.mu);
      auto it = state.resources.find(type + "/" + id);
      if (it != state.resources.end()) answer = it->second.json;
    }
    if (answer.empty()) return outcome(issue(404, "not-found", "Resource " + type + "/" + id + " not found"));
    return json_response(200, std::move(answer));
  }

  Response search(const std::string& type, std::string_view query, const std::string& base_url) {
    const auto params = parse_form(query);
    auto param = [&](const char* k) {
      auto it = params.find(k);
      return it == params.end() ? std::string() : it->second;
    };
    const std::string ident = param("identifier");
    const auto bar = ident.find('|');
    const std::string sys = bar == std::string::npos ? std::string() : ident.substr(0, bar);
    const std::string val = bar == std::string::npos ? ident : ident.substr(bar + 1);
    std::vector<std::string> found;  // resource JSON texts
    std::vector<std::string> ids;
    auto add_fake = [&](const std::string& id) {
      if (id.empty()) return;
      if (auto p = fake_person(id, type == "Patient" ? 'P' : 'N')) {
        found.push_back(type == "Patient" ? fake_patient_json(*p) : fake_practitioner_json(*p));
        ids.push_back(id);
      }
    };
    if ((type == "Patient" || type == "Practitioner") && !ident.empty()) {
      if (sys == kNikSystem || sys.empty())
        add_fake(type == "Patient" ? satusehat_patient_id_for_nik(val) : satusehat_practitioner_id_for_nik(val));
      if (sys == kIhsSystem || sys == "https://fhir.kemkes.go.id/id/nakes-his-number") add_fake(val);
    }
    auto ref_matches = [](const std::string& stored, const std::string& wanted, const char* prefix) {
      return wanted.empty() || stored == wanted || stored == prefix + wanted;
    };
    const std::string subject = !param("subject").empty() ? param("subject") : param("patient");
    const std::string encounter = param("encounter");
    {
      std::lock_guard lock(state.mu);
      std::vector<const Stored*> hits;
      for (const auto& [k, s] : state.resources) {
        if (s.type != type) continue;
        if (!ident.empty()) {
          bool any = false;
          for (const auto& i : s.identifiers)
            any = any || (sys.empty() ? i.substr(i.find('|') + 1) == val : i == ident);
          if (!any) continue;
        }
        if (!ref_matches(s.subject, subject, "Patient/")) continue;
        if (!ref_matches(s.encounter, encounter, "Encounter/")) continue;
        hits.push_back(&s);
      }
      std::sort(hits.begin(), hits.end(), [](const Stored* a, const Stored* b) { return a->seq < b->seq; });
      for (const Stored* s : hits) {
        found.push_back(s->json);
        ids.push_back(s->id);
      }
    }
    json::Writer w;
    w.obj().s("resourceType", "Bundle").s("type", "searchset").i("total", static_cast<std::int64_t>(found.size()));
    w.a("link")
        .obj()
        .s("relation", "self")
        .s("url", base_url + "/" + type + (query.empty() ? "" : "?") + std::string(query))
        .end()
        .end_arr();
    w.a("entry");
    for (std::size_t i = 0; i < found.size(); ++i)
      w.obj()
          .s("fullUrl", base_url + "/" + type + "/" + ids[i])
          .key("resource")
          .raw(found[i])
          .o("search")
          .s("mode", "match")
          .end()
          .end();
    w.end_arr().end();
    return json_response(200, w.take());
  }

  Response transaction(std::string_view body, const SatusehatClient& c, const std::string& base_url) {
    Issue problem;
    auto doc = parse_body(body, problem);
    if (!doc) return outcome(problem);
    const rapidjson::Value& bundle = *doc;
    if (str_of(bundle, "resourceType") != "Bundle")
      return outcome(issue(400, "invalid", "Only a Bundle may be posted to the base URL", "Bundle.resourceType"));
    if (str_of(bundle, "type") != "transaction")
      return outcome(issue(400, "value", "Bundle.type must be transaction", "Bundle.type"));
    auto entries = bundle.FindMember("entry");
    if (entries == bundle.MemberEnd() || !entries->value.IsArray() || entries->value.Empty())
      return outcome(issue(400, "required", "Bundle.entry is required", "Bundle.entry"));
    const auto& list = entries->value;
    std::vector<Write> writes(list.Size());
    std::map<std::string, std::string> urn;
    std::set<std::string> pending;
    std::string answer;
    const std::int64_t now = options.clock_ms();
    {
      std::lock_guard lock(state.mu);
      auto check = [&]() -> std::optional<Issue> {
        for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
          const std::string where = "Bundle.entry[" + std::to_string(i) + "]";
          const rapidjson::Value& e = list[i];
          auto res = e.IsObject() ? e.FindMember("resource") : rapidjson::Value::ConstMemberIterator();
          if (!e.IsObject() || res == e.MemberEnd() || !res->value.IsObject())
            return issue(400, "required", where + ".resource is required", where + ".resource");
          auto rq = e.FindMember("request");
          if (rq == e.MemberEnd() || !rq->value.IsObject())
            return issue(400, "required", where + ".request is required", where + ".request");
          const std::string method = str_of(rq->value, "method");
          std::string url = str_of(rq->value, "url");
          if (auto q = url.find('?'); q != std::string::npos) url.resize(q);
          while (!url.empty() && url.front() == '/') url.erase(0, 1);
          const std::string rt = str_of(res->value, "resourceType");
          Write& w = writes[i];
          w.type = rt;
          w.doc.CopyFrom(res->value, w.doc.GetAllocator());
          w.identifiers = identifier_keys(w.doc);
          if (method == "POST") {
            if (url != rt)
              return issue(400, "value", where + ".request.url must be the resource type (" + rt + ")",
                           where + ".request.url");
            if (!writable_type(rt))
              return issue(405, "operation-invalid", "The operation is not allowed by this server", where + ".request",
                           "fatal");
            w.id = new_id_locked(rt);
            pending.insert(rt + "/" + w.id);
            const std::string full = str_of(e, "fullUrl");
            if (full.rfind("urn:uuid:", 0) == 0) urn[full] = rt + "/" + w.id;
          } else if (method == "PUT") {
            if (url != rt + "/" + str_of(w.doc, "id") || !writable_type(rt) || rt == "Patient")
              return issue(400, "value", where + ".request.url must be " + rt + "/<the resource's id>",
                           where + ".request.url");
            w.id = str_of(w.doc, "id");
            w.create = false;
            auto it = state.resources.find(url);
            if (it == state.resources.end())
              return issue(404, "not-found", "Resource " + url + " not found", where + ".request.url");
            if (it->second.organization_id != c.organization_id)
              return issue(403, "business-rule", "resource cannot be accessed due to business rule",
                           where + ".request.url");
            w.version = it->second.version + 1;
          } else {
            return issue(400, "value", where + ".request.method must be POST or PUT", where + ".request.method");
          }
        }
        for (std::size_t i = 0; i < writes.size(); ++i)
          if (auto u = resolve_references(writes[i].doc, urn, writes[i].doc.GetAllocator()))
            return issue(400, "value", "Unresolved reference " + *u + " (no entry has this fullUrl)",
                         "Bundle.entry[" + std::to_string(i) + "].resource");
        const ValidationEnv env = env_locked(c, &pending);
        std::set<std::string> keys;
        for (std::size_t i = 0; i < writes.size(); ++i) {
          const std::string where = "Bundle.entry[" + std::to_string(i) + "].resource";
          if (auto e = validate_resource(writes[i].doc, writes[i].type, env, where)) return e;
          if (auto e = duplicate_locked(writes[i], where, &keys)) return e;
          for (const auto& k : writes[i].identifiers) keys.insert(writes[i].type + "|" + k);
        }
        return std::nullopt;
      };
      if (auto bad = check()) {
        problem = *bad;
      } else {
        for (auto& w : writes) commit_locked(w, c, now);
        ++state.transactions;
        json::Writer out;
        out.obj().s("resourceType", "Bundle").s("id", uuid_locked()).s("type", "transaction-response").a("entry");
        for (const auto& w : writes) {
          out.obj().s("fullUrl", base_url + "/" + w.type + "/" + w.id).o("response");
          out.s("status", w.create ? "201 Created" : "200 OK").s("location", w.location);
          out.s("etag", "W/\"" + std::to_string(w.version) + "\"").s("lastModified", instant(now)).end().end();
        }
        out.end_arr().end();
        answer = out.take();
      }
    }
    if (answer.empty()) return outcome(problem);
    return json_response(200, std::move(answer));
  }

  // --- dispatch ------------------------------------------------------------------

  Response fhir(const Request& req, std::size_t client, const std::vector<std::string_view>& segs,
                std::string_view query, const std::string& base_url) {
    const SatusehatClient& c = options.clients[client];
    const auto verb = req.method();
    if (segs.empty()) {
      if (verb == bhttp::verb::post) return transaction(req.body(), c, base_url);
      return outcome(issue(405, "operation-invalid", "The operation is not allowed by this server", {}, "fatal"));
    }
    const std::string type(segs[0]);
    if (!type_name(type) || segs.size() > 2 || (segs.size() == 2 && !id_text(segs[1])))
      return outcome(issue(404, "not-found", "Unknown resource or operation"));
    if (segs.size() == 1) {
      if (verb == bhttp::verb::post) {
        if (!writable_type(type))
          return outcome(issue(405, "operation-invalid", "The operation is not allowed by this server", {}, "fatal"));
        return create(type, req.body(), c, base_url);
      }
      if (verb == bhttp::verb::get) return search(type, query, base_url);
    } else {
      const std::string id(segs[1]);
      if (verb == bhttp::verb::get) return read(type, id);
      if (verb == bhttp::verb::put) return update(type, id, req.body(), c);
    }
    return outcome(issue(405, "operation-invalid", "The operation is not allowed by this server", {}, "fatal"));
  }

  static std::string route_key(const std::string& method, bool token_path, bool fhir_path,
                               const std::vector<std::string_view>& segs) {
    if (token_path) return method + " /oauth2/v1/accesstoken";
    if (!fhir_path) return method + " (no route)";
    if (segs.empty()) return method + " /fhir-r4/v1 (Bundle)";
    static const std::set<std::string_view> kKnown = {
        "Patient",           "Practitioner",       "Encounter",      "Condition",  "Observation",  "Procedure",
        "MedicationRequest", "MedicationDispense", "ServiceRequest", "Medication", "Organization", "Location"};
    std::string key = method + " /fhir-r4/v1/" + (kKnown.count(segs[0]) ? std::string(segs[0]) : "{other}");
    if (segs.size() == 1) return key + (method == "GET" ? "?search" : "");
    if (segs.size() == 2) return key + "/{id}";
    return key + "/...";
  }

  Response fault_response(const FaultRule& f) const {
    switch (f.kind) {
      case FaultKind::html_404:
        return make(f.http_status ? f.http_status : 404, kHtml404, "text/html");
      case FaultKind::metadata_error: {
        const unsigned status = f.http_status ? f.http_status : 500;
        Issue i;
        i.status = status;
        i.severity = "error";
        i.code = !f.code.empty() ? f.code : status == 429 ? "throttled" : "exception";
        i.text = !f.message.empty() ? f.message
                 : status == 429    ? "Too many requests (simulated rate limit: simpul sim)"
                                    : "Terjadi kesalahan pada sistem (simulasi)";
        return json_response(status, outcome_json(i));
      }
      default: {  // http_500: a plain-text gateway error (research §4.1: never assume JSON on 5xx)
        const unsigned status = f.http_status ? f.http_status : 500;
        return make(status, reason_phrase(status) + "\n", "text/plain");
      }
    }
  }

  asio::awaitable<Reply> handle(Request& req) {
    const std::string target(req.target());
    std::string_view path = target, query;
    if (auto h = path.find('#'); h != std::string_view::npos) path = path.substr(0, h);
    if (auto q = path.find('?'); q != std::string_view::npos) {
      query = path.substr(q + 1);
      path = path.substr(0, q);
    }
    if (path == "/sim" || path.rfind("/sim/", 0) == 0) co_return Reply{control(req, path)};

    const std::string method(req.method_string());
    const bool token_path = path == kTokenPath;
    const bool fhir_path = path == kFhirBase || path.rfind(std::string(kFhirBase) + "/", 0) == 0;
    std::vector<std::string_view> segs;
    if (fhir_path) segs = segments(path.substr(kFhirBase.size()));
    {
      std::lock_guard lock(state.mu);
      ++state.requests_total;
      ++state.requests[route_key(method, token_path, fhir_path, segs)];
    }
    if (!token_path && !fhir_path) {
      json::Writer w;
      w.obj().o("fault").s("faultstring",
                           "Unable to identify proxy for host: simpul-sim and url: " + std::string(path));
      w.o("detail").s("errorcode", "messaging.adaptors.http.flow.ApplicationNotFound").end().end().end();
      co_return Reply{json_response(404, w.take())};
    }

    auto before = injector.before(method, target);
    if (before.delay.count() > 0) {
      asio::steady_timer timer(co_await asio::this_coro::executor, before.delay);
      co_await timer.async_wait(use_tuple);
    }
    if (before.fault) {
      if (before.fault->kind == FaultKind::timeout) {
        asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::milliseconds(before.fault->hold_ms));
        co_await timer.async_wait(use_tuple);
        co_return Reply::drop();
      }
      co_return Reply{fault_response(*before.fault)};
    }

    Response res;
    if (token_path) {
      if (req.method() != bhttp::verb::post)
        res = outcome(issue(405, "operation-invalid", "The operation is not allowed by this server", {}, "fatal"));
      else
        res = token(req, query);
    } else {
      auto who = authenticate(req);
      if (auto* r = std::get_if<Response>(&who)) co_return Reply{std::move(*r)};
      auto host = req.find(bhttp::field::host);
      const std::string base = "http://" + (host == req.end() ? std::string("127.0.0.1") : std::string(host->value())) +
                               std::string(kFhirBase);
      res = fhir(req, std::get<std::size_t>(who), segs, query, base);
    }
    if (injector.after(method, target, false)) co_return Reply::drop();
    co_return Reply{std::move(res)};
  }
};

SatusehatSimulator::SatusehatSimulator(SatusehatSimOptions options)
    : impl_(std::make_shared<Impl>(std::move(options))) {}
SatusehatSimulator::~SatusehatSimulator() = default;

asio::awaitable<Reply> SatusehatSimulator::handle(Request& request) {
  auto impl = impl_;  // the coroutine keeps the simulator alive while it waits
  co_return co_await impl->handle(request);
}

std::string SatusehatSimulator::state_json() const {
  return impl_->state_json();
}
void SatusehatSimulator::reset() {
  impl_->reset();
}
FaultInjector& SatusehatSimulator::faults() {
  return impl_->injector;
}

}  // namespace simpul::connectors::sim
