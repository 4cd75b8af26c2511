// FHIR <-> V-Claim eligibility: CoverageEligibilityRequest / Coverage search in,
// CoverageEligibilityResponse (Coverage, Patient, BPJS payor contained) out.
#include <functional>
#include <string>

#include <gtest/gtest.h>

#include "fhir/error.hpp"
#include "fhir/json.hpp"
#include "mappings/vclaim_fhir/eligibility.hpp"

namespace b = simpul::mappings::bpjs;
namespace vf = simpul::mappings::vclaim_fhir;
using simpul::fhir::Error;

namespace {

b::Peserta catalogue_peserta() {
  // CAT-VC peserta example (bpjs-api.md §5.1), with the nulls BPJS sends.
  b::Peserta p;
  p.hak_kelas = {"KELAS I", "1"};
  p.jenis_peserta = {"PEGAWAI SWASTA", "13"};
  p.nama = "TRI M";
  p.nik = "3319022010810007";
  p.no_kartu = "0011336526592";
  p.pisa = "1";
  p.prov_umum = {"0138U020", "KPRJ PALA MEDIKA"};
  p.sex = "L";
  p.status_peserta = {"AKTIF", "0"};
  p.tgl_cetak_kartu = "2016-02-12";
  p.tgl_lahir = "1981-10-10";
  p.tgl_tat = "2014-12-31";
  p.tgl_tmt = "2008-10-01";
  return p;
}

const vf::Systems kSys{};

rapidjson::Document json(std::string_view text) {
  return simpul::fhir::parse_json(text);
}

std::string at(const rapidjson::Value& v, std::initializer_list<std::string_view> path) {
  const rapidjson::Value* cur = &v;
  for (std::string_view step : path) {
    if (cur->IsArray()) {
      cur = &(*cur)[static_cast<rapidjson::SizeType>(std::stoul(std::string(step)))];
    } else {
      cur = simpul::fhir::member(*cur, step);
    }
    if (cur == nullptr) return "<absent>";
  }
  if (cur->IsString()) return std::string(cur->GetString(), cur->GetStringLength());
  if (cur->IsBool()) return cur->GetBool() ? "true" : "false";
  return simpul::fhir::to_json(*cur);
}

const rapidjson::Value& contained(const rapidjson::Value& doc, std::string_view type) {
  for (const auto& r : doc["contained"].GetArray()) {
    if (std::string_view(r["resourceType"].GetString()) == type) return r;
  }
  throw std::runtime_error("no contained " + std::string(type));
}

// FHIR forbids "" and empty arrays/objects: no mapping output may contain them.
void expect_no_empty_values(const rapidjson::Value& v, const std::string& where = "$") {
  if (v.IsString()) {
    EXPECT_NE(v.GetStringLength(), 0u) << where;
  } else if (v.IsArray()) {
    EXPECT_FALSE(v.Empty()) << where;
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i)
      expect_no_empty_values(v[i], where + "[" + std::to_string(i) + "]");
  } else if (v.IsObject()) {
    EXPECT_FALSE(v.ObjectEmpty()) << where;
    for (const auto& m : v.GetObject()) expect_no_empty_values(m.value, where + "." + m.name.GetString());
  }
}

Error thrown(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no fhir::Error thrown";
  return Error::internal("none");
}

}  // namespace

