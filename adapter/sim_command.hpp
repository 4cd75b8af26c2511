#pragma once
// `simpul sim` and `simpul sim bpjs`: run the upstream simulators (docs/simulators.md).
//
// The simulator configuration is its own small TOML file (not Simpul's server
// configuration): which simulators run, where they listen, their demo
// credentials and their faults. Every error names the file, the line and the key.
#include <cstdint>
#include <stdexcept>
#include <string>

#include "adapter/cli.hpp"
#include "connectors/sim/bpjs_sim.hpp"
#include "connectors/sim/satusehat_sim.hpp"

namespace simpul::adapter {

struct SimListen {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;
};

struct SimConfig {
  unsigned threads = 1;             // io threads; 0 = one per core
  std::string log_level = "info";
  bool bpjs_enabled = true;
  SimListen bpjs_listen{"127.0.0.1", 8081};
  connectors::sim::BpjsSimOptions bpjs;
  bool satusehat_enabled = true;
  SimListen satusehat_listen{"127.0.0.1", 8082};
  connectors::sim::SatusehatSimOptions satusehat;
};

struct SimConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Reads a simulator configuration file. Throws SimConfigError listing every problem.
SimConfig load_sim_config(const std::string& path);

// "HOST:PORT" -> SimListen; nullopt-like failure returns false.
bool parse_listen(const std::string& text, SimListen& out);

// Runs until SIGTERM/SIGINT. `only` = "bpjs" for `simpul sim bpjs`, "satusehat"
// for `simpul sim satusehat`, "" for all
// configured simulators. Exit codes: 0 clean stop, 1 start-up failure (config,
// bind), 2 bad flag value.
int sim_command(const ParsedOptions& options, const std::string& only);

}  // namespace simpul::adapter
