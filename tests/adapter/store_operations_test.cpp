// Store operations: reference cache, idempotency keys, outbox (enqueue, claim, outcome,
// dependencies, leases), tenant isolation and argument validation.
#include <atomic>
#include <future>
#include <latch>
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

class StoreOps : public ::testing::Test {
 protected:
  void SetUp() override {
    st::StoreOptions options;
    options.url = dir_.db();
    options.clock = [this] { return now_.load(); };
    store_ = st::open_store(options);
  }

  st::OutboxItem item(const std::string& tenant, const std::string& id, const std::string& version = "1",
                      const std::string& destination = "pcare", const std::string& payload = "{}") {
    st::OutboxItem i;
    i.tenant = tenant;
    i.destination = destination;
    i.source_type = "Encounter";
    i.source_id = id;
    i.source_version = version;
    i.payload = payload;
    return i;
  }

  st::OutboxClaim claim(const std::string& owner, std::size_t limit = 10, const std::string& destination = "pcare") {
    st::OutboxClaim c;
    c.destination = destination;
    c.owner = owner;
    c.lease_ms = 30'000;
    c.limit = limit;
    return c;
  }

  st::DeliveryReport report(const st::OutboxItem& i, st::AttemptOutcome outcome, const std::string& owner) {
    st::DeliveryReport r;
    r.item_id = i.id;
    r.tenant = i.tenant;
    r.lease_owner = owner;
    r.outcome = outcome;
    return r;
  }

  TempDir dir_;
  std::atomic<st::UnixMillis> now_{1'700'000'000'000};
  std::unique_ptr<st::Store> store_;
};

template <class Fn>
st::StoreErrc error_code(Fn fn) {
  try {
    fn();
  } catch (const st::StoreError& e) {
    return e.code();
  }
  ADD_FAILURE() << "expected a StoreError";
  return st::StoreErrc::internal;
}

}  // namespace

// ---------------------------------------------------------------- reference cache

TEST_F(StoreOps, ReferenceCacheFreshStaleAndOverwrite) {
  EXPECT_FALSE(store_->get_reference("", "vclaim.poli", "INT").has_value());
  store_->put_reference({"", "vclaim.poli", "INT", R"({"nama":"Penyakit Dalam"})", 1000});
  auto fresh = store_->get_reference("", "vclaim.poli", "INT");
  ASSERT_TRUE(fresh.has_value());
  EXPECT_EQ(fresh->value, R"({"nama":"Penyakit Dalam"})");
  EXPECT_EQ(fresh->fetched_at, now_.load());
  EXPECT_EQ(fresh->expires_at, now_.load() + 1000);
  EXPECT_FALSE(fresh->stale);

  now_ += 1000;
  auto stale = store_->get_reference("", "vclaim.poli", "INT");
  ASSERT_TRUE(stale.has_value());
  EXPECT_TRUE(stale->stale);
  EXPECT_EQ(stale->value, fresh->value);

  store_->put_reference({"", "vclaim.poli", "INT", "v2", 1000});
  auto again = store_->get_reference("", "vclaim.poli", "INT");
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->value, "v2");
  EXPECT_FALSE(again->stale);
}

