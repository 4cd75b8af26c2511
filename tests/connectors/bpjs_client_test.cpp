// The typed BPJS clients against the real simulator on 127.0.0.1:0 (in-process):
// every wrapper with encryption on, errors typed with BPJS's code and message kept,
// a fault-injected run, clock-skew correction from the Date header, and
// maybe_delivered after a write that got no answer.
#include <chrono>
#include <cstdlib>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <tuple>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "connectors/bpjs/antrean_client.hpp"
#include "connectors/bpjs/client.hpp"
#include "connectors/bpjs/pcare_client.hpp"
#include "connectors/bpjs/vclaim_client.hpp"
#include "connectors/observability/metrics.hpp"
#include "connectors/sim/bpjs_sim.hpp"
#include "connectors/sim/listener.hpp"

namespace asio = boost::asio;
namespace bpjs = simpul::connectors::bpjs;
namespace http = simpul::connectors::http;
namespace obs = simpul::connectors::obs;
namespace sim = simpul::connectors::sim;
namespace wire = simpul::mappings::bpjs;
using bpjs::BpjsErrorKind;
using namespace std::chrono_literals;

namespace {

const std::string kCard = "0001234567890";      // active (simulator rule: not ending in 9)
const std::string kInactive = "0001234567899";  // exists, not active
const std::string kUnknown = "0000000000001";   // does not exist

// Today in WIB (UTC+7), the simulator's calendar.
wire::Date today() {
  return wire::Date{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now() + 7h)};
}
wire::Date days_ago(int n) {
  return wire::Date{std::chrono::sys_days{today()} - std::chrono::days{n}};
}

class Rig {
 public:
  explicit Rig(sim::BpjsSimOptions options = {}) {
    for (auto& c : options.consumers) {
      c.user_key_vclaim = "vclaim-key";
      c.user_key_pcare = "pcare-key";
      c.user_key_antrean = "antrean-key";
      c.pcare_username = "puskesmas";
      c.pcare_password = "rahasia";
    }
    simulator = std::make_shared<sim::BpjsSimulator>(options);
    listener = std::make_unique<sim::Listener>(sim_ioc, sim::ListenerOptions{}, simulator);
    listener->start();
    sim_thread = std::thread([this] { sim_ioc.run(); });
    for (int i = 0; i < 2; ++i) threads.emplace_back([this] { ioc.run(); });
    http::ClientOptions ho;
    ho.retry.max_attempts = 1;
    http_client = std::make_unique<http::HttpClient>(ioc, ho);
    limiter = std::make_unique<http::KeyedLimiter>(ioc, http::LimitOptions{16, 0, 1, 100000});
  }
  ~Rig() {
    clients.clear();
    http_client.reset();
    limiter.reset();
    guard.reset();
    ioc.stop();
    for (auto& t : threads) t.join();
    listener->stop();
    sim_guard.reset();
    sim_ioc.stop();
    sim_thread.join();
  }

  static bpjs::BpjsCredentials credentials() {
    bpjs::BpjsCredentials c;
    c.cons_id = "1234";
    c.secret_key = "pwd";
    c.user_key_vclaim = "vclaim-key";
    c.user_key_pcare = "pcare-key";
    c.user_key_antrean = "antrean-key";
    c.pcare_username = "puskesmas";
    c.pcare_password = "rahasia";
    return c;
  }

  bpjs::BpjsClientOptions options() const {
    bpjs::BpjsClientOptions o;
    o.endpoints = bpjs::BpjsEndpoints::at("http://127.0.0.1:" + std::to_string(listener->port()));
    o.timeouts.read = 5s;
    o.timeouts.write = 5s;
    o.get_retry.base_delay = 1ms;
    o.get_retry.max_delay = 5ms;
    return o;
  }

  bpjs::BpjsClient& client(bpjs::BpjsCredentials c = credentials(), std::optional<bpjs::BpjsClientOptions> o = {},
                           std::shared_ptr<bpjs::UpstreamClock> clock = {}) {
    auto opts = o ? *o : options();
    if (clock)
      clients.push_back(
          std::make_unique<bpjs::BpjsClient>(*http_client, *limiter, std::move(clock), std::move(c), opts));
    else
      clients.push_back(std::make_unique<bpjs::BpjsClient>(*http_client, *limiter, clocks, std::move(c), opts));
    return *clients.back();
  }