TEST(VclaimEligibility, ActiveParticipantBecomesAnInForceCoverage) {
  vf::EligibilityQuery q{vf::EligibilityQuery::By::no_kartu, "0011336526592", "2025-06-15", "req-1"};
  auto doc = vf::eligibility_response(catalogue_peserta(), q, "2025-06-15T09:00:00+07:00");
  EXPECT_EQ(at(doc, {"resourceType"}), "CoverageEligibilityResponse");
  EXPECT_EQ(at(doc, {"status"}), "active");
  EXPECT_EQ(at(doc, {"purpose", "0"}), "validation");
  EXPECT_EQ(at(doc, {"outcome"}), "complete");
  EXPECT_EQ(at(doc, {"servicedDate"}), "2025-06-15");
  EXPECT_EQ(at(doc, {"created"}), "2025-06-15T09:00:00+07:00");
  EXPECT_EQ(at(doc, {"request", "reference"}), "CoverageEligibilityRequest/req-1");
  EXPECT_EQ(at(doc, {"patient", "reference"}), "#patient");
  EXPECT_EQ(at(doc, {"insurer", "reference"}), "#bpjs");
  EXPECT_EQ(at(doc, {"insurance", "0", "coverage", "reference"}), "#coverage");
  EXPECT_EQ(at(doc, {"insurance", "0", "inforce"}), "true");
  EXPECT_EQ(at(doc, {"disposition"}), "Peserta AKTIF");

  const auto& cov = contained(doc, "Coverage");
  EXPECT_EQ(at(cov, {"status"}), "active");
  EXPECT_EQ(at(cov, {"subscriberId"}), "0011336526592");
  EXPECT_EQ(at(cov, {"identifier", "0", "system"}), kSys.no_kartu);
  EXPECT_EQ(at(cov, {"beneficiary", "reference"}), "#patient");
  EXPECT_EQ(at(cov, {"payor", "0", "reference"}), "#bpjs");
  EXPECT_EQ(at(cov, {"type", "coding", "0", "code"}), "PUBLICPOL");
  EXPECT_EQ(at(cov, {"period", "start"}), "2008-10-01");
  EXPECT_EQ(at(cov, {"period", "end"}), "2014-12-31");
  EXPECT_EQ(at(cov, {"class", "0", "type", "coding", "0", "code"}), "class");
  EXPECT_EQ(at(cov, {"class", "0", "value"}), "1");
  EXPECT_EQ(at(cov, {"class", "0", "name"}), "KELAS I");
  EXPECT_EQ(at(cov, {"class", "1", "type", "coding", "0", "code"}), "plan");
  EXPECT_EQ(at(cov, {"class", "1", "value"}), "13");
  EXPECT_EQ(at(cov, {"extension", "0", "url"}), kSys.extension_base + "bpjs-status-peserta");
  EXPECT_EQ(at(cov, {"extension", "0", "valueCoding", "system"}), kSys.bpjs_code_system_base + "status-peserta");
  EXPECT_EQ(at(cov, {"extension", "0", "valueCoding", "code"}), "0");
  EXPECT_EQ(at(cov, {"extension", "1", "url"}), kSys.extension_base + "bpjs-provider-umum");
  EXPECT_EQ(at(cov, {"extension", "1", "valueReference", "identifier", "value"}), "0138U020");
  EXPECT_EQ(at(cov, {"extension", "1", "valueReference", "display"}), "KPRJ PALA MEDIKA");

  const auto& pat = contained(doc, "Patient");
  EXPECT_EQ(at(pat, {"id"}), "patient");
  EXPECT_EQ(at(pat, {"identifier", "0", "system"}), "https://fhir.kemkes.go.id/id/nik");
  EXPECT_EQ(at(pat, {"identifier", "0", "value"}), "3319022010810007");
  EXPECT_EQ(at(pat, {"identifier", "1", "value"}), "0011336526592");
  EXPECT_EQ(at(pat, {"name", "0", "text"}), "TRI M");
  EXPECT_EQ(at(pat, {"gender"}), "male");
  EXPECT_EQ(at(pat, {"birthDate"}), "1981-10-10");
  EXPECT_EQ(at(pat, {"telecom"}), "<absent>");  // BPJS sent null

  const auto& org = contained(doc, "Organization");
  EXPECT_EQ(at(org, {"id"}), "bpjs");
  EXPECT_EQ(at(org, {"name"}), "BPJS Kesehatan");
  expect_no_empty_values(doc);
}

