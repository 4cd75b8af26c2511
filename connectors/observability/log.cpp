#include "connectors/observability/log.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <thread>
#include <vector>

namespace simpul::connectors::obs {
namespace {

class Writer {
 public:
  Writer() : thread_([this] { run(); }) {}
  ~Writer() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
    if (file_ && file_ != stderr) std::fclose(file_);
  }

  void set_output(FILE* f) {
    std::lock_guard lock(mu_);
    flush_locked_pending();
    if (file_ && file_ != stderr) std::fclose(file_);
    file_ = f;
  }

  // Lines are batched: only the first line into an empty buffer wakes the writer,
  // which then waits a short window for more before one write(2). At tens of
  // thousands of requests per second this is one syscall per window instead of a
  // futex wake and a write per line.
  void push(std::string_view line) {
    bool wake;
    {
      std::lock_guard lock(mu_);
      wake = pending_.empty();
      pending_ += line;
      ++pushed_;
    }
    if (wake) cv_.notify_one();
  }

  void flush() {
    std::unique_lock lock(mu_);
    const auto target = pushed_;
    flush_wanted_ = true;
    cv_.notify_one();
    done_cv_.wait(lock, [&] { return written_ >= target; });
  }

 private:
  void flush_locked_pending() {
    if (!pending_.empty()) {
      std::fwrite(pending_.data(), 1, pending_.size(), file_);
      std::fflush(file_);
      pending_.clear();
      written_ = pushed_;
    }
  }

  void run() {
    std::string batch;
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [&] { return stop_ || !pending_.empty(); });
      if (pending_.empty() && stop_) break;
      cv_.wait_for(lock, kBatchWindow, [&] { return stop_ || flush_wanted_; });
      flush_wanted_ = false;
      batch.swap(pending_);
      const auto upto = pushed_;
      FILE* f = file_;
      lock.unlock();
      std::fwrite(batch.data(), 1, batch.size(), f);
      std::fflush(f);
      batch.clear();
      lock.lock();
      written_ = upto;
      done_cv_.notify_all();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable done_cv_;
  std::string pending_;
  std::uint64_t pushed_ = 0;
  std::uint64_t written_ = 0;
  bool stop_ = false;
  bool flush_wanted_ = false;
  static constexpr std::chrono::milliseconds kBatchWindow{5};
  FILE* file_ = stderr;
  std::thread thread_;
};

Writer& writer() {
  static Writer w;
  return w;
}

std::atomic<int> g_level{static_cast<int>(Level::info)};

const char* level_name(Level l) {
  switch (l) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
  }
  return "info";
}

// RFC 3339 UTC with milliseconds; the date-and-seconds part is formatted once per
// second per thread.
void append_timestamp(std::string& out) {
  const auto now = std::chrono::system_clock::now();
  const auto secs = std::chrono::time_point_cast<std::chrono::seconds>(now);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now - secs).count();
  const std::time_t t = std::chrono::system_clock::to_time_t(secs);
  thread_local std::time_t cached_second = -1;
  thread_local char cached[64];
  if (t != cached_second) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::snprintf(cached, sizeof cached, "%04d-%02d-%02dT%02d:%02d:%02d.", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    cached_second = t;
  }
  out += cached;
  out += static_cast<char>('0' + millis / 100);
  out += static_cast<char>('0' + millis / 10 % 10);
  out += static_cast<char>('0' + millis % 10);
  out += 'Z';
}

}  // namespace

bool parse_level(std::string_view text, Level& out) {
  if (text == "debug") out = Level::debug;
  else if (text == "info") out = Level::info;
  else if (text == "warn") out = Level::warn;
  else if (text == "error") out = Level::error;
  else return false;
  return true;
}

void configure_logging(Level level, const std::string& path) {
  g_level.store(static_cast<int>(level));
  if (path.empty()) {
    writer().set_output(stderr);
  } else if (FILE* f = std::fopen(path.c_str(), "a")) {
    writer().set_output(f);
  } else {
    log(Level::error, "cannot open log file; logging to stderr", {{"path", path}});
  }
}

bool log_enabled(Level level) { return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed); }

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void log(Level level, std::string_view message, std::initializer_list<Field> fields) {
  if (log_enabled(level)) log_always(level, message, fields);
}

void log_always(Level level, std::string_view message, std::initializer_list<Field> fields) {
  thread_local std::string line;  // reused: no allocation per line once warm
  line.clear();
  line += "{\"ts\":\"";
  append_timestamp(line);
  line += "\",\"level\":\"";
  line += level_name(level);
  line += "\",\"msg\":";
  append_json_string(line, message);
  for (const Field& f : fields) {
    line += ',';
    append_json_string(line, f.key);
    line += ':';
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::string_view>) {
            append_json_string(line, v);
          } else if constexpr (std::is_same_v<T, bool>) {
            line += v ? "true" : "false";
          } else if constexpr (std::is_same_v<T, double>) {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.3f", v);
            line += buf;
          } else {
            line += std::to_string(v);
          }
        },
        f.value);
  }
  line += "}\n";
  writer().push(line);
}

void flush_logs() { writer().flush(); }

}  // namespace simpul::connectors::obs
