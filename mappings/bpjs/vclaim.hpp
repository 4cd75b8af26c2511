#pragma once
// V-Claim 2.0 wire models (bpjs-api.md §5.1, §5.6). Field names follow BPJS's
// own JSON keys in snake_case; every code is a JSON string on the wire
// ("jnsPelayanan":"1"), as the catalogue shows. Member order = catalogue key
// order, so to_json() reproduces the catalogue examples byte for byte.
//
// Requests serialise with their wrapper ({"request":{"t_sep":{...}}}); responses
// are the decrypted `response` value ({"peserta":{...}}, {"sep":{...}}, ...).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mappings/bpjs/wire.hpp"

namespace simpul::mappings::bpjs {

// {"kode","nama"}: every V-Claim reference list item, and many nested codes.
struct ReferensiItem {
  std::string kode;
  std::string nama;
};

// {"keterangan","kode"}, in the order the Peserta response sends them.
struct KodeKeterangan {
  std::string keterangan;
  std::string kode;
};

// ---------------------------------------------------------------- Peserta (participant)

struct PesertaCob {  // coordination of benefits (other insurer)
  std::optional<std::string> nm_asuransi;
  std::optional<std::string> no_asuransi;
  std::optional<std::string> tgl_tat;
  std::optional<std::string> tgl_tmt;
};

struct PesertaInformasi {
  std::optional<std::string> dinsos;        // dinas sosial (social services) note
  std::optional<std::string> e_sep;         // "True"/"False"; newer responses only (left out when absent)
  std::optional<std::string> no_sktm;       // surat keterangan tidak mampu (certificate of poverty)
  std::optional<std::string> prolanis_prb;  // chronic-disease / referral-back programme
};

struct PesertaMr {  // medical record
  std::optional<std::string> no_mr;
  std::optional<std::string> no_telepon;
};

struct ProviderUmum {  // the participant's registered FKTP
  std::string kd_provider;
  std::string nm_provider;
};

struct Umur {                       // age
  std::string umur_saat_pelayanan;  // at the service date
  std::string umur_sekarang;        // today
};

struct Peserta {
  PesertaCob cob;
  KodeKeterangan hak_kelas;  // entitled class: kode "1".."3"
  PesertaInformasi informasi;
  KodeKeterangan jenis_peserta;  // member type
  PesertaMr mr;
  std::string nama;
  std::string nik;
  std::string no_kartu;  // required
  std::string pisa;      // family relationship code
  ProviderUmum prov_umum;
  std::string sex;                // "L" / "P"
  KodeKeterangan status_peserta;  // kode "0" = AKTIF
  std::string tgl_cetak_kartu;
  std::string tgl_lahir;
  std::string tgl_tat;  // end of membership
  std::string tgl_tmt;  // start of membership
  Umur umur;

