#include "mappings/satusehat_fhir/transaction.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "fhir/error.hpp"
#include "fhir/json.hpp"
#include "fhir/resource.hpp"
#include "mappings/vclaim_fhir/fhir_read.hpp"

namespace simpul::mappings::satusehat_fhir {

namespace {

using namespace vclaim_fhir::read;
using rapidjson::Document;

constexpr std::string_view kActCode = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
constexpr std::string_view kParticipationType = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";
constexpr std::string_view kMedicationType = "https://fhir.kemkes.go.id/r4/StructureDefinition/MedicationType";
constexpr std::string_view kDateFloor = "2014-06-03";  // research §2.1: no date earlier than 3 June 2014

// The resource types Simpul sends (the SATUSEHAT simulator's writable types minus Patient).
constexpr std::array<std::string_view, 8> kPosted = {"Encounter",         "Condition",         "Observation",
                                                     "Procedure",         "Medication",        "MedicationRequest",
                                                     "MedicationDispense", "ServiceRequest"};
// Resources that belong to the visit: `encounter` defaults to the Bundle's Encounter.
constexpr std::array<std::string_view, 5> kVisitResources = {"Condition", "Observation", "Procedure",
                                                             "MedicationRequest", "ServiceRequest"};

template <std::size_t N>
bool one_of(std::string_view v, const std::array<std::string_view, N>& set) {
  return std::find(set.begin(), set.end(), v) != set.end();
}

// ---------------------------------------------------------------- deterministic entry ids

std::uint64_t fnv1a(std::string_view s, std::uint64_t h) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

// A name-based UUID (RFC 9562 version 8, variant 10) of `name`: the same input entry
// always gets the same urn:uuid, so rendering twice gives the same bytes.
std::string uuid_of(std::string_view name) {
  std::uint64_t hi = mix(fnv1a(name, 0xcbf29ce484222325ULL));
  std::uint64_t lo = mix(fnv1a(name, 0x84222325cbf29ce4ULL) ^ hi);
  hi = (hi & ~0xF000ULL) | 0x8000ULL;
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                static_cast<unsigned>(lo >> 48), static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
  return buf;
}

// ---------------------------------------------------------------- dateTimes

bool digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int num(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

// A FHIR dateTime in UTC "+00:00". A date (YYYY, YYYY-MM, YYYY-MM-DD) is returned
// as it is (it has no zone); a time without an offset is read in `offset_minutes`.
// nullopt when malformed.
std::optional<std::string> to_utc(std::string_view s, int offset_minutes) {
  if (s.size() <= 10) {
    if (fhir::is_valid_date(s)) return std::string(s);
    return std::nullopt;
  }
  // YYYY-MM-DDThh:mm:ss[.f+][Z|+hh:mm|-hh:mm]
  if (s.size() < 19 || s[10] != 'T' || s[13] != ':' || s[16] != ':') return std::nullopt;
  const std::string_view date = s.substr(0, 10);
  if (!fhir::is_valid_date(date) || !digits(s.substr(11, 2)) || !digits(s.substr(14, 2)) || !digits(s.substr(17, 2)))
    return std::nullopt;
  std::size_t pos = 19;
  std::string_view fraction;
  if (pos < s.size() && s[pos] == '.') {
    std::size_t end = pos + 1;
    while (end < s.size() && s[end] >= '0' && s[end] <= '9') ++end;
    if (end == pos + 1 || end - pos > 10) return std::nullopt;
    fraction = s.substr(pos, end - pos);
    pos = end;
  }
  int offset = offset_minutes;
  const std::string_view zone = s.substr(pos);
  if (zone == "Z") {
    offset = 0;
  } else if (!zone.empty()) {
    if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':' || !digits(zone.substr(1, 2)) ||
        !digits(zone.substr(4, 2)))
      return std::nullopt;
    const int h = num(zone.substr(1, 2));
    const int m = num(zone.substr(4, 2));
    if (h > 14 || m > 59 || (h == 14 && m != 0)) return std::nullopt;
    offset = (h * 60 + m) * (zone[0] == '-' ? -1 : 1);
  }
  const int hour = num(s.substr(11, 2));
  const int minute = num(s.substr(14, 2));
  const int second = num(s.substr(17, 2));
  if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
  using namespace std::chrono;
  const year_month_day ymd{year{num(date.substr(0, 4))}, month{unsigned(num(date.substr(5, 2)))},
                           day{unsigned(num(date.substr(8, 2)))}};
  const long long total = static_cast<long long>(sys_days{ymd}.time_since_epoch().count()) * 1440 + hour * 60 +
                          minute - offset;
  const long long days_since = total >= 0 ? total / 1440 : -((-total + 1439) / 1440);
  const int minutes = static_cast<int>(total - days_since * 1440);
  const year_month_day out{sys_days{days{days_since}}};
  const int y = static_cast<int>(out.year());
  if (y < 1 || y > 9999) return std::nullopt;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", y, static_cast<unsigned>(out.month()),
                static_cast<unsigned>(out.day()), minutes / 60, minutes % 60, second);
  std::string r = buf;
  r += fraction;
  r += "+00:00";
  if (!fhir::is_valid_datetime(r)) return std::nullopt;
  return r;
}

// Keys whose string values are FHIR dateTime/instant in the resources sent.
bool datetime_key(std::string_view key) {
  static constexpr std::array<std::string_view, 9> kKeys = {
      "start", "end", "authoredOn", "recordedDate", "issued", "whenPrepared", "whenHandedOver", "time", "event"};
  return one_of(key, kKeys) || key.ends_with("DateTime") || key.ends_with("Instant");
}

// ---------------------------------------------------------------- reading the input Bundle

struct Entry {
  SizeType index = 0;
  Node resource;  // path "Bundle.entry[i].resource"
  std::string type;
  std::string full_url;
  std::string uuid;  // of the output entry (posted types)
  bool posted = false;
};

// What a reference points to: a Bundle entry or a contained resource.
struct Target {
  Node resource;
  const Entry* entry = nullptr;  // nullptr: contained
  std::string type;
  explicit operator bool() const { return static_cast<bool>(resource); }
};

// A Patient or Practitioner as SATUSEHAT knows it: the IHS id, or the NIK to look it up by.
struct Person {
  std::string ihs;
  std::string nik;
  std::string name;
};

bool relative_literal(std::string_view ref) {
  const auto slash = ref.find('/');
  return slash != std::string_view::npos && slash > 0 && slash + 1 < ref.size() &&
         ref.find("://") == std::string_view::npos && !ref.starts_with("urn:") &&
         fhir::is_resource_type(ref.substr(0, slash));
}

class Input {
 public:
  explicit Input(const Value& bundle) {
    if (!bundle.IsObject() || fhir::string_member(bundle, "resourceType") != "Bundle") {
      throw Error::invalid("Expected a Bundle holding one Encounter and its resources", "resourceType");
    }
    const Node root{&bundle, "Bundle", "Bundle"};
    Node entries = array_at(root, "entry");
    if (size_of(entries) == 0) throw Error::required("The Bundle has no entries", "Bundle.entry");
    entries_.reserve(size_of(entries));
    std::unordered_set<std::string> full_urls;
    for (SizeType i = 0; i < size_of(entries); ++i) {
      Node e = element(entries, i);
      Node resource = object_at(e, "resource");
      if (!resource) continue;
      Entry entry;
      entry.index = i;
      entry.resource = resource;
      entry.type = std::string(text_at(resource, "resourceType"));
      if (entry.type.empty()) throw Error::required("Every entry's resource needs a resourceType", resource.path + ".resourceType");
      entry.full_url = std::string(text_at(e, "fullUrl"));
      entry.posted = one_of(entry.type, kPosted);
      if (!entry.full_url.empty() && !full_urls.insert(entry.full_url).second) {
        throw Error::value("Two entries of the Bundle have the same fullUrl", e.path + ".fullUrl");
      }
      const std::string id(text_at(resource, "id"));
      entry.uuid = uuid_of("simpul-satusehat|" + (entry.full_url.empty() ? "entry[" + std::to_string(i) + "]|" +
                                                                               entry.type + "/" + id
                                                                         : entry.full_url));
      if (entry.type == "Encounter") {
        if (encounter_ != SIZE_MAX) {
          throw Error::value("The Bundle holds more than one Encounter: send one Bundle per visit", resource.path);
        }
        encounter_ = entries_.size();
      }
      entries_.push_back(std::move(entry));
    }
    if (encounter_ == SIZE_MAX) throw Error::required("The Bundle holds no Encounter", "Bundle.entry");
    // Indexes, so resolving every reference stays linear in the Bundle: the fullUrl,
    // "Type/id", and the last two segments of a URL fullUrl (".../Condition/1").
    for (const Entry& e : entries_) {
      if (!e.full_url.empty()) {
        index_.emplace(e.full_url, &e);
        const auto last = e.full_url.rfind('/');
        const auto before = last == std::string::npos || last == 0 ? std::string::npos : e.full_url.rfind('/', last - 1);
        if (before != std::string::npos) index_.emplace(e.full_url.substr(before + 1), &e);
      }
      if (const std::string_view id = text_at(e.resource, "id"); !id.empty()) {
        index_.emplace(e.type + "/" + std::string(id), &e);
      }
    }
  }

