// V-Claim 2.0 endpoints of the BPJS simulator (bpjs-api.md §5.1). Business
// errors are HTTP 200 with metaData.code "201" and a message, as V-Claim does.
#include <algorithm>
#include <cctype>

#include "connectors/sim/bpjs_catalogue.hpp"
#include "connectors/sim/bpjs_sim_internal.hpp"

namespace simpul::connectors::sim::bpjs_sim {

namespace cat = catalogue;

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool one_of(const std::string& v, std::initializer_list<std::string_view> set) {
  return std::find(set.begin(), set.end(), v) != set.end();
}

std::string pad6(std::uint64_t n) {
  std::string s = std::to_string(n % 1000000);
  return std::string(6 - s.size(), '0') + s;
}

std::string diag_text(std::string_view code) {
  const auto* d = cat::find_diagnosis(code);
  return d ? std::string(d->code) + " - " + std::string(d->name) : std::string(code);
}

std::string poli_name(std::string_view code) {
  const auto* p = cat::find_vclaim_poli(code);
  return p ? std::string(p->name) : std::string();
}

std::string doctor_name(std::string_view code) {
  const auto* d = cat::find_doctor(code);
  return d ? std::string(d->name) : std::string();
}

std::string jns_text(const std::string& j) { return j == "1" ? "R.Inap" : "R.Jalan"; }
std::string jns_long(const std::string& j) { return j == "1" ? "Rawat Inap" : "Rawat Jalan"; }

const char* laka_name(const std::string& l) {
  if (l == "1") return "KLL dan bukan kecelakaan Kerja [BKK]";
  if (l == "2") return "KLL dan KK";
  if (l == "3") return "KK";
  return "Bukan Kecelakaan lalu lintas [BKLL]";
}

const char* tujuan_name(const std::string& t) {
  if (t == "1") return "Prosedur";
  if (t == "2") return "Konsul Dokter";
  return "Normal";
}

const char* flag_name(const std::string& f) {
  if (f == "0") return "Prosedur Tidak Berkelanjutan";
  if (f == "1") return "Prosedur dan Terapi Berkelanjutan";
  return "";
}

const char* penunjang_name(const std::string& k) {
  static const char* kNames[] = {"",          "Radioterapi",      "Kemoterapi",  "Rehabilitasi Medik",
                                 "Rehabilitasi Psikososial", "Transfusi Darah", "Pelayanan Gigi", "Laboratorium",
                                 "USG",       "Farmasi",          "Lain-Lain",   "MRI",
                                 "HEMODIALISA"};
  if (k.empty() || k.size() > 2 || !std::all_of(k.begin(), k.end(), [](char c) { return c >= '0' && c <= '9'; })) return "";
  const int n = std::stoi(k);
  return n >= 1 && n <= 12 ? kNames[n] : "";
}

const char* assesment_name(const std::string& a) {
  if (a == "1") return "Poli spesialis tidak tersedia pada hari sebelumnya";
  if (a == "2") return "Jam Poli telah berakhir pada hari sebelumnya";
  if (a == "3") return "Dokter Spesialis yang dimaksud tidak praktek pada hari sebelumnya";
  if (a == "4") return "Atas Instruksi RS";
  if (a == "5") return "Tujuan Kontrol";
  return "";
}

// ---------------------------------------------------------------- peserta

Outcome peserta_answer(const std::optional<Participant>& p, const std::string& date_text, const Ctx& ctx) {
  auto date = cal::parse_ymd(date_text);
  if (!date) return vclaim_error("Format tanggal SEP tidak sesuai, gunakan yyyy-MM-dd");
  if (!p) return vclaim_error("Peserta tidak ditemukan");
  json::Writer w;
  w.obj().key("peserta");
  write_vclaim_peserta(w, *p, *date, ctx.today);
  w.end();
  return ok(w.take());
}

Outcome peserta_nokartu(Env&, const Ctx& ctx) {
  if (!is_card_number(ctx.params[0])) return vclaim_error("Nomor kartu harus 13 digit angka");
  return peserta_answer(participant_by_card(ctx.params[0]), ctx.params[1], ctx);
}

Outcome peserta_nik(Env&, const Ctx& ctx) {
  if (!is_nik(ctx.params[0])) return vclaim_error("NIK harus 16 digit angka");
  return peserta_answer(participant_by_nik(ctx.params[0]), ctx.params[1], ctx);
}

// ---------------------------------------------------------------- SEP

constexpr std::string_view kInsertFields[] = {
    "noKartu", "tglSep", "ppkPelayanan", "jnsPelayanan", "klsRawat.klsRawatHak", "klsRawat.klsRawatNaik",
    "klsRawat.pembiayaan", "klsRawat.penanggungJawab", "noMR", "rujukan.asalRujukan", "rujukan.tglRujukan",
    "rujukan.noRujukan", "rujukan.ppkRujukan", "catatan", "diagAwal", "poli.tujuan", "poli.eksekutif", "cob.cob",
    "katarak.katarak", "jaminan.lakaLantas", "jaminan.noLP", "jaminan.penjamin.tglKejadian",
    "jaminan.penjamin.keterangan", "jaminan.penjamin.suplesi.suplesi", "jaminan.penjamin.suplesi.noSepSuplesi",
    "jaminan.penjamin.suplesi.lokasiLaka.kdPropinsi", "jaminan.penjamin.suplesi.lokasiLaka.kdKabupaten",
    "jaminan.penjamin.suplesi.lokasiLaka.kdKecamatan", "tujuanKunj", "flagProcedure", "kdPenunjang", "assesmentPel",
    "skdp.noSurat", "skdp.kodeDPJP", "dpjpLayan", "noTelp", "user"};

constexpr std::string_view kUpdateFields[] = {
    "klsRawat.klsRawatHak", "klsRawat.klsRawatNaik", "klsRawat.pembiayaan", "klsRawat.penanggungJawab", "noMR",
    "catatan", "diagAwal", "poli.tujuan", "poli.eksekutif", "cob.cob", "katarak.katarak", "jaminan.lakaLantas",
    "jaminan.penjamin.tglKejadian", "jaminan.penjamin.keterangan", "jaminan.penjamin.suplesi.suplesi",
    "jaminan.penjamin.suplesi.noSepSuplesi", "jaminan.penjamin.suplesi.lokasiLaka.kdPropinsi",
    "jaminan.penjamin.suplesi.lokasiLaka.kdKabupaten", "jaminan.penjamin.suplesi.lokasiLaka.kdKecamatan",
    "dpjpLayan", "noTelp", "user"};

template <std::size_t N>
void collect(const rapidjson::Value& t, const std::string_view (&keys)[N], Fields& out) {
  for (auto k : keys)
    if (auto v = json::text(t, k)) out[std::string(k)] = *v;
}

// The business rules of SEP 2.0 (bpjs-api.md §5.6), in the order a clerk meets them.
std::optional<std::string> validate_sep(const Fields& f, const cal::Date& today) {
  auto g = [&](const char* k) { return field(f, k); };
  const std::string kartu = g("noKartu");
  if (kartu.empty()) return "noKartu wajib diisi";
  if (!is_card_number(kartu)) return "Nomor kartu harus 13 digit angka";
  const auto p = participant_by_card(kartu);
  if (!p) return "Peserta tidak ditemukan";
  if (!p->active) return "Status peserta tidak aktif (" + p->status_ket + ")";
  const auto tgl = cal::parse_ymd(g("tglSep"));
  if (!tgl) return "Format tglSep tidak sesuai, gunakan yyyy-MM-dd";
  if (*tgl > today) return "Tanggal SEP tidak boleh melebihi tanggal hari ini";
  if (g("ppkPelayanan").size() != 8) return "ppkPelayanan harus 8 karakter kode PPK";
  const std::string jns = g("jnsPelayanan");
  if (!one_of(jns, {"1", "2"})) return "jnsPelayanan harus 1 (Rawat Inap) atau 2 (Rawat Jalan)";
  const std::string hak = g("klsRawat.klsRawatHak");
  if (!one_of(hak, {"1", "2", "3"})) return "klsRawatHak harus 1, 2 atau 3";
  if (hak != p->hak_kelas) return "klsRawatHak tidak sesuai dengan hak kelas peserta (" + p->hak_kelas + ")";
  const std::string naik = g("klsRawat.klsRawatNaik");
  if (!naik.empty()) {
    if (!one_of(naik, {"1", "2", "3", "4", "5", "6", "7", "8"})) return "klsRawatNaik tidak valid (1-8)";
    if (jns != "1") return "Naik kelas hanya untuk rawat inap";
    if (!one_of(g("klsRawat.pembiayaan"), {"1", "2", "3"})) return "pembiayaan wajib diisi bila naik kelas (1-3)";
    if (g("klsRawat.penanggungJawab").empty()) return "penanggungJawab wajib diisi bila naik kelas";
  }
  if (g("noMR").empty()) return "noMR wajib diisi";
  if (!one_of(g("rujukan.asalRujukan"), {"1", "2"})) return "asalRujukan harus 1 (Faskes 1) atau 2 (Faskes 2)";
  const auto tgl_rujukan = cal::parse_ymd(g("rujukan.tglRujukan"));
  if (!tgl_rujukan) return "Format tglRujukan tidak sesuai, gunakan yyyy-MM-dd";
  if (*tgl_rujukan > *tgl) return "tglRujukan tidak boleh melebihi tglSep";
  if (cal::to_days(*tgl) - cal::to_days(*tgl_rujukan) > 90) return "Rujukan sudah tidak berlaku (lebih dari 90 hari)";
  if (g("rujukan.noRujukan").empty()) return "noRujukan wajib diisi";
  if (g("rujukan.ppkRujukan").empty()) return "ppkRujukan wajib diisi";
  const std::string diag = g("diagAwal");
  if (diag.empty()) return "diagAwal wajib diisi";
  if (!cat::find_diagnosis(diag)) return "Kode diagnosa " + diag + " tidak ditemukan";
  const std::string poli = g("poli.tujuan");
  if (jns == "2" && poli.empty()) return "Poli tujuan wajib diisi untuk rawat jalan";
  if (!poli.empty() && !cat::find_vclaim_poli(poli)) return "Kode poli " + poli + " tidak ditemukan";
  for (const char* k : {"poli.eksekutif", "cob.cob", "katarak.katarak"}) {
    const std::string v = g(k);
    if (!v.empty() && !one_of(v, {"0", "1"})) return std::string(k) + " harus 0 atau 1";
  }
  const std::string laka = g("jaminan.lakaLantas");
  if (!laka.empty() && !one_of(laka, {"0", "1", "2", "3"})) return "lakaLantas harus 0, 1, 2 atau 3";
  if (!laka.empty() && laka != "0") {
    const auto kejadian = cal::parse_ymd(g("jaminan.penjamin.tglKejadian"));
    if (!kejadian) return "tglKejadian wajib diisi (yyyy-MM-dd) untuk kasus kecelakaan";
    if (*kejadian > *tgl) return "tglKejadian tidak boleh melebihi tglSep";
  }
  const std::string tujuan = g("tujuanKunj").empty() ? "0" : g("tujuanKunj");
  if (!one_of(tujuan, {"0", "1", "2"})) return "tujuanKunj harus 0, 1 atau 2";
  const std::string flag = g("flagProcedure"), penunjang = g("kdPenunjang"), assesment = g("assesmentPel");
  if (tujuan == "0" && (!flag.empty() || !penunjang.empty()))
    return "flagProcedure dan kdPenunjang harus kosong bila tujuanKunj = 0";
  if (tujuan == "1") {
    if (!one_of(flag, {"0", "1"})) return "flagProcedure wajib diisi (0/1) bila tujuanKunj = 1";
    if (!*penunjang_name(penunjang)) return "kdPenunjang wajib diisi (1-12) bila tujuanKunj = 1";
  }
  if (tujuan == "2" && assesment.empty()) return "assesmentPel wajib diisi bila tujuanKunj = 2";
  if (!assesment.empty() && !*assesment_name(assesment)) return "assesmentPel tidak valid (1-5)";
  const std::string dpjp = g("dpjpLayan");
  if (jns == "1" && !dpjp.empty()) return "dpjpLayan harus kosong untuk rawat inap";
  if (jns == "2" && dpjp.empty()) return "dpjpLayan wajib diisi untuk rawat jalan";
  if (!dpjp.empty() && !cat::find_doctor(dpjp)) return "Kode DPJP " + dpjp + " tidak ditemukan";
  const std::string kode_dpjp = g("skdp.kodeDPJP");
  if (jns == "1" && (g("skdp.noSurat").empty() || kode_dpjp.empty()))
    return "skdp.noSurat dan skdp.kodeDPJP (SPRI) wajib diisi untuk rawat inap";
  if (!kode_dpjp.empty() && !cat::find_doctor(kode_dpjp)) return "Kode DPJP " + kode_dpjp + " tidak ditemukan";
  if (g("noTelp").empty()) return "noTelp wajib diisi";
  if (g("user").empty()) return "user wajib diisi";
  return std::nullopt;
}

void write_sep_peserta_short(json::Writer& w, const Participant& p, const std::string& no_mr) {
  w.o("peserta")
      .s("asuransi", "-")
      .s("hakKelas", "Kelas " + p.hak_kelas)
      .s("jnsPeserta", p.jenis_nama)
      .s("kelamin", p.sex == 'P' ? "Perempuan" : "Laki-Laki")
      .s("nama", p.nama)
      .s("noKartu", p.no_kartu)
      .s("noMr", no_mr)
      .s("tglLahir", cal::ymd(p.tgl_lahir))
      .end();
}

std::string sep_insert_response(const Sep& s) {
  const Fields& f = s.f;
  const auto p = participant_by_card(field(f, "noKartu"));
  const std::string jns = field(f, "jnsPelayanan");
  const std::string poli = field(f, "poli.tujuan");
  json::Writer w;
  w.obj().o("sep");
  w.s("assestmenPel", field(f, "assesmentPel"))
      .s("catatan", field(f, "catatan"))
      .s("diagnosa", diag_text(field(f, "diagAwal")))
      .s("flagProcedure", field(f, "flagProcedure"))
      .o("informasi").n("dinsos").s("eSEP", "False").n("noSKTM").n("prolanisPRB").end()
      .s("jnsPelayanan", jns_text(jns))
      .s("kdPenunjang", field(f, "kdPenunjang"))
      .s("kdPoli", poli)
      .s("kelasRawat", jns == "1" ? "Kelas " + field(f, "klsRawat.klsRawatHak") : std::string("-"))
      .s("noRujukan", field(f, "rujukan.noRujukan"))
      .s("noSep", s.no_sep)
      .s("penjamin", field(f, "jaminan.lakaLantas").empty() || field(f, "jaminan.lakaLantas") == "0"
                         ? std::string("-")
                         : std::string(laka_name(field(f, "jaminan.lakaLantas"))));
  if (p) write_sep_peserta_short(w, *p, field(f, "noMR"));
  w.s("poli", poli_name(poli))
      .s("poliEksekutif", field(f, "poli.eksekutif") == "1" ? "Ya" : "Tidak")
      .s("tglSep", field(f, "tglSep"))
      .s("tujuanKunj", field(f, "tujuanKunj").empty() ? std::string("0") : field(f, "tujuanKunj"));
  w.end().end();
  return w.take();
}

std::string sep_detail(const Sep& s) {
  const Fields& f = s.f;
  const auto p = participant_by_card(field(f, "noKartu"));
  const std::string jns = field(f, "jnsPelayanan");
  const std::string poli = field(f, "poli.tujuan");
  const std::string laka = field(f, "jaminan.lakaLantas").empty() ? "0" : field(f, "jaminan.lakaLantas");
  const std::string tujuan = field(f, "tujuanKunj").empty() ? "0" : field(f, "tujuanKunj");
  const std::string dpjp = jns == "1" ? field(f, "skdp.kodeDPJP") : field(f, "dpjpLayan");
  json::Writer w;
  w.obj()
      .s("noSep", s.no_sep)
      .s("tglSep", field(f, "tglSep"))
      .s("jnsPelayanan", jns_long(jns))
      .s("kelasRawat", field(f, "klsRawat.klsRawatHak"))
      .s("diagnosa", diag_text(field(f, "diagAwal")))
      .s("noRujukan", field(f, "rujukan.noRujukan"))
      .s("poli", poli_name(poli))
      .s("poliEksekutif", field(f, "poli.eksekutif").empty() ? std::string("0") : field(f, "poli.eksekutif"))
      .s("catatan", field(f, "catatan"))
      .n("penjamin")
      .s("kdStatusKecelakaan", laka)
      .s("nmstatusKecelakaan", laka_name(laka))
      .o("lokasiKejadian")
      .sn("kdKab", field(f, "jaminan.penjamin.suplesi.lokasiLaka.kdKabupaten"))
      .sn("kdKec", field(f, "jaminan.penjamin.suplesi.lokasiLaka.kdKecamatan"))
      .sn("kdProp", field(f, "jaminan.penjamin.suplesi.lokasiLaka.kdPropinsi"))
      .sn("ketKejadian", field(f, "jaminan.penjamin.keterangan"))
      .n("lokasi")
      .sn("tglKejadian", field(f, "jaminan.penjamin.tglKejadian"))
      .end()
      .o("dpjp").s("kdDPJP", dpjp).s("nmDPJP", doctor_name(dpjp)).end();
  if (p) {
    w.o("peserta")
        .s("noKartu", p->no_kartu)
        .s("nama", p->nama)
        .s("tglLahir", cal::ymd(p->tgl_lahir))
        .s("kelamin", std::string(1, p->sex))
        .s("hakKelas", "Kelas " + p->hak_kelas)
        .s("jnsPeserta", p->jenis_nama)
        .n("asuransi")
        .s("noMr", field(f, "noMR"))
        .end();
  }
  w.o("klsRawat")
      .s("klsRawatHak", field(f, "klsRawat.klsRawatHak"))
      .sn("klsRawatNaik", field(f, "klsRawat.klsRawatNaik"))
      .sn("pembiayaan", field(f, "klsRawat.pembiayaan"))
      .sn("penanggungJawab", field(f, "klsRawat.penanggungJawab"))
      .end()
      .o("kontrol")
      .sn("kdDokter", field(f, "skdp.kodeDPJP"))
      .sn("nmDokter", doctor_name(field(f, "skdp.kodeDPJP")))
      .sn("noSurat", field(f, "skdp.noSurat"))
      .end()
      .s("cob", field(f, "cob.cob").empty() ? std::string("0") : field(f, "cob.cob"))
      .s("katarak", field(f, "katarak.katarak").empty() ? std::string("0") : field(f, "katarak.katarak"))
      .o("tujuanKunj").s("kode", tujuan).s("nama", tujuan_name(tujuan)).end()
      .o("flagProcedure").sn("kode", field(f, "flagProcedure")).sn("nama", flag_name(field(f, "flagProcedure"))).end()
      .o("kdPenunjang").sn("kode", field(f, "kdPenunjang")).sn("nama", penunjang_name(field(f, "kdPenunjang"))).end()
      .o("assestmenPel").sn("kode", field(f, "assesmentPel")).sn("nama", assesment_name(field(f, "assesmentPel"))).end()
      .s("eSEP", "False")
      .end();
  return w.take();
}

// A SEP write's body: its request.t_sep object and, for update and delete, the noSep it names.
struct SepBody {
  std::optional<rapidjson::Document> doc;
  const rapidjson::Value* t = nullptr;
  std::string no;
};

// Parses ctx.body down to request.t_sep (and its noSep when `names_sep`); the V-Claim error when it cannot.
std::optional<Outcome> parse_sep_body(const Ctx& ctx, bool names_sep, SepBody& out) {
  std::string err;
  out.doc = parse_object(ctx.body, err);
  if (out.doc) out.t = json::at(*out.doc, "request.t_sep");
  if (!out.t || !out.t->IsObject())
    return vclaim_error(out.doc ? "Request tidak valid: request.t_sep tidak ditemukan" : "Request tidak valid: " + err);
  if (!names_sep) return std::nullopt;
  out.no = json::text_or_empty(*out.t, "noSep");
  if (out.no.empty()) return vclaim_error("noSep wajib diisi");
  return std::nullopt;
}

// The stored SEP `no` unless it is unknown or deleted. Call with state.mu held.
Sep* live_sep(State& state, const std::string& no) {
  auto it = state.seps.find(no);
  return it == state.seps.end() || it->second.deleted ? nullptr : &it->second;
}

Outcome sep_insert(Env& env, const Ctx& ctx) {
  SepBody body;
  if (auto e = parse_sep_body(ctx, false, body)) return *e;
  Sep s;
  collect(*body.t, kInsertFields, s.f);
  if (auto e = validate_sep(s.f, ctx.today)) return vclaim_error(*e);
  const auto tgl = *cal::parse_ymd(field(s.f, "tglSep"));
  {
    std::lock_guard lock(env.state.mu);
    // Not idempotent, like BPJS: every accepted insert is a new SEP.
    s.no_sep = field(s.f, "ppkPelayanan") + cal::mmyy(tgl) + "V" + pad6(++env.state.sep_counter);
    s.seq = ++env.state.seq;
    ++env.state.sep_created;
    env.state.seps[s.no_sep] = s;
  }
  return ok(sep_insert_response(s), "Sukses");
}

Outcome sep_update(Env& env, const Ctx& ctx) {
  SepBody body;
  if (auto e = parse_sep_body(ctx, true, body)) return *e;
  std::lock_guard lock(env.state.mu);
  Sep* sep = live_sep(env.state, body.no);
  if (!sep) return vclaim_error("Data SEP " + body.no + " tidak ditemukan");
  Fields merged = sep->f;
  collect(*body.t, kUpdateFields, merged);
  if (auto e = validate_sep(merged, ctx.today)) return vclaim_error(*e);
  sep->f = std::move(merged);
  ++sep->updates;
  return ok(json::quote(body.no), "Sukses");
}

Outcome sep_delete(Env& env, const Ctx& ctx) {
  SepBody body;
  if (auto e = parse_sep_body(ctx, true, body)) return *e;
  if (json::text_or_empty(*body.t, "user").empty()) return vclaim_error("user wajib diisi");
  std::lock_guard lock(env.state.mu);
  Sep* sep = live_sep(env.state, body.no);
  if (!sep) return vclaim_error("Data SEP " + body.no + " tidak ditemukan");
  sep->deleted = true;
  Outcome o = ok(json::quote(body.no), "Sukses");
  o.encrypt = false;  // bpjs-api.md §3.6: the delete answers the plain SEP number
  return o;
}

Outcome sep_get(Env& env, const Ctx& ctx) {
  std::lock_guard lock(env.state.mu);
  const Sep* sep = live_sep(env.state, ctx.params[0]);
  if (!sep) return vclaim_error("Data SEP tidak ditemukan");
  return ok(sep_detail(*sep));
}

Outcome last_sep(Env& env, const Ctx& ctx) {
  std::lock_guard lock(env.state.mu);
  const Sep* best = nullptr;
  for (const auto& [k, s] : env.state.seps)
    if (!s.deleted && field(s.f, "rujukan.noRujukan") == ctx.params[0] && (!best || s.seq > best->seq)) best = &s;
  if (!best) return vclaim_error("Data tidak ditemukan");
  json::Writer w;
  w.obj()
      .s("noSep", best->no_sep)
      .s("tglSep", field(best->f, "tglSep"))
      .n("tglPlgSep")
      .s("jnsPelayanan", field(best->f, "jnsPelayanan"))
      .s("poli", field(best->f, "poli.tujuan"))
      .s("diagnosa", field(best->f, "diagAwal"))
      .s("noKartu", field(best->f, "noKartu"))
      .end();
  return ok(w.take());
}

// ---------------------------------------------------------------- rujukan

// The referral every found card has, from its FKTP (source 1) or from a
// hospital (source 2): dated 1..20 days before today, so it is valid.
Rujukan synthetic_rujukan(const Participant& p, int source, const cal::Date& today) {
  std::uint64_t h = stable_hash(p.no_kartu + (source == 1 ? "/rujukan-fktp" : "/rujukan-rs"));
  Rujukan r;
  r.no_kartu = p.no_kartu;
  r.source = source;
  r.tgl_kunjungan = cal::add_days(today, -static_cast<std::int64_t>(1 + h % 20));
  h /= 20;
  std::vector<const cat::CodeName*> polis;
  for (const auto& pl : cat::vclaim_poli())
    if (pl.code != "IGD" && pl.code != "HDL") polis.push_back(&pl);
  r.poli = std::string(polis[h % polis.size()]->code);
  h /= polis.size();
  const auto diags = cat::diagnoses();
  r.diag = std::string(diags[h % diags.size()].code);
  h /= diags.size();
  if (source == 1) {
    r.perujuk_kode = p.prov_kode;
    r.perujuk_nama = p.prov_nama;
  } else {
    std::vector<const cat::Facility*> rs;
    for (const auto& f : cat::facilities())
      if (f.level == 2) rs.push_back(&f);
    const auto* f = rs[h % rs.size()];
    h /= rs.size();
    r.perujuk_kode = std::string(f->code);
    r.perujuk_nama = std::string(f->name);
  }
  r.keluhan = "keluhan (simulasi)";
  r.no = r.perujuk_kode + cal::mmyy(r.tgl_kunjungan) + (source == 1 ? "P" : "B") + pad6(h);
  return r;
}

void write_rujukan(json::Writer& w, const Rujukan& r, const cal::Date& today) {
  const auto p = participant_by_card(r.no_kartu);
  w.obj()
      .o("diagnosa").s("kode", r.diag).s("nama", diag_text(r.diag)).end()
      .s("keluhan", r.keluhan)
      .s("noKunjungan", r.no)
      .o("pelayanan").s("kode", "2").s("nama", "Rawat Jalan").end();
  if (p) {
    w.key("peserta");
    write_vclaim_peserta(w, *p, r.tgl_kunjungan, today);
  }
  w.o("poliRujukan").s("kode", r.poli).s("nama", poli_name(r.poli)).end()
      .o("provPerujuk").s("kode", r.perujuk_kode).s("nama", r.perujuk_nama).end()
      .s("tglKunjungan", cal::ymd(r.tgl_kunjungan))
      .end();
}

// All referrals of a card from one source, newest first (with state.mu held).
std::vector<const Rujukan*> rujukan_for_card_locked(State& st, const Participant& p, int source,
                                                    const cal::Date& today) {
  auto& map = source == 1 ? st.rujukan_fktp : st.rujukan_rs;
  Rujukan synth = synthetic_rujukan(p, source, today);
  if (!map.count(synth.no)) {
    synth.seq = ++st.seq;
    map.emplace(synth.no, synth);
  }
  std::vector<const Rujukan*> out;
  for (const auto& [k, r] : map)
    if (r.no_kartu == p.no_kartu) out.push_back(&r);
  std::sort(out.begin(), out.end(), [](const Rujukan* a, const Rujukan* b) {
    return a->tgl_kunjungan != b->tgl_kunjungan ? a->tgl_kunjungan > b->tgl_kunjungan : a->seq > b->seq;
  });
  return out;
}

Outcome rujukan_by_card(Env& env, const Ctx& ctx, int source, bool list) {
  const std::string& card = ctx.params[0];
  if (!is_card_number(card)) return vclaim_error("Nomor kartu harus 13 digit angka");
  const auto p = participant_by_card(card);
  if (!p) return vclaim_error("Data rujukan tidak ditemukan");
  std::lock_guard lock(env.state.mu);
  const auto all = rujukan_for_card_locked(env.state, *p, source, ctx.today);
  json::Writer w;
  w.obj().key("rujukan");
  if (list) {
    w.arr();
    for (const auto* r : all) write_rujukan(w, *r, ctx.today);
    w.end_arr();
  } else {
    write_rujukan(w, *all.front(), ctx.today);
  }
  w.end();
  return ok(w.take());
}

Outcome rujukan_peserta_fktp(Env& e, const Ctx& c) { return rujukan_by_card(e, c, 1, false); }
Outcome rujukan_peserta_rs(Env& e, const Ctx& c) { return rujukan_by_card(e, c, 2, false); }
Outcome rujukan_list_fktp(Env& e, const Ctx& c) { return rujukan_by_card(e, c, 1, true); }
Outcome rujukan_list_rs(Env& e, const Ctx& c) { return rujukan_by_card(e, c, 2, true); }

Outcome rujukan_by_number(Env& env, const Ctx& ctx, int source) {
  std::lock_guard lock(env.state.mu);
  const auto& map = source == 1 ? env.state.rujukan_fktp : env.state.rujukan_rs;
  auto it = map.find(ctx.params[0]);
  if (it == map.end()) return vclaim_error("Data rujukan tidak ditemukan");
  json::Writer w;
  w.obj().key("rujukan");
  write_rujukan(w, it->second, ctx.today);
  w.end();
  return ok(w.take());
}

Outcome rujukan_fktp(Env& e, const Ctx& c) { return rujukan_by_number(e, c, 1); }
Outcome rujukan_rs(Env& e, const Ctx& c) { return rujukan_by_number(e, c, 2); }

// The V-Claim list answer {"<key>":[...]}: write_items(w) writes the items and
// says how many; none is the "Data tidak ditemukan" error.
template <class WriteItems>
Outcome list_answer(const char* key, WriteItems write_items) {
  json::Writer w;
  w.obj().a(key);
  const std::size_t n = write_items(w);
  w.end_arr().end();
  if (n == 0) return vclaim_error("Data tidak ditemukan");
  return ok(w.take());
}

// ---------------------------------------------------------------- monitoring

Outcome monitoring_kunjungan(Env& env, const Ctx& ctx) {
  const auto tgl = cal::parse_ymd(ctx.params[0]);
  if (!tgl) return vclaim_error("Format tanggal tidak sesuai, gunakan yyyy-MM-dd");
  const std::string& jns = ctx.params[1];
  if (!one_of(jns, {"1", "2"})) return vclaim_error("Jenis pelayanan harus 1 atau 2");
  std::lock_guard lock(env.state.mu);
  return list_answer("sep", [&](json::Writer& w) {
    std::size_t n = 0;
    for (const auto& [k, s] : env.state.seps) {
      if (s.deleted || field(s.f, "tglSep") != ctx.params[0] || field(s.f, "jnsPelayanan") != jns) continue;
      const auto p = participant_by_card(field(s.f, "noKartu"));
      ++n;
      w.obj()
          .s("diagnosa", field(s.f, "diagAwal"))
          .s("jnsPelayanan", jns_text(jns))
          .s("kelasRawat", field(s.f, "klsRawat.klsRawatHak"))
          .s("nama", p ? p->nama : std::string())
          .s("noKartu", field(s.f, "noKartu"))
          .s("noRujukan", field(s.f, "rujukan.noRujukan"))
          .s("noSep", s.no_sep)
          .sn("poli", poli_name(field(s.f, "poli.tujuan")))
          .n("tglPlgSep")
          .s("tglSep", field(s.f, "tglSep"))
          .end();
    }
    return n;
  });
}

Outcome histori(Env& env, const Ctx& ctx) {
  const std::string& card = ctx.params[0];
  if (!is_card_number(card)) return vclaim_error("Nomor kartu harus 13 digit angka");
  const auto a = cal::parse_ymd(ctx.params[1]);
  const auto b = cal::parse_ymd(ctx.params[2]);
  if (!a || !b) return vclaim_error("Format tanggal tidak sesuai, gunakan yyyy-MM-dd");
  if (*a > *b) return vclaim_error("tglMulai tidak boleh melebihi tglAkhir");
  const auto p = participant_by_card(card);
  std::lock_guard lock(env.state.mu);
  return list_answer("histori", [&](json::Writer& w) {
    std::size_t n = 0;
    for (const auto& [k, s] : env.state.seps) {
      if (s.deleted || field(s.f, "noKartu") != card) continue;
      const auto t = cal::parse_ymd(field(s.f, "tglSep"));
      if (!t || *t < *a || *t > *b) continue;
      ++n;
      const std::string ppk = field(s.f, "ppkPelayanan");
      const auto* fac = cat::find_facility(ppk);
      w.obj()
          .s("diagnosa", diag_text(field(s.f, "diagAwal")))
          .s("jnsPelayanan", field(s.f, "jnsPelayanan"))
          .s("kelasRawat", field(s.f, "klsRawat.klsRawatHak"))
          .s("namaPeserta", p ? p->nama : std::string())
          .s("noKartu", card)
          .s("noRujukan", field(s.f, "rujukan.noRujukan"))
          .s("noSep", s.no_sep)
          .sn("poli", poli_name(field(s.f, "poli.tujuan")))
          .s("ppkPelayanan", fac ? std::string(fac->name) : ppk)
          .n("tglPlgSep")
          .s("tglSep", field(s.f, "tglSep"))
          .end();
    }
    return n;
  });
}

// ---------------------------------------------------------------- referensi

bool matches(std::string_view code, std::string_view name, const std::string& kw) {
  const std::string k = lower(kw);
  return lower(code).rfind(k, 0) == 0 || lower(name).find(k) != std::string::npos;
}

template <class Items, class Code, class Name>
Outcome code_name_list(const char* key, const Items& items, const std::string& kw, Code code, Name name) {
  return list_answer(key, [&](json::Writer& w) {
    std::size_t n = 0;
    for (const auto& it : items) {
      if (!kw.empty() && !matches(code(it), name(it), kw)) continue;
      ++n;
      w.obj().s("kode", code(it)).s("nama", name(it)).end();
    }
    return n;
  });
}

Outcome ref_diagnosa(Env&, const Ctx& ctx) {
  return code_name_list(
      "diagnosa", cat::diagnoses(), ctx.params[0], [](const cat::Diagnosis& d) { return std::string(d.code); },
      [](const cat::Diagnosis& d) { return std::string(d.code) + " - " + std::string(d.name); });
}

Outcome ref_poli(Env&, const Ctx& ctx) {
  return code_name_list(
      "poli", cat::vclaim_poli(), ctx.params[0], [](const cat::CodeName& d) { return std::string(d.code); },
      [](const cat::CodeName& d) { return std::string(d.name); });
}

Outcome ref_faskes(Env&, const Ctx& ctx) {
  const std::string& level = ctx.params[1];
  if (!one_of(level, {"1", "2"})) return vclaim_error("Jenis faskes harus 1 (Faskes 1) atau 2 (Faskes 2/RS)");
  std::vector<cat::Facility> items;
  for (const auto& f : cat::facilities())
    if (f.level == std::stoi(level)) items.push_back(f);
  return code_name_list(
      "faskes", items, ctx.params[0], [](const cat::Facility& d) { return std::string(d.code); },
      [](const cat::Facility& d) { return std::string(d.name); });
}

Outcome ref_dokter(Env&, const Ctx& ctx) {
  if (!one_of(ctx.params[0], {"1", "2"})) return vclaim_error("Jenis pelayanan harus 1 atau 2");
  if (!cal::parse_ymd(ctx.params[1])) return vclaim_error("Format tanggal tidak sesuai, gunakan yyyy-MM-dd");
  return list_answer("list", [&](json::Writer& w) {
    std::size_t n = 0;
    for (const auto& d : cat::doctors()) {
      if (lower(d.poli) != lower(ctx.params[2])) continue;
      ++n;
      w.obj().s("kode", d.code).s("nama", d.name).end();
    }
    return n;
  });
}

Outcome ref_propinsi(Env&, const Ctx&) {
  return code_name_list(
      "list", cat::provinces(), "", [](const cat::CodeName& d) { return std::string(d.code); },
      [](const cat::CodeName& d) { return std::string(d.name); });
}

Outcome ref_kabupaten(Env&, const Ctx& ctx) {
  std::vector<cat::Regency> items;
  for (const auto& r : cat::regencies())
    if (r.province == ctx.params[0]) items.push_back(r);
  return code_name_list(
      "list", items, "", [](const cat::Regency& d) { return std::string(d.code); },
      [](const cat::Regency& d) { return std::string(d.name); });
}

}  // namespace

