#include "mappings/measures/kbk.hpp"

#include <string>

#include "fhir/error.hpp"

namespace simpul::mappings::measures {

namespace {

constexpr KbkIndicatorRule kAk{
    "AK",
    "‰",
    "0.4",
    {{BandComparison::at_least, "150"}, {BandComparison::more_than, "145"}, {BandComparison::more_than, "140"}},
    "1000"};
constexpr KbkIndicatorRule kRrns{
    "RRNS",
    "%",
    "0.5",
    {{BandComparison::at_most, "2"}, {BandComparison::at_most, "2.5"}, {BandComparison::at_most, "3"}},
    "100"};
constexpr KbkIndicatorRule kRppt{
    "RPPT",
    "%",
    "0.1",
    {{BandComparison::at_least, "5"}, {BandComparison::at_least, "4"}, {BandComparison::at_least, "3"}},
    "100"};

bool holds(const Rational& value, const RatingBand& band) {
  const Rational bound = Rational::parse(band.bound);
  switch (band.comparison) {
    case BandComparison::at_least:
      return value >= bound;
    case BandComparison::more_than:
      return value > bound;
    case BandComparison::at_most:
      return value <= bound;
    case BandComparison::less_than:
      return value < bound;
  }
  return false;
}

int rate(const KbkIndicatorRule& rule, const Rational& value) {
  if (value.is_negative() || value > Rational::parse(rule.max_value))
    throw fhir::Error::value(std::string(rule.code) + " must be between 0 and " + std::string(rule.max_value) +
                             std::string(rule.unit) + ", not " + value.exact_decimal().value_or(value.to_string()) +
                             ".");
  for (int i = 0; i < 3; ++i)
    if (holds(value, rule.bands[i])) return 4 - i;
  return 1;
}

KbkIndicatorResult result(const KbkIndicatorRule& rule, const Rational& value) {
  KbkIndicatorResult r;
  r.value = value;
  r.rating = rate(rule, value);
  r.score = Rational::parse(rule.weight) * Rational(r.rating);
  return r;
}

}  // namespace

const KbkIndicatorRule& kbk_rule_ak() {
  return kAk;
}
const KbkIndicatorRule& kbk_rule_rrns() {
  return kRrns;
}
const KbkIndicatorRule& kbk_rule_rppt() {
  return kRppt;
}

int rate_ak(const Rational& per_mille) {
  return rate(kAk, per_mille);
}
int rate_rrns(const Rational& percent) {
  return rate(kRrns, percent);
}
int rate_rppt(const Rational& percent) {
  return rate(kRppt, percent);
}

int capitation_percent(const Rational& total_score) {
  if (total_score >= Rational(4)) return 100;
  if (total_score >= Rational(3)) return 95;
  if (total_score >= Rational(2)) return 90;
  return 85;
}

KbkResult kbk_score(const Rational& ak_per_mille, const Rational& rrns_percent, const Rational& rppt_percent) {
  KbkResult r;
  r.ak = result(kAk, ak_per_mille);
  r.rrns = result(kRrns, rrns_percent);
  r.rppt = result(kRppt, rppt_percent);
  r.total = r.ak.score + r.rrns.score + r.rppt.score;
  r.capitation_percent = capitation_percent(r.total);
  return r;
}

Rational angka_kontak(std::int64_t participants_with_contact, std::int64_t registered_participants) {
  if (registered_participants == 0)
    throw fhir::Error::unprocessable("AK is undefined: no participants are registered at the FKTP this month.");
  if (participants_with_contact > registered_participants)
    throw fhir::Error::value("AK: more participants with contact (" + std::to_string(participants_with_contact) +
                             ") than registered participants (" + std::to_string(registered_participants) + ").");
  return ratio_of_counts(participants_with_contact, registered_participants, 1000);
}

Rational rasio_rujukan_non_spesialistik(std::int64_t non_specialist_referrals_excluding_tacc,
                                        std::int64_t all_referrals) {
  if (non_specialist_referrals_excluding_tacc < 0 || all_referrals < 0)
    throw fhir::Error::unprocessable("Indicator counts cannot be negative.");
  if (non_specialist_referrals_excluding_tacc > all_referrals)
    throw fhir::Error::value("RRNS: more non-specialist referrals (" +
                             std::to_string(non_specialist_referrals_excluding_tacc) + ") than referrals (" +
                             std::to_string(all_referrals) + ").");
  if (all_referrals == 0) return Rational(0);
  return ratio_of_counts(non_specialist_referrals_excluding_tacc, all_referrals, 100);
}

Rational rasio_prolanis_terkendali(std::int64_t dm_controlled, std::int64_t dm_registered, std::int64_t ht_controlled,
                                   std::int64_t ht_registered) {
  if (dm_registered == 0 || ht_registered == 0)
    throw fhir::Error::unprocessable(std::string("RPPT is undefined: no participants registered with a ") +
                                     (dm_registered == 0 ? "DM" : "HT") + " diagnosis.");
  if (dm_controlled > dm_registered || ht_controlled > ht_registered)
    throw fhir::Error::value("RPPT: more controlled participants than participants registered with the diagnosis.");
  const Rational dm = ratio_of_counts(dm_controlled, dm_registered, 100);
  const Rational ht = ratio_of_counts(ht_controlled, ht_registered, 100);
  return (dm + ht) / Rational(2);
}

}  // namespace simpul::mappings::measures
