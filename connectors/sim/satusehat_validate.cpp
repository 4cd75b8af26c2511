// What the SATUSEHAT simulator requires of each resource it accepts: the
// min >= 1 elements of the SATUSEHAT profiles and the IG guidance
// (research/satusehat-api.md §2.5), FHIR R4 code sets for status fields, the
// organization id rule (§1.2, §2.3) and the 2014-06-03 date floor (§2.1).
#include <algorithm>
#include <array>
#include <regex>

#include "connectors/sim/json_util.hpp"
#include "connectors/sim/satusehat_sim_internal.hpp"

namespace simpul::connectors::sim::satusehat_sim {

namespace {

using Value = rapidjson::Value;

const Value* member(const Value& o, std::string_view key) {
  if (!o.IsObject()) return nullptr;
  auto it = o.FindMember(Value(key.data(), static_cast<rapidjson::SizeType>(key.size())));
  if (it == o.MemberEnd() || it->value.IsNull()) return nullptr;
  return &it->value;
}

bool nonempty(const Value* v) {
  if (!v) return false;
  if (v->IsString()) return v->GetStringLength() > 0;
  if (v->IsArray()) return !v->Empty();
  if (v->IsObject()) return v->MemberCount() > 0;
  return true;
}

std::string str(const Value* v) {
  return v && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : std::string();
}

Issue make(std::string code, std::string text, std::string expression, unsigned status = 400) {
  Issue i;
  i.status = status;
  i.code = std::move(code);
  i.text = std::move(text);
  i.expression = std::move(expression);
  return i;
}

Issue required(const std::string& where, std::string_view path) {
  return make("required", std::string(path) + " is required", where + "." + std::string(path));
}

Issue invalid(const std::string& where, std::string_view path, std::string text) {
  return make("value", std::move(text), where + "." + std::string(path));
}

template <std::size_t N>
bool one_of(std::string_view v, const std::array<std::string_view, N>& set) {
  return std::find(set.begin(), set.end(), v) != set.end();
}

// A required code element with a value from `set`.
template <std::size_t N>
std::optional<Issue> code_in(const Value& r, std::string_view key, const std::array<std::string_view, N>& set,
                             const std::string& where) {
  const Value* v = member(r, key);
  if (!nonempty(v)) return required(where, key);
  if (!v->IsString() || !one_of(std::string_view(v->GetString(), v->GetStringLength()), set))
    return invalid(where, key, "Invalid " + std::string(key) + " code");
  return std::nullopt;
}

// A CodeableConcept with at least one coding carrying system and code.
std::optional<Issue> codeable_at(const Value* v, const std::string& where, const std::string& path) {
  if (!nonempty(v)) return required(where, path);
  const Value* coding = member(*v, "coding");
  if (!coding || !coding->IsArray() || coding->Empty()) return required(where, path + ".coding");
  for (rapidjson::SizeType i = 0; i < coding->Size(); ++i) {
    const std::string p = path + ".coding[" + std::to_string(i) + "]";
    if (!nonempty(member((*coding)[i], "system"))) return required(where, p + ".system");
    if (!nonempty(member((*coding)[i], "code"))) return required(where, p + ".code");
    if (!member((*coding)[i], "system")->IsString() || !member((*coding)[i], "code")->IsString())
      return invalid(where, p, p + " system and code must be strings");
  }
  return std::nullopt;
}

std::optional<Issue> codeable(const Value& r, std::string_view key, const std::string& where) {
  return codeable_at(member(r, key), where, std::string(key));
}

// A Reference whose `reference` is "<Type>/<id>" with Type among `types` and an existing target.
std::optional<Issue> reference_at(const Value* v, std::initializer_list<std::string_view> types,
                                  const ValidationEnv& env, const std::string& where, const std::string& path) {
  if (!nonempty(v)) return required(where, path);
  const Value* ref = member(*v, "reference");
  const std::string p = path + ".reference";
  if (!nonempty(ref)) return required(where, p);
  if (!ref->IsString()) return invalid(where, p, p + " must be a string");
  const std::string_view s(ref->GetString(), ref->GetStringLength());
  const auto slash = s.find('/');
  const std::string_view type = slash == std::string_view::npos ? std::string_view{} : s.substr(0, slash);
  const std::string_view id = slash == std::string_view::npos ? std::string_view{} : s.substr(slash + 1);
  if (std::find(types.begin(), types.end(), type) == types.end() || id.empty() ||
      id.find('/') != std::string_view::npos) {
    std::string want;
    for (auto t : types) want += (want.empty() ? "" : " or ") + std::string(t) + "/<id>";
    return invalid(where, p, p + " must be " + want + ", got '" + std::string(s) + "'");
  }
  if (!env.exists(type, id))
    return make("value", "Resource " + std::string(s) + " not found (" + p + ")", where + "." + p);
  return std::nullopt;
}

std::optional<Issue> reference(const Value& r, std::string_view key, std::initializer_list<std::string_view> types,
                               const ValidationEnv& env, const std::string& where) {
  return reference_at(member(r, key), types, env, where, std::string(key));
}

// A dateTime that is well formed and not before 2014-06-03.
std::optional<Issue> datetime_at(const Value* v, const std::string& where, const std::string& path) {
  if (!nonempty(v)) return required(where, path);
  if (!v->IsString() || !valid_datetime(std::string_view(v->GetString(), v->GetStringLength())))
    return invalid(where, path, path + " must be a FHIR dateTime (e.g. 2023-08-23T10:35:00+00:00)");
  const std::string s = str(v);
  if (s.size() >= 10 && s.substr(0, 10) < "2014-06-03")
    return invalid(where, path, path + " cannot be earlier than 2014-06-03");
  return std::nullopt;
}

std::optional<Issue> period_at(const Value* v, const std::string& where, const std::string& path) {
  if (!nonempty(v)) return required(where, path);
  if (auto e = datetime_at(member(*v, "start"), where, path + ".start")) return e;
  if (const Value* end = member(*v, "end")) {
    if (auto e = datetime_at(end, where, path + ".end")) return e;
  }
  return std::nullopt;
}

// Array element i of a required 1..* element.
const Value* nonempty_array(const Value& r, std::string_view key) {
  const Value* v = member(r, key);
  return v && v->IsArray() && !v->Empty() ? v : nullptr;
}

// identifier[]: each with system and value; a sys-ids system naming an
// organization must name the client's own (RuleNumber 10117, research §2.3).
std::optional<Issue> identifiers(const Value& r, const ValidationEnv& env, const std::string& where, bool needed) {
  const Value* ids = member(r, "identifier");
  if (!ids) {
    if (needed) return required(where, "identifier");
    return std::nullopt;
  }
  if (!ids->IsArray()) return invalid(where, "identifier", "identifier must be an array");
  if (needed && ids->Empty()) return required(where, "identifier");
  for (rapidjson::SizeType i = 0; i < ids->Size(); ++i) {
    const std::string p = "identifier[" + std::to_string(i) + "]";
    const Value& id = (*ids)[i];
    if (!nonempty(member(id, "system"))) return required(where, p + ".system");
    if (!nonempty(member(id, "value"))) return required(where, p + ".value");
    if (!member(id, "system")->IsString() || !member(id, "value")->IsString())
      return invalid(where, p, p + " system and value must be strings");
    const std::string sys = str(member(id, "system"));
    if (sys.rfind(kSysIds, 0) == 0) {
      // http://sys-ids.kemkes.go.id/<kind>/<org>: only kinds followed by an org id.
      std::string_view rest(sys);
      rest.remove_prefix(kSysIds.size());
      const auto slash = rest.find('/');
      if (slash != std::string_view::npos) {
        const std::string_view org = rest.substr(slash + 1);
        if (org != env.organization_id)
          return make("value", "Wrong organization ID provided by system URL: " + sys + " (RuleNumber: 10117)",
                      where + "." + p + ".system");
      }
    }
  }
  return std::nullopt;
}

// Organization/<the client's organization>.
std::optional<Issue> own_organization(const Value& r, std::string_view key, const ValidationEnv& env,
                                      const std::string& where) {
  const Value* v = member(r, key);
  const std::string path(key);
  if (!nonempty(v)) return required(where, path);
  const Value* ref = member(*v, "reference");
  if (!nonempty(ref)) return required(where, path + ".reference");
  if (str(ref) != "Organization/" + env.organization_id)
    return make("business-rule", "resource cannot be accessed due to business rule", where + "." + path + ".reference",
                400);
  return std::nullopt;
}

constexpr std::array<std::string_view, 9> kEncounterStatus = {
    "planned", "arrived", "triaged", "in-progress", "onleave", "finished", "cancelled", "entered-in-error", "unknown"};
constexpr std::array<std::string_view, 8> kObservationStatus = {
    "registered", "preliminary", "final", "amended", "corrected", "cancelled", "entered-in-error", "unknown"};
constexpr std::array<std::string_view, 8> kProcedureStatus = {
    "preparation", "in-progress", "not-done", "on-hold", "stopped", "completed", "entered-in-error", "unknown"};
constexpr std::array<std::string_view, 8> kMedRequestStatus = {"active",           "on-hold", "cancelled", "completed",
                                                               "entered-in-error", "stopped", "draft",     "unknown"};
constexpr std::array<std::string_view, 8> kMedRequestIntent = {
    "proposal", "plan", "order", "original-order", "reflex-order", "filler-order", "instance-order", "option"};
constexpr std::array<std::string_view, 9> kMedDispenseStatus = {"preparation", "in-progress", "cancelled",
                                                                "on-hold",     "completed",   "entered-in-error",
                                                                "stopped",     "declined",    "unknown"};
constexpr std::array<std::string_view, 7> kServiceRequestStatus = {
    "draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"};
constexpr std::array<std::string_view, 9> kServiceRequestIntent = {"proposal",     "plan",           "directive",
                                                                   "order",        "original-order", "reflex-order",
                                                                   "filler-order", "instance-order", "option"};
constexpr std::array<std::string_view, 4> kConditionClinical = {"active", "recurrence", "relapse", "inactive"};

std::optional<Issue> encounter(const Value& r, const ValidationEnv& env, const std::string& w) {
  if (auto e = identifiers(r, env, w, true)) return e;
  if (auto e = code_in(r, "status", kEncounterStatus, w)) return e;
  const Value* cls = member(r, "class");
  if (!nonempty(cls)) return required(w, "class");
  if (str(member(*cls, "system")) != "http://terminology.hl7.org/CodeSystem/v3-ActCode")
    return invalid(w, "class.system", "class.system must be http://terminology.hl7.org/CodeSystem/v3-ActCode");
  if (!nonempty(member(*cls, "code")) || !member(*cls, "code")->IsString()) return required(w, "class.code");
  if (const Value* ch = member(r, "classHistory"); ch && ch->IsArray()) {
    for (rapidjson::SizeType i = 0; i < ch->Size(); ++i) {
      const std::string p = "classHistory[" + std::to_string(i) + "]";
      if (!nonempty(member((*ch)[i], "class"))) return required(w, p + ".class");
      if (auto e = period_at(member((*ch)[i], "period"), w, p + ".period")) return e;
    }
  }
  if (auto e = reference(r, "subject", {"Patient"}, env, w)) return e;
  const Value* parts = nonempty_array(r, "participant");
  if (!parts) return required(w, "participant");
  for (rapidjson::SizeType i = 0; i < parts->Size(); ++i) {
    const std::string p = "participant[" + std::to_string(i) + "].individual";
    if (auto e = reference_at(member((*parts)[i], "individual"), {"Practitioner"}, env, w, p)) return e;
  }
  if (auto e = period_at(member(r, "period"), w, "period")) return e;
  const Value* locs = nonempty_array(r, "location");
  if (!locs) return required(w, "location");
  for (rapidjson::SizeType i = 0; i < locs->Size(); ++i) {
    const std::string p = "location[" + std::to_string(i) + "].location";
    const Value* l = member((*locs)[i], "location");
    if (!nonempty(l)) return required(w, p);
    const std::string ref = str(member(*l, "reference"));
    if (ref.empty()) return required(w, p + ".reference");
    if (ref.rfind("Location/", 0) != 0 || ref.size() == 9)
      return invalid(w, p + ".reference", p + ".reference must be Location/<id>");
  }
  const Value* hist = nonempty_array(r, "statusHistory");
  if (!hist) return required(w, "statusHistory");
  for (rapidjson::SizeType i = 0; i < hist->Size(); ++i) {
    const std::string p = "statusHistory[" + std::to_string(i) + "]";
    const Value& h = (*hist)[i];
    const Value* st = member(h, "status");
    if (!nonempty(st)) return required(w, p + ".status");
    if (!st->IsString() || !one_of(std::string_view(st->GetString(), st->GetStringLength()), kEncounterStatus))
      return invalid(w, p + ".status", "Invalid " + p + ".status code");
    if (auto e = period_at(member(h, "period"), w, p + ".period")) return e;
  }
  if (auto e = own_organization(r, "serviceProvider", env, w)) return e;
  if (const Value* diag = member(r, "diagnosis")) {
    if (!diag->IsArray()) return invalid(w, "diagnosis", "diagnosis must be an array");
    for (rapidjson::SizeType i = 0; i < diag->Size(); ++i) {
      const std::string p = "diagnosis[" + std::to_string(i) + "].condition";
      if (auto e = reference_at(member((*diag)[i], "condition"), {"Condition"}, env, w, p)) return e;
    }
  }
  return std::nullopt;
}

std::optional<Issue> condition(const Value& r, const ValidationEnv& env, const std::string& w) {
  if (auto e = identifiers(r, env, w, false)) return e;
  if (const Value* cs = member(r, "clinicalStatus")) {
    if (auto e = codeable_at(cs, w, "clinicalStatus")) return e;
    const std::string code = str(member((*member(*cs, "coding"))[0], "code"));
    if (!one_of(code, kConditionClinical))
      return invalid(w, "clinicalStatus.coding[0].code", "Invalid clinicalStatus code");
  }
  if (auto e = codeable(r, "code", w)) return e;
  if (auto e = reference(r, "subject", {"Patient"}, env, w)) return e;
  if (auto e = reference(r, "encounter", {"Encounter"}, env, w)) return e;
  return std::nullopt;
}

std::optional<Issue> observation(const Value& r, const ValidationEnv& env, const std::string& w) {
  if (auto e = identifiers(r, env, w, false)) return e;
  if (auto e = code_in(r, "status", kObservationStatus, w)) return e;
  const Value* cat = nonempty_array(r, "category");
  if (!cat) return required(w, "category");
  for (rapidjson::SizeType i = 0; i < cat->Size(); ++i)
    if (auto e = codeable_at(&(*cat)[i], w, "category[" + std::to_string(i) + "]")) return e;
  if (auto e = codeable(r, "code", w)) return e;
  if (auto e = reference(r, "subject", {"Patient"}, env, w)) return e;
  if (auto e = reference(r, "encounter", {"Encounter"}, env, w)) return e;
  if (const Value* v = member(r, "effectiveDateTime")) {
    if (auto e = datetime_at(v, w, "effectiveDateTime")) return e;
  } else if (const Value* p = member(r, "effectivePeriod")) {
    if (auto e = period_at(p, w, "effectivePeriod")) return e;
  } else if (const Value* inst = member(r, "effectiveInstant")) {
    if (auto e = datetime_at(inst, w, "effectiveInstant")) return e;
  } else if (!member(r, "effectiveTiming")) {
    return required(w, "effective[x]");
  }
  const Value* comp = member(r, "component");
  if (comp && comp->IsArray()) {
    for (rapidjson::SizeType i = 0; i < comp->Size(); ++i)
      if (auto e = codeable_at(member((*comp)[i], "code"), w, "component[" + std::to_string(i) + "].code")) return e;
  }
  bool has_value = false;
  if (r.IsObject())
    for (auto m = r.MemberBegin(); m != r.MemberEnd(); ++m) {
      const std::string_view k(m->name.GetString(), m->name.GetStringLength());
      if (k.size() > 5 && k.substr(0, 5) == "value" && !m->value.IsNull()) has_value = true;
    }
  if (!has_value && !nonempty(comp) && !nonempty(member(r, "dataAbsentReason")) && !nonempty(member(r, "hasMember")))
    return required(w, "value[x]");
  return std::nullopt;
}

std::optional<Issue> procedure(const Value& r, const ValidationEnv& env, const std::string& w) {
  if (auto e = identifiers(r, env, w, false)) return e;
  if (auto e = code_in(r, "status", kProcedureStatus, w)) return e;
  if (auto e = codeable(r, "code", w)) return e;
  if (auto e = reference(r, "subject", {"Patient"}, env, w)) return e;
  if (auto e = reference(r, "encounter", {"Encounter"}, env, w)) return e;
  if (const Value* perf = member(r, "performer"); perf && perf->IsArray()) {
    for (rapidjson::SizeType i = 0; i < perf->Size(); ++i) {
      const std::string p = "performer[" + std::to_string(i) + "].actor";
      if (auto e = reference_at(member((*perf)[i], "actor"), {"Practitioner", "Organization", "PractitionerRole"}, env,
                                w, p))
        return e;
    }
  }
  return std::nullopt;
}

// medicationReference (to a stored Medication) or medicationCodeableConcept.
std::optional<Issue> medication_x(const Value& r, const ValidationEnv& env, const std::string& w) {
  if (member(r, "medicationReference")) return reference(r, "medicationReference", {"Medication"}, env, w);
  if (member(r, "medicationCodeableConcept")) return codeable(r, "medicationCodeableConcept", w);
  return required(w, "medication[x]");
}

std::optional<Issue> medication_request(const Value& r, const ValidationEnv& env, const std::string& w) {
  if (auto e = identifiers(r, env, w, false)) return e;
  if (auto e = code_in(r, "status", kMedRequestStatus, w)) return e;
  if (auto e = code_in(r, "intent", kMedRequestIntent, w)) return e;
  if (auto e = medication_x(r, env, w)) return e;
  if (auto e = reference(r, "subject", {"Patient"}, env, w)) return e;
  if (auto e = reference(r, "encounter", {"Encounter"}, env, w)) return e;
  if (auto e = reference(r, "requester", {"Practitioner", "PractitionerRole", "Organization"}, env, w)) return e;
  return std::nullopt;
}

std::optional<Issue> medication_dispense(const Value& r, const ValidationEnv& env, const std::string& w) {
  if (auto e = identifiers(r, env, w, false)) return e;
  if (auto e = code_in(r, "status", kMedDispenseStatus, w)) return e;
  if (auto e = medication_x(r, env, w)) return e;
  if (auto e = reference(r, "subject", {"Patient"}, env, w)) return e;
  if (member(r, "context"))
    if (auto e = reference(r, "context", {"Encounter", "EpisodeOfCare"}, env, w)) return e;
  if (const Value* auth = member(r, "authorizingPrescription"); auth && auth->IsArray()) {
    for (rapidjson::SizeType i = 0; i < auth->Size(); ++i)
      if (auto e = reference_at(&(*auth)[i], {"MedicationRequest"}, env, w,
                                "authorizingPrescription[" + std::to_string(i) + "]"))
        return e;
  }
  return std::nullopt;
}

std::optional<Issue> service_request(const Value& r, const ValidationEnv& env, const std::string& w) {
  if (auto e = identifiers(r, env, w, false)) return e;
  if (auto e = code_in(r, "status", kServiceRequestStatus, w)) return e;
  if (auto e = code_in(r, "intent", kServiceRequestIntent, w)) return e;
  if (auto e = codeable(r, "code", w)) return e;
  if (auto e = reference(r, "subject", {"Patient"}, env, w)) return e;
  if (auto e = reference(r, "encounter", {"Encounter"}, env, w)) return e;
  if (auto e = reference(r, "requester", {"Practitioner", "PractitionerRole", "Organization"}, env, w)) return e;
  return std::nullopt;
}

std::optional<Issue> medication(const Value& r, const ValidationEnv& env, const std::string& w) {
  if (auto e = identifiers(r, env, w, false)) return e;
  const Value* ext = member(r, "extension");
  bool typed = false;
  if (ext && ext->IsArray())
    for (rapidjson::SizeType i = 0; i < ext->Size(); ++i)
      typed =
          typed || str(member((*ext)[i], "url")) == "https://fhir.kemkes.go.id/r4/StructureDefinition/MedicationType";
  if (!typed) return required(w, "extension(MedicationType)");
  if (auto e = codeable(r, "code", w)) return e;
  if (const Value* ing = member(r, "ingredient"); ing && ing->IsArray()) {
    for (rapidjson::SizeType i = 0; i < ing->Size(); ++i)
      if (!member((*ing)[i], "itemCodeableConcept") && !member((*ing)[i], "itemReference"))
        return required(w, "ingredient[" + std::to_string(i) + "].item[x]");
  }
  return std::nullopt;
}

// POST Patient (MPI registration by NIK or, for a newborn, the mother's NIK).
std::optional<Issue> patient(const Value& r, const ValidationEnv& env, const std::string& w) {
  if (auto e = identifiers(r, env, w, true)) return e;
  bool nik = false;
  const Value& ids = *member(r, "identifier");
  for (rapidjson::SizeType i = 0; i < ids.Size(); ++i) {
    const std::string sys = str(member(ids[i], "system"));
    const std::string val = str(member(ids[i], "value"));
    if (sys == kNikSystem || sys == "https://fhir.kemkes.go.id/id/nik-ibu") {
      if (val.size() != 16 || val.find_first_not_of("0123456789") != std::string::npos)
        return invalid(w, "identifier[" + std::to_string(i) + "].value", "NIK must be 16 digits");
      nik = true;
    }
  }
  if (!nik) return required(w, "identifier(nik)");
  const Value* names = nonempty_array(r, "name");
  if (!names) return required(w, "name");
  if (!nonempty(member((*names)[0], "text"))) return required(w, "name[0].text");
  if (!member(r, "multipleBirthBoolean") && !member(r, "multipleBirthInteger")) return required(w, "multipleBirth[x]");
  return std::nullopt;
}

}  // namespace

std::string outcome_json(const Issue& issue) {
  json::Writer w;
  w.obj().s("resourceType", "OperationOutcome").a("issue").obj().s("severity", issue.severity).s("code", issue.code);
  w.o("details").s("text", issue.text).end();
  if (!issue.expression.empty()) w.a("expression").str(issue.expression).end_arr();
  w.end().end_arr().end();
  return w.take();
}

bool writable_type(std::string_view type) {
  static constexpr std::array<std::string_view, 9> kTypes = {
      "Patient",           "Encounter",          "Condition",      "Observation", "Procedure",
      "MedicationRequest", "MedicationDispense", "ServiceRequest", "Medication"};
  return one_of(type, kTypes);
}

bool valid_datetime(std::string_view s) {
  static const std::regex re(
      R"(([0-9]{4})(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01])(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]{1,9})?(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?)");
  if (s.size() > 64) return false;
  return std::regex_match(s.begin(), s.end(), re);
}

std::optional<Issue> validate_resource(const rapidjson::Value& r, std::string_view type, const ValidationEnv& env,
                                       const std::string& where) {
  if (!r.IsObject()) return make("structure", "The resource must be a JSON object", where);
  const std::string rt = str(member(r, "resourceType"));
  if (rt.empty()) return required(where, "resourceType");
  if (rt != type)
    return make("invalid", "resourceType '" + rt + "' does not match the endpoint (" + std::string(type) + ")",
                where + ".resourceType");
  if (type == "Encounter") return encounter(r, env, where);
  if (type == "Condition") return condition(r, env, where);
  if (type == "Observation") return observation(r, env, where);
  if (type == "Procedure") return procedure(r, env, where);
  if (type == "MedicationRequest") return medication_request(r, env, where);
  if (type == "MedicationDispense") return medication_dispense(r, env, where);
  if (type == "ServiceRequest") return service_request(r, env, where);
  if (type == "Medication") return medication(r, env, where);
  if (type == "Patient") return patient(r, env, where);
  Issue i;
  i.status = 405;
  i.severity = "fatal";
  i.code = "operation-invalid";
  i.text = "The operation is not allowed by this server";
  return i;
}

}  // namespace simpul::connectors::sim::satusehat_sim
