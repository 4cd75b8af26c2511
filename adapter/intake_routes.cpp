#include "adapter/intake_routes.hpp"

#include <charconv>
#include <map>
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "adapter/auth.hpp"
#include "adapter/outbox/pcare_destination.hpp"
#include "adapter/outbox/registry_destination.hpp"
#include "adapter/outbox/satusehat_destination.hpp"
#include "adapter/route_audit.hpp"
#include "adapter/store/await.hpp"
#include "adapter/vclaim_routes.hpp"
#include "connectors/http/response.hpp"
#include "fhir/content_type.hpp"
#include "fhir/error.hpp"
#include "fhir/json.hpp"
#include "fhir/resource.hpp"
#include "mappings/vclaim_fhir/builder.hpp"

namespace simpul::adapter {

namespace {

namespace http = connectors::http;
using boost::asio::awaitable;
using mappings::vclaim_fhir::Builder;
using store::OutboxStatus;

constexpr std::string_view kOutboxStatusSystem = "https://fhir.simpul.id/CodeSystem/outbox-status";
constexpr std::string_view kDestinationSystem = "https://fhir.simpul.id/CodeSystem/outbox-destination";
constexpr std::string_view kAttemptsExtension = "https://fhir.simpul.id/StructureDefinition/outbox-attempts";
constexpr std::string_view kUpstreamIdSystemBase = "https://fhir.simpul.id/sid/";

std::string instant_of(store::UnixMillis ms) {
  return jakarta_instant(std::chrono::system_clock::time_point(std::chrono::milliseconds(ms)));
}

// FHIR Task.status for an outbox status; businessStatus keeps Simpul's own.
const char* task_status(OutboxStatus s) {
  switch (s) {
    case OutboxStatus::pending:
      return "requested";
    case OutboxStatus::in_flight:
    case OutboxStatus::retrying:
      return "in-progress";
    case OutboxStatus::delivered:
      return "completed";
    case OutboxStatus::dead:
      return "failed";
    case OutboxStatus::held:
    case OutboxStatus::suspended:
      break;
  }
  return "on-hold";
}

// What the upstream id of a delivered step is called.
std::string upstream_id_name(const store::OutboxItem& item) {
  if (item.destination == kDestinationPcare)
    return item.source_type == "pendaftaran" ? "pcare-no-urut" : "pcare-no-kunjungan";
  if (item.destination == kDestinationSatusehat) return "satusehat-encounter-id";
  if (item.destination == kDestinationRegistry) return "registry-measure-report-id";
  return item.destination + "-id";
}

std::string step_label(const store::OutboxItem& item) {
  if (item.destination == kDestinationPcare) return "P-Care " + item.source_type;
  if (item.destination == kDestinationSatusehat) return "SATUSEHAT " + item.source_type + " transaction";
  if (item.destination == kDestinationRegistry) return "Registry MeasureReport";
  return item.destination + " " + item.source_type;
}

// The 400s of every destination in one OperationOutcome: a SIMPUS fixes them all at once.
class Problems {
 public:
  void add(std::string_view destination, const fhir::Error& e) {
    for (fhir::Issue issue : e.issues()) {
      issue.diagnostics = std::string(destination) + ": " + issue.diagnostics;
      if (!error_) {
        error_.emplace(e.status(), issue, e.internal());
      } else {
        error_->add_issue(std::move(issue));
      }
    }
  }
  void throw_if_any() const {
    if (error_) throw *error_;
  }

