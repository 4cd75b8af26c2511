#include "mappings/measures/facts.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <numeric>
#include <string>
#include <tuple>

#include "fhir/error.hpp"
#include "fhir/json.hpp"
#include "fhir/resource.hpp"

namespace simpul::mappings::measures {

using fhir::Error;
using rapidjson::SizeType;
using rapidjson::Value;
namespace chr = std::chrono;

// ---------------------------------------------------------------- time

Day day_from_civil(int year, unsigned month, unsigned day) noexcept {
  const chr::sys_days d{chr::year{year} / chr::month{month} / chr::day{day}};
  return static_cast<Day>(d.time_since_epoch().count());
}

CivilDate civil_from_day(Day day) noexcept {
  const chr::year_month_day ymd{chr::sys_days{chr::days{day}}};
  return {static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day())};
}

namespace {
Instant floor_div(Instant a, Instant b) {
  Instant q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}
}  // namespace

Day local_day(Instant t, int utc_offset_minutes) noexcept {
  if (t == kNoInstant) return kNoDay;
  return static_cast<Day>(floor_div(t + Instant{utc_offset_minutes} * 60, kSecondsPerDay));
}

Instant day_start(Day day, int utc_offset_minutes) noexcept {
  return Instant{day} * kSecondsPerDay - Instant{utc_offset_minutes} * 60;
}

int whole_months_between(Day from, Day to) noexcept {
  if (to < from) return -whole_months_between(to, from);
  const CivilDate a = civil_from_day(from);
  const CivilDate b = civil_from_day(to);
  int months = (b.year - a.year) * 12 + static_cast<int>(b.month) - static_cast<int>(a.month);
  if (b.day < a.day) --months;  // not yet the same day of the month (Jan 31 -> Feb 29 is 0 months; Mar 1 is 1)
  return months;
}

int whole_years_between(Day from, Day to) noexcept {
  const int m = whole_months_between(from, to);
  return m >= 0 ? m / 12 : -((-m) / 12);
}

Day add_months(Day day, int months) noexcept {
  const CivilDate c = civil_from_day(day);
  int total = c.year * 12 + static_cast<int>(c.month) - 1 + months;
  int year = total >= 0 ? total / 12 : -((-total + 11) / 12);
  unsigned month = static_cast<unsigned>(total - year * 12) + 1;
  const chr::year_month_day_last last{chr::year{year} / chr::month{month} / chr::last};
  unsigned d = std::min(c.day, static_cast<unsigned>(last.day()));
  return day_from_civil(year, month, d);
}

namespace {
int digits(std::string_view s, std::size_t pos, std::size_t n) {
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) v = v * 10 + (s[i] - '0');
  return v;
}
}  // namespace

std::optional<Day> parse_date(std::string_view s) {
  if (s.size() != 10 || !fhir::is_valid_date(s)) return std::nullopt;
  return day_from_civil(digits(s, 0, 4), static_cast<unsigned>(digits(s, 5, 2)),
                        static_cast<unsigned>(digits(s, 8, 2)));
}

std::optional<Instant> parse_datetime(std::string_view s, int utc_offset_minutes) {
  if (s.size() == 10) {
    auto d = parse_date(s);
    if (!d) return std::nullopt;
    return day_start(*d, utc_offset_minutes);
  }
  if (s.size() < 20 || !fhir::is_valid_datetime(s)) return std::nullopt;
  const Day d =
      day_from_civil(digits(s, 0, 4), static_cast<unsigned>(digits(s, 5, 2)), static_cast<unsigned>(digits(s, 8, 2)));
  Instant t = Instant{d} * kSecondsPerDay + digits(s, 11, 2) * 3600 + digits(s, 14, 2) * 60 + digits(s, 17, 2);
  std::size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;  // fractions of a second are dropped
  }
  if (pos >= s.size()) return std::nullopt;
  if (s[pos] == 'Z') return t;
  const int sign = s[pos] == '-' ? -1 : 1;
  const int off = digits(s, pos + 1, 2) * 60 + digits(s, pos + 4, 2);
  return t - Instant{sign} * off * 60;
}

// ---------------------------------------------------------------- interning

Interner::Interner() {
  names_.emplace_back();
  ids_.emplace(std::string_view(names_.back()), kNoCode);
}

Code Interner::intern(std::string_view s) {
  if (auto it = ids_.find(s); it != ids_.end()) return it->second;
  if (names_.size() >= UINT32_MAX)
    throw fhir::Error::internal("Too many distinct codes and references for one fact store");
  const Code id = static_cast<Code>(names_.size());
  names_.emplace_back(s);
  ids_.emplace(std::string_view(names_.back()), id);
  return id;
}

Code Interner::find(std::string_view s) const {
  auto it = ids_.find(s);
  return it == ids_.end() ? kNoCode : it->second;
}

// ---------------------------------------------------------------- store

Subject FactStore::subject(const std::string& pseudonym) {
  if (auto it = subject_ids_.find(pseudonym); it != subject_ids_.end()) return it->second;
  const Subject s = static_cast<Subject>(subjects.size());
  subjects.push_back(pseudonym);
  subject_ids_.emplace(pseudonym, s);
  finalized_ = false;
  return s;
}

std::optional<Subject> FactStore::find_subject(std::string_view pseudonym) const {
  auto it = subject_ids_.find(std::string(pseudonym));
  if (it == subject_ids_.end()) return std::nullopt;
  return it->second;
}

namespace {
// Bucket by subject (a counting sort, stable), then order each subject's facts by time.
template <class T, class Key>
void sort_and_index(std::vector<T>& v, std::vector<std::uint32_t>& off, std::size_t n_subjects, Key key) {
  off.assign(n_subjects + 1, 0);
  for (const T& f : v) {
    if (f.subject >= n_subjects) throw fhir::Error::internal("A fact names a subject the store does not have");
    ++off[f.subject + 1];
  }
  std::partial_sum(off.begin(), off.end(), off.begin());
  std::vector<T> sorted(v.size());
  std::vector<std::uint32_t> next(off.begin(), off.end() - 1);
  for (const T& f : v) sorted[next[f.subject]++] = f;
  for (std::size_t s = 0; s < n_subjects; ++s) {
    if (off[s + 1] - off[s] > 1) {
      std::stable_sort(sorted.begin() + off[s], sorted.begin() + off[s + 1],
                       [&](const T& a, const T& b) { return key(a) < key(b); });
    }
  }
  v = std::move(sorted);
}
}  // namespace

