#include "connectors/bpjs/antrean_client.hpp"

#include "connectors/bpjs/client_call.hpp"

namespace simpul::connectors::bpjs {

using detail::call_ack;
using detail::call_and_parse;
using http::Method;

AntreanClient::Call<std::vector<wire::AntreanPoli>> AntreanClient::ref_poli() {
  return call_and_parse<std::vector<wire::AntreanPoli>>(client_, Service::antrean, Method::get, "ref/poli", "",
                                                        "ref/poli", wire::parse_antrean_poli);
}

AntreanClient::Call<std::vector<wire::AntreanDokter>> AntreanClient::ref_dokter() {
  return call_and_parse<std::vector<wire::AntreanDokter>>(client_, Service::antrean, Method::get, "ref/dokter", "",
                                                          "ref/dokter", wire::parse_antrean_dokter);
}

AntreanClient::Call<WriteAck> AntreanClient::add(const wire::AntreanAdd& request) {
  return call_ack(client_, Service::antrean, Method::post, "antrean/add", wire::to_json(request), "antrean/add");
}

AntreanClient::Call<WriteAck> AntreanClient::batal(const wire::AntreanBatal& request) {
  return call_ack(client_, Service::antrean, Method::post, "antrean/batal", wire::to_json(request), "antrean/batal");
}

}  // namespace simpul::connectors::bpjs
