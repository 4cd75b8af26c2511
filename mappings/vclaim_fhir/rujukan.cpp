#include "mappings/vclaim_fhir/rujukan.hpp"

#include <algorithm>
#include <cctype>

#include "fhir/error.hpp"
#include "fhir/resource.hpp"
#include "mappings/vclaim_fhir/builder.hpp"

namespace simpul::mappings::vclaim_fhir {

namespace {

using rapidjson::Value;

// A BPJS {kode, nama} pair as a one-coding CodeableConcept in `system`; empty when there is no code.
Value concept_of(const Builder& b, std::string_view system, const bpjs::ReferensiItem& item) {
  if (item.kode.empty()) return b.object();
  return b.codeable(b.coding(system, item.kode, item.nama));
}

}  // namespace

rapidjson::Document service_request_from_rujukan(const bpjs::Rujukan& r, int asal, const Systems& systems) {
  rapidjson::Document doc(rapidjson::kObjectType);
  Builder b(doc);
  b.set(doc, "resourceType", "ServiceRequest");
  if (fhir::is_valid_id(r.no_kunjungan)) b.set(doc, "id", r.no_kunjungan);

  auto contained = b.array();
  const rapidjson::Document patient = patient_from_peserta(r.peserta, systems);
  b.push(contained, Value(patient, b.allocator()));  // deep copy into this document
  b.put(doc, "contained", std::move(contained));

  auto exts = b.array();
  {
    auto ext = b.object();
    b.set(ext, "url", systems.extension_base + "bpjs-asal-rujukan");
    b.put(ext, "valueCoding",
          b.coding(systems.bpjs_code_system_base + "asal-rujukan", asal == 2 ? "2" : "1",
                   asal == 2 ? "Faskes 2 (rumah sakit)" : "Faskes 1 (FKTP)"));
    b.push(exts, std::move(ext));
  }
  b.put(doc, "extension", std::move(exts));

  auto ids = b.array();
  b.push(ids, b.identifier(kNoRujukanSystem, r.no_kunjungan));
  b.put(doc, "identifier", std::move(ids));
  // A referral is valid for 90 days from its date; V-Claim says so when a SEP is made, not here.
  b.set(doc, "status", "active");
  b.set(doc, "intent", "order");
  auto category = b.array();
  b.push(category, concept_of(b, systems.bpjs_code_system_base + "jenis-pelayanan", r.pelayanan));
  b.put(doc, "category", std::move(category));
  b.put(doc, "subject", b.reference("#patient", r.peserta.nama));
  if (fhir::is_valid_date(r.tgl_kunjungan)) b.set(doc, "authoredOn", r.tgl_kunjungan);
  if (!r.prov_perujuk.kode.empty()) {
    auto requester = b.object();
    b.set(requester, "type", "Organization");
    b.put(requester, "identifier", b.identifier(systems.kode_faskes, r.prov_perujuk.kode));
    b.set(requester, "display", r.prov_perujuk.nama);
    b.put(doc, "requester", std::move(requester));
  }
  b.put(doc, "performerType", concept_of(b, systems.bpjs_code_system_base + "poli", r.poli_rujukan));
  auto reasons = b.array();
  b.push(reasons, concept_of(b, kIcd10System, r.diagnosa));
  b.put(doc, "reasonCode", std::move(reasons));
  auto notes = b.array();
  if (!r.keluhan.empty()) {
    auto note = b.object();
    b.set(note, "text", r.keluhan);
    b.push(notes, std::move(note));
  }
  b.put(doc, "note", std::move(notes));
  return doc;
}

std::string parse_rujukan_identifier(std::string_view identifier) {
  const auto bar = identifier.find('|');
  if (bar == std::string_view::npos || identifier.substr(0, bar) != kNoRujukanSystem) {
    throw fhir::Error::value("identifier must be " + std::string(kNoRujukanSystem) + "|<referral number>",
                             "identifier");
  }
  const std::string_view no = identifier.substr(bar + 1);
  const bool alnum = std::all_of(no.begin(), no.end(), [](unsigned char c) { return std::isalnum(c) != 0; });
  if (no.size() != 19 || !alnum) {
    throw fhir::Error::value("A BPJS referral number (noRujukan) is 19 letters and digits", "identifier",
                             "noRujukan of length " + std::to_string(no.size()));
  }
  return std::string(no);
}

}  // namespace simpul::mappings::vclaim_fhir
