#include "adapter/outbox_routes.hpp"

#include <cctype>
#include <charconv>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "adapter/route_audit.hpp"
#include "adapter/store/await.hpp"
#include "connectors/http/response.hpp"
#include "connectors/observability/log.hpp"
#include "fhir/error.hpp"

namespace simpul::adapter {

namespace {

namespace http = connectors::http;
namespace obs = connectors::obs;
using boost::asio::awaitable;
using store::OutboxStatus;

struct Deps {
  store::Store& store;
  outbox::Engine& engine;
};

std::optional<std::int64_t> parse_int(std::string_view s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::int64_t int_param(const RequestContext& ctx, std::string_view name, std::int64_t fallback, std::int64_t min,
                       std::int64_t max) {
  const std::string text = ctx.param(name);
  if (text.empty()) return fallback;
  auto v = parse_int(text);
  if (!v || *v < min || *v > max)
    throw fhir::Error::value(
        std::string(name) + " must be an integer from " + std::to_string(min) + " to " + std::to_string(max) + ".",
        std::string(name));
  return *v;
}

// The caller's tenant; a different one named in the request is refused.
const std::string& own_tenant(const RequestContext& ctx, const std::string& named) {
  const std::string& mine = ctx.principal->tenant->id;
  if (!named.empty() && named != mine)
    throw fhir::Error::forbidden("This API key belongs to another tenant.", {},
                                 "tenant mismatch: key of " + mine + " asked for " + named);
  return mine;
}

[[noreturn]] void rethrow_store(const store::StoreError& e) {
  if (e.retryable())
    throw fhir::Error::unavailable("The store is busy; retry later.", {}, e.what()).with_header("Retry-After", "5");
  if (e.code() == store::StoreErrc::not_found) throw fhir::Error::not_found("No such outbox item.", {}, e.what());
  if (e.code() == store::StoreErrc::invalid_argument) throw fhir::Error::invalid(e.what(), {}, e.what());
  throw fhir::Error::internal("The store failed.", {}, e.what());
}

std::string json_str(std::string_view s) {
  std::string out;
  obs::append_json_string(out, s);
  return out;
}

void field(std::string& out, std::string_view key, std::string_view raw) {
  if (out.back() != '{') out += ',';
  out += json_str(key);
  out += ':';
  out += raw;
}

std::string item_json(const store::OutboxItem& i) {
  std::string o = "{";
  field(o, "id", std::to_string(i.id));
  field(o, "tenant", json_str(i.tenant));
  field(o, "destination", json_str(i.destination));
  field(o, "source_type", json_str(i.source_type));
  field(o, "source_id", json_str(i.source_id));
  field(o, "source_version", json_str(i.source_version));
  field(o, "status", json_str(store::to_string(i.status)));
  field(o, "attempts", std::to_string(i.attempts));
  field(o, "next_attempt_at", std::to_string(i.next_attempt_at));
  field(o, "created_at", std::to_string(i.created_at));
  field(o, "updated_at", std::to_string(i.updated_at));
  if (i.replayed_at) field(o, "replayed_at", std::to_string(i.replayed_at));
  if (!i.lease_owner.empty()) {
    field(o, "lease_owner", json_str(i.lease_owner));
    field(o, "lease_until", std::to_string(i.lease_until));
  }
  if (!i.last_error.empty()) field(o, "last_error", json_str(i.last_error));
  if (!i.upstream_id.empty()) field(o, "upstream_id", json_str(i.upstream_id));
  if (i.depends_on) field(o, "depends_on", std::to_string(*i.depends_on));
  // Never the payload itself: it carries personal data.
  field(o, "payload_size", std::to_string(i.payload.size()));
  field(o, "payload_sha256", json_str(i.payload_hash));
  o += '}';
  return o;
}

std::string attempt_json(const store::OutboxAttempt& a) {
  std::string o = "{";
  field(o, "attempt", std::to_string(a.attempt_no));
  field(o, "worker", json_str(a.worker));
  field(o, "started_at", std::to_string(a.started_at));
  field(o, "ended_at", std::to_string(a.ended_at));
  field(o, "outcome", json_str(store::to_string(a.outcome)));
  if (a.http_status) field(o, "http_status", std::to_string(*a.http_status));
  if (!a.error.empty()) field(o, "error", json_str(a.error));
  o += '}';
  return o;
}

http::Response json_response(std::string body) {
  body += '\n';
  return http::make_response(200, std::move(body), "application/json");
}

std::optional<OutboxStatus> status_param(const RequestContext& ctx) {
  const std::string text = ctx.param("status");
  if (text.empty()) return std::nullopt;
  auto s = store::parse_outbox_status(text);
  if (!s)
    throw fhir::Error::value("status must be one of pending, in_flight, retrying, delivered, dead, held, suspended.",
                             "status");
  return s;
}

std::int64_t item_id(const RequestContext& ctx) {
  auto id = parse_int(ctx.path_params.at("id"));
  if (!id || *id <= 0) throw fhir::Error::not_found("No such outbox item.", {}, "outbox id not a number");
  return *id;
}

// The item's owner must be the caller's tenant: 403 for another tenant's, 404 for none.
void check_item_tenant(Deps& d, const RequestContext& ctx, std::int64_t id) {
  std::optional<std::string> owner;
  try {
    owner = d.store.outbox_item_tenant(id);
  } catch (const store::StoreError& e) {
    rethrow_store(e);
  }
  if (!owner) throw fhir::Error::not_found("No such outbox item.", {}, "outbox item " + std::to_string(id));
  own_tenant(ctx, *owner);
}

awaitable<http::Response> list(Deps& d, RequestContext& ctx, audit::AuditEntry& entry) {
  store::OutboxFilter f;
  f.tenant = own_tenant(ctx, ctx.param("tenant"));
  if (auto dest = ctx.param("destination"); !dest.empty()) f.destination = dest;
  entry.destination = f.destination.value_or("");
  f.status = status_param(ctx);
  if (auto older = int_param(ctx, "older_than", -1, 0, 100LL * 365 * 24 * 3600); older >= 0)
    f.created_before = store::system_clock_millis() - older * 1000;
  f.before_id = int_param(ctx, "before_id", 0, 0, INT64_MAX);
  f.limit = static_cast<std::size_t>(int_param(ctx, "limit", 100, 1, 1000));
  std::vector<store::OutboxItem> items;
  try {
    items = d.store.list_outbox(f);
  } catch (const store::StoreError& e) {
    rethrow_store(e);
  }
  std::string o = "{";
  field(o, "tenant", json_str(f.tenant));
  field(o, "count", std::to_string(items.size()));
  std::string arr = "[";
  for (const auto& i : items) {
    if (arr.size() > 1) arr += ',';
    arr += item_json(i);
  }
  arr += ']';
  field(o, "items", arr);
  // Paging: the next page is before_id = the last id shown.
  if (items.size() == f.limit) field(o, "next_before_id", std::to_string(items.back().id));
  o += '}';
  co_return json_response(std::move(o));
}

awaitable<http::Response> show(Deps& d, RequestContext& ctx, audit::AuditEntry& entry) {
  const std::int64_t id = item_id(ctx);
  entry.resource_id = std::to_string(id);
  check_item_tenant(d, ctx, id);
  const std::string& tenant = ctx.principal->tenant->id;
  std::optional<store::OutboxItem> item;
  std::vector<store::OutboxAttempt> attempts;
  try {
    item = d.store.get_outbox_item(tenant, id);
    attempts = d.store.get_outbox_attempts(tenant, id);
  } catch (const store::StoreError& e) {
    rethrow_store(e);
  }
  if (!item) throw fhir::Error::not_found("No such outbox item.", {}, "outbox item vanished");
  entry.destination = item->destination;
  std::string arr = "[";
  for (const auto& a : attempts) {
    if (arr.size() > 1) arr += ',';
    arr += attempt_json(a);
  }
  arr += ']';
  std::string o = "{";
  field(o, "item", item_json(*item));
  field(o, "attempts", arr);
  o += '}';
  co_return json_response(std::move(o));
}

std::string reset_json(const store::OutboxResetResult& r) {
  std::string o = "{";
  field(o, "id", std::to_string(r.id));
  field(o, "reset", r.reset ? "true" : "false");
  field(o, "status", json_str(store::to_string(r.status)));
  if (r.payload_changed) field(o, "payload_changed", "true");
  o += '}';
  return o;
}

awaitable<http::Response> retry(Deps& d, RequestContext& ctx, audit::AuditEntry& entry) {
  const std::int64_t id = item_id(ctx);
  entry.resource_id = std::to_string(id);
  check_item_tenant(d, ctx, id);
  std::string tenant = ctx.principal->tenant->id;
  std::vector<store::OutboxReset> resets(1);
  resets[0].id = id;
  std::vector<store::OutboxResetResult> results;
  try {
    results = co_await store::await<std::vector<store::OutboxResetResult>>(
        [&](store::Store::Completion<std::vector<store::OutboxResetResult>> done) {
          d.store.reset_outbox(tenant, resets, std::move(done));
        });
  } catch (const store::StoreError& e) {
    rethrow_store(e);
  }
  const store::OutboxResetResult& r = results.at(0);
  if (!r.reset)
    throw fhir::Error::conflict("The item is " + std::string(store::to_string(r.status)) +
                                    "; only items not in flight "
                                    "and not delivered can be retried.",
                                {}, "retry refused");
  if (auto item = d.store.get_outbox_item(tenant, id)) {
    entry.destination = item->destination;
    d.engine.wake(item->destination);
  }
  co_return json_response(reset_json(r));
}

awaitable<http::Response> replay(Deps& d, RequestContext& ctx, audit::AuditEntry& entry) {
  store::OutboxFilter f;
  f.tenant = own_tenant(ctx, ctx.param("tenant"));
  if (auto dest = ctx.param("destination"); !dest.empty()) f.destination = dest;
  entry.destination = f.destination.value_or("");
  f.status = status_param(ctx).value_or(OutboxStatus::dead);
  if (*f.status == OutboxStatus::delivered || *f.status == OutboxStatus::in_flight)
    throw fhir::Error::value(
        "Only pending, retrying, dead, held or suspended items can be replayed (a delivered "
        "item is corrected by a new version of its source resource).",
        "status");
  if (auto since = int_param(ctx, "since", -1, 0, INT64_MAX); since >= 0) f.created_after = since;
  if (auto until = int_param(ctx, "until", -1, 0, INT64_MAX); until >= 0) f.created_before = until;
  f.limit = static_cast<std::size_t>(int_param(ctx, "limit", 1000, 1, 10000));
  std::vector<store::OutboxItem> items;
  try {
    items = d.store.list_outbox(f);
  } catch (const store::StoreError& e) {
    rethrow_store(e);
  }
  std::size_t rerendered = 0;
  std::vector<store::OutboxReset> resets;
  std::set<std::string> destinations;
  for (const auto& item : items) {
    store::OutboxReset r;
    r.id = item.id;
    if (auto dest = d.engine.destination(item.destination)) {
      try {
        r.payload = dest->rerender(item);
      } catch (const std::exception& e) {
        throw fhir::Error::unprocessable(
            "Item " + std::to_string(item.id) + " cannot be rendered with the current mapping; nothing was replayed.",
            {}, e.what());
      }
      if (r.payload) ++rerendered;
    }
    destinations.insert(item.destination);
    resets.push_back(std::move(r));
  }
  std::vector<store::OutboxResetResult> results;
  if (!resets.empty()) {
    std::string tenant = f.tenant;
    try {
      results = co_await store::await<std::vector<store::OutboxResetResult>>(
          [&](store::Store::Completion<std::vector<store::OutboxResetResult>> done) {
            d.store.reset_outbox(tenant, resets, std::move(done));
          });
    } catch (const store::StoreError& e) {
      rethrow_store(e);
    }
  }
  for (const auto& dest : destinations) d.engine.wake(dest);
  std::size_t replayed = 0, changed = 0;
  std::string ids = "[";
  for (const auto& r : results) {
    if (!r.reset) continue;
    ++replayed;
    if (r.payload_changed) ++changed;
    if (ids.size() > 1) ids += ',';
    ids += std::to_string(r.id);
  }
  ids += ']';
  entry.resource_id = "replay:" + std::to_string(replayed);
  std::string o = "{";
  field(o, "matched", std::to_string(items.size()));
  field(o, "replayed", std::to_string(replayed));
  field(o, "rerendered", std::to_string(rerendered));
  field(o, "payload_changed", std::to_string(changed));
  field(o, "ids", ids);
  o += '}';
  co_return json_response(std::move(o));
}

bool valid_destination_name(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
  return true;
}

awaitable<http::Response> suspend_or_resume(Deps& d, RequestContext& ctx, audit::AuditEntry& entry, bool suspend) {
  std::string tenant = own_tenant(ctx, ctx.path_params.at("tenant"));
  std::string destination = ctx.path_params.at("destination");
  if (!valid_destination_name(destination))
    throw fhir::Error::value("destination must be 1-64 characters of letters, digits, '-', '_' or '.'.", "destination");
  entry.destination = destination;
  bool changed = false;
  try {
    if (suspend) {
      store::OutboxSuspension s;
      s.tenant = tenant;
      s.destination = destination;
      s.actor = audit_actor(ctx);
      s.reason = ctx.param("reason");
      changed = co_await store::await<bool>(
          [&](store::Store::Completion<bool> done) { d.store.suspend_outbox(s, std::move(done)); });
    } else {
      changed = co_await store::await<bool>(
          [&](store::Store::Completion<bool> done) { d.store.resume_outbox(tenant, destination, std::move(done)); });
      d.engine.wake(destination);
    }
  } catch (const store::StoreError& e) {
    rethrow_store(e);
  }
  obs::log(obs::Level::info, suspend ? "outbox destination suspended" : "outbox destination resumed",
           {{"tenant", tenant}, {"destination", destination}, {"changed", changed}, {"actor", entry.actor}});
  std::string o = "{";
  field(o, "tenant", json_str(tenant));
  field(o, "destination", json_str(destination));
  field(o, "suspended", suspend ? "true" : "false");
  field(o, "changed", changed ? "true" : "false");
  o += '}';
  co_return json_response(std::move(o));
}

awaitable<http::Response> suspensions(Deps& d, RequestContext& ctx, audit::AuditEntry&) {
  const std::string& tenant = own_tenant(ctx, ctx.path_params.at("tenant"));
  std::vector<store::OutboxSuspension> list;
  try {
    list = d.store.list_outbox_suspensions(tenant);
  } catch (const store::StoreError& e) {
    rethrow_store(e);
  }
  std::string arr = "[";
  for (const auto& s : list) {
    if (arr.size() > 1) arr += ',';
    std::string one = "{";
    field(one, "destination", json_str(s.destination));
    field(one, "suspended_at", std::to_string(s.suspended_at));
    field(one, "actor", json_str(s.actor));
    if (!s.reason.empty()) field(one, "reason", json_str(s.reason));
    one += '}';
    arr += one;
  }
  arr += ']';
  std::string o = "{";
  field(o, "tenant", json_str(tenant));
  std::string registered = "[";
  for (const auto& name : d.engine.destinations()) {
    if (registered.size() > 1) registered += ',';
    registered += json_str(name);
  }
  registered += ']';
  field(o, "destinations", registered);
  field(o, "suspended", arr);
  o += '}';
  co_return json_response(std::move(o));
}

}  // namespace

void add_outbox_routes(App& app, store::Store& store, outbox::Engine& engine) {
  auto deps = std::make_shared<Deps>(Deps{store, engine});
  auto route = [&](std::string method, std::string path, audit::Action action, std::string event, auto fn) {
    audit::AuditEntry base;
    base.action = action;
    base.purpose = audit::Purpose::operations;
    base.event = std::move(event);
    app.add_route({std::move(method),
                   path,
                   path,
                   true,
                   {Role::admin},
                   false,
                   audited(app.recorder(), base, [deps, fn](RequestContext& ctx, audit::AuditEntry& entry) {
                     return fn(*deps, ctx, entry);
                   })});
  };
  route("GET", "/admin/outbox", audit::Action::read, "outbox.list", list);
  route("POST", "/admin/outbox/replay", audit::Action::execute, "outbox.replay", replay);
  route("GET", "/admin/outbox/{id}", audit::Action::read, "outbox.show", show);
  route("POST", "/admin/outbox/{id}/retry", audit::Action::execute, "outbox.retry", retry);
  route("GET", "/admin/destinations/{tenant}", audit::Action::read, "outbox.suspensions", suspensions);
  route("POST", "/admin/destinations/{tenant}/{destination}/suspend", audit::Action::update, "outbox.suspend",
        [](Deps& d, RequestContext& ctx, audit::AuditEntry& e) { return suspend_or_resume(d, ctx, e, true); });
  route("POST", "/admin/destinations/{tenant}/{destination}/resume", audit::Action::update, "outbox.resume",
        [](Deps& d, RequestContext& ctx, audit::AuditEntry& e) { return suspend_or_resume(d, ctx, e, false); });
}

}  // namespace simpul::adapter
