#include "mappings/vclaim_fhir/eligibility.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "fhir/error.hpp"
#include "fhir/json.hpp"
#include "fhir/resource.hpp"
#include "mappings/vclaim_fhir/builder.hpp"
#include "mappings/vclaim_fhir/fhir_parts.hpp"

namespace simpul::mappings::vclaim_fhir {

namespace {

using rapidjson::Value;
using namespace parts;

}  // namespace

bool valid_no_kartu(std::string_view s) {
  return all_digits(s) && s.size() >= 13 && s.size() <= 15;
}

namespace {

bool valid_nik(std::string_view s) {
  return all_digits(s) && s.size() == 16;
}

struct Candidate {
  std::string system;
  std::string value;
  std::string expression;  // FHIRPath of where it came from, for error messages
};

void collect_identifier(const Value& identifier, const std::string& where, std::vector<Candidate>& out) {
  if (!identifier.IsObject()) return;
  auto system = fhir::string_member(identifier, "system");
  auto value = fhir::string_member(identifier, "value");
  if (system && value) out.push_back({std::string(*system), std::string(*value), where});
}

const Value* contained_resource(const Value& container, std::string_view reference, std::string_view type) {
  if (reference.size() < 2 || reference.front() != '#') return nullptr;
  const Value* contained = fhir::member(container, "contained");
  if (contained == nullptr || !contained->IsArray()) return nullptr;
  for (const Value& r : contained->GetArray()) {
    if (!r.IsObject()) continue;
    if (fhir::string_member(r, "id") == reference.substr(1) && fhir::string_member(r, "resourceType") == type) {
      return &r;
    }
  }
  return nullptr;
}

void collect_patient(const Value& request, std::vector<Candidate>& out) {
  const Value* patient = fhir::member(request, "patient");
  if (patient == nullptr || !patient->IsObject()) return;
  if (const Value* id = fhir::member(*patient, "identifier")) {
    collect_identifier(*id, "CoverageEligibilityRequest.patient.identifier", out);
  }
  auto ref = fhir::string_member(*patient, "reference");
  if (!ref) return;
  const Value* resource = contained_resource(request, *ref, "Patient");
  if (resource == nullptr) return;
  const Value* ids = fhir::member(*resource, "identifier");
  if (ids == nullptr || !ids->IsArray()) return;
  for (rapidjson::SizeType i = 0; i < ids->Size(); ++i) {
    collect_identifier((*ids)[i], "CoverageEligibilityRequest.contained.Patient.identifier[" + std::to_string(i) + "]",
                       out);
  }
}

void collect_coverage(const Value& request, const Systems& systems, std::vector<Candidate>& out) {
  const Value* insurance = fhir::member(request, "insurance");
  if (insurance == nullptr || !insurance->IsArray()) return;
  for (const Value& ins : insurance->GetArray()) {
    const Value* coverage = ins.IsObject() ? fhir::member(ins, "coverage") : nullptr;
    if (coverage == nullptr || !coverage->IsObject()) continue;
    auto ref = fhir::string_member(*coverage, "reference");
    const Value* resource = ref ? contained_resource(request, *ref, "Coverage") : nullptr;
    if (resource == nullptr) continue;
    if (auto sub = fhir::string_member(*resource, "subscriberId")) {
      out.push_back(
          {systems.no_kartu, std::string(*sub), "CoverageEligibilityRequest.contained.Coverage.subscriberId"});
    }
    if (const Value* ids = fhir::member(*resource, "identifier"); ids != nullptr && ids->IsArray()) {
      for (const Value& id : ids->GetArray()) {
        collect_identifier(id, "CoverageEligibilityRequest.contained.Coverage.identifier", out);
      }
    }
  }
}

// Picks the card number (preferred) or the NIK among the candidates and checks its form.
EligibilityQuery choose(const std::vector<Candidate>& candidates, const Systems& systems, std::string_view where) {
  struct Kind {
    const std::string& system;
    EligibilityQuery::By by;
    bool (*valid)(std::string_view);
    const char* rule;   // for the client
    const char* label;  // for the log (the value itself is never logged)
  };
  const Kind kinds[] = {
      {systems.no_kartu, EligibilityQuery::By::no_kartu, valid_no_kartu,
       "The BPJS card number (noKartu) must be 13 to 15 digits", "noKartu"},
      {systems.nik, EligibilityQuery::By::nik, valid_nik, "The NIK must be 16 digits", "NIK"},
  };
  for (const Kind& kind : kinds) {
    for (const Candidate& c : candidates) {
      if (c.system != kind.system) continue;
      if (!kind.valid(c.value)) {
        throw fhir::Error::value(kind.rule, c.expression,
                                 std::string(kind.label) + " of length " + std::to_string(c.value.size()));
      }
      EligibilityQuery q;
      q.by = kind.by;
      q.value = c.value;
      q.value_source = c.expression;
      return q;
    }
  }
  throw fhir::Error::required("The participant is missing: give a BPJS card number (identifier system " +
                                  systems.no_kartu + ") or a NIK (identifier system " + systems.nik + ")",
                              std::string(where));
}

constexpr std::string_view kTodaySource = "default: today (Asia/Jakarta)";

std::string service_date(std::string_view given, std::string_view today, std::string_view expression) {
  if (given.empty()) return std::string(today);
  if (given.size() != 10 || !fhir::is_valid_date(given)) {
    throw fhir::Error::value("The service date must be a full date (yyyy-mm-dd)", std::string(expression),
                             "date '" + std::string(given.substr(0, 32)) + "'");
  }
  return std::string(given);
}

// Extension "bpjs-<name>" with a valueCoding in the code system "<bpjs_code_system_base><name>".
Value extension_coding(const Builder& b, const Systems& systems, std::string_view name, const bpjs::KodeKeterangan& k) {
  auto ext = b.object();
  if (k.kode.empty()) return ext;
  b.set(ext, "url", extension_url(systems, "bpjs-" + std::string(name)));
  b.put(ext, "valueCoding", b.coding(systems.bpjs_code_system_base + std::string(name), k.kode, k.keterangan));
  return ext;
}

// Coordination of benefits (COB): the other insurer, when BPJS reports one.
Value cob_extension(const Builder& b, const Systems& systems, const bpjs::PesertaCob& cob) {
  auto ext = b.object();
  auto parts = b.array();
  b.push(parts, extension_string(b, systems, "bpjs-cob-nama-asuransi", opt(cob.nm_asuransi)));
  b.push(parts, extension_string(b, systems, "bpjs-cob-no-asuransi", opt(cob.no_asuransi)));
  if (fhir::is_valid_date(opt(cob.tgl_tmt))) {
    b.push(parts, extension_string(b, systems, "bpjs-cob-tgl-tmt", opt(cob.tgl_tmt)));
  }
  if (fhir::is_valid_date(opt(cob.tgl_tat))) {
    b.push(parts, extension_string(b, systems, "bpjs-cob-tgl-tat", opt(cob.tgl_tat)));
  }
  if (parts.Empty()) return ext;
  b.set(ext, "url", extension_url(systems, "bpjs-cob"));
  b.put(ext, "extension", std::move(parts));
  return ext;
}

Value coverage_class(const Builder& b, std::string_view type, std::string_view type_display,
                     const bpjs::KodeKeterangan& k) {
  auto c = b.object();
  if (k.kode.empty()) return c;
  b.put(c, "type", b.codeable(b.coding("http://terminology.hl7.org/CodeSystem/coverage-class", type, type_display)));
  b.set(c, "value", k.kode);
  b.set(c, "name", k.keterangan);
  return c;
}

void fill_coverage(const Builder& b, Value& cov, const bpjs::Peserta& p, bool contained_refs, const Systems& systems) {
  b.set(cov, "resourceType", "Coverage");
  b.set(cov, "id", "coverage");

  auto exts = b.array();
  b.push(exts, extension_coding(b, systems, "status-peserta", p.status_peserta));
  if (!p.prov_umum.kd_provider.empty()) {
    auto ext = b.object();
    b.set(ext, "url", extension_url(systems, "bpjs-provider-umum"));
    auto ref = b.object();
    b.put(ref, "identifier", b.identifier(systems.kode_faskes, p.prov_umum.kd_provider));
    b.set(ref, "display", p.prov_umum.nm_provider);
    b.put(ext, "valueReference", std::move(ref));
    b.push(exts, std::move(ext));
  }
  b.push(exts, extension_string(b, systems, "bpjs-prolanis-prb", opt(p.informasi.prolanis_prb)));
  b.push(exts, cob_extension(b, systems, p.cob));
  b.push(exts, extension_string(b, systems, "bpjs-dinsos", opt(p.informasi.dinsos)));
  b.push(exts, extension_string(b, systems, "bpjs-no-sktm", opt(p.informasi.no_sktm)));
  if (p.informasi.e_sep == "True" || p.informasi.e_sep == "False") {
    auto ext = b.object();
    b.set(ext, "url", extension_url(systems, "bpjs-esep"));
    b.set_bool(ext, "valueBoolean", p.informasi.e_sep == "True");
    b.push(exts, std::move(ext));
  }
  b.push(exts, extension_coding(b, systems, "pisa", {"", p.pisa}));
  b.put(cov, "extension", std::move(exts));

  auto ids = b.array();
  b.push(ids, b.identifier(systems.no_kartu, p.no_kartu));
  b.put(cov, "identifier", std::move(ids));
  b.set(cov, "status", p.aktif() ? "active" : "cancelled");
  b.put(cov, "type",
        b.codeable(b.coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "PUBLICPOL", "public healthcare"),
                   "JKN"));
  b.set(cov, "subscriberId", p.no_kartu);
  if (contained_refs) {
    b.put(cov, "beneficiary", b.reference("#patient", p.nama));
  } else {
    auto ben = b.object();
    b.put(ben, "identifier", b.identifier(systems.no_kartu, p.no_kartu));
    b.set(ben, "display", p.nama);
    b.put(cov, "beneficiary", std::move(ben));
  }
  auto period = b.object();
  if (fhir::is_valid_date(p.tgl_tmt)) b.set(period, "start", p.tgl_tmt);
  // A period may not end before it starts (FHIR per-1): such an end is left out.
  if (fhir::is_valid_date(p.tgl_tat) && (!period.HasMember("start") || p.tgl_tat >= p.tgl_tmt)) {
    b.set(period, "end", p.tgl_tat);
  }
  b.put(cov, "period", std::move(period));
  auto payors = b.array();
  b.push(payors, contained_refs ? b.reference("#bpjs", kBpjsName) : b.reference({}, kBpjsName));
  b.put(cov, "payor", std::move(payors));
  auto classes = b.array();
  b.push(classes, coverage_class(b, "class", "Class", p.hak_kelas));
  b.push(classes, coverage_class(b, "plan", "Plan", p.jenis_peserta));
  b.put(cov, "class", std::move(classes));
}

void fill_patient(const Builder& b, Value& pat, const bpjs::Peserta& p, const Systems& systems) {
  b.set(pat, "resourceType", "Patient");
  b.set(pat, "id", "patient");
  auto ids = b.array();
  if (valid_nik(p.nik)) b.push(ids, b.identifier(systems.nik, p.nik));
  b.push(ids, b.identifier(systems.no_kartu, p.no_kartu));
  if (!opt(p.mr.no_mr).empty()) {
    auto mr = b.object();
    b.put(mr, "type",
          b.codeable(b.coding("http://terminology.hl7.org/CodeSystem/v2-0203", "MR", "Medical record number")));
    b.set(mr, "value", opt(p.mr.no_mr));
    b.push(ids, std::move(mr));
  }
  b.put(pat, "identifier", std::move(ids));
  auto names = b.array();
  if (!p.nama.empty()) {
    auto name = b.object();
    b.set(name, "use", "official");
    b.set(name, "text", p.nama);
    b.push(names, std::move(name));
  }
  b.put(pat, "name", std::move(names));
  auto telecom = b.array();
  if (!opt(p.mr.no_telepon).empty()) {
    auto phone = b.object();
    b.set(phone, "system", "phone");
    b.set(phone, "value", opt(p.mr.no_telepon));
    b.push(telecom, std::move(phone));
  }
  b.put(pat, "telecom", std::move(telecom));
  b.set(pat, "gender", gender_from_sex(p.sex));
  if (fhir::is_valid_date(p.tgl_lahir)) b.set(pat, "birthDate", p.tgl_lahir);
}

}  // namespace

