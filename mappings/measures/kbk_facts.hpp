#pragma once
// KBK counts from the facts a puskesmas pushed (Kapitasi Berbasis Kinerja,
// performance-based capitation; research note seed-003-pks-bpjs-fktp.md §3.3).
// BPJS computes KBK from its own systems (P-Care); this is the facility's own view
// of the same three ratios, to check its figures before BPJS does. Counts only:
// the ratios, ratings and capitation come from kbk.hpp's exact arithmetic.
//
// Interpretations (docs/indicators.md, "KBK from pushed encounters"):
// - AK numerator: JKN participants (a Patient with a BPJS card identifier) with at
//   least one encounter starting in the month, any class (inside or outside the
//   building, home visits and teleconsultations included), not planned/cancelled;
//   counted once per participant. The denominator (peserta terdaftar) is BPJS's
//   figure: a parameter, never counted.
// - RRNS: referrals (ServiceRequest with the referral category) of JKN participants
//   authored in the month. Numerator: reason ICD-10 in the competence list
//   (parameter: the FKTP competence diagnoses) and no TACC. Denominator: all of them;
//   TACC referrals stay in it unless tacc_out_of_denominator (the text is silent).
// - RPPT: per disease, participants with the diagnosis (onset on or before the month
//   end) whose latest reading in the month is controlled (fasting glucose at most
//   the threshold; systolic and diastolic below theirs). Prolanis membership is not
//   in FHIR: every participant with the diagnosis counts. The denominators may be
//   replaced by BPJS's registered figures.
#include <cstdint>
#include <string>
#include <vector>

#include "mappings/measures/facts.hpp"

namespace simpul::mappings::measures::kbk {

struct KbkFactParams {
  int utc_offset_minutes = 420;
  std::int64_t registered_participants = -1;      // peserta terdaftar this month (BPJS); required for AK
  std::vector<std::string> competence_diagnoses;  // ICD-10 patterns within FKTP competence; required for RRNS
  bool tacc_out_of_denominator = false;
  std::vector<std::string> dm_diagnoses = icd10_range("E10", "E14");
  std::vector<std::string> ht_diagnoses = icd10_range("I10", "I15");
  std::vector<std::string> fasting_glucose = {"http://loinc.org|1558-6"};
  std::vector<std::string> systolic = {"http://loinc.org|8480-6"};
  std::vector<std::string> diastolic = {"http://loinc.org|8462-4"};
  std::int64_t fasting_glucose_max_milli = 130'000;  // mg/dL x 1000: controlled when at most this
  std::int64_t systolic_below_milli = 140'000;       // mmHg x 1000: controlled when below
  std::int64_t diastolic_below_milli = 90'000;
  std::int64_t dm_registered = -1;  // BPJS's count of participants with DM; -1 = count from the facts
  std::int64_t ht_registered = -1;
};

struct KbkCounts {
  Proportion ak;       // participants with a contact / peserta terdaftar (x 1000 = per mille)
  Proportion rrns;     // non-specialist referrals without TACC / all referrals (x 100 = %)
  Proportion rppt_dm;  // controlled DM / participants with DM
  Proportion rppt_ht;  // controlled HT / participants with HT
  std::int64_t tacc_referrals = 0;
  bool operator==(const KbkCounts&) const = default;
};

// `month` is one civil month (months_period(y, m, y, m)). Missing required
// parameters throw fhir::Error 400 naming them.
KbkCounts count_kbk(const FactStore& store, const Period& month, const KbkFactParams& params);

}  // namespace simpul::mappings::measures::kbk
