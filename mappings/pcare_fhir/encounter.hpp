#pragma once
// FHIR (one finished puskesmas encounter) -> P-Care 4.0 pendaftaran + kunjungan.
//
// A SIMPUS sends each finished encounter once, usually as one transaction Bundle:
// Encounter, Patient, Condition (ICD-10 diagnoses, the chief complaint),
// Observation (vital signs), MedicationRequest / MedicationDispense (therapy),
// Procedure, AllergyIntolerance, ClinicalImpression (prognosis) and a
// ServiceRequest when the patient is referred on. Simpul delivers it to P-Care as
// two requests: POST pendaftaran (registration) and POST kunjungan/v1 (the visit,
// which carries the onward referral: rujukLanjut). The field-by-field table is
// docs/mappings/pcare.md.
//
// Every P-Care field records where it came from (a FieldTrace, as for the SEP):
// the dry run shows which FHIR element, context value or default produced it.
//
// Pure functions: no I/O, no clock (the caller passes "today").
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "mappings/bpjs/pcare.hpp"
#include "mappings/vclaim_fhir/eligibility.hpp"
#include "mappings/vclaim_fhir/sep.hpp"

namespace simpul::mappings::pcare_fhir {

using vclaim_fhir::FieldTrace;  // field = the P-Care JSON key path ("rujukLanjut.kdppk")
using vclaim_fhir::Systems;
using vclaim_fhir::Trace;

// Simpul's identifier and code systems for P-Care's own codes (BPJS publishes no
// FHIR systems for them). Code systems are Systems::bpjs_code_system_base + the name.
inline constexpr std::string_view kKodeDokterPcareSystem = "https://fhir.simpul.id/sid/bpjs-kode-dokter-pcare";
inline constexpr std::string_view kPoliCodeSystem = "pcare-poli";                   // kdPoli, 001 Umum ...
inline constexpr std::string_view kTkpCodeSystem = "pcare-tkp";                     // kdTkp 10 / 20 / 50
inline constexpr std::string_view kKesadaranCodeSystem = "pcare-kesadaran";         // kdSadar 01..04
inline constexpr std::string_view kStatusPulangCodeSystem = "pcare-status-pulang";  // kdStatusPulang
inline constexpr std::string_view kPrognosaCodeSystem = "pcare-prognosa";           // kdPrognosa
inline constexpr std::string_view kAlergiCodeSystem = "pcare-alergi";               // alergi/jenis/{01,02,03}
inline constexpr std::string_view kSubSpesialisCodeSystem = "pcare-subspesialis";   // kdSubSpesialis
inline constexpr std::string_view kSaranaCodeSystem = "pcare-sarana";               // kdSarana
inline constexpr std::string_view kKhususCodeSystem = "pcare-khusus";               // kdKhusus (HDL, THA, ...)
inline constexpr std::string_view kTaccCodeSystem = "pcare-tacc";                   // kdTacc 1..4
// Extensions (Systems::extension_base + the name).
inline constexpr std::string_view kKunjSakitExtension = "bpjs-kunjungan-sakit";  // Encounter, valueBoolean
inline constexpr std::string_view kTaccExtension = "bpjs-tacc";                  // ServiceRequest, valueCoding
inline constexpr std::string_view kAlasanTaccExtension = "bpjs-alasan-tacc";     // ServiceRequest, valueString

// What the mapping needs besides the FHIR input. The defaults are the values
// bpjs-api.md reports clients sending; the uncertain ones (§5.6, §8) are here so
// a deployment can change them without a release.
struct PcareContext {
  std::string kd_provider{};       // the puskesmas's own BPJS code: kdProviderPeserta unless the Patient says otherwise
  std::string today{};             // yyyy-MM-dd in the facility's zone: no visit date may be later
  int utc_offset_minutes = 420;    // the facility's zone (WIB 420, WITA 480, WIT 540): dateTimes are read in it
  std::int64_t kd_tacc_none = -1;  // "Tanpa TACC": -1 (PC3, BRG, MLITE) or 0 (KRIZA, others); uncertain
  std::string alergi_none = "00";  // no known allergy (uncertain)
  std::string kd_prognosa_default = "01";      // when no ClinicalImpression.prognosis (uncertain: "Baik")
  std::string kd_sadar_default = "01";         // compos mentis when not observed; "" makes kdSadar required
  char suhu_decimal = ',';                     // "36,5" (kunjungan example) or '.' (uncertain)
  std::string kd_status_pulang_default = "3";  // berobat jalan (outpatient, not referred)
  std::string kd_status_pulang_rujuk = "4";    // rujuk lanjut (referred on)
  // Routing: a visit whose patient has no BPJS card anywhere (a non-JKN, "umum" patient)
  // is not for P-Care. true: such a bundle parses to a submission with jkn = false and
  // nothing else read; false (default): it is a 400 naming Encounter.subject.
  bool allow_non_jkn = false;
};

// How the visit reached the patient (KBK contact dimensions, seed-003 §6.2 item 11).
// P-Care's documented bodies have no field for it: Simpul keeps it for reporting.
enum class Contact { langsung, tidak_langsung };  // direct contact / teleconsultation or other indirect contact

struct PcareSubmission {
  // Business identifiers for exactly-once delivery. encounter_identifier is
  // Encounter.identifier (the first with a value, preferring the SATUSEHAT
  // registration system http://sys-ids.kemkes.go.id/encounter/...) as
  // "system|value", "" when the Encounter has none; bundle_identifier likewise
  // for Bundle.identifier. The upstream natural key is (no_kartu, tgl_daftar,
  // kd_poli): P-Care allows one registration per participant, day and poli.
  std::string encounter_identifier{};
  std::string bundle_identifier{};
  std::string no_kartu{};
  std::string tgl_daftar{};  // dd-MM-yyyy
  Contact contact = Contact::langsung;
  bool referred = false;  // kunjungan.rujukLanjut is set
  bool jkn = true;        // false: no BPJS card (only with PcareContext::allow_non_jkn): not for P-Care

