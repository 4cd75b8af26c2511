#include "fhir/content_type.hpp"

#include <algorithm>
#include <array>

namespace simpul::fhir {

namespace {

constexpr std::string_view kAcceptedTypes = "application/fhir+json or application/json";

bool is_ows(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return lower(x) == lower(y);
         });
}

// RFC 9110 tchar.
bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::size_t token_end(std::string_view s, std::size_t pos) {
  while (pos < s.size() && is_tchar(s[pos])) ++pos;
  return pos;
}

// A header value quoted in diagnostics, kept short and printable.
std::string quoted(std::string_view s) {
  constexpr std::size_t kMax = 80;
  std::string out = "'";
  for (std::size_t i = 0; i < s.size() && i < kMax; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    out += (c >= 0x20 && c < 0x7F) ? static_cast<char>(c) : '?';
  }
  if (s.size() > kMax) out += "...";
  out += "'";
  return out;
}

bool is_xml(const MediaType& m) {
  return m.subtype == "xml" || m.subtype == "fhir+xml" || m.subtype == "xml+fhir" || m.subtype.ends_with("+xml");
}

bool is_fhir_version_ok(std::string_view v) { return v == "4.0" || v == "4.0.1"; }

bool is_charset_ok(std::string_view v) { return iequals(v, "utf-8") || iequals(v, "utf8"); }

