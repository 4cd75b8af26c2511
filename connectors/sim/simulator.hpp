#pragma once
// Upstream simulators (`simpul sim`): stand-ins for the national systems Simpul
// talks to, so the product runs and is tested with no credentials and no network.
//
// Every simulator is one object answering HTTP requests. It may answer, or close
// the connection without answering (the "timeout" and "drop after commit"
// faults). A Listener (listener.hpp) serves one simulator on one port, so a new
// simulator (SATUSEHAT next to BPJS) is one new class and one more listener.
#include <optional>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "connectors/http/server.hpp"

namespace simpul::connectors::sim {

using Request = http::Request;
using Response = http::Response;

// What the simulator does with one request.
struct Reply {
  std::optional<Response> response;  // nullopt: close the connection without answering
  static Reply drop() { return Reply{}; }
};

class Simulator {
 public:
  virtual ~Simulator() = default;
  // Short name for logs: "bpjs", "satusehat".
  virtual std::string_view name() const = 0;
  // Called on a connection's strand, concurrently for different connections.
  // Must not throw for bad input (it answers it).
  virtual boost::asio::awaitable<Reply> handle(Request& request) = 0;
};

}  // namespace simpul::connectors::sim
