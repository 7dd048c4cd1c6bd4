// The first run on a fresh cluster: scripts/install-crds (what scripts/run calls before it
// starts keyroll against a cluster) installs the CRD into a fake API server that has none, and
// a second run finds nothing to do.
#include <gtest/gtest.h>

#include <string>

#include "tests/manifests/manifest_files.h"
#include "tests/support/cluster.h"

namespace keyroll::testing::manifests {
namespace {
namespace KEYROLL_UNITY_ID {

TEST(InstallCrds, InstallsTheCrdIntoAFreshClusterOnce) {
  const std::string kubectl = FindOnPath("kubectl");
  ASSERT_FALSE(kubectl.empty());
  TestCluster cluster;  // the fake starts without the CRD
  if (!cluster.is_fake()) GTEST_SKIP() << "installs a CRD: only into the fake API server";
  const std::string kc = "--kubeconfig=" + cluster.kubeconfig_path();
  EXPECT_NE(RunCommand({kubectl, kc, "get", "crd", "signingkeyrotations.keyroll.dev"}).exit_code, 0);

  CommandResult first = RunCommand({SourcePath("scripts/install-crds"), "--yes", kc});
  EXPECT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("install the SigningKeyRotation CRD"), std::string::npos) << first.output;
  CommandResult listed = RunCommand({kubectl, kc, "get", "skr", "--all-namespaces"});
  EXPECT_EQ(listed.exit_code, 0) << listed.output;

  CommandResult second = RunCommand({SourcePath("scripts/install-crds"), "--yes", kc});
  EXPECT_EQ(second.exit_code, 0) << second.output;
  EXPECT_EQ(second.output, "") << "the CRD is there already";
}

TEST(InstallCrds, ScriptsRunInstallsBeforeItStartsKeyroll) {
  const std::string run = ReadFile(SourcePath("scripts/run"));
  const std::size_t install = run.find("scripts/install-crds \"${kubectl_args[@]}\"");
  ASSERT_NE(install, std::string::npos);
  EXPECT_LT(install, run.find("exec build/operator/keyroll \"$@\""));
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing::manifests
