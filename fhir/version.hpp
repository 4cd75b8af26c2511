#pragma once
namespace simpul::fhir {
// The FHIR release Simpul speaks on every interface.
inline constexpr const char* kFhirVersion = "4.0.1";
}  // namespace simpul::fhir