  // Runs one call on the client io_context and waits (bounded) for its outcome.
  template <class T>
  bpjs::Outcome<T> run(asio::awaitable<bpjs::Outcome<T>> call) {
    auto promise = std::make_shared<std::promise<bpjs::Outcome<T>>>();
    auto future = promise->get_future();
    asio::co_spawn(
        ioc,
        [promise, c = std::move(call)]() mutable -> asio::awaitable<void> {
          promise->set_value(co_await std::move(c));
        },
        asio::detached);
    if (future.wait_for(120s) != std::future_status::ready) {
      bpjs::BpjsError e;
      e.code = "test_timeout";
      e.message = "the call did not complete within the test's bound";
      return e;
    }
    return future.get();
  }

  rapidjson::Document state() const {
    rapidjson::Document d;
    const std::string s = simulator->state_json();
    d.Parse(s.data(), s.size());
    return d;
  }

  asio::io_context sim_ioc;
  asio::executor_work_guard<asio::io_context::executor_type> sim_guard{sim_ioc.get_executor()};
  std::shared_ptr<sim::BpjsSimulator> simulator;
  std::unique_ptr<sim::Listener> listener;
  std::thread sim_thread;
  asio::io_context ioc;
  asio::executor_work_guard<asio::io_context::executor_type> guard{ioc.get_executor()};
  std::vector<std::thread> threads;
  std::unique_ptr<http::HttpClient> http_client;
  std::unique_ptr<http::KeyedLimiter> limiter;
  bpjs::UpstreamClocks clocks;
  std::vector<std::unique_ptr<bpjs::BpjsClient>> clients;
};

std::int64_t state_int(const rapidjson::Value& root, std::initializer_list<const char*> path) {
  const rapidjson::Value* v = &root;
  for (const char* k : path) {
    if (!v->IsObject() || !v->HasMember(k)) return -1;
    v = &(*v)[k];
  }
  return v->IsInt64() ? v->GetInt64() : -1;
}

// What a failed call reports: kind, BPJS code and message, HTTP status.
using Answer = std::tuple<BpjsErrorKind, std::string, std::string, int>;
Answer answer(const bpjs::BpjsError& e) {
  return {e.kind, e.code, e.message, e.http_status};
}
Answer answer(BpjsErrorKind kind, std::string code, std::string message, int http_status) {
  return {kind, std::move(code), std::move(message), http_status};
}

// The fields SEP insert and update share (SepRequest / SepUpdateRequest): an
// outpatient INT visit without COB, cataract or traffic accident.
template <class SepBody>
void fill_sep_body(SepBody& s, const wire::Peserta& p, std::string catatan) {
  s.kls_rawat.kls_rawat_hak = p.hak_kelas.kode;
  s.no_mr = "MR000123";
  s.catatan = std::move(catatan);
  s.diag_awal = "A09";
  s.poli = {"INT", "0"};
  s.cob.cob = "0";
  s.katarak.katarak = "0";
  s.jaminan.laka_lantas = "0";
  s.jaminan.penjamin.suplesi.suplesi = "0";
  s.dpjp_layan = "90001";
  s.no_telp = "081200000000";
  s.user = "uji";
}

wire::SepRequest sep_for(const wire::Peserta& p, const wire::Rujukan& r) {
  wire::SepRequest s;
  fill_sep_body(s, p, "uji klien");
  s.no_kartu = p.no_kartu;
  s.tgl_sep = wire::format_ymd(today());
  s.ppk_pelayanan = "0301R011";
  s.jns_pelayanan = "2";
  s.rujukan = {"1", r.tgl_kunjungan, r.no_kunjungan, r.prov_perujuk.kode};
  s.tujuan_kunj = "0";
  return s;
}

}  // namespace