TEST_F(StoreOps, ReferenceCacheIsolatesTenantsFromSharedEntries) {
  store_->put_reference({"", "pcare.dokter", "D1", "shared", 60'000});
  store_->put_reference({"puskesmas-a", "pcare.dokter", "D1", "tenant a", 60'000});
  EXPECT_EQ(store_->get_reference("", "pcare.dokter", "D1")->value, "shared");
  EXPECT_EQ(store_->get_reference("puskesmas-a", "pcare.dokter", "D1")->value, "tenant a");
  EXPECT_FALSE(store_->get_reference("puskesmas-b", "pcare.dokter", "D1").has_value());
  EXPECT_FALSE(store_->get_reference("puskesmas-a", "pcare.poli", "D1").has_value());
}

TEST_F(StoreOps, ReferenceCacheRejectsBadArguments) {
  EXPECT_EQ(error_code([&] { store_->put_reference({"", "", "k", "v", 10}); }), st::StoreErrc::invalid_argument);
  EXPECT_EQ(error_code([&] { store_->put_reference({"", "kind", "k", "v", 0}); }), st::StoreErrc::invalid_argument);
}

// ---------------------------------------------------------------- idempotency

TEST_F(StoreOps, IdempotencyBeginCompleteGet) {
  auto first = store_->begin_idempotency({"rs-1", "key-1", "hash-a", 60'000});
  EXPECT_TRUE(first.acquired);
  EXPECT_EQ(first.record.state, st::IdempotencyState::in_progress);
  EXPECT_EQ(first.record.created_at, now_.load());
  EXPECT_EQ(first.record.expires_at, now_.load() + 60'000);

  auto same = store_->begin_idempotency({"rs-1", "key-1", "hash-a", 60'000});
  EXPECT_FALSE(same.acquired);
  EXPECT_TRUE(same.same_request);
  EXPECT_EQ(same.record.state, st::IdempotencyState::in_progress);

  auto other = store_->begin_idempotency({"rs-1", "key-1", "hash-b", 60'000});
  EXPECT_FALSE(other.acquired);
  EXPECT_FALSE(other.same_request);
  EXPECT_EQ(other.record.request_hash, "hash-a");

  EXPECT_TRUE(store_->complete_idempotency({"rs-1", "key-1", 201, R"({"resourceType":"Bundle"})"}));
  EXPECT_FALSE(store_->complete_idempotency({"rs-1", "key-1", 500, "again"})) << "only in-progress keys complete";

  auto got = store_->get_idempotency("rs-1", "key-1");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->state, st::IdempotencyState::completed);
  EXPECT_EQ(got->response_status, 201);
  EXPECT_EQ(got->response_body, R"({"resourceType":"Bundle"})");

  auto replay = store_->begin_idempotency({"rs-1", "key-1", "hash-a", 60'000});
  EXPECT_FALSE(replay.acquired);
  EXPECT_EQ(replay.record.state, st::IdempotencyState::completed);
  EXPECT_EQ(replay.record.response_status, 201);

  // Same key, other tenant: independent.
  EXPECT_FALSE(store_->get_idempotency("rs-2", "key-1").has_value());
  EXPECT_TRUE(store_->begin_idempotency({"rs-2", "key-1", "hash-z", 60'000}).acquired);
}

TEST_F(StoreOps, IdempotencyAbandonAndExpiry) {
  ASSERT_TRUE(store_->begin_idempotency({"rs-1", "k", "h1", 1000}).acquired);
  EXPECT_TRUE(store_->abandon_idempotency("rs-1", "k"));
  EXPECT_FALSE(store_->abandon_idempotency("rs-1", "k"));
  EXPECT_FALSE(store_->get_idempotency("rs-1", "k").has_value());
  ASSERT_TRUE(store_->begin_idempotency({"rs-1", "k", "h2", 1000}).acquired);
  ASSERT_TRUE(store_->complete_idempotency({"rs-1", "k", 200, "ok"}));
  EXPECT_FALSE(store_->abandon_idempotency("rs-1", "k")) << "a completed key is not abandoned";

  now_ += 1000;  // expired: absent for get, free for begin
  EXPECT_FALSE(store_->get_idempotency("rs-1", "k").has_value());
  auto reused = store_->begin_idempotency({"rs-1", "k", "h3", 1000});
  EXPECT_TRUE(reused.acquired);
  EXPECT_EQ(reused.record.request_hash, "h3");
}

// A short in-progress lease, a long replay window: an attempt that never finished
// frees its key when the lease runs out, and the next owner learns it must reconcile.
TEST_F(StoreOps, IdempotencyLeaseRunsOutAndCompletionExtendsTheWindow) {
  ASSERT_TRUE(store_->begin_idempotency({"rs-1", "sep", "h", 1000}).acquired);
  now_ += 999;
  EXPECT_FALSE(store_->begin_idempotency({"rs-1", "sep", "h", 1000}).acquired) << "lease still running";
  now_ += 1;
  auto taken = store_->begin_idempotency({"rs-1", "sep", "h", 1000});
  EXPECT_TRUE(taken.acquired);
  EXPECT_TRUE(taken.replaced_unfinished) << "the earlier attempt's outcome is unknown";

  ASSERT_TRUE(store_->complete_idempotency({"rs-1", "sep", 200, "done", 86'400'000}));
  now_ += 5000;  // past the lease, inside the replay window
  auto replay = store_->begin_idempotency({"rs-1", "sep", "h", 1000});
  EXPECT_FALSE(replay.acquired);
  EXPECT_EQ(replay.record.response_body, "done");
  EXPECT_EQ(replay.record.expires_at, now_.load() - 5000 + 86'400'000);

  // A completed record that expires is not an unfinished attempt.
  now_ += 86'400'000;
  auto fresh = store_->begin_idempotency({"rs-1", "sep", "h", 1000});
  EXPECT_TRUE(fresh.acquired);
  EXPECT_FALSE(fresh.replaced_unfinished);
  EXPECT_EQ(error_code([&] { store_->complete_idempotency({"rs-1", "sep", 200, "x", -1}); }),
            st::StoreErrc::invalid_argument);
}

TEST_F(StoreOps, IdempotencyInsertIfAbsentUnderSixteenThreads) {
  constexpr int kThreads = 16;
  for (int round = 0; round < 5; ++round) {
    const std::string key = "race-" + std::to_string(round);
    std::latch start(kThreads);
    std::vector<std::future<st::IdempotencyBegin>> results;
    for (int t = 0; t < kThreads; ++t) {
      results.push_back(std::async(std::launch::async, [&, t] {
        start.arrive_and_wait();
        return store_->begin_idempotency({"rs-1", key, "hash-" + std::to_string(t), 60'000});
      }));
    }
    int winners = 0;
    std::string winner_hash;
    std::vector<st::IdempotencyBegin> all;
    for (auto& f : results) all.push_back(f.get());
    for (const auto& r : all) {
      if (r.acquired) {
        ++winners;
        winner_hash = r.record.request_hash;
      }
    }
    ASSERT_EQ(winners, 1) << "round " << round;
    for (const auto& r : all) EXPECT_EQ(r.record.request_hash, winner_hash);
    EXPECT_EQ(store_->get_idempotency("rs-1", key)->request_hash, winner_hash);
  }
}

TEST_F(StoreOps, IdempotencyRejectsBadArguments) {
  EXPECT_EQ(error_code([&] { store_->begin_idempotency({"", "k", "h", 10}); }), st::StoreErrc::invalid_argument);
  EXPECT_EQ(error_code([&] { store_->begin_idempotency({"t", "", "h", 10}); }), st::StoreErrc::invalid_argument);
  EXPECT_EQ(error_code([&] { store_->begin_idempotency({"t", "k", "h", 0}); }), st::StoreErrc::invalid_argument);
  EXPECT_EQ(error_code([&] { store_->complete_idempotency({"t", "k", 42, ""}); }), st::StoreErrc::invalid_argument);
}

// ---------------------------------------------------------------- outbox

TEST_F(StoreOps, EnqueueAndGet) {
  auto in = item("pkm-a", "enc-1", "3", "pcare", R"({"kdPoli":"001"})");
  in.payload.push_back('\0');  // payload is bytes, not a C string
  in.payload += "tail";
  auto result = store_->enqueue_outbox(in);
  EXPECT_TRUE(result.created);
  EXPECT_GT(result.id, 0);
  EXPECT_EQ(result.status, st::OutboxStatus::pending);

  auto got = store_->get_outbox_item("pkm-a", result.id);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->id, result.id);
  EXPECT_EQ(got->tenant, "pkm-a");
  EXPECT_EQ(got->destination, "pcare");
  EXPECT_EQ(got->source_type, "Encounter");
  EXPECT_EQ(got->source_id, "enc-1");
  EXPECT_EQ(got->source_version, "3");
  EXPECT_EQ(got->payload, in.payload);
  EXPECT_EQ(got->payload_hash.size(), 64u);
  EXPECT_EQ(got->status, st::OutboxStatus::pending);
  EXPECT_EQ(got->attempts, 0);
  EXPECT_EQ(got->created_at, now_.load());
  EXPECT_EQ(got->updated_at, now_.load());
  EXPECT_EQ(got->next_attempt_at, now_.load());
  EXPECT_FALSE(got->depends_on.has_value());

  EXPECT_FALSE(store_->get_outbox_item("pkm-b", result.id).has_value()) << "other tenants cannot read it";
  EXPECT_FALSE(store_->get_outbox_item("pkm-a", result.id + 1000).has_value());
}

TEST_F(StoreOps, SameKeyTwiceKeepsOneRow) {
  auto first = store_->enqueue_outbox(item("pkm-a", "enc-1", "1", "pcare", "payload-1"));
  auto second = store_->enqueue_outbox(item("pkm-a", "enc-1", "1", "pcare", "payload-1"));
  EXPECT_TRUE(first.created);
  EXPECT_FALSE(second.created);
  EXPECT_EQ(second.id, first.id);
  EXPECT_TRUE(second.payload_matches);

  auto changed = store_->enqueue_outbox(item("pkm-a", "enc-1", "1", "pcare", "payload-2"));
  EXPECT_FALSE(changed.created);
  EXPECT_EQ(changed.id, first.id);
  EXPECT_FALSE(changed.payload_matches) << "same version, different content must be visible to the caller";
  EXPECT_EQ(store_->get_outbox_item("pkm-a", first.id)->payload, "payload-1");

  EXPECT_EQ(store_->count_outbox("pkm-a")[st::OutboxStatus::pending], 1);

  // Each part of the key makes a different item.
  EXPECT_TRUE(store_->enqueue_outbox(item("pkm-a", "enc-1", "2", "pcare")).created);
  EXPECT_TRUE(store_->enqueue_outbox(item("pkm-a", "enc-1", "1", "satusehat")).created);
  EXPECT_TRUE(store_->enqueue_outbox(item("pkm-b", "enc-1", "1", "pcare")).created);
  EXPECT_EQ(store_->count_outbox("pkm-a")[st::OutboxStatus::pending], 3);
  EXPECT_EQ(store_->count_outbox("pkm-b")[st::OutboxStatus::pending], 1);
}

TEST_F(StoreOps, SameKeyFromSixteenThreadsKeepsOneRow) {
  constexpr int kThreads = 16;
  std::latch start(kThreads);
  std::vector<std::future<st::EnqueueResult>> results;
  for (int t = 0; t < kThreads; ++t) {
    results.push_back(std::async(std::launch::async, [&] {
      start.arrive_and_wait();
      return store_->enqueue_outbox(item("pkm-a", "enc-race", "1"));
    }));
  }
  int created = 0;
  std::set<std::int64_t> ids;
  for (auto& f : results) {
    auto r = f.get();
    created += r.created ? 1 : 0;
    ids.insert(r.id);
  }
  EXPECT_EQ(created, 1);
  EXPECT_EQ(ids.size(), 1u);
  EXPECT_EQ(store_->count_outbox("pkm-a")[st::OutboxStatus::pending], 1);
}

TEST_F(StoreOps, ClaimRetryDeliver) {
  auto id = store_->enqueue_outbox(item("pkm-a", "enc-1")).id;
  auto claimed = store_->claim_outbox(claim("worker-1"));
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].id, id);
  EXPECT_EQ(claimed[0].status, st::OutboxStatus::in_flight);
  EXPECT_EQ(claimed[0].lease_owner, "worker-1");
  EXPECT_EQ(claimed[0].lease_until, now_.load() + 30'000);
  EXPECT_EQ(claimed[0].claimed_at, now_.load());
  EXPECT_TRUE(store_->claim_outbox(claim("worker-2")).empty()) << "a leased item is not claimed twice";

  auto r = report(claimed[0], st::AttemptOutcome::retry, "worker-1");
  r.http_status = 503;
  r.error = "P-Care: service unavailable";
  r.retry_after_ms = 5000;
  now_ += 200;
  auto outcome = store_->record_outcome(r);
  EXPECT_TRUE(outcome.applied);
  EXPECT_EQ(outcome.status, st::OutboxStatus::retrying);
  EXPECT_EQ(outcome.attempts, 1);
  auto after = store_->get_outbox_item("pkm-a", id);
  EXPECT_EQ(after->status, st::OutboxStatus::retrying);
  EXPECT_EQ(after->next_attempt_at, now_.load() + 5000);
  EXPECT_EQ(after->last_error, "P-Care: service unavailable");
  EXPECT_TRUE(after->lease_owner.empty());

  EXPECT_TRUE(store_->claim_outbox(claim("worker-1")).empty()) << "not due yet";
  now_ += 5000;
  claimed = store_->claim_outbox(claim("worker-2"));
  ASSERT_EQ(claimed.size(), 1u);
  auto d = report(claimed[0], st::AttemptOutcome::delivered, "worker-2");
  d.http_status = 201;
  d.upstream_id = "0312U0010124000001";
  outcome = store_->record_outcome(d);
  EXPECT_TRUE(outcome.applied);
  EXPECT_EQ(outcome.status, st::OutboxStatus::delivered);
  EXPECT_EQ(outcome.attempts, 2);
  after = store_->get_outbox_item("pkm-a", id);
  EXPECT_EQ(after->status, st::OutboxStatus::delivered);
  EXPECT_EQ(after->upstream_id, "0312U0010124000001");
  EXPECT_TRUE(after->last_error.empty());
  now_ += 100'000;
  EXPECT_TRUE(store_->claim_outbox(claim("worker-1")).empty()) << "delivered items are done";

  auto attempts = store_->get_outbox_attempts("pkm-a", id);
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].attempt_no, 1);
  EXPECT_EQ(attempts[0].outcome, st::AttemptOutcome::retry);
  EXPECT_EQ(attempts[0].http_status, 503);
  EXPECT_EQ(attempts[0].worker, "worker-1");
  EXPECT_EQ(attempts[0].error, "P-Care: service unavailable");
  EXPECT_EQ(attempts[1].attempt_no, 2);
  EXPECT_EQ(attempts[1].outcome, st::AttemptOutcome::delivered);
  EXPECT_EQ(attempts[1].worker, "worker-2");
  EXPECT_TRUE(store_->get_outbox_attempts("pkm-b", id).empty());

  auto counts = store_->count_outbox("pkm-a");
  EXPECT_EQ(counts[st::OutboxStatus::delivered], 1);
  EXPECT_EQ(counts.count(st::OutboxStatus::pending), 0u);
}

TEST_F(StoreOps, ClaimHonoursLimitOrderDestinationAndTenant) {
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(store_->enqueue_outbox(item("pkm-a", "enc-" + std::to_string(i))).id);
    now_ += 1;
  }
  store_->enqueue_outbox(item("pkm-a", "enc-s", "1", "satusehat"));
  store_->enqueue_outbox(item("pkm-b", "enc-b", "1", "pcare"));

  auto only_b = claim("w");
  only_b.tenant = "pkm-b";
  auto b = store_->claim_outbox(only_b);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].tenant, "pkm-b");

  auto first = store_->claim_outbox(claim("w", 2));
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].id, ids[0]);
  EXPECT_EQ(first[1].id, ids[1]);
  auto rest = store_->claim_outbox(claim("w", 10));
  ASSERT_EQ(rest.size(), 3u);
  for (const auto& i : rest) EXPECT_EQ(i.destination, "pcare");
  auto s = store_->claim_outbox(claim("w", 10, "satusehat"));
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].source_id, "enc-s");
}

TEST_F(StoreOps, HeldSuspendedAndDeadAreNotClaimed) {
  auto held = item("pkm-a", "enc-held");
  held.status = st::OutboxStatus::held;
  auto suspended = item("pkm-a", "enc-susp");
  suspended.status = st::OutboxStatus::suspended;
  EXPECT_EQ(store_->enqueue_outbox(held).status, st::OutboxStatus::held);
  EXPECT_EQ(store_->enqueue_outbox(suspended).status, st::OutboxStatus::suspended);
  auto later = item("pkm-a", "enc-later");
  later.next_attempt_at = now_.load() + 60'000;
  store_->enqueue_outbox(later);
  auto dead_id = store_->enqueue_outbox(item("pkm-a", "enc-dead")).id;

  auto claimed = store_->claim_outbox(claim("w"));
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].id, dead_id);
  auto r = report(claimed[0], st::AttemptOutcome::dead, "w");
  r.http_status = 400;
  r.error = "P-Care: noKartu tidak terdaftar";
  auto outcome = store_->record_outcome(r);
  EXPECT_TRUE(outcome.applied);
  EXPECT_EQ(outcome.status, st::OutboxStatus::dead);
  EXPECT_EQ(store_->get_outbox_item("pkm-a", dead_id)->last_error, "P-Care: noKartu tidak terdaftar");
  EXPECT_TRUE(store_->claim_outbox(claim("w")).empty());

  now_ += 60'000;
  claimed = store_->claim_outbox(claim("w"));
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].source_id, "enc-later");

  auto counts = store_->count_outbox("pkm-a");
  EXPECT_EQ(counts[st::OutboxStatus::held], 1);
  EXPECT_EQ(counts[st::OutboxStatus::suspended], 1);
  EXPECT_EQ(counts[st::OutboxStatus::dead], 1);
  EXPECT_EQ(counts[st::OutboxStatus::in_flight], 1);
}

TEST_F(StoreOps, ExpiredLeaseIsRecordedAndReclaimed) {
  auto id = store_->enqueue_outbox(item("pkm-a", "enc-1")).id;
  auto first = store_->claim_outbox(claim("worker-dead"));
  ASSERT_EQ(first.size(), 1u);
  now_ += 29'999;
  EXPECT_TRUE(store_->claim_outbox(claim("worker-new")).empty()) << "lease still valid";
  now_ += 1;
  auto second = store_->claim_outbox(claim("worker-new"));
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].id, id);
  EXPECT_EQ(second[0].lease_owner, "worker-new");
  EXPECT_EQ(second[0].attempts, 1);

  auto attempts = store_->get_outbox_attempts("pkm-a", id);
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].outcome, st::AttemptOutcome::lease_expired);
  EXPECT_EQ(attempts[0].worker, "worker-dead");

  // The old worker comes back: its retry is recorded but not applied...
  auto stale = store_->record_outcome(report(first[0], st::AttemptOutcome::retry, "worker-dead"));
  EXPECT_FALSE(stale.applied);
  EXPECT_EQ(stale.status, st::OutboxStatus::in_flight);
  EXPECT_EQ(store_->get_outbox_item("pkm-a", id)->lease_owner, "worker-new");
  // ...but a delivery is the truth whoever holds the lease.
  auto delivered = report(first[0], st::AttemptOutcome::delivered, "worker-dead");
  delivered.upstream_id = "kunjungan-9";
  auto applied = store_->record_outcome(delivered);
  EXPECT_TRUE(applied.applied);
  EXPECT_EQ(applied.status, st::OutboxStatus::delivered);
  // The new worker's duplicate delivery is recorded, not applied again.
  auto duplicate = store_->record_outcome(report(second[0], st::AttemptOutcome::delivered, "worker-new"));
  EXPECT_FALSE(duplicate.applied);
  EXPECT_EQ(duplicate.status, st::OutboxStatus::delivered);
  EXPECT_EQ(store_->get_outbox_item("pkm-a", id)->upstream_id, "kunjungan-9");
  EXPECT_EQ(store_->get_outbox_attempts("pkm-a", id).size(), 4u);
}

