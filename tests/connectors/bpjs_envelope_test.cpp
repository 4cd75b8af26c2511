// Envelope parsing, response decoding, the plain list, and the simulator side.
#include <gtest/gtest.h>

#include <string>

#include "connectors/bpjs/codec.hpp"
#include "connectors/bpjs/envelope.hpp"
#include "tests/connectors/bpjs_golden.hpp"

namespace bpjs = simpul::connectors::bpjs;
namespace golden = simpul::connectors::bpjs::golden;
using bpjs::ErrorCode;
using bpjs::ResponseKind;

namespace {

bpjs::AesKey golden_key() {
  return bpjs::derive_response_key(golden::kConsId, golden::kSecret, golden::kTimestamp);
}

std::string vclaim_body(std::string_view response_json, std::string_view code = "200") {
  return "{\"metaData\":{\"code\":\"" + std::string(code) + "\",\"message\":\"OK\"},\"response\":" +
         std::string(response_json) + "}";
}

}  // namespace

TEST(BpjsEnvelope, GoldenVClaimResponseDecodes) {
  const std::string body = vclaim_body("\"" + std::string(golden::kResponse) + "\"");
  auto r = bpjs::decode_response(body, 200, golden_key());
  ASSERT_TRUE(r) << r.error().reason;
  EXPECT_EQ(r->code, "200");
  EXPECT_FALSE(r->code_was_number);
  EXPECT_EQ(r->message, "OK");
  EXPECT_EQ(r->meta_key, bpjs::MetaKey::metaData);
  EXPECT_EQ(r->response_kind, ResponseKind::string);
  EXPECT_TRUE(r->encrypted);
  EXPECT_EQ(r->response_json, golden::kPlaintext);
  EXPECT_FALSE(r->decrypt_error.has_value());
  EXPECT_TRUE(r->is_success_code());
}

TEST(BpjsEnvelope, EscapedSlashesInResponseStringAreHandled) {
  std::string escaped;
  for (char c : golden::kResponse) {
    if (c == '/') escaped += "\\/";
    else escaped += c;
  }
  auto r = bpjs::decode_response(vclaim_body("\"" + escaped + "\""), 200, golden_key());
  ASSERT_TRUE(r) << r.error().reason;
  EXPECT_EQ(r->response_json, golden::kPlaintext);
}

TEST(BpjsEnvelope, DecodeWithCredentialsAndStamp) {
  const bpjs::Credentials creds{std::string(golden::kConsId), std::string(golden::kSecret), "uk"};
  auto stamp = bpjs::RequestStamp::parse(golden::kTimestamp);
  ASSERT_TRUE(stamp);
  const std::string body = vclaim_body("\"" + std::string(golden::kResponse) + "\"");
  auto r = bpjs::decode_response(body, 200, "GET", "Peserta/nokartu/0000000000001/tglSEP/2024-01-02",
                                 creds, *stamp);
  ASSERT_TRUE(r) << r.error().reason;
  EXPECT_EQ(r->response_json, golden::kPlaintext);
}

TEST(BpjsEnvelope, PcareNumberCodeAndResponseFirst) {
  auto encrypted = bpjs::encrypt_response("{\"field\":\"noUrut\",\"message\":\"A1\"}", golden::kConsId,
                                          golden::kSecret, golden::kTimestamp);
  ASSERT_TRUE(encrypted);
  const std::string body = "{\"response\":\"" + *encrypted +
                           "\",\"metaData\":{\"message\":\"CREATED\",\"code\":201}}";
  auto r = bpjs::decode_response(body, 201, golden_key());
  ASSERT_TRUE(r) << r.error().reason;
  EXPECT_EQ(r->code, "201");
  EXPECT_TRUE(r->code_was_number);
  EXPECT_EQ(r->message, "CREATED");
  EXPECT_EQ(r->response_json, "{\"field\":\"noUrut\",\"message\":\"A1\"}");
  EXPECT_TRUE(r->is_success_code());
}

