// The per-resource gauges the alerts read, from the real keyroll process's /metrics:
// keyroll_rotation_blocked goes to 1 with the gate's reason while a requested rotation waits
// for a held consumer and back to 0 (reason "") once it ran; keyroll_resource_ready follows
// the Ready condition; keyroll_max_key_age_seconds is the resource's maxKeyAge; and every
// series of a deleted resource disappears.
#include <gtest/gtest.h>

#include <optional>
#include <sstream>

#include "tests/support/e2e_environment.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

constexpr const char* kSecret = "qstash-signing-keys";

// The value of the sample `family{name="NAME",namespace="NS"<more>}`, if scraped.
std::optional<std::string> Sample(const std::string& metrics, const std::string& family, const std::string& ns,
                                  const std::string& name, const std::string& more = "") {
  const std::string prefix = family + "{name=\"" + name + "\",namespace=\"" + ns + "\"" + more + "} ";
  std::istringstream lines(metrics);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind(prefix, 0) == 0) return line.substr(prefix.size());
  return std::nullopt;
}

TEST(E2EResourceGauges, BlockedReadyAndMaxKeyAgeFollowTheResourceAndGoWithIt) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env;
  KEYROLL_SKIP_UNLESS_SIMULATED_ROLLOUTS(env, "a rollout held back (Hold)");
  env.CreateDeployment(MakeDeployment("api", kSecret, SecretUse::kEnvFrom));
  ASSERT_TRUE(WaitUntil([&] { return env.workloads().Rollouts().size() == 1; }));
  env.workloads().Hold("api");  // the restart keyroll asks for will not finish yet
  json resource = MakeQStashSkr("payments", env.qstash_url(), kSecret, {"api"});
  resource["spec"]["rotation"]["maxKeyAge"] = "720h";
  env.CreateSkr(resource);
  const std::string ns = env.ns();
  std::string text;
  auto scrape = [&] { return text = env.keyroll().Metrics().body; };

  // Synced, api stale: not Ready; nothing is due, so nothing is blocked.
  ASSERT_TRUE(WaitUntil([&] {
    scrape();
    return Sample(text, "keyroll_resource_ready", ns, "payments") == "0" &&
           Sample(text, "keyroll_rotation_blocked", ns, "payments", ",reason=\"\"") == "0";
  })) << text;
  EXPECT_EQ(Sample(text, "keyroll_max_key_age_seconds", ns, "payments"), "2592000");
  EXPECT_TRUE(Sample(text, "keyroll_key_age_seconds", ns, "payments")) << text;

  // A requested rotation waits for api: blocked, with the gate's reason.
  RequestRotation(env.kube(), ns, "payments", "r1");
  ASSERT_TRUE(WaitUntil([&] {
    return Sample(scrape(), "keyroll_rotation_blocked", ns, "payments", ",reason=\"ConsumerStale\"") == "1";
  })) << text;
  EXPECT_FALSE(Sample(text, "keyroll_rotation_blocked", ns, "payments", ",reason=\"\"")) << "one series at a time";
  EXPECT_EQ(Sample(text, "keyroll_resource_ready", ns, "payments"), "0");
  EXPECT_EQ(env.account().rotations, 0);

  // api rolls out: the rotation runs, and the gauges go back.
  env.workloads().Release("api");
  env.WaitSkr("payments", [](const json& s) {
    return IsReadyAndSynced(s) && StrAt(s, "/status/lastHandledRequestID") == "r1";
  }, std::chrono::seconds(30));
  ASSERT_TRUE(WaitUntil([&] {
    scrape();
    return Sample(text, "keyroll_resource_ready", ns, "payments") == "1" &&
           Sample(text, "keyroll_rotation_blocked", ns, "payments", ",reason=\"\"") == "0";
  })) << text;
  EXPECT_EQ(text.find("reason=\"ConsumerStale\""), std::string::npos) << text;
  EXPECT_EQ(env.account().rotations, 1);

  // Deleted: no series of it is left.
  ASSERT_TRUE(env.kube().Delete(kube::resources::kSigningKeyRotations, ns, "payments").ok());
  ASSERT_TRUE(WaitUntil([&] { return scrape().find("namespace=\"" + ns + "\"") == std::string::npos; })) << text;
  EXPECT_NE(text.find("keyroll_build_info"), std::string::npos);
  EXPECT_EQ(env.FindLeaks(), std::vector<std::string>{});
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
