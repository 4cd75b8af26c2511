// [registry] and [[tenants.reporters]] in the config file, and the MeasureReport shape
// both sides check (fhir/measure_report_shape.hpp).
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "adapter/config.hpp"
#include "fhir/error.hpp"
#include "fhir/json.hpp"
#include "fhir/measure_report_shape.hpp"
#include "tests/adapter/store_test_support.hpp"

namespace {

using simpul::adapter::Config;
using simpul::adapter::ConfigError;
using simpul::adapter::load_config;

std::string write(const simpul::testing::TempDir& dir, const std::string& text) {
  const std::string path = dir.file("simpul.toml");
  std::ofstream(path) << text;
  return path;
}

std::string errors_of(const std::string& path) {
  try {
    load_config(path);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return {};
}

TEST(RegistryConfig, FacilityAndRegistrySides) {
  simpul::testing::TempDir dir("simpul-config");
  const Config c = load_config(write(dir, R"([registry]
endpoint = "https://dinkes.example.go.id/"
auth_path = "/oauth2/v1"

[[tenants]]
id = "pkm"
kind = "puskesmas"
satusehat_organization_id = "100"
destinations = ["satusehat", "registry"]

[[tenants]]
id = "dinkes"
kind = "registry"

[[tenants.reporters]]
client_id = "pkm-client"
client_secret = "env:PKM_SECRET"
facility = "100"
area = "3273"
)"));
  EXPECT_EQ(c.registry.endpoint, "https://dinkes.example.go.id/");
  EXPECT_EQ(c.registry.auth_path, "/oauth2/v1");
  EXPECT_EQ(c.registry.fhir_path, "/registry/fhir");
  EXPECT_TRUE(c.tenants[0].sends_to("registry"));
  EXPECT_EQ(c.tenants[0].registry_reporter_id(), "100");
  ASSERT_EQ(c.tenants[1].reporters.size(), 1u);
  EXPECT_EQ(c.tenants[1].reporters[0].area, "3273");
  EXPECT_EQ(c.tenants[1].reporters[0].client_secret.ref, "env:PKM_SECRET");
}

TEST(RegistryConfig, ErrorsNameTheKey) {
  simpul::testing::TempDir dir("simpul-config");
  const std::string err = errors_of(write(dir, R"([[tenants]]
id = "pkm"
kind = "puskesmas"
destinations = ["registry"]

[[tenants.reporters]]
client_id = "x"
client_secret = "env:X"
facility = "1"
area = "32"

[[tenants]]
id = "dinkes"
kind = "registry"

[[tenants.reporters]]
client_id = "a"
client_secret = "plain-secret"
facility = "1"
area = "32.73"
)"));
  EXPECT_NE(err.find("tenants[0].reporters: only a tenant of kind \"registry\" has reporters"), std::string::npos) << err;
  EXPECT_NE(err.find("tenants.pkm.destinations: routes to \"registry\" but no [registry] endpoint"), std::string::npos)
      << err;
  EXPECT_NE(err.find("client_secret: must be a reference"), std::string::npos) << err;
  EXPECT_EQ(err.find("plain-secret"), std::string::npos) << "a secret must never be echoed: " << err;
  EXPECT_NE(err.find("area: must be a Kemendagri region code"), std::string::npos) << err;
}

std::string shape_errors(const std::string& json) {
  try {
    simpul::fhir::read_measure_report(simpul::fhir::parse_json(json));
  } catch (const simpul::fhir::Error& e) {
    std::string all;
    for (const auto& i : e.issues()) all += (i.expression.empty() ? "" : i.expression[0]) + "; ";
    return all;
  }
  return {};
}

TEST(MeasureReportShape, ReadsFiguresAndRefusesPersonsAndBadCounts) {
  const std::string pop = R"({"code":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/measure-population","code":")";
  const std::string good = R"({"resourceType":"MeasureReport","status":"complete","type":"summary","measure":"https://m/1",)"
                           R"("reporter":{"reference":"Organization/9"},"period":{"start":"2026-01-01T00:00:00+07:00","end":"2026-03-31"},)"
                           R"("group":[{"population":[)" + pop + R"(numerator"}]},"count":3},)" + pop +
                           R"(denominator"}]},"count":4}]}]})";
  const auto f = simpul::fhir::read_measure_report(simpul::fhir::parse_json(good));
  EXPECT_EQ(f.period_start, "2026-01-01");
  EXPECT_EQ(f.period_end, "2026-03-31");
  EXPECT_EQ(f.reporter_id, "9");
  ASSERT_EQ(f.groups.size(), 1u);
  EXPECT_EQ(f.groups[0].key, "#0");
  EXPECT_EQ(f.groups[0].populations[1].count, 4);

  const std::string bad = R"({"resourceType":"MeasureReport","status":"pending","type":"individual","measure":"m1",)"
                          R"("subject":{"reference":"Patient/1"},"period":{"start":"2026-02-30","end":"2026-01-01"},)"
                          R"("group":[{"population":[)" + pop + R"(numerator"}]},"count":-1,"subjectResults":{"reference":"List/1"}},)" +
                          pop + R"(numerator"}]},"count":2.5}]}]})";
  const std::string errs = shape_errors(bad);
  for (const char* e : {"MeasureReport.status", "MeasureReport.type", "MeasureReport.measure", "MeasureReport.subject",
                        "MeasureReport.period.start", "MeasureReport.group[0].population[0].count",
                        "MeasureReport.group[0].population[1].code", "MeasureReport.group[0].population[0].subjectResults"})
    EXPECT_NE(errs.find(e), std::string::npos) << e << " in " << errs;
}

}  // namespace
