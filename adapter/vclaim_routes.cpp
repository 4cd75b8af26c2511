#include "adapter/vclaim_routes.hpp"

#include <cstdio>
#include <cstdlib>

#include "adapter/bpjs_outcome.hpp"
#include "adapter/dry_run.hpp"
#include "adapter/route_audit.hpp"
#include "connectors/bpjs/vclaim_client.hpp"
#include "connectors/http/response.hpp"
#include "fhir/bundle.hpp"
#include "fhir/content_type.hpp"
#include "fhir/json.hpp"
#include "mappings/vclaim_fhir/eligibility.hpp"
#include "mappings/vclaim_fhir/rujukan.hpp"

namespace simpul::adapter {

namespace {

namespace asio = boost::asio;
namespace http = connectors::http;
namespace bpjs = connectors::bpjs;
namespace vf = mappings::vclaim_fhir;
using boost::asio::awaitable;

constexpr auto kWib = std::chrono::hours(7);

std::string format_local(std::chrono::system_clock::time_point now, std::chrono::minutes offset, bool with_time) {
  const auto local = std::chrono::floor<std::chrono::seconds>(now) + offset;
  const auto day = std::chrono::floor<std::chrono::days>(local);
  const std::chrono::year_month_day ymd(day);
  const std::chrono::hh_mm_ss hms(local - day);
  char buf[64];
  if (with_time) {
    const int off = static_cast<int>(offset.count() % (24 * 60));  // |offset| < 24 h
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d%c%02d:%02d", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()), off < 0 ? '-' : '+', std::abs(off) / 60,
                  std::abs(off) % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()));
  }
  return buf;
}

// One V-Claim peserta lookup; a BPJS failure becomes the matching FHIR error.
awaitable<bpjs::wire::Peserta> lookup(bpjs::BpjsClient& client, const vf::EligibilityQuery& q) {
  bpjs::VClaimClient vclaim(client);
  const auto date = bpjs::wire::parse_ymd(q.tgl_pelayanan);
  if (!date) throw fhir::Error::value("The service date must be a full date (yyyy-mm-dd).", "date");
  // GCC 12: a co_await inside ?: destroys its result twice; keep them in separate statements.
  bpjs::Outcome<bpjs::wire::Peserta> result = bpjs::BpjsError{};
  if (q.by == vf::EligibilityQuery::By::nik) {
    result = co_await vclaim.peserta_by_nik(q.value, *date);
  } else {
    result = co_await vclaim.peserta_by_card(q.value, *date);
  }
  if (!result) throw bpjs_failure("V-Claim", result.error());
  co_return std::move(*result);
}

// The data subject of a lookup, and where the data goes (nowhere for a dry run).
void note_subject(audit::AuditEntry& entry, const RequestContext& ctx, const vf::EligibilityQuery& q) {
  entry.subject_kind = q.by == vf::EligibilityQuery::By::nik ? audit::SubjectKind::nik : audit::SubjectKind::no_kartu;
  entry.subject = q.value;
  if (dry_run_requested(ctx)) {
    entry.event += ".dry_run";
    entry.destination.clear();
  }
}

// The peserta lookup a query makes, and where its two values came from (dry run).
http::Response eligibility_dry_run(RequestContext& ctx, const bpjs::BpjsClient& client, const vf::EligibilityQuery& q) {
  const auto date = bpjs::wire::parse_ymd(q.tgl_pelayanan);
  if (!date) throw fhir::Error::value("The service date must be a full date (yyyy-mm-dd).", "date");
  const bool nik = q.by == vf::EligibilityQuery::By::nik;
  const bpjs::UpstreamRequest request = nik ? bpjs::vclaim_request::peserta_by_nik(q.value, *date)
                                            : bpjs::vclaim_request::peserta_by_card(q.value, *date);
  const vf::Trace trace{{nik ? "nik" : "noKartu", q.value, q.value_source}, {"tglSEP", q.tgl_pelayanan, q.date_source}};
  return fhir_response(ctx, 200, dry_run_parameters(client, bpjs::Service::vclaim, {request}, trace));
}

