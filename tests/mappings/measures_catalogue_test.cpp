// The measure catalogue as data (mappings/measures/catalogue.hpp) and its FHIR
// Measure rendering (measure_fhir.hpp), checked against the FHIR R4 JSON schema.
#include <algorithm>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fhir/json.hpp"
#include "mappings/measures/catalogue.hpp"
#include "mappings/measures/measure_fhir.hpp"
#include "tests/mappings/schema_oracle.hpp"

namespace {

namespace m = simpul::mappings::measures;
using m::Rational;

std::vector<std::string> ids_of(m::Family f) {
  std::vector<std::string> out;
  for (const auto& d : m::measure_catalogue())
    if (d.family == f) out.emplace_back(d.id);
  return out;
}

TEST(MeasureCatalogue, IdsAreUniqueValidFhirIdsAndFindable) {
  std::set<std::string> seen;
  for (const auto& d : m::measure_catalogue()) {
    EXPECT_TRUE(seen.insert(std::string(d.id)).second) << "duplicate " << d.id;
    EXPECT_LE(d.id.size(), 64u) << d.id;
    for (char c : d.id) EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') << d.id;
    EXPECT_EQ(m::find_measure(d.id), &d);
  }
  EXPECT_EQ(m::find_measure("no-such-measure"), nullptr);
}

TEST(MeasureCatalogue, EveryEntryIsComplete) {
  for (const auto& d : m::measure_catalogue()) {
    SCOPED_TRACE(std::string(d.id));
    EXPECT_FALSE(d.code.empty());
    EXPECT_FALSE(d.name_id.empty());
    EXPECT_FALSE(d.name_en.empty());
    EXPECT_FALSE(d.regulation.empty());
    EXPECT_FALSE(d.article.empty());
    EXPECT_EQ(d.version.size(), 4u);
    // Targets and weights are exact decimals; a target is missing only where the
    // regulation leaves it to the engagement (pengampuan), and then a parameter carries it.
    if (d.target.empty()) {
      EXPECT_EQ(d.family, m::Family::pengampuan);
      EXPECT_NE(std::find(d.parameters.begin(), d.parameters.end(), "engagement-target"), d.parameters.end());
    } else {
      EXPECT_TRUE(Rational::try_parse(d.target).has_value()) << d.target;
    }
    if (!d.weight.empty()) {
      EXPECT_TRUE(Rational::try_parse(d.weight).has_value()) << d.weight;
    }
    for (auto p : d.parameters) EXPECT_NE(m::find_parameter(p), nullptr) << p;
    if (d.scoring == m::Scoring::composite) {
      EXPECT_TRUE(d.groups.empty());
      EXPECT_FALSE(d.components.empty());
      for (auto c : d.components) EXPECT_NE(m::find_measure(c), nullptr) << c;
    } else {
      ASSERT_FALSE(d.groups.empty());
      for (const auto& g : d.groups) {
        EXPECT_FALSE(g.denominator.empty());
        if (d.scoring != m::Scoring::cohort) {
          EXPECT_FALSE(g.numerator.empty());
        }
      }
    }
  }
}

TEST(MeasureCatalogue, CoversEveryFamily) {
  EXPECT_EQ(ids_of(m::Family::kbk),
            (std::vector<std::string>{"kbk-ak", "kbk-rrns", "kbk-rppt", "kbk-score", "kbk-capitation"}));
  const auto spm = ids_of(m::Family::spm_puskesmas);
  ASSERT_EQ(spm.size(), 13u);
  EXPECT_EQ(spm.front(), "spm-pkm-01-ibu-hamil");
  EXPECT_EQ(spm[11], "spm-pkm-12-hiv");
  EXPECT_EQ(spm.back(), "spm-pkm-ipspm");
  for (int i = 0; i < 12; ++i) {
    char prefix[32];  // room for any int: the -O1 sanitizer build checks -Wformat-truncation
    std::snprintf(prefix, sizeof prefix, "spm-pkm-%02d-", i + 1);
    EXPECT_EQ(spm[static_cast<std::size_t>(i)].rfind(prefix, 0), 0u) << spm[static_cast<std::size_t>(i)];
  }
  EXPECT_EQ(m::find_measure("spm-pkm-ipspm")->components.size(), 12u);
  for (const char* id : {"spm-rs-rj-waktu-tunggu", "spm-rs-ri-kematian-48-jam", "spm-rs-ri-pulang-paksa",
                         "spm-rs-lab-waktu-tunggu", "spm-rs-rad-waktu-tunggu-thorax", "spm-rs-igd-waktu-tanggap"})
    EXPECT_NE(m::find_measure(id), nullptr) << id;
  for (const char* id : {"pengampuan-angka-rujukan", "pengampuan-angka-kesakitan", "pengampuan-angka-kematian",
                         "pengampuan-indikator-klinis"})
    EXPECT_NE(m::find_measure(id), nullptr) << id;
}

TEST(MeasureCatalogue, KbkEntriesAgreeWithTheRatingRules) {
  const auto* ak = m::find_measure("kbk-ak");
  EXPECT_EQ(ak->unit, m::Unit::per_mille);
  EXPECT_EQ(ak->direction, m::Direction::at_least);
  EXPECT_EQ(*m::target_value(*ak), Rational(150));
  EXPECT_EQ(*m::weight_value(*ak), Rational::parse("0.4"));
  const auto* rrns = m::find_measure("kbk-rrns");
  EXPECT_EQ(rrns->direction, m::Direction::at_most);
  EXPECT_EQ(*m::target_value(*rrns), Rational(2));
  EXPECT_EQ(*m::weight_value(*rrns), Rational::parse("0.5"));
  const auto* rppt = m::find_measure("kbk-rppt");
  EXPECT_EQ(*m::target_value(*rppt), Rational(5));
  EXPECT_EQ(*m::weight_value(*rppt), Rational::parse("0.1"));
  EXPECT_EQ(rppt->groups.size(), 2u);
}

TEST(MeasureCatalogue, MeetsTargetByDirection) {
  const auto& ak = *m::find_measure("kbk-ak");
  EXPECT_TRUE(m::meets_target(ak, Rational(150)));
  EXPECT_FALSE(m::meets_target(ak, Rational::parse("149.999")));
  const auto& death = *m::find_measure("spm-rs-ri-kematian-48-jam");
  EXPECT_TRUE(m::meets_target(death, Rational::parse("0.24")));
  EXPECT_FALSE(m::meets_target(death, Rational::of(100, 233)));  // 0.43%: the annex's failing baseline
  const auto& dpjp = *m::find_measure("spm-rs-ri-dpjp");
  EXPECT_TRUE(m::meets_target(dpjp, Rational(100)));
  EXPECT_FALSE(m::meets_target(dpjp, Rational::parse("99.9")));
  EXPECT_FALSE(m::meets_target(*m::find_measure("pengampuan-angka-rujukan"), Rational(0)));
  // The outpatient wait baseline 8100 min / 100 patients = 81 min fails ≤60.
  EXPECT_FALSE(m::meets_target(*m::find_measure("spm-rs-rj-waktu-tunggu"), Rational::of(8100, 100)));
}

TEST(MeasureResource, KbkAkHasTheAgreedShape) {
  const auto doc = m::measure_resource(*m::find_measure("kbk-ak"));
  const std::string json = simpul::fhir::to_json(doc);
  EXPECT_EQ(*simpul::fhir::string_member(doc, "resourceType"), "Measure");
  EXPECT_EQ(*simpul::fhir::string_member(doc, "url"), "https://fhir.simpul.id/Measure/kbk-ak");
  EXPECT_EQ(*simpul::fhir::string_member(doc, "version"), "2024");
  EXPECT_EQ(*simpul::fhir::string_member(doc, "name"), "KbkAk");
  EXPECT_EQ(*simpul::fhir::string_member(doc, "title"), "Angka Kontak");
  EXPECT_NE(
      json.find(
          R"("scoring":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/measure-scoring","code":"proportion"}]})"),
      std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("code":"increase")"), std::string::npos);
  EXPECT_NE(
      json.find(
          R"("valueQuantity":{"value":150,"comparator":">=","unit":"‰","system":"http://unitsofmeasure.org","code":"[ppth]"})"),
      std::string::npos)
      << json;
  EXPECT_NE(json.find(R"({"url":"https://fhir.simpul.id/StructureDefinition/measure-weight","valueDecimal":0.4})"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find(R"({"url":"https://fhir.simpul.id/StructureDefinition/measure-period","valueCode":"month"})"),
            std::string::npos);
  EXPECT_NE(json.find(R"("code":"numerator")"), std::string::npos);
  EXPECT_NE(json.find(R"("code":"denominator")"), std::string::npos);
  EXPECT_NE(json.find(R"("type":"citation")"), std::string::npos);
  EXPECT_NE(json.find("616/KTR/VIII-01/1223"), std::string::npos);
}

TEST(MeasureResource, DecimalsAreWrittenAsTheirExactText) {
  // Every target and weight appears in the JSON exactly as the catalogue's decimal text.
  for (const auto& d : m::measure_catalogue()) {
    const std::string json = simpul::fhir::to_json(m::measure_resource(d));
    if (!d.target.empty()) {
      const std::string text = *Rational::parse(d.target).exact_decimal();
      EXPECT_NE(json.find("\"value\":" + text + ","), std::string::npos) << d.id << " target " << text;
    }
    if (!d.weight.empty()) {
      const std::string text = *Rational::parse(d.weight).exact_decimal();
      EXPECT_NE(json.find("\"valueDecimal\":" + text + "}"), std::string::npos) << d.id << " weight " << text;
    }
  }
}

TEST(MeasureResource, FhirDecimalIsTheRoundedExactText) {
  auto json = [](const Rational& v, int places) {
    const rapidjson::Value number = m::fhir_decimal(v, places);
    return simpul::fhir::to_json(number);
  };
  EXPECT_EQ(json(Rational::parse("3.5"), 1), "3.5");
  EXPECT_EQ(json(Rational::parse("3.50"), 2), "3.5");
  EXPECT_EQ(json(Rational(4), 1), "4");
  EXPECT_EQ(json(Rational::of(100, 233), 2), "0.43");
  EXPECT_EQ(json(Rational::of(1, 3), 4), "0.3333");
  EXPECT_EQ(json(Rational::of(-2, 3), 2), "-0.67");
  EXPECT_EQ(json(Rational::parse("0.24"), 2), "0.24");
  EXPECT_EQ(json(Rational::parse("0.1") + Rational::parse("0.2"), 1), "0.3");
  EXPECT_EQ(json(Rational::of(885, 10), 0), "89");  // the lab turnaround baseline, half-up
  EXPECT_EQ(json(Rational::parse("123456789.123456"), 6), "123456789.123456");
  EXPECT_THROW(m::fhir_decimal(Rational::parse("1234567890.1234567"), 7), simpul::fhir::Error);
  EXPECT_THROW(m::fhir_decimal(Rational::parse("0.00000001"), 8), simpul::fhir::Error);
}

TEST(MeasureResource, DirectionsAndScoringsMapToFhirCodes) {
  const std::string rrns = simpul::fhir::to_json(m::measure_resource(*m::find_measure("kbk-rrns")));
  EXPECT_NE(rrns.find(R"("code":"decrease")"), std::string::npos);
  EXPECT_NE(rrns.find(R"("comparator":"<=")"), std::string::npos);
  const std::string wait = simpul::fhir::to_json(m::measure_resource(*m::find_measure("spm-rs-rj-waktu-tunggu")));
  EXPECT_NE(wait.find(R"("code":"continuous-variable")"), std::string::npos);
  EXPECT_NE(wait.find(R"("code":"measure-observation")"), std::string::npos);
  EXPECT_NE(wait.find(R"("code":"min")"), std::string::npos);
  const std::string score = simpul::fhir::to_json(m::measure_resource(*m::find_measure("kbk-score")));
  EXPECT_NE(score.find(R"("compositeScoring")"), std::string::npos);
  EXPECT_EQ(score.find(R"("scoring")"), std::string::npos);
  EXPECT_NE(score.find(R"({"type":"composed-of","resource":"https://fhir.simpul.id/Measure/kbk-rrns"})"),
            std::string::npos);
  const std::string cap = simpul::fhir::to_json(m::measure_resource(*m::find_measure("kbk-capitation")));
  EXPECT_EQ(cap.find(R"("comparator")"), std::string::npos);  // "=" has no comparator
  const std::string rppt = simpul::fhir::to_json(m::measure_resource(*m::find_measure("kbk-rppt")));
  EXPECT_NE(rppt.find(R"("id":"dm")"), std::string::npos);
  EXPECT_NE(rppt.find(R"("id":"ht")"), std::string::npos);
  const std::string igd = simpul::fhir::to_json(m::measure_resource(*m::find_measure("spm-rs-igd-waktu-tanggap")));
  EXPECT_NE(igd.find(R"("valueBoolean":false)"), std::string::npos);
}

TEST(MeasureResource, EveryMeasureValidatesAgainstTheR4Schema) {
  std::vector<std::string> bodies;
  std::vector<std::string> ids;
  for (const auto& d : m::measure_catalogue()) {
    bodies.push_back(simpul::fhir::to_json(m::measure_resource(d)));
    ids.emplace_back(d.id);
  }
  const auto verdicts = simpul::testing::mappings::schema_verdicts("measures-catalogue", bodies);
  ASSERT_EQ(verdicts.size(), bodies.size());
  for (std::size_t i = 0; i < verdicts.size(); ++i) EXPECT_EQ(verdicts[i], "ok") << ids[i] << ": " << bodies[i];
}

}  // namespace
