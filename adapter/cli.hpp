#pragma once
// `simpul` command line: subcommands, --help everywhere, exit code 2 with one
// clear line for unknown flags and bad values.
#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace simpul::adapter {

struct OptionSpec {
  std::string name;  // without dashes, e.g. "config"
  bool takes_value = true;
  bool required = false;
  std::string help;
};

struct ParsedOptions {
  std::map<std::string, std::string> values;
  bool help = false;
  bool has(const std::string& n) const { return values.count(n) != 0; }
  const std::string& get(const std::string& n) const { return values.at(n); }
};

// Parses `args` against `specs`. On a bad argument returns std::nullopt after
// writing one line to `err` ("simpul <cmd>: unknown option '--x' (try --help)").
std::optional<ParsedOptions> parse_options(const std::string& command, const std::vector<std::string>& args,
                                           const std::vector<OptionSpec>& specs, std::ostream& err);

// The whole command line. Returns the process exit code.
int run_cli(int argc, char** argv);

// `simpul serve`: runs until SIGTERM/SIGINT. Exit 0 after a clean stop, 1 on a
// start-up failure (config, store, bind), with the reason on stderr.
int serve_command(const std::string& config_path, const std::string& listen_override);

}  // namespace simpul::adapter
