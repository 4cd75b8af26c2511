// Store support of the outbox admin API: listing by filter, retry/replay resets,
// suspended (tenant, destination) pairs, queue depth.
#include <gtest/gtest.h>

#include "adapter/store/sqlite_store.hpp"
#include "tests/adapter/store_test_support.hpp"

namespace {

namespace st = simpul::adapter::store;
using simpul::testing::options_for;
using simpul::testing::TempDir;
const std::string kRefused = "refused";

class StoreOutboxAdmin : public ::testing::Test {
 protected:
  void SetUp() override {
    auto o = options_for("sqlite:" + dir_.db());
    o.clock = [this] { return now_; };
    store_ = st::open_store(o);
  }
  std::int64_t enqueue(const std::string& tenant, const std::string& destination, const std::string& source_id) {
    st::OutboxItem i;
    i.tenant = tenant;
    i.destination = destination;
    i.source_type = "Encounter";
    i.source_id = source_id;
    i.source_version = "1";
    i.payload = "payload-" + source_id;
    return store_->enqueue_outbox(i).id;
  }
  void make_dead(const std::string& tenant, const std::string& destination, std::int64_t id) {
    st::OutboxClaim c;
    c.destination = destination;
    c.tenant = tenant;
    c.owner = "w";
    c.lease_ms = 1000;
    c.limit = 100;
    auto claimed = store_->claim_outbox(c);
    for (const auto& item : claimed) {
      st::DeliveryReport r;
      r.item_id = item.id;
      r.tenant = tenant;
      r.lease_owner = c.owner;
      r.outcome = item.id == id ? st::AttemptOutcome::dead : st::AttemptOutcome::retry;
      r.error = kRefused;
      store_->record_outcome(r);
    }
  }

  TempDir dir_;
  st::UnixMillis now_ = 1'000'000;
  std::unique_ptr<st::Store> store_;
};

TEST_F(StoreOutboxAdmin, SchemaHasMigrationThree) {
  EXPECT_GE(store_->schema_version(), 3);
}

TEST_F(StoreOutboxAdmin, ListFiltersByTenantDestinationStatusAndAge) {
  const auto a = enqueue("t1", "pcare", "a");
  now_ += 10'000;
  const auto b = enqueue("t1", "satusehat", "b");
  const auto c = enqueue("t2", "pcare", "c");
  make_dead("t1", "satusehat", b);

  st::OutboxFilter f;
  f.tenant = "t1";
  auto all = store_->list_outbox(f);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, b);  // newest first
  EXPECT_EQ(all[1].id, a);
  f.destination = "pcare";
  ASSERT_EQ(store_->list_outbox(f).size(), 1u);
  f.destination.reset();
  f.status = st::OutboxStatus::dead;
  auto dead = store_->list_outbox(f);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].id, b);
  f.status.reset();
  f.created_before = 1'005'000;
  ASSERT_EQ(store_->list_outbox(f).size(), 1u);
  f.created_before.reset();
  f.before_id = b;
  ASSERT_EQ(store_->list_outbox(f).size(), 1u);
  f.tenant = "t2";
  f.before_id = 0;
  ASSERT_EQ(store_->list_outbox(f).size(), 1u);
  EXPECT_EQ(store_->list_outbox(f)[0].id, c);
  EXPECT_EQ(store_->outbox_item_tenant(c), "t2");
  EXPECT_FALSE(store_->outbox_item_tenant(9999).has_value());
}

TEST_F(StoreOutboxAdmin, ResetMakesDeadItemDueWithAFreshBudgetAndNewPayload) {
  const auto id = enqueue("t1", "pcare", "a");
  make_dead("t1", "pcare", id);
  now_ += 5000;
  std::vector<st::OutboxReset> resets(1);
  resets[0].id = id;
  resets[0].payload = "rerendered";
  auto r = store_->reset_outbox("t1", resets);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(r[0].reset);
  EXPECT_TRUE(r[0].payload_changed);
  auto item = *store_->get_outbox_item("t1", id);
  EXPECT_EQ(item.status, st::OutboxStatus::pending);
  EXPECT_EQ(item.payload, "rerendered");
  EXPECT_EQ(item.attempts, 1);
  EXPECT_EQ(item.attempts_at_replay, 1);
  EXPECT_EQ(item.replayed_at, now_);
  EXPECT_EQ(item.next_attempt_at, now_);
  // The attempt history stays; the item is claimable again.
  st::OutboxClaim c;
  c.destination = "pcare";
  c.owner = "w2";
  c.lease_ms = 1000;
  ASSERT_EQ(store_->claim_outbox(c).size(), 1u);
  // In flight now: a reset leaves it alone.
  auto again = store_->reset_outbox("t1", {st::OutboxReset{id, std::nullopt}});
  EXPECT_FALSE(again[0].reset);
  EXPECT_EQ(again[0].status, st::OutboxStatus::in_flight);
  EXPECT_EQ(store_->get_outbox_attempts("t1", id).size(), 1u);
}

TEST_F(StoreOutboxAdmin, ResetOfAnotherTenantsItemIsNotFound) {
  const auto id = enqueue("t2", "pcare", "a");
  try {
    store_->reset_outbox("t1", {st::OutboxReset{id, std::nullopt}});
    FAIL() << "reset another tenant's item";
  } catch (const st::StoreError& e) {
    EXPECT_EQ(e.code(), st::StoreErrc::not_found);
  }
}

TEST_F(StoreOutboxAdmin, SuspendedPairIsSkippedByClaimsAndResumeMakesItDue) {
  const auto a = enqueue("t1", "pcare", "a");
  const auto b = enqueue("t2", "pcare", "b");
  st::OutboxSuspension s;
  s.tenant = "t1";
  s.destination = "pcare";
  s.actor = "client:admin";
  s.reason = "PKS";
  EXPECT_TRUE(store_->suspend_outbox(s));
  EXPECT_FALSE(store_->suspend_outbox(s));  // already
  auto list = store_->list_outbox_suspensions("t1");
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].reason, "PKS");
  EXPECT_EQ(list[0].suspended_at, now_);
  EXPECT_TRUE(store_->list_outbox_suspensions("t2").empty());
  EXPECT_EQ(store_->list_outbox_suspensions("").size(), 1u);

  st::OutboxClaim c;
  c.destination = "pcare";
  c.owner = "w";
  c.lease_ms = 1000;
  c.limit = 10;
  auto claimed = store_->claim_outbox(c);
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].id, b);
  EXPECT_EQ(store_->get_outbox_item("t1", a)->status, st::OutboxStatus::pending);  // waits, nothing lost

  EXPECT_TRUE(store_->resume_outbox("t1", "pcare"));
  EXPECT_FALSE(store_->resume_outbox("t1", "pcare"));
  claimed = store_->claim_outbox(c);
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].id, a);
}

TEST_F(StoreOutboxAdmin, DepthCountsUndeliveredByTenantDestinationStatus) {
  enqueue("t1", "pcare", "a");
  now_ += 1000;
  enqueue("t1", "pcare", "b");
  const auto d = enqueue("t2", "satusehat", "c");
  make_dead("t2", "satusehat", d);
  auto depth = store_->outbox_depth();
  ASSERT_EQ(depth.size(), 2u);
  EXPECT_EQ(depth[0].tenant, "t1");
  EXPECT_EQ(depth[0].status, st::OutboxStatus::pending);
  EXPECT_EQ(depth[0].count, 2);
  EXPECT_EQ(depth[0].oldest_created_at, 1'000'000);
  EXPECT_EQ(depth[1].status, st::OutboxStatus::dead);
}

}  // namespace
