// libcurl multi handle driven by Asio. Design notes: docs/http-client.md.
//
// Threading: every touch of curl state (multi, easy handles, watchers, transfers) happens in
// Core::locked(), which runs on the strand and additionally holds Core::mu. The mutex is
// uncontended in normal operation (the strand already serialises); it exists so that the
// destructor can shut everything down synchronously from any thread. User code (hooks,
// completion handlers) never runs under the mutex.
//
// Socket ownership: curl opens and closes its connection sockets through our
// OPENSOCKETFUNCTION / CLOSESOCKETFUNCTION. A Watcher wraps a descriptor curl asked us to
// watch in a posix::stream_descriptor purely to async_wait on it; it never owns the fd and
// always release()s it (never close()s it): on CURL_POLL_REMOVE, in the close callback before
// the fd is closed, and at shutdown.
#include "connectors/http/client.hpp"

#include <cctype>

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <list>
#include <mutex>
#include <random>
#include <unordered_map>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <curl/curl.h>

namespace simpul::connectors::http {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

std::string_view to_string(Method m) {
  switch (m) {
    case Method::get:
      return "GET";
    case Method::post:
      return "POST";
    case Method::put:
      return "PUT";
    case Method::del:
      return "DELETE";
  }
  return "?";
}

std::string_view to_string(ErrorKind k) {
  switch (k) {
    case ErrorKind::none:
      return "none";
    case ErrorKind::timeout:
      return "timeout";
    case ErrorKind::connect_failed:
      return "connect_failed";
    case ErrorKind::dns:
      return "dns";
    case ErrorKind::tls:
      return "tls";
    case ErrorKind::cancelled:
      return "cancelled";
    case ErrorKind::too_many:
      return "too_many";
    case ErrorKind::other:
      return "other";
  }
  return "?";
}

namespace {

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

bool valid_header_name(std::string_view n) {
  if (n.empty()) return false;
  for (char c : n) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 32 || u >= 127 || c == ':' || c == ';') return false;
  }
  return true;
}

bool valid_header_value(std::string_view v) {
  return v.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

void curl_global_once() {
  static const bool ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  (void)ok;
}

}  // namespace

std::optional<std::string_view> find_header(const Headers& headers, std::string_view name) {
  for (const auto& h : headers)
    if (iequals(h.name, name)) return std::string_view(h.value);
  return std::nullopt;
}

namespace {

struct Watcher {
  Watcher(asio::io_context& io, curl_socket_t s) : desc(io), fd(s) {
    boost::system::error_code ec;
    desc.assign(s, ec);
    assigned = !ec;
  }
  ~Watcher() { detach(); }
  // Stops watching without closing the fd (curl owns it). Pending waits complete with
  // operation_aborted; their handlers see active == false.
  void detach() {
    active = false;
    if (desc.is_open()) desc.release();
  }
  asio::posix::stream_descriptor desc;
  curl_socket_t fd;
  bool assigned = false;
  bool active = true;
  int want = 0;  // CURL_POLL_IN / CURL_POLL_OUT bits
  bool reading = false;
  bool writing = false;
};

struct Transfer {
  enum class State { fresh, queued, running, backoff };
  std::uint64_t id = 0;
  HttpRequest req;
  std::string host;
  std::unique_ptr<detail::Completion<HttpResult>> done;
  State state = State::fresh;
  bool holds_slot = false;
  std::list<Transfer*>::iterator queue_pos;
  CURL* easy = nullptr;
  curl_slist* header_list = nullptr;
  HttpResponse resp;
  std::size_t max_body = 0;
  bool too_large = false;
  int attempt = 0;
  int max_attempts = 1;
  Clock::time_point submitted{};
  Clock::time_point admitted_at{};
  std::optional<asio::steady_timer> backoff;
  char errbuf[CURL_ERROR_SIZE] = {};
};

struct Finished {
  std::unique_ptr<detail::Completion<HttpResult>> done;
  std::optional<HttpResult> result;
  CallStats stats;
  std::function<void(const CallStats&)> hook;
};

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::size_t len = size * n;
  if (t->resp.body.size() + len > t->max_body) {
    t->too_large = true;
    return 0;  // != len: curl fails the transfer with CURLE_WRITE_ERROR
  }
  t->resp.body.append(data, len);
  return len;
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::size_t len = size * n;
  std::string_view line(data, len);
  if (line.starts_with("HTTP/")) {  // a new (possibly interim) response starts
    t->resp.headers.clear();
    return len;
  }
  if (line.empty() || line.front() == '\r' || line.front() == '\n') return len;
  auto& hs = t->resp.headers;
  if (line.front() == ' ' || line.front() == '\t') {  // obsolete line folding
    if (!hs.empty()) {
      auto more = trim(line);
      if (!more.empty()) {
        hs.back().value += ' ';
        hs.back().value.append(more);
      }
    }
    return len;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return len;
  hs.push_back(Header{std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1)))});
  return len;
}

}  // namespace

