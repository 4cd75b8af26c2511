// HttpClient against a Beast server on 127.0.0.1: methods, headers, timeouts, connect
// failures, 2,000 concurrent calls, connection reuse, cancellation, retries, the queue cap,
// shutdown with calls in flight, and fd hygiene.
#include <dirent.h>
#include <unistd.h>

#include <algorithm>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include "connectors/http/client.hpp"
#include "tests/connectors/http_client_test_support.hpp"

namespace {

using namespace simpul::connectors::http;
using namespace simpul_test;

// Echoes the request: method, body, X-* headers (as X-Echo-*), Content-Type presence.
Reply echo(const Request& req) {
  Reply r;
  r.headers.emplace_back("X-Method", std::string(req.method_string()));
  r.headers.emplace_back("X-Target", std::string(req.target()));
  for (const auto& f : req) {
    std::string name(f.name_string());
    if (name.size() > 2 && (name[0] == 'X' || name[0] == 'x') && name[1] == '-')
      r.headers.emplace_back("X-Echo-" + name.substr(2), std::string(f.value()));
  }
  auto ct = req.find(bhttp::field::content_type);
  r.headers.emplace_back("X-Had-Content-Type", ct == req.end() ? "no" : std::string(ct->value()));
  r.body = req.body();
  return r;
}

TEST(HttpClient, RoundTripsEveryMethodWithHeadersAndBody) {
  TestServer srv(echo);
  ClientIo cio;
  HttpClient client(cio.io);

  struct Case {
    Method m;
    std::string body;
    const char* wire;
  };
  for (const Case& c : {Case{Method::get, "", "GET"}, Case{Method::post, R"({"a":1})", "POST"},
                        Case{Method::put, "put-body", "PUT"}, Case{Method::del, "delete-body", "DELETE"}}) {
    HttpRequest req;
    req.method = c.m;
    req.url = srv.url("/things/42?x=1");
    req.headers = {{"X-Cons-Id", "1234"}, {"x-lower", "v"}};
    if (!c.body.empty()) req.headers.push_back({"Content-Type", "application/json"});
    req.body = c.body;
    auto r = run(client, std::move(req));
    ASSERT_TRUE(r.ok()) << c.wire << ": " << r.error().reason;
    const auto& resp = r.response();
    EXPECT_EQ(resp.status, 200);
    EXPECT_EQ(resp.header("x-method"), c.wire);
    EXPECT_EQ(resp.header("X-TARGET"), "/things/42?x=1");
    EXPECT_EQ(resp.header("x-echo-cons-id"), "1234");
    EXPECT_EQ(resp.header("X-Echo-Lower"), "v");
    EXPECT_EQ(resp.body, c.body);
    EXPECT_EQ(resp.header("X-Had-Content-Type"), c.body.empty() ? "no" : "application/json");
    EXPECT_FALSE(resp.header("X-Not-There").has_value());
    EXPECT_GT(resp.total_seconds, 0.0);
    EXPECT_LE(std::chrono::abs(std::chrono::system_clock::now() - resp.received_at), 60s);
    EXPECT_EQ(r.attempts(), 1);
  }
}

TEST(HttpClient, BodyWithoutContentTypeIsNotLabelledAsAForm) {
  TestServer srv(echo);
  ClientIo cio;
  HttpClient client(cio.io);
  HttpRequest req{.method = Method::post, .url = srv.url("/p"), .body = "raw"};
  auto r = run(client, std::move(req));
  ASSERT_TRUE(r.ok()) << r.error().reason;
  EXPECT_EQ(r.response().header("X-Had-Content-Type"), "no");
  EXPECT_EQ(r.response().body, "raw");
}

TEST(HttpClient, InvalidRequestsFailWithoutNetworkTraffic) {
  TestServer srv(echo);
  ClientIo cio;
  HttpClient client(cio.io);
  auto bad_header = run(client, HttpRequest{.url = srv.url("/"), .headers = {{"X-Evil", "a\r\nInjected: 1"}}});
  EXPECT_EQ(bad_header.error_kind(), ErrorKind::other);
  auto bad_scheme = run(client, HttpRequest{.url = "ftp://127.0.0.1/x"});
  EXPECT_EQ(bad_scheme.error_kind(), ErrorKind::other);
  auto get_body = run(client, HttpRequest{.url = srv.url("/"), .body = "x"});
  EXPECT_EQ(get_body.error_kind(), ErrorKind::other);
  EXPECT_EQ(srv.requests.load(), 0);
}

TEST(HttpClient, ReportsNon2xxStatusAsAResponse) {
  TestServer srv([](const Request&) { return Reply{.status = 404, .body = "nope"}; });
  ClientIo cio;
  HttpClient client(cio.io);
  auto r = run(client, HttpRequest{.url = srv.url("/missing")});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.response().status, 404);
  EXPECT_EQ(r.response().body, "nope");
}

