#include "fhir/content_type.hpp"

#include <gtest/gtest.h>

#include "error_capture.hpp"

namespace simpul::fhir {
namespace {

using testing::capture_error;
using testing::first_code;
using testing::first_diagnostics;

TEST(RequestContentType, Accepted) {
  for (std::string_view h :
       {"application/fhir+json", "application/json", "APPLICATION/FHIR+JSON", "Application/Json",
        "application/fhir+json; charset=utf-8", "application/fhir+json;charset=UTF-8",
        "application/json; charset=\"utf-8\"", "application/fhir+json; fhirVersion=4.0",
        "application/fhir+json; charset=utf-8; fhirVersion=4.0", "application/fhir+json;FHIRVERSION=4.0.1",
        "  application/json  ", "application/json;", "application/json; boundary=unused"}) {
    EXPECT_NO_THROW(check_request_content_type(h, true)) << h;
  }
}

TEST(RequestContentType, RejectedWith415ListingAcceptedTypes) {
  for (std::string_view h :
       {"application/fhir+xml", "application/xml", "text/xml", "text/plain", "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x", "application/json+fhir", "text/json", "json", "application/",
        "/json", "application/json; charset=iso-8859-1", "application/fhir+json; charset=utf-16",
        "application/fhir+json; fhirVersion=3.0", "application/fhir+json; fhirVersion=5.0",
        "application/json; charset", "application/json; charset=\"utf-8", "application/json garbage"}) {
    auto e = capture_error([&] { check_request_content_type(h, true); });
    ASSERT_TRUE(e) << h;
    EXPECT_EQ(e->status(), 415) << h;
    EXPECT_EQ(first_code(*e), "not-supported");
    const std::string d = first_diagnostics(*e);
    const bool lists_types = d.find("application/fhir+json or application/json") != std::string::npos;
    const bool names_version = d.find("R4") != std::string::npos;
    EXPECT_TRUE(lists_types || names_version) << h << ": " << d;
  }
}

TEST(RequestContentType, XmlIsExplicitlyNotSupported) {
  auto e = capture_error([] { check_request_content_type("application/fhir+xml", true); });
  ASSERT_TRUE(e);
  EXPECT_NE(first_diagnostics(*e).find("XML is not supported"), std::string::npos);
}

TEST(RequestContentType, MissingWithBodyIs415) {
  for (std::string_view h : {"", "   "}) {
    auto e = capture_error([&] { check_request_content_type(h, true); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->status(), 415);
    EXPECT_NE(first_diagnostics(*e).find("no Content-Type"), std::string::npos);
  }
}

TEST(RequestContentType, NoBodyIsNotChecked) {
  EXPECT_NO_THROW(check_request_content_type("", false));
  EXPECT_NO_THROW(check_request_content_type("application/xml", false));
}

TEST(RequestContentType, HostileHeaderIsQuotedSafely) {
  const std::string header = "text/\x01\xFFhtml" + std::string(500, 'a');
  auto e = capture_error([&] { check_request_content_type(header, true); });
  ASSERT_TRUE(e);
  const std::string d = first_diagnostics(*e);
  EXPECT_LT(d.size(), 400u);
  EXPECT_EQ(d.find('\x01'), std::string::npos);
  EXPECT_EQ(d.find('\xFF'), std::string::npos);
}

TEST(NegotiateFormat, DefaultsToFhirJson) {
  EXPECT_EQ(negotiate_format("", ""), Format::fhir_json);
  EXPECT_EQ(negotiate_format("*/*", ""), Format::fhir_json);
  EXPECT_EQ(negotiate_format("application/*", ""), Format::fhir_json);
  EXPECT_EQ(negotiate_format("*", ""), Format::fhir_json);
}

TEST(NegotiateFormat, AcceptHeader) {
  EXPECT_EQ(negotiate_format("application/fhir+json", ""), Format::fhir_json);
  EXPECT_EQ(negotiate_format("application/json", ""), Format::json);
  EXPECT_EQ(negotiate_format("Application/JSON; charset=utf-8", ""), Format::json);
  EXPECT_EQ(negotiate_format("application/fhir+json; fhirVersion=4.0", ""), Format::fhir_json);
  EXPECT_EQ(negotiate_format("application/json+fhir", ""), Format::fhir_json);
  // Ties prefer FHIR JSON; q-values decide otherwise.
  EXPECT_EQ(negotiate_format("application/json, application/fhir+json", ""), Format::fhir_json);
  EXPECT_EQ(negotiate_format("application/fhir+json;q=0.5, application/json", ""), Format::json);
  EXPECT_EQ(negotiate_format("application/json;q=0.9, application/fhir+json;q=0.95", ""), Format::fhir_json);
  // A specific q=0 excludes a type even when a wildcard would allow it.
  EXPECT_EQ(negotiate_format("application/fhir+json;q=0, */*", ""), Format::json);
  // Browser-style header: XML preferred, but */* lets us answer in FHIR JSON.
  EXPECT_EQ(negotiate_format("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", ""),
            Format::fhir_json);
  EXPECT_EQ(negotiate_format("application/fhir+xml, application/json;q=0.1", ""), Format::json);
  // Malformed ranges are ignored.
  EXPECT_EQ(negotiate_format("garbage;;, application/json;q=abc, application/json", ""), Format::json);
}

TEST(NegotiateFormat, OnlyUnsupportedTypesIs406) {
  for (std::string_view accept : {"application/fhir+xml", "application/xml, text/xml", "text/html", "text/*",
                                  "application/fhir+json;q=0", "application/fhir+json; fhirVersion=3.0",
                                  "*/*;q=0", "garbage"}) {
    auto e = capture_error([&] { negotiate_format(accept, ""); });
    ASSERT_TRUE(e) << accept;
    EXPECT_EQ(e->status(), 406) << accept;
    EXPECT_EQ(first_code(*e), "not-supported");
    EXPECT_NE(first_diagnostics(*e).find("application/fhir+json or application/json"), std::string::npos);
  }
}

TEST(NegotiateFormat, FormatParameterWins) {
  EXPECT_EQ(negotiate_format("application/fhir+xml", "json"), Format::fhir_json);
  EXPECT_EQ(negotiate_format("application/fhir+json", "application/json"), Format::json);
  EXPECT_EQ(negotiate_format("", "application/fhir+json"), Format::fhir_json);
  EXPECT_EQ(negotiate_format("", "application/fhir json"), Format::fhir_json);  // '+' decoded as space
  EXPECT_EQ(negotiate_format("", "JSON"), Format::fhir_json);
  EXPECT_EQ(negotiate_format("", "application/fhir+json;fhirVersion=4.0"), Format::fhir_json);
  EXPECT_EQ(negotiate_format("", "application/json+fhir"), Format::fhir_json);
}

TEST(NegotiateFormat, UnsupportedFormatParameterIs406) {
  for (std::string_view f : {"xml", "application/fhir+xml", "text/xml", "html", "ttl", "text/turtle", "jsonx",
                             "application/fhir+json;fhirVersion=3.0"}) {
    auto e = capture_error([&] { negotiate_format("application/fhir+json", f); });
    ASSERT_TRUE(e) << f;
    EXPECT_EQ(e->status(), 406) << f;
    EXPECT_NE(first_diagnostics(*e).find("_format"), std::string::npos);
  }
}

TEST(ContentTypeOf, Values) {
  EXPECT_EQ(content_type_of(Format::fhir_json), "application/fhir+json; charset=utf-8");
  EXPECT_EQ(content_type_of(Format::json), "application/json; charset=utf-8");
}

TEST(ParseMediaType, Parameters) {
  const auto m = parse_media_type(R"(Application/FHIR+JSON ; Charset="UTF-8" ; q=0.5 ; x="a\"b")");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->type, "application");
  EXPECT_EQ(m->subtype, "fhir+json");
  EXPECT_EQ(m->parameter("charset"), "UTF-8");
  EXPECT_EQ(m->parameter("q"), "0.5");
  EXPECT_EQ(m->parameter("x"), "a\"b");
  EXPECT_EQ(m->parameter("missing"), std::nullopt);
  EXPECT_FALSE(parse_media_type(""));
  EXPECT_FALSE(parse_media_type("application"));
  EXPECT_FALSE(parse_media_type("application/json x"));
  EXPECT_FALSE(parse_media_type("application/json; =x"));
}

}  // namespace
}  // namespace simpul::fhir
