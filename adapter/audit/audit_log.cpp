#include "adapter/audit/audit_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "adapter/audit/record_format.hpp"
#include "adapter/config.hpp"
#include "connectors/observability/log.hpp"
#include "connectors/observability/metrics.hpp"

namespace simpul::adapter::audit {

namespace obs = connectors::obs;

namespace {

constexpr std::string_view kHkdfSalt = "simpul-audit-v1";
constexpr std::size_t kLeafPage = 10'000;

std::string_view kind_name(SubjectKind kind) {
  switch (kind) {
    case SubjectKind::nik:
      return "nik";
    case SubjectKind::no_kartu:
      return "no_kartu";
    case SubjectKind::none:
      break;
  }
  return "none";
}

std::string read_whole(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// Writes `text` to a new file readable by the owner only; false if it exists already.
bool write_new_private_file(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  const bool ok = done == text.size() && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) {
    ::unlink(path.c_str());
    throw ConfigError("[audit]: cannot write the generated signing key to " + path);
  }
  return true;
}

}  // namespace

// ---------------------------------------------------------------- configuration

std::optional<std::string> parse_master_key(std::string_view text) {
  if (text.size() == 32) return std::string(text);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  if (text.size() == 64) return from_hex(text);
  return std::nullopt;
}

std::string default_signing_key_path(const Config& config) {
  if (config.store_url.rfind("sqlite:", 0) != 0) return {};
  const std::filesystem::path db(config.store_url.substr(7));
  const std::filesystem::path dir = db.parent_path().empty() ? std::filesystem::path(".") : db.parent_path();
  return (dir / "audit-signing-key.pem").string();
}

std::string signing_key_pem(const Config& config, bool create) {
  const std::string where = config.path + ": [audit] ";
  std::string pem;
  if (!config.audit.signing_key.empty()) {
    pem = resolve_secret(config, config.audit.signing_key);
    try {
      (void)SigningKey::from_pem(pem);
    } catch (const std::exception& e) {
      throw ConfigError(where + "signing_key " + config.audit.signing_key.ref + ": " + e.what());
    }
  } else {
    const std::string path = default_signing_key_path(config);
    if (path.empty()) throw ConfigError(where + "signing_key is not set (required when the store is not SQLite)");
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      if (!create) throw ConfigError(where + "no signing_key configured and " + path + " does not exist");
      const SigningKey fresh = SigningKey::generate();
      if (write_new_private_file(path, fresh.private_pem())) {
        obs::log_always(obs::Level::warn, "audit signing key generated",
                        {{"path", path},
                         {"key_id", fresh.key_id()},
                         {"hint", "back it up and give its public key to your witness (docs/pdp.md)"}});
      }
    }
    pem = read_whole(path);
    try {
      (void)SigningKey::from_pem(pem);
    } catch (const std::exception& e) {
      throw ConfigError(where + "signing key file " + path + ": " + e.what());
    }
  }
  return pem;
}

AuditLogOptions audit_options(const Config& config, bool create_signing_key) {
  AuditLogOptions o;
  o.head_interval = config.audit.head_interval;
  o.head_every = config.audit.head_every;
  const std::string where = config.path + ": [audit] ";
  if (config.audit.master_key.empty()) {
    throw ConfigError(where +
                      "master_key is not set: the audit trail needs a 32-byte key reference, e.g. master_key = "
                      "\"env:SIMPUL_AUDIT_KEY\" with 64 hex digits in that variable (openssl rand -hex 32); see "
                      "docs/pdp.md");
  }
  const std::string master = resolve_secret(config, config.audit.master_key);
  auto key = parse_master_key(master);
  if (!key) {
    throw ConfigError(where + "master_key " + config.audit.master_key.ref +
                      ": must be 64 hex digits (or a file of exactly 32 bytes)");
  }
  o.master_key = std::move(*key);

  o.signing_key_pem = signing_key_pem(config, create_signing_key);
  return o;
}

// ---------------------------------------------------------------- AuditLog

