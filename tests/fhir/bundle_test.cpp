#include "fhir/bundle.hpp"

#include <gtest/gtest.h>

#include "error_capture.hpp"
#include "fhir/json.hpp"

namespace simpul::fhir {
namespace {

using testing::capture_error;
using testing::first_diagnostics;
using testing::first_expression;

TEST(SearchsetBuilder, ExactJson) {
  const auto p1 = parse_json(R"({"resourceType":"Patient","id":"1"})");
  const auto oo = parse_json(R"({"resourceType":"OperationOutcome","issue":[{"severity":"warning","code":"incomplete"}]})");
  SearchsetBuilder builder;
  builder.total(1).link("self", "https://simpul.local/fhir/Patient?name=budi");
  builder.add(full_url("https://simpul.local/fhir/", "Patient", "1"), p1);
  builder.add("", oo, SearchMode::outcome);
  EXPECT_EQ(builder.size(), 2u);
  const auto bundle = builder.finish();
  EXPECT_EQ(to_json(bundle),
            R"({"resourceType":"Bundle","type":"searchset","total":1,)"
            R"("link":[{"relation":"self","url":"https://simpul.local/fhir/Patient?name=budi"}],)"
            R"("entry":[{"fullUrl":"https://simpul.local/fhir/Patient/1",)"
            R"("resource":{"resourceType":"Patient","id":"1"},"search":{"mode":"match"}},)"
            R"({"resource":{"resourceType":"OperationOutcome","issue":[{"severity":"warning","code":"incomplete"}]},)"
            R"("search":{"mode":"outcome"}}]})");
}

TEST(SearchsetBuilder, EmptyResultHasNoEmptyArrays) {
  SearchsetBuilder builder;
  builder.total(0);
  EXPECT_EQ(to_json(builder.finish()), R"({"resourceType":"Bundle","type":"searchset","total":0})");
  SearchsetBuilder no_total;
  EXPECT_EQ(to_json(no_total.finish()), R"({"resourceType":"Bundle","type":"searchset"})");
}

TEST(SearchsetBuilder, CopiesResourcesSoTheSourceMayDie) {
  SearchsetBuilder builder;
  {
    const auto source = parse_json(R"({"resourceType":"Observation","id":"o1","status":"final"})");
    builder.add("urn:uuid:1", source, SearchMode::include);
  }
  const auto bundle = builder.finish();
  EXPECT_STREQ(bundle["entry"][0]["resource"]["status"].GetString(), "final");
  EXPECT_STREQ(bundle["entry"][0]["search"]["mode"].GetString(), "include");
}

TEST(SearchsetBuilder, ReusableAfterFinish) {
  SearchsetBuilder builder;
  builder.total(1).add("urn:uuid:1", parse_json(R"({"resourceType":"Patient"})"));
  const auto first = builder.finish();
  EXPECT_EQ(builder.size(), 0u);
  builder.add("urn:uuid:2", parse_json(R"({"resourceType":"Practitioner"})"));
  const auto second = builder.finish();
  EXPECT_EQ(to_json(second), R"({"resourceType":"Bundle","type":"searchset","entry":[{"fullUrl":"urn:uuid:2",)"
                             R"("resource":{"resourceType":"Practitioner"},"search":{"mode":"match"}}]})");
  EXPECT_STREQ(first["entry"][0]["resource"]["resourceType"].GetString(), "Patient");
  EXPECT_EQ(first["total"].GetUint64(), 1u);
}

TEST(FullUrl, JoinsWithOneSlash) {
  EXPECT_EQ(full_url("https://h/fhir", "Patient", "1"), "https://h/fhir/Patient/1");
  EXPECT_EQ(full_url("https://h/fhir//", "Patient", "1"), "https://h/fhir/Patient/1");
}

TEST(BundleEntries, WalksATransaction) {
  const auto doc = parse_json(R"({"resourceType":"Bundle","type":"transaction","entry":[
    {"fullUrl":"urn:uuid:a","resource":{"resourceType":"Patient"},"request":{"method":"POST","url":"Patient"}},
    {"request":{"method":"DELETE","url":"Observation/9"}},
    {"fullUrl":"urn:uuid:c","resource":{"resourceType":"Encounter"}}]})");
  EXPECT_EQ(bundle_type(doc), "transaction");
  const auto entries = bundle_entries(doc);
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].index, 0u);
  EXPECT_EQ(entries[0].full_url, "urn:uuid:a");
  ASSERT_NE(entries[0].resource, nullptr);
  EXPECT_EQ(string_member(*entries[0].resource, "resourceType"), "Patient");
  ASSERT_NE(entries[0].request, nullptr);
  EXPECT_EQ(string_member(*entries[0].request, "method"), "POST");
  EXPECT_EQ(entries[1].full_url, "");
  EXPECT_EQ(entries[1].resource, nullptr);
  EXPECT_EQ(string_member(*entries[1].request, "url"), "Observation/9");
  EXPECT_EQ(entries[2].index, 2u);
  EXPECT_EQ(entries[2].request, nullptr);
  EXPECT_EQ(entries[2].entry, &doc["entry"][2]);
}

TEST(BundleEntries, NoEntries) {
  EXPECT_TRUE(bundle_entries(parse_json(R"({"resourceType":"Bundle","type":"collection"})")).empty());
}

TEST(BundleEntries, StructuralErrorsNameTheEntry) {
  struct Case {
    const char* json;
    const char* expression;
  };
  for (const Case& c : {Case{R"({"resourceType":"Patient"})", "resourceType"},
                        Case{R"({"resourceType":"Bundle","entry":{}})", "Bundle.entry"},
                        Case{R"({"resourceType":"Bundle","entry":[{},7]})", "Bundle.entry[1]"},
                        Case{R"({"resourceType":"Bundle","entry":[{"fullUrl":1}]})", "Bundle.entry[0].fullUrl"},
                        Case{R"({"resourceType":"Bundle","entry":[{},{"resource":[]}]})", "Bundle.entry[1].resource"},
                        Case{R"({"resourceType":"Bundle","entry":[{"request":"POST"}]})", "Bundle.entry[0].request"}}) {
    const auto doc = parse_json(c.json);
    auto e = capture_error([&] { bundle_entries(doc); });
    ASSERT_TRUE(e) << c.json;
    EXPECT_EQ(e->status(), 400);
    EXPECT_EQ(first_expression(*e), std::vector<std::string>{c.expression}) << c.json;
  }
}

TEST(BundleType, Errors) {
  auto missing = capture_error([] { bundle_type(parse_json(R"({"resourceType":"Bundle"})")); });
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->issues()[0].code, "required");
  EXPECT_EQ(first_expression(*missing), std::vector<std::string>{"Bundle.type"});
  auto wrong = capture_error([] { bundle_type(parse_json(R"({"resourceType":"Bundle","type":1})")); });
  ASSERT_TRUE(wrong);
  EXPECT_NE(first_diagnostics(*wrong).find("must be a string"), std::string::npos);
}

}  // namespace
}  // namespace simpul::fhir