  const std::vector<Entry>& entries() const { return entries_; }
  const Entry& encounter() const { return entries_[encounter_]; }

  // `ref` as found in a resource whose root is `holder` (for "#id").
  Target resolve(std::string_view ref, const Node& holder) const {
    if (ref.empty()) return {};
    if (ref.front() == '#') {
      const Value* list = holder ? fhir::member(*holder.value, "contained") : nullptr;
      if (list == nullptr || !list->IsArray()) return {};
      for (SizeType i = 0; i < list->Size(); ++i) {
        const Value& r = (*list)[i];
        if (r.IsObject() && fhir::string_member(r, "id") == ref.substr(1)) {
          Target t;
          t.resource = {&r, holder.path + ".contained[" + std::to_string(i) + "]", {}};
          t.type = std::string(fhir::string_member(r, "resourceType").value_or(""));
          return t;
        }
      }
      return {};
    }
    if (auto it = index_.find(std::string(ref)); it != index_.end()) {
      return {it->second->resource, it->second, it->second->type};
    }
    return {};
  }

 private:
  std::vector<Entry> entries_;
  std::unordered_map<std::string, const Entry*> index_;  // first entry wins
  std::size_t encounter_ = SIZE_MAX;
};

// The IHS id or NIK of a Patient/Practitioner resource. 400 when it has neither.
Person person_of(const Node& resource, std::string_view type) {
  Person p;
  Node ids = array_at(resource, "identifier");
  for (SizeType i = 0; i < size_of(ids); ++i) {
    Node id = element(ids, i);
    const std::string_view system = text_at(id, "system");
    if (system == kIhsSystem && p.ihs.empty()) {
      p.ihs = std::string(text_at(id, "value"));
      if (!p.ihs.empty() && !fhir::is_valid_id(p.ihs)) {
        throw Error::value("An IHS number is letters and digits", id.path + ".value");
      }
    } else if (system == kNikSystem && p.nik.empty()) {
      const std::string_view nik = text_at(id, "value");
      if (nik.size() != 16 || !digits(nik)) {
        throw Error::value("A NIK is 16 digits", id.path + ".value", "NIK of length " + std::to_string(nik.size()));
      }
      p.nik = std::string(nik);
    }
  }
  if (p.ihs.empty() && p.nik.empty()) {
    throw Error::required("The " + std::string(type) + " needs its NIK (identifier system " + std::string(kNikSystem) +
                              ") or its SATUSEHAT IHS number (" + std::string(kIhsSystem) +
                              "): SATUSEHAT knows " + (type == "Patient" ? "patients" : "practitioners") +
                              " only by these",
                          resource.path + ".identifier");
  }
  Node names = array_at(resource, "name");
  if (size_of(names) > 0) {
    Node n = element(names, 0);
    p.name = std::string(text_at(n, "text"));
    if (p.name.empty()) {
      Node given = array_at(n, "given");
      for (SizeType i = 0; i < size_of(given); ++i) {
        if ((*given.value)[i].IsString()) p.name += std::string(fhir::as_string_view((*given.value)[i])) + " ";
      }
      p.name += std::string(text_at(n, "family"));
      while (!p.name.empty() && p.name.back() == ' ') p.name.pop_back();
    }
  }
  return p;
}

bool is_person(std::string_view type) {
  return type == "Patient" || type == "Practitioner";
}

// Where an element is in the input: its FHIRPath, built only when needed (an error, a
// note, a reference). Each level links to its parent on the caller's stack; building
// every path eagerly was the largest cost of rendering a bundle.
struct Where {
  const Where* parent = nullptr;
  const std::string* root = nullptr;  // the resource's path (at the root only)
  std::string_view key{};             // ".key", or
  std::optional<SizeType> index{};    // "[i]"
  std::string str() const {
    std::string out;
    if (parent != nullptr) {
      out = parent->str();
    } else if (root != nullptr) {
      out = *root;
    }
    if (index) {
      out.push_back('[');
      out.append(std::to_string(*index));
      out.push_back(']');
    } else if (!key.empty()) {
      out.push_back('.');
      out.append(key);
    }
    return out;
  }
};

// Calls f(reference node, holder) for every Reference (object with a string
// "reference") inside `v`.
template <class F>
void each_reference_at(const Value& v, const Where& where, const Node& holder, F& f) {
  if (v.IsObject()) {
    if (const Value* r = fhir::member(v, "reference"); r != nullptr && r->IsString()) {
      f(Node{&v, where.str(), {}}, holder);
    }
    for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
      const std::string_view key = fhir::as_string_view(m->name);
      if (key == "contained") continue;  // resolved where referenced
      const Where member{&where, nullptr, key, {}};
      each_reference_at(m->value, member, holder, f);
    }
  } else if (v.IsArray()) {
    for (SizeType i = 0; i < v.Size(); ++i) {
      const Where element{&where, nullptr, {}, i};
      each_reference_at(v[i], element, holder, f);
    }
  }
}

