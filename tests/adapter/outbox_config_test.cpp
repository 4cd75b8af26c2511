// [outbox] in the config file: defaults, per-destination overrides, errors with file:line.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "adapter/config.hpp"
#include "tests/adapter/store_test_support.hpp"

namespace {

using simpul::adapter::Config;
using simpul::adapter::ConfigError;
using simpul::adapter::load_config;
using simpul::adapter::OutboxJitter;
using namespace std::chrono_literals;

std::string write(const simpul::testing::TempDir& dir, const std::string& text) {
  const std::string path = dir.file("simpul.toml");
  std::ofstream(path) << text;
  return path;
}

TEST(OutboxConfig, DefaultsAndPerDestinationOverrides) {
  simpul::testing::TempDir dir("simpul-config");
  Config c = load_config(write(dir, R"([outbox]
max_attempts = 20
jitter = "equal"
backoff_base_ms = 500

[outbox.destinations.pcare]
concurrency = 2
send_timeout_ms = 20000
)"));
  EXPECT_EQ(c.outbox.defaults.max_attempts, 20);
  EXPECT_EQ(c.outbox.defaults.concurrency, 4u);
  const auto& p = c.outbox.policy("pcare");
  EXPECT_EQ(p.concurrency, 2u);
  EXPECT_EQ(p.send_timeout, 20000ms);
  EXPECT_EQ(p.max_attempts, 20);  // inherited
  EXPECT_EQ(p.jitter, OutboxJitter::equal);
  EXPECT_EQ(p.backoff_base, 500ms);
  EXPECT_EQ(c.outbox.policy("satusehat").concurrency, 4u);
  EXPECT_EQ(load_config(write(dir, "")).outbox.defaults.max_age, std::chrono::hours(72));
}

TEST(OutboxConfig, ErrorsNameTheFileLineAndKey) {
  simpul::testing::TempDir dir("simpul-config");
  const std::string path = write(dir, R"([outbox]
jitter = "sometimes"
backoff_base_ms = 5000
backoff_max_ms = 1000

[outbox.destinations.pcare]
concurency = 2
max_attempts = 0
)");
  try {
    load_config(path);
    FAIL() << "accepted a bad [outbox]";
  } catch (const ConfigError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find(path + ":2: outbox.jitter"), std::string::npos) << m;
    EXPECT_NE(m.find(":4: outbox.backoff_max_ms"), std::string::npos) << m;
    EXPECT_NE(m.find("outbox.destinations.pcare.concurency"), std::string::npos) << m;
    EXPECT_NE(m.find(":8: outbox.destinations.pcare.max_attempts"), std::string::npos) << m;
  }
}

// The SATUSEHAT connection pool caps the destination's real concurrency: configurable.
TEST(OutboxConfig, SatusehatConnectionCap) {
  simpul::testing::TempDir dir("simpul-config");
  EXPECT_EQ(load_config(write(dir, "")).satusehat.max_connections, 32u);
  EXPECT_EQ(load_config(write(dir, "[satusehat]\nmax_connections = 64\n")).satusehat.max_connections, 64u);
  const std::string path = write(dir, "[satusehat]\nmax_connections = 0\n");
  try {
    load_config(path);
    FAIL() << "accepted max_connections = 0";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(path + ":2: satusehat.max_connections"), std::string::npos) << e.what();
  }
}

}  // namespace
