#pragma once
// P-Care as an outbox destination (docs/mappings/pcare.md, "Delivery"). A pushed visit
// becomes two items: the pendaftaran (registration), then the kunjungan (the visit, with
// the onward referral), which waits for it. Both payloads are the P-Care request bodies
// rendered at intake; delivery posts them as they are.
//
// Neither P-Care write is idempotent, so an attempt whose outcome is unknown is
// reconciled before sending again: the pendaftaran by the day's registrations (same
// card and poli), the kunjungan by the participant's visit history (same date and poli).
// P-Care's answers are classified by classify_pcare_answer(): 412/424/400 are the data's
// fault (dead at once, with P-Care's code and message); 5xx, timeouts and 429 retry.
#include <string>

#include <rapidjson/document.h>

#include "adapter/bpjs_upstream.hpp"
#include "adapter/config.hpp"
#include "adapter/outbox/destination.hpp"
#include "adapter/outbox/intake_plan.hpp"

namespace simpul::adapter::outbox {

// Intake: the P-Care items of a pushed encounter for `tenant` (its kode PPK), `today`
// (yyyy-MM-dd in the facility's zone). A patient without a BPJS card adds nothing and a
// note to plan.skipped. Throws fhir::Error 400 naming the element P-Care cannot take.
void plan_pcare(const rapidjson::Value& bundle, const Tenant& tenant, const std::string& today, IntakePlan& plan);

class PcareDestination final : public Destination {
 public:
  explicit PcareDestination(BpjsUpstream& upstream) : upstream_(upstream) {}

  std::string name() const override { return std::string(kDestinationPcare); }
  boost::asio::awaitable<DeliveryResult> deliver(const store::OutboxItem& item) override;
  boost::asio::awaitable<std::optional<std::string>> reconcile(const store::OutboxItem& item) override;

 private:
  BpjsUpstream& upstream_;
};

}  // namespace simpul::adapter::outbox
