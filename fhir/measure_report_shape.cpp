#include "fhir/measure_report_shape.hpp"

#include <algorithm>
#include <set>

#include "fhir/error.hpp"
#include "fhir/json.hpp"
#include "fhir/resource.hpp"

namespace simpul::fhir {

namespace {

class Problems {
 public:
  void add(std::string diagnostics, std::string expression, std::string code = "value") {
    issues_.push_back({Severity::error, std::move(code), std::move(diagnostics), {std::move(expression)}});
  }
  void throw_if_any() const {
    if (issues_.empty()) return;
    Error e(400, issues_.front(), "MeasureReport refused: " + issues_.front().diagnostics);
    for (std::size_t i = 1; i < issues_.size(); ++i) e.add_issue(issues_[i]);
    throw e;
  }

 private:
  std::vector<Issue> issues_;
};

bool is_canonical(std::string_view s) {
  if (s.empty() || s.size() > 1024) return false;
  if (s.rfind("http://", 0) != 0 && s.rfind("https://", 0) != 0 && s.rfind("urn:", 0) != 0) return false;
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return c > 0x20 && c < 0x7f; });
}

constexpr std::string_view kPopulationCodes[] = {
    "initial-population",   "numerator",          "numerator-exclusion",          "denominator",
    "denominator-exclusion", "denominator-exception", "measure-population", "measure-population-exclusion",
    "measure-observation"};

// The date part of a FHIR date/dateTime that names a whole day; "" otherwise.
std::string day_of(const rapidjson::Value* v) {
  if (!v || !v->IsString()) return {};
  const std::string_view s = as_string_view(*v);
  if (s.size() < 10 || (s.size() > 10 && s[10] != 'T')) return {};
  if (!is_calendar_date(s.substr(0, 10))) return {};
  return std::string(s.substr(0, 10));
}

void refuse_subject_results(const rapidjson::Value& populations, const std::string& where, Problems& p) {
  if (!populations.IsArray()) return;
  for (rapidjson::SizeType i = 0; i < populations.Size(); ++i)
    if (member(populations[i], "subjectResults"))
      p.add("A registry takes aggregates only: subjectResults (a list of persons) is not allowed.",
            where + ".population[" + std::to_string(i) + "].subjectResults", "security");
}

}  // namespace

