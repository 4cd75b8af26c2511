// Antrean RS endpoints of the BPJS simulator (bpjs-api.md §5.3): references
// answer metadata code 1, writes answer metadata only, business errors are
// HTTP 200 with metadata code 201.
#include <algorithm>
#include <cctype>

#include "connectors/sim/bpjs_catalogue.hpp"
#include "connectors/sim/bpjs_sim_internal.hpp"

namespace simpul::connectors::sim::bpjs_sim {

namespace cat = catalogue;

namespace {

Outcome write_ok() {
  Outcome o;
  o.code = "200";
  o.message = "Ok";
  o.response_json = std::nullopt;
  return o;
}

Outcome ref_poli(Env&, const Ctx&) {
  json::Writer w;
  w.obj().a("list");
  for (const auto& p : cat::antrean_poli())
    w.obj()
        .s("nmpoli", p.nmpoli)
        .s("nmsubspesialis", p.nmsubspesialis)
        .s("kdsubspesialis", p.kdsubspesialis)
        .s("kdpoli", p.kdpoli)
        .end();
  w.end_arr().end();
  Outcome o = ok(w.take(), "Ok");
  o.code.assign(1, '1');  // (not = "1": GCC 12 -Wrestrict false positive)
  return o;
}

Outcome ref_dokter(Env&, const Ctx&) {
  json::Writer w;
  w.obj().a("list");
  for (const auto& d : cat::doctors()) w.obj().s("namadokter", d.name).i("kodedokter", d.antrean_code).end();
  w.end_arr().end();
  Outcome o = ok(w.take(), "Ok");
  o.code.assign(1, '1');  // (not = "1": GCC 12 -Wrestrict false positive)
  return o;
}

bool is_int(const rapidjson::Value& b, const char* key) {
  const rapidjson::Value* v = json::at(b, key);
  return v && v->IsInt64();
}

bool valid_jam(const std::string& s) {  // "08:00-16:00"
  if (s.size() != 11 || s[2] != ':' || s[5] != '-' || s[8] != ':') return false;
  for (std::size_t i : {0u, 1u, 3u, 4u, 6u, 7u, 9u, 10u})
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  return true;
}

// An Antrean write's body and the kodebooking it names.
struct BookingBody {
  std::optional<rapidjson::Document> doc;
  std::string kode;
};

// Parses ctx.body and its kodebooking; the Antrean error when it cannot.
std::optional<Outcome> parse_booking_body(const Ctx& ctx, BookingBody& out) {
  std::string err;
  out.doc = parse_object(ctx.body, err);
  if (!out.doc) return antrean_error("Request tidak valid: " + err);
  out.kode = json::text_or_empty(*out.doc, "kodebooking");
  if (out.kode.empty()) return antrean_error("kodebooking wajib diisi");
  return std::nullopt;
}

// The stored booking `kode`, or nullptr. Call with state.mu held.
Antrean* find_booking(State& state, const std::string& kode) {
  auto it = state.antrean.find(kode);
  return it == state.antrean.end() ? nullptr : &it->second;
}

Outcome antrean_add(Env& env, const Ctx& ctx) {
  BookingBody body;
  if (auto e = parse_booking_body(ctx, body)) return *e;
  const auto& b = *body.doc;
  const std::string& kode = body.kode;
  auto t = [&](const char* k) { return json::text_or_empty(b, k); };
  const std::string jenis = t("jenispasien");
  if (jenis != "JKN" && jenis != "NON JKN") return antrean_error("jenispasien harus JKN atau NON JKN");
  if (jenis == "JKN") {
    const std::string kartu = t("nomorkartu");
    if (!is_card_number(kartu)) return antrean_error("nomorkartu harus 13 digit angka");
    const auto p = participant_by_card(kartu);
    if (!p) return antrean_error("Peserta tidak ditemukan");
    if (!p->active) return antrean_error("Peserta tidak aktif");
    if (t("nomorreferensi").empty()) return antrean_error("nomorreferensi wajib diisi untuk pasien JKN");
  }
  if (!is_nik(t("nik"))) return antrean_error("nik harus 16 digit angka");
  if (t("nohp").empty()) return antrean_error("nohp wajib diisi");
  const std::string poli = t("kodepoli");
  if (!cat::find_antrean_poli(poli)) return antrean_error("Poli " + poli + " tidak ditemukan");
  // Antrean takes these as JSON numbers (bpjs-api.md §5.6, §6 pitfall 11).
  for (const char* k : {"kodedokter", "pasienbaru", "jeniskunjungan", "angkaantrean", "estimasidilayani",
                        "sisakuotajkn", "kuotajkn", "sisakuotanonjkn", "kuotanonjkn"})
    if (!is_int(b, k)) return antrean_error(std::string(k) + " harus berupa angka");
  if (!cat::find_doctor_antrean(json::at(b, "kodedokter")->GetInt64()))
    return antrean_error("Dokter " + std::to_string(json::at(b, "kodedokter")->GetInt64()) + " tidak ditemukan");
  const auto baru = json::at(b, "pasienbaru")->GetInt64();
  if (baru != 0 && baru != 1) return antrean_error("pasienbaru harus 0 atau 1");
  const auto jk = json::at(b, "jeniskunjungan")->GetInt64();
  if (jk < 1 || jk > 4) return antrean_error("jeniskunjungan harus 1, 2, 3 atau 4");
  if (t("norm").empty()) return antrean_error("norm wajib diisi");
  const auto tgl = cal::parse_ymd(t("tanggalperiksa"));
  if (!tgl) return antrean_error("Format tanggalperiksa tidak sesuai, gunakan yyyy-MM-dd");
  if (*tgl < ctx.today) return antrean_error("tanggalperiksa tidak boleh kurang dari tanggal hari ini");
  if (!valid_jam(t("jampraktek"))) return antrean_error("Format jampraktek harus HH:mm-HH:mm");
  if (t("nomorantrean").empty()) return antrean_error("nomorantrean wajib diisi");
  std::lock_guard lock(env.state.mu);
  if (env.state.antrean.count(kode)) return antrean_error("Terdapat duplikasi Kode Booking");
  Antrean a;
  a.kodebooking = kode;
  flatten(b, a.f);
  a.seq = ++env.state.seq;
  env.state.antrean.emplace(kode, std::move(a));
  return write_ok();
}

Outcome antrean_batal(Env& env, const Ctx& ctx) {
  BookingBody body;
  if (auto e = parse_booking_body(ctx, body)) return *e;
  const std::string keterangan = json::text_or_empty(*body.doc, "keterangan");
  if (keterangan.empty()) return antrean_error("keterangan wajib diisi");
  std::lock_guard lock(env.state.mu);
  Antrean* a = find_booking(env.state, body.kode);
  if (!a) return antrean_error("Antrean tidak ditemukan");
  if (a->batal) return antrean_error("Antrean sudah dibatalkan sebelumnya");
  a->batal = true;
  a->f["keterangan_batal"] = keterangan;
  return write_ok();
}

Outcome antrean_updatewaktu(Env& env, const Ctx& ctx) {
  BookingBody body;
  if (auto e = parse_booking_body(ctx, body)) return *e;
  const rapidjson::Value& doc = *body.doc;
  if (!is_int(doc, "taskid") || !is_int(doc, "waktu")) return antrean_error("taskid dan waktu harus berupa angka");
  const auto id = json::at(doc, "taskid")->GetInt64();
  const auto waktu = json::at(doc, "waktu")->GetInt64();
  if (!((id >= 1 && id <= 7) || id == 99)) return antrean_error("taskid harus 1-7 atau 99");
  std::lock_guard lock(env.state.mu);
  Antrean* a = find_booking(env.state, body.kode);
  if (!a) return antrean_error("Antrean tidak ditemukan");
  auto& tasks = a->tasks;
  for (const auto& [tid, tw] : tasks)
    if (tid == id) return antrean_error("TaskId=" + std::to_string(id) + " sudah ada");
  if (!tasks.empty() && id != 99 && id < tasks.back().first)
    return antrean_error("TaskId=" + std::to_string(id) + " tidak boleh dikirim setelah TaskId=" +
                         std::to_string(tasks.back().first));
  if (!tasks.empty() && waktu < tasks.back().second)
    return antrean_error("waktu TaskId=" + std::to_string(id) + " tidak boleh lebih awal dari task sebelumnya");
  tasks.emplace_back(id, waktu);
  if (id == 99) a->batal = true;
  return write_ok();
}

Outcome antrean_by_kodebooking(Env& env, const Ctx& ctx) {
  std::lock_guard lock(env.state.mu);
  const Antrean* a = find_booking(env.state, ctx.params[0]);
  if (!a) return antrean_error("Data tidak ditemukan");
  const Fields& f = a->f;
  json::Writer w;
  w.arr()
      .obj()
      .s("kodebooking", a->kodebooking)
      .s("tanggal", field(f, "tanggalperiksa"))
      .s("kodepoli", field(f, "kodepoli"))
      .key("kodedokter")
      .raw(field(f, "kodedokter").empty() ? std::string("0") : field(f, "kodedokter"))
      .s("jampraktek", field(f, "jampraktek"))
      .s("nik", field(f, "nik"))
      .s("nokapst", field(f, "nomorkartu"))
      .s("nohp", field(f, "nohp"))
      .s("norekammedis", field(f, "norm"))
      .s("jeniskunjungan", field(f, "jeniskunjungan"))
      .s("nomorreferensi", field(f, "nomorreferensi"))
      .s("sumberdata", "Bridging Antrean")
      .s("ispeserta", field(f, "jenispasien") == "JKN" ? "1" : "0")
      .s("noantrean", field(f, "nomorantrean"))
      .s("estimasidilayani", field(f, "estimasidilayani"))
      .s("createdtime", field(f, "estimasidilayani"))
      .s("status", a->batal ? "Batal" : "Belum dilayani")
      .end()
      .end_arr();
  Outcome o = ok(w.take(), "Ok");
  return o;
}

}  // namespace

std::vector<Route> antrean_routes() {
  const Service a = Service::antrean;
  return {
      {a, "GET", "ref/poli", ref_poli},
      {a, "GET", "ref/dokter", ref_dokter},
      {a, "POST", "antrean/add", antrean_add},
      {a, "POST", "antrean/batal", antrean_batal},
      {a, "POST", "antrean/updatewaktu", antrean_updatewaktu},
      {a, "GET", "antrean/pendaftaran/kodebooking/*", antrean_by_kodebooking},
  };
}

}  // namespace simpul::connectors::sim::bpjs_sim