template <class F>
void each_reference(const Node& v, const Node& holder, F&& f) {
  const Where root{nullptr, &v.path, {}, {}};
  each_reference_at(*v.value, root, holder, f);
}

// The Patient/Practitioner a reference names (when it names one): its IHS id or NIK.
std::optional<std::pair<std::string, Person>> person_reference(const Input& in, const Node& reference,
                                                               const Node& holder) {
  const std::string_view ref = text_at(reference, "reference");
  if (ref.empty()) return std::nullopt;
  Target t = in.resolve(ref, holder);
  if (t) {
    if (!is_person(t.type)) return std::nullopt;
    return std::make_pair(t.type, person_of(t.resource, t.type));
  }
  if (relative_literal(ref)) {
    const std::string_view type = ref.substr(0, ref.find('/'));
    if (!is_person(type)) return std::nullopt;
    Person p;
    p.ihs = std::string(ref.substr(ref.find('/') + 1));
    return std::make_pair(std::string(type), p);
  }
  return std::nullopt;
}

// ---------------------------------------------------------------- the renderer

class Renderer {
 public:
  Renderer(const Input& in, const SatusehatContext& ctx, bool validate_only, SatusehatTransaction& out)
      : in_(in), ctx_(ctx), validate_only_(validate_only), out_(out), a_(doc_.GetAllocator()) {}

  void render() {
    check_context();
    const Entry& enc = in_.encounter();
    enc_urn_ = "urn:uuid:" + enc.uuid;
    // The Encounter first (as the IG's bundles), then the rest in input order.
    std::vector<const Entry*> order{&enc};
    for (const Entry& e : in_.entries()) {
      if (&e != &enc) order.push_back(&e);
    }
    Value entries(rapidjson::kArrayType);
    for (const Entry* e : order) {
      if (!e->posted) {
        note_not_sent(*e);
        continue;
      }
      Value resource = resource_of(*e);
      Value entry(rapidjson::kObjectType);
      entry.AddMember("fullUrl", str("urn:uuid:" + e->uuid), a_);
      entry.AddMember("resource", resource, a_);
      Value request(rapidjson::kObjectType);
      request.AddMember("method", "POST", a_);
      request.AddMember("url", str(e->type), a_);
      entry.AddMember("request", request, a_);
      entries.PushBack(entry, a_);
      out_.entry_types.push_back(e->type);
    }
    doc_.SetObject();
    doc_.AddMember("resourceType", "Bundle", a_);
    doc_.AddMember("type", "transaction", a_);
    doc_.AddMember("entry", entries, a_);
    out_.bundle_json = fhir::to_json(doc_);
  }

 private:
  Value str(std::string_view s) { return Value(s.data(), static_cast<SizeType>(s.size()), a_); }

