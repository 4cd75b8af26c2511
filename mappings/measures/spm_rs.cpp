#include "mappings/measures/spm_rs.hpp"

#include <algorithm>
#include <utility>

#include "fhir/error.hpp"

namespace simpul::mappings::measures::rs {

using fhir::Error;

namespace {

std::vector<std::string> loinc(std::initializer_list<std::string_view> list) {
  std::vector<std::string> out;
  for (std::string_view c : list) out.push_back(std::string(kLoinc) + "|" + std::string(c));
  return out;
}

void add_duration(DurationStat& d, Instant from, Instant to, std::int64_t standard) {
  if (from == kNoInstant || to == kNoInstant || to < from) {
    ++d.missing;
    return;
  }
  const std::int64_t secs = to - from;
  d.sum_seconds += secs;
  ++d.count;
  if (secs <= standard) ++d.within_standard;
}

}  // namespace

RsParams default_rs_params() {
  RsParams p;
  p.death_dispositions = {std::string(kDischargeDisposition) + "|exp"};
  p.against_advice_dispositions = {std::string(kDischargeDisposition) + "|aadvice"};
  // Blood chemistry (glucose, urea, creatinine, ALT, AST, cholesterol, uric acid)
  // and routine haematology (Hb, leukocytes, platelets, haematocrit, CBC panel).
  p.lab_codes = loinc({"2345-7", "2339-0", "3094-0", "2160-0", "1742-6", "1920-8", "2093-3", "3084-1", "718-7",
                       "6690-2", "777-3", "4544-3", "58410-2", "57021-8"});
  p.cxr_codes = loinc({"36643-5", "24648-8", "24647-0", "36572-6"});
  p.icu_codes = {"https://fhir.simpul.id/CodeSystem/unit-layanan|ICU", std::string(kSnomed) + "|309904001"};
  p.tb_codes = icd10_range("A15", "A19");
  p.tb_microscopy_codes = loinc({"11545-1"});
  p.delivery_codes = icd10_range("O80", "O84");
  p.delivery_codes.push_back(std::string(kSnomed) + "|236973005");
  p.caesarean_codes = {std::string(kIcd10) + "|O82*", "http://hl7.org/fhir/sid/icd-9-cm|74.*",
                       std::string(kSnomed) + "|11466000"};
  return p;
}

RsResult evaluate_spm_rs(const FactStore& store, const Scope& scope, const RsParams& params) {
  if (!store.finalized()) throw Error::internal("The fact store must be finalized before evaluating indicators");
  const int off = scope.utc_offset_minutes;
  const Code provider = scope.provider.empty() ? kNoCode : store.codes.find(scope.provider);
  if (!scope.provider.empty() && provider == kNoCode) return {};  // no encounter of that facility
  const CodeSet death(store.codes, params.death_dispositions);
  const CodeSet aadvice(store.codes, params.against_advice_dispositions);
  const CodeSet lab(store.codes, params.lab_codes);
  const CodeSet cxr(store.codes, params.cxr_codes);
  const CodeSet icu(store.codes, params.icu_codes);
  const CodeSet tb(store.codes, params.tb_codes);
  const CodeSet smear(store.codes, params.tb_microscopy_codes);
  const CodeSet delivery(store.codes, params.delivery_codes);
  const CodeSet caesar(store.codes, params.caesarean_codes);
  const Scope& sc = scope;
  auto in_period = [&](Instant t) { return t != kNoInstant && sc.period.contains(local_day(t, off)); };
  auto ours = [&](const EncounterFact& e) {
    return e.status != EncounterStatus::cancelled && e.status != EncounterStatus::planned &&
           (provider == kNoCode || e.provider == provider);
  };

  RsResult out;
  for (Subject s = 0; s < store.subjects.size(); ++s) {
    const auto encounters = store.encounters_of(s);
    const PatientFact* patient = store.patient(s);
    const Instant deceased = patient != nullptr ? patient->deceased : kNoInstant;
    const EncounterFact* last_icu = nullptr;  // the previous ICU stay, for returns within 72 h
    for (const EncounterFact& e : encounters) {
      if (!ours(e)) continue;
      if (e.cls == EncounterClass::emer && in_period(e.start)) {
        const Instant arrival = e.arrived != kNoInstant ? e.arrived : e.start;
        add_duration(out.er_response, arrival, e.seen, params.er_response_standard_seconds);
        ++out.er_death_24h.denominator;
        const bool died = death.contains(e.discharge)
                              ? (e.end == kNoInstant || e.end - arrival < params.er_death_within_seconds)
                              : (deceased != kNoInstant && deceased >= arrival &&
                                 deceased - arrival < params.er_death_within_seconds);
        if (died) ++out.er_death_24h.numerator;
      }
      if (e.cls == EncounterClass::amb && in_period(e.start)) {
        const Instant arrival = e.arrived != kNoInstant ? e.arrived : e.start;
        add_duration(out.outpatient_wait, arrival, e.seen, params.outpatient_wait_standard_seconds);
      }
      // Inpatients discharged in the period.
      if (e.cls == EncounterClass::imp && in_period(e.end)) {
        ++out.dpjp.denominator;
        if (e.has_attender) ++out.dpjp.numerator;
        ++out.death_over_48h.denominator;
        const bool died =
            death.contains(e.discharge) || (deceased != kNoInstant && deceased >= e.start && deceased <= e.end);
        const Instant died_at = death.contains(e.discharge) ? e.end : deceased;
        if (died && died_at - e.start > params.death_after_seconds) ++out.death_over_48h.numerator;
        ++out.pulang_paksa.denominator;
        if (aadvice.contains(e.discharge)) ++out.pulang_paksa.numerator;
        // TB diagnosed during the stay (a Condition of this encounter or dated within it).
        bool has_tb = false, has_smear = false;
        for (const ConditionFact& c : store.conditions_of(s)) {
          if (!tb.contains(c.code)) continue;
          if ((c.encounter != kNoCode && c.encounter == e.ref) ||
              (c.onset != kNoInstant && c.onset >= e.start && c.onset <= e.end)) {
            has_tb = true;
          }
        }
        if (has_tb) {
          for (const ObservationFact& o : store.observations_of(s)) {
            if (smear.contains(o.code) &&
                ((o.encounter != kNoCode && o.encounter == e.ref) || (o.time >= e.start && o.time <= e.end))) {
              has_smear = true;
            }
          }
          ++out.inpatient_tb_microscopy.denominator;
          if (has_smear) ++out.inpatient_tb_microscopy.numerator;
        }
      }
      // ICU stays: a return within 72 hours of the previous ICU discharge.
      if (icu.contains(e.location) || icu.contains(e.type) || icu.contains(e.service_type)) {
        if (last_icu != nullptr && in_period(last_icu->end)) {
          // counted when the earlier stay was (its denominator below)
          if (e.start >= last_icu->end && e.start - last_icu->end <= params.icu_return_seconds)
            ++out.icu_return_72h.numerator;
        }
        if (in_period(e.end)) ++out.icu_return_72h.denominator;
        last_icu = &e;
      }
    }
    // Lab and chest X-ray turnaround: one case per (specimen collection time) of a
    // subject: the last result released for it.
    auto turnaround = [&](const CodeSet& set, DurationStat& stat, std::int64_t standard, bool lab_only) {
      Instant group = kNoInstant, issued = kNoInstant;
      bool open = false;
      auto flush = [&] {
        if (open) add_duration(stat, group, issued, standard);
      };
      for (const ObservationFact& o : store.observations_of(s)) {
        if (!set.contains(o.code) || !in_period(o.time) || (lab_only && !o.lab)) continue;
        if (!open || o.time != group) {
          flush();
          group = o.time;
          issued = o.issued;
          open = true;
        } else if (o.issued != kNoInstant && (issued == kNoInstant || o.issued > issued)) {
          issued = o.issued;
        }
      }
      flush();
    };
    turnaround(lab, out.lab_turnaround, params.lab_tat_standard_seconds, true);
    turnaround(cxr, out.cxr_turnaround, params.cxr_tat_standard_seconds, false);
    // Deliveries (one per subject and day) and caesarean sections among them.
    std::vector<std::pair<Day, bool>> deliveries;
    auto note = [&](Code code, Instant t) {
      if (!in_period(t)) return;
      const bool d = delivery.contains(code), c = caesar.contains(code);
      if (!d && !c) return;
      deliveries.emplace_back(local_day(t, off), c);
    };
    for (const ConditionFact& c : store.conditions_of(s)) note(c.code, c.onset);
    for (const ProcedureFact& p : store.procedures_of(s)) note(p.code, p.time);
    std::sort(deliveries.begin(), deliveries.end());
    for (std::size_t i = 0; i < deliveries.size();) {
      std::size_t j = i;
      bool cs = false;
      while (j < deliveries.size() && deliveries[j].first == deliveries[i].first) cs = cs || deliveries[j++].second;
      ++out.caesarean.denominator;
      if (cs) ++out.caesarean.numerator;
      i = j;
    }
  }
  return out;
}

}  // namespace simpul::mappings::measures::rs
