// Antrean RS wire models: one describe() per struct, keys in catalogue order.
#include "mappings/bpjs/antrean.hpp"

#include "mappings/bpjs/wire_json.hpp"

namespace simpul::mappings::bpjs {

template <class V>
void describe(V& v, AntreanAdd& s) {
  v.required("kodebooking", s.kodebooking);
  v("jenispasien", s.jenispasien);
  v("nomorkartu", s.nomorkartu);
  v("nik", s.nik);
  v("nohp", s.nohp);
  v("kodepoli", s.kodepoli);
  v("namapoli", s.namapoli);
  v("pasienbaru", s.pasienbaru);
  v("norm", s.norm);
  v("tanggalperiksa", s.tanggalperiksa);
  v("kodedokter", s.kodedokter);
  v("namadokter", s.namadokter);
  v("jampraktek", s.jampraktek);
  v("jeniskunjungan", s.jeniskunjungan);
  v("nomorreferensi", s.nomorreferensi);
  v("nomorantrean", s.nomorantrean);
  v("angkaantrean", s.angkaantrean);
  v("estimasidilayani", s.estimasidilayani);
  v("sisakuotajkn", s.sisakuotajkn);
  v("kuotajkn", s.kuotajkn);
  v("sisakuotanonjkn", s.sisakuotanonjkn);
  v("kuotanonjkn", s.kuotanonjkn);
  v("keterangan", s.keterangan);
}

std::string to_json(const AntreanAdd& r) {
  return io::write_message(r);
}
WireResult<AntreanAdd> parse_antrean_add(std::string_view json) {
  return io::read_message<AntreanAdd>(json);
}

template <class V>
void describe(V& v, AntreanBatal& s) {
  v.required("kodebooking", s.kodebooking);
  v("keterangan", s.keterangan);
}

std::string to_json(const AntreanBatal& r) {
  return io::write_message(r);
}
WireResult<AntreanBatal> parse_antrean_batal(std::string_view json) {
  return io::read_message<AntreanBatal>(json);
}

template <class V>
void describe(V& v, AntreanPoli& s) {
  v("nmpoli", s.nmpoli);
  v("nmsubspesialis", s.nmsubspesialis);
  v.required("kdsubspesialis", s.kdsubspesialis);
  v("kdpoli", s.kdpoli);
}

std::string to_json(const std::vector<AntreanPoli>& list) {
  return io::write_list(list, "list");
}
WireResult<std::vector<AntreanPoli>> parse_antrean_poli(std::string_view json) {
  return io::read_list<AntreanPoli>(json, "list");
}

template <class V>
void describe(V& v, AntreanDokter& s) {
  v("namadokter", s.namadokter);
  v.required("kodedokter", s.kodedokter);
}

std::string to_json(const std::vector<AntreanDokter>& list) {
  return io::write_list(list, "list");
}
WireResult<std::vector<AntreanDokter>> parse_antrean_dokter(std::string_view json) {
  return io::read_list<AntreanDokter>(json, "list");
}

}  // namespace simpul::mappings::bpjs
