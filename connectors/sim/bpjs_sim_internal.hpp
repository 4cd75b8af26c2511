#pragma once
// Internals of the BPJS simulator shared by its service files (not a public API).
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "connectors/sim/bpjs_sim.hpp"
#include "connectors/sim/calendar.hpp"
#include "connectors/sim/json_util.hpp"
#include "connectors/sim/participants.hpp"

namespace simpul::connectors::sim::bpjs_sim {

enum class Service { vclaim, pcare, antrean };
std::string_view service_name(Service s);

// One request, after routing and authentication.
struct Ctx {
  Service service = Service::vclaim;
  std::string method;
  std::vector<std::string> params;  // the path segments matched by '*', percent-decoded
  std::string_view body;
  std::int64_t now = 0;             // unix seconds
  cal::Date today;                  // in WIB
};

// What a service handler answers; bpjs_sim.cpp turns it into an envelope.
struct Outcome {
  unsigned http_status = 200;
  std::string code = "200";                  // text; numeric services write it as a number
  std::string message = "OK";
  std::optional<std::string> response_json;  // JSON text; nullopt omits the key (Antrean writes)
  bool encrypt = true;                       // encrypt response_json when it is not null
  bool no_body = false;                      // e.g. HTTP 204
};

Outcome ok(std::string response_json, std::string message = "OK");
Outcome vclaim_error(std::string message, std::string code = "201");  // HTTP 200, response null
Outcome pcare_error(unsigned status, std::string field, std::string message);  // 412/424/...
Outcome antrean_error(std::string message, int code = 201);

// A stored record: fields by dotted name, as received (codes as text).
using Fields = std::map<std::string, std::string>;
std::string field(const Fields& f, const std::string& key);

struct Sep {
  std::string no_sep;
  Fields f;
  bool deleted = false;
  int updates = 0;
  std::uint64_t seq = 0;
};

struct Rujukan {
  std::string no;
  std::string no_kartu;
  int source = 1;              // 1 = from an FKTP (P-Care), 2 = from a hospital
  cal::Date tgl_kunjungan;
  std::string diag;            // ICD-10
  std::string poli;            // V-Claim poli code
  std::string perujuk_kode, perujuk_nama;
  std::string keluhan;
  std::uint64_t seq = 0;
};

struct Pendaftaran {
  std::string no_urut;
  std::string tgl_daftar;      // dd-MM-yyyy as sent
  std::string no_kartu, kd_poli, kd_provider;
  Fields f;
  bool deleted = false;
  std::uint64_t seq = 0;
};

struct Kunjungan {
  std::string no_kunjungan;
  std::string no_kartu, tgl_daftar, kd_provider;
  Fields f;
  bool rujuk = false;
  bool deleted = false;
  int updates = 0;
  std::uint64_t seq = 0;
};

struct Antrean {
  std::string kodebooking;
  Fields f;
  bool batal = false;
  std::vector<std::pair<std::int64_t, std::int64_t>> tasks;  // (taskid, waktu ms)
  std::uint64_t seq = 0;
};

// Everything the simulator stores. Guarded by `mu`.
struct State {
  std::mutex mu;
  std::uint64_t seq = 0;  // insertion order across all records
  // V-Claim
  std::map<std::string, Sep> seps;
  std::uint64_t sep_counter = 0;  // last 6-digit SEP sequence issued
  std::uint64_t sep_created = 0;
  std::map<std::string, Rujukan> rujukan_fktp, rujukan_rs;
  // P-Care
  std::map<std::string, Pendaftaran> pendaftaran;  // key: tglDaftar|noUrut
  std::map<std::string, std::uint64_t> no_urut_counter;  // key: tglDaftar|kdPoli
  std::map<std::string, Kunjungan> kunjungan;
  std::uint64_t kunjungan_counter = 0;
  // Antrean
  std::map<std::string, Antrean> antrean;
  // Counters
  std::map<std::string, std::uint64_t> requests;       // "vclaim GET Peserta/nokartu/{}/tglSEP/{}"
  std::map<std::string, std::uint64_t> auth_failures;  // by reason
  std::uint64_t requests_total = 0;
  std::uint64_t auth_failures_total = 0;

  void clear();
};

// Options the handlers need.
struct Env {
  const BpjsSimOptions& options;
  State& state;
};

// Service handlers. Each one is called with the route's parameters in ctx.params.
using HandlerFn = Outcome (*)(Env&, const Ctx&);

struct Route {
  Service service;
  std::string_view method;
  std::string_view pattern;  // segments separated by '/', '*' = one parameter
  HandlerFn fn;
};

std::vector<Route> vclaim_routes();
std::vector<Route> pcare_routes();
std::vector<Route> antrean_routes();

// Shared renderers.
void write_vclaim_peserta(json::Writer& w, const Participant& p, const cal::Date& service_date,
                          const cal::Date& today);
void write_pcare_peserta(json::Writer& w, const Participant& p);
std::string kelas_name(std::string_view kode);  // "1" -> "KELAS I"

// The V-Claim FKTP referral a P-Care kunjungan with rujukLanjut creates (with state.mu held).
void add_fktp_rujukan_locked(State& state, Rujukan r);

// Stores every scalar of an object under its dotted name: strings as they are,
// numbers as their JSON text, booleans as "true"/"false"; nulls are skipped.
void flatten(const rapidjson::Value& object, Fields& out, const std::string& prefix = {});

// Parses a request body; nullopt and `error` set when it is not a JSON object.
std::optional<rapidjson::Document> parse_object(std::string_view body, std::string& error);

}  // namespace simpul::connectors::sim::bpjs_sim
