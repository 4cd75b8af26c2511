#include "connectors/sim/listener.hpp"

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <unordered_map>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "connectors/observability/log.hpp"

namespace simpul::connectors::sim {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

struct Connection {
  asio::any_io_executor executor;
  beast::tcp_stream* stream = nullptr;  // valid while alive; touched only on `executor`
  bool alive = true;
};

void close_socket(beast::tcp_stream& s) {
  beast::error_code ec;
  s.socket().shutdown(tcp::socket::shutdown_both, ec);
  s.socket().close(ec);
}

Response plain(unsigned status, std::string body, unsigned version) {
  Response r{static_cast<bhttp::status>(status), version};
  r.set(bhttp::field::content_type, "text/plain; charset=utf-8");
  r.body() = std::move(body);
  r.keep_alive(false);
  r.prepare_payload();
  return r;
}

}  // namespace

struct Listener::Impl : std::enable_shared_from_this<Listener::Impl> {
  asio::io_context& ioc;
  ListenerOptions opts;
  std::shared_ptr<Simulator> simulator;
  tcp::acceptor acceptor;
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> active{0};
  std::mutex mu;
  std::uint64_t next_id = 0;
  std::unordered_map<std::uint64_t, std::shared_ptr<Connection>> connections;

  Impl(asio::io_context& io, ListenerOptions o, std::shared_ptr<Simulator> s)
      : ioc(io), opts(std::move(o)), simulator(std::move(s)), acceptor(asio::make_strand(io)) {}

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(ioc), use_tuple);
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open() || stopping.load()) co_return;
        obs::log(obs::Level::warn, "sim accept failed", {{"service", simulator->name()}, {"error", ec.message()}});
        asio::steady_timer t(acceptor.get_executor(), std::chrono::milliseconds(50));
        co_await t.async_wait(use_tuple);
        continue;
      }
      if (stopping.load() || active.load() >= opts.max_connections) {
        beast::error_code ignored;
        socket.close(ignored);
        continue;
      }
      active.fetch_add(1);
      auto exec = socket.get_executor();
      asio::co_spawn(exec, connection(beast::tcp_stream(std::move(socket))), asio::detached);
    }
  }

  asio::awaitable<void> connection(beast::tcp_stream stream) {
    auto self = shared_from_this();
    auto conn = std::make_shared<Connection>();
    conn->executor = stream.get_executor();
    conn->stream = &stream;
    std::uint64_t id;
    {
      std::lock_guard lock(mu);
      id = next_id++;
      connections.emplace(id, conn);
    }
    try {
      co_await serve(stream);
    } catch (const std::exception& e) {
      obs::log(obs::Level::error, "sim connection failed", {{"service", simulator->name()}, {"error", e.what()}});
    }
    close_socket(stream);
    conn->alive = false;
    conn->stream = nullptr;
    {
      std::lock_guard lock(mu);
      connections.erase(id);
    }
    active.fetch_sub(1);
  }

  asio::awaitable<void> serve(beast::tcp_stream& stream) {
    beast::flat_buffer buffer;
    for (;;) {
      if (stopping.load()) co_return;
      if (buffer.size() == 0) {
        stream.expires_after(opts.idle_timeout);
        auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), use_tuple);
        if (ec) co_return;
        buffer.commit(n);
      }
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(opts.header_limit));
      parser.body_limit(opts.body_limit);
      stream.expires_after(opts.read_timeout);
      auto [rec, rn] = co_await bhttp::async_read(stream, buffer, parser, use_tuple);
      (void)rn;
      if (rec) {
        if (rec == bhttp::error::end_of_stream || rec == beast::error::timeout ||
            rec == asio::error::operation_aborted || rec == asio::error::connection_reset || rec == asio::error::eof)
          co_return;
        const unsigned version = parser.is_header_done() ? parser.get().version() : 11;
        unsigned status = 400;
        if (rec == bhttp::error::body_limit) status = 413;
        if (rec == bhttp::error::header_limit) status = 431;
        Response r = plain(status, "Bad request: " + rec.message() + "\n", version);
        stream.expires_after(opts.write_timeout);
        co_await bhttp::async_write(stream, r, use_tuple);
        co_return;
      }
      Request req = parser.release();
      Reply reply;
      try {
        reply = co_await simulator->handle(req);
      } catch (const std::exception& e) {
        obs::log(obs::Level::error, "sim handler threw", {{"service", simulator->name()}, {"error", e.what()}});
        reply.response = plain(500, "Internal simulator error\n", req.version());
      }
      if (!reply.response) co_return;  // close without answering
      Response& res = *reply.response;
      const bool last = stopping.load() || !req.keep_alive();
      res.version(req.version());
      res.keep_alive(!last);
      stream.expires_after(opts.write_timeout);
      auto [wec, wn] = co_await bhttp::async_write(stream, res, use_tuple);
      (void)wn;
      if (wec || last) co_return;
    }
  }
};

Listener::Listener(asio::io_context& ioc, ListenerOptions options, std::shared_ptr<Simulator> simulator)
    : impl_(std::make_shared<Impl>(ioc, std::move(options), std::move(simulator))) {
  if (!impl_->simulator) throw std::invalid_argument("sim::Listener needs a simulator");
}

Listener::~Listener() { stop(); }

void Listener::start() {
  auto& o = impl_->opts;
  const std::string where = o.address + ":" + std::to_string(o.port);
  beast::error_code ec;
  auto addr = asio::ip::make_address(o.address, ec);
  if (ec) throw std::runtime_error("invalid listen address " + o.address + ": " + ec.message());
  tcp::endpoint ep{addr, o.port};
  auto& a = impl_->acceptor;
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("cannot listen on " + where + ": " + ec.message());
  asio::co_spawn(a.get_executor(), [impl = impl_]() { return impl->accept_loop(); }, asio::detached);
}

std::uint16_t Listener::port() const {
  beast::error_code ec;
  auto ep = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

std::size_t Listener::active_connections() const { return impl_->active.load(); }

void Listener::stop() {
  auto impl = impl_;
  if (impl->stopping.exchange(true)) return;
  asio::post(impl->acceptor.get_executor(), [impl] {
    beast::error_code ec;
    impl->acceptor.close(ec);
  });
  std::lock_guard lock(impl->mu);
  for (auto& [id, c] : impl->connections) {
    asio::post(c->executor, [c = c] {
      if (c->alive && c->stream) close_socket(*c->stream);
    });
  }
}

}  // namespace simpul::connectors::sim
