// The simulator's building blocks without sockets: deterministic participants,
// the card <-> NIK bijection, calendar rules and the fault configuration.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "connectors/sim/calendar.hpp"
#include "connectors/sim/faults.hpp"
#include "connectors/sim/participants.hpp"

namespace sim = simpul::connectors::sim;
namespace cal = simpul::connectors::sim::cal;

TEST(SimParticipants, SameCardSameParticipant) {
  auto a = sim::participant_by_card("0001234567890");
  auto b = sim::participant_by_card("0001234567890");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->nama, b->nama);
  EXPECT_EQ(a->nik, b->nik);
  EXPECT_EQ(a->tgl_lahir, b->tgl_lahir);
  EXPECT_EQ(a->prov_kode, b->prov_kode);
  EXPECT_EQ(a->hak_kelas, b->hak_kelas);
  EXPECT_FALSE(a->nama.empty());
  EXPECT_TRUE(a->sex == 'L' || a->sex == 'P');
  // Different cards differ (names are drawn from 32 syllables, so collisions are rare).
  auto c = sim::participant_by_card("0001234567891");
  ASSERT_TRUE(c);
  EXPECT_NE(a->nama + a->nik, c->nama + c->nik);
}

TEST(SimParticipants, RulesForNotFoundInactiveAndMalformed) {
  EXPECT_FALSE(sim::participant_by_card("0000000000000"));
  EXPECT_FALSE(sim::participant_by_card("0000000000001"));
  EXPECT_FALSE(sim::participant_by_card("000000000000"));     // 12 digits
  EXPECT_FALSE(sim::participant_by_card("00012345678901"));   // 14 digits
  EXPECT_FALSE(sim::participant_by_card("000123456789A"));
  auto inactive = sim::participant_by_card("0001234567899");
  ASSERT_TRUE(inactive);
  EXPECT_FALSE(inactive->active);
  EXPECT_NE(inactive->status_kode, "0");
  auto active = sim::participant_by_card("0001234567898");
  ASSERT_TRUE(active);
  EXPECT_TRUE(active->active);
  EXPECT_EQ(active->status_kode, "0");
  EXPECT_EQ(active->status_ket, "AKTIF");
}

TEST(SimParticipants, NikAndCardMapBothWaysAndNoRealNikMatches) {
  std::mt19937_64 rng(11);
  std::set<std::string> niks;
  for (int i = 0; i < 2000; ++i) {
    std::string card(13, '0');
    for (auto& c : card) c = static_cast<char>('0' + rng() % 10);
    auto nik = sim::nik_for_card(card);
    ASSERT_TRUE(nik);
    ASSERT_EQ(nik->size(), 16u);
    EXPECT_EQ(nik->substr(0, 3), "990");
    EXPECT_EQ(sim::card_for_nik(*nik), card);
    niks.insert(*nik);
  }
  EXPECT_EQ(niks.size(), 2000u);  // injective
  auto p = sim::participant_by_card("0001234567890");
  ASSERT_TRUE(p);
  auto q = sim::participant_by_nik(p->nik);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->no_kartu, p->no_kartu);
  EXPECT_FALSE(sim::participant_by_nik("3171012345678901"));  // a real province code
  EXPECT_FALSE(sim::participant_by_nik("9912345678901234"));  // "99" but not "990"
  EXPECT_FALSE(sim::participant_by_nik("990123"));
}

TEST(SimCalendar, StrictFormatsAndDayArithmetic) {
  EXPECT_EQ(cal::parse_ymd("2024-02-29"), (cal::Date{2024, 2, 29}));
  EXPECT_FALSE(cal::parse_ymd("2023-02-29"));
  EXPECT_FALSE(cal::parse_ymd("2023-2-28"));
  EXPECT_FALSE(cal::parse_ymd("28-02-2023"));
  EXPECT_EQ(cal::parse_dmy("28-02-2023"), (cal::Date{2023, 2, 28}));
  EXPECT_FALSE(cal::parse_dmy("2023-02-28"));
  EXPECT_FALSE(cal::parse_dmy("31-04-2023"));
  EXPECT_EQ(cal::ymd({2023, 3, 30}), "2023-03-30");
  EXPECT_EQ(cal::dmy({2023, 3, 30}), "30-03-2023");
  EXPECT_EQ(cal::mmyy({2023, 3, 30}), "0323");
  EXPECT_EQ(cal::to_days({1970, 1, 1}), 0);
  for (std::int64_t d = -1000; d < 40000; d += 37) EXPECT_EQ(cal::to_days(cal::from_days(d)), d);
  // 2025-06-14 17:00 UTC is already the 15th in WIB.
  EXPECT_EQ(cal::today_wib(cal::to_days({2025, 6, 14}) * 86400 + 17 * 3600), (cal::Date{2025, 6, 15}));
  EXPECT_EQ(cal::age_text({1981, 10, 10}, {2016, 11, 21}), "35 tahun ,1 bulan ,11 hari");
  EXPECT_EQ(cal::age_years({1981, 10, 10}, {2016, 10, 9}), 34);
}