  bool aktif() const { return status_peserta.kode == "0"; }
};

// Response of GET Peserta/nokartu/... and Peserta/nik/...: {"peserta":{...}}.
std::string to_json(const Peserta& peserta);
WireResult<Peserta> parse_peserta(std::string_view json);

// ---------------------------------------------------------------- SEP (Surat Eligibilitas Peserta: eligibility letter)

struct KelasRawat {              // room class
  std::string kls_rawat_hak;     // entitled class 1..3
  std::string kls_rawat_naik;    // upgrade 1..8, "" when none
  std::string pembiayaan;        // who pays the upgrade 1..3, "" when none
  std::string penanggung_jawab;  // name of that payer, "" when none
};

struct SepRujukan {          // the referral the SEP is based on
  std::string asal_rujukan;  // 1 Faskes 1, 2 Faskes 2
  std::string tgl_rujukan;
  std::string no_rujukan;
  std::string ppk_rujukan;  // referring facility code
};

struct SepPoli {
  std::string tujuan;     // destination poli code ("" for inpatient)
  std::string eksekutif;  // "0"/"1"
};

struct SepCob {
  std::string cob;  // "0"/"1"
};

struct SepKatarak {     // cataract
  std::string katarak;  // "0"/"1"
};

struct LokasiLaka {  // accident location
  std::string kd_propinsi;
  std::string kd_kabupaten;
  std::string kd_kecamatan;
};

struct Suplesi {        // supplementary claim against an earlier accident SEP
  std::string suplesi;  // "0"/"1"
  std::string no_sep_suplesi;
  LokasiLaka lokasi_laka;
};

struct Penjamin {  // guarantor details for an accident
  std::string tgl_kejadian;
  std::string keterangan;
  Suplesi suplesi;
};

struct Jaminan {            // guarantee
  std::string laka_lantas;  // 0 BKLL, 1 KLL, 2 KLL+KK, 3 KK
  std::string no_lp;        // police report number
  Penjamin penjamin;
};

struct Skdp {  // surat kontrol / SPRI (control or inpatient order letter)
  std::string no_surat;
  std::string kode_dpjp;
};

// POST SEP/2.0/insert: {"request":{"t_sep":{...}}}, every field of the catalogue example.
struct SepRequest {
  std::string no_kartu;
  std::string tgl_sep;
  std::string ppk_pelayanan;  // the issuing facility
  std::string jns_pelayanan;  // 1 Rawat Inap (inpatient), 2 Rawat Jalan (outpatient)
  KelasRawat kls_rawat;
  std::string no_mr;
  SepRujukan rujukan;
  std::string catatan;
  std::string diag_awal;  // initial ICD-10 diagnosis
  SepPoli poli;
  SepCob cob;
  SepKatarak katarak;
  Jaminan jaminan;
  std::string tujuan_kunj;     // visit purpose: 0 Normal, 1 Prosedur, 2 Konsul Dokter
  std::string flag_procedure;  // "" when tujuan_kunj = 0
  std::string kd_penunjang;    // supporting service, "" when tujuan_kunj = 0
  std::string assesment_pel;   // service assessment (request spelling)
  Skdp skdp;
  std::string dpjp_layan;  // treating doctor (DPJP); "" for inpatient
  std::string no_telp;
  std::string user;
};

std::string to_json(const SepRequest& request);
WireResult<SepRequest> parse_sep_request(std::string_view json);

struct SepUpdateJaminan {  // the update's jaminan has no noLP
  std::string laka_lantas;
  Penjamin penjamin;
};

// PUT SEP/2.0/update: no rujukan, tujuanKunj or skdp.
struct SepUpdateRequest {
  std::string no_sep;
  KelasRawat kls_rawat;
  std::string no_mr;
  std::string catatan;
  std::string diag_awal;
  SepPoli poli;
  SepCob cob;
  SepKatarak katarak;
  SepUpdateJaminan jaminan;
  std::string dpjp_layan;
  std::string no_telp;
  std::string user;
};

std::string to_json(const SepUpdateRequest& request);
WireResult<SepUpdateRequest> parse_sep_update_request(std::string_view json);

// DELETE SEP/2.0/delete (a DELETE with a JSON body).
struct SepDeleteRequest {
  std::string no_sep;
  std::string user;
};

std::string to_json(const SepDeleteRequest& request);
WireResult<SepDeleteRequest> parse_sep_delete_request(std::string_view json);

struct SepPeserta {  // participant summary inside the insert response
  std::string asuransi;
  std::string hak_kelas;
  std::string jns_peserta;
  std::string kelamin;
  std::string nama;
  std::string no_kartu;
  std::string no_mr;
  std::string tgl_lahir;
};

// Response of SEP/2.0/insert: {"sep":{...}}. Note the response spells
// `assestmenPel` where the request spells `assesmentPel` (both are BPJS's).
struct Sep {
  std::string assestmen_pel;
  std::string catatan;
  std::string diagnosa;  // "A15 - Respiratory tuberculosis, ..."
  std::string flag_procedure;
  PesertaInformasi informasi;
  std::string jns_pelayanan;  // "R.Jalan" / "R.Inap"
  std::string kd_penunjang;
  std::string kd_poli;
  std::string kelas_rawat;
  std::string no_rujukan;
  std::string no_sep;  // required
  std::string penjamin;
  SepPeserta peserta;
  std::string poli;
  std::string poli_eksekutif;  // "Ya" / "Tidak"
  std::string tgl_sep;
  std::string tujuan_kunj;
};

std::string to_json(const Sep& sep);
WireResult<Sep> parse_sep(std::string_view json);

// {"kode","nama"} where either may be null (SEP detail sub-objects).
struct KodeNamaOpsional {
  std::optional<std::string> kode;
  std::optional<std::string> nama;
};

struct LokasiKejadian {  // accident location as the SEP detail reports it
  std::optional<std::string> kd_kab;
  std::optional<std::string> kd_kec;
  std::optional<std::string> kd_prop;
  std::optional<std::string> ket_kejadian;
  std::optional<std::string> lokasi;
  std::optional<std::string> tgl_kejadian;
};

struct Dpjp {  // doctor in charge
  std::string kd_dpjp;
  std::string nm_dpjp;
};

struct SepDetailPeserta {
  std::string no_kartu;
  std::string nama;
  std::string tgl_lahir;
  std::string kelamin;
  std::string hak_kelas;
  std::string jns_peserta;
  std::optional<std::string> asuransi;
  std::string no_mr;
};

struct SepDetailKelasRawat {
  std::string kls_rawat_hak;
  std::optional<std::string> kls_rawat_naik;
  std::optional<std::string> pembiayaan;
  std::optional<std::string> penanggung_jawab;
};

struct Kontrol {  // the surat kontrol the SEP used
  std::optional<std::string> kd_dokter;
  std::optional<std::string> nm_dokter;
  std::optional<std::string> no_surat;
};

// Response of GET SEP/{noSep}: the SEP detail (unwrapped), with coded fields as {kode,nama}.
struct SepDetail {
  std::string no_sep;  // required
  std::string tgl_sep;
  std::string jns_pelayanan;  // "Rawat Jalan" / "Rawat Inap"
  std::string kelas_rawat;
  std::string diagnosa;
  std::string no_rujukan;
  std::string poli;
  std::string poli_eksekutif;
  std::string catatan;
  std::optional<std::string> penjamin;
  std::string kd_status_kecelakaan;
  std::string nm_status_kecelakaan;
  LokasiKejadian lokasi_kejadian;
  Dpjp dpjp;
  SepDetailPeserta peserta;
  SepDetailKelasRawat kls_rawat;
  Kontrol kontrol;
  std::string cob;
  std::string katarak;
  KodeNamaOpsional tujuan_kunj;
  KodeNamaOpsional flag_procedure;
  KodeNamaOpsional kd_penunjang;
  KodeNamaOpsional assestmen_pel;
  std::string e_sep;
};

std::string to_json(const SepDetail& sep);
WireResult<SepDetail> parse_sep_detail(std::string_view json);

// ---------------------------------------------------------------- Rujukan (referral)

struct Rujukan {
  ReferensiItem diagnosa;
  std::string keluhan;       // complaint
  std::string no_kunjungan;  // the referral number; required
  ReferensiItem pelayanan;   // kode "1" inpatient / "2" outpatient
  Peserta peserta;
  ReferensiItem poli_rujukan;
  ReferensiItem prov_perujuk;  // referring facility
  std::string tgl_kunjungan;
};

// One referral: {"rujukan":{...}} (Rujukan/{no}, Rujukan/Peserta/{noKartu}, RS variants).
std::string to_json(const Rujukan& rujukan);
WireResult<Rujukan> parse_rujukan(std::string_view json);
// Several: {"rujukan":[...]} (Rujukan/List/Peserta/{noKartu}, RS variant).
std::string to_json(const std::vector<Rujukan>& list);
WireResult<std::vector<Rujukan>> parse_rujukan_list(std::string_view json);

// ---------------------------------------------------------------- Monitoring, histori

// One SEP of Monitoring/Kunjungan (visit monitoring): {"sep":[...]}.
struct KunjunganMonitoring {
  std::string diagnosa;
  std::string jns_pelayanan;
  std::string kelas_rawat;
  std::string nama;
  std::string no_kartu;
  std::string no_rujukan;
  std::string no_sep;
  std::optional<std::string> poli;
  std::optional<std::string> tgl_plg_sep;  // discharge date, null while admitted
  std::string tgl_sep;
};

std::string to_json(const std::vector<KunjunganMonitoring>& list);
WireResult<std::vector<KunjunganMonitoring>> parse_kunjungan_monitoring(std::string_view json);

// One entry of monitoring/HistoriPelayanan (service history of a card): {"histori":[...]}.
struct HistoriPelayanan {
  std::string diagnosa;
  std::string jns_pelayanan;
  std::string kelas_rawat;
  std::string nama_peserta;
  std::string no_kartu;
  std::string no_rujukan;
  std::string no_sep;
  std::optional<std::string> poli;
  std::string ppk_pelayanan;
  std::optional<std::string> tgl_plg_sep;
  std::string tgl_sep;
};

std::string to_json(const std::vector<HistoriPelayanan>& list);
WireResult<std::vector<HistoriPelayanan>> parse_histori_pelayanan(std::string_view json);

// ---------------------------------------------------------------- Referensi (reference data)

// The list key of each reference endpoint's response ({"<key>":[{kode,nama}]}).
namespace referensi_key {
inline constexpr std::string_view diagnosa = "diagnosa";
inline constexpr std::string_view poli = "poli";
inline constexpr std::string_view faskes = "faskes";
inline constexpr std::string_view dokter = "list";    // referensi/dokter/pelayanan/...
inline constexpr std::string_view propinsi = "list";  // referensi/propinsi (BPJS spelling)
inline constexpr std::string_view kabupaten = "list";
}  // namespace referensi_key

std::string to_json(const std::vector<ReferensiItem>& list, std::string_view key);
WireResult<std::vector<ReferensiItem>> parse_referensi(std::string_view json, std::string_view key);

}  // namespace simpul::mappings::bpjs
