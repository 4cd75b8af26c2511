#include "adapter/registry_routes.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <regex>
#include <unordered_map>
#include <vector>

#include "adapter/auth.hpp"
#include "adapter/route_audit.hpp"
#include "adapter/store/await.hpp"
#include "adapter/vclaim_routes.hpp"
#include "connectors/http/response.hpp"
#include "fhir/content_type.hpp"
#include "fhir/error.hpp"
#include "fhir/json.hpp"
#include "fhir/measure_report_shape.hpp"

namespace simpul::adapter {

namespace {

namespace http = connectors::http;
using boost::asio::awaitable;
using rapidjson::Value;

constexpr std::int64_t kTokenLifetimeSeconds = 3599;  // as SATUSEHAT's
constexpr std::string_view kFacilitySystem = "https://fhir.simpul.id/sid/registry-facility";
constexpr std::string_view kAreaSystem = "https://fhir.simpul.id/sid/kemendagri-area";
constexpr std::string_view kStratifierSystem = "https://fhir.simpul.id/CodeSystem/registry-stratifier";
constexpr std::string_view kUcum = "http://unitsofmeasure.org";
// A decimal written into the answer exactly as computed: the serialised JSON string
// "\u0001dec:24.9954" becomes the number 24.9954 (no binary floating point on the way).
constexpr std::string_view kDecimalMark = "\x01" "dec:";

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string random_token() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw fhir::Error::internal("The token could not be issued.", {}, "RAND_bytes failed");
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

bool same_secret(const std::string& a_sha256, const std::string& b_sha256) {
  return a_sha256.size() == b_sha256.size() && CRYPTO_memcmp(a_sha256.data(), b_sha256.data(), a_sha256.size()) == 0;
}

Value str(std::string_view s, rapidjson::Document::AllocatorType& a) {
  return Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
}

std::string with_exact_decimals(std::string json) {
  static const std::regex mark("\"\\\\u0001dec:([0-9]+\\.[0-9]+)\"");
  return std::regex_replace(json, mark, "$1");
}

struct Reporter {
  const Tenant* registry = nullptr;
  const RegistryReporter* conf = nullptr;
  std::string secret_sha256;
};

struct Session {
  const Reporter* reporter = nullptr;
  std::int64_t expires_ms = 0;
};

class RegistryRoutes {
 public:
  RegistryRoutes(App& app, store::Store& store, const Config& config) : app_(app), store_(store), config_(config) {
    for (const Tenant& t : config.tenants) {
      if (t.kind != TenantKind::registry) continue;
      for (const RegistryReporter& r : t.reporters)
        reporters_.emplace(r.client_id, Reporter{&t, &r, sha256_hex(resolve_secret(config, r.client_secret))});
    }
  }

  // ------------------------------------------------------------ token

