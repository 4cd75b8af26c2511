#pragma once
// Antrean RS over BpjsClient (bpjs-api.md §5.3). References answer metadata
// code 1, writes answer metadata only (code 200); business errors are HTTP 200
// with code 201 and BPJS's message.
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "connectors/bpjs/client.hpp"
#include "mappings/bpjs/antrean.hpp"

namespace simpul::connectors::bpjs {

namespace wire = simpul::mappings::bpjs;

class AntreanClient {
 public:
  explicit AntreanClient(BpjsClient& client) : client_(client) {}

  template <class T>
  using Call = boost::asio::awaitable<Outcome<T>>;

  Call<std::vector<wire::AntreanPoli>> ref_poli();
  Call<std::vector<wire::AntreanDokter>> ref_dokter();
  // add is not idempotent by kodebooking (BPJS rejects a duplicate with 201);
  // after maybe_delivered, look the booking up before sending again.
  Call<WriteAck> add(const wire::AntreanAdd& request);
  Call<WriteAck> batal(const wire::AntreanBatal& request);  // cancel

 private:
  BpjsClient& client_;
};

}  // namespace simpul::connectors::bpjs
