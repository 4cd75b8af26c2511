// Evaluating catalogue measures into MeasureReports: period keys, parameters, the KBK
// chain from facts to rating and capitation, an SPM service, and R4 schema validity.
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "fhir/error.hpp"
#include "fhir/json.hpp"
#include "mappings/measures/evaluate.hpp"
#include "tests/mappings/measures_facts_fixture.hpp"
#include "tests/mappings/schema_oracle.hpp"

namespace {

namespace m = simpul::mappings::measures;
using simpul::testing::measures::Facts;

rapidjson::Document json(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  return d;
}

m::MeasureParameters params(const std::string& text) {
  return m::parse_parameters(json(text));
}

const rapidjson::Value& group(const rapidjson::Document& report, rapidjson::SizeType i = 0) {
  return report["group"][i];
}
std::int64_t population(const rapidjson::Value& g, const std::string& code) {
  for (const auto& p : g["population"].GetArray()) {
    if (p["code"]["coding"][0]["code"].GetString() == code) return p["count"].GetInt64();
  }
  ADD_FAILURE() << "no population " << code;
  return -1;
}
std::string score(const rapidjson::Value& g) {
  return simpul::fhir::to_json(g["measureScore"]["value"], false);
}
int extension_int(const rapidjson::Value& g, const std::string& url) {
  for (const auto& e : g["extension"].GetArray()) {
    if (e["url"].GetString() == url) return e["valueInteger"].GetInt();
  }
  return -1;
}

TEST(MeasurePeriodKey, MonthQuarterYearSchoolYear) {
  auto k = m::parse_period_key("2026-03");
  EXPECT_EQ(k.period.first, Facts::day(2026, 3, 1));
  EXPECT_EQ(k.period.last, Facts::day(2026, 3, 31));
  k = m::parse_period_key("2024-Q1");
  EXPECT_EQ(k.period.last, Facts::day(2024, 3, 31));
  k = m::parse_period_key("2024");
  EXPECT_EQ(k.period.first, Facts::day(2024, 1, 1));
  EXPECT_EQ(k.period.last, Facts::day(2024, 12, 31));
  k = m::parse_period_key("2025/2026");
  EXPECT_EQ(k.period.first, Facts::day(2025, 7, 1));
  EXPECT_EQ(k.period.last, Facts::day(2026, 6, 30));
  for (const char* bad : {"", "26-03", "2026-13", "2026-Q5", "2025/2027", "2026-3", "march"}) {
    EXPECT_THROW(m::parse_period_key(bad), simpul::fhir::Error) << bad;
  }
}

TEST(MeasureParameters, ParsedAndNamedWhenWrong) {
  const auto p = params(R"({"utc_offset_minutes": 480, "area": "7318",
      "kbk": {"registered_participants": 5000, "competence_diagnoses": ["J06", "K29.7"],
              "fasting_glucose_max_mg_dl": "125.5"},
      "sasaran": {"spm-pkm-01-ibu-hamil": 120}})");
  EXPECT_EQ(p.utc_offset_minutes, 480);
  EXPECT_EQ(p.kbk.utc_offset_minutes, 480);
  EXPECT_EQ(p.kbk.registered_participants, 5000);
  ASSERT_EQ(p.kbk.competence_diagnoses.size(), 2u);
  EXPECT_EQ(p.kbk.competence_diagnoses[0], std::string(m::kIcd10) + "|J06*");
  EXPECT_EQ(p.kbk.competence_diagnoses[1], std::string(m::kIcd10) + "|K29.7");
  EXPECT_EQ(p.kbk.fasting_glucose_max_milli, 125'500);
  EXPECT_EQ(p.sasaran.at("spm-pkm-01-ibu-hamil"), 120);
  const std::vector<std::pair<std::string, std::string>> bad = {
      {R"({"kbk": {"registered_participants": -3}})", "kbk.registered_participants"},
      {R"({"kbk": {"competence_diagnoses": [7]}})", "kbk.competence_diagnoses[0]"},
      {R"({"sasaran": {"spm-pkm-99": 1}})", "sasaran.spm-pkm-99"},
      {R"({"kbk": {"systolic_below_mmhg": "1.0001"}})", "kbk.systolic_below_mmhg"},
      {R"([1])", "parameters"},
  };
  for (const auto& [text, element] : bad) {
    try {
      params(text);
      ADD_FAILURE() << "accepted " << text;
    } catch (const simpul::fhir::Error& e) {
      EXPECT_NE(std::string(e.what()).find(element), std::string::npos) << e.what();
    }
  }
}

// A March in which 148 of 1,000 registered participants had a contact (AK 148‰ -> rating 3),
// 1 of 50 referrals was non-specialist (RRNS 2% -> 4), and RPPT (1/10 DM, 0/10 HT) = 5% -> 4:
// score 0.4 x 3 + 0.5 x 4 + 0.1 x 4 = 3.6 -> 95% of the capitation.
struct KbkMonth : ::testing::Test {
  Facts f;
  void SetUp() override {
    for (int i = 0; i < 148; ++i) {
      std::string name = "c";
      name += std::to_string(i);
      const auto s = f.person(name, Facts::day(1980, 1, 1));
      f.st.patients.back().jkn = true;
      f.enc(s, f.at(2026, 3, 2 + i % 27));
      if (i < 50) f.referral(s, f.at(2026, 3, 3)).reason = f.code(Facts::icd(i == 0 ? "J06.9" : "I21.0"));
      if (i < 10) f.cond(s, Facts::icd("E11.9"), f.at(2025, 1, 1));
      if (i == 0) f.obs(s, Facts::loinc("1558-6"), f.at(2026, 3, 20), 110'000);
      if (i >= 10 && i < 20) f.cond(s, Facts::icd("I10"), f.at(2025, 1, 1));
    }
    f.done();
  }
  m::MeasureParameters p =
      params(R"({"kbk": {"registered_participants": 1000, "competence_diagnoses": ["J06"]}})");
  m::ReportContext ctx{"2026-04-01T08:00:00+07:00", "http://sys-ids.kemkes.go.id/organization", "10000004",
                       "Puskesmas Demo"};
  rapidjson::Document evaluate(const char* id, const char* period = "2026-03") {
    return m::evaluate_measure(*m::find_measure(id), f.st, m::parse_period_key(period), p, ctx);
  }
};

TEST_F(KbkMonth, FromFactsToRatingsScoreAndCapitation) {
  auto ak = evaluate("kbk-ak");
  EXPECT_EQ(population(group(ak), "numerator"), 148);
  EXPECT_EQ(population(group(ak), "denominator"), 1000);
  EXPECT_EQ(score(group(ak)), "148");
  EXPECT_EQ(std::string(group(ak)["measureScore"]["code"].GetString()), "[ppth]");
  EXPECT_EQ(extension_int(group(ak), "https://fhir.simpul.id/StructureDefinition/kbk-rating"), 3);
  auto rrns = evaluate("kbk-rrns");
  EXPECT_EQ(population(group(rrns), "numerator"), 1);
  EXPECT_EQ(population(group(rrns), "denominator"), 50);
  EXPECT_EQ(score(group(rrns)), "2");
  EXPECT_EQ(extension_int(group(rrns), "https://fhir.simpul.id/StructureDefinition/kbk-rating"), 4);
  auto rppt = evaluate("kbk-rppt");
  ASSERT_EQ(rppt["group"].Size(), 2u);
  EXPECT_EQ(std::string(group(rppt, 0)["id"].GetString()), "dm");
  EXPECT_EQ(score(group(rppt, 0)), "10");
  EXPECT_EQ(score(group(rppt, 1)), "0");
  EXPECT_EQ(extension_int(group(rppt, 1), "https://fhir.simpul.id/StructureDefinition/kbk-rating"), 4);
  EXPECT_EQ(score(group(evaluate("kbk-score"))), "3.6");
  EXPECT_EQ(score(group(evaluate("kbk-capitation"))), "95");
  EXPECT_EQ(std::string(ak["period"]["start"].GetString()), "2026-03-01");
  EXPECT_EQ(std::string(ak["period"]["end"].GetString()), "2026-03-31");
  EXPECT_EQ(std::string(ak["measure"].GetString()), "https://fhir.simpul.id/Measure/kbk-ak");
  EXPECT_EQ(std::string(ak["reporter"]["identifier"]["value"].GetString()), "10000004");

  std::vector<std::string> reports;
  for (const char* id : {"kbk-ak", "kbk-rrns", "kbk-rppt", "kbk-score", "kbk-capitation"}) {
    reports.push_back(simpul::fhir::to_json(evaluate(id), false));
  }
  for (const auto& v : simpul::testing::mappings::schema_verdicts("measures-evaluate", reports)) EXPECT_EQ(v, "ok");
}

TEST_F(KbkMonth, KbkIsMonthlyAndNeedsItsParameters) {
  EXPECT_THROW(evaluate("kbk-ak", "2026-Q1"), simpul::fhir::Error);
  p = params("{}");
  EXPECT_THROW(evaluate("kbk-ak"), simpul::fhir::Error);
}

TEST_F(KbkMonth, SpmNeedsItsTargetPopulationAndUnevaluableMeasuresSayWhy) {
  EXPECT_THROW(evaluate("spm-pkm-08-hipertensi", "2026"), simpul::fhir::Error);
  p = params(R"({"sasaran": {"spm-pkm-08-hipertensi": 40}})");
  auto ht = evaluate("spm-pkm-08-hipertensi", "2026");
  EXPECT_EQ(population(group(ht), "denominator"), 40);
  EXPECT_EQ(population(group(ht), "numerator"), 0) << "no monthly blood pressure readings";
  EXPECT_EQ(score(group(ht)), "0");
  std::string why;
  EXPECT_FALSE(m::evaluable(*m::find_measure("pengampuan-angka-rujukan"), &why));
  EXPECT_NE(why.find("engagement"), std::string::npos);
  try {
    evaluate("spm-rs-rj-kepuasan");
    FAIL() << "evaluated a satisfaction survey from encounters";
  } catch (const simpul::fhir::Error& e) {
    EXPECT_NE(std::string(e.what()).find("spm-rs-rj-kepuasan"), std::string::npos);
  }
}

}  // namespace

namespace {

// Nobody with DM or HT: RPPT is undefined (an error naming it, not a guess), which must not
// stop AK and RRNS; the score needs all three.
TEST(MeasureEvaluate, AnUndefinedRpptDoesNotStopAkOrRrns) {
  Facts f;
  const auto s = f.person("p", Facts::day(1980, 1, 1));
  f.st.patients.back().jkn = true;
  f.enc(s, f.at(2026, 3, 2));
  f.done();
  const auto p = params(R"({"kbk": {"registered_participants": 10, "competence_diagnoses": ["J06"]}})");
  const auto key = m::parse_period_key("2026-03");
  const auto ak = m::evaluate_measure(*m::find_measure("kbk-ak"), f.st, key, p, {});
  EXPECT_EQ(score(group(ak)), "100");
  EXPECT_EQ(score(group(m::evaluate_measure(*m::find_measure("kbk-rrns"), f.st, key, p, {}))), "0");
  EXPECT_THROW(m::evaluate_measure(*m::find_measure("kbk-rppt"), f.st, key, p, {}), simpul::fhir::Error);
  EXPECT_THROW(m::evaluate_measure(*m::find_measure("kbk-score"), f.st, key, p, {}), simpul::fhir::Error);
}

}  // namespace