std::string_view path_segment(EligibilityQuery::By by) noexcept {
  return by == EligibilityQuery::By::nik ? "nik" : "nokartu";
}

std::string_view gender_from_sex(std::string_view sex) noexcept {
  if (sex == "L") return "male";
  if (sex == "P") return "female";
  return "unknown";
}

EligibilityQuery parse_eligibility_request(const rapidjson::Value& request, std::string_view today,
                                           const Systems& systems) {
  if (!request.IsObject() || fhir::string_member(request, "resourceType") != "CoverageEligibilityRequest") {
    throw fhir::Error::invalid("Expected a CoverageEligibilityRequest", "resourceType");
  }
  std::vector<Candidate> candidates;
  collect_patient(request, candidates);
  collect_coverage(request, systems, candidates);
  EligibilityQuery q = choose(candidates, systems, "CoverageEligibilityRequest.patient");

  std::string_view date;
  std::string_view date_expr = "CoverageEligibilityRequest.servicedDate";
  if (auto d = fhir::string_member(request, "servicedDate")) {
    date = *d;
  } else if (const Value* period = fhir::member(request, "servicedPeriod"); period != nullptr && period->IsObject()) {
    if (auto start = fhir::string_member(*period, "start")) {
      date = start->substr(0, std::min<std::size_t>(start->size(), 10));
      date_expr = "CoverageEligibilityRequest.servicedPeriod.start";
    }
  }
  q.tgl_pelayanan = service_date(date, today, date_expr);
  q.date_source = date.empty() ? std::string(kTodaySource) : std::string(date_expr);
  if (auto id = fhir::string_member(request, "id"); id && fhir::is_valid_id(*id)) q.request_id = std::string(*id);
  return q;
}

