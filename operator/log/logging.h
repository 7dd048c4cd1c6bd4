// logging: the operator's structured log on top of spdlog. One line per entry, either
// JSON (`{"time":"2026-11-22T03:04:05.123Z","level":"info","msg":"reconciled","namespace":"x"}`)
// or text (`2026-11-22T03:04:05.123Z INFO reconciled namespace=x name=y`).
// Field values are plain strings on purpose: key material lives in a type that does not
// convert to a string, so it cannot reach a log line by accident.
#pragma once

#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <spdlog/common.h>

namespace spdlog::sinks {
class sink;
}

namespace keyroll::log {

enum class Format { kText, kJson };

struct Field {
  std::string key;
  std::string value;
};
using Fields = std::vector<Field>;

// "trace" | "debug" | "info" | "warn" | "error" (also "warning").
std::optional<spdlog::level::level_enum> ParseLevel(std::string_view name);
std::optional<Format> ParseFormat(std::string_view name);  // "json" | "text"

// Makes the process-wide logger (also spdlog's default logger, so plain spdlog::info calls
// get the same format) write to stderr. Without Setup, entries go to stderr as text at info.
void Setup(spdlog::level::level_enum level, Format format);
// The same, writing to `sink` (tests capture output this way).
void SetupWithSink(spdlog::level::level_enum level, Format format,
                   std::shared_ptr<spdlog::sinks::sink> sink);

bool Enabled(spdlog::level::level_enum level);
void Write(spdlog::level::level_enum level, std::string_view msg, const Fields& fields = {});
void Flush();

inline void Trace(std::string_view msg, const Fields& f = {}) { Write(spdlog::level::trace, msg, f); }
inline void Debug(std::string_view msg, const Fields& f = {}) { Write(spdlog::level::debug, msg, f); }
inline void Info(std::string_view msg, const Fields& f = {}) { Write(spdlog::level::info, msg, f); }
inline void Warn(std::string_view msg, const Fields& f = {}) { Write(spdlog::level::warn, msg, f); }
inline void Error(std::string_view msg, const Fields& f = {}) { Write(spdlog::level::err, msg, f); }

// A logger that adds its fields to every entry, e.g. Logger{{"namespace", ns}, {"name", n}}.
class Logger {
 public:
  Logger() = default;
  explicit Logger(Fields fields) : fields_(std::move(fields)) {}
  Logger(std::initializer_list<Field> fields) : fields_(fields) {}
  Logger With(const Fields& more) const;

  void Trace(std::string_view msg, const Fields& f = {}) const { Write(spdlog::level::trace, msg, f); }
  void Debug(std::string_view msg, const Fields& f = {}) const { Write(spdlog::level::debug, msg, f); }
  void Info(std::string_view msg, const Fields& f = {}) const { Write(spdlog::level::info, msg, f); }
  void Warn(std::string_view msg, const Fields& f = {}) const { Write(spdlog::level::warn, msg, f); }
  void Error(std::string_view msg, const Fields& f = {}) const { Write(spdlog::level::err, msg, f); }
  void Write(spdlog::level::level_enum level, std::string_view msg, const Fields& f) const;

  const Fields& fields() const { return fields_; }

 private:
  Fields fields_;
};

// Formats one entry (without the newline); exposed for tests. `unix_ms` is the entry time.
std::string FormatLine(Format format, long long unix_ms, spdlog::level::level_enum level,
                       std::string_view msg, const Fields& fields);

}  // namespace keyroll::log
