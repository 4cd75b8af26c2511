#include "connectors/sim/faults.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "connectors/sim/json_util.hpp"

namespace simpul::connectors::sim {

namespace {

constexpr std::pair<FaultKind, std::string_view> kKinds[] = {
    {FaultKind::latency, "latency"},
    {FaultKind::http_500, "http_500"},
    {FaultKind::html_404, "html_404"},
    {FaultKind::timeout, "timeout"},
    {FaultKind::metadata_error, "metadata_error"},
    {FaultKind::garbled, "garbled"},
    {FaultKind::drop_after_commit, "drop_after_commit"},
};

bool is_before_kind(FaultKind k) {
  return k == FaultKind::http_500 || k == FaultKind::html_404 || k == FaultKind::timeout ||
         k == FaultKind::metadata_error;
}

bool icontains(std::string_view hay, std::string_view needle) {
  if (needle.empty()) return true;
  auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  });
  return it != hay.end();
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && icontains(a, b);
}

constexpr std::uint32_t kMaxMs = 3'600'000;  // one hour: anything longer is a typo

}  // namespace

std::string_view to_string(FaultKind kind) noexcept {
  for (const auto& [k, name] : kKinds)
    if (k == kind) return name;
  return "unknown";
}

std::optional<FaultKind> parse_fault_kind(std::string_view text) noexcept {
  for (const auto& [k, name] : kKinds)
    if (name == text) return k;
  return std::nullopt;
}

std::string to_json(const FaultConfig& c) {
  json::Writer w;
  w.obj()
      .i("latency_ms", c.latency_ms)
      .i("jitter_ms", c.jitter_ms)
      .key("error_rate")
      .real(c.error_rate)
      .s("error_kind", to_string(c.error_kind))
      .key("seed")
      .num(static_cast<std::int64_t>(c.seed))
      .a("rules");
  for (const auto& r : c.rules) {
    w.obj().s("kind", to_string(r.kind));
    if (!r.method.empty()) w.s("method", r.method);
    if (!r.path.empty()) w.s("path", r.path);
    if (r.count) w.i("count", static_cast<std::int64_t>(*r.count));
    w.key("probability").real(r.probability);
    if (r.kind == FaultKind::latency) w.i("latency_ms", r.latency_ms).i("jitter_ms", r.jitter_ms);
    if (r.kind == FaultKind::timeout) w.i("hold_ms", r.hold_ms);
    if (r.http_status) w.i("http_status", r.http_status);
    if (!r.code.empty()) w.s("code", r.code);
    if (!r.message.empty()) w.s("message", r.message);
    w.end();
  }
  w.end_arr().end();
  return w.take();
}

namespace {

std::optional<std::string> read_u32(const rapidjson::Value& o, const char* key, std::uint32_t& out,
                                    const std::string& where) {
  auto it = o.FindMember(key);
  if (it == o.MemberEnd()) return std::nullopt;
  if (!it->value.IsUint64() || it->value.GetUint64() > kMaxMs)
    return where + key + ": expected a whole number 0.." + std::to_string(kMaxMs);
  out = static_cast<std::uint32_t>(it->value.GetUint64());
  return std::nullopt;
}

std::optional<std::string> read_prob(const rapidjson::Value& o, const char* key, double& out,
                                     const std::string& where) {
  auto it = o.FindMember(key);
  if (it == o.MemberEnd()) return std::nullopt;
  if (!it->value.IsNumber() || !(it->value.GetDouble() >= 0.0 && it->value.GetDouble() <= 1.0))
    return where + key + ": expected a number between 0 and 1";
  out = it->value.GetDouble();
  return std::nullopt;
}

std::optional<std::string> read_str(const rapidjson::Value& o, const char* key, std::string& out,
                                    const std::string& where) {
  auto it = o.FindMember(key);
  if (it == o.MemberEnd() || it->value.IsNull()) return std::nullopt;
  if (!it->value.IsString()) return where + key + ": expected a string";
  out.assign(it->value.GetString(), it->value.GetStringLength());
  return std::nullopt;
}

}  // namespace

