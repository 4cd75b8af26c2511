#include "mappings/measures/evaluate.hpp"

#include <algorithm>
#include <charconv>
#include <functional>

#include "fhir/error.hpp"
#include "fhir/json.hpp"
#include "mappings/measures/exact.hpp"
#include "mappings/measures/kbk.hpp"
#include "mappings/measures/measure_fhir.hpp"
#include "mappings/measures/spm_puskesmas.hpp"
#include "mappings/measures/spm_rs.hpp"

namespace simpul::mappings::measures {

namespace {

using fhir::Error;
using rapidjson::Value;

constexpr std::string_view kPopulationSystem = "http://terminology.hl7.org/CodeSystem/measure-population";
constexpr std::string_view kRatingExtension = "https://fhir.simpul.id/StructureDefinition/kbk-rating";
constexpr std::string_view kMeetsTargetExtension = "https://fhir.simpul.id/StructureDefinition/measure-meets-target";

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int number(std::string_view s) {
  int v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

std::string two(unsigned v) {
  return std::string(v < 10 ? "0" : "") + std::to_string(v);
}

std::string date_text(Day d) {
  const CivilDate c = civil_from_day(d);
  return std::to_string(c.year) + "-" + two(c.month) + "-" + two(c.day);
}

// ---------------------------------------------------------------- parameters

std::int64_t count_at(const Value& o, std::string_view key, const std::string& path) {
  const Value* v = fhir::member(o, key);
  if (v == nullptr) return -1;
  if (!v->IsInt64() || v->GetInt64() < 0) {
    throw Error::value(path + " must be a whole number, 0 or more", path);
  }
  return v->GetInt64();
}

// A decimal given as a JSON string or number, in thousandths (mg/dL x 1000), exactly.
std::optional<std::int64_t> milli_at(const Value& o, std::string_view key, const std::string& path) {
  const Value* v = fhir::member(o, key);
  if (v == nullptr) return std::nullopt;
  std::optional<Rational> r;
  if (v->IsString()) r = Rational::try_parse(fhir::as_string_view(*v));
  if (v->IsInt64()) r = Rational(v->GetInt64());
  if (!r || r->is_negative()) throw Error::value(path + " must be a decimal such as \"130\" or \"7.5\"", path);
  const Rational milli = *r * Rational(1000);
  if (!milli.is_integer()) throw Error::value(path + " has more than 3 decimals", path);
  return milli.numerator();
}

std::string icd10_pattern(std::string_view code, const std::string& path) {
  if (code.empty() || code.size() > 8) throw Error::value(path + " must be an ICD-10 code or prefix (J06, K29*)", path);
  std::string p = std::string(kIcd10) + "|" + std::string(code);
  // A three-character category stands for itself and its subcodes.
  if (code.back() != '*' && code.size() == 3) p += "*";
  return p;
}

}  // namespace

PeriodKey parse_period_key(std::string_view text, int school_year_start_month) {
  const auto bad = [&] {
    return Error::value("period '" + std::string(text.substr(0, 20)) +
                            "' must be a month (2026-03), a quarter (2026-Q1), a year (2026) or a school year "
                            "(2025/2026)",
                        "period");
  };
  PeriodKey key;
  key.text = std::string(text);
  if (text.size() < 4 || !all_digits(text.substr(0, 4))) throw bad();
  const int year = number(text.substr(0, 4));
  if (year < 1900 || year > 2999) throw bad();
  if (text.size() == 4) {
    key.period = year_period(year);
  } else if (text.size() == 7 && text[4] == '-' && text[5] == 'Q' && text[6] >= '1' && text[6] <= '4') {
    const unsigned q = static_cast<unsigned>(text[6] - '0');
    key.period = months_period(year, 3 * q - 2, year, 3 * q);
  } else if (text.size() == 7 && text[4] == '-' && all_digits(text.substr(5, 2))) {
    const int m = number(text.substr(5, 2));
    if (m < 1 || m > 12) throw bad();
    key.period = months_period(year, static_cast<unsigned>(m), year, static_cast<unsigned>(m));
  } else if (text.size() == 9 && text[4] == '/' && all_digits(text.substr(5, 4)) &&
             number(text.substr(5, 4)) == year + 1) {
    const int s = school_year_start_month;
    if (s < 2 || s > 12) throw Error::value("school_year_start_month must be 2..12", "school_year_start_month");
    key.period = months_period(year, static_cast<unsigned>(s), year + 1, static_cast<unsigned>(s - 1));
  } else {
    throw bad();
  }
  return key;
}

MeasureParameters parse_parameters(const Value& json) {
  if (!json.IsObject()) throw Error::value("the parameters must be a JSON object", "parameters");
  MeasureParameters p;
  if (const Value* v = fhir::member(json, "utc_offset_minutes")) {
    if (!v->IsInt() || v->GetInt() < -720 || v->GetInt() > 840) {
      throw Error::value("utc_offset_minutes must be minutes east of UTC (WIB 420)", "utc_offset_minutes");
    }
    p.utc_offset_minutes = v->GetInt();
  }
  if (const Value* v = fhir::member(json, "school_year_start_month")) {
    if (!v->IsInt() || v->GetInt() < 2 || v->GetInt() > 12) {
      throw Error::value("school_year_start_month must be 2..12", "school_year_start_month");
    }
    p.school_year_start_month = v->GetInt();
  }
  for (auto [key, out] : {std::pair<std::string_view, std::string*>{"area", &p.area}, {"provider", &p.provider}}) {
    if (const Value* v = fhir::member(json, key)) {
      if (!v->IsString()) throw Error::value(std::string(key) + " must be a string", std::string(key));
      *out = std::string(fhir::as_string_view(*v));
    }
  }
  p.kbk.utc_offset_minutes = p.utc_offset_minutes;
  if (const Value* k = fhir::member(json, "kbk")) {
    if (!k->IsObject()) throw Error::value("kbk must be an object", "kbk");
    p.kbk_given = true;
    p.kbk.registered_participants = count_at(*k, "registered_participants", "kbk.registered_participants");
    p.kbk.dm_registered = count_at(*k, "dm_registered", "kbk.dm_registered");
    p.kbk.ht_registered = count_at(*k, "ht_registered", "kbk.ht_registered");
    if (const Value* t = fhir::member(*k, "tacc_out_of_denominator")) {
      if (!t->IsBool()) throw Error::value("kbk.tacc_out_of_denominator must be true or false", "kbk.tacc_out_of_denominator");
      p.kbk.tacc_out_of_denominator = t->GetBool();
    }
    if (const Value* c = fhir::member(*k, "competence_diagnoses")) {
      if (!c->IsArray()) throw Error::value("kbk.competence_diagnoses must be an array of ICD-10 codes", "kbk.competence_diagnoses");
      for (rapidjson::SizeType i = 0; i < c->Size(); ++i) {
        const std::string path = "kbk.competence_diagnoses[" + std::to_string(i) + "]";
        if (!(*c)[i].IsString()) throw Error::value(path + " must be a string", path);
        p.kbk.competence_diagnoses.push_back(icd10_pattern(fhir::as_string_view((*c)[i]), path));
      }
    }
    if (auto g = milli_at(*k, "fasting_glucose_max_mg_dl", "kbk.fasting_glucose_max_mg_dl")) p.kbk.fasting_glucose_max_milli = *g;
    if (auto s = milli_at(*k, "systolic_below_mmhg", "kbk.systolic_below_mmhg")) p.kbk.systolic_below_milli = *s;
    if (auto d = milli_at(*k, "diastolic_below_mmhg", "kbk.diastolic_below_mmhg")) p.kbk.diastolic_below_milli = *d;
  }
  if (const Value* s = fhir::member(json, "sasaran")) {
    if (!s->IsObject()) throw Error::value("sasaran must be an object of measure id -> target population", "sasaran");
    for (auto m = s->MemberBegin(); m != s->MemberEnd(); ++m) {
      const std::string id(fhir::as_string_view(m->name));
      const std::string path = "sasaran." + id;
      if (find_measure(id) == nullptr) throw Error::value(path + ": no such measure in the catalogue", path);
      if (!m->value.IsInt64() || m->value.GetInt64() < 0) throw Error::value(path + " must be a whole number", path);
      p.sasaran[id] = m->value.GetInt64();
    }
  }
  return p;
}

// ---------------------------------------------------------------- evaluation

namespace {

// What an evaluator found, before it becomes a MeasureReport group.
struct GroupResult {
  std::string id;
  std::optional<Proportion> proportion;   // numerator / denominator
  std::optional<DurationStat> duration;   // continuous variable (minutes)
  std::optional<Rational> score;          // the figure in the measure's unit
  std::optional<int> rating;              // KBK rating 1..4
};

std::int64_t unit_scale(Unit u) {
  return u == Unit::per_mille ? 1000 : u == Unit::percent ? 100 : 1;
}

std::optional<Rational> proportion_score(const Proportion& p, Unit unit) {
  if (p.denominator <= 0) return std::nullopt;  // undefined: reported without a score
  return ratio_of_counts(p.numerator, p.denominator, unit_scale(unit));
}

const Period& require_month(const MeasureDef& m, const PeriodKey& key) {
  const CivilDate a = civil_from_day(key.period.first), b = civil_from_day(key.period.last);
  if (a.year != b.year || a.month != b.month) {
    throw Error::value(std::string(m.id) + " is assessed per month: give a period like 2026-03", "period");
  }
  return key.period;
}

kbk::KbkCounts kbk_counts(const MeasureDef& m, const FactStore& facts, const PeriodKey& key,
                          const MeasureParameters& p, EvaluationCache* cache) {
  if (!p.kbk_given) throw Error::value(std::string(m.id) + " needs the kbk parameters", "kbk");
  const Period& month = require_month(m, key);
  if (cache != nullptr) {
    if (auto it = cache->kbk.find(key.text); it != cache->kbk.end()) return it->second;
  }
  kbk::KbkCounts counts = kbk::count_kbk(facts, month, p.kbk);
  if (cache != nullptr) cache->kbk.emplace(key.text, counts);
  return counts;
}

// Each ratio from its own counts: an undefined RPPT (nobody with DM) does not stop AK.
Rational ak_of(const kbk::KbkCounts& c) {
  return angka_kontak(c.ak.numerator, c.ak.denominator);
}
Rational rrns_of(const kbk::KbkCounts& c) {
  return rasio_rujukan_non_spesialistik(c.rrns.numerator, c.rrns.denominator);
}
Rational rppt_of(const kbk::KbkCounts& c) {
  return rasio_prolanis_terkendali(c.rppt_dm.numerator, c.rppt_dm.denominator, c.rppt_ht.numerator,
                                   c.rppt_ht.denominator);
}

std::int64_t sasaran_of(const MeasureDef& m, const MeasureParameters& p) {
  auto it = p.sasaran.find(m.id);
  if (it == p.sasaran.end()) {
    throw Error::value(std::string(m.id) + " needs its target population: sasaran." + std::string(m.id),
                       "sasaran." + std::string(m.id));
  }
  return it->second;
}

using SpmEvaluator =
    std::function<spm::ServiceResult(const FactStore&, const spm::Scope&, std::int64_t sasaran)>;

template <class Params>
SpmEvaluator spm_with(Params (*defaults)(), spm::ServiceResult (*eval)(const FactStore&, const spm::Scope&,
                                                                      const Params&)) {
  return [defaults, eval](const FactStore& f, const spm::Scope& s, std::int64_t sasaran) {
    Params p = defaults();
    p.sasaran = sasaran;
    return eval(f, s, p);
  };
}

const std::map<std::string_view, SpmEvaluator>& spm_evaluators() {
  static const std::map<std::string_view, SpmEvaluator> table = {
      {"spm-pkm-01-ibu-hamil", spm_with(spm::default_anc_params, spm::evaluate_ibu_hamil)},
      {"spm-pkm-02-ibu-bersalin", spm_with(spm::default_persalinan_params, spm::evaluate_ibu_bersalin)},
      {"spm-pkm-03-bayi-baru-lahir", spm_with(spm::default_neonatal_params, spm::evaluate_bayi_baru_lahir)},
      {"spm-pkm-04-balita", spm_with(spm::default_balita_params, spm::evaluate_balita)},
      {"spm-pkm-05-usia-pendidikan-dasar", spm_with(spm::default_usia_pendidikan_dasar_params, spm::evaluate_screening)},
      {"spm-pkm-06-usia-produktif", spm_with(spm::default_usia_produktif_params, spm::evaluate_screening)},
      {"spm-pkm-07-usia-lanjut", spm_with(spm::default_usia_lanjut_params, spm::evaluate_screening)},
      {"spm-pkm-08-hipertensi", spm_with(spm::default_hipertensi_params, spm::evaluate_chronic)},
      {"spm-pkm-09-diabetes", spm_with(spm::default_dm_params, spm::evaluate_chronic)},
      {"spm-pkm-10-odgj-berat", spm_with(spm::default_odgj_params, spm::evaluate_odgj)},
      {"spm-pkm-11-terduga-tb", spm_with(spm::default_tb_params, spm::evaluate_terduga_tb)},
      {"spm-pkm-12-hiv", spm_with(spm::default_hiv_params, spm::evaluate_risiko_hiv)},
  };
  return table;
}

// Hospital SPM measures and the RsResult field that answers each.
using RsPick = std::function<GroupResult(const rs::RsResult&)>;
RsPick proportion_of(Proportion rs::RsResult::*field) {
  return [field](const rs::RsResult& r) {
    GroupResult g;
    g.proportion = r.*field;
    return g;
  };
}
RsPick duration_of(DurationStat rs::RsResult::*field) {
  return [field](const rs::RsResult& r) {
    GroupResult g;
    g.duration = r.*field;
    return g;
  };
}

const std::map<std::string_view, RsPick>& rs_picks() {
  static const std::map<std::string_view, RsPick> table = {
      {"spm-rs-igd-waktu-tanggap", duration_of(&rs::RsResult::er_response)},
      {"spm-rs-igd-kematian-24-jam", proportion_of(&rs::RsResult::er_death_24h)},
      {"spm-rs-rj-waktu-tunggu", duration_of(&rs::RsResult::outpatient_wait)},
      {"spm-rs-ri-dpjp", proportion_of(&rs::RsResult::dpjp)},
      {"spm-rs-ri-kematian-48-jam", proportion_of(&rs::RsResult::death_over_48h)},
      {"spm-rs-ri-pulang-paksa", proportion_of(&rs::RsResult::pulang_paksa)},
      {"spm-rs-ri-tb-mikroskopis", proportion_of(&rs::RsResult::inpatient_tb_microscopy)},
      {"spm-rs-lab-waktu-tunggu", duration_of(&rs::RsResult::lab_turnaround)},
      {"spm-rs-rad-waktu-tunggu-thorax", duration_of(&rs::RsResult::cxr_turnaround)},
      {"spm-rs-icu-kembali-72-jam", proportion_of(&rs::RsResult::icu_return_72h)},
  };
  return table;
}

bool is_kbk(std::string_view id) {
  return id == "kbk-ak" || id == "kbk-rrns" || id == "kbk-rppt" || id == "kbk-score" || id == "kbk-capitation";
}

std::vector<GroupResult> evaluate_groups(const MeasureDef& m, const FactStore& facts, const PeriodKey& key,
                                         const MeasureParameters& p, EvaluationCache* cache) {
  std::vector<GroupResult> out;
  if (is_kbk(m.id)) {
    const kbk::KbkCounts c = kbk_counts(m, facts, key, p, cache);
    GroupResult g;
    if (m.id == "kbk-ak") {
      g.proportion = c.ak;
      g.score = ak_of(c);
      g.rating = rate_ak(*g.score);
    } else if (m.id == "kbk-rrns") {
      g.proportion = c.rrns;
      g.score = rrns_of(c);
      g.rating = rate_rrns(*g.score);
    } else if (m.id == "kbk-rppt") {
      GroupResult dm, ht;
      dm.id = "dm";
      dm.proportion = c.rppt_dm;
      dm.score = proportion_score(c.rppt_dm, Unit::percent);
      ht.id = "ht";
      ht.proportion = c.rppt_ht;
      ht.score = proportion_score(c.rppt_ht, Unit::percent);
      dm.rating = ht.rating = rate_rppt(rppt_of(c));
      out.push_back(dm);
      out.push_back(ht);
      return out;
    } else {
      const KbkResult r = kbk_score(ak_of(c), rrns_of(c), rppt_of(c));
      g.score = m.id == "kbk-score" ? r.total : Rational(r.capitation_percent);
    }
    out.push_back(g);
    return out;
  }
  spm::Scope scope;
  scope.period = key.period;
  scope.utc_offset_minutes = p.utc_offset_minutes;
  scope.area_prefix = p.area;
  if (auto it = spm_evaluators().find(m.id); it != spm_evaluators().end()) {
    const spm::ServiceResult r = it->second(facts, scope, sasaran_of(m, p));
    GroupResult g;
    g.proportion = r.coverage;
    g.score = proportion_score(r.coverage, m.unit);
    out.push_back(g);
    return out;
  }
  if (auto it = rs_picks().find(m.id); it != rs_picks().end()) {
    rs::Scope rscope;
    rscope.period = key.period;
    rscope.utc_offset_minutes = p.utc_offset_minutes;
    rscope.provider = p.provider;
    std::optional<rs::RsResult> fresh;
    const rs::RsResult* result = nullptr;
    if (cache != nullptr) {
      if (auto c = cache->rs.find(key.text); c != cache->rs.end()) result = &c->second;
    }
    if (result == nullptr) {
      fresh = rs::evaluate_spm_rs(facts, rscope, rs::default_rs_params());
      result = &*fresh;
      if (cache != nullptr) result = &cache->rs.emplace(key.text, *fresh).first->second;
    }
    GroupResult g = it->second(*result);
    if (g.proportion) g.score = proportion_score(*g.proportion, m.unit);
    if (g.duration && g.duration->count > 0) {
      const Proportion mean = g.duration->mean_minutes();
      g.score = Rational::of(mean.numerator, mean.denominator);
    }
    out.push_back(g);
    return out;
  }
  std::string why;
  evaluable(m, &why);
  throw Error::value(std::string(m.id) + ": " + why, "measure");
}

}  // namespace

bool evaluable(const MeasureDef& m, std::string* why) {
  if (is_kbk(m.id) || spm_evaluators().count(m.id) || rs_picks().count(m.id)) return true;
  if (why != nullptr) {
    if (m.family == Family::pengampuan) {
      *why = "pengampuan indicators are defined per engagement (mentor/mentee pair and priority service); "
             "they are not evaluated from the command line yet";
    } else if (m.id == "spm-pkm-ipspm") {
      *why = "the IPSPM composite needs the quality (mutu) index, which is a parameter not yet loaded";
    } else {
      *why = "no FHIR element carries what this indicator counts (survey, staffing or infection data)";
    }
  }
  return false;
}

rapidjson::Document evaluate_measure(const MeasureDef& m, const FactStore& facts, const PeriodKey& key,
                                     const MeasureParameters& p, const ReportContext& context,
                                     EvaluationCache* cache) {
  const std::vector<GroupResult> groups = evaluate_groups(m, facts, key, p, cache);
  rapidjson::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  const auto str = [&](std::string_view s) { return Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a); };
  doc.AddMember("resourceType", "MeasureReport", a);
  doc.AddMember("status", "complete", a);
  doc.AddMember("type", "summary", a);
  doc.AddMember("measure", str(measure_url(m.id)), a);
  if (!context.date.empty()) doc.AddMember("date", str(context.date), a);
  if (!context.reporter_value.empty()) {
    Value reporter(rapidjson::kObjectType), identifier(rapidjson::kObjectType);
    if (!context.reporter_system.empty()) identifier.AddMember("system", str(context.reporter_system), a);
    identifier.AddMember("value", str(context.reporter_value), a);
    reporter.AddMember("identifier", identifier, a);
    if (!context.reporter_display.empty()) reporter.AddMember("display", str(context.reporter_display), a);
    doc.AddMember("reporter", reporter, a);
  }
  Value period(rapidjson::kObjectType);
  period.AddMember("start", str(date_text(key.period.first)), a);
  period.AddMember("end", str(date_text(key.period.last)), a);
  doc.AddMember("period", period, a);

