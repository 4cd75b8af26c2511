#pragma once
// The pseudonymised fact model that indicators are evaluated from.
//
// Simpul sees every FHIR resource a facility pushes; to compute SPM, hospital SPM
// and pengampuan indicators it keeps a compact set of facts per tenant instead of
// the resources: who (a pseudonym, never the NIK or name), when (UTC epoch
// seconds or day numbers), which code (interned "system|code"), and a few values.
// Only what some indicator needs is kept (data minimisation, UU PDP 27/2022).
//
// Layout, for evaluating a district-year (~1,000,000 encounters) in seconds:
// small PODs in one vector per fact kind, codes and references interned to 32-bit
// ids, and after finalize() every vector sorted by (subject, time) with an offset
// table so "all encounters of subject s" is a contiguous span.
//
// Pure: no I/O, no clock. extract_facts() reads one resource (a Bundle: each
// entry); extract_ndjson() reads an NDJSON text (one resource per line).
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <rapidjson/document.h>

namespace simpul::mappings::measures {

// ---------------------------------------------------------------- time

using Instant = std::int64_t;  // UTC seconds since 1970-01-01T00:00:00Z
using Day = std::int32_t;      // civil day number (days since 1970-01-01) in the facility's zone
inline constexpr Instant kNoInstant = std::numeric_limits<Instant>::min();
inline constexpr Day kNoDay = std::numeric_limits<Day>::min();
inline constexpr Instant kSecondsPerDay = 86400;

// Day number of a civil date (proleptic Gregorian). No validation.
Day day_from_civil(int year, unsigned month, unsigned day) noexcept;
// The civil date of a day number.
struct CivilDate {
  int year;
  unsigned month;
  unsigned day;
};
CivilDate civil_from_day(Day day) noexcept;
// The facility-local day of an instant (offset in minutes east of UTC: WIB 420); kNoDay for kNoInstant.
Day local_day(Instant t, int utc_offset_minutes) noexcept;
// Local midnight of a day, as an instant.
Instant day_start(Day day, int utc_offset_minutes) noexcept;
// Whole months from `from` to `to` (civil, the day-of-month rule: 2024-01-31 ->
// 2024-02-29 is 0 months, -> 2024-03-01 is 1). Negative when `to` < `from`.
int whole_months_between(Day from, Day to) noexcept;
// Whole years (age) from `from` to `to`.
int whole_years_between(Day from, Day to) noexcept;
// `day` plus `months` calendar months; a day-of-month past the end of the target
// month is clamped (Jan 31 + 1 month = Feb 28/29).
Day add_months(Day day, int months) noexcept;

// A FHIR date (YYYY-MM-DD only) -> day number; nullopt when not a complete valid date.
std::optional<Day> parse_date(std::string_view s);
// A FHIR dateTime/instant -> UTC instant. A date-only value is local midnight in
// the facility's zone; YYYY and YYYY-MM are not precise enough (nullopt).
std::optional<Instant> parse_datetime(std::string_view s, int utc_offset_minutes);

// ---------------------------------------------------------------- interning

// Interned strings: codes as "system|code", references as "Type/id" or a urn.
// Id 0 is "none" (the empty string).
using Code = std::uint32_t;
inline constexpr Code kNoCode = 0;

class Interner {
 public:
  Interner();
  Code intern(std::string_view s);
  // The id of `s` if it was interned, else kNoCode.
  Code find(std::string_view s) const;
  std::string_view name(Code c) const { return c < names_.size() ? std::string_view(names_[c]) : std::string_view{}; }
  std::size_t size() const { return names_.size(); }

