#include "fhir/error.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>

namespace simpul::fhir {
namespace {

using Factory = std::function<Error(std::string, std::string, std::string)>;

struct FactoryCase {
  const char* name;
  Factory make;
  int status;
  const char* code;
};

const FactoryCase kCases[] = {
    {"invalid", &Error::invalid, 400, "invalid"},
    {"structure", &Error::structure, 400, "structure"},
    {"required", &Error::required, 400, "required"},
    {"value", &Error::value, 400, "value"},
    {"unauthorized", &Error::unauthorized, 401, "login"},
    {"forbidden", &Error::forbidden, 403, "forbidden"},
    {"not_found", &Error::not_found, 404, "not-found"},
    {"method_not_allowed", &Error::method_not_allowed, 405, "not-supported"},
    {"not_acceptable", &Error::not_acceptable, 406, "not-supported"},
    {"conflict", &Error::conflict, 409, "conflict"},
    {"payload_too_large", &Error::payload_too_large, 413, "too-costly"},
    {"unsupported_media_type", &Error::unsupported_media_type, 415, "not-supported"},
    {"unprocessable", &Error::unprocessable, 422, "processing"},
    {"too_many_requests", &Error::too_many_requests, 429, "throttled"},
    {"bad_gateway", &Error::bad_gateway, 502, "exception"},
    {"unavailable", &Error::unavailable, 503, "transient"},
    {"gateway_timeout", &Error::gateway_timeout, 504, "timeout"},
};

TEST(Error, FactoriesSetStatusCodeDiagnosticsAndExpression) {
  for (const FactoryCase& c : kCases) {
    SCOPED_TRACE(c.name);
    const Error e = c.make("client text", "Patient.name", "log text");
    EXPECT_EQ(e.status(), c.status);
    ASSERT_EQ(e.issues().size(), 1u);
    EXPECT_EQ(e.issues()[0].severity, Severity::error);
    EXPECT_EQ(e.issues()[0].code, c.code);
    EXPECT_EQ(e.issues()[0].diagnostics, "client text");
    EXPECT_EQ(e.issues()[0].expression, std::vector<std::string>{"Patient.name"});
    EXPECT_EQ(e.internal(), "log text");
    EXPECT_STREQ(e.what(), "log text");
    EXPECT_TRUE(e.headers().empty());
  }
}

TEST(Error, EmptyExpressionIsOmittedAndInternalDefaultsToDiagnostics) {
  const Error e = Error::not_found("Patient/123 is not known");
  EXPECT_TRUE(e.issues()[0].expression.empty());
  EXPECT_EQ(e.internal(), "Patient/123 is not known");
  EXPECT_STREQ(e.what(), "Patient/123 is not known");
}

TEST(Error, InternalHidesTheMessageFromTheClient) {
  const Error e = Error::internal("sqlite: disk I/O error on /var/lib/simpul/queue.db", "", "errno=5");
  EXPECT_EQ(e.status(), 500);
  EXPECT_EQ(e.issues()[0].code, "exception");
  EXPECT_EQ(e.issues()[0].diagnostics, Error::kInternalDiagnostics);
  EXPECT_EQ(e.issues()[0].diagnostics.find("sqlite"), std::string::npos);
  EXPECT_NE(e.internal().find("sqlite: disk I/O error"), std::string::npos);
  EXPECT_NE(e.internal().find("errno=5"), std::string::npos);
}

TEST(Error, InternalWithOnlyAnInternalMessage) {
  const Error e = Error::internal("", "", "boom");
  EXPECT_EQ(e.internal(), "boom");
  EXPECT_EQ(e.issues()[0].diagnostics, Error::kInternalDiagnostics);
}

TEST(Error, HeadersAreKeptInOrder) {
  Error e = Error::too_many_requests("Slow down");
  e.with_header("Retry-After", "5").with_header("X-RateLimit-Limit", "100");
  ASSERT_EQ(e.headers().size(), 2u);
  EXPECT_EQ(e.headers()[0], (Error::Header{"Retry-After", "5"}));
  EXPECT_EQ(e.headers()[1], (Error::Header{"X-RateLimit-Limit", "100"}));
}

TEST(Error, ThrownWithHeaderKeepsTheHeader) {
  try {
    throw Error::unauthorized("API key required").with_header("WWW-Authenticate", "ApiKey");
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), 401);
    ASSERT_EQ(e.headers().size(), 1u);
    EXPECT_EQ(e.headers()[0].first, "WWW-Authenticate");
    return;
  }
  FAIL() << "not caught";
}

TEST(Error, AddIssueCollectsSeveralIssues) {
  Error e = Error::invalid("gender is not a code", "Patient.gender");
  e.add_issue({Severity::warning, "value", "birthDate is in the future", {"Patient.birthDate"}});
  ASSERT_EQ(e.issues().size(), 2u);
  EXPECT_EQ(e.issues()[1].severity, Severity::warning);
  EXPECT_EQ(e.issues()[1].expression, std::vector<std::string>{"Patient.birthDate"});
  // The defaulted internal message grows with the issues.
  EXPECT_NE(e.internal().find("gender is not a code"), std::string::npos);
  EXPECT_NE(e.internal().find("birthDate is in the future"), std::string::npos);
}

TEST(Error, AddIssueKeepsAnExplicitInternalMessage) {
  Error e = Error::invalid("a", "", "explicit");
  e.add_issue({Severity::error, "invalid", "b", {}});
  EXPECT_EQ(e.internal(), "explicit");
}

TEST(Error, GeneralConstructor) {
  const Error e(418, Issue{Severity::fatal, "exception", "teapot", {"a", "b"}}, "internal teapot");
  EXPECT_EQ(e.status(), 418);
  EXPECT_EQ(e.issues()[0].severity, Severity::fatal);
  EXPECT_EQ(e.issues()[0].expression.size(), 2u);
  EXPECT_EQ(e.internal(), "internal teapot");
}

TEST(Error, CatchableAsStdException) {
  try {
    throw Error::conflict("version mismatch", "", "expected W/\"3\" got W/\"2\"");
  } catch (const std::exception& e) {
    EXPECT_STREQ(e.what(), "expected W/\"3\" got W/\"2\"");
    return;
  }
  FAIL() << "not caught";
}

TEST(Error, SeverityNames) {
  EXPECT_EQ(to_string(Severity::fatal), "fatal");
  EXPECT_EQ(to_string(Severity::error), "error");
  EXPECT_EQ(to_string(Severity::warning), "warning");
  EXPECT_EQ(to_string(Severity::information), "information");
}

}  // namespace
}  // namespace simpul::fhir
