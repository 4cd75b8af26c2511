#pragma once
// The 12 SPM basic health services of a puskesmas (Standar Pelayanan Minimal,
// Permenkes 6/2024, as applied by Perbup Tana Toraja 61/2025; research note
// seed-002-spm-puskesmas.md). Each evaluator counts the PEOPLE (not visits) who
// received the service "sesuai standar" (per standard) in the period: the
// numerator. The denominator is the service's target population (sasaran), which
// the district sets from BPS projections, RISKESDAS/SKI prevalence or a decree;
// no encounter can give it, so it is a parameter and never computed here.
//
// Every rule the note leaves open is a parameter with the reading we chose as its
// default; docs/indicators-facts.md lists them. Pure functions over a finalized
// FactStore: no I/O, no clock, no floating point.
#include <cstdint>
#include <string>
#include <vector>

#include "mappings/measures/facts.hpp"

namespace simpul::mappings::measures::spm {

// What every SPM evaluation needs.
struct Scope {
  Period period;                 // usually a year; year-to-date for the quarterly M&E; a school year for SPM-05
  int utc_offset_minutes = 420;  // the facility's zone
  std::string area_prefix;       // wilayah kerja: Kemendagri code prefix (kecamatan "317101"); "" = every subject
};

// One service's result. numerator/denominator are the indicator; the rest say
// how the numerator came about (for a "why not counted" view and data checks).
struct ServiceResult {
  Proportion coverage;            // numerator: people served per standard; denominator: sasaran (parameter)
  std::int64_t assessed = 0;      // people whose service was assessed in the period (met the standard or not)
  std::int64_t excluded = 0;      // people excluded by the service's rules (e.g. abortion in SPM-01)
  std::int64_t carried_over = 0;  // SPM-01: pregnancies still ongoing at the period end (counted when they end)
  bool operator==(const ServiceResult&) const = default;
};

// Kinds of fact a requirement is met by.
enum class FactKind : std::uint8_t {
  observation,   // Observation / DiagnosticReport code (LOINC)
  procedure,     // Procedure code
  immunization,  // Immunization vaccineCode
  service,       // Procedure, Immunization or Observation (vitamin A, KPSP ... recorded either way)
};

// One element of a service package: at least min_count distinct local days with a
// fact of `kind` whose code is in `codes` (patterns as in CodeSet), inside the
// assessment window; optionally only within an age range in months [from, to),
// and at least min_per_half in each half of a 12-month window.
struct Requirement {
  std::string name;  // e.g. "penimbangan" (weighing)
  FactKind kind = FactKind::observation;
  std::vector<std::string> codes;
  int min_count = 1;
  int from_age_months = -1;  // -1: no age restriction
  int to_age_months = -1;
  int min_per_half = 0;
};
using Package = std::vector<Requirement>;

// Common LOINC code patterns (defaults of the packages below).
namespace codes {
std::vector<std::string> body_weight();                          // 29463-7, 3141-9
std::vector<std::string> body_height();                          // 8302-2, 8306-3, 8308-9
std::vector<std::string> head_circumference();                   // 9843-4, 8287-5
std::vector<std::string> waist_circumference();                  // 8280-0
std::vector<std::string> blood_pressure();                       // 8480-6 systolic, 85354-9 panel, 55284-4
std::vector<std::string> vital_signs();                          // blood pressure, 8867-4, 9279-1, 8310-5
std::vector<std::string> glucose();                              // 2339-0, 2345-7, 41653-7, 1558-6, 14749-6, 15074-8
std::vector<std::string> cholesterol();                          // 2093-3, 14647-2
std::vector<std::string> simpul_service(std::string_view code);  // https://fhir.simpul.id/CodeSystem/spm-layanan|code
std::vector<std::string> simpul_vaccine(std::string_view code);  // https://fhir.simpul.id/CodeSystem/vaksin|code
}  // namespace codes

// ---------------------------------------------------------------- SPM-01 ibu hamil (pregnancy care, K6)

enum class UsgRule : std::uint8_t {
  not_required,
  at_least_once,  // default: the note says "including an ultrasound" (one)
  t1_and_t3,      // an ultrasound in trimester 1 and in trimester 3
};

struct AncParams {
  std::int64_t sasaran = -1;  // target population (the note: "sasaran ibu bersalin"); required
  // K6 distribution: visits (distinct days) per trimester. Trimesters by days since
  // HPHT: T1 [0, t2_from_day), T2 [t2_from_day, t3_from_day), T3 [t3_from_day, end].
  int min_t1 = 1, min_t2 = 2, min_t3 = 3;
  int t2_from_day = 98;             // 14 weeks 0 days
  int t3_from_day = 196;            // 28 weeks 0 days
  bool doctor_in_t1_and_t3 = true;  // >= 1 visit by a doctor / SpOG in T1 and in T3
  std::vector<std::string>
      doctor_roles;  // Encounter.participant.type codes of a doctor (default: SNOMED 158965000, 309343006, 309367003)
  UsgRule usg = UsgRule::at_least_once;
  std::vector<std::string>
      usg_codes;  // Procedure codes of an obstetric ultrasound (default SNOMED 268445003, ICD-9-CM 88.78)
  // An encounter is an ANC visit when it references the pregnancy episode, or its
  // type / serviceType is one of these (default: P-Care poli KIA 003, SNOMED 424525001 antenatal care).
  std::vector<std::string> anc_visit_codes;
  int preterm_before_day = 259;  // delivery before 37 weeks 0 days = partus prematurus (excluded)
  std::vector<std::string>
      abortion_codes;  // Condition codes that mean the pregnancy ended in abortion (default ICD-10 O00-O08)
  std::vector<std::string> hpht_codes;  // Observation with valueDateTime giving HPHT (default LOINC 8665-2)
};
AncParams default_anc_params();
ServiceResult evaluate_ibu_hamil(const FactStore& store, const Scope& scope, const AncParams& params);

// ---------------------------------------------------------------- SPM-02 ibu bersalin (delivery care)

struct PersalinanParams {
  std::int64_t sasaran = -1;  // target women giving birth; required
  // A delivery: a Condition (default ICD-10 O80-O84) or Procedure (default SNOMED 236973005) with these codes.
  std::vector<std::string> delivery_codes;
};
PersalinanParams default_persalinan_params();
ServiceResult evaluate_ibu_bersalin(const FactStore& store, const Scope& scope, const PersalinanParams& params);

// ---------------------------------------------------------------- SPM-03 bayi baru lahir (newborn, KN1-KN3)

struct NeonatalParams {
  std::int64_t sasaran = -1;  // target newborns; required
  // KN1 6-48 hours after birth; KN2 day 3-7; KN3 day 8-28 (days since the birth date).
  int kn1_from_hours = 6, kn1_to_hours = 48;
  int kn2_from_day = 3, kn2_to_day = 7;
  int kn3_from_day = 8, kn3_to_day = 28;
  int kn1_to_day_without_birth_time = 2;  // no birth time recorded: KN1 = a visit on day 0..2
  std::vector<std::string>
      visit_codes;  // Encounter type/serviceType of a neonatal visit; empty = any encounter of the baby
};
NeonatalParams default_neonatal_params();
ServiceResult evaluate_bayi_baru_lahir(const FactStore& store, const Scope& scope, const NeonatalParams& params);

// ---------------------------------------------------------------- SPM-04 balita (under-fives 12-59 months)

struct BalitaParams {
  std::int64_t sasaran = -1;  // target children 12-59 months; required
  Package standar_0_11;       // assessed on the first year of life, counted in the 12-23 group
  Package standar_12_23;      // assessed on months 12-23, counted in the 24-35 group
  Package standar_24_59;      // assessed on the last completed year (24-35 or 36-47), counted in 36-59
};
BalitaParams default_balita_params();
ServiceResult evaluate_balita(const FactStore& store, const Scope& scope, const BalitaParams& params);

// ---------------------------------------------------------------- SPM-05..07 screening by age

// SPM-05 usia pendidikan dasar (school age), SPM-06 usia produktif (15-59),
// SPM-07 usia lanjut (>= 60): the package completed within the period, and the
// person's age on the day it was completed within [min_age, max_age_exclusive).
struct ScreeningParams {
  std::int64_t sasaran = -1;  // required
  int min_age_years = 0;
  int max_age_exclusive = 200;
  Package package;
  // Extra requirements from this age on (SPM-06: blood glucose from 40), -1 = none.
  int extra_from_age = -1;
  Package extra;
};
ScreeningParams default_usia_pendidikan_dasar_params();  // 7-15; weight, height, a vital sign
ScreeningParams default_usia_produktif_params();         // 15-59; weight, height, waist, BP; glucose from 40
ScreeningParams default_usia_lanjut_params();            // >= 60; weight, BP, glucose, cholesterol
ServiceResult evaluate_screening(const FactStore& store, const Scope& scope, const ScreeningParams& params);

// ---------------------------------------------------------------- SPM-08/09 hipertensi, diabetes melitus

// A person aged >= min_age at the period end with a diagnosis (Condition code in
// diagnosis_codes, onset on or before the period end) counts when every calendar
// month from the later of the period start and the diagnosis month to the period
// end has the monthly checks (at most allowed_missing_months without).
struct ChronicParams {
  std::int64_t sasaran = -1;  // estimated patients (prevalence x population); required
  int min_age_years = 15;
  std::vector<std::string> diagnosis_codes;
  Package monthly;             // what each month needs (HT: a BP; DM: a glucose result)
  bool monthly_visit = false;  // DM: also a clinical examination (an encounter) each month
  int allowed_missing_months = 0;
};
ChronicParams default_hipertensi_params();  // ICD-10 I10-I15; BP monthly
ChronicParams default_dm_params();          // ICD-10 E10-E14; visit + glucose monthly
ServiceResult evaluate_chronic(const FactStore& store, const Scope& scope, const ChronicParams& params);

// ---------------------------------------------------------------- SPM-10 ODGJ berat (severe mental illness)

struct OdgjParams {
  std::int64_t sasaran = -1;                 // required
  std::vector<std::string> diagnosis_codes;  // default ICD-10 F20-F29
  int min_visits = 1;  // distinct days in the period with one of the diagnoses recorded (a mental-health examination)
};
OdgjParams default_odgj_params();
ServiceResult evaluate_odgj(const FactStore& store, const Scope& scope, const OdgjParams& params);

// ---------------------------------------------------------------- SPM-11 terduga TBC (presumptive TB)

struct TbParams {
  std::int64_t sasaran = -1;  // estimated presumptive TB (case-finding target / 54% x 10); required
  // A supporting examination: an Observation/DiagnosticReport (TCM, microscopy), a
  // Procedure (chest X-ray) or a completed ServiceRequest (specimen sent to a TCM lab) with these codes.
  std::vector<std::string> exam_codes;
};
TbParams default_tb_params();
ServiceResult evaluate_terduga_tb(const FactStore& store, const Scope& scope, const TbParams& params);
// The note's estimate of the target: case-finding target / 54% x 10, exactly
// (target x 1000 / 54, rounded half up).
std::int64_t estimated_presumptive_tb(std::int64_t case_finding_target);

// ---------------------------------------------------------------- SPM-12 risiko HIV (people at risk of HIV)

struct HivParams {
  std::int64_t sasaran = -1;            // at-risk population set by the Regent; required
  std::vector<std::string> test_codes;  // HIV rapid test (R1) Observation/DiagnosticReport codes
  bool require_risk_group = true;       // only people with a recorded risk: TB, STI, pregnancy, key population
  std::vector<std::string>
      risk_condition_codes;  // default ICD-10 A15-A19 (TB), A50-A64 (STI), Z72.5, Z20.6, O09*, Z33, Z34*, Z35*
};
HivParams default_hiv_params();
ServiceResult evaluate_risiko_hiv(const FactStore& store, const Scope& scope, const HivParams& params);

}  // namespace simpul::mappings::measures::spm
