#pragma once
// The shape Simpul requires of a MeasureReport that travels between a facility and a
// registry (docs/registry.md): a complete `summary` report of one measure (canonical
// URL) for one period of whole days, group populations with measure-population codes and
// integer counts >= 0, and nothing that points at a person (no Patient subject, no
// subjectResults, no evaluatedResource, no contained resources). No Kemkes profile
// exists (research satusehat-api.md §5), so this is ours. Pure: no I/O.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

namespace simpul::fhir {

inline constexpr std::string_view kMeasurePopulationSystem = "http://terminology.hl7.org/CodeSystem/measure-population";

struct MeasurePopulation {
  std::string code;  // measure-population code: "numerator", "denominator", ...
  std::int64_t count = 0;
};

struct MeasureGroup {
  std::string key;        // what groups are matched by across reports: "system|code" of the first coding, else code.text, else "#<index>"
  std::string code_json;  // the group's code as JSON ("" when it has none)
  std::vector<MeasurePopulation> populations;
  std::string score_code;  // measureScore.code ("%", "[ppth]", ...), "" when none
};

struct MeasureReportFigures {
  std::string measure;       // canonical URL (with |version when given)
  std::string period_start;  // YYYY-MM-DD (the date part of period.start)
  std::string period_end;    // YYYY-MM-DD
  std::string reporter_id;   // the <id> of reporter "Organization/<id>"; "" when there is no reporter
  std::vector<MeasureGroup> groups;
};

// Checks `report` and reads its figures. Throws fhir::Error 400 with one issue per
// problem, each naming the element (MeasureReport.group[0].population[1].count).
MeasureReportFigures read_measure_report(const rapidjson::Value& report);

// What identifies a report's content: its JSON without id, meta, text, date and
// identifier (re-evaluating unchanged figures gives the same content). Hash it.
std::string measure_report_content(const rapidjson::Value& report);

// A YYYY-MM-DD date of the Gregorian calendar.
bool is_calendar_date(std::string_view s) noexcept;

}  // namespace simpul::fhir
