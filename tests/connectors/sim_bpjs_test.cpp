// The BPJS simulator over real sockets: started in-process on 127.0.0.1 port 0,
// driven with a Beast client and the production signing/decoding functions.
#include <atomic>
#include <regex>
#include <set>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>

#include "connectors/bpjs/codec.hpp"
#include "connectors/bpjs/envelope.hpp"
#include "connectors/bpjs/signing.hpp"
#include "connectors/sim/bpjs_sim.hpp"
#include "connectors/sim/calendar.hpp"
#include "connectors/sim/json_util.hpp"
#include "connectors/sim/listener.hpp"
#include "connectors/sim/participants.hpp"
#include "tests/connectors/sim_test_support.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace bpjs = simpul::connectors::bpjs;
namespace sim = simpul::connectors::sim;
namespace cal = simpul::connectors::sim::cal;
namespace sjson = simpul::connectors::sim::json;

namespace {

// 2025-06-15 10:00 WIB (03:00 UTC): the simulator's "now" in these tests.
const std::int64_t kNow = cal::to_days({2025, 6, 15}) * 86400 + 3 * 3600;
const std::string kActiveCard = "0001234567890";
const std::string kInactiveCard = "0001234567899";
const std::string kUnknownCard = "0000000000001";

using simpul::testing::sim::Http;
using simpul::testing::sim::parse;
using simpul::testing::sim::send_raw;

std::string text(const rapidjson::Value& v, const char* path) {
  return sjson::text_or_empty(v, path);
}

class SimBpjs : public ::testing::Test {
 protected:
  void SetUp() override {
    sim::BpjsSimOptions o;
    o.consumers[0].user_key_vclaim = "vclaim-key";
    o.consumers[0].user_key_pcare = "pcare-key";
    o.consumers[0].user_key_antrean = "antrean-key";
    o.clock = [this] { return now.load(); };
    simulator = std::make_shared<sim::BpjsSimulator>(o);
    listener = std::make_unique<sim::Listener>(ioc, sim::ListenerOptions{}, simulator);
    listener->start();
    port = listener->port();
    for (int i = 0; i < 2; ++i) threads.emplace_back([this] { ioc.run(); });
  }
  void TearDown() override {
    listener->stop();
    ioc.stop();
    for (auto& t : threads) t.join();
  }

  bpjs::Credentials creds(const std::string& user_key) const { return {"1234", "pwd", user_key}; }

  Http call(const std::string& method, const std::string& target, const std::string& body = {},
            const std::string& user_key = "vclaim-key", std::int64_t ts = -1, bool pcare_login = false,
            const bpjs::Credentials* override_creds = nullptr) {
    const bpjs::RequestStamp stamp(static_cast<std::uint64_t>(ts < 0 ? now.load() : ts));
    const bpjs::Credentials c = override_creds ? *override_creds : creds(user_key);
    bpjs::PcareLogin login{"demo", "demo", "095"};
    auto headers = bpjs::request_headers(c, stamp, pcare_login ? &login : nullptr);
    if (!body.empty()) headers.push_back({"Content-Type", "Application/x-www-form-urlencoded"});
    return send_raw(port, method, target, body, headers);
  }
  Http vclaim(const std::string& method, const std::string& path, const std::string& body = {}) {
    return call(method, "/vclaim-rest/" + path, body);
  }
  Http pcare(const std::string& method, const std::string& path, const std::string& body = {}) {
    return call(method, "/pcare-rest/" + path, body, "pcare-key", -1, true);
  }
  Http antrean(const std::string& method, const std::string& path, const std::string& body = {}) {
    return call(method, "/antreanrs/" + path, body, "antrean-key");
  }

  // Decodes with the request's own timestamp (the simulator's clock is pinned).
  bpjs::DecodedResponse decode(const Http& h, const std::string& method, const std::string& target,
                               const std::string& user_key) {
    auto r = bpjs::decode_response(h.body, static_cast<int>(h.status), method, target, creds(user_key),
                                   bpjs::RequestStamp(static_cast<std::uint64_t>(now.load())));
    EXPECT_TRUE(r) << (r ? "" : r.error().reason) << "\n" << h.body;
    return r ? *r : bpjs::DecodedResponse{};
  }
  bpjs::DecodedResponse vdecode(const Http& h, const std::string& method, const std::string& path) {
    return decode(h, method, "/vclaim-rest/" + path, "vclaim-key");
  }
  bpjs::DecodedResponse pdecode(const Http& h, const std::string& method, const std::string& path) {
    return decode(h, method, "/pcare-rest/" + path, "pcare-key");
  }

  rapidjson::Document state() { return simpul::testing::sim::sim_state(port); }
  std::int64_t state_int(const char* path) { return simpul::testing::sim::sim_state_int(port, path); }
  void set_faults(const std::string& json) { simpul::testing::sim::set_sim_faults(port, json); }

  std::atomic<std::int64_t> now{kNow};
  asio::io_context ioc;
  std::shared_ptr<sim::BpjsSimulator> simulator;
  std::unique_ptr<sim::Listener> listener;
  std::vector<std::thread> threads;
  std::uint16_t port = 0;
};

std::string sep_body(const std::string& card, const std::string& tgl = "2025-06-14", const std::string& diag = "I10",
                     std::string hak = "") {
  if (hak.empty()) {
    auto p = sim::participant_by_card(card);
    hak = p ? p->hak_kelas : "3";
  }
  std::string b = R"({"request":{"t_sep":{"noKartu":"@CARD","tglSep":"@TGL","ppkPelayanan":"0301R011",
    "jnsPelayanan":"2","klsRawat":{"klsRawatHak":"@HAK","klsRawatNaik":"","pembiayaan":"","penanggungJawab":""},
    "noMR":"MR000123","rujukan":{"asalRujukan":"1","tglRujukan":"2025-06-10","noRujukan":"0114P0010625P000123",
    "ppkRujukan":"0114P001"},"catatan":"uji simulator","diagAwal":"@DIAG","poli":{"tujuan":"INT","eksekutif":"0"},
    "cob":{"cob":"0"},"katarak":{"katarak":"0"},"jaminan":{"lakaLantas":"0","noLP":"","penjamin":{"tglKejadian":"",
    "keterangan":"","suplesi":{"suplesi":"0","noSepSuplesi":"","lokasiLaka":{"kdPropinsi":"","kdKabupaten":"",
    "kdKecamatan":""}}}},"tujuanKunj":"0","flagProcedure":"","kdPenunjang":"","assesmentPel":"",
    "skdp":{"noSurat":"","kodeDPJP":""},"dpjpLayan":"90001","noTelp":"081234567890","user":"Uji Simpul"}}})";
  for (auto [k, v] :
       {std::pair<std::string, std::string>{"@CARD", card}, {"@TGL", tgl}, {"@DIAG", diag}, {"@HAK", hak}})
    b.replace(b.find(k), k.size(), v);
  return b;
}

