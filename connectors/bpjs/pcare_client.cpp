#include "connectors/bpjs/pcare_client.hpp"

#include "connectors/bpjs/client_call.hpp"

namespace simpul::connectors::bpjs {

using detail::call_ack;
using detail::call_and_parse;
using detail::n;
using http::Method;

namespace {

constexpr Service kP = Service::pcare;

}  // namespace

PCareClient::Call<wire::PesertaPcare> PCareClient::peserta(std::string_view no_kartu) {
  return call_and_parse<wire::PesertaPcare>(client_, kP, Method::get, "peserta/" + path_segment(no_kartu), "",
                                            "peserta/{noKartu}", wire::parse_peserta_pcare);
}

PCareClient::Call<wire::PesertaPcare> PCareClient::peserta_by(JenisKartu jenis, std::string_view nomor) {
  const char* kind = jenis == JenisKartu::nik ? "nik" : "noka";
  return call_and_parse<wire::PesertaPcare>(client_, kP, Method::get,
                                            std::string("peserta/") + kind + "/" + path_segment(nomor), "",
                                            std::string("peserta/") + kind + "/{nomor}", wire::parse_peserta_pcare);
}

PCareClient::Call<wire::PendaftaranCreated> PCareClient::add_pendaftaran(const wire::PendaftaranRequest& request) {
  return call_and_parse<wire::PendaftaranCreated>(client_, kP, Method::post, "pendaftaran", wire::to_json(request),
                                                  "pendaftaran", wire::parse_pendaftaran_created);
}

PCareClient::Call<wire::Pendaftaran> PCareClient::get_pendaftaran(std::string_view no_urut, wire::Date tgl_daftar) {
  return call_and_parse<wire::Pendaftaran>(
      client_, kP, Method::get,
      "pendaftaran/noUrut/" + path_segment(no_urut) + "/tglDaftar/" + wire::format_dmy(tgl_daftar), "",
      "pendaftaran/noUrut/{noUrut}/tglDaftar/{tgl}", wire::parse_pendaftaran);
}

PCareClient::Call<wire::PcareList<wire::Pendaftaran>> PCareClient::pendaftaran_by_tanggal(wire::Date tgl_daftar,
                                                                                          int start, int limit) {
  return call_and_parse<wire::PcareList<wire::Pendaftaran>>(
      client_, kP, Method::get, "pendaftaran/tglDaftar/" + wire::format_dmy(tgl_daftar) + "/" + n(start) + "/" + n(limit),
      "", "pendaftaran/tglDaftar/{tgl}/{start}/{limit}", wire::parse_pendaftaran_list);
}

PCareClient::Call<WriteAck> PCareClient::delete_pendaftaran(std::string_view no_kartu, wire::Date tgl_daftar,
                                                            std::string_view no_urut, std::string_view kd_poli) {
  return call_ack(client_, kP, Method::del,
                  "pendaftaran/peserta/" + path_segment(no_kartu) + "/tglDaftar/" + wire::format_dmy(tgl_daftar) +
                      "/noUrut/" + path_segment(no_urut) + "/kdPoli/" + path_segment(kd_poli),
                  "", "pendaftaran/peserta/{noKartu}/tglDaftar/{tgl}/noUrut/{noUrut}/kdPoli/{kdPoli}");
}

PCareClient::Call<wire::KunjunganCreated> PCareClient::add_kunjungan(const wire::KunjunganRequest& request) {
  return call_and_parse<wire::KunjunganCreated>(client_, kP, Method::post, "kunjungan/v1", wire::to_json(request),
                                                "kunjungan/v1", wire::parse_kunjungan_created);
}

PCareClient::Call<wire::KunjunganCreated> PCareClient::update_kunjungan(const wire::KunjunganRequest& request) {
  return call_and_parse<wire::KunjunganCreated>(client_, kP, Method::put, "kunjungan/v1", wire::to_json(request),
                                                "kunjungan/v1", wire::parse_kunjungan_created);
}

PCareClient::Call<WriteAck> PCareClient::delete_kunjungan(std::string_view no_kunjungan) {
  return call_ack(client_, kP, Method::del, "kunjungan/" + path_segment(no_kunjungan), "", "kunjungan/{noKunjungan}");
}

PCareClient::Call<wire::PcareList<wire::RiwayatKunjungan>> PCareClient::kunjungan_by_peserta(
    std::string_view no_kartu) {
  return call_and_parse<wire::PcareList<wire::RiwayatKunjungan>>(
      client_, kP, Method::get, "kunjungan/peserta/" + path_segment(no_kartu), "", "kunjungan/peserta/{noKartu}",
      wire::parse_riwayat_kunjungan);
}

PCareClient::Call<wire::PcareList<wire::PcareDokter>> PCareClient::referensi_dokter(int start, int limit) {
  return call_and_parse<wire::PcareList<wire::PcareDokter>>(client_, kP, Method::get,
                                                            "dokter/" + n(start) + "/" + n(limit), "",
                                                            "dokter/{start}/{limit}", wire::parse_dokter_pcare);
}

PCareClient::Call<wire::PcareList<wire::PcarePoliRef>> PCareClient::referensi_poli(int start, int limit) {
  return call_and_parse<wire::PcareList<wire::PcarePoliRef>>(client_, kP, Method::get,
                                                             "poli/fktp/" + n(start) + "/" + n(limit), "",
                                                             "poli/fktp/{start}/{limit}", wire::parse_poli_pcare);
}

PCareClient::Call<wire::PcareList<wire::PcareDiagnosaRef>> PCareClient::referensi_diagnosa(std::string_view keyword,
                                                                                           int start, int limit) {
  return call_and_parse<wire::PcareList<wire::PcareDiagnosaRef>>(
      client_, kP, Method::get, "diagnosa/" + path_segment(keyword) + "/" + n(start) + "/" + n(limit), "",
      "diagnosa/{keyword}/{start}/{limit}", wire::parse_diagnosa_pcare);
}

PCareClient::Call<wire::PcareList<wire::PcareKesadaran>> PCareClient::referensi_kesadaran() {
  return call_and_parse<wire::PcareList<wire::PcareKesadaran>>(client_, kP, Method::get, "kesadaran", "", "kesadaran",
                                                               wire::parse_kesadaran);
}

PCareClient::Call<wire::PcareList<wire::PcareProvider>> PCareClient::referensi_provider(int start, int limit) {
  return call_and_parse<wire::PcareList<wire::PcareProvider>>(client_, kP, Method::get,
                                                              "provider/" + n(start) + "/" + n(limit), "",
                                                              "provider/{start}/{limit}", wire::parse_provider_pcare);
}

}  // namespace simpul::connectors::bpjs
