// V-Claim rujukan (referral) -> FHIR ServiceRequest.
#include <gtest/gtest.h>

#include "fhir/error.hpp"
#include "fhir/json.hpp"
#include "mappings/vclaim_fhir/rujukan.hpp"

namespace b = simpul::mappings::bpjs;
namespace vf = simpul::mappings::vclaim_fhir;

namespace {

b::Rujukan sample() {
  b::Rujukan r;
  r.diagnosa = {"I63.9", "Cerebral infarction, unspecified"};
  r.keluhan = "lemah sisi kanan";
  r.no_kunjungan = "0114U0031126P061469";
  r.pelayanan = {"2", "Rawat Jalan"};
  r.peserta.no_kartu = "0001234567890";
  r.peserta.nama = "TOJA DIRI";
  r.peserta.sex.push_back('L');  // GCC 12 -O3 misreports = "L" as -Wrestrict (PR 105651)
  r.poli_rujukan = {"SAR", "SARAF"};
  r.prov_perujuk = {"0114U003", "KLINIK PRATAMA SENTOSA"};
  r.tgl_kunjungan = "2025-06-10";
  return r;
}

// The search value "<referral-number system>|<no>".
std::string ident(std::string_view no) {
  std::string s(vf::kNoRujukanSystem);
  s += '|';
  s += no;
  return s;
}

}  // namespace

TEST(VclaimRujukan, ReferralBecomesAServiceRequest) {
  auto doc = vf::service_request_from_rujukan(sample(), 1);
  const std::string json = simpul::fhir::to_json(doc);
  EXPECT_EQ(std::string(doc["resourceType"].GetString()), "ServiceRequest");
  EXPECT_EQ(std::string(doc["id"].GetString()), "0114U0031126P061469");
  EXPECT_EQ(std::string(doc["identifier"][0]["system"].GetString()), vf::kNoRujukanSystem);
  EXPECT_EQ(std::string(doc["status"].GetString()), "active");
  EXPECT_EQ(std::string(doc["intent"].GetString()), "order");
  EXPECT_EQ(std::string(doc["subject"]["reference"].GetString()), "#patient");
  EXPECT_EQ(std::string(doc["contained"][0]["resourceType"].GetString()), "Patient");
  EXPECT_EQ(std::string(doc["contained"][0]["gender"].GetString()), "male");
  EXPECT_EQ(std::string(doc["authoredOn"].GetString()), "2025-06-10");
  EXPECT_EQ(std::string(doc["requester"]["identifier"]["value"].GetString()), "0114U003");
  EXPECT_EQ(std::string(doc["requester"]["type"].GetString()), "Organization");
  EXPECT_EQ(std::string(doc["reasonCode"][0]["coding"][0]["system"].GetString()), "http://hl7.org/fhir/sid/icd-10");
  EXPECT_EQ(std::string(doc["reasonCode"][0]["coding"][0]["code"].GetString()), "I63.9");
  EXPECT_EQ(std::string(doc["performerType"]["coding"][0]["code"].GetString()), "SAR");
  EXPECT_EQ(std::string(doc["category"][0]["coding"][0]["code"].GetString()), "2");
  EXPECT_EQ(std::string(doc["note"][0]["text"].GetString()), "lemah sisi kanan");
  EXPECT_NE(json.find("\"code\":\"1\",\"display\":\"Faskes 1 (FKTP)\""), std::string::npos) << json;

  auto rs = vf::service_request_from_rujukan(sample(), 2);
  EXPECT_NE(simpul::fhir::to_json(rs).find("\"code\":\"2\",\"display\":\"Faskes 2"), std::string::npos);
}

TEST(VclaimRujukan, MissingPartsAreLeftOutNotEmpty) {
  b::Rujukan r;
  r.no_kunjungan = "0114U0031126P061469";
  r.peserta.no_kartu = "0001234567890";
  auto doc = vf::service_request_from_rujukan(r, 1);
  EXPECT_FALSE(doc.HasMember("requester"));
  EXPECT_FALSE(doc.HasMember("reasonCode"));
  EXPECT_FALSE(doc.HasMember("performerType"));
  EXPECT_FALSE(doc.HasMember("note"));
  EXPECT_FALSE(doc.HasMember("category"));
  EXPECT_FALSE(doc.HasMember("authoredOn"));
  EXPECT_TRUE(doc.HasMember("subject"));
}

TEST(VclaimRujukan, IdentifierSearchValue) {
  EXPECT_EQ(vf::parse_rujukan_identifier(ident("0114U0031126P061469")), "0114U0031126P061469");
  EXPECT_THROW(vf::parse_rujukan_identifier("0114U0031126P061469"), simpul::fhir::Error);
  EXPECT_THROW(vf::parse_rujukan_identifier("urn:x|0114U0031126P061469"), simpul::fhir::Error);
  EXPECT_THROW(vf::parse_rujukan_identifier(ident("0114U003")), simpul::fhir::Error);
  EXPECT_THROW(vf::parse_rujukan_identifier(ident("0114U0031126P06146/")), simpul::fhir::Error);
}
