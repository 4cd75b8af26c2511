// V-Claim wire models against the catalogue examples of bpjs-api.md §5.1:
// parse -> to_json gives the catalogue bytes back, a model built in C++ gives the
// same bytes, and type errors name the field.
#include <gtest/gtest.h>

#include "mappings/bpjs/vclaim.hpp"
#include "tests/mappings/wire_test_support.hpp"

namespace b = simpul::mappings::bpjs;
using b::test::edited;
using b::test::failing_field;

namespace {

// CAT-VC "Peserta" response (after decryption), minified.
constexpr std::string_view kPeserta =
    R"({"peserta":{"cob":{"nmAsuransi":null,"noAsuransi":null,"tglTAT":null,"tglTMT":null},)"
    R"("hakKelas":{"keterangan":"KELAS I","kode":"1"},"informasi":{"dinsos":null,"noSKTM":null,"prolanisPRB":null},)"
    R"("jenisPeserta":{"keterangan":"PEGAWAI SWASTA","kode":"13"},"mr":{"noMR":null,"noTelepon":null},)"
    R"("nama":"TRI M","nik":"3319022010810007","noKartu":"0011336526592","pisa":"1",)"
    R"("provUmum":{"kdProvider":"0138U020","nmProvider":"KPRJ PALA MEDIKA"},"sex":"L",)"
    R"("statusPeserta":{"keterangan":"AKTIF","kode":"0"},"tglCetakKartu":"2016-02-12","tglLahir":"1981-10-10",)"
    R"("tglTAT":"2014-12-31","tglTMT":"2008-10-01",)"
    R"("umur":{"umurSaatPelayanan":"35 tahun ,1 bulan ,11 hari","umurSekarang":"35 tahun ,2 bulan ,10 hari"}}})";

// CAT-VC SEP 2.0 insert request, verbatim values, minified.
constexpr std::string_view kSepInsert =
    R"({"request":{"t_sep":{"noKartu":"0001105689835","tglSep":"2021-07-30","ppkPelayanan":"0301R011",)"
    R"("jnsPelayanan":"1","klsRawat":{"klsRawatHak":"2","klsRawatNaik":"1","pembiayaan":"1",)"
    R"("penanggungJawab":"Pribadi"},"noMR":"MR9835","rujukan":{"asalRujukan":"2","tglRujukan":"2021-07-23",)"
    R"("noRujukan":"RJKMR9835001","ppkRujukan":"0301R011"},"catatan":"testinsert RI","diagAwal":"E10",)"
    R"("poli":{"tujuan":"","eksekutif":"0"},"cob":{"cob":"0"},"katarak":{"katarak":"0"},)"
    R"("jaminan":{"lakaLantas":"0","noLP":"12345","penjamin":{"tglKejadian":"","keterangan":"",)"
    R"("suplesi":{"suplesi":"0","noSepSuplesi":"","lokasiLaka":{"kdPropinsi":"","kdKabupaten":"",)"
    R"("kdKecamatan":""}}}},"tujuanKunj":"0","flagProcedure":"","kdPenunjang":"","assesmentPel":"",)"
    R"("skdp":{"noSurat":"0301R0110721K000021","kodeDPJP":"31574"},"dpjpLayan":"","noTelp":"081111111101",)"
    R"("user":"Coba Ws"}}})";

// CAT-VC SEP 2.0 insert response, minified.
constexpr std::string_view kSepResponse =
    R"({"sep":{"assestmenPel":"1","catatan":"testinsert RJ",)"
    R"("diagnosa":"A15 - Respiratory tuberculosis, bacteriologically and histologically confirmed",)"
    R"("flagProcedure":"","informasi":{"dinsos":null,"eSEP":"True","noSKTM":null,"prolanisPRB":null},)"
    R"("jnsPelayanan":"R.Jalan","kdPenunjang":"","kdPoli":"INT","kelasRawat":"-",)"
    R"("noRujukan":"0050B1070223P000004","noSep":"0301R0010323V000039","penjamin":"-",)"
    R"~("peserta":{"asuransi":"-","hakKelas":"Kelas 3","jnsPeserta":"PBI (APBN)","kelamin":"Perempuan",)~"
    R"("nama":"ARSTNUU","noKartu":"0002802875185","noMr":"MR5185","tglLahir":"1944-02-24"},)"
    R"("poli":"PENYAKIT DALAM","poliEksekutif":"Tidak","tglSep":"2023-03-30","tujuanKunj":"2"}})";

}  // namespace

