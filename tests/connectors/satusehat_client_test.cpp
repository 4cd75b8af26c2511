// SatusehatClient against the SATUSEHAT simulator, in process on 127.0.0.1 port 0,
// through the real libcurl HttpClient. The simulator's clock and the client's clock are
// pinned separately, so token expiry can be moved on either side.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/detached.hpp>
#include <gtest/gtest.h>

#include "connectors/http/client.hpp"
#include "connectors/satusehat/client.hpp"
#include "connectors/sim/listener.hpp"
#include "connectors/sim/participants.hpp"
#include "connectors/sim/satusehat_sim.hpp"
#include "tests/connectors/sim_test_support.hpp"

namespace asio = boost::asio;
namespace sim = simpul::connectors::sim;
namespace http = simpul::connectors::http;
namespace ss = simpul::connectors::satusehat;

namespace {

constexpr std::int64_t kNowMs = 1749956400000;  // 2025-06-15T03:00:00Z
const std::string kCard = "0001234567890";
const std::string kOrg = "10000004";

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (auto p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) s.replace(p, from.size(), to);
}

// A minimal valid transaction: an Encounter and its Condition, linked by urn:uuid.
std::string transaction_bundle(const std::string& reg_no) {
  const std::string nik = *sim::nik_for_card(kCard);
  std::string s = R"({"resourceType":"Bundle","type":"transaction","entry":[
    {"fullUrl":"urn:uuid:5e2b0b7e-6a4c-4d8b-9f0e-1a2b3c4d5e6f",
     "resource":{"resourceType":"Encounter",
       "identifier":[{"system":"http://sys-ids.kemkes.go.id/encounter/@ORG","value":"@REG"}],
       "status":"finished",
       "class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB","display":"ambulatory"},
       "subject":{"reference":"Patient/@PAT","display":"Pasien"},
       "participant":[{"individual":{"reference":"Practitioner/@PRAC","display":"Dokter"}}],
       "period":{"start":"2025-06-15T01:00:00+00:00","end":"2025-06-15T02:00:00+00:00"},
       "location":[{"location":{"reference":"Location/b017aa54-f1df-4ec2-9d84-8823815d7228","display":"Poli"}}],
       "diagnosis":[{"condition":{"reference":"urn:uuid:ba5a7dec-023f-45e1-adb9-1b9d71737a5f"},"rank":1}],
       "statusHistory":[{"status":"finished","period":{"start":"2025-06-15T01:00:00+00:00","end":"2025-06-15T02:00:00+00:00"}}],
       "serviceProvider":{"reference":"Organization/@ORG"}},
     "request":{"method":"POST","url":"Encounter"}},
    {"fullUrl":"urn:uuid:ba5a7dec-023f-45e1-adb9-1b9d71737a5f",
     "resource":{"resourceType":"Condition",
       "clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]},
       "code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10","code":"K35.8","display":"Acute appendicitis"}]},
       "subject":{"reference":"Patient/@PAT"},
       "encounter":{"reference":"urn:uuid:5e2b0b7e-6a4c-4d8b-9f0e-1a2b3c4d5e6f"}},
     "request":{"method":"POST","url":"Condition"}}]})";
  replace_all(s, "@ORG", kOrg);
  replace_all(s, "@REG", reg_no);
  replace_all(s, "@PAT", sim::satusehat_patient_id_for_nik(nik));
  replace_all(s, "@PRAC", sim::satusehat_practitioner_id_for_nik(nik));
  return s;
}

std::string encounter_identifier(const std::string& reg_no) {
  return "http://sys-ids.kemkes.go.id/encounter/" + kOrg + "|" + reg_no;
}

// co_spawn(..., use_future) needs a default-constructible result; Result<T> has none.
template <class T>
asio::awaitable<void> deliver(asio::awaitable<T> call, std::shared_ptr<std::promise<T>> out) {
  try {
    out->set_value(co_await std::move(call));
  } catch (...) {
    out->set_exception(std::current_exception());
  }
}

