// Failpoints: inert by default; "kill@N" SIGKILLs the process exactly at the Nth hit (checked
// in a child process: this test binary re-run in child mode); error and sleep actions.
#include "operator/runtime/failpoint.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>

#include "operator/log/logging.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace keyroll::runtime {
namespace {
namespace KEYROLL_UNITY_ID {

using namespace std::chrono_literals;

// Child mode: with KEYROLL_FAILPOINT_CHILD_HITS=N this binary passes the "after-rotate"
// failpoint N times, printing each hit, instead of running tests. It runs as a gtest
// environment so every static initializer (the failpoints' own) has run before.
class ChildMode : public ::testing::Environment {
 public:
  void SetUp() override {
    const char* hits = std::getenv("KEYROLL_FAILPOINT_CHILD_HITS");
    if (hits == nullptr) return;
    log::Setup(spdlog::level::info, log::Format::kJson);
    for (int i = 1; i <= std::atoi(hits); ++i) {
      std::printf("hit %d\n", i);
      std::fflush(stdout);
      Failpoint("before-rotate-other");
      Failpoint("after-rotate");
    }
    std::printf("survived\n");
    std::fflush(stdout);
    _exit(0);
  }
};
[[maybe_unused]] auto* const kChildMode = ::testing::AddGlobalTestEnvironment(new ChildMode);

struct ChildRun {
  int status = -1;
  std::string output;
};

ChildRun RunChild(int hits, const char* failpoints) {
  keyroll::testing::TempDir dir;
  keyroll::testing::ProcessOptions opts;
  opts.argv = {std::filesystem::read_symlink("/proc/self/exe").string()};
  opts.env["KEYROLL_FAILPOINT_CHILD_HITS"] = std::to_string(hits);
  if (failpoints) opts.env["KEYROLL_FAILPOINTS"] = failpoints;
  opts.log_path = dir.File("child.log");
  keyroll::testing::Process child(opts);
  auto status = child.Wait(30s);
  EXPECT_TRUE(status) << "the child did not finish";
  return {status.value_or(-1), child.Output()};
}

bool KilledBySigkill(int status) { return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL; }
bool ExitedZero(int status) { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }

TEST(Failpoint, KillAtTheNthHitOnly) {
  auto run = RunChild(5, "after-intent-written=kill,after-rotate=kill@2");
  EXPECT_TRUE(KilledBySigkill(run.status)) << run.output;
  EXPECT_NE(run.output.find("hit 2"), std::string::npos) << run.output;
  EXPECT_EQ(run.output.find("hit 3"), std::string::npos) << "it must die at the 2nd hit";
  EXPECT_EQ(run.output.find("survived"), std::string::npos);
  // The last words name the failpoint, as one JSON log line.
  EXPECT_NE(run.output.find(R"("msg":"failpoint: killing the process","failpoint":"after-rotate","hit":"2")"),
            std::string::npos)
      << run.output;
}

TEST(Failpoint, KillWithoutHitNumberFiresAtTheFirstHit) {
  auto run = RunChild(3, "after-rotate=kill");
  EXPECT_TRUE(KilledBySigkill(run.status)) << run.output;
  EXPECT_EQ(run.output.find("hit 2"), std::string::npos) << run.output;
}

TEST(Failpoint, NotReachedMeansNotKilled) {
  auto run = RunChild(3, "after-rotate=kill@4");
  EXPECT_TRUE(ExitedZero(run.status)) << run.output;
  EXPECT_NE(run.output.find("survived"), std::string::npos);
}

TEST(Failpoint, InertWithoutTheEnvironmentVariable) {
  auto run = RunChild(3, nullptr);
  EXPECT_TRUE(ExitedZero(run.status)) << run.output;
  EXPECT_NE(run.output.find("hit 3"), std::string::npos);
  EXPECT_EQ(run.output.find("failpoint"), std::string::npos);
}

TEST(Failpoint, ABadSpecIsReportedAndIgnored) {
  auto run = RunChild(2, "after-rotate=explode");
  EXPECT_TRUE(ExitedZero(run.status)) << run.output;
  EXPECT_NE(run.output.find("KEYROLL_FAILPOINTS ignored"), std::string::npos) << run.output;
}

TEST(Failpoint, ErrorAndSleepActionsInProcess) {
  EXPECT_FALSE(Failpoint("anything")) << "nothing configured in this process";
  ASSERT_EQ(ConfigureFailpoints("inject=error@2, nap=sleep(1)"), "");
  EXPECT_FALSE(Failpoint("inject"));
  EXPECT_TRUE(Failpoint("inject")) << "error fires on the 2nd hit";
  EXPECT_FALSE(Failpoint("inject"));
  EXPECT_FALSE(Failpoint("nap"));
  EXPECT_FALSE(Failpoint("unknown"));
  ASSERT_EQ(ConfigureFailpoints("every=error"), "");
  EXPECT_TRUE(Failpoint("every"));
  EXPECT_TRUE(Failpoint("every"));
  ASSERT_EQ(ConfigureFailpoints(""), "");
  EXPECT_FALSE(Failpoint("every")) << "an empty spec disarms";
}

TEST(Failpoint, SpecErrorsAreClear) {
  EXPECT_NE(ConfigureFailpoints("noequals").find("missing '='"), std::string::npos);
  EXPECT_NE(ConfigureFailpoints("=kill").find("empty failpoint name"), std::string::npos);
  EXPECT_NE(ConfigureFailpoints("a=kill@0").find("bad hit number"), std::string::npos);
  EXPECT_NE(ConfigureFailpoints("a=kill@x").find("bad hit number"), std::string::npos);
  EXPECT_NE(ConfigureFailpoints("a=sleep(abc)").find("bad sleep"), std::string::npos);
  EXPECT_NE(ConfigureFailpoints("a=boom").find("unknown action"), std::string::npos);
  EXPECT_FALSE(Failpoint("a")) << "a bad spec leaves everything disarmed";
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::runtime