 private:
  std::deque<std::string> names_;  // stable addresses: the map's keys view into them
  std::unordered_map<std::string_view, Code> ids_;
};

// Code systems as they appear in the facts ("system|code").
inline constexpr std::string_view kLoinc = "http://loinc.org";
inline constexpr std::string_view kIcd10 = "http://hl7.org/fhir/sid/icd-10";
inline constexpr std::string_view kSnomed = "http://snomed.info/sct";
inline constexpr std::string_view kDischargeDisposition = "http://terminology.hl7.org/CodeSystem/discharge-disposition";

// ---------------------------------------------------------------- facts

using Subject = std::uint32_t;  // index into FactStore::subjects (a pseudonym)

enum class Sex : std::uint8_t { unknown, male, female, other };

// Encounter.class (v3-ActCode): amb rawat jalan (outpatient), imp rawat inap (inpatient),
// emer IGD (emergency), hh kunjungan rumah (home visit), vr virtual.
enum class EncounterClass : std::uint8_t { other, amb, imp, emer, hh, vr };
enum class EncounterStatus : std::uint8_t {
  other,
  planned,
  arrived,
  triaged,
  in_progress,
  onleave,
  finished,
  cancelled
};

struct PatientFact {
  Subject subject = 0;
  Day birth = kNoDay;               // Patient.birthDate (complete dates only)
  Instant birth_time = kNoInstant;  // extension patient-birthTime (newborn visit windows in hours)
  Instant deceased = kNoInstant;    // Patient.deceasedDateTime
  // The deepest Indonesian administrative code of the address (village > kecamatan > kabupaten > province).
  Code area = kNoCode;
  Sex sex = Sex::unknown;
  bool deceased_flag = false;  // Patient.deceasedBoolean true, or a deceasedDateTime
  bool jkn = false;  // has a BPJS card number (ExtractOptions::jkn_identifier_system): a JKN participant (KBK)
};

struct EncounterFact {
  Instant start = kNoInstant;    // period.start (admission for inpatients)
  Instant end = kNoInstant;      // period.end (discharge)
  Instant arrived = kNoInstant;  // statusHistory 'arrived' period.start (registration / arrival)
  Instant seen = kNoInstant;     // statusHistory 'in-progress' period.start (first seen by the doctor)
  Subject subject = 0;
  Code ref = kNoCode;           // this encounter as a reference ("Encounter/id" or its urn)
  Code type = kNoCode;          // first Encounter.type coding
  Code service_type = kNoCode;  // first Encounter.serviceType coding (P-Care poli, clinic)
  Code location = kNoCode;      // first Encounter.location.location reference
  Code provider = kNoCode;      // Encounter.serviceProvider reference (the facility)
  Code episode = kNoCode;       // first Encounter.episodeOfCare reference
  Code discharge = kNoCode;     // hospitalization.dischargeDisposition first coding
  // The first participant.type coding that is not v3-ParticipationType (e.g. SNOMED doctor / midwife).
  Code participant_role = kNoCode;
  EncounterClass cls = EncounterClass::other;
  EncounterStatus status = EncounterStatus::other;
  bool has_attender = false;  // a participant of type ATND (DPJP / attending doctor)
};

struct ConditionFact {
  Subject subject = 0;
  Instant onset = kNoInstant;  // onsetDateTime, else recordedDate
  Code code = kNoCode;         // ICD-10 coding ("http://hl7.org/fhir/sid/icd-10|E11.9"), else the first coding
  Code encounter = kNoCode;    // Condition.encounter reference
};

enum class ValueKind : std::uint8_t { none, quantity, coded, text, boolean, date };

struct ObservationFact {
  Instant time = kNoInstant;     // effective[x] (specimen collection for lab results)
  Instant issued = kNoInstant;   // issued (result released), for turnaround times
  std::int64_t value_milli = 0;  // valueQuantity.value x 1000, exact (decimal text, no floating point);
                                 // ValueKind::date (valueDateTime, e.g. HPHT LOINC 8665-2): the local Day number
  Subject subject = 0;
  // The LOINC coding ("http://loinc.org|8480-6"), else the first coding; components become facts of their own.
  Code code = kNoCode;
  Code unit = kNoCode;        // valueQuantity UCUM code (or unit)
  Code value_code = kNoCode;  // valueCodeableConcept first coding / valueString text (interned)
  Code encounter = kNoCode;
  ValueKind kind = ValueKind::none;
  bool lab = false;     // category laboratory (Observation) or LAB (DiagnosticReport)
  bool report = false;  // from a DiagnosticReport
};

struct ProcedureFact {
  Subject subject = 0;
  Instant time = kNoInstant;  // performedDateTime / performedPeriod.start
  Code code = kNoCode;        // first coding ("system|code": SNOMED, ICD-9-CM ...)
  Code encounter = kNoCode;
};

struct ImmunizationFact {
  Subject subject = 0;
  Instant time = kNoInstant;  // occurrenceDateTime
  Code vaccine = kNoCode;     // vaccineCode first coding
  Code encounter = kNoCode;
};

// A ServiceRequest: a referral (rujukan) when its category is SNOMED 3457005, else an order.
struct ServiceRequestFact {
  Subject subject = 0;
  Instant time = kNoInstant;  // authoredOn, else occurrence[x]
  Code code = kNoCode;        // first code coding
  // reasonCode's ICD-10 coding, or the ICD-10 code of a reasonReference Condition in the same Bundle.
  Code reason = kNoCode;
  Code target = kNoCode;  // first performer reference, or the facility code of a resolved Organization
  Code encounter = kNoCode;
  Code tacc = kNoCode;  // extension bpjs-tacc valueCoding (Time, Age, Complication, Comorbidity)
  bool referral = false;
  bool specialist = false;  // performerType coded (a sub-specialty / specialist clinic): a specialist referral
  bool completed = false;   // status completed
};

// An EpisodeOfCare; for pregnancy (kehamilan) start = HPHT (first day of the last menstrual period).
enum class PregnancyOutcome : std::uint8_t {
  unknown,         // no outcome recorded (still pregnant, or not said)
  live_birth,      // lahir hidup
  stillbirth,      // lahir mati (delivered; counts as a completed pregnancy)
  abortion,        // abortus (excluded from SPM-01)
  preterm,         // partus prematurus (excluded from SPM-01)
  maternal_death,  // kematian ibu during pregnancy (excluded from SPM-01)
};

struct EpisodeOfCareFact {
  Subject subject = 0;
  Code ref = kNoCode;   // this episode as a reference
  Code type = kNoCode;  // first type coding
  Day lmp = kNoDay;     // HPHT: extension pregnancy-lmp, else period.start (see lmp_explicit)
  Day edd = kNoDay;     // HPL (expected delivery): extension pregnancy-edd
  Day end = kNoDay;     // period.end: the pregnancy ended (delivery, abortion ...)
  PregnancyOutcome outcome = PregnancyOutcome::unknown;
  bool pregnancy = false;     // type is a pregnancy episode (see ExtractOptions::pregnancy_types)
  bool cancelled = false;     // status cancelled / entered-in-error
  bool lmp_explicit = false;  // lmp came from the pregnancy-lmp extension (period.start is often the first visit)
};

// ---------------------------------------------------------------- the store

// Maps a subject key ("Patient/123", or "system|value" of a Patient identifier)
// to the pseudonym kept in the store. The caller chooses it (a keyed hash with the
// tenant's secret in production); the key itself is never stored.
using Pseudonymiser = std::function<std::string(std::string_view subject_key)>;

class FactStore {
 public:
  Interner codes;                     // codes ("system|code") and references
  std::vector<std::string> subjects;  // pseudonyms; the index is the Subject

