#include "connectors/http/server.hpp"

#include <ctime>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>

#include "connectors/http/listen.hpp"
#include "connectors/http/response.hpp"
#include "connectors/observability/log.hpp"
#include "connectors/observability/metrics.hpp"

namespace simpul::connectors::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using listen::close_socket;
using listen::use_tuple;

namespace {

// The IMF-fixdate for the Date header, formatted at most once a second per thread.
std::string http_date_now() {
  thread_local std::time_t cached_second = 0;
  thread_local std::string cached;
  const std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached = buf;
    cached_second = now;
  }
  return cached;
}

}  // namespace

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
  asio::io_context& ioc;
  ServerOptions opts;
  Handler handler;
  tcp::acceptor acceptor;
  std::unique_ptr<asio::ssl::context> tls;
  std::atomic<bool> draining{false};
  listen::Connections connections;
  obs::Gauge* open_gauge = nullptr;
  obs::Counter* rejected = nullptr;
  obs::Counter* limit_413 = nullptr;
  obs::Counter* limit_431 = nullptr;

  Impl(asio::io_context& io, ServerOptions o, Handler h)
      : ioc(io), opts(std::move(o)), handler(std::move(h)), acceptor(asio::make_strand(io)) {}

  Response outcome(const fhir::Error& e, unsigned version, bool keep_alive) {
    Response r = error_response(e, version);
    r.keep_alive(keep_alive);
    r.set(bhttp::field::date, http_date_now());
    return r;
  }

  asio::awaitable<void> accept_loop() {
    auto keep_accepting = [](const beast::error_code& ec) {
      // EMFILE and friends: log, back off briefly, keep serving the open connections.
      obs::log(obs::Level::warn, "accept failed", {{"error", ec.message()}});
      return true;
    };
    for (;;) {
      auto accepted = co_await listen::accept_next(acceptor, ioc, keep_accepting);
      if (!accepted) co_return;
      tcp::socket& socket = *accepted;
      if (draining.load()) {
        beast::error_code ignored;
        socket.close(ignored);
        continue;
      }
      auto exec = socket.get_executor();
      if (connections.active() >= opts.max_connections) {
        if (rejected) rejected->inc();
        asio::co_spawn(exec, reject_busy(beast::tcp_stream(std::move(socket))), asio::detached);
        continue;
      }
      connections.count();
      if (open_gauge) open_gauge->add(1);
      asio::co_spawn(exec, connection(beast::tcp_stream(std::move(socket))), asio::detached);
    }
  }

  // Over the connection cap: one 503 with Retry-After, then close.
  asio::awaitable<void> reject_busy(beast::tcp_stream stream) {
    auto self = shared_from_this();
    Response r = outcome(fhir::Error::unavailable("The server is at its connection limit; retry shortly.", {},
                                                  "max_connections reached")
                             .with_header("Retry-After", "1"),
                         11, false);
    stream.expires_after(std::chrono::seconds(2));
    if (tls) {
      // A TLS client cannot read a plain answer; just close.
      close_socket(stream);
      co_return;
    }
    co_await bhttp::async_write(stream, r, use_tuple);
    close_socket(stream);
  }

  asio::awaitable<void> connection(beast::tcp_stream stream) {
    auto self = shared_from_this();
    auto conn = connections.enter(stream);
    RequestInfo info;
    beast::error_code ec;
    auto remote = stream.socket().remote_endpoint(ec);
    if (!ec) info.remote_address = remote.address().to_string();

    try {
      if (tls) {
        info.tls = true;
        beast::ssl_stream<beast::tcp_stream&> tls_stream(stream, *tls);
        stream.expires_after(opts.handshake_timeout);
        auto [hec] = co_await tls_stream.async_handshake(asio::ssl::stream_base::server, use_tuple);
        if (!hec) {
          co_await serve(tls_stream, *conn, info);
          stream.expires_after(std::chrono::seconds(2));
          co_await tls_stream.async_shutdown(use_tuple);
        }
      } else {
        co_await serve(stream, *conn, info);
        stream.socket().shutdown(tcp::socket::shutdown_send, ec);
      }
    } catch (const std::exception& e) {
      obs::log(obs::Level::error, "connection failed", {{"error", e.what()}});
    }
    connections.leave(*conn, stream);
    if (open_gauge) open_gauge->add(-1);
  }

  // After refusing a request whose body we will not read: stop sending, then read
  // and discard what the client still sends (bounded), so it sees our answer
  // instead of a connection reset.
  template <class Stream>
  asio::awaitable<void> linger(Stream& s) {
    auto& lowest = beast::get_lowest_layer(s);
    beast::error_code ec;
    lowest.socket().shutdown(tcp::socket::shutdown_send, ec);
    lowest.expires_after(std::chrono::seconds(3));
    char scratch[16 * 1024];
    std::uint64_t drained = 0;
    while (drained < (256ull << 20)) {
      auto [rec, n] = co_await lowest.async_read_some(asio::buffer(scratch), use_tuple);
      if (rec) break;
      drained += n;
    }
  }

  template <class Stream>
  asio::awaitable<void> serve(Stream& stream, listen::Connection& conn, const RequestInfo& info) {
    beast::flat_buffer buffer;
    std::size_t served = 0;
    for (;;) {
      if (buffer.size() == 0) {
        // Idle: a keep-alive connection between requests. Shutdown closes these.
        if (draining.load()) co_return;
        // Closed, idle timeout or shutdown: done.
        if (!co_await listen::await_next_request(stream, buffer, conn, opts.idle_timeout)) co_return;
      }

      listen::RequestParser parser;
      const beast::error_code rec = co_await listen::read_request(stream, buffer, parser, opts);
      if (rec) {
        const unsigned version = listen::request_version(parser);
        if (rec == bhttp::error::body_limit) {
          if (limit_413) limit_413->inc();
          Response r = outcome(fhir::Error::payload_too_large(
                                   "Request body exceeds the limit of " + std::to_string(opts.body_limit) + " bytes.",
                                   {}, "body_limit"),
                               version, false);
          if (!co_await listen::write_message(stream, r, opts.write_timeout)) co_await linger(stream);
          co_return;
        }
        if (rec == bhttp::error::header_limit) {
          if (limit_431) limit_431->inc();
          Response r{bhttp::status::request_header_fields_too_large, version};
          r = outcome(fhir::Error(431,
                                  fhir::Issue{fhir::Severity::error, "too-costly",
                                              "Request headers exceed the limit of " +
                                                  std::to_string(opts.header_limit) + " bytes.",
                                              {}},
                                  "header_limit"),
                      version, false);
          co_await listen::write_message(stream, r, opts.write_timeout);
          co_await linger(stream);
          co_return;
        }
        if (listen::peer_gone(rec)) co_return;
        // Not HTTP we can read: say so once and close.
        Response r = outcome(fhir::Error::invalid("Malformed HTTP request: " + rec.message() + ".", {}, rec.message()),
                             version, false);
        co_await listen::write_message(stream, r, opts.write_timeout);
        co_return;
      }

      Request req = parser.release();
      Response res;
      try {
        res = co_await handler(req, info);
      } catch (const fhir::Error& e) {
        res = error_response(e, req.version());
      } catch (const std::exception& e) {
        obs::log(obs::Level::error, "handler threw", {{"error", e.what()}});
        res = error_response(fhir::Error::internal("Internal error.", {}, e.what()), req.version());
      }
      ++served;
      const bool last = draining.load() || !req.keep_alive() ||
                        (opts.max_requests_per_connection && served >= opts.max_requests_per_connection);
      res.version(req.version());
      res.keep_alive(!last);
      if (res.find(bhttp::field::date) == res.end()) res.set(bhttp::field::date, http_date_now());
      if (co_await listen::write_message(stream, res, opts.write_timeout) || last) co_return;
    }
  }
};