TEST(BpjsEnvelope, AntreanLowerCaseMetadataWithoutResponse) {
  auto r = bpjs::decode_response("{\"metadata\":{\"message\":\"Ok\",\"code\":200}}", 200, golden_key());
  ASSERT_TRUE(r) << r.error().reason;
  EXPECT_EQ(r->meta_key, bpjs::MetaKey::metadata);
  EXPECT_EQ(r->code, "200");
  EXPECT_EQ(r->message, "Ok");
  EXPECT_EQ(r->response_kind, ResponseKind::absent);
  EXPECT_EQ(r->response_json, "null");
  EXPECT_FALSE(r->encrypted);
}

TEST(BpjsEnvelope, AntreanCodeOneIsSuccess) {
  auto r = bpjs::decode_response("{\"metadata\":{\"code\":1,\"message\":\"Ok\"},\"response\":null}", 200,
                                 golden_key());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->code, "1");
  EXPECT_TRUE(r->is_success_code());
  EXPECT_EQ(r->response_kind, ResponseKind::null);
  EXPECT_EQ(r->response_json, "null");
}

TEST(BpjsEnvelope, PlainResponseShapesKeepExactBytes) {
  struct Case {
    std::string json;
    ResponseKind kind;
  };
  const Case cases[] = {
      {"null", ResponseKind::null},
      {"{ \"a\" : [1, 2.50, -0.0e3],\"b\":{}}", ResponseKind::object},
      {"[ {\"x\":\"\\u00d1\"} , true ]", ResponseKind::array},
      {"12.500", ResponseKind::number},
      {"-7", ResponseKind::number},
      {"true", ResponseKind::boolean},
      {"\"\"", ResponseKind::string},
  };
  for (const auto& c : cases) {
    const std::string body = "{\"metaData\" : {\"code\":\"201\",\"message\":\"Data tidak ditemukan\"} ,"
                             " \"response\" :  " + c.json + "  }";
    auto r = bpjs::decode_response(body, 200, golden_key());
    ASSERT_TRUE(r) << c.json << ": " << r.error().reason;
    EXPECT_EQ(r->response_kind, c.kind) << c.json;
    EXPECT_EQ(r->response_json, c.json);
    EXPECT_FALSE(r->encrypted);
    EXPECT_EQ(r->code, "201");
    EXPECT_EQ(r->message, "Data tidak ditemukan");
  }
}

TEST(BpjsEnvelope, MetadataObjectKeptVerbatim) {
  auto env = bpjs::parse_envelope(
      "{\"response\":{\"list\":[]},\"metadata\":{\"code\":200,\"message\":\"OK\",\"totalitems\":12}}", 200);
  ASSERT_TRUE(env);
  EXPECT_EQ(env->metadata_json, "{\"code\":200,\"message\":\"OK\",\"totalitems\":12}");
  EXPECT_EQ(env->response_json, "{\"list\":[]}");
}

TEST(BpjsEnvelope, NestedKeysNamedResponseOrCodeDoNotConfuseTheParser) {
  const std::string body =
      "{\"other\":{\"response\":\"x\",\"metaData\":{\"code\":\"999\"}},"
      "\"metaData\":{\"extra\":{\"code\":\"777\"},\"code\":\"200\",\"message\":\"OK\"},"
      "\"response\":[{\"response\":1}]}";
  auto env = bpjs::parse_envelope(body, 200);
  ASSERT_TRUE(env) << env.error().reason;
  EXPECT_EQ(env->code, "200");
  EXPECT_EQ(env->response_json, "[{\"response\":1}]");
  EXPECT_EQ(env->response_kind, ResponseKind::array);
}

TEST(BpjsEnvelope, PlainListEndpointsAreNotDecrypted) {
  const std::string body = vclaim_body("\"0301R0011017V000007\"");
  auto stamp = bpjs::RequestStamp::parse("1");
  const bpjs::Credentials creds{"c", "s", "u"};
  auto r = bpjs::decode_response(body, 200, "DELETE", "SEP/2.0/delete", creds, *stamp);
  ASSERT_TRUE(r) << r.error().reason;
  EXPECT_FALSE(r->encrypted);
  EXPECT_EQ(r->response_json, "\"0301R0011017V000007\"");
  EXPECT_FALSE(r->decrypt_error.has_value());
  // Same body on an encrypted endpoint with a success code: a decryption failure.
  auto strict = bpjs::decode_response(body, 200, "GET", "SEP/0301R0011017V000007", creds, *stamp);
  ASSERT_FALSE(strict);
  EXPECT_EQ(strict.error().http_status, 200);
}