  std::vector<PatientFact> patients;
  std::vector<EncounterFact> encounters;
  std::vector<ConditionFact> conditions;
  std::vector<ObservationFact> observations;
  std::vector<ProcedureFact> procedures;
  std::vector<ImmunizationFact> immunizations;
  std::vector<ServiceRequestFact> service_requests;
  std::vector<EpisodeOfCareFact> episodes;

  // The Subject of a pseudonym (created when new).
  Subject subject(const std::string& pseudonym);
  std::optional<Subject> find_subject(std::string_view pseudonym) const;

  // Sorts every vector by (subject, time), merges duplicate Patient facts (the
  // last one pushed wins field by field where it has a value), and builds the
  // per-subject offsets. Call after adding and before evaluating; adding after
  // finalize() requires another finalize().
  void finalize();
  bool finalized() const { return finalized_; }

  // The facts of one subject (after finalize()).
  const PatientFact* patient(Subject s) const;
  std::span<const EncounterFact> encounters_of(Subject s) const { return slice(encounters, enc_off_, s); }
  std::span<const ConditionFact> conditions_of(Subject s) const { return slice(conditions, cond_off_, s); }
  std::span<const ObservationFact> observations_of(Subject s) const { return slice(observations, obs_off_, s); }
  std::span<const ProcedureFact> procedures_of(Subject s) const { return slice(procedures, proc_off_, s); }
  std::span<const ImmunizationFact> immunizations_of(Subject s) const { return slice(immunizations, imm_off_, s); }
  std::span<const ServiceRequestFact> service_requests_of(Subject s) const {
    return slice(service_requests, sr_off_, s);
  }
  std::span<const EpisodeOfCareFact> episodes_of(Subject s) const { return slice(episodes, eoc_off_, s); }