void FactStore::finalize() {
  const std::size_t n = subjects.size();
  // Patients: one per subject; a later fact fills or overrides fields it has.
  std::stable_sort(patients.begin(), patients.end(),
                   [](const PatientFact& a, const PatientFact& b) { return a.subject < b.subject; });
  std::vector<PatientFact> merged;
  merged.reserve(patients.size());
  for (const PatientFact& p : patients) {
    if (merged.empty() || merged.back().subject != p.subject) {
      merged.push_back(p);
      continue;
    }
    PatientFact& m = merged.back();
    if (p.birth != kNoDay) m.birth = p.birth;
    if (p.birth_time != kNoInstant) m.birth_time = p.birth_time;
    if (p.deceased != kNoInstant) m.deceased = p.deceased;
    if (p.area != kNoCode) m.area = p.area;
    if (p.sex != Sex::unknown) m.sex = p.sex;
    m.deceased_flag = m.deceased_flag || p.deceased_flag;
    m.jkn = m.jkn || p.jkn;
  }
  patients = std::move(merged);
  patient_at_.assign(n, UINT32_MAX);
  for (std::size_t i = 0; i < patients.size(); ++i) patient_at_[patients[i].subject] = static_cast<std::uint32_t>(i);

  // Facts without a time of their own (a Condition without onset, a Procedure
  // without performed[x]) take the start of the encounter they reference.
  std::unordered_map<Code, Instant> started;
  const bool untimed =
      std::any_of(conditions.begin(), conditions.end(), [](const ConditionFact& c) { return c.onset == kNoInstant; }) ||
      std::any_of(procedures.begin(), procedures.end(), [](const ProcedureFact& p) { return p.time == kNoInstant; });
  for (const EncounterFact& e : encounters) {
    if (untimed && e.ref != kNoCode) started.emplace(e.ref, e.start);
  }
  auto fill = [&](auto& facts, auto member) {
    for (auto& f : facts) {
      if (f.*member != kNoInstant || f.encounter == kNoCode) continue;
      if (auto it = started.find(f.encounter); it != started.end()) f.*member = it->second;
    }
  };
  fill(conditions, &ConditionFact::onset);
  fill(procedures, &ProcedureFact::time);

  sort_and_index(encounters, enc_off_, n, [](const EncounterFact& f) { return f.start; });
  sort_and_index(conditions, cond_off_, n, [](const ConditionFact& f) { return f.onset; });
  sort_and_index(observations, obs_off_, n, [](const ObservationFact& f) { return f.time; });
  sort_and_index(procedures, proc_off_, n, [](const ProcedureFact& f) { return f.time; });
  sort_and_index(immunizations, imm_off_, n, [](const ImmunizationFact& f) { return f.time; });
  sort_and_index(service_requests, sr_off_, n, [](const ServiceRequestFact& f) { return f.time; });
  sort_and_index(episodes, eoc_off_, n, [](const EpisodeOfCareFact& f) { return f.lmp; });
  finalized_ = true;
}

const PatientFact* FactStore::patient(Subject s) const {
  if (s >= patient_at_.size() || patient_at_[s] == UINT32_MAX) return nullptr;
  return &patients[patient_at_[s]];
}

// ---------------------------------------------------------------- extraction

namespace {

constexpr std::string_view kParticipationType = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";
constexpr std::string_view kAdministrativeCode = "https://fhir.kemkes.go.id/r4/StructureDefinition/administrativeCode";
constexpr std::string_view kBirthTime = "http://hl7.org/fhir/StructureDefinition/patient-birthTime";
constexpr std::string_view kReferralCategory = "3457005";  // SNOMED CT "Patient referral"

std::string_view json_type(const Value& v) {
  if (v.IsObject()) return "an object";
  if (v.IsArray()) return "an array";
  if (v.IsString()) return "a string";
  if (v.IsNumber()) return "a number";
  if (v.IsBool()) return "a boolean";
  return "null";
}

// Reading one resource: every accessor checks the JSON type and names the element.
class Reader {
 public:
  Reader(FactStore& store, const ExtractOptions& opt, const std::unordered_map<std::string, const Value*>* bundle,
         const std::unordered_map<std::string, std::string>* keys)
      : store_(store), opt_(opt), bundle_(bundle), keys_(keys) {}

  int read(const Value& r, std::string_view type);

 private:
  FactStore& store_;
  const ExtractOptions& opt_;
  const std::unordered_map<std::string, const Value*>* bundle_;  // fullUrl -> entry resource
  const std::unordered_map<std::string, std::string>* keys_;     // fullUrl -> "Type/id" (entries with an id)
  std::string type_;

 public:
  std::string current_url;  // the Bundle entry's fullUrl of the resource being read ("" outside a Bundle)

 private:
  [[noreturn]] void wrong(std::string_view path, const Value& v, std::string_view expected) const {
    throw Error::structure(std::string(path) + " must be " + std::string(expected), std::string(path),
                           std::string(path) + " is " + std::string(json_type(v)));
  }
  const Value* get(const Value& parent, std::string_view key) const { return fhir::member(parent, key); }
  const Value* obj(const Value& parent, std::string_view key, std::string_view path) const {
    const Value* v = get(parent, key);
    if (v != nullptr && !v->IsObject()) wrong(path, *v, "an object");
    return v;
  }
  const Value* arr(const Value& parent, std::string_view key, std::string_view path) const {
    const Value* v = get(parent, key);
    if (v != nullptr && !v->IsArray()) wrong(path, *v, "an array");
    return v;
  }
  std::string_view str(const Value& parent, std::string_view key, std::string_view path) const {
    const Value* v = get(parent, key);
    if (v == nullptr) return {};
    if (!v->IsString()) wrong(path, *v, "a string");
    return fhir::as_string_view(*v);
  }
  std::string p(std::string_view element) const { return type_ + "." + std::string(element); }

