#pragma once
// The HTTP(S) listener: Boost.Beast on one io_context (run by a thread per core
// elsewhere), one coroutine per connection on its own strand.
//
// Discipline copied from Beast's advanced server: every read and write has a
// timeout, header and body sizes are capped by the parser, the number of open
// connections is capped (503 beyond it), a connection serves its requests one
// at a time in order (HTTP/1.1 pipelining is honoured but never processed out of
// order or concurrently: a client can have at most one request in work per
// connection), and shutdown stops accepting, closes idle keep-alive
// connections and lets in-flight requests finish.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace simpul::connectors::obs {
class Registry;
}

namespace simpul::connectors::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 = any free port (see Server::port())
  std::string tls_cert_file;  // PEM chain; with tls_key_file set the listener speaks HTTPS only
  std::string tls_key_file;
  std::size_t header_limit = 16 * 1024;        // over it: 431
  std::uint64_t body_limit = 8ull * 1024 * 1024;  // over it: 413
  std::size_t max_connections = 10'000;        // over it: 503
  std::chrono::milliseconds read_timeout{30'000};   // once a request has started arriving
  std::chrono::milliseconds write_timeout{30'000};
  std::chrono::milliseconds idle_timeout{60'000};   // keep-alive wait for the next request
  std::chrono::milliseconds handshake_timeout{10'000};
  std::size_t max_requests_per_connection = 0;  // 0 = unlimited
};

struct RequestInfo {
  std::string remote_address;
  bool tls = false;
};

// The application. It must not throw for ordinary errors (it answers them); an
// exception that escapes becomes a 500 OperationOutcome.
using Handler = std::function<boost::asio::awaitable<Response>(Request&, const RequestInfo&)>;

class Server {
 public:
  Server(boost::asio::io_context& ioc, ServerOptions options, Handler handler, obs::Registry* metrics = nullptr);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts accepting. Throws std::runtime_error naming the address on failure.
  void start();
  std::uint16_t port() const;
  std::size_t active_connections() const;
  // Graceful stop. `done` runs (on an io_context thread) once every connection is
  // closed, or when `grace` has passed, after the stragglers were closed.
  void shutdown(std::chrono::milliseconds grace, std::function<void()> done);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace simpul::connectors::http
