#include "adapter/sep_routes.hpp"

#include <algorithm>
#include <chrono>
#include <optional>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "adapter/auth.hpp"
#include "adapter/bpjs_outcome.hpp"
#include "adapter/dry_run.hpp"
#include "adapter/route_audit.hpp"
#include "adapter/store/await.hpp"
#include "adapter/vclaim_routes.hpp"
#include "connectors/bpjs/vclaim_client.hpp"
#include "connectors/http/response.hpp"
#include "connectors/observability/log.hpp"
#include "fhir/content_type.hpp"
#include "fhir/json.hpp"
#include "mappings/vclaim_fhir/sep.hpp"

namespace simpul::adapter {

namespace {

namespace asio = boost::asio;
namespace http = connectors::http;
namespace bpjs = connectors::bpjs;
namespace obs = connectors::obs;
namespace vf = mappings::vclaim_fhir;
using boost::asio::awaitable;

// How long a client retry gets the first answer back.
constexpr std::chrono::hours kReplayWindow{24};

// How long an SEP create may hold its key before another request may take over
// (and reconcile): the insert, the history lookup and the SEP read, plus slack.
std::chrono::milliseconds lease_of(const Config& config) {
  return config.bpjs.write_timeout + 2 * config.bpjs.read_timeout + std::chrono::seconds(10);
}

std::string retry_after_seconds(std::chrono::milliseconds d) {
  return std::to_string(std::max<long long>(1, std::chrono::ceil<std::chrono::seconds>(d).count()));
}

// V-Claim SEP numbers: 19 characters, kode PPK (8) + MMYY + 'V' + sequence.
void check_no_sep(std::string_view no_sep, std::string_view expression) {
  const bool ok = no_sep.size() == 19 && std::all_of(no_sep.begin(), no_sep.end(), [](char c) {
                    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
                  });
  if (!ok) throw fhir::Error::value("An SEP number (noSep) is 19 letters and digits.", std::string(expression));
}

// Idempotency-Key: 1..255 visible ASCII characters.
std::string idempotency_key_header(const RequestContext& ctx) {
  const auto it = ctx.request.find("Idempotency-Key");
  if (it == ctx.request.end()) return {};
  const std::string_view v(it->value().data(), it->value().size());
  const bool ok =
      !v.empty() && v.size() <= 255 && std::all_of(v.begin(), v.end(), [](char c) { return c > 0x20 && c < 0x7f; });
  if (!ok) throw fhir::Error::value("Idempotency-Key must be 1 to 255 visible ASCII characters.", "Idempotency-Key");
  return std::string(v);
}

bpjs::UpstreamRequest wire_request(const vf::SepSubmission& s) {
  switch (s.action) {
    case vf::SepAction::create:
      return bpjs::vclaim_request::insert_sep(s.insert);
    case vf::SepAction::update:
      return bpjs::vclaim_request::update_sep(s.update);
    case vf::SepAction::cancel:
      break;
  }
  return bpjs::vclaim_request::delete_sep(s.cancel);
}

struct Answer {
  unsigned status = 200;
  rapidjson::Document body;
};

// One SEP submission against V-Claim. `keep_lease` is set when the outcome
// upstream is unknown and could not be learnt: the idempotency key must then
// stay in progress (not be abandoned) so that nobody inserts without reconciling.
class SepSubmit {
 public:
  SepSubmit(bpjs::BpjsClient& client, const vf::SepSubmission& submission) : vclaim_(client), s_(submission) {}

  bool keep_lease = false;

  awaitable<Answer> run(bool reconcile_first) {
    switch (s_.action) {
      case vf::SepAction::create:
        co_return co_await create(reconcile_first);
      case vf::SepAction::update: {
        auto r = co_await vclaim_.update_sep(s_.update);
        if (!r) throw bpjs_failure("V-Claim", r.error());
        co_return ack(*r);
      }
      case vf::SepAction::cancel:
        break;
    }
    auto r = co_await vclaim_.delete_sep(s_.cancel);
    if (!r) throw bpjs_failure("V-Claim", r.error());
    co_return ack(*r);
  }

