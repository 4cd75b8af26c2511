#pragma once
// The application on the listener: routing, authentication and authorisation,
// rate limits, content negotiation, errors as OperationOutcome, metrics and the
// access log. Later capabilities add routes; the pipeline stays the same.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "adapter/audit/audit.hpp"
#include "adapter/auth.hpp"
#include "adapter/config.hpp"
#include "connectors/http/server.hpp"
#include "connectors/observability/metrics.hpp"
#include "fhir/content_type.hpp"
#include "fhir/json.hpp"

namespace simpul::adapter {

namespace store {
class Store;
}

// One request in work, as handlers see it.
struct RequestContext {
  connectors::http::Request& request;
  const connectors::http::RequestInfo& info;
  std::string request_id;
  std::string path;                                // decoded path, no query
  std::multimap<std::string, std::string> query;   // decoded parameters
  std::map<std::string, std::string> path_params;  // {name} segments of the route
  std::optional<Principal> principal;              // set on authenticated routes
  fhir::Format format = fhir::Format::fhir_json;
  bool pretty = false;

  // First value of a query parameter, or empty.
  std::string param(std::string_view name) const;
};

// The JSON parse limits of a request body ([limits] json_max_depth, max_body_bytes).
fhir::ParseLimits body_parse_limits(const Limits& limits);

// `resource` as the answer, in the negotiated FHIR format (_pretty honoured).
connectors::http::Response fhir_response(const RequestContext& ctx, unsigned status, const rapidjson::Value& resource);

using RouteHandler = std::function<boost::asio::awaitable<connectors::http::Response>(RequestContext&)>;

struct Route {
  std::string method;  // "GET", "POST", ...
  std::string path;    // "/fhir/{type}/$validate": {name} matches one segment
  std::string label;   // metrics label, e.g. "/fhir/metadata"
  bool authenticated = true;
  std::vector<Role> roles;  // any of these; empty = any authenticated client
  bool fhir = false;        // FHIR content negotiation and OperationOutcome errors
  RouteHandler handler;
  // The body is application/x-www-form-urlencoded (an OAuth2 token endpoint): the FHIR
  // Content-Type check is skipped and the handler checks it.
  bool form_body = false;
};

class App {
 public:
  // `recorder` receives the audit record of every processing (UU PDP Pasal 31).
  App(const Config& config, store::Store& store, connectors::obs::Registry& metrics, audit::Recorder& recorder);

  boost::asio::awaitable<connectors::http::Response> handle(connectors::http::Request& request,
                                                            const connectors::http::RequestInfo& info);
  void add_route(Route route);
  // The CapabilityStatement, truthful: only what is routed.
  const std::string& capability_statement(bool pretty) const;
  // Where route code reports processing (adapter/audit/audit.hpp). Thread-safe, non-blocking.
  audit::Recorder& recorder() const noexcept { return recorder_; }

 private:
  const Route* match(std::string_view method, std::string_view path, bool& path_known,
                     std::map<std::string, std::string>& params) const;
  void add_builtin_routes();
  std::string render_capability_statement(bool pretty) const;

  const Config& config_;
  store::Store& store_;
  connectors::obs::Registry& metrics_;
  audit::Recorder& recorder_;
  Authenticator auth_;
  std::vector<Route> routes_;
  connectors::obs::Gauge& in_flight_;
  std::chrono::system_clock::time_point started_;
  // The CapabilityStatement never changes once the routes are set: rendered on
  // first use, compact and pretty.
  mutable std::once_flag capability_once_;
  mutable std::string capability_compact_;
  mutable std::string capability_pretty_;
};

// Percent-decoding of a URL component ('+' stays '+' in paths, is a space in queries).
std::string percent_decode(std::string_view s, bool plus_is_space);
std::multimap<std::string, std::string> parse_query(std::string_view query);

}  // namespace simpul::adapter
