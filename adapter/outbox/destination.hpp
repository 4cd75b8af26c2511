#pragma once
// What a destination (P-Care, SATUSEHAT, a registry) implements so the outbox engine can
// deliver to it (docs/operations.md). The engine owns scheduling, leases, retries,
// backoff, dead-lettering and ordering; a destination only speaks its upstream's protocol.
//
// Exactly-once as seen upstream: every item carries its idempotency key (tenant, source
// type/id/version, destination). When the engine cannot know whether an earlier attempt
// reached the upstream (the worker crashed holding the lease, or an attempt ended in
// `unknown`), it calls reconcile() before deliver(): a destination looks the resource up
// upstream by its identifier (e.g. the SATUSEHAT identifier system/value, the P-Care
// noKunjungan query for that visit) and answers the upstream id when it is there.
#include <chrono>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "adapter/store/store.hpp"

namespace simpul::adapter::outbox {

struct DeliveryResult {
  enum Kind {
    delivered,  // the upstream has it (upstream_id when it assigned one)
    retry,      // it certainly did not take effect (refused before processing, 5xx, 429, connect failure)
    permanent,  // it never will as it is (4xx validation, unknown patient): dead at once
    unknown,    // it may have taken effect (timeout after sending, connection lost): reconcile first
  };
  Kind kind = retry;
  std::optional<int> http_status{};
  std::string error{};  // short, no personal data: it is stored and shown to operators
  std::string upstream_id{};
  std::chrono::milliseconds retry_after{0};  // the upstream's Retry-After: the next attempt waits at least this
};

class Destination {
 public:
  virtual ~Destination() = default;

  // The outbox destination name, e.g. "pcare", "satusehat" (OutboxItem::destination).
  virtual std::string name() const = 0;

  // One attempt to send `item` (its payload is the rendered upstream request). Runs on the
  // engine's executor; must not block the thread. Exceptions count as `unknown`.
  virtual boost::asio::awaitable<DeliveryResult> deliver(const store::OutboxItem& item) = 0;

  // Looks `item` up upstream by its identifier: the upstream id when it is there (the earlier
  // attempt took effect: the item is delivered without sending again), nullopt when it is
  // certainly not. Throws when it cannot tell (upstream down): the engine retries later.
  virtual boost::asio::awaitable<std::optional<std::string>> reconcile(const store::OutboxItem& item) = 0;

  // Replay "with the current mapping": the payload rendered again from the item's source
  // resource by today's mapping, or nullopt to resend the stored payload as it is.
  virtual std::optional<std::string> rerender(const store::OutboxItem&) { return std::nullopt; }
};

}  // namespace simpul::adapter::outbox