  Instant instant(const Value& parent, std::string_view key, std::string_view element) const {
    std::string_view s = str(parent, key, p(element));
    if (s.empty()) return kNoInstant;
    auto t = parse_datetime(s, opt_.utc_offset_minutes);
    if (!t) {
      throw Error::value(p(element) + " must be a complete date (YYYY-MM-DD) or dateTime with a time zone", p(element),
                         p(element) + "='" + std::string(s.substr(0, 40)) + "'");
    }
    return *t;
  }
  Day day(const Value& parent, std::string_view key, std::string_view element) const {
    std::string_view s = str(parent, key, p(element));
    if (s.empty()) return kNoDay;
    if (s.size() > 10) {  // a dateTime where a date is expected: its local day
      Instant t = instant(parent, key, element);
      return local_day(t, opt_.utc_offset_minutes);
    }
    auto d = parse_date(s);
    return d ? *d : kNoDay;  // YYYY / YYYY-MM: too coarse for any window, kept as unknown
  }

  // "system|code" of a Coding object (kNoCode when it has no code).
  Code coding(const Value& c, std::string_view path) {
    if (!c.IsObject()) wrong(path, c, "an object");
    std::string_view code = str(c, "code", std::string(path) + ".code");
    if (code.empty()) return kNoCode;
    std::string_view system = str(c, "system", std::string(path) + ".system");
    std::string key;
    key.reserve(system.size() + 1 + code.size());
    key.append(system).append("|").append(code);
    return store_.codes.intern(key);
  }
  // The coding of a CodeableConcept in `prefer` (else the first with a code).
  Code concept_code(const Value* cc, std::string_view path, std::string_view prefer = {}) {
    if (cc == nullptr) return kNoCode;
    if (!cc->IsObject()) wrong(path, *cc, "an object");
    const Value* codings = arr(*cc, "coding", std::string(path) + ".coding");
    if (codings == nullptr) return kNoCode;
    Code first = kNoCode;
    for (SizeType i = 0; i < codings->Size(); ++i) {
      const std::string cp = std::string(path) + ".coding[" + std::to_string(i) + "]";
      const Value& c = (*codings)[i];
      Code code = coding(c, cp);
      if (code == kNoCode) continue;
      if (!prefer.empty() && str(c, "system", cp + ".system") == prefer) return code;
      if (first == kNoCode) first = code;
    }
    return first;
  }
  bool concept_has(const Value* cc, std::string_view path, std::string_view system, std::string_view code) {
    if (cc == nullptr) return false;
    if (!cc->IsObject()) wrong(path, *cc, "an object");
    const Value* codings = arr(*cc, "coding", std::string(path) + ".coding");
    for (SizeType i = 0; codings != nullptr && i < codings->Size(); ++i) {
      const Value& c = (*codings)[i];
      const std::string cp = std::string(path) + ".coding[" + std::to_string(i) + "]";
      if (!c.IsObject()) wrong(cp, c, "an object");
      if (str(c, "system", cp) == system && str(c, "code", cp) == code) return true;
    }
    return false;
  }
  bool any_category(const Value& r, std::string_view system, std::string_view code) {
    const Value* cats = arr(r, "category", p("category"));
    for (SizeType i = 0; cats != nullptr && i < cats->Size(); ++i) {
      if (concept_has(&(*cats)[i], p("category[" + std::to_string(i) + "]"), system, code)) return true;
    }
    return false;
  }

  // A reference string made canonical: a Bundle fullUrl -> the entry's "Type/id";
  // an absolute URL or "Type/id/_history/v" -> "Type/id".
  std::string canonical(std::string_view ref) const {
    if (keys_ != nullptr) {
      if (auto it = keys_->find(std::string(ref)); it != keys_->end()) return it->second;
    }
    if (ref.starts_with("urn:") || ref.starts_with("#")) return std::string(ref);
    if (auto h = ref.find("/_history/"); h != std::string_view::npos) ref = ref.substr(0, h);
    auto last = ref.rfind('/');
    if (last != std::string_view::npos && last > 0) {
      auto prev = ref.rfind('/', last - 1);
      if (prev != std::string_view::npos) return std::string(ref.substr(prev + 1));
    }
    return std::string(ref);
  }
  const Value* resolve(std::string_view ref) const {
    if (bundle_ == nullptr) return nullptr;
    auto it = bundle_->find(std::string(ref));
    if (it != bundle_->end()) return it->second;
    return nullptr;
  }
  Code ref_code(const Value* reference, std::string_view path) {
    if (reference == nullptr) return kNoCode;
    if (!reference->IsObject()) wrong(path, *reference, "an object");
    std::string_view r = str(*reference, "reference", std::string(path) + ".reference");
    if (!r.empty()) return store_.codes.intern(canonical(r));
    if (const Value* id = obj(*reference, "identifier", std::string(path) + ".identifier")) {
      std::string_view s = str(*id, "system", std::string(path) + ".identifier.system");
      std::string_view v = str(*id, "value", std::string(path) + ".identifier.value");
      if (!v.empty()) return store_.codes.intern(std::string(s) + "|" + std::string(v));
    }
    return kNoCode;
  }

 public:
  // The subject key of a Patient resource: "Patient/id", else its first identifier
  // in the preferred systems, else any identifier, else "" (unusable).
  std::string patient_key(const Value& patient, std::string_view fallback) {
    std::string_view id = str(patient, "id", "Patient.id");
    if (!id.empty()) return "Patient/" + std::string(id);
    const Value* ids = arr(patient, "identifier", "Patient.identifier");
    if (ids != nullptr) {
      for (const std::string& want : opt_.identifier_systems) {
        for (SizeType i = 0; i < ids->Size(); ++i) {
          const Value& x = (*ids)[i];
          if (!x.IsObject()) continue;
          if (str(x, "system", "Patient.identifier.system") == want) {
            std::string_view v = str(x, "value", "Patient.identifier.value");
            if (!v.empty()) return want + "|" + std::string(v);
          }
        }
      }
    }
    return std::string(fallback);
  }

