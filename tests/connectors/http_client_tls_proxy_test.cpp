// HttpClient TLS verification (throwaway CA, asio::ssl server) and forward-proxy use.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>

#include "connectors/http/client.hpp"
#include "tests/connectors/http_client_test_support.hpp"

namespace {

using namespace simpul::connectors::http;
using namespace simpul_test;

Reply hello(const Request&) { return Reply{.body = "hello over tls"}; }

TEST(HttpClientTls, RejectsAnUnknownCaWithTheDefaultStore) {
  Pki pki = make_pki("IP:127.0.0.1");
  TestServer srv(hello, server_tls(pki.server));
  ClientIo cio;
  HttpClient client(cio.io, ClientOptions{.retry = {.max_attempts = 1}});
  auto r = run(client, HttpRequest{.url = srv.url("/")});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::tls) << r.error().reason;
  EXPECT_FALSE(r.error().maybe_delivered);
  EXPECT_EQ(srv.requests.load(), 0);
}

TEST(HttpClientTls, TrustsTheConfiguredCaBundle) {
  Pki pki = make_pki("IP:127.0.0.1");
  TempFile ca("ca.pem", pki.ca.cert_pem);
  TestServer srv(hello, server_tls(pki.server));
  ClientIo cio;
  HttpClient client(cio.io, ClientOptions{.ca_bundle = ca.path()});
  for (int i = 0; i < 3; ++i) {
    auto r = run(client, HttpRequest{.url = srv.url("/secure")});
    ASSERT_TRUE(r.ok()) << r.error().reason;
    EXPECT_EQ(r.response().status, 200);
    EXPECT_EQ(r.response().body, "hello over tls");
  }
  EXPECT_EQ(srv.accepted.load(), 1);  // TLS connections are reused too (by GETs: writes open a fresh one)
  auto w = run(client, HttpRequest{.method = Method::post, .url = srv.url("/secure"), .body = "x"});
  ASSERT_TRUE(w.ok()) << w.error().reason;
  EXPECT_EQ(w.response().body, "hello over tls");
}

TEST(HttpClientTls, VerifiesTheHostNameEvenWithATrustedCa) {
  Pki pki = make_pki("DNS:other.example");
  TempFile ca("ca.pem", pki.ca.cert_pem);
  TestServer srv(hello, server_tls(pki.server));
  ClientIo cio;
  HttpClient client(cio.io, ClientOptions{.ca_bundle = ca.path(), .retry = {.max_attempts = 1}});
  auto r = run(client, HttpRequest{.url = srv.url("/")});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::tls) << r.error().reason;
  EXPECT_EQ(srv.requests.load(), 0);
}

TEST(HttpClientTls, MissingCaBundleFileIsATlsError) {
  Pki pki = make_pki("IP:127.0.0.1");
  TestServer srv(hello, server_tls(pki.server));
  ClientIo cio;
  HttpClient client(cio.io, ClientOptions{.ca_bundle = "/nonexistent/simpul-ca.pem", .retry = {.max_attempts = 1}});
  auto r = run(client, HttpRequest{.url = srv.url("/")});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::tls) << r.error().reason;
}

// A forward proxy for plain HTTP: takes absolute-URI requests, records the target and
// forwards the request (origin-form) to the origin with a synchronous Beast client.
struct ForwardProxy {
  std::mutex mu;
  std::vector<std::string> targets;

  Reply operator()(const Request& req) {
    std::string target(req.target());
    {
      std::lock_guard lk(mu);
      targets.push_back(target);
    }
    const std::string scheme = "http://";
    if (target.rfind(scheme, 0) != 0) return Reply{.status = 400, .body = "proxy wants an absolute URI"};
    auto rest = target.substr(scheme.size());
    auto slash = rest.find('/');
    auto authority = rest.substr(0, slash);
    auto path = slash == std::string::npos ? std::string("/") : rest.substr(slash);
    auto colon = authority.rfind(':');
    try {
      asio::io_context io;
      tcp::resolver res(io);
      tcp::socket sock(io);
      asio::connect(sock, res.resolve(authority.substr(0, colon), authority.substr(colon + 1)));
      Request out = req;
      out.target(path);
      out.set(bhttp::field::connection, "close");
      out.erase(bhttp::field::proxy_connection);
      bhttp::write(sock, out);
      beast::flat_buffer buf;
      bhttp::response<bhttp::string_body> resp;
      bhttp::read(sock, buf, resp);
      Reply r{.status = resp.result_int(), .body = resp.body()};
      r.headers.emplace_back("Via", "1.1 test-proxy");
      return r;
    } catch (const std::exception& e) {
      return Reply{.status = 502, .body = e.what()};
    }
  }
};

TEST(HttpClientProxy, SendsRequestsThroughTheConfiguredProxy) {
  TestServer origin([](const Request& req) { return Reply{.body = "origin saw " + std::string(req.target())}; });
  auto proxy = std::make_shared<ForwardProxy>();
  TestServer proxy_srv([proxy](const Request& r) { return (*proxy)(r); });
  ClientIo cio;
  HttpClient client(cio.io, ClientOptions{.proxy = "http://127.0.0.1:" + std::to_string(proxy_srv.port())});
  auto r = run(client, HttpRequest{.url = origin.url("/fhir/Patient?x=1")});
  ASSERT_TRUE(r.ok()) << r.error().reason;
  EXPECT_EQ(r.response().status, 200);
  EXPECT_EQ(r.response().body, "origin saw /fhir/Patient?x=1");
  EXPECT_EQ(r.response().header("via"), "1.1 test-proxy");
  std::lock_guard lk(proxy->mu);
  ASSERT_EQ(proxy->targets.size(), 1u);
  EXPECT_EQ(proxy->targets[0], origin.url("/fhir/Patient?x=1"));
  EXPECT_EQ(origin.requests.load(), 1);
}

TEST(HttpClientProxy, NoProxyListBypassesTheProxy) {
  TestServer origin([](const Request&) { return Reply{.body = "direct"}; });
  auto proxy = std::make_shared<ForwardProxy>();
  TestServer proxy_srv([proxy](const Request& r) { return (*proxy)(r); });
  ClientIo cio;
  HttpClient client(cio.io, ClientOptions{.proxy = "http://127.0.0.1:" + std::to_string(proxy_srv.port()),
                                          .no_proxy = "127.0.0.1"});
  auto r = run(client, HttpRequest{.url = origin.url("/x")});
  ASSERT_TRUE(r.ok()) << r.error().reason;
  EXPECT_EQ(r.response().body, "direct");
  EXPECT_EQ(proxy_srv.requests.load(), 0);
  EXPECT_EQ(origin.requests.load(), 1);
}

TEST(HttpClientProxy, WithoutTheOptionTheEnvironmentProxyIsIgnored) {
  TestServer origin([](const Request&) { return Reply{.body = "direct"}; });
  auto proxy = std::make_shared<ForwardProxy>();
  TestServer proxy_srv([proxy](const Request& r) { return (*proxy)(r); });
  std::string env_proxy = "http://127.0.0.1:" + std::to_string(proxy_srv.port());
  ::setenv("http_proxy", env_proxy.c_str(), 1);
  ClientIo cio;
  HttpResult r = HttpResult(HttpError{});
  {
    HttpClient client(cio.io);
    r = run(client, HttpRequest{.url = origin.url("/x")});
  }
  ::unsetenv("http_proxy");
  ASSERT_TRUE(r.ok()) << r.error().reason;
  EXPECT_EQ(r.response().body, "direct");
  EXPECT_EQ(proxy_srv.requests.load(), 0);
}

}  // namespace