TEST(BpjsEnvelope, PlainListTable) {
  EXPECT_TRUE(bpjs::is_plain_response("DELETE", "SEP/2.0/delete"));
  EXPECT_TRUE(bpjs::is_plain_response("delete", "/vclaim-rest/SEP/2.0/delete"));
  EXPECT_TRUE(bpjs::is_plain_response("DELETE", "https://apijkn-dev.bpjs-kesehatan.go.id/vclaim-rest-dev/SEP/2.0/delete/"));
  EXPECT_TRUE(bpjs::is_plain_response("GET", "sep/cbg/0301R0011017V000007"));
  EXPECT_TRUE(bpjs::is_plain_response("GET", "/vclaim-rest/sep/cbg/0301R0011017V000007?x=1"));
  EXPECT_TRUE(bpjs::is_plain_response("DELETE", "SEP/Internal/delete"));
  EXPECT_TRUE(bpjs::is_plain_response("GET", "dashboard/waktutunggu/tanggal/2024-01-02/waktu/rs"));
  EXPECT_TRUE(bpjs::is_plain_response("GET", "/antreanrs/dashboard/waktutunggu/bulan/01/tahun/2024/waktu/server"));
  EXPECT_TRUE(bpjs::is_plain_response("GET", "/aplicaresws/rest/ref/kelas"));
  EXPECT_TRUE(bpjs::is_plain_response("GET", "rest/bed/read/0301R011/1/10"));
  EXPECT_TRUE(bpjs::is_plain_response("POST", "eclaim/rekammedis/insert"));

  EXPECT_FALSE(bpjs::is_plain_response("GET", "SEP/2.0/delete"));
  EXPECT_FALSE(bpjs::is_plain_response("POST", "SEP/2.0/insert"));
  EXPECT_FALSE(bpjs::is_plain_response("GET", "SEP/0301R0011017V000007"));
  EXPECT_FALSE(bpjs::is_plain_response("GET", "sep/cbg"));
  EXPECT_FALSE(bpjs::is_plain_response("GET", "sep/cbg/1/2"));
  EXPECT_FALSE(bpjs::is_plain_response("GET", "Peserta/nokartu/1/tglSEP/2024-01-02"));
  EXPECT_FALSE(bpjs::is_plain_response("GET", "antrean/pendaftaran/aktif"));
  EXPECT_FALSE(bpjs::is_plain_response("GET", "dashboard/waktutunggu/tanggal/2024-01-02/waktu"));
  EXPECT_FALSE(bpjs::is_plain_response("GET", ""));
}

TEST(BpjsEnvelope, HtmlBodyBecomesShortMessage) {
  const std::string html =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\">\n"
      "<html><head><title>404 Not Found</title><style>body{color:red}</style>"
      "<script>var x = '<b>';</script></head>\n<body><h1>Not&nbsp;Found</h1>"
      "<p>The requested URL &amp; was not found.</p><!-- comment --></body></html>";
  auto r = bpjs::decode_response(html, 404, golden_key());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::html_body);
  EXPECT_EQ(r.error().http_status, 404);
  EXPECT_NE(r.error().reason.find("404 Not Found Not Found The requested URL & was not found."),
            std::string::npos)
      << r.error().reason;
  EXPECT_EQ(r.error().reason.find("color"), std::string::npos);
  EXPECT_EQ(r.error().reason.find("var x"), std::string::npos);
  EXPECT_NE(r.error().reason.find("non-JSON"), std::string::npos);
  EXPECT_EQ(bpjs::client_message(r.error()),
            "BPJS returned a response that is not a BPJS JSON envelope (HTTP 404)");
}

