#pragma once
// FHIR Claim (use = preauthorization) <-> V-Claim SEP 2.0 (Surat Eligibilitas
// Peserta: the eligibility letter a hospital issues for each JKN visit).
//
//   POST /fhir/Claim/$submit   (a Claim, or a Bundle whose first entry is the Claim)
//     no insurance[].preAuthRef           -> SEP/2.0/insert  (create)
//     insurance[].preAuthRef = noSep      -> SEP/2.0/update  (update)
//     + status = "cancelled"              -> SEP/2.0/delete  (cancel)
//   GET  /fhir/ClaimResponse/{noSep}      -> SEP/{noSep}     (read)
//
// The Claim brings or references (contained "#id", or Bundle entries by fullUrl
// or "Type/id") the Patient (card number, medical-record number, phone), the
// Coverage (card number, room class), the Encounter (class, service date, poli,
// DPJP), the Practitioner (DPJP code), the Condition (ICD-10) and the
// ServiceRequest of the referral (noRujukan, date, referring facility). The
// field-by-field table is docs/mappings/vclaim.md ("SEP").
//
// Every V-Claim field that is filled records where it came from (a FieldTrace):
// the dry run shows integration teams which FHIR element produced each value.
//
// Pure functions: no I/O, no clock (the caller passes "today" and "now").
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "mappings/bpjs/vclaim.hpp"
#include "mappings/vclaim_fhir/eligibility.hpp"

namespace simpul::mappings::vclaim_fhir {

// One V-Claim field and the FHIR element that produced it.
struct FieldTrace {
  std::string field;   // V-Claim JSON path inside t_sep, e.g. "rujukan.noRujukan"
  std::string value;   // the value sent
  std::string source;  // the element, e.g. "Claim.referral -> ServiceRequest.identifier[0].value" (a
                       // reference is followed by "->"), or "default: <why>", "context.user",
                       // "context.ppk_pelayanan", "context.today"
};
using Trace = std::vector<FieldTrace>;

// What the SEP needs besides the FHIR request.
struct SepContext {
  std::string ppk_pelayanan;  // the issuing facility's BPJS code (tenant bpjs_provider_code)
  std::string user;           // V-Claim "user": who issues the SEP (the API client's name)
  std::string today;          // yyyy-MM-dd, Asia/Jakarta: tglSep when the Encounter has no date
};

enum class SepAction { create, update, cancel };
std::string_view to_string(SepAction action) noexcept;

struct SepSubmission {
  SepAction action = SepAction::create;
  // Claim.identifier[0] as "system|value" ("" when the Claim has none): the
  // client's retry key when no Idempotency-Key header is sent.
  std::string claim_identifier;
  // The participant's card number when the Claim gives one (every action; only
  // create sends it): the ClaimResponse's contained Patient.
  std::string no_kartu{};
  bpjs::SepRequest insert{};        // action == create
  bpjs::SepUpdateRequest update{};  // action == update
  bpjs::SepDeleteRequest cancel{};  // action == cancel
  Trace trace{};                    // one entry per V-Claim field filled (defaults included)
};

// Reads the Claim (or a Bundle with the Claim first). Where each field comes
// from (docs/mappings/vclaim.md has the full table):
//   Claim.patient -> Patient            noKartu (identifier, card system), noMR (identifier type v2-0203#MR),
//                                       noTelp (telecom phone)
//   Claim.insurance[0].coverage         noKartu (subscriberId) when the Patient has none; klsRawatHak
//     -> Coverage                       (class of type "class")
//   Claim.insurance[0].preAuthRef[0]    noSep: makes the Claim an update (+ status cancelled: a delete)
//   Claim.item[0].encounter[0]          jnsPelayanan (class IMP/AMB), tglSep (period.start, else today),
//     -> Encounter                      poli.tujuan (serviceType, bpjs-poli), DPJP (participant -> Practitioner
//                                       identifier in kKodeDpjpSystem): dpjpLayan for rawat jalan
//   Claim.diagnosis[0]                  diagAwal (ICD-10 CodeableConcept, or Condition.code)
//   Claim.referral -> ServiceRequest    rujukan: identifier (kNoRujukanSystem), authoredOn, requester
//                                       Organization (facility code), extension bpjs-asal-rujukan
//   Claim.supportingInfo                catatan (category info, valueString); skdp (valueReference to the
//                                       surat kontrol / SPRI ServiceRequest, identifier kNoSuratKontrolSystem,
//                                       requester = its DPJP)
//   Claim.accident                      jaminan: type (lakaLantas), date (tglKejadian), extensions bpjs-no-lp,
//                                       bpjs-keterangan-kejadian, bpjs-lokasi-laka
//   Claim.related[].reference           noSepSuplesi (an identifier in kNoSepSystem)
//   Claim.extension                     bpjs-naik-kelas (klsRawatNaik, pembiayaan, penanggungJawab),
//                                       bpjs-poli-eksekutif, bpjs-cob, bpjs-katarak (valueBoolean),
//                                       bpjs-tujuan-kunjungan, bpjs-flag-procedure, bpjs-penunjang,
//                                       bpjs-assesment-pelayanan (valueCoding)
//   context                             ppkPelayanan, user
// Throws fhir::Error 400 (with a FHIRPath expression) naming what is missing or
// malformed: no card number, no diagnosis, a referral without number/date/
// facility, codes outside BPJS's lists (jnsPelayanan, klsRawat, lakaLantas,
// tujuanKunj, ...), the §5.6 rules between fields, or a JSON value of the wrong
// type. An empty context.user / ppk_pelayanan / today (when needed) is a 500.
SepSubmission parse_sep_claim(const rapidjson::Value& claim_or_bundle, const SepContext& context,
                              const Systems& systems = {});

// ClaimResponse for a created SEP: outcome complete, preAuthRef = noSep,
// identifier in kNoSepSystem, the participant (contained Patient), the SEP's
// poli, class and diagnosis as response details. `created` is an instant.
rapidjson::Document claim_response_from_sep(const bpjs::Sep& sep, const SepSubmission& submitted,
                                            std::string_view created, const Systems& systems = {});

// ClaimResponse for a read (GET SEP/{noSep}) or for a create that was
// reconciled (the SEP found after an unknown outcome).
rapidjson::Document claim_response_from_sep_detail(const bpjs::SepDetail& sep, std::string_view created,
                                                   const Systems& systems = {});

// ClaimResponse for an update or a cancel that BPJS acknowledged with the noSep
// (cancel: ClaimResponse.status = cancelled).
rapidjson::Document claim_response_for_ack(std::string_view no_sep, SepAction action, const SepSubmission& submitted,
                                           std::string_view created, const Systems& systems = {});

// True when a service-history entry (monitoring/HistoriPelayanan) is the SEP
// `request` would create: same card, date, jnsPelayanan and referral number.
// Used to reconcile after an insert whose outcome is unknown.
bool histori_matches(const bpjs::HistoriPelayanan& entry, const bpjs::SepRequest& request) noexcept;

}  // namespace simpul::mappings::vclaim_fhir