TEST(BpjsClient, VclaimEveryWrapperAgainstTheSimulator) {
  Rig rig;
  obs::Registry metrics;
  auto o = rig.options();
  o.metrics = &metrics;
  bpjs::VClaimClient v(rig.client(Rig::credentials(), o));

  auto p = rig.run(v.peserta_by_card(kCard, today()));
  ASSERT_TRUE(p) << p.error().describe();
  EXPECT_EQ(p->no_kartu, kCard);
  EXPECT_TRUE(p->aktif());
  auto by_nik = rig.run(v.peserta_by_nik(p->nik, today()));
  ASSERT_TRUE(by_nik) << by_nik.error().describe();
  EXPECT_EQ(by_nik->no_kartu, kCard);

  auto ruj = rig.run(v.rujukan_by_card(kCard, bpjs::AsalRujukan::fktp));
  ASSERT_TRUE(ruj) << ruj.error().describe();
  EXPECT_EQ(ruj->peserta.no_kartu, kCard);
  auto ruj_no = rig.run(v.rujukan_by_number(ruj->no_kunjungan, bpjs::AsalRujukan::fktp));
  ASSERT_TRUE(ruj_no) << ruj_no.error().describe();
  EXPECT_EQ(ruj_no->no_kunjungan, ruj->no_kunjungan);
  auto ruj_list = rig.run(v.rujukan_list_by_card(kCard, bpjs::AsalRujukan::fktp));
  ASSERT_TRUE(ruj_list) << ruj_list.error().describe();
  EXPECT_FALSE(ruj_list->empty());
  auto ruj_rs = rig.run(v.rujukan_by_card(kCard, bpjs::AsalRujukan::rs));
  ASSERT_TRUE(ruj_rs) << ruj_rs.error().describe();
  auto ruj_rs_no = rig.run(v.rujukan_by_number(ruj_rs->no_kunjungan, bpjs::AsalRujukan::rs));
  ASSERT_TRUE(ruj_rs_no) << ruj_rs_no.error().describe();
  auto ruj_rs_list = rig.run(v.rujukan_list_by_card(kCard, bpjs::AsalRujukan::rs));
  ASSERT_TRUE(ruj_rs_list) << ruj_rs_list.error().describe();

  auto sep = rig.run(v.insert_sep(sep_for(*p, *ruj)));
  ASSERT_TRUE(sep) << sep.error().describe();
  EXPECT_EQ(sep->no_sep.size(), 19u);
  EXPECT_EQ(sep->peserta.no_kartu, kCard);
  EXPECT_EQ(sep->kd_poli, "INT");

  auto detail = rig.run(v.get_sep(sep->no_sep));
  ASSERT_TRUE(detail) << detail.error().describe();
  EXPECT_EQ(detail->no_sep, sep->no_sep);
  EXPECT_EQ(detail->tujuan_kunj.kode.value_or(""), "0");

  wire::SepUpdateRequest u;
  fill_sep_body(u, *p, "diubah");
  u.no_sep = sep->no_sep;
  auto updated = rig.run(v.update_sep(u));
  ASSERT_TRUE(updated) << updated.error().describe();
  EXPECT_EQ(*updated, sep->no_sep);

  auto monitoring = rig.run(v.monitoring_kunjungan(today(), bpjs::JenisPelayanan::rawat_jalan));
  ASSERT_TRUE(monitoring) << monitoring.error().describe();
  ASSERT_EQ(monitoring->size(), 1u);
  EXPECT_EQ((*monitoring)[0].no_sep, sep->no_sep);
  auto histori = rig.run(v.histori_pelayanan(kCard, days_ago(30), today()));
  ASSERT_TRUE(histori) << histori.error().describe();
  ASSERT_EQ(histori->size(), 1u);

  auto poli = rig.run(v.referensi_poli("INT"));
  ASSERT_TRUE(poli) << poli.error().describe();
  EXPECT_EQ(poli->at(0).kode, "INT");
  auto diag = rig.run(v.referensi_diagnosa("demam berdarah"));  // a space travels percent-encoded
  ASSERT_FALSE(diag);  // no WHO title contains the Indonesian words: V-Claim "201"
  EXPECT_EQ(diag.error().kind, BpjsErrorKind::business);
  auto diag2 = rig.run(v.referensi_diagnosa("dengue"));
  ASSERT_TRUE(diag2) << diag2.error().describe();
  EXPECT_EQ(diag2->size(), 2u);
  auto faskes = rig.run(v.referensi_faskes("puskesmas", bpjs::JenisFaskes::fktp));
  ASSERT_TRUE(faskes) << faskes.error().describe();
  EXPECT_EQ(faskes->size(), 2u);
  auto dokter = rig.run(v.referensi_dokter_dpjp(bpjs::JenisPelayanan::rawat_jalan, today(), "INT"));
  ASSERT_TRUE(dokter) << dokter.error().describe();
  EXPECT_EQ(dokter->size(), 2u);
  auto prop = rig.run(v.referensi_propinsi());
  ASSERT_TRUE(prop) << prop.error().describe();
  ASSERT_FALSE(prop->empty());
  auto kab = rig.run(v.referensi_kabupaten(prop->at(0).kode));
  ASSERT_TRUE(kab) << kab.error().describe();
  EXPECT_FALSE(kab->empty());

  auto deleted = rig.run(v.delete_sep(wire::SepDeleteRequest{sep->no_sep, "uji"}));
  ASSERT_TRUE(deleted) << deleted.error().describe();
  EXPECT_EQ(*deleted, sep->no_sep);
  auto gone = rig.run(v.get_sep(sep->no_sep));
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().kind, BpjsErrorKind::business);

  // Metrics are labelled by path template: never a card number or NIK.
  const std::string text = metrics.render();
  EXPECT_NE(text.find("endpoint=\"Peserta/nokartu/{noKartu}/tglSEP/{tgl}\""), std::string::npos) << text;
  EXPECT_NE(text.find("simpul_upstream_request_duration_seconds"), std::string::npos);
  EXPECT_EQ(text.find(kCard), std::string::npos);
  EXPECT_EQ(text.find(p->nik), std::string::npos);
  EXPECT_EQ(text.find("1234"), std::string::npos);  // the consId
}

