// Store audit API: per-tenant gap-free seqs assigned in the writer (also under concurrent
// appends and failing jobs), reads by seq range and subject pseudonym, signed tree heads.
#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "adapter/store/store.hpp"
#include "tests/adapter/store_test_support.hpp"

namespace st = simpul::adapter::store;
using simpul::testing::TempDir;

namespace {

st::AuditRecord rec(const std::string& tenant, const std::string& event = "vclaim.peserta",
                    const std::string& pseudonym = "") {
  st::AuditRecord r;
  r.tenant = tenant;
  r.actor = "client:simrs";
  r.action = "R";
  r.purpose = "HPAYMT";
  r.event = event;
  r.subject_pseudonym = pseudonym;
  if (!pseudonym.empty()) r.subject_ciphertext = std::string("\x00\x01\x02sealed", 9);
  r.destination = "bpjs.vclaim";
  r.outcome = "success";
  return r;
}

// A stand-in leaf hash: 32 bytes that depend on tenant and seq.
st::AuditLeafHasher hasher() {
  return [](const st::AuditRecord& r) {
    std::string h = r.tenant + ":" + std::to_string(r.seq);
    h.resize(32, '.');
    return h;
  };
}

class StoreAudit : public ::testing::Test {
 protected:
  void SetUp() override {
    st::StoreOptions options;
    options.url = dir_.db();
    options.clock = [this] { return now_.load(); };
    store_ = st::open_store(options);
  }
  TempDir dir_;
  std::atomic<st::UnixMillis> now_{1'700'000'000'000};
  std::unique_ptr<st::Store> store_;
};

}  // namespace

TEST_F(StoreAudit, AssignsSeqPerTenantAndHashesInTheTransaction) {
  auto a = store_->append_audit({rec("rs-a"), rec("rs-a")}, hasher());
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].seq, 1);
  EXPECT_EQ(a[1].seq, 2);
  EXPECT_EQ(a[0].recorded_at, now_.load());
  EXPECT_EQ(a[1].leaf_hash.substr(0, 6), "rs-a:2");
  auto b = store_->append_audit({rec("rs-b")}, hasher());
  EXPECT_EQ(b[0].seq, 1);
  EXPECT_EQ(store_->append_audit({rec("rs-a")}, hasher())[0].seq, 3);

  const auto all = store_->read_audit("rs-a", 1, 100);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[2].seq, 3);
  EXPECT_EQ(all[0].actor, "client:simrs");
  EXPECT_EQ(all[0].event, "vclaim.peserta");
  EXPECT_EQ(all[0].leaf_hash, a[0].leaf_hash);
  EXPECT_EQ(all[0].resource_type, "");
  EXPECT_EQ(store_->read_audit("rs-a", 2, 1).at(0).seq, 2);
  EXPECT_TRUE(store_->read_audit("rs-a", 4, 10).empty());
  const auto leaves = store_->read_audit_leaves("rs-a", 2, 10);
  ASSERT_EQ(leaves.size(), 2u);
  EXPECT_EQ(leaves[0].seq, 2);
  EXPECT_EQ(leaves[1].leaf_hash, all[2].leaf_hash);
  EXPECT_EQ(store_->audit_tenants(), (std::vector<std::string>{"rs-a", "rs-b"}));
}

TEST_F(StoreAudit, ConcurrentAppendsStayGapFreeAndAFailedJobTakesNoSeq) {
  constexpr int kThreads = 4, kEach = 200;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        // Every 10th job fails inside the transaction (its hasher returns a bad hash).
        st::AuditLeafHasher h = hasher();
        if (i % 10 == 0) h = [](const st::AuditRecord&) { return std::string("short"); };
        std::atomic<bool> done{false};
        store_->append_audit({rec(t % 2 ? "rs-a" : "rs-b")}, h,
                             [&](std::exception_ptr e, std::vector<st::AuditRecord>) {
                               if (e) ++failures;
                               done = true;
                               done.notify_one();
                             });
        done.wait(false);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), kThreads * kEach / 10);
  for (const char* tenant : {"rs-a", "rs-b"}) {
    const auto records = store_->read_audit(tenant, 1, 10'000);
    ASSERT_EQ(records.size(), static_cast<std::size_t>(kThreads / 2 * kEach * 9 / 10));
    for (std::size_t i = 0; i < records.size(); ++i) EXPECT_EQ(records[i].seq, static_cast<std::int64_t>(i) + 1);
  }
}

