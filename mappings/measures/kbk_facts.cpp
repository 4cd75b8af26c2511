#include "mappings/measures/kbk_facts.hpp"

#include <algorithm>

#include "fhir/error.hpp"

namespace simpul::mappings::measures::kbk {

namespace {

bool counts_as_contact(EncounterStatus s) {
  return s != EncounterStatus::planned && s != EncounterStatus::cancelled;
}

bool has_diagnosis(std::span<const ConditionFact> conditions, const CodeSet& set, Day last, int offset) {
  return std::any_of(conditions.begin(), conditions.end(), [&](const ConditionFact& c) {
    if (!set.contains(c.code)) return false;
    return c.onset == kNoInstant || local_day(c.onset, offset) <= last;
  });
}

// The latest quantity reading in the month of a code in `set`; nullptr when none.
const ObservationFact* latest_in(std::span<const ObservationFact> observations, const CodeSet& set,
                                 const Period& month, int offset) {
  const ObservationFact* latest = nullptr;
  for (const auto& o : observations) {
    if (o.kind != ValueKind::quantity || !set.contains(o.code) || o.time == kNoInstant) continue;
    if (!month.contains(local_day(o.time, offset))) continue;
    if (latest == nullptr || o.time >= latest->time) latest = &o;
  }
  return latest;
}

}  // namespace

KbkCounts count_kbk(const FactStore& store, const Period& month, const KbkFactParams& params) {
  if (params.registered_participants < 0) {
    throw fhir::Error::value("KBK needs registered_participants (peserta terdaftar, from BPJS) for the month",
                             "registered_participants");
  }
  if (params.competence_diagnoses.empty()) {
    throw fhir::Error::value("KBK needs competence_diagnoses (the ICD-10 codes within FKTP competence) for RRNS",
                             "competence_diagnoses");
  }
  const int offset = params.utc_offset_minutes;
  const CodeSet competence(store.codes, params.competence_diagnoses);
  const CodeSet dm(store.codes, params.dm_diagnoses);
  const CodeSet ht(store.codes, params.ht_diagnoses);
  const CodeSet glucose(store.codes, params.fasting_glucose);
  const CodeSet systolic(store.codes, params.systolic);
  const CodeSet diastolic(store.codes, params.diastolic);

  KbkCounts out;
  out.ak.denominator = params.registered_participants;
  std::int64_t dm_with = 0, ht_with = 0;
  for (Subject s = 0; s < store.subjects.size(); ++s) {
    const PatientFact* p = store.patient(s);
    if (p == nullptr || !p->jkn) continue;
    const auto encounters = store.encounters_of(s);
    if (std::any_of(encounters.begin(), encounters.end(), [&](const EncounterFact& e) {
          return counts_as_contact(e.status) && e.start != kNoInstant && month.contains(local_day(e.start, offset));
        })) {
      ++out.ak.numerator;
    }
    for (const auto& r : store.service_requests_of(s)) {
      if (!r.referral || r.time == kNoInstant || !month.contains(local_day(r.time, offset))) continue;
      const bool tacc = r.tacc != kNoCode;
      if (tacc) ++out.tacc_referrals;
      if (!(tacc && params.tacc_out_of_denominator)) ++out.rrns.denominator;
      if (!tacc && competence.contains(r.reason)) ++out.rrns.numerator;
    }
    const auto conditions = store.conditions_of(s);
    const auto observations = store.observations_of(s);
    if (has_diagnosis(conditions, dm, month.last, offset)) {
      ++dm_with;
      const ObservationFact* g = latest_in(observations, glucose, month, offset);
      if (g != nullptr && g->value_milli <= params.fasting_glucose_max_milli) ++out.rppt_dm.numerator;
    }
    if (has_diagnosis(conditions, ht, month.last, offset)) {
      ++ht_with;
      const ObservationFact* sys = latest_in(observations, systolic, month, offset);
      const ObservationFact* dia = latest_in(observations, diastolic, month, offset);
      if (sys != nullptr && dia != nullptr && sys->value_milli < params.systolic_below_milli &&
          dia->value_milli < params.diastolic_below_milli) {
        ++out.rppt_ht.numerator;
      }
    }
  }
  out.rppt_dm.denominator = params.dm_registered >= 0 ? params.dm_registered : dm_with;
  out.rppt_ht.denominator = params.ht_registered >= 0 ? params.ht_registered : ht_with;
  return out;
}

}  // namespace simpul::mappings::measures::kbk
