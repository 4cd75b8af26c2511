// Request signing, headers, the upstream clock.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "connectors/bpjs/codec.hpp"
#include "connectors/bpjs/signing.hpp"
#include "tests/connectors/bpjs_golden.hpp"

namespace bpjs = simpul::connectors::bpjs;
namespace golden = simpul::connectors::bpjs::golden;

TEST(BpjsSigning, CatalogueExampleSignature) {
  EXPECT_EQ(bpjs::signature(golden::kConsId, golden::kSecret, golden::kTimestamp), golden::kSignature);
}

TEST(BpjsSigning, SignatureDependsOnEveryInput) {
  const auto base = bpjs::signature("1234", "pwd", "433223232");
  EXPECT_NE(bpjs::signature("1235", "pwd", "433223232"), base);
  EXPECT_NE(bpjs::signature("1234", "pwe", "433223232"), base);
  EXPECT_NE(bpjs::signature("1234", "pwd", "433223233"), base);
}

TEST(BpjsSigning, TimestampValidation) {
  EXPECT_TRUE(bpjs::is_valid_timestamp("0"));
  EXPECT_TRUE(bpjs::is_valid_timestamp("1700000000"));
  EXPECT_FALSE(bpjs::is_valid_timestamp(""));
  EXPECT_FALSE(bpjs::is_valid_timestamp("-1"));
  EXPECT_FALSE(bpjs::is_valid_timestamp("17e8"));
  EXPECT_FALSE(bpjs::is_valid_timestamp(" 1700000000"));
  EXPECT_FALSE(bpjs::is_valid_timestamp("12345678901234567890"));
  auto bad = bpjs::RequestStamp::parse("12a");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, bpjs::ErrorCode::bad_timestamp);
}

TEST(BpjsSigning, OneStampFeedsHeaderSignatureAndKey) {
  auto stamp = bpjs::RequestStamp::parse(golden::kTimestamp);
  ASSERT_TRUE(stamp);
  EXPECT_EQ(stamp->value(), golden::kTimestamp);
  EXPECT_EQ(stamp->unix_seconds(), 433223232u);
  EXPECT_EQ(stamp->signature(golden::kConsId, golden::kSecret), golden::kSignature);
  const auto key = stamp->response_key(golden::kConsId, golden::kSecret);
  EXPECT_EQ(bpjs::hex_encode(std::span<const std::uint8_t>(key.key.data(), key.key.size())),
            golden::kKeyHex);

  const bpjs::Credentials creds{"1234", "pwd", "0123456789abcdef0123456789abcdef"};
  const auto headers = bpjs::request_headers(creds, *stamp);
  const std::vector<bpjs::Header> expected = {
      {"X-cons-id", "1234"},
      {"X-timestamp", "433223232"},
      {"X-signature", std::string(golden::kSignature)},
      {"user_key", "0123456789abcdef0123456789abcdef"},
  };
  EXPECT_EQ(headers, expected);
}

TEST(BpjsSigning, PcareAuthorization) {
  // base64("user:pass:095")
  EXPECT_EQ(bpjs::pcare_authorization("user", "pass"), "Basic " + bpjs::base64_encode(std::string_view("user:pass:095")));
  EXPECT_EQ(bpjs::pcare_authorization("user", "pass"), "Basic dXNlcjpwYXNzOjA5NQ==");
  EXPECT_EQ(bpjs::pcare_authorization("u", "p", "123"), "Basic dTpwOjEyMw==");

  const bpjs::Credentials creds{"c", "s", "uk"};
  const bpjs::PcareLogin login{"user", "pass"};
  const auto headers = bpjs::request_headers(creds, bpjs::RequestStamp(5), &login);
  ASSERT_EQ(headers.size(), 5u);
  EXPECT_EQ(headers[4].name, "X-authorization");
  EXPECT_EQ(headers[4].value, "Basic dXNlcjpwYXNzOjA5NQ==");
  EXPECT_EQ(headers[1].value, "5");
}

