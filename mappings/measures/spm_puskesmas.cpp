#include "mappings/measures/spm_puskesmas.hpp"

#include <algorithm>
#include <limits>
#include <optional>
#include <string>

#include "fhir/error.hpp"

namespace simpul::mappings::measures::spm {

using fhir::Error;

// ---------------------------------------------------------------- code lists

namespace codes {
namespace {
std::vector<std::string> loinc(std::initializer_list<std::string_view> list) {
  std::vector<std::string> out;
  for (std::string_view c : list) out.push_back(std::string(kLoinc) + "|" + std::string(c));
  return out;
}
std::vector<std::string> join(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}
}  // namespace
std::vector<std::string> body_weight() {
  return loinc({"29463-7", "3141-9"});
}
std::vector<std::string> body_height() {
  return loinc({"8302-2", "8306-3", "8308-9"});
}
std::vector<std::string> head_circumference() {
  return loinc({"9843-4", "8287-5"});
}
std::vector<std::string> waist_circumference() {
  return loinc({"8280-0"});
}
std::vector<std::string> blood_pressure() {
  return loinc({"8480-6", "85354-9", "55284-4"});
}
std::vector<std::string> vital_signs() {
  return join(blood_pressure(), loinc({"8867-4", "9279-1", "8310-5"}));
}
std::vector<std::string> glucose() {
  return loinc({"2339-0", "2345-7", "41653-7", "1558-6", "14749-6", "15074-8"});
}
std::vector<std::string> cholesterol() {
  return loinc({"2093-3", "14647-2"});
}
std::vector<std::string> simpul_service(std::string_view code) {
  return {"https://fhir.simpul.id/CodeSystem/spm-layanan|" + std::string(code)};
}
std::vector<std::string> simpul_vaccine(std::string_view code) {
  return {"https://fhir.simpul.id/CodeSystem/vaksin|" + std::string(code)};
}
}  // namespace codes

namespace {

std::vector<std::string> snomed(std::initializer_list<std::string_view> list) {
  std::vector<std::string> out;
  for (std::string_view c : list) out.push_back(std::string(kSnomed) + "|" + std::string(c));
  return out;
}
std::vector<std::string> concat(std::initializer_list<std::vector<std::string>> lists) {
  std::vector<std::string> out;
  for (const auto& l : lists) out.insert(out.end(), l.begin(), l.end());
  return out;
}

void require_sasaran(std::int64_t sasaran, std::string_view service) {
  if (sasaran < 0) {
    throw Error::invalid(
        std::string(service) +
            " needs its target population (sasaran), set by the district from BPS / RISKESDAS-SKI data: "
            "it is a parameter, not computed from encounters",
        "sasaran");
  }
}

bool in_area(const FactStore& store, Subject s, const Scope& scope) {
  if (scope.area_prefix.empty()) return true;
  const PatientFact* p = store.patient(s);
  return p != nullptr && p->area != kNoCode && store.codes.name(p->area).starts_with(scope.area_prefix);
}

bool usable(const EncounterFact& e) {
  return e.status != EncounterStatus::cancelled && e.status != EncounterStatus::planned;
}

Instant period_from(const Scope& sc) {
  return day_start(sc.period.first, sc.utc_offset_minutes);
}
Instant period_to(const Scope& sc) {
  return day_start(sc.period.last + 1, sc.utc_offset_minutes);
}

// ---------------------------------------------------------------- packages

struct CompiledReq {
  const Requirement* req;
  CodeSet set;
};
using CompiledPackage = std::vector<CompiledReq>;

CompiledPackage compile(const FactStore& store, const Package& pkg) {
  CompiledPackage out;
  for (const Requirement& r : pkg) out.push_back({&r, CodeSet(store.codes, r.codes)});
  return out;
}

// When requirement `c` became met in [from, to): the instant of the fact that
// completed it, or nullopt. Distinct local days count once.
std::optional<Instant> met_at(const FactStore& store, Subject s, const CompiledReq& c, Instant from, Instant to,
                              Day birth, int off) {
  const Requirement& r = *c.req;
  if (c.set.empty()) return from;  // a requirement without codes is not checked (documented)
  std::vector<Instant> times;
  auto take = [&](Code code, Instant t) {
    if (t == kNoInstant || t < from || t >= to || !c.set.contains(code)) return;
    if (r.from_age_months >= 0 || r.to_age_months >= 0) {
      if (birth == kNoDay) return;
      const int m = whole_months_between(birth, local_day(t, off));
      if (r.from_age_months >= 0 && m < r.from_age_months) return;
      if (r.to_age_months >= 0 && m >= r.to_age_months) return;
    }
    times.push_back(t);
  };
  if (r.kind == FactKind::observation || r.kind == FactKind::service) {
    for (const ObservationFact& o : store.observations_of(s)) take(o.code, o.time);
  }
  if (r.kind == FactKind::procedure || r.kind == FactKind::service) {
    for (const ProcedureFact& p : store.procedures_of(s)) take(p.code, p.time);
  }
  if (r.kind == FactKind::immunization || r.kind == FactKind::service) {
    for (const ImmunizationFact& i : store.immunizations_of(s)) take(i.vaccine, i.time);
  }
  std::sort(times.begin(), times.end());
  const Instant mid = r.min_per_half > 0 ? day_start(add_months(local_day(from, off), 6), off) : to;
  int total = 0, first_half = 0, second_half = 0;
  Day last = kNoDay;
  Instant t_total = kNoInstant, t_first = kNoInstant, t_second = kNoInstant;
  for (Instant t : times) {
    const Day d = local_day(t, off);
    if (d == last) continue;
    last = d;
    if (++total == r.min_count) t_total = t;
    if (t < mid) {
      if (++first_half == r.min_per_half) t_first = t;
    } else if (++second_half == r.min_per_half) {
      t_second = t;
    }
  }
  if (total < r.min_count) return std::nullopt;
  Instant done = r.min_count > 0 ? t_total : from;
  if (r.min_per_half > 0) {
    if (first_half < r.min_per_half || second_half < r.min_per_half) return std::nullopt;
    done = std::max({done, t_first, t_second});
  }
  return done;
}

// When the whole package was complete in [from, to), or nullopt.
std::optional<Instant> package_done(const FactStore& store, Subject s, const CompiledPackage& pkg, Instant from,
                                    Instant to, Day birth, int off) {
  Instant done = from;
  for (const CompiledReq& c : pkg) {
    auto t = met_at(store, s, c, from, to, birth, off);
    if (!t) return std::nullopt;
    done = std::max(done, *t);
  }
  return done;
}

Day birth_of(const FactStore& store, Subject s) {
  const PatientFact* p = store.patient(s);
  return p == nullptr ? kNoDay : p->birth;
}

void check_store(const FactStore& store) {
  if (!store.finalized()) throw Error::internal("The fact store must be finalized before evaluating indicators");
}

}  // namespace

// ---------------------------------------------------------------- SPM-01

AncParams default_anc_params() {
  AncParams p;
  p.doctor_roles = snomed({"158965000", "309343006", "309367003"});
  p.usg_codes = concat({snomed({"268445003"}), {"http://hl7.org/fhir/sid/icd-9-cm|88.78"}});
  p.anc_visit_codes = concat({snomed({"424525001"}), {"https://fhir.simpul.id/CodeSystem/bpjs-pcare-poli|003"}});
  p.abortion_codes = icd10_range("O00", "O08");
  p.hpht_codes = {std::string(kLoinc) + "|8665-2"};
  return p;
}

ServiceResult evaluate_ibu_hamil(const FactStore& store, const Scope& scope, const AncParams& params) {
  check_store(store);
  require_sasaran(params.sasaran, "SPM-01 (pelayanan kesehatan ibu hamil)");
  const int off = scope.utc_offset_minutes;
  const CodeSet doctors(store.codes, params.doctor_roles);
  const CodeSet usg(store.codes, params.usg_codes);
  const CodeSet anc(store.codes, params.anc_visit_codes);
  const CodeSet abortion(store.codes, params.abortion_codes);
  const CodeSet hpht(store.codes, params.hpht_codes);
  ServiceResult out;
  out.coverage.denominator = params.sasaran;
  for (Subject s = 0; s < store.subjects.size(); ++s) {
    if (store.episodes_of(s).empty() || !in_area(store, s, scope)) continue;
    bool counted = false;
    for (const EpisodeOfCareFact& e : store.episodes_of(s)) {
      if (!e.pregnancy || e.cancelled) continue;
      // HPHT: the extension; else an HPHT Observation dated up to 42 weeks before the episode start; else period.start.
      Day lmp = e.lmp;
      if (!e.lmp_explicit) {
        Day best = kNoDay;
        for (const ObservationFact& o : store.observations_of(s)) {
          if (o.kind != ValueKind::date || !hpht.contains(o.code)) continue;
          const Day d = static_cast<Day>(o.value_milli);
          if (d <= e.lmp && d >= e.lmp - 294 && d > best) best = d;
        }
        if (best != kNoDay) lmp = best;
      }
      if (e.end == kNoDay || e.end > scope.period.last) {
        if (lmp <= scope.period.last) ++out.carried_over;  // still pregnant at the period end: counted when it ends
        continue;
      }
      if (e.end < scope.period.first) continue;  // ended in an earlier period
      // Exclusions: abortion, premature partus, death during pregnancy.
      bool excluded = e.outcome == PregnancyOutcome::abortion || e.outcome == PregnancyOutcome::preterm ||
                      e.outcome == PregnancyOutcome::maternal_death || e.end - lmp < params.preterm_before_day;
      for (const ConditionFact& c : store.conditions_of(s)) {
        if (!abortion.contains(c.code) || c.onset == kNoInstant) continue;
        const Day d = local_day(c.onset, off);
        if (d >= lmp && d <= e.end) excluded = true;
      }
      if (const PatientFact* p = store.patient(s); p != nullptr && p->deceased != kNoInstant) {
        if (local_day(p->deceased, off) <= e.end) excluded = true;
      }
      if (excluded) {
        ++out.excluded;
        continue;
      }
      ++out.assessed;
      // Visits: distinct days in [HPHT, end], by trimester; doctor and USG per trimester.
      int visits[3] = {0, 0, 0};
      bool doctor[3] = {false, false, false};
      Day last_day = kNoDay;
      for (const EncounterFact& v : store.encounters_of(s)) {
        if (!usable(v)) continue;
        const bool is_anc =
            (e.ref != kNoCode && v.episode == e.ref) || anc.contains(v.type) || anc.contains(v.service_type);
        if (!is_anc) continue;
        const Day d = local_day(v.start, off);
        if (d < lmp || d > e.end) continue;
        const int g = d - lmp;
        const int tri = g < params.t2_from_day ? 0 : g < params.t3_from_day ? 1 : 2;
        if (d != last_day) ++visits[tri];
        last_day = d;
        if (doctors.contains(v.participant_role)) doctor[tri] = true;
      }
      bool usg_in[3] = {false, false, false};
      for (const ProcedureFact& pr : store.procedures_of(s)) {
        if (!usg.contains(pr.code) || pr.time == kNoInstant) continue;
        const Day d = local_day(pr.time, off);
        if (d < lmp || d > e.end) continue;
        const int g = d - lmp;
        usg_in[g < params.t2_from_day ? 0 : g < params.t3_from_day ? 1 : 2] = true;
      }
      bool ok = visits[0] >= params.min_t1 && visits[1] >= params.min_t2 && visits[2] >= params.min_t3;
      if (params.doctor_in_t1_and_t3) ok = ok && doctor[0] && doctor[2];
      if (params.usg == UsgRule::at_least_once) ok = ok && (usg_in[0] || usg_in[1] || usg_in[2]);
      if (params.usg == UsgRule::t1_and_t3) ok = ok && usg_in[0] && usg_in[2];
      if (ok && !counted) {
        ++out.coverage.numerator;
        counted = true;
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------- SPM-02

PersalinanParams default_persalinan_params() {
  PersalinanParams p;
  p.delivery_codes = concat({icd10_range("O80", "O84"), snomed({"236973005"})});
  return p;
}

ServiceResult evaluate_ibu_bersalin(const FactStore& store, const Scope& scope, const PersalinanParams& params) {
  check_store(store);
  require_sasaran(params.sasaran, "SPM-02 (pelayanan kesehatan ibu bersalin)");
  const int off = scope.utc_offset_minutes;
  const CodeSet delivery(store.codes, params.delivery_codes);
  ServiceResult out;
  out.coverage.denominator = params.sasaran;
  for (Subject s = 0; s < store.subjects.size(); ++s) {
    if (!in_area(store, s, scope)) continue;
    // Delivery events in the period: (time, encounter reference).
    std::vector<std::pair<Instant, Code>> events;
    for (const ConditionFact& c : store.conditions_of(s)) {
      if (delivery.contains(c.code)) events.emplace_back(c.onset, c.encounter);
    }
    for (const ProcedureFact& p : store.procedures_of(s)) {
      if (delivery.contains(p.code)) events.emplace_back(p.time, p.encounter);
    }
    if (events.empty()) continue;
    bool assessed = false, facility = false;
    for (auto [t, enc] : events) {
      // The delivery's encounter: the referenced one, else one of the same subject on the same day.
      const EncounterFact* at = nullptr;
      for (const EncounterFact& e : store.encounters_of(s)) {
        if (!usable(e)) continue;
        if (enc != kNoCode && e.ref == enc) {
          at = &e;
          break;
        }
        if (at == nullptr && t != kNoInstant && local_day(e.start, off) <= local_day(t, off) &&
            (e.end == kNoInstant || local_day(e.end, off) >= local_day(t, off))) {
          at = &e;
        }
      }
      if (t == kNoInstant && at != nullptr) t = at->start;
      if (t == kNoInstant || !scope.period.contains(local_day(t, off))) continue;
      assessed = true;
      // At a health facility: the encounter is not a home visit / virtual / unknown class.
      if (at != nullptr &&
          (at->cls == EncounterClass::imp || at->cls == EncounterClass::amb || at->cls == EncounterClass::emer)) {
        facility = true;
      }
    }
    if (assessed) ++out.assessed;
    if (facility) ++out.coverage.numerator;
  }
  return out;
}

// ---------------------------------------------------------------- SPM-03

NeonatalParams default_neonatal_params() {
  return NeonatalParams{};
}

ServiceResult evaluate_bayi_baru_lahir(const FactStore& store, const Scope& scope, const NeonatalParams& params) {
  check_store(store);
  require_sasaran(params.sasaran, "SPM-03 (pelayanan kesehatan bayi baru lahir)");
  const int off = scope.utc_offset_minutes;
  const CodeSet visit_codes(store.codes, params.visit_codes);
  ServiceResult out;
  out.coverage.denominator = params.sasaran;
  for (const PatientFact& p : store.patients) {
    if (p.birth == kNoDay || !in_area(store, p.subject, scope)) continue;
    // Only babies whose neonatal period (day 28) or KN3 can fall in the period.
    if (p.birth > scope.period.last || p.birth + params.kn3_to_day < scope.period.first) continue;
    bool kn1 = false, kn2 = false;
    Instant done = kNoInstant;
    for (const EncounterFact& e : store.encounters_of(p.subject)) {
      if (!usable(e)) continue;
      if (!visit_codes.empty() && !visit_codes.contains(e.type) && !visit_codes.contains(e.service_type)) continue;
      const int dd = local_day(e.start, off) - p.birth;
      if (p.birth_time != kNoInstant) {
        const Instant h = e.start - p.birth_time;
        if (h >= Instant{params.kn1_from_hours} * 3600 && h <= Instant{params.kn1_to_hours} * 3600) kn1 = true;
      } else if (dd >= 0 && dd <= params.kn1_to_day_without_birth_time) {
        kn1 = true;
      }
      if (dd >= params.kn2_from_day && dd <= params.kn2_to_day) kn2 = true;
      if (dd >= params.kn3_from_day && dd <= params.kn3_to_day && kn1 && kn2 && done == kNoInstant) done = e.start;
    }
    const Day closes = p.birth + params.kn3_to_day;
    const bool counted = done != kNoInstant && scope.period.contains(local_day(done, off));
    if (counted || scope.period.contains(closes)) ++out.assessed;
    if (counted) ++out.coverage.numerator;
  }
  return out;
}

// ---------------------------------------------------------------- SPM-04

BalitaParams default_balita_params() {
  using namespace codes;
  BalitaParams p;
  const FactKind obs = FactKind::observation, svc = FactKind::service, imm = FactKind::immunization;
  p.standar_0_11 = {
      {"penimbangan", obs, body_weight(), 8, -1, -1, 0},                       // weighing (OCR "I" x/yr, read as 8)
      {"panjang/tinggi badan", obs, body_height(), 2, -1, -1, 0},              // length/height
      {"lingkar kepala", obs, head_circumference(), 2, -1, -1, 0},             // head circumference
      {"pemantauan perkembangan", svc, simpul_service("kpsp"), 4, -1, -1, 0},  // development monitoring
      {"vitamin A biru", svc, simpul_service("vitamin-a"), 1, 6, 12, 0},       // blue capsule at 6-11 months
      {"imunisasi BCG", imm, simpul_vaccine("BCG"), 1, -1, -1, 0},
      {"imunisasi polio tetes", imm, simpul_vaccine("OPV"), 4, -1, -1, 0},
      {"imunisasi polio suntik", imm, simpul_vaccine("IPV"), 1, -1, -1, 0},
      {"imunisasi DPT-HB-Hib", imm, simpul_vaccine("DPT-HB-Hib"), 3, -1, -1, 0},
      {"imunisasi campak-rubela", imm, simpul_vaccine("MR"), 1, -1, -1, 0},
  };
  p.standar_12_23 = {
      {"penimbangan", obs, body_weight(), 8, -1, -1, 4},
      {"panjang/tinggi badan", obs, body_height(), 2, -1, -1, 0},
      {"lingkar kepala", obs, head_circumference(), 2, -1, -1, 0},
      {"pemantauan perkembangan", svc, simpul_service("kpsp"), 2, -1, -1, 0},
      {"vitamin A merah", svc, simpul_service("vitamin-a"), 2, -1, -1, 0},  // red capsule twice a year
      {"imunisasi lanjutan DPT-HB-Hib", imm, simpul_vaccine("DPT-HB-Hib"), 1, -1, -1, 0},
      {"imunisasi lanjutan campak-rubela", imm, simpul_vaccine("MR"), 1, -1, -1, 0},
  };
  p.standar_24_59 = {
      {"penimbangan", obs, body_weight(), 8, -1, -1, 4},
      {"tinggi badan", obs, body_height(), 2, -1, -1, 0},
      {"lingkar kepala", obs, head_circumference(), 1, -1, -1, 0},
      {"pemantauan perkembangan", svc, simpul_service("kpsp"), 1, -1, -1, 0},
      {"vitamin A merah", svc, simpul_service("vitamin-a"), 2, -1, -1, 0},
  };
  return p;
}

ServiceResult evaluate_balita(const FactStore& store, const Scope& scope, const BalitaParams& params) {
  check_store(store);
  require_sasaran(params.sasaran, "SPM-04 (pelayanan kesehatan balita)");
  const int off = scope.utc_offset_minutes;
  const CompiledPackage p0 = compile(store, params.standar_0_11);
  const CompiledPackage p1 = compile(store, params.standar_12_23);
  const CompiledPackage p2 = compile(store, params.standar_24_59);
  ServiceResult out;
  out.coverage.denominator = params.sasaran;
  for (const PatientFact& p : store.patients) {
    if (p.birth == kNoDay || !in_area(store, p.subject, scope)) continue;
    const int months = whole_months_between(p.birth, scope.period.last);
    if (months < 12 || months >= 60) continue;  // not a child of 12-59 months at the period end
    // The year of age completed last (ending on or before the period end).
    const int y = months / 12;
    const Instant from = day_start(add_months(p.birth, 12 * (y - 1)), off);
    const Instant to = day_start(add_months(p.birth, 12 * y), off);
    const CompiledPackage& pkg = y == 1 ? p0 : y == 2 ? p1 : p2;
    ++out.assessed;
    if (package_done(store, p.subject, pkg, from, to, p.birth, off)) ++out.coverage.numerator;
  }
  return out;
}

// ---------------------------------------------------------------- SPM-05..07

ScreeningParams default_usia_pendidikan_dasar_params() {
  ScreeningParams p;
  p.min_age_years = 7;
  p.max_age_exclusive = 16;  // 7-15 years inclusive
  p.package = {{"status gizi: berat badan", FactKind::observation, codes::body_weight(), 1, -1, -1, 0},
               {"status gizi: tinggi badan", FactKind::observation, codes::body_height(), 1, -1, -1, 0},
               {"tanda vital", FactKind::observation, codes::vital_signs(), 1, -1, -1, 0}};
  return p;
}

ScreeningParams default_usia_produktif_params() {
  ScreeningParams p;
  p.min_age_years = 15;
  p.max_age_exclusive = 60;
  p.package = {{"berat badan", FactKind::observation, codes::body_weight(), 1, -1, -1, 0},
               {"tinggi badan", FactKind::observation, codes::body_height(), 1, -1, -1, 0},
               {"lingkar perut", FactKind::observation, codes::waist_circumference(), 1, -1, -1, 0},
               {"tekanan darah", FactKind::observation, codes::blood_pressure(), 1, -1, -1, 0}};
  p.extra_from_age = 40;
  p.extra = {{"gula darah", FactKind::observation, codes::glucose(), 1, -1, -1, 0}};
  return p;
}

ScreeningParams default_usia_lanjut_params() {
  ScreeningParams p;
  p.min_age_years = 60;
  p.max_age_exclusive = 200;
  p.package = {{"berat badan", FactKind::observation, codes::body_weight(), 1, -1, -1, 0},
               {"tekanan darah", FactKind::observation, codes::blood_pressure(), 1, -1, -1, 0},
               {"gula darah", FactKind::observation, codes::glucose(), 1, -1, -1, 0},
               {"kolesterol", FactKind::observation, codes::cholesterol(), 1, -1, -1, 0}};
  return p;
}

ServiceResult evaluate_screening(const FactStore& store, const Scope& scope, const ScreeningParams& params) {
  check_store(store);
  require_sasaran(params.sasaran, "SPM screening service (SPM-05/06/07)");
  const int off = scope.utc_offset_minutes;
  const CompiledPackage pkg = compile(store, params.package);
  const CompiledPackage extra = compile(store, params.extra);
  const Instant from = period_from(scope), to = period_to(scope);
  ServiceResult out;
  out.coverage.denominator = params.sasaran;
  for (const PatientFact& p : store.patients) {
    if (p.birth == kNoDay || !in_area(store, p.subject, scope)) continue;
    const int age_end = whole_years_between(p.birth, scope.period.last);
    const int age_start = whole_years_between(p.birth, scope.period.first);
    if (age_end < params.min_age_years || age_start >= params.max_age_exclusive) continue;  // never in the band
    ++out.assessed;
    auto done = package_done(store, p.subject, pkg, from, to, p.birth, off);
    if (!done) continue;
    Instant t = *done;
    if (params.extra_from_age >= 0 && whole_years_between(p.birth, local_day(t, off)) >= params.extra_from_age) {
      auto e = package_done(store, p.subject, extra, from, to, p.birth, off);
      if (!e) continue;
      t = std::max(t, *e);
    }
    // The age band is the age on the day the package was completed.
    const int age = whole_years_between(p.birth, local_day(t, off));
    if (age >= params.min_age_years && age < params.max_age_exclusive) ++out.coverage.numerator;
  }
  return out;
}

// ---------------------------------------------------------------- SPM-08/09

ChronicParams default_hipertensi_params() {
  ChronicParams p;
  p.diagnosis_codes = icd10_range("I10", "I15");
  p.monthly = {{"pengukuran tekanan darah", FactKind::observation, codes::blood_pressure(), 1, -1, -1, 0}};
  return p;
}

ChronicParams default_dm_params() {
  ChronicParams p;
  p.diagnosis_codes = icd10_range("E10", "E14");
  p.monthly = {{"pemeriksaan gula darah", FactKind::observation, codes::glucose(), 1, -1, -1, 0}};
  p.monthly_visit = true;
  return p;
}

ServiceResult evaluate_chronic(const FactStore& store, const Scope& scope, const ChronicParams& params) {
  check_store(store);
  require_sasaran(params.sasaran, "SPM-08/09 (hipertensi / diabetes melitus)");
  const int off = scope.utc_offset_minutes;
  const CodeSet dx(store.codes, params.diagnosis_codes);
  const CompiledPackage monthly = compile(store, params.monthly);
  const CivilDate first = civil_from_day(scope.period.first);
  const Day first_month = day_from_civil(first.year, first.month, 1);
  ServiceResult out;
  out.coverage.denominator = params.sasaran;
  for (Subject s = 0; s < store.subjects.size(); ++s) {
    if (store.conditions_of(s).empty() || !in_area(store, s, scope)) continue;
    // The earliest diagnosis known by the period end (an undated one counts as known before).
    Day diagnosed = kNoDay;
    bool has = false;
    for (const ConditionFact& c : store.conditions_of(s)) {
      if (!dx.contains(c.code)) continue;
      const Day d = c.onset == kNoInstant ? scope.period.first : local_day(c.onset, off);
      if (d > scope.period.last) continue;
      if (!has || d < diagnosed) diagnosed = d;
      has = true;
    }
    if (!has) continue;
    const Day birth = birth_of(store, s);
    if (birth == kNoDay || whole_years_between(birth, scope.period.last) < params.min_age_years) continue;
    ++out.assessed;
    Day month = first_month;
    if (diagnosed > scope.period.first) {
      const CivilDate c = civil_from_day(diagnosed);
      month = day_from_civil(c.year, c.month, 1);
    }
    int missing = 0;
    for (; month <= scope.period.last; month = add_months(month, 1)) {
      const Instant from = day_start(month, off);
      const Instant to = day_start(std::min(add_months(month, 1), scope.period.last + 1), off);
      bool ok = package_done(store, s, monthly, from, to, birth, off).has_value();
      if (ok && params.monthly_visit) {
        ok = std::any_of(store.encounters_of(s).begin(), store.encounters_of(s).end(),
                         [&](const EncounterFact& e) { return usable(e) && e.start >= from && e.start < to; });
      }
      if (!ok) ++missing;
    }
    if (missing <= params.allowed_missing_months) ++out.coverage.numerator;
  }
  return out;
}

// ---------------------------------------------------------------- SPM-10

OdgjParams default_odgj_params() {
  OdgjParams p;
  p.diagnosis_codes = icd10_range("F20", "F29");
  return p;
}

ServiceResult evaluate_odgj(const FactStore& store, const Scope& scope, const OdgjParams& params) {
  check_store(store);
  require_sasaran(params.sasaran, "SPM-10 (ODGJ berat)");
  const int off = scope.utc_offset_minutes;
  const CodeSet dx(store.codes, params.diagnosis_codes);
  ServiceResult out;
  out.coverage.denominator = params.sasaran;
  for (Subject s = 0; s < store.subjects.size(); ++s) {
    if (store.conditions_of(s).empty() || !in_area(store, s, scope)) continue;
    bool known = false;
    int visits = 0;
    Day last = kNoDay;
    for (const ConditionFact& c : store.conditions_of(s)) {
      if (!dx.contains(c.code)) continue;
      const Day d = c.onset == kNoInstant ? kNoDay : local_day(c.onset, off);
      if (d == kNoDay || d <= scope.period.last) known = true;
      if (scope.period.contains(d) && d != last) {
        ++visits;
        last = d;
      }
    }
    if (!known) continue;
    ++out.assessed;
    if (visits >= params.min_visits) ++out.coverage.numerator;
  }
  return out;
}

// ---------------------------------------------------------------- SPM-11

TbParams default_tb_params() {
  TbParams p;
  // TCM (GeneXpert) MTB DNA by NAA, AFB smear microscopy, chest X-ray; plus Simpul's own codes.
  p.exam_codes = {std::string(kLoinc) + "|38379-4", std::string(kLoinc) + "|85362-2", std::string(kLoinc) + "|11545-1",
                  std::string(kLoinc) + "|36643-5", std::string(kLoinc) + "|24648-8", std::string(kLoinc) + "|24647-0",
                  std::string(kLoinc) + "|36572-6"};
  for (auto& c : codes::simpul_service("tcm")) p.exam_codes.push_back(c);
  for (auto& c : codes::simpul_service("bta")) p.exam_codes.push_back(c);
  for (auto& c : codes::simpul_service("rontgen-toraks")) p.exam_codes.push_back(c);
  return p;
}

std::int64_t estimated_presumptive_tb(std::int64_t case_finding_target) {
  if (case_finding_target < 0 || case_finding_target > std::numeric_limits<std::int64_t>::max() / 2000) {
    throw Error::invalid("The TB case-finding target must be a non-negative count", "case_finding_target");
  }
  return (case_finding_target * 2000 + 54) / 108;  // target / 0.54 x 10, rounded half up
}

ServiceResult evaluate_terduga_tb(const FactStore& store, const Scope& scope, const TbParams& params) {
  check_store(store);
  require_sasaran(params.sasaran, "SPM-11 (orang terduga TBC)");
  const CodeSet exam(store.codes, params.exam_codes);
  const Instant from = period_from(scope), to = period_to(scope);
  auto in = [&](Instant t) { return t != kNoInstant && t >= from && t < to; };
  ServiceResult out;
  out.coverage.denominator = params.sasaran;
  for (Subject s = 0; s < store.subjects.size(); ++s) {
    if (!in_area(store, s, scope)) continue;
    bool examined = false;
    for (const ObservationFact& o : store.observations_of(s))
      examined = examined || (exam.contains(o.code) && in(o.time));
    for (const ProcedureFact& p : store.procedures_of(s)) examined = examined || (exam.contains(p.code) && in(p.time));
    for (const ServiceRequestFact& r : store.service_requests_of(s)) {
      examined = examined || (r.completed && exam.contains(r.code) && in(r.time));
    }
    if (!examined) continue;
    ++out.assessed;
    ++out.coverage.numerator;
  }
  return out;
}

// ---------------------------------------------------------------- SPM-12

HivParams default_hiv_params() {
  HivParams p;
  // HIV-1/2 antibody rapid tests; plus Simpul's own code for "R1".
  p.test_codes = {std::string(kLoinc) + "|68961-2", std::string(kLoinc) + "|89365-1", std::string(kLoinc) + "|31201-7"};
  for (auto& c : codes::simpul_service("hiv-r1")) p.test_codes.push_back(c);
  p.risk_condition_codes =
      concat({icd10_range("A15", "A19"),
              icd10_range("A50", "A64"),
              {std::string(kIcd10) + "|Z72.5*", std::string(kIcd10) + "|Z20.6*", std::string(kIcd10) + "|O09*",
               std::string(kIcd10) + "|Z33*", std::string(kIcd10) + "|Z34*", std::string(kIcd10) + "|Z35*"}});
  for (auto& c : codes::simpul_service("populasi-kunci")) p.risk_condition_codes.push_back(c);
  return p;
}

ServiceResult evaluate_risiko_hiv(const FactStore& store, const Scope& scope, const HivParams& params) {
  check_store(store);
  require_sasaran(params.sasaran, "SPM-12 (orang dengan risiko terinfeksi HIV)");
  const int off = scope.utc_offset_minutes;
  const CodeSet test(store.codes, params.test_codes);
  const CodeSet risk(store.codes, params.risk_condition_codes);
  const Instant from = period_from(scope), to = period_to(scope);
  ServiceResult out;
  out.coverage.denominator = params.sasaran;
  for (Subject s = 0; s < store.subjects.size(); ++s) {
    if (store.observations_of(s).empty() || !in_area(store, s, scope)) continue;
    Instant tested = kNoInstant;
    for (const ObservationFact& o : store.observations_of(s)) {
      if (test.contains(o.code) && o.time >= from && o.time < to) {
        tested = o.time;
        break;
      }
    }
    if (tested == kNoInstant) continue;
    ++out.assessed;
    bool at_risk = !params.require_risk_group;
    for (const ConditionFact& c : store.conditions_of(s)) {
      at_risk = at_risk || (risk.contains(c.code) && (c.onset == kNoInstant || c.onset < to));
    }
    for (const EpisodeOfCareFact& e : store.episodes_of(s)) {  // pregnant at the test
      const Day d = local_day(tested, off);
      at_risk = at_risk || (e.pregnancy && !e.cancelled && e.lmp <= d && (e.end == kNoDay || e.end >= d));
    }
    if (at_risk) ++out.coverage.numerator;
  }
  return out;
}

}  // namespace simpul::mappings::measures::spm