std::string pendaftaran_body(const std::string& card, const std::string& tgl = "15-06-2025",
                             const std::string& poli = "001") {
  auto p = sim::participant_by_card(card);
  return R"({"kdProviderPeserta":")" + (p ? p->prov_kode : std::string("0114P001")) + R"(","tglDaftar":")" + tgl +
         R"(","noKartu":")" + card + R"(","kdPoli":")" + poli +
         R"(","keluhan":"batuk","kunjSakit":true,"sistole":120,"diastole":80,"beratBadan":60,"tinggiBadan":165,
            "respRate":20,"lingkarPerut":70,"heartRate":80,"rujukBalik":0,"kdTkp":"10"})";
}

std::string kunjungan_body(const std::string& card, const std::string& tgl = "15-06-2025",
                           const std::string& diag = "J06.9", const std::string& rujuk = "null",
                           const std::string& no = "null") {
  return R"({"noKunjungan":)" + no + R"(,"noKartu":")" + card + R"(","tglDaftar":")" + tgl +
         R"(","kdPoli":null,"keluhan":"batuk","kdSadar":"01","sistole":120,"diastole":80,"beratBadan":60,
            "tinggiBadan":165,"respRate":20,"heartRate":80,"lingkarPerut":70,"kdStatusPulang":"3",
            "tglPulang":")" +
         tgl + R"(","kdDokter":"290001","kdDiag1":")" + diag +
         R"(","kdDiag2":null,"kdDiag3":null,"kdPoliRujukInternal":null,"rujukLanjut":)" + rujuk +
         R"(,"kdTacc":-1,"alasanTacc":null,"anamnesa":"batuk 3 hari","alergiMakan":"00","alergiUdara":"00",
            "alergiObat":"00","kdPrognosa":"01","terapiObat":"paracetamol","terapiNonObat":"istirahat",
            "bmhp":"-","suhu":"36,5"})";
}

}  // namespace

// ------------------------------------------------------------------ authentication

TEST_F(SimBpjs, CorrectRequestGetsEncryptedParticipantThatDecodesWithTheRequestTimestamp) {
  const std::string path = "Peserta/nokartu/" + kActiveCard + "/tglSEP/2025-06-15";
  Http h = vclaim("GET", path);
  ASSERT_TRUE(h.answered);
  EXPECT_EQ(h.status, 200u);
  auto env = parse(h.body);
  EXPECT_EQ(text(env, "metaData.code"), "200");
  ASSERT_TRUE(env["response"].IsString());  // encrypted
  auto d = vdecode(h, "GET", path);
  EXPECT_TRUE(d.encrypted);
  auto body = parse(d.response_json);
  const auto p = sim::participant_by_card(kActiveCard);
  ASSERT_TRUE(p);
  EXPECT_EQ(text(body, "peserta.noKartu"), kActiveCard);
  EXPECT_EQ(text(body, "peserta.nama"), p->nama);
  EXPECT_EQ(text(body, "peserta.nik"), p->nik);
  EXPECT_EQ(text(body, "peserta.statusPeserta.kode"), "0");
  EXPECT_EQ(text(body, "peserta.hakKelas.kode"), p->hak_kelas);
  EXPECT_EQ(text(body, "peserta.provUmum.kdProvider"), p->prov_kode);
  // A key from another timestamp does not open it.
  auto wrong = bpjs::decode_response(h.body, 200, "GET", "/vclaim-rest/" + path, creds("vclaim-key"),
                                     bpjs::RequestStamp(static_cast<std::uint64_t>(kNow + 1)));
  EXPECT_FALSE(wrong);
}

TEST_F(SimBpjs, WrongSignatureIsRejectedTheBpjsWay) {
  bpjs::Credentials bad{"1234", "not-the-secret", "vclaim-key"};
  Http h = call("GET", "/vclaim-rest/Peserta/nokartu/" + kActiveCard + "/tglSEP/2025-06-15", {}, "", -1, false, &bad);
  ASSERT_TRUE(h.answered);
  EXPECT_EQ(h.status, 401u);
  auto env = parse(h.body);
  ASSERT_TRUE(env["metaData"]["code"].IsString());  // V-Claim: string code
  EXPECT_EQ(text(env, "metaData.code"), "401");
  EXPECT_TRUE(env["response"].IsNull());
  EXPECT_EQ(state_int("auth_failures.by_reason.bad_signature"), 1);
}

TEST_F(SimBpjs, UnknownConsIdIsRejected) {
  bpjs::Credentials bad{"9999", "pwd", "vclaim-key"};
  Http h = call("GET", "/vclaim-rest/Peserta/nokartu/" + kActiveCard + "/tglSEP/2025-06-15", {}, "", -1, false, &bad);
  EXPECT_EQ(h.status, 401u);
  EXPECT_EQ(state_int("auth_failures.by_reason.unknown_cons_id"), 1);
}

TEST_F(SimBpjs, UserKeyIsPerService) {
  // The V-Claim key does not open Antrean, and the reverse.
  Http a = call("GET", "/antreanrs/ref/poli", {}, "vclaim-key");
  EXPECT_EQ(a.status, 401u);
  auto env = parse(a.body);
  ASSERT_TRUE(env.HasMember("metadata"));  // Antrean: lower-case metadata, number code
  EXPECT_TRUE(env["metadata"]["code"].IsInt());
  EXPECT_EQ(env["metadata"]["code"].GetInt(), 401);
  Http v = call("GET", "/vclaim-rest/referensi/propinsi", {}, "antrean-key");
  EXPECT_EQ(v.status, 401u);
  EXPECT_EQ(state_int("auth_failures.by_reason.wrong_user_key"), 2);
  EXPECT_EQ(call("GET", "/antreanrs/ref/poli", {}, "antrean-key").status, 200u);
}

