#pragma once
// A small HTTP/1.1 listener for the simulators.
//
// It exists beside http::Server because a simulator must be able to close a
// connection without answering (a held request that times out, a write that was
// committed but never acknowledged); http::Server always answers. Otherwise it
// follows the same discipline on a smaller scale: one coroutine per connection
// on its own strand, read/idle timeouts, capped header and body sizes, capped
// connection count. Plain HTTP only (the simulators listen on loopback).
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "connectors/sim/simulator.hpp"

namespace simpul::connectors::sim {

struct ListenerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0 = any free port (see Listener::port())
  std::size_t header_limit = 16 * 1024;
  std::uint64_t body_limit = 8ull * 1024 * 1024;
  std::size_t max_connections = 10'000;
  std::chrono::milliseconds read_timeout{30'000};
  std::chrono::milliseconds write_timeout{30'000};
  std::chrono::milliseconds idle_timeout{60'000};
};

class Listener {
 public:
  Listener(boost::asio::io_context& ioc, ListenerOptions options, std::shared_ptr<Simulator> simulator);
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // Binds and starts accepting. Throws std::runtime_error naming the address on failure.
  void start();
  std::uint16_t port() const;
  std::size_t active_connections() const;
  // Stops accepting and closes every open connection (held requests included).
  // Thread-safe; returns at once.
  void stop();

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace simpul::connectors::sim
