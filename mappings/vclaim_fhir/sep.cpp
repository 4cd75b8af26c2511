#include "mappings/vclaim_fhir/sep.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "fhir/error.hpp"
#include "fhir/json.hpp"
#include "fhir/resource.hpp"
#include "mappings/vclaim_fhir/builder.hpp"
#include "mappings/vclaim_fhir/fhir_parts.hpp"
#include "mappings/vclaim_fhir/fhir_read.hpp"
#include "mappings/vclaim_fhir/rujukan.hpp"

namespace simpul::mappings::vclaim_fhir {

namespace {

using fhir::Error;
using rapidjson::SizeType;
using rapidjson::Value;
using namespace parts;
using namespace read;

constexpr std::string_view kActCode = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
constexpr std::string_view kIncidentCode = "http://terminology.hl7.org/CodeSystem/v3-ActIncidentCode";
constexpr std::string_view kIdentifierType = "http://terminology.hl7.org/CodeSystem/v2-0203";
constexpr std::string_view kCoverageClass = "http://terminology.hl7.org/CodeSystem/coverage-class";
constexpr std::string_view kClaimInformationCategory = "http://terminology.hl7.org/CodeSystem/claiminformationcategory";
constexpr std::string_view kClaimType = "http://terminology.hl7.org/CodeSystem/claim-type";

// ---------------------------------------------------------------- BPJS code lists (bpjs-api.md §5.6)

constexpr Code kJenisPelayanan[] = {{"1", "Rawat Inap"}, {"2", "Rawat Jalan"}};
constexpr Code kKelasHak[] = {{"1", "Kelas 1"}, {"2", "Kelas 2"}, {"3", "Kelas 3"}};
constexpr Code kKelasNaik[] = {{"1", "VVIP"},    {"2", "VIP"},  {"3", "Kelas 1"}, {"4", "Kelas 2"},
                               {"5", "Kelas 3"}, {"6", "ICCU"}, {"7", "ICU"},     {"8", "Di atas Kelas 1"}};
constexpr Code kPembiayaan[] = {{"1", "Pribadi"}, {"2", "Pemberi Kerja"}, {"3", "Asuransi Kesehatan Tambahan"}};
constexpr Code kAsalRujukan[] = {{"1", "Faskes 1 (FKTP)"}, {"2", "Faskes 2 (rumah sakit)"}};
// Kecelakaan lalu lintas (KLL: traffic accident), kecelakaan kerja (KK: work accident).
constexpr Code kLakaLantas[] = {{"0", "Bukan kecelakaan lalu lintas (BKLL)"},
                                {"1", "KLL dan bukan kecelakaan kerja"},
                                {"2", "KLL dan kecelakaan kerja"},
                                {"3", "Kecelakaan kerja"}};
constexpr Code kTujuanKunj[] = {{"0", "Normal"}, {"1", "Prosedur"}, {"2", "Konsul Dokter"}};
constexpr Code kFlagProcedure[] = {{"0", "Prosedur tidak berkelanjutan"}, {"1", "Prosedur dan terapi berkelanjutan"}};
constexpr Code kPenunjang[] = {{"1", "Radioterapi"},
                               {"2", "Kemoterapi"},
                               {"3", "Rehabilitasi Medik"},
                               {"4", "Rehabilitasi Psikososial"},
                               {"5", "Transfusi Darah"},
                               {"6", "Pelayanan Gigi"},
                               {"7", "Laboratorium"},
                               {"8", "USG"},
                               {"9", "Farmasi"},
                               {"10", "Lain-lain"},
                               {"11", "MRI"},
                               {"12", "Hemodialisa"}};
constexpr Code kAssesmentPel[] = {{"1", "Poli spesialis tidak tersedia pada hari sebelumnya"},
                                  {"2", "Jam poli telah berakhir pada hari sebelumnya"},
                                  {"3", "Dokter spesialis tidak praktek pada hari sebelumnya"},
                                  {"4", "Atas instruksi RS"},
                                  {"5", "Tujuan kontrol"}};

std::string_view display_of(std::span<const Code> list, std::string_view code) {
  const Code* c = find_code(list, code);
  return c != nullptr ? c->display : std::string_view();
}

// ---------------------------------------------------------------- extensions

// A coded extension's valueCoding.code, checked against the BPJS list in `system`.
Found coded_extension(const Node& ext, std::string_view system, std::span<const Code> list, std::string_view what) {
  if (!ext) return {};
  Node coding = object_at(ext, "valueCoding");
  const std::string expr = ext.path + ".valueCoding";
  if (!coding) throw Error::required(std::string(what) + " needs a valueCoding", expr);
  if (text_at(coding, "system") != system) {
    throw Error::value(std::string(what) + " must be coded in " + std::string(system), expr + ".system");
  }
  Found f = found_at(coding, "code");
  if (!f) throw Error::required(std::string(what) + " needs a code", expr + ".code");
  if (find_code(list, f.value) == nullptr) {
    throw Error::value(std::string(what) + " must be one of: " + listing(list), expr + ".code",
                       std::string(what) + " '" + clip(f.value) + "'");
  }
  return f;
}

// A yes/no extension (valueBoolean) as V-Claim's "1"/"0".
Found flag_extension(const Node& ext) {
  if (!ext) return {};
  const std::optional<bool> b = bool_at(ext, "valueBoolean");
  if (!b) throw Error::required("The extension needs a valueBoolean", ext.path + ".valueBoolean");
  Node n = field(ext, "valueBoolean");
  return {*b ? "1" : "0", n.source, n.path};
}

// ---------------------------------------------------------------- the reader

// Every t_sep field path, in the catalogue's key order (the trace's order).
constexpr std::string_view kInsertFields[] = {"noKartu",
                                              "tglSep",
                                              "ppkPelayanan",
                                              "jnsPelayanan",
                                              "klsRawat.klsRawatHak",
                                              "klsRawat.klsRawatNaik",
                                              "klsRawat.pembiayaan",
                                              "klsRawat.penanggungJawab",
                                              "noMR",
                                              "rujukan.asalRujukan",
                                              "rujukan.tglRujukan",
                                              "rujukan.noRujukan",
                                              "rujukan.ppkRujukan",
                                              "catatan",
                                              "diagAwal",
                                              "poli.tujuan",
                                              "poli.eksekutif",
                                              "cob.cob",
                                              "katarak.katarak",
                                              "jaminan.lakaLantas",
                                              "jaminan.noLP",
                                              "jaminan.penjamin.tglKejadian",
                                              "jaminan.penjamin.keterangan",
                                              "jaminan.penjamin.suplesi.suplesi",
                                              "jaminan.penjamin.suplesi.noSepSuplesi",
                                              "jaminan.penjamin.suplesi.lokasiLaka.kdPropinsi",
                                              "jaminan.penjamin.suplesi.lokasiLaka.kdKabupaten",
                                              "jaminan.penjamin.suplesi.lokasiLaka.kdKecamatan",
                                              "tujuanKunj",
                                              "flagProcedure",
                                              "kdPenunjang",
                                              "assesmentPel",
                                              "skdp.noSurat",
                                              "skdp.kodeDPJP",
                                              "dpjpLayan",
                                              "noTelp",
                                              "user"};

// The insert fields the update also sends (SEP/2.0/update has no rujukan, tujuanKunj, skdp or noLP).
bool update_field(std::string_view field) {
  return !(field == "noKartu" || field == "tglSep" || field == "ppkPelayanan" || field == "jnsPelayanan" ||
           field.starts_with("rujukan.") || field == "jaminan.noLP" || field == "tujuanKunj" ||
           field == "flagProcedure" || field == "kdPenunjang" || field == "assesmentPel" || field.starts_with("skdp."));
}

std::size_t field_rank(std::string_view field) {
  if (field == "noSep") return 0;
  const auto it = std::find(std::begin(kInsertFields), std::end(kInsertFields), field);
  return 1 + static_cast<std::size_t>(it - std::begin(kInsertFields));
}

class SepReader {
 public:
  SepReader(const Resources& res, const SepContext& context, const Systems& systems, SepSubmission& out)
      : res_(res), claim_(res.root()), context_(context), systems_(systems), out_(out), r_(out.insert) {}