TEST_F(SimBpjs, StaleTimestampIsRejectedInBothDirections) {
  const std::string target = "/vclaim-rest/referensi/propinsi";
  EXPECT_EQ(call("GET", target, {}, "vclaim-key", kNow - 301).status, 401u);
  EXPECT_EQ(call("GET", target, {}, "vclaim-key", kNow + 301).status, 401u);
  EXPECT_EQ(state_int("auth_failures.by_reason.stale_timestamp"), 2);
  // Inside the window both ways, and the response key is the request's timestamp.
  Http late = call("GET", target, {}, "vclaim-key", kNow - 299);
  EXPECT_EQ(late.status, 200u);
  auto r = bpjs::decode_response(late.body, 200, "GET", target, creds("vclaim-key"),
                                 bpjs::RequestStamp(static_cast<std::uint64_t>(kNow - 299)));
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->encrypted);
  EXPECT_EQ(call("GET", target, {}, "vclaim-key", kNow + 299).status, 200u);
  // A timestamp that is not digits.
  auto headers = bpjs::request_headers(creds("vclaim-key"), bpjs::RequestStamp(kNow));
  for (auto& hd : headers)
    if (hd.name == "X-timestamp") hd.value = "12:00";
  EXPECT_EQ(send_raw(port, "GET", target, {}, headers).status, 401u);
  EXPECT_EQ(state_int("auth_failures.by_reason.bad_timestamp"), 1);
}

