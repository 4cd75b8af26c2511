#pragma once
// Internal to the typed BPJS clients: one call through BpjsClient, then the
// response JSON through a mappings/bpjs parser.
#include <string>
#include <utility>

#include <boost/asio/awaitable.hpp>

#include "connectors/bpjs/client.hpp"
#include "mappings/bpjs/wire.hpp"

namespace simpul::connectors::bpjs::detail {

// A wire-format failure of a successful call as a BpjsError (kind decode, code
// "wire_format"); for a write BPJS did execute it, so maybe_delivered is set.
BpjsError wire_error(const simpul::mappings::bpjs::WireError& error, http::Method method, const BpjsReply& reply);

// `client` must outlive the returned awaitable.
template <class T, class Parse>
boost::asio::awaitable<Outcome<T>> call_and_parse(BpjsClient& client, Service service, http::Method method,
                                                  std::string path, std::string body, std::string label, Parse parse) {
  BpjsResult r = co_await client.async_call(service, method, std::move(path), std::move(body), std::move(label));
  if (!r) co_return std::move(r).error();
  auto parsed = parse(r->response_json);
  if (!parsed) co_return wire_error(parsed.error(), method, *r);
  co_return T(std::move(parsed).value());
}

// An integer path parameter ("0", "25"; the enums' codes).
inline std::string n(int v) {
  return std::to_string(v);
}

// For writes BPJS acknowledges with metaData only.
boost::asio::awaitable<Outcome<WriteAck>> call_ack(BpjsClient& client, Service service, http::Method method,
                                                   std::string path, std::string body, std::string label);

}  // namespace simpul::connectors::bpjs::detail
