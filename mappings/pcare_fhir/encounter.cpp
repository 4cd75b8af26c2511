#include "mappings/pcare_fhir/encounter.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <span>
#include <string>
#include <utility>

#include "fhir/error.hpp"
#include "fhir/json.hpp"
#include "fhir/resource.hpp"
#include "mappings/vclaim_fhir/fhir_parts.hpp"
#include "mappings/vclaim_fhir/fhir_read.hpp"
#include "mappings/vclaim_fhir/systems.hpp"

namespace simpul::mappings::pcare_fhir {

namespace {

using namespace vclaim_fhir::read;
using vclaim_fhir::kIcd10System;
using vclaim_fhir::parts::all_digits;

constexpr std::string_view kLoinc = "http://loinc.org";
constexpr std::string_view kUcum = "http://unitsofmeasure.org";
constexpr std::string_view kSnomed = "http://snomed.info/sct";
constexpr std::string_view kActCode = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
constexpr std::string_view kConditionCategory = "http://terminology.hl7.org/CodeSystem/condition-category";
constexpr std::string_view kSysIdsEncounter = "http://sys-ids.kemkes.go.id/encounter/";
constexpr std::string_view kReferralCategory = "3457005";  // SNOMED CT "Patient referral"

// Caps on repeated elements that need a reference lookup each (linear in the
// Bundle): a hostile Bundle stays linear-time. What is past a cap is noted.
constexpr SizeType kMaxDiagnosisEntries = 50;
constexpr SizeType kMaxParticipants = 50;
constexpr SizeType kMaxPerformers = 20;
constexpr std::size_t kMaxTherapyItems = 100;

// ---------------------------------------------------------------- P-Care code lists (bpjs-api.md §5.2, §5.6)

constexpr Code kTkp[] = {{"10", "RJTP (rawat jalan)"}, {"20", "RITP (rawat inap)"}, {"50", "Promotif"}};
constexpr Code kKesadaran[] = {{"01", "Compos mentis"}, {"02", "Somnolence"}, {"03", "Sopor"}, {"04", "Coma"}};
constexpr Code kKhusus[] = {{"IGD", "IGD"},        {"HDL", "Hemodialisa"}, {"JIW", "Jiwa"},        {"KLT", "Kusta"},
                            {"PAR", "Paru (TB)"},  {"KEM", "Kemoterapi"},  {"RAT", "Radioterapi"}, {"HIV", "HIV-ODHA"},
                            {"THA", "Thalasemia"}, {"HEM", "Hemofilia"}};
constexpr Code kTacc[] = {{"1", "Time"}, {"2", "Age"}, {"3", "Complication"}, {"4", "Comorbidity"}};

// A short code of letters and digits (P-Care poli, sub-specialty, sarana, prognosis, allergy codes).
bool short_code(std::string_view s, std::size_t max = 8) {
  return s.size() <= max && all_alnum(s);
}

// ---------------------------------------------------------------- dates

// The calendar date of a FHIR date or dateTime in the facility's zone: a dateTime
// with an offset ("2026-03-02T00:30:00Z") is moved to `offset_minutes` first (07:30
// WIB, the same day; 23:30Z would be the next day in WIB). nullopt for a partial or
// malformed date.
std::optional<std::chrono::year_month_day> local_date(std::string_view text, int offset_minutes) {
  if (text.size() < 10 || !fhir::is_valid_datetime(text)) return std::nullopt;
  const auto num = [&](std::size_t pos, std::size_t len) {
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) v = v * 10 + (text[i] - '0');
    return v;
  };
  const std::chrono::year_month_day ymd{std::chrono::year{num(0, 4)}, std::chrono::month{unsigned(num(5, 2))},
                                        std::chrono::day{unsigned(num(8, 2))}};
  if (text.size() == 10) return ymd;
  // YYYY-MM-DDThh:mm:ss[.fff](Z|+hh:mm|-hh:mm), validated above.
  const int minutes = num(11, 2) * 60 + num(14, 2);
  int value_offset = 0;
  const char z = text[text.size() - 6];
  if (text.back() != 'Z') {
    value_offset = (num(text.size() - 5, 2) * 60 + num(text.size() - 2, 2)) * (z == '-' ? -1 : 1);
  }
  const int local = minutes - value_offset + offset_minutes;
  const int shift = local >= 0 ? local / 1440 : -((-local + 1439) / 1440);
  return std::chrono::year_month_day{std::chrono::sys_days{ymd} + std::chrono::days{shift}};
}

std::string iso(const std::chrono::year_month_day& d) {
  return bpjs::format_ymd(d);
}

// ---------------------------------------------------------------- reading helpers

std::optional<double> number_at(const Node& parent, std::string_view key) {
  Node n = field(parent, key);
  if (!n) return std::nullopt;
  if (!n.value->IsNumber()) throw wrong_type(n, "a number");
  return n.value->GetDouble();
}

// The first coding of a CodeableConcept: its text, display or code (for free-text P-Care fields).
std::string concept_text(const Node& codeable) {
  if (!codeable) return {};
  if (const std::string_view t = text_at(codeable, "text"); !t.empty()) return std::string(t);
  Node codings = array_at(codeable, "coding");
  for (SizeType i = 0; i < size_of(codings); ++i) {
    Node c = element(codings, i);
    if (const std::string_view d = text_at(c, "display"); !d.empty()) return std::string(d);
  }
  for (SizeType i = 0; i < size_of(codings); ++i) {
    if (const std::string_view code = text_at(element(codings, i), "code"); !code.empty()) return std::string(code);
  }
  return {};
}

// The code of a CodeableConcept in `system` that is also in `list` (or any code when the list is empty).
Found coded(const Node& codeable, const std::string& system, std::span<const Code> list, std::string_view what) {
  Found f = concept_code(codeable, system);
  if (f && !list.empty() && find_code(list, f.value) == nullptr) {
    throw Error::value(std::string(what) + " must be one of: " + listing(list), f.path,
                       std::string(what) + " '" + clip(f.value) + "'");
  }
  if (f && list.empty() && !short_code(f.value)) {
    throw Error::value(std::string(what) + " must be a P-Care code (letters and digits, at most 8)", f.path,
                       std::string(what) + " of length " + std::to_string(f.value.size()));
  }
  return f;
}

bool status_in(const Node& resource, std::initializer_list<std::string_view> statuses) {
  const std::string_view s = text_at(resource, "status");
  return std::find(statuses.begin(), statuses.end(), s) != statuses.end();
}

// "Type(Bundle.entry[3].resource)": how a trace names a resource found by scanning the Bundle.
Node named(Node n, std::string_view type) {
  n.source = std::string(type) + "(" + n.path + ")";
  return n;
}

// ---------------------------------------------------------------- vital signs

struct Unit {
  std::string_view ucum;
  double factor;  // to P-Care's unit
};

struct VitalSpec {
  std::string_view field;  // P-Care key
  std::span<const std::string_view> loinc;
  std::span<const Unit> units;
  double min;  // plausible range in P-Care's unit (catches unit mistakes)
  double max;
  bool integer;
};

constexpr std::string_view kSystolic[] = {"8480-6"};
constexpr std::string_view kDiastolic[] = {"8462-4"};
constexpr std::string_view kWeight[] = {"29463-7", "3141-9"};
constexpr std::string_view kHeight[] = {"8302-2", "8306-3"};
constexpr std::string_view kWaist[] = {"8280-0", "56086-2"};
constexpr std::string_view kResp[] = {"9279-1"};
constexpr std::string_view kHeart[] = {"8867-4"};
constexpr std::string_view kTemp[] = {"8310-5"};
constexpr Unit kMmHg[] = {{"mm[Hg]", 1}};
constexpr Unit kMass[] = {{"kg", 1}, {"g", 0.001}};
constexpr Unit kLength[] = {{"cm", 1}, {"m", 100}};
constexpr Unit kPerMin[] = {{"/min", 1}};
constexpr Unit kCel[] = {{"Cel", 1}};

constexpr VitalSpec kVitals[] = {
    {"sistole", kSystolic, kMmHg, 30, 300, true},      {"diastole", kDiastolic, kMmHg, 10, 250, true},
    {"beratBadan", kWeight, kMass, 0.2, 500, false},   {"tinggiBadan", kHeight, kLength, 20, 300, false},
    {"lingkarPerut", kWaist, kLength, 10, 300, false}, {"respRate", kResp, kPerMin, 1, 150, true},
    {"heartRate", kHeart, kPerMin, 1, 350, true},      {"suhu", kTemp, kCel, 25, 45, false},
};
constexpr std::string_view kConsciousness = "80288-4";  // LOINC "Level of consciousness"

const VitalSpec* vital_for(const Node& code) {
  Node codings = array_at(code, "coding");
  for (SizeType i = 0; i < size_of(codings); ++i) {
    Node c = element(codings, i);
    if (text_at(c, "system") != kLoinc) continue;
    const std::string_view loinc = text_at(c, "code");
    for (const VitalSpec& spec : kVitals) {
      if (std::find(spec.loinc.begin(), spec.loinc.end(), loinc) != spec.loinc.end()) return &spec;
    }
  }
  return nullptr;
}

// ---------------------------------------------------------------- the wire order of the traces

constexpr std::string_view kPendaftaranFields[] = {
    "kdProviderPeserta", "tglDaftar",   "noKartu",  "kdPoli",    "keluhan",      "kunjSakit",  "sistole", "diastole",
    "beratBadan",        "tinggiBadan", "respRate", "heartRate", "lingkarPerut", "rujukBalik", "kdTkp"};

constexpr std::string_view kKunjunganFields[] = {"noKunjungan",
                                                 "noKartu",
                                                 "tglDaftar",
                                                 "kdPoli",
                                                 "keluhan",
                                                 "kdSadar",
                                                 "sistole",
                                                 "diastole",
                                                 "beratBadan",
                                                 "tinggiBadan",
                                                 "respRate",
                                                 "heartRate",
                                                 "lingkarPerut",
                                                 "kdStatusPulang",
                                                 "tglPulang",
                                                 "kdDokter",
                                                 "kdDiag1",
                                                 "kdDiag2",
                                                 "kdDiag3",
                                                 "kdPoliRujukInternal",
                                                 "rujukLanjut",
                                                 "rujukLanjut.tglEstRujuk",
                                                 "rujukLanjut.kdppk",
                                                 "rujukLanjut.subSpesialis",
                                                 "rujukLanjut.subSpesialis.kdSubSpesialis1",
                                                 "rujukLanjut.subSpesialis.kdSarana",
                                                 "rujukLanjut.khusus",
                                                 "rujukLanjut.khusus.kdKhusus",
                                                 "rujukLanjut.khusus.kdSubSpesialis",
                                                 "rujukLanjut.khusus.catatan",
                                                 "kdTacc",
                                                 "alasanTacc",
                                                 "anamnesa",
                                                 "alergiMakan",
                                                 "alergiUdara",
                                                 "alergiObat",
                                                 "kdPrognosa",
                                                 "terapiObat",
                                                 "terapiNonObat",
                                                 "bmhp",
                                                 "suhu"};

template <std::size_t N>
void sort_trace(Trace& trace, const std::string_view (&order)[N]) {
  const auto rank = [&](std::string_view f) {
    return static_cast<std::size_t>(std::find(std::begin(order), std::end(order), f) - std::begin(order));
  };
  std::stable_sort(trace.begin(), trace.end(),
                   [&](const FieldTrace& a, const FieldTrace& b) { return rank(a.field) < rank(b.field); });
}

std::string format_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// ---------------------------------------------------------------- the reader

class PcareReader {
 public:
  PcareReader(const Resources& res, std::vector<Node> all, const PcareContext& context, const Systems& systems,
              PcareSubmission& out)
      : res_(res),
        enc_(res.root()),
        all_(std::move(all)),
        ctx_(context),
        sys_(systems),
        out_(out),
        p_(out.pendaftaran),
        k_(out.kunjungan) {}