  void check_context() {
    if (ctx_.organization_id.empty() || !fhir::is_valid_id(ctx_.organization_id)) {
      throw Error::internal("SATUSEHAT context has no valid organization_id", {},
                            "satusehat: context.organization_id is empty or not a FHIR id");
    }
    if (!ctx_.location_id.empty() && !fhir::is_valid_id(ctx_.location_id)) {
      throw Error::internal("SATUSEHAT context has an invalid location_id", {},
                            "satusehat: context.location_id is not a FHIR id");
    }
    if (ctx_.utc_offset_minutes < -14 * 60 || ctx_.utc_offset_minutes > 14 * 60) {
      throw Error::internal("SATUSEHAT context has an invalid UTC offset", {},
                            "satusehat: context.utc_offset_minutes out of range");
    }
  }

  void note(std::string text) { out_.notes.push_back(std::move(text)); }

  void note_not_sent(const Entry& e) {
    const std::string where = e.resource.path + " (" + e.type + ")";
    if (e.type == "Patient" || e.type == "Practitioner") {
      note(where + ": not sent; SATUSEHAT's " + (e.type == "Patient" ? "MPI" : "MNI") +
           " holds it, references name its IHS id");
    } else if (e.type == "Organization") {
      note(where + ": not sent; a reference to it keeps only its display (SATUSEHAT organizations are registered by "
                   "their owners)");
    } else {
      note(where + ": not sent; Simpul sends only Encounter, Condition, Observation, Procedure, Medication, "
                   "MedicationRequest, MedicationDispense and ServiceRequest");
    }
  }

  bool dropped_system(std::string_view system) const {
    return std::any_of(ctx_.dropped_system_prefixes.begin(), ctx_.dropped_system_prefixes.end(),
                       [&](const std::string& p) { return !p.empty() && system.starts_with(p); });
  }

  // The IHS id of a person, "" when the reference names none.
  std::string ihs_for(const std::string& type, const Person& p) {
    if (!p.ihs.empty()) return p.ihs;
    const auto& map = type == "Patient" ? ctx_.patient_ihs_by_nik : ctx_.practitioner_ihs_by_nik;
    if (auto it = map.find(p.nik); it != map.end() && !it->second.empty()) {
      if (!fhir::is_valid_id(it->second)) {
        throw Error::internal("SATUSEHAT context holds an invalid IHS id", {}, "satusehat: IHS id is not a FHIR id");
      }
      return it->second;
    }
    if (!validate_only_) {
      throw Error::internal("The " + type + " NIK was not resolved to an IHS id before rendering", {},
                            "satusehat: " + type + " NIK ..." + p.nik.substr(p.nik.size() - 4) +
                                " missing from the context (call needed_lookups first)");
    }
    auto& placeholders = type == "Patient" ? patient_placeholders_ : practitioner_placeholders_;
    auto [it, inserted] = placeholders.emplace(p.nik, "unresolved-" + std::to_string(placeholders.size() + 1));
    if (inserted) {
      note(type + " NIK ..." + p.nik.substr(p.nik.size() - 4) + ": not resolved (validate only): " + type + "/" +
           it->second + " is a placeholder");
    }
    return it->second;
  }

  // ---- the generic copy

  // Copies `v` (at input FHIRPath `where`, under member `key`) into the output:
  // dateTimes to UTC, Simpul codings and extensions dropped, references
  // rewritten. A null Value means "leave it out".
  Value copy(const Value& v, const Where& where, std::string_view key, const Node& holder) {
    if (v.IsString()) {
      const std::string_view s = fhir::as_string_view(v);
      if (datetime_key(key)) {
        const auto utc = to_utc(s, ctx_.utc_offset_minutes);
        if (!utc) {
          const std::string path = where.str();
          throw Error::value(path + " must be a FHIR dateTime (yyyy-mm-dd or yyyy-mm-ddThh:mm:ss+zz:zz)", path,
                             "dateTime '" + clip(s, 40) + "'");
        }
        return str(*utc);
      }
      if (s.empty()) return Value();
      return str(s);
    }
    if (v.IsArray()) {
      Value arr(rapidjson::kArrayType);
      for (SizeType i = 0; i < v.Size(); ++i) {
        const Where element{&where, nullptr, {}, i};
        Value c = copy(v[i], element, key, holder);
        if (!c.IsNull()) arr.PushBack(c, a_);
      }
      if (arr.Empty()) return Value();
      return arr;
    }
    if (v.IsObject()) return copy_object(v, where, key, holder);
    if (v.IsNull()) return Value();
    Value c;
    c.CopyFrom(v, a_);
    return c;
  }

