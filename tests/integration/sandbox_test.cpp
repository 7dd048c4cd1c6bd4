// The sandbox is what a person sees first (scripts/run with no cluster): its whole timeline
// must complete against the real keyroll binary — Secret written, both consumers (a
// Deployment and a StatefulSet) restarted, rotation held while the Deployment is stale, one
// rotation, zero rejected deliveries to either — and show no key material.
#include <gtest/gtest.h>

#include <regex>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

int CountOf(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

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
  EXPECT_NE(out.find("keyroll restarted Deployment demo/demo-consumer and StatefulSet demo/demo-ledger"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("demo-ledger rolled out: its pod started with current"), std::string::npos) << out;
  // The StatefulSet rolled out, the held Deployment did not: one of two consumers ready.
  EXPECT_NE(out.find("rotation held: RotationAllowed=False, reason ConsumerStale (consumers ready 1/2)"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("Secret updated, both consumers restarted with the new keys, phase Ready"), std::string::npos)
      << out;
  // Both consumers got deliveries after the rotation (each pod started twice: before and after).
  EXPECT_GE(CountOf(out, "demo-ledger rolled out"), 2) << out;
  EXPECT_GE(CountOf(out, "demo-consumer rolled out"), 2) << out;
  EXPECT_NE(out.find("QStash rotations so far: 0"), std::string::npos) << out;
  EXPECT_NE(out.find("keyroll rotated at QStash"), std::string::npos) << out;
  EXPECT_TRUE(std::regex_search(out, std::regex(R"(deliveries: (\d+) published, \1 verified, 0 rejected)")))
      << out;
  // The timeline shows fingerprints only: no QStash key (sig_...) appears anywhere in it.
  EXPECT_EQ(out.find("sig_"), std::string::npos) << out;
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
