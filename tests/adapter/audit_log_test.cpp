// AuditLog end to end on a real SQLite store: pseudonymisation and encryption of the
// subject, gap-free seqs, signed tree heads, `simpul audit verify` on an intact trail
// and on one tampered with in each way an attacker with the file could (edit, delete,
// insert, reorder, forge a head), and the [audit] key configuration errors.
#include "adapter/audit/audit_log.hpp"

#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <regex>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "adapter/audit/crypto.hpp"
#include "adapter/audit/record_format.hpp"
#include "adapter/audit/verify.hpp"
#include "adapter/config.hpp"
#include "adapter/store/store.hpp"
#include "connectors/observability/metrics.hpp"
#include "tests/adapter/store_test_support.hpp"

namespace audit = simpul::adapter::audit;
namespace st = simpul::adapter::store;
using simpul::adapter::Config;
using simpul::adapter::ConfigError;
using simpul::testing::TempDir;

namespace {

constexpr const char* kKeyHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr const char* kNik = "3171234567890001";

struct RawDb {
  sqlite3* db = nullptr;
  explicit RawDb(const std::string& path) { sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr); }
  ~RawDb() { sqlite3_close(db); }
  void exec(const std::string& sql) {
    char* error = nullptr;
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "") << sql;
  }
  // What an attacker with the file does first: the append-only triggers go.
  void drop_triggers() {
    exec("DROP TRIGGER audit_log_append_only_update; DROP TRIGGER audit_log_append_only_delete;");
  }
};

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("SIMPUL_TEST_AUDIT_KEY", kKeyHex, 1);
    write_config("[audit]\nmaster_key = \"env:SIMPUL_TEST_AUDIT_KEY\"\n");
  }

  void write_config(const std::string& audit_section) {
    std::ofstream(config_path_) << "[store]\nurl = \"sqlite:" << dir_.db() << "\"\n\n" << audit_section;
    config_ = simpul::adapter::load_config(config_path_);
  }

  std::unique_ptr<st::Store> open() {
    st::StoreOptions o;
    o.url = config_.store_url;
    return st::open_store(o);
  }

  audit::AuditEntry entry(const std::string& tenant, int i, bool with_subject = true) {
    audit::AuditEntry e;
    e.tenant = tenant;
    e.actor = "client:simrs";
    e.action = i % 2 ? audit::Action::create : audit::Action::read;
    e.purpose = audit::Purpose::payment;
    e.event = i % 2 ? "vclaim.sep.insert" : "vclaim.peserta";
    e.resource_type = i % 2 ? "Claim" : "Coverage";
    e.resource_id = "0301R0110124V00000" + std::to_string(i);
    if (with_subject) {
      e.subject_kind = audit::SubjectKind::nik;
      e.subject = kNik;
    }
    e.destination = "bpjs.vclaim";
    e.request_id = "req-" + std::to_string(i);
    return e;
  }

  // Ten records of rs-a (and three of pkm-a), all under a signed head at close. The signer's
  // first round runs at once and concurrently, so there may be earlier heads too (a slow
  // sanitizer run sees them): checks on heads use head_problem, not a fixed size.
  void write_trail() {
    auto store = open();
    audit::AuditLog log(*store, audit::audit_options(config_));
    for (int i = 0; i < 10; ++i) log.record(entry("rs-a", i, i != 5));
    for (int i = 0; i < 3; ++i) log.record(entry("pkm-a", i));
    log.close();
  }

  std::pair<int, std::string> verify(std::optional<std::string> tenant = std::nullopt) {
    std::ostringstream out, err;
    const int rc = audit::audit_verify_command(config_path_, tenant, std::nullopt, out, err);
    return {rc, rc == 0 ? out.str() : err.str()};
  }

  // Recomputes every rs-a leaf hash from its (tampered) columns: the format is public.
  void rehash_all() {
    std::vector<st::AuditRecord> records;
    {
      auto store = open();
      records = store->read_audit("rs-a", 1, 1000);
    }
    RawDb raw(dir_.db());
    for (const auto& r : records) {
      raw.exec("UPDATE audit_log SET leaf_hash = X'" + audit::to_hex(audit::record_leaf_hash(r)) +
               "' WHERE tenant = 'rs-a' AND seq = " + std::to_string(r.seq));
    }
  }

  // The first head verify complains about: "tenant T: head at size N: <problem>".
  struct HeadProblem {
    long size = -1;
    std::string problem;
  };
  static HeadProblem head_problem(const std::string& text, const std::string& tenant) {
    std::smatch m;
    if (!std::regex_search(text, m, std::regex("tenant " + tenant + ": head at size ([0-9]+): ([a-z ]+)")))
      return {};
    return {std::stol(m[1].str()), m[2].str()};
  }
  // A tampered record at `seq` is caught by the first head that covers it.
  static void expect_head_problem(const std::string& text, const std::string& tenant, long at_least_size,
                                  const std::string& problem) {
    const auto found = head_problem(text, tenant);
    EXPECT_GE(found.size, at_least_size) << text;
    EXPECT_EQ(found.problem, problem) << text;
  }

  TempDir dir_{"simpul-audit"};
  std::string config_path_ = dir_.file("simpul.toml");
  Config config_;
};

}  // namespace

