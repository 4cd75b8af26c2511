// GET /fhir/Measure and /fhir/Measure/{id} through the real `simpul serve`: the
// catalogue as a searchset, reads, 404s, authentication, the CapabilityStatement,
// and the FHIR R4 JSON schema for every answer.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "mappings/measures/catalogue.hpp"
#include "tests/adapter/serve_fixture.hpp"

namespace {

using namespace simpul::testing::serve;
namespace m = simpul::mappings::measures;

class ServeMeasure : public ServeTest {
 protected:
  Reply get(const std::string& target, const std::string& key = kKey) {
    return call(port_, bhttp::verb::get, target, key);
  }
};

TEST_F(ServeMeasure, SearchReturnsTheWholeCatalogue) {
  start();
  const Reply r = get("/fhir/Measure");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.content_type.rfind("application/fhir+json", 0), 0u) << r.content_type;
  const auto d = json_of(r.body);
  ASSERT_TRUE(d.IsObject());
  EXPECT_STREQ(d["resourceType"].GetString(), "Bundle");
  EXPECT_STREQ(d["type"].GetString(), "searchset");
  const auto& catalogue = m::measure_catalogue();
  EXPECT_EQ(d["total"].GetUint64(), catalogue.size());
  ASSERT_EQ(d["entry"].Size(), catalogue.size());
  for (rapidjson::SizeType i = 0; i < d["entry"].Size(); ++i) {
    const auto& e = d["entry"][i];
    const std::string id(catalogue[i].id);
    EXPECT_EQ(std::string(e["fullUrl"].GetString()), "https://fhir.simpul.id/Measure/" + id);
    EXPECT_EQ(std::string(e["resource"]["id"].GetString()), id);
    EXPECT_STREQ(e["resource"]["resourceType"].GetString(), "Measure");
  }
  // The puskesmas's key reads the same published definitions.
  EXPECT_EQ(get("/fhir/Measure", "demo-pkm-simpus-key").status, 200u);
}

TEST_F(ServeMeasure, ReadsOneMeasureAndRefusesUnknownIds) {
  start();
  const Reply ak = get("/fhir/Measure/kbk-ak");
  ASSERT_EQ(ak.status, 200u) << ak.body;
  const auto d = json_of(ak.body);
  EXPECT_STREQ(d["resourceType"].GetString(), "Measure");
  EXPECT_STREQ(d["url"].GetString(), "https://fhir.simpul.id/Measure/kbk-ak");
  EXPECT_STREQ(d["title"].GetString(), "Angka Kontak");

  const Reply missing = get("/fhir/Measure/no-such-measure");
  EXPECT_EQ(missing.status, 404u);
  const auto oo = json_of(missing.body);
  EXPECT_STREQ(oo["resourceType"].GetString(), "OperationOutcome");
  EXPECT_STREQ(oo["issue"][0]["code"].GetString(), "not-found");
  EXPECT_NE(std::string(oo["issue"][0]["diagnostics"].GetString()).find("no-such-measure"), std::string::npos);
}

TEST_F(ServeMeasure, SearchNarrowsByIdAndUrl) {
  start();
  const auto by_id = json_of(get("/fhir/Measure?_id=spm-pkm-08-hipertensi").body);
  EXPECT_EQ(by_id["total"].GetUint64(), 1u);
  EXPECT_STREQ(by_id["entry"][0]["resource"]["id"].GetString(), "spm-pkm-08-hipertensi");
  const auto by_url = json_of(get("/fhir/Measure?url=https://fhir.simpul.id/Measure/kbk-rrns").body);
  EXPECT_EQ(by_url["total"].GetUint64(), 1u);
  EXPECT_STREQ(by_url["entry"][0]["resource"]["id"].GetString(), "kbk-rrns");
  const auto none = json_of(get("/fhir/Measure?_id=nothing").body);
  EXPECT_EQ(none["total"].GetUint64(), 0u);
  EXPECT_FALSE(none.HasMember("entry"));
  // Unknown parameters: ignored by default, refused under Prefer: handling=strict.
  EXPECT_EQ(get("/fhir/Measure?_count=5").status, 200u);
  asio::io_context ioc;
  auto s = connect_to(ioc, port_, std::chrono::seconds(30));
  bhttp::request<bhttp::string_body> req{bhttp::verb::get, "/fhir/Measure?frobnicate=1", 11};
  req.set(bhttp::field::host, "127.0.0.1");
  req.set(bhttp::field::authorization, "Bearer " + kKey);
  req.set("Prefer", "handling=strict");
  const auto res = round_trip(s, req);
  EXPECT_EQ(res.result_int(), 400u) << res.body();
  EXPECT_NE(res.body().find("frobnicate"), std::string::npos) << res.body();
}

TEST_F(ServeMeasure, NeedsAnApiKeyAndIsListedInTheCapabilityStatement) {
  start();
  EXPECT_EQ(get("/fhir/Measure", "").status, 401u);
  EXPECT_EQ(get("/fhir/Measure/kbk-ak", "wrong-key").status, 401u);
  const std::string cs = get("/fhir/metadata").body;
  EXPECT_NE(cs.find(R"({"type":"Measure","interaction":[{"code":"search-type"},{"code":"read"}])"), std::string::npos)
      << cs;
}

TEST_F(ServeMeasure, EveryAnswerValidatesAgainstTheR4Schema) {
  start();
  std::vector<std::string> bodies{get("/fhir/Measure").body, get("/fhir/Measure/no-such-measure").body};
  for (const auto& def : m::measure_catalogue()) bodies.push_back(get("/fhir/Measure/" + std::string(def.id)).body);
  const auto verdicts = schema_verdicts(dir_, bodies);
  ASSERT_EQ(verdicts.size(), bodies.size());
  for (std::size_t i = 0; i < verdicts.size(); ++i) EXPECT_EQ(verdicts[i], "ok") << bodies[i].substr(0, 300);
}

}  // namespace