TEST_F(SimBpjs, HeaderNamesAreCaseInsensitiveAndMissingHeadersAreRejected) {
  auto headers = bpjs::request_headers(creds("vclaim-key"), bpjs::RequestStamp(kNow));
  for (auto& hd : headers)
    for (auto& c : hd.name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_EQ(send_raw(port, "GET", "/vclaim-rest/referensi/propinsi", {}, headers).status, 200u);
  headers.pop_back();  // drop one header
  EXPECT_EQ(send_raw(port, "GET", "/vclaim-rest/referensi/propinsi", {}, headers).status, 401u);
  EXPECT_EQ(state_int("auth_failures.by_reason.missing_header"), 1);
}

TEST_F(SimBpjs, PcareNeedsItsOwnLogin) {
  // Right gateway credentials, no X-authorization / wrong P-Care password.
  Http none = call("GET", "/pcare-rest/peserta/" + kActiveCard, {}, "pcare-key", -1, false);
  EXPECT_EQ(none.status, 401u);
  auto headers = bpjs::request_headers(creds("pcare-key"), bpjs::RequestStamp(kNow));
  headers.push_back({"X-authorization", bpjs::pcare_authorization("demo", "wrong")});
  Http bad = send_raw(port, "GET", "/pcare-rest/peserta/" + kActiveCard, {}, headers);
  EXPECT_EQ(bad.status, 401u);
  auto env = parse(bad.body);
  ASSERT_TRUE(env["metaData"]["code"].IsInt());  // P-Care: number code
  EXPECT_EQ(env["metaData"]["code"].GetInt(), 401);
  EXPECT_EQ(state_int("auth_failures.by_reason.pcare_bad_login"), 1);
  EXPECT_EQ(pcare("GET", "peserta/" + kActiveCard).status, 200u);
}

TEST_F(SimBpjs, DevBasePathsAndUnknownPaths) {
  EXPECT_EQ(call("GET", "/vclaim-rest-dev/referensi/propinsi").status, 200u);
  EXPECT_EQ(call("GET", "/antreanrs_dev/ref/dokter", {}, "antrean-key").status, 200u);
  EXPECT_EQ(call("GET", "/pcare-rest-dev/kesadaran", {}, "pcare-key", -1, true).status, 200u);
  Http wrong_service = call("GET", "/vclaim-rest-v9/referensi/propinsi");
  EXPECT_EQ(wrong_service.status, 404u);
  EXPECT_NE(wrong_service.content_type.find("text/html"), std::string::npos);
  Http wrong_endpoint = call("GET", "/vclaim-rest/referensi/tidakada");
  EXPECT_EQ(wrong_endpoint.status, 404u);
  auto env = bpjs::parse_envelope(wrong_endpoint.body, 404);
  ASSERT_FALSE(env);
  EXPECT_EQ(env.error().code, bpjs::ErrorCode::html_body);
}

// ------------------------------------------------------------------ participants

TEST_F(SimBpjs, InactiveAndUnknownCards) {
  const std::string inactive = "Peserta/nokartu/" + kInactiveCard + "/tglSEP/2025-06-15";
  Http h = vclaim("GET", inactive);
  EXPECT_EQ(h.status, 200u);
  auto body = parse(vdecode(h, "GET", inactive).response_json);
  EXPECT_NE(text(body, "peserta.statusPeserta.kode"), "0");
  EXPECT_EQ(text(body, "peserta.statusPeserta.keterangan"), "TIDAK AKTIF");

  Http u = vclaim("GET", "Peserta/nokartu/" + kUnknownCard + "/tglSEP/2025-06-15");
  EXPECT_EQ(u.status, 200u);  // V-Claim business errors are HTTP 200
  auto env = parse(u.body);
  EXPECT_EQ(text(env, "metaData.code"), "201");
  EXPECT_EQ(text(env, "metaData.message"), "Peserta tidak ditemukan");
  EXPECT_TRUE(env["response"].IsNull());
  // Malformed card and date are business errors too.
  EXPECT_EQ(text(parse(vclaim("GET", "Peserta/nokartu/123/tglSEP/2025-06-15").body), "metaData.code"), "201");
  EXPECT_EQ(text(parse(vclaim("GET", "Peserta/nokartu/" + kActiveCard + "/tglSEP/15-06-2025").body), "metaData.code"),
            "201");
}

TEST_F(SimBpjs, SameCardGivesTheSameParticipantAndNikLookupAgrees) {
  const std::string path = "Peserta/nokartu/" + kActiveCard + "/tglSEP/2025-06-15";
  const std::string first = vdecode(vclaim("GET", path), "GET", path).response_json;
  const std::string second = vdecode(vclaim("GET", path), "GET", path).response_json;
  EXPECT_EQ(first, second);
  const std::string nik = text(parse(first), "peserta.nik");
  ASSERT_EQ(nik.size(), 16u);
  EXPECT_EQ(nik.substr(0, 2), "99");
  const std::string by_nik = "Peserta/nik/" + nik + "/tglSEP/2025-06-15";
  EXPECT_EQ(vdecode(vclaim("GET", by_nik), "GET", by_nik).response_json, first);
  // A NIK from a real province is never found.
  auto env = parse(vclaim("GET", "Peserta/nik/3171012345678901/tglSEP/2025-06-15").body);
  EXPECT_EQ(text(env, "metaData.code"), "201");
}

// ------------------------------------------------------------------ SEP

TEST_F(SimBpjs, SepInsertGetUpdateDeleteWithStateCounts) {
  const std::regex sep_pattern("0301R0110625V[0-9]{6}");
  Http ins = vclaim("POST", "SEP/2.0/insert", sep_body(kActiveCard));
  ASSERT_EQ(ins.status, 200u);
  auto created = parse(vdecode(ins, "POST", "SEP/2.0/insert").response_json);
  const std::string no_sep = text(created, "sep.noSep");
  EXPECT_TRUE(std::regex_match(no_sep, sep_pattern)) << no_sep;
  EXPECT_EQ(no_sep.size(), 19u);
  EXPECT_EQ(text(created, "sep.peserta.noKartu"), kActiveCard);
  EXPECT_EQ(text(created, "sep.jnsPelayanan"), "R.Jalan");
  EXPECT_EQ(text(created, "sep.kdPoli"), "INT");
  EXPECT_EQ(state_int("vclaim.sep_count"), 1);

  Http get = vclaim("GET", "SEP/" + no_sep);
  auto detail = parse(vdecode(get, "GET", "SEP/" + no_sep).response_json);
  EXPECT_EQ(text(detail, "noSep"), no_sep);
  EXPECT_EQ(text(detail, "peserta.noKartu"), kActiveCard);
  EXPECT_EQ(text(detail, "diagnosa").substr(0, 3), "I10");

  std::string upd = R"({"request":{"t_sep":{"noSep":")" + no_sep +
                    R"(","diagAwal":"E11.9","catatan":"diubah","user":"Uji Simpul"}}})";
  Http u = vclaim("PUT", "SEP/2.0/update", upd);
  auto ud = vdecode(u, "PUT", "SEP/2.0/update");
  EXPECT_EQ(ud.code, "200");
  EXPECT_EQ(parse(ud.response_json).GetString(), no_sep);
  detail = parse(vdecode(vclaim("GET", "SEP/" + no_sep), "GET", "SEP/" + no_sep).response_json);
  EXPECT_EQ(text(detail, "diagnosa").substr(0, 5), "E11.9");

  // Delete answers the plain SEP number (not encrypted).
  Http del =
      vclaim("DELETE", "SEP/2.0/delete", R"({"request":{"t_sep":{"noSep":")" + no_sep + R"(","user":"Uji Simpul"}}})");
  auto denv = parse(del.body);
  EXPECT_EQ(text(denv, "metaData.code"), "200");
  EXPECT_EQ(text(denv, "response"), no_sep);
  auto dd = vdecode(del, "DELETE", "SEP/2.0/delete");
  EXPECT_FALSE(dd.encrypted);
  EXPECT_EQ(state_int("vclaim.sep_count"), 0);
  EXPECT_EQ(state_int("vclaim.sep_deleted"), 1);
  EXPECT_EQ(text(parse(vclaim("GET", "SEP/" + no_sep).body), "metaData.code"), "201");
  EXPECT_EQ(
      text(parse(vclaim("DELETE", "SEP/2.0/delete", R"({"request":{"t_sep":{"noSep":")" + no_sep + R"(","user":"x"}}})")
                     .body),
           "metaData.code"),
      "201");
  auto st = state();  // (the key holds dots, so no dotted lookup)
  const auto& by_endpoint = st["requests"]["by_endpoint"];
  ASSERT_TRUE(by_endpoint.HasMember("vclaim POST SEP/2.0/insert"));
  EXPECT_EQ(by_endpoint["vclaim POST SEP/2.0/insert"].GetInt(), 1);
  EXPECT_EQ(by_endpoint["vclaim DELETE SEP/2.0/delete"].GetInt(), 2);
  EXPECT_EQ(by_endpoint["vclaim GET SEP/{}"].GetInt(), 3);
}

TEST_F(SimBpjs, DuplicateInsertsMakeTwoSeps) {
  const std::string body = sep_body(kActiveCard);
  const std::string a =
      text(parse(vdecode(vclaim("POST", "SEP/2.0/insert", body), "POST", "x").response_json), "sep.noSep");
  const std::string b =
      text(parse(vdecode(vclaim("POST", "SEP/2.0/insert", body), "POST", "x").response_json), "sep.noSep");
  EXPECT_NE(a, b);
  EXPECT_EQ(state_int("vclaim.sep_count"), 2);
  // Both show up in Monitoring/Kunjungan and HistoriPelayanan, for reconciliation.
  const std::string mon = "Monitoring/Kunjungan/Tanggal/2025-06-14/JnsPelayanan/2";
  auto list = parse(vdecode(vclaim("GET", mon), "GET", mon).response_json);
  ASSERT_TRUE(list["sep"].IsArray());
  EXPECT_EQ(list["sep"].Size(), 2u);
  const std::string hist =
      "monitoring/HistoriPelayanan/NoKartu/" + kActiveCard + "/tglMulai/2025-06-01/tglAkhir/2025-06-15";
  auto h = parse(vdecode(vclaim("GET", hist), "GET", hist).response_json);
  EXPECT_EQ(h["histori"].Size(), 2u);
  // Another day: no data = code 201.
  EXPECT_EQ(text(parse(vclaim("GET", "Monitoring/Kunjungan/Tanggal/2025-06-13/JnsPelayanan/2").body), "metaData.code"),
            "201");
}