AuditLog::AuditLog(store::Store& store, AuditLogOptions options)
    : store_(store), options_(std::move(options)), signer_(SigningKey::from_pem(options_.signing_key_pem)) {
  if (options_.master_key.size() != 32) throw std::invalid_argument("audit: the master key must be 32 bytes");
  if (options_.head_every == 0) options_.head_every = 1;
  if (options_.head_interval.count() <= 0) options_.head_interval = std::chrono::milliseconds(10'000);
  hasher_ = [](const store::AuditRecord& r) { return record_leaf_hash(r); };
  if (options_.metrics) {
    failures_metric_ = &options_.metrics->counter("simpul_audit_failures_total",
                                                  "Audit records that could not be stored (see the log).");
    records_metric_ = &options_.metrics->counter("simpul_audit_records_total", "Audit records stored.");
  }
  for (std::string& t : store_.audit_tenants()) tenants_.insert(std::move(t));
  head_thread_ = std::thread([this] { head_loop(); });
}

AuditLog::~AuditLog() {
  close();
}

store::UnixMillis AuditLog::now() const {
  return options_.clock ? options_.clock() : store::system_clock_millis();
}

const AuditLog::TenantKeys& AuditLog::keys_for(std::string_view tenant) const {
  std::lock_guard lock(keys_mutex_);
  auto it = keys_.find(std::string(tenant));
  if (it != keys_.end()) return *it->second;
  auto keys = std::make_unique<TenantKeys>();
  keys->pseudonym = hkdf_sha256(options_.master_key, kHkdfSalt, "pseudonym:" + std::string(tenant), 32);
  keys->encryption = hkdf_sha256(options_.master_key, kHkdfSalt, "encryption:" + std::string(tenant), 32);
  return *keys_.emplace(std::string(tenant), std::move(keys)).first->second;
}

std::string AuditLog::pseudonym(std::string_view tenant, SubjectKind kind, std::string_view identifier) const {
  std::string message(kind_name(kind));
  message.push_back(':');
  message.append(identifier);
  return to_hex(hmac_sha256(keys_for(tenant).pseudonym, message));
}

std::optional<std::string> AuditLog::decrypt_subject(std::string_view tenant, std::string_view ciphertext) const {
  return aes256gcm_open(keys_for(tenant).encryption, ciphertext, tenant);
}

void AuditLog::record(AuditEntry entry) noexcept {
  std::string tenant, event;
  bool submitted = false;
  try {
    tenant = entry.tenant.empty() ? std::string(kNoTenant) : std::move(entry.tenant);
    event = entry.event.empty() ? std::string("unspecified") : std::move(entry.event);
    store::AuditRecord r;
    r.tenant = tenant;
    r.actor = entry.actor.empty() ? std::string("anonymous") : std::move(entry.actor);
    r.action = std::string(to_code(entry.action));
    r.purpose = std::string(to_code(entry.purpose));
    r.event = event;
    r.resource_type = std::move(entry.resource_type);
    r.resource_id = std::move(entry.resource_id);
    if (entry.subject_kind != SubjectKind::none && !entry.subject.empty()) {
      r.subject_pseudonym = pseudonym(tenant, entry.subject_kind, entry.subject);
      r.subject_ciphertext = aes256gcm_seal(keys_for(tenant).encryption, entry.subject, tenant);
    }
    r.destination = std::move(entry.destination);
    r.outcome = entry.outcome.empty() ? std::string("unknown") : std::move(entry.outcome);
    r.request_id = std::move(entry.request_id);
    {
      std::lock_guard lock(mutex_);
      ++pending_;
      if (!tenants_.contains(tenant)) tenants_.insert(tenant);
    }
    submitted = true;
    std::vector<store::AuditRecord> records;
    records.push_back(std::move(r));
    store_.append_audit(std::move(records), hasher_,
                        [this, tenant, event](std::exception_ptr error, std::vector<store::AuditRecord> stored) {
                          appended(error, stored.size(), tenant, event);
                        });
  } catch (const std::exception& e) {
    // The store calls its completion whatever happens once the job is handed over.
    if (!submitted) failed(tenant, event, e.what());
  } catch (...) {
    if (!submitted) failed(tenant, event, "unknown error");
  }
}

void AuditLog::appended(std::exception_ptr error, std::size_t count, const std::string& tenant,
                        const std::string& event) {
  if (error) {
    std::string why = "unknown error";
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      why = e.what();
    } catch (...) {
    }
    failed(tenant, event, why);
  } else if (records_metric_) {
    records_metric_->inc(count);
  }
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (!error) since_head_ += count;
    wake = since_head_ >= options_.head_every;
    if (pending_ > 0) --pending_;
    if (pending_ == 0) drained_.notify_all();
  }
  if (wake) wake_heads_.notify_one();
}

