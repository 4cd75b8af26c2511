#include "adapter/config.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include <toml++/toml.h>

#include "adapter/enum_names.hpp"
#include "adapter/toml_reader.hpp"

namespace simpul::adapter {

namespace {

constexpr std::string_view kTenantKindNames[] = {"rumah_sakit", "puskesmas", "registry"};
static_assert(names_every(kTenantKindNames, TenantKind::registry));
constexpr std::string_view kRoleNames[] = {"submitter", "eligibility", "admin", "auditor", "registry_submitter"};
static_assert(names_every(kRoleNames, Role::registry_submitter));

}  // namespace

std::string_view to_string(TenantKind k) {
  return name_of(kTenantKindNames, k, "?");
}

std::string_view to_string(Role r) {
  return name_of(kRoleNames, r, "?");
}

std::optional<Role> parse_role(std::string_view s) {
  return value_of<Role>(kRoleNames, s);
}

bool Tenant::sends_to(std::string_view destination) const {
  return std::find(destinations.begin(), destinations.end(), destination) != destinations.end();
}

bool ApiClient::has(Role r) const { return std::find(roles.begin(), roles.end(), r) != roles.end(); }

const OutboxPolicy& OutboxSettings::policy(std::string_view destination) const {
  for (const auto& [name, p] : destinations)
    if (name == destination) return p;
  return defaults;
}

const Tenant* Config::tenant(std::string_view id) const {
  for (const auto& t : tenants)
    if (t.id == id) return &t;
  return nullptr;
}

bool parse_host_port(const std::string& text, std::string& host, std::uint16_t& port) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 >= text.size()) return false;
  char* end = nullptr;
  const long p = std::strtol(text.c_str() + colon + 1, &end, 10);
  if (*end || p < 0 || p > 65535) return false;
  host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host == "localhost") host = "127.0.0.1";
  port = static_cast<std::uint16_t>(p);
  return true;
}

bool is_loopback_address(std::string_view a) {
  if (a == "localhost" || a == "::1" || a == "[::1]") return true;
  return a.rfind("127.", 0) == 0;
}

namespace {

// Every problem of a file goes into one report; unknown keys point at the documentation.
class Reader : public TomlReader {
 public:
  explicit Reader(std::string path)
      : TomlReader(std::move(path), "unknown key (check the spelling; see docs/configuration.md)") {}