  Value copy_object(const Value& v, const Where& where, std::string_view key, const Node& holder) {
    const std::string_view type = fhir::string_member(v, "resourceType").value_or("");
    if (key == "contained" && (is_person(type) || type == "Organization")) return Value();
    if (key == "extension") {
      const std::string_view url = fhir::string_member(v, "url").value_or("");
      if (dropped_system(url)) {
        note(where.str() + ": extension " + std::string(url) + " is Simpul's, not sent");
        return Value();
      }
    }
    if (key == "coding" || key.starts_with("valueCoding")) {
      const std::string_view system = fhir::string_member(v, "system").value_or("");
      if (dropped_system(system)) {
        note(where.str() + ": code system " + std::string(system) + " is Simpul's, not sent");
        return Value();
      }
    }
    Value o(rapidjson::kObjectType);
    for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
      const std::string_view k = fhir::as_string_view(m->name);
      if (k == "reference" && m->value.IsString()) {  // in place; rewritten below
        o.AddMember("reference", Value(), a_);
        continue;
      }
      const Where member{&where, nullptr, k, {}};
      Value c = copy(m->value, member, k, holder);
      if (c.IsNull()) continue;
      o.AddMember(str(k), c, a_);
    }
    // A CodeableConcept whose codings were all Simpul's keeps a text.
    if (const Value* codings = fhir::member(v, "coding");
        codings != nullptr && codings->IsArray() && !o.HasMember("coding") && !o.HasMember("text")) {
      for (SizeType i = 0; i < codings->Size(); ++i) {
        const std::string_view d = fhir::string_member((*codings)[i], "display").value_or("");
        if (!d.empty()) {
          o.AddMember("text", str(d), a_);
          break;
        }
      }
    }
    if (const Value* r = fhir::member(v, "reference"); r != nullptr && r->IsString()) {
      rewrite_reference(o, Node{&v, where.str(), {}}, holder);
    }
    if (o.ObjectEmpty()) return Value();
    return o;
  }

  void set_member(Value& o, std::string_view key, Value&& v) {
    if (auto it = o.FindMember(fhir::string_ref(key)); it != o.MemberEnd()) {
      it->value = v;
    } else {
      o.AddMember(str(key), v, a_);
    }
  }

  // Reference.reference in the output: urn:uuid of a posted entry, Patient/<IHS>,
  // Practitioner/<IHS>, a SATUSEHAT literal Type/id as given; a reference to a
  // resource that is not sent keeps only its display.
  void rewrite_reference(Value& o, const Node& reference, const Node& holder) {
    const std::string_view ref = text_at(reference, "reference");
    const std::string expr = reference.path + ".reference";
    if (ref.empty()) {
      o.EraseMember("reference");
      return;
    }
    const auto set_display = [&](std::string_view name) {
      if (!name.empty() && !o.HasMember("display")) o.AddMember("display", str(name), a_);
    };
    Target t = in_.resolve(ref, holder);
    if (!t) {
      if (ref.front() == '#' || ref.starts_with("urn:")) {
        throw Error::value("The reference '" + clip(ref, 80) + "' is not in the Bundle", expr);
      }
      if (!relative_literal(ref)) {
        throw Error::value("A reference must name an entry of the Bundle or a SATUSEHAT resource (Type/id)", expr,
                           "reference '" + clip(ref, 80) + "'");
      }
      // A SATUSEHAT id (Patient/P…, Practitioner/N…, Organization/…, Location/…, Encounter/…).
      set_member(o, "reference", str(ref));
      return;
    }
    if (is_person(t.type)) {
      const Person p = person_of(t.resource, t.type);
      set_member(o, "reference", str(t.type + "/" + ihs_for(t.type, p)));
      set_display(p.name);
      return;
    }
    if (t.entry != nullptr && t.entry->posted) {
      set_member(o, "reference", str("urn:uuid:" + t.entry->uuid));
      return;
    }
    if (t.entry == nullptr && ref.front() == '#') {  // a contained resource that is sent with its holder
      set_member(o, "reference", str(ref));
      return;
    }
    if (t.type == "Organization" && relative_literal(ref)) {
      set_member(o, "reference", str(ref));
      return;
    }
    // Not sent: keep what a reader needs.
    o.EraseMember("reference");
    set_display(text_at(t.resource, "name"));
    if (!o.HasMember("display")) set_display(text_at(t.resource, "title"));
    note(expr + ": " + t.type + " is not sent to SATUSEHAT; the reference keeps only its display");
  }

  // ---- one resource

  Value resource_of(const Entry& e) {
    const Node& r = e.resource;
    check_identifiers(r);
    const Where root{nullptr, &r.path, {}, {}};
    Value o = copy_object(*r.value, root, {}, r);
    o.EraseMember("id");  // a create sends no id
    o.EraseMember("meta");
    if (e.type == "Encounter") {
      encounter(o, r);
    } else {
      visit_resource(o, r, e.type);
    }
    return o;
  }

  // RuleNumber 10117: a sys-ids system names the client's own organization.
  void check_identifiers(const Node& r) {
    Node ids = array_at(r, "identifier");
    for (SizeType i = 0; i < size_of(ids); ++i) {
      Node id = element(ids, i);
      std::string_view system = text_at(id, "system");
      if (!system.starts_with(kSysIds)) continue;
      system.remove_prefix(kSysIds.size());
      const auto slash = system.find('/');
      if (slash == std::string_view::npos) continue;
      if (system.substr(slash + 1) != ctx_.organization_id) {
        throw Error::value("The identifier system names organization '" + clip(system.substr(slash + 1)) +
                               "', not this facility's SATUSEHAT organization (" + ctx_.organization_id +
                               "): SATUSEHAT refuses it (RuleNumber 10117)",
                           id.path + ".system");
      }
    }
  }

  static const Value* get(const Value& o, std::string_view key) { return fhir::member(o, key); }

  static std::string_view reference_of(const Value& o, std::string_view key) {
    const Value* v = get(o, key);
    return v ? fhir::string_member(*v, "reference").value_or("") : std::string_view{};
  }

  // A CodeableConcept with at least one coding carrying system and code.
  static bool coded(const Value* cc) {
    if (cc == nullptr || !cc->IsObject()) return false;
    const Value* codings = fhir::member(*cc, "coding");
    if (codings == nullptr || !codings->IsArray() || codings->Empty()) return false;
    for (SizeType i = 0; i < codings->Size(); ++i) {
      if (fhir::string_member((*codings)[i], "system").value_or("").empty() ||
          fhir::string_member((*codings)[i], "code").value_or("").empty())
        return false;
    }
    return true;
  }

  void require_coded(const Value& o, std::string_view key, const Node& r, std::string_view what) {
    if (coded(get(o, key))) return;
    throw Error::required(std::string(what) + " needs a coding SATUSEHAT knows (system and code; Simpul's own code "
                                              "systems are not sent)",
                          r.path + "." + std::string(key));
  }

  void require_status(const Value& o, const Node& r, std::string_view key = "status") {
    if (!fhir::string_member(o, key).value_or("").empty()) return;
    throw Error::required(r.path + "." + std::string(key) + " is required", r.path + "." + std::string(key));
  }

  void floor_check(const Value& o, std::string_view key, const std::string& path) {
    const std::string_view s = fhir::string_member(o, key).value_or("");
    if (s.size() >= 10 && s.substr(0, 10) < kDateFloor) {
      throw Error::value(path + " cannot be earlier than 2014-06-03 (SATUSEHAT)", path);
    }
  }

  // The Encounter's first practitioner: the default requester.
  Value attender() {
    Value r(rapidjson::kObjectType);
    r.CopyFrom(attender_, a_);
    return r;
  }

  Value encounter_reference() {
    Value r(rapidjson::kObjectType);
    r.AddMember("reference", str(enc_urn_), a_);
    return r;
  }

  void visit_resource(Value& o, const Node& r, const std::string& type) {
    const bool defaults_encounter = one_of(type, kVisitResources);
    if (defaults_encounter && !get(o, "encounter")) {
      o.AddMember("encounter", encounter_reference(), a_);
      note(r.path + ".encounter: set to the Bundle's Encounter");
    }
    if (type == "MedicationDispense" && !get(o, "context")) {
      o.AddMember("context", encounter_reference(), a_);
      note(r.path + ".context: set to the Bundle's Encounter");
    }
    if (type != "Medication") {
      if (type != "Condition") require_status(o, r);  // Condition has clinicalStatus, optional
      if (!get(o, "subject")) {
        Value s(rapidjson::kObjectType);
        s.CopyFrom(subject_, a_);
        o.AddMember("subject", s, a_);
        note(r.path + ".subject: set to the Encounter's patient");
      }
      if (!reference_of(o, "subject").starts_with("Patient/")) {
        throw Error::value(r.path + ".subject must reference the Patient", r.path + ".subject");
      }
    }
    if (type == "Condition") {
      require_coded(o, "code", r, "Condition.code");
    } else if (type == "Observation") {
      observation(o, r);
    } else if (type == "Procedure") {
      require_coded(o, "code", r, "Procedure.code");
      if (Value* perf = const_cast<Value*>(get(o, "performer")); perf != nullptr && perf->IsArray()) {
        for (SizeType i = perf->Size(); i-- > 0;) {
          if (reference_of((*perf)[i], "actor").empty()) perf->Erase(perf->Begin() + i);
        }
        if (perf->Empty()) o.EraseMember("performer");
      }
    } else if (type == "Medication") {
      require_coded(o, "code", r, "Medication.code");
      bool typed = false;
      if (const Value* ext = get(o, "extension"); ext != nullptr && ext->IsArray()) {
        for (SizeType i = 0; i < ext->Size(); ++i) typed = typed || fhir::string_member((*ext)[i], "url") == kMedicationType;
      }
      if (!typed) {
        throw Error::required("Medication needs the extension " + std::string(kMedicationType) +
                                  " (NC non-compound, SD compound...)",
                              r.path + ".extension");
      }
    } else if (type == "MedicationRequest" || type == "MedicationDispense") {
      if (type == "MedicationRequest") require_status(o, r, "intent");
      if (const Value* ref = get(o, "medicationReference")) {
        if (fhir::string_member(*ref, "reference").value_or("").empty()) {
          throw Error::value("medicationReference must name a Medication sent with it",
                             r.path + ".medicationReference");
        }
      } else if (!coded(get(o, "medicationCodeableConcept"))) {
        throw Error::required("The medication (medicationReference or a coded medicationCodeableConcept, KFA) is "
                              "required",
                              r.path + ".medication");
      }
      if (type == "MedicationRequest") default_requester(o, r);
    } else if (type == "ServiceRequest") {
      require_status(o, r, "intent");
      service_request_code(o, r);
      default_requester(o, r);
    }
  }

  void default_requester(Value& o, const Node& r) {
    if (!reference_of(o, "requester").empty()) return;
    set_member(o, "requester", attender());
    note(r.path + ".requester: set to the Encounter's practitioner");
  }

  // ServiceRequest.code: a referral often has only a text; SATUSEHAT needs a coding:
  // the first category coding is used then.
  void service_request_code(Value& o, const Node& r) {
    if (coded(get(o, "code"))) return;
    const Value* cats = get(o, "category");
    for (SizeType i = 0; cats != nullptr && cats->IsArray() && i < cats->Size(); ++i) {
      if (!coded(&(*cats)[i])) continue;
      Value coding(rapidjson::kArrayType);
      coding.PushBack(Value((*fhir::member((*cats)[i], "coding"))[0], a_), a_);
      Value* code = const_cast<Value*>(get(o, "code"));
      if (code == nullptr || !code->IsObject()) {
        set_member(o, "code", Value(rapidjson::kObjectType));
        code = &o["code"];
      }
      set_member(*code, "coding", std::move(coding));
      note(r.path + ".code: no coding; the category's coding is sent");
      return;
    }
    require_coded(o, "code", r, "ServiceRequest.code");
  }

  void observation(Value& o, const Node& r) {
    const Value* cats = get(o, "category");
    if (cats == nullptr || !cats->IsArray() || cats->Empty() ||
        !std::any_of(cats->Begin(), cats->End(), [](const Value& c) { return coded(&c); })) {
      throw Error::required("Observation.category needs a coding (observation-category: vital-signs, exam, "
                            "laboratory...)",
                            r.path + ".category");
    }
    Value* cat = const_cast<Value*>(cats);
    for (SizeType i = cat->Size(); i-- > 0;) {
      if (!coded(&(*cat)[i])) cat->Erase(cat->Begin() + i);
    }
    require_coded(o, "code", r, "Observation.code");
    if (const Value* comps = get(o, "component"); comps != nullptr && comps->IsArray()) {
      Node in_comps = array_at(r, "component");
      for (SizeType i = 0; i < comps->Size(); ++i) {
        if (!coded(fhir::member((*comps)[i], "code"))) {
          throw Error::required("Observation.component.code needs a coding SATUSEHAT knows",
                                in_comps.path + "[" + std::to_string(i) + "].code");
        }
      }
    }
    bool effective = false;
    bool value = false;
    for (auto m = o.MemberBegin(); m != o.MemberEnd(); ++m) {
      const std::string_view k = fhir::as_string_view(m->name);
      effective = effective || k.starts_with("effective");
      value = value || k.starts_with("value") || k == "component" || k == "dataAbsentReason" || k == "hasMember";
    }
    if (!effective) throw Error::required("Observation.effective[x] (when it was observed) is required", r.path + ".effective");
    if (!value) throw Error::required("Observation.value[x] (or component / dataAbsentReason) is required", r.path + ".value");
    floor_check(o, "effectiveDateTime", r.path + ".effectiveDateTime");
    floor_check(o, "effectiveInstant", r.path + ".effectiveInstant");
    if (const Value* p = get(o, "effectivePeriod")) floor_check(*p, "start", r.path + ".effectivePeriod.start");
  }

  // ---- the Encounter

  void encounter(Value& o, const Node& r) {
    encounter_identifier(o, r);
    require_status(o, r);
    // class: v3-ActCode.
    Value* cls = const_cast<Value*>(get(o, "class"));
    if (cls == nullptr || !cls->IsObject() || fhir::string_member(*cls, "code").value_or("").empty()) {
      throw Error::required("Encounter.class is required (v3-ActCode AMB, EMER, IMP, HH, VR...)", r.path + ".class");
    }
    const std::string_view system = fhir::string_member(*cls, "system").value_or("");
    if (system.empty()) {
      cls->AddMember("system", str(kActCode), a_);
    } else if (system != kActCode) {
      throw Error::value("Encounter.class must be coded in " + std::string(kActCode), r.path + ".class.system");
    }
    // subject: the Patient by its IHS id.
    if (!get(o, "subject")) throw Error::required("Encounter.subject (the Patient) is required", r.path + ".subject");
    if (!reference_of(o, "subject").starts_with("Patient/")) {
      throw Error::value("Encounter.subject must reference the Patient", r.path + ".subject.reference");
    }
    subject_.CopyFrom(o["subject"], a_);
    participants(o, r);
    period_and_history(o, r);
    locations(o, r);
    // serviceProvider: the tenant's organization.
    Value sp(rapidjson::kObjectType);
    sp.AddMember("reference", str("Organization/" + ctx_.organization_id), a_);
    if (const Value* old = get(o, "serviceProvider")) {
      const std::string_view ref = fhir::string_member(*old, "reference").value_or("");
      if (!ref.empty() && ref != "Organization/" + ctx_.organization_id) {
        note(r.path + ".serviceProvider: replaced by Organization/" + ctx_.organization_id +
             " (the SATUSEHAT client's organization)");
      }
      if (const auto d = fhir::string_member(*old, "display"); d && !d->empty()) sp.AddMember("display", str(*d), a_);
    }
    set_member(o, "serviceProvider", std::move(sp));
    if (const Value* diag = get(o, "diagnosis"); diag != nullptr && diag->IsArray()) {
      Node in_diag = array_at(r, "diagnosis");
      for (SizeType i = 0; i < diag->Size(); ++i) {
        if (reference_of((*diag)[i], "condition").empty()) {
          throw Error::required("Encounter.diagnosis.condition must reference a Condition sent with it",
                                in_diag.path + "[" + std::to_string(i) + "].condition");
        }
      }
    }
  }

  // identifier: the registration number in http://sys-ids.kemkes.go.id/encounter/{org}.
  void encounter_identifier(Value& o, const Node& r) {
    const std::string system = std::string(kSysIds) + "encounter/" + ctx_.organization_id;
    Node ids = array_at(r, "identifier");
    std::string value;
    std::string first;
    for (SizeType i = 0; i < size_of(ids); ++i) {
      Node id = element(ids, i);
      const std::string_view v = text_at(id, "value");
      if (v.empty()) continue;
      if (text_at(id, "system") == system) {
        value = std::string(v);
        break;
      }
      if (first.empty()) first = std::string(v);
    }
    if (value.empty() && !first.empty()) {
      value = first;
      note(r.path + ".identifier: no " + system + " identifier; the first identifier's value is sent in it");
    }
    if (value.empty()) {
      throw Error::required("Encounter.identifier (the registration number) is required: SATUSEHAT keys the visit "
                            "by it",
                            r.path + ".identifier");
    }
    if (size_of(ids) > 1) note(r.path + ".identifier: only the " + system + " identifier is sent");
    Value id(rapidjson::kObjectType);
    id.AddMember("system", str(system), a_);
    id.AddMember("value", str(value), a_);
    Value arr(rapidjson::kArrayType);
    arr.PushBack(id, a_);
    set_member(o, "identifier", std::move(arr));
    out_.encounter_identifier = system + "|" + value;
  }

  void participants(Value& o, const Node& r) {
    Value* parts = const_cast<Value*>(get(o, "participant"));
    Node in_parts = array_at(r, "participant");
    if (parts != nullptr && parts->IsArray()) {
      for (SizeType i = parts->Size(); i-- > 0;) {
        Value& p = (*parts)[i];
        if (!reference_of(p, "individual").starts_with("Practitioner/")) {
          note(r.path + ".participant: a participant without a Practitioner is not sent");
          parts->Erase(parts->Begin() + i);
          continue;
        }
        if (!fhir::member(p, "type")) {
          Value coding(rapidjson::kObjectType);
          coding.AddMember("system", str(kParticipationType), a_);
          coding.AddMember("code", "ATND", a_);
          coding.AddMember("display", "attender", a_);
          Value codings(rapidjson::kArrayType);
          codings.PushBack(coding, a_);
          Value cc(rapidjson::kObjectType);
          cc.AddMember("coding", codings, a_);
          Value type(rapidjson::kArrayType);
          type.PushBack(cc, a_);
          p.AddMember("type", type, a_);
        }
      }
    }
    if (parts == nullptr || !parts->IsArray() || parts->Empty()) {
      throw Error::required("Encounter.participant needs a Practitioner (the attending doctor or nurse)",
                            in_parts ? in_parts.path : r.path + ".participant");
    }
    attender_.CopyFrom((*parts)[0]["individual"], a_);
  }

  void period_and_history(Value& o, const Node& r) {
    const Value* period = get(o, "period");
    const std::string_view start = period ? fhir::string_member(*period, "start").value_or("") : "";
    const std::string_view end = period ? fhir::string_member(*period, "end").value_or("") : "";
    if (start.empty()) throw Error::required("Encounter.period.start is required", r.path + ".period.start");
    if (start.size() <= 10) {
      throw Error::value("Encounter.period.start needs a time (yyyy-mm-ddThh:mm:ss+zz:zz)", r.path + ".period.start");
    }
    floor_check(*period, "start", r.path + ".period.start");
    if (!end.empty()) {
      if (end.size() <= 10) {
        throw Error::value("Encounter.period.end needs a time (yyyy-mm-ddThh:mm:ss+zz:zz)", r.path + ".period.end");
      }
      if (end < start) throw Error::value("Encounter.period.end is before period.start", r.path + ".period.end");
    }
    if (const Value* h = get(o, "statusHistory"); h != nullptr && h->IsArray() && !h->Empty()) return;
    const std::string status(fhir::string_member(o, "status").value_or(""));
    if (status == "finished" && end.empty()) {
      throw Error::required("A finished Encounter needs period.end (SATUSEHAT's statusHistory is built from it)",
                            r.path + ".period.end");
    }
    const std::string s(start);
    const std::string e(end);
    Value history(rapidjson::kArrayType);
    const auto add = [&](std::string_view st, const std::string& from, const std::string& to) {
      Value p(rapidjson::kObjectType);
      p.AddMember("start", str(from), a_);
      if (!to.empty()) p.AddMember("end", str(to), a_);
      Value h(rapidjson::kObjectType);
      h.AddMember("status", str(st), a_);
      h.AddMember("period", p, a_);
      history.PushBack(h, a_);
    };
    if (status == "finished") {
      add("arrived", s, s);
      add("in-progress", s, e);
      add("finished", e, e);
    } else if (status == "in-progress") {
      add("arrived", s, s);
      add("in-progress", s, e);
    } else {
      add(status, s, e);
    }
    o.AddMember("statusHistory", history, a_);
  }

  void locations(Value& o, const Node& r) {
    Value* locs = const_cast<Value*>(get(o, "location"));
    const auto from_context = [&]() {
      Value l(rapidjson::kObjectType);
      l.AddMember("reference", str("Location/" + ctx_.location_id), a_);
      if (!ctx_.location_display.empty()) l.AddMember("display", str(ctx_.location_display), a_);
      return l;
    };
    if (locs != nullptr && locs->IsArray()) {
      Node in_locs = array_at(r, "location");
      for (SizeType i = 0; i < locs->Size(); ++i) {
        Value& item = (*locs)[i];
        const std::string_view ref = reference_of(item, "location");
        if (ref.starts_with("Location/")) continue;
        const std::string expr = in_locs.path + "[" + std::to_string(i) + "].location.reference";
        if (ctx_.location_id.empty()) {
          throw Error::value("Encounter.location must name a SATUSEHAT Location (Location/<id>)", expr);
        }
        set_member(item, "location", from_context());
        note(expr + ": not a SATUSEHAT Location id; the facility's default Location/" + ctx_.location_id +
             " is sent");
      }
      if (!locs->Empty()) return;
    }
    if (ctx_.location_id.empty()) {
      throw Error::required("Encounter.location is required by SATUSEHAT: name the Location/<id> (or configure the "
                            "facility's default location)",
                            r.path + ".location");
    }
    Value item(rapidjson::kObjectType);
    item.AddMember("location", from_context(), a_);
    Value arr(rapidjson::kArrayType);
    arr.PushBack(item, a_);
    set_member(o, "location", std::move(arr));
  }

  const Input& in_;
  const SatusehatContext& ctx_;
  bool validate_only_;
  SatusehatTransaction& out_;
  Document doc_;
  Document::AllocatorType& a_;
  std::string enc_urn_;
  Value subject_{rapidjson::kObjectType};
  Value attender_{rapidjson::kObjectType};
  std::map<std::string, std::string> patient_placeholders_;
  std::map<std::string, std::string> practitioner_placeholders_;
};

}  // namespace

Lookups needed_lookups(const rapidjson::Value& bundle) {
  const Input in(bundle);
  Lookups out;
  const auto add = [](std::vector<std::string>& list, const std::string& nik) {
    if (std::find(list.begin(), list.end(), nik) == list.end()) list.push_back(nik);
  };
  for (const Entry& e : in.entries()) {
    if (!e.posted) continue;
    each_reference(e.resource, e.resource, [&](const Node& reference, const Node& holder) {
      auto p = person_reference(in, reference, holder);
      if (!p || !p->second.ihs.empty()) return;
      add(p->first == "Patient" ? out.patient_niks : out.practitioner_niks, p->second.nik);
    });
  }
  return out;
}

SatusehatTransaction render_transaction(const rapidjson::Value& bundle, const SatusehatContext& context,
                                        bool validate_only) {
  const Input in(bundle);
  SatusehatTransaction out;
  Renderer(in, context, validate_only, out).render();
  return out;
}

}  // namespace simpul::mappings::satusehat_fhir