  void read() {
    check_context();
    read_status_and_identifiers();
    if (!read_patient()) {
      out_.jkn = false;
      return;
    }
    read_dates();
    read_poli_tkp();
    read_complaint();
    read_vitals();
    read_doctor();
    read_diagnoses();
    read_referral();
    read_status_pulang();
    read_allergies();
    read_prognosis();
    read_therapy();
    read_defaults();
    sort_trace(out_.pendaftaran_trace, kPendaftaranFields);
    sort_trace(out_.kunjungan_trace, kKunjunganFields);
  }

 private:
  // Trace helpers: P = pendaftaran, K = kunjungan, both = the same field in both bodies.
  void trace_p(std::string_view field, std::string value, std::string source) {
    out_.pendaftaran_trace.push_back({std::string(field), std::move(value), std::move(source)});
  }
  void trace_k(std::string_view field, std::string value, std::string source) {
    out_.kunjungan_trace.push_back({std::string(field), std::move(value), std::move(source)});
  }
  void trace_both(std::string_view field, const std::string& value, const std::string& source) {
    trace_p(field, value, source);
    trace_k(field, value, source);
  }
  std::string ext_url(std::string_view name) const { return sys_.extension_base + std::string(name); }
  std::string code_system(std::string_view name) const { return sys_.bpjs_code_system_base + std::string(name); }

  void check_context() {
    if (ctx_.kd_provider.empty()) {
      throw Error::internal("P-Care context is missing kd_provider", {}, "pcare: context.kd_provider is empty");
    }
    if (ctx_.today.size() != 10 || !fhir::is_valid_date(ctx_.today)) {
      throw Error::internal("P-Care context has no valid today", {}, "pcare: context.today is not yyyy-MM-dd");
    }
  }

  // Encounter.status: only a finished visit goes to P-Care. Identifiers for exactly-once delivery.
  void read_status_and_identifiers() {
    const std::string_view status = text_at(enc_, "status");
    if (status != "finished") {
      throw Error::value(
          "Only a finished encounter is sent to P-Care (Encounter.status = finished): send it when the visit ends",
          enc_.path + ".status", "status '" + clip(status) + "'");
    }
    Node ids = array_at(enc_, "identifier");
    std::string first;
    for (SizeType i = 0; i < size_of(ids); ++i) {
      Node id = element(ids, i);
      const std::string_view value = text_at(id, "value");
      if (value.empty()) continue;
      const std::string_view system = text_at(id, "system");
      std::string key = std::string(system) + "|" + std::string(value);
      if (system.starts_with(kSysIdsEncounter)) {
        out_.encounter_identifier = std::move(key);
        break;
      }
      if (first.empty()) first = std::move(key);
    }
    if (out_.encounter_identifier.empty()) out_.encounter_identifier = first;
  }