  awaitable<http::Response> token(RequestContext& ctx) {
    audit::AuditEntry entry;
    entry.action = audit::Action::execute;
    entry.purpose = audit::Purpose::security;
    entry.event = "registry.token";
    entry.actor = "anonymous";
    entry.request_id = ctx.request_id;
    try {
      const auto ct = ctx.request[boost::beast::http::field::content_type];
      if (std::string_view(ct.data(), ct.size()).rfind("application/x-www-form-urlencoded", 0) != 0)
        throw fhir::Error::unsupported_media_type(
            "The token request is a form: Content-Type application/x-www-form-urlencoded.");
      const auto form = parse_query(ctx.request.body());
      auto field = [&](const char* name) {
        auto it = form.find(name);
        if (it != form.end()) return it->second;
        return ctx.param(name);
      };
      if (field("grant_type") != "client_credentials")
        throw fhir::Error::invalid("grant_type must be client_credentials.", "grant_type");
      const std::string client_id = form.count("client_id") ? form.find("client_id")->second : std::string();
      const std::string secret = form.count("client_secret") ? form.find("client_secret")->second : std::string();
      auto it = reporters_.find(client_id);
      const bool ok = it != reporters_.end() && same_secret(it->second.secret_sha256, sha256_hex(secret));
      if (it != reporters_.end()) {
        entry.tenant = it->second.registry->id;
        entry.actor = "reporter:" + client_id;
      }
      if (!ok)
        throw fhir::Error::unauthorized("The client_id and client_secret are not accepted.", {},
                                        "registry token refused (unknown client_id or wrong secret)");
      const std::string token = random_token();
      {
        std::lock_guard lock(mu_);
        const std::int64_t now = now_ms();
        for (auto s = sessions_.begin(); s != sessions_.end();)
          s = s->second.expires_ms <= now ? sessions_.erase(s) : std::next(s);
        sessions_[sha256_hex(token)] = Session{&it->second, now + kTokenLifetimeSeconds * 1000};
      }
      rapidjson::Document d(rapidjson::kObjectType);
      auto& a = d.GetAllocator();
      d.AddMember("access_token", str(token, a), a);
      d.AddMember("token_type", "BearerToken", a);
      d.AddMember("expires_in", str(std::to_string(kTokenLifetimeSeconds), a), a);
      d.AddMember("issued_at", str(std::to_string(now_ms()), a), a);
      d.AddMember("client_id", str(client_id, a), a);
      d.AddMember("organization_name", str(it->second.conf->facility, a), a);
      d.AddMember("status", "approved", a);
      entry.outcome = "success";
      app_.recorder().record(entry);
      co_return http::make_response(200, fhir::to_json(d), "application/json");
    } catch (const fhir::Error& e) {
      entry.outcome = std::to_string(e.status());
      app_.recorder().record(entry);
      throw;
    }
  }

  // ------------------------------------------------------------ reporter calls

  // The reporter of a request's Bearer token; 401 (recorded as a security event) otherwise.
  const Reporter& reporter_of(RequestContext& ctx, std::string_view label) {
    const auto h = ctx.request[boost::beast::http::field::authorization];
    std::string_view v(h.data(), h.size());
    const Reporter* found = nullptr;
    if (v.size() > 7 && (v.rfind("Bearer ", 0) == 0 || v.rfind("bearer ", 0) == 0)) {
      std::string_view token = v.substr(7);
      while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
      std::lock_guard lock(mu_);
      auto it = sessions_.find(sha256_hex(token));
      if (it != sessions_.end() && it->second.expires_ms > now_ms()) found = it->second.reporter;
    }
    if (!found) {
      audit::AuditEntry e;
      e.actor = "anonymous";
      e.action = audit::Action::execute;
      e.purpose = audit::Purpose::security;
      e.event = "auth.failed " + std::string(label);
      e.outcome = "401";
      e.request_id = ctx.request_id;
      app_.recorder().record(std::move(e));
      throw std::move(fhir::Error::unauthorized("A valid access token is needed: POST /registry/oauth2/v1/accesstoken.",
                                                {}, "registry: missing, unknown or expired access token")
                          .with_header("WWW-Authenticate", "Bearer realm=\"simpul-registry\""));
    }
    return *found;
  }

  audit::AuditEntry reporter_entry(RequestContext& ctx, const Reporter& r, audit::Action action, std::string event) {
    audit::AuditEntry e;
    e.tenant = r.registry->id;
    e.actor = "reporter:" + r.conf->client_id;
    e.action = action;
    e.purpose = audit::Purpose::public_health;
    e.event = std::move(event);
    e.resource_type = "MeasureReport";
    e.request_id = ctx.request_id;
    return e;
  }

  // A stored report as FHIR: the JSON received, with the registry's id and lastUpdated.
  static rapidjson::Document rendered(const store::RegistryReport& r) {
    rapidjson::Document d = fhir::parse_json(r.resource, {64u << 20, 200, false});
    auto& a = d.GetAllocator();
    d.RemoveMember("id");
    d.RemoveMember("meta");
    d.AddMember("id", str(std::to_string(r.id), a), a);
    Value meta(rapidjson::kObjectType);
    meta.AddMember("lastUpdated",
                   str(jakarta_instant(std::chrono::system_clock::time_point(std::chrono::milliseconds(r.received_at))),
                       a),
                   a);
    d.AddMember("meta", meta, a);
    return d;
  }

