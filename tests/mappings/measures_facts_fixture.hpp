#pragma once
// Hand-built fact stores for the indicator tests: each test adds a few facts whose
// expected numerator/denominator can be counted by hand, then finalizes.
#include <string>
#include <string_view>

#include "mappings/measures/facts.hpp"

namespace simpul::testing::measures {

namespace m = simpul::mappings::measures;

struct Facts {
  m::FactStore st;
  int off = 420;  // WIB

  // A local (WIB) instant.
  m::Instant at(int y, unsigned mo, unsigned d, int hh = 9, int mm = 0) const {
    return m::day_start(m::day_from_civil(y, mo, d), off) + hh * 3600 + mm * 60;
  }
  static m::Day day(int y, unsigned mo, unsigned d) { return m::day_from_civil(y, mo, d); }
  m::Code code(std::string_view s) { return st.codes.intern(s); }
  static std::string loinc(std::string_view c) { return std::string(m::kLoinc) + "|" + std::string(c); }
  static std::string icd(std::string_view c) { return std::string(m::kIcd10) + "|" + std::string(c); }

  m::Subject person(const std::string& pseudonym, m::Day birth, m::Sex sex = m::Sex::female,
                    std::string_view area = {}) {
    m::PatientFact p;
    p.subject = st.subject(pseudonym);
    p.birth = birth;
    p.sex = sex;
    if (!area.empty()) p.area = code(area);
    st.patients.push_back(p);
    return p.subject;
  }
  m::EncounterFact& enc(m::Subject s, m::Instant start, m::EncounterClass cls = m::EncounterClass::amb,
                        m::Instant end = m::kNoInstant) {
    m::EncounterFact e;
    e.subject = s;
    e.start = start;
    e.end = end;
    e.cls = cls;
    e.status = m::EncounterStatus::finished;
    st.encounters.push_back(e);
    return st.encounters.back();
  }
  m::ObservationFact& obs(m::Subject s, std::string_view c, m::Instant t, std::int64_t milli = 0) {
    m::ObservationFact o;
    o.subject = s;
    o.code = code(c);
    o.time = t;
    o.value_milli = milli;
    o.kind = m::ValueKind::quantity;
    st.observations.push_back(o);
    return st.observations.back();
  }
  m::ConditionFact& cond(m::Subject s, std::string_view c, m::Instant onset, std::string_view encounter = {}) {
    m::ConditionFact f;
    f.subject = s;
    f.code = code(c);
    f.onset = onset;
    if (!encounter.empty()) f.encounter = code(encounter);
    st.conditions.push_back(f);
    return st.conditions.back();
  }
  m::ProcedureFact& proc(m::Subject s, std::string_view c, m::Instant t) {
    m::ProcedureFact f;
    f.subject = s;
    f.code = code(c);
    f.time = t;
    st.procedures.push_back(f);
    return st.procedures.back();
  }
  m::ImmunizationFact& imm(m::Subject s, std::string_view c, m::Instant t) {
    m::ImmunizationFact f;
    f.subject = s;
    f.vaccine = code(c);
    f.time = t;
    st.immunizations.push_back(f);
    return st.immunizations.back();
  }
  m::ServiceRequestFact& referral(m::Subject s, m::Instant t, std::string_view encounter = {}) {
    m::ServiceRequestFact f;
    f.subject = s;
    f.time = t;
    f.referral = true;
    if (!encounter.empty()) f.encounter = code(encounter);
    st.service_requests.push_back(f);
    return st.service_requests.back();
  }
  m::EpisodeOfCareFact& pregnancy(m::Subject s, std::string_view ref, m::Day lmp, m::Day end = m::kNoDay) {
    m::EpisodeOfCareFact f;
    f.subject = s;
    f.ref = code(ref);
    f.lmp = lmp;
    f.lmp_explicit = true;
    f.end = end;
    f.pregnancy = true;
    st.episodes.push_back(f);
    return st.episodes.back();
  }
  const m::FactStore& done() {
    st.finalize();
    return st;
  }
};

}  // namespace simpul::testing::measures
