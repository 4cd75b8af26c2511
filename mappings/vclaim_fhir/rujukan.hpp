#pragma once
// V-Claim rujukan (referral) -> FHIR ServiceRequest (docs/mappings/vclaim.md).
//
//   GET /fhir/ServiceRequest?identifier=<no-rujukan system>|<noRujukan>
//   GET /fhir/ServiceRequest?patient.identifier=<card system>|<noKartu>
//
// A referral from a puskesmas/klinik (FKTP, asal 1) or from another hospital (RS,
// asal 2) becomes a ServiceRequest with the referred patient contained, the
// referring facility as requester, the ICD-10 diagnosis as reasonCode and the
// destination poli as performerType. Pure functions, no I/O.
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "mappings/bpjs/vclaim.hpp"
#include "mappings/vclaim_fhir/eligibility.hpp"

namespace simpul::mappings::vclaim_fhir {

// asal: 1 = FKTP (primary care), 2 = RS (hospital).
rapidjson::Document service_request_from_rujukan(const bpjs::Rujukan& rujukan, int asal, const Systems& systems = {});

// `identifier` search value "system|value" with the referral-number system -> the number.
// Throws fhir::Error (400) when the system is not the referral-number system or the value is not 19 characters.
std::string parse_rujukan_identifier(std::string_view identifier);

}  // namespace simpul::mappings::vclaim_fhir