  void read() {
    read_use_and_action();
    if (out_.action == SepAction::cancel) {
      // The card only labels the answer: a cancel whose Patient cannot be resolved still goes through.
      try {
        read_card(false);
      } catch (const Error&) {
        out_.no_kartu.clear();
      }
      put_context(out_.cancel.user, "user", context_.user, "context.user");
      return;
    }
    const bool create = out_.action == SepAction::create;
    read_card(create);
    read_coverage_class();
    read_patient_details();
    read_encounter(create);
    read_diagnosis();
    read_class_upgrade();
    read_catatan();
    read_flags();
    read_accident(create);
    if (create) {
      put_context(r_.ppk_pelayanan, "ppkPelayanan", context_.ppk_pelayanan, "context.ppk_pelayanan");
      read_referral();
      read_visit_purpose();
      read_skdp();
    }
    read_dpjp_layan();
    put_context(r_.user, "user", context_.user, "context.user");
  }

 private:
  void put(std::string& target, std::string_view field, std::string value, std::string source) {
    target = value;
    out_.trace.push_back({std::string(field), std::move(value), std::move(source)});
  }
  void put(std::string& target, std::string_view field, const Found& f) { put(target, field, f.value, f.source); }
  void put_context(std::string& target, std::string_view field, std::string_view value, std::string_view source) {
    if (value.empty()) {
      throw Error::internal("SEP context is missing " + std::string(source), {},
                            "sep: " + std::string(source) + " is empty");
    }
    put(target, field, std::string(value), std::string(source));
  }

  // Claim.use, Claim.status and Claim.insurance[0].preAuthRef[0] -> create / update / cancel.
  void read_use_and_action() {
    const std::string_view use = text_at(claim_, "use");
    if (use.empty()) throw Error::required("Claim.use is required: preauthorization", "Claim.use");
    if (use != "preauthorization") {
      throw Error::value("A SEP request is a Claim with use = preauthorization", "Claim.use",
                         "use '" + clip(use) + "'");
    }
    const std::string_view status = text_at(claim_, "status");
    if (!status.empty() && status != "active" && status != "draft" && status != "cancelled") {
      throw Error::value("Claim.status must be active (create or update a SEP) or cancelled (delete it)",
                         "Claim.status", "status '" + clip(status) + "'");
    }
    Node ids = array_at(claim_, "identifier");
    if (size_of(ids) > 0) {
      Node id = element(ids, 0);
      if (const std::string_view value = text_at(id, "value"); !value.empty()) {
        out_.claim_identifier = std::string(text_at(id, "system")) + "|" + std::string(value);
      }
    }

    Found no_sep;
    Node insurance = array_at(claim_, "insurance");
    if (size_of(insurance) > 0) {
      Node refs = array_at(element(insurance, 0), "preAuthRef");
      if (size_of(refs) > 0) {
        Node ref = refs;
        ref.path += "[0]";
        ref.source += "[0]";
        ref.value = &(*refs.value)[0];
        if (!ref.value->IsString()) throw wrong_type(ref, "a string");
        no_sep = {std::string(fhir::as_string_view(*ref.value)), ref.source, ref.path};
      }
    }
    if (no_sep && (no_sep.value.size() != 19 || !all_alnum(no_sep.value))) {
      throw Error::value("A SEP number (noSep) is 19 letters and digits", no_sep.path,
                         "noSep of length " + std::to_string(no_sep.value.size()));
    }
    if (status == "cancelled") {
      if (!no_sep) {
        throw Error::required("Cancelling a SEP needs its number in Claim.insurance[0].preAuthRef",
                              "Claim.insurance[0].preAuthRef");
      }
      out_.action = SepAction::cancel;
      put(out_.cancel.no_sep, "noSep", no_sep);
    } else if (no_sep) {
      out_.action = SepAction::update;
      put(out_.update.no_sep, "noSep", no_sep);
    }
  }

  // The Patient Claim.patient points to (empty when it is a logical reference).
  const Node& patient() {
    if (!patient_read_) {
      patient_read_ = true;
      patient_ref_ = object_at(claim_, "patient");
      if (patient_ref_) patient_ = res_.resolve(patient_ref_, "Patient", claim_);
    }
    return patient_;
  }

  // The Coverage of Claim.insurance[0].coverage (empty when absent or logical).
  const Node& coverage() {
    if (!coverage_read_) {
      coverage_read_ = true;
      Node insurance = array_at(claim_, "insurance");
      if (size_of(insurance) > 0) {
        coverage_ref_ = object_at(element(insurance, 0), "coverage");
        if (coverage_ref_) coverage_ = res_.resolve(coverage_ref_, "Coverage", claim_);
      }
    }
    return coverage_;
  }

  // noKartu: the Patient's card identifier, Claim.patient.identifier, Coverage.subscriberId or Coverage.identifier.
  void read_card(bool required) {
    Found card = identifier_in(patient(), systems_.no_kartu);
    if (!card && patient_ref_) card = reference_identifier(patient_ref_, systems_.no_kartu);
    if (!card && coverage()) card = found_at(coverage_, "subscriberId");
    if (!card && coverage_) card = identifier_in(coverage_, systems_.no_kartu);
    if (!card) {
      if (!required) return;
      throw Error::required(
          "The participant's BPJS card number (noKartu) is missing: give Claim.patient a Patient "
          "with an identifier in " +
              systems_.no_kartu + ", or Claim.insurance[0].coverage a Coverage with subscriberId",
          "Claim.patient");
    }
    if (!valid_no_kartu(card.value)) {
      if (!required) return;
      throw Error::value("The BPJS card number (noKartu) must be 13 to 15 digits", card.path,
                         "noKartu of length " + std::to_string(card.value.size()));
    }
    out_.no_kartu = card.value;
    if (required) put(r_.no_kartu, "noKartu", card);
  }

  // klsRawatHak: Coverage.class with type "class" (the entitled room class, as eligibility returns it).
  void read_coverage_class() {
    const Node& cov = coverage();
    Node classes = array_at(cov, "class");
    for (SizeType i = 0; i < size_of(classes); ++i) {
      Node c = element(classes, i);
      if (!concept_has(object_at(c, "type"), kCoverageClass, "class")) continue;
      Found hak = found_at(c, "value");
      if (find_code(kKelasHak, hak.value) == nullptr) {
        throw Error::value("The entitled room class (klsRawatHak) must be one of: " + listing(kKelasHak),
                           c.path + ".value", "klsRawatHak '" + clip(hak.value) + "'");
      }
      put(r_.kls_rawat.kls_rawat_hak, "klsRawat.klsRawatHak", hak);
      return;
    }
    throw Error::required(
        "The entitled room class (klsRawatHak) is missing: give Claim.insurance[0].coverage a "
        "Coverage with a class of type 'class' (" +
            std::string(kCoverageClass) + ") and value 1, 2 or 3",
        cov ? cov.path + ".class" : std::string("Claim.insurance[0].coverage"));
  }

