#include "adapter/cli.hpp"

#include <algorithm>
#include <iostream>
#include <iterator>
#include <sstream>

#include "adapter/audit/verify.hpp"
#include "adapter/config.hpp"
#include "adapter/measure_command.hpp"
#include "adapter/sim_command.hpp"
#include "adapter/version.hpp"
#include "connectors/bpjs/cli.hpp"

namespace simpul::adapter {

std::optional<ParsedOptions> parse_options(const std::string& command, const std::vector<std::string>& args,
                                           const std::vector<OptionSpec>& specs, std::ostream& err) {
  ParsedOptions out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      out.help = true;
      return out;
    }
    if (a.rfind("--", 0) != 0 || a.size() == 2) {
      err << "simpul " << command << ": unexpected argument '" << a << "' (try: simpul " << command << " --help)\n";
      return std::nullopt;
    }
    std::string name = a.substr(2);
    std::optional<std::string> inline_value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const OptionSpec* spec = nullptr;
    for (const auto& s : specs)
      if (s.name == name) spec = &s;
    if (!spec) {
      err << "simpul " << command << ": unknown option '--" << name << "' (try: simpul " << command << " --help)\n";
      return std::nullopt;
    }
    if (spec->takes_value) {
      if (!inline_value) {
        if (i + 1 >= args.size()) {
          err << "simpul " << command << ": option '--" << name << "' needs a value\n";
          return std::nullopt;
        }
        inline_value = args[++i];
      }
      if (inline_value->empty()) {
        err << "simpul " << command << ": option '--" << name << "' needs a non-empty value\n";
        return std::nullopt;
      }
      out.values[name] = *inline_value;
    } else {
      if (inline_value) {
        err << "simpul " << command << ": option '--" << name << "' takes no value\n";
        return std::nullopt;
      }
      out.values[name] = "true";
    }
  }
  for (const auto& s : specs) {
    if (s.required && !out.has(s.name)) {
      err << "simpul " << command << ": missing required option '--" << s.name << "' (try: simpul " << command
          << " --help)\n";
      return std::nullopt;
    }
  }
  return out;
}

