// Differential tests against independent reference implementations:
//  - npm lz-string@1.5.0 (compress/decompress, byte-identical output) and
//    Node's UTF-8 codec, on thousands of generated strings;
//  - an independent BPJS encoder (Node crypto + npm lz-string) whose
//    responses bpjs_decrypt_command must decode to exactly the same bytes.
// Node modules come from scripts/oracles.sh; if they are missing the tests
// fail and say so (they are not skipped).
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "connectors/bpjs/cli.hpp"
#include "connectors/bpjs/codec.hpp"
#include "connectors/bpjs/envelope.hpp"
#include "connectors/bpjs/lzstring.hpp"
#include "connectors/bpjs/utf.hpp"

namespace bpjs = simpul::connectors::bpjs;
namespace fs = std::filesystem;

namespace {

const fs::path kOracleDir = fs::path(SIMPUL_SOURCE_DIR) / "tests" / "oracle";

::testing::AssertionResult oracle_installed() {
  if (!fs::exists(kOracleDir / "node_modules" / "lz-string" / "package.json")) {
    return ::testing::AssertionFailure()
           << "the npm oracle is not installed: run scripts/oracles.sh (needs node + npm), "
              "expected " << (kOracleDir / "node_modules" / "lz-string").string();
  }
  return ::testing::AssertionSuccess();
}

// A private scratch directory, removed at the end of the test.
class ScratchDir {
 public:
  ScratchDir() {
    std::string templ = (fs::temp_directory_path() / "simpul-bpjs-oracle-XXXXXX").string();
    if (mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = templ;
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') q += "'\\''";
    else q += c;
  }
  return q + "'";
}

// Runs `node <script> args...`; stderr goes to a file that is returned on failure.
::testing::AssertionResult run_node(const std::string& script, const std::vector<std::string>& args,
                                    const fs::path& scratch) {
  const fs::path err = scratch / "node.stderr";
  // Built with append(): GCC 12 at -O3 reports a false -Wrestrict on
  // `" " + std::string` (GCC bug 105329).
  std::string cmd = "node ";
  cmd.append(shell_quote((kOracleDir / script).string()));
  for (const auto& a : args) {
    cmd.push_back(' ');
    cmd.append(shell_quote(a));
  }
  cmd.append(" 2>");
  cmd.append(shell_quote(err.string()));
  const int status = std::system(cmd.c_str());
  if (status != 0) {
    std::ifstream in(err);
    std::stringstream ss;
    ss << in.rdbuf();
    return ::testing::AssertionFailure() << "`" << cmd << "` exited with status " << status << ": "
                                         << ss.str();
  }
  return ::testing::AssertionSuccess();
}

std::string units_to_hex(std::u16string_view s) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(s.size() * 4, '0');
  for (std::size_t i = 0; i < s.size(); ++i) {
    const unsigned u = s[i];
    out[4 * i] = digits[(u >> 12) & 15];
    out[4 * i + 1] = digits[(u >> 8) & 15];
    out[4 * i + 2] = digits[(u >> 4) & 15];
    out[4 * i + 3] = digits[u & 15];
  }
  return out;
}

std::u16string hex_to_units(std::string_view hex) {
  std::u16string out(hex.size() / 4, u'\0');
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<char16_t>(std::stoul(std::string(hex.substr(4 * i, 4)), nullptr, 16));
  }
  return out;
}

std::vector<std::string> read_lines(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t tab = line.find('\t', start);
    parts.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) break;
    start = tab + 1;
  }
  return parts;
}