  // noMR (identifier of type MR) and noTelp (first phone) of the Patient.
  void read_patient_details() {
    const Node& pat = patient();
    Found mr;
    Node ids = array_at(pat, "identifier");
    for (SizeType i = 0; i < size_of(ids) && !mr; ++i) {
      Node id = element(ids, i);
      if (concept_has(object_at(id, "type"), kIdentifierType, "MR")) mr = found_at(id, "value");
    }
    if (!mr) {
      throw Error::required(
          "The medical-record number (noMR) is missing: give the Patient of Claim.patient an "
          "identifier with type " +
              std::string(kIdentifierType) + "#MR",
          pat ? pat.path + ".identifier" : std::string("Claim.patient"));
    }
    put(r_.no_mr, "noMR", mr);

    Node telecom = array_at(pat, "telecom");
    for (SizeType i = 0; i < size_of(telecom); ++i) {
      Node t = element(telecom, i);
      if (text_at(t, "system") != "phone") continue;
      if (Found phone = found_at(t, "value")) {
        put(r_.no_telp, "noTelp", phone);
        return;
      }
    }
    put(r_.no_telp, "noTelp", "", "default: no Patient.telecom phone");
  }

  // The Encounter of Claim.item[0].encounter[0]: jnsPelayanan, tglSep, poli tujuan, DPJP.
  void read_encounter(bool create) {
    Node items = array_at(claim_, "item");
    Node refs = size_of(items) > 0 ? array_at(element(items, 0), "encounter") : Node{};
    if (size_of(refs) == 0) {
      throw Error::required("The visit is missing: reference its Encounter from Claim.item[0].encounter",
                            "Claim.item[0].encounter");
    }
    Node ref = element(refs, 0);
    Node enc = res_.resolve(ref, "Encounter", claim_);
    if (!enc) {
      throw Error::required("Claim.item[0].encounter[0] must reference the Encounter (contained or a Bundle entry)",
                            ref.path);
    }

    Node cls = object_at(enc, "class");
    const std::string cls_expr = enc.path + ".class";
    if (!cls) throw Error::required("Encounter.class is required (IMP inpatient or AMB outpatient)", cls_expr);
    if (text_at(cls, "system") != kActCode) {
      throw Error::value("Encounter.class must be coded in " + std::string(kActCode), cls_expr + ".system");
    }
    Found code = found_at(cls, "code");
    std::string jns;
    // Rawat Inap (inpatient) = IMP and its acute / non-acute kinds; Rawat Jalan (outpatient) = AMB, and EMER
    // (an IGD visit is outpatient for V-Claim, poli IGD).
    if (code.value == "IMP" || code.value == "ACUTE" || code.value == "NONAC") jns = "1";
    if (code.value == "AMB" || code.value == "EMER") jns = "2";
    if (jns.empty()) {
      throw Error::value("Encounter.class must be IMP (rawat inap) or AMB (rawat jalan) in " + std::string(kActCode),
                         cls_expr + ".code", "class '" + clip(code.value) + "'");
    }
    jns_ = jns;
    if (create) put(r_.jns_pelayanan, "jnsPelayanan", jns, code.source);

    if (create) {
      Node period = object_at(enc, "period");
      const std::string_view start = text_at(period, "start");
      if (start.empty()) {
        put_context(r_.tgl_sep, "tglSep", context_.today, "context.today");
      } else {
        const Node n = field(period, "start");
        const std::string_view date = start.substr(0, std::min<std::size_t>(start.size(), 10));
        check_date(date, n.path, "The SEP date (Encounter.period.start)");
        put(r_.tgl_sep, "tglSep", std::string(date), n.source);
      }
    }

    Node type = object_at(enc, "serviceType");
    Found poli = concept_code(type, systems_.bpjs_code_system_base + "poli");
    if (poli && !all_alnum(poli.value)) {
      throw Error::value("A BPJS poli code is letters and digits (referensi/poli, e.g. INT)", poli.path,
                         "poli '" + clip(poli.value) + "'");
    }
    if (poli) {
      put(r_.poli.tujuan, "poli.tujuan", poli);
    } else if (jns == "2") {
      throw Error::required("Rawat jalan needs the destination poli: Encounter.serviceType with a coding in " +
                                systems_.bpjs_code_system_base + "poli",
                            enc.path + ".serviceType");
    } else {
      put(r_.poli.tujuan, "poli.tujuan", "", "default: empty for rawat inap (no Encounter.serviceType)");
    }

    Node participants = array_at(enc, "participant");
    for (SizeType i = 0; i < size_of(participants) && !dpjp_; ++i) {
      Node p = element(participants, i);
      Node individual = object_at(p, "individual");
      if (!individual) continue;
      dpjp_ = dpjp_of(individual, enc);
    }
  }

  // The DPJP code of a Reference to a Practitioner (resolved, or a logical identifier).
  Found dpjp_of(const Node& reference, const Node& holder) {
    Node practitioner = res_.resolve(reference, "Practitioner", holder, true);
    Found code =
        practitioner ? identifier_in(practitioner, kKodeDpjpSystem) : reference_identifier(reference, kKodeDpjpSystem);
    if (code && !all_digits(code.value)) {
      throw Error::value("A BPJS DPJP code is digits (referensi/dokter)", code.path, "DPJP '" + clip(code.value) + "'");
    }
    return code;
  }

  void check_date(std::string_view date, const std::string& expr, std::string_view what) {
    if (date.size() != 10 || !fhir::is_valid_date(date)) {
      throw Error::value(std::string(what) + " must be a full date (yyyy-mm-dd)", expr,
                         "date '" + clip(date, 32) + "'");
    }
    if (fhir::is_valid_date(context_.today) && date > std::string_view(context_.today)) {
      throw Error::value(std::string(what) + " may not be after today (" + context_.today + ")", expr);
    }
  }

  // diagAwal: Claim.diagnosis[0] as an ICD-10 CodeableConcept or a Condition.code.
  void read_diagnosis() {
    Node list = array_at(claim_, "diagnosis");
    if (size_of(list) == 0) {
      throw Error::required("The initial diagnosis (diagAwal) is missing: give Claim.diagnosis[0] an ICD-10 code",
                            "Claim.diagnosis");
    }
    Node d = element(list, 0);
    Node codeable = object_at(d, "diagnosisCodeableConcept");
    if (!codeable) {
      Node ref = object_at(d, "diagnosisReference");
      if (ref) {
        Node condition = res_.resolve(ref, "Condition", claim_);
        if (condition) codeable = object_at(condition, "code");
      }
    }
    if (!codeable) {
      throw Error::required(
          "Claim.diagnosis[0] needs diagnosisCodeableConcept or a diagnosisReference to a Condition "
          "with an ICD-10 code",
          d.path);
    }
    Found icd = concept_code(codeable, kIcd10System);
    if (!icd) {
      throw Error::value("The diagnosis must have a coding in " + std::string(kIcd10System), codeable.path + ".coding");
    }
    if (!valid_icd10(icd.value)) {
      throw Error::value("Not an ICD-10 code as BPJS lists them (e.g. E10, I63.9)", icd.path,
                         "diagAwal '" + clip(icd.value) + "'");
    }
    put(r_.diag_awal, "diagAwal", icd);
  }