  awaitable<http::Response> receive(RequestContext& ctx) {
    const Reporter& r = reporter_of(ctx, "/registry/fhir/MeasureReport");
    audit::AuditEntry entry = reporter_entry(ctx, r, audit::Action::create, "registry.measure_report.receive");
    try {
      const rapidjson::Document doc = fhir::parse_resource(ctx.request.body(), body_parse_limits(config_.limits));
      const fhir::MeasureReportFigures figures = fhir::read_measure_report(doc);
      if (figures.reporter_id.empty())
        throw fhir::Error::required("MeasureReport.reporter must name the reporting facility (Organization/<id>).",
                                    "MeasureReport.reporter");
      if (figures.reporter_id != r.conf->facility)
        throw fhir::Error::forbidden("This client reports for another facility than MeasureReport.reporter names.",
                                     "MeasureReport.reporter",
                                     "reporter " + r.conf->client_id + " (facility " + r.conf->facility +
                                         ") posted for facility " + figures.reporter_id);
      store::RegistryReport report;
      report.tenant = r.registry->id;
      report.facility = r.conf->facility;
      report.area = r.conf->area;
      report.measure = figures.measure;
      report.period_start = figures.period_start;
      report.period_end = figures.period_end;
      if (const auto* ids = fhir::member(doc, "identifier"); ids && ids->IsArray()) {
        for (const auto& i : ids->GetArray()) {
          const auto system = fhir::string_member(i, "system");
          const auto value = fhir::string_member(i, "value");
          if (system && value && !system->empty() && !value->empty()) {
            report.identifier = std::string(*system) + "|" + std::string(*value);
            break;
          }
        }
      }
      report.content_hash = sha256_hex(fhir::measure_report_content(doc));
      report.reporter_client = r.conf->client_id;
      report.resource = fhir::to_json(doc);
      store::RegistryPutResult put;
      try {
        put = co_await store::await<store::RegistryPutResult>(
            [&](store::Store::Completion<store::RegistryPutResult> done) {
              store_.put_registry_report(std::move(report), std::move(done));
            });
      } catch (const store::StoreError& e) {
        if (e.retryable())
          throw fhir::Error::unavailable("The store is busy; nothing was accepted. Retry later.", {}, e.what())
              .with_header("Retry-After", "2");
        throw fhir::Error::internal("The store failed; nothing was accepted.", {}, e.what());
      }
      entry.resource_id = std::to_string(put.report.id);
      if (!put.created) entry.event += ".replayed";
      http::Response res = fhir_response(ctx, put.created ? 201 : 200, rendered(put.report));
      res.set("Location", "/registry/fhir/MeasureReport/" + std::to_string(put.report.id) + "/_history/1");
      if (!put.created) res.set("Idempotent-Replayed", "true");
      entry.outcome = "success";
      app_.recorder().record(entry);
      co_return res;
    } catch (const fhir::Error& e) {
      entry.outcome = std::to_string(e.status());
      app_.recorder().record(entry);
      throw;
    }
  }

