#include "mappings/vclaim_fhir/referensi.hpp"

#include <algorithm>
#include <cctype>

#include "fhir/error.hpp"
#include "fhir/resource.hpp"
#include "mappings/bpjs/wire.hpp"
#include "mappings/vclaim_fhir/builder.hpp"

namespace simpul::mappings::vclaim_fhir {

namespace {

using rapidjson::Value;

constexpr std::string_view kPoliSystem = "https://fhir.simpul.id/CodeSystem/bpjs-poli";

constexpr ValueSetInfo kValueSets[] = {
    {CodeList::poli, "https://fhir.simpul.id/ValueSet/bpjs-poli", "BpjsPoli", "BPJS V-Claim poli (clinics)",
     kPoliSystem, true},
    {CodeList::diagnosa, "https://fhir.simpul.id/ValueSet/bpjs-diagnosa", "BpjsDiagnosa",
     "BPJS V-Claim diagnoses (ICD-10)", kIcd10System, true},
    {CodeList::propinsi, "https://fhir.simpul.id/ValueSet/bpjs-propinsi", "BpjsPropinsi",
     "BPJS V-Claim provinces (propinsi)", "https://fhir.simpul.id/CodeSystem/bpjs-propinsi", false},
    {CodeList::kabupaten, "https://fhir.simpul.id/ValueSet/bpjs-kabupaten", "BpjsKabupaten",
     "BPJS V-Claim regencies and cities (kabupaten/kota) of a province",
     "https://fhir.simpul.id/CodeSystem/bpjs-kabupaten", false},
};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::toupper(c); });
  return out;
}

bool is_code(std::string_view s, std::size_t max) {
  return !s.empty() && s.size() <= max &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c) != 0 || c == '.'; });
}

// A keyword for V-Claim: normalized, at least kMinKeywordLength characters.
std::string keyword(std::string_view text, std::string_view parameter, std::string_view what) {
  std::string k = normalize_keyword(text);
  if (k.empty()) {
    throw fhir::Error::required("V-Claim searches " + std::string(what) + " by keyword: give " +
                                    std::string(parameter) + "= with at least " + std::to_string(kMinKeywordLength) +
                                    " characters.",
                                std::string(parameter));
  }
  if (k.size() < kMinKeywordLength) {
    throw fhir::Error::value(std::string(parameter) + " must have at least " + std::to_string(kMinKeywordLength) +
                                 " characters (V-Claim searches " + std::string(what) + " by keyword).",
                             std::string(parameter), std::string(parameter) + "='" + k + "'");
  }
  return k;
}

std::size_t non_negative(std::string_view text, std::string_view parameter) {
  if (text.empty() || text.size() > 6 ||
      !std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c) != 0; })) {
    throw fhir::Error::value(std::string(parameter) + " must be a whole number from 0 to 999999.",
                             std::string(parameter));
  }
  return static_cast<std::size_t>(std::stoul(std::string(text)));
}

// A token search value "system|code" or "code": the code, when the system is absent
// or `system`. Throws 400 naming `parameter` otherwise.
std::string token_code(std::string_view token, std::string_view system, std::string_view parameter) {
  const auto bar = token.find('|');
  if (bar == std::string_view::npos) return std::string(token);
  if (bar != 0 && token.substr(0, bar) != system) {
    throw fhir::Error::value(std::string(parameter) + " must be " + std::string(system) + "|<code> or just the code.",
                             std::string(parameter), std::string(parameter) + "='" + std::string(token) + "'");
  }
  return std::string(token.substr(bar + 1));
}

// Local filter of the full lists: code prefix or name substring, case-insensitive.
bool code_or_name_matches(const bpjs::ReferensiItem& item, std::string_view normalized_filter) {
  if (normalized_filter.empty()) return true;
  return lower(item.kode).rfind(normalized_filter, 0) == 0 ||
         normalize_keyword(item.nama).find(normalized_filter) != std::string::npos;
}

