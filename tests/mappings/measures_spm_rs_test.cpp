// Hospital SPM (Kepmenkes 129/2008) from encounter facts: hand-computed fixture for
// one month, with every threshold edge (exactly 5 min, 60 min, 48 h, 24 h, 140 min, 3 h, 72 h).
#include <string>

#include <gtest/gtest.h>

#include "fhir/error.hpp"
#include "mappings/measures/spm_rs.hpp"
#include "tests/mappings/measures_facts_fixture.hpp"

namespace m = simpul::mappings::measures;
namespace rs = simpul::mappings::measures::rs;
using simpul::testing::measures::Facts;

namespace {

const std::string kExp = "http://terminology.hl7.org/CodeSystem/discharge-disposition|exp";
const std::string kAadvice = "http://terminology.hl7.org/CodeSystem/discharge-disposition|aadvice";
const std::string kHome = "http://terminology.hl7.org/CodeSystem/discharge-disposition|home";

struct Month {
  Facts f;
  m::Subject person(const std::string& name) { return f.person(name, Facts::day(1970, 1, 1)); }
  m::EncounterFact& enc(m::Subject s, m::EncounterClass cls, m::Instant start, m::Instant end = m::kNoInstant) {
    auto& e = f.enc(s, start, cls, end);
    e.provider = f.code("Organization/rs");
    return e;
  }
};

rs::Scope october() {
  rs::Scope s;
  s.period = m::months_period(2026, 10, 2026, 10);
  return s;
}

}  // namespace

