// skip_report: every skipped test with its reason (GTEST_SKIP's message), listed at the end of
// the run and appended to $KEYROLL_SKIP_LOG when set (ctest runs one process per test: scripts/test
// prints that file after the suite). Under KEYROLL_TEST_KUBECONFIG this is the list of what the
// run could not check on the real cluster (faults and counters exist only on the fake).
// An OBJECT library: linked into every test executable, it registers itself before main.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace keyroll::testing {
namespace {

class SkipReport : public ::testing::EmptyTestEventListener {
 public:
  void OnTestEnd(const ::testing::TestInfo& info) override {
    if (!info.result()->Skipped()) return;
    std::string reason;
    for (int i = 0; i < info.result()->total_part_count(); ++i) {
      const auto& part = info.result()->GetTestPartResult(i);
      if (part.skipped()) reason = part.message();
    }
    for (char& c : reason)
      if (c == '\n') c = ' ';
    lines_.push_back(std::string(info.test_suite_name()) + "." + info.name() + ": " +
                     (reason.empty() ? "(no reason given)" : reason));
    if (const char* log = std::getenv("KEYROLL_SKIP_LOG"); log && *log) {
      std::ofstream(log, std::ios::app) << Mode() << "\t" << lines_.back() << "\n";
    }
  }
  void OnTestProgramEnd(const ::testing::UnitTest&) override {
    if (lines_.empty()) return;
    std::printf("[  SKIPPED ] %zu test(s) skipped checks %s:\n", lines_.size(), Mode().c_str());
    for (const auto& line : lines_) std::printf("[  SKIPPED ]   %s\n", line.c_str());
    std::fflush(stdout);
  }

 private:
  static std::string Mode() {
    const char* real = std::getenv("KEYROLL_TEST_KUBECONFIG");
    return real && *real ? "on the real cluster (KEYROLL_TEST_KUBECONFIG)" : "on the fakes";
  }
  std::vector<std::string> lines_;
};

const bool registered = [] {
  ::testing::UnitTest::GetInstance()->listeners().Append(new SkipReport);
  return true;
}();

}  // namespace
}  // namespace keyroll::testing