TEST(VclaimEligibility, InactiveParticipantIsANormalAnswer) {
  auto p = catalogue_peserta();
  p.status_peserta = {"TIDAK AKTIF", "1"};
  vf::EligibilityQuery q{vf::EligibilityQuery::By::nik, "3319022010810007", "2025-06-15", ""};
  auto doc = vf::eligibility_response(p, q, "2025-06-15T02:00:00Z");
  EXPECT_EQ(at(doc, {"outcome"}), "complete");
  EXPECT_EQ(at(doc, {"insurance", "0", "inforce"}), "false");
  EXPECT_EQ(at(doc, {"disposition"}), "Peserta TIDAK AKTIF");
  EXPECT_EQ(at(contained(doc, "Coverage"), {"status"}), "cancelled");
  EXPECT_EQ(at(doc, {"request", "type"}), "CoverageEligibilityRequest");
  expect_no_empty_values(doc);
}

TEST(VclaimEligibility, FlagsAndOptionalDataBecomeExtensionsAndIdentifiers) {
  auto p = catalogue_peserta();
  p.informasi.prolanis_prb = "DM";
  p.informasi.e_sep = "True";
  p.informasi.no_sktm = "SKTM/01";
  p.cob.nm_asuransi = "ASURANSI X";
  p.cob.no_asuransi = "AX-1";
  p.cob.tgl_tmt = "2020-01-01";
  p.cob.tgl_tat = "bukan tanggal";  // malformed dates are left out, not passed on
  p.mr.no_mr = "MR001";
  p.mr.no_telepon = "0811";
  p.sex = "P";
  auto cov = vf::coverage_from_peserta(p, true);
  std::string all = simpul::fhir::to_json(cov);
  EXPECT_NE(all.find("\"valueString\":\"DM\""), std::string::npos) << all;
  EXPECT_NE(all.find("bpjs-esep\",\"valueBoolean\":true"), std::string::npos) << all;
  EXPECT_NE(all.find("\"valueString\":\"SKTM/01\""), std::string::npos) << all;
  EXPECT_NE(all.find("bpjs-cob-nama-asuransi\",\"valueString\":\"ASURANSI X\""), std::string::npos) << all;
  EXPECT_NE(all.find("bpjs-cob-tgl-tmt"), std::string::npos) << all;
  EXPECT_EQ(all.find("bpjs-cob-tgl-tat"), std::string::npos) << all;
  expect_no_empty_values(cov);

  auto pat = vf::patient_from_peserta(p);
  EXPECT_EQ(at(pat, {"gender"}), "female");
  EXPECT_EQ(at(pat, {"identifier", "2", "type", "coding", "0", "code"}), "MR");
  EXPECT_EQ(at(pat, {"identifier", "2", "value"}), "MR001");
  EXPECT_EQ(at(pat, {"telecom", "0", "value"}), "0811");
  expect_no_empty_values(pat);
}

TEST(VclaimEligibility, StandaloneCoverageUsesLogicalReferences) {
  auto cov = vf::coverage_from_peserta(catalogue_peserta(), false);
  EXPECT_EQ(at(cov, {"beneficiary", "identifier", "value"}), "0011336526592");
  EXPECT_EQ(at(cov, {"beneficiary", "reference"}), "<absent>");
  EXPECT_EQ(at(cov, {"payor", "0", "display"}), "BPJS Kesehatan");
  EXPECT_EQ(at(cov, {"payor", "0", "reference"}), "<absent>");
}

TEST(VclaimEligibility, PeriodEndingBeforeItStartsLosesItsEnd) {
  auto p = catalogue_peserta();
  p.tgl_tat = "2000-01-01";
  p.sex = "";
  p.tgl_lahir = "";
  p.nik = "";
  auto doc = vf::eligibility_response(p, {}, "2025-06-15T02:00:00Z");
  const auto& cov = contained(doc, "Coverage");
  EXPECT_EQ(at(cov, {"period", "start"}), "2008-10-01");
  EXPECT_EQ(at(cov, {"period", "end"}), "<absent>");
  const auto& pat = contained(doc, "Patient");
  EXPECT_EQ(at(pat, {"gender"}), "unknown");
  EXPECT_EQ(at(pat, {"birthDate"}), "<absent>");
  EXPECT_EQ(at(pat, {"identifier", "0", "system"}), kSys.no_kartu);  // no NIK to give
  expect_no_empty_values(doc);
}