TEST_F(SimBpjs, SepBusinessRulesAnswerCode201) {
  struct Case {
    std::string body;
    std::string message_part;
  };
  const auto p = sim::participant_by_card(kActiveCard);
  const std::string other_class = p->hak_kelas == "1" ? "2" : "1";
  const std::vector<Case> cases = {
      {sep_body(kActiveCard, "2025-06-14", "X99"), "diagnosa"},
      {sep_body(kActiveCard, "2025-06-16"), "melebihi"},
      {sep_body(kActiveCard, "14-06-2025"), "tglSep"},
      {sep_body(kActiveCard, "2025-06-14", "I10", other_class), "klsRawatHak"},
      {sep_body(kInactiveCard), "tidak aktif"},
      {sep_body(kUnknownCard), "tidak ditemukan"},
      {"not json", "Request tidak valid"},
      {R"({"request":{}})", "t_sep"},
  };
  for (const auto& c : cases) {
    Http h = vclaim("POST", "SEP/2.0/insert", c.body);
    EXPECT_EQ(h.status, 200u);
    auto env = parse(h.body);
    EXPECT_EQ(text(env, "metaData.code"), "201") << c.body;
    EXPECT_NE(text(env, "metaData.message").find(c.message_part), std::string::npos) << text(env, "metaData.message");
  }
  EXPECT_EQ(state_int("vclaim.sep_count"), 0);
}

TEST_F(SimBpjs, ConcurrentInsertsAllGetDistinctNumbers) {
  std::vector<std::thread> clients;
  std::mutex mu;
  std::set<std::string> numbers;
  for (int t = 0; t < 4; ++t)
    clients.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        Http h = vclaim("POST", "SEP/2.0/insert", sep_body(kActiveCard));
        auto d = bpjs::decode_response(h.body, 200, "POST", "/vclaim-rest/SEP/2.0/insert", creds("vclaim-key"),
                                       bpjs::RequestStamp(kNow));
        if (!d) continue;
        std::lock_guard lock(mu);
        numbers.insert(text(parse(d->response_json), "sep.noSep"));
      }
    });
  for (auto& c : clients) c.join();
  EXPECT_EQ(numbers.size(), 20u);
  EXPECT_EQ(state_int("vclaim.sep_count"), 20);
}

// ------------------------------------------------------------------ rujukan and referensi

TEST_F(SimBpjs, RujukanByCardThenByNumber) {
  const std::string by_card = "Rujukan/Peserta/" + kActiveCard;
  auto r = parse(vdecode(vclaim("GET", by_card), "GET", by_card).response_json);
  const std::string no = text(r, "rujukan.noKunjungan");
  EXPECT_EQ(no.size(), 19u);
  EXPECT_EQ(text(r, "rujukan.peserta.noKartu"), kActiveCard);
  auto again = parse(vdecode(vclaim("GET", "Rujukan/" + no), "GET", "Rujukan/" + no).response_json);
  EXPECT_EQ(text(again, "rujukan.noKunjungan"), no);
  const std::string rs = "Rujukan/RS/Peserta/" + kActiveCard;
  auto rsr = parse(vdecode(vclaim("GET", rs), "GET", rs).response_json);
  const std::string rs_no = text(rsr, "rujukan.noKunjungan");
  EXPECT_EQ(rs_no.substr(12, 1), "B");
  EXPECT_EQ(text(parse(vclaim("GET", "Rujukan/RS/" + rs_no).body), "metaData.code"), "200");
  EXPECT_EQ(text(parse(vclaim("GET", "Rujukan/" + rs_no).body), "metaData.code"), "201");  // not an FKTP one
  const std::string list = "Rujukan/List/Peserta/" + kActiveCard;
  auto l = parse(vdecode(vclaim("GET", list), "GET", list).response_json);
  EXPECT_GE(l["rujukan"].Size(), 1u);
}

TEST_F(SimBpjs, ReferensiCatalogue) {
  const std::string diag = "referensi/diagnosa/I10";
  auto d = parse(vdecode(vclaim("GET", diag), "GET", diag).response_json);
  ASSERT_EQ(d["diagnosa"].Size(), 1u);
  EXPECT_EQ(text(d["diagnosa"][0], "nama"), "I10 - Essential (primary) hypertension");
  const std::string by_name = "referensi/diagnosa/dengue";
  EXPECT_EQ(parse(vdecode(vclaim("GET", by_name), "GET", by_name).response_json)["diagnosa"].Size(), 2u);
  const std::string poli = "referensi/poli/INT";
  EXPECT_EQ(text(parse(vdecode(vclaim("GET", poli), "GET", poli).response_json)["poli"][0], "kode"), "INT");
  const std::string faskes = "referensi/faskes/puskesmas/1";
  EXPECT_EQ(parse(vdecode(vclaim("GET", faskes), "GET", faskes).response_json)["faskes"].Size(), 2u);
  const std::string dokter = "referensi/dokter/pelayanan/2/tglPelayanan/2025-06-15/Spesialis/INT";
  EXPECT_EQ(parse(vdecode(vclaim("GET", dokter), "GET", dokter).response_json)["list"].Size(), 2u);
  const std::string kab = "referensi/kabupaten/propinsi/91";
  EXPECT_EQ(parse(vdecode(vclaim("GET", kab), "GET", kab).response_json)["list"].Size(), 2u);
  EXPECT_EQ(text(parse(vclaim("GET", "referensi/diagnosa/ZZZ").body), "metaData.code"), "201");
}

// ------------------------------------------------------------------ P-Care