TEST(BpjsClient, VclaimBusinessErrorKeepsCodeAndMessage) {
  Rig rig;
  bpjs::VClaimClient v(rig.client());
  auto r = rig.run(v.peserta_by_card(kUnknown, today()));
  ASSERT_FALSE(r);
  EXPECT_EQ(answer(r.error()), answer(BpjsErrorKind::business, "201", "Peserta tidak ditemukan", 200));
  EXPECT_FALSE(r.error().retryable);
  EXPECT_EQ(r.error().attempts, 1);  // business errors are not retried

  auto p = rig.run(v.peserta_by_card(kInactive, today()));
  ASSERT_TRUE(p) << p.error().describe();
  EXPECT_FALSE(p->aktif());
  wire::Rujukan r0;
  r0.no_kunjungan = "X";
  r0.tgl_kunjungan = wire::format_ymd(today());
  r0.prov_perujuk.kode = "0114P001";
  auto sep = rig.run(v.insert_sep(sep_for(*p, r0)));
  ASSERT_FALSE(sep);
  EXPECT_EQ(sep.error().kind, BpjsErrorKind::business);
  EXPECT_EQ(sep.error().code, "201");
  EXPECT_NE(sep.error().message.find("tidak aktif"), std::string::npos) << sep.error().message;
  EXPECT_FALSE(sep.error().maybe_delivered);
}

TEST(BpjsClient, WrongSecretIsAnAuthErrorWithTheSimulatorsWords) {
  Rig rig;
  auto creds = Rig::credentials();
  creds.secret_key = "salah";
  bpjs::VClaimClient v(rig.client(creds));
  auto r = rig.run(v.peserta_by_card(kCard, today()));
  ASSERT_FALSE(r);
  EXPECT_EQ(answer(r.error()), answer(BpjsErrorKind::auth, "401", "Unauthorized! Invalid signature", 401));
  EXPECT_FALSE(r.error().retryable);
  EXPECT_EQ(r.error().describe().find("salah"), std::string::npos);
  EXPECT_EQ(state_int(rig.state(), {"auth_failures", "by_reason", "bad_signature"}), 1);

  auto wrong_login = Rig::credentials();
  wrong_login.pcare_password = "keliru";
  bpjs::PCareClient pc(rig.client(wrong_login));
  auto pr = rig.run(pc.peserta(kCard));
  ASSERT_FALSE(pr);
  EXPECT_EQ(pr.error().kind, BpjsErrorKind::auth);
  EXPECT_EQ(pr.error().message, "Unauthorized! Username atau password P-Care salah");
  EXPECT_EQ(pr.error().describe().find("keliru"), std::string::npos);
}

