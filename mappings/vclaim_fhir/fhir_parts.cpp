#include "mappings/vclaim_fhir/fhir_parts.hpp"

#include <algorithm>

namespace simpul::mappings::vclaim_fhir::parts {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string_view opt(const std::optional<std::string>& s) {
  return s ? std::string_view(*s) : std::string_view();
}

std::string extension_url(const Systems& systems, std::string_view name) {
  return systems.extension_base + std::string(name);
}

rapidjson::Value extension_string(const Builder& b, const Systems& systems, std::string_view name,
                                  std::string_view value) {
  auto ext = b.object();
  if (value.empty()) return ext;
  b.set(ext, "url", extension_url(systems, name));
  b.set(ext, "valueString", value);
  return ext;
}

rapidjson::Value bpjs_organization(const Builder& b) {
  auto org = b.object();
  b.set(org, "resourceType", "Organization");
  b.set(org, "id", "bpjs");
  b.set_bool(org, "active", true);
  auto types = b.array();
  b.push(types, b.codeable(b.coding("http://terminology.hl7.org/CodeSystem/organization-type", "pay", "Payer")));
  b.put(org, "type", std::move(types));
  b.set(org, "name", kBpjsName);
  return org;
}

}  // namespace simpul::mappings::vclaim_fhir::parts
