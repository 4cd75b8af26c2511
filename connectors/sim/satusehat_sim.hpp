#pragma once
// The SATUSEHAT simulator: a stand-in for the Kemenkes SATUSEHAT platform
// (OAuth2 client credentials + FHIR R4 under /fhir-r4/v1) that checks tokens,
// required elements, the one-client-one-organization rule and duplicate
// business identifiers, stores what it accepts, answers OperationOutcome as
// SATUSEHAT does, and injects faults like the BPJS simulator. Control API under
// /sim. See docs/simulators.md.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "connectors/sim/faults.hpp"
#include "connectors/sim/simulator.hpp"

namespace simpul::connectors::sim {

// One OAuth client: a facility's credentials, bound to its organization (IHS) id.
// Defaults = the simulator's published demo client.
struct SatusehatClient {
  std::string client_id = "simpul-demo-client";
  std::string client_secret = "simpul-demo-secret";
  std::string organization_id = "10000004";
};

struct SatusehatSimOptions {
  std::vector<SatusehatClient> clients{SatusehatClient{}};
  // Token lifetime; answered as expires_in. The official example answers "3599"
  // (the IG: "1 jam").
  std::int64_t token_lifetime_seconds = 3599;
  // HTTP status of a create whose business identifier was already accepted
  // (SATUSEHAT's real status is not documented).
  unsigned duplicate_status = 400;
  // Retry-After (seconds) sent with a 429 fault.
  std::uint32_t retry_after_seconds = 60;
  FaultConfig faults;
  // Unix milliseconds; empty = the system clock. Tests may pin it.
  std::function<std::int64_t()> clock_ms;
};

class SatusehatSimulator final : public Simulator {
 public:
  explicit SatusehatSimulator(SatusehatSimOptions options = {});
  ~SatusehatSimulator() override;

  std::string_view name() const override { return "satusehat"; }
  boost::asio::awaitable<Reply> handle(Request& request) override;

  // What GET /sim/state answers.
  std::string state_json() const;
  // POST /sim/reset: forget every resource, token and counter (faults stay).
  void reset();
  FaultInjector& faults();

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

// The deterministic fake MPI/MNI (shared with the BPJS simulator's participants:
// a NIK the BPJS simulator knows is a SATUSEHAT patient and practitioner).
// Patient IHS id = "P" + the 13-digit card of the NIK; practitioner id = "N" + card.
std::string satusehat_patient_id_for_nik(std::string_view nik);       // "" when not found
std::string satusehat_practitioner_id_for_nik(std::string_view nik);  // "" when not found

}  // namespace simpul::connectors::sim