TEST(HttpClient, PerCallTimeoutAgainstASlowHandler) {
  TestServer srv([](const Request&) { return Reply{.body = "late", .delay = 5s}; });
  ClientIo cio;
  HttpClient client(cio.io, ClientOptions{.retry = {.max_attempts = 1}});
  auto r = run(client, HttpRequest{.url = srv.url("/slow"), .timeout = 300ms});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::timeout) << r.error().reason;
  EXPECT_TRUE(r.error().maybe_delivered);
  EXPECT_EQ(srv.requests.load(), 1);
}

TEST(HttpClient, ConnectFailureOnAClosedPort) {
  ClientIo cio;
  HttpClient client(cio.io, ClientOptions{.retry = {.max_attempts = 1}});
  auto r = run(client, HttpRequest{.url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/x"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::connect_failed) << r.error().reason;
  EXPECT_FALSE(r.error().maybe_delivered);
  EXPECT_FALSE(r.error().reason.empty());
}

TEST(HttpClient, UnresolvableHostIsADnsError) {
  ClientIo cio;
  HttpClient client(cio.io, ClientOptions{.retry = {.max_attempts = 1}});
  auto r = run(client, HttpRequest{.url = "http://no-such-host.invalid/x", .timeout = 20s});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::dns) << r.error().reason;
}

TEST(HttpClient, TwoThousandConcurrentRequestsAllCompleteOverFewConnections) {
  TestServer srv([](const Request& req) { return Reply{.body = std::string(req.target()), .delay = 100ms}; });
  ClientIo cio;
  constexpr int kRequests = 2000;
  HttpClient client(cio.io, ClientOptions{.max_total_connections = 64,
                                          .max_host_connections = 50,
                                          .total_timeout = 120s,
                                          .max_in_flight = 500,
                                          .max_queued = 4000});
  std::atomic<int> done{0};
  std::atomic<int> good{0};
  Slot<bool> all;
  for (int i = 0; i < kRequests; ++i) {
    std::string path = "/item/" + std::to_string(i);
    client.async_request(HttpRequest{.url = srv.url(path), .label = "/item/{}"}, [&, path](HttpResult r) {
      if (r.ok() && r.response().status == 200 && r.response().body == path) ++good;
      if (++done == kRequests) all.set(true);
    });
  }
  ASSERT_TRUE(all.wait(180s).has_value()) << "completed " << done.load() << " of " << kRequests;
  EXPECT_EQ(good.load(), kRequests);
  EXPECT_EQ(srv.requests.load(), kRequests);
  EXPECT_LE(srv.accepted.load(), 50);  // the per-host cap, far below 2,000
  auto st = client.stats();
  EXPECT_EQ(st.in_flight, 0u);
  EXPECT_EQ(st.queued, 0u);
  EXPECT_LE(st.easy_handles, 256u);
}

TEST(HttpClient, SequentialRequestsReuseOneConnection) {
  TestServer srv(echo);
  ClientIo cio;
  HttpClient client(cio.io);
  for (int i = 0; i < 20; ++i) {
    auto r = run(client, HttpRequest{.url = srv.url("/r")});
    ASSERT_TRUE(r.ok()) << r.error().reason;
  }
  EXPECT_EQ(srv.requests.load(), 20);
  EXPECT_EQ(srv.accepted.load(), 1);
  EXPECT_EQ(client.stats().sockets_opened_total, 1u);
  EXPECT_EQ(client.stats().easy_handles, 1u);  // one handle, pooled and reused
}

TEST(HttpClient, CancellationRemovesTheTransferAndClosesItsConnection) {
  TestServer srv([](const Request&) { return Reply{.body = "late", .delay = 10s}; });
  ClientIo cio;
  HttpClient client(cio.io);
  asio::cancellation_signal sig;
  Slot<HttpResult> s;
  std::atomic<int> hook_calls{0};
  ErrorKind hook_kind = ErrorKind::none;
  HttpRequest req{.url = srv.url("/slow"), .on_complete = [&](const CallStats& cs) {
                    hook_kind = cs.error;
                    ++hook_calls;
                  }};
  client.async_request(std::move(req),
                       asio::bind_cancellation_slot(sig.slot(), [&](HttpResult r) { s.set(std::move(r)); }));
  ASSERT_TRUE(wait_until([&] { return srv.requests.load() == 1; }));
  sig.emit(asio::cancellation_type::terminal);
  auto r = s.wait();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->error_kind(), ErrorKind::cancelled);
  EXPECT_EQ(hook_calls.load(), 1);
  EXPECT_EQ(hook_kind, ErrorKind::cancelled);
  // A half-done HTTP/1.1 exchange cannot be reused: curl closed it, exactly once.
  EXPECT_TRUE(wait_until([&] { return client.stats().sockets_open == 0; }));
  EXPECT_EQ(client.stats().sockets_watched, 0u);
  EXPECT_EQ(client.stats().in_flight, 0u);
  // A late second emission is harmless.
  sig.emit(asio::cancellation_type::terminal);
}