 private:
  awaitable<Answer> create(bool reconcile_first) {
    if (reconcile_first) {
      std::optional<Answer> found = co_await reconcile("an earlier attempt did not finish");
      if (found) co_return std::move(*found);
    }
    auto first = co_await vclaim_.insert_sep(s_.insert);
    if (first) co_return created(*first);
    if (!first.error().maybe_delivered) throw bpjs_failure("V-Claim", first.error());
    // The insert may have happened: look before inserting again.
    std::optional<Answer> found = co_await reconcile(first.error().describe());
    if (found) co_return std::move(*found);
    auto second = co_await vclaim_.insert_sep(s_.insert);
    if (second) co_return created(*second);
    keep_lease = second.error().maybe_delivered;
    throw bpjs_failure("V-Claim", second.error());
  }

  // The SEP this submission would create, if V-Claim already has it.
  awaitable<std::optional<Answer>> reconcile(const std::string& why) {
    const bpjs::wire::SepRequest& req = s_.insert;
    const auto date = bpjs::wire::parse_ymd(req.tgl_sep);
    if (!date) throw fhir::Error::internal("reconcile: tglSep '" + req.tgl_sep + "' is not a date");
    auto history = co_await vclaim_.histori_pelayanan(req.no_kartu, *date, *date);
    if (!history) {
      if (bpjs_not_found(history.error())) {
        obs::log(obs::Level::info, "sep reconcile: none found, inserting", {{"reason", why}});
        co_return std::nullopt;
      }
      keep_lease = true;
      throw bpjs_failure("V-Claim", history.error());
    }
    for (const auto& entry : *history) {
      if (!vf::histori_matches(entry, req)) continue;
      auto detail = co_await vclaim_.get_sep(entry.no_sep);
      if (!detail) {
        keep_lease = true;
        throw bpjs_failure("V-Claim", detail.error());
      }
      obs::log(obs::Level::warn, "sep reconcile: found the SEP an unfinished insert created", {{"reason", why}});
      Answer a;
      a.body = vf::claim_response_from_sep_detail(*detail, jakarta_instant(std::chrono::system_clock::now()));
      co_return a;
    }
    obs::log(obs::Level::info, "sep reconcile: none found, inserting", {{"reason", why}});
    co_return std::nullopt;
  }

  Answer created(const bpjs::wire::Sep& sep) const {
    Answer a;
    a.body = vf::claim_response_from_sep(sep, s_, jakarta_instant(std::chrono::system_clock::now()));
    return a;
  }

  Answer ack(const std::string& no_sep) const {
    Answer a;
    a.body = vf::claim_response_for_ack(no_sep, s_.action, s_, jakarta_instant(std::chrono::system_clock::now()));
    return a;
  }

  bpjs::VClaimClient vclaim_;
  const vf::SepSubmission& s_;
};

// The SEP number an answer names (ClaimResponse.id), for the audit record.
std::string answered_no_sep(const rapidjson::Value& body) {
  const auto id = fhir::string_member(body, "id");
  return id ? std::string(*id) : std::string();
}

audit::Action audit_action(vf::SepAction action) {
  switch (action) {
    case vf::SepAction::create:
      return audit::Action::create;
    case vf::SepAction::update:
      return audit::Action::update;
    case vf::SepAction::cancel:
      break;
  }
  return audit::Action::del;
}

http::Response replay(RequestContext& ctx, const store::IdempotencyRecord& record, audit::AuditEntry& entry) {
  const rapidjson::Document body = fhir::parse_resource(record.response_body);
  entry.resource_id = answered_no_sep(body);
  entry.event += ".replayed";
  entry.destination.clear();  // answered from the store: nothing was sent
  http::Response res = fhir_response(ctx, static_cast<unsigned>(record.response_status), body);
  res.set("Idempotent-Replayed", "true");
  return res;
}

class SepRoutes {
 public:
  SepRoutes(BpjsUpstream& upstream, store::Store& store, const Config& config)
      : upstream_(upstream), store_(store), config_(config) {}

