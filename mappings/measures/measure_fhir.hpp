#pragma once
// Catalogue entries as FHIR R4 Measure resources (served at /fhir/Measure).
//
// Standard elements: url (https://fhir.simpul.id/Measure/<id>), identifier,
// version (the regulation year), name/title (Indonesian)/subtitle (English),
// status active, relatedArtifact (the regulation and article, citation; the
// components of a composite, composed-of), scoring (measure-scoring) or
// compositeScoring weighted, type (measure-type), improvementNotation
// (increase for ≥ and =, decrease for ≤), guidance (interpretations we chose),
// group.population (numerator/denominator; initial-population, measure-population
// and measure-observation for continuous variables) with the definition in
// population.description and criteria.description. criteria.language is text/cql
// (the R4 schema allows only text/cql, text/fhirpath and application/x-fhir-query)
// and criteria.expression names the definition ("Numerator"), the CQF convention;
// there is no CQL library: the evaluators are C++ (mappings/measures).
//
// Our extensions (https://fhir.simpul.id/StructureDefinition/…), since FHIR R4
// Measure has no element for them:
//   measure-target     valueQuantity: the target, comparator >= / <= (none for =),
//                      UCUM unit (%, [ppth], min, 1)
//   measure-period     valueCode: month | quarter | year | school-year
//   measure-unit       valueCoding: the indicator's unit (UCUM)
//   measure-weight     valueDecimal: weight in its composite (KBK 0.4, IPSPM 0.8)
//   measure-parameter  (repeating, complex) name + description of each figure the
//                      data cannot give (target populations, code lists, thresholds)
//   measure-family     valueCode: kbk | spm-puskesmas | spm-rs | pengampuan
//   measure-verified   valueBoolean false when the definition is from a secondary source
//
// Decimal numbers (targets, weights) are written from their exact decimal text:
// RapidJSON prints the shortest text that reads back as the same value, which is
// that text (the tests check every one).
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "mappings/measures/catalogue.hpp"

namespace simpul::mappings::measures {

// A FHIR decimal (a JSON number) for `value` rounded half-up to `places` decimals
// (0..18), for measure scores and targets. Trailing zeros are not kept ("3.50"
// is written 3.5: a JSON number has no precision of its own). An integer is
// written as one. The text RapidJSON writes is checked to be exactly the rounded
// decimal; a value with more than 15 significant digits, or so small that the
// writer would use an exponent (below 1e-6 or so), throws fhir::Error 422.
rapidjson::Value fhir_decimal(const Rational& value, int places);

// An indicator unit as UCUM (%, [ppth], min, 1) and how it is shown (%, ‰, minutes).
struct UcumUnit {
  std::string_view code;
  std::string_view display;
};
UcumUnit ucum_unit(Unit unit);

// https://fhir.simpul.id/Measure/<id>
std::string measure_url(std::string_view id);

// The Measure resource of one catalogue entry.
rapidjson::Document measure_resource(const MeasureDef& measure);

}  // namespace simpul::mappings::measures
