// How BpjsClient reads one HTTP answer (no sockets): success codes per service,
// business / auth / not_found / upstream_http / decode errors keeping BPJS's
// code and message, and what is retryable or maybe delivered.
#include <gtest/gtest.h>

#include "connectors/bpjs/client.hpp"
#include "connectors/bpjs/envelope.hpp"

namespace bpjs = simpul::connectors::bpjs;
namespace http = simpul::connectors::http;
using bpjs::BpjsErrorKind;
using bpjs::Service;

namespace {

bpjs::BpjsCredentials creds() {
  bpjs::BpjsCredentials c;
  c.cons_id = "1234";
  c.secret_key = "pwd";
  c.user_key_vclaim = "uk";
  return c;
}

const bpjs::RequestStamp kStamp(433223232);

std::string encrypted(std::string_view json) {
  auto c = bpjs::encrypt_response(json, "1234", "pwd", kStamp.value());
  EXPECT_TRUE(c);
  return bpjs::json_quote(*c);
}

bpjs::BpjsResult interpret(Service s, http::Method m, std::string_view path, int status, std::string_view body) {
  return bpjs::interpret_response(s, m, path, status, body, creds(), kStamp);
}

}  // namespace

TEST(BpjsClientInterpret, VclaimSuccessIsDecrypted) {
  const std::string body =
      bpjs::write_envelope(bpjs::EnvelopeStyle::vclaim, 200, "OK", encrypted(R"({"peserta":{"noKartu":"1"}})"));
  auto r = interpret(Service::vclaim, http::Method::get, "Peserta/nokartu/1/tglSEP/2026-01-01", 200, body);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->response_json, R"({"peserta":{"noKartu":"1"}})");
  EXPECT_EQ(r->code, "200");
}

TEST(BpjsClientInterpret, VclaimCode201IsABusinessErrorKeepingBpjsWords) {
  const std::string body = R"({"metaData":{"code":"201","message":"Peserta tidak ditemukan"},"response":null})";
  auto r = interpret(Service::vclaim, http::Method::get, "Peserta/nokartu/1/tglSEP/2026-01-01", 200, body);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, BpjsErrorKind::business);
  EXPECT_EQ(r.error().code, "201");
  EXPECT_EQ(r.error().message, "Peserta tidak ditemukan");
  EXPECT_FALSE(r.error().retryable);
  EXPECT_EQ(r.error().http_status, 200);
}

TEST(BpjsClientInterpret, PcareCreatedAndAntreanCodeOneAreSuccess) {
  const std::string pcare = bpjs::write_envelope(bpjs::EnvelopeStyle::pcare, 201, "CREATED",
                                                 encrypted(R"({"field":"noUrut","message":"A1"})"));
  auto p = interpret(Service::pcare, http::Method::post, "pendaftaran", 201, pcare);
  ASSERT_TRUE(p) << p.error().describe();
  EXPECT_EQ(p->code, "201");

  const std::string antrean = bpjs::write_envelope(bpjs::EnvelopeStyle::antrean, 1, "Ok", encrypted(R"({"list":[]})"));
  auto a = interpret(Service::antrean, http::Method::get, "ref/poli", 200, antrean);
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_EQ(a->response_json, R"({"list":[]})");

  const std::string write = bpjs::write_envelope(bpjs::EnvelopeStyle::antrean, 200, "Ok", std::nullopt);
  auto w = interpret(Service::antrean, http::Method::post, "antrean/add", 200, write);
  ASSERT_TRUE(w);
  EXPECT_EQ(w->response_json, "null");

  // "201" is success only for P-Care.
  const std::string v201 = R"({"metaData":{"code":"201","message":"x"},"response":null})";
  EXPECT_FALSE(interpret(Service::vclaim, http::Method::post, "SEP/2.0/insert", 200, v201));
  EXPECT_FALSE(interpret(Service::antrean, http::Method::post, "antrean/add", 200,
                         R"({"metadata":{"code":201,"message":"Terdapat duplikasi Kode Booking"}})"));
}

TEST(BpjsClientInterpret, PcareStatuses) {
  const std::string e412 =
      R"({"response":[{"field":"kdProviderPeserta","message":"tidak sesuai"}],"metaData":{"message":"tidak sesuai","code":412}})";
  auto r412 = interpret(Service::pcare, http::Method::post, "pendaftaran", 412, e412);
  ASSERT_FALSE(r412);
  EXPECT_EQ(r412.error().kind, BpjsErrorKind::business);
  EXPECT_EQ(r412.error().code, "412");
  EXPECT_EQ(r412.error().message, "tidak sesuai");
  EXPECT_NE(r412.error().details.find("kdProviderPeserta"), std::string::npos);
  EXPECT_FALSE(r412.error().retryable);
  EXPECT_FALSE(r412.error().maybe_delivered);

  auto r424 = interpret(Service::pcare, http::Method::post, "kunjungan/v1", 424,
                        R"({"response":null,"metaData":{"message":"Kode poli tidak ditemukan","code":424}})");
  ASSERT_FALSE(r424);
  EXPECT_EQ(r424.error().kind, BpjsErrorKind::business);
  EXPECT_EQ(r424.error().code, "424");

  auto r204 = interpret(Service::pcare, http::Method::get, "peserta/1", 204, "");
  ASSERT_FALSE(r204);
  EXPECT_EQ(r204.error().kind, BpjsErrorKind::not_found);

  auto r401 = interpret(
      Service::pcare, http::Method::get, "peserta/1", 401,
      R"({"response":null,"metaData":{"message":"Unauthorized! Username atau password P-Care salah","code":401}})");
  ASSERT_FALSE(r401);
  EXPECT_EQ(r401.error().kind, BpjsErrorKind::auth);
  EXPECT_EQ(r401.error().message, "Unauthorized! Username atau password P-Care salah");

  auto r500 = interpret(Service::pcare, http::Method::post, "kunjungan/v1", 500,
                        R"({"response":null,"metaData":{"message":"Terjadi kesalahan","code":500}})");
  ASSERT_FALSE(r500);
  EXPECT_EQ(r500.error().kind, BpjsErrorKind::upstream_http);
  EXPECT_EQ(r500.error().code, "500");
  EXPECT_TRUE(r500.error().retryable);
  EXPECT_TRUE(r500.error().maybe_delivered);  // a write that hit a 5xx may have been executed
}

