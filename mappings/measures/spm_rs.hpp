#pragma once
// Hospital SPM indicators (Standar Pelayanan Minimal Rumah Sakit, Kepmenkes
// 129/Menkes/SK/II/2008; research note seed-004-spm-rs.md) that can be computed
// from encounter data. The rest of the catalogue (staffing, satisfaction surveys,
// finance, laundry ...) is manual entry and not here.
//
// Times are kept exactly in seconds (DurationStat: sum, count, within standard,
// missing); the mean in minutes is sum_seconds / (60 x count). Rates are counts
// (Proportion). Pure functions over a finalized FactStore.
#include <cstdint>
#include <string>
#include <vector>

#include "mappings/measures/facts.hpp"

namespace simpul::mappings::measures::rs {

struct Scope {
  Period period;  // usually a month (the Perbup's baseline grain) or a year
  int utc_offset_minutes = 420;
  std::string provider;  // Encounter.serviceProvider reference ("Organization/..."); "" = every encounter
};

struct RsParams {
  std::int64_t er_response_standard_seconds = 5 * 60;       // IGD: doctor response <= 5 minutes after arrival
  std::int64_t er_death_within_seconds = 24 * 3600;         // IGD deaths < 24 hours (standard <= 2 per 1000)
  std::int64_t outpatient_wait_standard_seconds = 60 * 60;  // rawat jalan: waiting time <= 60 minutes
  std::int64_t death_after_seconds = 48 * 3600;             // rawat inap: death > 48 hours (<= 0.24%)
  std::int64_t lab_tat_standard_seconds = 140 * 60;      // lab: results <= 140 minutes (chemistry, routine haematology)
  std::int64_t cxr_tat_standard_seconds = 3 * 3600;      // radiology: chest X-ray results <= 3 hours
  std::int64_t icu_return_seconds = 72 * 3600;           // ICU: return within 72 hours (<= 3%)
  std::vector<std::string> death_dispositions;           // default discharge-disposition "exp"
  std::vector<std::string> against_advice_dispositions;  // default "aadvice" (pulang paksa)
  std::vector<std::string> lab_codes;                    // blood chemistry + routine haematology (LOINC)
  std::vector<std::string> cxr_codes;                    // chest X-ray reports (LOINC)
  std::vector<std::string> icu_codes;                    // Encounter location / type / serviceType of an ICU stay
  std::vector<std::string> tb_codes;                     // ICD-10 A15-A19
  std::vector<std::string> tb_microscopy_codes;          // AFB smear (LOINC 11545-1)
  std::vector<std::string> delivery_codes;               // ICD-10 O80-O84, SNOMED 236973005
  std::vector<std::string> caesarean_codes;              // ICD-10 O82, ICD-9-CM 74.x, SNOMED 11466000
};
RsParams default_rs_params();

struct RsResult {
  DurationStat er_response;            // IGD 1: waktu tanggap dokter (doctor response time)
  Proportion er_death_24h;             // IGD: kematian pasien < 24 jam (per 1000 ER visits)
  DurationStat outpatient_wait;        // RJ 4: waktu tunggu rawat jalan (waiting time)
  Proportion dpjp;                     // RI 2: inpatients with a DPJP (attending doctor)
  Proportion death_over_48h;           // RI 8: kematian pasien > 48 jam
  Proportion pulang_paksa;             // RI 9: kejadian pulang paksa (discharge against medical advice)
  Proportion inpatient_tb_microscopy;  // RI 11a: TB diagnosis by smear microscopy
  DurationStat lab_turnaround;         // Lab 1: waktu tunggu hasil laboratorium
  DurationStat cxr_turnaround;         // Rad 1: waktu tunggu hasil foto toraks
  Proportion icu_return_72h;           // ICU 1: kembali ke perawatan intensif < 72 jam
  Proportion caesarean;                // Persalinan: sectio caesarea <= 20%
  bool operator==(const RsResult&) const = default;
};

RsResult evaluate_spm_rs(const FactStore& store, const Scope& scope, const RsParams& params);

}  // namespace simpul::mappings::measures::rs