// Deterministic corpus: every category the codec must agree on.
std::vector<std::u16string> make_corpus() {
  std::mt19937 rng(20240601);
  auto uniform = [&](unsigned lo, unsigned hi) {
    return std::uniform_int_distribution<unsigned>(lo, hi)(rng);
  };
  std::vector<std::u16string> corpus;
  corpus.emplace_back();  // empty
  for (unsigned c = 0; c < 300; ++c) corpus.emplace_back(1, static_cast<char16_t>(c * 219 % 65536));
  // Random printable ASCII of many lengths.
  for (int i = 0; i < 1000; ++i) {
    std::u16string s(uniform(0, 300), u' ');
    for (auto& c : s) c = static_cast<char16_t>(uniform(0x20, 0x7E));
    corpus.push_back(std::move(s));
  }
  // Bytes 0..255 (8-bit literals, control characters, Latin-1).
  for (int i = 0; i < 300; ++i) {
    std::u16string s(uniform(1, 200), u' ');
    for (auto& c : s) c = static_cast<char16_t>(uniform(0, 255));
    corpus.push_back(std::move(s));
  }
  // Each BMP range in turn (Latin, Greek/Cyrillic, CJK, Hangul, surrogates,
  // private use, specials), lone surrogates included on purpose.
  const std::pair<unsigned, unsigned> ranges[] = {
      {0x0080, 0x07FF}, {0x0800, 0x0FFF}, {0x3000, 0x9FFF}, {0xAC00, 0xD7A3},
      {0xD800, 0xDBFF}, {0xDC00, 0xDFFF}, {0xE000, 0xF8FF}, {0xFFF0, 0xFFFF}, {0x0000, 0xFFFF}};
  for (const auto& [lo, hi] : ranges) {
    for (int i = 0; i < 60; ++i) {
      std::u16string s(uniform(1, 150), u' ');
      for (auto& c : s) c = static_cast<char16_t>(uniform(lo, hi));
      corpus.push_back(std::move(s));
    }
  }
  // Astral characters as proper surrogate pairs, mixed with ASCII.
  for (int i = 0; i < 300; ++i) {
    std::u16string s;
    const unsigned n = uniform(1, 80);
    for (unsigned k = 0; k < n; ++k) {
      if (uniform(0, 2) == 0) {
        s += static_cast<char16_t>(uniform(0x61, 0x7A));
      } else {
        const unsigned cp = uniform(0x10000, 0x10FFFF) - 0x10000;
        s += static_cast<char16_t>(0xD800 + (cp >> 10));
        s += static_cast<char16_t>(0xDC00 + (cp & 0x3FF));
      }
    }
    corpus.push_back(std::move(s));
  }
  // BPJS-like JSON text with Indonesian words and some non-ASCII.
  const std::u16string words[] = {u"peserta", u"noKartu", u"nama", u"AKTIF", u"kode", u"\u00D1",
                                  u"Rujukan", u"\u65E5\u672C", u"\U0001F3E5", u"\"", u"\\", u"0001"};
  for (int i = 0; i < 500; ++i) {
    std::u16string s = u"{";
    const unsigned n = uniform(1, 120);
    for (unsigned k = 0; k < n; ++k) {
      s += u"\"" + words[uniform(0, 11)] + u"\":\"" + words[uniform(0, 11)] + words[uniform(0, 11)] + u"\",";
    }
    s += u"}";
    corpus.push_back(std::move(s));
  }
  // Repetitive strings: long runs push the dictionary and code width.
  for (int i = 0; i < 200; ++i) {
    std::u16string s(uniform(100, 5000), u'a');
    const unsigned alphabet = uniform(1, 4);
    for (auto& c : s) c = static_cast<char16_t>(u'a' + uniform(0, alphabet - 1));
    corpus.push_back(std::move(s));
  }
  // Every BMP code unit once, in order.
  {
    std::u16string all(65536, u'\0');
    for (unsigned c = 0; c < 65536; ++c) all[c] = static_cast<char16_t>(c);
    corpus.push_back(std::move(all));
  }
  // Large payloads (> 100 KB): JSON-like, random BMP, random ASCII.
  {
    std::u16string big = u"[";
    while (big.size() < 150000) {
      big += u"{\"kode\":\"" + std::u16string(1, static_cast<char16_t>(u'A' + uniform(0, 25))) +
             u"\",\"nama\":\"" + words[uniform(0, 11)] + u"\",\"nilai\":" +
             std::u16string(1, static_cast<char16_t>(u'0' + uniform(0, 9))) + u"},";
    }
    big += u"]";
    corpus.push_back(std::move(big));
    std::u16string bmp(120000, u' ');
    for (auto& c : bmp) c = static_cast<char16_t>(uniform(0, 0xFFFF));
    corpus.push_back(std::move(bmp));
    std::u16string ascii(200000, u' ');
    for (auto& c : ascii) c = static_cast<char16_t>(uniform(0x20, 0x7E));
    corpus.push_back(std::move(ascii));
  }
  return corpus;
}

}  // namespace