 private:
  std::optional<fhir::Error> error_;
};

// Rewrites every {"reference":"#id"} under `v` to the contained resource's "Type/id".
void resolve_local_references(rapidjson::Value& v, const std::map<std::string, std::string>& local,
                              rapidjson::Document::AllocatorType& a) {
  if (v.IsArray()) {
    for (auto& e : v.GetArray()) resolve_local_references(e, local, a);
    return;
  }
  if (!v.IsObject()) return;
  for (auto& m : v.GetObject()) {
    if (m.value.IsString() && std::string_view(m.name.GetString()) == "reference" && m.value.GetStringLength() > 0 &&
        m.value.GetString()[0] == '#') {
      auto it = local.find(m.value.GetString() + 1);
      if (it != local.end()) m.value.SetString(it->second.c_str(), static_cast<rapidjson::SizeType>(it->second.size()), a);
      continue;
    }
    resolve_local_references(m.value, local, a);
  }
}

// POST /fhir/Encounter: a lone Encounter with its resources contained becomes the same
// transaction Bundle a SIMPUS would have sent (entries "Type/id", "#id" references
// resolved), so every destination reads one shape.
rapidjson::Document bundle_of_lone_encounter(const rapidjson::Value& encounter) {
  rapidjson::Document out(rapidjson::kObjectType);
  auto& a = out.GetAllocator();
  std::map<std::string, std::string> local;
  rapidjson::Value entries(rapidjson::kArrayType);
  rapidjson::Value enc;
  enc.CopyFrom(encounter, a);
  rapidjson::Value contained(rapidjson::kArrayType);
  if (enc.HasMember("contained") && enc["contained"].IsArray()) {
    contained = std::move(enc["contained"]);
    enc.RemoveMember("contained");
  }
  const std::string enc_id(fhir::string_member(enc, "id").value_or("pushed"));
  local[enc_id] = "Encounter/" + enc_id;  // contained resources pointing back at their container
  local[""] = "Encounter/" + enc_id;      // "#": the container itself
  for (std::size_t i = 0; i < contained.Size(); ++i) {
    const auto& r = contained[static_cast<rapidjson::SizeType>(i)];
    const std::string id = r.IsObject() ? std::string(fhir::string_member(r, "id").value_or("")) : "";
    const std::string type = r.IsObject() ? std::string(fhir::string_member(r, "resourceType").value_or("")) : "";
    if (!id.empty() && !type.empty()) local[id] = type + "/" + id;
  }
  auto entry_of = [&](rapidjson::Value&& resource, const std::string& full_url) {
    rapidjson::Value e(rapidjson::kObjectType);
    e.AddMember("fullUrl", rapidjson::Value(full_url.c_str(), a), a);
    e.AddMember("resource", std::move(resource), a);
    rapidjson::Value request(rapidjson::kObjectType);
    request.AddMember("method", "POST", a);
    const std::string type(fhir::string_member(e["resource"], "resourceType").value_or(""));
    request.AddMember("url", rapidjson::Value(type.c_str(), a), a);
    e.AddMember("request", std::move(request), a);
    entries.PushBack(std::move(e), a);
  };
  resolve_local_references(enc, local, a);
  entry_of(std::move(enc), "Encounter/" + enc_id);
  for (auto& r : contained.GetArray()) {
    resolve_local_references(r, local, a);
    const std::string id = r.IsObject() ? std::string(fhir::string_member(r, "id").value_or("")) : "";
    const std::string type = r.IsObject() ? std::string(fhir::string_member(r, "resourceType").value_or("")) : "";
    entry_of(std::move(r), type + "/" + id);
  }
  out.AddMember("resourceType", "Bundle", a);
  out.AddMember("type", "transaction", a);
  out.AddMember("entry", std::move(entries), a);
  return out;
}

class IntakeRoutes {
 public:
  IntakeRoutes(store::Store& store, outbox::Engine& engine, const Config& config)
      : store_(store), engine_(engine), config_(config) {}

