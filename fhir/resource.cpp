#include "fhir/resource.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "fhir/json.hpp"

namespace simpul::fhir {

namespace {

constexpr std::array<std::string_view, kResourceTypeCount> kResourceTypes = {
    "Account", "ActivityDefinition", "AdverseEvent", "AllergyIntolerance", "Appointment",
    "AppointmentResponse", "AuditEvent", "Basic", "Binary", "BiologicallyDerivedProduct", "BodyStructure",
    "Bundle", "CapabilityStatement", "CarePlan", "CareTeam", "CatalogEntry", "ChargeItem",
    "ChargeItemDefinition", "Claim", "ClaimResponse", "ClinicalImpression", "CodeSystem", "Communication",
    "CommunicationRequest", "CompartmentDefinition", "Composition", "ConceptMap", "Condition", "Consent",
    "Contract", "Coverage", "CoverageEligibilityRequest", "CoverageEligibilityResponse", "DetectedIssue",
    "Device", "DeviceDefinition", "DeviceMetric", "DeviceRequest", "DeviceUseStatement", "DiagnosticReport",
    "DocumentManifest", "DocumentReference", "EffectEvidenceSynthesis", "Encounter", "Endpoint",
    "EnrollmentRequest", "EnrollmentResponse", "EpisodeOfCare", "EventDefinition", "Evidence",
    "EvidenceVariable", "ExampleScenario", "ExplanationOfBenefit", "FamilyMemberHistory", "Flag", "Goal",
    "GraphDefinition", "Group", "GuidanceResponse", "HealthcareService", "ImagingStudy", "Immunization",
    "ImmunizationEvaluation", "ImmunizationRecommendation", "ImplementationGuide", "InsurancePlan", "Invoice",
    "Library", "Linkage", "List", "Location", "Measure", "MeasureReport", "Media", "Medication",
    "MedicationAdministration", "MedicationDispense", "MedicationKnowledge", "MedicationRequest",
    "MedicationStatement", "MedicinalProduct", "MedicinalProductAuthorization",
    "MedicinalProductContraindication", "MedicinalProductIndication", "MedicinalProductIngredient",
    "MedicinalProductInteraction", "MedicinalProductManufactured", "MedicinalProductPackaged",
    "MedicinalProductPharmaceutical", "MedicinalProductUndesirableEffect", "MessageDefinition",
    "MessageHeader", "MolecularSequence", "NamingSystem", "NutritionOrder", "Observation",
    "ObservationDefinition", "OperationDefinition", "OperationOutcome", "Organization",
    "OrganizationAffiliation", "Parameters", "Patient", "PaymentNotice", "PaymentReconciliation", "Person",
    "PlanDefinition", "Practitioner", "PractitionerRole", "Procedure", "Provenance", "Questionnaire",
    "QuestionnaireResponse", "RelatedPerson", "RequestGroup", "ResearchDefinition",
    "ResearchElementDefinition", "ResearchStudy", "ResearchSubject", "RiskAssessment",
    "RiskEvidenceSynthesis", "Schedule", "SearchParameter", "ServiceRequest", "Slot", "Specimen",
    "SpecimenDefinition", "StructureDefinition", "StructureMap", "Subscription", "Substance",
    "SubstanceNucleicAcid", "SubstancePolymer", "SubstanceProtein", "SubstanceReferenceInformation",
    "SubstanceSourceMaterial", "SubstanceSpecification", "SupplyDelivery", "SupplyRequest", "Task",
    "TerminologyCapabilities", "TestReport", "TestScript", "ValueSet", "VerificationResult",
    "VisionPrescription",
};
static_assert(std::ranges::is_sorted(kResourceTypes), "kResourceTypes must stay sorted for binary search");
static_assert(std::ranges::adjacent_find(kResourceTypes) == kResourceTypes.end(), "no duplicates");

// A client-supplied value quoted in diagnostics, kept short.
std::string quoted(std::string_view s) {
  constexpr std::size_t kMax = 64;
  std::string out = "'";
  if (s.size() <= kMax) {
    out += s;
  } else {
    out += s.substr(0, kMax);
    out += "...";
  }
  out += "'";
  return out;
}

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly n digits at s[pos..]; false if not all digits or out of range.
bool read_number(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int value = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (!is_digit(s[i])) return false;
    value = value * 10 + (s[i] - '0');
  }
  out = value;
  return true;
}

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0)) return 29;
  return kDays[month - 1];
}