// Splits a header list on commas that are not inside quoted strings.
std::vector<std::string_view> split_list(std::string_view s) {
  std::vector<std::string_view> out;
  bool in_quotes = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_quotes) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_quotes = false;
      }
    } else if (c == '"') {
      in_quotes = true;
    } else if (c == ',') {
      out.push_back(trim(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  out.push_back(trim(s.substr(start)));
  return out;
}

// RFC 9110 qvalue -> 0..1000; nullopt if malformed.
std::optional<int> parse_qvalue(std::string_view v) {
  if (v.empty() || (v[0] != '0' && v[0] != '1')) return std::nullopt;
  int value = (v[0] - '0') * 1000;
  if (v.size() == 1) return value;
  if (v[1] != '.' || v.size() > 5) return std::nullopt;
  int scale = 100;
  for (std::size_t i = 2; i < v.size(); ++i) {
    if (v[i] < '0' || v[i] > '9') return std::nullopt;
    value += (v[i] - '0') * scale;
    scale /= 10;
  }
  if (value > 1000) return std::nullopt;
  return value;
}

// How specifically a media range names a format: 3 exact, 2 type/*, 1 */*, 0 not at all.
int match_specificity(const MediaType& range, Format format) {
  if (range.type == "*" && range.subtype == "*") return 1;
  if (range.type != "application") return 0;
  if (range.subtype == "*") return 2;
  if (format == Format::fhir_json) {
    // application/json+fhir is the pre-R4 name still sent by older clients.
    return (range.subtype == "fhir+json" || range.subtype == "json+fhir") ? 3 : 0;
  }
  return range.subtype == "json" ? 3 : 0;
}

[[noreturn]] void throw_not_acceptable(std::string what, std::string internal) {
  throw Error::not_acceptable(std::move(what) + " Simpul can respond with " + std::string(kAcceptedTypes) +
                                  " (use _format=json or Accept: application/fhir+json); XML is not supported.",
                              {}, std::move(internal));
}

}  // namespace

std::optional<std::string_view> MediaType::parameter(std::string_view name) const {
  for (const auto& [key, value] : parameters) {
    if (key == name) return std::string_view(value);
  }
  return std::nullopt;
}

std::optional<MediaType> parse_media_type(std::string_view text) {
  const std::string_view s = trim(text);
  MediaType result;
  std::size_t pos = token_end(s, 0);
  if (pos == 0 || pos >= s.size() || s[pos] != '/') return std::nullopt;
  result.type = to_lower(s.substr(0, pos));
  const std::size_t sub_start = pos + 1;
  pos = token_end(s, sub_start);
  if (pos == sub_start) return std::nullopt;
  result.subtype = to_lower(s.substr(sub_start, pos - sub_start));
  for (;;) {
    while (pos < s.size() && is_ows(s[pos])) ++pos;
    if (pos == s.size()) break;
    if (s[pos] != ';') return std::nullopt;
    ++pos;
    while (pos < s.size() && is_ows(s[pos])) ++pos;
    if (pos == s.size()) break;  // tolerate a trailing ';'
    const std::size_t name_start = pos;
    pos = token_end(s, pos);
    if (pos == name_start || pos >= s.size() || s[pos] != '=') return std::nullopt;
    std::string name = to_lower(s.substr(name_start, pos - name_start));
    ++pos;
    std::string value;
    if (pos < s.size() && s[pos] == '"') {
      ++pos;
      bool closed = false;
      while (pos < s.size()) {
        const char c = s[pos++];
        if (c == '"') {
          closed = true;
          break;
        }
        if (c == '\\') {
          if (pos >= s.size()) return std::nullopt;
          value += s[pos++];
        } else {
          value += c;
        }
      }
      if (!closed) return std::nullopt;
    } else {
      const std::size_t value_start = pos;
      pos = token_end(s, pos);
      if (pos == value_start) return std::nullopt;
      value = std::string(s.substr(value_start, pos - value_start));
    }
    result.parameters.emplace_back(std::move(name), std::move(value));
  }
  return result;
}

void check_request_content_type(std::string_view content_type_header, bool has_body) {
  if (!has_body) return;
  const std::string_view header = trim(content_type_header);
  if (header.empty()) {
    throw Error::unsupported_media_type("The request has a body but no Content-Type header. Send the body as " +
                                        std::string(kAcceptedTypes) + ".");
  }
  const std::optional<MediaType> media = parse_media_type(header);
  if (!media) {
    throw Error::unsupported_media_type("The Content-Type header " + quoted(header) +
                                        " is not a valid media type. Send the body as " +
                                        std::string(kAcceptedTypes) + ".");
  }
  const bool json = media->type == "application" && (media->subtype == "fhir+json" || media->subtype == "json");
  if (!json) {
    std::string diagnostics = "Unsupported Content-Type " + quoted(header) + ". Simpul accepts " +
                              std::string(kAcceptedTypes) + " (charset utf-8)";
    diagnostics += is_xml(*media) ? "; FHIR XML is not supported." : ".";
    throw Error::unsupported_media_type(std::move(diagnostics));
  }
  if (auto charset = media->parameter("charset"); charset && !is_charset_ok(*charset)) {
    throw Error::unsupported_media_type("Unsupported charset " + quoted(*charset) + " in Content-Type. Simpul accepts " +
                                        std::string(kAcceptedTypes) + " in UTF-8 only.");
  }
  if (auto version = media->parameter("fhirversion"); version && !is_fhir_version_ok(*version)) {
    throw Error::unsupported_media_type("Unsupported fhirVersion " + quoted(*version) +
                                        " in Content-Type. Simpul speaks FHIR R4 (fhirVersion=4.0).");
  }
}

Format negotiate_format(std::string_view accept_header, std::string_view format_param) {
  const std::string_view format = trim(format_param);
  if (!format.empty()) {
    const std::string value = to_lower(format);
    if (value == "json") return Format::fhir_json;
    // '+' in a query string decodes to ' ', so "application/fhir+json" may arrive as "application/fhir json".
    std::string normalised = value;
    if (normalised.starts_with("application/fhir json")) normalised[16] = '+';
    if (normalised.starts_with("application/json fhir")) normalised[16] = '+';
    if (const auto media = parse_media_type(normalised); media && media->type == "application") {
      const auto version = media->parameter("fhirversion");
      const bool version_ok = !version || is_fhir_version_ok(*version);
      if (version_ok && (media->subtype == "fhir+json" || media->subtype == "json+fhir")) return Format::fhir_json;
      if (version_ok && media->subtype == "json") return Format::json;
    }
    throw_not_acceptable("The requested _format " + quoted(format) + " is not supported.",
                         "_format=" + std::string(format));
  }

  const std::string_view accept = trim(accept_header);
  if (accept.empty()) return Format::fhir_json;

  // For each format: the q-value of the most specific matching range (-1 = no range matches).
  std::array<int, 2> best_q = {-1, -1};
  std::array<int, 2> best_specificity = {0, 0};
  for (std::string_view item : split_list(accept)) {
    if (item.empty()) continue;
    std::optional<MediaType> range = item == "*" ? parse_media_type("*/*") : parse_media_type(item);
    if (!range) continue;  // ignore malformed ranges
    int q = 1000;
    if (auto qv = range->parameter("q")) {
      const auto parsed = parse_qvalue(*qv);
      if (!parsed) continue;
      q = *parsed;
    }
    if (auto version = range->parameter("fhirversion"); version && !is_fhir_version_ok(*version)) continue;
    for (Format f : {Format::fhir_json, Format::json}) {
      const auto i = static_cast<std::size_t>(f);
      const int specificity = match_specificity(*range, f);
      if (specificity == 0) continue;
      if (specificity > best_specificity[i] || (specificity == best_specificity[i] && q > best_q[i])) {
        best_specificity[i] = specificity;
        best_q[i] = q;
      }
    }
  }
  const int fhir_q = best_q[static_cast<std::size_t>(Format::fhir_json)];
  const int json_q = best_q[static_cast<std::size_t>(Format::json)];
  if (fhir_q <= 0 && json_q <= 0) {
    throw_not_acceptable("None of the media types in the Accept header " + quoted(accept) + " can be produced.",
                         "Accept: " + std::string(accept));
  }
  return json_q > fhir_q ? Format::json : Format::fhir_json;
}

std::string_view content_type_of(Format format) noexcept {
  return format == Format::json ? "application/json; charset=utf-8" : "application/fhir+json; charset=utf-8";
}

}  // namespace simpul::fhir