EligibilityQuery parse_participant_identifier(std::string_view identifier, std::string_view expression,
                                              const Systems& systems) {
  const auto bar = identifier.find('|');
  if (bar == std::string_view::npos) {
    throw fhir::Error::value(
        std::string(expression) + " must be <system>|<value> with the BPJS card-number or NIK system",
        std::string(expression));
  }
  std::vector<Candidate> candidates{
      {std::string(identifier.substr(0, bar)), std::string(identifier.substr(bar + 1)), std::string(expression)}};
  return choose(candidates, systems, expression);
}

EligibilityQuery parse_coverage_search(std::string_view identifier, std::string_view date, std::string_view today,
                                       const Systems& systems) {
  EligibilityQuery q = parse_participant_identifier(identifier, "identifier", systems);
  // Search parameter prefixes: only "eq" (or none) makes sense for one service date.
  if (date.substr(0, 2) == "eq") date.remove_prefix(2);
  q.tgl_pelayanan = service_date(date, today, "date");
  q.date_source = date.empty() ? std::string(kTodaySource) : "date";
  return q;
}

rapidjson::Document coverage_from_peserta(const bpjs::Peserta& peserta, bool contained_refs, const Systems& systems) {
  rapidjson::Document doc(rapidjson::kObjectType);
  Builder b(doc);
  fill_coverage(b, doc, peserta, contained_refs, systems);
  return doc;
}

