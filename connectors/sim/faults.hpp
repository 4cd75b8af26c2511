#pragma once
// Fault injection for the simulators: what a flaky upstream does to a client.
//
// Kinds (docs/simulators.md):
//   latency            wait latency_ms + uniform[0, jitter_ms] before answering (timer, no thread blocked)
//   http_500           HTTP 500 with an HTML error page, as a broken gateway sends
//   html_404           HTTP 404 with an HTML page, as for a wrong base URL
//   timeout            hold the request hold_ms, then close the connection without answering
//   metadata_error     the service's own error envelope (code/message/http_status configurable)
//   garbled            the encrypted `response` is replaced by valid Base64 of the wrong bytes
//   drop_after_commit  the request is executed (state changes), then the connection is closed
//                      without an answer: the unknown-outcome case a client must reconcile
//
// Each rule can be limited to a method, to a path substring (case-insensitive,
// matched against the request target) and to the next `count` matching requests,
// and fires with `probability`. Rules are tried in order; the first that fires
// wins (latency rules add up instead). A global error_rate fires error_kind on
// requests no rule caught. All randomness comes from one generator seeded by
// `seed`, so a run with the same requests in the same order is reproducible.
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace simpul::connectors::sim {

enum class FaultKind { latency, http_500, html_404, timeout, metadata_error, garbled, drop_after_commit };

std::string_view to_string(FaultKind kind) noexcept;
std::optional<FaultKind> parse_fault_kind(std::string_view text) noexcept;

struct FaultRule {
  FaultKind kind = FaultKind::http_500;
  std::string method{};                  // "" = any
  std::string path{};                    // "" = any; else a substring of the target
  std::optional<std::uint64_t> count{};  // remaining firings; nullopt = unlimited
  double probability = 1.0;              // 0..1, rolled for each matching request
  std::uint32_t latency_ms = 0;          // latency
  std::uint32_t jitter_ms = 0;           // latency
  std::uint32_t hold_ms = 30'000;        // timeout
  unsigned http_status = 0;              // http_500/html_404/metadata_error; 0 = the kind's default
  std::string code{};                    // metadata_error; "" = the service's default
  std::string message{};                 // metadata_error; "" = a default text
};

struct FaultConfig {
  std::uint32_t latency_ms = 0;  // added to every simulated upstream request
  std::uint32_t jitter_ms = 0;
  double error_rate = 0.0;  // 0..1
  FaultKind error_kind = FaultKind::http_500;
  std::uint64_t seed = 1;
  std::vector<FaultRule> rules;
};

// JSON form (the /sim/faults API):
// {"latency_ms":0,"jitter_ms":0,"error_rate":0,"error_kind":"http_500","seed":1,
//  "rules":[{"kind":"drop_after_commit","method":"POST","path":"SEP/2.0/insert","count":1,...}]}
std::string to_json(const FaultConfig& config);
// Replaces `out` only on success; otherwise returns the problem (naming the field).
std::optional<std::string> parse_fault_config(std::string_view json, FaultConfig& out);
// Range checks (probabilities in 0..1, kinds allowed for error_kind, ...).
std::optional<std::string> validate(const FaultConfig& config);

// The run-time state of a FaultConfig. Thread-safe.
class FaultInjector {
 public:
  explicit FaultInjector(FaultConfig config = {});

  void replace(FaultConfig config);  // also reseeds and clears the counters
  FaultConfig config() const;        // rules with their remaining counts

  // Before the request is executed: the delay to apply, and at most one of
  // http_500, html_404, timeout, metadata_error.
  struct Before {
    std::chrono::milliseconds delay{0};
    std::optional<FaultRule> fault;
  };
  Before before(std::string_view method, std::string_view target);

  // After execution: garbled (only offered when `encrypted_response` is true:
  // a rule is not used up by a response it cannot garble) or drop_after_commit.
  std::optional<FaultRule> after(std::string_view method, std::string_view target, bool encrypted_response);

  std::uint64_t next_random();
  // How often each kind fired since the last replace()/clear_counters().
  std::map<std::string, std::uint64_t> injected() const;
  void clear_counters();

 private:
  bool fires(FaultRule& rule, std::string_view method, std::string_view target);  // with mu_ held
  std::uint32_t jitter(std::uint32_t max);                                        // with mu_ held

  mutable std::mutex mu_;
  FaultConfig config_;
  std::mt19937_64 rng_;
  std::map<std::string, std::uint64_t> injected_;
};

}  // namespace simpul::connectors::sim
