// The claim path keeps to claimable items: outbox.blocked (migration 4) takes suspended
// (tenant, destination) pairs and items waiting for their prerequisite out of the claim's
// index, so a backlog that cannot move is not walked on every claim; and an outcome can
// claim the worker's next item in the same write.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "adapter/store/store.hpp"
#include "tests/adapter/store_test_support.hpp"

namespace {

namespace st = simpul::adapter::store;
using simpul::testing::options_for;
using simpul::testing::RawDb;
using simpul::testing::TempDir;

class StoreClaim : public ::testing::Test {
 protected:
  void SetUp() override { open(); }
  void open() {
    auto o = options_for("sqlite:" + dir_.db());
    o.clock = [this] { return now_; };
    store_ = st::open_store(o);
  }

  static st::OutboxItem item(const std::string& tenant, const std::string& destination, const std::string& id) {
    st::OutboxItem i;
    i.tenant = tenant;
    i.destination = destination;
    i.source_type = "Encounter";
    i.source_id = id;
    i.source_version = "1";
    i.payload = "payload-" + id;
    return i;
  }
  std::int64_t enqueue(const std::string& tenant, const std::string& destination, const std::string& id) {
    return store_->enqueue_outbox(item(tenant, destination, id)).id;
  }
  // A pendaftaran and its kunjungan (registration, then the visit that needs it).
  std::pair<std::int64_t, std::int64_t> pair(const std::string& tenant, const std::string& id) {
    st::OutboxBatch batch;
    batch.items.push_back(item(tenant, "pcare", id + "-pendaftaran"));
    batch.items.push_back(item(tenant, "pcare", id + "-kunjungan"));
    batch.dependencies.push_back({1, 0});
    auto r = store_->enqueue_outbox_batch(batch);
    return {r[0].id, r[1].id};
  }
  static st::OutboxClaim claim(const std::string& destination = "pcare", std::size_t limit = 100) {
    st::OutboxClaim c;
    c.destination = destination;
    c.owner = "w";
    c.lease_ms = 10'000;
    c.limit = limit;
    return c;
  }
  std::vector<std::int64_t> claim_ids(const std::string& destination = "pcare", std::size_t limit = 100) {
    std::vector<std::int64_t> ids;
    for (const auto& i : store_->claim_outbox(claim(destination, limit))) ids.push_back(i.id);
    return ids;
  }
  st::OutcomeResult record(std::int64_t id, const std::string& tenant, st::AttemptOutcome outcome) {
    st::DeliveryReport r;
    r.item_id = id;
    r.tenant = tenant;
    r.lease_owner = "w";
    r.outcome = outcome;
    return store_->record_outcome(r);
  }
  void suspend(const std::string& tenant, const std::string& destination) {
    st::OutboxSuspension s;
    s.tenant = tenant;
    s.destination = destination;
    s.actor = "client:admin";
    s.reason = "PKS";
    store_->suspend_outbox(s);
  }
  std::string blocked(std::int64_t id) {
    RawDb raw(dir_.db());
    return raw.text(("SELECT blocked FROM outbox WHERE id = " + std::to_string(id)).c_str());
  }
  // Rows the claim's partial index holds: what a claim can walk.
  std::string claim_index_rows() {
    RawDb raw(dir_.db());
    return raw.text(
        "SELECT COUNT(*) FROM outbox INDEXED BY outbox_due WHERE status IN ('pending','retrying') AND blocked = 0");
  }

