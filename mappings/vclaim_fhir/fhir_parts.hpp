#pragma once
// Pieces the V-Claim -> FHIR mappings share (eligibility, SEP): the BPJS payor
// Organization, Simpul's extensions, small text helpers. Internal to mappings/vclaim_fhir.
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "mappings/vclaim_fhir/builder.hpp"
#include "mappings/vclaim_fhir/eligibility.hpp"

namespace simpul::mappings::vclaim_fhir::parts {

inline constexpr std::string_view kBpjsName = "BPJS Kesehatan";

// Non-empty and only 0-9.
bool all_digits(std::string_view s);
// The text of an optional wire field, "" when absent.
std::string_view opt(const std::optional<std::string>& s);
// systems.extension_base + name.
std::string extension_url(const Systems& systems, std::string_view name);
// Extension `name` with valueString `value`; an empty object (dropped by Builder) when value is "".
rapidjson::Value extension_string(const Builder& b, const Systems& systems, std::string_view name,
                                  std::string_view value);
// The contained payor: Organization "#bpjs", type pay, name BPJS Kesehatan.
rapidjson::Value bpjs_organization(const Builder& b);

}  // namespace simpul::mappings::vclaim_fhir::parts
