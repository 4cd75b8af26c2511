#pragma once
// The outbox admin API (docs/operations.md), all under /admin with the `admin` role, each
// call on the caller's own tenant only (another tenant's items and destinations: 403):
//   GET  /admin/outbox?tenant=&destination=&status=&older_than=&before_id=&limit=   list
//   GET  /admin/outbox/{id}                          one item with its attempts
//   POST /admin/outbox/{id}/retry                    due again now, payload as stored
//   POST /admin/outbox/replay?status=&destination=&since=&until=&limit=   re-rendered, due now
//   GET  /admin/destinations/{tenant}                suspended destinations
//   POST /admin/destinations/{tenant}/{destination}/suspend?reason=   and  .../resume
// Payload bytes are never shown (personal data): their size and SHA-256 only. Every call
// leaves an audit record (purpose HOPERAT).
#include "adapter/app.hpp"
#include "adapter/outbox/engine.hpp"
#include "adapter/store/store.hpp"

namespace simpul::adapter {

void add_outbox_routes(App& app, store::Store& store, outbox::Engine& engine);

}  // namespace simpul::adapter
