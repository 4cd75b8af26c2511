#include "connectors/sim/listener.hpp"

#include <atomic>
#include <stdexcept>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>

#include "connectors/http/listen.hpp"
#include "connectors/observability/log.hpp"

namespace simpul::connectors::sim {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
namespace listen = http::listen;

namespace {

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
  listen::Connections connections;

  Impl(asio::io_context& io, ListenerOptions o, std::shared_ptr<Simulator> s)
      : ioc(io), opts(std::move(o)), simulator(std::move(s)), acceptor(asio::make_strand(io)) {}

  asio::awaitable<void> accept_loop() {
    auto keep_accepting = [this](const beast::error_code& ec) {
      if (stopping.load()) return false;
      obs::log(obs::Level::warn, "sim accept failed", {{"service", simulator->name()}, {"error", ec.message()}});
      return true;
    };
    for (;;) {
      auto accepted = co_await listen::accept_next(acceptor, ioc, keep_accepting);
      if (!accepted) co_return;
      if (stopping.load() || connections.active() >= opts.max_connections) {
        beast::error_code ignored;
        accepted->close(ignored);
        continue;
      }
      connections.count();
      auto exec = accepted->get_executor();
      asio::co_spawn(exec, connection(beast::tcp_stream(std::move(*accepted))), asio::detached);
    }
  }

  asio::awaitable<void> connection(beast::tcp_stream stream) {
    auto self = shared_from_this();
    auto conn = connections.enter(stream);
    try {
      co_await serve(stream, *conn);
    } catch (const std::exception& e) {
      obs::log(obs::Level::error, "sim connection failed", {{"service", simulator->name()}, {"error", e.what()}});
    }
    connections.leave(*conn, stream);
  }

  asio::awaitable<void> serve(beast::tcp_stream& stream, listen::Connection& conn) {
    beast::flat_buffer buffer;
    for (;;) {
      if (stopping.load()) co_return;
      if (buffer.size() == 0 && !co_await listen::await_next_request(stream, buffer, conn, opts.idle_timeout))
        co_return;
      listen::RequestParser parser;
      const beast::error_code rec = co_await listen::read_request(stream, buffer, parser, opts);
      if (rec) {
        if (listen::peer_gone(rec)) co_return;
        const unsigned version = listen::request_version(parser);
        unsigned status = 400;
        if (rec == bhttp::error::body_limit) status = 413;
        if (rec == bhttp::error::header_limit) status = 431;
        Response r = plain(status, "Bad request: " + rec.message() + "\n", version);
        co_await listen::write_message(stream, r, opts.write_timeout);
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
      if (co_await listen::write_message(stream, res, opts.write_timeout) || last) co_return;
    }
  }
};

Listener::Listener(asio::io_context& ioc, ListenerOptions options, std::shared_ptr<Simulator> simulator)
    : impl_(std::make_shared<Impl>(ioc, std::move(options), std::move(simulator))) {
  if (!impl_->simulator) throw std::invalid_argument("sim::Listener needs a simulator");
}

Listener::~Listener() { stop(); }

void Listener::start() {
  auto& a = impl_->acceptor;
  listen::bind_and_listen(a, impl_->opts.address, impl_->opts.port);
  asio::co_spawn(a.get_executor(), [impl = impl_]() { return impl->accept_loop(); }, asio::detached);
}

std::uint16_t Listener::port() const {
  return listen::bound_port(impl_->acceptor);
}

std::size_t Listener::active_connections() const {
  return impl_->connections.active();
}

void Listener::stop() {
  auto impl = impl_;
  if (impl->stopping.exchange(true)) return;
  asio::post(impl->acceptor.get_executor(), [impl] {
    beast::error_code ec;
    impl->acceptor.close(ec);
  });
  impl->connections.close_all(false);
}

}  // namespace simpul::connectors::sim