TEST_F(SimBpjs, PcarePendaftaranAndKunjungan) {
  // Peserta (P-Care shape).
  auto ps = parse(pdecode(pcare("GET", "peserta/" + kActiveCard), "GET", "peserta/" + kActiveCard).response_json);
  const auto p = sim::participant_by_card(kActiveCard);
  EXPECT_EQ(text(ps, "kdProviderPst.kdProvider"), p->prov_kode);
  EXPECT_TRUE(ps["aktif"].GetBool());

  Http reg = pcare("POST", "pendaftaran", pendaftaran_body(kActiveCard));
  EXPECT_EQ(reg.status, 201u);
  auto renv = parse(reg.body);
  EXPECT_EQ(renv["metaData"]["code"].GetInt(), 201);
  EXPECT_EQ(text(renv, "metaData.message"), "CREATED");
  auto rd = parse(pdecode(reg, "POST", "pendaftaran").response_json);
  EXPECT_EQ(text(rd, "field"), "noUrut");
  EXPECT_EQ(text(rd, "message"), "A1");
  // Not idempotent: the same registration again is A2.
  EXPECT_EQ(text(parse(pdecode(pcare("POST", "pendaftaran", pendaftaran_body(kActiveCard)), "POST", "pendaftaran")
                           .response_json),
                 "message"),
            "A2");
  const std::string get = "pendaftaran/noUrut/A1/tglDaftar/15-06-2025";
  auto g = parse(pdecode(pcare("GET", get), "GET", get).response_json);
  EXPECT_EQ(text(g, "noUrut"), "A1");
  EXPECT_EQ(text(g, "peserta.noKartu"), kActiveCard);
  const std::string list = "pendaftaran/tglDaftar/15-06-2025/0/10";
  auto l = parse(pdecode(pcare("GET", list), "GET", list).response_json);
  EXPECT_EQ(l["count"].GetInt(), 2);

  Http kj = pcare("POST", "kunjungan/v1", kunjungan_body(kActiveCard));
  EXPECT_EQ(kj.status, 201u);
  const std::string no_kunjungan = text(parse(pdecode(kj, "POST", "kunjungan/v1").response_json), "message");
  EXPECT_EQ(no_kunjungan.size(), 19u);
  EXPECT_EQ(state_int("pcare.kunjungan_count"), 1);
  const std::string hist = "kunjungan/peserta/" + kActiveCard;
  auto kh = parse(pdecode(pcare("GET", hist), "GET", hist).response_json);
  EXPECT_EQ(kh["count"].GetInt(), 1);
  EXPECT_EQ(text(kh["list"][0], "noKunjungan"), no_kunjungan);

  // Edit, then the registration cannot be deleted while the visit exists.
  Http edit = pcare("PUT", "kunjungan/v1",
                    kunjungan_body(kActiveCard, "15-06-2025", "I10", "null", "\"" + no_kunjungan + "\""));
  EXPECT_EQ(edit.status, 200u);
  const std::string del_reg = "pendaftaran/peserta/" + kActiveCard + "/tglDaftar/15-06-2025/noUrut/A1/kdPoli/001";
  EXPECT_EQ(pcare("DELETE", del_reg).status, 412u);
  EXPECT_EQ(pcare("DELETE", "kunjungan/" + no_kunjungan).status, 200u);
  EXPECT_EQ(pcare("DELETE", "kunjungan/" + no_kunjungan).status, 204u);  // not found
  EXPECT_EQ(pcare("DELETE", del_reg).status, 200u);
  EXPECT_EQ(state_int("pcare.pendaftaran_count"), 1);
  Http gone = pcare("GET", get);
  EXPECT_EQ(gone.status, 204u);
  EXPECT_TRUE(gone.body.empty());
}

TEST_F(SimBpjs, PcareErrorsUseHttpStatuses) {
  // 412: a date that is not dd-MM-yyyy, with an envelope body naming the field.
  Http bad_date = pcare("POST", "pendaftaran", pendaftaran_body(kActiveCard, "2025-06-15"));
  EXPECT_EQ(bad_date.status, 412u);
  auto env = parse(bad_date.body);
  EXPECT_EQ(env["metaData"]["code"].GetInt(), 412);
  ASSERT_TRUE(env["response"].IsArray());
  EXPECT_EQ(text(env["response"][0], "field"), "tglDaftar");
  EXPECT_EQ(pcare("GET", "pendaftaran/tglDaftar/2025-06-15/0/10").status, 412u);
  // 424: unknown references.
  EXPECT_EQ(pcare("POST", "pendaftaran", pendaftaran_body(kActiveCard, "15-06-2025", "999")).status, 424u);
  ASSERT_EQ(pcare("POST", "pendaftaran", pendaftaran_body(kActiveCard)).status, 201u);
  Http bad_diag = pcare("POST", "kunjungan/v1", kunjungan_body(kActiveCard, "15-06-2025", "X99.9"));
  EXPECT_EQ(bad_diag.status, 424u);
  EXPECT_EQ(parse(bad_diag.body)["metaData"]["code"].GetInt(), 424);
  // 412: a visit without a registration that day, inactive participant.
  EXPECT_EQ(pcare("POST", "kunjungan/v1", kunjungan_body(kActiveCard, "14-06-2025")).status, 412u);
  EXPECT_EQ(pcare("POST", "pendaftaran", pendaftaran_body(kInactiveCard)).status, 412u);
  // Not found: 204 without a body.
  Http nf = pcare("GET", "peserta/" + kUnknownCard);
  EXPECT_EQ(nf.status, 204u);
  EXPECT_TRUE(nf.body.empty());
  EXPECT_EQ(state_int("pcare.kunjungan_count"), 0);
}

TEST_F(SimBpjs, PcareReferralBecomesAVclaimRujukan) {
  ASSERT_EQ(pcare("POST", "pendaftaran", pendaftaran_body(kActiveCard)).status, 201u);
  const std::string rujuk =
      R"({"tglEstRujuk":"17-06-2025","kdppk":"0301R011","subSpesialis":null,"khusus":{"kdKhusus":"HDL","kdSubSpesialis":null,"catatan":"cuci darah"}})";
  Http kj = pcare("POST", "kunjungan/v1", kunjungan_body(kActiveCard, "15-06-2025", "N18.5", rujuk));
  ASSERT_EQ(kj.status, 201u);
  const std::string no = text(parse(pdecode(kj, "POST", "kunjungan/v1").response_json), "message");
  const std::string letter = "kunjungan/rujukan/" + no;
  auto l = parse(pdecode(pcare("GET", letter), "GET", letter).response_json);
  EXPECT_EQ(text(l, "ppkRujuk.kdPPK"), "0301R011");
  auto v = parse(vdecode(vclaim("GET", "Rujukan/" + no), "GET", "Rujukan/" + no).response_json);
  EXPECT_EQ(text(v, "rujukan.noKunjungan"), no);
  EXPECT_EQ(text(v, "rujukan.poliRujukan.kode"), "HDL");
  EXPECT_EQ(text(v, "rujukan.diagnosa.kode"), "N18.5");
}