std::optional<std::string> parse_fault_config(std::string_view text, FaultConfig& out) {
  std::string perr;
  auto doc = json::parse(text, &perr);
  if (!doc) return "not JSON: " + perr;
  if (!doc->IsObject()) return "expected a JSON object";
  static constexpr std::string_view kTop[] = {"latency_ms", "jitter_ms", "error_rate", "error_kind", "seed", "rules"};
  static constexpr std::string_view kRule[] = {"kind",        "method",   "path",        "count", "probability",
                                               "latency_ms",  "jitter_ms", "hold_ms",    "http_status", "code",
                                               "message"};
  for (auto m = doc->MemberBegin(); m != doc->MemberEnd(); ++m) {
    std::string_view k(m->name.GetString(), m->name.GetStringLength());
    if (std::find(std::begin(kTop), std::end(kTop), k) == std::end(kTop)) return "unknown key '" + std::string(k) + "'";
  }
  FaultConfig c;
  const std::string top;
  if (auto e = read_u32(*doc, "latency_ms", c.latency_ms, top)) return e;
  if (auto e = read_u32(*doc, "jitter_ms", c.jitter_ms, top)) return e;
  if (auto e = read_prob(*doc, "error_rate", c.error_rate, top)) return e;
  std::string kind;
  if (auto e = read_str(*doc, "error_kind", kind, top)) return e;
  if (!kind.empty()) {
    auto k = parse_fault_kind(kind);
    if (!k) return "error_kind: unknown fault kind '" + kind + "'";
    c.error_kind = *k;
  }
  if (auto it = doc->FindMember("seed"); it != doc->MemberEnd()) {
    if (!it->value.IsUint64()) return "seed: expected a non-negative whole number";
    c.seed = it->value.GetUint64();
  }
  if (auto it = doc->FindMember("rules"); it != doc->MemberEnd() && !it->value.IsNull()) {
    if (!it->value.IsArray()) return "rules: expected an array";
    for (rapidjson::SizeType i = 0; i < it->value.Size(); ++i) {
      const auto& o = it->value[i];
      const std::string where = "rules[" + std::to_string(i) + "].";
      if (!o.IsObject()) return where.substr(0, where.size() - 1) + ": expected an object";
      for (auto m = o.MemberBegin(); m != o.MemberEnd(); ++m) {
        std::string_view k(m->name.GetString(), m->name.GetStringLength());
        if (std::find(std::begin(kRule), std::end(kRule), k) == std::end(kRule))
          return where + std::string(k) + ": unknown key";
      }
      FaultRule r;
      std::string rk;
      if (auto e = read_str(o, "kind", rk, where)) return e;
      auto k = parse_fault_kind(rk);
      if (!k) return where + "kind: expected one of latency, http_500, html_404, timeout, metadata_error, garbled, "
                             "drop_after_commit";
      r.kind = *k;
      if (auto e = read_str(o, "method", r.method, where)) return e;
      if (auto e = read_str(o, "path", r.path, where)) return e;
      if (auto cit = o.FindMember("count"); cit != o.MemberEnd() && !cit->value.IsNull()) {
        if (!cit->value.IsUint64()) return where + "count: expected a non-negative whole number";
        r.count = cit->value.GetUint64();
      }
      if (auto e = read_prob(o, "probability", r.probability, where)) return e;
      if (auto e = read_u32(o, "latency_ms", r.latency_ms, where)) return e;
      if (auto e = read_u32(o, "jitter_ms", r.jitter_ms, where)) return e;
      if (auto e = read_u32(o, "hold_ms", r.hold_ms, where)) return e;
      if (auto sit = o.FindMember("http_status"); sit != o.MemberEnd()) {
        if (!sit->value.IsUint() || sit->value.GetUint() < 100 || sit->value.GetUint() > 599)
          return where + "http_status: expected 100..599";
        r.http_status = sit->value.GetUint();
      }
      if (auto e = read_str(o, "code", r.code, where)) return e;
      if (auto e = read_str(o, "message", r.message, where)) return e;
      c.rules.push_back(std::move(r));
    }
  }
  if (auto e = validate(c)) return e;
  out = std::move(c);
  return std::nullopt;
}

