// The shipped keyroll has no failpoints: with them, anyone who can set an environment
// variable could make the operator SIGKILL itself at a chosen step. keyroll-failpoints,
// which the e2e and robustness harness starts, has them.
#include <fstream>
#include <sstream>

#include "tests/integration/controller_fixture.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

std::string Contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ReleaseBinary, ReadsNoFailpointVariable) {
  const std::string release = Contents(BuiltBinary("keyroll"));
  ASSERT_FALSE(release.empty());
  EXPECT_EQ(release.find("KEYROLL_FAILPOINTS"), std::string::npos);
  // The check would see the variable if it were there.
  EXPECT_NE(Contents(BuiltBinary("keyroll-failpoints")).find("KEYROLL_FAILPOINTS"), std::string::npos);
}

TEST_F(ControllerTest, ReleaseBinarySurvivesAFailpointThatWouldKillIt) {
  StartKeyroll({{"KEYROLL_FAILPOINTS", "before-provider-read=kill"}});
  CreateSkr("payments", QStashSpec());
  ASSERT_TRUE(WaitUntil([&] { return ConditionIs("payments", "Ready", "True"); }, 30s)) << Log();
  EXPECT_TRUE(keyroll_->running());
  EXPECT_EQ(Log().find("failpoint"), std::string::npos) << Log();
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
