// Indicator evaluation over a district-year: 1,000,000 synthetic encounters (and the
// observations, diagnoses, referrals and pregnancies that go with them) for 200,000 people,
// then every measure the facts can answer: KBK for each of the 12 months (5 measures), the
// 12 SPM puskesmas services for the year, and the hospital SPM measures for the year.
// Fixed work, one process; prints the time of each phase per run, the medians, and the peak
// RSS. Not part of CI.
//   build/bench/measures_evaluate_bench [encounters=1000000] [runs=3]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "mappings/measures/catalogue.hpp"
#include "mappings/measures/evaluate.hpp"

namespace m = simpul::mappings::measures;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// A district-year of facts, deterministic (seeded).
void synthesise(m::FactStore& st, long encounters) {
  std::mt19937_64 rng(20261207);
  const int offset = 420;
  const long people = std::max(1L, encounters / 5);
  const m::Day year_start = m::day_from_civil(2026, 1, 1);
  const auto code = [&](const std::string& s) { return st.codes.intern(s); };
  const m::Code sys = code("http://loinc.org|8480-6"), dia = code("http://loinc.org|8462-4"),
                glu = code("http://loinc.org|1558-6"), wt = code("http://loinc.org|29463-7"),
                ht = code("http://hl7.org/fhir/sid/icd-10|I10"), dm = code("http://hl7.org/fhir/sid/icd-10|E11.9"),
                j06 = code("http://hl7.org/fhir/sid/icd-10|J06.9"), i21 = code("http://hl7.org/fhir/sid/icd-10|I21.0");
  std::uniform_int_distribution<int> day_of_year(0, 364), minute(7 * 60, 15 * 60), age_days(0, 80 * 365);
  for (long i = 0; i < people; ++i) {
    m::PatientFact p;
    std::string pseudonym = "s";
    pseudonym += std::to_string(i);
    p.subject = st.subject(pseudonym);
    p.birth = year_start - age_days(rng);
    p.sex = (i % 2) ? m::Sex::female : m::Sex::male;
    p.jkn = (i % 10) < 7;
    p.area = code(i % 3 ? "731801" : "731802");
    st.patients.push_back(p);
    const bool hypertensive = i % 10 == 0, diabetic = i % 20 == 0;
    if (hypertensive) st.conditions.push_back({p.subject, m::day_start(year_start - 30, offset), ht, m::kNoCode});
    if (diabetic) st.conditions.push_back({p.subject, m::day_start(year_start - 30, offset), dm, m::kNoCode});
    if (p.sex == m::Sex::female && i % 50 == 1) {  // a pregnancy across the year
      m::EpisodeOfCareFact e;
      e.subject = p.subject;
      e.pregnancy = true;
      e.lmp_explicit = true;
      e.lmp = year_start - 60 + day_of_year(rng) % 120;
      e.end = e.lmp + 275;
      e.outcome = m::PregnancyOutcome::live_birth;
      st.episodes.push_back(e);
    }
  }
  for (long n = 0; n < encounters; ++n) {
    const m::Subject s = static_cast<m::Subject>(n % people);
    const m::Instant t = m::day_start(year_start + day_of_year(rng), offset) + minute(rng) * 60;
    m::EncounterFact e;
    e.subject = s;
    e.start = t;
    e.end = t + 1800;
    e.arrived = t - 900;
    e.seen = t;
    e.cls = n % 50 == 0 ? m::EncounterClass::emer : n % 40 == 0 ? m::EncounterClass::imp : m::EncounterClass::amb;
    e.status = m::EncounterStatus::finished;
    st.encounters.push_back(e);
    m::ObservationFact o;
    o.subject = s;
    o.time = t;
    o.kind = m::ValueKind::quantity;
    o.code = sys;
    o.value_milli = 110'000 + static_cast<std::int64_t>(rng() % 60) * 1000;
    st.observations.push_back(o);
    o.code = dia;
    o.value_milli = 70'000 + static_cast<std::int64_t>(rng() % 30) * 1000;
    st.observations.push_back(o);
    o.code = n % 3 ? wt : glu;
    o.value_milli = 60'000 + static_cast<std::int64_t>(rng() % 100) * 1000;
    st.observations.push_back(o);
    if (n % 33 == 0) {
      m::ServiceRequestFact r;
      r.subject = s;
      r.time = t;
      r.referral = true;
      r.reason = n % 2 ? j06 : i21;
      st.service_requests.push_back(r);
    }
  }
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const long encounters = argc > 1 ? std::atol(argv[1]) : 1'000'000;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 3;
  m::MeasureParameters params;
  params.kbk_given = true;
  params.kbk.registered_participants = encounters / 5;
  params.kbk.competence_diagnoses = {"http://hl7.org/fhir/sid/icd-10|J06*"};
  for (const auto& d : m::measure_catalogue()) {
    if (d.family == m::Family::spm_puskesmas) params.sasaran[std::string(d.id)] = encounters / 50;
  }
  std::vector<double> build_s, finalize_s, evaluate_s;
  std::size_t reports = 0, facts = 0;
  for (int run = 0; run < runs; ++run) {
    m::FactStore st;
    auto t0 = Clock::now();
    synthesise(st, encounters);
    build_s.push_back(seconds_since(t0));
    facts = st.encounters.size() + st.observations.size() + st.conditions.size() + st.service_requests.size() +
            st.episodes.size() + st.patients.size();
    t0 = Clock::now();
    st.finalize();
    finalize_s.push_back(seconds_since(t0));
    t0 = Clock::now();
    reports = 0;
    m::EvaluationCache cache;
    for (const auto& d : m::measure_catalogue()) {
      if (!m::evaluable(d)) continue;
      if (d.family == m::Family::kbk) {
        for (int month = 1; month <= 12; ++month) {
          char key[16];
          std::snprintf(key, sizeof key, "2026-%02d", month);
          m::evaluate_measure(d, st, m::parse_period_key(key), params, {}, &cache);
          ++reports;
        }
      } else {
        m::evaluate_measure(d, st, m::parse_period_key("2026"), params, {}, &cache);
        ++reports;
      }
    }
    evaluate_s.push_back(seconds_since(t0));
    std::printf("run %d: %zu facts (%ld encounters); synthesise %.2f s, finalize %.2f s, evaluate %zu reports %.2f s\n",
                run + 1, facts, encounters, build_s.back(), finalize_s.back(), reports, evaluate_s.back());
  }
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("median: finalize %.2f s + evaluate %.2f s = %.2f s for %zu MeasureReports over %ld encounters; "
              "peak RSS %.0f MiB\n",
              median(finalize_s), median(evaluate_s), median(finalize_s) + median(evaluate_s), reports, encounters,
              static_cast<double>(ru.ru_maxrss) / 1024.0);
  std::printf("rerun: build/bench/measures_evaluate_bench %ld %d\n", encounters, runs);
  return 0;
}