TEST(HttpClient, CancellingAQueuedRequestNeverStartsIt) {
  TestServer srv([](const Request&) { return Reply{.body = "ok", .delay = 300ms}; });
  ClientIo cio;
  HttpClient client(cio.io, ClientOptions{.max_in_flight = 1, .max_queued = 10});
  Slot<HttpResult> first, second;
  int second_attempts = -1;
  client.async_request(HttpRequest{.url = srv.url("/a")}, [&](HttpResult r) { first.set(std::move(r)); });
  asio::cancellation_signal sig;
  client.async_request(
      HttpRequest{.url = srv.url("/b"), .on_complete = [&](const CallStats& cs) { second_attempts = cs.attempts; }},
      asio::bind_cancellation_slot(sig.slot(), [&](HttpResult r) { second.set(std::move(r)); }));
  ASSERT_TRUE(wait_until([&] { return client.stats().queued == 1; }));
  sig.emit(asio::cancellation_type::terminal);
  auto r2 = second.wait();
  ASSERT_TRUE(r2.has_value());
  EXPECT_EQ(r2->error_kind(), ErrorKind::cancelled);
  EXPECT_EQ(second_attempts, 0);
  auto r1 = first.wait();
  ASSERT_TRUE(r1.has_value() && r1->ok());
  EXPECT_EQ(srv.requests.load(), 1);
}

TEST(HttpClient, WorksWithCoroutines) {
  TestServer srv(echo);
  ClientIo cio;
  HttpClient client(cio.io);
  Slot<HttpResult> s;
  asio::co_spawn(
      cio.io,
      [&]() -> asio::awaitable<void> {
        // Build the request in a named variable: GCC 12 miscompiles braced aggregate
        // temporaries inside a co_await expression (see docs/http-client.md).
        HttpRequest req{.method = Method::post, .url = srv.url("/co"), .body = "hi"};
        HttpResult r = co_await client.async_request(std::move(req), asio::use_awaitable);
        s.set(std::move(r));
      },
      asio::detached);
  auto r = s.wait();
  ASSERT_TRUE(r.has_value());
  ASSERT_TRUE(r->ok()) << r->error().reason;
  EXPECT_EQ(r->response().body, "hi");
}

struct Flaky {
  std::atomic<int> hits{0};
  int fail_first = 0;
  unsigned fail_status = 503;
  std::vector<std::pair<std::string, std::string>> fail_headers;
  Reply operator()(const Request&) {
    int n = ++hits;
    if (n <= fail_first) return Reply{.status = fail_status, .headers = fail_headers, .body = "down"};
    return Reply{.body = "up"};
  }
};

ClientOptions fast_retry() {
  return ClientOptions{.retry = {.max_attempts = 3, .base_delay = 10ms, .max_delay = 100ms}};
}