TEST_F(StoreAudit, FindsRecordsBySubjectPseudonym) {
  store_->append_audit({rec("rs-a", "vclaim.peserta", "p1"), rec("rs-a", "vclaim.sep.insert", "p2"),
                        rec("rs-a", "vclaim.sep.insert", "p1"), rec("rs-b", "vclaim.peserta", "p1")},
                       hasher());
  const auto p1 = store_->find_audit_by_subject("rs-a", "p1", 1, 100);
  ASSERT_EQ(p1.size(), 2u);
  EXPECT_EQ(p1[0].seq, 1);
  EXPECT_EQ(p1[1].seq, 3);
  EXPECT_EQ(p1[1].event, "vclaim.sep.insert");
  EXPECT_EQ(p1[0].subject_ciphertext, std::string("\x00\x01\x02sealed", 9));
  EXPECT_EQ(store_->find_audit_by_subject("rs-a", "p1", 2, 100).size(), 1u);
  EXPECT_TRUE(store_->find_audit_by_subject("rs-a", "p3", 1, 100).empty());
  EXPECT_EQ(store_->find_audit_by_subject("rs-b", "p1", 1, 100).size(), 1u);
}

TEST_F(StoreAudit, TreeHeads) {
  EXPECT_FALSE(store_->latest_tree_head("rs-a"));
  st::AuditTreeHead h;
  h.tenant = "rs-a";
  h.tree_size = 5;
  h.root_hash = std::string(32, 'r');
  h.signature = std::string(64, 's');
  h.key_id = "0123456789abcdef";
  h.signed_at = 42;
  store_->put_tree_head(h);
  h.tree_size = 9;
  store_->put_tree_head(h);
  const auto heads = store_->read_tree_heads("rs-a");
  ASSERT_EQ(heads.size(), 2u);
  EXPECT_EQ(heads[0].tree_size, 5);
  EXPECT_EQ(heads[1].root_hash, h.root_hash);
  EXPECT_EQ(heads[1].signature, h.signature);
  EXPECT_EQ(heads[1].key_id, h.key_id);
  EXPECT_EQ(heads[1].signed_at, 42);
  EXPECT_EQ(store_->latest_tree_head("rs-a")->tree_size, 9);
  try {
    store_->put_tree_head(h);
    FAIL() << "a second head of the same size must conflict";
  } catch (const st::StoreError& e) {
    EXPECT_EQ(e.code(), st::StoreErrc::conflict);
  }
  EXPECT_EQ(store_->audit_tenants(), std::vector<std::string>{"rs-a"});
}

TEST_F(StoreAudit, ValidatesArguments) {
  auto invalid = [](auto fn) {
    try {
      fn();
      return false;
    } catch (const st::StoreError& e) {
      return e.code() == st::StoreErrc::invalid_argument;
    }
  };
  EXPECT_TRUE(invalid([&] { store_->append_audit({}, hasher()); }));
  EXPECT_TRUE(invalid([&] { store_->append_audit({rec("")}, hasher()); }));
  EXPECT_TRUE(invalid([&] { store_->append_audit({rec("rs-a")}, nullptr); }));
  auto with_seq = rec("rs-a");
  with_seq.seq = 7;
  EXPECT_TRUE(invalid([&] { store_->append_audit({with_seq}, hasher()); }));
  auto no_event = rec("rs-a");
  no_event.event.clear();
  EXPECT_TRUE(invalid([&] { store_->append_audit({no_event}, hasher()); }));
  st::AuditTreeHead h;
  h.tenant = "rs-a";
  h.root_hash = "short";
  h.signature = "s";
  h.key_id = "k";
  EXPECT_TRUE(invalid([&] { store_->put_tree_head(h); }));
  EXPECT_TRUE(invalid([&] { store_->read_audit("", 1, 1); }));
  EXPECT_TRUE(invalid([&] { store_->find_audit_by_subject("rs-a", "", 1, 1); }));
  // A failing hasher fails the job, not the store.
  EXPECT_THROW(store_->append_audit({rec("rs-a")}, [](const st::AuditRecord&) { return std::string(); }),
               st::StoreError);
  EXPECT_EQ(store_->append_audit({rec("rs-a")}, hasher())[0].seq, 1);
}

TEST_F(StoreAudit, AuditLogIsAppendOnly) {
  store_->append_audit({rec("rs-a")}, hasher());
  // The triggers of migration 1 stay in force: the store API has no update/delete, and
  // a raw UPDATE is refused (tests/adapter/audit_log_test.cpp drops them to tamper).
  EXPECT_GE(store_->schema_version(), 2);  // later migrations (3: outbox operations) keep them
}
