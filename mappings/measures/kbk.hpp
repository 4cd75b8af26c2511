#pragma once
// KBK: Kapitasi Berbasis Kinerja (performance-based capitation) of a puskesmas
// or other FKTP (Fasilitas Kesehatan Tingkat Pertama, primary-care facility).
// BPJS Kesehatan adjusts the monthly capitation by three indicators:
//   AK   Angka Kontak (contact rate), per mille               weight 0.40
//   RRNS Rasio Rujukan rawat jalan kasus Non Spesialistik
//        (non-specialist outpatient referral ratio), percent   weight 0.50
//   RPPT Rasio Peserta Prolanis Terkendali (controlled chronic-
//        disease programme participants), percent               weight 0.10
// Each value gets a rating 1..4 (Tabel 1), the weighted sum of the ratings is
// the score (1.0..4.0), and the score sets the share of the capitation tariff
// paid (Tabel 2): 4 -> 100%, 3..<4 -> 95%, 2..<3 -> 90%, 1..<2 -> 85%.
//
// Source: the national BPJS–FKTP PKS template, PKS 616/KTR/VIII-01/1223 (2024),
// Lampiran II I.A.2.d (L2955–3314); research/seed-003-pks-bpjs-fktp.md §3.3–3.4.
// Everything is exact (mappings/measures/exact.hpp): AK exactly 145‰ is rating
// 2, RRNS exactly 2.5% is rating 3, RPPT exactly 4% is rating 3, and a total of
// exactly 4.0 pays 100%.
#include <cstdint>
#include <string_view>

#include "mappings/measures/exact.hpp"

namespace simpul::mappings::measures {

// The rule set the ratings come from (a PKS year may change thresholds or weights).
inline constexpr std::string_view kKbkRulesVersion = "pks-bpjs-fktp-2024";

// One indicator's rating bands, best first. Rating 4 when `value cmp4 bound4`,
// else 3 when `value cmp3 bound3`, else 2 when `value cmp2 bound2`, else 1.
enum class BandComparison { at_least, more_than, at_most, less_than };
struct RatingBand {
  BandComparison comparison;
  std::string_view bound;  // exact decimal, in the indicator's unit
};
struct KbkIndicatorRule {
  std::string_view code;       // "AK", "RRNS", "RPPT"
  std::string_view unit;       // "‰" or "%"
  std::string_view weight;     // exact decimal, e.g. "0.4"
  RatingBand bands[3];         // for ratings 4, 3 and 2
  std::string_view max_value;  // the largest possible value: "1000" (‰) or "100" (%)
};

// The 2024 rules (Tabel 1): AK ≥150 / >145 / >140; RRNS ≤2 / ≤2.5 / ≤3; RPPT ≥5 / ≥4 / ≥3.
const KbkIndicatorRule& kbk_rule_ak();
const KbkIndicatorRule& kbk_rule_rrns();
const KbkIndicatorRule& kbk_rule_rppt();

// The rating 1..4 of a value (‰ for AK, % for RRNS and RPPT). Throws fhir::Error
// 400 (value) when the value is outside its possible range (negative, above
// 1000‰ or 100%).
int rate_ak(const Rational& per_mille);
int rate_rrns(const Rational& percent);
int rate_rppt(const Rational& percent);

struct KbkIndicatorResult {
  Rational value;  // as given (‰ or %)
  int rating = 1;  // 1..4
  Rational score;  // weight x rating
};

struct KbkResult {
  KbkIndicatorResult ak, rrns, rppt;
  Rational total;               // sum of the three scores, 1.0..4.0
  int capitation_percent = 85;  // 100, 95, 90 or 85
};

// Tabel 2: the share of the capitation tariff paid for a total score.
int capitation_percent(const Rational& total_score);

// The three ratings, the weighted score and the capitation share.
KbkResult kbk_score(const Rational& ak_per_mille, const Rational& rrns_percent, const Rational& rppt_percent);

// ---- from counts to the indicator values (exact) --------------------------

// AK = registered participants with at least one contact in the month (unique
// per participant number, inside or outside the building, direct or indirect)
// ÷ participants registered at the FKTP that month × 1000. Throws fhir::Error
// 422 when nobody is registered or the counts are negative, and 400 when more
// participants had contact than are registered.
Rational angka_kontak(std::int64_t participants_with_contact, std::int64_t registered_participants);

// RRNS = outpatient referrals to FKRTL (hospitals) whose diagnosis is within FKTP
// doctors' competence, excluding TACC referrals (Time, Age, Complication,
// Comorbidity) ÷ all referrals to FKRTL × 100. Interpretation (the PKS is silent):
// TACC referrals stay in the denominator ("total jumlah rujukan"), and a month
// without any referral is 0% (no non-specialist referral was made).
Rational rasio_rujukan_non_spesialistik(std::int64_t non_specialist_referrals_excluding_tacc,
                                        std::int64_t all_referrals);

// RPPT = (Prolanis DM participants with controlled fasting glucose ÷ registered
// participants with a DM diagnosis × 100 + Prolanis HT participants with controlled
// blood pressure ÷ registered participants with an HT diagnosis × 100) ÷ 2.
// Throws fhir::Error 422 when either denominator is zero (the sub-ratio is
// undefined; we do not guess it).
Rational rasio_prolanis_terkendali(std::int64_t dm_controlled, std::int64_t dm_registered, std::int64_t ht_controlled,
                                   std::int64_t ht_registered);

}  // namespace simpul::mappings::measures