template <class T>
std::future<T> spawn(asio::io_context& ioc, asio::awaitable<T> call) {
  auto p = std::make_shared<std::promise<T>>();
  auto f = p->get_future();
  asio::co_spawn(ioc, deliver(std::move(call), std::move(p)), asio::detached);
  return f;
}

class SatusehatClientTest : public ::testing::Test {
 protected:
  void SetUp() override { start({}); }

  void start(sim::SatusehatSimOptions o, ss::SatusehatOptions co = {}) {
    stop();
    o.clients = {sim::SatusehatClient{}, sim::SatusehatClient{"other-client", "other-secret", "10000099"}};
    o.clock_ms = [this] { return sim_now.load(); };
    simulator = std::make_shared<sim::SatusehatSimulator>(o);
    listener = std::make_unique<sim::Listener>(ioc, sim::ListenerOptions{}, simulator);
    listener->start();
    port = listener->port();
    ioc.restart();
    work.emplace(ioc.get_executor());
    for (int i = 0; i < 2; ++i) threads.emplace_back([this] { ioc.run(); });
    http_client = std::make_unique<http::HttpClient>(ioc);
    if (!co.clock_ms) co.clock_ms = [this] { return client_now.load(); };
    client = std::make_unique<ss::SatusehatClient>(ioc, *http_client, endpoints(port), co);
  }
  void stop() {
    if (!listener) return;
    client.reset();
    http_client.reset();
    listener->stop();
    work.reset();
    ioc.stop();
    for (auto& t : threads) t.join();
    threads.clear();
    listener.reset();
  }
  void TearDown() override { stop(); }

  static ss::SatusehatEndpoints endpoints(std::uint16_t p) {
    const std::string origin = "http://127.0.0.1:" + std::to_string(p);
    return {origin + "/oauth2/v1", origin + "/fhir-r4/v1"};
  }

  // Runs one call of the client to completion on the io_context's threads.
  template <class T>
  T run(asio::awaitable<T> call) {
    auto f = spawn(ioc, std::move(call));
    EXPECT_EQ(f.wait_for(std::chrono::seconds(60)), std::future_status::ready);
    return f.get();
  }

  std::int64_t state_int(const std::string& path) {
    return simpul::testing::sim::sim_state_int(port, path.c_str());
  }
  std::int64_t route(const std::string& key) { return std::max<std::int64_t>(state_int("requests.by_route." + key), 0); }
  void set_faults(const std::string& json) { simpul::testing::sim::set_sim_faults(port, json); }

  std::atomic<std::int64_t> sim_now{kNowMs};
  std::atomic<std::int64_t> client_now{kNowMs};
  ss::SatusehatCredentials creds{"simpul-demo-client", "simpul-demo-secret", kOrg};
  ss::SatusehatCredentials other{"other-client", "other-secret", "10000099"};
  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::shared_ptr<sim::SatusehatSimulator> simulator;
  std::unique_ptr<sim::Listener> listener;
  std::vector<std::thread> threads;
  std::uint16_t port = 0;
  std::unique_ptr<http::HttpClient> http_client;
  std::unique_ptr<ss::SatusehatClient> client;
};

const char* kTokenRoute = "POST /oauth2/v1/accesstoken";

TEST_F(SatusehatClientTest, TokenIsCachedPerClientId) {
  auto first = run(client->token(creds));
  ASSERT_TRUE(first) << first.error().summary();
  EXPECT_GE(first->size(), 20u);
  for (int i = 0; i < 20; ++i) {
    auto again = run(client->token(creds));
    ASSERT_TRUE(again) << again.error().summary();
    EXPECT_EQ(*again, *first);
  }
  EXPECT_EQ(state_int("tokens.issued"), 1);
  EXPECT_EQ(route(kTokenRoute), 1);
  // Another client_id has its own token.
  auto theirs = run(client->token(other));
  ASSERT_TRUE(theirs) << theirs.error().summary();
  EXPECT_NE(*theirs, *first);
  EXPECT_EQ(state_int("tokens.issued"), 2);
}

