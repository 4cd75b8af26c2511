// `simpul serve`: config -> logging -> store -> app -> listener, then run the
// io_context on a thread per core until SIGTERM/SIGINT.
#include <csignal>
#include <iostream>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "adapter/app.hpp"
#include "adapter/audit/audit_log.hpp"
#include "adapter/auth.hpp"
#include "adapter/bpjs_upstream.hpp"
#include "adapter/cli.hpp"
#include "adapter/config.hpp"
#include "adapter/intake_routes.hpp"
#include "adapter/measure_routes.hpp"
#include "adapter/outbox/engine.hpp"
#include "adapter/outbox/pcare_destination.hpp"
#include "adapter/outbox/registry_destination.hpp"
#include "adapter/outbox/satusehat_destination.hpp"
#include "adapter/outbox_routes.hpp"
#include "adapter/reference_routes.hpp"
#include "adapter/registry_routes.hpp"
#include "adapter/sep_routes.hpp"
#include "adapter/store/store.hpp"
#include "adapter/vclaim_routes.hpp"
#include "adapter/version.hpp"
#include "connectors/sim/bpjs_sim.hpp"
#include "connectors/sim/listener.hpp"
#include "connectors/sim/satusehat_sim.hpp"
#include "connectors/http/server.hpp"
#include "connectors/observability/log.hpp"
#include "connectors/observability/metrics.hpp"