// A Flaky server that fails its first `fail_first` requests, and a client (fast retries by
// default) in front of it.
struct FlakyUpstream {
  std::shared_ptr<Flaky> flaky;
  TestServer srv;
  ClientIo cio;
  HttpClient client;

  explicit FlakyUpstream(int fail_first, std::vector<std::pair<std::string, std::string>> fail_headers = {},
                         ClientOptions opts = fast_retry())
      : flaky(std::make_shared<Flaky>()),
        srv([f = flaky](const Request& r) { return (*f)(r); }),
        client(cio.io, std::move(opts)) {
    flaky->fail_first = fail_first;
    flaky->fail_headers = std::move(fail_headers);
  }
  int hits() const { return flaky->hits.load(); }
};

TEST(HttpClient, RetriesGetOn503UntilItSucceeds) {
  std::vector<CallStats> seen;
  std::mutex mu;
  auto opts = fast_retry();
  opts.on_complete = [&](const CallStats& cs) {
    std::lock_guard lk(mu);
    seen.push_back(cs);
  };
  FlakyUpstream up(2, {}, opts);
  auto r = run(up.client, HttpRequest{.url = up.srv.url("/peserta/123"), .label = "/peserta/{}"});
  ASSERT_TRUE(r.ok()) << r.error().reason;
  EXPECT_EQ(r.response().status, 200);
  EXPECT_EQ(r.response().body, "up");
  EXPECT_EQ(r.attempts(), 3);
  EXPECT_EQ(up.hits(), 3);
  ASSERT_TRUE(wait_until([&] {
    std::lock_guard lk(mu);
    return seen.size() == 1;
  }));
  std::lock_guard lk(mu);
  EXPECT_EQ(seen[0].method, Method::get);
  EXPECT_EQ(seen[0].host, "127.0.0.1");
  EXPECT_EQ(seen[0].label, "/peserta/{}");
  EXPECT_EQ(seen[0].status, 200);
  EXPECT_EQ(seen[0].error, ErrorKind::none);
  EXPECT_EQ(seen[0].attempts, 3);
  EXPECT_GT(seen[0].seconds, 0.0);
}

TEST(HttpClient, GivesUpAfterMaxAttemptsAndReturnsTheLast503) {
  FlakyUpstream up(100);
  auto r = run(up.client, HttpRequest{.url = up.srv.url("/x")});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.response().status, 503);
  EXPECT_EQ(r.attempts(), 3);
  EXPECT_EQ(up.hits(), 3);
  auto once = run(up.client, HttpRequest{.url = up.srv.url("/x"), .max_attempts = 1});
  EXPECT_EQ(once.attempts(), 1);
  EXPECT_EQ(up.hits(), 4);
}

TEST(HttpClient, NeverRetriesPostPutOrDelete) {
  FlakyUpstream up(100);
  int expected_hits = 0;
  for (Method m : {Method::post, Method::put, Method::del}) {
    auto r = run(up.client, HttpRequest{.method = m, .url = up.srv.url("/sep"), .body = "{}", .max_attempts = 5});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.response().status, 503);
    EXPECT_EQ(r.attempts(), 1);
    EXPECT_EQ(up.hits(), ++expected_hits) << to_string(m);
  }
}

// libcurl silently re-sends a request on a new connection when a kept-alive one dies
// before any answer byte. For a GET that is harmless; for an SEP insert it is a second
// SEP. Writes therefore never go out on a reused connection.
TEST(HttpClient, AWriteIsNeverSentTwiceWhenAKeptAliveConnectionDies) {
  std::atomic<int> writes{0};
  TestServer srv([&](const Request& req) {
    Reply r;
    if (req.method() != bhttp::verb::get) {
      ++writes;
      r.drop = true;
    }
    return r;
  });
  ClientIo cio;
  HttpClient client(cio.io);
  int expected = 0;
  for (Method m : {Method::post, Method::put, Method::del}) {
    ASSERT_TRUE(run(client, HttpRequest{.url = srv.url("/warm")}).ok());  // a kept-alive connection in the pool
    auto w = run(client, HttpRequest{.method = m, .url = srv.url("/sep"), .body = "{}"});
    EXPECT_FALSE(w.ok()) << to_string(m);
    EXPECT_EQ(w.attempts(), 1);
    EXPECT_EQ(writes.load(), ++expected) << to_string(m) << " was sent more than once";
  }
  // GETs keep reusing the pool.
  const auto opened = client.stats().sockets_opened_total;
  ASSERT_TRUE(run(client, HttpRequest{.url = srv.url("/a")}).ok());
  ASSERT_TRUE(run(client, HttpRequest{.url = srv.url("/b")}).ok());
  EXPECT_LE(client.stats().sockets_opened_total, opened + 1);
}