Value meta_tag_stale(const Builder& b) {
  auto tag = b.object();
  b.set(tag, "system", kCacheTagSystem);
  b.set(tag, "code", "stale");
  b.set(tag, "display", "Served from Simpul's cache after its TTL; BPJS was not (yet) asked again");
  return tag;
}

Value expansion_parameter(const Builder& b, std::string_view name, Value&& value, std::string_view type) {
  auto p = b.object();
  b.set(p, "name", name);
  b.put(p, type, std::move(value));
  return p;
}

}  // namespace

std::string normalize_keyword(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool space = false;
  for (unsigned char c : text) {
    if (std::isspace(c)) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += static_cast<char>(std::tolower(c));
  }
  return out;
}

std::span<const ValueSetInfo> value_sets() {
  return kValueSets;
}

const ValueSetInfo* find_value_set(std::string_view url) {
  url = url.substr(0, url.find('|'));
  for (const auto& vs : kValueSets)
    if (vs.url == url) return &vs;
  return nullptr;
}

ExpandRequest parse_expand_request(const ExpandParams& params) {
  if (params.url.empty()) {
    throw fhir::Error::required(
        "ValueSet/$expand needs url=<canonical>, e.g. https://fhir.simpul.id/ValueSet/bpjs-poli "
        "(see /fhir/metadata and the documentation for the served value sets).",
        "url");
  }
  ExpandRequest r;
  r.value_set = find_value_set(params.url);
  if (r.value_set == nullptr) {
    std::string known;
    for (const auto& vs : kValueSets) known += (known.empty() ? "" : ", ") + std::string(vs.url);
    throw fhir::Error::not_found("No value set with url " + params.url + " is served here; known: " + known + ".",
                                 "url");
  }
  if (r.value_set->keyword_search) {
    r.filter = keyword(params.filter, "filter", r.value_set->list == CodeList::poli ? "poli" : "diagnoses");
  } else {
    r.filter = normalize_keyword(params.filter);
  }
  if (r.value_set->list == CodeList::kabupaten) {
    r.propinsi = std::string(params.propinsi);
    if (r.propinsi.empty()) {
      throw fhir::Error::required(
          "The kabupaten value set needs propinsi=<province code> (from the bpjs-propinsi value set).", "propinsi");
    }
    if (!is_code(r.propinsi, 10)) {
      throw fhir::Error::value("propinsi must be a BPJS province code (letters and digits).", "propinsi",
                               "propinsi='" + r.propinsi + "'");
    }
  } else if (!params.propinsi.empty()) {
    throw fhir::Error::value("propinsi only applies to the kabupaten value set.", "propinsi");
  }
  if (!params.count.empty()) r.count = non_negative(params.count, "count");
  if (!params.offset.empty()) r.offset = non_negative(params.offset, "offset");
  return r;
}

std::string diagnosis_display(const bpjs::ReferensiItem& item) {
  std::string_view name = item.nama;
  if (!item.kode.empty() && name.rfind(item.kode, 0) == 0) {
    std::string_view rest = name.substr(item.kode.size());
    const auto start = rest.find_first_not_of(" -");
    if (start != std::string_view::npos && start > 0 && rest.substr(0, start).find('-') != std::string_view::npos)
      return std::string(rest.substr(start));
  }
  return std::string(name);
}