  awaitable<http::Response> push(RequestContext& ctx, audit::AuditEntry& entry, bool lone_encounter) {
    const Tenant& tenant = *ctx.principal->tenant;
    const rapidjson::Document pushed = fhir::parse_resource(ctx.request.body(), body_parse_limits(config_.limits));
    check_shape(pushed, lone_encounter);
    rapidjson::Document wrapped;
    if (lone_encounter) wrapped = bundle_of_lone_encounter(pushed);
    const rapidjson::Document& doc = lone_encounter ? wrapped : pushed;
    if (tenant.destinations.empty()) {
      throw fhir::Error::unprocessable("This facility routes pushed encounters to no destination.", {},
                                       "tenant " + tenant.id + " has no destinations");
    }

    outbox::IntakePlan plan;
    Problems problems;
    const std::string today = local_date(std::chrono::system_clock::now(), tenant.utc_offset_minutes);
    for (const std::string& destination : tenant.destinations) {
      try {
        if (destination == kDestinationPcare) outbox::plan_pcare(doc, tenant, today, plan);
        if (destination == kDestinationSatusehat) outbox::plan_satusehat(doc, tenant, plan);
      } catch (const fhir::Error& e) {
        if (e.status() != 400) throw;
        problems.add(destination == kDestinationPcare ? "P-Care" : "SATUSEHAT", e);
      }
    }
    problems.throw_if_any();
    entry.subject_kind = plan.subject_no_kartu.empty() ? audit::SubjectKind::nik : audit::SubjectKind::no_kartu;
    entry.subject = plan.subject_no_kartu.empty() ? plan.subject_nik : plan.subject_no_kartu;
    if (entry.subject.empty()) entry.subject_kind = audit::SubjectKind::none;
    if (plan.items.empty()) {
      std::string why;
      for (const auto& s : plan.skipped) why += (why.empty() ? "" : "; ") + s;
      throw fhir::Error::unprocessable("No destination of this facility takes this visit: " + why);
    }

    const std::string source_id =
        plan.encounter_identifier.empty() ? "sha256:" + sha256_hex(ctx.request.body()) : plan.encounter_identifier;
    entry.resource_id = source_id;
    store::OutboxBatch batch;
    std::set<std::string> destinations;
    for (std::size_t i = 0; i < plan.items.size(); ++i) {
      auto& in = plan.items[i];
      store::OutboxItem item;
      item.tenant = tenant.id;
      item.destination = in.destination;
      item.source_type = in.source_type;
      item.source_id = source_id;
      item.source_version = in.source_version;
      item.payload = std::move(in.payload);
      batch.items.push_back(std::move(item));
      if (in.after) batch.dependencies.push_back({i, *in.after});
      destinations.insert(in.destination);
    }
    std::string dest_list;
    for (const auto& d : destinations) dest_list += (dest_list.empty() ? "" : ",") + d;
    entry.destination = dest_list;

    std::vector<store::EnqueueResult> results;
    try {
      results = co_await store::await<std::vector<store::EnqueueResult>>(
          [&](store::Store::Completion<std::vector<store::EnqueueResult>> done) {
            store_.enqueue_outbox_batch(std::move(batch), std::move(done));
          });
    } catch (const store::StoreError& e) {
      if (e.retryable())
        throw fhir::Error::unavailable("The store is busy; nothing was accepted. Retry later.", {}, e.what())
            .with_header("Retry-After", "2");
      throw fhir::Error::internal("The store failed; nothing was accepted.", {}, e.what());
    }

    bool any_created = false;
    rapidjson::Document out(rapidjson::kObjectType);
    Builder b(out);
    b.set(out, "resourceType", "Bundle");
    b.set(out, "type", "collection");
    auto entries = b.array();
    for (std::size_t i = 0; i < results.size(); ++i) {
      const auto& r = results[i];
      std::optional<store::OutboxItem> item;
      if (!r.created) item = store_.get_outbox_item(tenant.id, r.id);
      if (!item) {
        item.emplace();
        item->id = r.id;
        item->tenant = tenant.id;
        item->destination = plan.items[i].destination;
        item->source_type = plan.items[i].source_type;
        item->source_id = source_id;
        item->status = r.status;
        const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
        item->created_at = item->updated_at = now_ms;
        if (plan.items[i].after) item->depends_on = results[*plan.items[i].after].id;
      }
      any_created = any_created || r.created;
      rapidjson::Document task = task_resource(*item);
      auto e = b.object();
      rapidjson::Value resource;
      resource.CopyFrom(task, out.GetAllocator());
      b.put(e, "resource", std::move(resource));
      b.push(entries, std::move(e));
    }
    b.put(out, "entry", std::move(entries));
    for (const auto& d : destinations) engine_.wake(d);
    http::Response res = fhir_response(ctx, 202, out);
    if (!any_created) {
      res.set("Idempotent-Replayed", "true");
      entry.event += ".replayed";
    }
    co_return res;
  }

