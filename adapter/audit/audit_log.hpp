#pragma once
// AuditLog: the Recorder behind every processing path (adapter/audit/audit.hpp).
//
// record() pseudonymises and encrypts the data subject on the caller's thread, then hands
// the record to the store's group-commit writer, which gives it the tenant's next seq and
// its RFC 6962 leaf hash inside the transaction (adapter/audit/record_format.hpp). A
// background thread folds the durable leaves into each tenant's Merkle tree and writes a
// signed tree head (Ed25519) every head_interval or head_every records, whichever comes
// first, when the tree grew; close() writes the last heads. docs/pdp.md has the details.
//
// Keys: a 32-byte master key; per tenant, HKDF-SHA256 derives
//   pseudonym key  = HKDF(master, salt "simpul-audit-v1", info "pseudonym:"  + tenant, 32)
//   encryption key = HKDF(master, salt "simpul-audit-v1", info "encryption:" + tenant, 32)
// subject_pseudonym  = hex(HMAC-SHA256(pseudonym key, kind + ":" + identifier)), kind "nik" | "no_kartu"
// subject_ciphertext = AES-256-GCM(encryption key, identifier, AAD = tenant): nonce(12) || ciphertext || tag(16)
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "adapter/audit/audit.hpp"
#include "adapter/audit/crypto.hpp"
#include "adapter/audit/merkle.hpp"
#include "adapter/store/store.hpp"

namespace simpul::adapter {
struct Config;
}
namespace simpul::connectors::obs {
class Registry;
class Counter;
}  // namespace simpul::connectors::obs

namespace simpul::adapter::audit {

// The tenant recorded for failures before a tenant is known (AuditEntry::tenant ""):
// not a valid tenant id, so it never collides with one.
inline constexpr std::string_view kNoTenant = "(none)";

struct AuditLogOptions {
  std::string master_key;       // 32 bytes
  std::string signing_key_pem;  // Ed25519 private key, PEM
  std::chrono::milliseconds head_interval{10'000};
  std::uint64_t head_every = 10'000;
  connectors::obs::Registry* metrics = nullptr;  // simpul_audit_failures_total, simpul_audit_records_total
  std::function<store::UnixMillis()> clock;      // signed_at of heads; empty = the system clock
};

// The [audit] section resolved: the master key (required: a ConfigError saying how to
// set it when missing), and the signing key from `signing_key`, or else from
// audit-signing-key.pem next to the SQLite store, generated there (mode 0600) when
// `create_signing_key` and absent. Throws ConfigError; messages never hold key bytes.
AuditLogOptions audit_options(const Config& config, bool create_signing_key = true);
// Just the signing key's PEM, as audit_options() finds it (no master key needed).
std::string signing_key_pem(const Config& config, bool create = false);
// 64 hex digits (surrounding whitespace ignored) or exactly 32 raw bytes; nullopt otherwise.
std::optional<std::string> parse_master_key(std::string_view text);
// Where the generated signing key lives for this config ("" when the store is not SQLite).
std::string default_signing_key_path(const Config& config);

class AuditLog final : public Recorder {
 public:
  // Starts the head thread; it first rebuilds every tenant's tree from the store.
  AuditLog(store::Store& store, AuditLogOptions options);
  ~AuditLog() override;  // close()
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  void record(AuditEntry entry) noexcept override;

  // Waits until every record submitted so far is durable (or has failed).
  void flush();
  // Folds new durable records into the trees and signs a head for every tenant whose tree
  // grew; returns how many heads were written. Called by the head thread; tests may call it.
  std::size_t write_heads();
  // flush(), stop the head thread, write the last heads. Idempotent; the store must still be open.
  void close() noexcept;

  // The pseudonym of a data subject (to find their records: Store::find_audit_by_subject).
  std::string pseudonym(std::string_view tenant, SubjectKind kind, std::string_view identifier) const;
  // The identifier of a record's subject_ciphertext; nullopt when it does not decrypt.
  std::optional<std::string> decrypt_subject(std::string_view tenant, std::string_view ciphertext) const;
  std::string key_id() const { return signer_.key_id(); }
  std::string public_key() const { return signer_.public_key(); }
  std::uint64_t failures() const noexcept { return failures_.load(); }

 private:
  struct TenantKeys {
    std::string pseudonym, encryption;
  };
  struct Tree {
    merkle::CompactTree tree;
    std::int64_t head_size = 0;  // largest signed head
    std::string head_root;
    bool broken = false;  // the stored leaves are not a continuous log: no more heads
  };

  const TenantKeys& keys_for(std::string_view tenant) const;
  void appended(std::exception_ptr error, std::size_t count, const std::string& tenant, const std::string& event);
  void failed(std::string_view tenant, std::string_view event, std::string_view why) noexcept;
  void head_loop();
  bool extend(const std::string& tenant, Tree& tree);
  store::UnixMillis now() const;

  store::Store& store_;
  AuditLogOptions options_;
  SigningKey signer_;
  store::AuditLeafHasher hasher_;
  connectors::obs::Counter* failures_metric_ = nullptr;
  connectors::obs::Counter* records_metric_ = nullptr;
  std::atomic<std::uint64_t> failures_{0};
  std::atomic<std::int64_t> last_failure_log_{0};

  mutable std::mutex keys_mutex_;
  mutable std::unordered_map<std::string, std::unique_ptr<TenantKeys>> keys_;

  std::mutex mutex_;  // pending_, since_head_, tenants_, stopping_
  std::condition_variable drained_;
  std::condition_variable wake_heads_;
  std::uint64_t pending_ = 0;
  std::uint64_t since_head_ = 0;
  std::set<std::string> tenants_;
  bool stopping_ = false;
  bool closed_ = false;

  std::mutex heads_mutex_;  // trees_
  std::map<std::string, Tree> trees_;
  std::thread head_thread_;
};

}  // namespace simpul::adapter::audit