namespace {

void print_usage(std::ostream& out, const std::string& usage, const std::string& what,
                 const std::vector<OptionSpec>& specs) {
  out << "Usage: " << usage << "\n\n" << what << "\n";
  if (!specs.empty()) {
    out << "\nOptions:\n";
    for (const auto& s : specs) {
      std::string left = "  --" + s.name + (s.takes_value ? " VALUE" : "");
      if (left.size() < 28) left.resize(28, ' ');
      out << left << ' ' << s.help << (s.required ? " (required)" : "") << "\n";
    }
  }
  out << "  --help                     this text\n";
}

const char* kTopHelp =
    "Usage: simpul <command> [options]\n"
    "\n"
    "Simpul: FHIR R4 integration server for Indonesian health facilities\n"
    "(BPJS V-Claim / P-Care / Antrean, SATUSEHAT, indicator registries).\n"
    "\n"
    "Commands:\n"
    "  serve          run the server (simpul serve --config FILE)\n"
    "  config check   validate a configuration file\n"
    "  bpjs sign      print the X-signature for a consId, secret and timestamp\n"
    "  bpjs decrypt   decode an encrypted BPJS response read from stdin\n"
    "  audit verify   check the tamper-evident audit trail (records, Merkle tree, signed heads)\n"
    "  audit heads    print the signed tree heads as JSON lines, for an outside witness\n"
    "  sim            run the upstream simulators (sim bpjs / sim satusehat: one alone)\n"
    "  measure kbk-score  KBK ratings, weighted score and capitation share for AK, RRNS, RPPT\n"
    "  measure evaluate   MeasureReports from an NDJSON file of FHIR resources\n"
    "  version        print the version\n"
    "\n"
    "Run 'simpul <command> --help' for the options of a command.\n";

struct Command {
  std::string name;  // "serve", "config check", ...
  std::string usage;
  std::string what;
  std::vector<OptionSpec> specs;
  std::function<int(const ParsedOptions&)> run;
};

// The options of `sim` and `sim bpjs`: where to listen, then what both take.
std::vector<OptionSpec> sim_specs(OptionSpec listen) {
  return {std::move(listen),
          {"config", true, false, "simulator configuration (TOML, see docs/simulators.md)"},
          {"latency-ms", true, false, "added latency for every request, in milliseconds"},
          {"jitter-ms", true, false, "plus a uniform random 0..N ms"},
          {"error-rate", true, false, "probability 0..1 that a request fails (HTML 500 by default)"},
          {"seed", true, false, "seed of the fault generator (same seed + same requests = same faults)"}};
}

std::vector<Command> commands() {
  const std::vector<OptionSpec> bpjs_specs{
      {"cons-id", true, true, "BPJS consumer id (X-cons-id)"},
      {"secret", true, true, "BPJS secret key (keep it out of shell history: use a variable)"},
      {"timestamp", true, true, "the request's X-timestamp (Unix seconds)"},
  };
  return {
      {"serve",
       "simpul serve --config FILE [--listen HOST:PORT]",
       "Run the FHIR server until SIGTERM or SIGINT (in-flight requests finish first).",
       {{"config", true, true, "configuration file (TOML)"},
        {"listen", true, false, "override server.listen, e.g. 127.0.0.1:8080"}},
       [](const ParsedOptions& o) {
         return serve_command(o.get("config"), o.has("listen") ? o.get("listen") : std::string());
       }},
      {"config check",
       "simpul config check --config FILE",
       "Validate a configuration file: every problem is printed with its line and key.\n"
       "Secret references are checked for form, not resolved.",
       {{"config", true, true, "configuration file (TOML)"}},
       [](const ParsedOptions& o) {
         try {
           const Config c = load_config(o.get("config"));
           std::size_t clients = 0;
           for (const auto& t : c.tenants) clients += t.clients.size();
           std::cout << o.get("config") << ": ok (" << c.tenants.size() << " tenants, " << clients
                     << " API clients, listen " << c.listen_address << ":" << c.listen_port << ")\n";
           return 0;
         } catch (const ConfigError& e) {
           std::cerr << e.what() << "\n";
           return 1;
         }
       }},
      {"version", "simpul version", "Print the version and the library versions it was built with.", {},
       [](const ParsedOptions&) {
         std::cout << version_text() << "\n";
         return 0;
       }},
      {"bpjs sign",
       "simpul bpjs sign --cons-id ID --secret KEY --timestamp TS",
       "Print the X-signature BPJS expects: Base64(HMAC-SHA256(consId + \"&\" + timestamp, secret)).",
       bpjs_specs,
       [](const ParsedOptions& o) {
         return connectors::bpjs::bpjs_sign_command(o.get("cons-id"), o.get("secret"), o.get("timestamp"), std::cout,
                                                    std::cerr);
       }},
      {"bpjs decrypt",
       "simpul bpjs decrypt --cons-id ID --secret KEY --timestamp TS < response",
       "Read a BPJS response from stdin (the bare encrypted 'response' string or the whole\n"
       "envelope JSON) and print the decoded JSON. Exit 1 with a one-line reason when it cannot\n"
       "be decoded (wrong key or timestamp, bad Base64, truncated data).",
       bpjs_specs,
       [](const ParsedOptions& o) {
         return connectors::bpjs::bpjs_decrypt_command(o.get("cons-id"), o.get("secret"), o.get("timestamp"),
                                                       std::cin, std::cout, std::cerr);
       }},
      {"audit verify",
       "simpul audit verify --config FILE [--tenant ID] [--public-key PEM]",
       "Check the audit trail in the configured store: every record's leaf hash is recomputed from its\n"
       "columns, seqs must run 1, 2, 3, ... without gaps, and every signed tree head must match the rebuilt\n"
       "Merkle tree and carry a valid Ed25519 signature. Exit 0 when all is well; exit 1 naming the first\n"
       "bad record (tenant, seq, what is wrong). Needs no secret: only the signing key's public half\n"
       "(from --public-key, else from the configured signing key). See docs/pdp.md.",
       {{"config", true, true, "configuration file (TOML)"},
        {"tenant", true, false, "check this tenant only"},
        {"public-key", true, false, "PEM Ed25519 public (or private) key the heads must be signed with"}},
       [](const ParsedOptions& o) {
         return audit::audit_verify_command(
             o.get("config"), o.has("tenant") ? std::optional<std::string>(o.get("tenant")) : std::nullopt,
             o.has("public-key") ? std::optional<std::string>(o.get("public-key")) : std::nullopt, std::cout,
             std::cerr);
       }},
      {"audit heads",
       "simpul audit heads --config FILE [--tenant ID]",
       "Print the signed tree heads, one JSON object a line (tenant, tree_size, root_hash, signed_at,\n"
       "key_id, signature; hashes and signatures in hex), for an outside witness to keep.",
       {{"config", true, true, "configuration file (TOML)"}, {"tenant", true, false, "this tenant only"}},
       [](const ParsedOptions& o) {
         return audit::audit_heads_command(o.get("config"),
                                           o.has("tenant") ? std::optional<std::string>(o.get("tenant")) : std::nullopt,
                                           std::cout, std::cerr);
       }},
      {"measure kbk-score",
       "simpul measure kbk-score --ak PERMILLE --rrns PERCENT --rppt PERCENT",
       "KBK (Kapitasi Berbasis Kinerja) calculator: rates AK (Angka Kontak, per mille), RRNS (Rasio Rujukan\n"
       "Non Spesialistik, percent) and RPPT (Rasio Peserta Prolanis Terkendali, percent) by the PKS 2024\n"
       "tables, and prints the ratings, the weighted score and the share of the capitation paid as JSON.\n"
       "Values are exact decimals with a decimal point (147, 1.8, 4.2); decimals in the output are strings.\n"
       "Exit 1 with a one-line reason for a value that is not a number or out of range. See docs/indicators.md.",
       {{"ak", true, true, "Angka Kontak in per mille (0..1000), e.g. 147"},
        {"rrns", true, true, "RRNS in percent (0..100), e.g. 1.8"},
        {"rppt", true, true, "RPPT in percent (0..100), e.g. 4.2"}},
       [](const ParsedOptions& o) {
         return measure_kbk_score_command(o.get("ak"), o.get("rrns"), o.get("rppt"), std::cout, std::cerr);
       }},
      {"measure evaluate",
       "simpul measure evaluate --measure ID --period P --input FILE [--params FILE]",
       "Evaluate indicators offline from an NDJSON file of FHIR resources (one per line; Bundles allowed)\n"
       "and print a MeasureReport (a Bundle of them for several). --measure is a catalogue id (kbk-ak,\n"
       "spm-pkm-01-ibu-hamil, ...), a family (kbk, spm-puskesmas, spm-rs) or a comma list. --period is a\n"
       "month (2026-03; KBK is monthly), a quarter (2026-Q1), a year (2026) or a school year (2025/2026).\n"
       "--params is a JSON file with what the data cannot give (registered participants, target\n"
       "populations, competence diagnoses...). How a puskesmas checks its figures before submitting.\n"
       "Exit 1 with a one-line reason for anything it cannot evaluate. See docs/indicators.md.",
       {{"measure", true, true, "measure id, family or comma list"},
        {"period", true, true, "2026-03, 2026-Q1, 2026 or 2025/2026"},
        {"input", true, true, "NDJSON file of FHIR resources"},
        {"params", true, false, "JSON parameters file"}},
       [](const ParsedOptions& o) {
         return measure_evaluate_command(o.get("measure"), o.get("period"), o.get("input"),
                                         o.has("params") ? std::optional<std::string>(o.get("params")) : std::nullopt,
                                         std::cout, std::cerr);
       }},
      // "sim bpjs" before "sim": the first entry whose words match wins.
      {"sim bpjs",
       "simpul sim bpjs [--listen HOST:PORT] [--config FILE] [--latency-ms N] [--jitter-ms N] [--error-rate P] "
       "[--seed N]",
       "Run the BPJS simulator (V-Claim, P-Care, Antrean RS) until SIGTERM or SIGINT: real signatures,\n"
       "encrypted envelopes and error shapes, synthetic participants, fault injection, control API under /sim.\n"
       "Demo credentials: consId 1234, secret pwd, user_key demo-user-key, P-Care login demo/demo.\n"
       "See docs/simulators.md.",
       sim_specs({"listen", true, false, "address to listen on (default 127.0.0.1:8081; port 0 = any free port)"}),
       [](const ParsedOptions& o) { return sim_command(o, "bpjs"); }},
      {"sim satusehat",
       "simpul sim satusehat [--listen HOST:PORT] [--config FILE] [--latency-ms N] [--jitter-ms N] "
       "[--error-rate P] [--seed N]",
       "Run the SATUSEHAT simulator (OAuth2 client credentials, FHIR R4 under /fhir-r4/v1) until SIGTERM or\n"
       "SIGINT: token expiry, required elements, the organization id rule, duplicate identifiers, NIK search,\n"
       "fault injection, control API under /sim.\n"
       "Demo client: client_id simpul-demo-client, client_secret simpul-demo-secret, organization 10000004.\n"
       "See docs/simulators.md.",
       sim_specs({"listen", true, false, "address to listen on (default 127.0.0.1:8082; port 0 = any free port)"}),
       [](const ParsedOptions& o) { return sim_command(o, "satusehat"); }},
      {"sim",
       "simpul sim [--bpjs-listen HOST:PORT] [--satusehat-listen HOST:PORT] [--config FILE] [--latency-ms N] "
       "[--jitter-ms N] [--error-rate P] [--seed N]",
       "Run every upstream simulator enabled in the configuration (BPJS and SATUSEHAT by default) until\n"
       "SIGTERM or SIGINT. See docs/simulators.md.",
       [] {
         auto specs = sim_specs({"bpjs-listen", true, false, "address of the BPJS simulator (default 127.0.0.1:8081)"});
         specs.insert(specs.begin() + 1, OptionSpec{"satusehat-listen", true, false,
                                                    "address of the SATUSEHAT simulator (default 127.0.0.1:8082)"});
         return specs;
       }(),
       [](const ParsedOptions& o) { return sim_command(o, ""); }},
  };
}

}  // namespace

