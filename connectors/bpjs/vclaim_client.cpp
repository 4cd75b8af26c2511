#include "connectors/bpjs/vclaim_client.hpp"

#include "connectors/bpjs/client_call.hpp"

namespace simpul::connectors::bpjs {

using detail::call_and_parse;
using detail::n;
using http::Method;

namespace {

constexpr Service kV = Service::vclaim;

}  // namespace

VClaimClient::Call<wire::Peserta> VClaimClient::peserta_by_card(std::string_view no_kartu, wire::Date tgl_sep) {
  return call_and_parse<wire::Peserta>(
      client_, kV, Method::get, "Peserta/nokartu/" + path_segment(no_kartu) + "/tglSEP/" + wire::format_ymd(tgl_sep),
      "", "Peserta/nokartu/{noKartu}/tglSEP/{tgl}", wire::parse_peserta);
}

VClaimClient::Call<wire::Peserta> VClaimClient::peserta_by_nik(std::string_view nik, wire::Date tgl_sep) {
  return call_and_parse<wire::Peserta>(client_, kV, Method::get,
                                       "Peserta/nik/" + path_segment(nik) + "/tglSEP/" + wire::format_ymd(tgl_sep), "",
                                       "Peserta/nik/{nik}/tglSEP/{tgl}", wire::parse_peserta);
}

VClaimClient::Call<wire::Sep> VClaimClient::insert_sep(const wire::SepRequest& request) {
  return call_and_parse<wire::Sep>(client_, kV, Method::post, "SEP/2.0/insert", wire::to_json(request),
                                   "SEP/2.0/insert", wire::parse_sep);
}

VClaimClient::Call<std::string> VClaimClient::update_sep(const wire::SepUpdateRequest& request) {
  return call_and_parse<std::string>(client_, kV, Method::put, "SEP/2.0/update", wire::to_json(request),
                                     "SEP/2.0/update", wire::parse_json_string);
}

VClaimClient::Call<std::string> VClaimClient::delete_sep(const wire::SepDeleteRequest& request) {
  return call_and_parse<std::string>(client_, kV, Method::del, "SEP/2.0/delete", wire::to_json(request),
                                     "SEP/2.0/delete", wire::parse_json_string);
}

VClaimClient::Call<wire::SepDetail> VClaimClient::get_sep(std::string_view no_sep) {
  return call_and_parse<wire::SepDetail>(client_, kV, Method::get, "SEP/" + path_segment(no_sep), "", "SEP/{noSep}",
                                         wire::parse_sep_detail);
}

VClaimClient::Call<wire::Rujukan> VClaimClient::rujukan_by_number(std::string_view no_rujukan, AsalRujukan asal) {
  const bool rs = asal == AsalRujukan::rs;
  return call_and_parse<wire::Rujukan>(client_, kV, Method::get,
                                       (rs ? "Rujukan/RS/" : "Rujukan/") + path_segment(no_rujukan), "",
                                       rs ? "Rujukan/RS/{noRujukan}" : "Rujukan/{noRujukan}", wire::parse_rujukan);
}

VClaimClient::Call<wire::Rujukan> VClaimClient::rujukan_by_card(std::string_view no_kartu, AsalRujukan asal) {
  const bool rs = asal == AsalRujukan::rs;
  return call_and_parse<wire::Rujukan>(
      client_, kV, Method::get, (rs ? "Rujukan/RS/Peserta/" : "Rujukan/Peserta/") + path_segment(no_kartu), "",
      rs ? "Rujukan/RS/Peserta/{noKartu}" : "Rujukan/Peserta/{noKartu}", wire::parse_rujukan);
}

VClaimClient::Call<std::vector<wire::Rujukan>> VClaimClient::rujukan_list_by_card(std::string_view no_kartu,
                                                                                  AsalRujukan asal) {
  const bool rs = asal == AsalRujukan::rs;
  return call_and_parse<std::vector<wire::Rujukan>>(
      client_, kV, Method::get, (rs ? "Rujukan/RS/List/Peserta/" : "Rujukan/List/Peserta/") + path_segment(no_kartu),
      "", rs ? "Rujukan/RS/List/Peserta/{noKartu}" : "Rujukan/List/Peserta/{noKartu}", wire::parse_rujukan_list);
}

VClaimClient::Call<std::vector<wire::KunjunganMonitoring>> VClaimClient::monitoring_kunjungan(wire::Date tgl_sep,
                                                                                              JenisPelayanan jenis) {
  return call_and_parse<std::vector<wire::KunjunganMonitoring>>(
      client_, kV, Method::get,
      "Monitoring/Kunjungan/Tanggal/" + wire::format_ymd(tgl_sep) + "/JnsPelayanan/" + n(static_cast<int>(jenis)), "",
      "Monitoring/Kunjungan/Tanggal/{tgl}/JnsPelayanan/{jns}", wire::parse_kunjungan_monitoring);
}

VClaimClient::Call<std::vector<wire::HistoriPelayanan>> VClaimClient::histori_pelayanan(std::string_view no_kartu,
                                                                                        wire::Date from,
                                                                                        wire::Date to) {
  return call_and_parse<std::vector<wire::HistoriPelayanan>>(
      client_, kV, Method::get,
      "monitoring/HistoriPelayanan/NoKartu/" + path_segment(no_kartu) + "/tglMulai/" + wire::format_ymd(from) +
          "/tglAkhir/" + wire::format_ymd(to),
      "", "monitoring/HistoriPelayanan/NoKartu/{noKartu}/tglMulai/{tgl}/tglAkhir/{tgl}", wire::parse_histori_pelayanan);
}

namespace {

auto referensi(std::string_view key) {
  return [key](std::string_view json) { return wire::parse_referensi(json, key); };
}

}  // namespace

VClaimClient::Call<std::vector<wire::ReferensiItem>> VClaimClient::referensi_poli(std::string_view keyword) {
  return call_and_parse<std::vector<wire::ReferensiItem>>(
      client_, kV, Method::get, "referensi/poli/" + path_segment(keyword), "", "referensi/poli/{keyword}",
      referensi(wire::referensi_key::poli));
}

VClaimClient::Call<std::vector<wire::ReferensiItem>> VClaimClient::referensi_diagnosa(std::string_view keyword) {
  return call_and_parse<std::vector<wire::ReferensiItem>>(
      client_, kV, Method::get, "referensi/diagnosa/" + path_segment(keyword), "", "referensi/diagnosa/{keyword}",
      referensi(wire::referensi_key::diagnosa));
}

VClaimClient::Call<std::vector<wire::ReferensiItem>> VClaimClient::referensi_faskes(std::string_view keyword,
                                                                                    JenisFaskes jenis) {
  return call_and_parse<std::vector<wire::ReferensiItem>>(
      client_, kV, Method::get, "referensi/faskes/" + path_segment(keyword) + "/" + n(static_cast<int>(jenis)), "",
      "referensi/faskes/{keyword}/{jenis}", referensi(wire::referensi_key::faskes));
}

VClaimClient::Call<std::vector<wire::ReferensiItem>> VClaimClient::referensi_dokter_dpjp(
    JenisPelayanan jenis, wire::Date tgl_pelayanan, std::string_view kd_spesialis) {
  return call_and_parse<std::vector<wire::ReferensiItem>>(
      client_, kV, Method::get,
      "referensi/dokter/pelayanan/" + n(static_cast<int>(jenis)) + "/tglPelayanan/" + wire::format_ymd(tgl_pelayanan) +
          "/Spesialis/" + path_segment(kd_spesialis),
      "", "referensi/dokter/pelayanan/{jns}/tglPelayanan/{tgl}/Spesialis/{kdSpesialis}",
      referensi(wire::referensi_key::dokter));
}

VClaimClient::Call<std::vector<wire::ReferensiItem>> VClaimClient::referensi_propinsi() {
  return call_and_parse<std::vector<wire::ReferensiItem>>(client_, kV, Method::get, "referensi/propinsi", "",
                                                          "referensi/propinsi",
                                                          referensi(wire::referensi_key::propinsi));
}

VClaimClient::Call<std::vector<wire::ReferensiItem>> VClaimClient::referensi_kabupaten(std::string_view kd_propinsi) {
  return call_and_parse<std::vector<wire::ReferensiItem>>(
      client_, kV, Method::get, "referensi/kabupaten/propinsi/" + path_segment(kd_propinsi), "",
      "referensi/kabupaten/propinsi/{kdPropinsi}", referensi(wire::referensi_key::kabupaten));
}

}  // namespace simpul::connectors::bpjs
