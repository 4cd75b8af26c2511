#include "adapter/audit/verify.hpp"

#include <fstream>
#include <ostream>
#include <sstream>

#include "adapter/audit/audit_log.hpp"
#include "adapter/audit/crypto.hpp"
#include "adapter/audit/merkle.hpp"
#include "adapter/audit/record_format.hpp"
#include "adapter/config.hpp"
#include "connectors/observability/log.hpp"

namespace simpul::adapter::audit {

namespace {

constexpr std::size_t kPage = 10'000;

bool check_tenant(store::Store& store, const std::string& public_key, const std::string& tenant, VerifyResult& result) {
  TenantSummary summary;
  summary.tenant = tenant;
  const std::string expected_key_id = key_id_of(public_key);
  auto fail = [&](std::int64_t seq, std::string what) {
    result.ok = false;
    result.tenant = tenant;
    result.seq = seq;
    result.problem = std::move(what);
    result.tenants.push_back(summary);
    return false;
  };
  const auto heads = store.read_tree_heads(tenant);
  std::size_t next_head = 0;
  merkle::CompactTree tree;
  auto check_heads = [&]() -> bool {
    while (next_head < heads.size() && heads[next_head].tree_size == static_cast<std::int64_t>(tree.size())) {
      const auto& h = heads[next_head++];
      const std::string at = "head at size " + std::to_string(h.tree_size) + ": ";
      if (h.root_hash != tree.root()) return fail(0, at + "root mismatch");
      if (h.key_id != expected_key_id)
        return fail(0, at + "bad signature (signed by key " + h.key_id + ", not by " + expected_key_id + ")");
      if (!ed25519_verify(public_key, head_bytes(h.tenant, h.tree_size, h.root_hash, h.signed_at), h.signature))
        return fail(0, at + "bad signature");
      ++summary.heads;
      summary.last_head_size = h.tree_size;
    }
    return true;
  };
  if (!check_heads()) return false;
  std::int64_t from = 1;
  for (;;) {
    const auto records = store.read_audit(tenant, from, kPage);
    for (const auto& r : records) {
      const auto expected = static_cast<std::int64_t>(tree.size()) + 1;
      if (r.seq < expected)
        return fail(r.seq, "extra record (seq order): seq " + std::to_string(r.seq) + " after seq " +
                               std::to_string(expected - 1));
      if (r.seq > expected) return fail(expected, "missing seq " + std::to_string(expected));
      if (r.leaf_hash.size() != 32 || record_leaf_hash(r) != r.leaf_hash) return fail(r.seq, "leaf hash mismatch");
      tree.push(r.leaf_hash);
      ++summary.records;
      if (!check_heads()) return false;
      from = r.seq + 1;
    }
    if (records.size() < kPage) break;
  }
  if (next_head < heads.size()) {
    const auto& h = heads[next_head];
    return fail(static_cast<std::int64_t>(tree.size()) + 1,
                "head at size " + std::to_string(h.tree_size) + " but the log ends at seq " +
                    std::to_string(tree.size()) + ": missing seq " + std::to_string(tree.size() + 1));
  }
  result.tenants.push_back(summary);
  return true;
}

std::unique_ptr<store::Store> open_for(const Config& config) {
  store::StoreOptions so;
  so.url = config.store_url;
  so.busy_timeout_ms = config.store_busy_timeout_ms;
  so.reader_connections = 1;
  return store::open_store(so);
}

std::string load_public_key(const Config& config, const std::optional<std::string>& file) {
  if (file) {
    std::ifstream f(*file, std::ios::binary);
    if (!f) throw ConfigError("cannot read the public key file " + *file);
    std::stringstream s;
    s << f.rdbuf();
    const std::string pem = s.str();
    if (pem.find("PRIVATE KEY") != std::string::npos) return SigningKey::from_pem(pem).public_key();
    return ed25519_public_key_from_pem(pem);
  }
  // The signing key the server uses (configured, or the generated file); never created here.
  return SigningKey::from_pem(signing_key_pem(config, false)).public_key();
}

}  // namespace

VerifyResult verify_audit(store::Store& store, const std::string& public_key,
                          const std::optional<std::string>& tenant) {
  VerifyResult result;
  std::vector<std::string> tenants = tenant ? std::vector<std::string>{*tenant} : store.audit_tenants();
  for (const auto& t : tenants)
    if (!check_tenant(store, public_key, t, result)) break;
  return result;
}

int audit_verify_command(const std::string& config_path, const std::optional<std::string>& tenant,
                         const std::optional<std::string>& public_key_file, std::ostream& out, std::ostream& err) {
  try {
    const Config config = load_config(config_path);
    const std::string public_key = load_public_key(config, public_key_file);
    auto store = open_for(config);
    const VerifyResult r = verify_audit(*store, public_key, tenant);
    if (!r.ok) {
      err << "audit trail NOT ok: tenant " << r.tenant;
      if (r.seq > 0) err << " seq " << r.seq;
      err << ": " << r.problem << "\n";
      return 1;
    }
    std::int64_t records = 0;
    for (const auto& t : r.tenants) {
      records += t.records;
      out << "tenant " << t.tenant << ": " << t.records << " records, " << t.heads << " signed heads";
      if (t.records > t.last_head_size)
        out << " (" << (t.records - t.last_head_size) << " records after the last signed head)";
      out << "\n";
    }
    out << "audit trail ok: " << r.tenants.size() << " tenants, " << records << " records (key "
        << key_id_of(public_key) << ")\n";
    return 0;
  } catch (const std::exception& e) {
    err << "simpul audit verify: " << e.what() << "\n";
    return 1;
  }
}

int audit_heads_command(const std::string& config_path, const std::optional<std::string>& tenant, std::ostream& out,
                        std::ostream& err) {
  try {
    const Config config = load_config(config_path);
    auto store = open_for(config);
    std::vector<std::string> tenants = tenant ? std::vector<std::string>{*tenant} : store->audit_tenants();
    for (const auto& t : tenants) {
      for (const auto& h : store->read_tree_heads(t)) {
        std::string line = "{\"tenant\":";
        connectors::obs::append_json_string(line, h.tenant);
        line += ",\"tree_size\":" + std::to_string(h.tree_size) + ",\"root_hash\":\"" + to_hex(h.root_hash) +
                "\",\"signed_at\":" + std::to_string(h.signed_at) + ",\"key_id\":";
        connectors::obs::append_json_string(line, h.key_id);
        line += ",\"signature\":\"" + to_hex(h.signature) + "\"}";
        out << line << "\n";
      }
    }
    return 0;
  } catch (const std::exception& e) {
    err << "simpul audit heads: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace simpul::adapter::audit