  TempDir dir_;
  st::UnixMillis now_ = 1'000'000;
  std::unique_ptr<st::Store> store_;
};

using Ids = std::vector<std::int64_t>;

TEST_F(StoreClaim, SuspensionTakesThePairsBacklogOutOfTheClaimIndex) {
  const auto a1 = enqueue("t1", "pcare", "a1");
  const auto a2 = enqueue("t1", "pcare", "a2");
  const auto b = enqueue("t2", "pcare", "b");
  const auto s = enqueue("t1", "satusehat", "s");
  EXPECT_EQ(claim_ids("pcare", 1), Ids{a1});  // a1 in flight when the suspension comes
  suspend("t1", "pcare");
  EXPECT_EQ(blocked(a1), "1");
  EXPECT_EQ(blocked(a2), "1");
  EXPECT_EQ(blocked(b), "0") << "another tenant is not touched";
  EXPECT_EQ(blocked(s), "0") << "another destination is not touched";
  const auto a3 = enqueue("t1", "pcare", "a3");
  EXPECT_EQ(blocked(a3), "1") << "work arriving while suspended waits too";
  EXPECT_EQ(claim_index_rows(), "2") << "only b and s are claimable";

  EXPECT_EQ(claim_ids(), Ids{b});
  // The in-flight attempt ends in a retry: due at once, but still suspended.
  EXPECT_EQ(record(a1, "t1", st::AttemptOutcome::retry).status, st::OutboxStatus::retrying);
  EXPECT_TRUE(claim_ids().empty());
  EXPECT_EQ(claim_ids("satusehat"), Ids{s});

  store_->resume_outbox("t1", "pcare");
  for (auto id : {a1, a2, a3}) EXPECT_EQ(blocked(id), "0");
  EXPECT_EQ(claim_ids(), (Ids{a1, a2, a3}));
}

TEST_F(StoreClaim, DependentsWaitOutsideTheIndexUntilTheirPrerequisiteIsDelivered) {
  const auto [p1, k1] = pair("t1", "v1");
  const auto [p2, k2] = pair("t1", "v2");
  EXPECT_EQ(blocked(p1), "0");
  EXPECT_EQ(blocked(k1), "2");
  EXPECT_EQ(claim_index_rows(), "2");
  EXPECT_EQ(claim_ids(), (Ids{p1, p2}));
  record(p1, "t1", st::AttemptOutcome::delivered);
  EXPECT_EQ(blocked(k1), "0");
  record(p2, "t1", st::AttemptOutcome::dead);
  EXPECT_EQ(blocked(k2), "2") << "a dead pendaftaran keeps its kunjungan waiting";
  EXPECT_EQ(claim_ids(), Ids{k1});

  // Both reasons at once: each clears on its own.
  const auto [p3, k3] = pair("t1", "v3");
  suspend("t1", "pcare");
  EXPECT_EQ(blocked(k3), "3");
  store_->resume_outbox("t1", "pcare");
  EXPECT_EQ(blocked(k3), "2");
  EXPECT_EQ(claim_ids(), Ids{p3});
  record(p3, "t1", st::AttemptOutcome::delivered);
  EXPECT_EQ(claim_ids(), Ids{k3});

  // depends_on on a later enqueue, on an item already delivered: claimable at once.
  auto late = item("t1", "pcare", "v1-kunjungan-fix");
  late.depends_on = p1;
  const auto l = store_->enqueue_outbox(late).id;
  EXPECT_EQ(blocked(l), "0");
  EXPECT_EQ(claim_ids(), Ids{l});
}

TEST_F(StoreClaim, AnOutcomeClaimsTheNextItemInTheSameWrite) {
  const auto [p, k] = pair("t1", "v1");
  const auto other = enqueue("t1", "satusehat", "s");
  EXPECT_EQ(claim_ids("pcare", 1), Ids{p});

  st::DeliveryReport r;
  r.item_id = p;
  r.tenant = "t1";
  r.lease_owner = "w";
  r.outcome = st::AttemptOutcome::delivered;
  r.then_claim = claim("pcare", 1);
  now_ += 5;
  auto result = store_->record_outcome(r);
  EXPECT_TRUE(result.applied);
  EXPECT_EQ(result.status, st::OutboxStatus::delivered);
  ASSERT_EQ(result.claimed.size(), 1u) << "the kunjungan its pendaftaran unblocked";
  EXPECT_EQ(result.claimed[0].id, k);
  EXPECT_EQ(result.claimed[0].status, st::OutboxStatus::in_flight);
  EXPECT_EQ(result.claimed[0].lease_owner, "w");
  EXPECT_EQ(result.claimed[0].lease_until, now_ + 10'000);

  // Nothing left for pcare: the outcome is still recorded, nothing claimed; the other
  // destination's item is not taken.
  r.item_id = k;
  result = store_->record_outcome(r);
  EXPECT_TRUE(result.applied);
  EXPECT_TRUE(result.claimed.empty());
  EXPECT_EQ(store_->get_outbox_item("t1", other)->status, st::OutboxStatus::pending);

  // A bad claim is refused before anything is written.
  const auto x = enqueue("t1", "pcare", "x");
  EXPECT_EQ(claim_ids(), Ids{x});
  r.item_id = x;
  r.then_claim->limit = 0;
  EXPECT_THROW(store_->record_outcome(r), st::StoreError);
  EXPECT_EQ(store_->get_outbox_item("t1", x)->status, st::OutboxStatus::in_flight);
}

TEST_F(StoreClaim, MigrationFourFlagsAnExistingBacklog) {
  const auto [p, k] = pair("t1", "v1");
  const auto a = enqueue("t2", "pcare", "a");
  const auto b = enqueue("t3", "pcare", "b");
  suspend("t2", "pcare");
  store_.reset();
  {
    // Back to schema version 3: no blocked column, the old index.
    RawDb raw(dir_.db());
    raw.exec("DROP INDEX outbox_due");
    raw.exec("DROP INDEX outbox_open");  // migration 4's covering index
    raw.exec("ALTER TABLE outbox DROP COLUMN blocked");
    raw.exec("CREATE INDEX outbox_due ON outbox (destination, next_attempt_at) WHERE status IN ('pending','retrying')");
    raw.exec("DROP TABLE registry_reports");  // migration 5
    raw.exec("DELETE FROM schema_version WHERE version >= 4");
  }
  open();
  EXPECT_EQ(store_->schema_version(), 5);
  EXPECT_EQ(blocked(p), "0");
  EXPECT_EQ(blocked(k), "2");
  EXPECT_EQ(blocked(a), "1");
  EXPECT_EQ(blocked(b), "0");
  EXPECT_EQ(claim_ids(), (Ids{p, b}));
}

}  // namespace