  // noKartu (Patient identifier, Encounter.subject.identifier, Coverage.subscriberId) and
  // kdProviderPeserta (Patient.generalPractitioner's facility code, else the puskesmas).
  bool read_patient() {
    Node subject = object_at(enc_, "subject");
    if (!subject) throw Error::required("Encounter.subject (the Patient) is required", enc_.path + ".subject");
    Node patient = res_.resolve(subject, "Patient", enc_);
    Found card = identifier_in(patient, sys_.no_kartu);
    if (!card) card = reference_identifier(subject, sys_.no_kartu);
    for (const Node& cov : all_) {
      if (card) break;
      if (text_at(cov, "resourceType") != "Coverage" || status_in(cov, {"cancelled", "entered-in-error"})) continue;
      Node c = named(cov, "Coverage");
      card = found_at(c, "subscriberId");
      if (!card) card = identifier_in(c, sys_.no_kartu);
    }
    if (!card && ctx_.allow_non_jkn) return false;
    if (!card) {
      throw Error::required(
          "The participant's BPJS card number (noKartu) is missing: give the Patient an identifier in " +
              sys_.no_kartu + ", or add a Coverage with subscriberId",
          enc_.path + ".subject");
    }
    if (!vclaim_fhir::valid_no_kartu(card.value)) {
      throw Error::value("The BPJS card number (noKartu) must be 13 digits", card.path,
                         "noKartu of length " + std::to_string(card.value.size()));
    }
    out_.no_kartu = card.value;
    p_.no_kartu = card.value;
    k_.no_kartu = card.value;
    trace_both("noKartu", card.value, card.source);

    Found provider;
    Node gps = array_at(patient, "generalPractitioner");
    for (SizeType i = 0; i < size_of(gps) && i < kMaxPerformers && !provider; ++i) {
      Node ref = element(gps, i);
      Node org = res_.resolve(ref, "Organization", patient, true);
      provider = org ? identifier_in(org, sys_.kode_faskes) : reference_identifier(ref, sys_.kode_faskes);
    }
    if (provider && !short_code(provider.value, 12)) {
      throw Error::value("A BPJS facility code is letters and digits (e.g. 0114A026)", provider.path,
                         "kdProvider of length " + std::to_string(provider.value.size()));
    }
    if (provider) {
      p_.kd_provider_peserta = provider.value;
      trace_p("kdProviderPeserta", provider.value, provider.source);
    } else {
      p_.kd_provider_peserta = ctx_.kd_provider;
      trace_p("kdProviderPeserta", ctx_.kd_provider,
              "context.kd_provider (no Patient.generalPractitioner with a facility code: registered here)");
    }
    return true;
  }

  std::chrono::year_month_day date_of(const Node& parent, std::string_view key, std::string_view what) {
    Node n = field(parent, key);
    const std::string_view text = text_at(parent, key);
    const auto d = local_date(text, ctx_.utc_offset_minutes);
    if (!d) {
      throw Error::value(std::string(what) + " must be a full date or dateTime (yyyy-mm-dd[Thh:mm:ss+zz:zz])", n.path,
                         "date '" + clip(text, 32) + "'");
    }
    if (iso(*d) > ctx_.today) {
      throw Error::value(std::string(what) + " may not be after today (" + ctx_.today + ")", n.path);
    }
    return *d;
  }

  // tglDaftar = Encounter.period.start, tglPulang = Encounter.period.end (else the same day).
  void read_dates() {
    Node period = object_at(enc_, "period");
    if (!period || text_at(period, "start").empty()) {
      throw Error::required("Encounter.period.start (the visit date, tglDaftar) is required",
                            enc_.path + ".period.start");
    }
    start_ = date_of(period, "start", "Encounter.period.start");
    const std::string daftar = bpjs::format_dmy(start_);
    const std::string start_source = field(period, "start").source;
    out_.tgl_daftar = daftar;
    p_.tgl_daftar = daftar;
    k_.tgl_daftar = daftar;
    trace_both("tglDaftar", daftar, start_source + " (date in UTC" + offset_text() + ")");

    if (!text_at(period, "end").empty()) {
      const auto end = date_of(period, "end", "Encounter.period.end");
      if (std::chrono::sys_days{end} < std::chrono::sys_days{start_}) {
        throw Error::value("Encounter.period.end is before period.start", field(period, "end").path);
      }
      k_.tgl_pulang = bpjs::format_dmy(end);
      trace_k("tglPulang", k_.tgl_pulang, field(period, "end").source + " (date in UTC" + offset_text() + ")");
    } else {
      k_.tgl_pulang = daftar;
      trace_k("tglPulang", daftar, "default: tglDaftar (no Encounter.period.end: a same-day visit)");
    }
  }

  std::string offset_text() const {
    const int m = ctx_.utc_offset_minutes;
    const int a = m < 0 ? -m : m;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%c%02d:%02d", m < 0 ? '-' : '+', (a / 60) % 100, a % 60);
    return buf;
  }

  // kdPoli (Encounter.serviceType), kdTkp (Encounter.type in pcare-tkp, else Encounter.class),
  // kunjSakit (extension, else by kdTkp), the contact kind (class VR / TELE = teleconsultation).
  void read_poli_tkp() {
    Node service = object_at(enc_, "serviceType");
    Found poli = coded(service, code_system(kPoliCodeSystem), {}, "The P-Care poli (kdPoli)");
    if (!poli) {
      throw Error::required("The P-Care poli (kdPoli) is missing: give Encounter.serviceType a coding in " +
                                code_system(kPoliCodeSystem) + " (e.g. 001 Umum, 002 Gigi, 003 KIA)",
                            enc_.path + ".serviceType");
    }
    p_.kd_poli = poli.value;
    k_.kd_poli = poli.value;
    trace_both("kdPoli", poli.value, poli.source);

    Node cls = object_at(enc_, "class");
    const std::string cls_expr = enc_.path + ".class";
    if (!cls) throw Error::required("Encounter.class is required (AMB, VR, HH, IMP...)", cls_expr);
    const std::string_view cls_system = text_at(cls, "system");
    Found cls_code = found_at(cls, "code");
    if (!cls_system.empty() && cls_system != kActCode) {
      throw Error::value("Encounter.class must be coded in " + std::string(kActCode), cls_expr + ".system");
    }
    const std::string& c = cls_code.value;
    std::string tkp;
    if (c == "AMB" || c == "VR" || c == "TELE" || c == "HH" || c == "FLD" || c == "EMER") tkp = "10";
    if (c == "IMP" || c == "ACUTE" || c == "NONAC" || c == "SS") tkp = "20";
    if (tkp.empty()) {
      throw Error::value("Encounter.class must be AMB, VR, HH, FLD, EMER (rawat jalan) or IMP (rawat inap) in " +
                             std::string(kActCode),
                         cls_expr + ".code", "class '" + clip(c) + "'");
    }
    if (c == "VR" || c == "TELE") out_.contact = Contact::tidak_langsung;

    Found explicit_tkp;
    Node types = array_at(enc_, "type");
    for (SizeType i = 0; i < size_of(types) && !explicit_tkp; ++i) {
      explicit_tkp = coded(element(types, i), code_system(kTkpCodeSystem), kTkp, "kdTkp");
    }
    if (explicit_tkp) {
      p_.kd_tkp = explicit_tkp.value;
      trace_p("kdTkp", explicit_tkp.value, explicit_tkp.source);
    } else {
      p_.kd_tkp = tkp;
      trace_p("kdTkp", tkp, cls_code.source + " (" + c + ")");
    }

    Node ext = extension_at(enc_, ext_url(kKunjSakitExtension), kKunjSakitExtension);
    if (ext) {
      const std::optional<bool> b = bool_at(ext, "valueBoolean");
      if (!b) throw Error::required("The extension needs a valueBoolean", ext.path + ".valueBoolean");
      p_.kunj_sakit = *b;
      trace_p("kunjSakit", *b ? "true" : "false", ext.source + ".valueBoolean");
    } else if (p_.kd_tkp == "50") {
      p_.kunj_sakit = false;
      trace_p("kunjSakit", "false", "default: kdTkp 50 (promotif) is a healthy visit");
    } else {
      p_.kunj_sakit = true;
      trace_p("kunjSakit", "true", "default: a sick visit (no extension " + std::string(kKunjSakitExtension) + ")");
    }
  }