namespace simpul::adapter {

namespace obs = connectors::obs;
namespace asio = boost::asio;

namespace {

// Demo keys are printed in the README: they must never guard a reachable port.
std::string demo_key_problem(const Config& c) {
  if (is_loopback_address(c.listen_address)) return {};
  for (const auto& t : c.tenants)
    for (const auto& k : t.clients)
      if (is_demo_key_hash(k.key_sha256))
        return c.path + ":" + std::to_string(k.line) + ": tenants." + t.id + ".clients." + k.name +
               ": this is a published demo API key; refusing to listen on non-loopback address " +
               c.listen_address + " (replace the key, or listen on 127.0.0.1)";
  return {};
}

// `[bpjs] endpoint = "simulator"`: the built-in BPJS simulator on a loopback
// port, accepting exactly the tenants' (resolved) credentials.
std::unique_ptr<connectors::sim::Listener> start_bpjs_simulator(asio::io_context& ioc, const Config& config) {
  namespace sim = connectors::sim;
  sim::BpjsSimOptions options;
  options.consumers.clear();
  for (const Tenant& t : config.tenants) {
    connectors::bpjs::BpjsCredentials c;
    if (!tenant_bpjs_credentials(config, t, c)) continue;
    bool seen = false;
    for (const auto& known : options.consumers) seen = seen || known.cons_id == c.cons_id;
    if (seen) continue;
    sim::BpjsConsumer consumer;
    consumer.cons_id = c.cons_id;
    consumer.secret = c.secret_key;
    if (!c.user_key_vclaim.empty()) consumer.user_key_vclaim = c.user_key_vclaim;
    if (!c.user_key_pcare.empty()) consumer.user_key_pcare = c.user_key_pcare;
    if (!c.user_key_antrean.empty()) consumer.user_key_antrean = c.user_key_antrean;
    if (!c.pcare_username.empty()) consumer.pcare_username = c.pcare_username;
    if (!c.pcare_password.empty()) consumer.pcare_password = c.pcare_password;
    consumer.pcare_app_code = c.kd_aplikasi;
    options.consumers.push_back(std::move(consumer));
  }
  if (options.consumers.empty()) options.consumers.emplace_back();  // the published demo consumer
  auto listener = std::make_unique<sim::Listener>(ioc, sim::ListenerOptions{},
                                                  std::make_shared<sim::BpjsSimulator>(std::move(options)));
  listener->start();
  return listener;
}

// `[satusehat] endpoint = "simulator"`: the built-in SATUSEHAT simulator on a loopback
// port, accepting exactly the tenants' (resolved) client credentials for their organizations.
std::unique_ptr<connectors::sim::Listener> start_satusehat_simulator(asio::io_context& ioc, const Config& config) {
  namespace sim = connectors::sim;
  sim::SatusehatSimOptions options;
  options.clients.clear();
  for (const Tenant& t : config.tenants) {
    connectors::satusehat::SatusehatCredentials c;
    if (!outbox::tenant_satusehat_credentials(config, t, c)) continue;
    options.clients.push_back({c.client_id, c.client_secret, c.organization_id});
  }
  if (options.clients.empty()) options.clients.emplace_back();  // the published demo client
  auto listener = std::make_unique<sim::Listener>(ioc, sim::ListenerOptions{},
                                                  std::make_shared<sim::SatusehatSimulator>(std::move(options)));
  listener->start();
  return listener;
}

}  // namespace

int serve_command(const std::string& config_path, const std::string& listen_override) {
  Config config;
  try {
    config = load_config(config_path);
  } catch (const ConfigError& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  if (!listen_override.empty()) {
    const auto colon = listen_override.rfind(':');
    char* end = nullptr;
    const long port = colon == std::string::npos ? -1 : std::strtol(listen_override.c_str() + colon + 1, &end, 10);
    if (colon == std::string::npos || colon == 0 || port < 0 || port > 65535 || (end && *end)) {
      std::cerr << "simpul serve: --listen must be HOST:PORT, got '" << listen_override << "'\n";
      return 2;
    }
    config.listen_address = listen_override.substr(0, colon);
    if (config.listen_address == "localhost") config.listen_address = "127.0.0.1";
    config.listen_port = static_cast<std::uint16_t>(port);
  }
  if (auto problem = demo_key_problem(config); !problem.empty()) {
    std::cerr << problem << "\n";
    return 1;
  }

  obs::Level level = obs::Level::info;
  obs::parse_level(config.log_level, level);
  obs::configure_logging(level, config.log_file);

  obs::Registry metrics;
  std::unique_ptr<store::Store> store;
  try {
    store::StoreOptions so;
    so.url = config.store_url;
    so.busy_timeout_ms = config.store_busy_timeout_ms;
    so.synchronous = *store::parse_synchronous_mode(config.store_synchronous);
    so.max_batch_size = config.store_max_batch;
    so.reader_connections = config.store_readers;
    so.on_latency = [&metrics](std::string_view op, double seconds) {
      metrics.histogram("simpul_store_operation_duration_seconds", "Store operation latency.", {{"op", std::string(op)}})
          .observe(seconds);
    };
    store = store::open_store(so);
  } catch (const std::exception& e) {
    std::cerr << "simpul serve: cannot open the store: " << e.what() << "\n";
    return 1;
  }

  // The audit trail (docs/pdp.md): a missing or bad [audit] key stops start-up here.
  std::unique_ptr<audit::AuditLog> audit_log;
  try {
    auto options = audit::audit_options(config);
    options.metrics = &metrics;
    audit_log = std::make_unique<audit::AuditLog>(*store, std::move(options));
  } catch (const std::exception& e) {
    std::cerr << "simpul serve: audit: " << e.what() << "\n";
    return 1;
  }

  const unsigned threads = config.threads ? config.threads : std::max(1u, std::thread::hardware_concurrency());
  asio::io_context ioc(static_cast<int>(threads));
  App app(config, *store, metrics, *audit_log);

  std::unique_ptr<connectors::sim::Listener> bpjs_simulator;
  std::unique_ptr<BpjsUpstream> bpjs;
  try {
    connectors::bpjs::BpjsEndpoints endpoints = bpjs_endpoints(config.bpjs);
    if (config.bpjs.endpoint == "simulator") {
      bpjs_simulator = start_bpjs_simulator(ioc, config);
      endpoints = connectors::bpjs::BpjsEndpoints::at("http://127.0.0.1:" + std::to_string(bpjs_simulator->port()));
      obs::log_always(obs::Level::info, "bpjs simulator",
                      {{"port", static_cast<unsigned>(bpjs_simulator->port())}, {"demo_only", true}});
    }
    bpjs = std::make_unique<BpjsUpstream>(ioc, config, std::move(endpoints), metrics);
  } catch (const std::exception& e) {
    std::cerr << "simpul serve: BPJS: " << e.what() << "\n";
    return 1;
  }
  add_vclaim_routes(app, *bpjs, config);
  add_sep_routes(app, *bpjs, *store, config);
  add_reference_routes(app, *bpjs, *store, metrics, config);

  // The outbox delivery engine (docs/operations.md) and its destinations; POST /fhir feeds it.
  outbox::EngineOptions outbox_options;
  outbox_options.settings = config.outbox;
  outbox::Engine outbox_engine(ioc, *store, metrics, std::move(outbox_options));
  outbox_engine.add_destination(std::make_shared<outbox::PcareDestination>(*bpjs));
  std::unique_ptr<connectors::sim::Listener> satusehat_simulator;
  try {
    auto endpoints = outbox::satusehat_endpoints(config.satusehat);
    if (config.satusehat.endpoint == "simulator") {
      satusehat_simulator = start_satusehat_simulator(ioc, config);
      endpoints = outbox::satusehat_endpoints_at("http://127.0.0.1:" + std::to_string(satusehat_simulator->port()));
      obs::log_always(obs::Level::info, "satusehat simulator",
                      {{"port", static_cast<unsigned>(satusehat_simulator->port())}, {"demo_only", true}});
    }
    outbox_engine.add_destination(std::make_shared<outbox::SatusehatDestination>(ioc, config, std::move(endpoints)));
  } catch (const std::exception& e) {
    std::cerr << "simpul serve: SATUSEHAT: " << e.what() << "\n";
    return 1;
  }
  // The registry this facility reports MeasureReports to, and the registry role (docs/registry.md).
  try {
    if (!config.registry.endpoint.empty())
      outbox_engine.add_destination(
          std::make_shared<outbox::RegistryDestination>(ioc, config, outbox::registry_endpoints(config.registry)));
    add_registry_routes(app, *store, config);
  } catch (const std::exception& e) {
    std::cerr << "simpul serve: registry: " << e.what() << "\n";
    return 1;
  }
  add_outbox_routes(app, *store, outbox_engine);
  add_intake_routes(app, *store, outbox_engine, config);
  add_measure_routes(app);

  connectors::http::ServerOptions so;
  so.address = config.listen_address;
  so.port = config.listen_port;
  so.tls_cert_file = config.tls_cert_file;
  so.tls_key_file = config.tls_key_file;
  so.header_limit = config.limits.max_header_bytes;
  so.body_limit = config.limits.max_body_bytes;
  so.max_connections = config.limits.max_connections;
  so.read_timeout = config.limits.read_timeout;
  so.write_timeout = config.limits.write_timeout;
  so.idle_timeout = config.limits.idle_timeout;
  connectors::http::Server server(
      ioc, so,
      [&app](connectors::http::Request& req, const connectors::http::RequestInfo& info) {
        return app.handle(req, info);
      },
      &metrics);
  try {
    server.start();
  } catch (const std::exception& e) {
    std::cerr << "simpul serve: " << e.what() << "\n";
    return 1;
  }
  metrics.gauge("simpul_build_info", "Build information.", {{"version", SIMPUL_VERSION}}).set(1);
  outbox_engine.start();

  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    obs::log_always(obs::Level::info, "shutting down", {{"signal", sig}, {"open_connections", server.active_connections()}});
    // The simulator stops after the drain: in-flight requests may still be calling it.
    // In-flight outbox attempts finish (or their leases lapse and they are reconciled later).
    server.shutdown(config.limits.shutdown_grace, [&] {
      outbox_engine.stop(config.limits.shutdown_grace, [&ioc, &bpjs_simulator, &satusehat_simulator] {
        if (bpjs_simulator) bpjs_simulator->stop();
        if (satusehat_simulator) satusehat_simulator->stop();
        ioc.stop();
      });
    });
  });

  obs::log_always(obs::Level::info, "listening",
           {{"address", config.listen_address},
            {"port", static_cast<unsigned>(server.port())},
            {"tls", !config.tls_cert_file.empty()},
            {"threads", threads},
            {"tenants", static_cast<std::uint64_t>(config.tenants.size())},
            {"store", config.store_url.rfind("sqlite:", 0) == 0 ? "sqlite" : "postgresql"},
            {"version", SIMPUL_VERSION}});

  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
  audit_log->close();  // every record durable, the last tree heads signed
  // The store before the io_context: its last completions post to the (stopped) io_context,
  // whose destruction then destroys them; the other way round they would touch freed
  // strands (found by ASan in the outbox engine test).
  store.reset();
  obs::log_always(obs::Level::info, "stopped");
  obs::flush_logs();
  return 0;
}

}  // namespace simpul::adapter