TEST(BpjsVclaimWire, PesertaCatalogueRoundTripsByteForByte) {
  auto p = b::parse_peserta(kPeserta);
  ASSERT_TRUE(p) << p.error().text();
  EXPECT_EQ(p->no_kartu, "0011336526592");
  EXPECT_EQ(p->hak_kelas.kode, "1");
  EXPECT_EQ(p->prov_umum.kd_provider, "0138U020");
  EXPECT_TRUE(p->aktif());
  EXPECT_FALSE(p->cob.nm_asuransi.has_value());
  EXPECT_FALSE(p->informasi.e_sep.has_value());  // absent in this (older) example: not written back
  EXPECT_EQ(p->umur.umur_saat_pelayanan, "35 tahun ,1 bulan ,11 hari");
  EXPECT_EQ(b::to_json(*p), kPeserta);
}

TEST(BpjsVclaimWire, PesertaToleratesExtraFieldsAndNewerESep) {
  std::string text = edited(kPeserta, R"("dinsos":null,)", R"("dinsos":null,"eSEP":"False",)");
  text.insert(text.find("\"nama\""), R"("fieldBaru":{"x":[1,2,3]},)");
  auto p = b::parse_peserta(text);
  ASSERT_TRUE(p) << p.error().text();
  ASSERT_TRUE(p->informasi.e_sep.has_value());
  EXPECT_EQ(*p->informasi.e_sep, "False");
  EXPECT_EQ(p->nama, "TRI M");
}

TEST(BpjsVclaimWire, PesertaTypeErrorsNameTheField) {
  auto p = b::parse_peserta(edited(kPeserta, R"("kode":"0")", R"("kode":0)"));
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().field, "peserta.statusPeserta.kode");
  EXPECT_NE(p.error().message.find("expected a string"), std::string::npos);
  // The message never quotes the value (it could be a card number).
  EXPECT_EQ(p.error().text().find("0011336526592"), std::string::npos);

  auto missing = b::parse_peserta(R"({"peserta":{"nama":"X"}})");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().field, "peserta.noKartu");

  auto no_wrapper = b::parse_peserta(R"({"nama":"X"})");
  ASSERT_FALSE(no_wrapper);
  EXPECT_EQ(no_wrapper.error().field, "peserta");

  auto not_json = b::parse_peserta("<html>");
  ASSERT_FALSE(not_json);
  EXPECT_EQ(not_json.error().field, "");
}

TEST(BpjsVclaimWire, SepInsertCatalogueRoundTripsByteForByte) {
  auto r = b::parse_sep_request(kSepInsert);
  ASSERT_TRUE(r) << r.error().text();
  EXPECT_EQ(r->kls_rawat.penanggung_jawab, "Pribadi");
  EXPECT_EQ(r->jaminan.no_lp, "12345");
  EXPECT_EQ(r->skdp.kode_dpjp, "31574");
  EXPECT_EQ(b::to_json(*r), kSepInsert);
}

TEST(BpjsVclaimWire, SepInsertBuiltInCodeMatchesTheCatalogue) {
  b::SepRequest s;
  s.no_kartu = "0001105689835";
  s.tgl_sep = "2021-07-30";
  s.ppk_pelayanan = "0301R011";
  s.jns_pelayanan = "1";
  s.kls_rawat = {"2", "1", "1", "Pribadi"};
  s.no_mr = "MR9835";
  s.rujukan = {"2", "2021-07-23", "RJKMR9835001", "0301R011"};
  s.catatan = "testinsert RI";
  s.diag_awal = "E10";
  s.poli = {"", "0"};
  s.cob.cob = "0";
  s.katarak.katarak = "0";
  s.jaminan.laka_lantas = "0";
  s.jaminan.no_lp = "12345";
  s.jaminan.penjamin.suplesi.suplesi = "0";
  s.tujuan_kunj = "0";
  s.skdp = {"0301R0110721K000021", "31574"};
  s.no_telp = "081111111101";
  s.user = "Coba Ws";
  EXPECT_EQ(b::to_json(s), kSepInsert);
}

TEST(BpjsVclaimWire, SepInsertCodesMustBeStrings) {
  EXPECT_EQ(failing_field(b::parse_sep_request, edited(kSepInsert, R"("jnsPelayanan":"1")", R"("jnsPelayanan":1)")),
            "request.t_sep.jnsPelayanan");
}

