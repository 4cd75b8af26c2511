// `simpul bpjs sign|decrypt` command functions.
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "connectors/bpjs/cli.hpp"
#include "tests/connectors/bpjs_golden.hpp"

namespace bpjs = simpul::connectors::bpjs;
namespace golden = simpul::connectors::bpjs::golden;

namespace {

struct CommandRun {
  int rc;
  std::string out;
  std::string err;
};

CommandRun decrypt(const std::string& input, std::string_view ts = golden::kTimestamp) {
  std::istringstream in(input);
  std::ostringstream out;
  std::ostringstream err;
  const int rc = bpjs::bpjs_decrypt_command(golden::kConsId, golden::kSecret, ts, in, out, err);
  return {rc, out.str(), err.str()};
}

std::size_t count_lines(const std::string& s) {
  std::size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

}  // namespace

TEST(BpjsCli, SignPrintsCatalogueSignature) {
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(bpjs::bpjs_sign_command(golden::kConsId, golden::kSecret, golden::kTimestamp, out, err), 0);
  EXPECT_EQ(out.str(), std::string(golden::kSignature) + "\n");
  EXPECT_TRUE(err.str().empty());
}

TEST(BpjsCli, SignRejectsNonDigitTimestamp) {
  for (const char* ts : {"", "12x", "-5", "1.5", " 1"}) {
    std::ostringstream out;
    std::ostringstream err;
    EXPECT_EQ(bpjs::bpjs_sign_command("1234", "pwd", ts, out, err), 1) << ts;
    EXPECT_TRUE(out.str().empty());
    EXPECT_EQ(count_lines(err.str()), 1u);
    EXPECT_NE(err.str().find("bad_timestamp"), std::string::npos);
  }
}

TEST(BpjsCli, DecryptsBareResponse) {
  const CommandRun r = decrypt(std::string(golden::kResponse) + "\n");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, std::string(golden::kPlaintext) + "\n");
  EXPECT_TRUE(r.err.empty());
}

TEST(BpjsCli, DecryptsQuotedAndLineWrappedResponse) {
  const CommandRun quoted = decrypt("\"" + std::string(golden::kResponse) + "\"");
  EXPECT_EQ(quoted.rc, 0) << quoted.err;
  EXPECT_EQ(quoted.out, std::string(golden::kPlaintext) + "\n");

  std::string wrapped;
  const std::string resp(golden::kResponse);
  for (std::size_t i = 0; i < resp.size(); i += 64) wrapped += resp.substr(i, 64) + "\r\n";
  const CommandRun w = decrypt(wrapped);
  EXPECT_EQ(w.rc, 0) << w.err;
  EXPECT_EQ(w.out, std::string(golden::kPlaintext) + "\n");
}

TEST(BpjsCli, DecryptsWholeEnvelope) {
  const std::string body = "{\"metaData\":{\"code\":\"200\",\"message\":\"OK\"},\"response\":\"" +
                           std::string(golden::kResponse) + "\"}";
  const CommandRun r = decrypt(body);
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, std::string(golden::kPlaintext) + "\n");
}

TEST(BpjsCli, EnvelopeWithPlainResponseIsPrintedAsSent) {
  const CommandRun r = decrypt("{\"metadata\":{\"code\":200,\"message\":\"Ok\"},\"response\":{\"list\":[]}}");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "{\"list\":[]}\n");
}

TEST(BpjsCli, UndecodableInputGivesOneLineAndExitOne) {
  const std::string cases[] = {
      "",
      "not base64 at all!",
      "AAAAAAAAAAAAAAAAAAAAAA==",
      std::string(golden::kResponse).substr(0, 40),
      "<html><body>404 Not Found</body></html>",
      "{\"metaData\":{\"code\":\"200\"},\"response\":\"@@@\"}",
      "{\"metaData\":",
      "\"unterminated",
  };
  for (const auto& input : cases) {
    const CommandRun r = decrypt(input);
    EXPECT_EQ(r.rc, 1) << input;
    EXPECT_TRUE(r.out.empty()) << input;
    EXPECT_EQ(count_lines(r.err), 1u) << input << " -> " << r.err;
    EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
  }
}

TEST(BpjsCli, WrongTimestampFails) {
  const CommandRun r = decrypt(std::string(golden::kResponse), "433223233");
  EXPECT_EQ(r.rc, 1);
  EXPECT_TRUE(r.out.empty());
  EXPECT_EQ(count_lines(r.err), 1u);
  const CommandRun bad = decrypt(std::string(golden::kResponse), "abc");
  EXPECT_EQ(bad.rc, 1);
  EXPECT_NE(bad.err.find("bad_timestamp"), std::string::npos);
}