 private:
  Subject subject_of(const Value& r, std::string_view key) {
    const Value* ref = obj(r, key, p(key));
    if (ref == nullptr) {
      throw Error::required(type_ + " has no " + std::string(key) + ": facts are kept per person", p(key));
    }
    std::string subject_key;
    std::string_view literal = str(*ref, "reference", p(std::string(key) + ".reference"));
    if (!literal.empty()) {
      const Value* target = resolve(literal);
      if (target != nullptr && fhir::string_member(*target, "resourceType") == std::string_view("Patient")) {
        subject_key = patient_key(*target, literal);
      } else {
        subject_key = canonical(literal);
      }
    } else if (const Value* id = obj(*ref, "identifier", p(std::string(key) + ".identifier"))) {
      std::string_view s = str(*id, "system", p(std::string(key) + ".identifier.system"));
      std::string_view v = str(*id, "value", p(std::string(key) + ".identifier.value"));
      if (!v.empty()) subject_key = std::string(s) + "|" + std::string(v);
    }
    if (subject_key.empty()) {
      throw Error::required(type_ + "." + std::string(key) + " has neither a reference nor an identifier", p(key));
    }
    return store_.subject(opt_.pseudonymise(subject_key));
  }

  // A JSON number as an exact integer x 1000 (from its shortest decimal text).
  std::int64_t milli(const Value& v, std::string_view path) const {
    if (v.IsInt64()) {
      const std::int64_t x = v.GetInt64();
      if (x > std::numeric_limits<std::int64_t>::max() / 1000 || x < std::numeric_limits<std::int64_t>::min() / 1000) {
        throw Error::value(std::string(path) + " is too large", std::string(path));
      }
      return x * 1000;
    }
    if (!v.IsNumber()) wrong(path, v, "a number");
    const std::string text = fhir::to_json(v);  // shortest round-trip decimal of the parsed number
    // [-]digits[.digits][e[+-]digits]
    std::size_t i = 0;
    bool neg = false;
    if (i < text.size() && text[i] == '-') neg = true, ++i;
    std::string mant;
    int frac = 0;
    bool dot = false;
    for (; i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'); ++i) {
      if (text[i] == '.') {
        dot = true;
        continue;
      }
      mant.push_back(text[i]);
      if (dot) ++frac;
    }
    int exp = 0;
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
      ++i;
      int sign = 1;
      if (i < text.size() && (text[i] == '+' || text[i] == '-')) sign = text[i++] == '-' ? -1 : 1;
      int e = 0;
      for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i)
        e = std::min(e * 10 + (text[i] - '0'), 10000);
      exp = sign * e;
    }
    const int shift = 3 + exp - frac;  // value x 1000 = mant x 10^shift
    if (shift > 18 || mant.size() > 18) throw Error::value(std::string(path) + " is too large", std::string(path));
    std::int64_t m = 0;
    for (char c : mant) m = m * 10 + (c - '0');
    if (shift >= 0) {
      for (int k = 0; k < shift; ++k) {
        if (m > std::numeric_limits<std::int64_t>::max() / 10)
          throw Error::value(std::string(path) + " is too large", std::string(path));
        m *= 10;
      }
    } else {
      // round half away from zero at the thousandth
      for (int k = 0; k < -shift - 1 && m != 0; ++k) m /= 10;
      if (-shift >= 1) m = (m + 5) / 10;
    }
    return neg ? -m : m;
  }

  int patient(const Value& r);
  int encounter(const Value& r);
  int condition(const Value& r);
  int observation(const Value& r, bool report);
  int procedure(const Value& r);
  int immunization(const Value& r);
  int service_request(const Value& r);
  int episode_of_care(const Value& r);
  const Value* extension(const Value& r, std::string_view url, std::string_view path) {
    const Value* exts = arr(r, "extension", std::string(path) + ".extension");
    for (SizeType i = 0; exts != nullptr && i < exts->Size(); ++i) {
      const Value& e = (*exts)[i];
      if (!e.IsObject()) wrong(std::string(path) + ".extension[" + std::to_string(i) + "]", e, "an object");
      if (str(e, "url", std::string(path) + ".extension.url") == url) return &e;
    }
    return nullptr;
  }
  bool status_in(const Value& r, std::initializer_list<std::string_view> values) {
    std::string_view s = str(r, "status", p("status"));
    return std::find(values.begin(), values.end(), s) != values.end();
  }
};

int Reader::read(const Value& r, std::string_view type) {
  type_ = std::string(type);
  if (type == "Patient") return patient(r);
  if (type == "Encounter") return encounter(r);
  if (type == "Condition") return condition(r);
  if (type == "Observation") return observation(r, false);
  if (type == "DiagnosticReport") return observation(r, true);
  if (type == "Procedure") return procedure(r);
  if (type == "Immunization") return immunization(r);
  if (type == "ServiceRequest") return service_request(r);
  if (type == "EpisodeOfCare") return episode_of_care(r);
  return -1;  // not used by any indicator
}

int Reader::patient(const Value& r) {
  std::string key = patient_key(r, {});
  if (key.empty()) {
    throw Error::required("Patient has neither an id nor an identifier in a known system, so no pseudonym can be made",
                          "Patient.identifier");
  }
  PatientFact f;
  f.subject = store_.subject(opt_.pseudonymise(key));
  f.birth = day(r, "birthDate", "birthDate");
  if (const Value* bd = obj(r, "_birthDate", "Patient._birthDate")) {
    if (const Value* e = extension(*bd, kBirthTime, "Patient._birthDate")) {
      f.birth_time = instant(*e, "valueDateTime", "_birthDate.extension.valueDateTime");
    }
  }
  if (const Value* ids = arr(r, "identifier", p("identifier"))) {
    for (SizeType i = 0; i < ids->Size(); ++i) {
      const Value& x = (*ids)[i];
      if (!x.IsObject()) wrong(p("identifier[" + std::to_string(i) + "]"), x, "an object");
      if (str(x, "system", p("identifier.system")) == opt_.jkn_identifier_system &&
          !str(x, "value", p("identifier.value")).empty()) {
        f.jkn = true;
      }
    }
  }
  std::string_view g = str(r, "gender", p("gender"));
  f.sex = g == "male" ? Sex::male : g == "female" ? Sex::female : g == "other" ? Sex::other : Sex::unknown;
  if (const Value* d = get(r, "deceasedBoolean")) {
    if (!d->IsBool()) wrong("Patient.deceasedBoolean", *d, "a boolean");
    f.deceased_flag = d->GetBool();
  }
  f.deceased = instant(r, "deceasedDateTime", "deceasedDateTime");
  if (f.deceased != kNoInstant) f.deceased_flag = true;
  // The deepest administrative code of the first address that has one.
  if (const Value* addrs = arr(r, "address", p("address"))) {
    for (SizeType i = 0; i < addrs->Size() && f.area == kNoCode; ++i) {
      const Value& a = (*addrs)[i];
      const std::string ap = "Patient.address[" + std::to_string(i) + "]";
      if (!a.IsObject()) wrong(ap, a, "an object");
      const Value* ac = extension(a, kAdministrativeCode, ap);
      if (ac == nullptr) continue;
      std::string best;
      int best_rank = -1;
      const Value* parts = arr(*ac, "extension", ap + ".extension.extension");
      for (SizeType k = 0; parts != nullptr && k < parts->Size(); ++k) {
        const Value& part = (*parts)[k];
        if (!part.IsObject()) continue;
        std::string_view url = str(part, "url", ap + ".extension.extension.url");
        int rank = url == "village" ? 3 : url == "district" ? 2 : url == "city" ? 1 : url == "province" ? 0 : -1;
        std::string_view code = str(part, "valueCode", ap + ".extension.extension.valueCode");
        if (rank > best_rank && !code.empty()) best = std::string(code), best_rank = rank;
      }
      if (!best.empty()) f.area = store_.codes.intern(best);
    }
  }
  store_.patients.push_back(f);
  return 1;
}