TEST(VclaimEligibility, RequestWithAContainedPatientByCardOrNik) {
  auto card = json(R"({"resourceType":"CoverageEligibilityRequest","id":"e1","servicedDate":"2025-06-15",
    "contained":[{"resourceType":"Patient","id":"p","identifier":[
      {"system":"https://fhir.kemkes.go.id/id/nik","value":"3171012345678901"},
      {"system":"https://fhir.simpul.id/sid/bpjs-no-kartu","value":"0001234567890"}]}],
    "patient":{"reference":"#p"}})");
  auto q = vf::parse_eligibility_request(card, "2025-07-01");
  EXPECT_EQ(q.by, vf::EligibilityQuery::By::no_kartu);  // the card wins over the NIK
  EXPECT_EQ(q.value, "0001234567890");
  EXPECT_EQ(q.tgl_pelayanan, "2025-06-15");
  EXPECT_EQ(q.request_id, "e1");
  EXPECT_EQ(vf::path_segment(q.by), "nokartu");
  // Where each value came from (the dry-run trace).
  EXPECT_EQ(q.value_source, "CoverageEligibilityRequest.contained.Patient.identifier[1]");
  EXPECT_EQ(q.date_source, "CoverageEligibilityRequest.servicedDate");

  auto nik = json(R"({"resourceType":"CoverageEligibilityRequest",
    "patient":{"identifier":{"system":"https://fhir.kemkes.go.id/id/nik","value":"3171012345678901"}}})");
  q = vf::parse_eligibility_request(nik, "2025-07-01");
  EXPECT_EQ(q.by, vf::EligibilityQuery::By::nik);
  EXPECT_EQ(q.value, "3171012345678901");
  EXPECT_EQ(q.tgl_pelayanan, "2025-07-01");  // no servicedDate: today
  EXPECT_EQ(q.date_source, "default: today (Asia/Jakarta)");
  EXPECT_EQ(vf::path_segment(q.by), "nik");
}

TEST(VclaimEligibility, RequestWithAContainedCoverageAndAServicePeriod) {
  auto doc = json(R"({"resourceType":"CoverageEligibilityRequest",
    "servicedPeriod":{"start":"2025-06-14T08:00:00+07:00"},
    "contained":[{"resourceType":"Coverage","id":"c","subscriberId":"0001234567890"}],
    "patient":{"reference":"Patient/123"},
    "insurance":[{"coverage":{"reference":"#c"}}]})");
  auto q = vf::parse_eligibility_request(doc, "2025-07-01");
  EXPECT_EQ(q.by, vf::EligibilityQuery::By::no_kartu);
  EXPECT_EQ(q.value, "0001234567890");
  EXPECT_EQ(q.tgl_pelayanan, "2025-06-14");
  EXPECT_EQ(q.value_source, "CoverageEligibilityRequest.contained.Coverage.subscriberId");
  EXPECT_EQ(q.date_source, "CoverageEligibilityRequest.servicedPeriod.start");
}