TEST(BpjsClient, PcareEveryWrapperAndItsHttpStatuses) {
  Rig rig;
  bpjs::PCareClient pc(rig.client());
  bpjs::VClaimClient v(rig.client());

  auto p = rig.run(pc.peserta(kCard));
  ASSERT_TRUE(p) << p.error().describe();
  EXPECT_TRUE(p->aktif);
  ASSERT_TRUE(p->kd_provider_pst.kd_provider);
  auto by_nik = rig.run(pc.peserta_by(bpjs::JenisKartu::nik, p->no_ktp));
  ASSERT_TRUE(by_nik) << by_nik.error().describe();
  EXPECT_EQ(by_nik->no_kartu, kCard);
  auto by_noka = rig.run(pc.peserta_by(bpjs::JenisKartu::noka, kCard));
  ASSERT_TRUE(by_noka) << by_noka.error().describe();
  auto missing = rig.run(pc.peserta(kUnknown));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, BpjsErrorKind::not_found);
  EXPECT_EQ(missing.error().http_status, 204);

  wire::PendaftaranRequest d;
  d.kd_provider_peserta = *p->kd_provider_pst.kd_provider;
  d.tgl_daftar = wire::format_dmy(today());
  d.no_kartu = kCard;
  d.kd_poli = "001";
  d.keluhan = "demam";
  d.kunj_sakit = true;
  // The same vital signs go into the registration and the visit.
  const wire::PcareVitals vitals{
      .sistole = 120, .diastole = 80, .berat_badan = 55.5, .tinggi_badan = 160, .resp_rate = 20, .heart_rate = 80};
  static_cast<wire::PcareVitals&>(d) = vitals;
  d.lingkar_perut = 70;
  d.kd_tkp = "10";

  auto bad_provider = d;
  for (const char* other : {"0114P001", "0114P002", "0114U003"})
    if (other != d.kd_provider_peserta) bad_provider.kd_provider_peserta = other;
  auto e412 = rig.run(pc.add_pendaftaran(bad_provider));
  ASSERT_FALSE(e412);
  EXPECT_EQ(e412.error().kind, BpjsErrorKind::business);
  EXPECT_EQ(e412.error().http_status, 412);
  EXPECT_EQ(e412.error().code, "412");
  EXPECT_NE(e412.error().message.find("kdProviderPeserta"), std::string::npos) << e412.error().message;
  EXPECT_NE(e412.error().details.find("\"field\":\"kdProviderPeserta\""), std::string::npos) << e412.error().details;
  EXPECT_FALSE(e412.error().retryable);

  auto bad_poli = d;
  bad_poli.kd_poli = "999";
  auto e424 = rig.run(pc.add_pendaftaran(bad_poli));
  ASSERT_FALSE(e424);
  EXPECT_EQ(answer(e424.error()), answer(BpjsErrorKind::business, "424", "Kode poli 999 tidak ditemukan", 424));
  EXPECT_FALSE(e424.error().retryable);

  auto created = rig.run(pc.add_pendaftaran(d));
  ASSERT_TRUE(created) << created.error().describe();
  EXPECT_EQ(created->field, "noUrut");
  ASSERT_FALSE(created->no_urut().empty());
  auto got = rig.run(pc.get_pendaftaran(created->no_urut(), today()));
  ASSERT_TRUE(got) << got.error().describe();
  EXPECT_EQ(got->peserta.no_kartu, kCard);
  EXPECT_EQ(got->berat_badan, 55.5);
  EXPECT_EQ(got->keluhan.value_or(""), "demam");

  wire::KunjunganRequest k;
  k.no_kartu = kCard;
  k.tgl_daftar = wire::format_dmy(today());
  k.kd_poli = "001";
  k.keluhan = "demam";
  k.kd_sadar = "01";
  static_cast<wire::PcareVitals&>(k) = vitals;
  k.lingkar_perut = 70;
  k.kd_status_pulang = "4";
  k.tgl_pulang = wire::format_dmy(today());
  k.kd_dokter = "290001";
  k.kd_diag1 = "A91";
  k.rujuk_lanjut =
      wire::RujukLanjut{wire::format_dmy(today()), "0301R011", wire::RujukSubSpesialis{"3", "1"}, std::nullopt};
  k.kd_tacc = -1;
  k.anamnesa = "demam tinggi tiga hari";
  k.alergi_makan = k.alergi_udara = k.alergi_obat = "00";
  k.kd_prognosa = "01";
  k.terapi_obat = "paracetamol";
  k.terapi_non_obat = "istirahat";
  k.bmhp = "-";
  k.suhu = "38,5";
  auto kunj = rig.run(pc.add_kunjungan(k));
  ASSERT_TRUE(kunj) << kunj.error().describe();
  ASSERT_FALSE(kunj->no_kunjungan().empty());

  // The P-Care referral becomes a V-Claim FKTP referral with the same number.
  auto rujukan = rig.run(v.rujukan_by_number(kunj->no_kunjungan(), bpjs::AsalRujukan::fktp));
  ASSERT_TRUE(rujukan) << rujukan.error().describe();
  EXPECT_EQ(rujukan->diagnosa.kode, "A91");

  k.no_kunjungan = kunj->no_kunjungan();
  k.rujuk_lanjut.reset();
  k.kd_status_pulang = "3";
  auto edited = rig.run(pc.update_kunjungan(k));
  ASSERT_TRUE(edited) << edited.error().describe();
  EXPECT_EQ(edited->no_kunjungan(), kunj->no_kunjungan());

  auto riwayat = rig.run(pc.kunjungan_by_peserta(kCard));
  ASSERT_TRUE(riwayat) << riwayat.error().describe();
  ASSERT_EQ(riwayat->count, 1);
  EXPECT_EQ(riwayat->list.at(0).no_kunjungan, kunj->no_kunjungan());
  EXPECT_EQ(riwayat->list.at(0).diagnosa1.value_or(wire::PcareDiagnosa{}).kd_diag, "A91");

  // A pendaftaran with a kunjungan cannot be deleted: 412, typed.
  auto blocked = rig.run(pc.delete_pendaftaran(kCard, today(), created->no_urut(), "001"));
  ASSERT_FALSE(blocked);
  EXPECT_EQ(blocked.error().http_status, 412);
  auto del_k = rig.run(pc.delete_kunjungan(kunj->no_kunjungan()));
  ASSERT_TRUE(del_k) << del_k.error().describe();
  auto del_p = rig.run(pc.delete_pendaftaran(kCard, today(), created->no_urut(), "001"));
  ASSERT_TRUE(del_p) << del_p.error().describe();
  auto del_again = rig.run(pc.delete_kunjungan(kunj->no_kunjungan()));
  ASSERT_FALSE(del_again);
  EXPECT_EQ(del_again.error().kind, BpjsErrorKind::not_found);

  auto dokter = rig.run(pc.referensi_dokter(0, 10));
  ASSERT_TRUE(dokter) << dokter.error().describe();
  EXPECT_EQ(dokter->count, 3);
  auto poli = rig.run(pc.referensi_poli(0, 2));
  ASSERT_TRUE(poli) << poli.error().describe();
  EXPECT_EQ(poli->count, 3);
  EXPECT_EQ(poli->list.size(), 2u);
  auto diag = rig.run(pc.referensi_diagnosa("dengue", 0, 10));
  ASSERT_TRUE(diag) << diag.error().describe();
  EXPECT_EQ(diag->count, 2);
  auto sadar = rig.run(pc.referensi_kesadaran());
  ASSERT_TRUE(sadar) << sadar.error().describe();
  EXPECT_EQ(sadar->list.size(), 4u);
  auto provider = rig.run(pc.referensi_provider(0, 10));
  ASSERT_TRUE(provider) << provider.error().describe();
  EXPECT_EQ(provider->count, 3);
}

