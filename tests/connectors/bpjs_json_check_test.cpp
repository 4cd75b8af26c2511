// The JSON syntax check used on decrypted payloads, cross-checked against RapidJSON.
#include <gtest/gtest.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <random>
#include <string>

#include "connectors/bpjs/json_check.hpp"

namespace bpjs = simpul::connectors::bpjs;

namespace {

rapidjson::ParseResult rapidjson_parse(const std::string& text) {
  rapidjson::MemoryStream stream(text.data(), text.size());
  rapidjson::BaseReaderHandler<> sink;
  rapidjson::Reader reader;
  return reader.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag>(stream, sink);
}

bool rapidjson_accepts(const std::string& text) { return !rapidjson_parse(text).IsError(); }

}  // namespace

TEST(BpjsJsonCheck, AcceptsValidJson) {
  for (const char* ok : {"{}", "[]", "0", "-0", "1.5e-3", "-12E+4", "\"\"", "true", "false", "null",
                         " \n\t{\"a\" : [1, {\"b\":null}, \"x\\\"y\\\\z\\/\\b\\f\\n\\r\\t\\u00e9\"]}\r\n",
                         "[\"\\ud83d\\ude00\"]", "\"\\udc00\"", "{\"a\":{\"b\":{\"c\":[[[]]]}}}",
                         "\"\xC3\x91 \xF0\x9F\x98\x80\"", "[1,2,3,4,5,6,7,8,9,10]"}) {
    EXPECT_EQ(bpjs::json_syntax_error(ok), std::nullopt) << ok;
    EXPECT_TRUE(rapidjson_accepts(ok)) << ok;
  }
}

TEST(BpjsJsonCheck, RejectsInvalidJsonWithOffset) {
  for (const char* bad : {"", " ", "{", "}", "[1,]", "[,1]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "01", "1.",
                          "1e", "-", "+1", ".5", "tru", "nul", "True", "\"abc", "\"\\x\"", "\"\\u12G4\"",
                          "\"\\ud83d\"", "\"\\ud83d\\u0041\"", "\"a\tb\"", "[1] [2]", "{\"a\":1}}", "[1}",
                          "{\"a\"]", "NaN", "'a'", "[1 2]", "{\"a\":1 \"b\":2}"}) {
    const auto err = bpjs::json_syntax_error(bad);
    ASSERT_TRUE(err.has_value()) << "accepted: " << bad;
    EXPECT_NE(err->find("offset"), std::string::npos) << *err;
    EXPECT_FALSE(rapidjson_accepts(bad)) << bad;
  }
  EXPECT_TRUE(bpjs::json_syntax_error(std::string("{}\0", 3)).has_value());
  EXPECT_EQ(*bpjs::json_syntax_error("[1, 2, x]"), "unexpected character, expected a value at offset 7");
}

TEST(BpjsJsonCheck, DeepNestingIsFine) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(bpjs::json_syntax_error(deep), std::nullopt);
  EXPECT_TRUE(bpjs::json_syntax_error(std::string(100000, '[')).has_value());
}

TEST(BpjsJsonCheck, AgreesWithRapidJsonOnMutations) {
  // Mutate valid documents byte by byte and compare verdicts.
  const std::string seeds[] = {
      "{\"peserta\":{\"noKartu\":\"0000000000001\",\"nama\":\"CONTOH\",\"umur\":[1,-2.5e3,true,null]}}",
      "[\"\\ud83d\\ude00\",\"\\n\",{\"a\":{}} , [ ] ,0.0]",
  };
  const char alphabet[] = "{}[]\",:.-+eE0123456789tfnul\\/ \n\tax\x01";
  std::mt19937 rng(5);
  int disagreements = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string doc = seeds[i % 2];
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) {
      const std::size_t pos = rng() % doc.size();
      switch (rng() % 3) {
        case 0: doc[pos] = alphabet[rng() % (sizeof(alphabet) - 1)]; break;
        case 1: doc.erase(pos, 1); break;
        default: {
          // (built by appends: GCC 12 -O3 gives a false -Wrestrict on insert)
          std::string next;
          next.reserve(doc.size() + 1);
          next.append(doc, 0, pos);
          next.push_back(alphabet[rng() % (sizeof(alphabet) - 1)]);
          next.append(doc, pos, std::string::npos);
          doc.swap(next);
          break;
        }
      }
      if (doc.empty()) doc.push_back('x');
    }
    // RapidJSON stops at exponents beyond the double range (no verdict on the
    // rest); the grammar has no such limit. Compare all other documents.
    const auto rapid = rapidjson_parse(doc);
    if (rapid.Code() == rapidjson::kParseErrorNumberTooBig) continue;
    const bool ours = !bpjs::json_syntax_error(doc).has_value();
    if (ours != !rapid.IsError()) {
      if (++disagreements <= 5) ADD_FAILURE() << "disagree on: " << doc << " (ours: " << ours << ")";
    }
  }
  EXPECT_EQ(disagreements, 0);
}

TEST(BpjsJsonCheck, HugeExponentsAreGrammaticallyValid) {
  // Found by fuzzing: RapidJSON reports "number too big" for these even with
  // numbers kept as text; RFC 8259 sets no range, so the check accepts them
  // (and still checks what follows).
  EXPECT_EQ(bpjs::json_syntax_error("4E0555"), std::nullopt);
  EXPECT_EQ(bpjs::json_syntax_error("[-1e-99999]"), std::nullopt);
  EXPECT_TRUE(bpjs::json_syntax_error("50E555--m").has_value());
}