  const UcumUnit unit = ucum_unit(m.unit);
  Value out_groups(rapidjson::kArrayType);
  for (const GroupResult& g : groups) {
    Value group(rapidjson::kObjectType);
    if (!g.id.empty()) group.AddMember("id", str(g.id), a);
    Value populations(rapidjson::kArrayType);
    const auto population = [&](std::string_view code, std::int64_t count) {
      Value coding(rapidjson::kObjectType), codings(rapidjson::kArrayType), code_concept(rapidjson::kObjectType),
          pop(rapidjson::kObjectType);
      coding.AddMember("system", str(kPopulationSystem), a);
      coding.AddMember("code", str(code), a);
      codings.PushBack(coding, a);
      code_concept.AddMember("coding", codings, a);
      pop.AddMember("code", code_concept, a);
      pop.AddMember("count", Value(static_cast<std::int64_t>(std::min<std::int64_t>(count, INT32_MAX))), a);
      populations.PushBack(pop, a);
    };
    if (g.proportion) {
      population("numerator", g.proportion->numerator);
      population("denominator", g.proportion->denominator);
    }
    if (g.duration) {
      population("initial-population", g.duration->count + g.duration->missing);
      population("measure-population", g.duration->count);
    }
    if (!populations.Empty()) group.AddMember("population", populations, a);
    if (g.score) {
      Value score(rapidjson::kObjectType);
      score.AddMember("value", fhir_decimal(*g.score, 2), a);
      score.AddMember("unit", str(unit.display), a);
      score.AddMember("system", "http://unitsofmeasure.org", a);
      score.AddMember("code", str(unit.code), a);
      group.AddMember("measureScore", score, a);
    }
    Value extensions(rapidjson::kArrayType);
    if (g.rating) {
      Value e(rapidjson::kObjectType);
      e.AddMember("url", str(kRatingExtension), a);
      e.AddMember("valueInteger", *g.rating, a);
      extensions.PushBack(e, a);
    }
    if (g.score && target_value(m) && groups.size() == 1) {
      Value e(rapidjson::kObjectType);
      e.AddMember("url", str(kMeetsTargetExtension), a);
      e.AddMember("valueBoolean", meets_target(m, *g.score), a);
      extensions.PushBack(e, a);
    }
    if (!extensions.Empty()) group.AddMember("extension", extensions, a);
    out_groups.PushBack(group, a);
  }
  doc.AddMember("group", out_groups, a);
  return doc;
}

}  // namespace simpul::mappings::measures