  bpjs::PendaftaranRequest pendaftaran{};
  bpjs::KunjunganRequest kunjungan{};
  Trace pendaftaran_trace{};  // one entry per pendaftaran field, in wire order
  Trace kunjungan_trace{};    // one entry per kunjungan field (rujukLanjut sub-fields included), in wire order
  // What was read but not sent (a 4th diagnosis, a second reading of a vital
  // sign, an allergy without a P-Care code...): shown by dry runs.
  std::vector<std::string> notes{};
};

// Reads a Bundle (transaction, batch, collection, ...) holding exactly one
// Encounter, or a lone Encounter with its resources contained. References resolve
// to contained resources, Bundle entries by fullUrl ("urn:uuid:...") or "Type/id".
// Throws fhir::Error 400 (expression = the FHIRPath of the element) when
// something P-Care needs is missing or malformed, a code is outside P-Care's
// lists, a unit is not the expected UCUM unit, or a JSON value has the wrong
// type. An empty context.kd_provider or an invalid context.today is a 500.
PcareSubmission parse_pcare_bundle(const rapidjson::Value& bundle, const PcareContext& context,
                                   const Systems& systems = {});

// ---------------------------------------------------------------- P-Care answers

// What the outbox does with a P-Care answer (bpjs-api.md §4.2, §6 pitfalls 8, 15-17).
enum class PcareVerdict {
  delivered,          // 200/201 with a success metaData.code
  not_found,          // 204, or metaData.code 204: nothing there (reads, deletes)
  retry,              // transient: try again later with backoff
  permanent_request,  // the data is wrong for P-Care (412, 424, 400...): dead letter, the facility fixes it
  permanent_config,   // credentials / endpoint wrong (401, 403, 404 page...): stop and tell the operator
};
std::string_view to_string(PcareVerdict verdict) noexcept;

struct PcareClassification {
  PcareVerdict verdict = PcareVerdict::retry;
  // For retry: the write may have reached P-Care (timeout, 500, 502, 504, no
  // answer). pendaftaran and kunjungan are not idempotent: look the visit up
  // before sending again (bpjs-api.md §6 pitfall 17).
  bool reconcile_first = false;
  std::string_view reason{};  // one line for the dead-letter view
};

// Classifies a P-Care answer from its HTTP status (0 = no HTTP answer: connect
// failure, timeout, reset) and the envelope's metaData.code when a JSON envelope
// was read (P-Care sends it as a number; JFKTP-style proxies wrap HTTP errors in
// a 200 envelope, so a 200 whose metaData.code is an error status is classified
// by that code). The table is in docs/mappings/pcare.md.
PcareClassification classify_pcare_answer(int http_status, std::optional<int> meta_code = std::nullopt) noexcept;

inline bool is_retryable(PcareVerdict verdict) noexcept {
  return verdict == PcareVerdict::retry;
}

}  // namespace simpul::mappings::pcare_fhir
