#pragma once
// Antrean RS wire models (bpjs-api.md §5.3, §5.6). kodedokter, pasienbaru,
// jeniskunjungan, the quota counters and the times are JSON numbers; event
// times (estimasidilayani) are Unix time in MILLISECONDS. Member order =
// catalogue key order.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mappings/bpjs/wire.hpp"

namespace simpul::mappings::bpjs {

// POST antrean/add (the CAT-AN example, every field).
struct AntreanAdd {
  std::string kodebooking;  // booking code, unique per hospital
  std::string jenispasien;  // "JKN" / "NON JKN"
  std::string nomorkartu;   // "" for NON JKN
  std::string nik;
  std::string nohp;
  std::string kodepoli;  // BPJS sub-specialty code (kdsubspesialis), e.g. "ANA"
  std::string namapoli;
  std::int64_t pasienbaru = 0;  // new patient: 1 ya / 0 tidak
  std::string norm;             // medical record number
  std::string tanggalperiksa;   // yyyy-MM-dd
  std::int64_t kodedokter = 0;  // HFIS doctor code (a number)
  std::string namadokter;
  std::string jampraktek;             // "08:00-16:00"
  std::int64_t jeniskunjungan = 0;    // 1 Rujukan FKTP, 2 Rujukan Internal, 3 Kontrol, 4 Rujukan Antar RS
  std::string nomorreferensi;         // rujukan or surat kontrol number; "" for NON JKN
  std::string nomorantrean;           // queue number text, "A-12"
  std::int64_t angkaantrean = 0;      // queue number
  std::int64_t estimasidilayani = 0;  // estimated service time, Unix ms
  std::int64_t sisakuotajkn = 0;      // remaining JKN quota
  std::int64_t kuotajkn = 0;
  std::int64_t sisakuotanonjkn = 0;
  std::int64_t kuotanonjkn = 0;
  std::string keterangan;
};

std::string to_json(const AntreanAdd& request);
WireResult<AntreanAdd> parse_antrean_add(std::string_view json);

// POST antrean/batal (cancel).
struct AntreanBatal {
  std::string kodebooking;
  std::string keterangan;  // reason
};

std::string to_json(const AntreanBatal& request);
WireResult<AntreanBatal> parse_antrean_batal(std::string_view json);

// GET ref/poli: {"list":[...]} (a bare array is accepted too).
struct AntreanPoli {
  std::string nmpoli;
  std::string nmsubspesialis;
  std::string kdsubspesialis;
  std::string kdpoli;
};

std::string to_json(const std::vector<AntreanPoli>& list);
WireResult<std::vector<AntreanPoli>> parse_antrean_poli(std::string_view json);

// GET ref/dokter: {"list":[...]}.
struct AntreanDokter {
  std::string namadokter;
  std::int64_t kodedokter = 0;
};

std::string to_json(const std::vector<AntreanDokter>& list);
WireResult<std::vector<AntreanDokter>> parse_antrean_dokter(std::string_view json);

}  // namespace simpul::mappings::bpjs
