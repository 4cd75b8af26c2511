#include "adapter/measure_command.hpp"

#include <openssl/rand.h>

#include <fstream>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "adapter/auth.hpp"
#include "adapter/vclaim_routes.hpp"
#include "fhir/error.hpp"
#include "fhir/json.hpp"
#include "mappings/measures/catalogue.hpp"
#include "mappings/measures/evaluate.hpp"
#include "mappings/measures/kbk.hpp"

namespace simpul::adapter {

namespace {

namespace m = mappings::measures;
using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void string_field(Writer& w, const char* key, const std::string& value) {
  w.Key(key);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

void indicator(Writer& w, const char* key, const m::KbkIndicatorRule& rule, const m::KbkIndicatorResult& r) {
  w.Key(key);
  w.StartObject();
  string_field(w, "value", r.value.exact_decimal().value_or(r.value.to_string()));
  string_field(w, "unit", std::string(rule.unit));
  w.Key("rating");
  w.Int(r.rating);
  string_field(w, "weight", m::Rational::parse(rule.weight).to_decimal(1));
  string_field(w, "score", r.score.to_decimal(1));
  w.EndObject();
}

// The value of option `name`, or a one-line reason on `err`.
std::optional<m::Rational> read(const char* name, const std::string& text, std::ostream& err) {
  try {
    return m::Rational::parse(text);
  } catch (const fhir::Error& e) {
    err << "simpul measure kbk-score: --" << name << ": " << e.issues().at(0).diagnostics << "\n";
    return std::nullopt;
  }
}

}  // namespace

int measure_kbk_score_command(const std::string& ak, const std::string& rrns, const std::string& rppt,
                              std::ostream& out, std::ostream& err) {
  const auto ak_value = read("ak", ak, err);
  if (!ak_value) return 1;
  const auto rrns_value = read("rrns", rrns, err);
  if (!rrns_value) return 1;
  const auto rppt_value = read("rppt", rppt, err);
  if (!rppt_value) return 1;
  m::KbkResult k;
  try {
    k = m::kbk_score(*ak_value, *rrns_value, *rppt_value);
  } catch (const fhir::Error& e) {
    err << "simpul measure kbk-score: " << e.issues().at(0).diagnostics << "\n";
    return 1;
  }
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  string_field(w, "measure", "kbk-score");
  string_field(w, "rules", std::string(m::kKbkRulesVersion));
  indicator(w, "ak", m::kbk_rule_ak(), k.ak);
  indicator(w, "rrns", m::kbk_rule_rrns(), k.rrns);
  indicator(w, "rppt", m::kbk_rule_rppt(), k.rppt);
  string_field(w, "score", k.total.to_decimal(1));
  w.Key("capitation_percent");
  w.Int(k.capitation_percent);
  w.EndObject();
  out << buf.GetString() << "\n";
  return 0;
}

namespace {

std::optional<std::string> read_whole(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return std::nullopt;
  std::ostringstream text;
  text << f.rdbuf();
  return text.str();
}

// The measures `spec` names: an id, a family (kbk, spm-puskesmas, spm-rs) meaning its
// evaluable measures, or a comma list of those.
std::vector<const m::MeasureDef*> measures_named(const std::string& spec, std::string& error) {
  std::vector<const m::MeasureDef*> out;
  std::stringstream parts(spec);
  std::string part;
  while (std::getline(parts, part, ',')) {
    if (const m::MeasureDef* d = m::find_measure(part)) {
      out.push_back(d);
      continue;
    }
    bool family = false;
    for (const m::MeasureDef& d : m::measure_catalogue()) {
      if (m::to_string(d.family) != part) continue;
      family = true;
      if (m::evaluable(d)) out.push_back(&d);
    }
    if (!family) {
      error = "no measure or family '" + part.substr(0, 60) + "' (see GET /fhir/Measure or docs/indicators.md)";
      return {};
    }
  }
  if (out.empty()) error = "no measure named";
  return out;
}

}  // namespace

int measure_evaluate_command(const std::string& measure, const std::string& period, const std::string& input,
                             const std::optional<std::string>& params_file, std::ostream& out, std::ostream& err) {
  const auto fail = [&](const std::string& why) {
    err << "simpul measure evaluate: " << why << "\n";
    return 1;
  };
  std::string error;
  const auto measures = measures_named(measure, error);
  if (measures.empty()) return fail(error);
  try {
    m::MeasureParameters params;
    if (params_file) {
      const auto text = read_whole(*params_file);
      if (!text) return fail("cannot read the parameters file " + *params_file);
      rapidjson::Document json;
      json.Parse(text->c_str(), text->size());
      if (json.HasParseError()) return fail(*params_file + " is not JSON");
      params = m::parse_parameters(json);
    }
    const m::PeriodKey key = m::parse_period_key(period, params.school_year_start_month);
    const auto ndjson = read_whole(input);
    if (!ndjson) return fail("cannot read the input file " + input);

    // Pseudonyms under a key of this run only: nothing outlives the process.
    unsigned char salt[32];
    if (RAND_bytes(salt, sizeof salt) != 1) return fail("no random bytes for the pseudonym key");
    const std::string run_key(reinterpret_cast<const char*>(salt), sizeof salt);
    m::ExtractOptions options;
    options.utc_offset_minutes = params.utc_offset_minutes;
    options.pseudonymise = [&run_key](std::string_view subject) {
      return sha256_hex(run_key + std::string(subject));
    };
    m::FactStore facts;
    const m::ExtractResult extracted = m::extract_ndjson(*ndjson, facts, options);
    facts.finalize();
    if (!extracted.errors.empty()) {
      err << "simpul measure evaluate: " << extracted.errors.size() << " resource(s) not used; the first: "
          << extracted.errors.front().substr(0, 200) << "\n";
    }
    m::ReportContext context;
    context.date = local_instant(std::chrono::system_clock::now(), params.utc_offset_minutes);
    std::vector<rapidjson::Document> reports;
    m::EvaluationCache cache;
    for (const m::MeasureDef* d : measures) {
      reports.push_back(m::evaluate_measure(*d, facts, key, params, context, &cache));
    }
    if (reports.size() == 1) {
      out << fhir::to_json(reports.front(), false) << "\n";
      return 0;
    }
    rapidjson::Document bundle(rapidjson::kObjectType);
    auto& a = bundle.GetAllocator();
    bundle.AddMember("resourceType", "Bundle", a);
    bundle.AddMember("type", "collection", a);
    rapidjson::Value entries(rapidjson::kArrayType);
    for (auto& r : reports) {
      rapidjson::Value entry(rapidjson::kObjectType), resource;
      resource.CopyFrom(r, a);
      entry.AddMember("resource", resource, a);
      entries.PushBack(entry, a);
    }
    bundle.AddMember("entry", entries, a);
    out << fhir::to_json(bundle, false) << "\n";
    return 0;
  } catch (const fhir::Error& e) {
    return fail(e.issues().empty() ? std::string(e.what()) : e.issues().front().diagnostics);
  }
}

}  // namespace simpul::adapter