TEST(BpjsVclaimWire, SepResponseCatalogueRoundTripsWithItsOwnSpelling) {
  auto s = b::parse_sep(kSepResponse);
  ASSERT_TRUE(s) << s.error().text();
  EXPECT_EQ(s->no_sep, "0301R0010323V000039");
  EXPECT_EQ(s->assestmen_pel, "1");  // response spelling "assestmenPel"
  EXPECT_EQ(s->peserta.no_mr, "MR5185");
  ASSERT_TRUE(s->informasi.e_sep.has_value());
  EXPECT_EQ(b::to_json(*s), kSepResponse);
  EXPECT_NE(b::to_json(*s).find("\"assestmenPel\""), std::string::npos);
}

TEST(BpjsVclaimWire, SepUpdateAndDeleteBodies) {
  b::SepUpdateRequest u;
  u.no_sep = "0301R0011017V000007";
  u.kls_rawat.kls_rawat_hak = "3";
  u.no_mr = "MR1";
  u.diag_awal = "A09";
  u.poli = {"INT", "0"};
  u.cob.cob = "0";
  u.katarak.katarak = "0";
  u.jaminan.laka_lantas = "0";
  u.dpjp_layan = "31574";
  u.no_telp = "0811";
  u.user = "Coba Ws";
  const std::string body = b::to_json(u);
  EXPECT_EQ(body.rfind(R"({"request":{"t_sep":{"noSep":"0301R0011017V000007","klsRawat":{)", 0), 0u) << body;
  EXPECT_EQ(body.find("noLP"), std::string::npos);  // the update has no noLP
  EXPECT_EQ(body.find("rujukan"), std::string::npos);
  EXPECT_NE(body.find(R"("jaminan":{"lakaLantas":"0","penjamin":{"tglKejadian":"")"), std::string::npos);
  auto back = b::parse_sep_update_request(body);
  ASSERT_TRUE(back) << back.error().text();
  EXPECT_EQ(b::to_json(*back), body);

  const std::string del = b::to_json(b::SepDeleteRequest{"0301R0011017V000007", "Coba Ws"});
  EXPECT_EQ(del, R"({"request":{"t_sep":{"noSep":"0301R0011017V000007","user":"Coba Ws"}}})");
  auto d = b::parse_sep_delete_request(del);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->no_sep, "0301R0011017V000007");
}

TEST(BpjsVclaimWire, SepNumberStringResponse) {
  auto s = b::parse_json_string(R"("0301R0011017V000007")");
  ASSERT_TRUE(s);
  EXPECT_EQ(*s, "0301R0011017V000007");
  EXPECT_FALSE(b::parse_json_string("{}"));
  EXPECT_FALSE(b::parse_json_string("0301R0011017V000007"));
}

TEST(BpjsVclaimWire, SepDetailWithCodedObjects) {
  const std::string_view text =
      R"({"noSep":"0301R0110326V000001","tglSep":"2026-03-01","jnsPelayanan":"Rawat Jalan","kelasRawat":"3",)"
      R"("diagnosa":"A09 - Diarrhoea","noRujukan":"0114A0260326P000001","poli":"PENYAKIT DALAM","poliEksekutif":"0",)"
      R"("catatan":"","penjamin":null,"kdStatusKecelakaan":"0","nmstatusKecelakaan":"BKLL",)"
      R"("lokasiKejadian":{"kdKab":null,"kdKec":null,"kdProp":null,"ketKejadian":null,"lokasi":null,"tglKejadian":null},)"
      R"("dpjp":{"kdDPJP":"31574","nmDPJP":"dr. A"},"peserta":{"noKartu":"0000000000123","nama":"X","tglLahir":"1980-01-01",)"
      R"("kelamin":"L","hakKelas":"Kelas 3","jnsPeserta":"PBI","asuransi":null,"noMr":"MR1"},)"
      R"("klsRawat":{"klsRawatHak":"3","klsRawatNaik":null,"pembiayaan":null,"penanggungJawab":null},)"
      R"("kontrol":{"kdDokter":null,"nmDokter":null,"noSurat":null},"cob":"0","katarak":"0",)"
      R"("tujuanKunj":{"kode":"0","nama":"Normal"},"flagProcedure":{"kode":null,"nama":null},)"
      R"("kdPenunjang":{"kode":null,"nama":null},"assestmenPel":{"kode":null,"nama":null},"eSEP":"False"})";
  auto s = b::parse_sep_detail(text);
  ASSERT_TRUE(s) << s.error().text();
  EXPECT_EQ(s->tujuan_kunj.nama.value_or(""), "Normal");
  EXPECT_FALSE(s->assestmen_pel.kode.has_value());
  EXPECT_EQ(b::to_json(*s), text);
}