TEST(SpmRs, EmergencyOutpatientInpatientLabRadiologyIcuDelivery) {
  Month mo;
  Facts& f = mo.f;
  const m::Instant min = 60, hour = 3600;

  // IGD (emergency): response = in-progress - arrived.
  // e1 5:00 (within <= 5 min), e2 5:01 (not), e3 never seen, e4 died after 23h59m (< 24 h), e5 died at exactly 24 h.
  auto er = [&](const std::string& n, m::Instant arrived, m::Instant seen) -> m::EncounterFact& {
    auto& e = mo.enc(mo.person(n), m::EncounterClass::emer, arrived);
    e.arrived = arrived;
    e.seen = seen;
    return e;
  };
  er("e1", f.at(2026, 10, 2, 10), f.at(2026, 10, 2, 10, 5));
  er("e2", f.at(2026, 10, 2, 11), f.at(2026, 10, 2, 11, 5) + 1);
  er("e3", f.at(2026, 10, 2, 12), m::kNoInstant);
  {
    auto& e = er("e4", f.at(2026, 10, 3, 12), m::kNoInstant);
    e.end = f.at(2026, 10, 4, 11, 59);
    e.discharge = f.code(kExp);
  }
  {
    auto& e = er("e5", f.at(2026, 10, 5, 12), m::kNoInstant);
    e.end = f.at(2026, 10, 6, 12);
    e.discharge = f.code(kExp);
  }
  er("e6", f.at(2026, 9, 30, 10), f.at(2026, 9, 30, 10, 1));  // September: not this month

  // Rawat jalan (outpatient): waiting = in-progress - arrived (else period.start).
  // a1 60:00 (within <= 60 min), a2 60:01 (not), a3 no arrival status: from the start, 30:00.
  {
    auto& a = mo.enc(mo.person("a1"), m::EncounterClass::amb, f.at(2026, 10, 7, 8));
    a.arrived = f.at(2026, 10, 7, 8);
    a.seen = f.at(2026, 10, 7, 9);
    auto& b = mo.enc(mo.person("a2"), m::EncounterClass::amb, f.at(2026, 10, 7, 8));
    b.arrived = f.at(2026, 10, 7, 8);
    b.seen = f.at(2026, 10, 7, 9) + 1;
    auto& c = mo.enc(mo.person("a3"), m::EncounterClass::amb, f.at(2026, 10, 7, 8));
    c.seen = f.at(2026, 10, 7, 8, 30);
  }

  // Rawat inap (inpatients discharged in October): 6.
  // i1 died at exactly 48 h (not > 48 h), DPJP; i2 died at 48h01m (> 48 h), DPJP; i3 pulang paksa, no DPJP;
  // i4 discharged 1 Nov 00:30 WIB (November); i5 TB with smear microscopy, DPJP; i6 TB without smear;
  // i7 died 50 h after admission (Patient.deceased, no disposition).
  {
    auto& i1 = mo.enc(mo.person("i1"), m::EncounterClass::imp, f.at(2026, 10, 1, 8), f.at(2026, 10, 3, 8));
    i1.discharge = f.code(kExp);
    i1.has_attender = true;
  }
  {
    auto& i2 = mo.enc(mo.person("i2"), m::EncounterClass::imp, f.at(2026, 10, 1, 8), f.at(2026, 10, 3, 8, 1));
    i2.discharge = f.code(kExp);
    i2.has_attender = true;
  }
  mo.enc(mo.person("i3"), m::EncounterClass::imp, f.at(2026, 10, 8, 8), f.at(2026, 10, 9, 8)).discharge =
      f.code(kAadvice);
  mo.enc(mo.person("i4"), m::EncounterClass::imp, f.at(2026, 10, 28, 8), f.at(2026, 11, 1, 0, 30)).discharge =
      f.code(kAadvice);
  const m::Subject i5 = mo.person("i5");
  {
    auto& e = mo.enc(i5, m::EncounterClass::imp, f.at(2026, 9, 25, 8), f.at(2026, 10, 10, 8));
    e.ref = f.code("Encounter/i5");
    e.has_attender = true;
    e.discharge = f.code(kHome);
  }
  f.cond(i5, Facts::icd("A15.0"), f.at(2026, 9, 26), "Encounter/i5");
  f.obs(i5, Facts::loinc("11545-1"), f.at(2026, 9, 27));
  const m::Subject i6 = mo.person("i6");
  mo.enc(i6, m::EncounterClass::imp, f.at(2026, 10, 11, 8), f.at(2026, 10, 20, 8));
  f.cond(i6, Facts::icd("A16.2"), f.at(2026, 10, 12));
  const m::Subject i7 = mo.person("i7");
  mo.enc(i7, m::EncounterClass::imp, f.at(2026, 10, 21, 8), f.at(2026, 10, 23, 10));
  f.st.patients.back().deceased = f.at(2026, 10, 23, 10);

  // Lab: one case per collection time; the last result released ends it.
  // l1 collected 07:00, results 08:00 and 09:20 -> 140 min (within); l2 141 min (not); l3 no issued (missing);
  // a blood pressure is not a lab test.
  const m::Subject l1 = mo.person("l1");
  for (m::Instant issued : {f.at(2026, 10, 14, 8), f.at(2026, 10, 14, 9, 20)}) {
    auto& o = f.obs(l1, Facts::loinc(issued == f.at(2026, 10, 14, 8) ? "2345-7" : "718-7"), f.at(2026, 10, 14, 7));
    o.issued = issued;
    o.lab = true;
  }
  {
    auto& o = f.obs(mo.person("l2"), Facts::loinc("2160-0"), f.at(2026, 10, 14, 7));
    o.issued = f.at(2026, 10, 14, 9, 21);
    o.lab = true;
    f.obs(mo.person("l3"), Facts::loinc("718-7"), f.at(2026, 10, 14, 7)).lab = true;
    f.obs(mo.person("bp"), Facts::loinc("8480-6"), f.at(2026, 10, 14, 7)).issued = f.at(2026, 10, 14, 23);
  }
  // Chest X-ray taken 10:00, reported 13:00 -> exactly 3 h (within).
  f.obs(mo.person("x1"), Facts::loinc("36643-5"), f.at(2026, 10, 15, 10)).issued = f.at(2026, 10, 15, 13);

  // ICU: u1 out on 5 Oct 10:00, back on 8 Oct 10:00 (exactly 72 h) -> a return; 2 ICU stays ended in October.
  const m::Subject u1 = mo.person("u1");
  const m::Code icu = f.code("https://fhir.simpul.id/CodeSystem/unit-layanan|ICU");
  mo.enc(u1, m::EncounterClass::other, f.at(2026, 10, 2, 10), f.at(2026, 10, 5, 10)).service_type = icu;
  mo.enc(u1, m::EncounterClass::other, f.at(2026, 10, 8, 10), f.at(2026, 10, 9, 10)).service_type = icu;

  // Deliveries: m1 caesarean (O82), m2 normal (O80), m3 O80 + ICD-9-CM 74.1 the same day (one caesarean delivery).
  f.cond(mo.person("m1"), Facts::icd("O82.0"), f.at(2026, 10, 5));
  f.cond(mo.person("m2"), Facts::icd("O80"), f.at(2026, 10, 6));
  const m::Subject m3 = mo.person("m3");
  f.cond(m3, Facts::icd("O80"), f.at(2026, 10, 7, 8));
  f.proc(m3, "http://hl7.org/fhir/sid/icd-9-cm|74.1", f.at(2026, 10, 7, 9));

  const auto& st = f.done();
  const rs::RsResult r = rs::evaluate_spm_rs(st, october(), rs::default_rs_params());
  EXPECT_EQ(r.er_response, (m::DurationStat{5 * min + 5 * min + 1, 2, 1, 3}));
  EXPECT_EQ(r.er_death_24h, (m::Proportion{1, 5}));
  EXPECT_EQ(r.outpatient_wait, (m::DurationStat{hour + hour + 1 + 30 * min, 3, 2, 0}));
  EXPECT_EQ(r.dpjp, (m::Proportion{3, 6}));
  EXPECT_EQ(r.death_over_48h, (m::Proportion{2, 6}));
  EXPECT_EQ(r.pulang_paksa, (m::Proportion{1, 6}));
  EXPECT_EQ(r.inpatient_tb_microscopy, (m::Proportion{1, 2}));
  EXPECT_EQ(r.lab_turnaround, (m::DurationStat{140 * min + 141 * min, 2, 1, 1}));
  // Mean 140.5 minutes = 16860 s / (60 x 2), as an exact fraction; half the cases within 140 minutes.
  EXPECT_EQ(r.lab_turnaround.mean_minutes(), (m::Proportion{16860, 120}));
  EXPECT_EQ(r.lab_turnaround.share_within(), (m::Proportion{1, 2}));
  EXPECT_EQ(r.cxr_turnaround, (m::DurationStat{3 * hour, 1, 1, 0}));
  EXPECT_EQ(r.icu_return_72h, (m::Proportion{1, 2}));
  EXPECT_EQ(r.caesarean, (m::Proportion{2, 3}));

  // Another facility's encounters only: nothing of ours.
  rs::Scope other = october();
  other.provider = "Organization/unknown";
  EXPECT_EQ(rs::evaluate_spm_rs(st, other, rs::default_rs_params()), rs::RsResult{});
  rs::Scope ours = october();
  ours.provider = "Organization/rs";
  EXPECT_EQ(rs::evaluate_spm_rs(st, ours, rs::default_rs_params()).pulang_paksa, (m::Proportion{1, 6}));
}

TEST(SpmRs, UnfinalizedStoreIsAnError) {
  m::FactStore st;
  EXPECT_THROW(rs::evaluate_spm_rs(st, october(), rs::default_rs_params()), simpul::fhir::Error);
}