EncounterClass encounter_class(std::string_view code) {
  if (code == "AMB") return EncounterClass::amb;
  if (code == "IMP" || code == "ACUTE" || code == "NONAC") return EncounterClass::imp;
  if (code == "EMER") return EncounterClass::emer;
  if (code == "HH") return EncounterClass::hh;
  if (code == "VR" || code == "TELE") return EncounterClass::vr;
  return EncounterClass::other;
}

EncounterStatus encounter_status(std::string_view s) {
  if (s == "planned") return EncounterStatus::planned;
  if (s == "arrived") return EncounterStatus::arrived;
  if (s == "triaged") return EncounterStatus::triaged;
  if (s == "in-progress") return EncounterStatus::in_progress;
  if (s == "onleave") return EncounterStatus::onleave;
  if (s == "finished") return EncounterStatus::finished;
  if (s == "cancelled") return EncounterStatus::cancelled;
  return EncounterStatus::other;
}

int Reader::encounter(const Value& r) {
  if (status_in(r, {"entered-in-error"})) return 0;
  EncounterFact f;
  f.subject = subject_of(r, "subject");
  std::string_view id = str(r, "id", p("id"));
  f.status = encounter_status(str(r, "status", p("status")));
  if (const Value* c = obj(r, "class", p("class"))) f.cls = encounter_class(str(*c, "code", p("class.code")));
  if (const Value* period = obj(r, "period", p("period"))) {
    f.start = instant(*period, "start", "period.start");
    f.end = instant(*period, "end", "period.end");
  }
  if (const Value* hist = arr(r, "statusHistory", p("statusHistory"))) {
    for (SizeType i = 0; i < hist->Size(); ++i) {
      const Value& h = (*hist)[i];
      if (!h.IsObject()) wrong(p("statusHistory[" + std::to_string(i) + "]"), h, "an object");
      std::string_view s = str(h, "status", p("statusHistory.status"));
      const Value* hp = obj(h, "period", p("statusHistory.period"));
      if (hp == nullptr) continue;
      Instant t = instant(*hp, "start", "statusHistory.period.start");
      if (s == "arrived" && (f.arrived == kNoInstant || t < f.arrived)) f.arrived = t;
      if (s == "in-progress" && (f.seen == kNoInstant || t < f.seen)) f.seen = t;
    }
  }
  if (f.start == kNoInstant) f.start = f.arrived;
  if (f.start == kNoInstant) {
    throw Error::required("Encounter.period.start is missing: an encounter must say when it happened",
                          "Encounter.period.start");
  }
  if (const Value* types = arr(r, "type", p("type")); types != nullptr && types->Size() > 0) {
    f.type = concept_code(&(*types)[0], p("type[0]"));
  }
  f.service_type = concept_code(obj(r, "serviceType", p("serviceType")), p("serviceType"));
  if (const Value* locs = arr(r, "location", p("location")); locs != nullptr && locs->Size() > 0) {
    const Value& l = (*locs)[0];
    if (!l.IsObject()) wrong(p("location[0]"), l, "an object");
    f.location = ref_code(obj(l, "location", p("location[0].location")), p("location[0].location"));
  }
  f.provider = ref_code(obj(r, "serviceProvider", p("serviceProvider")), p("serviceProvider"));
  if (const Value* eps = arr(r, "episodeOfCare", p("episodeOfCare")); eps != nullptr && eps->Size() > 0) {
    f.episode = ref_code(&(*eps)[0], p("episodeOfCare[0]"));
  }
  if (const Value* hosp = obj(r, "hospitalization", p("hospitalization"))) {
    f.discharge = concept_code(obj(*hosp, "dischargeDisposition", p("hospitalization.dischargeDisposition")),
                               p("hospitalization.dischargeDisposition"), kDischargeDisposition);
  }
  if (const Value* parts = arr(r, "participant", p("participant"))) {
    for (SizeType i = 0; i < parts->Size(); ++i) {
      const Value& part = (*parts)[i];
      const std::string pp = p("participant[" + std::to_string(i) + "]");
      if (!part.IsObject()) wrong(pp, part, "an object");
      const Value* types = arr(part, "type", pp + ".type");
      for (SizeType k = 0; types != nullptr && k < types->Size(); ++k) {
        const std::string tp = pp + ".type[" + std::to_string(k) + "]";
        if (concept_has(&(*types)[k], tp, kParticipationType, "ATND")) f.has_attender = true;
        const Value* codings = arr((*types)[k], "coding", tp + ".coding");
        for (SizeType c = 0; codings != nullptr && c < codings->Size() && f.participant_role == kNoCode; ++c) {
          const Value& cd = (*codings)[c];
          if (!cd.IsObject()) wrong(tp + ".coding", cd, "an object");
          if (str(cd, "system", tp + ".coding.system") != kParticipationType)
            f.participant_role = coding(cd, tp + ".coding");
        }
      }
    }
  }
  f.ref = store_.codes.intern(id.empty() ? current_url : "Encounter/" + std::string(id));
  store_.encounters.push_back(f);
  return 1;
}