TEST(BpjsEnvelope, HtmlTextIsShortened) {
  std::string html = "<html><body>";
  for (int i = 0; i < 200; ++i) html += "<p>Runtime Error \xC3\x91</p>";
  html += "</body></html>";
  const std::string text = bpjs::html_to_text(html, 100);
  EXPECT_LE(text.size(), 103u);
  EXPECT_EQ(text.substr(text.size() - 3), "...");
  EXPECT_TRUE(text.rfind("Runtime Error", 0) == 0);
}

TEST(BpjsEnvelope, EmptyAndNonJsonBodies) {
  for (const char* empty : {"", "  \r\n\t"}) {
    auto r = bpjs::decode_response(empty, 502, golden_key());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::empty_body);
    EXPECT_EQ(r.error().http_status, 502);
    EXPECT_NE(r.error().reason.find("HTTP 502"), std::string::npos);
  }
  for (const char* text : {"Unauthorized!", "{\"metaData\":", "{\"a\":1}x", "[1,2", "{'a':1}"}) {
    auto r = bpjs::decode_response(text, 401, golden_key());
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().code, ErrorCode::not_json) << text;
  }
  auto nul = bpjs::decode_response(std::string("{\"metaData\":{}}\0x", 17), 200, golden_key());
  ASSERT_FALSE(nul);
  EXPECT_EQ(nul.error().code, ErrorCode::not_json);
}

TEST(BpjsEnvelope, JsonWithoutMetadataIsBadEnvelope) {
  for (const char* body : {"[1,2]", "\"text\"", "42", "{\"response\":\"x\"}", "{\"metaData\":null}",
                           "{\"metaData\":\"200\"}"}) {
    auto r = bpjs::decode_response(body, 200, golden_key());
    ASSERT_FALSE(r) << body;
    EXPECT_EQ(r.error().code, ErrorCode::bad_envelope) << body;
  }
}

TEST(BpjsEnvelope, DeeplyNestedBodyDoesNotOverflowTheStack) {
  std::string body = "{\"metaData\":{\"code\":\"200\"},\"response\":";
  body += std::string(200000, '[');
  body += std::string(200000, ']');
  body += "}";
  auto r = bpjs::decode_response(body, 200, golden_key());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->response_kind, ResponseKind::array);
  EXPECT_EQ(r->response_json.size(), 400000u);
}

TEST(BpjsEnvelope, EveryDecryptFailureClassIsTyped) {
  struct Case {
    std::string response;
    ErrorCode expected;
  };
  // Valid Base64 of a single AES block that is not ours.
  const std::string one_block = "AAAAAAAAAAAAAAAAAAAAAA==";
  auto not_lz = bpjs::aes256cbc_encrypt(golden_key(), "{not lz}");
  ASSERT_TRUE(not_lz);
  auto truncated_lz = bpjs::aes256cbc_encrypt(golden_key(), golden::kLz.substr(0, 50));
  ASSERT_TRUE(truncated_lz);
  auto lz_not_json = bpjs::encrypt_response("plain text, not json", golden_key());
  ASSERT_TRUE(lz_not_json);
  const Case cases[] = {
      {"@@@@", ErrorCode::bad_base64},
      {"QUJD", ErrorCode::bad_ciphertext},
      {one_block, ErrorCode::bad_padding},
      {bpjs::base64_encode(*not_lz), ErrorCode::bad_lz_stream},
      {bpjs::base64_encode(*truncated_lz), ErrorCode::bad_lz_stream},
      {*lz_not_json, ErrorCode::not_json},
  };
  for (const auto& c : cases) {
    const std::string body = vclaim_body("\"" + c.response + "\"");
    bpjs::DecodeOptions strict;
    strict.on_undecryptable = bpjs::UndecryptablePolicy::fail;
    auto r = bpjs::decode_response(body, 200, golden_key(), strict);
    ASSERT_FALSE(r) << c.response;
    EXPECT_EQ(r.error().code, c.expected) << c.response << ": " << r.error().reason;
    EXPECT_EQ(r.error().http_status, 200);

    // Default policy with a success code: also an error.
    auto def = bpjs::decode_response(body, 200, golden_key());
    ASSERT_FALSE(def);
    EXPECT_EQ(def.error().code, c.expected);

    // Keep-raw: the string is kept with the reason attached, nothing is lost.
    bpjs::DecodeOptions keep;
    keep.on_undecryptable = bpjs::UndecryptablePolicy::keep_raw;
    auto kept = bpjs::decode_response(body, 200, golden_key(), keep);
    ASSERT_TRUE(kept);
    EXPECT_FALSE(kept->encrypted);
    EXPECT_EQ(kept->response_json, "\"" + c.response + "\"");
    ASSERT_TRUE(kept->decrypt_error.has_value());
    EXPECT_EQ(kept->decrypt_error->code, c.expected);
  }
}

