#pragma once
// Evaluating a catalogue measure over a FactStore for one period, and the FHIR R4
// MeasureReport that carries the result (docs/indicators.md, "MeasureReports").
//
// Pure: the caller extracts the facts (facts.hpp), loads the parameters (a JSON
// object, parse_parameters) and supplies the report's date. Counts come from the
// evaluators (kbk_facts, spm_puskesmas, spm_rs); figures from exact.hpp; nothing
// divides in floating point.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "mappings/measures/catalogue.hpp"
#include "mappings/measures/facts.hpp"
#include "mappings/measures/kbk_facts.hpp"
#include "mappings/measures/spm_rs.hpp"

namespace simpul::mappings::measures {

// A reporting period as written on the command line and in a MeasureReport:
// "2026-03" (a month), "2026-Q1" (a quarter), "2026" (a year), "2025/2026" (the
// school year July 2025 - June 2026; its first month is a parameter).
struct PeriodKey {
  std::string text;
  Period period;
};
// Throws fhir::Error 400 saying which forms are accepted.
PeriodKey parse_period_key(std::string_view text, int school_year_start_month = 7);

// Everything the data cannot give, per tenant and year (the catalogue's
// parameter_catalogue() names them). Loaded from JSON:
//   { "utc_offset_minutes": 420, "area": "3273",            (wilayah kerja code prefix)
//     "provider": "Organization/…",                          (hospital SPM: whose encounters)
//     "school_year_start_month": 7,
//     "kbk": { "registered_participants": 1000, "competence_diagnoses": ["J06", "K29*", …],
//              "tacc_out_of_denominator": false, "dm_registered": 40, "ht_registered": 55,
//              "fasting_glucose_max_mg_dl": "130", "systolic_below_mmhg": "140", "diastolic_below_mmhg": "90" },
//     "sasaran": { "spm-pkm-01-ibu-hamil": 120, … } }       (SPM target populations)
struct MeasureParameters {
  int utc_offset_minutes = 420;
  int school_year_start_month = 7;
  std::string area;
  std::string provider;
  kbk::KbkFactParams kbk;
  bool kbk_given = false;
  std::map<std::string, std::int64_t, std::less<>> sasaran;
};
// Throws fhir::Error 400 naming the element (e.g. "kbk.registered_participants").
MeasureParameters parse_parameters(const rapidjson::Value& json);

// Who reports and when (MeasureReport.reporter, .date).
struct ReportContext {
  std::string date;               // FHIR dateTime of the evaluation, e.g. "2026-04-01T08:00:00+07:00"
  std::string reporter_system;    // identifier system of the facility (e.g. the SATUSEHAT organization system)
  std::string reporter_value;     // "" = no reporter
  std::string reporter_display;
};

// True when `measure` has an evaluator over pushed facts; otherwise `why` says what is missing.
bool evaluable(const MeasureDef& measure, std::string* why = nullptr);

// Counts shared by several measures of one period (the five KBK measures read one count
// pass; the hospital SPM measures one evaluator run). Pass the same cache while evaluating
// many measures over the same facts and parameters; not thread-safe (one per thread).
struct EvaluationCache {
  std::map<std::string, kbk::KbkCounts, std::less<>> kbk;  // by period key
  std::map<std::string, rs::RsResult, std::less<>> rs;       // by period key
};

// One MeasureReport (type summary) for `measure` over `period`. A measure without an
// evaluator, or a missing parameter, throws fhir::Error 400/422 naming it.
rapidjson::Document evaluate_measure(const MeasureDef& measure, const FactStore& facts, const PeriodKey& period,
                                     const MeasureParameters& params, const ReportContext& context,
                                     EvaluationCache* cache = nullptr);

}  // namespace simpul::mappings::measures