TEST(SimFaults, ParseRoundTripAndErrorsNameTheField) {
  sim::FaultConfig c;
  auto e = sim::parse_fault_config(
      R"({"latency_ms":5,"jitter_ms":2,"error_rate":0.25,"error_kind":"metadata_error","seed":9,
          "rules":[{"kind":"drop_after_commit","method":"POST","path":"SEP/2.0/insert","count":2},
                   {"kind":"timeout","hold_ms":100,"probability":0.5}]})",
      c);
  ASSERT_FALSE(e) << *e;
  EXPECT_EQ(c.latency_ms, 5u);
  EXPECT_EQ(c.error_kind, sim::FaultKind::metadata_error);
  ASSERT_EQ(c.rules.size(), 2u);
  EXPECT_EQ(c.rules[0].count, 2u);
  EXPECT_EQ(c.rules[1].hold_ms, 100u);
  sim::FaultConfig again;
  ASSERT_FALSE(sim::parse_fault_config(sim::to_json(c), again));
  EXPECT_EQ(sim::to_json(again), sim::to_json(c));

  sim::FaultConfig untouched;
  untouched.latency_ms = 77;
  for (const char* bad : {"[]", "{", R"({"error_rate":2})", R"({"rules":[{"kind":"explode"}]})",
                          R"({"rules":[{"kind":"timeout","hold_ms":-1}]})", R"({"bogus":1})",
                          R"({"error_kind":"garbled"})", R"({"rules":[{"kind":"http_500","http_status":42}]})"}) {
    auto err = sim::parse_fault_config(bad, untouched);
    EXPECT_TRUE(err) << bad;
    EXPECT_EQ(untouched.latency_ms, 77u) << bad;
  }
  auto err = sim::parse_fault_config(R"({"rules":[{"kind":"http_500"},{"kind":"timeout","probability":3}]})", untouched);
  ASSERT_TRUE(err);
  EXPECT_NE(err->find("rules[1].probability"), std::string::npos) << *err;
}

TEST(SimFaults, CountPathMethodAndSeededProbability) {
  sim::FaultConfig c;
  sim::FaultRule r;
  r.kind = sim::FaultKind::http_500;
  r.method = "POST";
  r.path = "sep/2.0/INSERT";  // case-insensitive
  r.count = 2;
  c.rules.push_back(r);
  sim::FaultInjector f(c);
  EXPECT_FALSE(f.before("GET", "/vclaim-rest/SEP/2.0/insert").fault);
  EXPECT_FALSE(f.before("POST", "/vclaim-rest/SEP/2.0/update").fault);
  EXPECT_TRUE(f.before("POST", "/vclaim-rest/SEP/2.0/insert").fault);
  EXPECT_TRUE(f.before("POST", "/vclaim-rest/SEP/2.0/insert").fault);
  EXPECT_FALSE(f.before("POST", "/vclaim-rest/SEP/2.0/insert").fault);  // used up
  EXPECT_EQ(f.config().rules[0].count, 0u);
  EXPECT_EQ(f.injected().at("http_500"), 2u);

  // garbled is not used up by a response it cannot garble.
  sim::FaultConfig g;
  sim::FaultRule gr;
  gr.kind = sim::FaultKind::garbled;
  gr.count = 1;
  g.rules.push_back(gr);
  sim::FaultInjector gi(g);
  EXPECT_FALSE(gi.after("POST", "/antreanrs/antrean/add", false));
  EXPECT_TRUE(gi.after("GET", "/antreanrs/ref/poli", true));
  EXPECT_FALSE(gi.after("GET", "/antreanrs/ref/poli", true));

  auto pattern = [](std::uint64_t seed) {
    sim::FaultConfig p;
    p.error_rate = 0.3;
    p.seed = seed;
    sim::FaultInjector inj(p);
    std::string s;
    for (int i = 0; i < 64; ++i) s += inj.before("GET", "/x").fault ? 'x' : '.';
    return s;
  };
  EXPECT_EQ(pattern(5), pattern(5));
  EXPECT_NE(pattern(5), pattern(6));
}
