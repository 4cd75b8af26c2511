#pragma once
// Test support for the HTTP client suites: a small Beast HTTP(S) server on 127.0.0.1:0 with
// its own io_context thread, a client-side io_context run by two threads, a throwaway CA +
// server certificate made with the OpenSSL API, bounded waiting helpers and run() (one
// request, awaited).
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "connectors/http/client.hpp"

namespace simpul_test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// Polls `pred` every 5 ms for at most `limit`; true when it became true.
template <class Pred>
bool wait_until(Pred pred, std::chrono::milliseconds limit = 30s) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// A value delivered once from another thread, awaited with a bound.
template <class T>
class Slot {
 public:
  void set(T v) {
    std::lock_guard lk(mu_);
    value_.emplace(std::move(v));
    cv_.notify_all();
  }
  std::optional<T> wait(std::chrono::milliseconds limit = 30s) {
    std::unique_lock lk(mu_);
    if (!cv_.wait_for(lk, limit, [&] { return value_.has_value(); })) return std::nullopt;
    return std::move(value_);
  }
  bool ready() {
    std::lock_guard lk(mu_);
    return value_.has_value();
  }

 private:
  std::mutex mu_{};
  std::condition_variable cv_{};
  std::optional<T> value_{};
};

// io_context for the client, run by two threads (so the strand matters).
class ClientIo {
 public:
  ClientIo() : guard_(asio::make_work_guard(io)) {
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io.run(); });
  }
  ~ClientIo() { stop(); }
  void stop() {
    guard_.reset();
    io.stop();
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }
  asio::io_context io;

 private:
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::vector<std::thread> threads_{};
};

using Request = bhttp::request<bhttp::string_body>;

struct Reply {
  unsigned status = 200;
  std::vector<std::pair<std::string, std::string>> headers{};
  std::string body{};
  std::chrono::milliseconds delay{0};
  bool drop = false;  // read the request, then close the connection without answering
};

using Handler = std::function<Reply(const Request&)>;

class TestServer {
 public:
  explicit TestServer(Handler h, std::shared_ptr<asio::ssl::context> tls = nullptr)
      : handler_(std::move(h)), tls_(std::move(tls)), acceptor_(io_) {
    tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(ep.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen(4096);
    port_ = acceptor_.local_endpoint().port();
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~TestServer() {
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }
  unsigned short port() const { return port_; }
  std::string url(const std::string& path) const {
    return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + path;
  }

  std::atomic<int> accepted{0};
  std::atomic<int> requests{0};
  std::atomic<int> open_sessions{0};

 private:
  template <class Stream>
  struct Session : std::enable_shared_from_this<Session<Stream>> {
    template <class... A>
    Session(TestServer* s, A&&... a) : srv(s), stream(std::forward<A>(a)...), timer(s->io_) {
      ++srv->open_sessions;
    }
    ~Session() { --srv->open_sessions; }

    void start() {
      if constexpr (std::is_same_v<Stream, asio::ssl::stream<tcp::socket>>) {
        stream.async_handshake(asio::ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
          if (!ec) self->read();
        });
      } else {
        read();
      }
    }
    void read() {
      req = {};
      bhttp::async_read(stream, buf, req, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
        if (ec) return;
        ++self->srv->requests;
        Reply r = self->srv->handler_(self->req);
        if (r.drop) {
          beast::error_code ignored;
          beast::get_lowest_layer(self->stream).close(ignored);
          return;
        }
        if (r.delay.count() > 0) {
          self->timer.expires_after(r.delay);
          self->timer.async_wait([self, r = std::move(r)](beast::error_code) mutable { self->write(std::move(r)); });
        } else {
          self->write(std::move(r));
        }
      });
    }
    void write(Reply r) {
      auto res =
          std::make_shared<bhttp::response<bhttp::string_body>>(static_cast<bhttp::status>(r.status), req.version());
      for (auto& [k, v] : r.headers) res->set(k, v);
      res->body() = std::move(r.body);
      res->keep_alive(req.keep_alive());
      res->prepare_payload();
      bhttp::async_write(stream, *res, [self = this->shared_from_this(), res](beast::error_code ec, std::size_t) {
        if (ec || !res->keep_alive()) return;
        self->read();
      });
    }

    TestServer* srv;
    Stream stream;
    beast::flat_buffer buf;
    Request req;
    asio::steady_timer timer;
  };

  void accept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket sock) {
      if (ec) return;
      ++accepted;
      if (tls_) {
        std::make_shared<Session<asio::ssl::stream<tcp::socket>>>(this, std::move(sock), *tls_)->start();
      } else {
        std::make_shared<Session<tcp::socket>>(this, std::move(sock))->start();
      }
      accept();
    });
  }

  Handler handler_;
  std::shared_ptr<asio::ssl::context> tls_{};
  asio::io_context io_;
  tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::thread thread_{};
};

