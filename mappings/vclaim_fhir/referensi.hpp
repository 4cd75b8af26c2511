#pragma once
// V-Claim reference data (referensi) as FHIR (docs/mappings/vclaim.md, "Reference data").
//
//   GET /fhir/ValueSet/$expand?url=<canonical>[&filter=][&count=][&offset=][&propinsi=]
//       poli, diagnosa (ICD-10), propinsi, kabupaten  -> ValueSet with an expansion
//   GET /fhir/Organization?identifier=<kode-faskes system>|<kode> | ?name=<text> [&type=1|2]
//       faskes (FKTP / hospital)                       -> Organization
//   GET /fhir/Practitioner?specialty=<poli>[&date=][&service-type=][&identifier=][&name=]
//       dokter DPJP                                    -> Practitioner
//
// V-Claim's referensi endpoints are keyword searches answering [{kode, nama}]; these
// functions turn search parameters into what V-Claim needs and the lists into FHIR.
// Pure functions: no I/O, no clock (the caller passes "today" and the instants).
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "mappings/bpjs/vclaim.hpp"
#include "mappings/vclaim_fhir/eligibility.hpp"

namespace simpul::mappings::vclaim_fhir {

// Meta tag on answers served from an entry older than its TTL.
inline constexpr std::string_view kCacheTagSystem = "https://fhir.simpul.id/CodeSystem/cache-status";

// The shortest keyword V-Claim is asked with (after trimming): shorter ones match
// thousands of diagnoses and facilities.
inline constexpr std::size_t kMinKeywordLength = 3;

// Trims, collapses runs of whitespace to one space and lowercases (ASCII): the
// cache key of a keyword and the keyword V-Claim is asked with.
std::string normalize_keyword(std::string_view text);

// ------------------------------------------------------------------ ValueSet $expand

enum class CodeList { poli, diagnosa, propinsi, kabupaten };

struct ValueSetInfo {
  CodeList list;
  std::string_view url;          // canonical, e.g. https://fhir.simpul.id/ValueSet/bpjs-poli
  std::string_view name;         // ValueSet.name
  std::string_view title;        // ValueSet.title
  std::string_view code_system;  // expansion.contains.system
  bool keyword_search;           // V-Claim needs a keyword (filter is required)
};

// The served value sets, in documentation order.
std::span<const ValueSetInfo> value_sets();
// nullptr when `url` (a "|version" suffix is ignored) is not one of them.
const ValueSetInfo* find_value_set(std::string_view url);

// The $expand parameters as received (empty = absent).
struct ExpandParams {
  std::string url;
  std::string filter;
  std::string count;
  std::string offset;
  std::string propinsi;  // kabupaten: the province code (kdPropinsi)
};

struct ExpandRequest {
  const ValueSetInfo* value_set = nullptr;
  std::string filter;    // normalized; for poli/diagnosa the V-Claim keyword
  std::string propinsi;  // kabupaten only
  std::optional<std::size_t> count;
  std::size_t offset = 0;
};

// Throws fhir::Error: 400 for a missing url, a missing or short filter where V-Claim
// needs a keyword, a missing propinsi for kabupaten, a count/offset that is not a
// non-negative integer; 404 for an unknown url.
ExpandRequest parse_expand_request(const ExpandParams& params);

// Where the answer came from, for meta and expansion.timestamp.
struct CacheInfo {
  std::string fetched_at;  // instant the list was fetched from V-Claim (yyyy-mm-ddThh:mm:ssZ)
  bool stale = false;      // older than its TTL (a refresh is under way or BPJS is down)
};

// The ValueSet with its expansion. For propinsi/kabupaten (full lists) the filter is
// applied here (case-insensitive, on code prefix or anywhere in the name); poli and
// diagnosa come filtered by V-Claim. Diagnosis names "A09 - Diarrhoea ..." lose the
// repeated code. `identifier` is the expansion's unique id (a urn:uuid).
rapidjson::Document expand_value_set(const ExpandRequest& request, const std::vector<bpjs::ReferensiItem>& items,
                                     std::string_view identifier, const CacheInfo& cache);

// The display of a V-Claim diagnosis: "A09 - Diarrhoea ..." -> "Diarrhoea ...".
std::string diagnosis_display(const bpjs::ReferensiItem& item);

// ------------------------------------------------------------------ Organization (faskes)

struct OrganizationSearch {
  std::string keyword;      // what V-Claim is asked: the normalized name, or the code
  std::string code;         // by identifier: only this kode matches (as given, upper case)
  std::vector<int> levels;  // jenis faskes asked: 1 = FKTP, 2 = RS (hospital)
};

// identifier = "<kode-faskes system>|<kode>" or "<kode>"; name = text (at least 3
// characters); exactly one of them. type = "1" / "fktp" or "2" / "rs" (optionally
// "<jenis-faskes system>|..."); absent = both levels. Throws fhir::Error (400).
OrganizationSearch parse_organization_search(std::string_view identifier, std::string_view name, std::string_view type,
                                             const Systems& systems = {});

// Does a faskes of the V-Claim answer satisfy the search (the exact code when by identifier)?
bool organization_matches(const OrganizationSearch& search, const bpjs::ReferensiItem& item);

// The Organization of one faskes; level 1 FKTP, 2 RS.
rapidjson::Document organization_from_faskes(const bpjs::ReferensiItem& item, int level, const Systems& systems = {});

// ------------------------------------------------------------------ Practitioner (dokter DPJP)

struct PractitionerSearch {
  int jenis_pelayanan = 2;  // 1 rawat inap (inpatient), 2 rawat jalan (outpatient)
  std::string date;         // tglPelayanan yyyy-MM-dd
  std::string spesialis;    // kdSpesialis: the V-Claim poli code, upper case
  std::string code;         // identifier filter: only this kode DPJP ("" = any)
  std::string name;         // name filter, normalized ("" = any)
};

// specialty = "<poli code>" or "<poli system>|<code>" (required); date = yyyy-mm-dd
// (absent = `today`); service-type = outpatient | inpatient | 2 | 1 (absent =
// outpatient); identifier = "<kode-dpjp system>|<kode>" or "<kode>"; name = text.
// Throws fhir::Error (400).
PractitionerSearch parse_practitioner_search(std::string_view specialty, std::string_view date,
                                             std::string_view service_type, std::string_view identifier,
                                             std::string_view name, std::string_view today);

bool practitioner_matches(const PractitionerSearch& search, const bpjs::ReferensiItem& item);

// The Practitioner of one DPJP.
rapidjson::Document practitioner_from_dpjp(const bpjs::ReferensiItem& item);

// ------------------------------------------------------------------ common

// Adds meta.lastUpdated (the fetch instant) and, when stale, meta.tag
// {kCacheTagSystem, "stale"} to a resource (a ValueSet or a searchset Bundle).
void mark_cache(rapidjson::Document& resource, const CacheInfo& cache);

}  // namespace simpul::mappings::vclaim_fhir
