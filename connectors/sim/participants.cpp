#include "connectors/sim/participants.hpp"

// GCC 12 reports a bogus -Wrestrict overlap in the inlined std::string
// assignments below (GCC bug 105329); the code is plain string assignment.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ == 12
#pragma GCC diagnostic ignored "-Wrestrict"
#endif

#include <algorithm>
#include <array>

#include "connectors/sim/bpjs_catalogue.hpp"

namespace simpul::connectors::sim {

namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::uint64_t mix(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Deterministic stream of choices for one card.
class Dice {
 public:
  explicit Dice(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() { return mix(state_ += 0x9e3779b97f4a7c15ull); }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }

 private:
  std::uint64_t state_;
};

constexpr std::array<std::string_view, 32> kSyllables = {
    "SU", "WAR", "NI", "TI", "MAR", "YA", "DI", "AN", "TO", "RI", "KA", "SEP", "LI", "NA", "PRA", "JA",
    "WI", "DA", "RU", "ME", "SA", "GA", "HA", "BU", "DEN", "LES", "TRI", "NUR", "HE", "RAT", "MI", "YO"};

std::string word(Dice& dice) {
  std::string w;
  const std::size_t n = 2 + dice.below(2);
  for (std::size_t i = 0; i < n; ++i) w += kSyllables[dice.below(kSyllables.size())];
  return w;
}

// Scramble: reverse the digits and add a position-dependent key mod 10.
char key_digit(std::size_t i) { return static_cast<char>((i * 7 + 3) % 10); }

std::string digits_of(std::uint64_t v, std::size_t width) {
  std::string s(width, '0');
  for (std::size_t i = width; i-- > 0; v /= 10) s[i] = static_cast<char>('0' + v % 10);
  return s;
}

}  // namespace

std::uint64_t stable_hash(std::string_view s) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return mix(h);
}

bool is_card_number(std::string_view s) noexcept { return s.size() == 13 && all_digits(s); }
bool is_nik(std::string_view s) noexcept { return s.size() == 16 && all_digits(s); }

std::optional<std::string> nik_for_card(std::string_view card) {
  if (!is_card_number(card)) return std::nullopt;
  std::string out = "990";
  for (std::size_t i = 0; i < 13; ++i) {
    const int d = card[12 - i] - '0';
    out += static_cast<char>('0' + (d + key_digit(i)) % 10);
  }
  return out;
}

std::optional<std::string> card_for_nik(std::string_view nik) {
  if (!is_nik(nik) || nik.substr(0, 3) != "990") return std::nullopt;
  std::string card(13, '0');
  for (std::size_t i = 0; i < 13; ++i) {
    const int d = nik[3 + i] - '0';
    card[12 - i] = static_cast<char>('0' + (d - key_digit(i) + 10) % 10);
  }
  return card;
}

std::optional<Participant> participant_by_card(std::string_view card) {
  if (!is_card_number(card) || card.substr(0, 12) == "000000000000") return std::nullopt;
  Dice dice(stable_hash(card));
  Participant p;
  p.no_kartu = std::string(card);
  p.nik = *nik_for_card(card);
  p.nama = word(dice) + " " + word(dice);
  p.sex = dice.below(2) ? 'P' : 'L';
  p.tgl_lahir = cal::from_days(cal::to_days({1945, 1, 1}) + static_cast<std::int64_t>(dice.below(365 * 75)));
  p.hak_kelas = std::to_string(1 + dice.below(3));
  const auto types = catalogue::member_types();
  const auto& t = types[dice.below(types.size())];
  p.jenis_kode = std::string(t.code);
  p.jenis_nama = std::string(t.name);
  // Registered FKTP: one of the first-level facilities of the catalogue.
  std::size_t fktp_count = 0;
  for (const auto& f : catalogue::facilities()) fktp_count += f.level == 1;
  std::size_t pick = dice.below(fktp_count);
  for (const auto& f : catalogue::facilities()) {
    if (f.level != 1) continue;
    if (pick-- == 0) {
      p.prov_kode = std::string(f.code);
      p.prov_nama = std::string(f.name);
      break;
    }
  }
  p.tgl_tmt = cal::from_days(cal::to_days({2014, 1, 1}) + static_cast<std::int64_t>(dice.below(365 * 8)));
  p.tgl_cetak_kartu = cal::add_days(p.tgl_tmt, static_cast<std::int64_t>(dice.below(60)));
  p.active = card.back() != '9';
  if (p.active) {
    p.status_kode = "0";
    p.status_ket = "AKTIF";
    p.tgl_tat = {2099, 12, 31};
  } else {
    // Only "0" = AKTIF is documented; this non-active code and text are the simulator's.
    p.status_kode = "1";
    p.status_ket = "TIDAK AKTIF";
    p.tgl_tat = cal::add_days(p.tgl_tmt, 365 * 2);
  }
  p.no_telp = "0812" + digits_of(dice.next() % 100000000ull, 8);
  p.pisa = "1";
  p.hubungan = "Peserta";
  return p;
}

std::optional<Participant> participant_by_nik(std::string_view nik) {
  auto card = card_for_nik(nik);
  if (!card) return std::nullopt;
  return participant_by_card(*card);
}

}  // namespace simpul::connectors::sim
