// Load generator: N concurrent V-Claim peserta calls through BpjsClient, all in
// flight at once on one io_context run by a few threads (no thread per call).
//
//   bpjs_concurrency_bench --port P [--host 127.0.0.1] [--calls 2000] [--threads 2] [--rounds 2]
//                          [--timeout-ms 60000] [--cons-id 1234 --secret pwd --user-key demo-user-key]
//
// Round 1 opens one connection per call; later rounds send the same number of calls
// over the kept-alive connections (the steady state of a long-running server).
//
// Normally started by bench/bpjs_concurrency.sh against `simpul sim bpjs --latency-ms 200`.
// Reports per-call latency (median, p99, max), wall-clock for the whole batch, errors by
// kind, connections opened and the process's peak RSS (getrusage ru_maxrss), as text and
// as one JSON line. Exit status 1 when any call failed.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "connectors/bpjs/client.hpp"
#include "connectors/bpjs/vclaim_client.hpp"
#include "connectors/observability/log.hpp"

namespace asio = boost::asio;
namespace bpjs = simpul::connectors::bpjs;
namespace http = simpul::connectors::http;
namespace obs = simpul::connectors::obs;
namespace wire = simpul::mappings::bpjs;

namespace {

struct Args {
  std::string host = "127.0.0.1";
  int port = 0;
  int calls = 2000;
  int threads = 2;
  int timeout_ms = 60'000;
  int rounds = 2;  // 1: new connections; 2..: the same calls over the kept-alive connections
  std::string cons_id = "1234";
  std::string secret = "pwd";
  std::string user_key = "demo-user-key";
};

bool parse_args(int argc, char** argv, Args& a) {
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    if (k == "--help" || k == "-h") return false;
    if (i + 1 >= argc) {
      std::cerr << "missing value for " << k << "\n";
      return false;
    }
    std::string v = argv[++i];
    if (k == "--host")
      a.host = v;
    else if (k == "--port")
      a.port = std::atoi(v.c_str());
    else if (k == "--calls")
      a.calls = std::atoi(v.c_str());
    else if (k == "--threads")
      a.threads = std::atoi(v.c_str());
    else if (k == "--timeout-ms")
      a.timeout_ms = std::atoi(v.c_str());
    else if (k == "--rounds")
      a.rounds = std::atoi(v.c_str());
    else if (k == "--cons-id")
      a.cons_id = v;
    else if (k == "--secret")
      a.secret = v;
    else if (k == "--user-key")
      a.user_key = v;
    else {
      std::cerr << "unknown option " << k << "\n";
      return false;
    }
  }
  return a.port > 0 && a.port < 65536 && a.calls > 0 && a.calls <= 100'000 && a.threads > 0 && a.threads <= 64 &&
         a.rounds > 0 && a.rounds <= 100;
}

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  std::size_t rank = static_cast<std::size_t>(p * static_cast<double>(sorted.size()) + 0.999999);
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!parse_args(argc, argv, args)) {
    std::cerr << "usage: bpjs_concurrency_bench --port P [--host H] [--calls N] [--threads T] [--rounds R] "
                 "[--timeout-ms MS]\n"
                 "                              [--cons-id ID --secret S --user-key K]\n";
    return 2;
  }
  obs::configure_logging(obs::Level::error);

  asio::io_context ioc(args.threads);
  auto guard = asio::make_work_guard(ioc);

  // Caps raised so that every call is in flight at once.
  http::ClientOptions ho;
  ho.max_in_flight = static_cast<std::size_t>(args.calls) + 16;
  ho.max_queued = static_cast<std::size_t>(args.calls) + 16;
  ho.max_total_connections = args.calls + 16;
  ho.max_host_connections = args.calls + 16;
  ho.total_timeout = std::chrono::milliseconds(args.timeout_ms);
  http::HttpClient client(ioc, ho);
  http::KeyedLimiter limiter(ioc);

  bpjs::BpjsCredentials creds;
  creds.cons_id = args.cons_id;
  creds.secret_key = args.secret;
  creds.user_key_vclaim = args.user_key;
  bpjs::BpjsClientOptions bo;
  bo.endpoints = bpjs::BpjsEndpoints::at("http://" + args.host + ":" + std::to_string(args.port));
  bo.timeouts.read = std::chrono::milliseconds(args.timeout_ms);
  bo.timeouts.connect = std::chrono::milliseconds(args.timeout_ms);
  bpjs::UpstreamClocks clocks;
  bpjs::BpjsClient bpjs_client(client, limiter, clocks, creds, bo);
  limiter.set_limits(bpjs_client.key(), http::LimitOptions{0, 0, 1, static_cast<std::size_t>(args.calls) + 16});
  bpjs::VClaimClient vclaim(bpjs_client);

  const wire::Date today{
      std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now() + std::chrono::hours(7))};
  std::vector<std::thread> pool;
  for (int t = 0; t < args.threads; ++t) pool.emplace_back([&] { ioc.run(); });

  int total_errors = 0;
  std::string json = "[";
  // Outlive the rounds: a completing coroutine may still be inside set_value() when the main thread wakes.
  std::vector<std::promise<void>> finished(static_cast<std::size_t>(args.rounds));
  for (int round = 1; round <= args.rounds; ++round) {
    std::vector<double> latency(static_cast<std::size_t>(args.calls), 0.0);
    std::mutex mu;
    std::map<std::string, int> errors;
    std::string first_error;
    std::atomic<int> done{0};
    std::atomic<int> in_flight{0};
    std::atomic<int> peak_in_flight{0};
    const auto opened_before = client.stats().sockets_opened_total;

    const auto batch_start = std::chrono::steady_clock::now();
    for (int i = 0; i < args.calls; ++i) {
      char card[16];
      std::snprintf(card, sizeof card, "0001%09d", i * 7 + round);
      asio::co_spawn(
          ioc,
          [&, i, card = std::string(card)]() -> asio::awaitable<void> {
            const auto t0 = std::chrono::steady_clock::now();
            const int now_in = ++in_flight;
            int peak = peak_in_flight.load();
            while (now_in > peak && !peak_in_flight.compare_exchange_weak(peak, now_in)) {
            }
            auto r = co_await vclaim.peserta_by_card(card, today);
            --in_flight;
            latency[static_cast<std::size_t>(i)] =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            if (!r) {
              std::lock_guard lock(mu);
              ++errors[std::string(bpjs::to_string(r.error().kind)) + "/" + r.error().code];
              if (first_error.empty()) first_error = r.error().describe();
            }
            if (++done == args.calls) finished[static_cast<std::size_t>(round - 1)].set_value();
          },
          asio::detached);
    }
    finished[static_cast<std::size_t>(round - 1)]
        .get_future()
        .wait();  // every call ends (answer, error or timeout): bounded by --timeout-ms
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - batch_start).count();

    std::sort(latency.begin(), latency.end());
    int error_count = 0;
    for (const auto& [k, n] : errors) error_count += n;
    total_errors += error_count;
    const auto opened = client.stats().sockets_opened_total - opened_before;
    const char* kind = opened > 0 ? "new connections" : "reused keep-alive connections";

    std::printf("round %d (%s)\n", round, kind);
    std::printf("  calls            %d (io_context threads: %d, peak in flight: %d)\n", args.calls, args.threads,
                peak_in_flight.load());
    std::printf("  latency median   %.1f ms\n", percentile(latency, 0.50) * 1000);
    std::printf("  latency p99      %.1f ms\n", percentile(latency, 0.99) * 1000);
    std::printf("  latency max      %.1f ms\n", latency.empty() ? 0.0 : latency.back() * 1000);
    std::printf("  wall clock       %.1f ms for the whole batch\n", wall * 1000);
    std::printf("  errors           %d\n", error_count);
    for (const auto& [k, n] : errors) std::printf("    %-24s %d\n", k.c_str(), n);
    if (!first_error.empty()) std::printf("    first: %s\n", first_error.c_str());
    std::printf("  connections      %llu opened\n", static_cast<unsigned long long>(opened));
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  "%s{\"round\":%d,\"calls\":%d,\"peak_in_flight\":%d,\"median_ms\":%.1f,\"p99_ms\":%.1f,"
                  "\"max_ms\":%.1f,\"wall_ms\":%.1f,\"errors\":%d,\"connections_opened\":%llu}",
                  round > 1 ? "," : "", round, args.calls, peak_in_flight.load(), percentile(latency, 0.50) * 1000,
                  percentile(latency, 0.99) * 1000, latency.empty() ? 0.0 : latency.back() * 1000, wall * 1000,
                  error_count, static_cast<unsigned long long>(opened));
    json += buf;
  }
  guard.reset();
  ioc.stop();  // idle keep-alive sockets must not hold run() open
  for (auto& t : pool) t.join();

  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  const double rss_mib = static_cast<double>(ru.ru_maxrss) / 1024.0;  // ru_maxrss is KiB on Linux
  const double cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                     static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  std::printf("peak RSS         %.1f MiB\n", rss_mib);
  std::printf("generator CPU    %.2f s (user+sys, all rounds)\n", cpu);
  std::printf("{\"threads\":%d,\"rounds\":%s],\"errors\":%d,\"peak_rss_mib\":%.1f,\"cpu_s\":%.2f}\n", args.threads,
              json.c_str(), total_errors, rss_mib, cpu);
  obs::flush_logs();
  return total_errors == 0 ? 0 : 1;
}
