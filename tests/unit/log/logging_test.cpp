// Logging: one valid JSON object per line whatever the message holds; readable text lines;
// level filtering; fields from a Logger.
#include "operator/log/logging.h"

#include <mutex>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

namespace keyroll::log {
namespace {
namespace KEYROLL_UNITY_ID {

// Captures whatever the process logger writes from now on.
class Capture {
 public:
  Capture(spdlog::level::level_enum level, Format format)
      : sink_(std::make_shared<spdlog::sinks::ostream_sink_mt>(out_)) {
    SetupWithSink(level, format, sink_);
  }
  std::vector<std::string> Lines() {
    Flush();
    std::vector<std::string> lines;
    std::istringstream in(out_.str());
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_;
};

TEST(Logging, JsonIsOneValidObjectPerLineWhateverTheMessageHolds) {
  Capture cap(spdlog::level::info, Format::kJson);
  Info("reconciled", {{"namespace", "payments"}, {"name", "qstash"}, {"phase", "Ready"}});
  Warn("quote \" backslash \\ newline \n tab \t done", {{"detail", "line1\nline2 \"q\""}});
  Error("unicode: ключ 🔑 ✓", {{"emoji", "🔑"}});
  Info(std::string("control \x01 and bad utf8 \xff\xfe", 30));
  Info("reserved field names", {{"msg", "not the message"}, {"level", "x"}});

  auto lines = cap.Lines();
  ASSERT_EQ(lines.size(), 5u);
  std::vector<nlohmann::json> parsed;
  for (const auto& line : lines) {
    auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    ASSERT_FALSE(j.is_discarded()) << "not JSON: " << line;
    ASSERT_TRUE(j.is_object());
    parsed.push_back(j);
  }
  EXPECT_EQ(parsed[0]["msg"], "reconciled");
  EXPECT_EQ(parsed[0]["level"], "info");
  EXPECT_EQ(parsed[0]["namespace"], "payments");
  EXPECT_EQ(parsed[0]["name"], "qstash");
  EXPECT_EQ(parsed[0]["phase"], "Ready");
  EXPECT_TRUE(std::regex_match(parsed[0]["time"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")))
      << parsed[0]["time"];
  EXPECT_EQ(lines[0].rfind("{\"time\":", 0), 0u) << "time, level, msg come first";

  EXPECT_EQ(parsed[1]["level"], "warn");
  EXPECT_EQ(parsed[1]["msg"], "quote \" backslash \\ newline \n tab \t done");
  EXPECT_EQ(parsed[1]["detail"], "line1\nline2 \"q\"");
  EXPECT_EQ(parsed[2]["level"], "error");
  EXPECT_EQ(parsed[2]["msg"], "unicode: ключ 🔑 ✓");
  EXPECT_EQ(parsed[2]["emoji"], "🔑");
  EXPECT_NE(parsed[3]["msg"].get<std::string>().find("bad utf8"), std::string::npos);
  EXPECT_EQ(parsed[4]["msg"], "reserved field names");
  EXPECT_EQ(parsed[4]["level"], "info");
  EXPECT_EQ(parsed[4]["field.msg"], "not the message");
}

TEST(Logging, TextIsOneReadableLinePerEntry) {
  Capture cap(spdlog::level::info, Format::kText);
  Info("reconciled", {{"namespace", "x"}, {"name", "y"}});
  Error("two\nlines", {{"reason", "has spaces"}, {"empty", ""}});
  auto lines = cap.Lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(std::regex_match(
      lines[0], std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO reconciled namespace=x name=y)")))
      << lines[0];
  EXPECT_NE(lines[1].find(" ERROR \"two\\nlines\" reason=\"has spaces\" empty=\"\""),
            std::string::npos)
      << lines[1];
}

TEST(Logging, FormatLineUsesUtcRfc3339WithMilliseconds) {
  EXPECT_EQ(FormatLine(Format::kText, 1795835045123LL, spdlog::level::info, "m", {}),
            "2026-11-28T03:04:05.123Z INFO m");
  EXPECT_EQ(FormatLine(Format::kJson, 0, spdlog::level::debug, "m", {{"k", "v"}}),
            R"({"time":"1970-01-01T00:00:00.000Z","level":"debug","msg":"m","k":"v"})");
}

TEST(Logging, LevelFiltersEntries) {
  Capture cap(spdlog::level::warn, Format::kJson);
  Debug("hidden");
  Info("hidden");
  Warn("shown");
  EXPECT_FALSE(Enabled(spdlog::level::info));
  EXPECT_TRUE(Enabled(spdlog::level::err));
  auto lines = cap.Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(lines[0])["msg"], "shown");
}

TEST(Logging, LoggerCarriesItsFields) {
  Capture cap(spdlog::level::trace, Format::kJson);
  Logger base{{"namespace", "payments"}};
  Logger res = base.With({{"name", "qstash"}});
  res.Trace("t", {{"step", "observe"}});
  base.Info("b");
  auto lines = cap.Lines();
  ASSERT_EQ(lines.size(), 2u);
  auto first = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(first["level"], "trace");
  EXPECT_EQ(first["namespace"], "payments");
  EXPECT_EQ(first["name"], "qstash");
  EXPECT_EQ(first["step"], "observe");
  auto second = nlohmann::json::parse(lines[1]);
  EXPECT_FALSE(second.contains("name")) << "With() does not change the logger it came from";
}

TEST(Logging, PlainSpdlogCallsGetTheSameFormat) {
  Capture cap(spdlog::level::info, Format::kJson);
  spdlog::info("from {} code", "other");
  auto lines = cap.Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(lines[0])["msg"], "from other code");
}

TEST(Logging, ConcurrentWritersNeverInterleaveLines) {
  Capture cap(spdlog::level::info, Format::kJson);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t] {
      for (int i = 0; i < 200; ++i) Info("entry", {{"thread", std::to_string(t)}, {"i", std::to_string(i)}});
    });
  }
  for (auto& th : threads) th.join();
  auto lines = cap.Lines();
  ASSERT_EQ(lines.size(), 800u);
  for (const auto& line : lines) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line;
    ASSERT_TRUE(j.contains("thread")) << "fields belong to their own entry: " << line;
  }
}

TEST(Logging, ParsesLevelAndFormatNames) {
  EXPECT_EQ(ParseLevel("trace"), spdlog::level::trace);
  EXPECT_EQ(ParseLevel("debug"), spdlog::level::debug);
  EXPECT_EQ(ParseLevel("info"), spdlog::level::info);
  EXPECT_EQ(ParseLevel("warn"), spdlog::level::warn);
  EXPECT_EQ(ParseLevel("error"), spdlog::level::err);
  EXPECT_EQ(ParseLevel("loud"), std::nullopt);
  EXPECT_EQ(ParseFormat("json"), Format::kJson);
  EXPECT_EQ(ParseFormat("text"), Format::kText);
  EXPECT_EQ(ParseFormat("xml"), std::nullopt);
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::log
