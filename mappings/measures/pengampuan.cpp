#include "mappings/measures/pengampuan.hpp"

#include "fhir/error.hpp"

namespace simpul::mappings::measures::pengampuan {

using fhir::Error;

Params default_params() {
  Params p;
  p.death_dispositions = {std::string(kDischargeDisposition) + "|exp"};
  p.transfer_dispositions = {std::string(kDischargeDisposition) + "|other-hcf",
                             std::string(kDischargeDisposition) + "|hosp"};
  return p;
}

namespace {

HospitalFigures figures(const FactStore& store, const Scope& scope, Code hospital, const CodeSet& dx,
                        const CodeSet& death, const CodeSet& transfer) {
  HospitalFigures out;
  if (hospital == kNoCode) return out;  // no encounter of this hospital was ever seen
  const int off = scope.utc_offset_minutes;
  for (Subject s = 0; s < store.subjects.size(); ++s) {
    const auto conditions = store.conditions_of(s);
    if (conditions.empty()) continue;
    const PatientFact* patient = store.patient(s);
    bool case_ = false, referred = false, died = false;
    for (const EncounterFact& e : store.encounters_of(s)) {
      if (e.provider != hospital || e.status == EncounterStatus::cancelled || e.status == EncounterStatus::planned)
        continue;
      if (!scope.period.contains(local_day(e.start, off))) continue;
      const Day start_day = local_day(e.start, off);
      const Day end_day = e.end == kNoInstant ? start_day : local_day(e.end, off);
      // A priority diagnosis of this encounter: linked to it, or (unlinked) dated within it.
      bool priority = false;
      for (const ConditionFact& c : conditions) {
        if (!dx.contains(c.code)) continue;
        if (c.encounter != kNoCode ? c.encounter == e.ref
                                   : (c.onset != kNoInstant && local_day(c.onset, off) >= start_day &&
                                      local_day(c.onset, off) <= end_day)) {
          priority = true;
          break;
        }
      }
      if (!priority) continue;
      case_ = true;
      ++out.encounters;
      if (transfer.contains(e.discharge)) referred = true;
      for (const ServiceRequestFact& r : store.service_requests_of(s)) {
        if (!r.referral) continue;
        if (r.encounter != kNoCode ? r.encounter == e.ref
                                   : (local_day(r.time, off) >= start_day && local_day(r.time, off) <= end_day)) {
          referred = true;
        }
      }
      if (death.contains(e.discharge)) died = true;
      if (patient != nullptr && patient->deceased != kNoInstant) {
        const Day d = local_day(patient->deceased, off);
        if (d >= start_day && d <= end_day) died = true;
      }
    }
    if (!case_) continue;
    ++out.patients;
    if (referred) ++out.referral.numerator;
    if (died) ++out.mortality.numerator;
  }
  out.referral.denominator = out.patients;
  out.mortality.denominator = out.patients;
  return out;
}

}  // namespace

std::vector<EngagementResult> evaluate(const FactStore& store, const Scope& scope,
                                       const std::vector<Engagement>& engagements, const Params& params) {
  if (!store.finalized()) throw Error::internal("The fact store must be finalized before evaluating indicators");
  const CodeSet death(store.codes, params.death_dispositions);
  const CodeSet transfer(store.codes, params.transfer_dispositions);
  std::vector<EngagementResult> out;
  for (const Engagement& g : engagements) {
    if (g.diagnosis_codes.empty()) {
      throw Error::invalid(
          "Engagement '" + g.id + "' has no diagnosis list: the priority service's ICD-10 codes are a parameter",
          "diagnosis_codes");
    }
    if (g.mentor.empty() || g.mentee.empty()) {
      throw Error::invalid("Engagement '" + g.id + "' needs both the mentor (RS pengampu) and the mentee (RS diampu)",
                           g.mentor.empty() ? "mentor" : "mentee");
    }
    const CodeSet dx(store.codes, g.diagnosis_codes);
    EngagementResult r;
    r.engagement = g.id;
    r.service = g.service;
    r.mentor = figures(store, scope, store.codes.find(g.mentor), dx, death, transfer);
    r.mentee = figures(store, scope, store.codes.find(g.mentee), dx, death, transfer);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace simpul::mappings::measures::pengampuan
