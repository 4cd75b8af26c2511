#pragma once
// SEP (Surat Eligibilitas Peserta: the JKN visit's eligibility letter) through
// FHIR (docs/mappings/vclaim.md, "SEP"):
//
//   POST /fhir/Claim/$submit        Claim(use=preauthorization) -> SEP insert / update / delete
//   GET  /fhir/ClaimResponse/{noSep} -> SEP/{noSep}
//
// No duplicate SEP. V-Claim's insert is not idempotent, so every create runs
// under an idempotency key in the store: the Idempotency-Key header, else the
// Claim's identifier, else a hash of the exact V-Claim request.
//   - a retry with the same key gets the first answer (header Idempotent-Replayed: true);
//     the same key with a different request is a 422;
//   - concurrent identical requests wait for the first one and get its answer;
//   - an insert whose outcome is unknown (timeout, connection lost after sending)
//     is reconciled: the card's service history for that date is searched for the
//     SEP before anything is inserted again. If that lookup fails too, the key
//     stays "in progress" until its lease runs out, and whoever takes it next
//     reconciles first (IdempotencyBegin::replaced_unfinished).
// Updates and cancels use the Idempotency-Key header when one is sent.
#include "adapter/app.hpp"
#include "adapter/bpjs_upstream.hpp"
#include "adapter/store/store.hpp"

namespace simpul::adapter {

void add_sep_routes(App& app, BpjsUpstream& upstream, store::Store& store, const Config& config);

}  // namespace simpul::adapter
