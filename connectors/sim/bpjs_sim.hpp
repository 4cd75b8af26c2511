#pragma once
// The BPJS simulator: a stand-in for the BPJS API gateway (V-Claim 2.0, P-Care
// 4.0, Antrean RS) that checks requests and answers them as BPJS does, with the
// same signatures, encryption, envelopes and error shapes, plus fault injection
// and a control API under /sim. See docs/simulators.md.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "connectors/sim/faults.hpp"
#include "connectors/sim/simulator.hpp"

namespace simpul::connectors::sim {

// One BPJS consumer (a facility's credentials). Defaults = the published demo ones.
struct BpjsConsumer {
  std::string cons_id = "1234";
  std::string secret = "pwd";
  std::string user_key_vclaim = "demo-user-key";
  std::string user_key_pcare = "demo-user-key";
  std::string user_key_antrean = "demo-user-key";
  std::string pcare_username = "demo";
  std::string pcare_password = "demo";
  std::string pcare_app_code = "095";
};

struct BpjsSimOptions {
  std::vector<BpjsConsumer> consumers{BpjsConsumer{}};
  // |now - X-timestamp| above this is rejected. BPJS does not document its window.
  std::int64_t timestamp_skew_seconds = 300;
  // HTTP status of authentication failures (the real one is not documented).
  unsigned auth_failure_status = 401;
  // P-Care "data not found" status (204, sent without a body as HTTP requires).
  unsigned pcare_not_found_status = 204;
  // Whether P-Care 4xx bodies carry an encrypted `response` (unknown for real P-Care).
  bool pcare_encrypt_errors = false;
  FaultConfig faults;
  // Unix seconds; empty = the system clock. Tests may pin it.
  std::function<std::int64_t()> clock;
};

class BpjsSimulator final : public Simulator {
 public:
  explicit BpjsSimulator(BpjsSimOptions options = {});
  ~BpjsSimulator() override;

  std::string_view name() const override { return "bpjs"; }
  boost::asio::awaitable<Reply> handle(Request& request) override;

  // What GET /sim/state answers: everything stored, request counters per
  // endpoint, authentication failures by reason and faults injected by kind.
  std::string state_json() const;
  // POST /sim/reset: forget everything stored and all counters (faults stay).
  void reset();
  FaultInjector& faults();

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace simpul::connectors::sim