int Reader::condition(const Value& r) {
  const Value* vs = obj(r, "verificationStatus", p("verificationStatus"));
  constexpr std::string_view kVer = "http://terminology.hl7.org/CodeSystem/condition-ver-status";
  if (concept_has(vs, p("verificationStatus"), kVer, "entered-in-error") ||
      concept_has(vs, p("verificationStatus"), kVer, "refuted")) {
    return 0;
  }
  ConditionFact f;
  f.subject = subject_of(r, "subject");
  f.code = concept_code(obj(r, "code", p("code")), p("code"), kIcd10);
  if (f.code == kNoCode) throw Error::required("Condition.code has no coding", "Condition.code");
  f.onset = instant(r, "onsetDateTime", "onsetDateTime");
  if (f.onset == kNoInstant) {
    if (const Value* op = obj(r, "onsetPeriod", p("onsetPeriod"))) f.onset = instant(*op, "start", "onsetPeriod.start");
  }
  if (f.onset == kNoInstant) f.onset = instant(r, "recordedDate", "recordedDate");
  f.encounter = ref_code(obj(r, "encounter", p("encounter")), p("encounter"));
  store_.conditions.push_back(f);
  return 1;
}

int Reader::observation(const Value& r, bool report) {
  if (status_in(r, {"entered-in-error", "cancelled"})) return 0;
  ObservationFact f;
  f.report = report;
  f.subject = subject_of(r, "subject");
  f.code = concept_code(obj(r, "code", p("code")), p("code"), kLoinc);
  if (f.code == kNoCode) throw Error::required(type_ + ".code has no coding", p("code"));
  f.time = instant(r, "effectiveDateTime", "effectiveDateTime");
  if (f.time == kNoInstant) f.time = instant(r, "effectiveInstant", "effectiveInstant");
  if (f.time == kNoInstant) {
    if (const Value* ep = obj(r, "effectivePeriod", p("effectivePeriod")))
      f.time = instant(*ep, "start", "effectivePeriod.start");
  }
  f.issued = instant(r, "issued", "issued");
  if (f.time == kNoInstant) f.time = f.issued;
  if (f.time == kNoInstant) {
    throw Error::required(type_ + " has neither effective[x] nor issued: it cannot be placed in a period",
                          p("effective[x]"));
  }
  f.lab = report ? any_category(r, "http://terminology.hl7.org/CodeSystem/v2-0074", "LAB")
                 : any_category(r, "http://terminology.hl7.org/CodeSystem/observation-category", "laboratory");
  f.encounter = ref_code(obj(r, "encounter", p("encounter")), p("encounter"));

  auto read_value = [&](const Value& holder, ObservationFact& into, const std::string& path) {
    if (const Value* q = obj(holder, "valueQuantity", path + ".valueQuantity")) {
      if (const Value* v = get(*q, "value")) {
        into.value_milli = milli(*v, path + ".valueQuantity.value");
        into.kind = ValueKind::quantity;
        std::string_view unit = str(*q, "code", path + ".valueQuantity.code");
        if (unit.empty()) unit = str(*q, "unit", path + ".valueQuantity.unit");
        into.unit = store_.codes.intern(unit);
      }
    } else if (const Value* v = get(holder, "valueInteger")) {
      into.value_milli = milli(*v, path + ".valueInteger");
      into.kind = ValueKind::quantity;
    } else if (const Value* cc = obj(holder, "valueCodeableConcept", path + ".valueCodeableConcept")) {
      into.value_code = concept_code(cc, path + ".valueCodeableConcept");
      into.kind = ValueKind::coded;
    } else if (std::string_view s = str(holder, "valueString", path + ".valueString"); !s.empty()) {
      into.value_code = store_.codes.intern(s.substr(0, 64));
      into.kind = ValueKind::text;
    } else if (std::string_view dt = str(holder, "valueDateTime", path + ".valueDateTime"); !dt.empty()) {
      into.value_milli = day(holder, "valueDateTime", "valueDateTime");
      into.kind = into.value_milli == kNoDay ? ValueKind::none : ValueKind::date;
    } else if (const Value* b = get(holder, "valueBoolean")) {
      if (!b->IsBool()) wrong(path + ".valueBoolean", *b, "a boolean");
      into.value_milli = b->GetBool() ? 1000 : 0;
      into.kind = ValueKind::boolean;
    }
  };
  int n = 0;
  if (!report) read_value(r, f, type_);
  store_.observations.push_back(f);
  ++n;
  if (!report) {
    if (const Value* comps = arr(r, "component", p("component"))) {
      for (SizeType i = 0; i < comps->Size(); ++i) {
        const Value& c = (*comps)[i];
        const std::string cp = p("component[" + std::to_string(i) + "]");
        if (!c.IsObject()) wrong(cp, c, "an object");
        ObservationFact cf = f;
        cf.kind = ValueKind::none;
        cf.value_milli = 0;
        cf.unit = cf.value_code = kNoCode;
        cf.code = concept_code(obj(c, "code", cp + ".code"), cp + ".code", kLoinc);
        if (cf.code == kNoCode) continue;
        read_value(c, cf, cp);
        store_.observations.push_back(cf);
        ++n;
      }
    }
  }
  return n;
}

int Reader::procedure(const Value& r) {
  if (status_in(r, {"entered-in-error", "not-done"})) return 0;
  ProcedureFact f;
  f.subject = subject_of(r, "subject");
  f.code = concept_code(obj(r, "code", p("code")), p("code"));
  if (f.code == kNoCode) throw Error::required("Procedure.code has no coding", "Procedure.code");
  f.time = instant(r, "performedDateTime", "performedDateTime");
  if (f.time == kNoInstant) {
    if (const Value* pp = obj(r, "performedPeriod", p("performedPeriod")))
      f.time = instant(*pp, "start", "performedPeriod.start");
  }
  f.encounter = ref_code(obj(r, "encounter", p("encounter")), p("encounter"));
  store_.procedures.push_back(f);
  return 1;
}

int Reader::immunization(const Value& r) {
  if (status_in(r, {"entered-in-error", "not-done"})) return 0;
  ImmunizationFact f;
  f.subject = subject_of(r, "patient");
  f.vaccine = concept_code(obj(r, "vaccineCode", p("vaccineCode")), p("vaccineCode"));
  if (f.vaccine == kNoCode) throw Error::required("Immunization.vaccineCode has no coding", "Immunization.vaccineCode");
  f.time = instant(r, "occurrenceDateTime", "occurrenceDateTime");
  if (f.time == kNoInstant) {
    throw Error::required("Immunization.occurrenceDateTime is missing (occurrenceString cannot be placed in a period)",
                          "Immunization.occurrenceDateTime");
  }
  f.encounter = ref_code(obj(r, "encounter", p("encounter")), p("encounter"));
  store_.immunizations.push_back(f);
  return 1;
}