  // klsRawatNaik, pembiayaan, penanggungJawab: the room-class upgrade extension.
  void read_class_upgrade() {
    Node ext = extension_at(claim_, extension_url(systems_, "bpjs-naik-kelas"), "bpjs-naik-kelas");
    if (!ext) {
      put(r_.kls_rawat.kls_rawat_naik, "klsRawat.klsRawatNaik", "", "default: no upgrade (no bpjs-naik-kelas)");
      put(r_.kls_rawat.pembiayaan, "klsRawat.pembiayaan", "", "default: no upgrade (no bpjs-naik-kelas)");
      put(r_.kls_rawat.penanggung_jawab, "klsRawat.penanggungJawab", "", "default: no upgrade (no bpjs-naik-kelas)");
      return;
    }
    Node kelas = extension_at(ext, "kelas", "kelas");
    Node pembiayaan = extension_at(ext, "pembiayaan", "pembiayaan");
    if (!kelas || !pembiayaan) {
      throw Error::required(
          "A room-class upgrade (bpjs-naik-kelas) needs both the 'kelas' and the 'pembiayaan' "
          "(who pays) sub-extensions",
          ext.path);
    }
    put(r_.kls_rawat.kls_rawat_naik, "klsRawat.klsRawatNaik",
        coded_extension(kelas, systems_.bpjs_code_system_base + "kelas-rawat-naik", kKelasNaik,
                        "The upgraded room class (klsRawatNaik)"));
    Found payer = coded_extension(pembiayaan, systems_.bpjs_code_system_base + "pembiayaan", kPembiayaan,
                                  "Who pays the upgrade (pembiayaan)");
    put(r_.kls_rawat.pembiayaan, "klsRawat.pembiayaan", payer);
    Node name = extension_at(ext, "penanggungJawab", "penanggungJawab");
    if (Found given = found_at(name, "valueString")) {
      put(r_.kls_rawat.penanggung_jawab, "klsRawat.penanggungJawab", given);
    } else {
      put(r_.kls_rawat.penanggung_jawab, "klsRawat.penanggungJawab", std::string(display_of(kPembiayaan, payer.value)),
          "default: the name of pembiayaan " + payer.value);
    }
  }

  // catatan (note): the first Claim.supportingInfo of category "info" with a valueString.
  void read_catatan() {
    Node list = array_at(claim_, "supportingInfo");
    for (SizeType i = 0; i < size_of(list); ++i) {
      Node info = element(list, i);
      if (!concept_has(object_at(info, "category"), kClaimInformationCategory, "info")) continue;
      if (Found note = found_at(info, "valueString")) {
        put(r_.catatan, "catatan", note);
        return;
      }
    }
    put(r_.catatan, "catatan", "", "default: no Claim.supportingInfo 'info' with valueString");
  }

  // poli.eksekutif, cob.cob, katarak.katarak: yes/no extensions on the Claim, "0" when absent.
  void read_flags() {
    struct Flag {
      std::string& target;
      std::string_view field;
      std::string_view name;
    };
    const Flag flags[] = {{r_.poli.eksekutif, "poli.eksekutif", "bpjs-poli-eksekutif"},
                          {r_.cob.cob, "cob.cob", "bpjs-cob"},
                          {r_.katarak.katarak, "katarak.katarak", "bpjs-katarak"}};
    for (const Flag& f : flags) {
      if (Found v = flag_extension(extension_at(claim_, extension_url(systems_, f.name), f.name))) {
        put(f.target, f.field, v);
      } else {
        put(f.target, f.field, "0", "default: no " + std::string(f.name));
      }
    }
  }

  // jaminan: Claim.accident (type -> lakaLantas, date -> tglKejadian, extensions for the rest) and
  // Claim.related (a SEP number -> suplesi).
  void read_accident(bool create) {
    Node accident = object_at(claim_, "accident");
    std::string laka = "0";
    if (!accident) {
      put(r_.jaminan.laka_lantas, "jaminan.lakaLantas", "0", "default: no Claim.accident");
      if (create) put(r_.jaminan.no_lp, "jaminan.noLP", "", "default: no Claim.accident");
    } else {
      Node type = object_at(accident, "type");
      Found code = concept_code(type, systems_.bpjs_code_system_base + "laka-lantas");
      if (code && find_code(kLakaLantas, code.value) == nullptr) {
        throw Error::value("The accident kind (lakaLantas) must be one of: " + listing(kLakaLantas), code.path,
                           "lakaLantas '" + clip(code.value) + "'");
      }
      if (!code) {
        // The HL7 incident codes: motor vehicle accident = KLL (1), workplace accident = KK (3).
        if (concept_has(type, kIncidentCode, "MVA")) code = {"1", type.source + ".coding(MVA)", type.path};
        if (concept_has(type, kIncidentCode, "WPA")) code = {"3", type.source + ".coding(WPA)", type.path};
      }
      if (!code) {
        throw Error::required("Claim.accident.type needs a coding in " + systems_.bpjs_code_system_base +
                                  "laka-lantas (0-3) or " + std::string(kIncidentCode) + " MVA / WPA",
                              accident.path + ".type");
      }
      laka = code.value;
      put(r_.jaminan.laka_lantas, "jaminan.lakaLantas", code);
      if (create) {
        Node lp = extension_at(accident, extension_url(systems_, "bpjs-no-lp"), "bpjs-no-lp");
        if (Found f = found_at(lp, "valueString")) {
          put(r_.jaminan.no_lp, "jaminan.noLP", f);
        } else {
          put(r_.jaminan.no_lp, "jaminan.noLP", "", "default: no Claim.accident.extension(bpjs-no-lp)");
        }
      }
    }

    auto& p = r_.jaminan.penjamin;
    auto& lokasi = p.suplesi.lokasi_laka;
    // The suplesi: a Claim.related whose reference is a SEP number.
    Found suplesi;
    Node related = array_at(claim_, "related");
    for (SizeType i = 0; i < size_of(related) && !suplesi; ++i) {
      Node rel = element(related, i);
      Node id = object_at(rel, "reference");
      if (id && text_at(id, "system") == kNoSepSystem) suplesi = found_at(id, "value");
    }

    if (laka == "0") {
      if (suplesi) {
        throw Error::value(
            "A supplementary SEP (suplesi) is only for an accident: give Claim.accident with "
            "lakaLantas 1, 2 or 3",
            suplesi.path);
      }
      const std::string why = "default: not an accident (lakaLantas 0)";
      put(p.tgl_kejadian, "jaminan.penjamin.tglKejadian", "", why);
      put(p.keterangan, "jaminan.penjamin.keterangan", "", why);
      put(p.suplesi.suplesi, "jaminan.penjamin.suplesi.suplesi", "0", why);
      put(p.suplesi.no_sep_suplesi, "jaminan.penjamin.suplesi.noSepSuplesi", "", why);
      put(lokasi.kd_propinsi, "jaminan.penjamin.suplesi.lokasiLaka.kdPropinsi", "", why);
      put(lokasi.kd_kabupaten, "jaminan.penjamin.suplesi.lokasiLaka.kdKabupaten", "", why);
      put(lokasi.kd_kecamatan, "jaminan.penjamin.suplesi.lokasiLaka.kdKecamatan", "", why);
      return;
    }

    Found date = found_at(accident, "date");
    if (!date) throw Error::required("Claim.accident.date is required", accident.path + ".date");
    check_date(date.value, date.path, "The accident date (Claim.accident.date)");
    put(p.tgl_kejadian, "jaminan.penjamin.tglKejadian", date);
    Node ket = extension_at(accident, extension_url(systems_, "bpjs-keterangan-kejadian"), "bpjs-keterangan-kejadian");
    if (Found f = found_at(ket, "valueString")) {
      put(p.keterangan, "jaminan.penjamin.keterangan", f);
    } else {
      put(p.keterangan, "jaminan.penjamin.keterangan", "", "default: no bpjs-keterangan-kejadian");
    }
    if (suplesi) {
      if (suplesi.value.size() != 19 || !all_alnum(suplesi.value)) {
        throw Error::value("A SEP number (noSepSuplesi) is 19 letters and digits", suplesi.path);
      }
      put(p.suplesi.suplesi, "jaminan.penjamin.suplesi.suplesi", "1", suplesi.source + " (present)");
      put(p.suplesi.no_sep_suplesi, "jaminan.penjamin.suplesi.noSepSuplesi", suplesi);
    } else {
      put(p.suplesi.suplesi, "jaminan.penjamin.suplesi.suplesi", "0", "default: no Claim.related SEP number");
      put(p.suplesi.no_sep_suplesi, "jaminan.penjamin.suplesi.noSepSuplesi", "", "default: no Claim.related");
    }
    Node where = extension_at(accident, extension_url(systems_, "bpjs-lokasi-laka"), "bpjs-lokasi-laka");
    struct Part {
      std::string& target;
      std::string_view field;
      std::string_view name;  // sub-extension and code system "bpjs-<name>"
    };
    const Part parts[] = {{lokasi.kd_propinsi, "jaminan.penjamin.suplesi.lokasiLaka.kdPropinsi", "propinsi"},
                          {lokasi.kd_kabupaten, "jaminan.penjamin.suplesi.lokasiLaka.kdKabupaten", "kabupaten"},
                          {lokasi.kd_kecamatan, "jaminan.penjamin.suplesi.lokasiLaka.kdKecamatan", "kecamatan"}};
    for (const Part& part : parts) {
      Node sub = extension_at(where, part.name, part.name);
      Node coding = object_at(sub, "valueCoding");
      Found code = coding_code(coding, systems_.bpjs_code_system_base + std::string(part.name));
      if (sub && !code) {
        throw Error::value(
            "The accident place needs a valueCoding in " + systems_.bpjs_code_system_base + std::string(part.name),
            sub.path + ".valueCoding");
      }
      if (code && !all_alnum(code.value)) {
        throw Error::value("A BPJS region code is letters and digits", code.path);
      }
      if (code) {
        put(part.target, part.field, code);
      } else {
        put(part.target, part.field, "", "default: no bpjs-lokasi-laka " + std::string(part.name));
      }
    }
  }

