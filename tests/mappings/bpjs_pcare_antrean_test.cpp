// P-Care and Antrean wire models against the examples of bpjs-api.md §5.2/§5.3:
// dd-MM-yyyy dates, numbers where the catalogue has numbers, null where it sends null.
#include <gtest/gtest.h>

#include "mappings/bpjs/antrean.hpp"
#include "mappings/bpjs/pcare.hpp"
#include "tests/mappings/wire_test_support.hpp"

namespace b = simpul::mappings::bpjs;
using b::test::edited;
using b::test::failing_field;

namespace {

// PC3 pendaftaran example (P-Care catalogue), minified.
constexpr std::string_view kPendaftaran =
    R"({"kdProviderPeserta":"0114A026","tglDaftar":"12-08-2015","noKartu":"0001113569638","kdPoli":"001",)"
    R"("keluhan":null,"kunjSakit":true,"sistole":0,"diastole":0,"beratBadan":0,"tinggiBadan":0,)"
    R"("respRate":0,"heartRate":0,"rujukBalik":0,"kdTkp":"10"})";

// The 4.0 kunjungan/v1 body of the research note (specialist referral form).
constexpr std::string_view kKunjungan =
    R"({"noKunjungan":null,"noKartu":"0000043678034","tglDaftar":"13-08-2018","kdPoli":null,"keluhan":"keluhan",)"
    R"("kdSadar":"01","sistole":0,"diastole":0,"beratBadan":0,"tinggiBadan":0,"respRate":0,"heartRate":0,)"
    R"("lingkarPerut":0,"kdStatusPulang":"4","tglPulang":"19-05-2016","kdDokter":"73229",)"
    R"("kdDiag1":"A01.0","kdDiag2":null,"kdDiag3":null,"kdPoliRujukInternal":null,)"
    R"("rujukLanjut":{"tglEstRujuk":"02-10-2018","kdppk":"0116R028",)"
    R"("subSpesialis":{"kdSubSpesialis1":"3","kdSarana":"4"},"khusus":null},)"
    R"("kdTacc":0,"alasanTacc":null,"anamnesa":"demam tiga hari","alergiMakan":"00","alergiUdara":"00",)"
    R"("alergiObat":"00","kdPrognosa":"01","terapiObat":"paracetamol 3x500","terapiNonObat":"istirahat",)"
    R"("bmhp":"-","suhu":"36,5"})";

// CAT-AN antrean/add example, minified.
constexpr std::string_view kAntreanAdd =
    R"({"kodebooking":"16032021A001","jenispasien":"JKN","nomorkartu":"00012345678","nik":"3212345678987654",)"
    R"("nohp":"085635228888","kodepoli":"ANA","namapoli":"Anak","pasienbaru":0,"norm":"123345",)"
    R"("tanggalperiksa":"2021-01-28","kodedokter":12345,"namadokter":"Dr. Hendra","jampraktek":"08:00-16:00",)"
    R"("jeniskunjungan":1,"nomorreferensi":"0001R0040116A000001","nomorantrean":"A-12","angkaantrean":12,)"
    R"("estimasidilayani":1615869169000,"sisakuotajkn":5,"kuotajkn":30,"sisakuotanonjkn":5,"kuotanonjkn":30,)"
    R"("keterangan":"Peserta harap 30 menit lebih awal guna pencatatan administrasi."})";

}  // namespace

TEST(BpjsPcareWire, PendaftaranCatalogueRoundTripsByteForByte) {
  auto r = b::parse_pendaftaran_request(kPendaftaran);
  ASSERT_TRUE(r) << r.error().text();
  EXPECT_FALSE(r->keluhan.has_value());
  EXPECT_TRUE(r->kunj_sakit);
  EXPECT_EQ(r->kd_tkp, "10");
  EXPECT_FALSE(r->lingkar_perut.has_value());  // left out, as in the catalogue
  EXPECT_EQ(b::to_json(*r), kPendaftaran);

  b::PendaftaranRequest built;
  built.kd_provider_peserta = "0114A026";
  built.tgl_daftar = b::format_dmy(b::Date{std::chrono::year{2015}, std::chrono::month{8}, std::chrono::day{12}});
  built.no_kartu = "0001113569638";
  built.kd_poli = "001";
  built.kunj_sakit = true;
  built.kd_tkp = "10";
  EXPECT_EQ(b::to_json(built), kPendaftaran);

  built.lingkar_perut = 80;
  built.berat_badan = 55.5;
  const std::string with = b::to_json(built);
  EXPECT_NE(with.find(R"("heartRate":0,"lingkarPerut":80,"rujukBalik":0)"), std::string::npos) << with;
  EXPECT_NE(with.find(R"("beratBadan":55.5,)"), std::string::npos) << with;
}