rapidjson::Document expand_value_set(const ExpandRequest& request, const std::vector<bpjs::ReferensiItem>& items,
                                     std::string_view identifier, const CacheInfo& cache) {
  const ValueSetInfo& vs = *request.value_set;
  rapidjson::Document doc(rapidjson::kObjectType);
  Builder b(doc);
  b.set(doc, "resourceType", "ValueSet");
  mark_cache(doc, cache);
  b.set(doc, "url", vs.url);
  b.set(doc, "name", vs.name);
  b.set(doc, "title", vs.title);
  b.set(doc, "status", "active");
  b.set(doc, "publisher", "Simpul, from BPJS Kesehatan V-Claim");

  auto expansion = b.object();
  b.set(expansion, "identifier", identifier);
  b.set(expansion, "timestamp", cache.fetched_at);

  std::vector<const bpjs::ReferensiItem*> selected;
  for (const auto& item : items) {
    if (item.kode.empty()) continue;
    if (!vs.keyword_search && !code_or_name_matches(item, request.filter)) continue;
    selected.push_back(&item);
  }
  expansion.AddMember("total", static_cast<int>(selected.size()), b.allocator());
  if (request.count || request.offset > 0)
    expansion.AddMember("offset", static_cast<int>(request.offset), b.allocator());

  auto parameters = b.array();
  if (!request.filter.empty())
    b.push(parameters, expansion_parameter(b, "filter", b.string(request.filter), "valueString"));
  if (!request.propinsi.empty())
    b.push(parameters, expansion_parameter(b, "propinsi", b.string(request.propinsi), "valueString"));
  if (request.count)
    b.push(parameters, expansion_parameter(b, "count", Value(static_cast<int>(*request.count)), "valueInteger"));
  if (request.offset > 0)
    b.push(parameters, expansion_parameter(b, "offset", Value(static_cast<int>(request.offset)), "valueInteger"));
  b.put(expansion, "parameter", std::move(parameters));

  auto contains = b.array();
  const std::size_t end = request.count ? std::min(selected.size(), request.offset + *request.count) : selected.size();
  for (std::size_t i = request.offset; i < end; ++i) {
    const auto& item = *selected[i];
    auto c = b.object();
    b.set(c, "system", vs.code_system);
    b.set(c, "code", item.kode);
    b.set(c, "display", vs.list == CodeList::diagnosa ? diagnosis_display(item) : item.nama);
    b.push(contains, std::move(c));
  }
  b.put(expansion, "contains", std::move(contains));
  b.put(doc, "expansion", std::move(expansion));
  return doc;
}

OrganizationSearch parse_organization_search(std::string_view identifier, std::string_view name, std::string_view type,
                                             const Systems& systems) {
  if (identifier.empty() == name.empty()) {
    throw fhir::Error::required(
        "Organization search needs exactly one of identifier=" + systems.kode_faskes +
            "|<kode faskes> or name=<at least 3 characters> (V-Claim searches facilities by keyword).",
        "identifier");
  }
  OrganizationSearch s;
  if (!identifier.empty()) {
    s.code = upper(token_code(identifier, systems.kode_faskes, "identifier"));
    if (!is_code(s.code, 20) || s.code.size() < kMinKeywordLength) {
      throw fhir::Error::value("identifier must be a BPJS facility code (kode PPK, e.g. 0301R011).", "identifier",
                               "identifier='" + std::string(identifier) + "'");
    }
    s.keyword = s.code;  // BPJS facility codes are upper case
  } else {
    s.keyword = keyword(name, "name", "facilities");
  }
  const std::string jenis_system = systems.bpjs_code_system_base + "jenis-faskes";
  const std::string t = lower(token_code(type, jenis_system, "type"));
  if (t.empty()) {
    s.levels = {1, 2};
  } else if (t == "1" || t == "fktp") {
    s.levels = {1};
  } else if (t == "2" || t == "rs" || t == "fkrtl") {
    s.levels = {2};
  } else {
    throw fhir::Error::value("type must be 1 (FKTP: puskesmas, klinik, dokter praktik) or 2 (RS: hospital).", "type",
                             "type='" + std::string(type) + "'");
  }
  return s;
}

bool organization_matches(const OrganizationSearch& search, const bpjs::ReferensiItem& item) {
  if (item.kode.empty()) return false;
  return search.code.empty() || upper(item.kode) == search.code;
}

rapidjson::Document organization_from_faskes(const bpjs::ReferensiItem& item, int level, const Systems& systems) {
  rapidjson::Document doc(rapidjson::kObjectType);
  Builder b(doc);
  b.set(doc, "resourceType", "Organization");
  if (fhir::is_valid_id(item.kode)) b.set(doc, "id", item.kode);
  auto ids = b.array();
  b.push(ids, b.identifier(systems.kode_faskes, item.kode));
  b.put(doc, "identifier", std::move(ids));
  b.set_bool(doc, "active", true);
  auto types = b.array();
  b.push(types, b.codeable(b.coding("http://terminology.hl7.org/CodeSystem/organization-type", "prov",
                                    "Healthcare Provider")));
  b.push(types, b.codeable(b.coding(systems.bpjs_code_system_base + "jenis-faskes", level == 2 ? "2" : "1",
                                    level == 2 ? "Faskes 2 (rumah sakit)" : "Faskes 1 (FKTP)")));
  b.put(doc, "type", std::move(types));
  b.set(doc, "name", item.nama);
  return doc;
}