bool is_calendar_date(std::string_view s) noexcept {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
    if (s[i] < '0' || s[i] > '9') return false;
  const int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  const int m = (s[5] - '0') * 10 + (s[6] - '0');
  const int d = (s[8] - '0') * 10 + (s[9] - '0');
  if (m < 1 || m > 12 || d < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

MeasureReportFigures read_measure_report(const rapidjson::Value& report) {
  Problems p;
  MeasureReportFigures out;
  if (!report.IsObject() || string_member(report, "resourceType").value_or("") != "MeasureReport") {
    p.add("The body must be a MeasureReport.", "resourceType", "invalid");
    p.throw_if_any();
  }
  const std::string_view status = string_member(report, "status").value_or("");
  if (status != "complete")
    p.add("MeasureReport.status must be 'complete': a registry takes final figures (got '" + std::string(status) + "').",
          "MeasureReport.status");
  const std::string_view type = string_member(report, "type").value_or("");
  if (type != "summary")
    p.add("MeasureReport.type must be 'summary': only aggregates leave the facility (got '" + std::string(type) + "').",
          "MeasureReport.type");
  const std::string_view measure = string_member(report, "measure").value_or("");
  if (!is_canonical(measure))
    p.add("MeasureReport.measure must be the Measure's canonical URL (http(s):// or urn:).", "MeasureReport.measure",
          measure.empty() ? "required" : "value");
  else
    out.measure = std::string(measure);

  const rapidjson::Value* period = member(report, "period");
  out.period_start = period ? day_of(member(*period, "start")) : std::string();
  out.period_end = period ? day_of(member(*period, "end")) : std::string();
  if (out.period_start.empty())
    p.add("MeasureReport.period.start must be a date (YYYY-MM-DD, or a dateTime on that day).",
          "MeasureReport.period.start", "required");
  if (out.period_end.empty())
    p.add("MeasureReport.period.end must be a date (YYYY-MM-DD, or a dateTime on that day).",
          "MeasureReport.period.end", "required");
  if (!out.period_start.empty() && !out.period_end.empty() && out.period_end < out.period_start)
    p.add("MeasureReport.period.end is before period.start.", "MeasureReport.period");

  if (const rapidjson::Value* reporter = member(report, "reporter")) {
    const std::string_view ref = string_member(*reporter, "reference").value_or("");
    if (ref.rfind("Organization/", 0) != 0 || !is_valid_id(ref.substr(13)))
      p.add("MeasureReport.reporter must be a reference 'Organization/<id>' to the reporting facility.",
            "MeasureReport.reporter.reference");
    else
      out.reporter_id = std::string(ref.substr(13));
  }
  if (const rapidjson::Value* subject = member(report, "subject")) {
    const std::string_view ref = string_member(*subject, "reference").value_or("");
    const bool aggregate = ref.rfind("Group/", 0) == 0 || ref.rfind("Location/", 0) == 0 ||
                           ref.rfind("Organization/", 0) == 0;
    if (!aggregate || member(*subject, "identifier"))
      p.add("MeasureReport.subject may only be a Group, Location or Organization reference: a registry takes no "
            "personal data.",
            "MeasureReport.subject", "security");
  }
  if (member(report, "evaluatedResource"))
    p.add("A registry takes aggregates only: evaluatedResource is not allowed.", "MeasureReport.evaluatedResource",
          "security");
  if (member(report, "contained"))
    p.add("A registry takes aggregates only: contained resources are not allowed.", "MeasureReport.contained",
          "security");

  const rapidjson::Value* groups = member(report, "group");
  if (!groups || !groups->IsArray() || groups->Empty()) {
    p.add("MeasureReport.group must hold at least one group with its populations.", "MeasureReport.group", "required");
  } else {
    std::set<std::string> keys;
    for (rapidjson::SizeType g = 0; g < groups->Size(); ++g) {
      const rapidjson::Value& group = (*groups)[g];
      const std::string where = "MeasureReport.group[" + std::to_string(g) + "]";
      MeasureGroup mg;
      if (const rapidjson::Value* code = member(group, "code")) {
        mg.code_json = to_json(*code);
        const rapidjson::Value* codings = member(*code, "coding");
        if (codings && codings->IsArray() && !codings->Empty())
          mg.key = std::string(string_member((*codings)[0], "system").value_or("")) + "|" +
                   std::string(string_member((*codings)[0], "code").value_or(""));
        else
          mg.key = std::string(string_member(*code, "text").value_or(""));
      }
      if (mg.key.empty() || mg.key == "|") {
        mg.key = "#";
        mg.key += std::to_string(g);
      }
      if (!keys.insert(mg.key).second) p.add("Two groups have the same code.", where + ".code");
      const rapidjson::Value* pops = member(group, "population");
      if (!pops || !pops->IsArray() || pops->Empty()) {
        p.add("Each group needs its populations (numerator, denominator, ...).", where + ".population", "required");
      } else {
        std::set<std::string> codes;
        for (rapidjson::SizeType i = 0; i < pops->Size(); ++i) {
          const rapidjson::Value& pop = (*pops)[i];
          const std::string pw = where + ".population[" + std::to_string(i) + "]";
          std::string code;
          const rapidjson::Value* cc = member(pop, "code");
          const rapidjson::Value* codings = cc ? member(*cc, "coding") : nullptr;
          if (codings && codings->IsArray())
            for (const auto& c : codings->GetArray())
              if (string_member(c, "system").value_or("") == kMeasurePopulationSystem)
                code = std::string(string_member(c, "code").value_or(""));
          if (std::find(std::begin(kPopulationCodes), std::end(kPopulationCodes), code) == std::end(kPopulationCodes)) {
            p.add("A population needs a code from " + std::string(kMeasurePopulationSystem) +
                      " (numerator, denominator, ...).",
                  pw + ".code", "code-invalid");
            continue;
          }
          if (!codes.insert(code).second) p.add("The population '" + code + "' appears twice in the group.", pw + ".code");
          const rapidjson::Value* count = member(pop, "count");
          if (!count || !count->IsInt64() || count->GetInt64() < 0) {
            p.add("A population count must be an integer >= 0.", pw + ".count", count ? "value" : "required");
            continue;
          }
          mg.populations.push_back({code, count->GetInt64()});
        }
        refuse_subject_results(*pops, where, p);
      }
      if (const rapidjson::Value* score = member(group, "measureScore")) {
        const rapidjson::Value* value = member(*score, "value");
        if (value && !value->IsNumber()) p.add("measureScore.value must be a number.", where + ".measureScore.value");
        mg.score_code = std::string(string_member(*score, "code").value_or(""));
      }
      if (const rapidjson::Value* strat = member(group, "stratifier"); strat && strat->IsArray()) {
        for (rapidjson::SizeType s = 0; s < strat->Size(); ++s) {
          const rapidjson::Value* strata = member((*strat)[s], "stratum");
          if (!strata || !strata->IsArray()) continue;
          for (rapidjson::SizeType k = 0; k < strata->Size(); ++k)
            if (const rapidjson::Value* sp = member((*strata)[k], "population"))
              refuse_subject_results(*sp, where + ".stratifier[" + std::to_string(s) + "].stratum[" +
                                              std::to_string(k) + "]",
                                     p);
        }
      }
      out.groups.push_back(std::move(mg));
    }
  }
  p.throw_if_any();
  return out;
}

std::string measure_report_content(const rapidjson::Value& report) {
  rapidjson::Document copy;
  copy.CopyFrom(report, copy.GetAllocator());
  if (copy.IsObject())
    for (const char* k : {"id", "meta", "text", "date", "identifier"}) copy.RemoveMember(k);
  return to_json(copy);
}

}  // namespace simpul::fhir