  // rujukan: Claim.referral -> ServiceRequest.
  void read_referral() {
    auto& ruj = r_.rujukan;
    Node ref = object_at(claim_, "referral");
    if (!ref) {
      const std::string why = "default: no Claim.referral";
      put(ruj.asal_rujukan, "rujukan.asalRujukan", "", why);
      put(ruj.tgl_rujukan, "rujukan.tglRujukan", "", why);
      put(ruj.no_rujukan, "rujukan.noRujukan", "", why);
      put(ruj.ppk_rujukan, "rujukan.ppkRujukan", "", why);
      return;
    }
    Node sr = res_.resolve(ref, "ServiceRequest", claim_);
    if (!sr) {
      throw Error::required(
          "Claim.referral must reference the referral's ServiceRequest (contained or a Bundle "
          "entry): V-Claim needs its number, date and referring facility",
          ref.path);
    }
    Node asal = extension_at(sr, extension_url(systems_, "bpjs-asal-rujukan"), "bpjs-asal-rujukan");
    if (!asal) {
      throw Error::required("The referral's origin is missing: extension bpjs-asal-rujukan (1 FKTP, 2 rumah sakit)",
                            sr.path + ".extension");
    }
    put(ruj.asal_rujukan, "rujukan.asalRujukan",
        coded_extension(asal, systems_.bpjs_code_system_base + "asal-rujukan", kAsalRujukan,
                        "The referral's origin (asalRujukan)"));

    Found authored = found_at(sr, "authoredOn");
    if (!authored) throw Error::required("The referral date is missing (authoredOn)", sr.path + ".authoredOn");
    authored.value = authored.value.substr(0, std::min<std::size_t>(authored.value.size(), 10));
    check_date(authored.value, authored.path, "The referral date (authoredOn)");
    put(ruj.tgl_rujukan, "rujukan.tglRujukan", authored);

    Found no = identifier_in(sr, kNoRujukanSystem);
    if (!no) {
      throw Error::required("The referral number is missing: an identifier in " + std::string(kNoRujukanSystem),
                            sr.path + ".identifier");
    }
    if (!all_alnum(no.value) || no.value.size() > 30) {
      throw Error::value("A referral number (noRujukan) is letters and digits", no.path);
    }
    put(ruj.no_rujukan, "rujukan.noRujukan", no);

    Node requester = object_at(sr, "requester");
    Found ppk;
    if (requester) {
      Node org = res_.resolve(requester, "Organization", sr);
      ppk = org ? identifier_in(org, systems_.kode_faskes) : reference_identifier(requester, systems_.kode_faskes);
    }
    if (!ppk) {
      throw Error::required("The referring facility is missing: requester = an Organization with an identifier in " +
                                systems_.kode_faskes,
                            sr.path + ".requester");
    }
    if (ppk.value.size() < 8 || ppk.value.size() > 10 || !all_alnum(ppk.value)) {
      throw Error::value("A BPJS facility code (ppkRujukan) is 8 letters and digits (e.g. 0301R011)", ppk.path);
    }
    put(ruj.ppk_rujukan, "rujukan.ppkRujukan", ppk);
  }

  // tujuanKunj, flagProcedure, kdPenunjang, assesmentPel: coded extensions on the Claim, with §5.6's rules.
  void read_visit_purpose() {
    const auto& base = systems_.bpjs_code_system_base;
    auto coded = [&](std::string_view name, std::string_view system, std::span<const Code> list,
                     std::string_view what) {
      return coded_extension(extension_at(claim_, extension_url(systems_, name), name), base + std::string(system),
                             list, what);
    };
    Found tujuan = coded("bpjs-tujuan-kunjungan", "tujuan-kunjungan", kTujuanKunj, "The visit purpose (tujuanKunj)");
    Found flag = coded("bpjs-flag-procedure", "flag-procedure", kFlagProcedure, "The procedure flag (flagProcedure)");
    Found penunjang = coded("bpjs-penunjang", "penunjang", kPenunjang, "The supporting service (kdPenunjang)");
    Found assesmen = coded("bpjs-assesment-pelayanan", "assesment-pelayanan", kAssesmentPel,
                           "The service assessment (assesmentPel)");

    if (tujuan) {
      put(r_.tujuan_kunj, "tujuanKunj", tujuan);
    } else {
      put(r_.tujuan_kunj, "tujuanKunj", "0", "default: Normal (no bpjs-tujuan-kunjungan)");
    }
    const std::string& t = r_.tujuan_kunj;
    if (t == "0" && flag) {
      throw Error::value("flagProcedure must be empty when tujuanKunj is 0 (Normal)", flag.path);
    }
    if (t == "0" && penunjang) {
      throw Error::value("kdPenunjang must be empty when tujuanKunj is 0 (Normal)", penunjang.path);
    }
    if (t == "1" && !flag) {
      throw Error::required("tujuanKunj 1 (Prosedur) needs flagProcedure (extension bpjs-flag-procedure)",
                            "Claim.extension");
    }
    if (t == "1" && !penunjang) {
      throw Error::required("tujuanKunj 1 (Prosedur) needs kdPenunjang (extension bpjs-penunjang)", "Claim.extension");
    }
    if (t == "2" && !assesmen) {
      throw Error::required("tujuanKunj 2 (Konsul Dokter) needs assesmentPel (extension bpjs-assesment-pelayanan)",
                            "Claim.extension");
    }
    if (t == "1" && assesmen) {
      throw Error::value("assesmentPel is only for tujuanKunj 2, or 0 with another poli on another day", assesmen.path);
    }
    const std::string none = "default: empty (tujuanKunj " + t + ")";
    flag ? put(r_.flag_procedure, "flagProcedure", flag) : put(r_.flag_procedure, "flagProcedure", "", none);
    penunjang ? put(r_.kd_penunjang, "kdPenunjang", penunjang) : put(r_.kd_penunjang, "kdPenunjang", "", none);
    assesmen ? put(r_.assesment_pel, "assesmentPel", assesmen) : put(r_.assesment_pel, "assesmentPel", "", none);
  }