TEST_F(StoreOps, BatchDependenciesOrderDelivery) {
  st::OutboxBatch batch;
  batch.items.push_back(item("pkm-a", "pendaftaran-1", "1"));
  batch.items.push_back(item("pkm-a", "kunjungan-1", "1"));
  batch.dependencies.push_back({1, 0});
  auto results = store_->enqueue_outbox_batch(batch);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(store_->get_outbox_item("pkm-a", results[1].id)->depends_on, results[0].id);

  auto claimed = store_->claim_outbox(claim("w"));
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].id, results[0].id);
  store_->record_outcome(report(claimed[0], st::AttemptOutcome::delivered, "w"));
  claimed = store_->claim_outbox(claim("w"));
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].id, results[1].id);

  // depends_on by id, on a later enqueue.
  auto third = item("pkm-a", "kunjungan-2", "1");
  third.depends_on = results[1].id;
  auto r3 = store_->enqueue_outbox(third);
  EXPECT_TRUE(store_->claim_outbox(claim("w")).empty());
  store_->record_outcome(report(claimed[0], st::AttemptOutcome::delivered, "w"));
  claimed = store_->claim_outbox(claim("w"));
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].id, r3.id);
}

TEST_F(StoreOps, DependencyOnAnotherTenantsItemIsRefused) {
  auto other = store_->enqueue_outbox(item("pkm-b", "enc-b")).id;
  auto mine = item("pkm-a", "enc-a");
  mine.depends_on = other;
  EXPECT_EQ(error_code([&] { store_->enqueue_outbox(mine); }), st::StoreErrc::not_found);
  mine.depends_on = other + 100;
  EXPECT_EQ(error_code([&] { store_->enqueue_outbox(mine); }), st::StoreErrc::not_found);
  EXPECT_TRUE(store_->count_outbox("pkm-a").empty());
}

