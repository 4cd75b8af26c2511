#pragma once
// Audit records for route handlers (docs/pdp.md, "What is recorded"): a handler is
// wrapped once at registration; it fills in what only it knows (the data subject, the
// resource id, the destination) on the entry it is given, and the wrapper records the
// entry with the outcome - the HTTP status of the answer, or of the error - whatever
// happens. One request, one record.
#include <exception>
#include <optional>
#include <string>
#include <utility>

#include <boost/asio/awaitable.hpp>

#include "adapter/app.hpp"
#include "adapter/audit/audit.hpp"
#include "fhir/error.hpp"

namespace simpul::adapter {

// The actor of a request: "client:<name>" of its API client.
std::string audit_actor(const RequestContext& ctx);

// handler(ctx, entry) -> awaitable<Response>; `base` gives action, purpose, event, resource type.
template <class Handler>
RouteHandler audited(audit::Recorder& recorder, audit::AuditEntry base, Handler handler) {
  return [&recorder, base = std::move(base),
          handler = std::move(handler)](RequestContext& ctx) -> boost::asio::awaitable<connectors::http::Response> {
    audit::AuditEntry entry = base;
    if (ctx.principal && ctx.principal->tenant) entry.tenant = ctx.principal->tenant->id;
    entry.actor = audit_actor(ctx);
    entry.request_id = ctx.request_id;
    std::exception_ptr failure;
    std::optional<connectors::http::Response> response;
    try {
      connectors::http::Response answer = co_await handler(ctx, entry);
      response.emplace(std::move(answer));
    } catch (const fhir::Error& e) {
      entry.outcome = std::to_string(e.status());
      failure = std::current_exception();
    } catch (...) {
      entry.outcome = "500";
      failure = std::current_exception();
    }
    if (response) {
      const unsigned status = response->result_int();
      entry.outcome = status < 400 ? "success" : std::to_string(status);
    }
    recorder.record(std::move(entry));
    if (failure) std::rethrow_exception(failure);
    co_return std::move(*response);
  };
}

}  // namespace simpul::adapter