  // keluhan and anamnesa: the chief-complaint Condition (category problem-list-item), else Encounter.reasonCode.
  void read_complaint() {
    std::string keluhan;
    std::string keluhan_source;
    std::string anamnesa;
    std::string anamnesa_source;
    for (const Node& r : all_) {
      if (text_at(r, "resourceType") != "Condition") continue;
      Node cond = named(r, "Condition");
      if (!category_has(cond, "problem-list-item")) continue;
      Node code = object_at(cond, "code");
      keluhan = concept_text(code);
      keluhan_source = code.source;
      Node notes = array_at(cond, "note");
      if (size_of(notes) > 0) {
        Found t = found_at(element(notes, 0), "text");
        anamnesa = t.value;
        anamnesa_source = t.source;
      }
      if (!keluhan.empty()) break;
    }
    if (keluhan.empty()) {
      Node reasons = array_at(enc_, "reasonCode");
      if (size_of(reasons) > 0) {
        Node reason = element(reasons, 0);
        keluhan = concept_text(reason);
        keluhan_source = reason.source;
      }
    }
    if (keluhan.empty()) {
      p_.keluhan.reset();
      k_.keluhan.reset();
      trace_both("keluhan", "null", "default: null (no chief-complaint Condition, no Encounter.reasonCode)");
    } else {
      p_.keluhan = keluhan;
      k_.keluhan = keluhan;
      trace_both("keluhan", keluhan, keluhan_source);
    }
    if (anamnesa.empty()) {
      k_.anamnesa = keluhan;
      trace_k(
          "anamnesa", keluhan,
          keluhan.empty() ? "default: empty (no complaint)" : "default: keluhan (no Condition.note on the complaint)");
    } else {
      k_.anamnesa = anamnesa;
      trace_k("anamnesa", anamnesa, anamnesa_source);
    }
  }

  bool category_has(const Node& cond, std::string_view code) {
    Node cats = array_at(cond, "category");
    for (SizeType i = 0; i < size_of(cats); ++i) {
      if (concept_has(element(cats, i), kConditionCategory, code)) return true;
    }
    return false;
  }

  // Vital signs by LOINC code (single Observations and blood-pressure panel components), and kdSadar.
  void read_vitals() {
    std::array<bool, std::size(kVitals)> seen{};
    Found sadar;
    for (const Node& r : all_) {
      if (text_at(r, "resourceType") != "Observation" || status_in(r, {"entered-in-error", "cancelled"})) continue;
      Node obs = named(r, "Observation");
      Node code = object_at(obs, "code");
      if (concept_has(code, kLoinc, kConsciousness)) {
        Found f = coded(object_at(obs, "valueCodeableConcept"), code_system(kKesadaranCodeSystem), kKesadaran,
                        "The level of consciousness (kdSadar)");
        if (!f) {
          throw Error::required("The consciousness Observation needs a valueCodeableConcept coded in " +
                                    code_system(kKesadaranCodeSystem),
                                obs.path + ".valueCodeableConcept");
        }
        if (!sadar) {
          sadar = f;
        } else {
          out_.notes.push_back("kdSadar: " + f.path + " not sent (the first reading is)");
        }
        continue;
      }
      if (const VitalSpec* spec = vital_for(code)) take_vital(*spec, obs, seen);
      Node comps = array_at(obs, "component");
      // Panels (blood pressure 85354-9, vital-signs panels): their components carry the readings.
      if (size_of(comps) > 0 && vital_for(code) == nullptr) {
        for (SizeType i = 0; i < size_of(comps); ++i) {
          Node comp = element(comps, i);
          comp.source = obs.source + ".component[" + std::to_string(i) + "]";
          if (const VitalSpec* spec = vital_for(object_at(comp, "code"))) take_vital(*spec, comp, seen);
        }
      }
    }
    for (std::size_t i = 0; i < std::size(kVitals); ++i) {
      if (seen[i]) continue;
      const VitalSpec& spec = kVitals[i];
      const std::string why = "default: 0 (no Observation with LOINC " + std::string(spec.loinc[0]) + ")";
      if (spec.field == "suhu") {
        k_.suhu = "0";
        trace_k("suhu", "0", "default: \"0\" (no Observation with LOINC 8310-5)");
      } else if (spec.field == "lingkarPerut") {
        p_.lingkar_perut = 0;
        k_.lingkar_perut = 0;
        trace_both("lingkarPerut", "0", why);
      } else {
        trace_both(spec.field, "0", why);
      }
    }
    if (sadar) {
      k_.kd_sadar = sadar.value;
      trace_k("kdSadar", sadar.value, sadar.source);
    } else if (!ctx_.kd_sadar_default.empty()) {
      k_.kd_sadar = ctx_.kd_sadar_default;
      trace_k("kdSadar", ctx_.kd_sadar_default,
              "context.kd_sadar_default (no Observation with LOINC " + std::string(kConsciousness) + ")");
    } else {
      throw Error::required("The level of consciousness (kdSadar) is missing: add an Observation with LOINC " +
                                std::string(kConsciousness) + " and a value coded in " +
                                code_system(kKesadaranCodeSystem),
                            "Bundle.entry");
    }
  }

  template <std::size_t N>
  void take_vital(const VitalSpec& spec, const Node& holder, std::array<bool, N>& seen) {
    const auto idx = static_cast<std::size_t>(&spec - std::begin(kVitals));
    Node q = object_at(holder, "valueQuantity");
    if (!q) {
      if (field(holder, "dataAbsentReason")) {
        out_.notes.push_back(std::string(spec.field) + ": " + holder.path + " has a dataAbsentReason, not sent");
        return;
      }
      throw Error::required(std::string(spec.field) + " needs a valueQuantity", holder.path + ".valueQuantity");
    }
    if (seen[idx]) {
      out_.notes.push_back(std::string(spec.field) + ": " + holder.path + " not sent (the first reading is)");
      return;
    }
    const std::optional<double> value = number_at(q, "value");
    if (!value) throw Error::required(std::string(spec.field) + " needs valueQuantity.value", q.path + ".value");
    const std::string_view system = text_at(q, "system");
    if (!system.empty() && system != kUcum) {
      throw Error::value("valueQuantity.system must be UCUM (" + std::string(kUcum) + ")", q.path + ".system");
    }
    std::string_view unit = text_at(q, "code");
    std::string unit_path = q.path + ".code";
    if (unit.empty()) {
      unit = text_at(q, "unit");
      unit_path = q.path + ".unit";
    }
    const Unit* u = nullptr;
    std::string allowed;
    for (const Unit& cand : spec.units) {
      if (cand.ucum == unit) u = &cand;
      allowed += (allowed.empty() ? "" : ", ") + std::string(cand.ucum);
    }
    if (u == nullptr) {
      throw Error::value(std::string(spec.field) + " must be in UCUM " + allowed, unit_path,
                         "unit '" + clip(unit) + "'");
    }
    double v = u->factor == 1 ? *value : (u->factor < 1 ? *value / (1 / u->factor) : *value * u->factor);
    v = spec.integer ? std::round(v) : std::round(v * 10) / 10;
    if (!(v >= spec.min && v <= spec.max)) {
      throw Error::value(std::string(spec.field) + " is outside the plausible range " + format_number(spec.min) + "-" +
                             format_number(spec.max) + " " + std::string(spec.units[0].ucum) +
                             " (check the value and unit)",
                         q.path + ".value");
    }
    seen[idx] = true;
    const std::string source = field(q, "value").source + " (" + std::string(unit) + ")";
    const std::string f(spec.field);
    if (f == "suhu") {
      std::string text = format_number(v);
      std::replace(text.begin(), text.end(), '.', ctx_.suhu_decimal);
      k_.suhu = text;
      trace_k("suhu", text, source);
      return;
    }
    const auto as_int = static_cast<std::int64_t>(v);
    const std::string shown = spec.integer ? std::to_string(as_int) : trim_number(v);
    if (f == "sistole") p_.sistole = k_.sistole = as_int;
    if (f == "diastole") p_.diastole = k_.diastole = as_int;
    if (f == "respRate") p_.resp_rate = k_.resp_rate = as_int;
    if (f == "heartRate") p_.heart_rate = k_.heart_rate = as_int;
    if (f == "beratBadan") p_.berat_badan = k_.berat_badan = v;
    if (f == "tinggiBadan") p_.tinggi_badan = k_.tinggi_badan = v;
    if (f == "lingkarPerut") {
      p_.lingkar_perut = v;
      k_.lingkar_perut = v;
    }
    trace_both(f, shown, source);
  }