int Reader::service_request(const Value& r) {
  if (status_in(r, {"entered-in-error", "revoked", "draft"})) return 0;
  ServiceRequestFact f;
  f.subject = subject_of(r, "subject");
  f.referral = any_category(r, kSnomed, kReferralCategory);
  f.completed = status_in(r, {"completed"});
  f.code = concept_code(obj(r, "code", p("code")), p("code"));
  f.time = instant(r, "authoredOn", "authoredOn");
  if (f.time == kNoInstant) f.time = instant(r, "occurrenceDateTime", "occurrenceDateTime");
  if (f.time == kNoInstant) {
    throw Error::required("ServiceRequest has neither authoredOn nor occurrenceDateTime", "ServiceRequest.authoredOn");
  }
  if (const Value* pt = obj(r, "performerType", p("performerType")))
    f.specialist = concept_code(pt, p("performerType")) != kNoCode;
  if (const Value* perf = arr(r, "performer", p("performer")); perf != nullptr && perf->Size() > 0) {
    const Value& first = (*perf)[0];
    if (!first.IsObject()) wrong(p("performer[0]"), first, "an object");
    std::string_view ref = str(first, "reference", p("performer[0].reference"));
    const Value* org = ref.empty() ? nullptr : resolve(ref);
    std::string_view org_id_value;
    if (org != nullptr) {
      if (const Value* ids = arr(*org, "identifier", "Organization.identifier");
          ids != nullptr && ids->Size() > 0 && (*ids)[0].IsObject()) {
        std::string_view s = str((*ids)[0], "system", "Organization.identifier.system");
        std::string_view v = str((*ids)[0], "value", "Organization.identifier.value");
        if (!v.empty()) f.target = store_.codes.intern(std::string(s) + "|" + std::string(v));
      }
    }
    if (f.target == kNoCode) f.target = ref_code(&first, p("performer[0]"));
  }
  f.reason = kNoCode;
  if (const Value* rc = arr(r, "reasonCode", p("reasonCode")); rc != nullptr && rc->Size() > 0) {
    f.reason = concept_code(&(*rc)[0], p("reasonCode[0]"), kIcd10);
  }
  if (f.reason == kNoCode) {
    if (const Value* rr = arr(r, "reasonReference", p("reasonReference")); rr != nullptr && rr->Size() > 0) {
      const Value& ref = (*rr)[0];
      if (!ref.IsObject()) wrong(p("reasonReference[0]"), ref, "an object");
      std::string_view target = str(ref, "reference", p("reasonReference[0].reference"));
      if (const Value* cond = target.empty() ? nullptr : resolve(target)) {
        f.reason = concept_code(obj(*cond, "code", "Condition.code"), "Condition.code", kIcd10);
      }
    }
  }
  if (const Value* e = extension(r, opt_.extension_base + "bpjs-tacc", type_)) {
    if (const Value* vc = obj(*e, "valueCoding", p("extension.valueCoding")))
      f.tacc = coding(*vc, p("extension.valueCoding"));
  }
  f.encounter = ref_code(obj(r, "encounter", p("encounter")), p("encounter"));
  store_.service_requests.push_back(f);
  return 1;
}

int Reader::episode_of_care(const Value& r) {
  EpisodeOfCareFact f;
  f.subject = subject_of(r, "patient");
  std::string_view id = str(r, "id", p("id"));
  f.ref = store_.codes.intern(id.empty() ? current_url : "EpisodeOfCare/" + std::string(id));
  f.cancelled = status_in(r, {"cancelled", "entered-in-error"});
  if (const Value* types = arr(r, "type", p("type"))) {
    for (SizeType i = 0; i < types->Size(); ++i) {
      const std::string tp = p("type[" + std::to_string(i) + "]");
      const Value* codings = arr((*types)[i], "coding", tp + ".coding");
      for (SizeType c = 0; codings != nullptr && c < codings->Size(); ++c) {
        Code code = coding((*codings)[c], tp + ".coding");
        if (f.type == kNoCode) f.type = code;
        const std::string_view name = store_.codes.name(code);
        for (const std::string& t : opt_.pregnancy_types) {
          if (name == t) f.pregnancy = true, f.type = code;
        }
      }
    }
  }
  if (const Value* period = obj(r, "period", p("period"))) {
    f.lmp = day(*period, "start", "period.start");
    f.end = day(*period, "end", "period.end");
  }
  if (const Value* e = extension(r, opt_.extension_base + "pregnancy-lmp", type_)) {
    f.lmp = day(*e, "valueDate", "extension(pregnancy-lmp).valueDate");
    f.lmp_explicit = f.lmp != kNoDay;
  }
  if (const Value* e = extension(r, opt_.extension_base + "pregnancy-edd", type_)) {
    f.edd = day(*e, "valueDate", "extension(pregnancy-edd).valueDate");
  }
  if (const Value* e = extension(r, opt_.extension_base + "pregnancy-outcome", type_)) {
    const Value* vc = obj(*e, "valueCoding", p("extension(pregnancy-outcome).valueCoding"));
    std::string_view code =
        vc ? str(*vc, "code", p("extension(pregnancy-outcome).valueCoding.code")) : std::string_view{};
    if (code == "live-birth")
      f.outcome = PregnancyOutcome::live_birth;
    else if (code == "stillbirth")
      f.outcome = PregnancyOutcome::stillbirth;
    else if (code == "abortion")
      f.outcome = PregnancyOutcome::abortion;
    else if (code == "preterm")
      f.outcome = PregnancyOutcome::preterm;
    else if (code == "maternal-death")
      f.outcome = PregnancyOutcome::maternal_death;
    else {
      throw Error::value("The pregnancy outcome must be live-birth, stillbirth, abortion, preterm or maternal-death",
                         p("extension(pregnancy-outcome).valueCoding.code"),
                         "code='" + std::string(code.substr(0, 40)) + "'");
    }
  }
  if (f.pregnancy && f.lmp == kNoDay) {
    throw Error::required(
        "A pregnancy EpisodeOfCare needs its HPHT (first day of the last menstrual period): the "
        "pregnancy-lmp extension or period.start",
        "EpisodeOfCare.period.start");
  }
  store_.episodes.push_back(f);
  return 1;
}

