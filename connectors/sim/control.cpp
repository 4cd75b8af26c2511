#include "connectors/sim/control.hpp"

#include "connectors/observability/log.hpp"
#include "connectors/sim/json_util.hpp"

namespace simpul::connectors::sim {

namespace {

std::string error_body(std::string_view message) {
  json::Writer w;
  w.obj().s("error", std::string(message)).end();
  return w.take();
}

}  // namespace

ControlAnswer control_endpoint(bool get, bool post, std::string_view path, std::string_view body,
                               FaultInjector& injector, std::string_view service,
                               const std::function<std::string()>& state, const std::function<void()>& reset) {
  if (path == "/sim/state" && get) return {200, state()};
  if (path == "/sim/reset" && post) {
    reset();
    return {200, "{\"reset\":true}"};
  }
  if (path == "/sim/faults" && get) return {200, to_json(injector.config())};
  if (path == "/sim/faults" && post) {
    FaultConfig c;
    if (auto e = parse_fault_config(body, c)) return {400, error_body(*e)};
    injector.replace(std::move(c));
    connectors::obs::log(connectors::obs::Level::info, "sim faults replaced", {{"service", service}});
    return {200, to_json(injector.config())};
  }
  return {404, error_body("unknown control endpoint; see GET /sim/state, POST /sim/reset, GET|POST /sim/faults")};
}

}  // namespace simpul::connectors::sim