int run_cli(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    (args.empty() ? std::cerr : std::cout) << kTopHelp;
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") args[0] = "version";
  const auto all = commands();
  // Longest match first: "config check" before "config".
  for (const auto& c : all) {
    std::istringstream words(c.name);
    std::vector<std::string> parts{std::istream_iterator<std::string>(words), {}};
    if (args.size() < parts.size() || !std::equal(parts.begin(), parts.end(), args.begin())) continue;
    std::vector<std::string> rest(args.begin() + static_cast<long>(parts.size()), args.end());
    auto parsed = parse_options(c.name, rest, c.specs, std::cerr);
    if (!parsed) return 2;
    if (parsed->help) {
      print_usage(std::cout, c.usage, c.what, c.specs);
      return 0;
    }
    return c.run(*parsed);
  }
  // A group word alone ("config", "bpjs") or an unknown command.
  std::string group_help;
  for (const auto& c : all)
    if (c.name.rfind(args[0] + " ", 0) == 0)
      group_help += (c.usage.rfind("simpul ", 0) == 0 ? "  " : "  simpul ") + c.usage + "\n";
  if (!group_help.empty()) {
    const bool asked = args.size() > 1 && (args[1] == "--help" || args[1] == "-h");
    (asked ? std::cout : std::cerr) << (asked ? "" : "simpul " + args[0] + ": missing or unknown subcommand\n")
                                    << "Usage:\n"
                                    << group_help;
    return asked ? 0 : 2;
  }
  std::cerr << "simpul: unknown command '" << args[0] << "' (try: simpul --help)\n";
  return 2;
}

}  // namespace simpul::adapter