  // skdp: a Claim.supportingInfo valueReference to the surat kontrol / SPRI ServiceRequest.
  void read_skdp() {
    Found no;
    Found dpjp;
    Node list = array_at(claim_, "supportingInfo");
    for (SizeType i = 0; i < size_of(list) && !no; ++i) {
      Node info = element(list, i);
      Node ref = object_at(info, "valueReference");
      if (!ref) continue;
      Node sr = res_.resolve(ref, "ServiceRequest", claim_, true);
      if (sr) {
        no = identifier_in(sr, kNoSuratKontrolSystem);
        Node requester = object_at(sr, "requester");
        if (no && requester) dpjp = dpjp_of(requester, sr);
      } else {
        no = reference_identifier(ref, kNoSuratKontrolSystem);
      }
    }
    if (!no) {
      put(r_.skdp.no_surat, "skdp.noSurat", "", "default: no surat kontrol / SPRI in Claim.supportingInfo");
      put(r_.skdp.kode_dpjp, "skdp.kodeDPJP", "", "default: no surat kontrol / SPRI");
      return;
    }
    if (!all_alnum(no.value) || no.value.size() > 30) {
      throw Error::value("A surat kontrol / SPRI number (noSurat) is letters and digits", no.path);
    }
    if (!dpjp) dpjp = dpjp_;
    if (!dpjp) {
      throw Error::required(
          "A surat kontrol / SPRI needs its DPJP: the ServiceRequest's requester or the Encounter's "
          "participant, a Practitioner with an identifier in " +
              std::string(kKodeDpjpSystem),
          no.path);
    }
    put(r_.skdp.no_surat, "skdp.noSurat", no);
    put(r_.skdp.kode_dpjp, "skdp.kodeDPJP", dpjp);
  }

  // dpjpLayan: the Encounter's DPJP for rawat jalan; always empty for rawat inap (§5.6).
  void read_dpjp_layan() {
    if (jns_ == "1") {
      put(r_.dpjp_layan, "dpjpLayan", "", "default: empty for rawat inap (jnsPelayanan 1)");
    } else if (dpjp_) {
      put(r_.dpjp_layan, "dpjpLayan", dpjp_);
    } else {
      put(r_.dpjp_layan, "dpjpLayan", "", "default: no Encounter.participant with a DPJP code");
    }
  }

  const Resources& res_;
  const Node& claim_;
  const SepContext& context_;
  const Systems& systems_;
  SepSubmission& out_;
  bpjs::SepRequest& r_;  // every field is read into the insert model first

