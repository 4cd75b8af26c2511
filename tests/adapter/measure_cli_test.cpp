// `simpul measure kbk-score` and `simpul measure evaluate`: the command functions in
// process, and the real binary for the wiring (help, exit codes, one-line errors).
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "adapter/measure_command.hpp"
#include "tests/adapter/process.hpp"

namespace {

struct CommandRun {
  int rc;
  std::string out;
  std::string err;
};

CommandRun kbk(const std::string& ak, const std::string& rrns, const std::string& rppt) {
  std::ostringstream out;
  std::ostringstream err;
  const int rc = simpul::adapter::measure_kbk_score_command(ak, rrns, rppt, out, err);
  return {rc, out.str(), err.str()};
}

std::size_t lines(const std::string& s) {
  return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n'));
}

const std::string kBin = std::string(SIMPUL_BINARY_DIR) + "/simpul";

TEST(MeasureCli, WorkedExamplePrintsExactJson) {
  const CommandRun r = kbk("147", "1.8", "4.2");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_TRUE(r.err.empty());
  EXPECT_EQ(r.out, R"({"measure":"kbk-score","rules":"pks-bpjs-fktp-2024",)"
                   R"("ak":{"value":"147","unit":"‰","rating":3,"weight":"0.4","score":"1.2"},)"
                   R"("rrns":{"value":"1.8","unit":"%","rating":4,"weight":"0.5","score":"2.0"},)"
                   R"("rppt":{"value":"4.2","unit":"%","rating":3,"weight":"0.1","score":"0.3"},)"
                   R"("score":"3.5","capitation_percent":95})"
                   "\n");
  rapidjson::Document d;
  d.Parse(r.out.c_str());
  EXPECT_FALSE(d.HasParseError());
}

TEST(MeasureCli, EdgesAndFullPayment) {
  const CommandRun edges = kbk("145", "2.5", "4");
  ASSERT_EQ(edges.rc, 0) << edges.err;
  EXPECT_NE(edges.out.find(R"("ak":{"value":"145","unit":"‰","rating":2)"), std::string::npos) << edges.out;
  EXPECT_NE(edges.out.find(R"("rrns":{"value":"2.5","unit":"%","rating":3)"), std::string::npos) << edges.out;
  EXPECT_NE(edges.out.find(R"("rppt":{"value":"4","unit":"%","rating":3)"), std::string::npos) << edges.out;
  EXPECT_NE(edges.out.find(R"("score":"2.6","capitation_percent":90)"), std::string::npos) << edges.out;

  const CommandRun best = kbk("150.0", "2.00", "5");
  ASSERT_EQ(best.rc, 0) << best.err;
  EXPECT_NE(best.out.find(R"("ak":{"value":"150",)"), std::string::npos) << best.out;
  EXPECT_NE(best.out.find(R"("score":"4.0","capitation_percent":100})"), std::string::npos) << best.out;
}

TEST(MeasureCli, BadValuesExitOneWithOneLine) {
  const std::vector<std::vector<std::string>> cases{
      {"abc", "1", "1", "--ak"},
      {"147", "1,8", "1", "decimal point"},
      {"147", "1", "4e0", "--rppt"},
      {"-1", "1", "1", "between 0 and 1000"},
      {"147", "101", "1", "between 0 and 100%"},
      {"147", "1", "100.01", "RPPT"},
      {"", "1", "1", "--ak"},
  };
  for (const auto& c : cases) {
    const CommandRun r = kbk(c[0], c[1], c[2]);
    EXPECT_EQ(r.rc, 1) << c[0] << " " << c[1] << " " << c[2];
    EXPECT_TRUE(r.out.empty());
    EXPECT_EQ(lines(r.err), 1u) << r.err;
    EXPECT_NE(r.err.find(c[3]), std::string::npos) << r.err;
    EXPECT_EQ(r.err.rfind("simpul measure kbk-score: ", 0), 0u) << r.err;
  }
}

TEST(MeasureCli, TheBinaryWiresTheCommand) {
  auto ok = simpul::testing::run({kBin, "measure", "kbk-score", "--ak", "147", "--rrns", "1.8", "--rppt", "4.2"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find(R"("score":"3.5","capitation_percent":95})"), std::string::npos) << ok.out;

  auto inline_form = simpul::testing::run({kBin, "measure", "kbk-score", "--ak=140", "--rrns=3.5", "--rppt=2"});
  EXPECT_EQ(inline_form.exit_code, 0) << inline_form.err;
  EXPECT_NE(inline_form.out.find(R"("score":"1.0","capitation_percent":85})"), std::string::npos) << inline_form.out;

  auto help = simpul::testing::run({kBin, "measure", "kbk-score", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* opt : {"--ak", "--rrns", "--rppt"}) EXPECT_NE(help.out.find(opt), std::string::npos) << help.out;

  auto top = simpul::testing::run({kBin, "--help"});
  EXPECT_NE(top.out.find("measure kbk-score"), std::string::npos) << top.out;

  auto group = simpul::testing::run({kBin, "measure"});
  EXPECT_EQ(group.exit_code, 2);
  EXPECT_NE(group.err.find("simpul measure kbk-score"), std::string::npos) << group.err;

  auto missing = simpul::testing::run({kBin, "measure", "kbk-score", "--ak", "147", "--rrns", "1.8"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("missing required option '--rppt'"), std::string::npos) << missing.err;
  EXPECT_EQ(lines(missing.err), 1u);

  auto unknown = simpul::testing::run({kBin, "measure", "kbk-score", "--ak", "1", "--rrns", "1", "--rppt", "1", "--x"});
  EXPECT_EQ(unknown.exit_code, 2);

  auto bad = simpul::testing::run({kBin, "measure", "kbk-score", "--ak", "lots", "--rrns", "1", "--rppt", "1"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(lines(bad.err), 1u) << bad.err;
  EXPECT_TRUE(bad.out.empty());
}

}  // namespace

namespace {

CommandRun evaluate(const std::string& measure, const std::string& period, const std::string& input,
                    const std::optional<std::string>& params) {
  std::ostringstream out;
  std::ostringstream err;
  const int rc = simpul::adapter::measure_evaluate_command(measure, period, input, params, out, err);
  return {rc, out.str(), err.str()};
}

// The example puskesmas visit (2 March 2026, a JKN participant) as NDJSON.
struct EvaluateFiles {
  std::string dir = [] {
    std::string pattern = (std::filesystem::temp_directory_path() / "simpul-measure-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    return pattern;
  }();
  std::string input = dir + "/visits.ndjson";
  std::string params = dir + "/params.json";
  EvaluateFiles() {
    std::ifstream in(std::string(SIMPUL_SOURCE_DIR) + "/docs/examples/puskesmas-encounter-bundle.json");
    std::stringstream text;
    text << in.rdbuf();
    rapidjson::Document bundle;
    bundle.Parse(text.str().c_str());
    rapidjson::StringBuffer line;
    rapidjson::Writer<rapidjson::StringBuffer> w(line);
    bundle.Accept(w);
    std::ofstream(input) << line.GetString() << "\n";
    std::ofstream(params) << R"({"kbk": {"registered_participants": 4, "competence_diagnoses": ["J06"]}})";
  }
  ~EvaluateFiles() { std::filesystem::remove_all(dir); }
};

TEST(MeasureEvaluateCli, OneMeasureFromNdjson) {
  EvaluateFiles files;
  const CommandRun r = evaluate("kbk-ak", "2026-03", files.input, files.params);
  ASSERT_EQ(r.rc, 0) << r.err;
  rapidjson::Document d;
  d.Parse(r.out.c_str());
  ASSERT_FALSE(d.HasParseError()) << r.out;
  EXPECT_EQ(std::string(d["resourceType"].GetString()), "MeasureReport");
  const auto& g = d["group"][0];
  EXPECT_EQ(g["population"][0]["count"].GetInt(), 1) << "the visit's participant";
  EXPECT_EQ(g["population"][1]["count"].GetInt(), 4);
  EXPECT_EQ(g["measureScore"]["value"].GetInt(), 250) << "1 of 4 registered = 250 per mille";
  EXPECT_EQ(lines(r.out), 1u);
}

TEST(MeasureEvaluateCli, ErrorsAreOneLineAndExit1) {
  EvaluateFiles files;
  const std::vector<std::pair<CommandRun, std::string>> cases = {
      {evaluate("kbk-xx", "2026-03", files.input, files.params), "no measure or family 'kbk-xx'"},
      {evaluate("kbk-ak", "2026-3", files.input, files.params), "period '2026-3'"},
      {evaluate("kbk-ak", "2026-Q1", files.input, files.params), "per month"},
      {evaluate("kbk-ak", "2026-03", files.dir + "/none.ndjson", files.params), "cannot read the input file"},
      {evaluate("kbk-ak", "2026-03", files.input, std::nullopt), "needs the kbk parameters"},
      {evaluate("spm-rs-rj-kepuasan", "2026", files.input, files.params), "spm-rs-rj-kepuasan"},
  };
  for (const auto& [r, reason] : cases) {
    EXPECT_EQ(r.rc, 1) << reason;
    EXPECT_TRUE(r.out.empty()) << reason;
    EXPECT_EQ(lines(r.err), 1u) << r.err;
    EXPECT_NE(r.err.find(reason), std::string::npos) << r.err;
  }
}

TEST(MeasureEvaluateCli, BinaryWiring) {
  EvaluateFiles files;
  const auto r = simpul::testing::run(
      {kBin, "measure", "evaluate", "--measure", "kbk-ak,kbk-rrns", "--period", "2026-03", "--input", files.input,
       "--params", files.params});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  rapidjson::Document d;
  d.Parse(r.out.c_str());
  ASSERT_FALSE(d.HasParseError());
  EXPECT_EQ(std::string(d["resourceType"].GetString()), "Bundle");
  EXPECT_EQ(d["entry"].Size(), 2u);
}

}  // namespace