TEST_F(SatusehatClientTest, ConcurrentCallersOnAColdCacheShareOneRefresh) {
  set_faults(R"({"latency_ms":200})");  // keep the one refresh in flight while everyone asks
  std::vector<std::future<ss::Result<std::string>>> calls;
  for (int i = 0; i < 50; ++i) calls.push_back(spawn(ioc, client->token(creds)));
  std::vector<std::string> tokens;
  for (auto& f : calls) {
    ASSERT_EQ(f.wait_for(std::chrono::seconds(60)), std::future_status::ready);
    auto r = f.get();
    ASSERT_TRUE(r) << r.error().summary();
    tokens.push_back(*r);
  }
  for (const auto& t : tokens) EXPECT_EQ(t, tokens.front());
  EXPECT_EQ(route(kTokenRoute), 1);
  EXPECT_EQ(state_int("tokens.issued"), 1);
}

TEST_F(SatusehatClientTest, RefreshesEarlyBeforeExpiryWithAPinnedClock) {
  auto t1 = run(client->token(creds));
  ASSERT_TRUE(t1) << t1.error().summary();
  // expires_in 3599 s, refresh_early 300 s: reused until 3299 s after the request.
  client_now += 3299 * 1000 - 1;
  sim_now += 3299 * 1000 - 1;
  auto t2 = run(client->token(creds));
  ASSERT_TRUE(t2);
  EXPECT_EQ(*t2, *t1);
  EXPECT_EQ(state_int("tokens.issued"), 1);
  client_now += 1;
  sim_now += 1;
  auto t3 = run(client->token(creds));
  ASSERT_TRUE(t3) << t3.error().summary();
  EXPECT_NE(*t3, *t1);
  EXPECT_EQ(state_int("tokens.issued"), 2);
  // The old token was still valid upstream: no 401 happened.
  EXPECT_LE(state_int("auth_failures.by_reason.expired_token"), 0);
}

TEST_F(SatusehatClientTest, ShortLivedTokenIsStillReused) {
  sim::SatusehatSimOptions o;
  o.token_lifetime_seconds = 120;  // shorter than refresh_early: refresh at half the lifetime
  start(o);
  auto t1 = run(client->token(creds));
  ASSERT_TRUE(t1) << t1.error().summary();
  client_now += 59'000;
  EXPECT_EQ(*run(client->token(creds)), *t1);
  client_now += 1'000;
  EXPECT_NE(*run(client->token(creds)), *t1);
  EXPECT_EQ(state_int("tokens.issued"), 2);
}

TEST_F(SatusehatClientTest, ExpiredTokenGetsOne401ThenSucceedsWithANewToken) {
  const std::string nik = *sim::nik_for_card(kCard);
  auto t1 = run(client->token(creds));
  ASSERT_TRUE(t1);
  sim_now += 3600 * 1000;  // upstream says expired; our clock still thinks the token is fresh
  auto id = run(client->patient_ihs(creds, nik));
  ASSERT_TRUE(id) << id.error().summary();
  EXPECT_EQ(*id, "P" + kCard);
  EXPECT_EQ(state_int("auth_failures.by_reason.expired_token"), 1);
  EXPECT_EQ(state_int("tokens.issued"), 2);
  EXPECT_EQ(route("GET /fhir-r4/v1/Patient?search"), 2);
  auto t2 = run(client->token(creds));
  ASSERT_TRUE(t2);
  EXPECT_NE(*t2, *t1);  // the refused token was dropped from the cache
}

TEST_F(SatusehatClientTest, A401WithAFreshTokenIsRetriedOnlyOnce) {
  auto tok = run(client->token(creds));
  ASSERT_TRUE(tok);
  set_faults(R"({"rules":[{"kind":"metadata_error","http_status":401,"path":"Practitioner","count":5}]})");
  auto r = run(client->practitioner_ihs(creds, *sim::nik_for_card(kCard)));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ss::SatusehatError::auth);
  EXPECT_EQ(r.error().http_status, 401);
  EXPECT_EQ(route("GET /fhir-r4/v1/Practitioner?search"), 2);
  EXPECT_EQ(state_int("tokens.issued"), 2);
  for (const std::string& text : {r.error().summary(), r.error().internal, r.error().message}) {
    EXPECT_EQ(text.find(*tok), std::string::npos) << text;
    EXPECT_EQ(text.find(creds.client_secret), std::string::npos) << text;
  }
}