TEST_F(AuditLogTest, RecordsPseudonymisedEncryptedAndSigned) {
  simpul::connectors::obs::Registry metrics;
  auto store = open();
  auto options = audit::audit_options(config_);
  options.metrics = &metrics;
  audit::AuditLog log(*store, options);
  for (int i = 0; i < 10; ++i) log.record(entry("rs-a", i, i != 5));
  audit::AuditEntry anonymous;
  anonymous.event = "auth.failed";
  anonymous.purpose = audit::Purpose::security;
  anonymous.outcome = "401 unknown API key";
  log.record(anonymous);
  log.flush();

  const auto records = store->read_audit("rs-a", 1, 100);
  ASSERT_EQ(records.size(), 10u);
  const std::string pseudonym = log.pseudonym("rs-a", audit::SubjectKind::nik, kNik);
  EXPECT_EQ(pseudonym.size(), 64u);
  EXPECT_NE(pseudonym, log.pseudonym("pkm-a", audit::SubjectKind::nik, kNik)) << "keys are per tenant";
  EXPECT_NE(pseudonym, log.pseudonym("rs-a", audit::SubjectKind::no_kartu, kNik)) << "the kind is part of it";
  for (std::size_t i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    EXPECT_EQ(r.seq, static_cast<std::int64_t>(i) + 1);
    EXPECT_EQ(r.purpose, "HPAYMT");
    EXPECT_EQ(r.action, i % 2 ? "C" : "R");
    EXPECT_EQ(r.leaf_hash, audit::record_leaf_hash(r));
    if (i == 5) {
      EXPECT_EQ(r.subject_pseudonym, "");
      EXPECT_EQ(r.subject_ciphertext, "");
      continue;
    }
    EXPECT_EQ(r.subject_pseudonym, pseudonym);
    EXPECT_EQ(r.subject_ciphertext.size(), 12 + std::string(kNik).size() + 16);
    EXPECT_EQ(log.decrypt_subject("rs-a", r.subject_ciphertext), std::optional<std::string>(kNik));
    EXPECT_FALSE(log.decrypt_subject("pkm-a", r.subject_ciphertext)) << "bound to its tenant";
  }
  EXPECT_NE(records[0].subject_ciphertext, records[1].subject_ciphertext) << "a fresh nonce each time";
  EXPECT_EQ(store->find_audit_by_subject("rs-a", pseudonym, 1, 100).size(), 9u);
  const auto none = store->read_audit(std::string(audit::kNoTenant), 1, 10);
  ASSERT_EQ(none.size(), 1u);
  EXPECT_EQ(none[0].actor, "anonymous");
  EXPECT_EQ(none[0].purpose, "HSYSADMIN");

  log.close();
  const auto head = store->latest_tree_head("rs-a");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->tree_size, 10);
  EXPECT_EQ(head->key_id, log.key_id());
  EXPECT_EQ(head->key_id.size(), 16u);
  EXPECT_TRUE(audit::ed25519_verify(log.public_key(), audit::head_bytes("rs-a", 10, head->root_hash, head->signed_at),
                                    head->signature));
  EXPECT_EQ(log.failures(), 0u);
  EXPECT_EQ(metrics.counter("simpul_audit_records_total", "").value(), 11u);

  // The NIK is nowhere in the files, in clear.
  store.reset();
  for (const char* suffix : {"", "-wal"}) {
    std::ifstream f(dir_.db() + suffix, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes.find(kNik), std::string::npos) << suffix;
  }
  EXPECT_EQ(verify().first, 0);
}

