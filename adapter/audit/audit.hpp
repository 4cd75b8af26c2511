#pragma once
// The processing record UU PDP Pasal 31 asks for (binding on Simpul as a processor,
// Pasal 52): every processing of personal data leaves one audit record.
//
// Processing paths describe what happened in an AuditEntry and hand it to the
// Recorder; the recorder pseudonymises and encrypts the data subject's identifier
// (the NIK or card number is never stored or logged in clear), assigns the tenant's
// next sequence number, hashes the record into the tenant's RFC 6962 Merkle tree and
// appends it to the store (append-only). No clinical payload is ever part of a record.
//
// docs/pdp.md lists what is recorded for which path and why.
#include <string>
#include <string_view>

namespace simpul::adapter::audit {

// AuditEvent.action (FHIR R4): Create, Read, Update, Delete, Execute.
enum class Action { create, read, update, del, execute };
std::string_view to_code(Action action) noexcept;  // "C" "R" "U" "D" "E"

// Why the data was processed (AuditEvent.purposeOfEvent, v3-ActReason codes).
enum class Purpose {
  treatment,      // TREAT: care of the patient (intake, SEP for a visit)
  payment,        // HPAYMT: JKN claims and eligibility
  public_health,  // PUBHLTH: registry / SATUSEHAT reporting
  audit,          // HCOMPL (health compliance): audit queries and exports
  operations,     // HOPERAT: queue administration, replays, suspends
  security,       // HSYSADMIN: failed authentication, credential use and rotation
};
std::string_view to_code(Purpose purpose) noexcept;  // the v3-ActReason code

// Which identifier the data subject was named by.
enum class SubjectKind { none, nik, no_kartu };

struct AuditEntry {
  std::string tenant;  // the facility ("" only for failures before a tenant is known)
  std::string actor;   // "client:<name>", "admin:<name>", "cli", or "anonymous"
  Action action = Action::read;
  Purpose purpose = Purpose::treatment;
  std::string event;            // what was done, e.g. "vclaim.peserta", "vclaim.sep.insert", "auth.failed"
  std::string resource_type{};  // FHIR type involved ("Coverage", "Claim"), "" when none
  std::string resource_id{};    // its id (e.g. the noSep), never a person's identifier
  SubjectKind subject_kind = SubjectKind::none;
  std::string subject{};            // the NIK / card number in clear: pseudonymised + encrypted by the recorder
  std::string destination{};        // "bpjs.vclaim", "bpjs.pcare", "satusehat", "" when nothing left Simpul
  std::string outcome = "success";  // "success", or "<http status> <short reason>" (no personal data)
  std::string request_id{};
};

// Where processing paths report. Thread-safe; never throws and never blocks the
// caller on I/O (records are appended by the store's writer; a failure to append is
// logged and counted in simpul_audit_failures_total).
class Recorder {
 public:
  virtual ~Recorder() = default;
  virtual void record(AuditEntry entry) noexcept = 0;
};

// A recorder that drops everything (tests of paths that do not care).
class NullRecorder final : public Recorder {
 public:
  void record(AuditEntry) noexcept override {}
};

}  // namespace simpul::adapter::audit