// A port that nothing listens on (bound, then closed).
inline unsigned short closed_port() {
  asio::io_context io;
  tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  auto p = a.local_endpoint().port();
  a.close();
  return p;
}

// ---- throwaway PKI ----

struct KeyPair {
  std::string cert_pem{};
  std::string key_pem{};
};

struct Pki {
  KeyPair ca{};
  KeyPair server{};
};

namespace pki_detail {

inline std::string bio_string(BIO* b) {
  char* data = nullptr;
  long n = BIO_get_mem_data(b, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

inline void add_ext(X509* x, X509V3_CTX* ctx, int nid, const char* value) {
  X509_EXTENSION* e = X509V3_EXT_conf_nid(nullptr, ctx, nid, value);
  if (!e) throw std::runtime_error("X509V3_EXT_conf_nid failed");
  X509_add_ext(x, e, -1);
  X509_EXTENSION_free(e);
}

inline X509* make_cert(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key, bool ca, const char* san,
                       long serial) {
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 86400);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
  X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer ? issuer : x, x, nullptr, nullptr, 0);
  add_ext(x, &ctx, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  add_ext(x, &ctx, NID_key_usage, ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
  add_ext(x, &ctx, NID_subject_key_identifier, "hash");
  if (issuer) add_ext(x, &ctx, NID_authority_key_identifier, "keyid:always");
  if (!ca) add_ext(x, &ctx, NID_ext_key_usage, "serverAuth");
  if (san) add_ext(x, &ctx, NID_subject_alt_name, san);
  if (X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()) == 0) throw std::runtime_error("X509_sign failed");
  return x;
}

inline KeyPair to_pem(X509* x, EVP_PKEY* k) {
  BIO* cb = BIO_new(BIO_s_mem());
  BIO* kb = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(cb, x);
  PEM_write_bio_PrivateKey(kb, k, nullptr, nullptr, 0, nullptr, nullptr);
  KeyPair out{bio_string(cb), bio_string(kb)};
  BIO_free(cb);
  BIO_free(kb);
  return out;
}

}  // namespace pki_detail

// A CA and a server certificate signed by it for `server_san` (e.g. "IP:127.0.0.1").
inline Pki make_pki(const char* server_san) {
  using namespace pki_detail;
  EVP_PKEY* ca_key = EVP_EC_gen("P-256");
  EVP_PKEY* srv_key = EVP_EC_gen("P-256");
  if (!ca_key || !srv_key) throw std::runtime_error("EC key generation failed");
  X509* ca = make_cert(ca_key, "Simpul Test CA", nullptr, nullptr, true, nullptr, 1);
  X509* srv = make_cert(srv_key, "simpul test server", ca, ca_key, false, server_san, 2);
  Pki p{to_pem(ca, ca_key), to_pem(srv, srv_key)};
  X509_free(ca);
  X509_free(srv);
  EVP_PKEY_free(ca_key);
  EVP_PKEY_free(srv_key);
  return p;
}

inline std::shared_ptr<asio::ssl::context> server_tls(const KeyPair& kp) {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  ctx->use_certificate_chain(asio::buffer(kp.cert_pem));
  ctx->use_private_key(asio::buffer(kp.key_pem), asio::ssl::context::pem);
  return ctx;
}

// A file in a fresh temp directory, removed with the object.
class TempFile {
 public:
  TempFile(const std::string& name, const std::string& content) {
    dir_ = std::filesystem::temp_directory_path() /
           ("simpul-http-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    std::filesystem::create_directories(dir_);
    path_ = dir_ / name;
    std::ofstream(path_, std::ios::binary) << content;
  }
  ~TempFile() {
    std::error_code ec{};
    std::filesystem::remove_all(dir_, ec);
  }
  std::string path() const { return path_.string(); }

 private:
  static std::atomic<int>& counter() {
    static std::atomic<int> c{0};
    return c;
  }
  std::filesystem::path dir_{};
  std::filesystem::path path_{};
};

// Runs one request with a callback and waits (bounded) for its result.
inline simpul::connectors::http::HttpResult run(simpul::connectors::http::HttpClient& c,
                                                simpul::connectors::http::HttpRequest req) {
  using namespace simpul::connectors::http;
  Slot<HttpResult> s;
  c.async_request(std::move(req), [&](HttpResult r) { s.set(std::move(r)); });
  auto r = s.wait(60s);
  if (!r) return HttpResult(HttpError{ErrorKind::other, "TEST: no completion within 60 s"});
  return std::move(*r);
}

}  // namespace simpul_test
