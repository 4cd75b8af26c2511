#pragma once
// RFC 6962 (Certificate Transparency) Merkle tree hashing, pure functions:
//   leaf hash  = SHA-256(0x00 || leaf bytes)
//   node hash  = SHA-256(0x01 || left || right)
//   MTH({})    = SHA-256("")
//   MTH(D[n])  = node(MTH(D[0:k]), MTH(D[k:n])), k the largest power of two < n (§2.1)
// plus audit paths (inclusion proofs, §2.1.1) and consistency proofs (§2.1.2), and
// their verification as RFC 9162 §2.1.3.2 and §2.1.4.2 describe it.
//
// Hashes are 32-byte std::string values. Functions taking leaf hashes take them in
// index order; they cost O(n) hashes. CompactTree keeps only the O(log n) roots of the
// perfect subtrees, for appending one leaf at a time.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace simpul::adapter::audit::merkle {

std::string leaf_hash(std::string_view leaf_bytes);
std::string node_hash(std::string_view left, std::string_view right);
std::string empty_root();  // SHA-256 of the empty string

// MTH over leaf hashes.
std::string root(std::span<const std::string> leaf_hashes);
// PATH(index, D[n]): the audit path of leaf `index` (< n), bottom up.
std::vector<std::string> inclusion_proof(std::span<const std::string> leaf_hashes, std::size_t index);
// PROOF(old_size, D[n]) for 0 < old_size <= n.
std::vector<std::string> consistency_proof(std::span<const std::string> leaf_hashes, std::size_t old_size);

bool verify_inclusion(std::string_view leaf_hash, std::uint64_t index, std::uint64_t tree_size,
                      std::span<const std::string> proof, std::string_view root);
bool verify_consistency(std::uint64_t old_size, std::uint64_t new_size, std::string_view old_root,
                        std::string_view new_root, std::span<const std::string> proof);

// An append-only tree keeping the roots of its perfect subtrees (largest first): the
// root of n leaves is those roots folded from the right.
class CompactTree {
 public:
  void push(std::string leaf_hash);
  std::uint64_t size() const noexcept { return size_; }
  std::string root() const;

 private:
  struct Subtree {
    std::uint64_t leaves;
    std::string hash;
  };
  std::vector<Subtree> stack_;
  std::uint64_t size_ = 0;
};

}  // namespace simpul::adapter::audit::merkle