TEST_F(SatusehatClientTest, WrongSecretIsAnAuthErrorThatNeverShowsTheSecret) {
  const ss::SatusehatCredentials bad{"simpul-demo-client", "s3cr3t-that-must-not-leak-42", kOrg};
  auto r = run(client->token(bad));
  ASSERT_FALSE(r);
  const auto& e = r.error();
  EXPECT_EQ(e.kind, ss::SatusehatError::auth);
  EXPECT_EQ(e.http_status, 401);
  EXPECT_EQ(e.code, "value");
  EXPECT_NE(e.message.find("client_id or client_secret"), std::string::npos) << e.message;
  EXPECT_FALSE(e.retryable());
  for (const std::string& text : {e.summary(), e.internal, e.message, e.code, e.expression})
    EXPECT_EQ(text.find(bad.client_secret), std::string::npos) << text;

  // SATUSEHAT allows one attempt a minute after a failure: the refusal is answered locally.
  auto again = run(client->patient_ihs(bad, *sim::nik_for_card(kCard)));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ss::SatusehatError::auth);
  EXPECT_GT(again.error().retry_after.count(), 0);
  EXPECT_EQ(state_int("auth_failures.by_reason.bad_client_credentials"), 1);
  EXPECT_EQ(route("GET /fhir-r4/v1/Patient?search"), 0);
  // After the hold-off the wrong secret is asked again; a corrected secret is tried at once.
  client_now += 60'000;
  EXPECT_FALSE(run(client->token(bad)));
  EXPECT_EQ(state_int("auth_failures.by_reason.bad_client_credentials"), 2);
  auto fixed = run(client->token(creds));
  EXPECT_TRUE(fixed) << fixed.error().summary();
}

TEST_F(SatusehatClientTest, NikLookupFoundNotFoundAndCached) {
  const std::string nik = *sim::nik_for_card(kCard);
  auto p = run(client->patient_ihs(creds, nik));
  ASSERT_TRUE(p) << p.error().summary();
  EXPECT_EQ(*p, sim::satusehat_patient_id_for_nik(nik));
  auto p2 = run(client->patient_ihs(creds, nik));
  ASSERT_TRUE(p2);
  EXPECT_EQ(*p2, *p);
  EXPECT_EQ(route("GET /fhir-r4/v1/Patient?search"), 1);  // the second came from the cache

  auto n = run(client->practitioner_ihs(creds, nik));
  ASSERT_TRUE(n) << n.error().summary();
  EXPECT_EQ(*n, "N" + kCard);
  EXPECT_EQ(route("GET /fhir-r4/v1/Practitioner?search"), 1);

  // Not in the MPI: not_found, cached for a short while.
  const std::string unknown = *sim::nik_for_card("0000000000001");
  auto m = run(client->patient_ihs(creds, unknown));
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().kind, ss::SatusehatError::not_found);
  EXPECT_EQ(run(client->patient_ihs(creds, unknown)).error().kind, ss::SatusehatError::not_found);
  EXPECT_EQ(route("GET /fhir-r4/v1/Patient?search"), 2);
  client_now += 301'000;  // past the negative TTL (300 s), within the positive one
  EXPECT_EQ(run(client->patient_ihs(creds, unknown)).error().kind, ss::SatusehatError::not_found);
  EXPECT_TRUE(run(client->patient_ihs(creds, nik)));
  EXPECT_EQ(route("GET /fhir-r4/v1/Patient?search"), 3);

  // Cached per organization; a malformed NIK is refused without a request.
  EXPECT_TRUE(run(client->patient_ihs(other, nik)));
  EXPECT_EQ(route("GET /fhir-r4/v1/Patient?search"), 4);
  auto bad = run(client->patient_ihs(creds, "12345"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ss::SatusehatError::rejected);
  EXPECT_EQ(route("GET /fhir-r4/v1/Patient?search"), 4);
}