  static std::string trim_number(double v) {
    std::string s = format_number(v);
    if (s.ends_with(".0")) s.resize(s.size() - 2);
    return s;
  }

  // kdDokter: the first Encounter.participant whose Practitioner has a P-Care doctor code.
  void read_doctor() {
    Node participants = array_at(enc_, "participant");
    Found code;
    for (SizeType i = 0; i < size_of(participants) && i < kMaxParticipants && !code; ++i) {
      Node part = element(participants, i);
      Node individual = object_at(part, "individual");
      if (!individual) continue;
      Node practitioner = res_.resolve(individual, "Practitioner", enc_, true);
      code = practitioner ? identifier_in(practitioner, kKodeDokterPcareSystem)
                          : reference_identifier(individual, kKodeDokterPcareSystem);
    }
    if (!code) {
      throw Error::required(
          "The doctor (kdDokter) is missing: give Encounter.participant a Practitioner with an "
          "identifier in " +
              std::string(kKodeDokterPcareSystem),
          enc_.path + ".participant");
    }
    if (!all_digits(code.value) || code.value.size() > 12) {
      throw Error::value("A P-Care doctor code (kdDokter) is digits (GET dokter)", code.path,
                         "kdDokter of length " + std::to_string(code.value.size()));
    }
    k_.kd_dokter = code.value;
    trace_k("kdDokter", code.value, code.source);
  }

  // kdDiag1..3: Encounter.diagnosis by rank (Condition.code ICD-10), else the Bundle's
  // encounter-diagnosis Conditions in order. P-Care takes three.
  void read_diagnoses() {
    std::vector<Found> codes;
    const auto add = [&](const Node& cond) {
      Node code = object_at(cond, "code");
      Found f = concept_code(code, kIcd10System);
      if (!f) {
        throw Error::required("A diagnosis needs an ICD-10 code (" + std::string(kIcd10System) + ")",
                              code ? code.path + ".coding" : cond.path + ".code");
      }
      if (!valid_icd10(f.value)) {
        throw Error::value("An ICD-10 code is a letter, two characters and optionally '.' and more (A09, E11.9)",
                           f.path, "code '" + clip(f.value) + "'");
      }
      if (std::any_of(codes.begin(), codes.end(), [&](const Found& x) { return x.value == f.value; })) return;
      if (codes.size() == 3) {
        out_.notes.push_back("diagnosis " + f.value + " (" + f.path + ") not sent: P-Care takes three");
        return;
      }
      codes.push_back(std::move(f));
    };

    Node diags = array_at(enc_, "diagnosis");
    if (size_of(diags) > 0) {
      std::vector<std::pair<double, Node>> ranked;
      for (SizeType i = 0; i < size_of(diags); ++i) {
        if (i == kMaxDiagnosisEntries) {
          out_.notes.push_back("Encounter.diagnosis past entry " + std::to_string(kMaxDiagnosisEntries) + " not read");
          break;
        }
        Node d = element(diags, i);
        const std::optional<double> rank = number_at(d, "rank");
        if (rank && (*rank < 1 || *rank != std::floor(*rank))) {
          throw Error::value("Encounter.diagnosis.rank is a positive integer", d.path + ".rank");
        }
        Node ref = object_at(d, "condition");
        if (!ref) throw Error::required("Encounter.diagnosis.condition is required", d.path + ".condition");
        Node cond = res_.resolve(ref, "Condition", enc_);
        if (!cond) {
          throw Error::required("Encounter.diagnosis.condition must reference a Condition in the request",
                                ref.path + ".reference");
        }
        ranked.emplace_back(rank.value_or(1e18), cond);
      }
      std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      for (const auto& [rank, cond] : ranked) add(cond);
    } else {
      for (const Node& r : all_) {
        if (text_at(r, "resourceType") != "Condition") continue;
        Node cond = named(r, "Condition");
        if (!category_has(cond, "encounter-diagnosis")) continue;
        Node vs = object_at(cond, "verificationStatus");
        if (concept_has(vs, "http://terminology.hl7.org/CodeSystem/condition-ver-status", "entered-in-error") ||
            concept_has(vs, "http://terminology.hl7.org/CodeSystem/condition-ver-status", "refuted")) {
          continue;
        }
        add(cond);
      }
    }
    if (codes.empty()) {
      throw Error::required(
          "The diagnosis (kdDiag1) is missing: give Encounter.diagnosis a Condition with an "
          "ICD-10 code, or add a Condition with category encounter-diagnosis",
          enc_.path + ".diagnosis");
    }
    k_.kd_diag1 = codes[0].value;
    trace_k("kdDiag1", codes[0].value, codes[0].source);
    if (codes.size() > 1) {
      k_.kd_diag2 = codes[1].value;
      trace_k("kdDiag2", codes[1].value, codes[1].source);
    } else {
      trace_k("kdDiag2", "null", "default: null (one diagnosis)");
    }
    if (codes.size() > 2) {
      k_.kd_diag3 = codes[2].value;
      trace_k("kdDiag3", codes[2].value, codes[2].source);
    } else {
      trace_k("kdDiag3", "null", "default: null (fewer than three diagnoses)");
    }
  }

