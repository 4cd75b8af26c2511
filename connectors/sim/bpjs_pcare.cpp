// P-Care 4.0 endpoints of the BPJS simulator (bpjs-api.md §5.2). Errors use
// real HTTP statuses with an envelope body: 412 for a broken precondition (bad
// date, unknown participant), 424 for an unknown master-data reference, and
// "not found" as configured (204 by default, without a body).
#include <algorithm>
#include <cctype>
#include <charconv>

#include "connectors/sim/bpjs_catalogue.hpp"
#include "connectors/sim/bpjs_sim_internal.hpp"

namespace simpul::connectors::sim::bpjs_sim {

namespace cat = catalogue;

namespace {

constexpr unsigned kPrecondition = 412;
constexpr unsigned kBadReference = 424;

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string pad6(std::uint64_t n) {
  std::string s = std::to_string(n % 1000000);
  return std::string(6 - s.size(), '0') + s;
}

Outcome created(std::string field_name, std::string value) {
  json::Writer w;
  w.obj().s("field", field_name).s("message", value).end();
  Outcome o = ok(w.take(), "CREATED");
  o.http_status = 201;
  o.code = "201";
  return o;
}

Outcome not_found(const Env& env, std::string message) {
  Outcome o;
  o.http_status = env.options.pcare_not_found_status;
  o.code = std::to_string(o.http_status);
  o.message = std::move(message);
  o.response_json = "null";
  o.encrypt = false;
  o.no_body = o.http_status == 204;
  return o;
}

Outcome ok_null() { return ok("null", "OK"); }

bool is_number_text(std::string_view s) {
  if (s.empty()) return false;
  double d = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  return ec == std::errc() && p == s.data() + s.size();
}

// A number field: absent/null, a JSON number or a numeric string.
std::optional<std::string> check_number(const rapidjson::Value& body, const char* key) {
  const rapidjson::Value* v = json::at(body, key);
  if (!v || v->IsNull() || v->IsNumber()) return std::nullopt;
  if (v->IsString() && is_number_text(std::string_view(v->GetString(), v->GetStringLength()))) return std::nullopt;
  return std::string(key) + " harus berupa angka";
}

// A number for output: the stored text when numeric, else 0.
std::string number_or_zero(const Fields& f, const char* key) {
  const std::string v = field(f, key);
  return is_number_text(v) ? v : std::string("0");
}

std::optional<std::pair<std::size_t, std::size_t>> paging(const std::string& start, const std::string& limit) {
  std::size_t s = 0, l = 0;
  auto [p1, e1] = std::from_chars(start.data(), start.data() + start.size(), s);
  auto [p2, e2] = std::from_chars(limit.data(), limit.data() + limit.size(), l);
  if (e1 != std::errc() || e2 != std::errc() || p1 != start.data() + start.size() ||
      p2 != limit.data() + limit.size() || start.empty() || limit.empty())
    return std::nullopt;
  return std::pair{s, std::min<std::size_t>(l, 10000)};
}

std::string facility_name(std::string_view code) {
  const auto* f = cat::find_facility(code);
  return f ? std::string(f->name) : std::string(code);
}

std::string poli_name(std::string_view code) {
  const auto* p = cat::find_pcare_poli(code);
  return p ? std::string(p->name) : std::string();
}

const char* tkp_name(const std::string& t) {
  if (t == "10") return "RJTP";
  if (t == "20") return "RITP";
  if (t == "50") return "Promotif";
  return "";
}

// ---------------------------------------------------------------- peserta

Outcome peserta_answer(const Env& env, const std::optional<Participant>& p) {
  if (!p) return not_found(env, "Peserta tidak ditemukan");
  json::Writer w;
  write_pcare_peserta(w, *p);
  return ok(w.take());
}

Outcome peserta_kartu(Env& env, const Ctx& ctx) {
  if (!is_card_number(ctx.params[0])) return pcare_error(kPrecondition, "noKartu", "Nomor kartu harus 13 digit angka");
  return peserta_answer(env, participant_by_card(ctx.params[0]));
}

Outcome peserta_jenis(Env& env, const Ctx& ctx) {
  const std::string jenis = lower(ctx.params[0]);
  const std::string& nomor = ctx.params[1];
  if (jenis == "nik") {
    if (!is_nik(nomor)) return pcare_error(kPrecondition, "nik", "NIK harus 16 digit angka");
    return peserta_answer(env, participant_by_nik(nomor));
  }
  if (jenis == "noka") {
    if (!is_card_number(nomor)) return pcare_error(kPrecondition, "noKartu", "Nomor kartu harus 13 digit angka");
    return peserta_answer(env, participant_by_card(nomor));
  }
  return pcare_error(kPrecondition, "jenisKartu", "Jenis kartu harus nik atau noka");
}

// ---------------------------------------------------------------- pendaftaran

std::string pendaftaran_key(const std::string& tgl, const std::string& no_urut) { return tgl + "|" + no_urut; }

bool has_kunjungan_locked(const State& st, const std::string& card, const std::string& tgl) {
  for (const auto& [k, v] : st.kunjungan)
    if (!v.deleted && v.no_kartu == card && v.tgl_daftar == tgl) return true;
  return false;
}

// The participant checks shared by pendaftaran and kunjungan.
std::optional<Outcome> check_participant(const std::string& card, std::optional<Participant>& out) {
  if (card.empty()) return pcare_error(kPrecondition, "noKartu", "noKartu wajib diisi");
  if (!is_card_number(card)) return pcare_error(kPrecondition, "noKartu", "Nomor kartu harus 13 digit angka");
  out = participant_by_card(card);
  if (!out) return pcare_error(kPrecondition, "noKartu", "Peserta tidak ditemukan");
  if (!out->active) return pcare_error(kPrecondition, "noKartu", "Peserta tidak aktif (" + out->status_ket + ")");
  return std::nullopt;
}

Outcome pendaftaran_add(Env& env, const Ctx& ctx) {
  std::string err;
  auto doc = parse_object(ctx.body, err);
  if (!doc) return pcare_error(kPrecondition, "request", "Request tidak valid: " + err);
  const auto& b = *doc;
  const std::string card = json::text_or_empty(b, "noKartu");
  std::optional<Participant> p;
  if (auto e = check_participant(card, p)) return *e;
  const std::string tgl = json::text_or_empty(b, "tglDaftar");
  if (!cal::parse_dmy(tgl)) return pcare_error(kPrecondition, "tglDaftar", "Format tglDaftar harus dd-MM-yyyy");
  const std::string provider = json::text_or_empty(b, "kdProviderPeserta");
  if (provider.empty()) return pcare_error(kPrecondition, "kdProviderPeserta", "kdProviderPeserta wajib diisi");
  if (provider != p->prov_kode)
    return pcare_error(kPrecondition, "kdProviderPeserta",
                       "kdProviderPeserta tidak sesuai dengan faskes terdaftar peserta (" + p->prov_kode + ")");
  const std::string poli = json::text_or_empty(b, "kdPoli");
  if (poli.empty()) return pcare_error(kPrecondition, "kdPoli", "kdPoli wajib diisi");
  const auto* poli_ref = cat::find_pcare_poli(poli);
  if (!poli_ref) return pcare_error(kBadReference, "kdPoli", "Kode poli " + poli + " tidak ditemukan");
  if (!json::boolean(b, "kunjSakit")) return pcare_error(kPrecondition, "kunjSakit", "kunjSakit harus true atau false");
  const std::string tkp = json::text_or_empty(b, "kdTkp");
  if (!*tkp_name(tkp)) return pcare_error(kPrecondition, "kdTkp", "kdTkp harus 10, 20 atau 50");
  for (const char* k : {"sistole", "diastole", "beratBadan", "tinggiBadan", "respRate", "heartRate", "lingkarPerut",
                        "rujukBalik"})
    if (auto e = check_number(b, k)) return pcare_error(kPrecondition, k, *e);

  Pendaftaran pd;
  flatten(b, pd.f);
  pd.tgl_daftar = tgl;
  pd.no_kartu = card;
  pd.kd_poli = poli;
  pd.kd_provider = provider;
  {
    std::lock_guard lock(env.state.mu);
    // Not idempotent: the same registration twice gets two queue numbers.
    const auto index = static_cast<std::size_t>(poli_ref - cat::pcare_poli().data());
    const std::uint64_t n = ++env.state.no_urut_counter[tgl + "|" + poli];
    pd.no_urut = std::string(1, static_cast<char>('A' + index % 26)) + std::to_string(n);
    pd.seq = ++env.state.seq;
    env.state.pendaftaran[pendaftaran_key(tgl, pd.no_urut)] = pd;
  }
  return created("noUrut", pd.no_urut);
}

void write_pendaftaran(json::Writer& w, const Pendaftaran& pd, const State& st) {
  const auto p = participant_by_card(pd.no_kartu);
  const std::string tkp = field(pd.f, "kdTkp");
  w.obj()
      .s("noUrut", pd.no_urut)
      .s("tglDaftar", pd.tgl_daftar)
      .o("providerPelayanan").s("kdProvider", pd.kd_provider).s("nmProvider", facility_name(pd.kd_provider)).end();
  if (p) {
    w.key("peserta");
    write_pcare_peserta(w, *p);
  }
  w.o("poli").s("kdPoli", pd.kd_poli).s("nmPoli", poli_name(pd.kd_poli)).end()
      .sn("keluhan", field(pd.f, "keluhan"))
      .b("kunjSakit", field(pd.f, "kunjSakit") == "true");
  for (const char* k : {"sistole", "diastole", "beratBadan", "tinggiBadan", "respRate", "heartRate", "lingkarPerut"})
    w.key(k).raw(number_or_zero(pd.f, k));
  w.o("tkp").s("kdTkp", tkp).s("nmTkp", tkp_name(tkp)).end()
      .s("status", has_kunjungan_locked(st, pd.no_kartu, pd.tgl_daftar) ? "Sudah dilayani" : "Belum dilayani")
      .end();
}

Outcome pendaftaran_get(Env& env, const Ctx& ctx) {
  const std::string& tgl = ctx.params[1];
  if (!cal::parse_dmy(tgl)) return pcare_error(kPrecondition, "tglDaftar", "Format tglDaftar harus dd-MM-yyyy");
  std::lock_guard lock(env.state.mu);
  auto it = env.state.pendaftaran.find(pendaftaran_key(tgl, ctx.params[0]));
  if (it == env.state.pendaftaran.end() || it->second.deleted) return not_found(env, "Data pendaftaran tidak ditemukan");
  json::Writer w;
  write_pendaftaran(w, it->second, env.state);
  return ok(w.take());
}

Outcome pendaftaran_list(Env& env, const Ctx& ctx) {
  const std::string& tgl = ctx.params[0];
  if (!cal::parse_dmy(tgl)) return pcare_error(kPrecondition, "tglDaftar", "Format tglDaftar harus dd-MM-yyyy");
  auto page = paging(ctx.params[1], ctx.params[2]);
  if (!page) return pcare_error(kPrecondition, "start", "start dan limit harus angka");
  std::lock_guard lock(env.state.mu);
  std::vector<const Pendaftaran*> all;
  for (const auto& [k, pd] : env.state.pendaftaran)
    if (!pd.deleted && pd.tgl_daftar == tgl) all.push_back(&pd);
  std::sort(all.begin(), all.end(), [](auto* a, auto* b) { return a->seq < b->seq; });
  json::Writer w;
  w.obj().i("count", static_cast<std::int64_t>(all.size())).a("list");
  for (std::size_t i = page->first; i < all.size() && i < page->first + page->second; ++i)
    write_pendaftaran(w, *all[i], env.state);
  w.end_arr().end();
  return ok(w.take());
}

Outcome pendaftaran_delete(Env& env, const Ctx& ctx) {
  const std::string& card = ctx.params[0];
  const std::string& tgl = ctx.params[1];
  const std::string& no_urut = ctx.params[2];
  if (!is_card_number(card)) return pcare_error(kPrecondition, "noKartu", "Nomor kartu harus 13 digit angka");
  if (!cal::parse_dmy(tgl)) return pcare_error(kPrecondition, "tglDaftar", "Format tglDaftar harus dd-MM-yyyy");
  std::lock_guard lock(env.state.mu);
  auto it = env.state.pendaftaran.find(pendaftaran_key(tgl, no_urut));
  if (it == env.state.pendaftaran.end() || it->second.deleted || it->second.no_kartu != card ||
      (ctx.params.size() > 3 && it->second.kd_poli != ctx.params[3]))
    return not_found(env, "Data pendaftaran tidak ditemukan");
  if (has_kunjungan_locked(env.state, card, tgl))
    return pcare_error(kPrecondition, "noUrut", "Data pendaftaran sudah memiliki kunjungan, hapus kunjungan dahulu");
  it->second.deleted = true;
  return ok_null();
}

// ---------------------------------------------------------------- kunjungan

std::optional<Outcome> validate_kunjungan(const rapidjson::Value& b, std::optional<Participant>& p) {
  if (auto e = check_participant(json::text_or_empty(b, "noKartu"), p)) return e;
  if (!cal::parse_dmy(json::text_or_empty(b, "tglDaftar")))
    return pcare_error(kPrecondition, "tglDaftar", "Format tglDaftar harus dd-MM-yyyy");
  const std::string pulang = json::text_or_empty(b, "tglPulang");
  if (!pulang.empty() && !cal::parse_dmy(pulang))
    return pcare_error(kPrecondition, "tglPulang", "Format tglPulang harus dd-MM-yyyy");
  const std::string poli = json::text_or_empty(b, "kdPoli");
  if (!poli.empty() && !cat::find_pcare_poli(poli))
    return pcare_error(kBadReference, "kdPoli", "Kode poli " + poli + " tidak ditemukan");
  const std::string sadar = json::text_or_empty(b, "kdSadar");
  if (sadar.empty()) return pcare_error(kPrecondition, "kdSadar", "kdSadar wajib diisi");
  if (!cat::find_consciousness(sadar))
    return pcare_error(kBadReference, "kdSadar", "Kode kesadaran " + sadar + " tidak ditemukan");
  const std::string dokter = json::text_or_empty(b, "kdDokter");
  if (dokter.empty()) return pcare_error(kPrecondition, "kdDokter", "kdDokter wajib diisi");
  if (!cat::find_pcare_doctor(dokter))
    return pcare_error(kBadReference, "kdDokter", "Kode dokter " + dokter + " tidak ditemukan");
  const std::string diag1 = json::text_or_empty(b, "kdDiag1");
  if (diag1.empty()) return pcare_error(kPrecondition, "kdDiag1", "kdDiag1 wajib diisi");
  for (const char* k : {"kdDiag1", "kdDiag2", "kdDiag3"}) {
    const std::string d = json::text_or_empty(b, k);
    if (!d.empty() && !cat::find_diagnosis(d))
      return pcare_error(kBadReference, k, "Kode diagnosa " + d + " tidak ditemukan");
  }
  if (json::text_or_empty(b, "kdStatusPulang").empty())
    return pcare_error(kPrecondition, "kdStatusPulang", "kdStatusPulang wajib diisi");
  for (const char* k : {"sistole", "diastole", "beratBadan", "tinggiBadan", "respRate", "heartRate", "lingkarPerut"})
    if (auto e = check_number(b, k)) return pcare_error(kPrecondition, k, *e);
  if (const auto tacc = json::integer(b, "kdTacc"); json::present(b, "kdTacc") && (!tacc || *tacc < -1 || *tacc > 4))
    return pcare_error(kPrecondition, "kdTacc", "kdTacc harus -1, 0, 1, 2, 3 atau 4");
  const rapidjson::Value* rujuk = json::at(b, "rujukLanjut");
  if (rujuk && !rujuk->IsNull()) {
    if (!rujuk->IsObject()) return pcare_error(kPrecondition, "rujukLanjut", "rujukLanjut harus objek atau null");
    if (!cal::parse_dmy(json::text_or_empty(*rujuk, "tglEstRujuk")))
      return pcare_error(kPrecondition, "rujukLanjut.tglEstRujuk", "Format tglEstRujuk harus dd-MM-yyyy");
    const std::string ppk = json::text_or_empty(*rujuk, "kdppk");
    if (ppk.empty()) return pcare_error(kPrecondition, "rujukLanjut.kdppk", "kdppk wajib diisi");
    const auto* f = cat::find_facility(ppk);
    if (!f || f->level != 2)
      return pcare_error(kBadReference, "rujukLanjut.kdppk", "Kode PPK rujukan " + ppk + " tidak ditemukan");
  }
  return std::nullopt;
}

// The V-Claim referral a P-Care referral becomes (noRujukan = noKunjungan).
void sync_rujukan_locked(State& st, const Kunjungan& k) {
  st.rujukan_fktp.erase(k.no_kunjungan);
  if (!k.rujuk || k.deleted) return;
  Rujukan r;
  r.no = k.no_kunjungan;
  r.no_kartu = k.no_kartu;
  r.source = 1;
  r.tgl_kunjungan = *cal::parse_dmy(k.tgl_daftar);
  r.diag = field(k.f, "kdDiag1");
  const std::string khusus = field(k.f, "rujukLanjut.khusus.kdKhusus");
  r.poli = catalogue::find_vclaim_poli(khusus) ? khusus : std::string("INT");
  r.perujuk_kode = k.kd_provider;
  r.perujuk_nama = facility_name(k.kd_provider);
  r.keluhan = field(k.f, "keluhan");
  add_fktp_rujukan_locked(st, std::move(r));
}

Outcome kunjungan_add(Env& env, const Ctx& ctx) {
  std::string err;
  auto doc = parse_object(ctx.body, err);
  if (!doc) return pcare_error(kPrecondition, "request", "Request tidak valid: " + err);
  std::optional<Participant> p;
  if (auto e = validate_kunjungan(*doc, p)) return *e;
  Kunjungan k;
  flatten(*doc, k.f);
  k.no_kartu = p->no_kartu;
  k.tgl_daftar = field(k.f, "tglDaftar");
  const rapidjson::Value* rujuk = json::at(*doc, "rujukLanjut");
  k.rujuk = rujuk && rujuk->IsObject();
  std::lock_guard lock(env.state.mu);
  const Pendaftaran* pd = nullptr;
  for (const auto& [key, v] : env.state.pendaftaran)
    if (!v.deleted && v.no_kartu == k.no_kartu && v.tgl_daftar == k.tgl_daftar) pd = &v;
  if (!pd)
    return pcare_error(kPrecondition, "tglDaftar", "Peserta belum didaftarkan pada tanggal " + k.tgl_daftar);
  k.kd_provider = pd->kd_provider;
  // Not idempotent: the same visit twice becomes two kunjungan.
  k.no_kunjungan =
      k.kd_provider + cal::mmyy(*cal::parse_dmy(k.tgl_daftar)) + "Y" + pad6(++env.state.kunjungan_counter);
  k.seq = ++env.state.seq;
  env.state.kunjungan[k.no_kunjungan] = k;
  sync_rujukan_locked(env.state, k);
  return created("noKunjungan", k.no_kunjungan);
}

Outcome kunjungan_edit(Env& env, const Ctx& ctx) {
  std::string err;
  auto doc = parse_object(ctx.body, err);
  if (!doc) return pcare_error(kPrecondition, "request", "Request tidak valid: " + err);
  const std::string no = json::text_or_empty(*doc, "noKunjungan");
  if (no.empty()) return pcare_error(kPrecondition, "noKunjungan", "noKunjungan wajib diisi untuk edit kunjungan");
  std::optional<Participant> p;
  if (auto e = validate_kunjungan(*doc, p)) return *e;
  std::lock_guard lock(env.state.mu);
  auto it = env.state.kunjungan.find(no);
  if (it == env.state.kunjungan.end() || it->second.deleted)
    return pcare_error(kPrecondition, "noKunjungan", "Data kunjungan " + no + " tidak ditemukan");
  Kunjungan& k = it->second;
  if (k.no_kartu != p->no_kartu)
    return pcare_error(kPrecondition, "noKartu", "noKartu tidak sesuai dengan data kunjungan");
  k.f.clear();
  flatten(*doc, k.f);
  k.tgl_daftar = field(k.f, "tglDaftar");
  const rapidjson::Value* rujuk = json::at(*doc, "rujukLanjut");
  k.rujuk = rujuk && rujuk->IsObject();
  ++k.updates;
  sync_rujukan_locked(env.state, k);
  json::Writer w;
  w.obj().s("field", "noKunjungan").s("message", no).end();
  return ok(w.take(), "OK");
}

Outcome kunjungan_delete(Env& env, const Ctx& ctx) {
  std::lock_guard lock(env.state.mu);
  auto it = env.state.kunjungan.find(ctx.params[0]);
  if (it == env.state.kunjungan.end() || it->second.deleted) return not_found(env, "Data kunjungan tidak ditemukan");
  it->second.deleted = true;
  sync_rujukan_locked(env.state, it->second);
  return ok_null();
}

void write_code_name(json::Writer& w, const char* key, const char* code_key, const char* name_key,
                     const std::string& code, const std::string& name) {
  if (code.empty()) {
    w.n(key);
    return;
  }
  w.o(key).s(code_key, code).s(name_key, name).end();
}

std::string diag_name(const std::string& code) {
  const auto* d = cat::find_diagnosis(code);
  return d ? std::string(d->name) : std::string();
}

Outcome kunjungan_peserta(Env& env, const Ctx& ctx) {
  const std::string& card = ctx.params[0];
  if (!is_card_number(card)) return pcare_error(kPrecondition, "noKartu", "Nomor kartu harus 13 digit angka");
  std::lock_guard lock(env.state.mu);
  std::vector<const Kunjungan*> all;
  for (const auto& [k, v] : env.state.kunjungan)
    if (!v.deleted && v.no_kartu == card) all.push_back(&v);
  std::sort(all.begin(), all.end(), [](auto* a, auto* b) { return a->seq > b->seq; });
  const auto p = participant_by_card(card);
  json::Writer w;
  w.obj().i("count", static_cast<std::int64_t>(all.size())).a("list");
  for (const auto* k : all) {
    const Fields& f = k->f;
    const std::string dokter = field(f, "kdDokter");
    const auto* d = cat::find_pcare_doctor(dokter);
    const auto* sadar = cat::find_consciousness(field(f, "kdSadar"));
    w.obj()
        .s("noKunjungan", k->no_kunjungan)
        .s("tglKunjungan", k->tgl_daftar)
        .o("providerPelayanan").s("kdProvider", k->kd_provider).s("nmProvider", facility_name(k->kd_provider)).end();
    w.o("peserta")
        .s("noKartu", card)
        .s("nama", p ? p->nama : std::string())
        .s("sex", p ? std::string(1, p->sex) : std::string())
        .s("tglLahir", p ? cal::dmy(p->tgl_lahir) : std::string())
        .end();
    write_code_name(w, "poli", "kdPoli", "nmPoli", field(f, "kdPoli"), poli_name(field(f, "kdPoli")));
    w.sn("keluhan", field(f, "keluhan"));
    write_code_name(w, "diagnosa1", "kdDiag", "nmDiag", field(f, "kdDiag1"), diag_name(field(f, "kdDiag1")));
    write_code_name(w, "diagnosa2", "kdDiag", "nmDiag", field(f, "kdDiag2"), diag_name(field(f, "kdDiag2")));
    write_code_name(w, "diagnosa3", "kdDiag", "nmDiag", field(f, "kdDiag3"), diag_name(field(f, "kdDiag3")));
    write_code_name(w, "kesadaran", "kdSadar", "nmSadar", field(f, "kdSadar"),
                    sadar ? std::string(sadar->name) : std::string());
    for (const char* key : {"sistole", "diastole", "beratBadan", "tinggiBadan", "respRate", "heartRate"})
      w.key(key).raw(number_or_zero(f, key));
    write_code_name(w, "dokter", "kdDokter", "nmDokter", dokter, d ? std::string(d->name) : std::string());
    w.o("statusPulang").s("kdStatusPulang", field(f, "kdStatusPulang")).n("nmStatusPulang").end()
        .sn("tglPulang", field(f, "tglPulang"))
        .b("rujukLanjut", k->rujuk)
        .end();
  }
  w.end_arr().end();
  return ok(w.take());
}

Outcome kunjungan_rujukan(Env& env, const Ctx& ctx) {
  std::lock_guard lock(env.state.mu);
  auto it = env.state.kunjungan.find(ctx.params[0]);
  if (it == env.state.kunjungan.end() || it->second.deleted || !it->second.rujuk)
    return not_found(env, "Data rujukan tidak ditemukan");
  const Kunjungan& k = it->second;
  const Fields& f = k.f;
  const auto p = participant_by_card(k.no_kartu);
  const auto est = cal::parse_dmy(field(f, "rujukLanjut.tglEstRujuk"));
  const std::string ppk = field(f, "rujukLanjut.kdppk");
  const std::string dokter = field(f, "kdDokter");
  const auto* d = cat::find_pcare_doctor(dokter);
  json::Writer w;
  w.obj()
      .s("noRujukan", k.no_kunjungan)
      .o("ppk").s("kdPPK", k.kd_provider).s("nmPPK", facility_name(k.kd_provider)).end()
      .s("tglKunjungan", k.tgl_daftar);
  write_code_name(w, "poli", "kdPoli", "nmPoli", field(f, "kdPoli"), poli_name(field(f, "kdPoli")));
  w.s("nokaPst", k.no_kartu)
      .s("nmPst", p ? p->nama : std::string())
      .s("tglLahir", p ? cal::dmy(p->tgl_lahir) : std::string())
      .s("pisa", p ? p->pisa : std::string("1"))
      .s("ketPisa", "Peserta")
      .s("sex", p ? std::string(1, p->sex) : std::string());
  write_code_name(w, "diag1", "kdDiag", "nmDiag", field(f, "kdDiag1"), diag_name(field(f, "kdDiag1")));
  write_code_name(w, "diag2", "kdDiag", "nmDiag", field(f, "kdDiag2"), diag_name(field(f, "kdDiag2")));
  write_code_name(w, "diag3", "kdDiag", "nmDiag", field(f, "kdDiag3"), diag_name(field(f, "kdDiag3")));
  w.sn("catatan", field(f, "keluhan"));
  write_code_name(w, "dokter", "kdDokter", "nmDokter", dokter, d ? std::string(d->name) : std::string());
  w.o("tacc").sn("kdTacc", field(f, "kdTacc")).n("nmTacc").sn("alasanTacc", field(f, "alasanTacc")).end()
      .o("ppkRujuk").s("kdPPK", ppk).s("nmPPK", facility_name(ppk)).end()
      .sn("tglEstRujuk", est ? cal::dmy(*est) : std::string())
      .sn("tglAkhirRujuk", est ? cal::dmy(cal::add_days(*est, 90)) : std::string())
      .end();
  return ok(w.take());
}

// ---------------------------------------------------------------- referensi

template <class Items, class Pred, class Write>
Outcome paged_list(const Ctx& ctx, std::size_t start_param, const Items& items, Pred keep, Write write) {
  auto page = paging(ctx.params[start_param], ctx.params[start_param + 1]);
  if (!page) return pcare_error(kPrecondition, "start", "start dan limit harus angka");
  std::vector<const typename Items::value_type*> all;
  for (const auto& it : items)
    if (keep(it)) all.push_back(&it);
  json::Writer w;
  w.obj().i("count", static_cast<std::int64_t>(all.size())).a("list");
  for (std::size_t i = page->first; i < all.size() && i < page->first + page->second; ++i) write(w, *all[i]);
  w.end_arr().end();
  return ok(w.take());
}

Outcome ref_dokter(Env&, const Ctx& ctx) {
  return paged_list(
      ctx, 0, cat::pcare_doctors(), [](const auto&) { return true; },
      [](json::Writer& w, const cat::CodeName& d) { w.obj().s("kdDokter", d.code).s("nmDokter", d.name).end(); });
}

Outcome ref_poli(Env&, const Ctx& ctx) {
  return paged_list(
      ctx, 0, cat::pcare_poli(), [](const auto&) { return true; },
      [](json::Writer& w, const cat::PcarePoli& p) {
        w.obj().s("kdPoli", p.code).s("nmPoli", p.name).b("poliSakit", p.sick_visit).end();
      });
}

Outcome ref_diagnosa(Env&, const Ctx& ctx) {
  const std::string kw = lower(ctx.params[0]);
  return paged_list(
      ctx, 1, cat::diagnoses(),
      [&](const cat::Diagnosis& d) {
        return lower(d.code).rfind(kw, 0) == 0 || lower(d.name).find(kw) != std::string::npos;
      },
      [](json::Writer& w, const cat::Diagnosis& d) {
        w.obj().s("kdDiag", d.code).s("nmDiag", d.name).b("nonSpesialis", d.non_specialist).end();
      });
}

Outcome ref_kesadaran(Env&, const Ctx&) {
  json::Writer w;
  w.obj().i("count", static_cast<std::int64_t>(cat::consciousness().size())).a("list");
  for (const auto& c : cat::consciousness()) w.obj().s("kdSadar", c.code).s("nmSadar", c.name).end();
  w.end_arr().end();
  return ok(w.take());
}

Outcome ref_provider(Env&, const Ctx& ctx) {
  return paged_list(
      ctx, 0, cat::facilities(), [](const cat::Facility& f) { return f.level == 1; },
      [](json::Writer& w, const cat::Facility& f) { w.obj().s("kdProvider", f.code).s("nmProvider", f.name).end(); });
}

}  // namespace

void write_pcare_peserta(json::Writer& w, const Participant& p) {
  w.obj()
      .s("noKartu", p.no_kartu)
      .s("nama", p.nama)
      .s("hubunganKeluarga", p.hubungan)
      .s("sex", std::string(1, p.sex))
      .s("tglLahir", cal::dmy(p.tgl_lahir))
      .s("tglMulaiAktif", cal::dmy(p.tgl_tmt))
      .s("tglAkhirBerlaku", cal::dmy(p.tgl_tat))
      .o("kdProviderPst").s("kdProvider", p.prov_kode).s("nmProvider", p.prov_nama).end()
      .o("kdProviderGigi").n("kdProvider").n("nmProvider").end()
      .o("jnsKelas").s("nama", kelas_name(p.hak_kelas)).s("kode", p.hak_kelas).end()
      .o("jnsPeserta").s("nama", p.jenis_nama).s("kode", p.jenis_kode).end()
      .s("golDarah", "-")
      .s("noHP", p.no_telp)
      .s("noKTP", p.nik)
      .s("pstProl", "")
      .s("pstPrb", "")
      .b("aktif", p.active)
      .s("ketAktif", p.status_ket)
      .o("asuransi").n("kdAsuransi").n("nmAsuransi").n("noAsuransi").b("cob", false).end()
      .i("tunggakan", 0)
      .end();
}

std::vector<Route> pcare_routes() {
  const Service p = Service::pcare;
  return {
      {p, "GET", "peserta/*", peserta_kartu},
      {p, "GET", "peserta/*/*", peserta_jenis},
      {p, "POST", "pendaftaran", pendaftaran_add},
      {p, "GET", "pendaftaran/noUrut/*/tglDaftar/*", pendaftaran_get},
      {p, "GET", "pendaftaran/tglDaftar/*/*/*", pendaftaran_list},
      {p, "DELETE", "pendaftaran/peserta/*/tglDaftar/*/noUrut/*/kdPoli/*", pendaftaran_delete},
      {p, "DELETE", "pendaftaran/peserta/*/tglDaftar/*/noUrut/*", pendaftaran_delete},
      {p, "POST", "kunjungan/v1", kunjungan_add},
      {p, "PUT", "kunjungan/v1", kunjungan_edit},
      {p, "DELETE", "kunjungan/*", kunjungan_delete},
      {p, "GET", "kunjungan/peserta/*", kunjungan_peserta},
      {p, "GET", "kunjungan/rujukan/*", kunjungan_rujukan},
      {p, "GET", "dokter/*/*", ref_dokter},
      {p, "GET", "poli/fktp/*/*", ref_poli},
      {p, "GET", "diagnosa/*/*/*", ref_diagnosa},
      {p, "GET", "kesadaran", ref_kesadaran},
      {p, "GET", "provider/*/*", ref_provider},
  };
}

}  // namespace simpul::connectors::sim::bpjs_sim