// ------------------------------------------------------------------ Antrean

TEST_F(SimBpjs, AntreanReferencesAddAndBatal) {
  Http poli = antrean("GET", "ref/poli");
  auto penv = parse(poli.body);
  EXPECT_EQ(penv["metadata"]["code"].GetInt(), 1);
  auto pd = decode(poli, "GET", "/antreanrs/ref/poli", "antrean-key");
  EXPECT_GE(parse(pd.response_json)["list"].Size(), 1u);

  const std::string add =
      R"({"kodebooking":"20250615INT001","jenispasien":"JKN","nomorkartu":")" + kActiveCard +
      R"(","nik":"9901234567890123","nohp":"081234567890","kodepoli":"INT","namapoli":"PENYAKIT DALAM",
      "pasienbaru":0,"norm":"MR000123","tanggalperiksa":"2025-06-16","kodedokter":190001,"namadokter":"dr. X",
      "jampraktek":"08:00-12:00","jeniskunjungan":1,"nomorreferensi":"0114P0010625P000123","nomorantrean":"INT-1",
      "angkaantrean":1,"estimasidilayani":1750039200000,"sisakuotajkn":9,"kuotajkn":10,"sisakuotanonjkn":5,
      "kuotanonjkn":5,"keterangan":"datang 30 menit lebih awal"})";
  Http a = antrean("POST", "antrean/add", add);
  EXPECT_EQ(a.status, 200u);
  auto aenv = parse(a.body);
  EXPECT_EQ(aenv["metadata"]["code"].GetInt(), 200);
  EXPECT_FALSE(aenv.HasMember("response"));  // writes answer metadata only
  auto dup = parse(antrean("POST", "antrean/add", add).body);
  EXPECT_EQ(dup["metadata"]["code"].GetInt(), 201);
  // kodedokter must be a number.
  std::string as_string = add;
  as_string.replace(as_string.find("190001"), 6, "\"190001\"");
  as_string.replace(as_string.find("20250615INT001"), 14, "20250615INT002");
  EXPECT_EQ(parse(antrean("POST", "antrean/add", as_string).body)["metadata"]["code"].GetInt(), 201);
  EXPECT_EQ(state_int("antrean.antrean_count"), 1);
  auto b = parse(antrean("POST", "antrean/batal", R"({"kodebooking":"20250615INT001","keterangan":"batal"})").body);
  EXPECT_EQ(b["metadata"]["code"].GetInt(), 200);
  EXPECT_EQ(state_int("antrean.antrean_count"), 0);
  EXPECT_EQ(parse(antrean("POST", "antrean/batal", R"({"kodebooking":"20250615INT001","keterangan":"x"})")
                      .body)["metadata"]["code"]
                .GetInt(),
            201);
}

// ------------------------------------------------------------------ faults

TEST_F(SimBpjs, FaultHttp500AndHtml404ArePagesNotEnvelopes) {
  set_faults(R"({"rules":[{"kind":"http_500","count":1},{"kind":"html_404","path":"referensi/poli","count":1}]})");
  Http a = vclaim("GET", "referensi/propinsi");
  EXPECT_EQ(a.status, 500u);
  EXPECT_NE(a.content_type.find("text/html"), std::string::npos);
  auto env = bpjs::parse_envelope(a.body, 500);
  ASSERT_FALSE(env);
  EXPECT_EQ(env.error().code, bpjs::ErrorCode::html_body);
  EXPECT_EQ(vclaim("GET", "referensi/propinsi").status, 200u);  // count used up
  EXPECT_EQ(vclaim("GET", "referensi/poli/INT").status, 404u);
  EXPECT_EQ(vclaim("GET", "referensi/poli/INT").status, 200u);
  EXPECT_EQ(state_int("faults_injected.http_500"), 1);
  EXPECT_EQ(state_int("faults_injected.html_404"), 1);
}

TEST_F(SimBpjs, FaultLatencyIsCountedAndTheAnswerStillArrives) {
  set_faults(R"({"latency_ms":20,"jitter_ms":10,"seed":7})");
  EXPECT_EQ(vclaim("GET", "referensi/propinsi").status, 200u);
  EXPECT_EQ(state_int("faults_injected.latency"), 1);
}

TEST_F(SimBpjs, FaultTimeoutClosesWithoutAnswering) {
  set_faults(R"({"rules":[{"kind":"timeout","hold_ms":50,"count":1}]})");
  Http h = vclaim("GET", "referensi/propinsi");
  EXPECT_FALSE(h.answered);
  EXPECT_TRUE(vclaim("GET", "referensi/propinsi").answered);
  EXPECT_EQ(state_int("faults_injected.timeout"), 1);
}

TEST_F(SimBpjs, FaultMetadataErrorUsesEachServiceShape) {
  set_faults(R"({"rules":[{"kind":"metadata_error","path":"/vclaim-rest/","count":1,"message":"Sedang gangguan"},
                          {"kind":"metadata_error","path":"/pcare-rest/","count":1}]})");
  Http v = vclaim("GET", "referensi/propinsi");
  EXPECT_EQ(v.status, 200u);
  auto venv = parse(v.body);
  EXPECT_EQ(text(venv, "metaData.code"), "201");
  EXPECT_EQ(text(venv, "metaData.message"), "Sedang gangguan");
  Http p = pcare("GET", "kesadaran");
  EXPECT_EQ(p.status, 500u);
  EXPECT_EQ(parse(p.body)["metaData"]["code"].GetInt(), 500);
  EXPECT_EQ(state_int("faults_injected.metadata_error"), 2);
}