TEST_F(SatusehatClientTest, IhsCacheIsBoundedLeastRecentlyUsedFirst) {
  ss::SatusehatOptions co;
  co.ihs_cache_max = 2;
  start({}, co);
  const std::string a = *sim::nik_for_card("0001234567890"), b = *sim::nik_for_card("0001234567891"),
                    c = *sim::nik_for_card("0001234567892");
  for (const auto& nik : {a, b, a, c}) ASSERT_TRUE(run(client->patient_ihs(creds, nik)));  // c evicts b
  EXPECT_EQ(route("GET /fhir-r4/v1/Patient?search"), 3);
  ASSERT_TRUE(run(client->patient_ihs(creds, a)));
  EXPECT_EQ(route("GET /fhir-r4/v1/Patient?search"), 3);
  ASSERT_TRUE(run(client->patient_ihs(creds, b)));
  EXPECT_EQ(route("GET /fhir-r4/v1/Patient?search"), 4);
}

TEST_F(SatusehatClientTest, PostTransactionReturnsTheEncounterId) {
  auto r = run(client->post_transaction(creds, transaction_bundle("REG-TX1")));
  ASSERT_TRUE(r) << r.error().summary() << " / " << r.error().internal;
  EXPECT_FALSE(r->encounter_id.empty());
  ASSERT_EQ(r->locations.size(), 2u);
  EXPECT_EQ(r->locations[0], "Encounter/" + r->encounter_id + "/_history/1");
  EXPECT_EQ(r->locations[1].rfind("Condition/", 0), 0u);
  EXPECT_NE(r->response_json.find("transaction-response"), std::string::npos);
  EXPECT_EQ(state_int("transactions"), 1);
  EXPECT_EQ(state_int("counts.Encounter"), 1);

  auto found = run(client->search_by_identifier(creds, "Encounter", encounter_identifier("REG-TX1")));
  ASSERT_TRUE(found) << found.error().summary();
  EXPECT_EQ(*found, std::vector<std::string>{r->encounter_id});
  auto none = run(client->search_by_identifier(creds, "Encounter", encounter_identifier("REG-NONE")));
  ASSERT_TRUE(none) << none.error().summary();
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(run(client->search_by_identifier(creds, "Encounter?x=", "a|b")).error().kind,
            ss::SatusehatError::rejected);
}

TEST_F(SatusehatClientTest, DuplicateIsRejectedWithTheUpstreamCodeMessageAndExpression) {
  ASSERT_TRUE(run(client->post_transaction(creds, transaction_bundle("REG-DUP"))));
  auto dup = run(client->post_transaction(creds, transaction_bundle("REG-DUP")));
  ASSERT_FALSE(dup);
  const auto& e = dup.error();
  EXPECT_EQ(e.kind, ss::SatusehatError::rejected);
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.code, "duplicate");
  EXPECT_NE(e.message.find("Duplicate Encounter: identifier " + encounter_identifier("REG-DUP")), std::string::npos)
      << e.message;
  EXPECT_EQ(e.expression, "Bundle.entry[0].resource.identifier");
  EXPECT_FALSE(e.retryable());
  EXPECT_FALSE(e.outcome_unknown());
  EXPECT_NE(e.summary().find("duplicate"), std::string::npos);
  EXPECT_EQ(state_int("counts.Encounter"), 1);
}

TEST_F(SatusehatClientTest, RateLimitedHonoursRetryAfter) {
  const std::string nik = *sim::nik_for_card(kCard);
  ASSERT_TRUE(run(client->token(creds)));
  set_faults(R"({"rules":[{"kind":"metadata_error","http_status":429,"path":"Patient","count":1}]})");
  auto r = run(client->patient_ihs(creds, nik));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ss::SatusehatError::rate_limited);
  EXPECT_EQ(r.error().http_status, 429);
  EXPECT_EQ(r.error().code, "throttled");
  EXPECT_EQ(r.error().retry_after, std::chrono::seconds(60));
  EXPECT_TRUE(r.error().retryable());
  EXPECT_EQ(route("GET /fhir-r4/v1/Patient?search"), 1);  // not retried internally
  auto ok = run(client->patient_ihs(creds, nik));       // and not cached
  EXPECT_TRUE(ok) << ok.error().summary();
}

