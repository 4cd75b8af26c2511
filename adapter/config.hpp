#pragma once
// Simpul's one configuration file (TOML, see docs/configuration.md) as typed structs.
//
// Secrets never live in the file: credential fields hold *references*
// (`env:NAME`, `file:/path`, `secret:NAME` from the secrets file) that are
// resolved when a connector needs them. Every load error names the file, the
// line and the key.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace simpul::adapter {

// Jenis fasilitas: the kind of facility a tenant is.
enum class TenantKind { rumah_sakit /* hospital */, puskesmas /* community health centre */, registry };
std::string_view to_string(TenantKind);

enum class Role { submitter, eligibility, admin, auditor, registry_submitter };
std::string_view to_string(Role);
std::optional<Role> parse_role(std::string_view);

// An API client of one tenant: the key is stored as the SHA-256 of the token.
struct ApiClient {
  std::string name;
  std::string key_sha256;  // 64 lowercase hex digits
  std::vector<Role> roles;
  std::optional<double> rate_per_second;  // overrides [limits] when set
  std::optional<double> rate_burst;
  int line = 0;  // where it was declared, for messages

  bool has(Role r) const;
};

// A reference to a secret: "env:NAME", "file:/path" or "secret:NAME".
struct SecretRef {
  std::string ref;
  bool empty() const { return ref.empty(); }
};

// A facility reporting to a registry tenant: its OAuth2 client (client_credentials at
// /registry/oauth2/v1/accesstoken), the organization id it must report as, and its area
// (Kemendagri region code, digits only: province "32", district "3273").
struct RegistryReporter {
  std::string client_id;
  SecretRef client_secret;
  std::string facility;  // Organization id: MeasureReport.reporter must be "Organization/<facility>"
  std::string area;
  std::string name;
  int line = 0;
};

struct Tenant {
  std::string id;  // URL-safe, unique
  TenantKind kind = TenantKind::puskesmas;
  std::string name;
  std::string bpjs_provider_code;         // kode PPK / kdProvider (BPJS facility code)
  std::string satusehat_organization_id;  // SATUSEHAT Organization id of the facility
  std::map<std::string, SecretRef> credentials;  // e.g. bpjs_cons_id -> env:RS_CONS_ID
  std::vector<ApiClient> clients;
  // Where a pushed encounter (POST /fhir) goes: "pcare", "satusehat". Default by kind:
  // puskesmas -> both, rumah_sakit -> satusehat, registry -> none (docs/operations.md).
  std::vector<std::string> destinations;
  std::string satusehat_location_id;    // Location (IHS) id for encounters that name none
  std::string satusehat_location_name;
  int utc_offset_minutes = 420;         // the facility's zone: WIB 420, WITA 480, WIT 540
  // Facility side: this facility's id at the registry (MeasureReport.reporter
  // "Organization/<id>"); empty = satusehat_organization_id (docs/registry.md).
  std::string registry_facility_id;
  // Registry side (kind = registry): the facilities that report here (docs/registry.md).
  std::vector<RegistryReporter> reporters;
  int line = 0;

  // The id this facility reports under to the registry.
  const std::string& registry_reporter_id() const {
    return registry_facility_id.empty() ? satusehat_organization_id : registry_facility_id;
  }

  bool sends_to(std::string_view destination) const;
};

// The outbox destinations POST /fhir can route to.
inline constexpr std::string_view kDestinationPcare = "pcare";
inline constexpr std::string_view kDestinationSatusehat = "satusehat";
inline constexpr std::string_view kDestinationRegistry = "registry";  // MeasureReports (POST /fhir/MeasureReport)

