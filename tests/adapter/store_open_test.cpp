// Opening the store: URLs, clear errors, migrations, schema version checks, ping.
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "adapter/store/sqlite_store.hpp"
#include "adapter/store/store.hpp"
#include "tests/adapter/store_test_support.hpp"

namespace st = simpul::adapter::store;
namespace fs = std::filesystem;
using simpul::testing::options_for;
using simpul::testing::RawDb;
using simpul::testing::TempDir;

namespace {

template <class Fn>
st::StoreError catch_store_error(Fn fn) {
  try {
    fn();
  } catch (const st::StoreError& e) {
    return e;
  }
  ADD_FAILURE() << "expected a StoreError";
  return st::StoreError(st::StoreErrc::internal, "none thrown");
}

}  // namespace

TEST(StoreOpen, CreatesAndMigratesANewFile) {
  TempDir dir;
  const auto path = dir.file("simpul.db");
  {
    auto store = st::open_store(options_for(path));
    EXPECT_EQ(store->backend(), "sqlite");
    EXPECT_TRUE(store->ping());
    EXPECT_EQ(store->schema_version(), st::SqliteStore::latest_schema_version());
    EXPECT_GE(store->schema_version(), 1);
  }
  RawDb raw(path);
  EXPECT_EQ(raw.text("PRAGMA journal_mode"), "wal");
  std::set<std::string> tables;
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw.db, "SELECT name FROM sqlite_master WHERE type = 'table'", -1, &s, nullptr),
            SQLITE_OK);
  while (sqlite3_step(s) == SQLITE_ROW) tables.insert(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
  sqlite3_finalize(s);
  for (const char* t : {"schema_version", "outbox", "outbox_attempts", "idempotency_keys", "audit_log",
                        "audit_tree_heads", "indicator_facts", "reference_cache"}) {
    EXPECT_TRUE(tables.count(t)) << "missing table " << t;
  }
  EXPECT_EQ(raw.text("SELECT COUNT(*) FROM schema_version"), std::to_string(st::SqliteStore::latest_schema_version()));
}