TEST(BpjsPcareWire, PendaftaranTypesAreStrict) {
  EXPECT_EQ(
      failing_field(b::parse_pendaftaran_request, edited(kPendaftaran, R"("kunjSakit":true)", R"("kunjSakit":"true")")),
      "kunjSakit");
  EXPECT_EQ(failing_field(b::parse_pendaftaran_request, edited(kPendaftaran, R"("sistole":0)", R"("sistole":"120")")),
            "sistole");
}

TEST(BpjsPcareWire, CreatedResponses) {
  auto c = b::parse_pendaftaran_created(R"({"field":"noUrut","message":"A1"})");
  ASSERT_TRUE(c) << c.error().text();
  EXPECT_EQ(c->no_urut(), "A1");
  EXPECT_EQ(b::to_json(*c), R"({"field":"noUrut","message":"A1"})");

  auto k = b::parse_kunjungan_created(R"({"field":"noKunjungan","message":"0114A0260818Y000001"})");
  ASSERT_TRUE(k);
  EXPECT_EQ(k->no_kunjungan(), "0114A0260818Y000001");

  EXPECT_FALSE(b::parse_kunjungan_created(R"({"field":"noKunjungan"})"));
  EXPECT_FALSE(b::parse_kunjungan_created("null"));
}

TEST(BpjsPcareWire, KunjunganSpecialistReferralRoundTrips) {
  auto k = b::parse_kunjungan_request(kKunjungan);
  ASSERT_TRUE(k) << k.error().text();
  EXPECT_FALSE(k->no_kunjungan.has_value());
  ASSERT_TRUE(k->rujuk_lanjut.has_value());
  ASSERT_TRUE(k->rujuk_lanjut->sub_spesialis.has_value());
  EXPECT_EQ(k->rujuk_lanjut->sub_spesialis->kd_sarana, "4");
  EXPECT_FALSE(k->rujuk_lanjut->khusus.has_value());
  EXPECT_EQ(k->suhu, "36,5");
  EXPECT_EQ(b::to_json(*k), kKunjungan);
}

TEST(BpjsPcareWire, KunjunganKhususAndNoReferralVariants) {
  auto k = b::parse_kunjungan_request(kKunjungan);
  ASSERT_TRUE(k);
  k->rujuk_lanjut->sub_spesialis.reset();
  k->rujuk_lanjut->khusus = b::RujukKhusus{"HDL", std::nullopt, "hemodialisa rutin"};
  const std::string khusus = b::to_json(*k);
  EXPECT_NE(khusus.find(R"("rujukLanjut":{"tglEstRujuk":"02-10-2018","kdppk":"0116R028","subSpesialis":null,)"
                        R"("khusus":{"kdKhusus":"HDL","kdSubSpesialis":null,"catatan":"hemodialisa rutin"}},)"),
            std::string::npos)
      << khusus;
  auto back = b::parse_kunjungan_request(khusus);
  ASSERT_TRUE(back);
  ASSERT_TRUE(back->rujuk_lanjut && back->rujuk_lanjut->khusus);
  EXPECT_EQ(back->rujuk_lanjut->khusus->kd_khusus, "HDL");

  k->rujuk_lanjut.reset();
  k->no_kunjungan = "0114A0260818Y000001";  // PUT carries the number
  const std::string none = b::to_json(*k);
  EXPECT_NE(none.find(R"("kdPoliRujukInternal":null,"rujukLanjut":null,"kdTacc":0)"), std::string::npos) << none;
  EXPECT_EQ(none.rfind(R"({"noKunjungan":"0114A0260818Y000001",)", 0), 0u);
}

