#include "connectors/sim/bpjs_catalogue.hpp"

#include <algorithm>

namespace simpul::connectors::sim::catalogue {

namespace {

// Real ICD-10 codes and WHO titles (the edition BPJS applications show).
constexpr Diagnosis kDiagnoses[] = {
    {"A01.0", "Typhoid fever", true},
    {"A09", "Diarrhoea and gastroenteritis of presumed infectious origin", true},
    {"A15.0", "Tuberculosis of lung, confirmed by sputum microscopy with or without culture", true},
    {"A90", "Dengue fever [classical dengue]", true},
    {"A91", "Dengue haemorrhagic fever", false},
    {"E10", "Insulin-dependent diabetes mellitus", false},
    {"E11", "Non-insulin-dependent diabetes mellitus", true},
    {"E11.9", "Non-insulin-dependent diabetes mellitus without complications", true},
    {"I10", "Essential (primary) hypertension", true},
    {"I21.9", "Acute myocardial infarction, unspecified", false},
    {"I50.0", "Congestive heart failure", false},
    {"I63.9", "Cerebral infarction, unspecified", false},
    {"J00", "Acute nasopharyngitis [common cold]", true},
    {"J06.9", "Acute upper respiratory infection, unspecified", true},
    {"J18.9", "Pneumonia, unspecified", true},
    {"J45.9", "Asthma, unspecified", true},
    {"K02.1", "Caries of dentine", true},
    {"K29.7", "Gastritis, unspecified", true},
    {"K30", "Dyspepsia", true},
    {"K35.8", "Acute appendicitis, other and unspecified", false},
    {"N18.5", "Chronic kidney disease, stage 5", false},
    {"N39.0", "Urinary tract infection, site not specified", true},
    {"O80.9", "Single spontaneous delivery, unspecified", true},
    {"R50.9", "Fever, unspecified", true},
    {"S52.5", "Fracture of lower end of radius", false},
    {"Z00.0", "General medical examination", true},
    {"Z34.9", "Supervision of normal pregnancy, unspecified", true},
};

constexpr CodeName kVclaimPoli[] = {
    {"ANA", "ANAK"},           {"BED", "BEDAH"},          {"HDL", "HEMODIALISA"},
    {"IGD", "INSTALASI GAWAT DARURAT"}, {"INT", "PENYAKIT DALAM"}, {"JAN", "JANTUNG DAN PEMBULUH DARAH"},
    {"MAT", "MATA"},           {"OBG", "OBGYN"},          {"PAR", "PARU"},
    {"SAR", "SARAF"},          {"THT", "THT-KL"},
};

// The demo configuration uses 0301R011 (hospital) and 0114P001/0114P002 (puskesmas).
constexpr Facility kFacilities[] = {
    {"0114P001", "PUSKESMAS SUKAMAJU (SIMULASI)", 1},
    {"0114P002", "PUSKESMAS MEKARSARI (SIMULASI)", 1},
    {"0114U003", "KLINIK PRATAMA SENTOSA (SIMULASI)", 1},
    {"0301R011", "RSU SIMPUL SEHAT (SIMULASI)", 2},
    {"0301R001", "RSUD KOTA SIMULASI", 2},
    {"0114R005", "RS SIMULASI MEDIKA", 2},
};

constexpr Doctor kDoctors[] = {
    {"90001", "dr. Sarimbi Lontaran, Sp.PD", "INT", 190001},
    {"90002", "dr. Kuswara Pendani, Sp.PD", "INT", 190002},
    {"90003", "dr. Ratmika Sulanda, Sp.A", "ANA", 190003},
    {"90004", "dr. Hartama Wiralis, Sp.B", "BED", 190004},
    {"90005", "dr. Melinta Saranggi, Sp.OG", "OBG", 190005},
    {"90006", "dr. Yusandra Kolopaking, Sp.JP", "JAN", 190006},
    {"90007", "dr. Lindarsih Mawengka, Sp.M", "MAT", 190007},
    {"90008", "dr. Agunara Pratistha, Sp.N", "SAR", 190008},
    {"90009", "dr. Dewanti Karlisa, Sp.P", "PAR", 190009},
    {"90010", "dr. Tegarma Sontawira, Sp.THT-KL", "THT", 190010},
    {"90011", "dr. Nirmawati Pasundra", "IGD", 190011},
    {"90012", "dr. Basworo Lintang, Sp.PD-KGH", "HDL", 190012},
};

constexpr CodeName kProvinces[] = {
    {"91", "SIMULASI BARAT"},
    {"92", "SIMULASI TIMUR"},
};

constexpr Regency kRegencies[] = {
    {"9101", "KAB. SIMULASI UTARA", "91"},
    {"9171", "KOTA SIMULASI", "91"},
    {"9201", "KAB. SIMULASI SELATAN", "92"},
};

constexpr CodeName kPcareDoctors[] = {
    {"290001", "dr. Wulanari Pesakih"},
    {"290002", "dr. Darmaji Setiyoko"},
    {"290003", "drg. Kinasih Rumandi"},
};

constexpr PcarePoli kPcarePoli[] = {
    {"001", "UMUM", true},
    {"002", "GIGI & MULUT", true},
    {"003", "KIA", true},
};

constexpr CodeName kConsciousness[] = {
    {"01", "Compos mentis"},
    {"02", "Somnolence"},
    {"03", "Sopor"},
    {"04", "Coma"},
};

constexpr AntreanPoli kAntreanPoli[] = {
    {"ANA", "ANAK", "ANA", "ANAK"},
    {"BED", "BEDAH", "BED", "BEDAH"},
    {"INT", "PENYAKIT DALAM", "INT", "PENYAKIT DALAM"},
    {"JAN", "JANTUNG DAN PEMBULUH DARAH", "JAN", "JANTUNG DAN PEMBULUH DARAH"},
    {"MAT", "MATA", "MAT", "MATA"},
    {"OBG", "OBGYN", "OBG", "OBGYN"},
};

// Only 13 PEGAWAI SWASTA is taken from a catalogue example; the other codes are
// the simulator's own.
constexpr MemberType kMemberTypes[] = {
    {"13", "PEGAWAI SWASTA"},
    {"14", "PEKERJA MANDIRI"},
    {"15", "PENERIMA PENSIUN PNS"},
    {"22", "PBI (APBN)"},
    {"23", "PBI (APBD)"},
};

template <class T, class Key>
const T* find_by(std::span<const T> items, Key key) {
  auto it = std::find_if(items.begin(), items.end(), key);
  return it == items.end() ? nullptr : &*it;
}

}  // namespace

std::span<const Diagnosis> diagnoses() { return kDiagnoses; }
std::span<const CodeName> vclaim_poli() { return kVclaimPoli; }
std::span<const Facility> facilities() { return kFacilities; }
std::span<const Doctor> doctors() { return kDoctors; }
std::span<const CodeName> provinces() { return kProvinces; }
std::span<const Regency> regencies() { return kRegencies; }
std::span<const CodeName> pcare_doctors() { return kPcareDoctors; }
std::span<const PcarePoli> pcare_poli() { return kPcarePoli; }
std::span<const CodeName> consciousness() { return kConsciousness; }
std::span<const AntreanPoli> antrean_poli() { return kAntreanPoli; }
std::span<const MemberType> member_types() { return kMemberTypes; }

const Diagnosis* find_diagnosis(std::string_view code) {
  return find_by(diagnoses(), [&](const Diagnosis& d) { return d.code == code; });
}
const CodeName* find_vclaim_poli(std::string_view code) {
  return find_by(vclaim_poli(), [&](const CodeName& d) { return d.code == code; });
}
const Facility* find_facility(std::string_view code) {
  return find_by(facilities(), [&](const Facility& d) { return d.code == code; });
}
const Doctor* find_doctor(std::string_view code) {
  return find_by(doctors(), [&](const Doctor& d) { return d.code == code; });
}
const Doctor* find_doctor_antrean(std::int64_t code) {
  return find_by(doctors(), [&](const Doctor& d) { return d.antrean_code == code; });
}
const CodeName* find_pcare_doctor(std::string_view code) {
  return find_by(pcare_doctors(), [&](const CodeName& d) { return d.code == code; });
}
const PcarePoli* find_pcare_poli(std::string_view code) {
  return find_by(pcare_poli(), [&](const PcarePoli& d) { return d.code == code; });
}
const CodeName* find_consciousness(std::string_view code) {
  return find_by(consciousness(), [&](const CodeName& d) { return d.code == code; });
}
const AntreanPoli* find_antrean_poli(std::string_view kd) {
  return find_by(antrean_poli(), [&](const AntreanPoli& d) { return d.kdsubspesialis == kd; });
}

}  // namespace simpul::connectors::sim::catalogue
