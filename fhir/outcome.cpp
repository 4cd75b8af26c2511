#include "fhir/outcome.hpp"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "fhir/json.hpp"

namespace simpul::fhir {

namespace {

template <typename Writer>
void write_string(Writer& writer, std::string_view s) {
  if (is_valid_utf8(s)) {
    writer.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  } else {
    const std::string fixed = sanitize_utf8(s);
    writer.String(fixed.data(), static_cast<rapidjson::SizeType>(fixed.size()));
  }
}

template <typename Writer>
void write_issue(Writer& writer, const Issue& issue) {
  writer.StartObject();
  writer.Key("severity");
  write_string(writer, to_string(issue.severity));
  writer.Key("code");
  // code is 1..1 in FHIR; an Issue built without one still yields valid output.
  write_string(writer, issue.code.empty() ? std::string_view("unknown") : std::string_view(issue.code));
  if (!issue.diagnostics.empty()) {
    writer.Key("diagnostics");
    write_string(writer, issue.diagnostics);
  }
  bool any_expression = false;
  for (const std::string& e : issue.expression) {
    if (e.empty()) continue;
    if (!any_expression) {
      writer.Key("expression");
      writer.StartArray();
      any_expression = true;
    }
    write_string(writer, e);
  }
  if (any_expression) writer.EndArray();
  writer.EndObject();
}

template <typename Writer>
void write_outcome(Writer& writer, const std::vector<Issue>& issues) {
  writer.StartObject();
  writer.Key("resourceType");
  writer.String("OperationOutcome");
  writer.Key("issue");
  writer.StartArray();
  if (issues.empty()) {
    Issue ok;
    ok.severity = Severity::information;
    ok.code = "informational";
    write_issue(writer, ok);
  }
  for (const Issue& issue : issues) write_issue(writer, issue);
  writer.EndArray();
  writer.EndObject();
}

}  // namespace

std::string outcome_json(const std::vector<Issue>& issues, bool pretty) {
  rapidjson::StringBuffer buffer;
  if (pretty) {
    rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
    writer.SetIndent(' ', 2);
    write_outcome(writer, issues);
  } else {
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    write_outcome(writer, issues);
  }
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string outcome_json(const Error& error, bool pretty) { return outcome_json(error.issues(), pretty); }

}  // namespace simpul::fhir
