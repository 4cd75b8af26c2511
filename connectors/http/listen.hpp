#pragma once
// What the two HTTP/1.1 listeners (http::Server and sim::Listener) have in
// common: binding the acceptor, accepting with a back-off on errors, the set of
// open connections that a stop reaches from outside their strands, and reading
// one request under the size limits and timeouts. Each listener keeps its own
// policy (what to answer, when to stop); this is only the shared mechanics.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace simpul::connectors::http::listen {

using tcp = boost::asio::ip::tcp;
inline constexpr auto use_tuple = boost::asio::as_tuple(boost::asio::use_awaitable);

void close_socket(boost::beast::tcp_stream& s);

// Opens, binds (SO_REUSEADDR) and listens. Throws std::runtime_error naming the
// address on failure.
void bind_and_listen(tcp::acceptor& acceptor, const std::string& address, std::uint16_t port);

// The port the acceptor is bound to; 0 when it is not.
std::uint16_t bound_port(const tcp::acceptor& acceptor);

// What a stop needs to reach a connection from outside its strand.
struct Connection {
  std::uint64_t id = 0;
  boost::asio::any_io_executor executor;
  boost::beast::tcp_stream* stream = nullptr;  // valid while alive; touched only on `executor`
  bool idle = false;                           // waiting for the first byte of the next request
  bool alive = true;
};

// The open connections of one listener. A connection counts from accept on
// (count(), so the connection cap holds before its coroutine first runs), is
// reachable once enter()ed on its strand, and leave() closes and forgets it.
class Connections {
 public:
  std::size_t active() const { return active_.load(); }
  void count() { active_.fetch_add(1); }
  std::shared_ptr<Connection> enter(boost::beast::tcp_stream& stream);
  void leave(Connection& conn, boost::beast::tcp_stream& stream);
  // Closes every open connection, or only those idle between requests, each on its own strand.
  void close_all(bool only_idle);

 private:
  std::atomic<std::size_t> active_{0};
  std::mutex mu_;
  std::uint64_t next_id_ = 0;
  std::unordered_map<std::uint64_t, std::shared_ptr<Connection>> open_;
};

// The next accepted socket, on a strand of its own; nullopt once the acceptor
// is closed. A failed accept (EMFILE and friends) goes to keep_accepting(ec),
// which reports it and says whether to go on (after a 50 ms pause).
template <class KeepAccepting>
boost::asio::awaitable<std::optional<tcp::socket>> accept_next(tcp::acceptor& acceptor, boost::asio::io_context& ioc,
                                                               KeepAccepting keep_accepting) {
  namespace asio = boost::asio;
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(ioc), use_tuple);
    if (!ec) co_return std::move(socket);
    if (ec == asio::error::operation_aborted || !acceptor.is_open() || !keep_accepting(ec)) co_return std::nullopt;
    asio::steady_timer t(acceptor.get_executor(), std::chrono::milliseconds(50));
    co_await t.async_wait(use_tuple);
  }
}

// With nothing buffered: waits up to idle_timeout for the first byte of the
// next request, marking the connection idle meanwhile. False when the
// connection closed, timed out or was closed by a stop.
template <class Stream>
boost::asio::awaitable<bool> await_next_request(Stream& stream, boost::beast::flat_buffer& buffer, Connection& conn,
                                                std::chrono::milliseconds idle_timeout) {
  conn.idle = true;
  boost::beast::get_lowest_layer(stream).expires_after(idle_timeout);
  auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), use_tuple);
  conn.idle = false;
  if (ec) co_return false;
  buffer.commit(n);
  co_return true;
}

using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

// Reads one request into `parser` under the options' header_limit, body_limit
// and read_timeout.
template <class Stream, class Options>
boost::asio::awaitable<boost::beast::error_code> read_request(Stream& stream, boost::beast::flat_buffer& buffer,
                                                              RequestParser& parser, const Options& opts) {
  parser.header_limit(static_cast<std::uint32_t>(opts.header_limit));
  parser.body_limit(opts.body_limit);
  boost::beast::get_lowest_layer(stream).expires_after(opts.read_timeout);
  auto [ec, n] = co_await boost::beast::http::async_read(stream, buffer, parser, use_tuple);
  (void)n;
  co_return ec;
}

// Writes one message within `timeout`.
template <class Stream, class Message>
boost::asio::awaitable<boost::beast::error_code> write_message(Stream& stream, Message& message,
                                                               std::chrono::milliseconds timeout) {
  boost::beast::get_lowest_layer(stream).expires_after(timeout);
  auto [ec, n] = co_await boost::beast::http::async_write(stream, message, use_tuple);
  (void)n;
  co_return ec;
}

// The HTTP version to answer a failed read with.
inline unsigned request_version(const RequestParser& parser) {
  return parser.is_header_done() ? parser.get().version() : 11;
}

// A read error that means the peer went away or the connection was closed
// under us (nothing to answer), as opposed to a request we cannot read.
bool peer_gone(const boost::beast::error_code& ec);

}  // namespace simpul::connectors::http::listen
