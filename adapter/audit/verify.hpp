#pragma once
// `simpul audit verify` and `simpul audit heads`: checking a store's audit trail from the
// outside. Verification needs no secret: leaf hashes are recomputed from the stored
// columns (record_format.hpp) and heads are checked with the signing key's PUBLIC key.
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "adapter/store/store.hpp"

namespace simpul::adapter::audit {

struct TenantSummary {
  std::string tenant;
  std::int64_t records = 0;
  std::int64_t heads = 0;
  std::int64_t last_head_size = 0;  // records after it are not yet under a signed head
};

struct VerifyResult {
  bool ok = true;
  // The first problem: tenant, seq (0 when not about one record) and what is wrong:
  // "leaf hash mismatch", "missing seq N", "extra record (seq order)",
  // "head at size N: root mismatch", "head at size N: bad signature ...".
  std::string tenant;
  std::int64_t seq = 0;
  std::string problem;
  std::vector<TenantSummary> tenants;
};

// Checks every tenant (or one). `public_key` is the raw Ed25519 key the heads must be
// signed with. Stops at the first problem.
VerifyResult verify_audit(store::Store& store, const std::string& public_key,
                          const std::optional<std::string>& tenant = std::nullopt);

// The commands: exit 0 (all is well), 1 (a problem, or the store/config cannot be read).
int audit_verify_command(const std::string& config_path, const std::optional<std::string>& tenant,
                         const std::optional<std::string>& public_key_file, std::ostream& out, std::ostream& err);
// One JSON object per head: tenant, tree_size, root_hash (hex), signed_at, key_id, signature (hex).
int audit_heads_command(const std::string& config_path, const std::optional<std::string>& tenant, std::ostream& out,
                        std::ostream& err);

}  // namespace simpul::adapter::audit