  // rujukLanjut and kdTacc/alasanTacc from the referral ServiceRequest (category SNOMED
  // 3457005, or a code in pcare-khusus, or a performerType in pcare-subspesialis).
  void read_referral() {
    Node referral;
    for (const Node& r : all_) {
      if (text_at(r, "resourceType") != "ServiceRequest") continue;
      if (status_in(r, {"revoked", "entered-in-error", "draft"})) continue;
      Node sr = named(r, "ServiceRequest");
      bool is_referral =
          !concept_code(object_at(sr, "code"), code_system(kKhususCodeSystem)).value.empty() ||
          !concept_code(object_at(sr, "performerType"), code_system(kSubSpesialisCodeSystem)).value.empty();
      Node cats = array_at(sr, "category");
      for (SizeType i = 0; i < size_of(cats) && !is_referral; ++i) {
        is_referral = concept_has(element(cats, i), kSnomed, kReferralCategory);
      }
      if (!is_referral) continue;
      if (referral) {
        throw Error::value("P-Care takes one onward referral per visit: the Bundle has two referral ServiceRequests",
                           sr.path);
      }
      referral = sr;
    }
    if (!referral) {
      k_.rujuk_lanjut.reset();
      trace_k("rujukLanjut", "null", "default: null (no referral ServiceRequest)");
      k_.kd_tacc = ctx_.kd_tacc_none;
      trace_k("kdTacc", std::to_string(ctx_.kd_tacc_none), "context.kd_tacc_none (not referred)");
      k_.alasan_tacc.reset();
      trace_k("alasanTacc", "null", "default: null (not referred)");
      return;
    }
    out_.referred = true;
    bpjs::RujukLanjut rl;

    // tglEstRujuk: occurrenceDateTime / occurrencePeriod.start, else the visit date.
    std::optional<std::chrono::year_month_day> est;
    std::string est_source;
    if (!text_at(referral, "occurrenceDateTime").empty()) {
      est = referral_date(referral, "occurrenceDateTime");
      est_source = field(referral, "occurrenceDateTime").source;
    } else if (Node period = object_at(referral, "occurrencePeriod"); !text_at(period, "start").empty()) {
      est = referral_date(period, "start");
      est_source = field(period, "start").source;
    }
    if (est) {
      if (std::chrono::sys_days{*est} < std::chrono::sys_days{start_}) {
        throw Error::value("The estimated referral date (tglEstRujuk) is before the visit",
                           referral.path + ".occurrenceDateTime");
      }
      rl.tgl_est_rujuk = bpjs::format_dmy(*est);
      trace_k("rujukLanjut.tglEstRujuk", rl.tgl_est_rujuk, est_source);
    } else {
      rl.tgl_est_rujuk = out_.tgl_daftar;
      trace_k("rujukLanjut.tglEstRujuk", rl.tgl_est_rujuk, "default: tglDaftar (no ServiceRequest.occurrence[x])");
    }

    // kdppk: the performer Organization's BPJS facility code.
    Found ppk;
    Node performers = array_at(referral, "performer");
    for (SizeType i = 0; i < size_of(performers) && i < kMaxPerformers && !ppk; ++i) {
      Node ref = element(performers, i);
      Node org = res_.resolve(ref, "Organization", referral, true);
      ppk = org ? identifier_in(org, sys_.kode_faskes) : reference_identifier(ref, sys_.kode_faskes);
    }
    if (!ppk) {
      throw Error::required(
          "The referral's destination (rujukLanjut.kdppk) is missing: give ServiceRequest.performer "
          "an Organization with an identifier in " +
              sys_.kode_faskes,
          referral.path + ".performer");
    }
    if (!short_code(ppk.value, 12)) {
      throw Error::value("A BPJS facility code is letters and digits (e.g. 0116R028)", ppk.path,
                         "kdppk of length " + std::to_string(ppk.value.size()));
    }
    rl.kdppk = ppk.value;
    trace_k("rujukLanjut.kdppk", ppk.value, ppk.source);

    Found khusus = coded(object_at(referral, "code"), code_system(kKhususCodeSystem), kKhusus, "kdKhusus");
    Found sub = coded(object_at(referral, "performerType"), code_system(kSubSpesialisCodeSystem), {},
                      "The sub-specialty (kdSubSpesialis)");
    if (khusus) {
      bpjs::RujukKhusus k;
      k.kd_khusus = khusus.value;
      trace_k("rujukLanjut.subSpesialis", "null", "default: null (a special referral)");
      trace_k("rujukLanjut.khusus.kdKhusus", khusus.value, khusus.source);
      const bool needs_sub = khusus.value == "THA" || khusus.value == "HEM";
      if (needs_sub && !sub) {
        throw Error::required("A " + khusus.value +
                                  " referral needs the sub-specialty: ServiceRequest.performerType "
                                  "coded in " +
                                  code_system(kSubSpesialisCodeSystem),
                              referral.path + ".performerType");
      }
      if (needs_sub) {
        k.kd_sub_spesialis = sub.value;
        trace_k("rujukLanjut.khusus.kdSubSpesialis", sub.value, sub.source);
      } else {
        trace_k("rujukLanjut.khusus.kdSubSpesialis", "null", "default: null (only THA and HEM take one)");
      }
      Node notes = array_at(referral, "note");
      Found note = size_of(notes) > 0 ? found_at(element(notes, 0), "text") : Found{};
      k.catatan = note.value;
      trace_k("rujukLanjut.khusus.catatan", note.value, note ? note.source : "default: empty (no ServiceRequest.note)");
      rl.khusus = std::move(k);
    } else {
      if (!sub) {
        throw Error::required(
            "The referral's sub-specialty is missing: give ServiceRequest.performerType a coding in " +
                code_system(kSubSpesialisCodeSystem) +
                ", or ServiceRequest.code a special "
                "referral in " +
                code_system(kKhususCodeSystem),
            referral.path + ".performerType");
      }
      bpjs::RujukSubSpesialis s;
      s.kd_sub_spesialis1 = sub.value;
      trace_k("rujukLanjut.subSpesialis.kdSubSpesialis1", sub.value, sub.source);
      Found sarana;
      Node locs = array_at(referral, "locationCode");
      for (SizeType i = 0; i < size_of(locs) && !sarana; ++i) {
        sarana = coded(element(locs, i), code_system(kSaranaCodeSystem), {}, "The facility type (kdSarana)");
      }
      s.kd_sarana = sarana.value;
      trace_k("rujukLanjut.subSpesialis.kdSarana", sarana.value,
              sarana ? sarana.source : "default: empty (no ServiceRequest.locationCode in pcare-sarana)");
      trace_k("rujukLanjut.khusus", "null", "default: null (a sub-specialty referral)");
      rl.sub_spesialis = std::move(s);
    }
    k_.rujuk_lanjut = std::move(rl);

    // TACC (a non-specialist diagnosis referred anyway): extension bpjs-tacc + bpjs-alasan-tacc.
    Node tacc = extension_at(referral, ext_url(kTaccExtension), kTaccExtension);
    Node alasan = extension_at(referral, ext_url(kAlasanTaccExtension), kAlasanTaccExtension);
    Found reason = alasan ? found_at(alasan, "valueString") : Found{};
    if (tacc) {
      Node coding = object_at(tacc, "valueCoding");
      if (!coding) throw Error::required("The TACC extension needs a valueCoding", tacc.path + ".valueCoding");
      if (text_at(coding, "system") != code_system(kTaccCodeSystem)) {
        throw Error::value("kdTacc must be coded in " + code_system(kTaccCodeSystem), coding.path + ".system");
      }
      Found code = found_at(coding, "code");
      if (find_code(kTacc, code.value) == nullptr) {
        throw Error::value("kdTacc must be one of: " + listing(kTacc), coding.path + ".code",
                           "kdTacc '" + clip(code.value) + "'");
      }
      if (!reason) {
        throw Error::required("A TACC referral needs its reason (alasanTacc): extension " +
                                  std::string(kAlasanTaccExtension) + " with valueString",
                              referral.path + ".extension");
      }
      k_.kd_tacc = code.value[0] - '0';
      trace_k("kdTacc", code.value, code.source);
      k_.alasan_tacc = reason.value;
      trace_k("alasanTacc", reason.value, reason.source);
    } else {
      if (reason) {
        throw Error::required("alasanTacc is given without kdTacc: add the extension " + std::string(kTaccExtension),
                              referral.path + ".extension");
      }
      k_.kd_tacc = ctx_.kd_tacc_none;
      trace_k("kdTacc", std::to_string(ctx_.kd_tacc_none), "context.kd_tacc_none (no extension bpjs-tacc)");
      k_.alasan_tacc.reset();
      trace_k("alasanTacc", "null", "default: null (no TACC)");
    }
  }