// ---------------------------------------------------------------- shared renderers

std::string kelas_name(std::string_view kode) {
  if (kode == "1") return "KELAS I";
  if (kode == "2") return "KELAS II";
  return "KELAS III";
}

void write_vclaim_peserta(json::Writer& w, const Participant& p, const cal::Date& service_date,
                          const cal::Date& today) {
  w.obj()
      .o("cob").n("nmAsuransi").n("noAsuransi").n("tglTAT").n("tglTMT").end()
      .o("hakKelas").s("keterangan", kelas_name(p.hak_kelas)).s("kode", p.hak_kelas).end()
      .o("informasi").n("dinsos").n("eSEP").n("noSKTM").n("prolanisPRB").end()
      .o("jenisPeserta").s("keterangan", p.jenis_nama).s("kode", p.jenis_kode).end()
      .o("mr").n("noMR").s("noTelepon", p.no_telp).end()
      .s("nama", p.nama)
      .s("nik", p.nik)
      .s("noKartu", p.no_kartu)
      .s("pisa", p.pisa)
      .o("provUmum").s("kdProvider", p.prov_kode).s("nmProvider", p.prov_nama).end()
      .s("sex", std::string(1, p.sex))
      .o("statusPeserta").s("keterangan", p.status_ket).s("kode", p.status_kode).end()
      .s("tglCetakKartu", cal::ymd(p.tgl_cetak_kartu))
      .s("tglLahir", cal::ymd(p.tgl_lahir))
      .s("tglTAT", cal::ymd(p.tgl_tat))
      .s("tglTMT", cal::ymd(p.tgl_tmt))
      .o("umur")
      .s("umurSaatPelayanan", cal::age_text(p.tgl_lahir, service_date))
      .s("umurSekarang", cal::age_text(p.tgl_lahir, today))
      .end()
      .end();
}

