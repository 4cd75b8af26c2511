#pragma once
// The fixed reference catalogue of the BPJS simulator: a small synthetic set of
// facilities, doctors, poli and regions, and real ICD-10 codes with their WHO
// names. Facility and doctor names are invented; region codes start with 9 so
// they cannot collide with real Kemendagri codes.
#include <cstdint>
#include <span>
#include <string_view>

namespace simpul::connectors::sim::catalogue {

struct Diagnosis {
  std::string_view code;  // ICD-10
  std::string_view name;  // WHO ICD-10 title
  bool non_specialist;    // P-Care: must be treated at the FKTP (no referral without TACC)
};

struct CodeName {
  std::string_view code;
  std::string_view name;
};

struct Facility {
  std::string_view code;  // 8-char kode PPK
  std::string_view name;
  int level;              // 1 = FKTP (faskes 1), 2 = FKRTL / RS (faskes 2)
};

struct Doctor {               // V-Claim DPJP / Antrean HFIS doctor
  std::string_view code;      // V-Claim kode DPJP (digits)
  std::string_view name;
  std::string_view poli;      // V-Claim poli / spesialis code, e.g. INT
  std::int64_t antrean_code;  // Antrean kodedokter (a number)
};

struct PcarePoli {
  std::string_view code;
  std::string_view name;
  bool sick_visit;  // poliSakit
};

struct AntreanPoli {
  std::string_view kdpoli, nmpoli, kdsubspesialis, nmsubspesialis;
};

std::span<const Diagnosis> diagnoses();
std::span<const CodeName> vclaim_poli();
std::span<const Facility> facilities();
std::span<const Doctor> doctors();
std::span<const CodeName> provinces();
struct Regency {
  std::string_view code, name, province;
};
std::span<const Regency> regencies();
std::span<const CodeName> pcare_doctors();
std::span<const PcarePoli> pcare_poli();
std::span<const CodeName> consciousness();  // kesadaran
std::span<const AntreanPoli> antrean_poli();
struct MemberType {  // jenisPeserta
  std::string_view code, name;
};
std::span<const MemberType> member_types();

// Lookups (exact code match); nullptr when unknown.
const Diagnosis* find_diagnosis(std::string_view code);
const CodeName* find_vclaim_poli(std::string_view code);
const Facility* find_facility(std::string_view code);
const Doctor* find_doctor(std::string_view code);
const Doctor* find_doctor_antrean(std::int64_t code);
const CodeName* find_pcare_doctor(std::string_view code);
const PcarePoli* find_pcare_poli(std::string_view code);
const CodeName* find_consciousness(std::string_view code);
const AntreanPoli* find_antrean_poli(std::string_view kdsubspesialis);

}  // namespace simpul::connectors::sim::catalogue
