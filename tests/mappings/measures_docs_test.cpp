// docs/indicators.md shows the catalogue's tables: one per family, the
// interpretations per family, and the parameters. They are generated here from
// mappings/measures/catalogue.cpp and must appear in the document verbatim, so
// the document cannot drift from the data. On a mismatch the test prints the
// block to paste.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "mappings/measures/catalogue.hpp"
#include "tests/mappings/schema_oracle.hpp"

namespace {

namespace m = simpul::mappings::measures;

std::string cell(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|')
      out += "\\|";
    else
      out += c;
  }
  return out;
}

std::string code_list(const std::vector<std::string_view>& names) {
  std::string out;
  for (auto n : names) {
    if (!out.empty()) out += ", ";
    out += "`";
    out += n;
    out += "`";
  }
  return out.empty() ? "—" : out;
}

std::string family_table(m::Family family) {
  std::string t =
      "| Id | Code | Name (Indonesian / English) | Numerator | Denominator | Unit | Target | Period | Weight | "
      "Parameters | Source |\n"
      "|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& d : m::measure_catalogue()) {
    if (d.family != family) continue;
    std::string num;
    std::string den;
    if (d.scoring == m::Scoring::composite) {
      num = "Combines " + code_list(d.components);
      den = "—";
    }
    for (const auto& g : d.groups) {
      const std::string pre = g.id.empty() ? "" : "**" + std::string(g.id) + ":** ";
      if (!num.empty()) {
        num += "<br>";
        den += "<br>";
      }
      num += pre + (g.numerator.empty() ? std::string("— (a count of the population)") : std::string(g.numerator));
      den += pre + std::string(g.denominator);
    }
    if (d.scoring == m::Scoring::continuous_variable) num = "Mean of: " + num;
    const std::string target = d.target.empty() ? std::string("per engagement")
                                                : std::string(m::to_string(d.direction)) + " " + std::string(d.target);
    t += "| `" + std::string(d.id) + "` | " + cell(d.code) + " | " + cell(d.name_id) + " / " + cell(d.name_en) +
         (d.verified ? "" : " (unverified)") + " | " + cell(num) + " | " + cell(den) + " | " +
         std::string(m::to_string(d.unit)) + " | " + target + " | " + std::string(m::to_string(d.period)) + " | " +
         (d.weight.empty() ? std::string("—") : std::string(d.weight)) + " | " + code_list(d.parameters) + " | " +
         cell(d.article) + " |\n";
  }
  return t;
}

std::string family_interpretations(m::Family family) {
  std::string t;
  for (const auto& d : m::measure_catalogue())
    if (d.family == family && !d.interpretation.empty())
      t += "- `" + std::string(d.id) + "`: " + std::string(d.interpretation) + "\n";
  return t;
}

std::string parameter_table() {
  std::string t = "| Parameter | What it is |\n|---|---|\n";
  for (const auto& p : m::parameter_catalogue())
    t += "| `" + std::string(p.name) + "` | " + cell(p.description) + " |\n";
  return t;
}

const std::string& document() {
  static const std::string doc =
      simpul::testing::mappings::read_text(std::filesystem::path(SIMPUL_SOURCE_DIR) / "docs/indicators.md");
  return doc;
}

void expect_in_document(const std::string& block, const std::string& what) {
  EXPECT_NE(document().find(block), std::string::npos)
      << "docs/indicators.md does not show the catalogue's " << what << "; paste this:\n\n"
      << block;
}

TEST(MeasureDocs, FamilyTablesMatchTheCatalogue) {
  ASSERT_FALSE(document().empty()) << "docs/indicators.md is missing";
  for (auto f : {m::Family::kbk, m::Family::spm_puskesmas, m::Family::spm_rs, m::Family::pengampuan})
    expect_in_document(family_table(f), std::string(m::to_string(f)) + " table");
}

TEST(MeasureDocs, InterpretationsMatchTheCatalogue) {
  for (auto f : {m::Family::kbk, m::Family::spm_puskesmas, m::Family::spm_rs, m::Family::pengampuan})
    expect_in_document(family_interpretations(f), std::string(m::to_string(f)) + " interpretations");
}

TEST(MeasureDocs, ParameterTableMatchesTheCatalogue) {
  expect_in_document(parameter_table(), "parameter table");
}

}  // namespace