struct Limits {
  std::uint64_t max_body_bytes = 8ull << 20;
  std::size_t max_header_bytes = 16 << 10;
  std::size_t max_connections = 10'000;
  std::size_t json_max_depth = 100;
  std::chrono::milliseconds read_timeout{30'000};
  std::chrono::milliseconds write_timeout{30'000};
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds shutdown_grace{15'000};
  double rate_per_second = 100;  // per API client, token bucket
  double rate_burst = 200;
};

// Where BPJS is (docs/configuration.md, [bpjs]).
struct BpjsSettings {
  // "simulator": the built-in BPJS simulator, started in-process on loopback (demo, tests);
  // "development" / "production": BPJS's published base URLs (bpjs-api.md §1);
  // an origin "https://host[:port]": the production paths under that origin (a proxy, a test double).
  std::string endpoint = "production";
  std::chrono::milliseconds read_timeout{10'000};   // GET, per attempt
  std::chrono::milliseconds write_timeout{20'000};  // SEP insert/update/delete
  std::chrono::milliseconds connect_timeout{5'000};
  std::string ca_bundle;  // PEM file of trusted CAs; empty = the system store
  std::string proxy;      // forward proxy URL; empty = none (the environment's proxy variables are ignored)
  // Per BPJS consumer (consId): calls in flight at once, calls per second (0 = no
  // limit) and calls allowed to wait for a slot (beyond: 503 + Retry-After at once).
  // BPJS does not publish its limits; the defaults are gentle.
  std::size_t max_concurrent = 8;
  double rate_per_second = 0;
  std::size_t max_waiting = 1024;
  std::size_t max_connections = 32;  // open connections per BPJS host (HTTP/1.1 keep-alive pool)
  // V-Claim reference data (poli, diagnoses, facilities, DPJP, regions) is cached in the
  // store: fresh for reference_ttl, refreshed in the background after; a "not found"
  // answer is cached for the shorter of the two.
  std::chrono::milliseconds reference_ttl{std::chrono::hours(24)};
  std::chrono::milliseconds reference_empty_ttl{std::chrono::hours(1)};
};

// Where SATUSEHAT is (docs/configuration.md, [satusehat]).
struct SatusehatSettings {
  // "simulator": the built-in SATUSEHAT simulator on a loopback port (demo, tests);
  // "development" / "staging" / "production": Kemenkes's published hosts (satusehat-api.md §1.2);
  // an origin "https://host[:port]": /oauth2/v1 and /fhir-r4/v1 under it (a proxy, a test double).
  std::string endpoint = "production";
  std::chrono::milliseconds read_timeout{10'000};
  std::chrono::milliseconds write_timeout{30'000};
  std::chrono::milliseconds refresh_early{300'000};          // tokens are renewed this long before expiry
  std::chrono::milliseconds ihs_cache_ttl{24 * 3'600'000};   // NIK -> IHS id lookups kept this long
  std::string ca_bundle;  // PEM file of trusted CAs; empty = the system store
  std::size_t max_connections = 32;  // open connections to the SATUSEHAT host (HTTP/1.1 keep-alive pool)
};

// Where this facility's registry is (docs/registry.md, [registry]): a SATUSEHAT-style
// endpoint, OAuth2 client credentials at {endpoint}{auth_path}/accesstoken, FHIR at
// {endpoint}{fhir_path}. The defaults are a Simpul in registry role.
struct RegistrySettings {
  std::string endpoint;  // origin "https://dinkes.example.go.id"; empty = no registry
  std::string auth_path = "/registry/oauth2/v1";
  std::string fhir_path = "/registry/fhir";
  std::chrono::milliseconds read_timeout{10'000};
  std::chrono::milliseconds write_timeout{30'000};
  std::chrono::milliseconds refresh_early{300'000};
  std::string ca_bundle;
  std::size_t max_connections = 8;
};

// The audit trail (docs/pdp.md, [audit]).
struct AuditSettings {
  // 32 bytes (64 hex digits, or a 32-byte key file) from which every tenant's
  // pseudonymisation and encryption keys are derived. Required by `simpul serve`.
  SecretRef master_key;
  // PEM Ed25519 private key signing the tree heads; empty = audit-signing-key.pem next to
  // the SQLite store, generated on first start.
  SecretRef signing_key;
  std::chrono::milliseconds head_interval{10'000};  // a signed head at least this often (when the tree grew)
  std::uint64_t head_every = 10'000;                // ... or after this many records
  int line = 0;                                     // where [audit] is, for messages
};

// How the outbox delivers to one destination (docs/configuration.md, [outbox]).
enum class OutboxJitter { full, equal };
struct OutboxPolicy {
  std::size_t concurrency = 4;                      // attempts in flight at once (per destination)
  std::chrono::milliseconds send_timeout{30'000};   // one attempt; past it the outcome is unknown
  std::chrono::milliseconds lease_margin{15'000};   // lease = 2 * send_timeout + lease_margin
  std::chrono::milliseconds backoff_base{2'000};    // delay after the first failure
  std::chrono::milliseconds backoff_max{900'000};   // delays double up to this
  OutboxJitter jitter = OutboxJitter::full;
  int max_attempts = 15;                            // then dead
  std::chrono::milliseconds max_age{std::chrono::hours(72)};  // failing past this age: dead
  std::chrono::milliseconds poll_interval{1'000};   // looking for due work when idle
};
struct OutboxSettings {
  OutboxPolicy defaults;
  std::map<std::string, OutboxPolicy> destinations;  // [outbox.destinations.<name>] overrides
  std::chrono::milliseconds metrics_interval{15'000};  // queue depth gauges refreshed this often
  const OutboxPolicy& policy(std::string_view destination) const;
};

struct Config {
  std::string path;  // the file it came from
  std::string listen_address = "127.0.0.1";
  std::uint16_t listen_port = 8080;
  unsigned threads = 0;  // 0 = one per core
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string store_url;  // resolved against the config file's directory
  int store_busy_timeout_ms = 5000;
  std::string store_synchronous = "full";  // SQLite: full | normal (normal risks the last commits on power loss)
  std::size_t store_max_batch = 256;       // group commit: jobs per transaction at most
  std::size_t store_readers = 4;           // reader connections
  std::string log_level = "info";
  std::string log_file;  // empty = stderr
  std::string secrets_file;
  Limits limits;
  BpjsSettings bpjs;
  SatusehatSettings satusehat;
  RegistrySettings registry;
  AuditSettings audit;
  OutboxSettings outbox;
  std::vector<Tenant> tenants;

  const Tenant* tenant(std::string_view id) const;
};

// A problem in the file: "config/demo.toml:12: tenants[0].kind: expected ...".
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Loads and validates the whole file; throws ConfigError listing every problem found
// (one per line).
Config load_config(const std::string& path);

// Resolves a secret reference. Throws ConfigError naming the reference (never the value).
std::string resolve_secret(const Config& config, const SecretRef& ref);

// "HOST:PORT" (HOST may be "[v6]"; "localhost" becomes 127.0.0.1). On success sets both and
// returns true; otherwise leaves them alone.
bool parse_host_port(const std::string& text, std::string& host, std::uint16_t& port);

// True when the address is loopback (127.0.0.0/8, ::1, localhost).
bool is_loopback_address(std::string_view address);

}  // namespace simpul::adapter
