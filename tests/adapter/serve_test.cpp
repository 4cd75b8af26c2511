// Starts the real `simpul` binary on a loopback port and talks HTTP to it.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <gtest/gtest.h>

#include "tests/adapter/process.hpp"
#include "tests/adapter/serve_fixture.hpp"

namespace {

using namespace simpul::testing::serve;

TEST_F(ServeTest, HealthMetadataAndMetrics) {
  start();
  auto h = call(port_, bhttp::verb::get, "/healthz");
  EXPECT_EQ(h.status, 200u);
  auto ready = call(port_, bhttp::verb::get, "/readyz");
  EXPECT_EQ(ready.status, 200u) << ready.body;

  auto anon = call(port_, bhttp::verb::get, "/fhir/metadata");
  EXPECT_EQ(anon.status, 401u);
  EXPECT_NE(anon.body.find("\"resourceType\":\"OperationOutcome\""), std::string::npos) << anon.body;
  EXPECT_NE(std::string(anon.raw[bhttp::field::www_authenticate]).find("Bearer"), std::string::npos);

  auto bad = call(port_, bhttp::verb::get, "/fhir/metadata", "not-a-real-key");
  EXPECT_EQ(bad.status, 401u);

  auto meta = call(port_, bhttp::verb::get, "/fhir/metadata", kKey);
  EXPECT_EQ(meta.status, 200u);
  EXPECT_NE(meta.content_type.find("application/fhir+json"), std::string::npos);
  EXPECT_NE(meta.body.find("\"resourceType\":\"CapabilityStatement\""), std::string::npos);
  EXPECT_NE(meta.body.find("\"fhirVersion\":\"4.0.1\""), std::string::npos);
  EXPECT_NE(meta.body.find("Resource-validate"), std::string::npos);
  EXPECT_FALSE(meta.raw["X-Request-Id"].empty());

  auto metrics = call(port_, bhttp::verb::get, "/metrics");
  EXPECT_EQ(metrics.status, 200u);
  EXPECT_NE(metrics.body.find("simpul_http_requests_total{"), std::string::npos) << metrics.body;
  EXPECT_NE(metrics.body.find("route=\"/fhir/metadata\""), std::string::npos);
  EXPECT_NE(metrics.body.find("status=\"401\""), std::string::npos);
  EXPECT_NE(metrics.body.find("simpul_http_request_duration_seconds_bucket"), std::string::npos);
  EXPECT_NE(metrics.body.find("simpul_http_in_flight_requests"), std::string::npos);
  EXPECT_NE(metrics.body.find("simpul_store_operation_duration_seconds"), std::string::npos);
  // Never a key in metrics.
  EXPECT_EQ(metrics.body.find(kKey), std::string::npos);

  auto unknown = call(port_, bhttp::verb::get, "/nope", kKey);
  EXPECT_EQ(unknown.status, 404u);
  EXPECT_NE(unknown.body.find("OperationOutcome"), std::string::npos);
  auto wrong_method = call(port_, bhttp::verb::delete_, "/fhir/metadata", kKey);
  EXPECT_EQ(wrong_method.status, 405u);
}

TEST_F(ServeTest, FiftyMebibyteBodyIsRefusedAndServerKeepsServing) {
  start();
  asio::io_context ioc;
  auto s = connect_to(ioc, port_, std::chrono::seconds(60));
  const std::size_t size = 50u << 20;
  asio::write(s, asio::buffer(validate_head(size)));
  std::string chunk(1 << 20, ' ');
  boost::system::error_code ec;
  for (std::size_t sent = 0; sent < size && !ec; sent += chunk.size()) asio::write(s, asio::buffer(chunk), ec);
  beast::flat_buffer buf;
  bhttp::response<bhttp::string_body> res;
  bhttp::read(s, buf, res, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(res.result_int(), 413u);
  EXPECT_NE(res.body().find("OperationOutcome"), std::string::npos);
  EXPECT_NE(res.body().find("exceeds the limit"), std::string::npos);
  EXPECT_EQ(call(port_, bhttp::verb::get, "/healthz").status, 200u);
  EXPECT_EQ(call(port_, bhttp::verb::get, "/fhir/metadata", kKey).status, 200u);
}

TEST_F(ServeTest, BadBodiesGetOperationOutcomesThatSayWhatIsWrong) {
  start();
  auto malformed = call(port_, bhttp::verb::post, "/fhir/Patient/$validate", kKey, "{\"resourceType\": \"Patient\",");
  EXPECT_EQ(malformed.status, 400u);
  EXPECT_NE(malformed.body.find("OperationOutcome"), std::string::npos);
  EXPECT_NE(malformed.body.find("JSON"), std::string::npos) << malformed.body;

  std::string deep = std::string(10000, '[') + std::string(10000, ']');
  auto nested = call(port_, bhttp::verb::post, "/fhir/Patient/$validate", kKey, deep);
  EXPECT_EQ(nested.status, 400u);
  EXPECT_NE(nested.body.find("deeper than"), std::string::npos) << nested.body;

  auto wrong_type = call(port_, bhttp::verb::post, "/fhir/Patient/$validate", kKey,
                         R"({"resourceType":"Observation","status":"final"})");
  EXPECT_EQ(wrong_type.status, 400u);
  EXPECT_NE(wrong_type.body.find("Patient"), std::string::npos);
  EXPECT_NE(wrong_type.body.find("Observation"), std::string::npos) << wrong_type.body;

  auto unknown_type = call(port_, bhttp::verb::post, "/fhir/Patient/$validate", kKey, R"({"resourceType":"Patiant"})");
  EXPECT_EQ(unknown_type.status, 400u);
  EXPECT_NE(unknown_type.body.find("Patiant"), std::string::npos) << unknown_type.body;

  auto xml = call(port_, bhttp::verb::post, "/fhir/Patient/$validate", kKey, "<Patient/>", "application/fhir+xml");
  EXPECT_EQ(xml.status, 415u);
  EXPECT_NE(xml.body.find("application/fhir+json"), std::string::npos) << xml.body;
  auto text = call(port_, bhttp::verb::post, "/fhir/Patient/$validate", kKey, "hello", "text/plain");
  EXPECT_EQ(text.status, 415u);

  auto ok = call(port_, bhttp::verb::post, "/fhir/Patient/$validate", kKey,
                 R"({"resourceType":"Patient","id":"p1","gender":"female"})", "application/json; charset=utf-8");
  EXPECT_EQ(ok.status, 200u) << ok.body;
  EXPECT_NE(ok.body.find("information"), std::string::npos);
  // The server still answers after all that.
  EXPECT_EQ(call(port_, bhttp::verb::get, "/healthz").status, 200u);
}

TEST_F(ServeTest, RolesTenantsAndRateLimits) {
  start("rate_per_second = 0.5\nrate_burst = 3");
  // The SIMRS key lacks the admin role.
  EXPECT_EQ(call(port_, bhttp::verb::get, "/admin/tenants/rs-demo", kKey).status, 403u);
  auto own = call(port_, bhttp::verb::get, "/admin/tenants/rs-demo", kAdminKey);
  EXPECT_EQ(own.status, 200u) << own.body;
  EXPECT_NE(own.body.find("\"simrs\""), std::string::npos);
  EXPECT_EQ(own.body.find("env:"), std::string::npos) << "secret references must not be shown";
  // An admin of another tenant is refused.
  auto other = call(port_, bhttp::verb::get, "/admin/tenants/rs-demo", kOtherTenantAdmin);
  EXPECT_EQ(other.status, 403u);
  EXPECT_NE(other.body.find("another tenant"), std::string::npos);

  // Burst 3 for the SIMRS key: the fourth quick request is throttled.
  unsigned last = 0;
  std::string retry_after;
  for (int i = 0; i < 4; ++i) {
    auto r = call(port_, bhttp::verb::get, "/fhir/metadata", kKey);
    last = r.status;
    retry_after = std::string(r.raw[bhttp::field::retry_after]);
  }
  // The 403 above consumed one token of the SIMRS key too: at most 3 pass.
  EXPECT_EQ(last, 429u);
  EXPECT_FALSE(retry_after.empty());
}

TEST_F(ServeTest, HeaderLimitAndConnectionLimit) {
  start("max_header_bytes = 4096\nmax_connections = 2");
  {
    asio::io_context ioc;
    auto s = connect_to(ioc, port_, std::chrono::seconds(10));
    bhttp::request<bhttp::string_body> req{bhttp::verb::get, "/healthz", 11};
    req.set("X-Big", std::string(8000, 'a'));
    auto res = round_trip(s, req);
    EXPECT_EQ(res.result_int(), 431u);
    EXPECT_NE(res.body().find("OperationOutcome"), std::string::npos);
  }
  // Two idle keep-alive connections fill the limit; the third is told 503.
  asio::io_context ioc;
  std::vector<std::unique_ptr<beast::tcp_stream>> held;
  for (int i = 0; i < 2; ++i) {
    held.push_back(std::make_unique<beast::tcp_stream>(ioc));
    held.back()->connect(loopback(port_));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let the server count them
  unsigned status = 0;
  std::string retry_after;
  for (int attempt = 0; attempt < 20 && status != 503; ++attempt) {
    auto s = connect_to(ioc, port_, std::chrono::seconds(10));
    bhttp::request<bhttp::string_body> req{bhttp::verb::get, "/healthz", 11};
    boost::system::error_code ec;
    bhttp::write(s, req, ec);
    beast::flat_buffer buf;
    bhttp::response<bhttp::string_body> res;
    bhttp::read(s, buf, res, ec);
    if (!ec) {
      status = res.result_int();
      retry_after = std::string(res[bhttp::field::retry_after]);
    }
  }
  EXPECT_EQ(status, 503u);
  EXPECT_EQ(retry_after, "1");
  held.clear();
  // Once they close, the server serves again.
  unsigned after = 0;
  for (int attempt = 0; attempt < 50 && after != 200; ++attempt) {
    after = call(port_, bhttp::verb::get, "/healthz").status;
    if (after != 200) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(after, 200u);
}

TEST_F(ServeTest, SigtermStopsCleanlyAndLogsAreJsonLinesWithoutSecrets) {
  start();
  EXPECT_EQ(call(port_, bhttp::verb::get, "/fhir/metadata", kKey).status, 200u);
  EXPECT_EQ(call(port_, bhttp::verb::get, "/fhir/metadata").status, 401u);
  // An idle keep-alive connection must not hold shutdown up.
  asio::io_context ioc;
  beast::tcp_stream idle(ioc);
  idle.connect(loopback(port_));
  server_->signal(SIGTERM);
  auto code = server_->wait_exit(std::chrono::seconds(20));
  ASSERT_TRUE(code.has_value()) << "did not exit after SIGTERM";
  EXPECT_EQ(*code, 0);
  server_.reset();
  const std::string log = read_file(dir_ / "stderr.log");
  std::istringstream lines(log);
  std::string line;
  int requests = 0;
  while (std::getline(lines, line)) {
    ASSERT_EQ(line.front(), '{') << line;
    ASSERT_EQ(line.back(), '}') << line;
    if (line.find("\"msg\":\"request\"") != std::string::npos) {
      ++requests;
      EXPECT_NE(line.find("\"request_id\":"), std::string::npos);
      EXPECT_NE(line.find("\"route\":\"/fhir/metadata\""), std::string::npos);
      EXPECT_NE(line.find("\"latency_ms\":"), std::string::npos);
    }
  }
  EXPECT_EQ(requests, 2);
  EXPECT_NE(log.find("\"tenant\":\"rs-demo\""), std::string::npos);
  EXPECT_EQ(log.find(kKey), std::string::npos);
  EXPECT_NE(log.find("\"msg\":\"stopped\""), std::string::npos);
}

TEST_F(ServeTest, PipelinedRequestsAreAnsweredInOrder) {
  start();
  asio::io_context ioc;
  auto s = connect_to(ioc, port_, std::chrono::seconds(10));
  const std::string three =
      "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /fhir/metadata HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /fhir/metadata HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
      kKey + "\r\n\r\n";
  asio::write(s, asio::buffer(three));
  beast::flat_buffer buf;
  std::vector<unsigned> statuses;
  for (int i = 0; i < 3; ++i) {
    bhttp::response<bhttp::string_body> res;
    bhttp::read(s, buf, res);
    statuses.push_back(res.result_int());
  }
  EXPECT_EQ(statuses, (std::vector<unsigned>{200, 401, 200}));
}

TEST_F(ServeTest, InFlightRequestFinishesAcrossSigterm) {
  start();
  asio::io_context ioc;
  auto s = connect_to(ioc, port_, std::chrono::seconds(30));
  const std::string body = R"({"resourceType":"Patient","id":"in-flight"})";
  asio::write(s, asio::buffer(validate_head(body.size()) + body.substr(0, 10)));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the server is now reading this request
  server_->signal(SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  asio::write(s, asio::buffer(body.substr(10)));
  beast::flat_buffer buf;
  bhttp::response<bhttp::string_body> res;
  bhttp::read(s, buf, res);
  EXPECT_EQ(res.result_int(), 200u) << res.body();
  EXPECT_FALSE(res.keep_alive()) << "a draining server closes after the response";
  auto code = server_->wait_exit(std::chrono::seconds(20));
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0);
  server_.reset();
}

TEST_F(ServeTest, ServesHttpsWhenACertificateIsConfigured) {
  prepare_dir();
  const auto cert = dir_ / "cert.pem", key = dir_ / "key.pem";
  auto gen = simpul::testing::run({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                                   "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout",
                                   key.string(), "-out", cert.string()});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  start("", "tls_cert = \"" + cert.string() + "\"\ntls_key = \"" + key.string() + "\"");

  asio::io_context ioc;
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.load_verify_file(cert.string());
  ctx.set_verify_mode(asio::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> tls(ioc, ctx);
  beast::get_lowest_layer(tls).expires_after(std::chrono::seconds(10));
  beast::get_lowest_layer(tls).connect(loopback(port_));
  tls.set_verify_callback(asio::ssl::host_name_verification("127.0.0.1"));
  tls.handshake(asio::ssl::stream_base::client);
  bhttp::request<bhttp::string_body> req{bhttp::verb::get, "/fhir/metadata", 11};
  req.set(bhttp::field::host, "127.0.0.1");
  req.set(bhttp::field::authorization, "Bearer " + kKey);
  auto res = round_trip(tls, req);
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_NE(res.body().find("CapabilityStatement"), std::string::npos);

  // Plain HTTP on the TLS port gets no HTTP answer.
  auto plain = connect_to(ioc, port_, std::chrono::seconds(10));
  bhttp::request<bhttp::string_body> preq{bhttp::verb::get, "/healthz", 11};
  bhttp::write(plain, preq);
  bhttp::response<bhttp::string_body> pres;
  beast::flat_buffer pbuf;
  boost::system::error_code ec;
  bhttp::read(plain, pbuf, pres, ec);
  EXPECT_TRUE(ec) << "expected no HTTP response on the TLS port";
}

TEST(ServeCli, DemoKeysRefusedOffLoopbackAndBadFlags) {
  auto dir = std::filesystem::temp_directory_path() / ("simpul-cli-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto cfg = write_config(dir, "", "0.0.0.0:0");
  const std::string bin = std::string(SIMPUL_BINARY_DIR) + "/simpul";
  auto r = simpul::testing::run({bin, "serve", "--config", cfg.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("demo API key"), std::string::npos) << r.err;

  auto unknown = simpul::testing::run({bin, "serve", "--config", cfg.string(), "--verbose"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("unknown option '--verbose'"), std::string::npos) << unknown.err;
  EXPECT_EQ(std::count(unknown.err.begin(), unknown.err.end(), '\n'), 1);
  // A command group alone lists its commands, each once prefixed with "simpul".
  for (const char* group : {"audit", "bpjs", "config"}) {
    auto g = simpul::testing::run({bin, group});
    EXPECT_EQ(g.exit_code, 2) << group;
    EXPECT_NE(g.err.find("  simpul " + std::string(group) + " "), std::string::npos) << g.err;
    EXPECT_EQ(g.err.find("simpul simpul"), std::string::npos) << g.err;
  }

  auto badlisten = simpul::testing::run({bin, "serve", "--config", cfg.string(), "--listen", "nowhere"});
  EXPECT_EQ(badlisten.exit_code, 2);

  auto nocmd = simpul::testing::run({bin, "frobnicate"});
  EXPECT_EQ(nocmd.exit_code, 2);
  auto help = simpul::testing::run({bin, "serve", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--config"), std::string::npos);
  auto top = simpul::testing::run({bin, "--help"});
  EXPECT_EQ(top.exit_code, 0);
  for (const char* command : {"serve", "config check", "bpjs sign", "bpjs decrypt", "sim ", "version"})
    EXPECT_NE(top.out.find(command), std::string::npos) << command;
  auto version = simpul::testing::run({bin, "version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.out.find("simpul 0."), std::string::npos);

  // config check names the line and key.
  std::ofstream(dir / "bad.toml")
      << "[server]\nlisten = \"127.0.0.1:8080\"\n\n[[tenants]]\nid = \"x\"\nkind = \"hospital\"\n"
         "[tenants.credentials]\nbpjs_secret_key = \"s3cr3t-inline\"\n";
  auto bad = simpul::testing::run({bin, "config", "check", "--config", (dir / "bad.toml").string()});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("bad.toml:6: tenants[0].kind"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("bad.toml:8: tenants[0].credentials.bpjs_secret_key"), std::string::npos) << bad.err;
  EXPECT_EQ(bad.err.find("s3cr3t-inline"), std::string::npos) << "an inline secret must not be echoed";
  std::ofstream(dir / "bad-bpjs.toml") << "[bpjs]\nendpoint = \"staging\"\nmax_concurrent = 0\nmax_conections = 3\n";
  auto bad_bpjs = simpul::testing::run({bin, "config", "check", "--config", (dir / "bad-bpjs.toml").string()});
  EXPECT_EQ(bad_bpjs.exit_code, 1);
  EXPECT_NE(bad_bpjs.err.find("bad-bpjs.toml:2: bpjs.endpoint"), std::string::npos) << bad_bpjs.err;
  EXPECT_NE(bad_bpjs.err.find("bad-bpjs.toml:3: bpjs.max_concurrent"), std::string::npos) << bad_bpjs.err;
  EXPECT_NE(bad_bpjs.err.find("bad-bpjs.toml:4: bpjs.max_conections: unknown key"), std::string::npos) << bad_bpjs.err;
  auto good = simpul::testing::run(
      {bin, "config", "check", "--config", (std::filesystem::path(SIMPUL_SOURCE_DIR) / "config/demo.toml").string()});
  EXPECT_EQ(good.exit_code, 0) << good.err;
  for (auto example : {"rumah-sakit.example.toml", "puskesmas.example.toml", "registry.example.toml"}) {
    auto ex = simpul::testing::run(
        {bin, "config", "check", "--config", (std::filesystem::path(SIMPUL_SOURCE_DIR) / "config" / example).string()});
    EXPECT_EQ(ex.exit_code, 0) << example << ": " << ex.err;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace

// ------------------------------------------------------------ V-Claim eligibility through FHIR

TEST_F(ServeTest, EligibilityThroughTheBuiltInBpjsSimulator) {
  start();
  const std::string check = "/fhir/CoverageEligibilityRequest/$check";
  auto active = call(port_, bhttp::verb::post, check, kKey, eligibility_request(kCardSystem, "0001234567890"));
  ASSERT_EQ(active.status, 200u) << active.body;
  EXPECT_NE(active.content_type.find("application/fhir+json"), std::string::npos);
  EXPECT_NE(active.body.find("\"resourceType\":\"CoverageEligibilityResponse\""), std::string::npos);
  EXPECT_NE(active.body.find("\"inforce\":true"), std::string::npos) << active.body;
  EXPECT_NE(active.body.find("\"subscriberId\":\"0001234567890\""), std::string::npos);
  EXPECT_NE(active.body.find("\"reference\":\"CoverageEligibilityRequest/cek-1\""), std::string::npos);

  // An inactive participant (the simulator: cards ending in 9) is a normal answer.
  auto inactive = call(port_, bhttp::verb::post, check, kKey, eligibility_request(kCardSystem, "0001234567899"));
  ASSERT_EQ(inactive.status, 200u) << inactive.body;
  EXPECT_NE(inactive.body.find("\"inforce\":false"), std::string::npos) << inactive.body;
  EXPECT_NE(inactive.body.find("\"status\":\"cancelled\""), std::string::npos);

  // By NIK (the simulator knows NIKs starting with 99).
  auto by_nik = call(port_, bhttp::verb::post, check, kKey, eligibility_request(kNikSystem, "9903951739517307"));
  ASSERT_EQ(by_nik.status, 200u) << by_nik.body;
  EXPECT_NE(by_nik.body.find("9903951739517307"), std::string::npos);

  // Unknown card: BPJS's own code and message, as a 404 OperationOutcome.
  auto unknown = call(port_, bhttp::verb::post, check, kKey, eligibility_request(kCardSystem, "0000000000001"));
  EXPECT_EQ(unknown.status, 404u) << unknown.body;
  EXPECT_NE(unknown.body.find("\"resourceType\":\"OperationOutcome\""), std::string::npos);
  EXPECT_NE(unknown.body.find("V-Claim 201"), std::string::npos) << unknown.body;

  // The same lookup as a Coverage search.
  auto search = call(port_, bhttp::verb::get, "/fhir/Coverage?identifier=" + kCardSystem + "%7C0001234567890", kKey);
  ASSERT_EQ(search.status, 200u) << search.body;
  EXPECT_NE(search.body.find("\"type\":\"searchset\""), std::string::npos);
  EXPECT_NE(search.body.find("\"resourceType\":\"Coverage\""), std::string::npos);

  // Client mistakes are 400s that say what is wrong; no BPJS call is made for them.
  auto no_patient = call(port_, bhttp::verb::post, check, kKey, R"({"resourceType":"CoverageEligibilityRequest"})");
  EXPECT_EQ(no_patient.status, 400u);
  EXPECT_NE(no_patient.body.find("card number"), std::string::npos) << no_patient.body;
  auto short_card = call(port_, bhttp::verb::post, check, kKey, eligibility_request(kCardSystem, "123"));
  EXPECT_EQ(short_card.status, 400u);
  auto no_identifier = call(port_, bhttp::verb::get, "/fhir/Coverage", kKey);
  EXPECT_EQ(no_identifier.status, 400u);

  // The eligibility role is needed; the CapabilityStatement lists the operation.
  auto admin = call(port_, bhttp::verb::post, check, kAdminKey, eligibility_request(kCardSystem, "0001234567890"));
  EXPECT_EQ(admin.status, 403u);
  auto meta = call(port_, bhttp::verb::get, "/fhir/metadata", kKey);
  EXPECT_NE(meta.body.find("\"name\":\"check\""), std::string::npos) << meta.body;

  auto metrics = call(port_, bhttp::verb::get, "/metrics");
  EXPECT_NE(metrics.body.find("simpul_upstream_requests_total"), std::string::npos);
}

TEST_F(ServeTest, ReferralsThroughTheBuiltInBpjsSimulator) {
  start();
  auto by_card = call(port_, bhttp::verb::get,
                      "/fhir/ServiceRequest?patient.identifier=" + kCardSystem + "%7C0001234567890", kKey);
  ASSERT_EQ(by_card.status, 200u) << by_card.body;
  EXPECT_NE(by_card.body.find("\"resourceType\":\"ServiceRequest\""), std::string::npos) << by_card.body;
  EXPECT_NE(by_card.body.find("http://hl7.org/fhir/sid/icd-10"), std::string::npos);
  // Each referral found by card can be found again by its number.
  const std::string marker = "\"system\":\"https://fhir.simpul.id/sid/bpjs-no-rujukan\",\"value\":\"";
  const auto at = by_card.body.find(marker);
  ASSERT_NE(at, std::string::npos);
  const std::string no = by_card.body.substr(at + marker.size(), 19);
  auto by_number = call(port_, bhttp::verb::get,
                        "/fhir/ServiceRequest?identifier=https://fhir.simpul.id/sid/bpjs-no-rujukan%7C" + no, kKey);
  ASSERT_EQ(by_number.status, 200u) << by_number.body;
  EXPECT_NE(by_number.body.find("\"total\":1"), std::string::npos) << by_number.body;
  EXPECT_NE(by_number.body.find(no), std::string::npos);

  // None found is an empty searchset, not an error; a malformed number is a 400.
  auto none = call(port_, bhttp::verb::get,
                   "/fhir/ServiceRequest?patient.identifier=" + kCardSystem + "%7C0000000000001", kKey);
  EXPECT_EQ(none.status, 200u);
  EXPECT_NE(none.body.find("\"total\":0"), std::string::npos) << none.body;
  auto bad = call(port_, bhttp::verb::get, "/fhir/ServiceRequest?identifier=x%7C1", kKey);
  EXPECT_EQ(bad.status, 400u);
  auto neither = call(port_, bhttp::verb::get, "/fhir/ServiceRequest", kKey);
  EXPECT_EQ(neither.status, 400u);
}

// ------------------------------------------------------------ FHIR R4 JSON schema (independent oracle)

TEST_F(ServeTest, EveryFhirResponseValidatesAgainstTheR4Schema) {
  start();
  const std::string check = "/fhir/CoverageEligibilityRequest/$check";
  std::vector<std::pair<std::string, Reply>> replies;
  replies.emplace_back("metadata", call(port_, bhttp::verb::get, "/fhir/metadata", kKey));
  replies.emplace_back("401", call(port_, bhttp::verb::get, "/fhir/metadata"));
  replies.emplace_back("404 route", call(port_, bhttp::verb::get, "/fhir/Nothing/here", kKey));
  replies.emplace_back("400 json", call(port_, bhttp::verb::post, "/fhir/Patient/$validate", kKey, "{\"a\":"));
  replies.emplace_back("415", call(port_, bhttp::verb::post, "/fhir/Patient/$validate", kKey, "{}", "text/plain"));
  replies.emplace_back(
      "validate ok", call(port_, bhttp::verb::post, "/fhir/Patient/$validate", kKey, R"({"resourceType":"Patient"})"));
  replies.emplace_back("403", call(port_, bhttp::verb::get, "/admin/tenants/pkm-demo", kAdminKey));
  replies.emplace_back("eligibility active",
                       call(port_, bhttp::verb::post, check, kKey, eligibility_request(kCardSystem, "0001234567890")));
  replies.emplace_back("eligibility inactive",
                       call(port_, bhttp::verb::post, check, kKey, eligibility_request(kCardSystem, "0001234567899")));
  replies.emplace_back("eligibility nik", call(port_, bhttp::verb::post, check, kKey,
                                               eligibility_request(kNikSystem, "9903951739517307")));
  replies.emplace_back("eligibility unknown",
                       call(port_, bhttp::verb::post, check, kKey, eligibility_request(kCardSystem, "0000000000001")));
  replies.emplace_back("eligibility 400",
                       call(port_, bhttp::verb::post, check, kKey, "{\"resourceType\":\"Patient\"}"));
  replies.emplace_back("referrals", call(port_, bhttp::verb::get,
                                         "/fhir/ServiceRequest?patient.identifier=" + kCardSystem + "%7C0001234567890",
                                         kKey));
  replies.emplace_back("coverage search", call(port_, bhttp::verb::get,
                                               "/fhir/Coverage?identifier=" + kCardSystem + "%7C0001234567890", kKey));

  std::vector<std::string> bodies;
  for (const auto& [name, r] : replies) {
    ASSERT_NE(r.body.find("\"resourceType\""), std::string::npos) << name << ": " << r.body;
    bodies.push_back(r.body);
  }
  const auto verdicts = schema_verdicts(dir_, bodies);
  ASSERT_EQ(verdicts.size(), bodies.size());
  for (std::size_t i = 0; i < verdicts.size(); ++i)
    EXPECT_EQ(verdicts[i], "ok") << replies[i].first << ": " << replies[i].second.body;

  // The oracle does reject what is not R4 (a check that cannot fail checks nothing).
  const auto bad = schema_verdicts(dir_, {R"({"resourceType":"Patient","gender":"pria"})",
                                          R"({"resourceType":"Coverage","status":"active","extra":1})"});
  ASSERT_EQ(bad.size(), 2u);
  EXPECT_NE(bad[0].rfind("invalid Patient", 0), std::string::npos) << bad[0];
  EXPECT_NE(bad[1].rfind("invalid Coverage", 0), std::string::npos) << bad[1];
}