TEST(BpjsEnvelope, WrongKeyIsReportedNotCrashed) {
  const std::string body = vclaim_body("\"" + std::string(golden::kResponse) + "\"");
  const auto wrong = bpjs::derive_response_key(golden::kConsId, golden::kSecret, "433223233");
  auto r = bpjs::decode_response(body, 200, wrong);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().code == ErrorCode::bad_padding || r.error().code == ErrorCode::bad_lz_stream)
      << bpjs::to_string(r.error().code);
  EXPECT_EQ(bpjs::client_message(r.error()).find(golden::kSecret), std::string::npos);
}

TEST(BpjsEnvelope, ErrorCodeWithUpstreamTextKeepsTheText) {
  // An error envelope whose response is a human message, not ciphertext.
  const std::string body =
      "{\"response\":\"Data Peserta Tidak Ditemukan\",\"metaData\":{\"message\":\"NOT FOUND\",\"code\":412}}";
  auto r = bpjs::decode_response(body, 412, golden_key());
  ASSERT_TRUE(r) << r.error().reason;
  EXPECT_EQ(r->code, "412");
  EXPECT_FALSE(r->is_success_code());
  EXPECT_EQ(r->response_json, "\"Data Peserta Tidak Ditemukan\"");
  ASSERT_TRUE(r->decrypt_error.has_value());
  EXPECT_EQ(r->decrypt_error->code, ErrorCode::bad_base64);
}

TEST(BpjsEnvelope, EncryptResponseRoundTripsUnicode) {
  const std::string json =
      "{\"nama\":\"\xC3\x91" "and\xC3\xBA \xE2\x82\xAC \xF0\x9F\x98\x80\",\"list\":[1,2,3],\"kosong\":\"\"}";
  auto enc = bpjs::encrypt_response(json, "9999", "s3cr3t", "1700000000");
  ASSERT_TRUE(enc);
  auto dec = bpjs::decrypt_response_payload(*enc, bpjs::derive_response_key("9999", "s3cr3t", "1700000000"));
  ASSERT_TRUE(dec) << dec.error().reason;
  EXPECT_EQ(*dec, json);
  auto bad = bpjs::encrypt_response("\xC3", "c", "s", "1");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::bad_utf);
}

TEST(BpjsEnvelope, GoldenEncryptMatchesVector) {
  auto enc = bpjs::encrypt_response(golden::kPlaintext, golden::kConsId, golden::kSecret, golden::kTimestamp);
  ASSERT_TRUE(enc);
  EXPECT_EQ(*enc, golden::kResponse);
}

TEST(BpjsEnvelope, WriterStyles) {
  EXPECT_EQ(bpjs::write_envelope(bpjs::EnvelopeStyle::vclaim, 200, "OK", std::string_view("\"abc\"")),
            "{\"metaData\":{\"code\":\"200\",\"message\":\"OK\"},\"response\":\"abc\"}");
  EXPECT_EQ(bpjs::write_envelope(bpjs::EnvelopeStyle::vclaim, 201, "Data \"x\" tidak ada", std::string_view("null")),
            "{\"metaData\":{\"code\":\"201\",\"message\":\"Data \\\"x\\\" tidak ada\"},\"response\":null}");
  EXPECT_EQ(bpjs::write_envelope(bpjs::EnvelopeStyle::pcare, 201, "CREATED", std::string_view("\"e\"")),
            "{\"response\":\"e\",\"metaData\":{\"message\":\"CREATED\",\"code\":201}}");
  EXPECT_EQ(bpjs::write_envelope(bpjs::EnvelopeStyle::pcare, 412, "gagal", std::nullopt),
            "{\"metaData\":{\"message\":\"gagal\",\"code\":412}}");
  EXPECT_EQ(bpjs::write_envelope(bpjs::EnvelopeStyle::antrean, 200, "Ok", std::nullopt),
            "{\"metadata\":{\"code\":200,\"message\":\"Ok\"}}");
  EXPECT_EQ(bpjs::json_quote("a\"b\\c\n\xC3\x91"), "\"a\\\"b\\\\c\\n\xC3\x91\"");
}