  awaitable<http::Response> submit(RequestContext& ctx, audit::AuditEntry& entry) {
    bpjs::BpjsClient& client = tenant_client(ctx, upstream_);
    const Tenant& tenant = *ctx.principal->tenant;
    if (tenant.bpjs_provider_code.empty()) {
      throw fhir::Error::forbidden("This facility has no BPJS provider code (kode PPK) configured.", {},
                                   "tenant " + tenant.id + " has no bpjs_provider_code");
    }
    const rapidjson::Document doc = fhir::parse_resource(ctx.request.body(), body_parse_limits(config_.limits));
    vf::SepContext context;
    context.ppk_pelayanan = tenant.bpjs_provider_code;
    context.user = ctx.principal->client->name;
    context.today = jakarta_date(std::chrono::system_clock::now());
    const vf::SepSubmission submission = vf::parse_sep_claim(doc, context);
    const bpjs::UpstreamRequest wire = wire_request(submission);
    entry.action = audit_action(submission.action);
    entry.event = "vclaim.sep." + std::string(vf::to_string(submission.action));
    entry.subject_kind = audit::SubjectKind::no_kartu;
    entry.subject = submission.action == vf::SepAction::create ? submission.insert.no_kartu : submission.no_kartu;
    if (submission.action == vf::SepAction::update) entry.resource_id = submission.update.no_sep;
    if (submission.action == vf::SepAction::cancel) entry.resource_id = submission.cancel.no_sep;
    if (dry_run_requested(ctx)) {
      entry.event += ".dry_run";
      entry.destination.clear();
      co_return fhir_response(ctx, 200, dry_run_parameters(client, bpjs::Service::vclaim, {wire}, submission.trace));
    }

    std::string key = idempotency_key_header(ctx);
    if (key.empty() && submission.action == vf::SepAction::create) {
      key = submission.claim_identifier.empty() ? "sha256:" + sha256_hex(wire.body)
                                                : "claim:" + submission.claim_identifier;
    }
    if (key.empty()) {
      SepSubmit op(client, submission);
      Answer a = co_await op.run(false);
      entry.resource_id = answered_no_sep(a.body);
      co_return fhir_response(ctx, a.status, a.body);
    }
    co_return co_await under_key(ctx, entry, client, submission, tenant.id,
                                 "sep." + std::string(vf::to_string(submission.action)) + ":" + key,
                                 sha256_hex(wire.body));
  }

  awaitable<http::Response> read(RequestContext& ctx, audit::AuditEntry& entry) {
    bpjs::BpjsClient& client = tenant_client(ctx, upstream_);
    const std::string no_sep = ctx.path_params["id"];
    check_no_sep(no_sep, "ClaimResponse.id");
    entry.resource_id = no_sep;
    if (dry_run_requested(ctx)) {
      entry.event += ".dry_run";
      entry.destination.clear();
      vf::Trace trace{{"noSep", no_sep, "ClaimResponse.id (the request path)"}};
      co_return fhir_response(
          ctx, 200, dry_run_parameters(client, bpjs::Service::vclaim, {bpjs::vclaim_request::get_sep(no_sep)}, trace));
    }
    bpjs::VClaimClient vclaim(client);
    auto detail = co_await vclaim.get_sep(no_sep);
    if (!detail) throw bpjs_failure("V-Claim", detail.error());
    entry.subject_kind = audit::SubjectKind::no_kartu;
    entry.subject = detail->peserta.no_kartu;
    co_return fhir_response(
        ctx, 200, vf::claim_response_from_sep_detail(*detail, jakarta_instant(std::chrono::system_clock::now())));
  }