awaitable<http::Response> check_eligibility(RequestContext& ctx, BpjsUpstream& upstream, const Config& config,
                                            audit::AuditEntry& entry) {
  bpjs::BpjsClient& client = tenant_client(ctx, upstream);
  const rapidjson::Document request = fhir::parse_resource(ctx.request.body(), body_parse_limits(config.limits));
  const auto now = std::chrono::system_clock::now();
  const vf::EligibilityQuery query = vf::parse_eligibility_request(request, jakarta_date(now));
  note_subject(entry, ctx, query);
  if (dry_run_requested(ctx)) co_return eligibility_dry_run(ctx, client, query);
  const bpjs::wire::Peserta peserta = co_await lookup(client, query);
  co_return fhir_response(ctx, 200, vf::eligibility_response(peserta, query, jakarta_instant(std::chrono::system_clock::now())));
}

awaitable<http::Response> search_coverage(RequestContext& ctx, BpjsUpstream& upstream, audit::AuditEntry& entry) {
  bpjs::BpjsClient& client = tenant_client(ctx, upstream);
  const std::string identifier = ctx.param("identifier");
  if (identifier.empty()) {
    throw fhir::Error::required("Coverage search needs identifier=<system>|<value> (BPJS card number or NIK).",
                                "identifier");
  }
  const auto query =
      vf::parse_coverage_search(identifier, ctx.param("date"), jakarta_date(std::chrono::system_clock::now()));
  note_subject(entry, ctx, query);
  if (dry_run_requested(ctx)) co_return eligibility_dry_run(ctx, client, query);
  const bpjs::wire::Peserta peserta = co_await lookup(client, query);
  fhir::SearchsetBuilder bundle;
  bundle.total(1);
  bundle.add("urn:bpjs:peserta:coverage", vf::coverage_from_peserta(peserta, false));
  co_return fhir_response(ctx, 200, bundle.finish());
}

// patient.identifier of a referral search: V-Claim lists referrals by card number only.
vf::EligibilityQuery referral_card(std::string_view by_patient) {
  vf::EligibilityQuery q = vf::parse_participant_identifier(by_patient, "patient.identifier");
  if (q.by != vf::EligibilityQuery::By::no_kartu) {
    throw fhir::Error::value("Referrals are looked up by BPJS card number.", "patient.identifier");
  }
  return q;
}

// GET ServiceRequest?identifier=<no-rujukan system>|<no> (FKTP referrals first, then hospital ones)
// or ?patient.identifier=<card system>|<noKartu> (every referral of the card, both origins).
awaitable<http::Response> search_rujukan(RequestContext& ctx, BpjsUpstream& upstream, audit::AuditEntry& entry) {
  bpjs::BpjsClient& client = tenant_client(ctx, upstream);
  bpjs::VClaimClient vclaim(client);
  const std::string by_number = ctx.param("identifier");
  const std::string by_patient = ctx.param("patient.identifier");
  if (by_number.empty() == by_patient.empty()) {
    throw fhir::Error::required(
        "ServiceRequest search needs exactly one of identifier=<referral-number system>|<noRujukan> or "
        "patient.identifier=<card-number system>|<noKartu>.",
        "identifier");
  }
  const std::pair<bpjs::AsalRujukan, int> origins[] = {{bpjs::AsalRujukan::fktp, 1}, {bpjs::AsalRujukan::rs, 2}};
  if (dry_run_requested(ctx)) {
    entry.event += ".dry_run";
    entry.destination.clear();
    // Both lookups, in the order they are made (the second only when the first finds nothing).
    std::vector<bpjs::UpstreamRequest> requests;
    vf::Trace trace;
    if (!by_number.empty()) {
      const std::string no = vf::parse_rujukan_identifier(by_number);
      for (const auto& origin : origins) requests.push_back(bpjs::vclaim_request::rujukan_by_number(no, origin.first));
      trace.push_back({"noRujukan", no, "identifier"});
    } else {
      const vf::EligibilityQuery q = referral_card(by_patient);
      entry.subject_kind = audit::SubjectKind::no_kartu;
      entry.subject = q.value;
      for (const auto& origin : origins)
        requests.push_back(bpjs::vclaim_request::rujukan_list_by_card(q.value, origin.first));
      trace.push_back({"noKartu", q.value, "patient.identifier"});
    }
    co_return fhir_response(ctx, 200, dry_run_parameters(client, bpjs::Service::vclaim, requests, trace));
  }
  fhir::SearchsetBuilder bundle;
  std::uint64_t total = 0;
  if (!by_number.empty()) {
    const std::string no = vf::parse_rujukan_identifier(by_number);
    for (const auto& [asal, code] : origins) {
      auto one = co_await vclaim.rujukan_by_number(no, asal);
      if (!one) {
        if (bpjs_not_found(one.error())) continue;
        throw bpjs_failure("V-Claim", one.error());
      }
      entry.subject_kind = audit::SubjectKind::no_kartu;  // the referral names its patient
      entry.subject = one->peserta.no_kartu;
      entry.resource_id = no;
      bundle.add("urn:bpjs:rujukan:" + no, vf::service_request_from_rujukan(*one, code));
      ++total;
      break;
    }
  } else {
    const vf::EligibilityQuery q = referral_card(by_patient);
    entry.subject_kind = audit::SubjectKind::no_kartu;
    entry.subject = q.value;
    for (const auto& [asal, code] : origins) {
      auto list = co_await vclaim.rujukan_list_by_card(q.value, asal);
      if (!list) {
        if (bpjs_not_found(list.error())) continue;
        throw bpjs_failure("V-Claim", list.error());
      }
      for (const auto& r : *list) {
        bundle.add("urn:bpjs:rujukan:" + r.no_kunjungan, vf::service_request_from_rujukan(r, code));
        ++total;
      }
    }
  }
  bundle.total(total);
  co_return fhir_response(ctx, 200, bundle.finish());
}

}  // namespace

