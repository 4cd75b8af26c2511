#pragma once
// Identifier systems and code systems of the V-Claim mappings that are fixed
// (the configurable ones are in Systems, eligibility.hpp). The simpul.id ones are
// Simpul's defaults: BPJS publishes no FHIR systems for its numbers.
#include <string_view>

namespace simpul::mappings::vclaim_fhir {

// ICD-10 (WHO), as BPJS codes diagnoses.
inline constexpr std::string_view kIcd10System = "http://hl7.org/fhir/sid/icd-10";
// The referral number (noRujukan / noKunjungan).
inline constexpr std::string_view kNoRujukanSystem = "https://fhir.simpul.id/sid/bpjs-no-rujukan";
// The SEP number (noSep).
inline constexpr std::string_view kNoSepSystem = "https://fhir.simpul.id/sid/bpjs-no-sep";
// A surat kontrol / SPRI number (control visit letter / inpatient order, V-Claim skdp.noSurat).
inline constexpr std::string_view kNoSuratKontrolSystem = "https://fhir.simpul.id/sid/bpjs-no-surat-kontrol";
// A doctor's BPJS DPJP code (dokter penanggung jawab pelayanan: doctor in charge; referensi/dokter).
inline constexpr std::string_view kKodeDpjpSystem = "https://fhir.simpul.id/sid/bpjs-kode-dpjp";

}  // namespace simpul::mappings::vclaim_fhir
