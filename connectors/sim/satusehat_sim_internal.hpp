#pragma once
// Internals of the SATUSEHAT simulator shared by its files (not a public API).
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

namespace simpul::connectors::sim::satusehat_sim {

inline constexpr std::string_view kNikSystem = "https://fhir.kemkes.go.id/id/nik";
inline constexpr std::string_view kIhsSystem = "https://fhir.kemkes.go.id/id/ihs-number";
inline constexpr std::string_view kSysIds = "http://sys-ids.kemkes.go.id/";

// One OperationOutcome issue and the HTTP status it is answered with.
struct Issue {
  unsigned status = 400;
  std::string severity = "error";
  std::string code = "required";  // FHIR issue type
  std::string text;
  std::string expression;  // FHIRPath; "" = none
};

// The OperationOutcome JSON of one issue.
std::string outcome_json(const Issue& issue);

// What validation needs to know about the world.
struct ValidationEnv {
  std::string organization_id;  // the OAuth client's organization
  // Whether `Type/id` exists (stored, pending in the same transaction, or a fake MPI/MNI entry).
  std::function<bool(std::string_view type, std::string_view id)> exists;
};

// The resource types a facility may create or update.
bool writable_type(std::string_view type);

// Checks one resource of `type` as SATUSEHAT does. `where` prefixes expressions:
// the type name ("Encounter") or, in a transaction, "Bundle.entry[2].resource".
std::optional<Issue> validate_resource(const rapidjson::Value& resource, std::string_view type,
                                       const ValidationEnv& env, const std::string& where);

// A FHIR dateTime/date (YYYY, YYYY-MM, YYYY-MM-DD, or with time and zone).
bool valid_datetime(std::string_view s);

}  // namespace simpul::connectors::sim::satusehat_sim