TEST(BpjsClient, AntreanEveryWrapper) {
  Rig rig;
  bpjs::AntreanClient a(rig.client());
  auto poli = rig.run(a.ref_poli());
  ASSERT_TRUE(poli) << poli.error().describe();
  EXPECT_FALSE(poli->empty());
  auto dokter = rig.run(a.ref_dokter());
  ASSERT_TRUE(dokter) << dokter.error().describe();
  ASSERT_FALSE(dokter->empty());
  EXPECT_GT(dokter->at(0).kodedokter, 0);

  wire::AntreanAdd add;
  add.kodebooking = "UJI" + wire::format_ymd(today()) + "A001";
  add.jenispasien = "JKN";
  add.nomorkartu = kCard;
  add.nik = "3212345678987654";
  add.nohp = "085635228888";
  add.kodepoli = "INT";
  add.namapoli = "PENYAKIT DALAM";
  add.pasienbaru = 0;
  add.norm = "123345";
  add.tanggalperiksa = wire::format_ymd(today());
  add.kodedokter = dokter->at(0).kodedokter;
  add.namadokter = dokter->at(0).namadokter;
  add.jampraktek = "08:00-16:00";
  add.jeniskunjungan = 1;
  add.nomorreferensi = "0114P0010326P000001";
  add.nomorantrean = "A-1";
  add.angkaantrean = 1;
  add.estimasidilayani = wire::unix_millis(std::chrono::system_clock::now() + 1h);
  add.sisakuotajkn = 5;
  add.kuotajkn = 30;
  add.sisakuotanonjkn = 5;
  add.kuotanonjkn = 30;
  add.keterangan = "Peserta harap 30 menit lebih awal guna pencatatan administrasi.";
  auto ok = rig.run(a.add(add));
  ASSERT_TRUE(ok) << ok.error().describe();
  EXPECT_EQ(ok->code, "200");
  auto dup = rig.run(a.add(add));
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().kind, BpjsErrorKind::business);
  EXPECT_EQ(dup.error().code, "201");
  EXPECT_EQ(dup.error().message, "Terdapat duplikasi Kode Booking");
  auto batal = rig.run(a.batal(wire::AntreanBatal{add.kodebooking, "pasien berhalangan"}));
  ASSERT_TRUE(batal) << batal.error().describe();
  auto twice = rig.run(a.batal(wire::AntreanBatal{add.kodebooking, "pasien berhalangan"}));
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, "201");
}