  // POST /fhir/MeasureReport: one summary report for the registry (docs/registry.md).
  awaitable<http::Response> push_measure_report(RequestContext& ctx, audit::AuditEntry& entry) {
    const Tenant& tenant = *ctx.principal->tenant;
    const rapidjson::Document report = fhir::parse_resource(ctx.request.body(), body_parse_limits(config_.limits));
    fhir::expect_resource_type(report, "MeasureReport");
    entry.destination = std::string(kDestinationRegistry);
    store::EnqueueResult r;
    try {
      r = co_await outbox::submit_measure_report(store_, engine_, tenant, report);
    } catch (const store::StoreError& e) {
      if (e.retryable())
        throw fhir::Error::unavailable("The store is busy; nothing was accepted. Retry later.", {}, e.what())
            .with_header("Retry-After", "2");
      throw fhir::Error::internal("The store failed; nothing was accepted.", {}, e.what());
    }
    const auto item = store_.get_outbox_item(tenant.id, r.id);
    if (!item) throw fhir::Error::internal("The accepted report could not be read back.", {}, "outbox item vanished");
    entry.resource_id = item->source_id;
    http::Response res = fhir_response(ctx, 202, task_resource(*item));
    if (!r.created) {
      res.set("Idempotent-Replayed", "true");
      entry.event += ".replayed";
    }
    co_return res;
  }

  awaitable<http::Response> task(RequestContext& ctx, audit::AuditEntry& entry) {
    const std::string& text = ctx.path_params["id"];
    std::int64_t id = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc() || p != text.data() + text.size() || id <= 0)
      throw fhir::Error::not_found("No such Task.", "Task.id");
    entry.resource_id = text;
    const auto item = store_.get_outbox_item(ctx.principal->tenant->id, id);
    if (!item) throw fhir::Error::not_found("No such Task.", "Task.id");  // another tenant's is not yours to see
    co_return fhir_response(ctx, 200, task_resource(*item));
  }

 private:
  static void check_shape(const rapidjson::Value& doc, bool lone_encounter) {
    const std::string_view type = fhir::string_member(doc, "resourceType").value_or("");
    if (lone_encounter) {
      if (type != "Encounter")
        throw fhir::Error::invalid("POST /fhir/Encounter takes an Encounter (its resources contained).",
                                   "resourceType");
      return;
    }
    if (type != "Bundle")
      throw fhir::Error::invalid(
          "POST /fhir takes a transaction or batch Bundle holding one finished encounter (or POST /fhir/Encounter).",
          "resourceType");
    const std::string_view bundle_type = fhir::string_member(doc, "type").value_or("");
    if (bundle_type != "transaction" && bundle_type != "batch")
      throw fhir::Error::value("Bundle.type must be transaction or batch, not '" + std::string(bundle_type) + "'.",
                               "Bundle.type");
  }

  store::Store& store_;
  outbox::Engine& engine_;
  const Config& config_;
};

}  // namespace

