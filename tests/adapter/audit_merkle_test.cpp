// RFC 6962 Merkle tree: the certificate-transparency reference vectors (the 8-leaf tree),
// and an independent Python oracle (tests/oracle/merkle_oracle.py) for roots, audit paths
// and consistency proofs of a larger random tree.
#include <cstdio>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "adapter/audit/crypto.hpp"
#include "adapter/audit/merkle.hpp"
#include "tests/adapter/store_test_support.hpp"

namespace audit = simpul::adapter::audit;
namespace merkle = simpul::adapter::audit::merkle;

namespace {

std::string unhex(const std::string& h) {
  return *audit::from_hex(h);
}

// The inputs of the RFC 6962 reference tree used by certificate-transparency's tests.
const std::vector<std::string> kLeaves = {
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"};

// MTH of the first n of them (n = 0..8), as published with those tests.
const std::vector<std::string> kRoots = {"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                                         "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                                         "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
                                         "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
                                         "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                                         "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
                                         "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
                                         "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
                                         "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};

std::vector<std::string> leaf_hashes(const std::vector<std::string>& hex_leaves) {
  std::vector<std::string> out;
  for (const auto& l : hex_leaves) out.push_back(merkle::leaf_hash(unhex(l)));
  return out;
}

std::string hexes(const std::vector<std::string>& hashes) {
  std::string out;
  for (const auto& h : hashes) {
    if (!out.empty()) out.push_back(',');
    out.append(audit::to_hex(h));
  }
  if (out.empty()) out.push_back('-');
  return out;
}

// Runs the oracle over `hex_leaves`; its lines keyed by everything before the last field.
std::map<std::string, std::string> run_oracle(const std::vector<std::string>& hex_leaves) {
  simpul::testing::TempDir dir("simpul-merkle");
  const std::string input = dir.file("leaves.txt");
  {
    FILE* f = std::fopen(input.c_str(), "w");
    for (const auto& l : hex_leaves) std::fprintf(f, "%s\n", l.c_str());
    std::fclose(f);
  }
  const std::string cmd = "python3 " + std::string(SIMPUL_SOURCE_DIR) + "/tests/oracle/merkle_oracle.py < " + input;
  FILE* p = popen(cmd.c_str(), "r");
  std::map<std::string, std::string> facts;
  if (!p) return facts;
  char buf[1 << 16];
  std::string all;
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) all.append(buf, n);
  pclose(p);
  std::istringstream lines(all);
  std::string line;
  while (std::getline(lines, line)) {
    const auto space = line.rfind(' ');
    facts[line.substr(0, space)] = line.substr(space + 1);
  }
  return facts;
}

}  // namespace

TEST(AuditMerkle, ReferenceRootsOfTheEightLeafTree) {
  const auto leaves = leaf_hashes(kLeaves);
  for (std::size_t n = 0; n <= leaves.size(); ++n) {
    EXPECT_EQ(audit::to_hex(merkle::root(std::span(leaves).first(n))), kRoots[n]) << n;
  }
  merkle::CompactTree tree;
  EXPECT_EQ(audit::to_hex(tree.root()), kRoots[0]);
  for (std::size_t n = 0; n < leaves.size(); ++n) {
    tree.push(leaves[n]);
    EXPECT_EQ(tree.size(), n + 1);
    EXPECT_EQ(audit::to_hex(tree.root()), kRoots[n + 1]) << n + 1;
  }
}

TEST(AuditMerkle, DomainSeparation) {
  // A leaf hash is SHA-256(0x00 || data), a node SHA-256(0x01 || l || r): an interior
  // node can never be passed off as a leaf.
  EXPECT_EQ(merkle::leaf_hash(""), unhex(kRoots[1]));
  const std::string a = merkle::leaf_hash("a"), b = merkle::leaf_hash("b");
  EXPECT_EQ(merkle::node_hash(a, b), audit::sha256(std::string("\x01", 1) + a + b));
  EXPECT_NE(merkle::leaf_hash(a + b), merkle::node_hash(a, b));
}

TEST(AuditMerkle, MatchesTheIndependentOracle) {
  std::mt19937 rng(6962);
  std::vector<std::string> hex_leaves;
  for (int i = 0; i < 37; ++i) {
    std::string bytes(rng() % 40, '\0');
    for (auto& c : bytes) c = static_cast<char>(rng());
    hex_leaves.push_back(audit::to_hex(bytes));
  }
  const auto facts = run_oracle(hex_leaves);
  ASSERT_FALSE(facts.empty()) << "python3 oracle did not run";
  const auto leaves = leaf_hashes(hex_leaves);
  merkle::CompactTree tree;
  for (std::size_t n = 0; n <= leaves.size(); ++n) {
    const auto prefix = std::span(leaves).first(n);
    const std::string root = merkle::root(prefix);
    ASSERT_EQ(audit::to_hex(root), facts.at("root " + std::to_string(n))) << n;
    EXPECT_EQ(tree.root(), root) << n;
    if (n < leaves.size()) tree.push(leaves[n]);
    if (n == 0 || n > 20) continue;
    for (std::size_t m = 0; m < n; ++m) {
      const auto path = merkle::inclusion_proof(prefix, m);
      ASSERT_EQ(hexes(path), facts.at("path " + std::to_string(n) + " " + std::to_string(m))) << n << "," << m;
      EXPECT_TRUE(merkle::verify_inclusion(leaves[m], m, n, path, root)) << n << "," << m;
      EXPECT_FALSE(merkle::verify_inclusion(merkle::leaf_hash("not in the tree"), m, n, path, root));
      if (!path.empty()) {
        auto bad = path;
        bad.back()[0] ^= 1;
        EXPECT_FALSE(merkle::verify_inclusion(leaves[m], m, n, bad, root));
      }
      EXPECT_FALSE(merkle::verify_inclusion(leaves[m], n, n, path, root));  // index out of range
    }
    for (std::size_t m = 1; m <= n; ++m) {
      const auto proof = merkle::consistency_proof(prefix, m);
      ASSERT_EQ(hexes(proof), facts.at("proof " + std::to_string(m) + " " + std::to_string(n))) << m << "," << n;
      const std::string old_root = merkle::root(prefix.first(m));
      EXPECT_TRUE(merkle::verify_consistency(m, n, old_root, root, proof)) << m << "," << n;
      if (m < n) {
        EXPECT_FALSE(merkle::verify_consistency(m, n, merkle::leaf_hash("forged"), root, proof)) << m << "," << n;
        EXPECT_FALSE(merkle::verify_consistency(m, n, old_root, merkle::leaf_hash("forged"), proof));
      }
    }
  }
}