  void read_ms(const toml::table& t, std::string_view where, std::string_view key, std::chrono::milliseconds& out) {
    std::int64_t ms = out.count();
    read_int(t, where, key, ms, 1, 24LL * 3600 * 1000);
    out = std::chrono::milliseconds(ms);
  }
};

bool is_hex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

bool is_url_safe_id(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

bool is_secret_reference(std::string_view s) {
  auto has = [&](std::string_view p) { return s.rfind(p, 0) == 0 && s.size() > p.size(); };
  return has("env:") || has("file:") || has("secret:");
}

std::string resolve_path(const std::string& base_dir, const std::string& p) {
  if (p.empty() || p.front() == '/') return p;
  return (std::filesystem::path(base_dir) / p).lexically_normal().string();
}

void read_client(Reader& r, const toml::table& t, const std::string& w, Tenant& tenant, std::set<std::string>& hashes) {
  r.known_keys(t, w, {"name", "key_sha256", "roles", "rate_per_second", "rate_burst"});
  ApiClient c;
  c.line = static_cast<int>(t.source().begin.line);
  r.read_string(t, w, "name", c.name, true);
  r.read_string(t, w, "key_sha256", c.key_sha256, true);
  if (!c.key_sha256.empty() && !is_hex64(c.key_sha256))
    r.problem(t.get("key_sha256"), w + ".key_sha256",
              "must be the SHA-256 of the key as 64 lowercase hex digits (printf %s KEY | sha256sum)");
  else if (!c.key_sha256.empty() && !hashes.insert(c.key_sha256).second)
    r.problem(t.get("key_sha256"), w + ".key_sha256", "the same key is configured twice");
  if (const toml::node* roles = t.get("roles")) {
    const toml::array* ra = roles->as_array();
    if (!ra || ra->empty()) {
      r.problem(roles, w + ".roles", "must be a non-empty array of role names");
    } else {
      for (const auto& rn : *ra) {
        auto s = rn.value<std::string>();
        auto role = s ? parse_role(*s) : std::nullopt;
        if (!role)
          r.problem(&rn, w + ".roles",
                    "unknown role '" + (s ? *s : std::string("?")) +
                        "' (one of submitter, eligibility, admin, auditor, registry_submitter)");
        else
          c.roles.push_back(*role);
      }
    }
  } else {
    r.problem(&t, w + ".roles", "is required");
  }
  double rate = -1, burst = -1;
  r.read_double(t, w, "rate_per_second", rate, 0.001, 1e6);
  r.read_double(t, w, "rate_burst", burst, 1, 1e7);
  if (rate > 0) c.rate_per_second = rate;
  if (burst > 0) c.rate_burst = burst;
  tenant.clients.push_back(std::move(c));
}

bool is_area_code(std::string_view s) {
  return !s.empty() && s.size() <= 13 && std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

// A facility reporting to a registry tenant (docs/registry.md).
void read_reporter(Reader& r, const toml::table& t, const std::string& w, const Config& c, Tenant& tenant) {
  r.known_keys(t, w, {"client_id", "client_secret", "facility", "area", "name"});
  RegistryReporter rep;
  rep.line = static_cast<int>(t.source().begin.line);
  r.read_string(t, w, "client_id", rep.client_id, true);
  r.read_string(t, w, "client_secret", rep.client_secret.ref, true);
  r.read_string(t, w, "facility", rep.facility, true);
  r.read_string(t, w, "area", rep.area, true);
  r.read_string(t, w, "name", rep.name);
  if (!rep.client_secret.ref.empty() && !is_secret_reference(rep.client_secret.ref))
    r.problem(t.get("client_secret"), w + ".client_secret",
              "must be a reference (env:NAME, file:/path or secret:NAME); secrets are never written inline");
  if (!rep.area.empty() && !is_area_code(rep.area))
    r.problem(t.get("area"), w + ".area", "must be a Kemendagri region code of digits only, e.g. \"3273\"");
  if (!rep.facility.empty() && !is_url_safe_id(rep.facility))
    r.problem(t.get("facility"), w + ".facility", "must be 1-64 characters of letters, digits, '-', '_' or '.'");
  auto clash = [&](const std::vector<RegistryReporter>& list) {
    for (const auto& o : list) {
      if (!rep.client_id.empty() && o.client_id == rep.client_id)
        r.problem(t.get("client_id"), w + ".client_id", "the same client_id is configured twice");
    }
  };
  for (const auto& other : c.tenants) clash(other.reporters);
  clash(tenant.reporters);
  for (const auto& o : tenant.reporters)
    if (!rep.facility.empty() && o.facility == rep.facility)
      r.problem(t.get("facility"), w + ".facility", "the same facility is configured twice");
  tenant.reporters.push_back(std::move(rep));
}

void read_tenant(Reader& r, const toml::table& t, const std::string& w, Config& c, std::set<std::string>& key_hashes) {
  r.known_keys(t, w,
               {"id", "kind", "name", "bpjs_provider_code", "satusehat_organization_id", "satusehat_location_id",
                "satusehat_location_name", "utc_offset_minutes", "destinations", "credentials", "clients",
                "registry_facility_id", "reporters"});
  Tenant tenant;
  tenant.line = static_cast<int>(t.source().begin.line);
  r.read_string(t, w, "id", tenant.id, true);
  if (!tenant.id.empty() && !is_url_safe_id(tenant.id))
    r.problem(t.get("id"), w + ".id", "must be 1-64 characters of letters, digits, '-', '_' or '.'");
  for (const auto& other : c.tenants)
    if (!tenant.id.empty() && other.id == tenant.id)
      r.problem(t.get("id"), w + ".id", "duplicate tenant id '" + tenant.id + "'");
  std::string kind;
  r.read_string(t, w, "kind", kind, true);
  if (auto k = value_of<TenantKind>(kTenantKindNames, kind))
    tenant.kind = *k;
  else if (!kind.empty())
    r.problem(t.get("kind"), w + ".kind", "expected one of rumah_sakit, puskesmas, registry, got \"" + kind + "\"");
  r.read_string(t, w, "name", tenant.name);
  r.read_string(t, w, "bpjs_provider_code", tenant.bpjs_provider_code);
  r.read_string(t, w, "satusehat_organization_id", tenant.satusehat_organization_id);
  r.read_string(t, w, "satusehat_location_id", tenant.satusehat_location_id);
  r.read_string(t, w, "satusehat_location_name", tenant.satusehat_location_name);
  r.read_int(t, w, "utc_offset_minutes", tenant.utc_offset_minutes, -720, 840);
  r.read_string(t, w, "registry_facility_id", tenant.registry_facility_id);
  if (const toml::node* ds = t.get("destinations")) {
    const toml::array* da = ds->as_array();
    if (!da) r.problem(ds, w + ".destinations", "must be an array such as [\"pcare\", \"satusehat\"]");
    for (std::size_t i = 0; da && i < da->size(); ++i) {
      auto d = (*da)[i].value<std::string>();
      if (!d || (*d != kDestinationPcare && *d != kDestinationSatusehat && *d != kDestinationRegistry))
        r.problem(&(*da)[i], w + ".destinations",
                  "unknown destination '" + (d ? *d : std::string("?")) + "' (one of pcare, satusehat, registry)");
      else if (!tenant.sends_to(*d))
        tenant.destinations.push_back(*d);
    }
  } else if (tenant.kind == TenantKind::puskesmas) {
    tenant.destinations = {std::string(kDestinationPcare), std::string(kDestinationSatusehat)};
  } else if (tenant.kind == TenantKind::rumah_sakit) {
    tenant.destinations = {std::string(kDestinationSatusehat)};
  }
  if (const toml::table* cred = r.table(t, w, "credentials")) {
    for (const auto& [k, v] : *cred) {
      const std::string kw = w + ".credentials." + std::string(k.str());
      auto s = v.value<std::string>();
      if (!s) {
        r.problem(&v, kw, "must be a string reference such as \"env:NAME\"");
      } else if (!is_secret_reference(*s)) {
        // Do not echo the value: it may be the secret itself.
        r.problem(&v, kw,
                  "must be a reference (env:NAME, file:/path or secret:NAME); secrets are never written "
                  "inline in the config file");
      } else {
        tenant.credentials[std::string(k.str())] = SecretRef{*s};
      }
    }
  }
  if (const toml::node* cl = t.get("clients")) {
    r.each_table(*cl, w + ".clients", "must be an array of tables ([[tenants.clients]])",
                 [&](const toml::table& ct, const std::string& cw) { read_client(r, ct, cw, tenant, key_hashes); });
  }
  if (const toml::node* rp = t.get("reporters")) {
    if (tenant.kind != TenantKind::registry)
      r.problem(rp, w + ".reporters", "only a tenant of kind \"registry\" has reporters");
    r.each_table(*rp, w + ".reporters", "must be an array of tables ([[tenants.reporters]])",
                 [&](const toml::table& rt, const std::string& rw) { read_reporter(r, rt, rw, c, tenant); });
  }
  c.tenants.push_back(std::move(tenant));
}

// The keys an [outbox] table and each [outbox.destinations.<name>] share.
void read_outbox_policy(Reader& r, const toml::table& t, const std::string& w, OutboxPolicy& p) {
  r.read_int(t, w, "concurrency", p.concurrency, 1, 10'000);
  r.read_ms(t, w, "send_timeout_ms", p.send_timeout);
  r.read_ms(t, w, "lease_margin_ms", p.lease_margin);
  r.read_ms(t, w, "backoff_base_ms", p.backoff_base);
  r.read_ms(t, w, "backoff_max_ms", p.backoff_max);
  if (p.backoff_max < p.backoff_base)
    r.problem(t.get("backoff_max_ms") ? t.get("backoff_max_ms") : &t, w + ".backoff_max_ms",
              "must not be below backoff_base_ms");
  std::string jitter = p.jitter == OutboxJitter::full ? "full" : "equal";
  r.read_string(t, w, "jitter", jitter);
  if (jitter == "full")
    p.jitter = OutboxJitter::full;
  else if (jitter == "equal")
    p.jitter = OutboxJitter::equal;
  else
    r.problem(t.get("jitter"), w + ".jitter", "must be \"full\" or \"equal\", got \"" + jitter + "\"");
  r.read_int(t, w, "max_attempts", p.max_attempts, 1, 1'000);
  std::int64_t age = p.max_age.count();
  r.read_int(t, w, "max_age_ms", age, 1'000, 90LL * 24 * 3600 * 1000);
  p.max_age = std::chrono::milliseconds(age);
  r.read_ms(t, w, "poll_interval_ms", p.poll_interval);
}

}  // namespace

Config load_config(const std::string& path) {
  const toml::table doc = parse_toml_file<ConfigError>(path);
  Reader r(path);
  Config c;
  c.path = path;
  const std::string base_dir = std::filesystem::path(path).parent_path().string();

  r.known_keys(doc, "",
               {"server", "limits", "store", "log", "secrets", "bpjs", "satusehat", "registry", "audit", "outbox",
                "tenants"});

  if (const toml::table* s = r.table(doc, "", "server")) {
    r.known_keys(*s, "server", {"listen", "threads", "tls_cert", "tls_key"});
    std::string listen;
    r.read_string(*s, "server", "listen", listen);
    if (!listen.empty() && !parse_host_port(listen, c.listen_address, c.listen_port))
      r.problem(s->get("listen"), "server.listen",
                "must be HOST:PORT, e.g. \"127.0.0.1:8080\", got \"" + listen + "\"");
    r.read_int(*s, "server", "threads", c.threads, 0, 256);
    r.read_string(*s, "server", "tls_cert", c.tls_cert_file);
    r.read_string(*s, "server", "tls_key", c.tls_key_file);
    if (c.tls_cert_file.empty() != c.tls_key_file.empty())
      r.problem(s, "server.tls_cert", "tls_cert and tls_key must be set together");
    c.tls_cert_file = resolve_path(base_dir, c.tls_cert_file);
    c.tls_key_file = resolve_path(base_dir, c.tls_key_file);
  }

  if (const toml::table* l = r.table(doc, "", "limits")) {
    r.known_keys(*l, "limits",
                 {"max_body_bytes", "max_header_bytes", "max_connections", "json_max_depth", "read_timeout_ms",
                  "write_timeout_ms", "idle_timeout_ms", "shutdown_grace_ms", "rate_per_second", "rate_burst"});
    r.read_int(*l, "limits", "max_body_bytes", c.limits.max_body_bytes, 1024, 1LL << 32);
    r.read_int(*l, "limits", "max_header_bytes", c.limits.max_header_bytes, 1024, 1 << 20);
    r.read_int(*l, "limits", "max_connections", c.limits.max_connections, 1, 1'000'000);
    r.read_int(*l, "limits", "json_max_depth", c.limits.json_max_depth, 8, 10'000);
    r.read_ms(*l, "limits", "read_timeout_ms", c.limits.read_timeout);
    r.read_ms(*l, "limits", "write_timeout_ms", c.limits.write_timeout);
    r.read_ms(*l, "limits", "idle_timeout_ms", c.limits.idle_timeout);
    r.read_ms(*l, "limits", "shutdown_grace_ms", c.limits.shutdown_grace);
    r.read_double(*l, "limits", "rate_per_second", c.limits.rate_per_second, 0.001, 1e6);
    r.read_double(*l, "limits", "rate_burst", c.limits.rate_burst, 1, 1e7);
  }

  if (const toml::table* s = r.table(doc, "", "store")) {
    r.known_keys(*s, "store", {"url", "busy_timeout_ms", "synchronous", "max_batch_size", "reader_connections"});
    r.read_string(*s, "store", "url", c.store_url);
    r.read_int(*s, "store", "busy_timeout_ms", c.store_busy_timeout_ms, 0, 600'000);
    r.read_string(*s, "store", "synchronous", c.store_synchronous);
    if (c.store_synchronous != "full" && c.store_synchronous != "normal")
      r.problem(s->get("synchronous"), "store.synchronous",
                "must be \"full\" (durable: every acknowledged write survives power loss) or \"normal\"");
    r.read_int(*s, "store", "max_batch_size", c.store_max_batch, 1, 100'000);
    r.read_int(*s, "store", "reader_connections", c.store_readers, 1, 64);
  }
  if (c.store_url.empty()) c.store_url = "simpul.db";
  if (c.store_url.rfind("postgresql://", 0) != 0 && c.store_url.rfind("postgres://", 0) != 0) {
    std::string p = c.store_url.rfind("sqlite:", 0) == 0 ? c.store_url.substr(7) : c.store_url;
    c.store_url = "sqlite:" + resolve_path(base_dir, p);
  }

  if (const toml::table* s = r.table(doc, "", "log")) {
    r.known_keys(*s, "log", {"level", "file"});
    r.read_string(*s, "log", "level", c.log_level);
    if (c.log_level != "debug" && c.log_level != "info" && c.log_level != "warn" && c.log_level != "error")
      r.problem(s->get("level"), "log.level", "must be one of debug, info, warn, error, got \"" + c.log_level + "\"");
    r.read_string(*s, "log", "file", c.log_file);
    c.log_file = resolve_path(base_dir, c.log_file);
  }

  if (const toml::table* s = r.table(doc, "", "secrets")) {
    r.known_keys(*s, "secrets", {"file"});
    r.read_string(*s, "secrets", "file", c.secrets_file);
    c.secrets_file = resolve_path(base_dir, c.secrets_file);
  }

  if (const toml::table* s = r.table(doc, "", "bpjs")) {
    r.known_keys(*s, "bpjs",
                 {"endpoint", "read_timeout_ms", "write_timeout_ms", "connect_timeout_ms", "ca_bundle", "proxy",
                  "max_concurrent", "rate_per_second", "max_waiting", "max_connections", "reference_ttl_ms",
                  "reference_empty_ttl_ms"});
    r.read_string(*s, "bpjs", "endpoint", c.bpjs.endpoint);
    const std::string& e = c.bpjs.endpoint;
    if (e != "simulator" && e != "development" && e != "production" && e.rfind("https://", 0) != 0 &&
        e.rfind("http://", 0) != 0)
      r.problem(s->get("endpoint"), "bpjs.endpoint",
                "must be \"simulator\", \"development\", \"production\" or an origin like "
                "\"https://proxy.rs.local:8443\", got \"" + e + "\"");
    r.read_ms(*s, "bpjs", "read_timeout_ms", c.bpjs.read_timeout);
    r.read_ms(*s, "bpjs", "write_timeout_ms", c.bpjs.write_timeout);
    r.read_ms(*s, "bpjs", "connect_timeout_ms", c.bpjs.connect_timeout);
    r.read_string(*s, "bpjs", "ca_bundle", c.bpjs.ca_bundle);
    c.bpjs.ca_bundle = resolve_path(base_dir, c.bpjs.ca_bundle);
    r.read_string(*s, "bpjs", "proxy", c.bpjs.proxy);
    r.read_int(*s, "bpjs", "max_concurrent", c.bpjs.max_concurrent, 1, 100'000);
    r.read_double(*s, "bpjs", "rate_per_second", c.bpjs.rate_per_second, 0, 1e6);
    r.read_int(*s, "bpjs", "max_waiting", c.bpjs.max_waiting, 0, 1'000'000);
    r.read_int(*s, "bpjs", "max_connections", c.bpjs.max_connections, 1, 100'000);
    constexpr std::int64_t kThirtyDaysMs = 30LL * 24 * 3600 * 1000;
    std::int64_t ttl = c.bpjs.reference_ttl.count();
    r.read_int(*s, "bpjs", "reference_ttl_ms", ttl, 1000, kThirtyDaysMs);
    c.bpjs.reference_ttl = std::chrono::milliseconds(ttl);
    std::int64_t empty_ttl = c.bpjs.reference_empty_ttl.count();
    r.read_int(*s, "bpjs", "reference_empty_ttl_ms", empty_ttl, 1000, kThirtyDaysMs);
    c.bpjs.reference_empty_ttl = std::chrono::milliseconds(empty_ttl);
  }

  if (const toml::table* s = r.table(doc, "", "satusehat")) {
    r.known_keys(*s, "satusehat",
                 {"endpoint", "read_timeout_ms", "write_timeout_ms", "refresh_early_ms", "ihs_cache_ttl_ms", "ca_bundle",
                  "max_connections"});
    r.read_string(*s, "satusehat", "endpoint", c.satusehat.endpoint);
    const std::string& e = c.satusehat.endpoint;
    if (e != "simulator" && e != "development" && e != "staging" && e != "production" &&
        e.rfind("https://", 0) != 0 && e.rfind("http://", 0) != 0)
      r.problem(s->get("endpoint"), "satusehat.endpoint",
                "must be \"simulator\", \"development\", \"staging\", \"production\" or an origin like "
                "\"https://proxy.rs.local:8443\", got \"" + e + "\"");
    r.read_ms(*s, "satusehat", "read_timeout_ms", c.satusehat.read_timeout);
    r.read_ms(*s, "satusehat", "write_timeout_ms", c.satusehat.write_timeout);
    r.read_ms(*s, "satusehat", "refresh_early_ms", c.satusehat.refresh_early);
    r.read_ms(*s, "satusehat", "ihs_cache_ttl_ms", c.satusehat.ihs_cache_ttl);
    r.read_string(*s, "satusehat", "ca_bundle", c.satusehat.ca_bundle);
    if (!c.satusehat.ca_bundle.empty()) c.satusehat.ca_bundle = resolve_path(base_dir, c.satusehat.ca_bundle);
    r.read_int(*s, "satusehat", "max_connections", c.satusehat.max_connections, 1, 100'000);
  }

  if (const toml::table* s = r.table(doc, "", "registry")) {
    r.known_keys(*s, "registry",
                 {"endpoint", "auth_path", "fhir_path", "read_timeout_ms", "write_timeout_ms", "refresh_early_ms",
                  "ca_bundle", "max_connections"});
    r.read_string(*s, "registry", "endpoint", c.registry.endpoint, true);
    const std::string& e = c.registry.endpoint;
    if (!e.empty() && e.rfind("https://", 0) != 0 && e.rfind("http://", 0) != 0)
      r.problem(s->get("endpoint"), "registry.endpoint",
                "must be an origin like \"https://dinkes.example.go.id\", got \"" + e + "\"");
    for (auto [key, out] : {std::pair<const char*, std::string*>{"auth_path", &c.registry.auth_path},
                            std::pair<const char*, std::string*>{"fhir_path", &c.registry.fhir_path}}) {
      r.read_string(*s, "registry", key, *out);
      if (out->empty() || out->front() != '/')
        r.problem(s->get(key), std::string("registry.") + key, "must be a path starting with '/'");
      while (out->size() > 1 && out->back() == '/') out->pop_back();
    }
    r.read_ms(*s, "registry", "read_timeout_ms", c.registry.read_timeout);
    r.read_ms(*s, "registry", "write_timeout_ms", c.registry.write_timeout);
    r.read_ms(*s, "registry", "refresh_early_ms", c.registry.refresh_early);
    r.read_string(*s, "registry", "ca_bundle", c.registry.ca_bundle);
    if (!c.registry.ca_bundle.empty()) c.registry.ca_bundle = resolve_path(base_dir, c.registry.ca_bundle);
    r.read_int(*s, "registry", "max_connections", c.registry.max_connections, 1, 100'000);
  }

  if (const toml::table* s = r.table(doc, "", "audit")) {
    r.known_keys(*s, "audit", {"master_key", "signing_key", "head_interval_ms", "head_every"});
    c.audit.line = static_cast<int>(s->source().begin.line);
    for (auto [key, ref] : {std::pair<const char*, SecretRef*>{"master_key", &c.audit.master_key},
                            std::pair<const char*, SecretRef*>{"signing_key", &c.audit.signing_key}}) {
      r.read_string(*s, "audit", key, ref->ref);
      if (!ref->ref.empty() && !is_secret_reference(ref->ref))
        r.problem(s->get(key), std::string("audit.") + key,
                  "must be a reference (env:NAME, file:/path or secret:NAME); keys are never written in the file");
    }
    r.read_ms(*s, "audit", "head_interval_ms", c.audit.head_interval);
    if (c.audit.head_interval.count() < 10)
      r.problem(s->get("head_interval_ms"), "audit.head_interval_ms", "must be at least 10");
    r.read_int(*s, "audit", "head_every", c.audit.head_every, 1, 100'000'000);
  }

  if (const toml::table* s = r.table(doc, "", "outbox")) {
    r.known_keys(*s, "outbox",
                 {"concurrency", "send_timeout_ms", "lease_margin_ms", "backoff_base_ms", "backoff_max_ms", "jitter",
                  "max_attempts", "max_age_ms", "poll_interval_ms", "metrics_interval_ms", "destinations"});
    read_outbox_policy(r, *s, "outbox", c.outbox.defaults);
    r.read_ms(*s, "outbox", "metrics_interval_ms", c.outbox.metrics_interval);
    if (const toml::table* ds = r.table(*s, "outbox", "destinations")) {
      for (const auto& [name, node] : *ds) {
        const std::string w = "outbox.destinations." + std::string(name.str());
        const toml::table* dt = node.as_table();
        if (!dt) {
          r.problem(&node, w, "must be a table ([" + w + "])");
          continue;
        }
        r.known_keys(*dt, w,
                     {"concurrency", "send_timeout_ms", "lease_margin_ms", "backoff_base_ms", "backoff_max_ms",
                      "jitter", "max_attempts", "max_age_ms", "poll_interval_ms"});
        OutboxPolicy p = c.outbox.defaults;  // a destination overrides only what it names
        read_outbox_policy(r, *dt, w, p);
        c.outbox.destinations[std::string(name.str())] = p;
      }
    }
  }

  std::set<std::string> key_hashes;
  if (const toml::node* tn = doc.get("tenants")) {
    r.each_table(*tn, "tenants", "must be an array of tables ([[tenants]])",
                 [&](const toml::table& t, const std::string& w) { read_tenant(r, t, w, c, key_hashes); });
  }

  if (c.registry.endpoint.empty())
    for (const auto& t : c.tenants)
      if (t.sends_to(kDestinationRegistry))
        r.problem(&doc, "tenants." + t.id + ".destinations",
                  "routes to \"registry\" but no [registry] endpoint is configured");

  r.throw_problems<ConfigError>();
  return c;
}

std::string resolve_secret(const Config& config, const SecretRef& ref) {
  const std::string& s = ref.ref;
  if (s.rfind("env:", 0) == 0) {
    const char* v = std::getenv(s.c_str() + 4);
    if (!v || !*v) throw ConfigError("secret " + s + ": environment variable is not set");
    return v;
  }
  if (s.rfind("file:", 0) == 0) {
    std::ifstream f(s.substr(5), std::ios::binary);
    if (!f) throw ConfigError("secret " + s + ": cannot read the file");
    std::string v((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    while (!v.empty() && (v.back() == '\n' || v.back() == '\r')) v.pop_back();
    return v;
  }
  if (s.rfind("secret:", 0) == 0) {
    if (config.secrets_file.empty()) throw ConfigError("secret " + s + ": no [secrets] file is configured");
    std::ifstream f(config.secrets_file);
    if (!f) throw ConfigError("secret " + s + ": cannot read the secrets file " + config.secrets_file);
    const std::string name = s.substr(7);
    std::string line;
    while (std::getline(f, line)) {
      if (line.empty() || line[0] == '#') continue;
      const auto eq = line.find('=');
      if (eq != std::string::npos && line.substr(0, eq) == name) return line.substr(eq + 1);
    }
    throw ConfigError("secret " + s + ": not found in the secrets file " + config.secrets_file);
  }
  throw ConfigError("secret reference '" + s + "' is not env:, file: or secret:");
}

}  // namespace simpul::adapter
