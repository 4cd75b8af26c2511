#pragma once
// What a destination makes of a pushed encounter (POST /fhir): the outbox items, one per
// upstream request, in delivery order. Each destination module has a planner that
// checks the bundle against its upstream's rules (throwing fhir::Error 400 naming the
// element) and renders the items; adapter/intake_routes.cpp writes them in one transaction.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace simpul::adapter::outbox {

struct IntakeItem {
  std::string destination;     // "pcare", "satusehat"
  std::string source_type;     // the step: "pendaftaran", "kunjungan", "Encounter"
  std::string source_version;  // a hash of what is sent: an unchanged resend is the same item
  std::string payload;
  std::optional<std::size_t> after{};  // index in IntakePlan::items of the prerequisite
  std::string label{};                 // Task.code.text, e.g. "P-Care pendaftaran"
};

struct IntakePlan {
  std::vector<IntakeItem> items;
  std::string encounter_identifier;  // "system|value"; "" when the Encounter has none
  std::string subject_nik;           // for the audit record (pseudonymised there)
  std::string subject_no_kartu;
  std::vector<std::string> skipped;  // destinations the tenant routes to that do not take this visit, with why
};

}  // namespace simpul::adapter::outbox