std::string jakarta_date(std::chrono::system_clock::time_point now) {
  return format_local(now, kWib, false);
}
std::string local_date(std::chrono::system_clock::time_point now, int utc_offset_minutes) {
  return format_local(now, std::chrono::minutes(utc_offset_minutes), false);
}
std::string jakarta_instant(std::chrono::system_clock::time_point now) {
  return format_local(now, kWib, true);
}
std::string local_instant(std::chrono::system_clock::time_point now, int utc_offset_minutes) {
  return format_local(now, std::chrono::minutes(utc_offset_minutes), true);
}

bpjs::BpjsClient& tenant_client(RequestContext& ctx, BpjsUpstream& upstream) {
  bpjs::BpjsClient* client = upstream.client(ctx.principal->tenant->id);
  if (client == nullptr) {
    throw fhir::Error::forbidden("This facility has no BPJS credentials configured.", {},
                                 "tenant " + ctx.principal->tenant->id + " has no bpjs_cons_id/bpjs_secret_key");
  }
  return *client;
}

void add_vclaim_routes(App& app, BpjsUpstream& upstream, const Config& config) {
  // V-Claim lookups: reads of the participant's data for JKN payment, sent to V-Claim.
  auto route = [&app](std::string method, std::string path, std::string event, std::string resource_type,
                      auto handler) {
    audit::AuditEntry base;
    base.action = audit::Action::read;
    base.purpose = audit::Purpose::payment;
    base.event = std::move(event);
    base.resource_type = std::move(resource_type);
    base.destination = "bpjs.vclaim";
    std::string label = path;
    app.add_route({std::move(method),
                   std::move(path),
                   std::move(label),
                   true,
                   {Role::eligibility},
                   true,
                   audited(app.recorder(), std::move(base), std::move(handler))});
  };
  route("POST", "/fhir/CoverageEligibilityRequest/$check", "vclaim.peserta", "CoverageEligibilityRequest",
        [&upstream, &config](RequestContext& ctx, audit::AuditEntry& entry) {
          return check_eligibility(ctx, upstream, config, entry);
        });
  route("GET", "/fhir/Coverage", "vclaim.peserta", "Coverage",
        [&upstream](RequestContext& ctx, audit::AuditEntry& entry) { return search_coverage(ctx, upstream, entry); });
  route("GET", "/fhir/ServiceRequest", "vclaim.rujukan", "ServiceRequest",
        [&upstream](RequestContext& ctx, audit::AuditEntry& entry) { return search_rujukan(ctx, upstream, entry); });
}

}  // namespace simpul::adapter
