#include "fhir/outcome.hpp"

#include <gtest/gtest.h>

#include "fhir/json.hpp"
#include "fhir/resource.hpp"

namespace simpul::fhir {
namespace {

TEST(Outcome, ExactMinifiedJson) {
  const Error e = Error::invalid("birthDate \"31-12-2020\" is not a date\n(use YYYY-MM-DD)", "Patient.birthDate");
  EXPECT_EQ(outcome_json(e),
            R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"invalid",)"
            R"j("diagnostics":"birthDate \"31-12-2020\" is not a date\n(use YYYY-MM-DD)",)j"
            R"("expression":["Patient.birthDate"]}]})");
}

TEST(Outcome, ExactPrettyJson) {
  const Error e = Error::not_found("Patient/9 is not known");
  EXPECT_EQ(outcome_json(e, true),
            "{\n"
            "  \"resourceType\": \"OperationOutcome\",\n"
            "  \"issue\": [\n"
            "    {\n"
            "      \"severity\": \"error\",\n"
            "      \"code\": \"not-found\",\n"
            "      \"diagnostics\": \"Patient/9 is not known\"\n"
            "    }\n"
            "  ]\n"
            "}");
}

TEST(Outcome, PrettyAndMinifiedCarryTheSameContent) {
  Error e = Error::invalid("a", "X.a");
  e.add_issue({Severity::warning, "value", "b", {"X.b", "X.c"}});
  const std::string minified = outcome_json(e);
  const std::string pretty = outcome_json(e, true);
  EXPECT_EQ(minified.find('\n'), std::string::npos);
  EXPECT_NE(pretty.find('\n'), std::string::npos);
  EXPECT_EQ(to_json(parse_json(pretty)), minified);
}

TEST(Outcome, EmptyFieldsAreOmitted) {
  const std::string json = outcome_json(std::vector<Issue>{{Severity::warning, "informational", "", {}}});
  EXPECT_EQ(json, R"({"resourceType":"OperationOutcome","issue":[{"severity":"warning","code":"informational"}]})");
}

TEST(Outcome, SeveralIssuesAndExpressions) {
  Error e = Error::required("name is required", "Patient.name");
  e.add_issue({Severity::error, "value", "gender must be a code", {"Patient.gender", "Patient.gender.extension"}});
  const auto doc = parse_resource(outcome_json(e));
  expect_resource_type(doc, "OperationOutcome");
  ASSERT_EQ(doc["issue"].Size(), 2u);
  EXPECT_STREQ(doc["issue"][0]["code"].GetString(), "required");
  EXPECT_STREQ(doc["issue"][1]["code"].GetString(), "value");
  ASSERT_EQ(doc["issue"][1]["expression"].Size(), 2u);
  EXPECT_STREQ(doc["issue"][1]["expression"][1].GetString(), "Patient.gender.extension");
}

TEST(Outcome, InternalMessageNeverAppears) {
  const std::string secret = "SECRET-consid-4711-password=hunter2";
  for (const Error& e : {Error::invalid("bad", "Patient.id", secret), Error::unauthorized("no key", "", secret),
                         Error::bad_gateway("BPJS failed", "", secret), Error::internal(secret),
                         Error::internal("db failure", "", secret), Error::unavailable("busy", "", secret)}) {
    const std::string json = outcome_json(e);
    const std::string pretty = outcome_json(e, true);
    EXPECT_EQ(json.find("SECRET"), std::string::npos) << json;
    EXPECT_EQ(json.find("hunter2"), std::string::npos) << json;
    EXPECT_EQ(pretty.find("hunter2"), std::string::npos) << pretty;
    EXPECT_NE(e.internal().find("hunter2"), std::string::npos);
  }
}

TEST(Outcome, InternalErrorShowsGenericText) {
  const auto doc = parse_json(outcome_json(Error::internal("null pointer in mapper")));
  EXPECT_EQ(as_string_view(doc["issue"][0]["diagnostics"]), Error::kInternalDiagnostics);
  EXPECT_STREQ(doc["issue"][0]["code"].GetString(), "exception");
}

TEST(Outcome, ControlCharactersAndInvalidUtf8AreSafe) {
  const std::string nasty = std::string("tab\there nul") + '\0' + "\x01 bad \xC3\x28 utf8 \xFF end";
  const std::string json = outcome_json(std::vector<Issue>{{Severity::error, "invalid", nasty, {"a\"b"}}});
  EXPECT_TRUE(is_valid_utf8(json));
  const auto doc = parse_json(json);  // valid JSON
  const std::string_view diagnostics = as_string_view(doc["issue"][0]["diagnostics"]);
  EXPECT_NE(diagnostics.find("tab\there"), std::string_view::npos);
  EXPECT_NE(diagnostics.find(std::string_view("nul\0\x01", 5)), std::string_view::npos);
  EXPECT_NE(diagnostics.find("bad \xEF\xBF\xBD( utf8 \xEF\xBF\xBD end"), std::string_view::npos);
  EXPECT_STREQ(doc["issue"][0]["expression"][0].GetString(), "a\"b");
}

TEST(Outcome, NonAsciiTextIsKept) {
  const std::string json = outcome_json(Error::invalid("Nama pasien tidak valid: Réné – 日本"));
  const auto doc = parse_json(json);
  EXPECT_EQ(as_string_view(doc["issue"][0]["diagnostics"]), "Nama pasien tidak valid: Réné – 日本");
}

TEST(Outcome, EmptyIssueListStillValid) {
  EXPECT_EQ(outcome_json(std::vector<Issue>{}),
            R"({"resourceType":"OperationOutcome","issue":[{"severity":"information","code":"informational"}]})");
}

TEST(Outcome, MissingCodeBecomesUnknown) {
  const auto doc = parse_json(outcome_json(std::vector<Issue>{{Severity::fatal, "", "x", {}}}));
  EXPECT_STREQ(doc["issue"][0]["code"].GetString(), "unknown");
  EXPECT_STREQ(doc["issue"][0]["severity"].GetString(), "fatal");
}

}  // namespace
}  // namespace simpul::fhir
