// Audit records appended through AuditLog into SQLite: per record, HMAC-SHA256
// pseudonym + AES-256-GCM subject encryption on the caller's thread, then the store's
// group-commit writer assigns the tenant's seq, computes the RFC 6962 leaf hash and
// inserts; signed tree heads at the default interval (10 s / 10,000 records) on the
// head thread. PRAGMA synchronous = FULL (the default: an fsync per commit).
//
// Each iteration records one batch of entries from `threads` producer threads, then
// waits (flush) until all are durable: records/s is what the trail sustains.
//   build/bench/audit_append_bench --benchmark_counters_tabular=true --benchmark_min_time=3
// Subjects are 90,000 distinct NIKs in turn, so the subject-pseudonym index takes
// random inserts: the cost per record grows with the table (docs/benchmarks.md).
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>

#include "adapter/audit/audit_log.hpp"
#include "adapter/audit/crypto.hpp"
#include "adapter/store/store.hpp"

namespace audit = simpul::adapter::audit;
namespace st = simpul::adapter::store;

namespace {

audit::AuditEntry entry(int producer, int i) {
  audit::AuditEntry e;
  e.tenant = producer % 2 ? "rs-demo" : "pkm-demo";
  e.actor = "client:simrs";
  e.action = audit::Action::read;
  e.purpose = audit::Purpose::payment;
  e.event = "vclaim.peserta";
  e.resource_type = "Coverage";
  e.subject_kind = audit::SubjectKind::nik;
  e.subject = "31712345678" + std::to_string(10000 + i % 90000);
  e.destination = "bpjs.vclaim";
  e.request_id = "01J9Z3Q4K8M2N5P7R9T1V3X5Z" + std::to_string(i);
  return e;
}

void BM_AuditAppend(benchmark::State& state) {
  const int producers = static_cast<int>(state.range(0));
  const int per_iteration = 20'000;
  char pattern[] = "/tmp/simpul-audit-bench-XXXXXX";
  const std::string dir = mkdtemp(pattern);
  {
    st::StoreOptions so;
    so.url = dir + "/bench.db";
    so.max_batch_size = static_cast<std::size_t>(state.range(1));
    auto store = st::open_store(so);
    audit::AuditLogOptions options;
    options.master_key = audit::random_bytes(32);
    options.signing_key_pem = audit::SigningKey::generate().private_pem();
    audit::AuditLog log(*store, options);
    std::int64_t total = 0;
    for (auto _ : state) {
      std::vector<std::thread> threads;
      for (int p = 0; p < producers; ++p) {
        threads.emplace_back([&, p] {
          for (int i = p; i < per_iteration; i += producers) log.record(entry(p, i));
        });
      }
      for (auto& t : threads) t.join();
      log.flush();
      total += per_iteration;
    }
    log.close();
    state.counters["records/s"] = benchmark::Counter(static_cast<double>(total), benchmark::Counter::kIsRate);
    state.counters["commits"] = static_cast<double>(store->stats().commits);
    state.counters["failures"] = static_cast<double>(log.failures());
  }
  std::filesystem::remove_all(dir);
}

}  // namespace

// Args: producer threads, store max_batch_size (256 = the default).
BENCHMARK(BM_AuditAppend)
    ->Args({1, 256})
    ->Args({4, 256})
    ->Args({4, 1024})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
