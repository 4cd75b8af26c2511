#include "connectors/bpjs/vclaim_client.hpp"

#include "connectors/bpjs/client_call.hpp"

namespace simpul::connectors::bpjs {

using detail::call_and_parse;
using detail::n;
using http::Method;

namespace vclaim_request {

namespace {

UpstreamRequest get(std::string path, std::string label) {
  return {Method::get, std::move(path), {}, std::move(label)};
}

std::string_view rujukan_prefix(AsalRujukan asal) {
  return asal == AsalRujukan::rs ? "Rujukan/RS/" : "Rujukan/";
}

}  // namespace

UpstreamRequest peserta_by_card(std::string_view no_kartu, wire::Date tgl_sep) {
  return get("Peserta/nokartu/" + path_segment(no_kartu) + "/tglSEP/" + wire::format_ymd(tgl_sep),
             "Peserta/nokartu/{noKartu}/tglSEP/{tgl}");
}

UpstreamRequest peserta_by_nik(std::string_view nik, wire::Date tgl_sep) {
  return get("Peserta/nik/" + path_segment(nik) + "/tglSEP/" + wire::format_ymd(tgl_sep),
             "Peserta/nik/{nik}/tglSEP/{tgl}");
}

UpstreamRequest insert_sep(const wire::SepRequest& request) {
  return {Method::post, "SEP/2.0/insert", wire::to_json(request), "SEP/2.0/insert"};
}

UpstreamRequest update_sep(const wire::SepUpdateRequest& request) {
  return {Method::put, "SEP/2.0/update", wire::to_json(request), "SEP/2.0/update"};
}

UpstreamRequest delete_sep(const wire::SepDeleteRequest& request) {
  return {Method::del, "SEP/2.0/delete", wire::to_json(request), "SEP/2.0/delete"};
}

UpstreamRequest get_sep(std::string_view no_sep) {
  return get("SEP/" + path_segment(no_sep), "SEP/{noSep}");
}

UpstreamRequest rujukan_by_number(std::string_view no_rujukan, AsalRujukan asal) {
  const std::string prefix(rujukan_prefix(asal));
  return get(prefix + path_segment(no_rujukan), prefix + "{noRujukan}");
}

UpstreamRequest rujukan_by_card(std::string_view no_kartu, AsalRujukan asal) {
  const std::string prefix = std::string(rujukan_prefix(asal)) + "Peserta/";
  return get(prefix + path_segment(no_kartu), prefix + "{noKartu}");
}

UpstreamRequest rujukan_list_by_card(std::string_view no_kartu, AsalRujukan asal) {
  const std::string prefix = std::string(rujukan_prefix(asal)) + "List/Peserta/";
  return get(prefix + path_segment(no_kartu), prefix + "{noKartu}");
}

UpstreamRequest monitoring_kunjungan(wire::Date tgl_sep, JenisPelayanan jenis) {
  return get(
      "Monitoring/Kunjungan/Tanggal/" + wire::format_ymd(tgl_sep) + "/JnsPelayanan/" + n(static_cast<int>(jenis)),
      "Monitoring/Kunjungan/Tanggal/{tgl}/JnsPelayanan/{jns}");
}

UpstreamRequest histori_pelayanan(std::string_view no_kartu, wire::Date from, wire::Date to) {
  return get("monitoring/HistoriPelayanan/NoKartu/" + path_segment(no_kartu) + "/tglMulai/" + wire::format_ymd(from) +
                 "/tglAkhir/" + wire::format_ymd(to),
             "monitoring/HistoriPelayanan/NoKartu/{noKartu}/tglMulai/{tgl}/tglAkhir/{tgl}");
}

UpstreamRequest referensi_poli(std::string_view keyword) {
  return get("referensi/poli/" + path_segment(keyword), "referensi/poli/{keyword}");
}

UpstreamRequest referensi_diagnosa(std::string_view keyword) {
  return get("referensi/diagnosa/" + path_segment(keyword), "referensi/diagnosa/{keyword}");
}

UpstreamRequest referensi_faskes(std::string_view keyword, JenisFaskes jenis) {
  return get("referensi/faskes/" + path_segment(keyword) + "/" + n(static_cast<int>(jenis)),
             "referensi/faskes/{keyword}/{jenis}");
}

UpstreamRequest referensi_dokter_dpjp(JenisPelayanan jenis, wire::Date tgl_pelayanan, std::string_view kd_spesialis) {
  return get("referensi/dokter/pelayanan/" + n(static_cast<int>(jenis)) + "/tglPelayanan/" +
                 wire::format_ymd(tgl_pelayanan) + "/Spesialis/" + path_segment(kd_spesialis),
             "referensi/dokter/pelayanan/{jns}/tglPelayanan/{tgl}/Spesialis/{kdSpesialis}");
}

UpstreamRequest referensi_propinsi() {
  return get("referensi/propinsi", "referensi/propinsi");
}

UpstreamRequest referensi_kabupaten(std::string_view kd_propinsi) {
  return get("referensi/kabupaten/propinsi/" + path_segment(kd_propinsi), "referensi/kabupaten/propinsi/{kdPropinsi}");
}

}  // namespace vclaim_request

namespace {

constexpr Service kV = Service::vclaim;

template <class T, class Parse>
VClaimClient::Call<T> send(BpjsClient& client, UpstreamRequest r, Parse parse) {
  return call_and_parse<T>(client, kV, r.method, std::move(r.path), std::move(r.body), std::move(r.label), parse);
}

using Items = std::vector<wire::ReferensiItem>;

}  // namespace

VClaimClient::Call<wire::Peserta> VClaimClient::peserta_by_card(std::string_view no_kartu, wire::Date tgl_sep) {
  return send<wire::Peserta>(client_, vclaim_request::peserta_by_card(no_kartu, tgl_sep), wire::parse_peserta);
}

VClaimClient::Call<wire::Peserta> VClaimClient::peserta_by_nik(std::string_view nik, wire::Date tgl_sep) {
  return send<wire::Peserta>(client_, vclaim_request::peserta_by_nik(nik, tgl_sep), wire::parse_peserta);
}

VClaimClient::Call<wire::Sep> VClaimClient::insert_sep(const wire::SepRequest& request) {
  return send<wire::Sep>(client_, vclaim_request::insert_sep(request), wire::parse_sep);
}

VClaimClient::Call<std::string> VClaimClient::update_sep(const wire::SepUpdateRequest& request) {
  return send<std::string>(client_, vclaim_request::update_sep(request), wire::parse_json_string);
}

VClaimClient::Call<std::string> VClaimClient::delete_sep(const wire::SepDeleteRequest& request) {
  return send<std::string>(client_, vclaim_request::delete_sep(request), wire::parse_json_string);
}

VClaimClient::Call<wire::SepDetail> VClaimClient::get_sep(std::string_view no_sep) {
  return send<wire::SepDetail>(client_, vclaim_request::get_sep(no_sep), wire::parse_sep_detail);
}

VClaimClient::Call<wire::Rujukan> VClaimClient::rujukan_by_number(std::string_view no_rujukan, AsalRujukan asal) {
  return send<wire::Rujukan>(client_, vclaim_request::rujukan_by_number(no_rujukan, asal), wire::parse_rujukan);
}

VClaimClient::Call<wire::Rujukan> VClaimClient::rujukan_by_card(std::string_view no_kartu, AsalRujukan asal) {
  return send<wire::Rujukan>(client_, vclaim_request::rujukan_by_card(no_kartu, asal), wire::parse_rujukan);
}

VClaimClient::Call<std::vector<wire::Rujukan>> VClaimClient::rujukan_list_by_card(std::string_view no_kartu,
                                                                                  AsalRujukan asal) {
  return send<std::vector<wire::Rujukan>>(client_, vclaim_request::rujukan_list_by_card(no_kartu, asal),
                                          wire::parse_rujukan_list);
}

VClaimClient::Call<std::vector<wire::KunjunganMonitoring>> VClaimClient::monitoring_kunjungan(wire::Date tgl_sep,
                                                                                              JenisPelayanan jenis) {
  return send<std::vector<wire::KunjunganMonitoring>>(client_, vclaim_request::monitoring_kunjungan(tgl_sep, jenis),
                                                      wire::parse_kunjungan_monitoring);
}

VClaimClient::Call<std::vector<wire::HistoriPelayanan>> VClaimClient::histori_pelayanan(std::string_view no_kartu,
                                                                                        wire::Date from,
                                                                                        wire::Date to) {
  return send<std::vector<wire::HistoriPelayanan>>(client_, vclaim_request::histori_pelayanan(no_kartu, from, to),
                                                   wire::parse_histori_pelayanan);
}

VClaimClient::Call<Items> VClaimClient::referensi_poli(std::string_view keyword) {
  return referensi(vclaim_request::referensi_poli(keyword), wire::referensi_key::poli);
}

VClaimClient::Call<Items> VClaimClient::referensi_diagnosa(std::string_view keyword) {
  return referensi(vclaim_request::referensi_diagnosa(keyword), wire::referensi_key::diagnosa);
}

VClaimClient::Call<Items> VClaimClient::referensi_faskes(std::string_view keyword, JenisFaskes jenis) {
  return referensi(vclaim_request::referensi_faskes(keyword, jenis), wire::referensi_key::faskes);
}

VClaimClient::Call<Items> VClaimClient::referensi_dokter_dpjp(JenisPelayanan jenis, wire::Date tgl_pelayanan,
                                                              std::string_view kd_spesialis) {
  return referensi(vclaim_request::referensi_dokter_dpjp(jenis, tgl_pelayanan, kd_spesialis),
                   wire::referensi_key::dokter);
}

VClaimClient::Call<Items> VClaimClient::referensi_propinsi() {
  return referensi(vclaim_request::referensi_propinsi(), wire::referensi_key::propinsi);
}

VClaimClient::Call<Items> VClaimClient::referensi_kabupaten(std::string_view kd_propinsi) {
  return referensi(vclaim_request::referensi_kabupaten(kd_propinsi), wire::referensi_key::kabupaten);
}

VClaimClient::Call<Items> VClaimClient::referensi(UpstreamRequest request, std::string_view list_key) {
  return send<Items>(client_, std::move(request),
                     [key = std::string(list_key)](std::string_view json) { return wire::parse_referensi(json, key); });
}

}  // namespace simpul::connectors::bpjs
