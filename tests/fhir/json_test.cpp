#include "fhir/json.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "error_capture.hpp"

namespace simpul::fhir {
namespace {

using testing::capture_error;
using testing::first_code;
using testing::first_diagnostics;
using testing::first_expression;

// Expects parse_json(body) to fail with 400 and diagnostics containing every fragment.
void expect_invalid(std::string_view body, std::initializer_list<std::string_view> fragments,
                    const ParseLimits& limits = {}) {
  auto e = capture_error([&] { parse_json(body, limits); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status(), 400);
  EXPECT_EQ(first_code(*e), "structure");
  const std::string diagnostics = first_diagnostics(*e);
  for (std::string_view f : fragments) {
    EXPECT_NE(diagnostics.find(f), std::string::npos) << "missing '" << f << "' in: " << diagnostics;
  }
}

std::string nested_arrays(std::size_t depth, bool closed = true) {
  std::string s(depth, '[');
  if (closed) s.append(depth, ']');
  return s;
}

std::string nested_objects(std::size_t depth) {
  std::string s;
  s.reserve(depth * 6 + 1);
  for (std::size_t i = 0; i < depth; ++i) s += "{\"a\":";
  s += '1';
  s.append(depth, '}');
  return s;
}

// ---- well-formed input ----

TEST(ParseJson, ParsesAResource) {
  const auto doc = parse_json(R"({"resourceType":"Patient","id":"p1","active":true,"multipleBirthInteger":2,
    "name":[{"family":"Santoso","given":["Budi"]}],"extra":null,"score":1.5})");
  ASSERT_TRUE(doc.IsObject());
  EXPECT_EQ(string_member(doc, "resourceType"), "Patient");
  EXPECT_EQ(string_member(doc, "id"), "p1");
  EXPECT_TRUE(doc["active"].GetBool());
  EXPECT_EQ(doc["multipleBirthInteger"].GetInt(), 2);
  EXPECT_DOUBLE_EQ(doc["score"].GetDouble(), 1.5);
  EXPECT_STREQ(doc["name"][0]["given"][0].GetString(), "Budi");
}

TEST(ParseJson, AcceptsScalarsAndWhitespace) {
  EXPECT_TRUE(parse_json(" \t\r\n42\n ").IsInt());
  EXPECT_TRUE(parse_json("\"x\"").IsString());
  EXPECT_TRUE(parse_json("[]").IsArray());
  EXPECT_TRUE(parse_json("null").IsNull());
}

TEST(ParseJson, AcceptsUtf8AndEscapes) {
  const auto doc = parse_json(R"({"a":"Réné \u00e9 \ud83d\ude00 \n \"q\" \/"})");
  EXPECT_EQ(as_string_view(doc["a"]), "Réné é \xF0\x9F\x98\x80 \n \"q\" /");
}

TEST(ParseJson, EscapedNulIsKeptInsideTheString) {
  const auto doc = parse_json(R"({"a":"x\u0000y"})");
  EXPECT_EQ(as_string_view(doc["a"]), std::string_view("x\0y", 3));
}

TEST(ParseJson, ToleratesUtf8ByteOrderMark) {
  const auto doc = parse_json("\xEF\xBB\xBF{\"a\":1}");
  EXPECT_EQ(doc["a"].GetInt(), 1);
}

TEST(ParseJson, BodyNeedNotBeNulTerminated) {
  const std::string buffer = R"({"a":1}{"b":2})";
  const auto doc = parse_json(std::string_view(buffer).substr(0, 7));
  EXPECT_EQ(doc["a"].GetInt(), 1);
}

// ---- malformed input ----

TEST(ParseJson, TruncatedDocument) {
  expect_invalid(R"({"resourceType":"Patient","id":"1")", {"ends too early", "byte offset 34"});
  expect_invalid(R"({"resourceType":"Patient","id":"1)", {"ends too early"});
  expect_invalid(R"([1,2,)", {"ends too early"});
  expect_invalid(R"({"a":)", {"ends too early"});
}

TEST(ParseJson, TrailingGarbage) {
  expect_invalid(R"({"a":1} x)", {"unexpected content after the end", "byte offset 8", "line 1, column 9"});
  expect_invalid(R"({"a":1}{"b":2})", {"unexpected content after the end", "byte offset 7"});
}

TEST(ParseJson, BadEscape) {
  expect_invalid(R"({"a":"\q"})", {"invalid escape", "byte offset 6"});
  expect_invalid(R"({"a":"\u12G4"})", {"four hexadecimal digits"});
}

TEST(ParseJson, UnescapedControlCharacterInString) {
  expect_invalid("{\"a\":\"line\nbreak\"}", {"unescaped control character"});
}

TEST(ParseJson, InvalidUtf8) {
  expect_invalid("{\"a\":\"\xC3\x28\"}", {"not valid UTF-8", "byte offset 6"});   // bad continuation
  expect_invalid("{\"a\":\"\xC0\xAF\"}", {"not valid UTF-8"});                    // overlong '/'
  expect_invalid("{\"a\":\"\xED\xA0\x80\"}", {"not valid UTF-8"});                // raw surrogate
  expect_invalid("{\"a\":\"\xF4\x90\x80\x80\"}", {"not valid UTF-8"});            // > U+10FFFF
  expect_invalid("{\"a\":\"\xFF\"}", {"not valid UTF-8"});
  expect_invalid("{\"\xC3\":1}", {"not valid UTF-8"});                            // in a key
}

TEST(ParseJson, UnpairedSurrogateEscapes) {
  expect_invalid(R"({"a":"\udc00"})", {"unpaired UTF-16 surrogate"});
  expect_invalid(R"({"a":"\ud800"})", {"surrogate"});
  expect_invalid(R"({"a":"\ud800\u0041"})", {"surrogate"});
  expect_invalid(R"({"\udfff":1})", {"unpaired UTF-16 surrogate"});
}

TEST(ParseJson, SyntaxErrors) {
  expect_invalid(R"({a:1})", {"property name in double quotes", "byte offset 1"});
  expect_invalid(R"({"a" 1})", {"expected ':'"});
  expect_invalid(R"({"a":1 "b":2})", {"expected ',' or '}'"});
  expect_invalid(R"([1 2])", {"expected ',' or ']'"});
  expect_invalid(R"({"a":tru})", {"invalid value", "byte offset 5"});
  expect_invalid(R"([1,tx])", {"invalid value", "byte offset 3"});
  expect_invalid(R"({"a":1,})", {"property name in double quotes"});  // no trailing commas
  expect_invalid(R"({"a":NaN})", {"invalid value"});
  expect_invalid(R"({"a":1.})", {"digits after the decimal point"});
  expect_invalid(R"({"a":1e})", {"digits in the exponent"});
  expect_invalid(R"({"a":1e400})", {"number is too large"});
  expect_invalid("// comment\n{}", {"invalid value"});
}

TEST(ParseJson, EmptyBody) {
  expect_invalid("", {"body is empty"});
  expect_invalid(" \r\n\t ", {"body is empty"});
}

TEST(ParseJson, NulBytes) {
  expect_invalid(std::string_view("{\"a\":1}\0", 8), {"unexpected NUL byte", "byte offset 7"});
  expect_invalid(std::string_view("{\"a\":1}\0xyz", 11), {"unexpected NUL byte"});
  expect_invalid(std::string_view("{\"a\"\0:1}", 8), {"unexpected NUL byte", "byte offset 4"});
  expect_invalid(std::string_view("\0{}", 3), {"unexpected NUL byte", "byte offset 0"});
  expect_invalid(std::string_view("{\"a\":\"x\0y\"}", 11), {"byte offset 7"});
}

TEST(ParseJson, ReportsLineAndColumn) {
  expect_invalid("{\n  \"a\": 1,\n  \"b\": tru\n}", {"line 3, column 8", "invalid value"});
}

TEST(ParseJson, OffsetsCountTheByteOrderMark) {
  expect_invalid("\xEF\xBB\xBF{\"a\":1} x", {"byte offset 11"});
}

TEST(ParseJson, InternalMessageMatchesForLogs) {
  auto e = capture_error([] { parse_json("{oops}"); });
  ASSERT_TRUE(e);
  EXPECT_FALSE(e->internal().empty());
}

// ---- nesting depth ----

TEST(ParseJsonDepth, AllowsExactlyTheLimit) {
  EXPECT_NO_THROW(parse_json(nested_arrays(100)));
  EXPECT_NO_THROW(parse_json(nested_objects(100)));
  expect_invalid(nested_arrays(101), {"JSON nested deeper than 100 levels", "byte offset 100"});
  expect_invalid(nested_objects(101), {"JSON nested deeper than 100 levels"});
}

TEST(ParseJsonDepth, TenThousandDeepArraysAndObjects) {
  expect_invalid(nested_arrays(10'000), {"JSON nested deeper than 100 levels"});
  expect_invalid(nested_objects(10'000), {"JSON nested deeper than 100 levels"});
}

TEST(ParseJsonDepth, OneMillionDeepArraysAndObjects) {
  expect_invalid(nested_arrays(1'000'000), {"JSON nested deeper than 100 levels"});
  expect_invalid(nested_arrays(1'000'000, false), {"JSON nested deeper than 100 levels"});
  expect_invalid(nested_objects(1'000'000), {"JSON nested deeper than 100 levels"});
}

TEST(ParseJsonDepth, MixedNestingInsideAResource) {
  std::string body = R"({"resourceType":"Patient","extension":[)";
  for (int i = 0; i < 200; ++i) body += R"({"extension":[)";
  expect_invalid(body, {"JSON nested deeper than 100 levels"});
}

TEST(ParseJsonDepth, CustomLimit) {
  ParseLimits limits;
  limits.max_depth = 3;
  EXPECT_NO_THROW(parse_json("[[[1]]]", limits));
  expect_invalid("[[[[1]]]]", {"JSON nested deeper than 3 levels"}, limits);
  // Siblings do not add up: depth goes back down after each close.
  EXPECT_NO_THROW(parse_json("[[[1]],[[2]],{\"a\":[3]}]", limits));
}

TEST(ParseJsonDepth, DeepButValidDocumentUnderALargeLimitStillWorks) {
  ParseLimits limits;
  limits.max_depth = 5000;
  const auto doc = parse_json(nested_arrays(5000), limits);
  EXPECT_TRUE(doc.IsArray());  // and destroying it must not blow the stack
}

// ---- size ----

TEST(ParseJsonSize, OverTheLimitIs413) {
  ParseLimits limits;
  limits.max_bytes = 10;
  EXPECT_NO_THROW(parse_json(R"({"a":1234})", limits));  // exactly 10 bytes
  auto e = capture_error([&] { parse_json(R"({"a":12345})", limits); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status(), 413);
  EXPECT_EQ(first_code(*e), "too-costly");
  EXPECT_NE(first_diagnostics(*e).find("11 bytes"), std::string::npos);
  EXPECT_NE(first_diagnostics(*e).find("limit is 10 bytes"), std::string::npos);
}

TEST(ParseJsonSize, DefaultLimitIsSixteenMebibytes) {
  const std::string big((16u << 20) + 1, ' ');
  auto e = capture_error([&] { parse_json(big); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status(), 413);
}

// ---- duplicate property names ----

TEST(ParseJsonDuplicates, RejectedWithTheirPath) {
  auto e = capture_error([] {
    parse_json(R"({"resourceType":"Patient","name":[{"given":["a"]},{"family":"a","family":"b"}]})");
  });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status(), 400);
  EXPECT_NE(first_diagnostics(*e).find("'family' appears more than once"), std::string::npos);
  EXPECT_EQ(first_expression(*e), std::vector<std::string>{"Patient.name[1].family"});
}

TEST(ParseJsonDuplicates, TopLevelAndLargeObjects) {
  auto top = capture_error([] { parse_json(R"({"resourceType":"Patient","id":"1","id":"2"})"); });
  ASSERT_TRUE(top);
  EXPECT_EQ(first_expression(*top), std::vector<std::string>{"Patient.id"});

  std::string big = "{";
  for (int i = 0; i < 40; ++i) big += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  big += "\"k17\":0}";
  auto large = capture_error([&] { parse_json(big); });
  ASSERT_TRUE(large);
  EXPECT_EQ(first_expression(*large), std::vector<std::string>{"k17"});

  big.replace(big.rfind("k17"), 3, "k99");
  EXPECT_NO_THROW(parse_json(big));
}

TEST(ParseJsonDuplicates, CanBeAllowed) {
  ParseLimits limits;
  limits.reject_duplicate_keys = false;
  EXPECT_NO_THROW(parse_json(R"({"a":1,"a":2})", limits));
}

TEST(ParseJsonDuplicates, SameNameInDifferentObjectsIsFine) {
  EXPECT_NO_THROW(parse_json(R"({"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}]})"));
}

// ---- parse_resource ----

TEST(ParseResource, AcceptsAKnownResource) {
  const auto doc = parse_resource(R"({"resourceType":"Encounter","status":"finished"})");
  EXPECT_EQ(string_member(doc, "status"), "finished");
}

TEST(ParseResource, RejectsNonObjectTopLevel) {
  for (std::string_view body : {"[]", "\"Patient\"", "42", "null", R"([{"resourceType":"Patient"}])"}) {
    auto e = capture_error([&] { parse_resource(body); });
    ASSERT_TRUE(e) << body;
    EXPECT_EQ(e->status(), 400);
    EXPECT_EQ(first_expression(*e), std::vector<std::string>{"resourceType"});
    EXPECT_NE(first_diagnostics(*e).find("JSON object"), std::string::npos);
  }
}

TEST(ParseResource, RejectsMissingWrongTypeAndUnknownResourceType) {
  struct Case {
    const char* body;
    const char* fragment;
  };
  for (const Case& c : {Case{R"({"id":"1"})", "no resourceType"}, Case{R"({"resourceType":7})", "must be a JSON string"},
                        Case{R"({"resourceType":""})", "empty"},
                        Case{R"({"resourceType":"Pasien"})", "Unknown resourceType 'Pasien'"},
                        Case{R"({"resourceType":"patient"})", "Unknown resourceType 'patient'"},
                        Case{R"({"resourceType":"DomainResource"})", "Unknown resourceType"}}) {
    auto e = capture_error([&] { parse_resource(c.body); });
    ASSERT_TRUE(e) << c.body;
    EXPECT_EQ(e->status(), 400);
    EXPECT_EQ(first_expression(*e), std::vector<std::string>{"resourceType"});
    EXPECT_NE(first_diagnostics(*e).find(c.fragment), std::string::npos) << first_diagnostics(*e);
  }
}

TEST(ParseResource, SyntaxErrorsComeFirst) {
  auto e = capture_error([] { parse_resource(R"({"resourceType":"Patient",)"); });
  ASSERT_TRUE(e);
  EXPECT_NE(first_diagnostics(*e).find("Invalid JSON"), std::string::npos);
}

// ---- serialisation ----

TEST(ToJson, MinifiedRoundTrip) {
  const std::string text = R"({"resourceType":"Patient","id":"p1","active":true,"n":[1,-2,3.5,null],"s":"a\"b\\c\n"})";
  EXPECT_EQ(to_json(parse_json(text)), text);
}

TEST(ToJson, Pretty) {
  const auto doc = parse_json(R"({"a":[1,2],"b":{"c":"d"}})");
  EXPECT_EQ(to_json(doc, true),
            "{\n"
            "  \"a\": [\n"
            "    1,\n"
            "    2\n"
            "  ],\n"
            "  \"b\": {\n"
            "    \"c\": \"d\"\n"
            "  }\n"
            "}");
  EXPECT_EQ(to_json(parse_json(to_json(doc, true))), to_json(doc));
}

TEST(ToJson, SubValue) {
  const auto doc = parse_json(R"({"name":[{"family":"X"}]})");
  EXPECT_EQ(to_json(doc["name"][0]), R"({"family":"X"})");
}

TEST(ToJson, RepairsInvalidUtf8FromOtherSources) {
  rapidjson::Document doc;
  doc.SetObject();
  const std::string latin1 = "Jos\xE9";  // e.g. a Latin-1 value from an upstream system
  doc.AddMember("name", rapidjson::Value(latin1.c_str(), doc.GetAllocator()), doc.GetAllocator());
  const std::string out = to_json(doc);
  EXPECT_EQ(out, "{\"name\":\"Jos\xEF\xBF\xBD\"}");
  EXPECT_NO_THROW(parse_json(out));
}

TEST(ToJson, NanIsAnInternalError) {
  rapidjson::Document doc;
  doc.SetObject();
  doc.AddMember("x", std::numeric_limits<double>::quiet_NaN(), doc.GetAllocator());
  auto e = capture_error([&] { to_json(doc); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status(), 500);
}

// ---- accessors ----

TEST(Accessors, MemberAndStringMember) {
  const auto doc = parse_json(R"({"a":"x","n":1,"o":{"b":"y"}})");
  ASSERT_NE(member(doc, "a"), nullptr);
  EXPECT_EQ(member(doc, "missing"), nullptr);
  EXPECT_EQ(member(doc["a"], "a"), nullptr);  // not an object
  EXPECT_EQ(string_member(doc, "a"), "x");
  EXPECT_EQ(string_member(doc, "n"), std::nullopt);
  EXPECT_EQ(string_member(doc, "o"), std::nullopt);
  EXPECT_EQ(string_member(*member(doc, "o"), "b"), "y");
  EXPECT_EQ(member(doc, std::string_view("ab").substr(0, 1)), member(doc, "a"));  // not NUL-terminated key
}

TEST(Accessors, KeysWithEmbeddedNul) {
  const auto doc = parse_json(R"({"a\u0000b":1,"a":2})");
  EXPECT_EQ(member(doc, std::string_view("a\0b", 3))->GetInt(), 1);
  EXPECT_EQ(member(doc, "a")->GetInt(), 2);
}

// ---- UTF-8 helpers ----

TEST(Utf8, Validity) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF"));
  EXPECT_FALSE(is_valid_utf8("\x80"));
  EXPECT_FALSE(is_valid_utf8("\xC1\xBF"));          // overlong
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // overlong
  EXPECT_FALSE(is_valid_utf8("\xED\xB0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xF0\x80\x80\xAF"));  // overlong
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xE2\x82"));          // truncated
}

TEST(Utf8, Sanitize) {
  EXPECT_EQ(sanitize_utf8("ok \xC3\xA9"), "ok \xC3\xA9");
  EXPECT_EQ(sanitize_utf8("a\xFF" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(sanitize_utf8("\xE2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_TRUE(is_valid_utf8(sanitize_utf8("\xED\xA0\x80\xC0")));
}

}  // namespace
}  // namespace simpul::fhir