struct HttpClient::Core : std::enable_shared_from_this<HttpClient::Core> {
  Core(asio::io_context& ctx, ClientOptions o)
      : io(ctx), strand(asio::make_strand(ctx)), opts(std::move(o)), timer(ctx), rng(std::random_device{}()) {
    if (opts.max_in_flight == 0) opts.max_in_flight = 1;
    if (opts.retry.max_attempts < 1) opts.retry.max_attempts = 1;
    if (opts.max_total_connections < 1) opts.max_total_connections = 1;
    if (opts.max_host_connections < 1) opts.max_host_connections = 1;
    pool_cap = std::min<std::size_t>(opts.max_in_flight, 256);
  }

  // Called once, right after construction (needs `this` for the callbacks only).
  bool init() {
    curl_global_once();
    multi = curl_multi_init();
    if (!multi) return false;
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &Core::socket_cb);
    curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &Core::timer_cb);
    curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this);
    curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, opts.max_total_connections);
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, opts.max_host_connections);
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, opts.max_total_connections);
    curl_multi_setopt(multi, CURLMOPT_PIPELINING, static_cast<long>(CURLPIPE_NOTHING));
    return true;
  }

  ~Core() {
    // shutdown() has normally run; this only covers a failed init.
    if (multi) curl_multi_cleanup(multi);
    for (CURL* e : idle_easy) curl_easy_cleanup(e);
  }

  // ---- curl callbacks (always invoked from inside a curl call, i.e. under `mu`) ----

  static int socket_cb(CURL*, curl_socket_t s, int what, void* userp, void*) {
    static_cast<Core*>(userp)->update_socket(s, what);
    return 0;
  }

  static int timer_cb(CURLM*, long timeout_ms, void* userp) {
    static_cast<Core*>(userp)->set_timer(timeout_ms);
    return 0;
  }

  static curl_socket_t open_cb(void* clientp, curlsocktype, curl_sockaddr* addr) {
    int fd = ::socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
    if (fd < 0) return CURL_SOCKET_BAD;
    auto* self = static_cast<Core*>(clientp);
    self->sockets_open.fetch_add(1, std::memory_order_relaxed);
    self->sockets_opened_total.fetch_add(1, std::memory_order_relaxed);
    return fd;
  }

  static int close_cb(void* clientp, curl_socket_t fd) {
    auto* self = static_cast<Core*>(clientp);
    self->forget_socket(fd);  // deregister from the reactor before the number can be reused
    self->sockets_open.fetch_sub(1, std::memory_order_relaxed);
    return ::close(fd);
  }

  void update_socket(curl_socket_t s, int what) {
    if (what == CURL_POLL_REMOVE) {
      forget_socket(s);
      return;
    }
    auto& slot = watchers[s];
    if (!slot) {
      slot = std::make_shared<Watcher>(io, s);
      if (!slot->assigned) {
        // Cannot watch it: leave it to curl's own timeouts to fail the transfer.
        watchers.erase(s);
        return;
      }
      sockets_watched.fetch_add(1, std::memory_order_relaxed);
    }
    slot->want = what;
    if (!closed) arm(slot);
  }

  void forget_socket(curl_socket_t s) {
    auto it = watchers.find(s);
    if (it == watchers.end()) return;
    it->second->detach();
    watchers.erase(it);
    sockets_watched.fetch_sub(1, std::memory_order_relaxed);
  }

  void arm(const std::shared_ptr<Watcher>& w) {
    if ((w->want & CURL_POLL_IN) && !w->reading) {
      w->reading = true;
      w->desc.async_wait(asio::posix::descriptor_base::wait_read,
                         asio::bind_executor(strand, [self = shared_from_this(), w](boost::system::error_code ec) {
                           self->locked([&] { self->on_ready(w, CURL_CSELECT_IN, ec); });
                         }));
    }
    if ((w->want & CURL_POLL_OUT) && !w->writing) {
      w->writing = true;
      w->desc.async_wait(asio::posix::descriptor_base::wait_write,
                         asio::bind_executor(strand, [self = shared_from_this(), w](boost::system::error_code ec) {
                           self->locked([&] { self->on_ready(w, CURL_CSELECT_OUT, ec); });
                         }));
    }
  }

  void on_ready(const std::shared_ptr<Watcher>& w, int dir, boost::system::error_code ec) {
    (dir == CURL_CSELECT_IN ? w->reading : w->writing) = false;
    if (!w->active || ec == asio::error::operation_aborted) return;
    int wanted = dir == CURL_CSELECT_IN ? CURL_POLL_IN : CURL_POLL_OUT;
    if (!(w->want & wanted)) return;  // curl lost interest meanwhile; update_socket re-arms
    int running = 0;
    curl_multi_socket_action(multi, w->fd, ec ? CURL_CSELECT_ERR : dir, &running);
    collect_done();
    if (w->active && !closed) arm(w);
  }

  void set_timer(long timeout_ms) {
    ++timer_gen;
    if (timeout_ms < 0 || closed) {
      timer.cancel();
      return;
    }
    timer.expires_after(std::chrono::milliseconds(timeout_ms));
    timer.async_wait(
        asio::bind_executor(strand, [self = shared_from_this(), gen = timer_gen](boost::system::error_code ec) {
          self->locked([&] {
            if (ec == asio::error::operation_aborted || gen != self->timer_gen) return;
            int running = 0;
            curl_multi_socket_action(self->multi, CURL_SOCKET_TIMEOUT, 0, &running);
            self->collect_done();
          });
        }));
  }

  // ---- strand entry points ----

  // Runs f under the lock; unless f returns false, publishes the gauges and delivers whatever
  // completed, outside the lock.
  template <class F>
  void then_deliver(F&& f) {
    std::vector<Finished> out;
    {
      std::lock_guard lk(mu);
      if (!f()) return;
      publish();
      if (finished.empty()) return;
      out.swap(finished);
      ++delivering;
    }
    deliver(out);
  }

  // Runs f on the strand's thread under the lock (unless closed), then delivers whatever
  // completed, outside the lock.
  template <class F>
  void locked(F&& f) {
    then_deliver([&] {
      if (closed) return false;
      f();
      pump();
      return true;
    });
  }

  // The Core whose hooks this thread is running (to avoid waiting on ourselves in shutdown).
  static inline thread_local const Core* delivering_here = nullptr;

  void deliver(std::vector<Finished>& out) {
    const Core* outer = delivering_here;
    delivering_here = this;
    for (auto& f : out) {
      if (opts.on_complete) {
        try {
          opts.on_complete(f.stats);
        } catch (...) {
        }
      }
      if (f.hook) {
        try {
          f.hook(f.stats);
        } catch (...) {
        }
      }
      try {
        f.done->complete(std::move(*f.result));
      } catch (...) {
      }
    }
    delivering_here = outer;
    std::lock_guard lk(mu);
    if (--delivering == 0) delivered_cv.notify_all();
  }

  void admit(std::unique_ptr<Transfer> owned) {
    then_deliver([&] {
      Transfer* t = owned.get();
      if (closed) {
        finish(t, HttpError{ErrorKind::cancelled, "client shut down", false});
      } else if (auto bad = validate(*t); !bad.empty()) {
        finish(t, HttpError{ErrorKind::other, "invalid request: " + bad, false});
      } else {
        transfers.emplace(t->id, std::move(owned));
        if (admitted < opts.max_in_flight && queue.empty()) {
          take_slot(t);
          start_attempt(t);
        } else if (queue.size() < opts.max_queued) {
          t->state = Transfer::State::queued;
          t->queue_pos = queue.insert(queue.end(), t);
        } else {
          finish(t, HttpError{ErrorKind::too_many, "in-flight limit reached and queue full", false});
        }
        pump();
      }
      return true;
    });
  }

  void cancel(std::uint64_t id) {
    locked([&] {
      auto it = transfers.find(id);
      if (it == transfers.end()) return;  // already completed
      Transfer* t = it->second.get();
      bool maybe_sent = detach_transfer(t);
      finish(t, HttpError{ErrorKind::cancelled, "cancelled by caller", maybe_sent});
    });
  }

  // Synchronous: afterwards no curl handle, socket watch or timer of this client is left.
  void shutdown() {
    std::vector<Finished> out;
    {
      std::unique_lock lk(mu);
      if (closed) return;
      closed = true;
      std::vector<Transfer*> all;
      all.reserve(transfers.size());
      for (auto& [id, t] : transfers) all.push_back(t.get());
      std::sort(all.begin(), all.end(), [](auto* a, auto* b) { return a->id < b->id; });
      for (Transfer* t : all) {
        bool maybe_sent = detach_transfer(t);
        finish(t, HttpError{ErrorKind::cancelled, "client shut down", maybe_sent});
      }
      queue.clear();
      ++timer_gen;
      timer.cancel();
      if (multi) {
        curl_multi_cleanup(multi);  // closes cached connections through close_cb
        multi = nullptr;
      }
      for (auto& [fd, w] : watchers) w->detach();
      watchers.clear();
      sockets_watched.store(0, std::memory_order_relaxed);
      for (CURL* e : idle_easy) curl_easy_cleanup(e);
      easy_handles.fetch_sub(idle_easy.size(), std::memory_order_relaxed);
      idle_easy.clear();
      publish();
      // Wait for deliveries started before `closed` (hooks may reference caller state),
      // except our own when the client is destroyed from inside one of its hooks.
      int own = delivering_here == this ? 1 : 0;
      delivered_cv.wait(lk, [&] { return delivering <= own; });
      out.swap(finished);
      ++delivering;
    }
    deliver(out);
  }

  // ---- transfer lifecycle (under mu) ----

  std::string validate(Transfer& t) {
    const auto& r = t.req;
    if (r.method == Method::get && !r.body.empty()) return "GET with a body";
    for (const auto& h : r.headers) {
      if (!valid_header_name(h.name)) return "bad header name";
      if (!valid_header_value(h.value)) return "bad header value (control characters)";
    }
    CURLU* u = curl_url();
    if (!u) return "out of memory";
    std::string err;
    if (curl_url_set(u, CURLUPART_URL, r.url.c_str(), 0) != CURLUE_OK) {
      err = "URL does not parse";
    } else {
      char* scheme = nullptr;
      char* host = nullptr;
      if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
          (std::string_view(scheme) != "http" && std::string_view(scheme) != "https"))
        err = "URL scheme must be http or https";
      else if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
        err = "URL has no host";
      else
        t.host = host;
      curl_free(scheme);
      curl_free(host);
    }
    curl_url_cleanup(u);
    return err;
  }

  void take_slot(Transfer* t) {
    ++admitted;
    t->holds_slot = true;
    t->admitted_at = Clock::now();
  }

  void pump() {
    while (!closed && admitted < opts.max_in_flight && !queue.empty()) {
      Transfer* t = queue.front();
      queue.pop_front();
      take_slot(t);
      start_attempt(t);
    }
  }

  void publish() {
    in_flight_n.store(admitted, std::memory_order_relaxed);
    queued_n.store(queue.size(), std::memory_order_relaxed);
  }

  CURL* take_easy() {
    if (!idle_easy.empty()) {
      CURL* e = idle_easy.back();
      idle_easy.pop_back();
      return e;
    }
    CURL* e = curl_easy_init();
    if (e) easy_handles.fetch_add(1, std::memory_order_relaxed);
    return e;
  }

  void give_back(CURL* e) {
    if (!closed && idle_easy.size() < pool_cap) {
      curl_easy_reset(e);
      idle_easy.push_back(e);
    } else {
      curl_easy_cleanup(e);
      easy_handles.fetch_sub(1, std::memory_order_relaxed);
    }
  }

  // Removes t from whatever it is waiting in (queue, curl, backoff timer). Returns whether
  // request bytes may have reached the server.
  bool detach_transfer(Transfer* t) {
    bool maybe_sent = false;
    switch (t->state) {
      case Transfer::State::queued:
        queue.erase(t->queue_pos);
        break;
      case Transfer::State::running: {
        long request_bytes = 0;
        if (t->easy) curl_easy_getinfo(t->easy, CURLINFO_REQUEST_SIZE, &request_bytes);
        maybe_sent = request_bytes > 0;
        release_easy(t);
        break;
      }
      case Transfer::State::backoff:
        maybe_sent = true;  // an earlier attempt may have been executed
        if (t->backoff) t->backoff->cancel();
        break;
      case Transfer::State::fresh:
        break;
    }
    t->state = Transfer::State::fresh;
    return maybe_sent;
  }

  void release_easy(Transfer* t) {
    if (t->easy) {
      if (multi) curl_multi_remove_handle(multi, t->easy);
      give_back(t->easy);
      t->easy = nullptr;
    }
    if (t->header_list) {
      curl_slist_free_all(t->header_list);
      t->header_list = nullptr;
    }
  }

  void finish(Transfer* t, HttpError e) { finish_result(t, HttpResult(std::move(e), t->attempt)); }
  void finish(Transfer* t, HttpResponse r) { finish_result(t, HttpResult(std::move(r), t->attempt)); }

  // Moves t's completion into `finished`, frees its slot and destroys t.
  void finish_result(Transfer* t, HttpResult result) {
    Finished f;
    auto now = Clock::now();
    f.stats.method = t->req.method;
    f.stats.host = t->host;
    f.stats.label = t->req.label;
    f.stats.attempts = t->attempt;
    if (result.ok()) {
      f.stats.status = result.response().status;
    } else {
      f.stats.error = result.error().kind;
    }
    f.stats.seconds = std::chrono::duration<double>(now - t->submitted).count();
    f.stats.queued_seconds =
        t->holds_slot ? std::chrono::duration<double>(t->admitted_at - t->submitted).count() : f.stats.seconds;
    f.done = std::move(t->done);
    f.result.emplace(std::move(result));
    f.hook = std::move(t->req.on_complete);
    if (t->holds_slot) {
      --admitted;
      t->holds_slot = false;
    }
    finished.push_back(std::move(f));
    transfers.erase(t->id);  // no-op for a transfer never registered (closed / invalid)
  }

  bool configure(CURL* e, Transfer* t) {
    const auto& r = t->req;
    auto ms = [](std::chrono::milliseconds v, std::chrono::milliseconds dflt) {
      return static_cast<long>((v.count() > 0 ? v : dflt).count());
    };
    // Header list: the caller's, then suppress curl's defaults the caller did not ask for.
    curl_slist* list = nullptr;
    auto add = [&](const std::string& line) {
      curl_slist* n = curl_slist_append(list, line.c_str());
      if (!n) return false;
      list = n;
      return true;
    };
    bool ok = true;
    bool has_ctype = false;
    bool has_expect = false;
    for (const auto& h : r.headers) {
      if (iequals(h.name, "content-type")) has_ctype = true;
      if (iequals(h.name, "expect")) has_expect = true;
      // curl syntax: "Name;" sends an empty header, "Name:" would remove it.
      ok = ok && add(h.value.empty() ? h.name + ";" : h.name + ": " + h.value);
    }
    bool sends_body =
        r.method == Method::post || r.method == Method::put || (r.method == Method::del && !r.body.empty());
    if (!has_expect) ok = ok && add("Expect:");
    if (sends_body && !has_ctype) ok = ok && add("Content-Type:");
    t->header_list = list;
    if (!ok) return false;

    CURLcode rc = CURLE_OK;
    auto set = [&](CURLoption o, auto v) {
      if (rc == CURLE_OK) rc = curl_easy_setopt(e, o, v);
    };
    set(CURLOPT_PRIVATE, static_cast<void*>(t));
    set(CURLOPT_URL, r.url.c_str());
    set(CURLOPT_PROTOCOLS_STR, "http,https");
    set(CURLOPT_FOLLOWLOCATION, 0L);
    set(CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
    set(CURLOPT_NOSIGNAL, 1L);
    // Cancelling during name resolution must not join the resolver thread on our strand.
    set(CURLOPT_QUICK_EXIT, 1L);
    set(CURLOPT_SSL_VERIFYPEER, 1L);
    set(CURLOPT_SSL_VERIFYHOST, 2L);
    set(CURLOPT_PROXY_SSL_VERIFYPEER, 1L);
    set(CURLOPT_PROXY_SSL_VERIFYHOST, 2L);
    if (!opts.ca_bundle.empty()) {
      set(CURLOPT_CAINFO, opts.ca_bundle.c_str());
      set(CURLOPT_CAPATH, static_cast<const char*>(nullptr));
    }
    set(CURLOPT_PROXY, opts.proxy.c_str());       // "" disables proxies, env vars included
    set(CURLOPT_NOPROXY, opts.no_proxy.c_str());  // always set: the no_proxy env var is ignored
    set(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
    set(CURLOPT_USERAGENT, opts.user_agent.c_str());
    set(CURLOPT_CONNECTTIMEOUT_MS, ms(r.connect_timeout, opts.connect_timeout));
    set(CURLOPT_TIMEOUT_MS, ms(r.timeout, opts.total_timeout));
    set(CURLOPT_ACCEPT_ENCODING, "");
    set(CURLOPT_TCP_KEEPALIVE, 1L);
    set(CURLOPT_ERRORBUFFER, t->errbuf);
    set(CURLOPT_WRITEFUNCTION, &on_body);
    set(CURLOPT_WRITEDATA, static_cast<void*>(t));
    set(CURLOPT_HEADERFUNCTION, &on_header);
    set(CURLOPT_HEADERDATA, static_cast<void*>(t));
    set(CURLOPT_OPENSOCKETFUNCTION, &Core::open_cb);
    set(CURLOPT_OPENSOCKETDATA, static_cast<void*>(this));
    set(CURLOPT_CLOSESOCKETFUNCTION, &Core::close_cb);
    set(CURLOPT_CLOSESOCKETDATA, static_cast<void*>(this));
    set(CURLOPT_HTTPHEADER, list);
    // libcurl re-sends a request on a new connection when a reused one turns out dead
    // before any answer byte (Curl_retry_request), POST bodies included. A write must not
    // be sent twice (a second SEP), so writes always open a fresh connection, where
    // libcurl does not do that. (Set both ways: easy handles are pooled.)
    set(CURLOPT_FRESH_CONNECT, r.method == Method::get ? 0L : 1L);
    switch (r.method) {
      case Method::get:
        set(CURLOPT_HTTPGET, 1L);
        break;
      case Method::post:
        set(CURLOPT_POST, 1L);
        break;
      case Method::put:
        set(CURLOPT_CUSTOMREQUEST, "PUT");
        break;
      case Method::del:
        set(CURLOPT_CUSTOMREQUEST, "DELETE");
        break;
    }
    if (sends_body) {
      set(CURLOPT_POSTFIELDS, r.body.data());
      set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
    }
    return rc == CURLE_OK;
  }

  void start_attempt(Transfer* t) {
    ++t->attempt;
    t->resp = HttpResponse{};
    t->too_large = false;
    t->errbuf[0] = '\0';
    t->max_body = opts.max_response_bytes;
    t->backoff.reset();
    CURL* e = take_easy();
    if (!e) {
      finish(t, HttpError{ErrorKind::other, "curl_easy_init failed", false});
      return;
    }
    t->easy = e;
    t->state = Transfer::State::running;
    if (!configure(e, t)) {
      t->state = Transfer::State::fresh;
      t->easy = nullptr;
      give_back(e);
      curl_slist_free_all(t->header_list);
      t->header_list = nullptr;
      finish(t, HttpError{ErrorKind::other, "could not configure the transfer", false});
      return;
    }
    if (CURLMcode mc = curl_multi_add_handle(multi, e); mc != CURLM_OK) {
      t->state = Transfer::State::fresh;
      t->easy = nullptr;
      give_back(e);
      curl_slist_free_all(t->header_list);
      t->header_list = nullptr;
      finish(t, HttpError{ErrorKind::other, std::string("curl_multi_add_handle: ") + curl_multi_strerror(mc), false});
    }
  }

  void collect_done() {
    int left = 0;
    while (CURLMsg* m = curl_multi_info_read(multi, &left)) {
      if (m->msg != CURLMSG_DONE) continue;
      CURL* e = m->easy_handle;
      CURLcode rc = m->data.result;  // read before remove_handle invalidates m
      void* p = nullptr;
      curl_easy_getinfo(e, CURLINFO_PRIVATE, &p);
      auto* t = static_cast<Transfer*>(p);
      if (!t || t->easy != e) {  // not ours any more: should not happen
        curl_multi_remove_handle(multi, e);
        continue;
      }
      attempt_done(t, rc);
    }
  }

  static bool transient(CURLcode rc) {
    switch (rc) {
      case CURLE_SEND_ERROR:
      case CURLE_RECV_ERROR:
      case CURLE_GOT_NOTHING:
      case CURLE_PARTIAL_FILE:
        return true;
      default:
        return false;
    }
  }

  static ErrorKind classify(CURLcode rc, bool connected, std::string_view message) {
    switch (rc) {
      case CURLE_OPERATION_TIMEDOUT:
        if (connected) return ErrorKind::timeout;
        // Before a connection: still resolving (curl says "Resolving timed out ...") or
        // still connecting.
        return message.starts_with("Resolving") ? ErrorKind::dns : ErrorKind::connect_failed;
      case CURLE_COULDNT_CONNECT:
        return ErrorKind::connect_failed;
      case CURLE_COULDNT_RESOLVE_HOST:
      case CURLE_COULDNT_RESOLVE_PROXY:
        return ErrorKind::dns;
      case CURLE_SSL_CONNECT_ERROR:
      case CURLE_PEER_FAILED_VERIFICATION:
      case CURLE_SSL_CERTPROBLEM:
      case CURLE_SSL_CIPHER:
      case CURLE_SSL_CACERT_BADFILE:
      case CURLE_SSL_ISSUER_ERROR:
      case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      case CURLE_SSL_INVALIDCERTSTATUS:
      case CURLE_SSL_CRL_BADFILE:
      case CURLE_SSL_ENGINE_NOTFOUND:
      case CURLE_SSL_ENGINE_SETFAILED:
      case CURLE_SSL_ENGINE_INITFAILED:
      case CURLE_SSL_SHUTDOWN_FAILED:
      case CURLE_USE_SSL_FAILED:
      case CURLE_SSL_CLIENTCERT:
        return ErrorKind::tls;
      default:
        return ErrorKind::other;
    }
  }

  // Delay before the next GET attempt, or nullopt when no retry should happen.
  std::optional<std::chrono::milliseconds> retry_delay(const Transfer* t, curl_off_t retry_after_s) {
    if (t->req.method != Method::get || t->attempt >= t->max_attempts) return std::nullopt;
    const auto maxd = std::max<long long>(opts.retry.max_delay.count(), 0);
    long long d = std::max<long long>(opts.retry.base_delay.count(), 0);
    for (int i = 1; i < t->attempt && d < maxd; ++i) d *= 2;
    d = std::min(d, maxd);
    std::uniform_int_distribution<long long> jitter(d / 2, d);
    d = jitter(rng);
    if (retry_after_s > 0) {
      long long ra = static_cast<long long>(retry_after_s) * 1000;
      if (ra > maxd) return std::nullopt;  // the server wants a longer pause than we wait
      d = std::max(d, ra);
    }
    return std::chrono::milliseconds(d);
  }

  void attempt_done(Transfer* t, CURLcode rc) {
    CURL* e = t->easy;
    long status = 0;
    curl_off_t total_us = 0;
    curl_off_t connect_us = 0;
    curl_off_t retry_after = 0;
    long request_bytes = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(e, CURLINFO_TOTAL_TIME_T, &total_us);
    curl_easy_getinfo(e, CURLINFO_CONNECT_TIME_T, &connect_us);
    curl_easy_getinfo(e, CURLINFO_RETRY_AFTER, &retry_after);
    curl_easy_getinfo(e, CURLINFO_REQUEST_SIZE, &request_bytes);
    release_easy(t);
    t->state = Transfer::State::fresh;

    if (rc == CURLE_OK) {
      if (status == 502 || status == 503 || status == 504) {
        if (auto d = retry_delay(t, retry_after)) return schedule_retry(t, *d);
      }
      t->resp.status = static_cast<int>(status);
      t->resp.total_seconds = static_cast<double>(total_us) / 1e6;
      t->resp.received_at = std::chrono::system_clock::now();
      finish(t, std::move(t->resp));
      return;
    }
    HttpError err;
    err.kind = classify(rc, connect_us > 0, t->errbuf);
    err.maybe_delivered = request_bytes > 0;
    if (rc == CURLE_WRITE_ERROR && t->too_large) {
      err.reason = "response body larger than " + std::to_string(opts.max_response_bytes) + " bytes";
    } else {
      err.reason = std::string("curl: ") + (t->errbuf[0] ? t->errbuf : curl_easy_strerror(rc));
    }
    bool retry_kind = err.kind == ErrorKind::timeout || err.kind == ErrorKind::connect_failed ||
                      err.kind == ErrorKind::dns || (err.kind == ErrorKind::other && transient(rc));
    if (retry_kind) {
      if (auto d = retry_delay(t, 0)) return schedule_retry(t, *d);
    }
    finish(t, std::move(err));
  }

  void schedule_retry(Transfer* t, std::chrono::milliseconds delay) {
    t->state = Transfer::State::backoff;
    t->backoff.emplace(io, delay);
    t->backoff->async_wait(
        asio::bind_executor(strand, [self = shared_from_this(), id = t->id](boost::system::error_code) {
          self->locked([&] {
            auto it = self->transfers.find(id);
            if (it == self->transfers.end() || it->second->state != Transfer::State::backoff) return;
            self->start_attempt(it->second.get());
          });
        }));
  }

  asio::io_context& io;
  asio::strand<asio::io_context::executor_type> strand;
  ClientOptions opts;
  std::size_t pool_cap = 0;

  std::mutex mu;
  std::condition_variable delivered_cv;
  int delivering = 0;
  bool closed = false;
  CURLM* multi = nullptr;
  asio::steady_timer timer;
  std::uint64_t timer_gen = 0;
  std::unordered_map<curl_socket_t, std::shared_ptr<Watcher>> watchers;
  std::unordered_map<std::uint64_t, std::unique_ptr<Transfer>> transfers;
  std::list<Transfer*> queue;
  std::size_t admitted = 0;
  std::vector<CURL*> idle_easy;
  std::vector<Finished> finished;
  std::minstd_rand rng;

  std::atomic<std::uint64_t> next_id{1};
  std::atomic<std::size_t> in_flight_n{0};
  std::atomic<std::size_t> queued_n{0};
  std::atomic<std::size_t> sockets_open{0};
  std::atomic<std::size_t> sockets_watched{0};
  std::atomic<std::size_t> easy_handles{0};
  std::atomic<std::uint64_t> sockets_opened_total{0};
};

namespace {

// The client's part of a cancellation (detail::CancelById): withdraw the transfer on the strand.
void cancel_transfer(const std::shared_ptr<HttpClient::Core>& c, std::uint64_t id) {
  asio::post(c->strand, [c, id] { c->cancel(id); });
}
using CancelRequest = detail::CancelById<HttpClient::Core, cancel_transfer>;

}  // namespace

HttpClient::HttpClient(asio::io_context& io, ClientOptions options)
    : io_(io), core_(std::make_shared<Core>(io, std::move(options))) {
  if (!core_->init()) core_->closed = true;  // every request then completes with `cancelled`
}

HttpClient::~HttpClient() {
  core_->shutdown();
}

void HttpClient::submit(HttpRequest req, std::unique_ptr<detail::Completion<HttpResult>> done,
                        asio::cancellation_slot slot) {
  auto t = std::make_unique<Transfer>();
  t->id = core_->next_id.fetch_add(1, std::memory_order_relaxed);
  t->submitted = Clock::now();
  t->max_attempts = req.method != Method::get ? 1
                    : req.max_attempts > 0    ? req.max_attempts
                                              : core_->opts.retry.max_attempts;
  t->req = std::move(req);
  t->done = std::move(done);
  if (slot.is_connected()) slot.emplace<CancelRequest>(CancelRequest{core_, t->id});
  asio::post(core_->strand, [c = core_, t = std::move(t)]() mutable { c->admit(std::move(t)); });
}

ClientStats HttpClient::stats() const {
  ClientStats s;
  s.in_flight = core_->in_flight_n.load(std::memory_order_relaxed);
  s.queued = core_->queued_n.load(std::memory_order_relaxed);
  s.sockets_open = core_->sockets_open.load(std::memory_order_relaxed);
  s.sockets_watched = core_->sockets_watched.load(std::memory_order_relaxed);
  s.easy_handles = core_->easy_handles.load(std::memory_order_relaxed);
  s.sockets_opened_total = core_->sockets_opened_total.load(std::memory_order_relaxed);
  return s;
}

const ClientOptions& HttpClient::options() const {
  return core_->opts;
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace simpul::connectors::http
