// BPJS failures as FHIR errors: status, BPJS's code and message kept, Retry-After on transient ones.
#include "adapter/bpjs_outcome.hpp"

#include <gtest/gtest.h>

namespace {

using simpul::adapter::bpjs_failure;
namespace bpjs = simpul::connectors::bpjs;

bpjs::BpjsError err(bpjs::BpjsErrorKind kind, std::string code, std::string message, int http = 200) {
  bpjs::BpjsError e;
  e.kind = kind;
  e.code = std::move(code);
  e.message = std::move(message);
  e.http_status = http;
  return e;
}

std::string retry_after(const simpul::fhir::Error& e) {
  for (const auto& [k, v] : e.headers())
    if (k == "Retry-After") return v;
  return "";
}

}  // namespace

TEST(BpjsOutcome, BusinessErrorsKeepBpjsCodeAndMessage) {
  auto e = bpjs_failure("V-Claim", err(bpjs::BpjsErrorKind::business, "201", "Peserta Tidak Ditemukan"));
  EXPECT_EQ(e.status(), 404);
  EXPECT_EQ(e.issues()[0].diagnostics, "V-Claim 201: Peserta Tidak Ditemukan");
  EXPECT_EQ(retry_after(e), "");

  e = bpjs_failure("V-Claim", err(bpjs::BpjsErrorKind::business, "201", "Peserta sudah mendapat SEP hari ini"));
  EXPECT_EQ(e.status(), 409);
  EXPECT_EQ(e.issues()[0].code, "conflict");

  e = bpjs_failure("V-Claim", err(bpjs::BpjsErrorKind::business, "201", "Format Tanggal salah"));
  EXPECT_EQ(e.status(), 422);
  EXPECT_EQ(e.issues()[0].diagnostics, "V-Claim 201: Format Tanggal salah");

  e = bpjs_failure("P-Care", err(bpjs::BpjsErrorKind::not_found, "204", "NO CONTENT"));
  EXPECT_EQ(e.status(), 404);

  // Searches treat exactly these as "nothing found".
  EXPECT_TRUE(simpul::adapter::bpjs_not_found(err(bpjs::BpjsErrorKind::business, "201", "Peserta Tidak Ditemukan")));
  EXPECT_TRUE(simpul::adapter::bpjs_not_found(err(bpjs::BpjsErrorKind::not_found, "204", "NO CONTENT")));
  EXPECT_FALSE(simpul::adapter::bpjs_not_found(err(bpjs::BpjsErrorKind::business, "201", "Format Tanggal salah")));
  EXPECT_FALSE(simpul::adapter::bpjs_not_found(err(bpjs::BpjsErrorKind::upstream_http, "404", "tidak ditemukan", 404)));
}

TEST(BpjsOutcome, AuthAndUpstreamFailuresAreBadGateway) {
  auto e = bpjs_failure("V-Claim", err(bpjs::BpjsErrorKind::auth, "401", "invalid signature", 401));
  EXPECT_EQ(e.status(), 502);
  EXPECT_NE(e.issues()[0].diagnostics.find("credentials"), std::string::npos);
  EXPECT_NE(e.internal().find("invalid signature"), std::string::npos);

  e = bpjs_failure("V-Claim", err(bpjs::BpjsErrorKind::upstream_http, "404", "Not Found", 404));
  EXPECT_EQ(e.status(), 502);
  e = bpjs_failure("V-Claim", err(bpjs::BpjsErrorKind::upstream_http, "503", "Service Unavailable", 503));
  EXPECT_EQ(e.status(), 503);
  EXPECT_EQ(retry_after(e), "5");
  e = bpjs_failure("V-Claim", err(bpjs::BpjsErrorKind::decode, "bad_padding", "wrong key", 200));
  EXPECT_EQ(e.status(), 502);
  EXPECT_EQ(e.issues()[0].diagnostics.find("wrong key"), std::string::npos);  // our reason stays in the log
}

TEST(BpjsOutcome, TransportFailuresAskForARetry) {
  auto t = err(bpjs::BpjsErrorKind::transport, "timeout", "no answer in 10 s", 0);
  t.transport = bpjs::TransportFailure::timeout;
  auto e = bpjs_failure("V-Claim", t);
  EXPECT_EQ(e.status(), 504);
  EXPECT_EQ(retry_after(e), "5");
  t.maybe_delivered = true;
  EXPECT_NE(bpjs_failure("V-Claim", t).issues()[0].diagnostics.find("may have been executed"), std::string::npos);

  t.transport = bpjs::TransportFailure::too_many;
  EXPECT_EQ(bpjs_failure("V-Claim", t).status(), 503);
  t.transport = bpjs::TransportFailure::connect;
  e = bpjs_failure("V-Claim", t);
  EXPECT_EQ(e.status(), 503);
  EXPECT_EQ(retry_after(e), "5");
}
