#pragma once
// FHIR <-> V-Claim eligibility (kepesertaan: JKN membership).
//
//   POST /fhir/CoverageEligibilityRequest/$check   (CoverageEligibilityRequest in)
//   GET  /fhir/Coverage?identifier=<system>|<value>[&date=yyyy-mm-dd]
//
// both become one V-Claim peserta lookup (by card number or NIK, for a service
// date) and come back as FHIR: a CoverageEligibilityResponse with the Coverage,
// Patient and the BPJS payor Organization contained, or a Coverage on its own.
// An inactive participant is a normal answer (insurance.inforce = false), not an
// error. The field-by-field tables are in docs/mappings/vclaim.md.
//
// Pure functions: no I/O, no clock (the caller passes "today" and "now").
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "mappings/bpjs/vclaim.hpp"
#include "mappings/vclaim_fhir/systems.hpp"

namespace simpul::mappings::vclaim_fhir {

// Identifier systems and canonical URLs used on the FHIR side. The NIK system is
// SATUSEHAT's; no official FHIR system for the BPJS card number (noKartu) is
// published, so ours is a default that a deployment may override (config).
struct Systems {
  std::string nik = "https://fhir.kemkes.go.id/id/nik";
  std::string no_kartu = "https://fhir.simpul.id/sid/bpjs-no-kartu";
  std::string kode_faskes = "https://fhir.simpul.id/sid/bpjs-kode-faskes";  // BPJS facility code (kode PPK)
  std::string extension_base = "https://fhir.simpul.id/StructureDefinition/";
  std::string bpjs_code_system_base = "https://fhir.simpul.id/CodeSystem/bpjs-";
};

// What to look up: the V-Claim path is Peserta/nokartu/{value}/tglSEP/{tgl} or
// Peserta/nik/{value}/tglSEP/{tgl}.
struct EligibilityQuery {
  enum class By { no_kartu, nik };
  By by = By::no_kartu;
  std::string value;           // 13-15 digits (card) or 16 digits (NIK)
  std::string tgl_pelayanan;   // service date yyyy-MM-dd (tglSEP)
  std::string request_id;      // CoverageEligibilityRequest.id when given (echoed in request.reference)
  std::string value_source{};  // the FHIR element the card number / NIK came from (dry-run trace)
  std::string date_source{};   // the FHIR element of the date, or "default: today (Asia/Jakarta)"
};

// "nokartu" | "nik": the V-Claim path segment.
std::string_view path_segment(EligibilityQuery::By by) noexcept;

// Reads a CoverageEligibilityRequest. The participant comes from, in order:
// the Patient it references (contained "#id" or a logical Reference.identifier)
// with a card-number or NIK identifier; or the Coverage in insurance[].coverage
// (contained) with subscriberId / a card-number identifier. The card number wins
// over the NIK. servicedDate is the service date; absent = `today` (yyyy-MM-dd,
// Asia/Jakarta). Throws fhir::Error (400) saying what is missing or malformed.
EligibilityQuery parse_eligibility_request(const rapidjson::Value& request, std::string_view today,
                                           const Systems& systems = {});

// A search value "system|value" with the card-number or NIK system -> the query
// without a date. `expression` names the search parameter in errors. Throws fhir::Error (400).
EligibilityQuery parse_participant_identifier(std::string_view identifier, std::string_view expression,
                                              const Systems& systems = {});

// GET Coverage?identifier=system|value[&date=...]: the same query from search
// parameters. `identifier` is "system|value" with the card-number or NIK system;
// `date` empty = today. Throws fhir::Error (400).
EligibilityQuery parse_coverage_search(std::string_view identifier, std::string_view date, std::string_view today,
                                       const Systems& systems = {});

// The Coverage for a peserta (id "coverage", beneficiary "#patient" and payor
// "#bpjs" when `contained_refs`, otherwise the payor is a display-only
// reference and the beneficiary a logical reference by card number).
rapidjson::Document coverage_from_peserta(const bpjs::Peserta& peserta, bool contained_refs,
                                          const Systems& systems = {});

// The Patient for a peserta (id "patient"): NIK and card identifiers, name,
// gender (L/P), birth date, medical-record number and phone when BPJS has them.
rapidjson::Document patient_from_peserta(const bpjs::Peserta& peserta, const Systems& systems = {});

// The CoverageEligibilityResponse for a lookup that found the participant.
// `created` is an instant (yyyy-MM-ddThh:mm:ss+07:00 or Z).
rapidjson::Document eligibility_response(const bpjs::Peserta& peserta, const EligibilityQuery& query,
                                         std::string_view created, const Systems& systems = {});

// A BPJS card number (noKartu): 13 digits in practice, 13-15 accepted as V-Claim clients do
// (bpjs-api.md §5.6). Eligibility and SEP use this one rule.
bool valid_no_kartu(std::string_view s);

// FHIR administrative gender for V-Claim's sex code: L male, P female, else unknown.
std::string_view gender_from_sex(std::string_view sex) noexcept;

}  // namespace simpul::mappings::vclaim_fhir
