#include "fhir/resource.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "error_capture.hpp"
#include "fhir/json.hpp"

namespace simpul::fhir {
namespace {

using testing::capture_error;
using testing::first_diagnostics;
using testing::first_expression;

TEST(ResourceTypes, CompleteSortedAndUnique) {
  const auto types = resource_types();
  EXPECT_EQ(types.size(), kResourceTypeCount);
  EXPECT_EQ(types.size(), 146u);
  EXPECT_TRUE(std::is_sorted(types.begin(), types.end()));
  EXPECT_EQ(std::set<std::string_view>(types.begin(), types.end()).size(), types.size());
  for (std::string_view t : types) {
    EXPECT_TRUE(is_resource_type(t)) << t;
    EXPECT_FALSE(t.empty());
    EXPECT_TRUE(t.front() >= 'A' && t.front() <= 'Z') << t;
  }
}

TEST(ResourceTypes, KnownAndUnknownNames) {
  for (std::string_view t :
       {"Patient", "Encounter", "Observation", "Condition", "Coverage", "Claim", "ClaimResponse", "Bundle",
        "OperationOutcome", "MeasureReport", "Measure", "AuditEvent", "Provenance", "Account", "VisionPrescription",
        "CoverageEligibilityRequest", "MedicinalProductUndesirableEffect", "SubstanceSourceMaterial", "List",
        "Parameters", "Binary", "EffectEvidenceSynthesis", "CatalogEntry", "TerminologyCapabilities"}) {
    EXPECT_TRUE(is_resource_type(t)) << t;
  }
  for (std::string_view t : {"", "patient", "PATIENT", "Patient ", " Patient", "Resource", "DomainResource",
                             "Pasien", "SubscriptionTopic", "ClinicalUseDefinition", "Evidence2", "Patien"}) {
    EXPECT_FALSE(is_resource_type(t)) << t;
  }
}

TEST(ResourceTypeOf, ReturnsTheType) {
  const auto doc = parse_json(R"({"resourceType":"Observation","status":"final"})");
  EXPECT_EQ(resource_type_of(doc), "Observation");
  EXPECT_NO_THROW(expect_resource_type(doc, "Observation"));
}

TEST(ResourceTypeOf, ErrorsSayWhichProblem) {
  struct Case {
    const char* json;
    const char* code;
    const char* fragment;
  };
  for (const Case& c : {Case{"[]", "structure", "JSON object"}, Case{R"({"id":"x"})", "required", "no resourceType"},
                        Case{R"({"resourceType":null})", "structure", "must be a JSON string"},
                        Case{R"({"resourceType":["Patient"]})", "structure", "must be a JSON string"},
                        Case{R"({"resourceType":""})", "value", "empty"},
                        Case{R"({"resourceType":"Foo"})", "value", "Unknown resourceType 'Foo'"}}) {
    const auto doc = parse_json(c.json);
    auto e = capture_error([&] { resource_type_of(doc); });
    ASSERT_TRUE(e) << c.json;
    EXPECT_EQ(e->status(), 400);
    EXPECT_EQ(e->issues()[0].code, c.code) << c.json;
    EXPECT_EQ(first_expression(*e), std::vector<std::string>{"resourceType"});
    EXPECT_NE(first_diagnostics(*e).find(c.fragment), std::string::npos) << first_diagnostics(*e);
  }
}

TEST(ResourceTypeOf, LongUnknownNamesAreShortenedInDiagnostics) {
  const std::string name(5000, 'X');
  const auto doc = parse_json("{\"resourceType\":\"" + name + "\"}");
  auto e = capture_error([&] { resource_type_of(doc); });
  ASSERT_TRUE(e);
  EXPECT_LT(first_diagnostics(*e).size(), 200u);
}

TEST(ExpectResourceType, WrongType) {
  const auto doc = parse_json(R"({"resourceType":"Observation"})");
  auto e = capture_error([&] { expect_resource_type(doc, "Patient"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status(), 400);
  EXPECT_EQ(first_diagnostics(*e), "expected resourceType 'Patient' but got 'Observation'");
  EXPECT_EQ(first_expression(*e), std::vector<std::string>{"resourceType"});
}

TEST(Formats, Id) {
  const std::string longest(64, 'x');
  for (std::string_view s : {std::string_view("a"), std::string_view("123"), std::string_view("Patient-1.v2"),
                             std::string_view("A-Za-z0-9.-"), std::string_view(longest)}) {
    EXPECT_TRUE(is_valid_id(s)) << s;
  }
  const std::string too_long(65, 'x');
  for (std::string_view s : {std::string_view(""), std::string_view(too_long), std::string_view("a b"),
                             std::string_view("a_b"), std::string_view("a/b"), std::string_view("é"),
                             std::string_view("a\0b", 3)}) {
    EXPECT_FALSE(is_valid_id(s)) << s;
  }
}

TEST(Formats, Date) {
  for (std::string_view s : {"2024", "2024-02", "2024-02-29", "2000-02-29", "0001-01-01", "9999-12-31", "1970-01-31"}) {
    EXPECT_TRUE(is_valid_date(s)) << s;
  }
  for (std::string_view s : {"", "0000", "24", "20240", "2024-2", "2024-13", "2024-00", "2024-01-00", "2024-01-32",
                             "2023-02-29", "1900-02-29", "2024-04-31", "2024-01-01T00:00:00Z", "2024/01/01",
                             "2024-01-01 ", "x024", "2024-", "2024-01-"}) {
    EXPECT_FALSE(is_valid_date(s)) << s;
  }
}

TEST(Formats, DateTime) {
  for (std::string_view s : {"2024", "2024-03", "2024-03-05", "2024-03-05T10:15:30Z", "2024-03-05T10:15:30+07:00",
                             "2024-03-05T10:15:30.123456-03:30", "2024-03-05T23:59:60Z", "2024-03-05T00:00:00+14:00",
                             "2024-03-05T00:00:00-13:59"}) {
    EXPECT_TRUE(is_valid_datetime(s)) << s;
  }
  for (std::string_view s :
       {"", "2024-03-05T10:15:30", "2024-03-05T10:15Z", "2024-03-05T24:00:00Z", "2024-03-05T10:60:00Z",
        "2024-03-05T10:15:61Z", "2024-03-05T10:15:30.Z", "2024-03-05T10:15:30+14:01", "2024-03-05T10:15:30+15:00",
        "2024-03-05T10:15:30+0700", "2024-03T10:15:30Z", "2024-03-05t10:15:30Z", "2024-03-05T10:15:30z",
        "2024-03-05T10:15:30Z ", "2024-02-30T10:15:30Z"}) {
    EXPECT_FALSE(is_valid_datetime(s)) << s;
  }
}

TEST(Formats, Instant) {
  for (std::string_view s : {"2024-03-05T10:15:30Z", "2024-03-05T10:15:30.5+07:00", "2015-02-07T13:28:17.239+02:00"}) {
    EXPECT_TRUE(is_valid_instant(s)) << s;
  }
  for (std::string_view s : {"2024", "2024-03", "2024-03-05", "2024-03-05T10:15:30", "2024-03-05T10:15Z",
                             "2024-13-05T10:15:30Z", ""}) {
    EXPECT_FALSE(is_valid_instant(s)) << s;
  }
}

TEST(Formats, Time) {
  for (std::string_view s : {"00:00:00", "23:59:59", "12:30:00.25", "23:59:60"}) EXPECT_TRUE(is_valid_time(s)) << s;
  for (std::string_view s : {"", "24:00:00", "12:30", "12:30:00Z", "1:30:00", "12:30:00.", "12:61:00"}) {
    EXPECT_FALSE(is_valid_time(s)) << s;
  }
}

TEST(Formats, Code) {
  for (std::string_view s : {"final", "in-progress", "A01", "two words", "a b c"}) EXPECT_TRUE(is_valid_code(s)) << s;
  for (std::string_view s : {"", " final", "final ", "two  words", "tab\t\tx", "\n"}) {
    EXPECT_FALSE(is_valid_code(s)) << s;
  }
}

}  // namespace
}  // namespace simpul::fhir