TEST(HttpClient, RetryAfterLongerThanTheMaximumDelayStopsRetrying) {
  FlakyUpstream up(100, {{"Retry-After", "3600"}});
  auto r = run(up.client, HttpRequest{.url = up.srv.url("/x")});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.response().status, 503);
  EXPECT_EQ(r.response().header("retry-after"), "3600");
  EXPECT_EQ(r.attempts(), 1);
  EXPECT_EQ(up.hits(), 1);
}

TEST(HttpClient, RetriesGetOnTransportErrorsButNotPost) {
  ClientIo cio;
  HttpClient client(cio.io, fast_retry());
  std::string url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/x";
  auto g = run(client, HttpRequest{.url = url});
  EXPECT_EQ(g.error_kind(), ErrorKind::connect_failed);
  EXPECT_EQ(g.attempts(), 3);
  auto p = run(client, HttpRequest{.method = Method::post, .url = url, .body = "x"});
  EXPECT_EQ(p.error_kind(), ErrorKind::connect_failed);
  EXPECT_EQ(p.attempts(), 1);
}

TEST(HttpClient, FailsFastWithTooManyWhenTheQueueIsFull) {
  TestServer srv([](const Request&) { return Reply{.body = "ok", .delay = 300ms}; });
  ClientIo cio;
  HttpClient client(cio.io, ClientOptions{.max_in_flight = 1, .max_queued = 1});
  std::vector<std::unique_ptr<Slot<HttpResult>>> slots;
  for (int i = 0; i < 3; ++i) {
    slots.push_back(std::make_unique<Slot<HttpResult>>());
    client.async_request(HttpRequest{.url = srv.url("/q")},
                         [s = slots.back().get()](HttpResult r) { s->set(std::move(r)); });
  }
  auto third = slots[2]->wait();
  ASSERT_TRUE(third.has_value());
  EXPECT_EQ(third->error_kind(), ErrorKind::too_many);
  EXPECT_EQ(third->attempts(), 0);
  for (int i = 0; i < 2; ++i) {
    auto r = slots[i]->wait();
    ASSERT_TRUE(r.has_value());
    EXPECT_TRUE(r->ok()) << i;
  }
  EXPECT_EQ(srv.requests.load(), 2);
}

TEST(HttpClient, OversizedResponseBodyFails) {
  TestServer srv([](const Request&) { return Reply{.body = std::string(10000, 'x')}; });
  ClientIo cio;
  HttpClient client(cio.io, ClientOptions{.max_response_bytes = 1000});
  auto r = run(client, HttpRequest{.url = srv.url("/big")});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::other);
  EXPECT_NE(r.error().reason.find("larger than"), std::string::npos) << r.error().reason;
}

TEST(HttpClient, DestroyingTheClientCancelsEverythingInFlight) {
  TestServer srv([](const Request&) { return Reply{.body = "late", .delay = 10s}; });
  ClientIo cio;
  constexpr int kRunning = 5, kQueued = 3;
  std::atomic<int> cancelled{0}, other{0};
  {
    HttpClient client(cio.io, ClientOptions{.max_in_flight = kRunning});
    for (int i = 0; i < kRunning + kQueued; ++i) {
      client.async_request(HttpRequest{.url = srv.url("/slow")},
                           [&](HttpResult r) { (r.error_kind() == ErrorKind::cancelled ? cancelled : other)++; });
    }
    ASSERT_TRUE(wait_until([&] { return srv.requests.load() == kRunning; }));
    EXPECT_EQ(client.stats().queued, static_cast<std::size_t>(kQueued));
  }
  ASSERT_TRUE(wait_until([&] { return cancelled.load() + other.load() == kRunning + kQueued; }));
  EXPECT_EQ(cancelled.load(), kRunning + kQueued);
  EXPECT_EQ(other.load(), 0);
}

