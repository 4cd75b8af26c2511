#include "adapter/outbox/pcare_destination.hpp"

#include <charconv>

#include "adapter/auth.hpp"
#include "connectors/bpjs/pcare_client.hpp"
#include "fhir/error.hpp"
#include "mappings/pcare_fhir/encounter.hpp"

namespace simpul::adapter::outbox {

namespace {

namespace bpjs = connectors::bpjs;
namespace wire = mappings::bpjs;
namespace pf = mappings::pcare_fhir;
using boost::asio::awaitable;

constexpr std::string_view kPendaftaran = "pendaftaran";
constexpr std::string_view kKunjungan = "kunjungan";
constexpr int kPageSize = 100;     // pendaftaran per page when reconciling
constexpr int kMaxPages = 50;      // a puskesmas registers well under 5,000 visits a day

DeliveryResult permanent(std::string error) {
  DeliveryResult r;
  r.kind = DeliveryResult::permanent;
  r.error = std::move(error);
  return r;
}

// P-Care's answer, as the engine needs it. P-Care's own code and message are kept so
// the puskesmas can act on them ("Peserta tidak aktif", "Kode poli ... tidak ditemukan").
DeliveryResult from_error(const bpjs::BpjsError& e) {
  DeliveryResult r;
  if (e.http_status > 0) r.http_status = e.http_status;
  std::optional<int> meta;
  int code = 0;
  if (auto [p, ec] = std::from_chars(e.code.data(), e.code.data() + e.code.size(), code);
      ec == std::errc() && p == e.code.data() + e.code.size())
    meta = code;
  const std::string upstream = "P-Care " + (e.code.empty() ? std::string(bpjs::to_string(e.kind)) : e.code) +
                               (e.message.empty() ? std::string() : ": " + e.message);
  switch (e.kind) {
    case bpjs::BpjsErrorKind::business:
    case bpjs::BpjsErrorKind::not_found: {
      const auto c = pf::classify_pcare_answer(e.http_status ? e.http_status : 200, meta ? meta : std::optional<int>(412));
      r.kind = c.verdict == pf::PcareVerdict::permanent_request ? DeliveryResult::permanent : DeliveryResult::retry;
      r.error = upstream;
      if (!e.details.empty() && e.details.size() < 400) r.error += " " + e.details;
      return r;
    }
    case bpjs::BpjsErrorKind::auth:
      // Our credentials, not the visit: retry (with backoff) so that fixing them lets the queue drain.
      r.kind = DeliveryResult::retry;
      r.error = upstream + " (credentials or signature rejected: check the tenant's P-Care login)";
      return r;
    case bpjs::BpjsErrorKind::upstream_http:
    case bpjs::BpjsErrorKind::transport:
    case bpjs::BpjsErrorKind::decode:
      break;
  }
  r.kind = e.maybe_delivered ? DeliveryResult::unknown : DeliveryResult::retry;
  if (e.http_status == 429) r.kind = DeliveryResult::retry;
  r.error = upstream;
  return r;
}

DeliveryResult delivered(std::string upstream_id) {
  DeliveryResult r;
  r.kind = DeliveryResult::delivered;
  r.upstream_id = std::move(upstream_id);
  return r;
}

[[noreturn]] void cannot_tell(const bpjs::BpjsError& e) {
  throw std::runtime_error("P-Care lookup failed: " + e.describe());
}

}  // namespace

void plan_pcare(const rapidjson::Value& bundle, const Tenant& tenant, const std::string& today, IntakePlan& plan) {
  if (tenant.bpjs_provider_code.empty()) {
    throw fhir::Error::forbidden("This facility has no BPJS provider code (kdProvider) configured for P-Care.", {},
                                 "tenant " + tenant.id + " routes to pcare without bpjs_provider_code");
  }
  pf::PcareContext context;
  context.kd_provider = tenant.bpjs_provider_code;
  context.today = today;
  context.utc_offset_minutes = tenant.utc_offset_minutes;
  context.allow_non_jkn = true;
  const pf::PcareSubmission s = pf::parse_pcare_bundle(bundle, context);
  if (!s.jkn) {
    plan.skipped.push_back("pcare: the patient has no BPJS card number (not a JKN participant)");
    return;
  }
  if (plan.encounter_identifier.empty()) plan.encounter_identifier = s.encounter_identifier;
  if (plan.encounter_identifier.empty()) plan.encounter_identifier = s.bundle_identifier;
  plan.subject_no_kartu = s.no_kartu;
  const std::string pendaftaran = wire::to_json(s.pendaftaran);
  const std::string kunjungan = wire::to_json(s.kunjungan);
  const std::size_t first = plan.items.size();
  plan.items.push_back({std::string(kDestinationPcare), std::string(kPendaftaran), sha256_hex(pendaftaran), pendaftaran,
                        std::nullopt, "P-Care pendaftaran"});
  plan.items.push_back({std::string(kDestinationPcare), std::string(kKunjungan), sha256_hex(kunjungan), kunjungan,
                        first, "P-Care kunjungan"});
}

awaitable<DeliveryResult> PcareDestination::deliver(const store::OutboxItem& item) {
  bpjs::BpjsClient* client = upstream_.client(item.tenant);
  if (!client) co_return permanent("tenant " + item.tenant + " has no BPJS credentials (bpjs_cons_id, bpjs_secret_key)");
  bpjs::PCareClient pcare(*client);
  if (item.source_type == kPendaftaran) {
    auto request = wire::parse_pendaftaran_request(item.payload);
    if (!request) co_return permanent("stored pendaftaran is not a P-Care request: " + request.error().text());
    auto r = co_await pcare.add_pendaftaran(*request);
    if (!r) co_return from_error(r.error());
    co_return delivered(r->no_urut());
  }
  if (item.source_type == kKunjungan) {
    auto request = wire::parse_kunjungan_request(item.payload);
    if (!request) co_return permanent("stored kunjungan is not a P-Care request: " + request.error().text());
    auto r = co_await pcare.add_kunjungan(*request);
    if (!r) co_return from_error(r.error());
    co_return delivered(r->no_kunjungan());
  }
  co_return permanent("unknown P-Care step '" + item.source_type + "'");
}

awaitable<std::optional<std::string>> PcareDestination::reconcile(const store::OutboxItem& item) {
  bpjs::BpjsClient* client = upstream_.client(item.tenant);
  if (!client) throw std::runtime_error("tenant " + item.tenant + " has no BPJS credentials");
  bpjs::PCareClient pcare(*client);
  if (item.source_type == kPendaftaran) {
    auto request = wire::parse_pendaftaran_request(item.payload);
    if (!request) co_return std::nullopt;  // deliver() dead-letters it
    const auto date = wire::parse_dmy(request->tgl_daftar);
    if (!date) co_return std::nullopt;
    // P-Care allows one registration per participant, day and poli: that is the natural key.
    for (int page = 0; page < kMaxPages; ++page) {
      auto list = co_await pcare.pendaftaran_by_tanggal(*date, page * kPageSize, kPageSize);
      if (!list) {
        if (list.error().kind == bpjs::BpjsErrorKind::not_found) co_return std::nullopt;
        cannot_tell(list.error());
      }
      for (const auto& p : list->list)
        if (p.peserta.no_kartu == request->no_kartu && p.poli.kd_poli == request->kd_poli) co_return p.no_urut;
      if (static_cast<int>(list->list.size()) < kPageSize || (page + 1) * kPageSize >= list->count) break;
    }
    co_return std::nullopt;
  }
  if (item.source_type == kKunjungan) {
    auto request = wire::parse_kunjungan_request(item.payload);
    if (!request) co_return std::nullopt;
    auto history = co_await pcare.kunjungan_by_peserta(request->no_kartu);
    if (!history) {
      if (history.error().kind == bpjs::BpjsErrorKind::not_found) co_return std::nullopt;
      cannot_tell(history.error());
    }
    for (const auto& k : history->list) {
      if (k.tgl_kunjungan != request->tgl_daftar) continue;
      if (request->kd_poli && k.poli && k.poli->kd_poli != *request->kd_poli) continue;
      co_return k.no_kunjungan;
    }
    co_return std::nullopt;
  }
  co_return std::nullopt;
}

}  // namespace simpul::adapter::outbox
