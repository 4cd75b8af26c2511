#pragma once
// An enum's names as one array indexed by the value (the enum counting 0, 1, 2, ... in
// declaration order), serving both directions so that printing and parsing never disagree.
#include <cstddef>
#include <functional>
#include <optional>
#include <string_view>

namespace simpul::adapter {

// For a static_assert next to the array: one name for each value up to `last`.
template <class E, std::size_t N>
constexpr bool names_every(const std::string_view (&)[N], E last) noexcept {
  return static_cast<std::size_t>(last) + 1 == N;
}

// The name of `value`, or `otherwise` for a value outside the enum.
template <class E, std::size_t N>
constexpr std::string_view name_of(const std::string_view (&names)[N], E value, std::string_view otherwise) noexcept {
  const auto i = static_cast<std::size_t>(value);
  return i < N ? names[i] : otherwise;
}

// The value called `name`; `equal(listed_name, name)` compares, exactly by default.
template <class E, std::size_t N, class Equal = std::equal_to<>>
constexpr std::optional<E> value_of(const std::string_view (&names)[N], std::string_view name,
                                    Equal equal = {}) noexcept {
  for (std::size_t i = 0; i < N; ++i) {
    if (equal(names[i], name)) return static_cast<E>(i);
  }
  return std::nullopt;
}

}  // namespace simpul::adapter