 private:
  awaitable<http::Response> under_key(RequestContext& ctx, audit::AuditEntry& entry, bpjs::BpjsClient& client,
                                      const vf::SepSubmission& submission, const std::string& tenant,
                                      const std::string& key, const std::string& request_hash) {
    const auto lease = lease_of(config_);
    const auto give_up = std::chrono::steady_clock::now() + lease + std::chrono::seconds(5);
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;) {
      store::NewIdempotencyKey begin_request{tenant, key, request_hash, lease.count()};
      const store::IdempotencyBegin begin =
          co_await store::await<store::IdempotencyBegin>([&](store::Store::Completion<store::IdempotencyBegin> done) {
            store_.begin_idempotency(std::move(begin_request), std::move(done));
          });
      if (begin.acquired)
        co_return co_await owned(ctx, entry, client, submission, tenant, key, begin.replaced_unfinished);
      if (!begin.same_request) {
        throw fhir::Error::unprocessable(
            "This idempotency key (Idempotency-Key header or Claim.identifier) was already used for a different "
            "SEP request.",
            "Claim.identifier");
      }
      if (begin.record.state == store::IdempotencyState::completed) co_return replay(ctx, begin.record, entry);
      // An identical request is in flight: wait for its answer (or for its lease to run out).
      std::chrono::milliseconds pause{10};
      for (;;) {
        if (std::chrono::steady_clock::now() >= give_up) {
          throw fhir::Error::conflict("An identical SEP request is still in progress; retry later.")
              .with_header("Retry-After", retry_after_seconds(lease));
        }
        timer.expires_after(pause);
        co_await timer.async_wait(asio::use_awaitable);
        pause = std::min(pause * 2, std::chrono::milliseconds(200));
        const auto record = store_.get_idempotency(tenant, key);
        if (!record) break;  // abandoned or lease ran out: try to take the key
        if (record->state == store::IdempotencyState::completed) co_return replay(ctx, *record, entry);
      }
    }
  }

  // This request holds the key: do the work, then record the answer or let the key go.
  awaitable<http::Response> owned(RequestContext& ctx, audit::AuditEntry& entry, bpjs::BpjsClient& client,
                                  const vf::SepSubmission& submission, const std::string& tenant,
                                  const std::string& key, bool reconcile_first) {
    SepSubmit op(client, submission);
    std::optional<Answer> answer;
    std::optional<fhir::Error> failure;
    try {
      answer = co_await op.run(reconcile_first);
    } catch (const fhir::Error& e) {
      failure = e;
    }
    if (failure) {
      // Nothing happened upstream (or it answered no): the client may simply retry.
      // An unknown outcome keeps the key until its lease runs out.
      if (!op.keep_lease) {
        co_await store::await<bool>(
            [&](store::Store::Completion<bool> done) { store_.abandon_idempotency(tenant, key, std::move(done)); });
      } else {
        obs::log(obs::Level::warn, "sep outcome unknown: key kept until its lease runs out",
                 {{"request_id", ctx.request_id}});
      }
      throw *failure;
    }
    entry.resource_id = answered_no_sep(answer->body);
    store::IdempotencyCompletion completion;
    completion.tenant = tenant;
    completion.key = key;
    completion.response_status = static_cast<int>(answer->status);
    completion.response_body = fhir::to_json(answer->body, false);
    completion.ttl_ms = std::chrono::duration_cast<std::chrono::milliseconds>(kReplayWindow).count();
    co_await store::await<bool>([&](store::Store::Completion<bool> done) {
      store_.complete_idempotency(std::move(completion), std::move(done));
    });
    co_return fhir_response(ctx, answer->status, answer->body);
  }

  BpjsUpstream& upstream_;
  store::Store& store_;
  const Config& config_;
};

}  // namespace

void add_sep_routes(App& app, BpjsUpstream& upstream, store::Store& store, const Config& config) {
  auto routes = std::make_shared<SepRoutes>(upstream, store, config);
  // SEPs are issued for JKN payment; the submit's action (C/U/D) is set once the Claim is read.
  audit::AuditEntry base;
  base.purpose = audit::Purpose::payment;
  base.resource_type = "Claim";
  base.destination = "bpjs.vclaim";
  base.action = audit::Action::create;
  base.event = "vclaim.sep.submit";
  app.add_route({"POST",
                 "/fhir/Claim/$submit",
                 "/fhir/Claim/$submit",
                 true,
                 {Role::submitter},
                 true,
                 audited(app.recorder(), base, [routes](RequestContext& ctx, audit::AuditEntry& entry) {
                   return routes->submit(ctx, entry);
                 })});
  base.action = audit::Action::read;
  base.event = "vclaim.sep.read";
  base.resource_type = "ClaimResponse";
  app.add_route({"GET",
                 "/fhir/ClaimResponse/{id}",
                 "/fhir/ClaimResponse/{id}",
                 true,
                 {Role::submitter, Role::eligibility},
                 true,
                 audited(app.recorder(), base, [routes](RequestContext& ctx, audit::AuditEntry& entry) {
                   return routes->read(ctx, entry);
                 })});
}

}  // namespace simpul::adapter