TEST(BpjsOracle, LzStringMatchesNpmReferenceBothWays) {
  ASSERT_TRUE(oracle_installed());
  ScratchDir dir;
  const auto corpus = make_corpus();
  ASSERT_GE(corpus.size(), 3000u);

  std::vector<std::string> ours;
  ours.reserve(corpus.size());
  {
    std::ofstream in(dir.path() / "lz.in", std::ios::binary);
    for (const auto& s : corpus) {
      ours.push_back(bpjs::lz_compress_to_encoded_uri_component(s));
      in << units_to_hex(s) << '\t' << ours.back() << '\n';
    }
  }
  ASSERT_TRUE(run_node("lz_oracle.js", {"lz", (dir.path() / "lz.in").string(), (dir.path() / "lz.out").string()},
                       dir.path()));
  const auto lines = read_lines(dir.path() / "lz.out");
  ASSERT_EQ(lines.size(), corpus.size());

  int mismatches = 0;
  for (std::size_t i = 0; i < corpus.size() && mismatches < 10; ++i) {
    const auto cols = split_tabs(lines[i]);
    ASSERT_EQ(cols.size(), 3u) << "line " << i;
    const std::string& theirs = cols[0];
    bool ok = true;
    // Byte-identical compressed strings.
    if (theirs != ours[i]) {
      ADD_FAILURE() << "case " << i << " (" << corpus[i].size() << " units): compressed output differs";
      ok = false;
    }
    // Node decompresses ours back to the input.
    if (cols[1] == "!" || hex_to_units(cols[1]) != corpus[i]) {
      ADD_FAILURE() << "case " << i << ": npm could not decompress our output to the input";
      ok = false;
    }
    // We decompress Node's back to the input.
    auto back = bpjs::lz_decompress_from_encoded_uri_component(theirs);
    if (!back || *back != corpus[i]) {
      ADD_FAILURE() << "case " << i << ": we could not decompress npm's output"
                    << (back ? std::string() : ": " + back.error().reason);
      ok = false;
    }
    // UTF-16 -> UTF-8 agrees with Buffer.from(str, 'utf8') (lone surrogates -> U+FFFD).
    if (bpjs::hex_encode(bpjs::utf16_to_utf8(corpus[i])) != cols[2]) {
      ADD_FAILURE() << "case " << i << ": UTF-8 encoding differs from Node's";
      ok = false;
    }
    if (!ok) ++mismatches;
  }
  EXPECT_EQ(mismatches, 0);
}