rapidjson::Document task_resource(const store::OutboxItem& item) {
  rapidjson::Document t(rapidjson::kObjectType);
  Builder b(t);
  b.set(t, "resourceType", "Task");
  b.set(t, "id", std::to_string(item.id));
  b.set(t, "status", task_status(item.status));
  auto business = b.codeable(b.coding(kOutboxStatusSystem, store::to_string(item.status)));
  b.put(t, "businessStatus", std::move(business));
  b.set(t, "intent", "order");
  b.put(t, "code", b.codeable(b.coding(kDestinationSystem, item.destination), step_label(item)));
  // The pushed resource by its business identifier ("system|value"): Simpul keeps no copy to point at.
  if (const auto bar = item.source_id.find('|'); bar != std::string::npos && bar > 0) {
    auto focus = b.object();
    b.put(focus, "identifier", b.identifier(item.source_id.substr(0, bar), item.source_id.substr(bar + 1)));
    b.set(focus, "type", item.source_type == "MeasureReport" ? "MeasureReport" : "Encounter");
    b.put(t, "focus", std::move(focus));
  }
  auto extensions = b.array();
  if (item.depends_on) {
    // Delivered only after that Task: FHIR R4 has no plain ordering link (partOf means a
    // sub-task), so an extension says it.
    auto ext = b.object();
    b.set(ext, "url", "https://fhir.simpul.id/StructureDefinition/outbox-after");
    auto ref = b.object();
    b.set(ref, "reference", "Task/" + std::to_string(*item.depends_on));
    b.put(ext, "valueReference", std::move(ref));
    b.push(extensions, std::move(ext));
  }
  {
    auto ext = b.object();
    b.set(ext, "url", kAttemptsExtension);
    ext.AddMember("valueInteger", item.attempts, t.GetAllocator());
    b.push(extensions, std::move(ext));
  }
  b.put(t, "extension", std::move(extensions));
  if (item.created_at > 0) b.set(t, "authoredOn", instant_of(item.created_at));
  if (item.updated_at > 0) b.set(t, "lastModified", instant_of(item.updated_at));
  if (!item.last_error.empty()) b.put(t, "statusReason", b.codeable(b.object(), item.last_error));
  if (!item.upstream_id.empty()) {
    auto outputs = b.array();
    auto o = b.object();
    b.put(o, "type", b.codeable(b.object(), upstream_id_name(item)));
    b.put(o, "valueIdentifier",
          b.identifier(std::string(kUpstreamIdSystemBase) + upstream_id_name(item), item.upstream_id));
    b.push(outputs, std::move(o));
    b.put(t, "output", std::move(outputs));
  }
  return t;
}

void add_intake_routes(App& app, store::Store& store, outbox::Engine& engine, const Config& config) {
  auto routes = std::make_shared<IntakeRoutes>(store, engine, config);
  audit::AuditEntry base;
  base.action = audit::Action::create;
  base.purpose = audit::Purpose::treatment;
  base.event = "intake.encounter";
  base.resource_type = "Encounter";
  for (const bool lone : {false, true}) {
    const std::string path = lone ? "/fhir/Encounter" : "/fhir";
    app.add_route({"POST", path, path, true, {Role::submitter}, true,
                   audited(app.recorder(), base, [routes, lone](RequestContext& ctx, audit::AuditEntry& entry) {
                     return routes->push(ctx, entry, lone);
                   })});
  }
  audit::AuditEntry report;
  report.action = audit::Action::create;
  report.purpose = audit::Purpose::public_health;
  report.event = "intake.measure_report";
  report.resource_type = "MeasureReport";
  app.add_route({"POST", "/fhir/MeasureReport", "/fhir/MeasureReport", true, {Role::submitter}, true,
                 audited(app.recorder(), report, [routes](RequestContext& ctx, audit::AuditEntry& entry) {
                   return routes->push_measure_report(ctx, entry);
                 })});
  audit::AuditEntry read;
  read.action = audit::Action::read;
  read.purpose = audit::Purpose::operations;
  read.event = "intake.task.read";
  read.resource_type = "Task";
  app.add_route({"GET", "/fhir/Task/{id}", "/fhir/Task/{id}", true, {Role::submitter, Role::admin}, true,
                 audited(app.recorder(), read, [routes](RequestContext& ctx, audit::AuditEntry& entry) {
                   return routes->task(ctx, entry);
                 })});
}

}  // namespace simpul::adapter