TEST_F(StoreOps, BatchCompletesTheIdempotencyRecordAtomically) {
  ASSERT_TRUE(store_->begin_idempotency({"pkm-a", "push-1", "h", 86'400'000}).acquired);
  st::OutboxBatch batch;
  batch.items.push_back(item("pkm-a", "enc-1", "1", "pcare"));
  batch.items.push_back(item("pkm-a", "enc-1", "1", "satusehat"));
  batch.completes = st::IdempotencyCompletion{"pkm-a", "push-1", 202, "accepted"};
  auto results = store_->enqueue_outbox_batch(batch);
  ASSERT_EQ(results.size(), 2u);
  auto record = store_->get_idempotency("pkm-a", "push-1");
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->state, st::IdempotencyState::completed);
  EXPECT_EQ(record->response_status, 202);
  EXPECT_EQ(record->response_body, "accepted");

  // The key is no longer in progress: the whole batch is refused, nothing is inserted.
  st::OutboxBatch again;
  again.items.push_back(item("pkm-a", "enc-2", "1", "pcare"));
  again.completes = st::IdempotencyCompletion{"pkm-a", "push-1", 202, "accepted"};
  EXPECT_EQ(error_code([&] { store_->enqueue_outbox_batch(again); }), st::StoreErrc::conflict);
  EXPECT_EQ(store_->count_outbox("pkm-a")[st::OutboxStatus::pending], 2);
}