std::string describe(const Value& r, std::string_view type) {
  std::string s(type);
  if (auto id = fhir::string_member(r, "id"); id && !id->empty()) s += "/" + std::string(id->substr(0, 64));
  return s;
}

void add_one(const Value& r, Reader& reader, ExtractResult& out, bool throw_errors, const std::string& where) {
  ++out.resources;
  std::string_view type;
  try {
    type = fhir::resource_type_of(r);
    int n = reader.read(r, type);
    if (n < 0) {
      ++out.ignored;
    } else {
      out.facts += n;
    }
  } catch (const Error& e) {
    if (throw_errors) throw;
    std::string msg = where + (type.empty() ? std::string("resource") : describe(r, type));
    msg += ": ";
    msg += e.issues().empty() ? std::string(e.what()) : e.issues().front().diagnostics;
    out.errors.push_back(std::move(msg));
  }
}

}  // namespace

ExtractResult extract_facts(const Value& resource, FactStore& store, const ExtractOptions& options) {
  if (!options.pseudonymise)
    throw Error::internal("extract_facts needs a pseudonymising function (ExtractOptions::pseudonymise)");
  ExtractResult out;
  const std::string_view type = fhir::resource_type_of(resource);
  if (type != "Bundle") {
    Reader reader(store, options, nullptr, nullptr);
    add_one(resource, reader, out, true, {});
    return out;
  }
  const Value* entries = fhir::member(resource, "entry");
  if (entries == nullptr) return out;
  if (!entries->IsArray()) throw Error::structure("Bundle.entry must be an array", "Bundle.entry");
  std::unordered_map<std::string, const Value*> by_url;
  std::unordered_map<std::string, std::string> keys;
  for (SizeType i = 0; i < entries->Size(); ++i) {
    const Value& e = (*entries)[i];
    if (!e.IsObject()) continue;
    const Value* res = fhir::member(e, "resource");
    if (res == nullptr || !res->IsObject()) continue;
    auto url = fhir::string_member(e, "fullUrl");
    auto rt = fhir::string_member(*res, "resourceType");
    auto id = fhir::string_member(*res, "id");
    if (url && !url->empty()) {
      by_url.emplace(std::string(*url), res);
      if (rt && id && !id->empty()) keys.emplace(std::string(*url), std::string(*rt) + "/" + std::string(*id));
    }
    if (rt && id && !id->empty()) by_url.emplace(std::string(*rt) + "/" + std::string(*id), res);
  }
  Reader reader(store, options, &by_url, &keys);
  for (SizeType i = 0; i < entries->Size(); ++i) {
    const Value& e = (*entries)[i];
    const std::string where = "Bundle.entry[" + std::to_string(i) + "] ";
    const Value* res = e.IsObject() ? fhir::member(e, "resource") : nullptr;
    if (res == nullptr || !res->IsObject()) {
      out.errors.push_back(where + "has no resource object");
      continue;
    }
    if (fhir::string_member(*res, "resourceType") == std::string_view("Bundle")) {
      ExtractResult inner = extract_facts(*res, store, options);
      out.facts += inner.facts;
      out.resources += inner.resources;
      out.ignored += inner.ignored;
      for (auto& m : inner.errors) out.errors.push_back(where + m);
      continue;
    }
    auto url = fhir::string_member(e, "fullUrl");
    reader.current_url = url ? std::string(*url) : std::string{};
    add_one(*res, reader, out, false, where);
  }
  return out;
}

ExtractResult extract_ndjson(std::string_view text, FactStore& store, const ExtractOptions& options) {
  if (!options.pseudonymise)
    throw Error::internal("extract_ndjson needs a pseudonymising function (ExtractOptions::pseudonymise)");
  ExtractResult out;
  std::size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty()) continue;
    const std::string where = "line " + std::to_string(line_no) + ": ";
    try {
      rapidjson::Document doc = fhir::parse_resource(line);
      ExtractResult r = extract_facts(doc, store, options);
      out.facts += r.facts;
      out.resources += r.resources;
      out.ignored += r.ignored;
      for (auto& m : r.errors) out.errors.push_back(where + m);
    } catch (const Error& e) {
      ++out.resources;
      out.errors.push_back(where + (e.issues().empty() ? std::string(e.what()) : e.issues().front().diagnostics));
    }
  }
  return out;
}

// ---------------------------------------------------------------- evaluation helpers

Period months_period(int first_year, unsigned first_month, int last_year, unsigned last_month) {
  Period p;
  p.first = day_from_civil(first_year, first_month, 1);
  p.last = add_months(day_from_civil(last_year, last_month, 1), 1) - 1;
  return p;
}

CodeSet::CodeSet(const Interner& codes, const std::vector<std::string>& patterns) {
  member_.assign(codes.size(), 0);
  std::vector<std::string_view> prefixes;
  for (const std::string& p : patterns) {
    if (p.empty()) continue;
    empty_ = false;
    if (p.back() == '*') {
      prefixes.emplace_back(std::string_view(p).substr(0, p.size() - 1));
    } else if (Code c = codes.find(p); c != kNoCode) {
      member_[c] = 1;
    }
  }
  if (prefixes.empty()) return;
  for (Code c = 1; c < codes.size(); ++c) {
    const std::string_view name = codes.name(c);
    for (std::string_view pre : prefixes) {
      if (name.starts_with(pre)) {
        member_[c] = 1;
        break;
      }
    }
  }
}

std::vector<std::string> icd10_range(std::string_view from, std::string_view to) {
  std::vector<std::string> out;
  if (from.size() != 3 || to.size() != 3 || from[0] != to[0]) return out;
  const int a = (from[1] - '0') * 10 + (from[2] - '0');
  const int b = (to[1] - '0') * 10 + (to[2] - '0');
  for (int i = a; i <= b; ++i) {
    std::string code(1, from[0]);
    code.push_back(static_cast<char>('0' + i / 10));
    code.push_back(static_cast<char>('0' + i % 10));
    out.push_back(std::string(kIcd10) + "|" + code + "*");
  }
  return out;
}

}  // namespace simpul::mappings::measures