rapidjson::Document patient_from_peserta(const bpjs::Peserta& peserta, const Systems& systems) {
  rapidjson::Document doc(rapidjson::kObjectType);
  Builder b(doc);
  fill_patient(b, doc, peserta, systems);
  return doc;
}

rapidjson::Document eligibility_response(const bpjs::Peserta& peserta, const EligibilityQuery& query,
                                         std::string_view created, const Systems& systems) {
  rapidjson::Document doc(rapidjson::kObjectType);
  Builder b(doc);
  b.set(doc, "resourceType", "CoverageEligibilityResponse");

  auto contained = b.array();
  auto patient = b.object();
  fill_patient(b, patient, peserta, systems);
  b.push(contained, std::move(patient));
  auto coverage = b.object();
  fill_coverage(b, coverage, peserta, true, systems);
  b.push(contained, std::move(coverage));
  b.push(contained, bpjs_organization(b));
  b.put(doc, "contained", std::move(contained));

  b.set(doc, "status", "active");
  auto purpose = b.array();
  purpose.PushBack(b.string("validation"), b.allocator());
  b.put(doc, "purpose", std::move(purpose));
  b.put(doc, "patient", b.reference("#patient", peserta.nama));
  b.set(doc, "servicedDate", query.tgl_pelayanan);
  b.set(doc, "created", created);
  auto request = b.object();
  if (!query.request_id.empty()) {
    b.set(request, "reference", "CoverageEligibilityRequest/" + query.request_id);
  } else {
    b.set(request, "type", "CoverageEligibilityRequest");
    b.set(request, "display", "eligibility check as submitted");
  }
  b.put(doc, "request", std::move(request));
  b.set(doc, "outcome", "complete");
  b.set(doc, "disposition",
        "Peserta " + (peserta.status_peserta.keterangan.empty() ? std::string(peserta.aktif() ? "AKTIF" : "TIDAK AKTIF")
                                                                : peserta.status_peserta.keterangan));
  b.put(doc, "insurer", b.reference("#bpjs", kBpjsName));
  auto insurance = b.array();
  auto ins = b.object();
  b.put(ins, "coverage", b.reference("#coverage"));
  b.set_bool(ins, "inforce", peserta.aktif());
  b.push(insurance, std::move(ins));
  b.put(doc, "insurance", std::move(insurance));
  return doc;
}

}  // namespace simpul::mappings::vclaim_fhir
