#include "adapter/measure_command.hpp"

#include <optional>
#include <ostream>
#include <string>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "fhir/error.hpp"
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

}  // namespace simpul::adapter
