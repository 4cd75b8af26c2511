#pragma once
// Synthetic BPJS participants, generated deterministically from the card
// number, so the same card always gives the same person and no real person is
// ever described. Rules (docs/simulators.md relies on them):
//   - a card number is 13 digits; a NIK is 16 digits;
//   - cards starting with "000000000000" do not exist (not found);
//   - every other 13-digit card exists; a card ending in 9 is NOT active;
//   - NIK <-> card is a fixed bijection: NIK = "990" + scramble(card). NIKs not
//     starting with "990" are never found, and no real NIK starts with "99"
//     (there is no province 99), so no real NIK ever matches;
//   - every other attribute (name, sex, birth date, class, member type,
//     registered FKTP) is a pure function of the card number.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "connectors/sim/calendar.hpp"

namespace simpul::connectors::sim {

struct Participant {
  std::string no_kartu;
  std::string nik;
  std::string nama;            // upper case, from syllables
  char sex = 'L';              // 'L' laki-laki / 'P' perempuan
  cal::Date tgl_lahir;
  std::string hak_kelas;       // "1".."3"
  std::string jenis_kode;      // jenisPeserta
  std::string jenis_nama;
  std::string prov_kode;       // registered FKTP (provUmum / kdProviderPst)
  std::string prov_nama;
  bool active = true;
  std::string status_kode;     // "0" AKTIF
  std::string status_ket;
  cal::Date tgl_tmt;           // start of membership
  cal::Date tgl_tat;           // end of membership
  cal::Date tgl_cetak_kartu;
  std::string no_telp;
  std::string pisa;            // "1" peserta
  std::string hubungan;        // hubunganKeluarga (P-Care)
};

bool is_card_number(std::string_view s) noexcept;  // 13 digits
bool is_nik(std::string_view s) noexcept;           // 16 digits

// nullopt when `card` is not 13 digits or is a not-found card.
std::optional<Participant> participant_by_card(std::string_view card);
// nullopt when `nik` is not a simulator NIK or maps to a not-found card.
std::optional<Participant> participant_by_nik(std::string_view nik);

// The bijection (defined for every 13-digit card / every "990" NIK).
std::optional<std::string> nik_for_card(std::string_view card);
std::optional<std::string> card_for_nik(std::string_view nik);

// A stable 64-bit hash of a string (FNV-1a + a splitmix64 finaliser).
std::uint64_t stable_hash(std::string_view s) noexcept;

}  // namespace simpul::connectors::sim
