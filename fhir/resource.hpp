#pragma once
// FHIR R4 (4.0.1) resource types and primitive-format checks.
//
// resource_types() is the complete list of concrete R4 resource type names (146;
// the abstract Resource and DomainResource are not included). The format checks
// follow the R4 datatype rules (http://hl7.org/fhir/R4/datatypes.html) and are
// hand-written (no std::regex) so they are cheap enough for every element.

#include <cstddef>
#include <span>
#include <string_view>

#include <rapidjson/document.h>

#include "fhir/error.hpp"

namespace simpul::fhir {

inline constexpr std::size_t kResourceTypeCount = 146;

// All R4 resource type names, sorted (byte order).
std::span<const std::string_view> resource_types() noexcept;
// True if `name` is exactly (case-sensitively) an R4 resource type.
bool is_resource_type(std::string_view name) noexcept;

// The resourceType of a resource. Throws Error 400 with expression "resourceType"
// when `resource` is not an object, or resourceType is missing, not a string,
// empty or not an R4 resource type (the diagnostics say which).
std::string_view resource_type_of(const rapidjson::Value& resource);
// Throws Error 400 "expected resourceType 'Patient' but got 'Observation'" (and the
// errors of resource_type_of) unless `resource` is of type `expected`.
void expect_resource_type(const rapidjson::Value& resource, std::string_view expected);

// id: [A-Za-z0-9\-\.]{1,64}
bool is_valid_id(std::string_view s) noexcept;
// date: YYYY, YYYY-MM or YYYY-MM-DD; year 0001..9999; the day must exist in that month.
bool is_valid_date(std::string_view s) noexcept;
// dateTime: a date, or YYYY-MM-DDThh:mm:ss[.fff...] followed by Z or +hh:mm/-hh:mm
// (a time requires a time zone; offsets up to 14:00).
bool is_valid_datetime(std::string_view s) noexcept;
// instant: YYYY-MM-DDThh:mm:ss[.fff...] with Z or an offset; always complete.
bool is_valid_instant(std::string_view s) noexcept;
// time: hh:mm:ss[.fff...] (00:00:00 to 23:59:60).
bool is_valid_time(std::string_view s) noexcept;
// code: non-empty, no leading/trailing whitespace, no runs of whitespace.
bool is_valid_code(std::string_view s) noexcept;

}  // namespace simpul::fhir