TEST(BpjsSigning, SecretHeadersAreRecognised) {
  EXPECT_TRUE(bpjs::is_secret_header("X-Signature"));
  EXPECT_TRUE(bpjs::is_secret_header("x-authorization"));
  EXPECT_TRUE(bpjs::is_secret_header("USER_KEY"));
  EXPECT_FALSE(bpjs::is_secret_header("X-cons-id"));
  EXPECT_FALSE(bpjs::is_secret_header("X-timestamp"));
}

TEST(BpjsHttpDate, ParsesImfFixdate) {
  EXPECT_EQ(bpjs::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
  EXPECT_EQ(bpjs::parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), 0);
  EXPECT_EQ(bpjs::parse_http_date("Tue, 29 Feb 2028 23:59:59 GMT"), 1835481599);
  EXPECT_EQ(bpjs::parse_http_date("Tue, 14 Nov 2023 22:13:20 GMT"), 1700000000);
}

TEST(BpjsHttpDate, RejectsOtherFormsAndInvalidDates) {
  for (const char* bad : {"", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
                          "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 31 Nov 1994 08:49:37 GMT",
                          "Sun, 29 Feb 2023 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT",
                          "Xyz, 06 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:3x GMT",
                          "Sun, 06 Foo 1994 08:49:37 GMT"}) {
    EXPECT_FALSE(bpjs::parse_http_date(bad).has_value()) << bad;
  }
}

TEST(BpjsUpstreamClock, AppliesConfiguredOffset) {
  bpjs::UpstreamClock clock(-25200, false, [] { return std::int64_t{1700025200}; });
  EXPECT_EQ(clock.now_unix_seconds(), 1700000000);
  EXPECT_EQ(clock.stamp().value(), "1700000000");
  // Learning disabled: the Date header is parsed but ignored.
  EXPECT_TRUE(clock.observe_date_header("Tue, 14 Nov 2023 22:13:20 GMT"));
  EXPECT_EQ(clock.offset_seconds(), -25200);
}

TEST(BpjsUpstreamClock, LearnsSkewFromDateHeader) {
  std::int64_t local = 1700025200;  // a workstation on WIB set as UTC: 7 h ahead
  bpjs::UpstreamClock clock(0, true, [&] { return local; });
  EXPECT_FALSE(clock.observe_date_header("not a date"));
  EXPECT_EQ(clock.offset_seconds(), 0);
  EXPECT_TRUE(clock.observe_date_header("Tue, 14 Nov 2023 22:13:20 GMT"));
  EXPECT_EQ(clock.offset_seconds(), -25200);
  EXPECT_EQ(clock.now_unix_seconds(), 1700000000);
  // One second of jitter does not move the offset.
  EXPECT_TRUE(clock.observe_date_header("Tue, 14 Nov 2023 22:13:21 GMT", 1700025200));
  EXPECT_EQ(clock.offset_seconds(), -25200);
  // The local clock gets fixed by NTP: the offset follows.
  local = 1700000000;
  EXPECT_TRUE(clock.observe_date_header("Tue, 14 Nov 2023 22:13:20 GMT"));
  EXPECT_EQ(clock.offset_seconds(), 0);
}

TEST(BpjsUpstreamClock, StampNeverBeforeEpoch) {
  bpjs::UpstreamClock clock(-100, false, [] { return std::int64_t{10}; });
  EXPECT_EQ(clock.stamp().value(), "0");
}

TEST(BpjsUpstreamClock, ConcurrentObservationsAreSafe) {
  bpjs::UpstreamClock clock(0, true, [] { return std::int64_t{1700000000}; });
  std::vector<std::thread> threads;
  std::atomic<int> parsed{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        const char* date = (i + t) % 2 ? "Tue, 14 Nov 2023 22:23:20 GMT" : "Tue, 14 Nov 2023 22:33:20 GMT";
        if (clock.observe_date_header(date, 1700000000)) ++parsed;
        (void)clock.stamp();
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(parsed.load(), 2000);
  const auto off = clock.offset_seconds();
  EXPECT_TRUE(off == 600 || off == 1200) << off;
}