TEST(BpjsEnvelope, WrittenEnvelopesParseBack) {
  for (auto style : {bpjs::EnvelopeStyle::vclaim, bpjs::EnvelopeStyle::pcare, bpjs::EnvelopeStyle::antrean}) {
    auto enc = bpjs::encrypt_response(golden::kPlaintext, golden_key());
    ASSERT_TRUE(enc);
    const std::string body = bpjs::write_envelope(style, 200, "OK", bpjs::json_quote(*enc));
    auto r = bpjs::decode_response(body, 200, golden_key());
    ASSERT_TRUE(r) << body;
    EXPECT_EQ(r->response_json, golden::kPlaintext);
    EXPECT_EQ(r->code, "200");
    EXPECT_EQ(r->code_was_number, style != bpjs::EnvelopeStyle::vclaim);
    EXPECT_EQ(r->meta_key, style == bpjs::EnvelopeStyle::antrean ? bpjs::MetaKey::metadata
                                                                  : bpjs::MetaKey::metaData);
  }
}

TEST(BpjsEnvelope, EscapesInKeysAndMetadataAreDecoded) {
  const std::string body =
      "{\"met\\u0061Data\":{\"code\":\"2\\u0030\\u0030\",\"message\":\"Data \\\"x\\\" \\u00d1 \\ud83d\\ude00 a\\/b\\n\"},"
      "\"response\":null}";
  auto env = bpjs::parse_envelope(body, 200);
  ASSERT_TRUE(env) << env.error().reason;
  EXPECT_EQ(env->meta_key, bpjs::MetaKey::metaData);
  EXPECT_EQ(env->code, "200");
  EXPECT_EQ(env->message, "Data \"x\" \xC3\x91 \xF0\x9F\x98\x80 a/b\n");
}

TEST(BpjsEnvelope, OddMetadataValuesAndDuplicates) {
  auto env = bpjs::parse_envelope(
      "{\"metadata\":{\"code\":null,\"message\":false,\"code\":\"999\"},\"response\":1,\"response\":2,"
      "\"metaData\":{\"code\":\"777\"}}",
      200);
  ASSERT_TRUE(env) << env.error().reason;
  EXPECT_EQ(env->meta_key, bpjs::MetaKey::metadata);  // the first metadata object wins
  EXPECT_EQ(env->code, "");                            // the first code (null) wins
  EXPECT_FALSE(env->code_was_number);
  EXPECT_EQ(env->message, "false");
  EXPECT_EQ(env->response_json, "1");  // the first response wins
}

TEST(BpjsEnvelope, TrailingDataAndBrokenMembersAreNotJson) {
  for (const char* body : {"{\"metaData\":{\"code\":\"200\"}} x", "{\"metaData\":{\"code\":\"200\"},}",
                           "{\"metaData\":{\"code\":\"200\" \"message\":\"x\"}}",
                           "{\"metaData\":{\"code\":\"200\"},\"response\":\"\\q\"}",
                           "{\"metaData\":{\"code\":2OO}}", "{\"metaData\" {}}"}) {
    auto r = bpjs::parse_envelope(body, 200);
    ASSERT_FALSE(r) << body;
    EXPECT_EQ(r.error().code, ErrorCode::not_json) << body;
    EXPECT_NE(r.error().reason.find("offset"), std::string::npos) << r.error().reason;
  }
}