  awaitable<http::Response> search(RequestContext& ctx) {
    const Reporter& r = reporter_of(ctx, "/registry/fhir/MeasureReport?identifier");
    audit::AuditEntry entry = reporter_entry(ctx, r, audit::Action::read, "registry.measure_report.search");
    try {
      const std::string identifier = ctx.param("identifier");
      if (identifier.find('|') == std::string::npos || identifier.front() == '|')
        throw fhir::Error::invalid("Search by identifier=system|value.", "identifier");
      const auto found = store_.find_registry_reports(r.registry->id, r.conf->facility, identifier);
      rapidjson::Document b(rapidjson::kObjectType);
      auto& a = b.GetAllocator();
      b.AddMember("resourceType", "Bundle", a);
      b.AddMember("type", "searchset", a);
      b.AddMember("total", static_cast<unsigned>(found.size()), a);
      Value entries(rapidjson::kArrayType);
      for (const auto& rep : found) {
        rapidjson::Document res = rendered(rep);
        Value e(rapidjson::kObjectType);
        e.AddMember("fullUrl", str("MeasureReport/" + std::to_string(rep.id), a), a);
        Value copy;
        copy.CopyFrom(res, a);
        e.AddMember("resource", copy, a);
        Value s(rapidjson::kObjectType);
        s.AddMember("mode", "match", a);
        e.AddMember("search", s, a);
        entries.PushBack(e, a);
      }
      b.AddMember("entry", entries, a);
      entry.outcome = "success";
      app_.recorder().record(entry);
      co_return fhir_response(ctx, 200, b);
    } catch (const fhir::Error& e) {
      entry.outcome = std::to_string(e.status());
      app_.recorder().record(entry);
      throw;
    }
  }

  // ------------------------------------------------------------ aggregate