TEST(BpjsClient, FaultInjectedRunGetsSucceedThroughRetriesAndFailuresAreTyped) {
  sim::BpjsSimOptions so;
  so.faults.seed = 7;
  so.faults.latency_ms = 2;
  so.faults.jitter_ms = 5;
  so.faults.error_rate = 0.15;
  so.faults.error_kind = sim::FaultKind::http_500;
  const sim::FaultRule html404{.kind = sim::FaultKind::html_404, .path = "referensi/propinsi", .count = 2};
  const sim::FaultRule meta{.kind = sim::FaultKind::metadata_error,
                            .path = "referensi/poli",
                            .count = 1,
                            .message = "Sistem sedang sibuk (simulasi)"};
  const sim::FaultRule timeout{
      .kind = sim::FaultKind::timeout, .path = "Peserta/nokartu", .probability = 0.05, .hold_ms = 3000};
  const sim::FaultRule garbled{.kind = sim::FaultKind::garbled, .method = "GET", .probability = 0.15};
  so.faults.rules = {html404, meta, timeout, garbled};
  Rig rig(so);

  obs::Registry metrics;
  auto o = rig.options();
  o.metrics = &metrics;
  o.timeouts.read = 400ms;  // shorter than the simulator's hold: a real client-side timeout
  o.get_retry.max_attempts = 8;
  bpjs::VClaimClient v(rig.client(Rig::credentials(), o));

  // Sequential calls: with a fixed seed the simulator's fault sequence is reproducible.
  constexpr int kGets = 40;
  int ok = 0;
  for (int i = 0; i < kGets; ++i) {
    auto r = rig.run(v.peserta_by_card(kCard, today()));
    if (r) {
      ++ok;
    } else {
      ADD_FAILURE() << "GET " << i << " failed: " << r.error().describe();
    }
  }
  EXPECT_EQ(ok, kGets);

  // A wrong-URL page is typed and not retried; a metadata error is BPJS's business answer.
  std::map<std::string, int> kinds;
  for (int i = 0; i < 2; ++i) {
    auto r = rig.run(v.referensi_propinsi());
    ASSERT_FALSE(r);
    ++kinds[std::string(bpjs::to_string(r.error().kind))];
    EXPECT_EQ(r.error().http_status, 404);
    EXPECT_NE(r.error().message.find("Not Found"), std::string::npos) << r.error().message;
    EXPECT_FALSE(r.error().retryable);
    EXPECT_EQ(r.error().attempts, 1);
  }
  auto busy = rig.run(v.referensi_poli("INT"));
  ASSERT_FALSE(busy);
  EXPECT_EQ(busy.error().kind, BpjsErrorKind::business);
  EXPECT_EQ(busy.error().message, "Sistem sedang sibuk (simulasi)");
  EXPECT_EQ(kinds["upstream_http"], 2);

  // The faults really happened and were absorbed by retries.
  const auto st = rig.state();
  EXPECT_GT(state_int(st, {"faults_injected", "http_500"}), 0);
  EXPECT_GT(state_int(st, {"faults_injected", "garbled"}), 0);
  EXPECT_GT(state_int(st, {"faults_injected", "timeout"}), 0);
  const std::string text = metrics.render();
  EXPECT_NE(text.find("simpul_upstream_retries_total"), std::string::npos);
  const auto requests = state_int(st, {"requests", "total"});
  EXPECT_GT(requests, kGets + 3);  // more requests reached the simulator than calls were made
}

TEST(BpjsClient, WritesAreNeverRetriedAndReportMaybeDelivered) {
  sim::BpjsSimOptions so;
  const sim::FaultRule hold{
      .kind = sim::FaultKind::timeout, .method = "POST", .path = "SEP/2.0/insert", .count = 1, .hold_ms = 5000};
  const sim::FaultRule drop{
      .kind = sim::FaultKind::drop_after_commit, .method = "POST", .path = "SEP/2.0/insert", .count = 1};
  so.faults.rules = {hold, drop};
  Rig rig(so);
  auto o = rig.options();
  o.timeouts.write = 500ms;
  bpjs::VClaimClient v(rig.client(Rig::credentials(), o));

  auto p = rig.run(v.peserta_by_card(kCard, today()));
  ASSERT_TRUE(p) << p.error().describe();
  auto r = rig.run(v.rujukan_by_card(kCard, bpjs::AsalRujukan::fktp));
  ASSERT_TRUE(r) << r.error().describe();

  // 1: the simulator holds the request past our timeout.
  auto timed_out = rig.run(v.insert_sep(sep_for(*p, *r)));
  ASSERT_FALSE(timed_out);
  EXPECT_EQ(timed_out.error().kind, BpjsErrorKind::transport)
      << timed_out.error().describe() << " / " << timed_out.error().details;
  EXPECT_EQ(timed_out.error().transport, bpjs::TransportFailure::timeout) << timed_out.error().details;
  EXPECT_TRUE(timed_out.error().maybe_delivered);
  EXPECT_EQ(timed_out.error().attempts, 1);

  // 2: the simulator creates the SEP, then closes the connection without answering.
  auto dropped = rig.run(v.insert_sep(sep_for(*p, *r)));
  ASSERT_FALSE(dropped);
  EXPECT_EQ(dropped.error().kind, BpjsErrorKind::transport);
  EXPECT_TRUE(dropped.error().maybe_delivered);
  EXPECT_EQ(dropped.error().attempts, 1);
  EXPECT_EQ(state_int(rig.state(), {"vclaim", "sep_created"}), 1);  // it was delivered, and only once

  // Reconciliation finds it (the recommended check before any resend).
  auto found = rig.run(v.monitoring_kunjungan(today(), bpjs::JenisPelayanan::rawat_jalan));
  ASSERT_TRUE(found) << found.error().describe();
  EXPECT_EQ(found->size(), 1u);

  // The faults are used up: the next insert goes through normally.
  auto again = rig.run(v.insert_sep(sep_for(*p, *r)));
  ASSERT_TRUE(again) << again.error().describe();
  EXPECT_EQ(state_int(rig.state(), {"vclaim", "sep_created"}), 2);
}

