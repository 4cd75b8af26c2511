#include "adapter/dry_run.hpp"

#include "fhir/error.hpp"
#include "mappings/vclaim_fhir/builder.hpp"

namespace simpul::adapter {

namespace {

using mappings::vclaim_fhir::Builder;

rapidjson::Value part(const Builder& b, std::string_view name, std::string_view type, std::string_view value) {
  auto p = b.object();
  b.set(p, "name", name);
  b.set(p, type, value);
  return p;
}

}  // namespace

bool dry_run_requested(const RequestContext& ctx) {
  const std::string v = ctx.param("_dryRun");
  if (v.empty() || v == "false") return false;
  if (v == "true") return true;
  throw fhir::Error::value("_dryRun must be true or false.", "_dryRun");
}

rapidjson::Document dry_run_parameters(const connectors::bpjs::BpjsClient& client, connectors::bpjs::Service service,
                                       const std::vector<connectors::bpjs::UpstreamRequest>& requests,
                                       const mappings::vclaim_fhir::Trace& trace) {
  rapidjson::Document doc(rapidjson::kObjectType);
  Builder b(doc);
  b.set(doc, "resourceType", "Parameters");
  auto params = b.array();
  if (!requests.empty()) b.push(params, part(b, "operation", "valueString", requests.front().label));
  for (const auto& r : requests) {
    const connectors::bpjs::RequestPreview preview = client.preview(service, r);
    auto req = b.object();
    b.set(req, "name", "request");
    auto parts = b.array();
    b.push(parts, part(b, "method", "valueCode", preview.method));
    b.push(parts, part(b, "url", "valueUri", preview.url));
    for (const auto& [name, value] : preview.headers)
      b.push(parts, part(b, "header", "valueString", name + ": " + value));
    b.push(parts, part(b, "body", "valueString", preview.body));
    b.put(req, "part", std::move(parts));
    b.push(params, std::move(req));
  }
  for (const auto& t : trace) {
    auto entry = b.object();
    b.set(entry, "name", "trace");
    auto parts = b.array();
    b.push(parts, part(b, "field", "valueString", t.field));
    b.push(parts, part(b, "value", "valueString", t.value));
    b.push(parts, part(b, "source", "valueString", t.source));
    b.put(entry, "part", std::move(parts));
    b.push(params, std::move(entry));
  }
  b.put(doc, "parameter", std::move(params));
  return doc;
}

}  // namespace simpul::adapter