TEST(SatusehatClientRetryAfter, SecondsAndHttpDates) {
  using std::chrono::milliseconds;
  EXPECT_EQ(ss::parse_retry_after("120", kNowMs), milliseconds(120'000));
  EXPECT_EQ(ss::parse_retry_after(" 0 ", kNowMs), milliseconds(0));
  EXPECT_EQ(ss::parse_retry_after("Sun, 15 Jun 2025 03:02:00 GMT", kNowMs), milliseconds(120'000));
  EXPECT_EQ(ss::parse_retry_after("Sun, 15 Jun 2025 02:00:00 GMT", kNowMs), milliseconds(0));  // past
  EXPECT_FALSE(ss::parse_retry_after("soon", kNowMs));
  EXPECT_FALSE(ss::parse_retry_after("", kNowMs));
}

TEST_F(SatusehatClientTest, ServerErrorOnAWriteIsRetryableAndNotResent) {
  ASSERT_TRUE(run(client->token(creds)));
  set_faults(R"({"rules":[{"kind":"http_500","http_status":503,"method":"POST","path":"fhir-r4","count":1}]})");
  auto r = run(client->post_transaction(creds, transaction_bundle("REG-5XX")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ss::SatusehatError::server);
  EXPECT_EQ(r.error().http_status, 503);
  EXPECT_EQ(r.error().retry_after, std::chrono::seconds(60));
  EXPECT_EQ(route("POST /fhir-r4/v1 (Bundle)"), 1);
  EXPECT_TRUE(run(client->post_transaction(creds, transaction_bundle("REG-5XX"))));
}

TEST_F(SatusehatClientTest, DropAfterCommitIsUnknownAndTheSearchFindsIt) {
  ASSERT_TRUE(run(client->token(creds)));
  set_faults(R"({"rules":[{"kind":"drop_after_commit","method":"POST","path":"fhir-r4/v1","count":1}]})");
  auto r = run(client->post_transaction(creds, transaction_bundle("REG-DROP")));
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().outcome_unknown()) << r.error().summary() << " / " << r.error().internal;
  EXPECT_EQ(r.error().kind, ss::SatusehatError::transport_unknown);
  EXPECT_FALSE(r.error().retryable());
  EXPECT_EQ(route("POST /fhir-r4/v1 (Bundle)"), 1);  // never resent by the client
  EXPECT_EQ(state_int("counts.Encounter"), 1);        // but committed

  auto found = run(client->search_by_identifier(creds, "Encounter", encounter_identifier("REG-DROP")));
  ASSERT_TRUE(found) << found.error().summary();
  EXPECT_EQ(found->size(), 1u);
}

TEST_F(SatusehatClientTest, TimeoutAfterSendingAWriteIsUnknown) {
  ss::SatusehatOptions co;
  co.write_timeout = std::chrono::milliseconds(300);
  start({}, co);
  ASSERT_TRUE(run(client->token(creds)));
  set_faults(R"({"rules":[{"kind":"timeout","hold_ms":1500,"method":"POST","path":"fhir-r4","count":1}]})");
  auto r = run(client->post_transaction(creds, transaction_bundle("REG-TMO")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ss::SatusehatError::timeout_unknown) << r.error().internal;
  EXPECT_TRUE(r.error().outcome_unknown());
  EXPECT_EQ(route("POST /fhir-r4/v1 (Bundle)"), 1);
}

TEST_F(SatusehatClientTest, NothingListeningIsTransportBeforeSend) {
  std::uint16_t closed = 0;
  {
    asio::io_context tmp;
    asio::ip::tcp::acceptor a(tmp, {asio::ip::make_address("127.0.0.1"), 0});
    closed = a.local_endpoint().port();
  }
  ss::SatusehatClient dead(ioc, *http_client, endpoints(closed));
  auto r = run(dead.token(creds));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ss::SatusehatError::transport_before_send) << r.error().internal;
  EXPECT_TRUE(r.error().retryable());
  EXPECT_EQ(r.error().internal.find(creds.client_secret), std::string::npos);
}

}  // namespace