  std::chrono::year_month_day referral_date(const Node& parent, std::string_view key) {
    const std::string_view text = text_at(parent, key);
    const auto d = local_date(text, ctx_.utc_offset_minutes);
    if (!d) {
      throw Error::value("The estimated referral date must be a full date or dateTime", field(parent, key).path,
                         "date '" + clip(text, 32) + "'");
    }
    return *d;  // a planned date: may be after today
  }

  // kdStatusPulang: Encounter.hospitalization.dischargeDisposition in pcare-status-pulang, else
  // rujuk lanjut when referred, else berobat jalan for rawat jalan.
  void read_status_pulang() {
    Node hosp = object_at(enc_, "hospitalization");
    Found code =
        coded(object_at(hosp, "dischargeDisposition"), code_system(kStatusPulangCodeSystem), {}, "kdStatusPulang");
    if (code) {
      if (out_.referred && code.value != ctx_.kd_status_pulang_rujuk) {
        throw Error::value("The patient is referred on (a referral ServiceRequest) but the discharge status is not " +
                               ctx_.kd_status_pulang_rujuk + " (rujuk lanjut)",
                           code.path);
      }
      k_.kd_status_pulang = code.value;
      trace_k("kdStatusPulang", code.value, code.source);
    } else if (out_.referred) {
      k_.kd_status_pulang = ctx_.kd_status_pulang_rujuk;
      trace_k("kdStatusPulang", k_.kd_status_pulang, "context.kd_status_pulang_rujuk (a referral ServiceRequest)");
    } else if (p_.kd_tkp == "20") {
      throw Error::required(
          "Rawat inap needs the discharge status: Encounter.hospitalization.dischargeDisposition "
          "coded in " +
              code_system(kStatusPulangCodeSystem) + " (statuspulang/rawatInap/true)",
          enc_.path + ".hospitalization.dischargeDisposition");
    } else {
      k_.kd_status_pulang = ctx_.kd_status_pulang_default;
      trace_k("kdStatusPulang", k_.kd_status_pulang, "context.kd_status_pulang_default (rawat jalan, not referred)");
    }
  }

