#pragma once
// Test helper: run a callable that must throw simpul::fhir::Error and return the
// error for inspection. Records a test failure if nothing (or something else) is thrown.

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "fhir/error.hpp"

namespace simpul::fhir::testing {

template <typename F>
std::optional<Error> capture_error(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected fhir::Error, got std::exception: " << e.what();
    return std::nullopt;
  }
  ADD_FAILURE() << "expected fhir::Error, nothing was thrown";
  return std::nullopt;
}

inline std::string first_diagnostics(const Error& e) {
  return e.issues().empty() ? std::string() : e.issues().front().diagnostics;
}

inline std::string first_code(const Error& e) { return e.issues().empty() ? std::string() : e.issues().front().code; }

inline std::vector<std::string> first_expression(const Error& e) {
  return e.issues().empty() ? std::vector<std::string>{} : e.issues().front().expression;
}

}  // namespace simpul::fhir::testing
