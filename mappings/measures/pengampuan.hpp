#pragma once
// Pengampuan (mentoring of priority health services between hospitals, KMK
// HK.01.07/MENKES/174/2024; research note seed-000-pengampuan.md section 3). The
// decree gives no formulas; the two measurable success indicators are a falling
// referral rate of priority-service patients (OD-6) and falling morbidity and
// mortality in priority services (OC-2). We compute, per engagement (a mentor
// hospital, a mentee hospital and one priority service defined by its diagnosis
// list) and per hospital of the pair, for the period:
//   cases      - patients (and encounters) with a priority diagnosis at that hospital (angka kesakitan, morbidity)
//   referral   - of those patients, how many were referred on (angka rujukan)
//   mortality  - of those patients, how many died there (angka kematian, case fatality)
// Targets and the baseline are per engagement (set at planning) and not here.
#include <cstdint>
#include <string>
#include <vector>

#include "mappings/measures/facts.hpp"

namespace simpul::mappings::measures::pengampuan {

// One mentoring engagement (jejaring pengampuan) for one priority service.
struct Engagement {
  std::string id;       // e.g. the PKS (cooperation agreement) number
  std::string mentor;   // RS pengampu: its Encounter.serviceProvider reference ("Organization/...")
  std::string mentee;   // RS diampu: likewise
  std::string service;  // layanan prioritas: kanker, jantung, stroke, uronefrologi, kia, ... (a label)
  std::vector<std::string>
      diagnosis_codes;  // the service's diagnosis list (ICD-10 patterns, a parameter per engagement)
};

struct Scope {
  Period period;  // a quarter (the decree's reporting cycle) or any period
  int utc_offset_minutes = 420;
};

struct Params {
  std::vector<std::string> death_dispositions;     // default discharge-disposition "exp"
  std::vector<std::string> transfer_dispositions;  // default "other-hcf", "hosp" (discharged to another facility)
};
Params default_params();

struct HospitalFigures {
  std::int64_t patients = 0;    // distinct patients with a priority-service encounter in the period
  std::int64_t encounters = 0;  // priority-service encounters in the period
  Proportion referral;          // referred patients / patients
  Proportion mortality;         // patients who died / patients
  bool operator==(const HospitalFigures&) const = default;
};

struct EngagementResult {
  std::string engagement;
  std::string service;
  HospitalFigures mentor;  // RS pengampu
  HospitalFigures mentee;  // RS diampu
};

// Throws fhir::Error 400 when an engagement has no diagnosis list or no hospitals.
std::vector<EngagementResult> evaluate(const FactStore& store, const Scope& scope,
                                       const std::vector<Engagement>& engagements, const Params& params);

}  // namespace simpul::mappings::measures::pengampuan