  awaitable<http::Response> aggregate(RequestContext& ctx, audit::AuditEntry& entry) {
    const Tenant& registry = *ctx.principal->tenant;
    if (registry.kind != TenantKind::registry)
      throw fhir::Error::forbidden("Aggregates are served to a registry's own API keys.", {},
                                   "tenant " + registry.id + " is not a registry");
    const std::string measure = ctx.param("measure");
    const std::string start = ctx.param("period-start");
    const std::string end = ctx.param("period-end");
    const std::string area = ctx.param("area");
    if (measure.empty()) throw fhir::Error::required("The measure parameter (canonical URL) is required.", "measure");
    if (!fhir::is_calendar_date(start)) throw fhir::Error::invalid("period-start must be YYYY-MM-DD.", "period-start");
    if (!fhir::is_calendar_date(end)) throw fhir::Error::invalid("period-end must be YYYY-MM-DD.", "period-end");
    if (area.empty() || area.size() > 13 || !std::all_of(area.begin(), area.end(), [](char c) { return c >= '0' && c <= '9'; }))
      throw fhir::Error::invalid("area must be a Kemendagri region code of digits (e.g. 32 or 3273).", "area");
    entry.resource_id = measure + " " + start + "/" + end + " area " + area;

    // The facilities in the area now (the configuration says where a facility is).
    std::map<std::string, const RegistryReporter*> in_area;
    for (const RegistryReporter& r : registry.reporters)
      if (r.area.rfind(area, 0) == 0) in_area.emplace(r.facility, &r);

    struct Sum {
      std::string code_json;
      std::string score_code;
      std::map<std::string, std::int64_t> totals;  // by population code
      std::vector<std::pair<std::string, std::map<std::string, std::int64_t>>> by_facility;
    };
    std::vector<std::string> order;  // group keys in first-seen order
    std::map<std::string, Sum> sums;
    for (const store::RegistryReport& rep : store_.latest_registry_reports(registry.id, measure, start, end)) {
      if (!in_area.count(rep.facility)) continue;
      fhir::MeasureReportFigures f;
      try {
        f = fhir::read_measure_report(fhir::parse_json(rep.resource, {64u << 20, 200, false}));
      } catch (const fhir::Error& e) {
        throw fhir::Error::internal("A stored report could not be read.", {}, "registry report " + std::to_string(rep.id) + ": " + e.internal());
      }
      for (const fhir::MeasureGroup& g : f.groups) {
        auto [it, fresh] = sums.try_emplace(g.key);
        if (fresh) {
          order.push_back(g.key);
          it->second.code_json = g.code_json;
        }
        if (it->second.score_code.empty()) it->second.score_code = g.score_code;
        std::map<std::string, std::int64_t> mine;
        for (const fhir::MeasurePopulation& p : g.populations) {
          std::int64_t& t = it->second.totals[p.code];
          if (t > std::numeric_limits<std::int64_t>::max() - p.count)
            throw fhir::Error::unprocessable("The sum of " + p.code + " counts overflows.");
          t += p.count;
          mine[p.code] = p.count;
        }
        it->second.by_facility.emplace_back(rep.facility, std::move(mine));
      }
    }

    rapidjson::Document d(rapidjson::kObjectType);
    auto& a = d.GetAllocator();
    auto populations = [&](const std::map<std::string, std::int64_t>& counts) {
      Value list(rapidjson::kArrayType);
      for (const auto& [code, count] : counts) {
        Value coding(rapidjson::kObjectType);
        coding.AddMember("system", str(fhir::kMeasurePopulationSystem, a), a);
        coding.AddMember("code", str(code, a), a);
        Value codings(rapidjson::kArrayType);
        codings.PushBack(coding, a);
        Value cc(rapidjson::kObjectType);
        cc.AddMember("coding", codings, a);
        Value p(rapidjson::kObjectType);
        p.AddMember("code", cc, a);
        p.AddMember("count", static_cast<std::int64_t>(count), a);
        list.PushBack(p, a);
      }
      return list;
    };
    // numerator / denominator as the reports' unit: % (x100), [ppth] (x1000), else a proportion.
    auto score = [&](const std::map<std::string, std::int64_t>& counts, const std::string& unit_code,
                     Value& into) {
      auto n = counts.find("numerator");
      auto dn = counts.find("denominator");
      if (n == counts.end() || dn == counts.end() || dn->second <= 0) return;
      const std::int64_t mult = unit_code == "%" ? 100 : unit_code == "[ppth]" ? 1000 : 1;
      const std::string code = mult == 1 ? "1" : unit_code;
      Value q(rapidjson::kObjectType);
      q.AddMember("value", str(std::string(kDecimalMark) + exact_ratio(n->second, dn->second, mult, 4), a), a);
      q.AddMember("unit", str(mult == 100 ? "%" : mult == 1000 ? "\u2030" : "1", a), a);
      q.AddMember("system", str(kUcum, a), a);
      q.AddMember("code", str(code, a), a);
      into.AddMember("measureScore", q, a);
    };

    d.AddMember("resourceType", "MeasureReport", a);
    d.AddMember("status", "complete", a);
    d.AddMember("type", "summary", a);
    d.AddMember("measure", str(measure, a), a);
    Value subject(rapidjson::kObjectType);
    Value area_id(rapidjson::kObjectType);
    area_id.AddMember("system", str(kAreaSystem, a), a);
    area_id.AddMember("value", str(area, a), a);
    subject.AddMember("identifier", area_id, a);
    subject.AddMember("display", str("area " + area, a), a);
    d.AddMember("subject", subject, a);
    d.AddMember("date", str(jakarta_instant(std::chrono::system_clock::now()), a), a);
    Value reporter(rapidjson::kObjectType);
    reporter.AddMember("display", str(registry.name.empty() ? registry.id : registry.name, a), a);
    d.AddMember("reporter", reporter, a);
    Value period(rapidjson::kObjectType);
    period.AddMember("start", str(start, a), a);
    period.AddMember("end", str(end, a), a);
    d.AddMember("period", period, a);
    Value groups(rapidjson::kArrayType);
    for (const std::string& key : order) {
      const Sum& s = sums.at(key);
      Value g(rapidjson::kObjectType);
      if (!s.code_json.empty()) {
        rapidjson::Document code = fhir::parse_json(s.code_json);
        Value c;
        c.CopyFrom(code, a);
        g.AddMember("code", c, a);
      }
      g.AddMember("population", populations(s.totals), a);
      score(s.totals, s.score_code, g);
      Value strata(rapidjson::kArrayType);
      for (const auto& [facility, counts] : s.by_facility) {
        Value coding(rapidjson::kObjectType);
        coding.AddMember("system", str(kFacilitySystem, a), a);
        coding.AddMember("code", str(facility, a), a);
        Value codings(rapidjson::kArrayType);
        codings.PushBack(coding, a);
        Value value(rapidjson::kObjectType);
        value.AddMember("coding", codings, a);
        const RegistryReporter* rr = in_area.at(facility);
        value.AddMember("text", str(rr->name.empty() ? facility : rr->name, a), a);
        Value stratum(rapidjson::kObjectType);
        stratum.AddMember("value", value, a);
        stratum.AddMember("population", populations(counts), a);
        score(counts, s.score_code, stratum);
        strata.PushBack(stratum, a);
      }
      Value scoding(rapidjson::kObjectType);
      scoding.AddMember("system", str(kStratifierSystem, a), a);
      scoding.AddMember("code", "facility", a);
      Value scodings(rapidjson::kArrayType);
      scodings.PushBack(scoding, a);
      Value scode(rapidjson::kObjectType);
      scode.AddMember("coding", scodings, a);
      scode.AddMember("text", "facility", a);
      Value scodes(rapidjson::kArrayType);
      scodes.PushBack(scode, a);
      Value stratifier(rapidjson::kObjectType);
      stratifier.AddMember("code", scodes, a);
      stratifier.AddMember("stratum", strata, a);
      Value stratifiers(rapidjson::kArrayType);
      stratifiers.PushBack(stratifier, a);
      g.AddMember("stratifier", stratifiers, a);
      groups.PushBack(g, a);
    }
    if (!groups.Empty()) d.AddMember("group", groups, a);
    co_return http::make_response(200, with_exact_decimals(fhir::to_json(d, ctx.pretty)),
                                  std::string(fhir::content_type_of(ctx.format)));
  }

