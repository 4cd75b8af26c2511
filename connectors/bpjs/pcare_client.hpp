#pragma once
// P-Care 4.0 over BpjsClient (bpjs-api.md §5.2). P-Care answers with real HTTP
// statuses: 412 (precondition) and 424 (unknown reference) become business
// errors with BPJS's code and message kept (details = its [{field,message}]),
// 204 becomes not_found, 401 auth, 5xx upstream_http (retryable).
// Arguments are encoded into the request before a method returns: the views
// and requests need not outlive the awaitable; the BpjsClient must.
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "connectors/bpjs/client.hpp"
#include "mappings/bpjs/pcare.hpp"

namespace simpul::connectors::bpjs {

namespace wire = simpul::mappings::bpjs;

enum class JenisKartu { nik, noka };  // identifier type: NIK or BPJS card number

class PCareClient {
 public:
  explicit PCareClient(BpjsClient& client) : client_(client) {}

  template <class T>
  using Call = boost::asio::awaitable<Outcome<T>>;

  Call<wire::PesertaPcare> peserta(std::string_view no_kartu);
  Call<wire::PesertaPcare> peserta_by(JenisKartu jenis, std::string_view nomor);

  // Pendaftaran (registration). add is not idempotent: after maybe_delivered,
  // look it up (get_pendaftaran) before sending again.
  Call<wire::PendaftaranCreated> add_pendaftaran(const wire::PendaftaranRequest& request);
  Call<wire::Pendaftaran> get_pendaftaran(std::string_view no_urut, wire::Date tgl_daftar);
  // The day's registrations, a page at a time (start from 0).
  Call<wire::PcareList<wire::Pendaftaran>> pendaftaran_by_tanggal(wire::Date tgl_daftar, int start, int limit);
  Call<WriteAck> delete_pendaftaran(std::string_view no_kartu, wire::Date tgl_daftar, std::string_view no_urut,
                                    std::string_view kd_poli);

  // Kunjungan (visit), kunjungan/v1. update needs request.no_kunjungan.
  Call<wire::KunjunganCreated> add_kunjungan(const wire::KunjunganRequest& request);
  Call<wire::KunjunganCreated> update_kunjungan(const wire::KunjunganRequest& request);
  Call<WriteAck> delete_kunjungan(std::string_view no_kunjungan);
  Call<wire::PcareList<wire::RiwayatKunjungan>> kunjungan_by_peserta(std::string_view no_kartu);

  // Referensi (reference data); start/limit page through the list.
  Call<wire::PcareList<wire::PcareDokter>> referensi_dokter(int start, int limit);
  Call<wire::PcareList<wire::PcarePoliRef>> referensi_poli(int start, int limit);
  Call<wire::PcareList<wire::PcareDiagnosaRef>> referensi_diagnosa(std::string_view keyword, int start, int limit);
  Call<wire::PcareList<wire::PcareKesadaran>> referensi_kesadaran();
  Call<wire::PcareList<wire::PcareProvider>> referensi_provider(int start, int limit);

 private:
  BpjsClient& client_;
};

}  // namespace simpul::connectors::bpjs
