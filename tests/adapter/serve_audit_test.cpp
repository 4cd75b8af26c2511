// The processing record of the V-Claim paths: one audit record per request, with the
// data subject pseudonymised (never in clear), read back from the store after the real
// `simpul serve` has stopped.
#include <map>
#include <set>

#include "adapter/store/store.hpp"
#include "adapter/vclaim_routes.hpp"
#include "tests/adapter/serve_fixture.hpp"

namespace {

using namespace simpul::testing::serve;
namespace st = simpul::adapter::store;

struct Seen {
  std::string event, action, purpose, outcome, destination, resource_type, resource_id, pseudonym, actor;
};

std::vector<Seen> audit_of(const std::filesystem::path& db, const std::string& tenant) {
  st::StoreOptions o;
  o.url = "sqlite:" + db.string();
  auto store = st::open_store(o);
  std::vector<Seen> out;
  for (const auto& r : store->read_audit(tenant, 1, 10'000)) {
    out.push_back({r.event, r.action, r.purpose, r.outcome, r.destination, r.resource_type, r.resource_id,
                   r.subject_pseudonym, r.actor});
    // Never the identifier in clear, in any column.
    for (const std::string* col : {&r.actor, &r.event, &r.resource_id, &r.subject_pseudonym, &r.subject_ciphertext,
                                   &r.destination, &r.outcome, &r.request_id}) {
      EXPECT_EQ(col->find("0001234567890"), std::string::npos) << r.seq << ": " << *col;
      EXPECT_EQ(col->find("9903951739517307"), std::string::npos) << r.seq << ": " << *col;
    }
  }
  return out;
}

}  // namespace

TEST_F(ServeTest, EveryVclaimPathLeavesExactlyItsAuditRecord) {
  start();
  const std::string check = "/fhir/CoverageEligibilityRequest/$check";
  ASSERT_EQ(call(port_, bhttp::verb::post, check, kKey, eligibility_request(kCardSystem, "0001234567890")).status,
            200u);
  ASSERT_EQ(
      call(port_, bhttp::verb::post, check + "?_dryRun=true", kKey, eligibility_request(kCardSystem, "0001234567890"))
          .status,
      200u);
  ASSERT_EQ(
      call(port_, bhttp::verb::get, "/fhir/Coverage?identifier=" + kNikSystem + "%7C9903951739517307", kKey).status,
      200u);
  ASSERT_EQ(call(port_, bhttp::verb::post, check, kKey, eligibility_request(kCardSystem, "0000000000001")).status,
            404u);
  ASSERT_EQ(call(port_, bhttp::verb::post, check, kKey, R"({"resourceType":"CoverageEligibilityRequest"})").status,
            400u);
  ASSERT_EQ(
      call(port_, bhttp::verb::get, "/fhir/ServiceRequest?patient.identifier=" + kCardSystem + "%7C0001234567890", kKey)
          .status,
      200u);
  std::string claim = read_file(std::filesystem::path(SIMPUL_SOURCE_DIR) / "docs/examples/sep-rawat-jalan.json");
  claim =
      std::regex_replace(claim, std::regex(R"("authoredOn": "[0-9-]+")"),
                         "\"authoredOn\": \"" + simpul::adapter::jakarta_date(std::chrono::system_clock::now()) + "\"");
  auto created = call(port_, bhttp::verb::post, "/fhir/Claim/$submit", kKey, claim);
  ASSERT_EQ(created.status, 200u) << created.body;
  const std::string no_sep = created.body.substr(created.body.find("\"id\":\"") + 6, 19);
  ASSERT_EQ(call(port_, bhttp::verb::post, "/fhir/Claim/$submit", kKey, claim).status, 200u);  // a retry
  ASSERT_EQ(call(port_, bhttp::verb::get, "/fhir/ClaimResponse/" + no_sep, kKey).status, 200u);
  // Another tenant's lookup is in that tenant's trail only (the demo puskesmas has no V-Claim
  // user key, so BPJS refuses it: a failed processing is recorded too).
  ASSERT_EQ(
      call(port_, bhttp::verb::post, check, "demo-pkm-simpus-key", eligibility_request(kCardSystem, "0001234567890"))
          .status,
      502u);

  server_->signal(SIGTERM);  // a clean stop makes every record durable
  ASSERT_EQ(server_->wait_exit(std::chrono::seconds(20)), 0);
  server_.reset();
  const auto rs = audit_of(dir_ / "t.db", "rs-demo");
  const std::vector<std::tuple<std::string, std::string, std::string, std::string>> expected = {
      // event, action, outcome, destination
      {"vclaim.peserta", "R", "success", "bpjs.vclaim"},    {"vclaim.peserta.dry_run", "R", "success", ""},
      {"vclaim.peserta", "R", "success", "bpjs.vclaim"},    {"vclaim.peserta", "R", "404", "bpjs.vclaim"},
      {"vclaim.peserta", "R", "400", "bpjs.vclaim"},        {"vclaim.rujukan", "R", "success", "bpjs.vclaim"},
      {"vclaim.sep.create", "C", "success", "bpjs.vclaim"}, {"vclaim.sep.create.replayed", "C", "success", ""},
      {"vclaim.sep.read", "R", "success", "bpjs.vclaim"},
  };
  ASSERT_EQ(rs.size(), expected.size());
  for (std::size_t i = 0; i < rs.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(rs[i].event, std::get<0>(expected[i]));
    EXPECT_EQ(rs[i].action, std::get<1>(expected[i]));
    EXPECT_EQ(rs[i].outcome, std::get<2>(expected[i]));
    EXPECT_EQ(rs[i].destination, std::get<3>(expected[i]));
    EXPECT_EQ(rs[i].actor, "client:simrs");
    EXPECT_EQ(rs[i].purpose, "HPAYMT");
  }
  // One card, one pseudonym; the NIK's is another; no subject for the request that named none.
  const std::string card = rs[0].pseudonym;
  EXPECT_FALSE(card.empty());
  for (std::size_t i : {1u, 5u, 6u, 7u, 8u}) EXPECT_EQ(rs[i].pseudonym, card) << i;
  for (std::size_t i : {2u, 3u}) {  // the NIK, the unknown card: other subjects
    EXPECT_FALSE(rs[i].pseudonym.empty()) << i;
    EXPECT_NE(rs[i].pseudonym, card) << i;
  }
  EXPECT_TRUE(rs[4].pseudonym.empty());
  // The SEP records name the SEP.
  for (std::size_t i : {6u, 7u, 8u}) EXPECT_EQ(rs[i].resource_id, no_sep) << i;

  const auto pkm = audit_of(dir_ / "t.db", "pkm-demo");
  ASSERT_EQ(pkm.size(), 1u);
  EXPECT_EQ(pkm[0].actor, "client:simpus");
  EXPECT_EQ(pkm[0].outcome, "502");
  EXPECT_NE(pkm[0].pseudonym, card) << "pseudonyms are keyed per tenant";
}

TEST_F(ServeTest, FailedAuthenticationAndRefusedRolesAreSecurityRecords) {
  start();
  ASSERT_EQ(call(port_, bhttp::verb::get, "/fhir/metadata", "not-a-key").status, 401u);
  ASSERT_EQ(call(port_, bhttp::verb::get, "/fhir/metadata").status, 401u);
  ASSERT_EQ(
      call(port_, bhttp::verb::get, "/fhir/Coverage?identifier=" + kCardSystem + "%7C0001234567890", kAdminKey).status,
      403u);
  server_->signal(SIGTERM);
  ASSERT_EQ(server_->wait_exit(std::chrono::seconds(20)), 0);
  server_.reset();

  const auto unknown = audit_of(dir_ / "t.db", "(none)");  // no tenant is known for a bad key
  ASSERT_EQ(unknown.size(), 2u);
  for (const auto& r : unknown) {
    EXPECT_EQ(r.event, "auth.failed /fhir/metadata");
    EXPECT_EQ(r.action, "E");
    EXPECT_EQ(r.outcome, "401");
    EXPECT_EQ(r.actor, "anonymous");
    EXPECT_TRUE(r.pseudonym.empty());
  }
  const auto rs = audit_of(dir_ / "t.db", "rs-demo");
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs[0].event, "auth.forbidden /fhir/Coverage");
  EXPECT_EQ(rs[0].actor, "client:rs-admin");
  EXPECT_EQ(rs[0].outcome, "403");
  EXPECT_TRUE(rs[0].pseudonym.empty()) << "refused before anything was read";
}
