// Signals: SIGTERM/SIGINT request a clean shutdown; a second signal exits at once with 1.
// Checked in a child process (this test binary re-run in child mode).
#include "operator/runtime/signals.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace keyroll::runtime {
namespace {
namespace KEYROLL_UNITY_ID {

using namespace std::chrono_literals;

// Child mode (KEYROLL_SIGNALS_CHILD=clean|stuck): wait for a shutdown signal, then either
// exit 0 or hang as an operator stuck while stopping would.
class ChildMode : public ::testing::Environment {
 public:
  void SetUp() override {
    const char* mode = std::getenv("KEYROLL_SIGNALS_CHILD");
    if (mode == nullptr) return;
    static ShutdownSignal shutdown;
    if (!InstallShutdownHandlers(shutdown)) _exit(3);
    std::printf("ready\n");
    std::fflush(stdout);
    shutdown.Wait();
    std::printf("shutdown: %s\n", shutdown.Reason().c_str());
    std::fflush(stdout);
    if (std::strcmp(mode, "stuck") == 0) {
      while (true) std::this_thread::sleep_for(1s);
    }
    _exit(0);
  }
};
[[maybe_unused]] auto* const kChildMode = ::testing::AddGlobalTestEnvironment(new ChildMode);

keyroll::testing::ProcessOptions ChildOptions(const std::string& mode,
                                              const keyroll::testing::TempDir& dir) {
  keyroll::testing::ProcessOptions opts;
  opts.argv = {std::filesystem::read_symlink("/proc/self/exe").string()};
  opts.env["KEYROLL_SIGNALS_CHILD"] = mode;
  opts.log_path = dir.File("child.log");
  return opts;
}

bool Has(keyroll::testing::Process& p, const std::string& text) {
  return p.Output().find(text) != std::string::npos;
}

TEST(Signals, SigtermRequestsACleanShutdown) {
  keyroll::testing::TempDir dir;
  keyroll::testing::Process child(ChildOptions("clean", dir));
  ASSERT_TRUE(keyroll::testing::WaitUntil([&] { return Has(child, "ready"); }, 30s));
  ASSERT_EQ(kill(child.pid(), SIGTERM), 0);
  auto status = child.Wait(30s);
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << child.Output();
  EXPECT_TRUE(Has(child, "shutdown: SIGTERM")) << child.Output();
}

TEST(Signals, SigintNamesItself) {
  keyroll::testing::TempDir dir;
  keyroll::testing::Process child(ChildOptions("clean", dir));
  ASSERT_TRUE(keyroll::testing::WaitUntil([&] { return Has(child, "ready"); }, 30s));
  ASSERT_EQ(kill(child.pid(), SIGINT), 0);
  auto status = child.Wait(30s);
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << child.Output();
  EXPECT_TRUE(Has(child, "shutdown: SIGINT")) << child.Output();
}

TEST(Signals, ASecondSignalExitsAtOnceWithStatusOne) {
  keyroll::testing::TempDir dir;
  keyroll::testing::Process child(ChildOptions("stuck", dir));
  ASSERT_TRUE(keyroll::testing::WaitUntil([&] { return Has(child, "ready"); }, 30s));
  ASSERT_EQ(kill(child.pid(), SIGTERM), 0);
  ASSERT_TRUE(keyroll::testing::WaitUntil([&] { return Has(child, "shutdown: SIGTERM"); }, 30s));
  EXPECT_TRUE(child.running()) << "the first signal only asks";
  ASSERT_EQ(kill(child.pid(), SIGTERM), 0);
  auto status = child.Wait(30s);
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 1) << child.Output();
}

TEST(ShutdownSignal, RequestWakesWaitersAndKeepsTheFirstReason) {
  ShutdownSignal s;
  EXPECT_FALSE(s.Requested());
  EXPECT_FALSE(s.WaitFor(1ms));
  std::thread waiter([&] { s.Wait(); });
  s.Request("lost leadership");
  s.Request("SIGTERM");
  waiter.join();
  EXPECT_TRUE(s.Requested());
  EXPECT_TRUE(s.WaitFor(0ms));
  EXPECT_EQ(s.Reason(), "lost leadership");
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::runtime