  // alergiMakan / alergiUdara / alergiObat: AllergyIntolerance by category, code in pcare-alergi.
  void read_allergies() {
    struct Slot {
      std::string_view category;
      std::string_view field;
      std::string* target;
      Found found{};
    };
    Slot slots[] = {{"food", "alergiMakan", &k_.alergi_makan, {}},
                    {"environment", "alergiUdara", &k_.alergi_udara, {}},
                    {"medication", "alergiObat", &k_.alergi_obat, {}}};
    for (const Node& r : all_) {
      if (text_at(r, "resourceType") != "AllergyIntolerance") continue;
      Node ai = named(r, "AllergyIntolerance");
      Node vs = object_at(ai, "verificationStatus");
      if (concept_has(vs, "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification",
                      "entered-in-error") ||
          concept_has(vs, "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "refuted")) {
        continue;
      }
      Found code = coded(object_at(ai, "code"), code_system(kAlergiCodeSystem), {}, "The P-Care allergy code");
      Node cats = array_at(ai, "category");
      bool placed = false;
      for (SizeType i = 0; i < size_of(cats); ++i) {
        Node c = cats;
        c.path += "[" + std::to_string(i) + "]";
        c.value = &(*cats.value)[i];
        if (!c.value->IsString()) throw wrong_type(c, "a string");
        const std::string_view cat = fhir::as_string_view(*c.value);
        for (Slot& s : slots) {
          if (s.category != cat) continue;
          placed = true;
          if (!code) {
            out_.notes.push_back(std::string(s.field) + ": " + ai.path + " has no code in " +
                                 code_system(kAlergiCodeSystem) + ", not sent");
          } else if (s.found) {
            out_.notes.push_back(std::string(s.field) + ": " + ai.path + " not sent (P-Care takes one)");
          } else {
            s.found = code;
          }
        }
      }
      if (!placed) out_.notes.push_back(ai.path + ": no category food / environment / medication, not sent");
    }
    for (Slot& s : slots) {
      if (s.found) {
        *s.target = s.found.value;
        trace_k(s.field, s.found.value, s.found.source);
      } else {
        *s.target = ctx_.alergi_none;
        trace_k(s.field, ctx_.alergi_none, "context.alergi_none (no AllergyIntolerance of that category)");
      }
    }
  }

  void read_prognosis() {
    for (const Node& r : all_) {
      if (text_at(r, "resourceType") != "ClinicalImpression" || status_in(r, {"entered-in-error"})) continue;
      Node ci = named(r, "ClinicalImpression");
      Node list = array_at(ci, "prognosisCodeableConcept");
      for (SizeType i = 0; i < size_of(list); ++i) {
        if (Found f = coded(element(list, i), code_system(kPrognosaCodeSystem), {}, "kdPrognosa")) {
          k_.kd_prognosa = f.value;
          trace_k("kdPrognosa", f.value, f.source);
          return;
        }
      }
    }
    k_.kd_prognosa = ctx_.kd_prognosa_default;
    trace_k("kdPrognosa", ctx_.kd_prognosa_default, "context.kd_prognosa_default (no ClinicalImpression.prognosis)");
  }

  // The medication's name: medicationCodeableConcept, or the referenced Medication's code.
  std::string medication_name(const Node& r) {
    if (Node cc = object_at(r, "medicationCodeableConcept")) return concept_text(cc);
    Node ref = object_at(r, "medicationReference");
    if (!ref) return {};
    if (Node med = res_.resolve(ref, "Medication", r, true)) {
      if (std::string name = concept_text(object_at(med, "code")); !name.empty()) return name;
    }
    return std::string(text_at(ref, "display"));
  }

  // terapiObat: MedicationRequests (else MedicationDispenses) as "name dosage; ...";
  // terapiNonObat: completed Procedures by name.
  void read_therapy() {
    for (std::string_view type : {"MedicationRequest", "MedicationDispense"}) {
      std::vector<std::string> items;
      std::vector<std::string> sources;
      for (const Node& r : all_) {
        if (text_at(r, "resourceType") != type ||
            status_in(r, {"entered-in-error", "cancelled", "stopped", "declined", "draft"})) {
          continue;
        }
        if (items.size() == kMaxTherapyItems) {
          out_.notes.push_back("terapiObat: more than " + std::to_string(kMaxTherapyItems) + " " + std::string(type) +
                               " resources, the rest not sent");
          break;
        }
        Node m = named(r, type);
        std::string item = medication_name(m);
        if (item.empty()) {
          throw Error::required(std::string(type) + " needs medicationCodeableConcept or medicationReference",
                                m.path + ".medication[x]");
        }
        Node dosage = array_at(m, "dosageInstruction");
        if (size_of(dosage) > 0) {
          if (const std::string_view t = text_at(element(dosage, 0), "text"); !t.empty()) {
            item += " " + std::string(t);
          }
        }
        items.push_back(std::move(item));
        sources.push_back(m.source);
      }
      if (!items.empty()) {
        k_.terapi_obat = join(items);
        trace_k("terapiObat", k_.terapi_obat, join(sources, ", "));
        break;
      }
    }
    if (k_.terapi_obat.empty()) {
      trace_k("terapiObat", "", "default: empty (no MedicationRequest or MedicationDispense)");
    }

    std::vector<std::string> items;
    std::vector<std::string> sources;
    for (const Node& r : all_) {
      if (text_at(r, "resourceType") != "Procedure" ||
          status_in(r, {"entered-in-error", "not-done", "preparation", "stopped"})) {
        continue;
      }
      if (items.size() == kMaxTherapyItems) {
        out_.notes.push_back("terapiNonObat: more than " + std::to_string(kMaxTherapyItems) +
                             " Procedures, the rest not sent");
        break;
      }
      Node proc = named(r, "Procedure");
      std::string name = concept_text(object_at(proc, "code"));
      if (name.empty()) throw Error::required("Procedure.code is required", proc.path + ".code");
      items.push_back(std::move(name));
      sources.push_back(proc.source + ".code");
    }
    k_.terapi_non_obat = join(items);
    trace_k("terapiNonObat", k_.terapi_non_obat, items.empty() ? "default: empty (no Procedure)" : join(sources, ", "));
  }

  static std::string join(const std::vector<std::string>& items, std::string_view sep = "; ") {
    std::string out;
    for (const std::string& s : items) {
      if (!out.empty()) out += sep;
      out += s;
    }
    return out;
  }

  void read_defaults() {
    p_.rujuk_balik = 0;
    trace_p("rujukBalik", "0", "default: 0 (catalogue value)");
    k_.no_kunjungan.reset();
    trace_k("noKunjungan", "null", "default: null on POST (the outbox sets it for a PUT)");
    k_.kd_poli_rujuk_internal.reset();
    trace_k("kdPoliRujukInternal", "null", "default: null (internal referrals are not mapped)");
    k_.bmhp = "";
    trace_k("bmhp", "", "default: empty (consumables are not mapped)");
  }

  const Resources& res_;
  const Node& enc_;
  std::vector<Node> all_;
  const PcareContext& ctx_;
  const Systems& sys_;
  PcareSubmission& out_;
  bpjs::PendaftaranRequest& p_;
  bpjs::KunjunganRequest& k_;
  std::chrono::year_month_day start_{};
};

}  // namespace

PcareSubmission parse_pcare_bundle(const rapidjson::Value& input, const PcareContext& context, const Systems& systems) {
  if (!input.IsObject()) throw Error::invalid("Expected a Bundle or an Encounter", "resourceType");
  const std::string_view type = fhir::string_member(input, "resourceType").value_or("");
  PcareSubmission out;
  std::vector<Node> all;
  Node encounter;
  const Value* bundle = nullptr;
  if (type == "Bundle") {
    bundle = &input;
    const Node root{&input, "Bundle", "Bundle"};
    Node entries = array_at(root, "entry");
    if (size_of(entries) == 0) throw Error::required("The Bundle has no entries", "Bundle.entry");
    all.reserve(size_of(entries));
    for (SizeType i = 0; i < size_of(entries); ++i) {
      Node entry = element(entries, i);
      Node resource = object_at(entry, "resource");
      if (!resource) continue;
      resource.source = resource.path;
      if (text_at(resource, "resourceType") == "Encounter") {
        if (encounter) {
          throw Error::value("The Bundle holds more than one Encounter: send one Bundle per visit", resource.path);
        }
        encounter = resource;
        encounter.source = "Encounter";
      }
      all.push_back(std::move(resource));
    }
    if (!encounter) throw Error::required("The Bundle holds no Encounter", "Bundle.entry");
    Node ids = object_at(root, "identifier");
    if (const std::string_view value = text_at(ids, "value"); !value.empty()) {
      out.bundle_identifier = std::string(text_at(ids, "system")) + "|" + std::string(value);
    }
  } else if (type == "Encounter") {
    encounter = Node{&input, "Encounter", "Encounter"};
    Node contained = array_at(encounter, "contained");
    for (SizeType i = 0; i < size_of(contained); ++i) all.push_back(element(contained, i));
    for (Node& n : all) n.source = n.path;
  } else {
    throw Error::invalid("Expected a Bundle holding one Encounter, or an Encounter", "resourceType");
  }
  const Resources resources(encounter, bundle);
  PcareReader(resources, std::move(all), context, systems, out).read();
  return out;
}

// ---------------------------------------------------------------- answers

std::string_view to_string(PcareVerdict verdict) noexcept {
  switch (verdict) {
    case PcareVerdict::delivered:
      return "delivered";
    case PcareVerdict::not_found:
      return "not_found";
    case PcareVerdict::retry:
      return "retry";
    case PcareVerdict::permanent_request:
      return "permanent_request";
    case PcareVerdict::permanent_config:
      return "permanent_config";
  }
  return "retry";
}

namespace {

PcareClassification by_status(int status) noexcept {
  using V = PcareVerdict;
  switch (status) {
    case 0:
      return {V::retry, true, "no HTTP answer (connect failure, timeout, reset): the write may have arrived"};
    case 200:
    case 201:
      return {V::delivered, false, "accepted"};
    case 204:
      return {V::not_found, false, "no data (204)"};
    case 400:
      return {V::permanent_request, false, "P-Care rejected the request body (400)"};
    case 401:
      return {V::permanent_config, false, "P-Care credentials rejected (401): username, password or signature"};
    case 403:
      return {V::permanent_config, false, "access denied (403): the cons-id has no P-Care rights"};
    case 404:
      return {V::permanent_config, false, "endpoint not found (404): wrong base URL or service name"};
    case 408:
      return {V::retry, true, "P-Care timed out (408): the write may have arrived"};
    case 412:
      return {
          V::permanent_request, false,
          "P-Care precondition failed (412): the visit does not fit P-Care's rules (participant, date, registration)"};
    case 424:
      return {V::permanent_request, false,
              "unknown P-Care reference (424): a poli, doctor, diagnosis or facility code is not in P-Care's lists"};
    case 429:
      return {V::retry, false, "throttled (429)"};
    case 500:
      return {V::retry, true, "P-Care server error (500): the write may have arrived"};
    case 502:
    case 504:
      return {V::retry, true, "gateway error or timeout: the write may have arrived"};
    case 503:
      return {V::retry, false, "P-Care unavailable (503)"};
    default:
      break;
  }
  if (status >= 200 && status < 300) return {V::delivered, false, "accepted"};
  if (status >= 500 && status < 600) return {V::retry, true, "P-Care server error (5xx): the write may have arrived"};
  if (status >= 400 && status < 500) return {V::permanent_request, false, "P-Care rejected the request (4xx)"};
  return {V::permanent_config, false, "unexpected HTTP status (not 2xx/4xx/5xx): check the endpoint"};
}

}  // namespace

PcareClassification classify_pcare_answer(int http_status, std::optional<int> meta_code) noexcept {
  PcareClassification c = by_status(http_status);
  // A 2xx envelope that carries an error code (JFKTP-style wrappers, V-Claim-style business errors).
  // A code below 400 other than 204 (200, 201, Antrean-style 1) keeps the HTTP verdict.
  if (c.verdict == PcareVerdict::delivered && meta_code && (*meta_code == 204 || *meta_code >= 400)) {
    return by_status(*meta_code);
  }
  return c;
}

}  // namespace simpul::mappings::pcare_fhir