  bool patient_read_ = false;
  Node patient_ref_;
  Node patient_;
  bool coverage_read_ = false;
  Node coverage_ref_;
  Node coverage_;
  std::string jns_;
  Found dpjp_;  // the Encounter's DPJP
};

// The update's fields, copied from the insert model the reader filled.
void project_update(SepSubmission& s) {
  const bpjs::SepRequest& r = s.insert;
  bpjs::SepUpdateRequest& u = s.update;
  u.kls_rawat = r.kls_rawat;
  u.no_mr = r.no_mr;
  u.catatan = r.catatan;
  u.diag_awal = r.diag_awal;
  u.poli = r.poli;
  u.cob = r.cob;
  u.katarak = r.katarak;
  u.jaminan.laka_lantas = r.jaminan.laka_lantas;
  u.jaminan.penjamin = r.jaminan.penjamin;
  u.dpjp_layan = r.dpjp_layan;
  u.no_telp = r.no_telp;
  u.user = r.user;
  s.insert = {};
  std::erase_if(s.trace, [](const FieldTrace& t) { return t.field != "noSep" && !update_field(t.field); });
}

// ---------------------------------------------------------------- ClaimResponse

// What a ClaimResponse shows of a SEP, from the insert answer, the detail or the request.
struct SepView {
  std::string no_sep;
  std::string tgl_sep;
  std::string jns_pelayanan;  // "1" / "2"
  bpjs::Peserta peserta;      // only what the contained Patient needs
  std::string poli_kode;
  std::string poli_nama;
  std::string poli_eksekutif;  // "1" / "0" / ""
  std::string kelas_rawat;     // as BPJS words it ("Kelas 3"), or the code
  std::string kls_rawat_naik;
  std::string pembiayaan;
  std::string penanggung_jawab;
  std::string diag_kode;
  std::string diag_nama;
  std::string no_rujukan;
  bpjs::ReferensiItem tujuan_kunj;
  bpjs::ReferensiItem flag_procedure;
  bpjs::ReferensiItem kd_penunjang;
  bpjs::ReferensiItem assesment_pel;
  bpjs::ReferensiItem laka_lantas;
  std::string penjamin;
  std::string cob;
  std::string katarak;
  bpjs::ReferensiItem dpjp;
  std::string no_surat;
  std::string e_sep;
  std::string catatan;
  std::string ppk_pelayanan;
};

// "-" and "null"-like placeholders BPJS uses for "none".
std::string meaningful(std::string_view s) {
  return (s == "-" || s == "null") ? std::string() : std::string(s);
}

std::string jns_code(std::string_view s) {
  if (s == "1" || s == "R.Inap" || s == "Rawat Inap") return "1";
  if (s == "2" || s == "R.Jalan" || s == "Rawat Jalan") return "2";
  return {};
}

std::string yes_no(std::string_view s) {
  if (s == "1" || s == "Ya") return "1";
  if (s == "0" || s == "Tidak") return "0";
  return {};
}

std::string sex_code(std::string_view kelamin) {
  if (kelamin == "L" || kelamin == "Laki-laki" || kelamin == "Laki-Laki") return "L";
  if (kelamin == "P" || kelamin == "Perempuan") return "P";
  return {};
}

// "A15 - Respiratory tuberculosis" -> code A15, name; a bare code; or a name only.
void split_diagnosa(std::string_view text, SepView& v) {
  const auto dash = text.find(" - ");
  const std::string_view head = text.substr(0, dash);
  if (valid_icd10(head)) {
    v.diag_kode = std::string(head);
    if (dash != std::string_view::npos) v.diag_nama = std::string(text.substr(dash + 3));
  } else {
    v.diag_nama = meaningful(text);
  }
}

bpjs::ReferensiItem coded(std::string_view kode, std::span<const Code> list) {
  if (kode.empty()) return {};
  return {std::string(kode), std::string(display_of(list, kode))};
}

bpjs::ReferensiItem coded(const bpjs::KodeNamaOpsional& k) {
  return {std::string(opt(k.kode)), std::string(opt(k.nama))};
}

Value extension_coding(const Builder& b, const Systems& systems, std::string_view name, std::string_view system,
                       const bpjs::ReferensiItem& item) {
  auto ext = b.object();
  if (item.kode.empty() && item.nama.empty()) return ext;
  auto coding = b.object();
  if (!item.kode.empty()) {
    b.set(coding, "system", system);
    b.set(coding, "code", item.kode);
  }
  b.set(coding, "display", item.nama);
  b.set(ext, "url", extension_url(systems, name));
  b.put(ext, "valueCoding", std::move(coding));
  return ext;
}

Value extension_flag(const Builder& b, const Systems& systems, std::string_view name, std::string_view yes_no_code) {
  auto ext = b.object();
  if (yes_no_code != "0" && yes_no_code != "1") return ext;
  b.set(ext, "url", extension_url(systems, name));
  b.set_bool(ext, "valueBoolean", yes_no_code == "1");
  return ext;
}

Value extension_identifier(const Builder& b, const Systems& systems, std::string_view name, std::string_view system,
                           std::string_view value) {
  auto ext = b.object();
  if (value.empty()) return ext;
  b.set(ext, "url", extension_url(systems, name));
  b.put(ext, "valueIdentifier", b.identifier(system, value));
  return ext;
}

Value sep_extensions(const Builder& b, const SepView& v, const Systems& systems) {
  const std::string& base = systems.bpjs_code_system_base;
  auto exts = b.array();
  b.push(exts, extension_coding(b, systems, "bpjs-poli", base + "poli", {v.poli_kode, v.poli_nama}));
  b.push(exts, extension_flag(b, systems, "bpjs-poli-eksekutif", v.poli_eksekutif));
  b.push(exts, extension_string(b, systems, "bpjs-kelas-rawat", v.kelas_rawat));
  if (!v.kls_rawat_naik.empty()) {
    auto ext = b.object();
    b.set(ext, "url", extension_url(systems, "bpjs-naik-kelas"));
    auto parts = b.array();
    auto sub = [&](std::string_view name, std::string_view system, bpjs::ReferensiItem item) {
      auto e = b.object();
      if (item.kode.empty()) return e;
      b.set(e, "url", name);
      b.put(e, "valueCoding", b.coding(system, item.kode, item.nama));
      return e;
    };
    b.push(parts, sub("kelas", base + "kelas-rawat-naik", coded(v.kls_rawat_naik, kKelasNaik)));
    b.push(parts, sub("pembiayaan", base + "pembiayaan", coded(v.pembiayaan, kPembiayaan)));
    if (!v.penanggung_jawab.empty()) {
      auto e = b.object();
      b.set(e, "url", "penanggungJawab");
      b.set(e, "valueString", v.penanggung_jawab);
      b.push(parts, std::move(e));
    }
    b.put(ext, "extension", std::move(parts));
    b.push(exts, std::move(ext));
  }
  b.push(exts, extension_coding(b, systems, "bpjs-diagnosa", kIcd10System, {v.diag_kode, v.diag_nama}));
  b.push(exts, extension_identifier(b, systems, "bpjs-no-rujukan", kNoRujukanSystem, v.no_rujukan));
  b.push(exts, extension_coding(b, systems, "bpjs-tujuan-kunjungan", base + "tujuan-kunjungan", v.tujuan_kunj));
  b.push(exts, extension_coding(b, systems, "bpjs-flag-procedure", base + "flag-procedure", v.flag_procedure));
  b.push(exts, extension_coding(b, systems, "bpjs-penunjang", base + "penunjang", v.kd_penunjang));
  b.push(exts, extension_coding(b, systems, "bpjs-assesment-pelayanan", base + "assesment-pelayanan", v.assesment_pel));
  b.push(exts, extension_coding(b, systems, "bpjs-laka-lantas", base + "laka-lantas", v.laka_lantas));
  b.push(exts, extension_string(b, systems, "bpjs-penjamin", v.penjamin));
  b.push(exts, extension_flag(b, systems, "bpjs-cob", v.cob));
  b.push(exts, extension_flag(b, systems, "bpjs-katarak", v.katarak));
  if (!v.dpjp.kode.empty() || !v.dpjp.nama.empty()) {
    auto ext = b.object();
    b.set(ext, "url", extension_url(systems, "bpjs-dpjp"));
    auto ref = b.object();
    b.set(ref, "type", "Practitioner");
    b.put(ref, "identifier", b.identifier(kKodeDpjpSystem, v.dpjp.kode));
    b.set(ref, "display", v.dpjp.nama);
    b.put(ext, "valueReference", std::move(ref));
    b.push(exts, std::move(ext));
  }
  b.push(exts, extension_identifier(b, systems, "bpjs-no-surat-kontrol", kNoSuratKontrolSystem, v.no_surat));
  if (v.e_sep == "True" || v.e_sep == "False") {
    auto ext = b.object();
    b.set(ext, "url", extension_url(systems, "bpjs-esep"));
    b.set_bool(ext, "valueBoolean", v.e_sep == "True");
    b.push(exts, std::move(ext));
  }
  return exts;
}

rapidjson::Document claim_response(const SepView& v, std::string_view status, std::string_view disposition,
                                   std::string_view claim_identifier, std::string_view created,
                                   const Systems& systems) {
  rapidjson::Document doc(rapidjson::kObjectType);
  Builder b(doc);
  b.set(doc, "resourceType", "ClaimResponse");
  if (fhir::is_valid_id(v.no_sep)) b.set(doc, "id", v.no_sep);

  auto contained = b.array();
  const rapidjson::Document patient = patient_from_peserta(v.peserta, systems);
  b.push(contained, Value(patient, b.allocator()));  // deep copy into this document
  b.push(contained, bpjs_organization(b));
  b.put(doc, "contained", std::move(contained));
  b.put(doc, "extension", sep_extensions(b, v, systems));

  auto ids = b.array();
  b.push(ids, b.identifier(kNoSepSystem, v.no_sep));
  b.put(doc, "identifier", std::move(ids));
  b.set(doc, "status", status);
  b.put(doc, "type", b.codeable(b.coding(kClaimType, "institutional", "Institutional")));
  if (const std::string_view jns = display_of(kJenisPelayanan, v.jns_pelayanan); !jns.empty()) {
    b.put(doc, "subType",
          b.codeable(b.coding(systems.bpjs_code_system_base + "jenis-pelayanan", v.jns_pelayanan, jns)));
  }
  b.set(doc, "use", "preauthorization");
  b.put(doc, "patient", b.reference("#patient", v.peserta.nama));
  b.set(doc, "created", created);
  b.put(doc, "insurer", b.reference("#bpjs", kBpjsName));
  if (!v.ppk_pelayanan.empty()) {
    auto requestor = b.object();
    b.set(requestor, "type", "Organization");
    b.put(requestor, "identifier", b.identifier(systems.kode_faskes, v.ppk_pelayanan));
    b.put(doc, "requestor", std::move(requestor));
  }
  auto request = b.object();
  b.set(request, "type", "Claim");
  const auto bar = claim_identifier.find('|');
  if (bar != std::string_view::npos && bar + 1 < claim_identifier.size()) {
    b.put(request, "identifier", b.identifier(claim_identifier.substr(0, bar), claim_identifier.substr(bar + 1)));
  } else {
    b.set(request, "display", "SEP request as submitted");
  }
  b.put(doc, "request", std::move(request));
  b.set(doc, "outcome", "complete");
  b.set(doc, "disposition", disposition);
  b.set(doc, "preAuthRef", v.no_sep);
  if (fhir::is_valid_date(v.tgl_sep) && v.tgl_sep.size() == 10) {
    auto period = b.object();
    b.set(period, "start", v.tgl_sep);
    b.put(doc, "preAuthPeriod", std::move(period));
  }
  auto notes = b.array();
  if (!v.catatan.empty()) {
    auto note = b.object();
    b.set(note, "type", "display");
    b.set(note, "text", v.catatan);
    b.push(notes, std::move(note));
  }
  b.put(doc, "processNote", std::move(notes));
  return doc;
}

}  // namespace

std::string_view to_string(SepAction action) noexcept {
  switch (action) {
    case SepAction::create:
      return "create";
    case SepAction::update:
      return "update";
    case SepAction::cancel:
      return "cancel";
  }
  return "create";
}

SepSubmission parse_sep_claim(const rapidjson::Value& claim_or_bundle, const SepContext& context,
                              const Systems& systems) {
  if (!claim_or_bundle.IsObject()) throw Error::invalid("Expected a Claim or a Bundle", "resourceType");
  const std::string_view type = fhir::string_member(claim_or_bundle, "resourceType").value_or("");
  const Value* claim = &claim_or_bundle;
  const Value* bundle = nullptr;
  if (type == "Bundle") {
    bundle = &claim_or_bundle;
    const Value* entries = fhir::member(claim_or_bundle, "entry");
    const Value* first = (entries != nullptr && entries->IsArray() && !entries->Empty())
                             ? fhir::member((*entries)[0], "resource")
                             : nullptr;
    if (first == nullptr || !first->IsObject() || fhir::string_member(*first, "resourceType") != "Claim") {
      throw Error::invalid("The Bundle's first entry must be the Claim", "Bundle.entry[0].resource");
    }
    claim = first;
  } else if (type != "Claim") {
    throw Error::invalid("Expected a Claim (use = preauthorization) or a Bundle whose first entry is the Claim",
                         "resourceType");
  }

  SepSubmission out;
  const Resources resources(Node{claim, "Claim", "Claim"}, bundle);
  SepReader(resources, context, systems, out).read();
  if (out.action == SepAction::update) project_update(out);
  if (out.action != SepAction::create) out.insert = {};
  std::stable_sort(out.trace.begin(), out.trace.end(),
                   [](const FieldTrace& a, const FieldTrace& b) { return field_rank(a.field) < field_rank(b.field); });
  return out;
}

rapidjson::Document claim_response_from_sep(const bpjs::Sep& sep, const SepSubmission& submitted,
                                            std::string_view created, const Systems& systems) {
  const bpjs::SepRequest& r = submitted.insert;
  SepView v;
  v.no_sep = sep.no_sep;
  v.tgl_sep = sep.tgl_sep.empty() ? r.tgl_sep : sep.tgl_sep;
  v.jns_pelayanan = jns_code(sep.jns_pelayanan);
  if (v.jns_pelayanan.empty()) v.jns_pelayanan = r.jns_pelayanan;
  v.peserta.no_kartu = sep.peserta.no_kartu.empty() ? submitted.no_kartu : sep.peserta.no_kartu;
  v.peserta.nama = sep.peserta.nama;
  v.peserta.sex = sex_code(sep.peserta.kelamin);
  v.peserta.tgl_lahir = sep.peserta.tgl_lahir;
  if (const std::string mr = meaningful(sep.peserta.no_mr); !mr.empty()) v.peserta.mr.no_mr = mr;
  v.poli_kode = sep.kd_poli.empty() ? r.poli.tujuan : sep.kd_poli;
  v.poli_nama = meaningful(sep.poli);
  v.poli_eksekutif = yes_no(sep.poli_eksekutif);
  v.kelas_rawat = meaningful(sep.kelas_rawat);
  v.kls_rawat_naik = r.kls_rawat.kls_rawat_naik;
  v.pembiayaan = r.kls_rawat.pembiayaan;
  v.penanggung_jawab = r.kls_rawat.penanggung_jawab;
  split_diagnosa(sep.diagnosa, v);
  if (v.diag_kode.empty()) v.diag_kode = r.diag_awal;
  v.no_rujukan = sep.no_rujukan.empty() ? r.rujukan.no_rujukan : sep.no_rujukan;
  v.tujuan_kunj = coded(sep.tujuan_kunj, kTujuanKunj);
  v.flag_procedure = coded(sep.flag_procedure, kFlagProcedure);
  v.kd_penunjang = coded(sep.kd_penunjang, kPenunjang);
  v.assesment_pel = coded(sep.assestmen_pel, kAssesmentPel);
  v.laka_lantas = coded(r.jaminan.laka_lantas, kLakaLantas);
  v.penjamin = meaningful(sep.penjamin);
  v.cob = r.cob.cob;
  v.katarak = r.katarak.katarak;
  v.dpjp.kode = r.dpjp_layan.empty() ? r.skdp.kode_dpjp : r.dpjp_layan;
  v.no_surat = r.skdp.no_surat;
  v.e_sep = std::string(opt(sep.informasi.e_sep));
  v.catatan = sep.catatan.empty() ? r.catatan : sep.catatan;
  v.ppk_pelayanan = r.ppk_pelayanan;
  return claim_response(v, "active", "SEP " + sep.no_sep + " issued", submitted.claim_identifier, created, systems);
}

rapidjson::Document claim_response_from_sep_detail(const bpjs::SepDetail& sep, std::string_view created,
                                                   const Systems& systems) {
  SepView v;
  v.no_sep = sep.no_sep;
  v.tgl_sep = sep.tgl_sep;
  v.jns_pelayanan = jns_code(sep.jns_pelayanan);
  v.peserta.no_kartu = sep.peserta.no_kartu;
  v.peserta.nama = sep.peserta.nama;
  v.peserta.sex = sex_code(sep.peserta.kelamin);
  v.peserta.tgl_lahir = sep.peserta.tgl_lahir;
  if (const std::string mr = meaningful(sep.peserta.no_mr); !mr.empty()) v.peserta.mr.no_mr = mr;
  v.poli_nama = meaningful(sep.poli);
  v.poli_eksekutif = yes_no(sep.poli_eksekutif);
  v.kelas_rawat = meaningful(sep.kelas_rawat);
  v.kls_rawat_naik = std::string(opt(sep.kls_rawat.kls_rawat_naik));
  if (find_code(kKelasNaik, v.kls_rawat_naik) == nullptr) v.kls_rawat_naik.clear();
  v.pembiayaan = std::string(opt(sep.kls_rawat.pembiayaan));
  if (find_code(kPembiayaan, v.pembiayaan) == nullptr) v.pembiayaan.clear();
  v.penanggung_jawab = meaningful(opt(sep.kls_rawat.penanggung_jawab));
  split_diagnosa(sep.diagnosa, v);
  v.no_rujukan = sep.no_rujukan;
  v.tujuan_kunj = coded(sep.tujuan_kunj);
  v.flag_procedure = coded(sep.flag_procedure);
  v.kd_penunjang = coded(sep.kd_penunjang);
  v.assesment_pel = coded(sep.assestmen_pel);
  v.laka_lantas = {sep.kd_status_kecelakaan, sep.nm_status_kecelakaan};
  v.penjamin = meaningful(opt(sep.penjamin));
  v.cob = sep.cob;
  v.katarak = sep.katarak;
  v.dpjp = {sep.dpjp.kd_dpjp, sep.dpjp.nm_dpjp};
  v.no_surat = std::string(opt(sep.kontrol.no_surat));
  v.e_sep = sep.e_sep;
  v.catatan = sep.catatan;
  return claim_response(v, "active", "SEP " + sep.no_sep, {}, created, systems);
}

rapidjson::Document claim_response_for_ack(std::string_view no_sep, SepAction action, const SepSubmission& submitted,
                                           std::string_view created, const Systems& systems) {
  SepView v;
  v.no_sep = std::string(no_sep);
  v.peserta.no_kartu = submitted.no_kartu;
  if (action == SepAction::update) {
    const bpjs::SepUpdateRequest& u = submitted.update;
    v.poli_kode = u.poli.tujuan;
    v.poli_eksekutif = u.poli.eksekutif;
    v.kelas_rawat = u.kls_rawat.kls_rawat_hak;
    v.kls_rawat_naik = u.kls_rawat.kls_rawat_naik;
    v.pembiayaan = u.kls_rawat.pembiayaan;
    v.penanggung_jawab = u.kls_rawat.penanggung_jawab;
    v.diag_kode = u.diag_awal;
    v.laka_lantas = coded(u.jaminan.laka_lantas, kLakaLantas);
    v.cob = u.cob.cob;
    v.katarak = u.katarak.katarak;
    v.dpjp.kode = u.dpjp_layan;
    v.catatan = u.catatan;
    if (!u.no_mr.empty()) v.peserta.mr.no_mr = u.no_mr;
  }
  const bool cancel = action == SepAction::cancel;
  return claim_response(v, cancel ? "cancelled" : "active",
                        "SEP " + std::string(no_sep) + (cancel ? " deleted" : " updated"), submitted.claim_identifier,
                        created, systems);
}

bool histori_matches(const bpjs::HistoriPelayanan& entry, const bpjs::SepRequest& request) noexcept {
  const auto jns = [](std::string_view s) -> std::string_view {
    if (s == "1" || s == "R.Inap" || s == "Rawat Inap") return "1";
    if (s == "2" || s == "R.Jalan" || s == "Rawat Jalan") return "2";
    return s;
  };
  return !request.no_kartu.empty() && entry.no_kartu == request.no_kartu && entry.tgl_sep == request.tgl_sep &&
         jns(entry.jns_pelayanan) == jns(request.jns_pelayanan) && entry.no_rujukan == request.rujukan.no_rujukan;
}

}  // namespace simpul::mappings::vclaim_fhir