PractitionerSearch parse_practitioner_search(std::string_view specialty, std::string_view date,
                                             std::string_view service_type, std::string_view identifier,
                                             std::string_view name, std::string_view today) {
  PractitionerSearch s;
  if (specialty.empty()) {
    throw fhir::Error::required(
        "V-Claim lists DPJP doctors per specialty: give specialty=<poli code> (e.g. INT, from the bpjs-poli value "
        "set).",
        "specialty");
  }
  s.spesialis = upper(token_code(specialty, kPoliSystem, "specialty"));
  if (!is_code(s.spesialis, 10)) {
    throw fhir::Error::value("specialty must be a BPJS poli code (e.g. INT).", "specialty",
                             "specialty='" + std::string(specialty) + "'");
  }
  s.date = std::string(date.empty() ? today : date);
  if (!bpjs::parse_ymd(s.date)) {
    throw fhir::Error::value("date must be a full date (yyyy-mm-dd): the day of service.", "date",
                             "date='" + s.date + "'");
  }
  const std::string st = lower(service_type);
  if (st.empty() || st == "outpatient" || st == "2") {
    s.jenis_pelayanan = 2;
  } else if (st == "inpatient" || st == "1") {
    s.jenis_pelayanan = 1;
  } else {
    throw fhir::Error::value("service-type must be outpatient (rawat jalan, 2) or inpatient (rawat inap, 1).",
                             "service-type", "service-type='" + std::string(service_type) + "'");
  }
  if (!identifier.empty()) {
    s.code = token_code(identifier, kKodeDpjpSystem, "identifier");
    if (!is_code(s.code, 20)) {
      throw fhir::Error::value("identifier must be a BPJS DPJP doctor code (digits).", "identifier",
                               "identifier='" + std::string(identifier) + "'");
    }
  }
  s.name = normalize_keyword(name);
  return s;
}

bool practitioner_matches(const PractitionerSearch& search, const bpjs::ReferensiItem& item) {
  if (item.kode.empty()) return false;
  if (!search.code.empty() && item.kode != search.code) return false;
  return search.name.empty() || normalize_keyword(item.nama).find(search.name) != std::string::npos;
}

rapidjson::Document practitioner_from_dpjp(const bpjs::ReferensiItem& item) {
  rapidjson::Document doc(rapidjson::kObjectType);
  Builder b(doc);
  b.set(doc, "resourceType", "Practitioner");
  if (fhir::is_valid_id(item.kode)) b.set(doc, "id", item.kode);
  auto ids = b.array();
  b.push(ids, b.identifier(kKodeDpjpSystem, item.kode));
  b.put(doc, "identifier", std::move(ids));
  b.set_bool(doc, "active", true);
  auto names = b.array();
  if (!item.nama.empty()) {
    auto n = b.object();
    b.set(n, "use", "official");
    b.set(n, "text", item.nama);
    b.push(names, std::move(n));
  }
  b.put(doc, "name", std::move(names));
  return doc;
}

void mark_cache(rapidjson::Document& resource, const CacheInfo& cache) {
  Builder b(resource);
  auto meta = b.object();
  b.set(meta, "lastUpdated", cache.fetched_at);
  if (cache.stale) {
    auto tags = b.array();
    b.push(tags, meta_tag_stale(b));
    b.put(meta, "tag", std::move(tags));
  }
  if (resource.HasMember("meta")) resource.RemoveMember("meta");
  b.put(resource, "meta", std::move(meta));
}

}  // namespace simpul::mappings::vclaim_fhir
