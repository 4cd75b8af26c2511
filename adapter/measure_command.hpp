#pragma once
// `simpul measure kbk-score --ak X --rrns Y --rppt Z`: the KBK "what if"
// calculator. X is AK in ‰, Y is RRNS in %, Z is RPPT in %, as decimal text
// ("147", "1.8", "4.2"; a decimal point, no comma, no exponent).
//
// Prints one JSON object (then a newline) on `out`:
//   {"measure":"kbk-score","rules":"pks-bpjs-fktp-2024",
//    "ak":{"value":"147","unit":"‰","rating":3,"weight":"0.4","score":"1.2"},
//    "rrns":{...},"rppt":{...},"score":"3.5","capitation_percent":95}
// Decimals are JSON strings holding the exact value (value: as given, without
// redundant zeros; weight and score: one decimal, which is always exact since
// the weights have one decimal and ratings are integers). Ratings and the
// capitation percentage are JSON integers.
//
// Exit 0; exit 1 with one line on `err` when a value is not a decimal number or
// is outside its range (AK 0..1000‰, RRNS and RPPT 0..100%).
#include <iosfwd>
#include <optional>
#include <string>

namespace simpul::adapter {

int measure_kbk_score_command(const std::string& ak, const std::string& rrns, const std::string& rppt,
                              std::ostream& out, std::ostream& err);

// `simpul measure evaluate`: facts from an NDJSON file of FHIR resources (Bundles allowed),
// parameters from a JSON file (mappings/measures/evaluate.hpp), one MeasureReport on `out`
// (a Bundle of them for several measures or a family). Exit 1 with one line on `err` for
// an unknown measure, a bad period or parameter, an unreadable file, or a measure that
// cannot be evaluated from FHIR data (the line says why).
int measure_evaluate_command(const std::string& measure, const std::string& period, const std::string& input,
                             const std::optional<std::string>& params_file, std::ostream& out, std::ostream& err);

}  // namespace simpul::adapter
