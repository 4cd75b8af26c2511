#include "adapter/measure_routes.hpp"

#include <cstdint>
#include <string>
#include <string_view>

#include "connectors/http/response.hpp"
#include "fhir/bundle.hpp"
#include "fhir/error.hpp"
#include "mappings/measures/catalogue.hpp"
#include "mappings/measures/measure_fhir.hpp"

namespace simpul::adapter {

namespace {

namespace http = connectors::http;
namespace m = mappings::measures;
using boost::asio::awaitable;

bool known_parameter(const std::string& name) {
  return name == "_id" || name == "url" || name == "_format" || name == "_pretty";
}

awaitable<http::Response> search_measures(RequestContext& ctx) {
  // Unknown parameters are ignored (FHIR's default, lenient handling) unless the
  // client asks for strict handling: then they are a 400 rather than an unfiltered list.
  const auto prefer = ctx.request["Prefer"];
  if (std::string_view(prefer.data(), prefer.size()).find("handling=strict") != std::string_view::npos)
    for (const auto& [name, value] : ctx.query)
      if (!known_parameter(name))
        throw fhir::Error::invalid("Unknown search parameter '" + name + "' for Measure (supported: _id, url).", name);
  const std::string id = ctx.param("_id");
  const std::string url = ctx.param("url");
  fhir::SearchsetBuilder bundle;
  std::uint64_t total = 0;
  for (const auto& def : m::measure_catalogue()) {
    if (!id.empty() && def.id != id) continue;
    if (!url.empty() && m::measure_url(def.id) != url) continue;
    bundle.add(m::measure_url(def.id), m::measure_resource(def));
    ++total;
  }
  bundle.total(total);
  co_return fhir_response(ctx, 200, bundle.finish());
}

awaitable<http::Response> read_measure(RequestContext& ctx) {
  const std::string& id = ctx.path_params.at("id");
  const m::MeasureDef* def = m::find_measure(id);
  if (def == nullptr)
    throw fhir::Error::not_found("No such Measure: " + id + ". GET /fhir/Measure lists them.", "Measure.id");
  co_return fhir_response(ctx, 200, m::measure_resource(*def));
}

}  // namespace

void add_measure_routes(App& app) {
  app.add_route({"GET", "/fhir/Measure", "/fhir/Measure", true, {}, true, search_measures});
  app.add_route({"GET", "/fhir/Measure/{id}", "/fhir/Measure/{id}", true, {}, true, read_measure});
}

}  // namespace simpul::adapter
