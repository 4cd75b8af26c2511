// The outbox's promise under fire: 2,000 puskesmas visits pushed while both simulators
// inject latency, 5xx answers and connections dropped after the upstream committed;
// `simpul serve` is killed with SIGKILL twice mid-drain and restarted on the same store.
// Every visit must reach P-Care (pendaftaran + kunjungan) and SATUSEHAT exactly once, as
// counted by the simulators themselves, and nothing may be lost or left dead.
// Bounded: the drain must finish within 240 s, else the test fails.
#include <atomic>
#include <chrono>
#include <csignal>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "connectors/sim/participants.hpp"
#include "tests/adapter/serve_fixture.hpp"

namespace {

using namespace simpul::testing::serve;
namespace sim = simpul::connectors::sim;

constexpr int kVisits = 2000;

struct Card {
  std::string no_kartu, nik, fktp;
};

// Active simulator participants: P-Care takes one registration per card, day and poli, so
// 2,000 visits are 40 cards x 50 days. The NIK is the card's (SATUSEHAT's fake MPI knows it).
std::vector<Card> active_cards(std::size_t n) {
  std::vector<Card> out;
  for (long long c = 1234567890; out.size() < n; ++c) {
    char card[32];
    std::snprintf(card, sizeof card, "%013lld", c);
    const auto p = sim::participant_by_card(card);
    if (!p || !p->active) continue;
    out.push_back({card, *sim::nik_for_card(card), p->prov_kode});
  }
  return out;
}

class ServeCrashTest : public ServeTest {
 protected:
  void TearDown() override {
    ServeTest::TearDown();
    for (auto* s : {&bpjs_, &satusehat_}) {
      if (!*s) continue;
      (*s)->signal(SIGTERM);
      (*s)->wait_exit(std::chrono::seconds(20));
    }
  }
  std::uint16_t start_sim(std::optional<simpul::testing::Process>& p, const char* which) {
    p.emplace(std::vector<std::string>{std::string(SIMPUL_BINARY_DIR) + "/simpul", "sim", which, "--listen",
                                       "127.0.0.1:0", "--latency-ms", "5", "--jitter-ms", "10", "--error-rate",
                                       "0.05", "--seed", "7"},
              dir_ / (std::string("sim-") + which + ".log"));
    return p->wait_for_port();
  }
  void serve() {
    start("", "",
          "endpoint = \"http://127.0.0.1:" + std::to_string(bpjs_port_) +
              "\"\nmax_concurrent = 64\n\n[outbox]\nconcurrency = 16\nsend_timeout_ms = 3000\nlease_margin_ms = 1000\n"
              "backoff_base_ms = 100\nbackoff_max_ms = 500\npoll_interval_ms = 100\nmax_attempts = 1000\n",
          "endpoint = \"http://127.0.0.1:" + std::to_string(satusehat_port_) + "\"\n");
  }
  // Deliveries the simulators have seen: pendaftaran + kunjungan + SATUSEHAT Encounters.
  std::array<int, 3> delivered() {
    std::array<int, 3> n{};
    const auto b = json_of(call(bpjs_port_, bhttp::verb::get, "/sim/state").body);
    const auto s = json_of(call(satusehat_port_, bhttp::verb::get, "/sim/state").body);
    n[0] = b["pcare"]["pendaftaran_count"].GetInt();
    n[1] = b["pcare"]["kunjungan_count"].GetInt();
    n[2] = s["counts"].HasMember("Encounter") ? s["counts"]["Encounter"].GetInt() : 0;
    return n;
  }
  static int total(const std::array<int, 3>& n) { return n[0] + n[1] + n[2]; }
  // Waits until the simulators have seen at least `at_least` deliveries in all (bounded).
  bool wait_for(int at_least, std::chrono::seconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      if (total(delivered()) >= at_least) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  void kill_and_restart() {
    server_->signal(SIGKILL);
    server_->wait_exit(std::chrono::seconds(20));
    serve();
  }

  std::optional<simpul::testing::Process> bpjs_, satusehat_;
  std::uint16_t bpjs_port_ = 0, satusehat_port_ = 0;
};

TEST_F(ServeCrashTest, TwoThousandVisitsTwoKillsEveryVisitArrivesExactlyOnce) {
  prepare_dir();
  bpjs_port_ = start_sim(bpjs_, "bpjs");
  satusehat_port_ = start_sim(satusehat_, "satusehat");
  ASSERT_NE(bpjs_port_, 0);
  ASSERT_NE(satusehat_port_, 0);
  // Upstream commits whose answer is lost: the outbox must reconcile, not send again.
  for (auto [port, path] : {std::pair{bpjs_port_, "pendaftaran"}, std::pair{bpjs_port_, "kunjungan/v1"},
                            std::pair{satusehat_port_, "fhir-r4/v1"}}) {
    const std::string faults = std::string(R"({"latency_ms":5,"jitter_ms":10,"error_rate":0.05,"seed":7,)") +
                               R"("rules":[{"kind":"drop_after_commit","method":"POST","path":")" + path +
                               R"(","probability":0.02}]})";
    ASSERT_EQ(call(port, bhttp::verb::post, "/sim/faults", "", faults, "application/json").status, 200u);
  }
  serve();

  const std::string example =
      read_file(std::filesystem::path(SIMPUL_SOURCE_DIR) / "docs/examples/puskesmas-encounter-bundle.json");
  const auto cards = active_cards(40);
  const std::string example_nik = "9903951739517307";  // the example patient's (card 0001234567890)
  std::atomic<int> accepted{0}, refused{0};
  std::vector<std::thread> pushers;
  for (int t = 0; t < 4; ++t) {
    pushers.emplace_back([&, t] {
      for (int i = t; i < kVisits; i += 4) {
        const Card& c = cards[static_cast<std::size_t>(i) % cards.size()];
        const int day = i / static_cast<int>(cards.size());  // 0..49
        char date[32];
        std::snprintf(date, sizeof date, "2026-%02d-%02d", 1 + day / 25, 1 + day % 25);
        std::string body = example;
        const std::string suffix = "-C" + std::to_string(i);
        for (const char* id : {"RJ-2026-03-02-0042", "BDL-2026-03-02-0042", "RX-0042-1", "RX-0042-2", "RUJ-0042"})
          body = std::regex_replace(body, std::regex(std::string("\"") + id + "\""),
                                    std::string("\"") + id + suffix + "\"");
        body = std::regex_replace(body, std::regex("2026-03-0[0-9]"), date);
        body = std::regex_replace(body, std::regex("0001234567890"), c.no_kartu);
        body = std::regex_replace(body, std::regex(example_nik), c.nik);
        body = std::regex_replace(body, std::regex("\"0114U003\""), "\"" + c.fktp + "\"");
        const Reply r = call(port_, bhttp::verb::post, "/fhir", "demo-pkm-simpus-key", body);
        (r.status == 202 ? accepted : refused)++;
        if (r.status != 202 && refused == 1) ADD_FAILURE() << "push " << i << ": " << r.status << " " << r.body;
      }
    });
  }
  for (auto& p : pushers) p.join();
  ASSERT_EQ(accepted.load(), kVisits);

  // Two kills mid-drain, at about a third and two thirds of the 6,000 deliveries.
  ASSERT_TRUE(wait_for(2000, std::chrono::seconds(120))) << "drain did not start";
  kill_and_restart();
  ASSERT_TRUE(wait_for(4000, std::chrono::seconds(120))) << "drain stalled after the first kill";
  kill_and_restart();

  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(240);
  std::array<int, 3> n{};
  while (std::chrono::steady_clock::now() < until) {
    n = delivered();
    if (n[0] >= kVisits && n[1] >= kVisits && n[2] >= kVisits) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));  // anything sent twice would show by now
  n = delivered();
  EXPECT_EQ(n[0], kVisits) << "P-Care pendaftaran";
  EXPECT_EQ(n[1], kVisits) << "P-Care kunjungan";
  EXPECT_EQ(n[2], kVisits) << "SATUSEHAT Encounters";
  const auto ss = json_of(call(satusehat_port_, bhttp::verb::get, "/sim/state").body);
  EXPECT_EQ(ss["counts"]["Condition"].GetInt(), 3 * kVisits) << dump(ss["counts"]);
  // Nothing dead, nothing left behind.
  const auto dead = call(port_, bhttp::verb::get, "/admin/outbox?status=dead&limit=10", "demo-pkm-admin-key");
  EXPECT_EQ(dead.status, 200u);
  EXPECT_EQ(json_of(dead.body)["items"].Size(), 0u) << dead.body.substr(0, 2000);
  const auto faults = json_of(call(bpjs_port_, bhttp::verb::get, "/sim/state").body);
  if (faults.HasMember("faults_injected")) std::cout << "BPJS faults injected: " << dump(faults["faults_injected"]) << "\n";
  if (ss.HasMember("faults_injected")) std::cout << "SATUSEHAT faults injected: " << dump(ss["faults_injected"]) << "\n";
}

}  // namespace