TEST(VclaimEligibility, BadRequestsSayWhatIsWrong) {
  auto e = thrown([] { vf::parse_eligibility_request(json(R"({"resourceType":"Patient"})"), "2025-07-01"); });
  EXPECT_EQ(e.status(), 400);
  EXPECT_EQ(e.issues()[0].expression, std::vector<std::string>{"resourceType"});

  e = thrown([] {
    vf::parse_eligibility_request(json(R"({"resourceType":"CoverageEligibilityRequest",
      "patient":{"reference":"Patient/123"}})"),
                                  "2025-07-01");
  });
  EXPECT_EQ(e.status(), 400);
  EXPECT_EQ(e.issues()[0].code, "required");
  EXPECT_NE(e.issues()[0].diagnostics.find("card number"), std::string::npos);

  e = thrown([] {
    vf::parse_eligibility_request(json(R"({"resourceType":"CoverageEligibilityRequest",
      "patient":{"identifier":{"system":"https://fhir.simpul.id/sid/bpjs-no-kartu","value":"12AB"}}})"),
                                  "2025-07-01");
  });
  EXPECT_EQ(e.issues()[0].code, "value");
  EXPECT_EQ(e.issues()[0].expression, std::vector<std::string>{"CoverageEligibilityRequest.patient.identifier"});
  EXPECT_EQ(e.internal().find("12AB"), std::string::npos);  // logs say the length, not the value

  e = thrown([] {
    vf::parse_eligibility_request(json(R"({"resourceType":"CoverageEligibilityRequest","servicedDate":"2025-06",
      "patient":{"identifier":{"system":"https://fhir.kemkes.go.id/id/nik","value":"3171012345678901"}}})"),
                                  "2025-07-01");
  });
  EXPECT_EQ(e.issues()[0].code, "value");
  EXPECT_EQ(e.issues()[0].expression, std::vector<std::string>{"CoverageEligibilityRequest.servicedDate"});

  e = thrown([] {
    vf::parse_eligibility_request(json(R"({"resourceType":"CoverageEligibilityRequest",
      "patient":{"identifier":{"system":"https://fhir.kemkes.go.id/id/nik","value":"317101"}}})"),
                                  "2025-07-01");
  });
  EXPECT_NE(e.issues()[0].diagnostics.find("16 digits"), std::string::npos);
}

TEST(VclaimEligibility, CoverageSearchParameters) {
  auto q =
      vf::parse_coverage_search("https://fhir.simpul.id/sid/bpjs-no-kartu|0001234567890", "eq2025-06-15", "2025-07-01");
  EXPECT_EQ(q.by, vf::EligibilityQuery::By::no_kartu);
  EXPECT_EQ(q.tgl_pelayanan, "2025-06-15");
  q = vf::parse_coverage_search("https://fhir.kemkes.go.id/id/nik|3171012345678901", "", "2025-07-01");
  EXPECT_EQ(q.by, vf::EligibilityQuery::By::nik);
  EXPECT_EQ(q.tgl_pelayanan, "2025-07-01");

  auto e = thrown([] { vf::parse_coverage_search("0001234567890", "", "2025-07-01"); });
  EXPECT_EQ(e.issues()[0].expression, std::vector<std::string>{"identifier"});
  e = thrown([] { vf::parse_coverage_search("urn:other|0001234567890", "", "2025-07-01"); });
  EXPECT_EQ(e.issues()[0].code, "required");
  e = thrown([] { vf::parse_coverage_search("https://fhir.kemkes.go.id/id/nik|3171012345678901", "ge2025", "x"); });
  EXPECT_EQ(e.issues()[0].expression, std::vector<std::string>{"date"});

  // The same check under another search parameter names that parameter.
  q = vf::parse_participant_identifier("https://fhir.simpul.id/sid/bpjs-no-kartu|0001234567890", "patient.identifier");
  EXPECT_EQ(q.value, "0001234567890");
  EXPECT_TRUE(q.tgl_pelayanan.empty());
  e = thrown([] { vf::parse_participant_identifier("0001234567890", "patient.identifier"); });
  EXPECT_EQ(e.issues()[0].expression, std::vector<std::string>{"patient.identifier"});

  // A deployment may use its own card-number system.
  vf::Systems mine;
  mine.no_kartu = "http://rs.example/bpjs";
  q = vf::parse_coverage_search("http://rs.example/bpjs|0001234567890", "", "2025-07-01", mine);
  EXPECT_EQ(q.value, "0001234567890");
}
