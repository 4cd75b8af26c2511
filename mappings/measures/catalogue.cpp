#include "mappings/measures/catalogue.hpp"

#include <algorithm>

namespace simpul::mappings::measures {

namespace {

// ---------------------------------------------------------------- sources

constexpr std::string_view kKbkRegulation =
    "PKS BPJS Kesehatan KC Samarinda – Dinkes Kota Bontang No. 616/KTR/VIII-01/1223 (national BPJS–FKTP PKS "
    "template, valid 2024-01-01..2024-12-31)";
constexpr std::string_view kSpmPkmRegulation =
    "Permenkes 6/2024 (standar teknis SPM kesehatan), as applied by Perbup Tana Toraja 61/2025";
constexpr std::string_view kSpmRsRegulation =
    "Kepmenkes 129/Menkes/SK/II/2008 (SPM rumah sakit), as adopted by Perbup Pasangkayu 7/2021";
constexpr std::string_view kPengampuanRegulation = "KMK HK.01.07/MENKES/174/2024 (RS jejaring pengampuan)";

// ---------------------------------------------------------------- parameters

const std::vector<ParameterDef> kParameters = {
    {"bpjs-registered-participants",
     "JKN participants registered at the FKTP in the month, as BPJS counts them (P-Care output)."},
    {"fktp-competence-diagnoses",
     "ICD-10 diagnoses within the competence of FKTP doctors (non-specialist cases); the PKS defers to other "
     "regulations and gives no list."},
    {"tacc-criteria", "How a referral is marked as meeting TACC (Time, Age, Complication, Comorbidity)."},
    {"prolanis-dm-registered", "Participants registered at the FKTP with a diabetes mellitus diagnosis."},
    {"prolanis-ht-registered", "Participants registered at the FKTP with a hypertension diagnosis."},
    {"dm-controlled-criterion",
     "Fasting blood glucose that counts as controlled (professional-organisation standard; the PKS gives no number)."},
    {"ht-controlled-criterion",
     "Blood pressure that counts as controlled (professional-organisation standard; the PKS gives no number)."},
    {"rppt-measurement-window", "Which reading counts for RPPT (latest in the month, or within a window)."},
    {"spm-target-population",
     "The service's target population (sasaran) for the area and year, set by the regent/mayor from BPS projections, "
     "real data, RISKESDAS/SKI prevalence or (TB) the case-finding formula."},
    {"spm-area", "The area the figure is for: the puskesmas catchment (kecamatan) or the kabupaten/kota."},
    {"school-year-start-month", "First month of the school year (default 6, June)."},
    {"spm-quality-index",
     "%IP Mutu, the service's minimum-quality achievement (goods, services, staff); its scoring is not defined in "
     "the seed regulation, so it is supplied."},
    {"rs-specialist-clinics", "The specialist outpatient clinics (Location / HealthcareService) the indicator covers."},
    {"lab-turnaround-tests",
     "The laboratory tests in scope for turnaround: blood chemistry and routine haematology (LOINC codes)."},
    {"chest-xray-procedures", "Procedure / ImagingStudy codes that are a chest X-ray (thorax foto)."},
    {"satisfaction-questionnaire", "The patient-satisfaction Questionnaire and the answer that counts as satisfied."},
    {"icu-locations", "Locations that are the intensive care unit."},
    {"priority-service",
     "The priority service (kanker, jantung, stroke, uronefrologi, KIA, gastrohepatologi, DM, infeksi emerging, TB, "
     "jiwa, or another) and the ICD-10 codes that define its cases."},
    {"engagement", "The mentoring engagement: RS pengampu, RS diampu, priority service and PKS term."},
    {"engagement-baseline", "The engagement's baseline value of the indicator (from the planning stage)."},
    {"engagement-target", "The engagement's target for the indicator, set in planning against the baseline."},
    {"engagement-indicator-definition",
     "For an engagement-defined indicator: code, name, numerator and denominator definitions, unit and direction, "
     "agreed by the mentor and mentee."},
};

// ---------------------------------------------------------------- helpers

GroupDef one(std::string_view numerator, std::string_view denominator) {
  return {"", "", numerator, denominator};
}

// The 12 SPM puskesmas coverage indicators share everything but these.
MeasureDef spm_pkm(std::string_view id, std::string_view code, std::string_view name_id, std::string_view name_en,
                   std::string_view article, std::string_view numerator, std::string_view denominator,
                   std::string_view interpretation, PeriodKind period = PeriodKind::year) {
  std::vector<std::string_view> params{"spm-target-population", "spm-area"};
  if (period == PeriodKind::school_year) params.push_back("school-year-start-month");
  return MeasureDef{
      .id = id,
      .family = Family::spm_puskesmas,
      .code = code,
      .name_id = name_id,
      .name_en = name_en,
      .regulation = kSpmPkmRegulation,
      .article = article,
      .version = "2024",
      .scoring = Scoring::proportion,
      .kind = MeasureKind::process,
      .groups = {one(numerator, denominator)},
      .unit = Unit::percent,
      .direction = Direction::at_least,
      .target = "100",
      .period = period,
      .weight = "0.8",
      .parameters = std::move(params),
      .components = {},
      .interpretation = interpretation,
  };
}

// A hospital SPM indicator (Kepmenkes 129/2008).
MeasureDef spm_rs(std::string_view id, std::string_view code, std::string_view name_id, std::string_view name_en,
                  std::string_view article, Scoring scoring, MeasureKind kind, GroupDef group, Unit unit,
                  Direction direction, std::string_view target, std::vector<std::string_view> parameters = {},
                  std::string_view interpretation = {}, bool verified = true) {
  return MeasureDef{
      .id = id,
      .family = Family::spm_rs,
      .code = code,
      .name_id = name_id,
      .name_en = name_en,
      .regulation = kSpmRsRegulation,
      .article = article,
      .version = "2008",
      .scoring = scoring,
      .kind = kind,
      .groups = {group},
      .unit = unit,
      .direction = direction,
      .target = target,
      .period = PeriodKind::month,
      .weight = "",
      .parameters = std::move(parameters),
      .components = {},
      .interpretation = interpretation,
      .verified = verified,
  };
}

std::vector<MeasureDef> build() {
  std::vector<MeasureDef> c;

  // ================================================================ KBK (seed-003 §3.3–3.4)
  c.push_back({
      .id = "kbk-ak",
      .family = Family::kbk,
      .code = "AK",
      .name_id = "Angka Kontak",
      .name_en = "Contact rate",
      .regulation = kKbkRegulation,
      .article = "Lampiran II I.A.2.d, AK (L2955–3008); rating Tabel 1 (L3161–3250)",
      .version = "2024",
      .scoring = Scoring::proportion,
      .kind = MeasureKind::process,
      .groups = {one("JKN participants registered at this FKTP who had at least one contact with it in the month, "
                     "counted once per participant number, inside or outside the building, sick or healthy visit, "
                     "direct or indirect contact (teleconsultation), whatever the number of visits.",
                     "JKN participants registered at this FKTP in the month.")},
      .unit = Unit::per_mille,
      .direction = Direction::at_least,
      .target = "150",
      .period = PeriodKind::month,
      .weight = "0.4",
      .parameters = {"bpjs-registered-participants"},
      .components = {},
      .interpretation =
          "Ratings: ≥150‰ → 4, >145‰ and <150‰ → 3, >140‰ and ≤145‰ → 2, ≤140‰ → 1. BPJS computes KBK from its own "
          "system output (P-Care); Simpul's figure is a shadow computed from what P-Care accepted.",
  });
  c.push_back({
      .id = "kbk-rrns",
      .family = Family::kbk,
      .code = "RRNS",
      .name_id = "Rasio Rujukan Rawat Jalan Kasus Non Spesialistik",
      .name_en = "Non-specialist outpatient referral ratio",
      .regulation = kKbkRegulation,
      .article = "Lampiran II I.A.2.d, RRNS (L3010–3049); rating Tabel 1 (L3161–3250)",
      .version = "2024",
      .scoring = Scoring::proportion,
      .kind = MeasureKind::process,
      .groups = {one("Outpatient referrals to FKRTL (hospitals) in the month whose diagnosis is within the competence "
                     "of FKTP doctors, excluding referrals that meet TACC (Time, Age, Complication, Comorbidity).",
                     "All referrals from the FKTP to FKRTL in the month.")},
      .unit = Unit::percent,
      .direction = Direction::at_most,
      .target = "2",
      .period = PeriodKind::month,
      .weight = "0.5",
      .parameters = {"fktp-competence-diagnoses", "tacc-criteria"},
      .components = {},
      .interpretation =
          "Ratings: ≤2% → 4, >2% and ≤2.5% → 3, >2.5% and ≤3% → 2, >3% → 1. The PKS does not say whether TACC "
          "referrals leave the denominator too; we keep them in it (\"total jumlah rujukan\"). A month without any "
          "referral is 0%.",
  });
  c.push_back({
      .id = "kbk-rppt",
      .family = Family::kbk,
      .code = "RPPT",
      .name_id = "Rasio Peserta Prolanis Terkendali",
      .name_en = "Controlled Prolanis participant ratio",
      .regulation = kKbkRegulation,
      .article = "Lampiran II I.A.2.d, RPPT (L3051–3128); rating Tabel 1 (L3161–3250)",
      .version = "2024",
      .scoring = Scoring::proportion,
      .kind = MeasureKind::outcome,
      .groups = {{"dm", "Prolanis diabetes mellitus (DM)",
                  "Registered Prolanis DM participants whose fasting blood glucose is controlled.",
                  "Participants registered at the FKTP with an established DM diagnosis (not only Prolanis "
                  "members)."},
                 {"ht", "Prolanis hypertension (HT)",
                  "Registered Prolanis HT participants whose blood pressure is controlled.",
                  "Participants registered at the FKTP with an established HT diagnosis (not only Prolanis "
                  "members)."}},
      .unit = Unit::percent,
      .direction = Direction::at_least,
      .target = "5",
      .period = PeriodKind::month,
      .weight = "0.1",
      .parameters = {"prolanis-dm-registered", "prolanis-ht-registered", "dm-controlled-criterion",
                     "ht-controlled-criterion", "rppt-measurement-window"},
      .components = {},
      .interpretation =
          "RPPT = (DM group % + HT group %) ÷ 2. Ratings: ≥5% → 4, ≥4% and <5% → 3, ≥3% and <4% → 2, <3% → 1. The "
          "PKS gives no numeric \"controlled\" thresholds and no measurement window: both are parameters. A group "
          "with an empty denominator makes RPPT undefined (reported, not guessed).",
  });
  c.push_back({
      .id = "kbk-score",
      .family = Family::kbk,
      .code = "KBK",
      .name_id = "Nilai Capaian Kapitasi Berbasis Kinerja",
      .name_en = "Performance-based capitation score",
      .regulation = kKbkRegulation,
      .article = "Lampiran II I.A.2.d, Tabel 1 column f = b × d (L3161–3250)",
      .version = "2024",
      .scoring = Scoring::composite,
      .kind = MeasureKind::composite,
      .groups = {},
      .unit = Unit::score,
      .direction = Direction::at_least,
      .target = "4",
      .period = PeriodKind::month,
      .weight = "",
      .parameters = {},
      .components = {"kbk-ak", "kbk-rrns", "kbk-rppt"},
      .interpretation = "Score = 0.4 × rating(AK) + 0.5 × rating(RRNS) + 0.1 × rating(RPPT), from 1.0 to 4.0, "
                        "computed exactly.",
  });
  c.push_back({
      .id = "kbk-capitation",
      .family = Family::kbk,
      .code = "KBK-%",
      .name_id = "Penyesuaian Pembayaran Kapitasi Berdasarkan Nilai Capaian KBK",
      .name_en = "Capitation paid, by KBK score",
      .regulation = kKbkRegulation,
      .article = "Lampiran II I.A.2.d, Tabel 2 (L3252–3314)",
      .version = "2024",
      .scoring = Scoring::composite,
      .kind = MeasureKind::composite,
      .groups = {},
      .unit = Unit::percent,
      .direction = Direction::equal,
      .target = "100",
      .period = PeriodKind::month,
      .weight = "",
      .parameters = {},
      .components = {"kbk-score"},
      .interpretation = "Score 4 → 100%, 3 to <4 → 95%, 2 to <3 → 90%, 1 to <2 → 85% of the capitation tariff. "
                        "Which month's score adjusts which month's payment is not in the PKS.",
  });

  // ================================================================ SPM puskesmas (seed-002 §2)
  c.push_back(spm_pkm(
      "spm-pkm-01-ibu-hamil", "SPM-01",
      "Persentase ibu hamil mendapatkan pelayanan kesehatan ibu hamil (K6) sesuai "
      "standar",
      "Pregnant women receiving standard antenatal care (K6)", "Lampiran Bab II 2.1 (sub-activity 1.02.02.2.02.0001)",
      "Women in the catchment whose pregnancy ended in the year and who received antenatal care per standard: six "
      "visits (≥1 in trimester 1, ≥2 in trimester 2, ≥3 in trimester 3), ≥2 by a doctor in trimesters 1 and 3 with "
      "an ultrasound, and the 10T content.",
      "Target number of women giving birth (sasaran ibu bersalin) in the catchment in the same year.",
      "The seed's denominator reads \"sasaran ibu bersalin\" (women giving birth); kept literally. Women still "
      "pregnant at year end count next year (carry-over); abortion, premature partus and death in pregnancy leave "
      "numerator and denominator."));
  c.push_back(spm_pkm("spm-pkm-02-ibu-bersalin", "SPM-02",
                      "Persentase ibu bersalin yang mendapatkan pelayanan persalinan sesuai standar",
                      "Women giving birth who received standard delivery care at a health facility",
                      "Lampiran Bab II 2.2 (sub-activity 1.02.02.2.02.0002)",
                      "Women in the catchment who gave birth in the year with delivery care per standard (APN) at a "
                      "health facility, by a team of ≥1 doctor and 2 health workers (or ≥2 health workers where "
                      "access is limited).",
                      "Target number of women giving birth in the catchment in the same year.", ""));
  c.push_back(spm_pkm(
      "spm-pkm-03-bayi-baru-lahir", "SPM-03",
      "Persentase bayi baru lahir mendapatkan pelayanan kesehatan bayi baru lahir sesuai standar",
      "Newborns (0–28 days) receiving standard neonatal care", "Lampiran Bab II 2.3 (sub-activity 1.02.02.2.02.0003)",
      "Newborns aged 0–28 days who received newborn care per standard in the year: KN1 at 6–48 h, "
      "KN2 at 3–7 days, KN3 at 8–28 days, and the essential care at birth.",
      "Target number of newborns in the area in the same year.", "KN1 window read as 6–48 hours (OCR \"6 - a8jam\")."));
  c.push_back(spm_pkm(
      "spm-pkm-04-balita", "SPM-04", "Cakupan pelayanan kesehatan balita sesuai standar",
      "Children aged 12–59 months receiving standard under-five care",
      "Lampiran Bab II 2.4 (sub-activity 1.02.02.2.02.0004)",
      "Children 12–23 months served per standard 1 + children 24–35 months served per standard 2 + children 36–59 "
      "months served per standard 3 (weighing, length/height, head circumference, development monitoring, vitamin "
      "A, immunization per age band).",
      "Children aged 12–59 months in the catchment in the same year.",
      "A child is evaluated only after completing the age band. Standards 1/2/3 read as the 0–11 / 12–23 / 24–59 "
      "month packages. The 0–11-month weighing count is OCR-garbled (\"I\"); read as 8 per year."));
  c.push_back(spm_pkm("spm-pkm-05-usia-pendidikan-dasar", "SPM-05",
                      "Persentase anak usia pendidikan dasar mendapatkan pelayanan kesehatan sesuai standar",
                      "Basic-education-age children (grades 1–9, ages 7–15) receiving standard health services",
                      "Lampiran Bab II 2.5 (sub-activity 1.02.02.2.02.0005)",
                      "Basic-education-age children, in and out of school, screened per standard in the school year "
                      "(nutritional status, vital signs, oral health, vision/hearing, anaemia for grade-7 girls) with "
                      "follow-up.",
                      "Basic-education-age children in the catchment (in school and out of school).",
                      "No numerator or denominator is printed; both are implied from the operational definition. The "
                      "school year runs June–May unless configured.",
                      PeriodKind::school_year));
  c.push_back(spm_pkm("spm-pkm-06-usia-produktif", "SPM-06",
                      "Persentase warga negara usia 15–59 tahun mendapatkan pelayanan kesehatan usia produktif sesuai "
                      "standar",
                      "Citizens aged 15–59 receiving standard screening and education",
                      "Lampiran Bab II 2.6 (sub-activity 1.02.02.2.02.0006)",
                      "People aged 15–59 in the area who received productive-age services per standard in the year "
                      "(education and risk-factor screening at least once a year; the panel depends on age, sex and "
                      "bride/groom status).",
                      "Citizens aged 15–59 in the area in the same year.",
                      "The denominator is not printed; implied as all citizens aged 15–59. PUMA age cut-off read as "
                      ">40 (OCR)."));
  c.push_back(spm_pkm("spm-pkm-07-usia-lanjut", "SPM-07",
                      "Persentase warga negara usia 60 tahun ke atas mendapatkan pelayanan kesehatan usia lanjut "
                      "sesuai standar",
                      "Citizens aged 60 and over receiving standard screening at least once a year",
                      "Lampiran Bab II 2.7 (sub-activity 1.02.02.2.02.0007)",
                      "Citizens aged ≥60 who received education and screening per standard at least once in the year, "
                      "at the puskesmas, posyandu or a home visit, by a health worker or a trained kader.",
                      "Citizens aged ≥60 in the area in the same year.", ""));
  c.push_back(spm_pkm("spm-pkm-08-hipertensi", "SPM-08",
                      "Persentase penderita hipertensi yang mendapatkan pelayanan kesehatan sesuai standar",
                      "Hypertensive persons aged ≥15 receiving standard care",
                      "Lampiran Bab II 2.8 (sub-activity 1.02.02.2.02.0008)",
                      "Hypertensive persons aged ≥15 in the area who received care per standard in the year: blood "
                      "pressure measured at least monthly at a facility, education, pharmacological therapy as "
                      "indicated.",
                      "Estimated hypertensive persons aged ≥15 in the area (district prevalence from RISKESDAS/SKI × "
                      "population), same year.",
                      "Age limit read as ≥15 (\"15 tahun ke atas\"; OCR \">15\")."));
  c.push_back(spm_pkm("spm-pkm-09-diabetes", "SPM-09",
                      "Persentase penderita diabetes melitus mendapatkan pelayanan kesehatan sesuai standar",
                      "Diabetes mellitus patients aged ≥15 receiving standard care",
                      "Lampiran Bab II 2.9 (sub-activity 1.02.02.2.02.0009)",
                      "DM patients aged ≥15 who received care per standard in the year: a clinical examination and a "
                      "blood-glucose examination at least monthly at a facility, education, therapy.",
                      "Target DM patients set by the regent (real data, research estimates or RISKESDAS/SKI).",
                      "Numerator and denominator are not printed; implied from the operational definition."));
  c.push_back(spm_pkm("spm-pkm-10-odgj-berat", "SPM-10",
                      "Persentase ODGJ berat yang mendapatkan pelayanan kesehatan jiwa sesuai standar",
                      "People with severe mental illness receiving standard mental-health care",
                      "Lampiran Bab II 2.10 (sub-activity 1.02.02.2.02.0010)",
                      "People with severe mental illness (ODGJ berat: acute psychosis, schizophrenia) in the area who "
                      "received mental-health care per standard in the year.",
                      "People with severe mental illness by projection (e.g. prevalence 0.21% × population), or as "
                      "set by regent decree.",
                      ""));
  c.push_back(spm_pkm(
      "spm-pkm-11-terduga-tb", "SPM-11", "Persentase orang terduga TBC mendapatkan pelayanan TBC sesuai standar",
      "Presumptive TB cases receiving a standard TB work-up", "Lampiran Bab II 2.11 (sub-activity 1.02.02.2.02.0011)",
      "Presumptive TB persons who received a supporting (diagnostic) examination in the year (TCM "
      "preferred; microscopy; radiology).",
      "Estimated presumptive TB persons: TB case-finding target ÷ 54% × 10.",
      "Estimation formula reconstructed from OCR (\"Torget pernmuon TBC I 54 % x 10\")."));
  c.push_back(spm_pkm("spm-pkm-12-hiv", "SPM-12",
                      "Persentase orang dengan risiko terinfeksi HIV mendapatkan pelayanan deteksi dini HIV sesuai "
                      "standar",
                      "People at risk of HIV receiving standard early HIV detection",
                      "Lampiran Bab II 2.12 (sub-activity 1.02.02.2.02.0012)",
                      "People at risk of HIV (TB and STI patients, sex workers, MSM, transgender people, people who "
                      "inject drugs, prisoners, pregnant women) who had the first HIV rapid test (R1) in the year.",
                      "People at risk of HIV in the area in the same year, set by the regent.", ""));
  {
    std::vector<std::string_view> components;
    for (const auto& m : c)
      if (m.family == Family::spm_puskesmas) components.push_back(m.id);
    c.push_back({
        .id = "spm-pkm-ipspm",
        .family = Family::spm_puskesmas,
        .code = "IPSPM",
        .name_id = "Indeks Pencapaian SPM",
        .name_en = "SPM achievement index",
        .regulation = kSpmPkmRegulation,
        .article = "Lampiran Bab II (IPSPM formula per service); Bab III Table 2",
        .version = "2024",
        .scoring = Scoring::composite,
        .kind = MeasureKind::composite,
        .groups = {},
        .unit = Unit::percent,
        .direction = Direction::at_least,
        .target = "100",
        .period = PeriodKind::year,
        .weight = "",
        .parameters = {"spm-quality-index"},
        .components = std::move(components),
        .interpretation =
            "Per service: IPSPM = 0.2 × %IP Mutu + 0.8 × %IP Penerima (the document writes weights 20 and 80; read as "
            "percent). Table 2's \"80%\"/\"20%\" targets are the weights copied by mistake: the target is 100%. "
            "%IP Mutu is a parameter (its scoring is undefined in the seed).",
    });
  }

  // ================================================================ SPM rumah sakit (seed-004 §2, R-004-09)
  const Unit pct = Unit::percent;
  c.push_back(spm_rs("spm-rs-rj-waktu-tunggu", "RJ-4", "Waktu tunggu di rawat jalan", "Outpatient waiting time",
                     "Annex sheet 1, Rawat Jalan indicator 4 (L171)", Scoring::continuous_variable,
                     MeasureKind::process,
                     one("Minutes from the patient's registration to the start of the doctor's examination.",
                         "Outpatient visits to the specialist clinics in the month."),
                     Unit::minutes, Direction::at_most, "60", {"rs-specialist-clinics"},
                     "The mean (Σ minutes ÷ visits), as the annex computes it (8100 min ÷ 100 patients = 81)."));
  c.push_back(spm_rs("spm-rs-rj-dokter-spesialis", "RJ-1", "Dokter pemberi pelayanan di poliklinik spesialis",
                     "Specialist outpatient clinics served by specialists",
                     "Annex sheet 1, Rawat Jalan indicator 1 "
                     "(L167)",
                     Scoring::proportion, MeasureKind::structure,
                     one("Clinic days on which the specialist clinic was served by a specialist doctor.",
                         "Clinic days of the specialist clinics in the month."),
                     pct, Direction::equal, "100", {"rs-specialist-clinics"},
                     "Counted in clinic days, as the annex does (26 of 26 days)."));
  c.push_back(spm_rs("spm-rs-rj-tb-mikroskopis", "RJ-6a",
                     "Penegakan diagnosis TB melalui pemeriksaan mikroskopis TB (rawat jalan)",
                     "Outpatient TB diagnoses confirmed by sputum-smear microscopy",
                     "Annex sheet 1, Rawat Jalan indicator 6a (L172)", Scoring::proportion, MeasureKind::process,
                     one("Outpatients with a TB diagnosis in the month who had a sputum-smear microscopy.",
                         "Outpatients with a TB diagnosis in the month."),
                     pct, Direction::at_least, "60"));
  c.push_back(spm_rs("spm-rs-rj-kepuasan", "RJ-5", "Kepuasan pelanggan rawat jalan", "Outpatient satisfaction",
                     "Annex sheet 1, Rawat Jalan indicator 5 (L171)", Scoring::proportion,
                     MeasureKind::patient_reported_outcome,
                     one("Outpatients surveyed in the month who answered satisfied.",
                         "Outpatients who answered the satisfaction survey in the month."),
                     pct, Direction::at_least, "90", {"satisfaction-questionnaire"}));
  c.push_back(spm_rs("spm-rs-ri-dpjp", "RI-2", "Dokter penanggung jawab pasien rawat inap",
                     "Inpatients with a designated attending physician (DPJP)",
                     "Annex sheet 2, Rawat Inap indicator 2 (L181)", Scoring::proportion, MeasureKind::structure,
                     one("Inpatients discharged in the month with an attending physician (DPJP) recorded.",
                         "Inpatients discharged in the month."),
                     pct, Direction::equal, "100"));
  c.push_back(spm_rs(
      "spm-rs-ri-infeksi-pascaoperasi", "RI-5", "Kejadian infeksi pascaoperasi",
      "Post-operative (surgical-site) infection rate", "Annex sheet 2, Rawat Inap indicator 5 (L184)",
      Scoring::proportion, MeasureKind::outcome,
      one("Operated patients in the month with a surgical-site infection.", "Patients operated on in the month."), pct,
      Direction::at_most, "1.5"));
  c.push_back(spm_rs("spm-rs-ri-infeksi-nosokomial", "RI-6", "Kejadian infeksi nosokomial",
                     "Nosocomial (hospital-acquired) infection rate", "Annex sheet 2, Rawat Inap indicator 6 (L185)",
                     Scoring::proportion, MeasureKind::outcome,
                     one("Inpatients in the month with a hospital-acquired infection.", "Inpatients in the month."),
                     pct, Direction::at_most, "1.5"));
  c.push_back(
      spm_rs("spm-rs-ri-tidak-ada-pasien-jatuh", "RI-7",
             "Tidak adanya kejadian pasien jatuh yang berakibat kecacatan / kematian",
             "No patient falls resulting in disability or death", "Annex sheet 2, Rawat Inap indicator 7 (L188)",
             Scoring::proportion, MeasureKind::outcome,
             one("Inpatients in the month without a fall that caused disability or death.", "Inpatients in the month."),
             pct, Direction::equal, "100", {},
             "Computed in the absence form the standard uses (100% = no such fall); the annex records the "
             "incidence (0%) with inverted polarity."));
  c.push_back(spm_rs("spm-rs-ri-kematian-48-jam", "RI-8", "Kematian pasien > 48 jam",
                     "Inpatient deaths more than 48 hours after admission",
                     "Annex sheet 2, Rawat Inap indicator 8 (L189)", Scoring::proportion, MeasureKind::outcome,
                     one("Inpatients who died more than 48 hours after admission, discharged (dead) in the month.",
                         "Inpatients discharged (alive or dead) in the month."),
                     pct, Direction::at_most, "0.24", {},
                     "Denominator: all inpatients discharged in the month (the annex uses the monthly inpatient "
                     "count, 1 ÷ 233 = 0.43%)."));
  c.push_back(
      spm_rs("spm-rs-ri-pulang-paksa", "RI-9", "Kejadian pulang paksa", "Discharge against medical advice",
             "Annex sheet 2, Rawat Inap indicator 9 (L190)", Scoring::proportion, MeasureKind::outcome,
             one("Inpatients discharged against medical advice in the month.", "Inpatients discharged in the month."),
             pct, Direction::at_most, "5"));
  c.push_back(spm_rs("spm-rs-ri-tb-mikroskopis", "RI-11a",
                     "Rawat inap TB: penegakan diagnosis TB melalui pemeriksaan mikroskopis TB",
                     "Inpatient TB diagnoses confirmed by sputum-smear microscopy",
                     "Annex sheet 2, Rawat Inap indicator 11a (L192)", Scoring::proportion, MeasureKind::process,
                     one("Inpatients with a TB diagnosis in the month who had a sputum-smear microscopy.",
                         "Inpatients with a TB diagnosis in the month."),
                     pct, Direction::at_least, "60"));
  c.push_back(spm_rs("spm-rs-ri-kepuasan", "RI-10", "Kepuasan pelanggan rawat inap", "Inpatient satisfaction",
                     "Annex sheet 2, Rawat Inap indicator 10 (L191)", Scoring::proportion,
                     MeasureKind::patient_reported_outcome,
                     one("Inpatients surveyed in the month who answered satisfied.",
                         "Inpatients who answered the satisfaction survey in the month."),
                     pct, Direction::at_least, "90", {"satisfaction-questionnaire"}));
  c.push_back(spm_rs("spm-rs-icu-kembali-72-jam", "ICU-1",
                     "Pasien yang kembali ke perawatan intensif dengan kasus yang sama < 72 jam",
                     "ICU readmissions with the same case within 72 hours",
                     "Annex sheet 3, Perawatan Intensif indicator 1 (L199)", Scoring::proportion, MeasureKind::outcome,
                     one("ICU discharges in the month followed by a return to the ICU with the same case within 72 "
                         "hours.",
                         "ICU discharges in the month."),
                     pct, Direction::at_most, "3", {"icu-locations"},
                     "The name is truncated in the seed; \"< 72 jam\" is the national wording."));
  c.push_back(spm_rs("spm-rs-rad-waktu-tunggu-thorax", "RAD-1", "Waktu tunggu hasil pelayanan thorax foto",
                     "Turnaround time for chest X-ray results", "Annex sheet 3, Radiologi indicator 1 (L202)",
                     Scoring::continuous_variable, MeasureKind::process,
                     one("Minutes from the chest X-ray request to the issued report.",
                         "Chest X-ray examinations reported in the month."),
                     Unit::minutes, Direction::at_most, "180", {"chest-xray-procedures"},
                     "The standard is ≤3 hours; held in minutes (180) like the annex's data."));
  c.push_back(spm_rs("spm-rs-rad-ekspertisi", "RAD-2", "Pelaksana ekspertisi radiologi",
                     "Radiology reports read by a radiologist", "Annex sheet 3, Radiologi indicator 2 (L203)",
                     Scoring::proportion, MeasureKind::structure,
                     one("Radiology reports issued in the month whose interpreter is a radiologist (Sp.Rad).",
                         "Radiology reports issued in the month."),
                     pct, Direction::equal, "100", {},
                     "The standard names the reader (\"Dokter Sp.Rad\"); computed as the share of reports read by one. "
                     "The annex's targets are a headcount."));
  c.push_back(spm_rs("spm-rs-rad-kepuasan", "RAD-4", "Kepuasan pelanggan radiologi", "Radiology satisfaction",
                     "Annex sheet 3, Radiologi indicator 4 (L205)", Scoring::proportion,
                     MeasureKind::patient_reported_outcome,
                     one("Radiology patients surveyed in the month who answered satisfied.",
                         "Radiology patients who answered the satisfaction survey in the month."),
                     pct, Direction::at_least, "80", {"satisfaction-questionnaire"}));
  c.push_back(spm_rs("spm-rs-lab-waktu-tunggu", "LAB-1", "Waktu tunggu hasil pelayanan laboratorium",
                     "Laboratory result turnaround time (blood chemistry and routine haematology)",
                     "Annex sheet 3, Laboratorium Patologi Klinik indicator 1 (L206)", Scoring::continuous_variable,
                     MeasureKind::process,
                     one("Minutes from specimen collection (or the request) to the issued result.",
                         "Blood-chemistry and routine-haematology results issued in the month."),
                     Unit::minutes, Direction::at_most, "140", {"lab-turnaround-tests"},
                     "Only the two test groups the standard names count; the mean is rounded half-up for display "
                     "(8850 ÷ 100 = 88.5 → 89)."));
  c.push_back(spm_rs(
      "spm-rs-lab-ekspertisi", "LAB-2", "Pelaksana ekspertisi laboratorium",
      "Laboratory results verified by a clinical pathologist",
      "Annex sheet 3, Laboratorium Patologi Klinik indicator 2 (L207)", Scoring::proportion, MeasureKind::structure,
      one("Laboratory results issued in the month verified by a clinical pathologist (Sp.PK).",
          "Laboratory results issued in the month."),
      pct, Direction::equal, "100", {}, "The annex writes the unit \"Pasien\" where a percentage is meant."));
  c.push_back(spm_rs("spm-rs-lab-kepuasan", "LAB-4", "Kepuasan pelanggan laboratorium", "Laboratory satisfaction",
                     "Annex sheet 3, Laboratorium Patologi Klinik indicator 4 (L209)", Scoring::proportion,
                     MeasureKind::patient_reported_outcome,
                     one("Laboratory patients surveyed in the month who answered satisfied.",
                         "Laboratory patients who answered the satisfaction survey in the month."),
                     pct, Direction::at_least, "80", {"satisfaction-questionnaire"}));
  c.push_back(spm_rs("spm-rs-adm-informasi-tagihan", "ADM-8",
                     "Kecepatan waktu pemberian informasi tentang tagihan pasien rawat inap",
                     "Time to give inpatients their bill",
                     "Annex sheet 4, Administrasi dan Manajemen indicator 8 "
                     "(L221)",
                     Scoring::continuous_variable, MeasureKind::process,
                     one("Minutes from the discharge order to the bill (Invoice) being issued to the patient.",
                         "Inpatients discharged in the month."),
                     Unit::minutes, Direction::at_most, "120", {}, "The standard is ≤2 hours; held in minutes (120)."));
  c.push_back(spm_rs("spm-rs-igd-waktu-tanggap", "IGD-5", "Waktu tanggap pelayanan dokter di gawat darurat",
                     "Emergency department doctor response time",
                     "Kepmenkes 129/2008, Gawat Darurat (not in the Perbup's surviving annex)",
                     Scoring::continuous_variable, MeasureKind::process,
                     one("Minutes from the patient's arrival at the emergency department to the doctor's first "
                         "service.",
                         "Emergency department visits in the month."),
                     Unit::minutes, Direction::at_most, "5", {},
                     "Taken from secondary lists of the national Kepmenkes 129/2008 catalogue (the seed's emergency "
                     "sheet is missing); the code is the position in that list. Verify against the official text.",
                     false));
  c.push_back(spm_rs("spm-rs-igd-kematian-24-jam", "IGD-7", "Kematian pasien < 24 jam di gawat darurat",
                     "Emergency department deaths within 24 hours of arrival",
                     "Kepmenkes 129/2008, Gawat Darurat (not in the Perbup's surviving annex)", Scoring::proportion,
                     MeasureKind::outcome,
                     one("Emergency department patients in the month who died within 24 hours of arrival.",
                         "Emergency department visits in the month."),
                     Unit::per_mille, Direction::at_most, "2", {},
                     "Standard ≤2 per 1000, from secondary lists of the national catalogue (the seed's emergency sheet "
                     "is missing); the code is the position in that list. Verify against the official text.",
                     false));

  // ================================================================ pengampuan (seed-000 §3.1)
  const std::vector<std::string_view> pengampuan_params{"priority-service", "engagement", "engagement-baseline",
                                                        "engagement-target"};
  c.push_back({
      .id = "pengampuan-angka-rujukan",
      .family = Family::pengampuan,
      .code = "OD-6",
      .name_id = "Angka rujukan pasien pelayanan kesehatan prioritas",
      .name_en = "Referral rate of priority-service patients",
      .regulation = kPengampuanRegulation,
      .article = "Lampiran BAB II.D, indikator output rumah sakit diampu (L702–724)",
      .version = "2024",
      .scoring = Scoring::proportion,
      .kind = MeasureKind::outcome,
      .groups = {one("Priority-service patients of the mentee hospital referred out to another hospital in the "
                     "quarter.",
                     "Priority-service patients seen by the mentee hospital in the quarter.")},
      .unit = Unit::percent,
      .direction = Direction::at_most,
      .target = "",
      .period = PeriodKind::quarter,
      .weight = "",
      .parameters = pengampuan_params,
      .components = {},
      .interpretation = "The decree only says the rate should fall (\"menurunnya angka rujukan\") and gives no "
                        "formula: referrals out ÷ priority patients seen, per hospital, service and quarter, against "
                        "the engagement's baseline and target.",
  });
  c.push_back({
      .id = "pengampuan-angka-kesakitan",
      .family = Family::pengampuan,
      .code = "OC-2a",
      .name_id = "Angka kesakitan pelayanan kesehatan prioritas",
      .name_en = "Priority-service morbidity (cases)",
      .regulation = kPengampuanRegulation,
      .article = "Lampiran BAB II.D, indikator outcome (L726–741); BAB II.B.1.i and B.2.d (case data)",
      .version = "2024",
      .scoring = Scoring::cohort,
      .kind = MeasureKind::outcome,
      .groups = {one("",
                     "Patients with a new case of the priority service's conditions at the hospital in the "
                     "quarter.")},
      .unit = Unit::count,
      .direction = Direction::at_most,
      .target = "",
      .period = PeriodKind::quarter,
      .weight = "",
      .parameters = pengampuan_params,
      .components = {},
      .interpretation = "\"Menurunnya angka kesakitan\" has no formula: reported as the count of priority-service "
                        "cases per hospital and quarter, against the engagement's baseline and target.",
  });
  c.push_back({
      .id = "pengampuan-angka-kematian",
      .family = Family::pengampuan,
      .code = "OC-2b",
      .name_id = "Angka kematian pelayanan kesehatan prioritas",
      .name_en = "Priority-service mortality (case fatality)",
      .regulation = kPengampuanRegulation,
      .article = "Lampiran BAB II.D, indikator outcome (L726–741); BAB II.B.1.i and B.2.d (death data)",
      .version = "2024",
      .scoring = Scoring::proportion,
      .kind = MeasureKind::outcome,
      .groups = {one("Priority-service patients who died at the hospital in the quarter.",
                     "Priority-service patients treated at the hospital in the quarter.")},
      .unit = Unit::percent,
      .direction = Direction::at_most,
      .target = "",
      .period = PeriodKind::quarter,
      .weight = "",
      .parameters = pengampuan_params,
      .components = {},
      .interpretation = "\"Menurunnya angka kematian\" has no formula: deaths ÷ priority-service patients treated "
                        "(case fatality), per hospital, service and quarter.",
  });
  c.push_back({
      .id = "pengampuan-indikator-klinis",
      .family = Family::pengampuan,
      .code = "B.1.d",
      .name_id = "Indikator proses dan keluaran klinis yang disepakati pengampu dan diampu",
      .name_en = "Engagement-defined process and clinical-outcome indicator",
      .regulation = kPengampuanRegulation,
      .article = "Lampiran BAB II.B.1.d (L483–489); BAB VI.B Diampu item 3.g (L1455)",
      .version = "2024",
      .scoring = Scoring::proportion,
      .kind = MeasureKind::process,
      .groups = {one("As defined for the engagement (parameter engagement-indicator-definition).",
                     "As defined for the engagement (parameter engagement-indicator-definition).")},
      .unit = Unit::percent,
      .direction = Direction::at_least,
      .target = "",
      .period = PeriodKind::quarter,
      .weight = "",
      .parameters = {"priority-service", "engagement", "engagement-indicator-definition", "engagement-baseline",
                     "engagement-target"},
      .components = {},
      .interpretation = "Each mentor–mentee pair defines its own indicators; this entry is the template they "
                        "instantiate. Unit and direction shown are defaults that the definition overrides.",
  });
  return c;
}

}  // namespace

std::string_view to_string(Family f) noexcept {
  switch (f) {
    case Family::kbk:
      return "kbk";
    case Family::spm_puskesmas:
      return "spm-puskesmas";
    case Family::spm_rs:
      return "spm-rs";
    case Family::pengampuan:
      return "pengampuan";
  }
  return "";
}

std::string_view to_string(Unit u) noexcept {
  switch (u) {
    case Unit::percent:
      return "%";
    case Unit::per_mille:
      return "‰";
    case Unit::minutes:
      return "min";
    case Unit::count:
      return "count";
    case Unit::score:
      return "score";
  }
  return "";
}

std::string_view to_string(Direction d) noexcept {
  switch (d) {
    case Direction::at_least:
      return "≥";
    case Direction::at_most:
      return "≤";
    case Direction::equal:
      return "=";
  }
  return "";
}

std::string_view to_string(PeriodKind p) noexcept {
  switch (p) {
    case PeriodKind::month:
      return "month";
    case PeriodKind::quarter:
      return "quarter";
    case PeriodKind::year:
      return "year";
    case PeriodKind::school_year:
      return "school-year";
  }
  return "";
}

std::string_view to_string(Scoring s) noexcept {
  switch (s) {
    case Scoring::proportion:
      return "proportion";
    case Scoring::ratio:
      return "ratio";
    case Scoring::continuous_variable:
      return "continuous-variable";
    case Scoring::cohort:
      return "cohort";
    case Scoring::composite:
      return "composite";
  }
  return "";
}

const std::vector<MeasureDef>& measure_catalogue() {
  static const std::vector<MeasureDef> catalogue = build();
  return catalogue;
}

const MeasureDef* find_measure(std::string_view id) {
  const auto& c = measure_catalogue();
  auto it = std::find_if(c.begin(), c.end(), [&](const MeasureDef& m) { return m.id == id; });
  return it == c.end() ? nullptr : &*it;
}

const std::vector<ParameterDef>& parameter_catalogue() {
  return kParameters;
}

const ParameterDef* find_parameter(std::string_view name) {
  auto it = std::find_if(kParameters.begin(), kParameters.end(), [&](const ParameterDef& p) { return p.name == name; });
  return it == kParameters.end() ? nullptr : &*it;
}

std::optional<Rational> target_value(const MeasureDef& m) {
  if (m.target.empty()) return std::nullopt;
  return Rational::parse(m.target);
}

std::optional<Rational> weight_value(const MeasureDef& m) {
  if (m.weight.empty()) return std::nullopt;
  return Rational::parse(m.weight);
}

bool meets_target(const MeasureDef& m, const Rational& value) {
  const auto target = target_value(m);
  if (!target) return false;
  switch (m.direction) {
    case Direction::at_least:
      return value >= *target;
    case Direction::at_most:
      return value <= *target;
    case Direction::equal:
      return value == *target;
  }
  return false;
}

}  // namespace simpul::mappings::measures