TEST(BpjsVclaimWire, RujukanSingleAndList) {
  std::string peserta(kPeserta.substr(11, kPeserta.size() - 12));  // the object inside {"peserta":...}
  const std::string one = R"({"diagnosa":{"kode":"A09","nama":"A09 - Diarrhoea"},"keluhan":"diare",)"
                          R"("noKunjungan":"0114A0260326P000001","pelayanan":{"kode":"2","nama":"Rawat Jalan"},)"
                          R"("peserta":)" +
                          peserta +
                          R"(,"poliRujukan":{"kode":"INT","nama":"PENYAKIT DALAM"},)"
                          R"("provPerujuk":{"kode":"0114A026","nama":"PUSKESMAS A"},"tglKunjungan":"2026-03-01"})";
  const std::string single = R"({"rujukan":)" + one + "}";
  auto r = b::parse_rujukan(single);
  ASSERT_TRUE(r) << r.error().text();
  EXPECT_EQ(r->no_kunjungan, "0114A0260326P000001");
  EXPECT_EQ(r->peserta.no_kartu, "0011336526592");
  EXPECT_EQ(b::to_json(*r), single);

  const std::string list = R"({"rujukan":[)" + one + "," + one + "]}";
  auto l = b::parse_rujukan_list(list);
  ASSERT_TRUE(l) << l.error().text();
  ASSERT_EQ(l->size(), 2u);
  EXPECT_EQ(b::to_json(*l), list);

  auto bad = b::parse_rujukan_list(R"({"rujukan":[{"noKunjungan":5}]})");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "rujukan[0].noKunjungan");
}

TEST(BpjsVclaimWire, MonitoringHistoriAndReferensiLists) {
  const std::string_view kunj =
      R"({"sep":[{"diagnosa":"K65.0","jnsPelayanan":"R.Inap","kelasRawat":"2","nama":"HANIF",)"
      R"("noKartu":"0000000000123","noRujukan":"0301U01107180200084","noSep":"0301R0110718V000008",)"
      R"("poli":null,"tglPlgSep":"2017-07-19","tglSep":"2017-07-18"}]})";
  auto k = b::parse_kunjungan_monitoring(kunj);
  ASSERT_TRUE(k) << k.error().text();
  ASSERT_EQ(k->size(), 1u);
  EXPECT_EQ((*k)[0].tgl_plg_sep.value_or(""), "2017-07-19");
  EXPECT_EQ(b::to_json(*k), kunj);

  const std::string_view histori =
      R"({"histori":[{"diagnosa":"A09 - Diarrhoea","jnsPelayanan":"2","kelasRawat":"3","namaPeserta":"X",)"
      R"("noKartu":"0000000000123","noRujukan":"R1","noSep":"S1","poli":"PENYAKIT DALAM",)"
      R"("ppkPelayanan":"RS A","tglPlgSep":null,"tglSep":"2026-01-02"}]})";
  auto h = b::parse_histori_pelayanan(histori);
  ASSERT_TRUE(h) << h.error().text();
  EXPECT_EQ(b::to_json(*h), histori);

  const std::string_view poli = R"({"poli":[{"kode":"INT","nama":"PENYAKIT DALAM"},{"kode":"ANA","nama":"ANAK"}]})";
  auto p = b::parse_referensi(poli, b::referensi_key::poli);
  ASSERT_TRUE(p) << p.error().text();
  ASSERT_EQ(p->size(), 2u);
  EXPECT_EQ((*p)[1].kode, "ANA");
  EXPECT_EQ(b::to_json(*p, b::referensi_key::poli), poli);

  auto wrong_key = b::parse_referensi(poli, b::referensi_key::diagnosa);
  ASSERT_FALSE(wrong_key);
  EXPECT_EQ(wrong_key.error().field, "diagnosa");
  auto null_list = b::parse_referensi(R"({"list":null})", "list");
  ASSERT_TRUE(null_list);
  EXPECT_TRUE(null_list->empty());
}

TEST(BpjsVclaimWire, Dates) {
  using namespace std::chrono;
  const b::Date d{year{2026}, month{3}, day{5}};
  EXPECT_EQ(b::format_ymd(d), "2026-03-05");
  EXPECT_EQ(b::format_dmy(d), "05-03-2026");
  EXPECT_EQ(b::parse_ymd("2026-03-05"), d);
  EXPECT_EQ(b::parse_dmy("05-03-2026"), d);
  EXPECT_FALSE(b::parse_ymd("05-03-2026"));
  EXPECT_FALSE(b::parse_dmy("2026-03-05"));
  EXPECT_FALSE(b::parse_ymd("2026-02-30"));
  EXPECT_FALSE(b::parse_ymd("2026-3-05"));
}