void AuditLog::failed(std::string_view tenant, std::string_view event, std::string_view why) noexcept {
  failures_.fetch_add(1);
  if (failures_metric_) failures_metric_->inc();
  // At most one line a second: a broken disk must not flood the log. Never the subject.
  const auto t = store::system_clock_millis();
  auto last = last_failure_log_.load();
  if (t - last < 1000 || !last_failure_log_.compare_exchange_strong(last, t)) return;
  try {
    obs::log(obs::Level::error, "audit record not stored",
             {{"tenant", tenant}, {"event", event}, {"error", why}, {"failures_total", failures_.load()}});
  } catch (...) {
  }
}

void AuditLog::flush() {
  std::unique_lock lock(mutex_);
  drained_.wait(lock, [&] { return pending_ == 0; });
}

bool AuditLog::extend(const std::string& tenant, Tree& t) {
  for (;;) {
    const auto leaves = store_.read_audit_leaves(tenant, static_cast<std::int64_t>(t.tree.size()) + 1, kLeafPage);
    for (const auto& leaf : leaves) {
      const auto expected = static_cast<std::int64_t>(t.tree.size()) + 1;
      if (leaf.seq != expected || leaf.leaf_hash.size() != 32) {
        obs::log(obs::Level::error, "audit trail is not continuous; no more tree heads for this tenant",
                 {{"tenant", tenant},
                  {"expected_seq", expected},
                  {"found_seq", leaf.seq},
                  {"hint", "run simpul audit verify"}});
        t.broken = true;
        return false;
      }
      t.tree.push(leaf.leaf_hash);
      if (static_cast<std::int64_t>(t.tree.size()) == t.head_size && !t.head_root.empty() &&
          t.tree.root() != t.head_root) {
        obs::log(obs::Level::error, "audit trail does not match its signed tree head; no more tree heads",
                 {{"tenant", tenant}, {"tree_size", t.head_size}, {"hint", "run simpul audit verify"}});
        t.broken = true;
        return false;
      }
    }
    if (leaves.size() < kLeafPage) return true;
  }
}

std::size_t AuditLog::write_heads() {
  std::set<std::string> tenants;
  {
    std::lock_guard lock(mutex_);
    tenants = tenants_;
    since_head_ = 0;
  }
  std::lock_guard heads_lock(heads_mutex_);
  std::size_t written = 0;
  for (const std::string& tenant : tenants) {
    auto [it, fresh] = trees_.try_emplace(tenant);
    Tree& t = it->second;
    if (fresh) {
      if (auto head = store_.latest_tree_head(tenant)) {
        t.head_size = head->tree_size;
        t.head_root = head->root_hash;
      }
    }
    if (t.broken || !extend(tenant, t)) continue;
    const auto size = static_cast<std::int64_t>(t.tree.size());
    if (size <= t.head_size) continue;
    store::AuditTreeHead head;
    head.tenant = tenant;
    head.tree_size = size;
    head.root_hash = t.tree.root();
    head.signed_at = now();
    head.key_id = signer_.key_id();
    head.signature = signer_.sign(head_bytes(tenant, size, head.root_hash, head.signed_at));
    store_.put_tree_head(head);
    t.head_size = size;
    t.head_root = std::move(head.root_hash);
    ++written;
  }
  return written;
}

void AuditLog::head_loop() {
  std::unique_lock lock(mutex_);
  auto deadline = std::chrono::steady_clock::now();  // first round at once: rebuild the trees
  while (!stopping_) {
    wake_heads_.wait_until(lock, deadline, [&] {
      return stopping_ || since_head_ >= options_.head_every || std::chrono::steady_clock::now() >= deadline;
    });
    if (stopping_) break;
    lock.unlock();
    try {
      write_heads();
    } catch (const std::exception& e) {
      obs::log(obs::Level::error, "audit tree heads not written", {{"error", e.what()}});
    }
    lock.lock();
    deadline = std::chrono::steady_clock::now() + options_.head_interval;
  }
}

void AuditLog::close() noexcept {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    closed_ = true;
  }
  try {
    flush();
  } catch (...) {
  }
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_heads_.notify_all();
  if (head_thread_.joinable()) head_thread_.join();
  try {
    write_heads();
  } catch (const std::exception& e) {
    obs::log(obs::Level::error, "audit tree heads not written at shutdown", {{"error", e.what()}});
  } catch (...) {
  }
}

}  // namespace simpul::adapter::audit