TEST_F(StoreOps, RecordOutcomeChecksTenantAndItem) {
  auto id = store_->enqueue_outbox(item("pkm-a", "enc-1")).id;
  auto claimed = store_->claim_outbox(claim("w"));
  ASSERT_EQ(claimed.size(), 1u);
  auto wrong_tenant = report(claimed[0], st::AttemptOutcome::delivered, "w");
  wrong_tenant.tenant = "pkm-b";
  EXPECT_EQ(error_code([&] { store_->record_outcome(wrong_tenant); }), st::StoreErrc::not_found);
  auto missing = report(claimed[0], st::AttemptOutcome::delivered, "w");
  missing.item_id = id + 1000;
  EXPECT_EQ(error_code([&] { store_->record_outcome(missing); }), st::StoreErrc::not_found);
  EXPECT_EQ(store_->get_outbox_item("pkm-a", id)->status, st::OutboxStatus::in_flight);
  EXPECT_TRUE(store_->get_outbox_attempts("pkm-a", id).empty());
}

TEST_F(StoreOps, OutboxRejectsBadArguments) {
  auto no_tenant = item("", "enc-1");
  EXPECT_EQ(error_code([&] { store_->enqueue_outbox(no_tenant); }), st::StoreErrc::invalid_argument);
  auto no_version = item("pkm-a", "enc-1", "");
  EXPECT_EQ(error_code([&] { store_->enqueue_outbox(no_version); }), st::StoreErrc::invalid_argument);
  auto delivered = item("pkm-a", "enc-1");
  delivered.status = st::OutboxStatus::delivered;
  EXPECT_EQ(error_code([&] { store_->enqueue_outbox(delivered); }), st::StoreErrc::invalid_argument);
  st::OutboxBatch cyclic;
  cyclic.items = {item("pkm-a", "a"), item("pkm-a", "b")};
  cyclic.dependencies = {{0, 1}};
  EXPECT_EQ(error_code([&] { store_->enqueue_outbox_batch(cyclic); }), st::StoreErrc::invalid_argument);
  EXPECT_EQ(error_code([&] { store_->enqueue_outbox_batch(st::OutboxBatch{}); }), st::StoreErrc::invalid_argument);
  auto c = claim("w");
  c.lease_ms = 0;
  EXPECT_EQ(error_code([&] { store_->claim_outbox(c); }), st::StoreErrc::invalid_argument);
  st::DeliveryReport r;
  r.item_id = 1;
  r.tenant = "pkm-a";
  r.lease_owner = "w";
  r.outcome = st::AttemptOutcome::lease_expired;
  EXPECT_EQ(error_code([&] { store_->record_outcome(r); }), st::StoreErrc::invalid_argument);
  EXPECT_TRUE(store_->count_outbox("pkm-a").empty());

  // The asynchronous form reports the same error through the callback.
  std::promise<std::exception_ptr> seen;
  store_->enqueue_outbox(no_tenant, [&](std::exception_ptr e, st::EnqueueResult) { seen.set_value(e); });
  auto e = seen.get_future().get();
  ASSERT_TRUE(e);
  EXPECT_THROW(std::rethrow_exception(e), st::StoreError);
}
