// `simpul sim`: config -> simulators -> one listener each, then the io_context
// on `threads` threads until SIGTERM/SIGINT.
#include "adapter/sim_command.hpp"

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <toml++/toml.h>

#include "adapter/config.hpp"
#include "adapter/toml_reader.hpp"
#include "connectors/observability/log.hpp"
#include "connectors/sim/listener.hpp"

namespace simpul::adapter {

namespace asio = boost::asio;
namespace obs = connectors::obs;
namespace sim = connectors::sim;

bool parse_listen(const std::string& text, SimListen& out) {
  return parse_host_port(text, out.address, out.port);
}

namespace {

class Reader : public TomlReader {
 public:
  explicit Reader(std::string path) : TomlReader(std::move(path), "unknown key (see docs/simulators.md)") {}

  // Strings may be "env:NAME" to read a variable instead.
  void read_string(const toml::table& t, std::string_view where, std::string_view key, std::string& out) {
    const toml::node* n = t.get(key);
    const auto v = n ? n->value<std::string>() : std::nullopt;
    if (!v || v->rfind("env:", 0) != 0) return TomlReader::read_string(t, where, key, out);
    const char* e = std::getenv(v->c_str() + 4);
    if (!e) return problem(n, join(where, key), "environment variable " + v->substr(4) + " is not set");
    out = e;
  }
};

void read_fault_rule(Reader& r, const toml::table& t, const std::string& w, sim::FaultConfig& f) {
  r.known_keys(t, w,
               {"kind", "method", "path", "count", "probability", "latency_ms", "jitter_ms", "hold_ms", "http_status",
                "code", "message"});
  sim::FaultRule rule;
  std::string rk;
  r.read_string(t, w, "kind", rk);
  auto k = sim::parse_fault_kind(rk);
  if (!k)
    return r.problem(&t, w + ".kind",
                     "must be one of latency, http_500, html_404, timeout, metadata_error, garbled, drop_after_commit");
  rule.kind = *k;
  r.read_string(t, w, "method", rule.method);
  r.read_string(t, w, "path", rule.path);
  if (t.get("count")) {
    std::uint64_t c = 0;
    r.read_int(t, w, "count", c, 0, INT64_MAX);
    rule.count = c;
  }
  r.read_double(t, w, "probability", rule.probability, 0.0, 1.0);
  r.read_int(t, w, "latency_ms", rule.latency_ms, 0, 3'600'000);
  r.read_int(t, w, "jitter_ms", rule.jitter_ms, 0, 3'600'000);
  r.read_int(t, w, "hold_ms", rule.hold_ms, 0, 3'600'000);
  r.read_int(t, w, "http_status", rule.http_status, 100, 599);
  r.read_string(t, w, "code", rule.code);
  r.read_string(t, w, "message", rule.message);
  f.rules.push_back(std::move(rule));
}

void read_faults(Reader& r, const toml::table& t, const std::string& where, sim::FaultConfig& f) {
  r.known_keys(t, where, {"latency_ms", "jitter_ms", "error_rate", "error_kind", "seed", "rules"});
  r.read_int(t, where, "latency_ms", f.latency_ms, 0, 3'600'000);
  r.read_int(t, where, "jitter_ms", f.jitter_ms, 0, 3'600'000);
  r.read_double(t, where, "error_rate", f.error_rate, 0.0, 1.0);
  std::string kind;
  r.read_string(t, where, "error_kind", kind);
  if (!kind.empty()) {
    auto k = sim::parse_fault_kind(kind);
    if (!k || *k == sim::FaultKind::latency || *k == sim::FaultKind::garbled ||
        *k == sim::FaultKind::drop_after_commit)
      r.problem(t.get("error_kind"), Reader::join(where, "error_kind"),
                "must be http_500, html_404, timeout or metadata_error");
    else
      f.error_kind = *k;
  }
  r.read_int(t, where, "seed", f.seed, 0, INT64_MAX);
  if (const toml::node* n = t.get("rules")) {
    r.each_table(*n, Reader::join(where, "rules"), "must be an array of tables ([[...rules]])",
                 [&](const toml::table& rt, const std::string& w) { read_fault_rule(r, rt, w, f); });
  }
}

sim::BpjsConsumer read_consumer(Reader& r, const toml::table& t, const std::string& w) {
  r.known_keys(t, w,
               {"cons_id", "secret", "user_key", "user_key_vclaim", "user_key_pcare", "user_key_antrean",
                "pcare_username", "pcare_password", "pcare_app_code"});
  sim::BpjsConsumer cons;
  std::string all_keys;
  r.read_string(t, w, "cons_id", cons.cons_id);
  r.read_string(t, w, "secret", cons.secret);
  r.read_string(t, w, "user_key", all_keys);
  if (!all_keys.empty()) cons.user_key_vclaim = cons.user_key_pcare = cons.user_key_antrean = all_keys;
  r.read_string(t, w, "user_key_vclaim", cons.user_key_vclaim);
  r.read_string(t, w, "user_key_pcare", cons.user_key_pcare);
  r.read_string(t, w, "user_key_antrean", cons.user_key_antrean);
  r.read_string(t, w, "pcare_username", cons.pcare_username);
  r.read_string(t, w, "pcare_password", cons.pcare_password);
  r.read_string(t, w, "pcare_app_code", cons.pcare_app_code);
  if (cons.cons_id.empty() || cons.secret.empty()) r.problem(&t, w, "cons_id and secret must not be empty");
  return cons;
}

void read_bpjs(Reader& r, const toml::table& t, SimConfig& c) {
  const std::string where = "bpjs";
  r.known_keys(t, where,
               {"enabled", "listen", "timestamp_skew_seconds", "auth_failure_status", "pcare_not_found_status",
                "pcare_encrypt_errors", "consumers", "faults"});
  r.read_bool(t, where, "enabled", c.bpjs_enabled);
  std::string listen;
  r.read_string(t, where, "listen", listen);
  if (!listen.empty() && !parse_listen(listen, c.bpjs_listen))
    r.problem(t.get("listen"), "bpjs.listen", "must be HOST:PORT, got '" + listen + "'");
  r.read_int(t, where, "timestamp_skew_seconds", c.bpjs.timestamp_skew_seconds, 0, 7LL * 24 * 3600);
  r.read_int(t, where, "auth_failure_status", c.bpjs.auth_failure_status, 200, 599);
  r.read_int(t, where, "pcare_not_found_status", c.bpjs.pcare_not_found_status, 200, 599);
  r.read_bool(t, where, "pcare_encrypt_errors", c.bpjs.pcare_encrypt_errors);
  if (const toml::node* n = t.get("consumers")) {
    c.bpjs.consumers.clear();  // the file's consumers replace the demo one
    r.each_table(
        *n, "bpjs.consumers", "must be a non-empty array of tables ([[bpjs.consumers]])",
        [&](const toml::table& ct, const std::string& w) { c.bpjs.consumers.push_back(read_consumer(r, ct, w)); },
        /*non_empty=*/true);
  }
  if (const toml::table* f = r.table(t, where, "faults")) read_faults(r, *f, "bpjs.faults", c.bpjs.faults);
}

sim::SatusehatClient read_satusehat_client(Reader& r, const toml::table& t, const std::string& w) {
  r.known_keys(t, w, {"client_id", "client_secret", "organization_id"});
  sim::SatusehatClient c;
  r.read_string(t, w, "client_id", c.client_id);
  r.read_string(t, w, "client_secret", c.client_secret);
  r.read_string(t, w, "organization_id", c.organization_id);
  if (c.client_id.empty() || c.client_secret.empty() || c.organization_id.empty())
    r.problem(&t, w, "client_id, client_secret and organization_id must not be empty");
  return c;
}

void read_satusehat(Reader& r, const toml::table& t, SimConfig& c) {
  const std::string where = "satusehat";
  r.known_keys(t, where,
               {"enabled", "listen", "token_lifetime_seconds", "duplicate_status", "retry_after_seconds", "clients",
                "faults"});
  r.read_bool(t, where, "enabled", c.satusehat_enabled);
  std::string listen;
  r.read_string(t, where, "listen", listen);
  if (!listen.empty() && !parse_listen(listen, c.satusehat_listen))
    r.problem(t.get("listen"), "satusehat.listen", "must be HOST:PORT, got '" + listen + "'");
  r.read_int(t, where, "token_lifetime_seconds", c.satusehat.token_lifetime_seconds, 1, 7LL * 24 * 3600);
  r.read_int(t, where, "duplicate_status", c.satusehat.duplicate_status, 200, 599);
  r.read_int(t, where, "retry_after_seconds", c.satusehat.retry_after_seconds, 0, 86'400);
  if (const toml::node* n = t.get("clients")) {
    c.satusehat.clients.clear();  // the file's clients replace the demo one
    r.each_table(
        *n, "satusehat.clients", "must be a non-empty array of tables ([[satusehat.clients]])",
        [&](const toml::table& ct, const std::string& w) {
          c.satusehat.clients.push_back(read_satusehat_client(r, ct, w));
        },
        /*non_empty=*/true);
  }
  if (const toml::table* f = r.table(t, where, "faults")) read_faults(r, *f, "satusehat.faults", c.satusehat.faults);
}

// Parses the fault flags shared by `sim` and `sim bpjs` onto every simulator's faults.
bool apply_fault_flags(const ParsedOptions& o, sim::FaultConfig& f, const std::string& cmd) {
  auto bad = [&](const std::string& flag, const std::string& want) {
    std::cerr << "simpul " << cmd << ": --" << flag << " must be " << want << ", got '" << o.get(flag) << "'\n";
    return false;
  };
  auto whole = [&](const std::string& flag, std::uint64_t max, std::uint64_t& out) {
    const std::string& v = o.get(flag);
    if (v.empty() || v.size() > 19 || v.find_first_not_of("0123456789") != std::string::npos) return false;
    const std::uint64_t n = std::stoull(v);
    if (n > max) return false;
    out = n;
    return true;
  };
  std::uint64_t n = 0;
  if (o.has("latency-ms")) {
    if (!whole("latency-ms", 3'600'000, n)) return bad("latency-ms", "milliseconds 0..3600000");
    f.latency_ms = static_cast<std::uint32_t>(n);
  }
  if (o.has("jitter-ms")) {
    if (!whole("jitter-ms", 3'600'000, n)) return bad("jitter-ms", "milliseconds 0..3600000");
    f.jitter_ms = static_cast<std::uint32_t>(n);
  }
  if (o.has("seed")) {
    if (!whole("seed", UINT64_MAX, n)) return bad("seed", "a non-negative whole number");
    f.seed = n;
  }
  if (o.has("error-rate")) {
    const std::string& v = o.get("error-rate");
    char* end = nullptr;
    const double p = std::strtod(v.c_str(), &end);
    if (!end || *end || !(p >= 0.0 && p <= 1.0)) return bad("error-rate", "a probability between 0 and 1");
    f.error_rate = p;
  }
  return true;
}

}  // namespace

SimConfig load_sim_config(const std::string& path) {
  const toml::table doc = parse_toml_file<SimConfigError>(path);
  SimConfig c;
  Reader r(path);
  r.known_keys(doc, "", {"sim", "bpjs", "satusehat"});
  if (const toml::table* s = r.table(doc, "", "sim")) {
    r.known_keys(*s, "sim", {"threads", "log_level"});
    r.read_int(*s, "sim", "threads", c.threads, 0, 256);
    r.read_string(*s, "sim", "log_level", c.log_level);
    obs::Level level;
    if (!obs::parse_level(c.log_level, level))
      r.problem(s->get("log_level"), "sim.log_level", "must be debug, info, warn or error");
  }
  if (const toml::table* b = r.table(doc, "", "bpjs")) read_bpjs(r, *b, c);
  if (const toml::table* s = r.table(doc, "", "satusehat")) read_satusehat(r, *s, c);
  r.throw_problems<SimConfigError>();
  return c;
}

int sim_command(const ParsedOptions& o, const std::string& only) {
  const std::string cmd = only.empty() ? "sim" : "sim " + only;
  SimConfig config;
  if (o.has("config")) {
    try {
      config = load_sim_config(o.get("config"));
    } catch (const SimConfigError& e) {
      std::cerr << e.what() << "\n";
      return 1;
    }
  }
  auto listen_flag = [&](const std::string& service, SimListen& out) {
    const std::string flag = only == service ? "listen" : service + "-listen";
    if (o.has(flag) && !parse_listen(o.get(flag), out)) {
      std::cerr << "simpul " << cmd << ": --" << flag << " must be HOST:PORT, got '" << o.get(flag) << "'\n";
      return false;
    }
    return true;
  };
  if (!listen_flag("bpjs", config.bpjs_listen) || !listen_flag("satusehat", config.satusehat_listen)) return 2;
  for (auto* faults : {&config.bpjs.faults, &config.satusehat.faults}) {
    if (!apply_fault_flags(o, *faults, cmd)) return 2;
    if (auto problem = connectors::sim::validate(*faults)) {
      std::cerr << "simpul " << cmd << ": faults: " << *problem << "\n";
      return 2;
    }
  }
  if (only == "bpjs") config.bpjs_enabled = true;
  if (only == "satusehat") config.satusehat_enabled = true;

  obs::Level level = obs::Level::info;
  obs::parse_level(config.log_level, level);
  obs::configure_logging(level);

  // The simulators this process runs. A new simulator is one more entry.
  struct Entry {
    std::string service;
    SimListen listen;
    std::shared_ptr<sim::Simulator> simulator;
  };
  std::vector<Entry> entries;
  if (config.bpjs_enabled && (only.empty() || only == "bpjs"))
    entries.push_back({"bpjs", config.bpjs_listen, std::make_shared<sim::BpjsSimulator>(config.bpjs)});
  if (config.satusehat_enabled && (only.empty() || only == "satusehat"))
    entries.push_back(
        {"satusehat", config.satusehat_listen, std::make_shared<sim::SatusehatSimulator>(config.satusehat)});
  if (entries.empty()) {
    std::cerr << "simpul " << cmd << ": no simulator enabled (see docs/simulators.md)\n";
    return 1;
  }

  const unsigned threads = config.threads ? config.threads : std::max(1u, std::thread::hardware_concurrency());
  asio::io_context ioc(static_cast<int>(threads));
  std::vector<std::unique_ptr<sim::Listener>> listeners;
  for (const auto& e : entries) {
    sim::ListenerOptions lo;
    lo.address = e.listen.address;
    lo.port = e.listen.port;
    auto l = std::make_unique<sim::Listener>(ioc, lo, e.simulator);
    try {
      l->start();
    } catch (const std::exception& ex) {
      std::cerr << "simpul " << cmd << ": " << e.service << ": " << ex.what() << "\n";
      return 1;
    }
    obs::log(obs::Level::info, "listening",
             {{"service", e.service},
              {"address", e.listen.address},
              {"port", static_cast<unsigned>(l->port())},
              {"simulator", true}});
    listeners.push_back(std::move(l));
  }

  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    obs::log(obs::Level::info, "shutting down", {{"signal", sig}});
    for (auto& l : listeners) l->stop();
    ioc.stop();
  });

  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
  listeners.clear();
  obs::log(obs::Level::info, "stopped");
  obs::flush_logs();
  return 0;
}

}  // namespace simpul::adapter
