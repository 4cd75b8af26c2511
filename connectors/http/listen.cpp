#include "connectors/http/listen.hpp"

#include <stdexcept>

#include <boost/asio/post.hpp>

namespace simpul::connectors::http::listen {

namespace asio = boost::asio;
namespace beast = boost::beast;

void close_socket(beast::tcp_stream& s) {
  beast::error_code ec;
  s.socket().shutdown(tcp::socket::shutdown_both, ec);
  s.socket().close(ec);
}

void bind_and_listen(tcp::acceptor& a, const std::string& address, std::uint16_t port) {
  const std::string where = address + ":" + std::to_string(port);
  beast::error_code ec;
  auto addr = asio::ip::make_address(address, ec);
  if (ec) throw std::runtime_error("invalid listen address " + address + ": " + ec.message());
  tcp::endpoint ep{addr, port};
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("cannot listen on " + where + ": " + ec.message());
}

std::uint16_t bound_port(const tcp::acceptor& acceptor) {
  beast::error_code ec;
  auto ep = acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

std::shared_ptr<Connection> Connections::enter(beast::tcp_stream& stream) {
  auto conn = std::make_shared<Connection>();
  conn->executor = stream.get_executor();
  conn->stream = &stream;
  std::lock_guard lock(mu_);
  conn->id = next_id_++;
  open_.emplace(conn->id, conn);
  return conn;
}

void Connections::leave(Connection& conn, beast::tcp_stream& stream) {
  close_socket(stream);
  conn.alive = false;
  conn.stream = nullptr;
  {
    std::lock_guard lock(mu_);
    open_.erase(conn.id);
  }
  active_.fetch_sub(1);
}

void Connections::close_all(bool only_idle) {
  std::lock_guard lock(mu_);
  for (auto& [id, c] : open_) {
    asio::post(c->executor, [c = c, only_idle] {
      if (c->alive && c->stream && (!only_idle || c->idle)) close_socket(*c->stream);
    });
  }
}

bool peer_gone(const beast::error_code& ec) {
  return ec == beast::http::error::end_of_stream || ec == beast::error::timeout ||
         ec == asio::error::operation_aborted || ec == asio::error::connection_reset || ec == asio::error::eof;
}

}  // namespace simpul::connectors::http::listen
