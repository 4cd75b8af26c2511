#include "adapter/audit/record_format.hpp"

#include "adapter/audit/merkle.hpp"

namespace simpul::adapter::audit {

namespace {

void put_i64(std::string& out, std::int64_t value) {
  const auto u = static_cast<std::uint64_t>(value);
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((u >> shift) & 0xff));
}

void put_str(std::string& out, std::string_view s) {
  const auto n = static_cast<std::uint32_t>(s.size());
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((n >> shift) & 0xff));
  out.append(s);
}

}  // namespace

std::string leaf_bytes(const store::AuditRecord& r) {
  std::string out;
  out.reserve(1 + 16 + 12 * 4 + r.tenant.size() + r.actor.size() + r.action.size() + r.purpose.size() + r.event.size() +
              r.resource_type.size() + r.resource_id.size() + r.subject_pseudonym.size() + r.subject_ciphertext.size() +
              r.destination.size() + r.outcome.size() + r.request_id.size());
  out.push_back(static_cast<char>(kLeafFormat));
  put_str(out, r.tenant);
  put_i64(out, r.seq);
  put_i64(out, r.recorded_at);
  for (const std::string* s : {&r.actor, &r.action, &r.purpose, &r.event, &r.resource_type, &r.resource_id,
                               &r.subject_pseudonym, &r.subject_ciphertext, &r.destination, &r.outcome, &r.request_id})
    put_str(out, *s);
  return out;
}

std::string record_leaf_hash(const store::AuditRecord& record) {
  return merkle::leaf_hash(leaf_bytes(record));
}

std::string head_bytes(std::string_view tenant, std::int64_t tree_size, std::string_view root_hash,
                       std::int64_t signed_at) {
  std::string out = "simpul-audit-sth";
  out.push_back(static_cast<char>(kHeadFormat));
  put_str(out, tenant);
  put_i64(out, tree_size);
  out.append(root_hash);
  put_i64(out, signed_at);
  return out;
}

}  // namespace simpul::adapter::audit
