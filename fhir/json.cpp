#include "fhir/json.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include <rapidjson/error/error.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "fhir/resource.hpp"

namespace simpul::fhir {

// ---------------------------------------------------------------------------
// UTF-8

namespace {

// Length of the well-formed UTF-8 sequence starting at p (n bytes available),
// or 0 if the bytes there are not well-formed UTF-8 (RFC 3629, Unicode table 3-7).
std::size_t utf8_sequence_length(const unsigned char* p, std::size_t n) noexcept {
  const unsigned char c = p[0];
  if (c < 0x80) return 1;
  if (c < 0xC2) return 0;  // continuation byte or overlong 2-byte lead
  if (c < 0xE0) return (n >= 2 && (p[1] & 0xC0) == 0x80) ? 2 : 0;
  if (c < 0xF0) {
    if (n < 3) return 0;
    const unsigned char lo = c == 0xE0 ? 0xA0 : 0x80;  // no overlongs
    const unsigned char hi = c == 0xED ? 0x9F : 0xBF;  // no surrogates
    return (p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80) ? 3 : 0;
  }
  if (c < 0xF5) {
    if (n < 4) return 0;
    const unsigned char lo = c == 0xF0 ? 0x90 : 0x80;  // no overlongs
    const unsigned char hi = c == 0xF4 ? 0x8F : 0xBF;  // <= U+10FFFF
    return (p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 && (p[3] & 0xC0) == 0x80) ? 4 : 0;
  }
  return 0;
}

}  // namespace

bool is_valid_utf8(std::string_view s) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (i < n) {
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    const std::size_t len = utf8_sequence_length(p + i, n - i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

std::string sanitize_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (i < n) {
    const std::size_t len = utf8_sequence_length(p + i, n - i);
    if (len == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
      ++i;
    } else {
      out.append(s.data() + i, len);
      i += len;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Parsing

namespace {

constexpr unsigned kParseFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;

// Why the SAX wrapper stopped the parse (reported by RapidJSON as kParseErrorTermination).
enum class StopReason { none, too_deep, lone_surrogate };

// A SAX handler that passes every event on to `target` (a Document or a
// Writer). The handlers below derive from it and replace only the events they
// check or repair (a derived member hides the one forwarded here).
template <typename Target>
class SaxForwarder {
 public:
  explicit SaxForwarder(Target& target) : target_(target) {}

  bool Null() { return target_.Null(); }
  bool Bool(bool b) { return target_.Bool(b); }
  bool Int(int i) { return target_.Int(i); }
  bool Uint(unsigned u) { return target_.Uint(u); }
  bool Int64(std::int64_t i) { return target_.Int64(i); }
  bool Uint64(std::uint64_t u) { return target_.Uint64(u); }
  bool Double(double d) { return target_.Double(d); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool copy) { return target_.RawNumber(s, n, copy); }
  bool String(const char* s, rapidjson::SizeType n, bool copy) { return target_.String(s, n, copy); }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) { return target_.Key(s, n, copy); }
  bool StartObject() { return target_.StartObject(); }
  bool EndObject(rapidjson::SizeType members) { return target_.EndObject(members); }
  bool StartArray() { return target_.StartArray(); }
  bool EndArray(rapidjson::SizeType elements) { return target_.EndArray(elements); }

 protected:
  Target& target_;
};

// Forwards SAX events to the Document, counting nesting depth so that the
// document never grows deeper than the limit, and rejecting strings that the
// \u escapes turned into invalid UTF-8 (a lone low surrogate such as \uDC00).
class LimitedHandler : public SaxForwarder<rapidjson::Document> {
  using Base = SaxForwarder<rapidjson::Document>;

 public:
  LimitedHandler(rapidjson::Document& doc, std::size_t max_depth) : Base(doc), max_depth_(max_depth) {}

  bool String(const char* s, rapidjson::SizeType n, bool copy) {
    return check_string(s, n) && Base::String(s, n, copy);
  }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) { return check_string(s, n) && Base::Key(s, n, copy); }
  bool StartObject() { return enter() && Base::StartObject(); }
  bool EndObject(rapidjson::SizeType members) {
    --depth_;
    return Base::EndObject(members);
  }
  bool StartArray() { return enter() && Base::StartArray(); }
  bool EndArray(rapidjson::SizeType elements) {
    --depth_;
    return Base::EndArray(elements);
  }

  StopReason stop_reason() const { return stop_; }

 private:
  bool enter() {
    if (depth_ >= max_depth_) {
      stop_ = StopReason::too_deep;
      return false;
    }
    ++depth_;
    return true;
  }

  // The reader validated the raw bytes; only a \uDC00..\uDFFF escape without a
  // preceding high surrogate can still produce a surrogate (ED B0..BF xx).
  bool check_string(const char* s, rapidjson::SizeType n) {
    const char* end = s + n;
    for (const char* p = s; (p = static_cast<const char*>(std::memchr(p, '\xED', static_cast<std::size_t>(end - p))));
         ++p) {
      if (p + 1 < end && static_cast<unsigned char>(p[1]) >= 0xA0) {
        stop_ = StopReason::lone_surrogate;
        return false;
      }
    }
    return true;
  }

  std::size_t max_depth_;
  std::size_t depth_ = 0;
  StopReason stop_ = StopReason::none;
};

std::string position_text(std::string_view body, std::size_t offset) {
  offset = std::min(offset, body.size());
  std::size_t line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset; ++i) {
    if (body[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(offset - line_start + 1) +
         " (byte offset " + std::to_string(offset) + ")";
}

std::string_view reason_text(rapidjson::ParseErrorCode code) {
  using namespace rapidjson;
  switch (code) {
    case kParseErrorDocumentEmpty: return "the body is empty; expected a JSON document";
    case kParseErrorDocumentRootNotSingular: return "unexpected content after the end of the JSON document";
    case kParseErrorValueInvalid:
      return "invalid value; expected an object, array, string, number, true, false or null";
    case kParseErrorObjectMissName: return "expected a property name in double quotes";
    case kParseErrorObjectMissColon: return "expected ':' after the property name";
    case kParseErrorObjectMissCommaOrCurlyBracket: return "expected ',' or '}' after an object member";
    case kParseErrorArrayMissCommaOrSquareBracket: return "expected ',' or ']' after an array element";
    case kParseErrorStringUnicodeEscapeInvalidHex: return "invalid \\u escape; expected four hexadecimal digits";
    case kParseErrorStringUnicodeSurrogateInvalid: return "invalid UTF-16 surrogate pair in a \\u escape";
    case kParseErrorStringEscapeInvalid:
      return "invalid escape sequence or unescaped control character in a string";
    case kParseErrorStringMissQuotationMark: return "string is not terminated by a quotation mark";
    case kParseErrorStringInvalidEncoding: return "string contains bytes that are not valid UTF-8";
    case kParseErrorNumberTooBig: return "number is too large";
    case kParseErrorNumberMissFraction: return "expected digits after the decimal point";
    case kParseErrorNumberMissExponent: return "expected digits in the exponent";
    default: return "syntax error";
  }
}

[[noreturn]] void throw_invalid_json(std::string_view body, std::size_t offset, std::string_view reason) {
  std::string diagnostics = "Invalid JSON at ";
  diagnostics += position_text(body, offset);
  diagnostics += ": ";
  diagnostics += reason;
  throw Error::structure(std::move(diagnostics));
}

// ---- duplicate property names, checked iteratively after the parse ----

const rapidjson::Value* find_duplicate_name(const rapidjson::Value& object) {
  const rapidjson::SizeType n = object.MemberCount();
  if (n < 2) return nullptr;
  const auto begin = object.MemberBegin();
  if (n <= 16) {
    for (rapidjson::SizeType i = 1; i < n; ++i) {
      const std::string_view a = as_string_view(begin[i].name);
      for (rapidjson::SizeType j = 0; j < i; ++j) {
        if (as_string_view(begin[j].name) == a) return &begin[i].name;
      }
    }
    return nullptr;
  }
  std::vector<const rapidjson::Value*> names;
  names.reserve(n);
  for (rapidjson::SizeType i = 0; i < n; ++i) names.push_back(&begin[i].name);
  std::stable_sort(names.begin(), names.end(), [](const rapidjson::Value* a, const rapidjson::Value* b) {
    return as_string_view(*a) < as_string_view(*b);
  });
  for (std::size_t i = 1; i < names.size(); ++i) {
    if (as_string_view(*names[i]) == as_string_view(*names[i - 1])) return names[i];
  }
  return nullptr;
}

struct Frame {
  const rapidjson::Value* value;
  rapidjson::SizeType next;  // index of the next child to visit
};

std::string truncated(std::string_view s, std::size_t max = 64) {
  if (s.size() <= max) return std::string(s);
  return std::string(s.substr(0, max)) + "...";
}

// FHIRPath-like location of the object on top of `stack`, e.g. "Patient.name[0]".
std::string path_of(const std::vector<Frame>& stack) {
  std::string path;
  const rapidjson::Value& root = *stack.front().value;
  if (auto type = string_member(root, "resourceType"); type && is_resource_type(*type)) path = *type;
  for (std::size_t i = 1; i < stack.size(); ++i) {
    const Frame& parent = stack[i - 1];
    const rapidjson::SizeType index = parent.next - 1;
    if (parent.value->IsObject()) {
      if (!path.empty()) path += '.';
      path += truncated(as_string_view(parent.value->MemberBegin()[index].name));
    } else {
      path += '[' + std::to_string(index) + ']';
    }
  }
  return path;
}

void check_duplicate_keys(const rapidjson::Value& root) {
  if (!root.IsObject() && !root.IsArray()) return;
  std::vector<Frame> stack;
  stack.push_back({&root, 0});
  while (!stack.empty()) {
    Frame& frame = stack.back();
    const rapidjson::Value& v = *frame.value;
    const rapidjson::Value* child = nullptr;
    if (v.IsObject()) {
      if (frame.next == 0) {
        if (const rapidjson::Value* dup = find_duplicate_name(v)) {
          std::string path = path_of(stack);
          const std::string name = truncated(as_string_view(*dup));
          std::string expression = path.empty() ? name : path + "." + name;
          throw Error::structure("Invalid JSON: property '" + name + "' appears more than once in the same object",
                                 std::move(expression));
        }
      }
      const auto members = v.MemberBegin();
      while (frame.next < v.MemberCount()) {
        const rapidjson::Value& c = members[frame.next++].value;
        if (c.IsObject() || c.IsArray()) {
          child = &c;
          break;
        }
      }
    } else {
      while (frame.next < v.Size()) {
        const rapidjson::Value& c = v[frame.next++];
        if (c.IsObject() || c.IsArray()) {
          child = &c;
          break;
        }
      }
    }
    if (child) {
      stack.push_back({child, 0});  // `frame` is not used after this
    } else {
      stack.pop_back();
    }
  }
}

}  // namespace

rapidjson::Document parse_json(std::string_view body, const ParseLimits& limits) {
  if (body.size() > limits.max_bytes) {
    throw Error::payload_too_large("Request body is too large: " + std::to_string(body.size()) +
                                   " bytes; the limit is " + std::to_string(limits.max_bytes) + " bytes");
  }
  std::size_t skipped = 0;
  if (body.size() >= 3 && body.compare(0, 3, "\xEF\xBB\xBF") == 0) skipped = 3;  // UTF-8 BOM
  const std::string_view text = body.substr(skipped);

  rapidjson::Document doc;
  rapidjson::MemoryStream stream(text.data(), text.size());
  rapidjson::Reader reader;
  rapidjson::ParseResult result;
  StopReason stop = StopReason::none;
  auto generate = [&](rapidjson::Document& target) {
    LimitedHandler handler(target, limits.max_depth);
    result = reader.Parse<kParseFlags>(stream, handler);
    stop = handler.stop_reason();
    return !result.IsError();
  };
  doc.Populate(generate);

  if (result.IsError()) {
    const std::size_t offset = skipped + result.Offset();
    if (result.Code() == rapidjson::kParseErrorTermination && stop == StopReason::too_deep) {
      throw Error::structure("JSON nested deeper than " + std::to_string(limits.max_depth) + " levels at " +
                             position_text(body, offset));
    }
    if (result.Code() == rapidjson::kParseErrorTermination && stop == StopReason::lone_surrogate) {
      throw_invalid_json(body, offset, "string contains a \\u escape of an unpaired UTF-16 surrogate");
    }
    if (result.Code() == rapidjson::kParseErrorDocumentEmpty) {
      if (offset < body.size()) throw_invalid_json(body, offset, "unexpected NUL byte");
      throw_invalid_json(body, offset, reason_text(result.Code()));
    }
    if (offset >= body.size()) throw_invalid_json(body, offset, "the JSON document ends too early (truncated body?)");
    if (body[offset] == '\0') throw_invalid_json(body, offset, "unexpected NUL byte");
    std::size_t where = offset;
    if (result.Code() == rapidjson::kParseErrorValueInvalid) {
      // RapidJSON reports a bad literal ("tru", "nul") after the letters it consumed; point at its start.
      auto is_letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
      while (where > skipped && is_letter(body[where - 1])) --where;
    }
    throw_invalid_json(body, where, reason_text(result.Code()));
  }
  // MemoryStream reports NUL at the end of the buffer; an embedded NUL after the
  // document would otherwise end the parse early and hide trailing bytes.
  if (stream.Tell() != text.size()) {
    throw_invalid_json(body, skipped + stream.Tell(), "unexpected NUL byte");
  }
  if (limits.reject_duplicate_keys) check_duplicate_keys(doc);
  return doc;
}

rapidjson::Document parse_resource(std::string_view body, const ParseLimits& limits) {
  rapidjson::Document doc = parse_json(body, limits);
  (void)resource_type_of(doc);  // throws 400 with expression "resourceType"
  return doc;
}

// ---------------------------------------------------------------------------
// Serialising

namespace {

// SAX filter in front of a Writer: repairs strings that are not valid UTF-8.
template <typename Out>
class Utf8Filter : public SaxForwarder<Out> {
  using SaxForwarder<Out>::target_;

 public:
  explicit Utf8Filter(Out& out) : SaxForwarder<Out>(out) {}
  bool String(const char* s, rapidjson::SizeType n, bool copy) {
    if (is_valid_utf8({s, n})) return target_.String(s, n, copy);
    const std::string fixed = sanitize_utf8({s, n});
    return target_.String(fixed.data(), static_cast<rapidjson::SizeType>(fixed.size()), true);
  }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) {
    if (is_valid_utf8({s, n})) return target_.Key(s, n, copy);
    const std::string fixed = sanitize_utf8({s, n});
    return target_.Key(fixed.data(), static_cast<rapidjson::SizeType>(fixed.size()), true);
  }
};

template <typename Writer>
std::string write_with(const rapidjson::Value& value, rapidjson::StringBuffer& buffer, Writer& writer) {
  Utf8Filter<Writer> filter(writer);
  if (!value.Accept(filter)) {
    throw Error::internal("to_json failed", {}, "value contains NaN or infinity, which JSON cannot represent");
  }
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

std::string to_json(const rapidjson::Value& value, bool pretty) {
  rapidjson::StringBuffer buffer;
  if (pretty) {
    rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
    writer.SetIndent(' ', 2);
    return write_with(value, buffer, writer);
  }
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  return write_with(value, buffer, writer);
}

// ---------------------------------------------------------------------------
// Accessors

const rapidjson::Value* member(const rapidjson::Value& value, std::string_view key) {
  if (!value.IsObject()) return nullptr;
  const rapidjson::Value name(string_ref(key));
  const auto it = value.FindMember(name);
  return it == value.MemberEnd() ? nullptr : &it->value;
}

std::optional<std::string_view> string_member(const rapidjson::Value& value, std::string_view key) {
  const rapidjson::Value* m = member(value, key);
  if (!m || !m->IsString()) return std::nullopt;
  return as_string_view(*m);
}

}  // namespace simpul::fhir