TEST_F(SimBpjs, FaultGarbledCiphertextIsValidBase64ThatDoesNotDecrypt) {
  set_faults(R"({"rules":[{"kind":"garbled","count":1}]})");
  const std::string path = "Peserta/nokartu/" + kActiveCard + "/tglSEP/2025-06-15";
  Http h = vclaim("GET", path);
  auto env = parse(h.body);
  EXPECT_EQ(text(env, "metaData.code"), "200");
  const std::string cipher = text(env, "response");
  EXPECT_TRUE(bpjs::base64_decode(cipher));
  auto d = bpjs::decode_response(h.body, 200, "GET", "/vclaim-rest/" + path, creds("vclaim-key"),
                                 bpjs::RequestStamp(kNow), bpjs::UndecryptablePolicy::fail);
  EXPECT_FALSE(d);
  EXPECT_TRUE(vdecode(vclaim("GET", path), "GET", path).encrypted);  // next one is fine
  EXPECT_EQ(state_int("faults_injected.garbled"), 1);
}

TEST_F(SimBpjs, FaultDropAfterCommitStoresTheSepButNeverAnswers) {
  set_faults(R"({"rules":[{"kind":"drop_after_commit","method":"POST","path":"SEP/2.0/insert","count":1}]})");
  Http h = vclaim("POST", "SEP/2.0/insert", sep_body(kActiveCard));
  EXPECT_FALSE(h.answered);
  EXPECT_EQ(state_int("vclaim.sep_count"), 1);  // the unknown outcome: it was created
  // Simpul reconciles through monitoring before retrying.
  const std::string mon = "Monitoring/Kunjungan/Tanggal/2025-06-14/JnsPelayanan/2";
  auto list = parse(vdecode(vclaim("GET", mon), "GET", mon).response_json);
  EXPECT_EQ(list["sep"].Size(), 1u);
  EXPECT_EQ(state_int("faults_injected.drop_after_commit"), 1);
}

TEST_F(SimBpjs, FaultErrorRateIsDeterministicWithASeed) {
  auto run = [&] {
    set_faults(R"({"error_rate":0.5,"error_kind":"http_500","seed":42})");
    std::string pattern;
    for (int i = 0; i < 24; ++i) pattern += vclaim("GET", "referensi/propinsi").status == 500 ? 'x' : '.';
    return pattern;
  };
  const std::string first = run();
  const std::string second = run();
  EXPECT_EQ(first, second);
  EXPECT_NE(first.find('x'), std::string::npos);
  EXPECT_NE(first.find('.'), std::string::npos);
}

// ------------------------------------------------------------------ control API

TEST_F(SimBpjs, ControlApiReadsReplacesAndResets) {
  Http bad = send_raw(port, "POST", "/sim/faults", R"({"rules":[{"kind":"explode"}]})", {});
  EXPECT_EQ(bad.status, 400u);
  EXPECT_NE(parse(bad.body)["error"].GetString(), std::string());
  set_faults(R"({"latency_ms":1,"rules":[{"kind":"http_500","path":"SEP","count":3}]})");
  auto f = parse(send_raw(port, "GET", "/sim/faults", {}, {}).body);
  EXPECT_EQ(f["latency_ms"].GetInt(), 1);
  EXPECT_EQ(text(f["rules"][0], "kind"), "http_500");
  EXPECT_EQ(f["rules"][0]["count"].GetInt(), 3);
  set_faults("{}");
  ASSERT_EQ(vclaim("POST", "SEP/2.0/insert", sep_body(kActiveCard)).status, 200u);
  EXPECT_EQ(state_int("vclaim.sep_count"), 1);
  EXPECT_EQ(send_raw(port, "POST", "/sim/reset", {}, {}).status, 200u);
  EXPECT_EQ(state_int("vclaim.sep_count"), 0);
  EXPECT_EQ(state_int("requests.total"), 0);
}

// ------------------------------------------------------------------ hostile input

TEST_F(SimBpjs, BadInputIsAnsweredNeverCrashes) {
  const std::string deep = std::string(5000, '[') + std::string(5000, ']');
  const std::vector<std::string> bodies = {"",
                                           "null",
                                           "[]",
                                           "{",
                                           deep,
                                           "{\"request\":{\"t_sep\":[]}}",
                                           "{\"noKartu\":{\"x\":1},\"tglDaftar\":7,\"kunjSakit\":\"ya\"}",
                                           "\xff\xfe",
                                           R"({"kodebooking":1,"taskid":"x","waktu":null})"};
  const std::vector<std::pair<std::string, std::string>> writes = {
      {"POST", "/vclaim-rest/SEP/2.0/insert"},   {"PUT", "/vclaim-rest/SEP/2.0/update"},
      {"DELETE", "/vclaim-rest/SEP/2.0/delete"}, {"POST", "/pcare-rest/pendaftaran"},
      {"POST", "/pcare-rest/kunjungan/v1"},      {"PUT", "/pcare-rest/kunjungan/v1"},
      {"POST", "/antreanrs/antrean/add"},        {"POST", "/antreanrs/antrean/batal"},
      {"POST", "/antreanrs/antrean/updatewaktu"}};
  int answered = 0;
  for (const auto& [method, target] : writes) {
    const std::string key = target.rfind("/pcare", 0) == 0     ? "pcare-key"
                            : target.rfind("/antrean", 0) == 0 ? "antrean-key"
                                                               : "vclaim-key";
    for (const auto& b : bodies) {
      Http h = call(method, target, b, key, -1, key == "pcare-key");
      answered += h.answered;
      EXPECT_TRUE(h.status == 200 || h.status == 412 || h.status == 424) << method << " " << target << " " << h.status;
    }
  }
  EXPECT_EQ(answered, static_cast<int>(writes.size() * bodies.size()));
  for (const std::string t : {"/vclaim-rest/SEP/%zz", "/vclaim-rest/SEP/%", "/vclaim-rest/", "/", "/sim/nothing",
                              "/vclaim-rest/Peserta/nokartu/%00%00/tglSEP/x", "/pcare-rest/pendaftaran/tglDaftar/a/b/c",
                              "/pcare-rest/diagnosa/%41/99999999999999999999999/1"})
    EXPECT_TRUE(call("GET", t, {}, "vclaim-key").answered) << t;
  EXPECT_EQ(state_int("vclaim.sep_count"), 0);
}
