#include "connectors/http/response.hpp"

#include "fhir/outcome.hpp"

namespace simpul::connectors::http {

namespace bhttp = boost::beast::http;

Response make_response(unsigned status, std::string body, std::string_view content_type, unsigned version) {
  Response res{static_cast<bhttp::status>(status), version};
  res.set(bhttp::field::content_type, content_type);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

Response error_response(const fhir::Error& error, unsigned version, bool pretty) {
  Response res = make_response(static_cast<unsigned>(error.status()), fhir::outcome_json(error, pretty),
                               "application/fhir+json; charset=utf-8", version);
  for (const auto& [name, value] : error.headers()) res.set(name, value);
  return res;
}

}  // namespace simpul::connectors::http
