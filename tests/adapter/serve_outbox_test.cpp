// The outbox admin API through the real `simpul serve`: items are enqueued by opening the
// server's SQLite store from the test (no destination is registered in serve yet, so they
// stay where they are put). Every route refuses another tenant's key with 403.
#include "adapter/store/store.hpp"
#include "tests/adapter/serve_fixture.hpp"

namespace {

using namespace simpul::testing::serve;
namespace st = simpul::adapter::store;

class ServeOutboxTest : public ServeTest {
 protected:
  std::unique_ptr<st::Store> open() {
    st::StoreOptions o;
    o.url = "sqlite:" + (dir_ / "t.db").string();
    return st::open_store(o);
  }
  static st::OutboxItem item(const std::string& tenant, const std::string& source_id) {
    st::OutboxItem i;
    i.tenant = tenant;
    i.destination = "registry";  // no worker serves it here: only the admin API moves these items
    i.source_type = "Encounter";
    i.source_id = source_id;
    i.source_version = "1";
    i.payload = "{\"nik\":\"3171012345678901\"}";  // personal data: never shown by the API
    return i;
  }
};

TEST_F(ServeOutboxTest, AdminApiListsShowsRetriesReplaysSuspendsWithinItsTenantOnly) {
  start();
  std::int64_t mine = 0, dead = 0, theirs = 0;
  {
    auto store = open();
    mine = store->enqueue_outbox(item("rs-demo", "enc-1")).id;
    dead = store->enqueue_outbox(item("rs-demo", "enc-2")).id;
    theirs = store->enqueue_outbox(item("pkm-demo", "enc-3")).id;
    st::OutboxClaim c;
    c.destination = "registry";
    c.tenant = "rs-demo";
    c.owner = "test";
    c.lease_ms = 60'000;
    c.limit = 10;
    for (const auto& claimed : store->claim_outbox(c)) {
      st::DeliveryReport r;
      r.item_id = claimed.id;
      r.tenant = "rs-demo";
      r.lease_owner = "test";
      r.outcome = claimed.id == dead ? st::AttemptOutcome::dead : st::AttemptOutcome::retry;
      r.http_status = 422;
      r.error = "refused: invalid kdPoli";
      store->record_outcome(r);
    }
  }
  const std::string id_mine = std::to_string(mine), id_dead = std::to_string(dead), id_theirs = std::to_string(theirs);

  auto list = call(port_, bhttp::verb::get, "/admin/outbox", kAdminKey);
  ASSERT_EQ(list.status, 200u) << list.body;
  EXPECT_NE(list.body.find("\"id\":" + id_mine), std::string::npos);
  EXPECT_EQ(list.body.find("\"id\":" + id_theirs + ","), std::string::npos);
  EXPECT_EQ(list.body.find("3171012345678901"), std::string::npos);  // no payload bytes
  EXPECT_NE(list.body.find("payload_sha256"), std::string::npos);
  auto filtered = call(port_, bhttp::verb::get, "/admin/outbox?status=dead&destination=registry", kAdminKey);
  ASSERT_EQ(filtered.status, 200u);
  EXPECT_NE(filtered.body.find("\"count\":1"), std::string::npos) << filtered.body;
  EXPECT_EQ(call(port_, bhttp::verb::get, "/admin/outbox?status=nonsense", kAdminKey).status, 400u);

  auto shown = call(port_, bhttp::verb::get, "/admin/outbox/" + id_dead, kAdminKey);
  ASSERT_EQ(shown.status, 200u) << shown.body;
  EXPECT_NE(shown.body.find("\"outcome\":\"dead\""), std::string::npos) << shown.body;
  EXPECT_NE(shown.body.find("invalid kdPoli"), std::string::npos);
  EXPECT_EQ(shown.body.find("3171012345678901"), std::string::npos);
  EXPECT_EQ(call(port_, bhttp::verb::get, "/admin/outbox/999999", kAdminKey).status, 404u);

  auto retried = call(port_, bhttp::verb::post, "/admin/outbox/" + id_dead + "/retry", kAdminKey);
  ASSERT_EQ(retried.status, 200u) << retried.body;
  EXPECT_NE(retried.body.find("\"status\":\"pending\""), std::string::npos);

  auto replayed = call(port_, bhttp::verb::post, "/admin/outbox/replay?status=retrying&destination=registry", kAdminKey);
  ASSERT_EQ(replayed.status, 200u) << replayed.body;
  EXPECT_NE(replayed.body.find("\"replayed\":1"), std::string::npos) << replayed.body;
  EXPECT_EQ(call(port_, bhttp::verb::post, "/admin/outbox/replay?status=delivered", kAdminKey).status, 400u);

  auto suspended = call(port_, bhttp::verb::post, "/admin/destinations/rs-demo/registry/suspend?reason=PKS", kAdminKey);
  ASSERT_EQ(suspended.status, 200u) << suspended.body;
  EXPECT_NE(suspended.body.find("\"changed\":true"), std::string::npos);
  auto listed = call(port_, bhttp::verb::get, "/admin/destinations/rs-demo", kAdminKey);
  ASSERT_EQ(listed.status, 200u);
  EXPECT_NE(listed.body.find("\"destination\":\"registry\""), std::string::npos) << listed.body;
  ASSERT_EQ(call(port_, bhttp::verb::post, "/admin/destinations/rs-demo/registry/resume", kAdminKey).status, 200u);

  // Another tenant's admin: 403 on every route, for this tenant's items and destinations.
  const std::string other = kOtherTenantAdmin;
  EXPECT_EQ(call(port_, bhttp::verb::get, "/admin/outbox?tenant=rs-demo", other).status, 403u);
  EXPECT_EQ(call(port_, bhttp::verb::get, "/admin/outbox/" + id_mine, other).status, 403u);
  EXPECT_EQ(call(port_, bhttp::verb::post, "/admin/outbox/" + id_mine + "/retry", other).status, 403u);
  EXPECT_EQ(call(port_, bhttp::verb::post, "/admin/outbox/replay?tenant=rs-demo", other).status, 403u);
  EXPECT_EQ(call(port_, bhttp::verb::get, "/admin/destinations/rs-demo", other).status, 403u);
  EXPECT_EQ(call(port_, bhttp::verb::post, "/admin/destinations/rs-demo/registry/suspend", other).status, 403u);
  EXPECT_EQ(call(port_, bhttp::verb::post, "/admin/destinations/rs-demo/registry/resume", other).status, 403u);
  // ... and this tenant's admin for the other's.
  EXPECT_EQ(call(port_, bhttp::verb::get, "/admin/outbox/" + id_theirs, kAdminKey).status, 403u);
  EXPECT_EQ(call(port_, bhttp::verb::post, "/admin/outbox/" + id_theirs + "/retry", kAdminKey).status, 403u);
  // A key without the admin role.
  EXPECT_EQ(call(port_, bhttp::verb::get, "/admin/outbox", kKey).status, 403u);
  // The other tenant sees its own item.
  auto theirs_list = call(port_, bhttp::verb::get, "/admin/outbox", other);
  ASSERT_EQ(theirs_list.status, 200u);
  EXPECT_NE(theirs_list.body.find("\"id\":" + id_theirs), std::string::npos);

  server_->signal(SIGTERM);
  ASSERT_TRUE(server_->wait_exit(std::chrono::seconds(20)).has_value());
  server_.reset();
  // Every admin call is in the tenant's audit trail.
  auto store = open();
  std::set<std::string> events;
  for (const auto& r : store->read_audit("rs-demo", 1, 10'000)) events.insert(r.event);
  for (const char* e : {"outbox.list", "outbox.show", "outbox.retry", "outbox.replay", "outbox.suspend",
                        "outbox.resume", "outbox.suspensions"})
    EXPECT_TRUE(events.count(e)) << e;
  EXPECT_EQ(store->get_outbox_item("rs-demo", dead)->status, st::OutboxStatus::pending);
}

}  // namespace