TEST(HttpClient, MayBeDestroyedFromItsOwnCompletionHook) {
  TestServer srv([](const Request& req) {
    return Reply{.body = "x", .delay = req.target() == "/slow" ? std::chrono::milliseconds(10s) : 0ms};
  });
  ClientIo cio;
  std::unique_ptr<HttpClient> client;
  std::atomic<int> hooks{0};
  ClientOptions opts;
  opts.on_complete = [&](const CallStats& cs) {
    ++hooks;
    if (cs.status == 200) client.reset();  // the fast call's hook tears the client down
  };
  client = std::make_unique<HttpClient>(cio.io, opts);
  Slot<HttpResult> slow, fast;
  client->async_request(HttpRequest{.url = srv.url("/slow")}, [&](HttpResult r) { slow.set(std::move(r)); });
  ASSERT_TRUE(wait_until([&] { return srv.requests.load() == 1; }));
  client->async_request(HttpRequest{.url = srv.url("/fast")}, [&](HttpResult r) { fast.set(std::move(r)); });
  auto f = fast.wait();
  auto s = slow.wait();
  ASSERT_TRUE(f.has_value() && s.has_value());
  EXPECT_TRUE(f->ok());
  EXPECT_EQ(s->error_kind(), ErrorKind::cancelled);
  EXPECT_EQ(hooks.load(), 2);
}

TEST(HttpClient, RequestsAfterShutdownStartedStillComplete) {
  // Requests posted to the strand just before destruction complete with `cancelled`.
  ClientIo cio;
  std::atomic<int> completions{0};
  {
    HttpClient client(cio.io);
    for (int i = 0; i < 50; ++i)
      client.async_request(HttpRequest{.url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/"},
                           [&](HttpResult) { ++completions; });
  }
  EXPECT_TRUE(wait_until([&] { return completions.load() == 50; }));
}

// Open descriptors of this process, as "fd -> target" lines.
std::vector<std::string> open_fds() {
  std::vector<std::string> out;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    while (dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      char target[512] = {};
      auto n = ::readlink(("/proc/self/fd/" + name).c_str(), target, sizeof target - 1);
      out.push_back(name + " -> " + (n > 0 ? std::string(target, static_cast<std::size_t>(n)) : "?"));
    }
    ::closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string diff(const std::vector<std::string>& now, const std::vector<std::string>& before) {
  std::string d;
  for (const auto& f : now)
    if (std::find(before.begin(), before.end(), f) == before.end()) d += "+ " + f + "\n";
  for (const auto& f : before)
    if (std::find(now.begin(), now.end(), f) == now.end()) d += "- " + f + "\n";
  return d;
}

TEST(HttpClient, ReleasesEverySocketExactlyOnce) {
  TestServer srv(echo);
  ClientIo cio;
  ASSERT_TRUE(wait_until([&] { return srv.open_sessions.load() == 0; }));
  { asio::steady_timer warm(cio.io); }  // the reactor (epoll, eventfd, timerfd) is created lazily
  const auto baseline = open_fds();
  {
    HttpClient client(cio.io, ClientOptions{.max_host_connections = 4});
    std::atomic<int> done{0};
    for (int i = 0; i < 40; ++i) client.async_request(HttpRequest{.url = srv.url("/f")}, [&](HttpResult) { ++done; });
    ASSERT_TRUE(wait_until([&] { return done.load() == 40; }));
    auto st = client.stats();
    EXPECT_GE(st.sockets_open, 1u);
    EXPECT_LE(st.sockets_open, 4u);
    EXPECT_EQ(st.sockets_opened_total, st.sockets_open);  // nothing closed yet: all kept for reuse
  }
  // The client closed its sockets; the server sees EOF and closes its side.
  EXPECT_TRUE(wait_until([&] { return srv.open_sessions.load() == 0 && open_fds() == baseline; }, 10s))
      << "server sessions " << srv.open_sessions.load() << "; fd changes:\n"
      << diff(open_fds(), baseline);
}

}  // namespace
