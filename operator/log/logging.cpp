#include "operator/log/logging.h"

#include <chrono>
#include <ctime>
#include <mutex>

#include <nlohmann/json.hpp>
#include <spdlog/formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace keyroll::log {

namespace {

// The fields of the entry being written on this thread. The logger is synchronous, so the
// formatter runs on the writing thread while Write() is on the stack.
thread_local const Fields* tl_fields = nullptr;

const char* LevelName(spdlog::level::level_enum level, bool upper) {
  switch (level) {
    case spdlog::level::trace: return upper ? "TRACE" : "trace";
    case spdlog::level::debug: return upper ? "DEBUG" : "debug";
    case spdlog::level::info: return upper ? "INFO" : "info";
    case spdlog::level::warn: return upper ? "WARN" : "warn";
    case spdlog::level::err: return upper ? "ERROR" : "error";
    case spdlog::level::critical: return upper ? "CRITICAL" : "critical";
    default: return upper ? "OFF" : "off";
  }
}

std::string Rfc3339Millis(long long unix_ms) {
  std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  int ms = static_cast<int>(unix_ms % 1000);
  if (ms < 0) {
    ms += 1000;
    --secs;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  return buf;
}

// JSON string escaping; invalid UTF-8 is replaced rather than thrown about.
std::string Quoted(std::string_view s) {
  return nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// logfmt-style value: bare when safe, JSON-quoted when it has spaces, quotes, '=' or controls.
std::string TextValue(std::string_view s) {
  bool bare = !s.empty();
  for (unsigned char c : s) {
    if (c <= ' ' || c == '"' || c == '=' || c == 0x7f || c >= 0x80) bare = false;
  }
  return bare ? std::string(s) : Quoted(s);
}

// The message: kept as is unless it would break the one-line-per-entry rule.
std::string TextMessage(std::string_view s) {
  for (unsigned char c : s) {
    if (c < ' ' || c == 0x7f) return Quoted(s);
  }
  return std::string(s);
}

class LineFormatter : public spdlog::formatter {
 public:
  explicit LineFormatter(Format format) : format_(format) {}
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch());
    static const Fields kNone;
    std::string line = FormatLine(format_, ms.count(), msg.level,
                                  std::string_view(msg.payload.data(), msg.payload.size()),
                                  tl_fields ? *tl_fields : kNone);
    line.push_back('\n');
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<LineFormatter>(format_);
  }

 private:
  Format format_;
};

std::once_flag g_default_once;
bool g_configured = false;
std::mutex g_setup_mu;

void EnsureLogger() {
  std::call_once(g_default_once, [] {
    std::lock_guard lock(g_setup_mu);
    if (!g_configured) {
      auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
      auto logger = std::make_shared<spdlog::logger>("keyroll", sink);
      logger->set_formatter(std::make_unique<LineFormatter>(Format::kText));
      logger->set_level(spdlog::level::info);
      spdlog::set_default_logger(logger);
      g_configured = true;
    }
  });
}

}  // namespace

std::optional<spdlog::level::level_enum> ParseLevel(std::string_view name) {
  if (name == "trace") return spdlog::level::trace;
  if (name == "debug") return spdlog::level::debug;
  if (name == "info") return spdlog::level::info;
  if (name == "warn" || name == "warning") return spdlog::level::warn;
  if (name == "error") return spdlog::level::err;
  return std::nullopt;
}

std::optional<Format> ParseFormat(std::string_view name) {
  if (name == "json") return Format::kJson;
  if (name == "text") return Format::kText;
  return std::nullopt;
}

void SetupWithSink(spdlog::level::level_enum level, Format format,
                   std::shared_ptr<spdlog::sinks::sink> sink) {
  std::lock_guard lock(g_setup_mu);
  auto logger = std::make_shared<spdlog::logger>("keyroll", std::move(sink));
  logger->set_formatter(std::make_unique<LineFormatter>(format));
  logger->set_level(level);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  g_configured = true;
}

void Setup(spdlog::level::level_enum level, Format format) {
  SetupWithSink(level, format, std::make_shared<spdlog::sinks::stderr_sink_mt>());
}

bool Enabled(spdlog::level::level_enum level) {
  EnsureLogger();
  return spdlog::default_logger_raw()->should_log(level);
}

void Write(spdlog::level::level_enum level, std::string_view msg, const Fields& fields) {
  EnsureLogger();
  auto* logger = spdlog::default_logger_raw();
  if (!logger->should_log(level)) return;
  const Fields* previous = tl_fields;
  tl_fields = &fields;
  logger->log(level, spdlog::string_view_t(msg.data(), msg.size()));
  tl_fields = previous;
}

void Flush() {
  EnsureLogger();
  spdlog::default_logger_raw()->flush();
}

Logger Logger::With(const Fields& more) const {
  Fields all = fields_;
  all.insert(all.end(), more.begin(), more.end());
  return Logger(std::move(all));
}

void Logger::Write(spdlog::level::level_enum level, std::string_view msg, const Fields& f) const {
  if (!Enabled(level)) return;
  if (f.empty()) return log::Write(level, msg, fields_);
  Fields all = fields_;
  all.insert(all.end(), f.begin(), f.end());
  log::Write(level, msg, all);
}

std::string FormatLine(Format format, long long unix_ms, spdlog::level::level_enum level,
                       std::string_view msg, const Fields& fields) {
  std::string time = Rfc3339Millis(unix_ms);
  if (format == Format::kJson) {
    nlohmann::ordered_json line;
    line["time"] = time;
    line["level"] = LevelName(level, false);
    line["msg"] = std::string(msg);
    for (const auto& f : fields) {
      // A field never replaces the entry's own time, level or message.
      bool reserved = f.key == "time" || f.key == "level" || f.key == "msg";
      line[reserved ? "field." + f.key : f.key] = f.value;
    }
    return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  std::string out = time;
  out += ' ';
  out += LevelName(level, true);
  out += ' ';
  out += TextMessage(msg);
  for (const auto& f : fields) {
    out += ' ';
    out += TextValue(f.key);
    out += '=';
    out += TextValue(f.value);
  }
  return out;
}

}  // namespace keyroll::log
