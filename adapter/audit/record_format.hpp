#pragma once
// The byte strings the audit trail hashes and signs, versioned so an outside verifier
// can recompute them (docs/pdp.md, "Formats").
//
// Leaf bytes, format 1 (the input of the record's RFC 6962 leaf hash):
//   0x01                                  format version
//   str(tenant) i64(seq) i64(recorded_at)
//   str(actor) str(action) str(purpose) str(event)
//   str(resource_type) str(resource_id) str(subject_pseudonym) str(subject_ciphertext)
//   str(destination) str(outcome) str(request_id)
// where i64 = 8 bytes big-endian two's complement, str = 4-byte big-endian length then
// the bytes (UTF-8 text, or the raw ciphertext); an absent (NULL) column is the empty string.
//
// Signed tree head bytes, format 1 (what Ed25519 signs):
//   "simpul-audit-sth" (16 ASCII bytes) 0x01 str(tenant) i64(tree_size) root_hash (32 bytes) i64(signed_at)
#include <cstdint>
#include <string>
#include <string_view>

#include "adapter/store/store.hpp"

namespace simpul::adapter::audit {

inline constexpr std::uint8_t kLeafFormat = 1;
inline constexpr std::uint8_t kHeadFormat = 1;

std::string leaf_bytes(const store::AuditRecord& record);
std::string record_leaf_hash(const store::AuditRecord& record);  // merkle::leaf_hash(leaf_bytes(record))
std::string head_bytes(std::string_view tenant, std::int64_t tree_size, std::string_view root_hash,
                       std::int64_t signed_at);

}  // namespace simpul::adapter::audit
