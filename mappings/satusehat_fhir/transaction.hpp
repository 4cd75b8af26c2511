#pragma once
// FHIR (one puskesmas / hospital encounter Bundle) -> the SATUSEHAT transaction Bundle.
//
// A SIMPUS/SIMRS sends each encounter once, as one Bundle: Encounter, Patient,
// Practitioner, Condition, Observation, Procedure, Medication, MedicationRequest,
// MedicationDispense, ServiceRequest, Organization... Simpul POSTs to the SATUSEHAT
// FHIR base a transaction Bundle of the clinical resources only: Patient and
// Practitioner are referenced by their IHS ids (the MPI / MNI has them), the
// tenant's organization by its id. The field-by-field table is
// docs/mappings/satusehat.md; the platform's rules are research satusehat-api.md
// §2.1-2.7 and what connectors/sim/satusehat_validate.cpp checks.
//
// Pure functions: no I/O, no clock. The caller resolves NIKs to IHS ids first
// (needed_lookups, then GET Patient?identifier=...nik|... on the platform).
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

namespace simpul::mappings::satusehat_fhir {

inline constexpr std::string_view kNikSystem = "https://fhir.kemkes.go.id/id/nik";
inline constexpr std::string_view kIhsSystem = "https://fhir.kemkes.go.id/id/ihs-number";
inline constexpr std::string_view kSysIds = "http://sys-ids.kemkes.go.id/";

struct SatusehatContext {
  std::string organization_id;  // the tenant's SATUSEHAT organization (IHS) id, e.g. "10000004"
  std::string location_id{};    // Location id used when the Encounter names none ("" + none in input = 400)
  std::string location_display{};
  int utc_offset_minutes = 420;  // the facility's zone for dateTimes/dates without offset (WIB)
  std::map<std::string, std::string> patient_ihs_by_nik{};  // resolved by the caller (lookup by NIK)
  std::map<std::string, std::string> practitioner_ihs_by_nik{};
  // Codings (by system) and extensions (by url) under these prefixes are not sent:
  // Simpul's/BPJS's own code systems are unknown to SATUSEHAT's terminology
  // validation (research §2.4). A CodeableConcept left without codings keeps a
  // text (the first dropped display when it had none).
  std::vector<std::string> dropped_system_prefixes{"https://fhir.simpul.id/"};
};

// The NIKs the caller must resolve to IHS ids before render (Patient and every Practitioner referenced).
// A Patient/Practitioner that already carries an IHS id (identifier system https://fhir.kemkes.go.id/id/ihs-number,
// or a literal reference "Patient/P…"/"Practitioner/N…") needs no lookup. Throws fhir::Error 400 when one has neither.
struct Lookups {
  std::vector<std::string> patient_niks;
  std::vector<std::string> practitioner_niks;
};
Lookups needed_lookups(const rapidjson::Value& bundle);

struct SatusehatTransaction {
  std::string bundle_json;               // the transaction Bundle to POST to the FHIR base
  std::string encounter_identifier;      // "system|value" of the Encounter's http://sys-ids.kemkes.go.id/encounter/{org}
                                         // identifier (reconcile key)
  std::vector<std::string> entry_types;  // resourceType per entry, in order (for tests / Task display)
  std::vector<std::string> notes;        // what was read but not sent (dry runs)
};

// Throws fhir::Error 400 (expression = FHIRPath in the INPUT) for bad input; a NIK missing from the context maps is a
// 500-class fhir::Error (caller bug) unless `validate_only` is true, in which case placeholder ids are used.
// An empty or malformed context.organization_id is a 500 too.
SatusehatTransaction render_transaction(const rapidjson::Value& bundle, const SatusehatContext& context,
                                        bool validate_only = false);

}  // namespace simpul::mappings::satusehat_fhir
