#include "mappings/measures/measure_fhir.hpp"

#include <cctype>
#include <charconv>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "fhir/error.hpp"
#include "mappings/vclaim_fhir/builder.hpp"

namespace simpul::mappings::measures {

namespace {

using Builder = vclaim_fhir::Builder;
using rapidjson::Value;

constexpr std::string_view kUcum = "http://unitsofmeasure.org";
constexpr std::string_view kScoringSystem = "http://terminology.hl7.org/CodeSystem/measure-scoring";
constexpr std::string_view kCompositeScoringSystem = "http://terminology.hl7.org/CodeSystem/composite-measure-scoring";
constexpr std::string_view kTypeSystem = "http://terminology.hl7.org/CodeSystem/measure-type";
constexpr std::string_view kImprovementSystem = "http://terminology.hl7.org/CodeSystem/measure-improvement-notation";
constexpr std::string_view kPopulationSystem = "http://terminology.hl7.org/CodeSystem/measure-population";
constexpr std::string_view kMeasureIdSystem = "https://fhir.simpul.id/sid/measure";

std::string ext_url(std::string_view name) {
  return std::string(kMeasureExtensionBase) + std::string(name);
}

UcumUnit ucum(Unit u) {
  switch (u) {
    case Unit::percent:
      return {"%", "%"};
    case Unit::per_mille:
      return {"[ppth]", "‰"};
    case Unit::minutes:
      return {"min", "minutes"};
    case Unit::count:
      return {"1", "count"};
    case Unit::score:
      return {"1", "score"};
  }
  return {"1", ""};
}

std::string_view kind_code(MeasureKind k) {
  switch (k) {
    case MeasureKind::process:
      return "process";
    case MeasureKind::outcome:
      return "outcome";
    case MeasureKind::structure:
      return "structure";
    case MeasureKind::patient_reported_outcome:
      return "patient-reported-outcome";
    case MeasureKind::composite:
      return "composite";
  }
  return "process";
}

// A FHIR decimal from exact decimal text ("0.24") in the catalogue.
Value decimal(std::string_view text) {
  const Rational exact = Rational::parse(text);
  const std::string normal = *exact.exact_decimal();  // parse() only yields terminating decimals
  const auto point = normal.find('.');
  return fhir_decimal(exact, point == std::string::npos ? 0 : static_cast<int>(normal.size() - point - 1));
}

// "spm-pkm-01-ibu-hamil" -> "SpmPkm01IbuHamil" (Measure.name: a computer-usable name).
std::string computable_name(std::string_view id) {
  std::string out;
  bool up = true;
  for (char c : id) {
    if (c == '-' || c == '.') {
      up = true;
      continue;
    }
    out += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    up = false;
  }
  return out;
}

Value codeable(const Builder& b, std::string_view system, std::string_view code, std::string_view display = {}) {
  return b.codeable(b.coding(system, code, display));
}

Value population(const Builder& b, std::string_view code, std::string_view display, std::string_view text) {
  auto p = b.object();
  b.put(p, "code", codeable(b, kPopulationSystem, code, display));
  b.set(p, "description", text);
  // criteria is 1..1 and the R4 schema allows only CQL, FHIRPath or a FHIR query as its
  // language. Like CQF measures, the expression names the population's definition; the
  // definition itself is the text in description, evaluated by Simpul's C++ evaluators.
  auto criteria = b.object();
  b.set(criteria, "description", text);
  b.set(criteria, "language", "text/cql");
  b.set(criteria, "expression", std::string(1, '"') + std::string(display) + '"');
  b.put(p, "criteria", std::move(criteria));
  return p;
}

Value group(const Builder& b, const MeasureDef& m, const GroupDef& g) {
  auto out = b.object();
  b.set(out, "id", g.id);
  b.set(out, "description", g.description);
  auto pops = b.array();
  switch (m.scoring) {
    case Scoring::proportion:
    case Scoring::ratio:
      b.push(pops, population(b, "denominator", "Denominator", g.denominator));
      b.push(pops, population(b, "numerator", "Numerator", g.numerator));
      break;
    case Scoring::continuous_variable:
      b.push(pops, population(b, "initial-population", "Initial Population", g.denominator));
      b.push(pops, population(b, "measure-population", "Measure Population", g.denominator));
      b.push(pops, population(b, "measure-observation", "Measure Observation", g.numerator));
      break;
    case Scoring::cohort:
      b.push(pops, population(b, "initial-population", "Initial Population", g.denominator));
      break;
    case Scoring::composite:
      break;
  }
  b.put(out, "population", std::move(pops));
  return out;
}

Value extension(const Builder& b, std::string_view name, std::string_view value_key, Value&& value) {
  auto e = b.object();
  b.set(e, "url", ext_url(name));
  b.put(e, value_key, std::move(value));
  return e;
}

Value code_extension(const Builder& b, std::string_view name, std::string_view code) {
  auto e = b.object();
  b.set(e, "url", ext_url(name));
  b.set(e, "valueCode", code);
  return e;
}

Value extensions(const Builder& b, const MeasureDef& m) {
  auto exts = b.array();
  b.push(exts, code_extension(b, "measure-family", to_string(m.family)));
  const UcumUnit unit = ucum(m.unit);
  if (!m.target.empty()) {
    auto q = b.object();
    q.AddMember("value", decimal(m.target), b.allocator());
    if (m.direction == Direction::at_least) b.set(q, "comparator", ">=");
    if (m.direction == Direction::at_most) b.set(q, "comparator", "<=");
    b.set(q, "unit", unit.display);
    b.set(q, "system", kUcum);
    b.set(q, "code", unit.code);
    b.push(exts, extension(b, "measure-target", "valueQuantity", std::move(q)));
  }
  b.push(exts, code_extension(b, "measure-period", to_string(m.period)));
  b.push(exts, extension(b, "measure-unit", "valueCoding", b.coding(kUcum, unit.code, unit.display)));
  if (!m.weight.empty()) {
    auto e = b.object();
    b.set(e, "url", ext_url("measure-weight"));
    e.AddMember("valueDecimal", decimal(m.weight), b.allocator());
    b.push(exts, std::move(e));
  }
  if (m.scoring == Scoring::continuous_variable) b.push(exts, code_extension(b, "measure-aggregate", "mean"));
  for (std::string_view name : m.parameters) {
    const ParameterDef* p = find_parameter(name);
    if (p == nullptr) throw fhir::Error::internal("measure catalogue: unknown parameter '" + std::string(name) + "'");
    auto e = b.object();
    b.set(e, "url", ext_url("measure-parameter"));
    auto parts = b.array();
    auto n = b.object();
    b.set(n, "url", "name");
    b.set(n, "valueCode", p->name);
    b.push(parts, std::move(n));
    auto d = b.object();
    b.set(d, "url", "description");
    b.set(d, "valueString", p->description);
    b.push(parts, std::move(d));
    b.put(e, "extension", std::move(parts));
    b.push(exts, std::move(e));
  }
  if (!m.verified) {
    auto e = b.object();
    b.set(e, "url", ext_url("measure-verified"));
    b.set_bool(e, "valueBoolean", false);
    b.push(exts, std::move(e));
  }
  return exts;
}

std::string description(const MeasureDef& m) {
  std::string d(m.name_en);
  d += '.';
  if (!m.target.empty()) {
    d += " Target ";
    d += to_string(m.direction);
    d += ' ';
    d += m.target;
    if (m.unit == Unit::minutes) {
      d += " minutes";
    } else if (m.unit != Unit::score) {
      d += ' ';
      d += to_string(m.unit);
    }
    d += '.';
  } else {
    d += " Target set per engagement.";
  }
  d += " Period: ";
  d += to_string(m.period);
  d += '.';
  return d;
}

}  // namespace

UcumUnit ucum_unit(Unit u) {
  return ucum(u);
}

rapidjson::Value fhir_decimal(const Rational& value, int places) {
  std::string text = value.to_decimal(places);
  // Trailing fractional zeros say nothing a JSON number keeps.
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  std::size_t significant = 0;
  bool leading = true;
  for (char c : text) {
    if (c < '0' || c > '9') continue;
    if (leading && c == '0') continue;
    leading = false;
    ++significant;
  }
  if (significant > 15)
    throw fhir::Error::unprocessable("The value " + text + " has too many digits for a FHIR decimal here.", {},
                                     "fhir_decimal: more than 15 significant digits");
  if (text.find('.') == std::string::npos) {
    std::int64_t i = 0;
    std::from_chars(text.data(), text.data() + text.size(), i);
    return Value(i);
  }
  double d = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
  // The writer prints the shortest text that reads back as d: check that it is ours.
  rapidjson::StringBuffer written;
  rapidjson::Writer<rapidjson::StringBuffer> w(written);
  w.Double(d);
  if (ec != std::errc() || p != text.data() + text.size() || text != written.GetString())
    throw fhir::Error::unprocessable("The value " + text + " cannot be written exactly as a FHIR decimal.", {},
                                     "fhir_decimal: " + text + " would be written as " + written.GetString());
  return Value(d);
}

std::string measure_url(std::string_view id) {
  return std::string(kMeasureCanonicalBase) + std::string(id);
}

rapidjson::Document measure_resource(const MeasureDef& m) {
  rapidjson::Document doc(rapidjson::kObjectType);
  Builder b(doc);
  b.set(doc, "resourceType", "Measure");
  b.set(doc, "id", m.id);
  b.put(doc, "extension", extensions(b, m));
  b.set(doc, "url", measure_url(m.id));
  auto ids = b.array();
  b.push(ids, b.identifier(kMeasureIdSystem, m.id));
  b.push(ids, b.identifier(std::string(kMeasureIdSystem) + "-code/" + std::string(to_string(m.family)), m.code));
  b.put(doc, "identifier", std::move(ids));
  b.set(doc, "version", m.version);
  b.set(doc, "name", computable_name(m.id));
  b.set(doc, "title", m.name_id);
  b.set(doc, "subtitle", m.name_en);
  b.set(doc, "status", "active");
  b.set_bool(doc, "experimental", false);
  b.set(doc, "publisher", "Simpul");
  b.set(doc, "description", description(m));
  auto jurisdiction = b.array();
  b.push(jurisdiction, codeable(b, "urn:iso:std:iso:3166", "ID", "Indonesia"));
  b.put(doc, "jurisdiction", std::move(jurisdiction));

  auto related = b.array();
  {
    auto cite = b.object();
    b.set(cite, "type", "citation");
    b.set(cite, "label", m.code);
    b.set(cite, "display", m.regulation);
    b.set(cite, "citation", std::string(m.regulation) + ", " + std::string(m.article) + ".");
    b.push(related, std::move(cite));
  }
  for (std::string_view component : m.components) {
    auto part = b.object();
    b.set(part, "type", "composed-of");
    b.set(part, "resource", measure_url(component));
    b.push(related, std::move(part));
  }
  b.put(doc, "relatedArtifact", std::move(related));

  if (m.scoring == Scoring::composite) {
    b.put(doc, "compositeScoring", codeable(b, kCompositeScoringSystem, "weighted", "Weighted"));
  } else {
    b.put(doc, "scoring", codeable(b, kScoringSystem, to_string(m.scoring)));
  }
  auto types = b.array();
  b.push(types, codeable(b, kTypeSystem, kind_code(m.kind)));
  b.put(doc, "type", std::move(types));
  b.put(doc, "improvementNotation",
        codeable(b, kImprovementSystem, m.direction == Direction::at_most ? "decrease" : "increase"));
  std::string guidance(m.interpretation);
  if (!m.verified) guidance += (guidance.empty() ? "" : " ") + std::string("Not verified against the regulation text.");
  b.set(doc, "guidance", guidance);

  auto groups = b.array();
  for (const auto& g : m.groups) b.push(groups, group(b, m, g));
  b.put(doc, "group", std::move(groups));
  return doc;
}

}  // namespace simpul::mappings::measures
