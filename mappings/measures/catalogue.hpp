#pragma once
// The measure catalogue: every indicator Simpul knows, as data.
//
// Four families (docs/indicators.md has one table per family):
//   kbk            KBK (Kapitasi Berbasis Kinerja, performance-based capitation),
//                  PKS BPJS–FKTP 2024                        research/seed-003 §3
//   spm_puskesmas  SPM (Standar Pelayanan Minimal, minimum service standard) —
//                  the 12 basic health services, Permenkes 6/2024    seed-002
//   spm_rs         hospital SPM, Kepmenkes 129/2008, the indicators computable
//                  from encounter data                              seed-004
//   pengampuan     mentoring of priority services between hospitals,
//                  KMK HK.01.07/MENKES/174/2024                     seed-000
//
// Why a typed C++ table and not a JSON file: the table is compiled, so a typo
// in a unit, direction or period is a build error rather than a start-up error;
// every number is an exact decimal string that the tests parse
// (mappings/measures/exact.hpp); and the file reads like a spreadsheet
// (catalogue.cpp). A new regulation year is a new entry with a new id suffix or
// version, never an edit of a published one.
//
// Canonical URLs are ours (https://fhir.simpul.id/Measure/<id>): Kemkes publishes
// no Measure profile (research/satusehat-api.md §5.1).
#include <optional>
#include <string_view>
#include <vector>

#include "mappings/measures/exact.hpp"

namespace simpul::mappings::measures {

inline constexpr std::string_view kMeasureCanonicalBase = "https://fhir.simpul.id/Measure/";
inline constexpr std::string_view kMeasureExtensionBase = "https://fhir.simpul.id/StructureDefinition/";

enum class Family { kbk, spm_puskesmas, spm_rs, pengampuan };
// The unit of the indicator value: percent, per mille (‰), minutes (a mean),
// a count, or a score (KBK's 1.0–4.0).
enum class Unit { percent, per_mille, minutes, count, score };
// How the value is judged against the target: ≥, ≤ or =.
enum class Direction { at_least, at_most, equal };
// The length of the period one value covers (the dates themselves are the
// evaluation's reporting period). school_year: Indonesia's, June to May by default.
enum class PeriodKind { month, quarter, year, school_year };
// FHIR measure-scoring, plus composite (a weighted combination of other measures).
enum class Scoring { proportion, ratio, continuous_variable, cohort, composite };
// FHIR measure-type.
enum class MeasureKind { process, outcome, structure, patient_reported_outcome, composite };

std::string_view to_string(Family) noexcept;
std::string_view to_string(Unit) noexcept;        // "%", "‰", "min", "count", "score"
std::string_view to_string(Direction) noexcept;   // "≥", "≤", "="
std::string_view to_string(PeriodKind) noexcept;  // "month", "quarter", "year", "school-year"
std::string_view to_string(Scoring) noexcept;     // FHIR codes; "composite"

// One population group of a measure (most have one; RPPT has DM and HT).
struct GroupDef {
  std::string_view id;           // "" for the only group
  std::string_view description;  // what the group is
  std::string_view numerator;    // for continuous variables: the observation (e.g. minutes waited)
  std::string_view denominator;  // for continuous variables: the measure population; cohort: the population
};

// A figure the facility's data cannot give (a target population, a code list, a
// clinical threshold): supplied per tenant, area and year as a versioned parameter.
struct ParameterDef {
  std::string_view name;
  std::string_view description;
};

struct MeasureDef {
  std::string_view id;  // stable, e.g. "kbk-ak", "spm-pkm-08-hipertensi"
  Family family;
  std::string_view code;        // the regulation's own short code, e.g. "AK", "SPM-08", "RI-8"
  std::string_view name_id;     // Indonesian name, as in the regulation
  std::string_view name_en;     // English name
  std::string_view regulation;  // the instrument, e.g. "Permenkes 6/2024"
  std::string_view article;     // article / annex line in it
  std::string_view version;     // regulation year: the catalogue version of this entry
  Scoring scoring;
  MeasureKind kind;
  std::vector<GroupDef> groups;
  Unit unit;
  Direction direction;
  std::string_view target;  // exact decimal in `unit`; "" when set per engagement (a parameter)
  PeriodKind period;
  std::string_view weight;                   // exact decimal: weight in its composite (KBK 0.4, IPSPM 0.8); "" if none
  std::vector<std::string_view> parameters;  // names in parameter_catalogue()
  std::vector<std::string_view> components;  // composites: the measure ids combined
  std::string_view interpretation;           // what we chose where the regulation is unclear; "" if nothing
  bool verified = true;  // false: the definition comes from a secondary source, not the seed regulation
};

// Every measure, in family order. The vector lives for the whole program.
const std::vector<MeasureDef>& measure_catalogue();
// The measure with this id, or nullptr.
const MeasureDef* find_measure(std::string_view id);

const std::vector<ParameterDef>& parameter_catalogue();
const ParameterDef* find_parameter(std::string_view name);

// The target as an exact number (nullopt when set per engagement).
std::optional<Rational> target_value(const MeasureDef&);
// The weight as an exact number (nullopt when none).
std::optional<Rational> weight_value(const MeasureDef&);
// True when `value` meets the measure's target (≥, ≤ or =). False when the
// target is set per engagement.
bool meets_target(const MeasureDef&, const Rational& value);

}  // namespace simpul::mappings::measures
