#pragma once
// The control API every simulator serves under /sim (docs/simulators.md):
//   GET  /sim/state    what the simulator holds and counted
//   POST /sim/reset    forget it (faults stay)
//   GET  /sim/faults   the fault configuration
//   POST /sim/faults   replace it (400 {"error":...} naming the bad field)
#include <functional>
#include <string>
#include <string_view>

#include "connectors/sim/faults.hpp"

namespace simpul::connectors::sim {

struct ControlAnswer {
  unsigned status = 200;
  std::string body;  // JSON
};

// `state` renders /sim/state; `reset` clears the simulator's state and counters.
ControlAnswer control_endpoint(bool get, bool post, std::string_view path, std::string_view body,
                               FaultInjector& injector, std::string_view service,
                               const std::function<std::string()>& state, const std::function<void()>& reset);

}  // namespace simpul::connectors::sim