TEST_F(AuditLogTest, HeadEveryRecordsAndRestart) {
  {
    auto store = open();
    auto options = audit::audit_options(config_);
    options.head_every = 4;
    options.head_interval = std::chrono::hours(1);
    audit::AuditLog log(*store, options);
    for (int i = 0; i < 9; ++i) log.record(entry("rs-a", i));
    log.flush();
    // The signer's first round (at start) may already sign whatever is there (a slow start,
    // e.g. under ASan, sees a record or two); head_every must then bring a head of >= 4
    // records long before the hour is up.
    auto largest = [&] {
      std::int64_t n = 0;
      for (const auto& h : store->read_tree_heads("rs-a")) n = std::max(n, h.tree_size);
      return n;
    };
    for (int i = 0; i < 200 && largest() < 4; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_GE(largest(), 4) << "head_every must trigger a head before the hour is up";
  }
  // A restart continues the same tree: seqs go on, the new head covers everything.
  {
    auto store = open();
    audit::AuditLog log(*store, audit::audit_options(config_));
    for (int i = 0; i < 3; ++i) log.record(entry("rs-a", i));
    log.close();
    EXPECT_EQ(store->latest_tree_head("rs-a")->tree_size, 12);
    EXPECT_EQ(store->read_audit("rs-a", 12, 10).at(0).seq, 12);
  }
  auto [rc, text] = verify();
  EXPECT_EQ(rc, 0) << text;
  EXPECT_NE(text.find("tenant rs-a: 12 records"), std::string::npos) << text;

  std::ostringstream out, err;
  EXPECT_EQ(audit::audit_heads_command(config_path_, std::string("rs-a"), out, err), 0) << err.str();
  std::istringstream lines(out.str());
  std::string line, last;
  int count = 0;
  while (std::getline(lines, line)) {
    ++count;
    last = line;
    EXPECT_EQ(line.rfind("{\"tenant\":\"rs-a\",\"tree_size\":", 0), 0u) << line;
  }
  EXPECT_GE(count, 2);
  EXPECT_NE(last.find("\"tree_size\":12,\"root_hash\":\""), std::string::npos) << last;
  EXPECT_NE(last.find("\"signature\":\""), std::string::npos) << last;
}

TEST_F(AuditLogTest, VerifyOkOnAnIntactTrail) {
  write_trail();
  auto [rc, text] = verify();
  EXPECT_EQ(rc, 0) << text;
  EXPECT_NE(text.find("audit trail ok: 2 tenants, 13 records"), std::string::npos) << text;
  EXPECT_EQ(verify("pkm-a").first, 0);
}

TEST_F(AuditLogTest, VerifyFindsAnEditedColumn) {
  write_trail();
  RawDb raw(dir_.db());
  raw.drop_triggers();
  raw.exec("UPDATE audit_log SET outcome = '200 ok' WHERE tenant = 'rs-a' AND seq = 3");
  auto [rc, text] = verify();
  EXPECT_EQ(rc, 1);
  EXPECT_NE(text.find("tenant rs-a seq 3: leaf hash mismatch"), std::string::npos) << text;
}

TEST_F(AuditLogTest, VerifyFindsAnEditWithARecomputedLeafHash) {
  write_trail();
  {
    RawDb raw(dir_.db());
    raw.drop_triggers();
    raw.exec("UPDATE audit_log SET actor = 'client:mallory' WHERE tenant = 'rs-a' AND seq = 3");
  }
  rehash_all();
  auto [rc, text] = verify();
  EXPECT_EQ(rc, 1);
  expect_head_problem(text, "rs-a", 3, "root mismatch");
}

TEST_F(AuditLogTest, VerifyFindsADeletedRow) {
  write_trail();
  RawDb raw(dir_.db());
  raw.drop_triggers();
  raw.exec("DELETE FROM audit_log WHERE tenant = 'rs-a' AND seq = 4");
  auto [rc, text] = verify();
  EXPECT_EQ(rc, 1);
  EXPECT_NE(text.find("tenant rs-a seq 4: missing seq 4"), std::string::npos) << text;
}

TEST_F(AuditLogTest, VerifyFindsADeletedLastRow) {
  write_trail();
  RawDb raw(dir_.db());
  raw.drop_triggers();
  raw.exec("DELETE FROM audit_log WHERE tenant = 'rs-a' AND seq = 10");
  auto [rc, text] = verify();
  EXPECT_EQ(rc, 1);
  EXPECT_NE(text.find("tenant rs-a seq 10: head at size 10 but the log ends at seq 9: missing seq 10"),
            std::string::npos)
      << text;
}

TEST_F(AuditLogTest, VerifyFindsAnInsertedRow) {
  write_trail();
  RawDb raw(dir_.db());
  raw.drop_triggers();
  // Slipped in between seq 5 and 6 without renumbering (SQLite keeps 5.5 as a REAL).
  raw.exec(
      "INSERT INTO audit_log SELECT tenant, 5.5, recorded_at, 'client:mallory', action, purpose, resource_type, "
      "resource_id, subject_pseudonym, subject_ciphertext, destination, outcome, request_id, leaf_hash, event "
      "FROM audit_log WHERE tenant = 'rs-a' AND seq = 5");
  auto [rc, text] = verify();
  EXPECT_EQ(rc, 1);
  EXPECT_NE(text.find("tenant rs-a seq 5: extra record (seq order)"), std::string::npos) << text;
}

TEST_F(AuditLogTest, VerifyFindsAnInsertedRowWithRenumberingAndRehashing) {
  write_trail();
  {
    RawDb raw(dir_.db());
    raw.drop_triggers();
    raw.exec(
        "CREATE TEMP TABLE later AS SELECT * FROM audit_log WHERE tenant = 'rs-a' AND seq >= 5;"
        "DELETE FROM audit_log WHERE tenant = 'rs-a' AND seq >= 5;"
        "UPDATE later SET seq = seq + 1;"
        "INSERT INTO audit_log SELECT * FROM later;"
        "INSERT INTO audit_log SELECT tenant, 5, recorded_at, 'client:mallory', action, purpose, resource_type, "
        "resource_id, subject_pseudonym, subject_ciphertext, destination, outcome, request_id, leaf_hash, event "
        "FROM audit_log WHERE tenant = 'rs-a' AND seq = 4;");
  }
  {
    auto [rc, text] = verify();
    EXPECT_EQ(rc, 1);
    EXPECT_NE(text.find("tenant rs-a seq 5: leaf hash mismatch"), std::string::npos) << text;
  }
  rehash_all();  // every leaf consistent again: only the signed head can tell
  auto [rc, text] = verify();
  EXPECT_EQ(rc, 1);
  expect_head_problem(text, "rs-a", 5, "root mismatch");
}

TEST_F(AuditLogTest, VerifyFindsSwappedRows) {
  write_trail();
  RawDb raw(dir_.db());
  raw.drop_triggers();
  raw.exec(
      "CREATE TEMP TABLE two AS SELECT * FROM audit_log WHERE tenant = 'rs-a' AND seq IN (2, 7);"
      "DELETE FROM audit_log WHERE tenant = 'rs-a' AND seq IN (2, 7);"
      "UPDATE two SET seq = 9 - seq;"
      "INSERT INTO audit_log SELECT * FROM two;");
  auto [rc, text] = verify();
  EXPECT_EQ(rc, 1);
  EXPECT_NE(text.find("tenant rs-a seq 2: leaf hash mismatch"), std::string::npos) << text;
}

TEST_F(AuditLogTest, VerifyFindsForgedHeads) {
  write_trail();
  {
    RawDb raw(dir_.db());
    raw.exec("UPDATE audit_tree_heads SET signature = zeroblob(64) WHERE tenant = 'pkm-a'");
    auto [rc, text] = verify();
    EXPECT_EQ(rc, 1);
    expect_head_problem(text, "pkm-a", 1, "bad signature");
  }
  {
    RawDb raw(dir_.db());
    raw.exec("UPDATE audit_tree_heads SET root_hash = zeroblob(32) WHERE tenant = 'rs-a'");
    auto [rc, text] = verify("rs-a");
    EXPECT_EQ(rc, 1);
    expect_head_problem(text, "rs-a", 1, "root mismatch");
  }
  // Another key: the heads were not signed with it.
  const std::string other = dir_.file("other.pem");
  std::ofstream(other) << audit::SigningKey::generate().public_pem();
  std::ostringstream out, err;
  EXPECT_EQ(audit::audit_verify_command(config_path_, std::string("pkm-a"), other, out, err), 1);
  EXPECT_NE(err.str().find("bad signature"), std::string::npos) << err.str();
}

TEST_F(AuditLogTest, KeyConfiguration) {
  // Missing master key: serve must not start; the message says how to set it.
  write_config("");
  try {
    audit::audit_options(config_);
    FAIL() << "a missing master key must be a config error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("[audit] master_key is not set"), std::string::npos) << e.what();
  }
  // A malformed key: the reference is named, the value never.
  ::setenv("SIMPUL_TEST_AUDIT_KEY", "not-a-key-but-a-secret-value", 1);
  write_config("[audit]\nmaster_key = \"env:SIMPUL_TEST_AUDIT_KEY\"\n");
  try {
    audit::audit_options(config_);
    FAIL();
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("env:SIMPUL_TEST_AUDIT_KEY"), std::string::npos) << what;
    EXPECT_EQ(what.find("secret-value"), std::string::npos) << what;
  }
  // Not a reference at all.
  EXPECT_THROW(write_config("[audit]\nmaster_key = \"" + std::string(kKeyHex) + "\"\n"), ConfigError);
  // A configured signing key is used as is, and no key file is generated.
  ::setenv("SIMPUL_TEST_AUDIT_KEY", kKeyHex, 1);
  const auto key = audit::SigningKey::generate();
  std::ofstream(dir_.file("signing.pem")) << key.private_pem();
  write_config("[audit]\nmaster_key = \"env:SIMPUL_TEST_AUDIT_KEY\"\nsigning_key = \"file:" + dir_.file("signing.pem") +
               "\"\nhead_interval_ms = 500\nhead_every = 7\n");
  const auto options = audit::audit_options(config_);
  EXPECT_EQ(audit::SigningKey::from_pem(options.signing_key_pem).key_id(), key.key_id());
  EXPECT_EQ(options.head_every, 7u);
  EXPECT_EQ(options.head_interval, std::chrono::milliseconds(500));
  EXPECT_FALSE(std::filesystem::exists(audit::default_signing_key_path(config_)));
  EXPECT_EQ(audit::parse_master_key(std::string(32, 'k')), std::string(32, 'k'));
  EXPECT_FALSE(audit::parse_master_key("abcd"));
}