TEST(BpjsClientInterpret, HtmlPagesAreUpstreamHttpWithStrippedText) {
  const std::string page = "<html><head><title>500</title></head><body><h1>Runtime Error</h1></body></html>";
  auto r = interpret(Service::vclaim, http::Method::get, "SEP/1", 500, page);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, BpjsErrorKind::upstream_http);
  EXPECT_EQ(r.error().code, "500");
  EXPECT_NE(r.error().message.find("Runtime Error"), std::string::npos);
  EXPECT_EQ(r.error().message.find("<h1>"), std::string::npos);
  EXPECT_TRUE(r.error().retryable);

  auto nf = interpret(Service::vclaim, http::Method::get, "SEP/1", 404, "<html><body>Not Found</body></html>");
  ASSERT_FALSE(nf);
  EXPECT_EQ(nf.error().kind, BpjsErrorKind::upstream_http);  // a wrong URL, not "no such SEP"
  EXPECT_FALSE(nf.error().retryable);

  auto empty = interpret(Service::vclaim, http::Method::get, "SEP/1", 200, "");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().kind, BpjsErrorKind::decode);

  auto gw = interpret(Service::vclaim, http::Method::get, "SEP/1", 401, "<html>denied</html>");
  ASSERT_FALSE(gw);
  EXPECT_EQ(gw.error().kind, BpjsErrorKind::auth);
}

TEST(BpjsClientInterpret, UndecryptableSuccessIsADecodeError) {
  // Encrypted with another stamp: the padding check fails.
  auto other = bpjs::encrypt_response(R"({"a":1})", "1234", "pwd", "433223233");
  ASSERT_TRUE(other);
  const std::string body = bpjs::write_envelope(bpjs::EnvelopeStyle::vclaim, 200, "OK", bpjs::json_quote(*other));
  auto r = interpret(Service::vclaim, http::Method::post, "SEP/2.0/insert", 200, body);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, BpjsErrorKind::decode);
  EXPECT_TRUE(r.error().maybe_delivered);  // BPJS said 200: the SEP exists
  EXPECT_EQ(r.error().message.find("pwd"), std::string::npos);
}

TEST(BpjsClientInterpret, PlainSepDeleteResponseIsNotDecrypted) {
  const std::string body = R"({"metaData":{"code":"200","message":"OK"},"response":"0301R0011017V000007"})";
  auto r = interpret(Service::vclaim, http::Method::del, "SEP/2.0/delete", 200, body);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->response_json, R"("0301R0011017V000007")");
}

TEST(BpjsClientInterpret, TransportErrors) {
  http::HttpError timeout{http::ErrorKind::timeout, "timed out after 500 ms (127.0.0.1:1)", true};
  auto w = bpjs::transport_error(timeout, http::Method::post);
  EXPECT_EQ(w.kind, BpjsErrorKind::transport);
  EXPECT_EQ(w.transport, bpjs::TransportFailure::timeout);
  EXPECT_TRUE(w.maybe_delivered);
  EXPECT_TRUE(w.retryable);
  auto g = bpjs::transport_error(timeout, http::Method::get);
  EXPECT_FALSE(g.maybe_delivered);
  auto tls = bpjs::transport_error(http::HttpError{http::ErrorKind::tls, "bad cert", false}, http::Method::get);
  EXPECT_FALSE(tls.retryable);
  auto connect =
      bpjs::transport_error(http::HttpError{http::ErrorKind::connect_failed, "refused", false}, http::Method::post);
  EXPECT_FALSE(connect.maybe_delivered);
  EXPECT_TRUE(connect.retryable);
  EXPECT_EQ(connect.transport, bpjs::TransportFailure::connect);
  // Bytes sent on a reused connection: it was connected, so this is a timeout.
  auto reused =
      bpjs::transport_error(http::HttpError{http::ErrorKind::connect_failed, "timed out", true}, http::Method::post);
  EXPECT_EQ(reused.transport, bpjs::TransportFailure::timeout);
  EXPECT_TRUE(reused.maybe_delivered);
}

TEST(BpjsClientInterpret, KeysAndPathsCarryNoSecrets) {
  const std::string k = bpjs::limiter_key("1234");
  EXPECT_EQ(k.rfind("bpjs:", 0), 0u);
  EXPECT_EQ(k.find("1234"), std::string::npos);
  EXPECT_EQ(k, bpjs::limiter_key("1234"));
  EXPECT_NE(k, bpjs::limiter_key("1235"));
  EXPECT_EQ(bpjs::path_segment("demam berdarah/x"), "demam%20berdarah%2Fx");
  EXPECT_EQ(bpjs::path_segment("A09.0-_~"), "A09.0-_~");
  EXPECT_EQ(bpjs::BpjsEndpoints::at("http://127.0.0.1:9/").vclaim_base, "http://127.0.0.1:9/vclaim-rest");
}
