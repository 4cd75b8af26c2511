#pragma once
// Names of enumerators from a table in declaration order, shared by the BPJS
// wire models and connectors (to_string of Service, BpjsErrorKind, ErrorCode, ...).
#include <cstddef>
#include <string_view>

namespace simpul::mappings::bpjs {

// names[value], or `fallback` for a value outside the table. `last` is the
// enum's last enumerator: the table must have exactly one name per enumerator.
template <auto last, class E, std::size_t N>
constexpr std::string_view enum_name(E value, const std::string_view (&names)[N],
                                     std::string_view fallback = "unknown") noexcept {
  static_assert(static_cast<std::size_t>(last) + 1 == N, "one name per enumerator, in declaration order");
  const auto i = static_cast<std::size_t>(value);
  return i < N ? names[i] : fallback;
}

}  // namespace simpul::mappings::bpjs