TEST(BpjsPcareWire, PesertaAndListsAsTheSimulatorAndCatalogueSendThem) {
  const std::string_view peserta =
      R"({"noKartu":"0001113569638","nama":"SITI","hubunganKeluarga":"SUAMI","sex":"P","tglLahir":"01-02-1980",)"
      R"("tglMulaiAktif":"01-01-2014","tglAkhirBerlaku":"01-01-2030",)"
      R"("kdProviderPst":{"kdProvider":"0114A026","nmProvider":"PUSKESMAS A"},)"
      R"("kdProviderGigi":{"kdProvider":null,"nmProvider":null},"jnsKelas":{"nama":"KELAS III","kode":"3"},)"
      R"~("jnsPeserta":{"nama":"PBI (APBN)","kode":"21"},"golDarah":"-","noHP":"0811","noKTP":"9900000000000001",)~"
      R"("pstProl":"","pstPrb":"","aktif":true,"ketAktif":"AKTIF",)"
      R"("asuransi":{"kdAsuransi":null,"nmAsuransi":null,"noAsuransi":null,"cob":false},"tunggakan":0})";
  auto p = b::parse_peserta_pcare(peserta);
  ASSERT_TRUE(p) << p.error().text();
  EXPECT_TRUE(p->aktif);
  EXPECT_EQ(p->kd_provider_pst.kd_provider.value_or(""), "0114A026");
  EXPECT_FALSE(p->kd_provider_gigi.kd_provider.has_value());
  EXPECT_EQ(b::to_json(*p), peserta);

  const std::string_view poli =
      R"({"count":2,"list":[{"kdPoli":"001","nmPoli":"UMUM","poliSakit":true},{"kdPoli":"021","nmPoli":"KB","poliSakit":false}]})";
  auto pl = b::parse_poli_pcare(poli);
  ASSERT_TRUE(pl) << pl.error().text();
  EXPECT_EQ(pl->count, 2);
  ASSERT_EQ(pl->list.size(), 2u);
  EXPECT_FALSE(pl->list[1].poli_sakit);
  EXPECT_EQ(b::to_json(*pl), poli);

  auto bad_count = b::parse_poli_pcare(R"({"count":"2","list":[]})");
  ASSERT_FALSE(bad_count);
  EXPECT_EQ(bad_count.error().field, "count");

  const std::string_view riwayat =
      R"({"count":1,"list":[{"noKunjungan":"K1","tglKunjungan":"13-08-2018",)"
      R"("providerPelayanan":{"kdProvider":"0114A026","nmProvider":"PUSKESMAS A"},)"
      R"("peserta":{"noKartu":"0001113569638","nama":"SITI","sex":"P","tglLahir":"01-02-1980"},)"
      R"("poli":null,"keluhan":null,"diagnosa1":{"kdDiag":"A09","nmDiag":"Diarrhoea"},"diagnosa2":null,)"
      R"("diagnosa3":null,"kesadaran":{"kdSadar":"01","nmSadar":"Compos mentis"},"sistole":120,"diastole":80,)"
      R"("beratBadan":55.5,"tinggiBadan":160,"respRate":20,"heartRate":80,)"
      R"("dokter":{"kdDokter":"73229","nmDokter":"dr. B"},"statusPulang":{"kdStatusPulang":"3","nmStatusPulang":null},)"
      R"("tglPulang":"13-08-2018"}]})";
  auto rw = b::parse_riwayat_kunjungan(riwayat);
  ASSERT_TRUE(rw) << rw.error().text();
  ASSERT_EQ(rw->list.size(), 1u);
  EXPECT_EQ(rw->list[0].berat_badan, 55.5);
  EXPECT_EQ(rw->list[0].sistole, 120);
  EXPECT_EQ(b::to_json(*rw), riwayat);
}

TEST(BpjsAntreanWire, AddCatalogueRoundTripsWithNumbers) {
  auto a = b::parse_antrean_add(kAntreanAdd);
  ASSERT_TRUE(a) << a.error().text();
  EXPECT_EQ(a->kodedokter, 12345);
  EXPECT_EQ(a->estimasidilayani, 1615869169000);  // milliseconds
  EXPECT_EQ(a->jeniskunjungan, 1);
  EXPECT_EQ(b::to_json(*a), kAntreanAdd);

  EXPECT_EQ(
      failing_field(b::parse_antrean_add, edited(kAntreanAdd, R"("kodedokter":12345)", R"("kodedokter":"12345")")),
      "kodedokter");
}

TEST(BpjsAntreanWire, BatalAndReferences) {
  const std::string batal = b::to_json(b::AntreanBatal{"16032021A001", "Terjadi perubahan jadwal dokter"});
  EXPECT_EQ(batal, R"({"kodebooking":"16032021A001","keterangan":"Terjadi perubahan jadwal dokter"})");
  ASSERT_TRUE(b::parse_antrean_batal(batal));

  const std::string_view poli =
      R"({"list":[{"nmpoli":"Anak","nmsubspesialis":"Anak","kdsubspesialis":"ANA","kdpoli":"ANA"}]})";
  auto p = b::parse_antrean_poli(poli);
  ASSERT_TRUE(p) << p.error().text();
  EXPECT_EQ((*p)[0].kdsubspesialis, "ANA");
  EXPECT_EQ(b::to_json(*p), poli);
  auto bare =
      b::parse_antrean_poli(R"([{"nmpoli":"Anak","nmsubspesialis":"Anak","kdsubspesialis":"ANA","kdpoli":"ANA"}])");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->size(), 1u);

  const std::string_view dokter = R"({"list":[{"namadokter":"Dr. Hendra","kodedokter":12345}]})";
  auto d = b::parse_antrean_dokter(dokter);
  ASSERT_TRUE(d);
  EXPECT_EQ((*d)[0].kodedokter, 12345);
  EXPECT_EQ(b::to_json(*d), dokter);
  EXPECT_FALSE(b::parse_antrean_dokter(R"({"list":[{"namadokter":"X","kodedokter":"12"}]})"));

  using namespace std::chrono;
  EXPECT_EQ(b::unix_millis(system_clock::time_point{seconds{1615869169}}), 1615869169000);
}
