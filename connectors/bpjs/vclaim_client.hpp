#pragma once
// V-Claim 2.0 over BpjsClient: each call sends a wire model from
// mappings/bpjs/vclaim.hpp and returns the response model or a BpjsError.
// Paths and their case are BPJS's own (bpjs-api.md §5.1, §6 pitfall 12).
// Arguments are encoded into the request before a method returns: the views
// and requests need not outlive the awaitable; the BpjsClient must.
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "connectors/bpjs/client.hpp"
#include "mappings/bpjs/vclaim.hpp"

namespace simpul::connectors::bpjs {

namespace wire = simpul::mappings::bpjs;

enum class AsalRujukan { fktp = 1, rs = 2 };                    // referral source: primary care / hospital
enum class JenisPelayanan { rawat_inap = 1, rawat_jalan = 2 };  // inpatient / outpatient
enum class JenisFaskes { fktp = 1, rs = 2 };                    // facility level

// The request each VClaimClient call sends, built before anything is signed:
// what a dry run shows (BpjsClient::preview) and what the calls below send.
namespace vclaim_request {
UpstreamRequest peserta_by_card(std::string_view no_kartu, wire::Date tgl_sep);
UpstreamRequest peserta_by_nik(std::string_view nik, wire::Date tgl_sep);
UpstreamRequest insert_sep(const wire::SepRequest& request);
UpstreamRequest update_sep(const wire::SepUpdateRequest& request);
UpstreamRequest delete_sep(const wire::SepDeleteRequest& request);
UpstreamRequest get_sep(std::string_view no_sep);
UpstreamRequest rujukan_by_number(std::string_view no_rujukan, AsalRujukan asal);
UpstreamRequest rujukan_by_card(std::string_view no_kartu, AsalRujukan asal);
UpstreamRequest rujukan_list_by_card(std::string_view no_kartu, AsalRujukan asal);
UpstreamRequest monitoring_kunjungan(wire::Date tgl_sep, JenisPelayanan jenis);
UpstreamRequest histori_pelayanan(std::string_view no_kartu, wire::Date from, wire::Date to);
UpstreamRequest referensi_poli(std::string_view keyword);
UpstreamRequest referensi_diagnosa(std::string_view keyword);
UpstreamRequest referensi_faskes(std::string_view keyword, JenisFaskes jenis);
UpstreamRequest referensi_dokter_dpjp(JenisPelayanan jenis, wire::Date tgl_pelayanan, std::string_view kd_spesialis);
UpstreamRequest referensi_propinsi();
UpstreamRequest referensi_kabupaten(std::string_view kd_propinsi);
}  // namespace vclaim_request

class VClaimClient {
 public:
  explicit VClaimClient(BpjsClient& client) : client_(client) {}

  template <class T>
  using Call = boost::asio::awaitable<Outcome<T>>;

  // Peserta (participant) on a service date.
  Call<wire::Peserta> peserta_by_card(std::string_view no_kartu, wire::Date tgl_sep);
  Call<wire::Peserta> peserta_by_nik(std::string_view nik, wire::Date tgl_sep);

  // SEP 2.0. insert/update/delete are never retried; on a transport failure the
  // error says maybe_delivered and the caller must look the SEP up before resending.
  Call<wire::Sep> insert_sep(const wire::SepRequest& request);
  Call<std::string> update_sep(const wire::SepUpdateRequest& request);  // -> noSep
  Call<std::string> delete_sep(const wire::SepDeleteRequest& request);  // -> noSep (plain response)
  Call<wire::SepDetail> get_sep(std::string_view no_sep);

  // Rujukan (referral) from an FKTP (P-Care) or from a hospital.
  Call<wire::Rujukan> rujukan_by_number(std::string_view no_rujukan, AsalRujukan asal);
  Call<wire::Rujukan> rujukan_by_card(std::string_view no_kartu, AsalRujukan asal);  // the latest one
  Call<std::vector<wire::Rujukan>> rujukan_list_by_card(std::string_view no_kartu, AsalRujukan asal);

  // Monitoring (V-Claim answers "201" when there is nothing to list).
  Call<std::vector<wire::KunjunganMonitoring>> monitoring_kunjungan(wire::Date tgl_sep, JenisPelayanan jenis);
  Call<std::vector<wire::HistoriPelayanan>> histori_pelayanan(std::string_view no_kartu, wire::Date from,
                                                              wire::Date to);

  // Referensi (reference data).
  Call<std::vector<wire::ReferensiItem>> referensi_poli(std::string_view keyword);
  Call<std::vector<wire::ReferensiItem>> referensi_diagnosa(std::string_view keyword);
  Call<std::vector<wire::ReferensiItem>> referensi_faskes(std::string_view keyword, JenisFaskes jenis);
  Call<std::vector<wire::ReferensiItem>> referensi_dokter_dpjp(JenisPelayanan jenis, wire::Date tgl_pelayanan,
                                                               std::string_view kd_spesialis);
  Call<std::vector<wire::ReferensiItem>> referensi_propinsi();
  Call<std::vector<wire::ReferensiItem>> referensi_kabupaten(std::string_view kd_propinsi);
  // Any of the referensi requests above (vclaim_request::referensi_*) with the key of its list.
  Call<std::vector<wire::ReferensiItem>> referensi(UpstreamRequest request, std::string_view list_key);

 private:
  BpjsClient& client_;
};

}  // namespace simpul::connectors::bpjs
