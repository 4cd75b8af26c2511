#pragma once
// Bundles: building a searchset for search responses, and walking the entries of
// an incoming Bundle (transaction, batch, collection, ...).
//
//   SearchsetBuilder b;
//   b.total(2).link("self", "https://host/fhir/Patient?name=x");
//   b.add("https://host/fhir/Patient/1", patient1);   // copies the resource
//   rapidjson::Document bundle = b.finish();
//
//   for (const BundleEntry& e : bundle_entries(doc)) { ... e.resource ... }

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "fhir/error.hpp"

namespace simpul::fhir {

// Bundle.entry.search.mode
enum class SearchMode { match, include, outcome };

class SearchsetBuilder {
 public:
  SearchsetBuilder();

  // Bundle.total (omit when the total is unknown).
  SearchsetBuilder& total(std::uint64_t count);
  // Bundle.link (self, next, previous, first, last).
  SearchsetBuilder& link(std::string_view relation, std::string_view url);
  // Bundle.entry with fullUrl, a deep copy of `resource`, and search.mode.
  SearchsetBuilder& add(std::string_view full_url, const rapidjson::Value& resource,
                        SearchMode mode = SearchMode::match);

  std::size_t size() const noexcept;

  // {"resourceType":"Bundle","type":"searchset","total":N,"link":[...],"entry":[...]}
  // Empty link/entry arrays are omitted (FHIR forbids empty arrays). The builder is
  // empty again afterwards and may build another Bundle.
  rapidjson::Document finish();

 private:
  rapidjson::Document doc_;
  rapidjson::Value links_;
  rapidjson::Value entries_;
  std::optional<std::uint64_t> total_;
};

// "<base>/<type>/<id>" with exactly one '/' between base and type.
std::string full_url(std::string_view base, std::string_view type, std::string_view id);

// One entry of an incoming Bundle. Pointers refer into the bundle document.
struct BundleEntry {
  std::size_t index = 0;
  std::string_view full_url;                   // empty when absent
  const rapidjson::Value* resource = nullptr;  // entry.resource (an object) or nullptr
  const rapidjson::Value* request = nullptr;   // entry.request (an object) or nullptr
  const rapidjson::Value* entry = nullptr;     // the whole entry object
};

// Bundle.type. Throws Error 400 if `bundle` is not a Bundle or type is missing or
// not a string (expression "Bundle.type").
std::string_view bundle_type(const rapidjson::Value& bundle);

// The entries of a Bundle. Throws Error 400 (expression "Bundle.entry[i]...") if
// `bundle` is not a Bundle, entry is not an array, an entry is not an object, or
// fullUrl / resource / request have the wrong JSON type. No entries -> empty vector.
std::vector<BundleEntry> bundle_entries(const rapidjson::Value& bundle);

}  // namespace simpul::fhir
