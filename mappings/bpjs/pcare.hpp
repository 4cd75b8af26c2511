#pragma once
// P-Care 4.0 wire models (bpjs-api.md §5.2, §5.6). Dates are dd-MM-yyyy; vital
// signs and counters are JSON numbers, flags JSON booleans, codes strings, and
// `null` where the catalogue sends null. Member order = catalogue key order
// (the shared PcareVitals / PcareCreated bases excepted: describe() has the order).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mappings/bpjs/wire.hpp"

namespace simpul::mappings::bpjs {

// ---------------------------------------------------------------- Peserta (participant)

struct PcareProvider {
  std::optional<std::string> kd_provider;
  std::optional<std::string> nm_provider;
};

struct PcareNamaKode {  // {"nama","kode"} in that order
  std::string nama;
  std::string kode;
};

struct PcareAsuransi {
  std::optional<std::string> kd_asuransi;
  std::optional<std::string> nm_asuransi;
  std::optional<std::string> no_asuransi;
  bool cob = false;
};

// GET peserta/{noKartu} and peserta/{nik|noka}/{nomor}: the participant object.
struct PesertaPcare {
  std::string no_kartu;  // required
  std::string nama;
  std::string hubungan_keluarga;  // family relationship
  std::string sex;
  std::string tgl_lahir;
  std::string tgl_mulai_aktif;
  std::string tgl_akhir_berlaku;
  PcareProvider kd_provider_pst;   // registered FKTP (use as kdProviderPeserta)
  PcareProvider kd_provider_gigi;  // registered dentist
  PcareNamaKode jns_kelas;
  PcareNamaKode jns_peserta;
  std::string gol_darah;
  std::string no_hp;
  std::string no_ktp;
  std::string pst_prol;  // Prolanis member
  std::string pst_prb;   // referral-back member
  bool aktif = false;
  std::string ket_aktif;
  PcareAsuransi asuransi;
  std::int64_t tunggakan = 0;  // arrears
};

std::string to_json(const PesertaPcare& peserta);
WireResult<PesertaPcare> parse_peserta_pcare(std::string_view json);

// ---------------------------------------------------------------- Pendaftaran (registration)

// Vital signs: flat keys sistole..heartRate in every registration and visit body
// (the wire order is the describe() order, not the base-class position).
struct PcareVitals {
  std::int64_t sistole = 0;
  std::int64_t diastole = 0;
  double berat_badan = 0;   // kg
  double tinggi_badan = 0;  // cm
  std::int64_t resp_rate = 0;
  std::int64_t heart_rate = 0;
};

// Response of a P-Care create: {"field":"<key name>","message":"<the new key>"}.
struct PcareCreated {
  std::string field;
  std::string message;  // required
};

// POST pendaftaran (the PC3 catalogue example; KHZ/BRG add lingkarPerut, left out when unset).
struct PendaftaranRequest : PcareVitals {
  std::string kd_provider_peserta;  // the participant's registered FKTP
  std::string tgl_daftar;           // dd-MM-yyyy
  std::string no_kartu;
  std::string kd_poli;
  std::optional<std::string> keluhan;   // complaint; null in the catalogue example
  bool kunj_sakit = true;               // true = sick visit, false = healthy visit
  std::optional<double> lingkar_perut;  // waist, cm
  std::int64_t rujuk_balik = 0;         // referral back
  std::string kd_tkp;                   // place of care: 10 RJTP, 20 RITP, 50 Promotif
};

std::string to_json(const PendaftaranRequest& request);
WireResult<PendaftaranRequest> parse_pendaftaran_request(std::string_view json);

// Response of POST pendaftaran: {"field":"noUrut","message":"A1"}.
struct PendaftaranCreated : PcareCreated {
  const std::string& no_urut() const { return message; }  // the queue number
};

std::string to_json(const PendaftaranCreated& created);
WireResult<PendaftaranCreated> parse_pendaftaran_created(std::string_view json);

struct PcarePoli {
  std::string kd_poli;
  std::string nm_poli;
};

struct PcareTkp {
  std::string kd_tkp;
  std::string nm_tkp;
};

// GET pendaftaran/noUrut/{noUrut}/tglDaftar/{d}: one registration.
struct Pendaftaran : PcareVitals {
  std::string no_urut;  // required
  std::string tgl_daftar;
  PcareProvider provider_pelayanan;
  PesertaPcare peserta;
  PcarePoli poli;
  std::optional<std::string> keluhan;
  bool kunj_sakit = false;
  double lingkar_perut = 0;
  PcareTkp tkp;
  std::string status;
};

std::string to_json(const Pendaftaran& pendaftaran);
WireResult<Pendaftaran> parse_pendaftaran(std::string_view json);

// ---------------------------------------------------------------- Kunjungan (visit)

struct RujukSubSpesialis {  // referral to a sub-specialty
  std::string kd_sub_spesialis1;
  std::string kd_sarana;  // facility type
};

struct RujukKhusus {  // special referral (HDL, THA, HEM, ...)
  std::string kd_khusus;
  std::optional<std::string> kd_sub_spesialis;
  std::string catatan;
};

// rujukLanjut (onward referral): exactly one of sub_spesialis / khusus is set.
struct RujukLanjut {
  std::string tgl_est_rujuk;  // dd-MM-yyyy
  std::string kdppk;          // destination hospital
  std::optional<RujukSubSpesialis> sub_spesialis;
  std::optional<RujukKhusus> khusus;
};

// POST / PUT kunjungan/v1 (the 4.0 body). no_kunjungan is null on POST and set on PUT.
struct KunjunganRequest : PcareVitals {
  std::optional<std::string> no_kunjungan;
  std::string no_kartu;
  std::string tgl_daftar;
  std::optional<std::string> kd_poli;
  std::optional<std::string> keluhan;
  std::string kd_sadar;  // consciousness level
  double lingkar_perut = 0;
  std::string kd_status_pulang;  // discharge status: 3 berobat jalan, 4 rujuk lanjut
  std::string tgl_pulang;
  std::string kd_dokter;
  std::string kd_diag1;
  std::optional<std::string> kd_diag2;
  std::optional<std::string> kd_diag3;
  std::optional<std::string> kd_poli_rujuk_internal;
  std::optional<RujukLanjut> rujuk_lanjut;  // null when not referred
  std::int64_t kd_tacc = 0;                 // TACC reason code (-1/0 = none; uncertain which)
  std::optional<std::string> alasan_tacc;
  std::string anamnesa;
  std::string alergi_makan;  // food allergy code, "00" = none
  std::string alergi_udara;  // airborne allergy
  std::string alergi_obat;   // drug allergy
  std::string kd_prognosa;
  std::string terapi_obat;      // drug therapy
  std::string terapi_non_obat;  // non-drug therapy
  std::string bmhp;             // consumable medical supplies
  std::string suhu;             // temperature, text as sent ("36,5")
};

std::string to_json(const KunjunganRequest& request);
WireResult<KunjunganRequest> parse_kunjungan_request(std::string_view json);

// Response of POST/PUT kunjungan/v1: {"field":"noKunjungan","message":"<noKunjungan>"}.
struct KunjunganCreated : PcareCreated {
  const std::string& no_kunjungan() const { return message; }
};

std::string to_json(const KunjunganCreated& created);
WireResult<KunjunganCreated> parse_kunjungan_created(std::string_view json);

struct PcarePesertaRingkas {  // participant summary in the visit history
  std::string no_kartu;
  std::string nama;
  std::string sex;
  std::string tgl_lahir;
};

struct PcareDiagnosa {
  std::string kd_diag;
  std::string nm_diag;
};

struct PcareKesadaran {
  std::string kd_sadar;
  std::string nm_sadar;
};

struct PcareDokter {
  std::string kd_dokter;
  std::string nm_dokter;
};

struct PcareStatusPulang {
  std::string kd_status_pulang;
  std::optional<std::string> nm_status_pulang;
};

// One visit of GET kunjungan/peserta/{noKartu} (riwayat: history).
struct RiwayatKunjungan : PcareVitals {
  std::string no_kunjungan;  // required
  std::string tgl_kunjungan;
  PcareProvider provider_pelayanan;
  PcarePesertaRingkas peserta;
  std::optional<PcarePoli> poli;
  std::optional<std::string> keluhan;
  std::optional<PcareDiagnosa> diagnosa1;
  std::optional<PcareDiagnosa> diagnosa2;
  std::optional<PcareDiagnosa> diagnosa3;
  std::optional<PcareKesadaran> kesadaran;
  std::optional<PcareDokter> dokter;
  PcareStatusPulang status_pulang;
  std::optional<std::string> tgl_pulang;
};

// ---------------------------------------------------------------- Referensi (reference data)

struct PcarePoliRef {
  std::string kd_poli;
  std::string nm_poli;
  bool poli_sakit = false;  // poli for sick visits
};

struct PcareDiagnosaRef {
  std::string kd_diag;
  std::string nm_diag;
  bool non_spesialis = false;  // must be treated at the FKTP
};

// P-Care lists: {"count":N,"list":[...]} (count = total, list = the requested page).
template <class T>
struct PcareList {
  std::int64_t count = 0;
  std::vector<T> list;
};

std::string to_json(const PcareList<RiwayatKunjungan>& list);
// pendaftaran/tglDaftar/{tgl}/{start}/{limit}: the day's registrations.
std::string to_json(const PcareList<Pendaftaran>& list);
WireResult<PcareList<Pendaftaran>> parse_pendaftaran_list(std::string_view json);
WireResult<PcareList<RiwayatKunjungan>> parse_riwayat_kunjungan(std::string_view json);
std::string to_json(const PcareList<PcareDokter>& list);
WireResult<PcareList<PcareDokter>> parse_dokter_pcare(std::string_view json);
std::string to_json(const PcareList<PcarePoliRef>& list);
WireResult<PcareList<PcarePoliRef>> parse_poli_pcare(std::string_view json);
std::string to_json(const PcareList<PcareDiagnosaRef>& list);
WireResult<PcareList<PcareDiagnosaRef>> parse_diagnosa_pcare(std::string_view json);
std::string to_json(const PcareList<PcareKesadaran>& list);
WireResult<PcareList<PcareKesadaran>> parse_kesadaran(std::string_view json);
std::string to_json(const PcareList<PcareProvider>& list);
WireResult<PcareList<PcareProvider>> parse_provider_pcare(std::string_view json);

}  // namespace simpul::mappings::bpjs
