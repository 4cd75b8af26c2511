#include "adapter/audit/merkle.hpp"

#include "adapter/audit/crypto.hpp"

namespace simpul::adapter::audit::merkle {

namespace {

// The largest power of two strictly smaller than n (n >= 2).
std::size_t split(std::size_t n) {
  std::size_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

void path(std::span<const std::string> d, std::size_t m, std::vector<std::string>& out) {
  if (d.size() <= 1) return;
  const std::size_t k = split(d.size());
  if (m < k) {
    path(d.first(k), m, out);
    out.push_back(root(d.subspan(k)));
  } else {
    path(d.subspan(k), m - k, out);
    out.push_back(root(d.first(k)));
  }
}

void subproof(std::span<const std::string> d, std::size_t m, bool complete, std::vector<std::string>& out) {
  const std::size_t n = d.size();
  if (m == n) {
    if (!complete) out.push_back(root(d));
    return;
  }
  const std::size_t k = split(n);
  if (m <= k) {
    subproof(d.first(k), m, complete, out);
    out.push_back(root(d.subspan(k)));
  } else {
    subproof(d.subspan(k), m - k, false, out);
    out.push_back(root(d.first(k)));
  }
}

}  // namespace

std::string leaf_hash(std::string_view leaf_bytes) {
  std::string buffer;
  buffer.reserve(leaf_bytes.size() + 1);
  buffer.push_back('\x00');
  buffer.append(leaf_bytes);
  return sha256(buffer);
}

std::string node_hash(std::string_view left, std::string_view right) {
  std::string buffer;
  buffer.reserve(1 + left.size() + right.size());
  buffer.push_back('\x01');
  buffer.append(left);
  buffer.append(right);
  return sha256(buffer);
}

std::string empty_root() {
  return sha256({});
}

std::string root(std::span<const std::string> d) {
  if (d.empty()) return empty_root();
  if (d.size() == 1) return d.front();
  const std::size_t k = split(d.size());
  return node_hash(root(d.first(k)), root(d.subspan(k)));
}

std::vector<std::string> inclusion_proof(std::span<const std::string> leaf_hashes, std::size_t index) {
  std::vector<std::string> out;
  if (index < leaf_hashes.size()) path(leaf_hashes, index, out);
  return out;
}

std::vector<std::string> consistency_proof(std::span<const std::string> leaf_hashes, std::size_t old_size) {
  std::vector<std::string> out;
  if (old_size > 0 && old_size <= leaf_hashes.size()) subproof(leaf_hashes, old_size, true, out);
  return out;
}

bool verify_inclusion(std::string_view leaf, std::uint64_t index, std::uint64_t tree_size,
                      std::span<const std::string> proof, std::string_view expected_root) {
  if (index >= tree_size) return false;
  std::uint64_t fn = index, sn = tree_size - 1;
  std::string r(leaf);
  for (const std::string& p : proof) {
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      r = node_hash(p, r);
      if (!(fn & 1)) {
        while (fn != 0 && !(fn & 1)) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = node_hash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == expected_root;
}

bool verify_consistency(std::uint64_t old_size, std::uint64_t new_size, std::string_view old_root,
                        std::string_view new_root, std::span<const std::string> proof) {
  if (old_size > new_size) return false;
  if (old_size == new_size) return proof.empty() && old_root == new_root;
  if (old_size == 0) return proof.empty();  // the empty tree is a prefix of every tree
  std::vector<std::string> path(proof.begin(), proof.end());
  if ((old_size & (old_size - 1)) == 0) path.insert(path.begin(), std::string(old_root));
  if (path.empty()) return false;
  std::uint64_t fn = old_size - 1, sn = new_size - 1;
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  std::string fr = path[0], sr = path[0];
  for (std::size_t i = 1; i < path.size(); ++i) {
    const std::string& c = path[i];
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      fr = node_hash(c, fr);
      sr = node_hash(c, sr);
      if (!(fn & 1)) {
        while (fn != 0 && !(fn & 1)) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = node_hash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return fr == old_root && sr == new_root && sn == 0;
}

void CompactTree::push(std::string leaf) {
  Subtree t{1, std::move(leaf)};
  while (!stack_.empty() && stack_.back().leaves == t.leaves) {
    t.hash = node_hash(stack_.back().hash, t.hash);
    t.leaves *= 2;
    stack_.pop_back();
  }
  stack_.push_back(std::move(t));
  ++size_;
}

std::string CompactTree::root() const {
  if (stack_.empty()) return empty_root();
  std::string r = stack_.back().hash;
  for (auto it = stack_.rbegin() + 1; it != stack_.rend(); ++it) r = node_hash(it->hash, r);
  return r;
}

}  // namespace simpul::adapter::audit::merkle
