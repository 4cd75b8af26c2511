#pragma once
// Helpers of the BPJS wire model tests: edit one snippet of a catalogue text,
// and see which field a parse of it fails on.
#include <string>
#include <string_view>

namespace simpul::mappings::bpjs::test {

// `text` with the first `from` replaced by `to`; throws when `from` is not there.
inline std::string edited(std::string_view text, std::string_view from, std::string_view to) {
  std::string out(text);
  out.replace(out.find(from), from.size(), to);
  return out;
}

// The dotted field a parse fails on ("" = the document itself), or "<parsed>"
// when the text parses.
template <class Parse>
std::string failing_field(Parse parse, std::string_view json) {
  auto result = parse(json);
  if (result) return "<parsed>";
  return result.error().field;
}

}  // namespace simpul::mappings::bpjs::test