 private:
  template <class T>
  static std::span<const T> slice(const std::vector<T>& v, const std::vector<std::uint32_t>& off, Subject s) {
    if (s + 1 >= off.size()) return {};
    return std::span<const T>(v.data() + off[s], off[s + 1] - off[s]);
  }
  std::unordered_map<std::string, Subject> subject_ids_;
  std::vector<std::uint32_t> patient_at_;  // subject -> index in patients, or UINT32_MAX
  std::vector<std::uint32_t> enc_off_, cond_off_, obs_off_, proc_off_, imm_off_, sr_off_, eoc_off_;
  bool finalized_ = false;
};

// ---------------------------------------------------------------- extraction

struct ExtractOptions {
  // The facility's zone (WIB 420, WITA 480, WIT 540): date-only values are local midnight.
  int utc_offset_minutes = 420;
  Pseudonymiser pseudonymise;  // required
  // Patient identifier systems tried, in order, for the subject key of a Patient
  // without a logical id (a transaction Bundle's urn:uuid Patient).
  std::vector<std::string> identifier_systems = {"https://fhir.kemkes.go.id/id/nik",
                                                 "https://fhir.simpul.id/sid/bpjs-no-kartu"};
  // A Patient identifier in this system marks a JKN (BPJS) participant; only the flag is kept.
  std::string jkn_identifier_system = "https://fhir.simpul.id/sid/bpjs-no-kartu";
  // EpisodeOfCare.type codings ("system|code") that mean a pregnancy episode.
  std::vector<std::string> pregnancy_types = {"http://terminology.kemkes.go.id/CodeSystem/episodeofcare-type|ANC",
                                              "http://snomed.info/sct|77386006",  // SNOMED "Pregnancy"
                                              "https://fhir.simpul.id/CodeSystem/episode-type|kehamilan"};
  std::string extension_base = "https://fhir.simpul.id/StructureDefinition/";
};

// What extract_facts did with a resource.
struct ExtractResult {
  int facts = 0;                    // facts added
  int resources = 0;                // resources read (a Bundle's entries count one each)
  int ignored = 0;                  // resources of a type no indicator uses (Medication, Practitioner ...)
  std::vector<std::string> errors;  // resources that could not be used, each "Type[/id] at path: why"
};

// Adds the facts of `resource` to `store`. A Bundle adds its entries (references
// between entries resolve through fullUrl); an entry that cannot be used is
// reported in errors and the others are still added. A lone resource that cannot
// be used (no subject, a malformed date, a wrong JSON type) throws fhir::Error 400
// naming the element. A missing options.pseudonymise is Error::internal.
ExtractResult extract_facts(const rapidjson::Value& resource, FactStore& store, const ExtractOptions& options);

// An NDJSON text: one resource per non-blank line (Bundles allowed). Lines that do
// not parse or cannot be used are reported as "line N: ..." in errors; the rest is added.
ExtractResult extract_ndjson(std::string_view text, FactStore& store, const ExtractOptions& options);

// ---------------------------------------------------------------- evaluation helpers

// A reporting period: facility-local days, both ends included (a year, a quarter,
// a month, a school year June-May).
struct Period {
  Day first = kNoDay;
  Day last = kNoDay;
  bool contains(Day d) const { return d != kNoDay && d >= first && d <= last; }
};
// Period of whole civil months: year-month of the first and of the last month.
Period months_period(int first_year, unsigned first_month, int last_year, unsigned last_month);
inline Period year_period(int year) {
  return months_period(year, 1, year, 12);
}

// An indicator's counts. Figures (%, per mille) are made from these by the exact
// rational arithmetic; nothing here divides.
struct Proportion {
  std::int64_t numerator = 0;
  std::int64_t denominator = 0;
  bool operator==(const Proportion&) const = default;
};

// A time indicator: durations in seconds, exactly; the mean in minutes is
// sum_seconds / (60 x count).
struct DurationStat {
  std::int64_t sum_seconds = 0;
  std::int64_t count = 0;            // cases with both timestamps (and end >= start)
  std::int64_t within_standard = 0;  // cases at or under the standard
  std::int64_t missing = 0;          // cases without a usable pair of timestamps
  // The mean in minutes as an exact fraction: sum_seconds / (60 x count).
  Proportion mean_minutes() const { return {sum_seconds, 60 * count}; }
  // The share of cases at or under the standard.
  Proportion share_within() const { return {within_standard, count}; }
  bool operator==(const DurationStat&) const = default;
};

// A set of codes for fast membership tests over one store: patterns are exact
// "system|code" or "system|prefix*" (ICD-10 ranges: "http://hl7.org/fhir/sid/icd-10|I10*").
class CodeSet {
 public:
  CodeSet() = default;
  CodeSet(const Interner& codes, const std::vector<std::string>& patterns);
  bool contains(Code c) const { return c < member_.size() && member_[c] != 0; }
  bool empty() const { return empty_; }

 private:
  std::vector<std::uint8_t> member_;
  bool empty_ = true;
};

// ICD-10 prefix patterns for the three-character categories from..to (same
// letter): icd10_range("I10", "I15") = {icd-10|I10*, ..., icd-10|I15*}.
std::vector<std::string> icd10_range(std::string_view from, std::string_view to);

}  // namespace simpul::mappings::measures
