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

SIMPUL_BPJS_WIRE_MESSAGE(AntreanAdd, parse_antrean_add)

template <class V>
void describe(V& v, AntreanBatal& s) {
  v.required("kodebooking", s.kodebooking);
  v("keterangan", s.keterangan);
}

SIMPUL_BPJS_WIRE_MESSAGE(AntreanBatal, parse_antrean_batal)

template <class V>
void describe(V& v, AntreanPoli& s) {
  v("nmpoli", s.nmpoli);
  v("nmsubspesialis", s.nmsubspesialis);
  v.required("kdsubspesialis", s.kdsubspesialis);
  v("kdpoli", s.kdpoli);
}

SIMPUL_BPJS_WIRE_LIST(AntreanPoli, parse_antrean_poli, "list")

template <class V>
void describe(V& v, AntreanDokter& s) {
  v("namadokter", s.namadokter);
  v.required("kodedokter", s.kodedokter);
}

SIMPUL_BPJS_WIRE_LIST(AntreanDokter, parse_antrean_dokter, "list")

}  // namespace simpul::mappings::bpjs