// Parses the date part at the start of s. Returns how many components were read
// (1 = year, 2 = year-month, 3 = full date) and sets `end`; 0 if malformed.
int parse_date_prefix(std::string_view s, std::size_t& end) {
  int year = 0, month = 0, day = 0;
  if (!read_number(s, 0, 4, year) || year == 0) return 0;
  end = 4;
  if (s.size() == 4 || s[4] != '-') return 1;
  if (!read_number(s, 5, 2, month) || month < 1 || month > 12) return 0;
  end = 7;
  if (s.size() == 7 || s[7] != '-') return 2;
  if (!read_number(s, 8, 2, day) || day < 1 || day > days_in_month(year, month)) return 0;
  end = 10;
  return 3;
}

// hh:mm:ss[.f+] at s[pos..]; sets `end` past it.
bool parse_time(std::string_view s, std::size_t pos, std::size_t& end) {
  int hh = 0, mm = 0, ss = 0;
  if (!read_number(s, pos, 2, hh) || hh > 23) return false;
  if (pos + 2 >= s.size() || s[pos + 2] != ':') return false;
  if (!read_number(s, pos + 3, 2, mm) || mm > 59) return false;
  if (pos + 5 >= s.size() || s[pos + 5] != ':') return false;
  if (!read_number(s, pos + 6, 2, ss) || ss > 60) return false;
  std::size_t i = pos + 8;
  if (i < s.size() && s[i] == '.') {
    ++i;
    const std::size_t digits_start = i;
    while (i < s.size() && is_digit(s[i])) ++i;
    if (i == digits_start) return false;
  }
  end = i;
  return true;
}

// Z | (+|-)hh:mm with hh:mm from 00:00 to 14:00; must be the whole rest of s.
bool is_time_zone(std::string_view s, std::size_t pos) {
  if (pos >= s.size()) return false;
  if (s[pos] == 'Z') return pos + 1 == s.size();
  if (s[pos] != '+' && s[pos] != '-') return false;
  if (s.size() != pos + 6 || s[pos + 3] != ':') return false;
  int hh = 0, mm = 0;
  if (!read_number(s, pos + 1, 2, hh) || !read_number(s, pos + 4, 2, mm)) return false;
  if (mm > 59) return false;
  return hh <= 13 || (hh == 14 && mm == 0);
}

bool is_whitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

}  // namespace

std::span<const std::string_view> resource_types() noexcept { return kResourceTypes; }

bool is_resource_type(std::string_view name) noexcept {
  return std::binary_search(kResourceTypes.begin(), kResourceTypes.end(), name);
}

std::string_view resource_type_of(const rapidjson::Value& resource) {
  if (!resource.IsObject()) {
    throw Error::structure("A FHIR resource must be a JSON object with a resourceType property", "resourceType");
  }
  const rapidjson::Value* type = member(resource, "resourceType");
  if (!type) throw Error::required("The resource has no resourceType property", "resourceType");
  if (!type->IsString()) throw Error::structure("resourceType must be a JSON string", "resourceType");
  const std::string_view name = as_string_view(*type);
  if (name.empty()) throw Error::value("resourceType is empty", "resourceType");
  if (!is_resource_type(name)) {
    throw Error::value("Unknown resourceType " + quoted(name) + "; it is not a FHIR R4 resource type",
                       "resourceType");
  }
  return name;
}

void expect_resource_type(const rapidjson::Value& resource, std::string_view expected) {
  const std::string_view actual = resource_type_of(resource);
  if (actual != expected) {
    throw Error::invalid("expected resourceType " + quoted(expected) + " but got " + quoted(actual),
                         "resourceType");
  }
}

bool is_valid_id(std::string_view s) noexcept {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '-' || c == '.';
  });
}

bool is_valid_date(std::string_view s) noexcept {
  std::size_t end = 0;
  return parse_date_prefix(s, end) > 0 && end == s.size();
}

bool is_valid_datetime(std::string_view s) noexcept {
  std::size_t end = 0;
  const int parts = parse_date_prefix(s, end);
  if (parts == 0) return false;
  if (end == s.size()) return true;
  if (parts != 3 || s[end] != 'T') return false;
  std::size_t time_end = 0;
  return parse_time(s, end + 1, time_end) && is_time_zone(s, time_end);
}

bool is_valid_instant(std::string_view s) noexcept {
  std::size_t end = 0;
  if (parse_date_prefix(s, end) != 3 || end >= s.size() || s[end] != 'T') return false;
  std::size_t time_end = 0;
  return parse_time(s, end + 1, time_end) && is_time_zone(s, time_end);
}

bool is_valid_time(std::string_view s) noexcept {
  std::size_t end = 0;
  return parse_time(s, 0, end) && end == s.size();
}

bool is_valid_code(std::string_view s) noexcept {
  if (s.empty() || is_whitespace(s.front()) || is_whitespace(s.back())) return false;
  for (std::size_t i = 1; i < s.size(); ++i) {
    if (is_whitespace(s[i]) && is_whitespace(s[i - 1])) return false;
  }
  return true;
}

}  // namespace simpul::fhir