 private:
  App& app_;
  store::Store& store_;
  const Config& config_;
  std::map<std::string, Reporter> reporters_;  // by client_id
  std::mutex mu_;
  std::unordered_map<std::string, Session> sessions_;  // by SHA-256 of the access token
};

}  // namespace

std::string exact_ratio(std::int64_t numerator, std::int64_t denominator, std::int64_t multiplier, int decimals) {
  using u128 = unsigned __int128;
  u128 scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  const u128 num = static_cast<u128>(numerator) * static_cast<u128>(multiplier) * scale;
  const u128 den = static_cast<u128>(denominator);
  const u128 q = (2 * num + den) / (2 * den);  // round half up
  auto digits = [](u128 v) {
    std::string s;
    do {
      s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
      v /= 10;
    } while (v > 0);
    return s;
  };
  std::string whole = digits(q / scale);
  if (decimals == 0) return whole;
  std::string frac = digits(q % scale);
  frac.insert(frac.begin(), static_cast<std::size_t>(decimals) - frac.size(), '0');
  return whole + "." + frac;
}

void add_registry_routes(App& app, store::Store& store, const Config& config) {
  if (std::none_of(config.tenants.begin(), config.tenants.end(),
                   [](const Tenant& t) { return t.kind == TenantKind::registry; }))
    return;
  auto routes = std::make_shared<RegistryRoutes>(app, store, config);
  Route token{"POST", "/registry/oauth2/v1/accesstoken", "/registry/oauth2/v1/accesstoken", false, {}, false,
              [routes](RequestContext& ctx) { return routes->token(ctx); }};
  token.form_body = true;
  app.add_route(std::move(token));
  app.add_route({"POST", "/registry/fhir/MeasureReport", "/registry/fhir/MeasureReport", false, {}, true,
                 [routes](RequestContext& ctx) { return routes->receive(ctx); }});
  app.add_route({"GET", "/registry/fhir/MeasureReport", "/registry/fhir/MeasureReport", false, {}, true,
                 [routes](RequestContext& ctx) { return routes->search(ctx); }});
  audit::AuditEntry read;
  read.action = audit::Action::read;
  read.purpose = audit::Purpose::public_health;
  read.event = "registry.aggregate";
  read.resource_type = "MeasureReport";
  app.add_route({"GET", "/registry/aggregate", "/registry/aggregate", true, {Role::admin}, true,
                 audited(app.recorder(), read, [routes](RequestContext& ctx, audit::AuditEntry& entry) {
                   return routes->aggregate(ctx, entry);
                 })});
}

}  // namespace simpul::adapter