void add_fktp_rujukan_locked(State& state, Rujukan r) {
  r.seq = ++state.seq;
  state.rujukan_fktp[r.no] = std::move(r);
}

std::vector<Route> vclaim_routes() {
  const Service v = Service::vclaim;
  return {
      {v, "GET", "Peserta/nokartu/*/tglSEP/*", peserta_nokartu},
      {v, "GET", "Peserta/nik/*/tglSEP/*", peserta_nik},
      {v, "POST", "SEP/2.0/insert", sep_insert},
      {v, "PUT", "SEP/2.0/update", sep_update},
      {v, "DELETE", "SEP/2.0/delete", sep_delete},
      {v, "GET", "SEP/*", sep_get},
      {v, "GET", "Rujukan/lastsep/norujukan/*", last_sep},
      {v, "GET", "Rujukan/Peserta/*", rujukan_peserta_fktp},
      {v, "GET", "Rujukan/RS/Peserta/*", rujukan_peserta_rs},
      {v, "GET", "Rujukan/List/Peserta/*", rujukan_list_fktp},
      {v, "GET", "Rujukan/RS/List/Peserta/*", rujukan_list_rs},
      {v, "GET", "Rujukan/RS/*", rujukan_rs},
      {v, "GET", "Rujukan/*", rujukan_fktp},
      {v, "GET", "Monitoring/Kunjungan/Tanggal/*/JnsPelayanan/*", monitoring_kunjungan},
      {v, "GET", "monitoring/HistoriPelayanan/NoKartu/*/tglMulai/*/tglAkhir/*", histori},
      {v, "GET", "referensi/diagnosa/*", ref_diagnosa},
      {v, "GET", "referensi/poli/*", ref_poli},
      {v, "GET", "referensi/faskes/*/*", ref_faskes},
      {v, "GET", "referensi/dokter/pelayanan/*/tglPelayanan/*/Spesialis/*", ref_dokter},
      {v, "GET", "referensi/propinsi", ref_propinsi},
      {v, "GET", "referensi/kabupaten/propinsi/*", ref_kabupaten},
  };
}

}  // namespace simpul::connectors::sim::bpjs_sim
