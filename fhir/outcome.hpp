#pragma once
// OperationOutcome rendering: how every error reaches a client.
//
//   {"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"invalid",
//    "diagnostics":"...","expression":["Patient.birthDate"]}]}
//
// Empty diagnostics/expression are omitted. Strings are JSON-escaped and repaired
// to valid UTF-8. Only Issue contents are written: Error::internal() never is.
// An empty issue list renders one "information"/"informational" issue, because
// OperationOutcome.issue is 1..*.

#include <string>
#include <vector>

#include "fhir/error.hpp"

namespace simpul::fhir {

std::string outcome_json(const std::vector<Issue>& issues, bool pretty = false);
std::string outcome_json(const Error& error, bool pretty = false);

}  // namespace simpul::fhir
