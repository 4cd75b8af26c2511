// P-Care 4.0 wire models: one describe() per struct, keys in catalogue order.
#include "mappings/bpjs/pcare.hpp"

#include "mappings/bpjs/wire_json.hpp"

namespace simpul::mappings::bpjs {

// ---------------------------------------------------------------- Peserta

template <class V>
void describe(V& v, PcareProvider& s) {
  v("kdProvider", s.kd_provider);
  v("nmProvider", s.nm_provider);
}

template <class V>
void describe(V& v, PcareNamaKode& s) {
  v("nama", s.nama);
  v("kode", s.kode);
}

template <class V>
void describe(V& v, PcareAsuransi& s) {
  v("kdAsuransi", s.kd_asuransi);
  v("nmAsuransi", s.nm_asuransi);
  v("noAsuransi", s.no_asuransi);
  v("cob", s.cob);
}

template <class V>
void describe(V& v, PesertaPcare& s) {
  v.required("noKartu", s.no_kartu);
  v("nama", s.nama);
  v("hubunganKeluarga", s.hubungan_keluarga);
  v("sex", s.sex);
  v("tglLahir", s.tgl_lahir);
  v("tglMulaiAktif", s.tgl_mulai_aktif);
  v("tglAkhirBerlaku", s.tgl_akhir_berlaku);
  v("kdProviderPst", s.kd_provider_pst);
  v("kdProviderGigi", s.kd_provider_gigi);
  v("jnsKelas", s.jns_kelas);
  v("jnsPeserta", s.jns_peserta);
  v("golDarah", s.gol_darah);
  v("noHP", s.no_hp);
  v("noKTP", s.no_ktp);
  v("pstProl", s.pst_prol);
  v("pstPrb", s.pst_prb);
  v("aktif", s.aktif);
  v("ketAktif", s.ket_aktif);
  v("asuransi", s.asuransi);
  v("tunggakan", s.tunggakan);
}

SIMPUL_BPJS_WIRE_MESSAGE(PesertaPcare, parse_peserta_pcare)

// ---------------------------------------------------------------- Pendaftaran

template <class V>
void describe_vitals(V& v, PcareVitals& s) {
  v("sistole", s.sistole);
  v("diastole", s.diastole);
  v("beratBadan", s.berat_badan);
  v("tinggiBadan", s.tinggi_badan);
  v("respRate", s.resp_rate);
  v("heartRate", s.heart_rate);
}

template <class V>
void describe(V& v, PendaftaranRequest& s) {
  v("kdProviderPeserta", s.kd_provider_peserta);
  v("tglDaftar", s.tgl_daftar);
  v.required("noKartu", s.no_kartu);
  v("kdPoli", s.kd_poli);
  v("keluhan", s.keluhan);
  v("kunjSakit", s.kunj_sakit);
  describe_vitals(v, s);
  v.omittable("lingkarPerut", s.lingkar_perut);
  v("rujukBalik", s.rujuk_balik);
  v("kdTkp", s.kd_tkp);
}

SIMPUL_BPJS_WIRE_MESSAGE(PendaftaranRequest, parse_pendaftaran_request)

template <class V>
void describe(V& v, PcareCreated& s) {
  v("field", s.field);
  v.required("message", s.message);
}

SIMPUL_BPJS_WIRE_MESSAGE(PendaftaranCreated, parse_pendaftaran_created)

template <class V>
void describe(V& v, PcarePoli& s) {
  v("kdPoli", s.kd_poli);
  v("nmPoli", s.nm_poli);
}

template <class V>
void describe(V& v, PcareTkp& s) {
  v("kdTkp", s.kd_tkp);
  v("nmTkp", s.nm_tkp);
}

template <class V>
void describe(V& v, Pendaftaran& s) {
  v.required("noUrut", s.no_urut);
  v("tglDaftar", s.tgl_daftar);
  v("providerPelayanan", s.provider_pelayanan);
  v("peserta", s.peserta);
  v("poli", s.poli);
  v("keluhan", s.keluhan);
  v("kunjSakit", s.kunj_sakit);
  describe_vitals(v, s);
  v("lingkarPerut", s.lingkar_perut);
  v("tkp", s.tkp);
  v("status", s.status);
}

SIMPUL_BPJS_WIRE_MESSAGE(Pendaftaran, parse_pendaftaran)

// ---------------------------------------------------------------- Kunjungan

template <class V>
void describe(V& v, RujukSubSpesialis& s) {
  v("kdSubSpesialis1", s.kd_sub_spesialis1);
  v("kdSarana", s.kd_sarana);
}

template <class V>
void describe(V& v, RujukKhusus& s) {
  v("kdKhusus", s.kd_khusus);
  v("kdSubSpesialis", s.kd_sub_spesialis);
  v("catatan", s.catatan);
}

template <class V>
void describe(V& v, RujukLanjut& s) {
  v("tglEstRujuk", s.tgl_est_rujuk);
  v("kdppk", s.kdppk);
  v("subSpesialis", s.sub_spesialis);
  v("khusus", s.khusus);
}

template <class V>
void describe(V& v, KunjunganRequest& s) {
  v("noKunjungan", s.no_kunjungan);
  v.required("noKartu", s.no_kartu);
  v("tglDaftar", s.tgl_daftar);
  v("kdPoli", s.kd_poli);
  v("keluhan", s.keluhan);
  v("kdSadar", s.kd_sadar);
  describe_vitals(v, s);
  v("lingkarPerut", s.lingkar_perut);
  v("kdStatusPulang", s.kd_status_pulang);
  v("tglPulang", s.tgl_pulang);
  v("kdDokter", s.kd_dokter);
  v("kdDiag1", s.kd_diag1);
  v("kdDiag2", s.kd_diag2);
  v("kdDiag3", s.kd_diag3);
  v("kdPoliRujukInternal", s.kd_poli_rujuk_internal);
  v("rujukLanjut", s.rujuk_lanjut);
  v("kdTacc", s.kd_tacc);
  v("alasanTacc", s.alasan_tacc);
  v("anamnesa", s.anamnesa);
  v("alergiMakan", s.alergi_makan);
  v("alergiUdara", s.alergi_udara);
  v("alergiObat", s.alergi_obat);
  v("kdPrognosa", s.kd_prognosa);
  v("terapiObat", s.terapi_obat);
  v("terapiNonObat", s.terapi_non_obat);
  v("bmhp", s.bmhp);
  v("suhu", s.suhu);
}

SIMPUL_BPJS_WIRE_MESSAGE(KunjunganRequest, parse_kunjungan_request)

SIMPUL_BPJS_WIRE_MESSAGE(KunjunganCreated, parse_kunjungan_created)

template <class V>
void describe(V& v, PcarePesertaRingkas& s) {
  v("noKartu", s.no_kartu);
  v("nama", s.nama);
  v("sex", s.sex);
  v("tglLahir", s.tgl_lahir);
}

template <class V>
void describe(V& v, PcareDiagnosa& s) {
  v("kdDiag", s.kd_diag);
  v("nmDiag", s.nm_diag);
}

template <class V>
void describe(V& v, PcareKesadaran& s) {
  v("kdSadar", s.kd_sadar);
  v("nmSadar", s.nm_sadar);
}

template <class V>
void describe(V& v, PcareDokter& s) {
  v("kdDokter", s.kd_dokter);
  v("nmDokter", s.nm_dokter);
}

template <class V>
void describe(V& v, PcareStatusPulang& s) {
  v("kdStatusPulang", s.kd_status_pulang);
  v("nmStatusPulang", s.nm_status_pulang);
}

template <class V>
void describe(V& v, RiwayatKunjungan& s) {
  v.required("noKunjungan", s.no_kunjungan);
  v("tglKunjungan", s.tgl_kunjungan);
  v("providerPelayanan", s.provider_pelayanan);
  v("peserta", s.peserta);
  v("poli", s.poli);
  v("keluhan", s.keluhan);
  v("diagnosa1", s.diagnosa1);
  v("diagnosa2", s.diagnosa2);
  v("diagnosa3", s.diagnosa3);
  v("kesadaran", s.kesadaran);
  describe_vitals(v, s);
  v("dokter", s.dokter);
  v("statusPulang", s.status_pulang);
  v("tglPulang", s.tgl_pulang);
}

// ---------------------------------------------------------------- Referensi and lists

template <class V>
void describe(V& v, PcarePoliRef& s) {
  v("kdPoli", s.kd_poli);
  v("nmPoli", s.nm_poli);
  v("poliSakit", s.poli_sakit);
}

template <class V>
void describe(V& v, PcareDiagnosaRef& s) {
  v("kdDiag", s.kd_diag);
  v("nmDiag", s.nm_diag);
  v("nonSpesialis", s.non_spesialis);
}

template <class V, class T>
void describe(V& v, PcareList<T>& s) {
  v("count", s.count);
  v("list", s.list);
}

SIMPUL_BPJS_WIRE_MESSAGE(PcareList<RiwayatKunjungan>, parse_riwayat_kunjungan)
SIMPUL_BPJS_WIRE_MESSAGE(PcareList<Pendaftaran>, parse_pendaftaran_list)
SIMPUL_BPJS_WIRE_MESSAGE(PcareList<PcareDokter>, parse_dokter_pcare)
SIMPUL_BPJS_WIRE_MESSAGE(PcareList<PcarePoliRef>, parse_poli_pcare)
SIMPUL_BPJS_WIRE_MESSAGE(PcareList<PcareDiagnosaRef>, parse_diagnosa_pcare)
SIMPUL_BPJS_WIRE_MESSAGE(PcareList<PcareKesadaran>, parse_kesadaran)
SIMPUL_BPJS_WIRE_MESSAGE(PcareList<PcareProvider>, parse_provider_pcare)

}  // namespace simpul::mappings::bpjs