TEST(StoreOpen, ReopenIsIdempotentAndKeepsData) {
  TempDir dir;
  const auto path = dir.file("simpul.db");
  {
    auto store = st::open_store(options_for(path));
    store->put_reference({"", "vclaim.poli", "INT", "Penyakit Dalam", 60'000});
  }
  for (int i = 0; i < 3; ++i) {
    auto store = st::open_store(options_for("sqlite:" + path));
    EXPECT_EQ(store->schema_version(), st::SqliteStore::latest_schema_version());
    auto ref = store->get_reference("", "vclaim.poli", "INT");
    ASSERT_TRUE(ref.has_value());
    EXPECT_EQ(ref->value, "Penyakit Dalam");
  }
  RawDb raw(path);
  EXPECT_EQ(raw.text("SELECT COUNT(*) FROM schema_version"), std::to_string(st::SqliteStore::latest_schema_version()));
}

TEST(StoreOpen, AcceptsSqliteUrlForms) {
  TempDir dir;
  auto a = st::open_store(options_for("sqlite:" + dir.file("a.db")));
  auto b = st::open_store(options_for("sqlite://" + dir.file("b.db")));  // sqlite:///abs/path
  auto c = st::open_store(options_for("SQLITE:" + dir.file("c.db")));
  EXPECT_TRUE(a->ping());
  EXPECT_TRUE(b->ping());
  EXPECT_TRUE(c->ping());
  EXPECT_TRUE(fs::exists(dir.file("a.db")));
  EXPECT_TRUE(fs::exists(dir.file("b.db")));
  EXPECT_TRUE(fs::exists(dir.file("c.db")));
}

TEST(StoreOpen, RefusesANewerSchema) {
  TempDir dir;
  const auto path = dir.file("simpul.db");
  { auto store = st::open_store(options_for(path)); }
  {
    RawDb raw(path);
    raw.exec("INSERT INTO schema_version (version, description, applied_at) VALUES (999, 'from the future', 0)");
  }
  auto error = catch_store_error([&] { st::open_store(options_for(path)); });
  EXPECT_EQ(error.code(), st::StoreErrc::schema_too_new);
  EXPECT_NE(std::string(error.what()).find("999"), std::string::npos) << error.what();
  EXPECT_NE(std::string(error.what()).find(path), std::string::npos) << error.what();
  EXPECT_FALSE(error.retryable());
  // The refused open changed nothing.
  RawDb raw(path);
  EXPECT_EQ(raw.text("SELECT MAX(version) FROM schema_version"), "999");
}

TEST(StoreOpen, PostgresqlIsNotBuiltYet) {
  for (const char* url : {"postgresql://simpul@db/simpul", "postgres://db/simpul"}) {
    auto error = catch_store_error([&] { st::open_store(options_for(url)); });
    EXPECT_EQ(error.code(), st::StoreErrc::unsupported);
    EXPECT_NE(std::string(error.what()).find("PostgreSQL backend is not built yet"), std::string::npos)
        << error.what();
  }
}

TEST(StoreOpen, RejectsUnknownSchemesAndEmptyUrls) {
  EXPECT_EQ(catch_store_error([] { st::open_store(options_for("mysql://db/simpul")); }).code(),
            st::StoreErrc::unsupported);
  EXPECT_EQ(catch_store_error([] { st::open_store(options_for("")); }).code(), st::StoreErrc::invalid_argument);
  EXPECT_EQ(catch_store_error([] { st::open_store(options_for("sqlite:")); }).code(),
            st::StoreErrc::invalid_argument);
  EXPECT_EQ(catch_store_error([] { st::open_store(options_for(":memory:")); }).code(),
            st::StoreErrc::invalid_argument);
}

TEST(StoreOpen, MissingDirectoryIsNamed) {
  TempDir dir;
  const auto path = dir.file("no-such-dir/simpul.db");
  auto error = catch_store_error([&] { st::open_store(options_for(path)); });
  EXPECT_EQ(error.code(), st::StoreErrc::open_failed);
  const std::string what = error.what();
  EXPECT_NE(what.find(path), std::string::npos) << what;
  EXPECT_NE(what.find("does not exist"), std::string::npos) << what;
  EXPECT_FALSE(fs::exists(dir.file("no-such-dir"))) << "the store must not create directories";
}

TEST(StoreOpen, NotADatabaseIsNamed) {
  TempDir dir;
  const auto path = dir.file("notes.txt");
  {
    std::ofstream out(path);
    out << "this is a text file, not a SQLite database, and it is long enough to have a header.......\n";
  }
  auto error = catch_store_error([&] { st::open_store(options_for(path)); });
  EXPECT_EQ(error.code(), st::StoreErrc::open_failed);
  const std::string what = error.what();
  EXPECT_NE(what.find(path), std::string::npos) << what;
  EXPECT_NE(what.find("not a database"), std::string::npos) << what;
}

TEST(StoreOpen, ADirectoryIsNotADatabase) {
  TempDir dir;
  fs::create_directory(dir.file("sub"));
  auto error = catch_store_error([&] { st::open_store(options_for(dir.file("sub"))); });
  EXPECT_EQ(error.code(), st::StoreErrc::open_failed);
  EXPECT_NE(std::string(error.what()).find(dir.file("sub")), std::string::npos) << error.what();
}

TEST(StoreOpen, SynchronousModeParsing) {
  EXPECT_EQ(st::parse_synchronous_mode("full"), st::SynchronousMode::full);
  EXPECT_EQ(st::parse_synchronous_mode("NORMAL"), st::SynchronousMode::normal);
  EXPECT_EQ(st::parse_synchronous_mode("Extra"), st::SynchronousMode::extra);
  EXPECT_EQ(st::parse_synchronous_mode("off"), st::SynchronousMode::off);
  EXPECT_FALSE(st::parse_synchronous_mode("fast").has_value());
  EXPECT_EQ(st::StoreOptions{}.synchronous, st::SynchronousMode::full);
}

TEST(StoreOpen, LatencyHookSeesOperationsAndCommits) {
  TempDir dir;
  std::mutex mutex;
  std::multiset<std::string> ops;
  auto options = options_for(dir.file("simpul.db"));
  options.on_latency = [&](std::string_view op, double seconds) {
    EXPECT_GE(seconds, 0.0);
    std::lock_guard lock(mutex);
    ops.insert(std::string(op));
  };
  auto store = st::open_store(options);
  store->put_reference({"t1", "pcare.dokter", "D1", "dr. Sari", 1000});
  store->get_reference("t1", "pcare.dokter", "D1");
  EXPECT_TRUE(store->ping());
  std::lock_guard lock(mutex);
  EXPECT_EQ(ops.count("reference.put"), 1u);
  EXPECT_EQ(ops.count("reference.get"), 1u);
  EXPECT_EQ(ops.count("ping"), 1u);
  EXPECT_GE(ops.count("commit"), 1u);
}

TEST(StoreOpen, ReadersDoNotBlockTheWriter) {
  TempDir dir;
  const auto path = dir.file("simpul.db");
  auto options = options_for(path);
  options.busy_timeout_ms = 100;
  auto store = st::open_store(options);
  store->put_reference({"t1", "k", "before", "1", 60'000});
  // Another connection holds a read snapshot open for the whole test.
  RawDb reader(path);
  reader.exec("BEGIN");
  EXPECT_EQ(reader.text("SELECT value FROM reference_cache WHERE key = 'before'"), "1");
  for (int i = 0; i < 20; ++i) store->put_reference({"t1", "k", "during" + std::to_string(i), "2", 60'000});
  // The snapshot still sees the old state; the store sees the new one.
  EXPECT_EQ(reader.text("SELECT COUNT(*) FROM reference_cache"), "1");
  EXPECT_TRUE(store->get_reference("t1", "k", "during19").has_value());
  reader.exec("COMMIT");
}