std::optional<std::string> validate(const FaultConfig& c) {
  if (!(c.error_rate >= 0.0 && c.error_rate <= 1.0)) return "error_rate: expected a number between 0 and 1";
  if (!is_before_kind(c.error_kind))
    return "error_kind: expected one of http_500, html_404, timeout, metadata_error";
  if (c.latency_ms > kMaxMs || c.jitter_ms > kMaxMs) return "latency_ms/jitter_ms: at most one hour";
  for (std::size_t i = 0; i < c.rules.size(); ++i) {
    const auto& r = c.rules[i];
    const std::string where = "rules[" + std::to_string(i) + "].";
    if (!(r.probability >= 0.0 && r.probability <= 1.0)) return where + "probability: expected 0..1";
    if (r.latency_ms > kMaxMs || r.jitter_ms > kMaxMs || r.hold_ms > kMaxMs) return where + "times: at most one hour";
    if (r.http_status && (r.http_status < 100 || r.http_status > 599)) return where + "http_status: expected 100..599";
  }
  return std::nullopt;
}

FaultInjector::FaultInjector(FaultConfig config) : config_(std::move(config)), rng_(config_.seed) {}

void FaultInjector::replace(FaultConfig config) {
  std::lock_guard lock(mu_);
  config_ = std::move(config);
  rng_.seed(config_.seed);
  injected_.clear();
}

FaultConfig FaultInjector::config() const {
  std::lock_guard lock(mu_);
  return config_;
}

bool FaultInjector::fires(FaultRule& r, std::string_view method, std::string_view target) {
  if (r.count && *r.count == 0) return false;
  if (!r.method.empty() && !iequals(r.method, method)) return false;
  if (!icontains(target, r.path)) return false;
  if (r.probability < 1.0) {
    const double roll = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
    if (roll >= r.probability) return false;
  }
  if (r.count) --*r.count;
  return true;
}

std::uint32_t FaultInjector::jitter(std::uint32_t max) {
  if (max == 0) return 0;
  return std::uniform_int_distribution<std::uint32_t>(0, max)(rng_);
}

FaultInjector::Before FaultInjector::before(std::string_view method, std::string_view target) {
  std::lock_guard lock(mu_);
  Before out;
  std::uint64_t ms = config_.latency_ms + jitter(config_.jitter_ms);
  for (auto& r : config_.rules) {
    if (r.kind != FaultKind::latency) continue;
    if (fires(r, method, target)) ms += r.latency_ms + jitter(r.jitter_ms);
  }
  if (ms > 0) ++injected_[std::string(to_string(FaultKind::latency))];
  out.delay = std::chrono::milliseconds(ms);
  for (auto& r : config_.rules) {
    if (!is_before_kind(r.kind)) continue;
    if (fires(r, method, target)) {
      out.fault = r;
      break;
    }
  }
  if (!out.fault && config_.error_rate > 0.0) {
    const double roll = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
    if (roll < config_.error_rate) {
      FaultRule r;
      r.kind = config_.error_kind;
      out.fault = r;
    }
  }
  if (out.fault) ++injected_[std::string(to_string(out.fault->kind))];
  return out;
}

std::optional<FaultRule> FaultInjector::after(std::string_view method, std::string_view target,
                                              bool encrypted_response) {
  std::lock_guard lock(mu_);
  for (auto& r : config_.rules) {
    if (r.kind == FaultKind::garbled && !encrypted_response) continue;
    if (r.kind != FaultKind::garbled && r.kind != FaultKind::drop_after_commit) continue;
    if (fires(r, method, target)) {
      ++injected_[std::string(to_string(r.kind))];
      return r;
    }
  }
  return std::nullopt;
}

std::uint64_t FaultInjector::next_random() {
  std::lock_guard lock(mu_);
  return rng_();
}

std::map<std::string, std::uint64_t> FaultInjector::injected() const {
  std::lock_guard lock(mu_);
  return injected_;
}

void FaultInjector::clear_counters() {
  std::lock_guard lock(mu_);
  injected_.clear();
}

}  // namespace simpul::connectors::sim