Server::Server(asio::io_context& ioc, ServerOptions options, Handler handler, obs::Registry* metrics)
    : impl_(std::make_shared<Impl>(ioc, std::move(options), std::move(handler))) {
  if (metrics) {
    impl_->open_gauge = &metrics->gauge("simpul_http_open_connections", "Open client connections.");
    impl_->rejected = &metrics->counter("simpul_http_connections_rejected_total",
                                        "Connections refused with 503 at the connection limit.");
    impl_->limit_413 = &metrics->counter("simpul_http_limit_refusals_total", "Requests refused for size.",
                                         {{"reason", "body_too_large"}});
    impl_->limit_431 = &metrics->counter("simpul_http_limit_refusals_total", "Requests refused for size.",
                                         {{"reason", "headers_too_large"}});
  }
}

Server::~Server() {
  beast::error_code ec;
  impl_->acceptor.close(ec);
}

void Server::start() {
  auto& o = impl_->opts;
  if (!o.tls_cert_file.empty() || !o.tls_key_file.empty()) {
    if (o.tls_cert_file.empty() || o.tls_key_file.empty())
      throw std::runtime_error("TLS needs both a certificate and a key file");
    auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1 |
                     asio::ssl::context::single_dh_use);
    beast::error_code ec;
    ctx->use_certificate_chain_file(o.tls_cert_file, ec);
    if (ec) throw std::runtime_error("cannot load TLS certificate " + o.tls_cert_file + ": " + ec.message());
    ctx->use_private_key_file(o.tls_key_file, asio::ssl::context::pem, ec);
    if (ec) throw std::runtime_error("cannot load TLS key " + o.tls_key_file + ": " + ec.message());
    impl_->tls = std::move(ctx);
  }
  auto& a = impl_->acceptor;
  listen::bind_and_listen(a, o.address, o.port);
  asio::co_spawn(a.get_executor(), [impl = impl_]() { return impl->accept_loop(); }, asio::detached);
}

std::uint16_t Server::port() const {
  return listen::bound_port(impl_->acceptor);
}

std::size_t Server::active_connections() const {
  return impl_->connections.active();
}

namespace {
// Polls until every connection has closed; past the grace period it closes the rest.
struct Drain : std::enable_shared_from_this<Drain> {
  std::shared_ptr<Server::Impl> impl;
  asio::steady_timer timer;
  std::chrono::steady_clock::time_point deadline;
  std::function<void()> done;
  bool forced = false;

  Drain(std::shared_ptr<Server::Impl> i, std::chrono::milliseconds grace, std::function<void()> d)
      : impl(std::move(i)), timer(impl->ioc), deadline(std::chrono::steady_clock::now() + grace), done(std::move(d)) {}

  void step() {
    if (impl->connections.active() == 0) {
      if (auto d = std::move(done)) d();
      return;
    }
    if (!forced && std::chrono::steady_clock::now() >= deadline) {
      forced = true;
      impl->connections.close_all(false);
    } else {
      impl->connections.close_all(true);  // those that went idle since the last look
    }
    timer.expires_after(std::chrono::milliseconds(20));
    timer.async_wait([self = shared_from_this()](beast::error_code) { self->step(); });
  }
};
}  // namespace

void Server::shutdown(std::chrono::milliseconds grace, std::function<void()> done) {
  auto impl = impl_;
  impl->draining.store(true);
  asio::post(impl->acceptor.get_executor(), [impl] {
    beast::error_code ec;
    impl->acceptor.close(ec);
  });
  auto drain = std::make_shared<Drain>(impl, grace, std::move(done));
  asio::post(impl->ioc, [drain] { drain->step(); });
}

}  // namespace simpul::connectors::http