TEST(BpjsClient, SkewedClockIsCorrectedFromTheDateHeader) {
  Rig rig;
  auto o = rig.options();
  o.resign_on_clock_skew = false;
  auto clock = std::make_shared<bpjs::UpstreamClock>();
  clock->set_offset_seconds(-3600);  // a workstation clock an hour slow
  bpjs::VClaimClient v(rig.client(Rig::credentials(), o, clock));

  auto first = rig.run(v.peserta_by_card(kCard, today()));
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().kind, BpjsErrorKind::auth);
  EXPECT_NE(first.error().message.find("X-timestamp"), std::string::npos) << first.error().message;
  EXPECT_LE(std::abs(clock->offset_seconds()), 5) << "offset learned from Date: " << clock->offset_seconds();
  auto second = rig.run(v.peserta_by_card(kCard, today()));
  ASSERT_TRUE(second) << second.error().describe();
  EXPECT_EQ(state_int(rig.state(), {"auth_failures", "by_reason", "stale_timestamp"}), 1);

  // With re-signing on (the default) the first call itself recovers: one rejected
  // attempt, then a fresh stamp from the corrected clock.
  auto clock2 = std::make_shared<bpjs::UpstreamClock>();
  clock2->set_offset_seconds(7 * 3600);  // local WIB time sent as if it were UTC
  bpjs::VClaimClient v2(rig.client(Rig::credentials(), rig.options(), clock2));
  auto healed = rig.run(v2.peserta_by_card(kCard, today()));
  ASSERT_TRUE(healed) << healed.error().describe();
  EXPECT_EQ(state_int(rig.state(), {"auth_failures", "by_reason", "stale_timestamp"}), 2);
  EXPECT_LE(std::abs(clock2->offset_seconds()), 5);
}

TEST(BpjsClient, ClocksAreSharedPerConsId) {
  bpjs::UpstreamClocks clocks;
  auto a = clocks.for_cons_id("1234");
  auto b = clocks.for_cons_id("1234");
  auto c = clocks.for_cons_id("9999");
  EXPECT_EQ(a.get(), b.get());
  EXPECT_NE(a.get(), c.get());
}

TEST(BpjsClient, PreviewShowsTheSignedRequestWithSecretsRedacted) {
  Rig rig;
  auto creds = Rig::credentials();
  bpjs::BpjsClient& client = rig.client(creds, rig.options());
  wire::SepDeleteRequest del{"0301R0110125V000001", "uji"};
  const bpjs::RequestPreview p = client.preview(bpjs::Service::vclaim, bpjs::vclaim_request::delete_sep(del));
  EXPECT_EQ(p.method, "DELETE");
  EXPECT_EQ(p.url, rig.options().endpoints.vclaim_base + "/SEP/2.0/delete");
  EXPECT_EQ(p.body, wire::to_json(del));
  std::map<std::string, std::string> h(p.headers.begin(), p.headers.end());
  for (const char* secret : {"X-cons-id", "X-signature", "user_key"}) EXPECT_EQ(h[secret], bpjs::kRedacted) << secret;
  EXPECT_FALSE(h["X-timestamp"].empty());
  EXPECT_EQ(h["Content-Type"], "Application/x-www-form-urlencoded");
  // No header value carries a credential (the timestamp is digits that may contain "1234" by chance).
  for (const auto& [name, value] : p.headers) {
    if (name == "X-timestamp") continue;
    EXPECT_EQ(value.find(creds.cons_id), std::string::npos) << name;
    EXPECT_EQ(value.find(creds.user_key_vclaim), std::string::npos) << name;
  }
  const auto get = client.preview(bpjs::Service::vclaim, bpjs::vclaim_request::peserta_by_card(kCard, today()));
  EXPECT_EQ(get.method, "GET");
  EXPECT_NE(get.url.find("/Peserta/nokartu/" + std::string(kCard) + "/tglSEP/"), std::string::npos) << get.url;
  EXPECT_TRUE(get.body.empty());
}
