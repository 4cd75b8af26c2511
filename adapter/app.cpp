#include "adapter/app.hpp"

#include <atomic>
#include <cctype>
#include <random>

#include <boost/beast/http.hpp>
#include <rapidjson/document.h>

#include "adapter/store/store.hpp"
#include "adapter/version.hpp"
#include "connectors/http/response.hpp"
#include "connectors/observability/log.hpp"
#include "fhir/error.hpp"
#include "fhir/json.hpp"
#include "fhir/outcome.hpp"
#include "fhir/resource.hpp"
#include "fhir/version.hpp"

namespace simpul::adapter {

connectors::http::Response fhir_response(const RequestContext& ctx, unsigned status, const rapidjson::Value& resource) {
  return connectors::http::make_response(status, fhir::to_json(resource, ctx.pretty),
                                         std::string(fhir::content_type_of(ctx.format)));
}

fhir::ParseLimits body_parse_limits(const Limits& limits) {
  fhir::ParseLimits p;
  p.max_depth = limits.json_max_depth;
  p.max_bytes = limits.max_body_bytes;
  return p;
}

namespace http = connectors::http;
namespace obs = connectors::obs;
namespace bhttp = boost::beast::http;
using boost::asio::awaitable;

std::string RequestContext::param(std::string_view name) const {
  auto it = query.find(std::string(name));
  return it == query.end() ? std::string() : it->second;
}

std::string percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  auto hexval = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
      out += static_cast<char>(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
      i += 2;
    } else if (s[i] == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

std::multimap<std::string, std::string> parse_query(std::string_view q) {
  std::multimap<std::string, std::string> out;
  while (!q.empty()) {
    const auto amp = q.find('&');
    std::string_view part = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
    if (part.empty()) continue;
    const auto eq = part.find('=');
    if (eq == std::string_view::npos)
      out.emplace(percent_decode(part, true), "");
    else
      out.emplace(percent_decode(part.substr(0, eq), true), percent_decode(part.substr(eq + 1), true));
  }
  return out;
}

namespace {

std::string new_request_id() {
  static std::atomic<std::uint64_t> counter{0};
  static const std::uint64_t prefix = std::random_device{}();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x%012llx", static_cast<unsigned>(prefix & 0xffffffffu),
                static_cast<unsigned long long>(counter.fetch_add(1)));
  return buf;
}

bool acceptable_request_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') return false;
  return true;
}

std::string iso_utc(std::chrono::system_clock::time_point tp) {
  const std::time_t t = std::chrono::system_clock::to_time_t(tp);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

App::App(const Config& config, store::Store& store, obs::Registry& metrics, audit::Recorder& recorder)
    : config_(config),
      store_(store),
      metrics_(metrics),
      recorder_(recorder),
      auth_(config),
      in_flight_(metrics.gauge("simpul_http_in_flight_requests", "Requests being handled now.")),
      started_(std::chrono::system_clock::now()) {
  add_builtin_routes();
}

void App::add_route(Route route) {
  routes_.push_back(std::move(route));
}

namespace {
// Matches "/a/{x}/b" against "/a/1/b"; fills params.
bool path_matches(std::string_view pattern, std::string_view path, std::map<std::string, std::string>& params) {
  params.clear();
  while (!pattern.empty() || !path.empty()) {
    if (pattern.empty() || path.empty() || pattern[0] != '/' || path[0] != '/') return false;
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    const auto pe = pattern.find('/');
    const auto qe = path.find('/');
    const std::string_view pseg = pattern.substr(0, pe);
    const std::string_view seg = path.substr(0, qe);
    if (pseg.size() > 2 && pseg.front() == '{' && pseg.back() == '}') {
      if (seg.empty()) return false;
      params.emplace(std::string(pseg.substr(1, pseg.size() - 2)), std::string(seg));
    } else if (pseg != seg) {
      return false;
    }
    pattern = pe == std::string_view::npos ? std::string_view{} : pattern.substr(pe);
    path = qe == std::string_view::npos ? std::string_view{} : path.substr(qe);
  }
  return true;
}
}  // namespace

const Route* App::match(std::string_view method, std::string_view path, bool& path_known,
                        std::map<std::string, std::string>& params) const {
  path_known = false;
  const Route* found = nullptr;
  std::map<std::string, std::string> p;
  for (const auto& r : routes_) {
    if (!path_matches(r.path, path, p)) continue;
    path_known = true;
    if (r.method == method || (method == "HEAD" && r.method == "GET")) {
      found = &r;
      params = std::move(p);
      break;
    }
  }
  return found;
}

awaitable<http::Response> validate_resource(RequestContext& ctx, const Limits& limits);
awaitable<http::Response> tenant_summary(RequestContext& ctx, const Config& config);

void App::add_builtin_routes() {
  add_route({"GET", "/healthz", "/healthz", false, {}, false, [](RequestContext&) -> awaitable<http::Response> {
               co_return http::make_response(200, "{\"status\":\"ok\"}\n", "application/json");
             }});
  add_route({"GET", "/readyz", "/readyz", false, {}, false, [this](RequestContext&) -> awaitable<http::Response> {
               bool ok = false;
               try {
                 ok = store_.ping();
               } catch (const std::exception& e) {
                 obs::log(obs::Level::warn, "store not ready", {{"error", e.what()}});
               }
               if (!ok)
                 throw fhir::Error::unavailable("The store is not reachable.", {}, "store ping failed")
                     .with_header("Retry-After", "5");
               co_return http::make_response(200, "{\"status\":\"ready\",\"store\":\"ok\"}\n", "application/json");
             }});
  add_route({"GET", "/metrics", "/metrics", false, {}, false, [this](RequestContext&) -> awaitable<http::Response> {
               co_return http::make_response(200, metrics_.render(), "text/plain; version=0.0.4; charset=utf-8");
             }});
  add_route({"GET",
             "/fhir/metadata",
             "/fhir/metadata",
             true,
             {},
             true,
             [this](RequestContext& ctx) -> awaitable<http::Response> {
               co_return http::make_response(200, capability_statement(ctx.pretty),
                                             std::string(fhir::content_type_of(ctx.format)));
             }});
  add_route({"GET",
             "/admin/tenants/{tenant}",
             "/admin/tenants/{tenant}",
             true,
             {Role::admin},
             false,
             [this](RequestContext& ctx) { return tenant_summary(ctx, config_); }});
  add_route({"POST", "/fhir/{type}/$validate", "/fhir/{type}/$validate", true, {}, true, [this](RequestContext& ctx) {
               return validate_resource(ctx, config_.limits);
             }});
}

// POST /fhir/{type}/$validate: structural validation of one resource (the FHIR
// Resource-validate operation). The answer is 200 with an OperationOutcome when
// the resource could be checked; a body that is not a readable resource of that
// type is a 4xx.
awaitable<http::Response> validate_resource(RequestContext& ctx, const Limits& limits) {
  const std::string& type = ctx.path_params.at("type");
  if (!fhir::is_resource_type(type))
    throw fhir::Error::not_found("Unknown resource type '" + type + "' in the URL.", {}, "validate: unknown type");
  const rapidjson::Document doc = fhir::parse_resource(ctx.request.body(), body_parse_limits(limits));
  fhir::expect_resource_type(doc, type);
  std::vector<fhir::Issue> issues;
  if (auto id = fhir::string_member(doc, "id"); id && !fhir::is_valid_id(*id))
    issues.push_back(
        {fhir::Severity::error, "value", "id must be 1-64 characters of A-Z, a-z, 0-9, '-' and '.'.", {type + ".id"}});
  if (issues.empty())
    issues.push_back(
        {fhir::Severity::information, "informational", "The resource is well-formed " + type + " JSON.", {}});
  co_return http::make_response(200, fhir::outcome_json(issues, ctx.pretty),
                                std::string(fhir::content_type_of(ctx.format)));
}

// GET /admin/tenants/{tenant}: what this tenant is configured with - names and
// roles only, never a secret or a secret reference. Admins see their own tenant.
awaitable<http::Response> tenant_summary(RequestContext& ctx, const Config& config) {
  const std::string& id = ctx.path_params.at("tenant");
  if (ctx.principal->tenant->id != id)
    throw fhir::Error::forbidden("This API key belongs to another tenant.", {},
                                 "tenant mismatch: key of " + ctx.principal->tenant->id + " asked for " + id);
  const Tenant* t = config.tenant(id);
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  auto str = [&](std::string_view v) {
    return rapidjson::Value(v.data(), static_cast<rapidjson::SizeType>(v.size()), a);
  };
  d.AddMember("id", str(t->id), a);
  d.AddMember("kind", str(to_string(t->kind)), a);
  d.AddMember("name", str(t->name), a);
  d.AddMember("bpjs_provider_code", str(t->bpjs_provider_code), a);
  d.AddMember("satusehat_organization_id", str(t->satusehat_organization_id), a);
  rapidjson::Value creds(rapidjson::kArrayType);
  for (const auto& [name, ref] : t->credentials) creds.PushBack(str(name), a);
  d.AddMember("credentials_configured", creds, a);
  rapidjson::Value clients(rapidjson::kArrayType);
  for (const auto& c : t->clients) {
    rapidjson::Value one(rapidjson::kObjectType);
    one.AddMember("name", str(c.name), a);
    rapidjson::Value roles(rapidjson::kArrayType);
    for (Role r : c.roles) roles.PushBack(str(to_string(r)), a);
    one.AddMember("roles", roles, a);
    clients.PushBack(one, a);
  }
  d.AddMember("clients", clients, a);
  co_return http::make_response(200, fhir::to_json(d, ctx.param("_pretty") == "true"), "application/json");
}

const std::string& App::capability_statement(bool pretty) const {
  std::call_once(capability_once_, [this] {
    capability_compact_ = render_capability_statement(false);
    capability_pretty_ = render_capability_statement(true);
  });
  return pretty ? capability_pretty_ : capability_compact_;
}

std::string App::render_capability_statement(bool pretty) const {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  using rapidjson::Value;
  auto str = [&](std::string_view s) { return Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a); };
  d.AddMember("resourceType", "CapabilityStatement", a);
  d.AddMember("status", "active", a);
  d.AddMember("date", str(iso_utc(started_)), a);
  d.AddMember("publisher", "Simpul", a);
  d.AddMember("kind", "instance", a);
  Value software(rapidjson::kObjectType);
  software.AddMember("name", "Simpul", a);
  software.AddMember("version", SIMPUL_VERSION, a);
  d.AddMember("software", software, a);
  Value impl(rapidjson::kObjectType);
  impl.AddMember("description", "Simpul FHIR R4 integration server for Indonesian health facilities", a);
  d.AddMember("implementation", impl, a);
  d.AddMember("fhirVersion", str(fhir::kFhirVersion), a);
  Value formats(rapidjson::kArrayType);
  formats.PushBack("application/fhir+json", a).PushBack("json", a);
  d.AddMember("format", formats, a);

  Value rest(rapidjson::kObjectType);
  rest.AddMember("mode", "server", a);
  Value security(rapidjson::kObjectType);
  security.AddMember("cors", false, a);
  security.AddMember("description",
                     "Every request except /healthz, /readyz and /metrics needs 'Authorization: Bearer <API key>'. "
                     "Each key belongs to one facility (tenant) and carries roles.",
                     a);
  rest.AddMember("security", security, a);

  // Resource interactions and operations, from the routing table only.
  Value operations(rapidjson::kArrayType);
  for (const auto& r : routes_) {
    if (r.path == "/fhir/{type}/$validate") {
      Value op(rapidjson::kObjectType);
      op.AddMember("name", "validate", a);
      op.AddMember("definition", "http://hl7.org/fhir/OperationDefinition/Resource-validate", a);
      operations.PushBack(op, a);
    }
  }
  // Per resource type: interactions (read, search-type, ...) and type-level
  // operations ("/fhir/Type/$name"), whose definitions are Simpul's own.
  std::map<std::string, std::vector<std::string>> interactions;
  std::map<std::string, std::vector<std::string>> type_operations;
  for (const auto& r : routes_) {
    if (!r.fhir || r.path == "/fhir/metadata" || r.path.rfind("/fhir/", 0) != 0) continue;
    std::string rest_of = r.path.substr(6);
    const auto slash = rest_of.find('/');
    const std::string type = rest_of.substr(0, slash);
    if (type.empty() || type[0] == '$' || type[0] == '{') continue;
    if (slash != std::string::npos && rest_of.compare(slash, 2, "/$") == 0) {
      type_operations[type].push_back(rest_of.substr(slash + 2));
      interactions[type];
      continue;
    }
    std::string interaction = r.method == "GET"    ? (slash == std::string::npos ? "search-type" : "read")
                              : r.method == "POST" ? "create"
                              : r.method == "PUT"  ? "update"
                                                   : "delete";
    auto& v = interactions[type];
    if (std::find(v.begin(), v.end(), interaction) == v.end()) v.push_back(interaction);
  }
  if (!interactions.empty()) {
    Value resources(rapidjson::kArrayType);
    for (const auto& [type, list] : interactions) {
      Value res(rapidjson::kObjectType);
      res.AddMember("type", str(type), a);
      Value inter(rapidjson::kArrayType);
      for (const auto& i : list) {
        Value one(rapidjson::kObjectType);
        one.AddMember("code", str(i), a);
        inter.PushBack(one, a);
      }
      if (!inter.Empty()) res.AddMember("interaction", inter, a);
      if (auto ops = type_operations.find(type); ops != type_operations.end()) {
        Value list_ops(rapidjson::kArrayType);
        for (const auto& name : ops->second) {
          Value op(rapidjson::kObjectType);
          op.AddMember("name", str(name), a);
          // Simpul's own definitions, also for ValueSet/$expand: citing HL7's base definition
          // would claim the whole operation (GET and POST, every parameter), and Simpul serves
          // a subset (GET; url, filter, count, offset, plus propinsi).
          op.AddMember("definition", str("https://fhir.simpul.id/OperationDefinition/" + type + "-" + name), a);
          list_ops.PushBack(op, a);
        }
        res.AddMember("operation", list_ops, a);
      }
      resources.PushBack(res, a);
    }
    rest.AddMember("resource", resources, a);
  }
  if (!operations.Empty()) rest.AddMember("operation", operations, a);
  Value rests(rapidjson::kArrayType);
  rests.PushBack(rest, a);
  d.AddMember("rest", rests, a);
  return fhir::to_json(d, pretty);
}

awaitable<http::Response> App::handle(http::Request& request, const http::RequestInfo& info) {
  const auto t0 = std::chrono::steady_clock::now();
  in_flight_.add(1);
  struct InFlight {
    obs::Gauge& g;
    ~InFlight() { g.add(-1); }
  } in_flight_guard{in_flight_};

  const std::string_view target(request.target().data(), request.target().size());
  const auto qpos = target.find('?');
  RequestContext ctx{
      request, info, {}, percent_decode(target.substr(0, qpos), false), {}, {}, {}, fhir::Format::fhir_json, false};
  const auto rid_header = request["X-Request-Id"];
  ctx.request_id = acceptable_request_id({rid_header.data(), rid_header.size()})
                       ? std::string(rid_header.data(), rid_header.size())
                       : new_request_id();
  if (qpos != std::string_view::npos) ctx.query = parse_query(target.substr(qpos + 1));

  const std::string method(request.method_string().data(), request.method_string().size());
  bool path_known = false;
  const Route* route = match(method, ctx.path, path_known, ctx.path_params);
  const std::string label = route ? route->label : std::string("unmatched");

  http::Response res;
  std::string internal;
  try {
    if (!route) {
      if (path_known) {
        std::string allow;
        std::map<std::string, std::string> ignored;
        for (const auto& r : routes_)
          if (path_matches(r.path, ctx.path, ignored)) allow += (allow.empty() ? "" : ", ") + r.method;
        throw fhir::Error::method_not_allowed("Method " + method + " is not allowed on " + ctx.path + ".", {},
                                              "no route for method")
            .with_header("Allow", allow);
      }
      throw fhir::Error::not_found("No such endpoint: " + ctx.path + ". See /fhir/metadata for what is served.", {},
                                   "no route");
    }
    if (route->fhir) {
      const auto accept = request[bhttp::field::accept];
      ctx.format = fhir::negotiate_format({accept.data(), accept.size()}, ctx.param("_format"));
      ctx.pretty = ctx.param("_pretty") == "true";
    }
    if (route->authenticated) {
      const auto authz = request[bhttp::field::authorization];
      // Failed authentication and refused roles are security events (docs/pdp.md).
      auto security_event = [&](std::string event, std::string outcome) {
        audit::AuditEntry e;
        if (ctx.principal) {
          e.tenant = ctx.principal->tenant->id;
          e.actor = "client:" + ctx.principal->client->name;
        } else {
          e.actor = "anonymous";
        }
        e.action = audit::Action::execute;
        e.purpose = audit::Purpose::security;
        e.event = std::move(event) + " " + label;  // e.g. "auth.failed /fhir/Coverage"
        e.outcome = std::move(outcome);
        e.request_id = ctx.request_id;
        recorder_.record(std::move(e));
      };
      try {
        ctx.principal = auth_.authenticate({authz.data(), authz.size()});
      } catch (const fhir::Error& e) {
        security_event("auth.failed", std::to_string(e.status()));
        throw;
      }
      if (!route->roles.empty()) {
        const bool allowed = std::any_of(route->roles.begin(), route->roles.end(),
                                         [&](Role r) { return ctx.principal->client->has(r); });
        if (!allowed) {
          security_event("auth.forbidden", "403");
          std::string need;
          for (Role r : route->roles) need += (need.empty() ? "" : " or ") + std::string(to_string(r));
          throw fhir::Error::forbidden("This API key lacks the role needed here (" + need + ").", {},
                                       "role check failed for client " + ctx.principal->client->name);
        }
      }
      if (auto wait = auth_.take_token(*ctx.principal->client)) {
        throw fhir::Error::too_many_requests(
            "Rate limit exceeded for this API client; retry after " + std::to_string(*wait) + " s.", {}, "rate limit")
            .with_header("Retry-After", std::to_string(*wait));
      }
    }
    if (!route->form_body && (request.method() == bhttp::verb::post || request.method() == bhttp::verb::put ||
                              request.method() == bhttp::verb::patch)) {
      const auto ct = request[bhttp::field::content_type];
      fhir::check_request_content_type({ct.data(), ct.size()}, !request.body().empty());
    }
    res = co_await route->handler(ctx);
  } catch (const fhir::Error& e) {
    internal = e.internal();
    res = http::error_response(e, request.version(), ctx.pretty);
  }
  res.set("X-Request-Id", ctx.request_id);
  if (request.method() == bhttp::verb::head) res.body().clear();

  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const unsigned status = res.result_int();
  metrics_
      .counter("simpul_http_requests_total", "HTTP requests by route, method and status.",
               {{"route", label}, {"method", method}, {"status", std::to_string(status)}})
      .inc();
  metrics_.histogram("simpul_http_request_duration_seconds", "Time to handle a request.", {{"route", label}})
      .observe(seconds);
  const obs::Level level = status >= 500 ? obs::Level::error : status >= 400 ? obs::Level::warn : obs::Level::info;
  if (obs::log_enabled(level)) {
    const std::string_view tenant = ctx.principal ? std::string_view(ctx.principal->tenant->id) : "";
    const std::string_view client = ctx.principal ? std::string_view(ctx.principal->client->name) : "";
    obs::log(level, "request",
             {{"request_id", ctx.request_id},
              {"tenant", tenant},
              {"client", client},
              {"route", label},
              {"method", method},
              {"status", status},
              {"latency_ms", seconds * 1000},
              {"remote", info.remote_address},
              {"detail", internal}});
  }
  co_return res;
}

}  // namespace simpul::adapter
