// The sandbox is what a person sees first (scripts/run with no cluster): its whole timeline
// must complete against the real keyroll binary — Secret written, rotation held while the
// consumer is stale, one rotation, zero rejected deliveries — and show no key material.
#include <gtest/gtest.h>

#include <regex>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace keyroll::testing {
namespace {

TEST(Sandbox, TimelineCompletesWithZeroRejectedDeliveries) {
  TempDir dir;
  Process sandbox({{BuiltBinary("keyroll-sandbox"), "--once", "--state-dir", dir.File("state"),
                    "--keyroll", BuiltBinary("keyroll"), "--demo-consumer", BuiltBinary("demo-consumer")},
                   {},
                   dir.File("sandbox.out")});
  auto status = sandbox.Wait(std::chrono::seconds(240));
  std::string out = sandbox.Output();
  ASSERT_TRUE(status.has_value()) << "sandbox did not finish:\n" << out;
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << out;

  EXPECT_NE(out.find("keyroll wrote Secret demo/qstash-signing-keys"), std::string::npos) << out;
  EXPECT_NE(out.find("rotation held: RotationAllowed=False, reason ConsumerStale"), std::string::npos) << out;
  EXPECT_NE(out.find("QStash rotations so far: 0"), std::string::npos) << out;
  EXPECT_NE(out.find("keyroll rotated at QStash"), std::string::npos) << out;
  EXPECT_TRUE(std::regex_search(out, std::regex(R"(deliveries: (\d+) published, \1 verified, 0 rejected)")))
      << out;
  // The timeline shows fingerprints only: no QStash key (sig_...) appears anywhere in it.
  EXPECT_EQ(out.find("sig_"), std::string::npos) << out;
}

}  // namespace
}  // namespace keyroll::testing
