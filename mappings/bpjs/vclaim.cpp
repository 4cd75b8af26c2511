// V-Claim 2.0 wire models: one describe() per struct, keys in catalogue order.
#include "mappings/bpjs/vclaim.hpp"

#include "mappings/bpjs/wire_json.hpp"

namespace simpul::mappings::bpjs {

template <class V>
void describe(V& v, ReferensiItem& s) {
  v("kode", s.kode);
  v("nama", s.nama);
}

template <class V>
void describe(V& v, KodeKeterangan& s) {
  v("keterangan", s.keterangan);
  v("kode", s.kode);
}

// ---------------------------------------------------------------- Peserta

template <class V>
void describe(V& v, PesertaCob& s) {
  v("nmAsuransi", s.nm_asuransi);
  v("noAsuransi", s.no_asuransi);
  v("tglTAT", s.tgl_tat);
  v("tglTMT", s.tgl_tmt);
}

template <class V>
void describe(V& v, PesertaInformasi& s) {
  v("dinsos", s.dinsos);
  v.omittable("eSEP", s.e_sep);
  v("noSKTM", s.no_sktm);
  v("prolanisPRB", s.prolanis_prb);
}

template <class V>
void describe(V& v, PesertaMr& s) {
  v("noMR", s.no_mr);
  v("noTelepon", s.no_telepon);
}

template <class V>
void describe(V& v, ProviderUmum& s) {
  v("kdProvider", s.kd_provider);
  v("nmProvider", s.nm_provider);
}

template <class V>
void describe(V& v, Umur& s) {
  v("umurSaatPelayanan", s.umur_saat_pelayanan);
  v("umurSekarang", s.umur_sekarang);
}

template <class V>
void describe(V& v, Peserta& s) {
  v("cob", s.cob);
  v("hakKelas", s.hak_kelas);
  v("informasi", s.informasi);
  v("jenisPeserta", s.jenis_peserta);
  v("mr", s.mr);
  v("nama", s.nama);
  v("nik", s.nik);
  v.required("noKartu", s.no_kartu);
  v("pisa", s.pisa);
  v("provUmum", s.prov_umum);
  v("sex", s.sex);
  v("statusPeserta", s.status_peserta);
  v("tglCetakKartu", s.tgl_cetak_kartu);
  v("tglLahir", s.tgl_lahir);
  v("tglTAT", s.tgl_tat);
  v("tglTMT", s.tgl_tmt);
  v("umur", s.umur);
}

SIMPUL_BPJS_WIRE_MESSAGE(Peserta, parse_peserta, "peserta")

// ---------------------------------------------------------------- SEP requests

template <class V>
void describe(V& v, KelasRawat& s) {
  v("klsRawatHak", s.kls_rawat_hak);
  v("klsRawatNaik", s.kls_rawat_naik);
  v("pembiayaan", s.pembiayaan);
  v("penanggungJawab", s.penanggung_jawab);
}

template <class V>
void describe(V& v, SepRujukan& s) {
  v("asalRujukan", s.asal_rujukan);
  v("tglRujukan", s.tgl_rujukan);
  v("noRujukan", s.no_rujukan);
  v("ppkRujukan", s.ppk_rujukan);
}

template <class V>
void describe(V& v, SepPoli& s) {
  v("tujuan", s.tujuan);
  v("eksekutif", s.eksekutif);
}

template <class V>
void describe(V& v, SepCob& s) {
  v("cob", s.cob);
}

template <class V>
void describe(V& v, SepKatarak& s) {
  v("katarak", s.katarak);
}

template <class V>
void describe(V& v, LokasiLaka& s) {
  v("kdPropinsi", s.kd_propinsi);
  v("kdKabupaten", s.kd_kabupaten);
  v("kdKecamatan", s.kd_kecamatan);
}

template <class V>
void describe(V& v, Suplesi& s) {
  v("suplesi", s.suplesi);
  v("noSepSuplesi", s.no_sep_suplesi);
  v("lokasiLaka", s.lokasi_laka);
}

template <class V>
void describe(V& v, Penjamin& s) {
  v("tglKejadian", s.tgl_kejadian);
  v("keterangan", s.keterangan);
  v("suplesi", s.suplesi);
}

template <class V>
void describe(V& v, Jaminan& s) {
  v("lakaLantas", s.laka_lantas);
  v("noLP", s.no_lp);
  v("penjamin", s.penjamin);
}

template <class V>
void describe(V& v, Skdp& s) {
  v("noSurat", s.no_surat);
  v("kodeDPJP", s.kode_dpjp);
}

template <class V>
void describe(V& v, SepRequest& s) {
  v.required("noKartu", s.no_kartu);
  v("tglSep", s.tgl_sep);
  v("ppkPelayanan", s.ppk_pelayanan);
  v("jnsPelayanan", s.jns_pelayanan);
  v("klsRawat", s.kls_rawat);
  v("noMR", s.no_mr);
  v("rujukan", s.rujukan);
  v("catatan", s.catatan);
  v("diagAwal", s.diag_awal);
  v("poli", s.poli);
  v("cob", s.cob);
  v("katarak", s.katarak);
  v("jaminan", s.jaminan);
  v("tujuanKunj", s.tujuan_kunj);
  v("flagProcedure", s.flag_procedure);
  v("kdPenunjang", s.kd_penunjang);
  v("assesmentPel", s.assesment_pel);
  v("skdp", s.skdp);
  v("dpjpLayan", s.dpjp_layan);
  v("noTelp", s.no_telp);
  v("user", s.user);
}

SIMPUL_BPJS_WIRE_MESSAGE(SepRequest, parse_sep_request, "request", "t_sep")

template <class V>
void describe(V& v, SepUpdateJaminan& s) {
  v("lakaLantas", s.laka_lantas);
  v("penjamin", s.penjamin);
}

template <class V>
void describe(V& v, SepUpdateRequest& s) {
  v.required("noSep", s.no_sep);
  v("klsRawat", s.kls_rawat);
  v("noMR", s.no_mr);
  v("catatan", s.catatan);
  v("diagAwal", s.diag_awal);
  v("poli", s.poli);
  v("cob", s.cob);
  v("katarak", s.katarak);
  v("jaminan", s.jaminan);
  v("dpjpLayan", s.dpjp_layan);
  v("noTelp", s.no_telp);
  v("user", s.user);
}

SIMPUL_BPJS_WIRE_MESSAGE(SepUpdateRequest, parse_sep_update_request, "request", "t_sep")

template <class V>
void describe(V& v, SepDeleteRequest& s) {
  v.required("noSep", s.no_sep);
  v("user", s.user);
}

SIMPUL_BPJS_WIRE_MESSAGE(SepDeleteRequest, parse_sep_delete_request, "request", "t_sep")

// ---------------------------------------------------------------- SEP responses

template <class V>
void describe(V& v, SepPeserta& s) {
  v("asuransi", s.asuransi);
  v("hakKelas", s.hak_kelas);
  v("jnsPeserta", s.jns_peserta);
  v("kelamin", s.kelamin);
  v("nama", s.nama);
  v("noKartu", s.no_kartu);
  v("noMr", s.no_mr);
  v("tglLahir", s.tgl_lahir);
}

template <class V>
void describe(V& v, Sep& s) {
  v("assestmenPel", s.assestmen_pel);
  v("catatan", s.catatan);
  v("diagnosa", s.diagnosa);
  v("flagProcedure", s.flag_procedure);
  v("informasi", s.informasi);
  v("jnsPelayanan", s.jns_pelayanan);
  v("kdPenunjang", s.kd_penunjang);
  v("kdPoli", s.kd_poli);
  v("kelasRawat", s.kelas_rawat);
  v("noRujukan", s.no_rujukan);
  v.required("noSep", s.no_sep);
  v("penjamin", s.penjamin);
  v("peserta", s.peserta);
  v("poli", s.poli);
  v("poliEksekutif", s.poli_eksekutif);
  v("tglSep", s.tgl_sep);
  v("tujuanKunj", s.tujuan_kunj);
}

SIMPUL_BPJS_WIRE_MESSAGE(Sep, parse_sep, "sep")

template <class V>
void describe(V& v, KodeNamaOpsional& s) {
  v("kode", s.kode);
  v("nama", s.nama);
}

template <class V>
void describe(V& v, LokasiKejadian& s) {
  v("kdKab", s.kd_kab);
  v("kdKec", s.kd_kec);
  v("kdProp", s.kd_prop);
  v("ketKejadian", s.ket_kejadian);
  v("lokasi", s.lokasi);
  v("tglKejadian", s.tgl_kejadian);
}

template <class V>
void describe(V& v, Dpjp& s) {
  v("kdDPJP", s.kd_dpjp);
  v("nmDPJP", s.nm_dpjp);
}

template <class V>
void describe(V& v, SepDetailPeserta& s) {
  v("noKartu", s.no_kartu);
  v("nama", s.nama);
  v("tglLahir", s.tgl_lahir);
  v("kelamin", s.kelamin);
  v("hakKelas", s.hak_kelas);
  v("jnsPeserta", s.jns_peserta);
  v("asuransi", s.asuransi);
  v("noMr", s.no_mr);
}

template <class V>
void describe(V& v, SepDetailKelasRawat& s) {
  v("klsRawatHak", s.kls_rawat_hak);
  v("klsRawatNaik", s.kls_rawat_naik);
  v("pembiayaan", s.pembiayaan);
  v("penanggungJawab", s.penanggung_jawab);
}

template <class V>
void describe(V& v, Kontrol& s) {
  v("kdDokter", s.kd_dokter);
  v("nmDokter", s.nm_dokter);
  v("noSurat", s.no_surat);
}

template <class V>
void describe(V& v, SepDetail& s) {
  v.required("noSep", s.no_sep);
  v("tglSep", s.tgl_sep);
  v("jnsPelayanan", s.jns_pelayanan);
  v("kelasRawat", s.kelas_rawat);
  v("diagnosa", s.diagnosa);
  v("noRujukan", s.no_rujukan);
  v("poli", s.poli);
  v("poliEksekutif", s.poli_eksekutif);
  v("catatan", s.catatan);
  v("penjamin", s.penjamin);
  v("kdStatusKecelakaan", s.kd_status_kecelakaan);
  v("nmstatusKecelakaan", s.nm_status_kecelakaan);
  v("lokasiKejadian", s.lokasi_kejadian);
  v("dpjp", s.dpjp);
  v("peserta", s.peserta);
  v("klsRawat", s.kls_rawat);
  v("kontrol", s.kontrol);
  v("cob", s.cob);
  v("katarak", s.katarak);
  v("tujuanKunj", s.tujuan_kunj);
  v("flagProcedure", s.flag_procedure);
  v("kdPenunjang", s.kd_penunjang);
  v("assestmenPel", s.assestmen_pel);
  v("eSEP", s.e_sep);
}

SIMPUL_BPJS_WIRE_MESSAGE(SepDetail, parse_sep_detail)

// ---------------------------------------------------------------- Rujukan

template <class V>
void describe(V& v, Rujukan& s) {
  v("diagnosa", s.diagnosa);
  v("keluhan", s.keluhan);
  v.required("noKunjungan", s.no_kunjungan);
  v("pelayanan", s.pelayanan);
  v("peserta", s.peserta);
  v("poliRujukan", s.poli_rujukan);
  v("provPerujuk", s.prov_perujuk);
  v("tglKunjungan", s.tgl_kunjungan);
}

SIMPUL_BPJS_WIRE_MESSAGE(Rujukan, parse_rujukan, "rujukan")
SIMPUL_BPJS_WIRE_LIST(Rujukan, parse_rujukan_list, "rujukan")

// ---------------------------------------------------------------- Monitoring, histori

template <class V>
void describe(V& v, KunjunganMonitoring& s) {
  v("diagnosa", s.diagnosa);
  v("jnsPelayanan", s.jns_pelayanan);
  v("kelasRawat", s.kelas_rawat);
  v("nama", s.nama);
  v("noKartu", s.no_kartu);
  v("noRujukan", s.no_rujukan);
  v.required("noSep", s.no_sep);
  v("poli", s.poli);
  v("tglPlgSep", s.tgl_plg_sep);
  v("tglSep", s.tgl_sep);
}

SIMPUL_BPJS_WIRE_LIST(KunjunganMonitoring, parse_kunjungan_monitoring, "sep")

template <class V>
void describe(V& v, HistoriPelayanan& s) {
  v("diagnosa", s.diagnosa);
  v("jnsPelayanan", s.jns_pelayanan);
  v("kelasRawat", s.kelas_rawat);
  v("namaPeserta", s.nama_peserta);
  v("noKartu", s.no_kartu);
  v("noRujukan", s.no_rujukan);
  v.required("noSep", s.no_sep);
  v("poli", s.poli);
  v("ppkPelayanan", s.ppk_pelayanan);
  v("tglPlgSep", s.tgl_plg_sep);
  v("tglSep", s.tgl_sep);
}

SIMPUL_BPJS_WIRE_LIST(HistoriPelayanan, parse_histori_pelayanan, "histori")

// ---------------------------------------------------------------- Referensi

std::string to_json(const std::vector<ReferensiItem>& list, std::string_view key) {
  return io::write_list(list, key);
}
WireResult<std::vector<ReferensiItem>> parse_referensi(std::string_view json, std::string_view key) {
  return io::read_list<ReferensiItem>(json, key);
}

}  // namespace simpul::mappings::bpjs