TEST(BpjsOracle, Utf8DecodingMatchesNode) {
  ASSERT_TRUE(oracle_installed());
  ScratchDir dir;
  std::mt19937 rng(77);
  std::vector<std::string> inputs;
  const unsigned char interesting[] = {0x00, 0x41, 0x7F, 0x80, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0,
                                       0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF, 0xA0, 0x9F, 0x90, 0x8F};
  for (int i = 0; i < 3000; ++i) {
    std::string s(1 + rng() % 24, '\0');
    for (auto& c : s) {
      c = static_cast<char>(rng() % 3 == 0 ? rng() & 0xFF : interesting[rng() % sizeof(interesting)]);
    }
    inputs.push_back(std::move(s));
  }
  inputs.push_back("\xF0\x9F\x98\x80 ok \xC3\x91");
  {
    std::ofstream in(dir.path() / "utf8.in", std::ios::binary);
    for (const auto& s : inputs) in << bpjs::hex_encode(s) << '\n';
  }
  ASSERT_TRUE(run_node("lz_oracle.js", {"utf8", (dir.path() / "utf8.in").string(), (dir.path() / "utf8.out").string()},
                       dir.path()));
  const auto lines = read_lines(dir.path() / "utf8.out");
  ASSERT_EQ(lines.size(), inputs.size());
  int mismatches = 0;
  for (std::size_t i = 0; i < inputs.size() && mismatches < 10; ++i) {
    auto ours = bpjs::utf8_to_utf16(inputs[i], bpjs::Utf8Errors::replace);
    ASSERT_TRUE(ours);
    if (units_to_hex(*ours) != lines[i]) {
      ADD_FAILURE() << "bytes " << bpjs::hex_encode(inputs[i]) << ": ours " << units_to_hex(*ours)
                    << ", node " << lines[i];
      ++mismatches;
    }
  }
  EXPECT_EQ(mismatches, 0);
}

TEST(BpjsOracle, DecryptCommandMatchesIndependentNodeEncoder) {
  ASSERT_TRUE(oracle_installed());
  ScratchDir dir;
  const fs::path out = dir.path() / "encrypted.ndjson";
  ASSERT_TRUE(run_node("bpjs_encrypt.js", {"8675309", "400", out.string()}, dir.path()));
  const auto lines = read_lines(out);
  ASSERT_EQ(lines.size(), 400u);

  int checked = 0;
  int non_ascii = 0;
  int large = 0;
  for (const auto& line : lines) {
    rapidjson::Document doc;
    doc.Parse(line.data(), line.size());
    ASSERT_FALSE(doc.HasParseError()) << line.substr(0, 200);
    const std::string cons = doc["consId"].GetString();
    const std::string secret = doc["secret"].GetString();
    const std::string ts = doc["timestamp"].GetString();
    const std::string response = doc["response"].GetString();
    const std::string shape = doc["shape"].GetString();
    auto plain = bpjs::base64_decode(doc["plainB64"].GetString());
    ASSERT_TRUE(plain);
    for (unsigned char c : *plain) {
      if (c >= 0x80) {
        ++non_ascii;
        break;
      }
    }
    if (plain->size() > 10000) ++large;

    std::string input;
    if (shape == "bare") input = response;
    else if (shape == "quoted") input = "\"" + response + "\"";
    else if (shape == "vclaim") input = bpjs::write_envelope(bpjs::EnvelopeStyle::vclaim, 200, "OK", bpjs::json_quote(response));
    else if (shape == "pcare") input = bpjs::write_envelope(bpjs::EnvelopeStyle::pcare, 201, "CREATED", bpjs::json_quote(response));
    else input = bpjs::write_envelope(bpjs::EnvelopeStyle::antrean, 200, "Ok", bpjs::json_quote(response));

    std::istringstream in(input);
    std::ostringstream stdout_buf;
    std::ostringstream stderr_buf;
    const int rc = bpjs::bpjs_decrypt_command(cons, secret, ts, in, stdout_buf, stderr_buf);
    ASSERT_EQ(rc, 0) << shape << ": " << stderr_buf.str();
    ASSERT_EQ(stdout_buf.str(), *plain + "\n") << "shape " << shape << ", ts " << ts;
    EXPECT_TRUE(stderr_buf.str().empty());

    // The simulator direction produces what Node's encoder produced.
    auto ours = bpjs::encrypt_response(*plain, cons, secret, ts);
    ASSERT_TRUE(ours);
    EXPECT_EQ(*ours, response);
    ++checked;
  }
  EXPECT_EQ(checked, 400);
  EXPECT_GT(non_ascii, 200);  // the generator must really exercise UTF-8
  EXPECT_GT(large, 5);
}
