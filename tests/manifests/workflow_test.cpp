// .github/workflows/release.yaml cannot run here (no GitHub): it parses, actionlint finds
// nothing in it, and it does what a release needs — checks the tag against scripts/version,
// builds and pushes the image from the Dockerfile with an SBOM, pushes the chart as OCI.
#include <gtest/gtest.h>

#include <string>

#include "tests/manifests/manifest_files.h"

namespace keyroll::testing::manifests {
namespace {
namespace KEYROLL_UNITY_ID {

const char* const kWorkflow = ".github/workflows/release.yaml";

TEST(ReleaseWorkflow, ParsesAndHasTheReleaseJobs) {
  YAML::Node workflow = YAML::LoadFile(SourcePath(kWorkflow));
  EXPECT_EQ(workflow["on"]["push"]["tags"][0].as<std::string>(), "v*.*.*");
  for (const char* job : {"version", "image", "chart", "release"}) {
    EXPECT_TRUE(workflow["jobs"][job]["runs-on"]) << job;
  }
  const std::string text = ReadFile(SourcePath(kWorkflow));
  for (const char* needle : {"version=$(scripts/version)", "docker/build-push-action@", "sbom: true",
                             "REVISION=${{ github.sha }}", "helm package helm/keyroll",
                             "helm push \"dist/keyroll-${VERSION}.tgz\" \"${CHARTS}\"",
                             "format: spdx-json"}) {
    EXPECT_NE(text.find(needle), std::string::npos) << needle;
  }
}

TEST(ReleaseWorkflow, ActionlintFindsNothing) {
  const std::string actionlint = ToolPath("actionlint/node.cjs");
  const std::string node = FindOnPath("node");
  ASSERT_FALSE(actionlint.empty()) << "actionlint: run scripts/install-tools";
  ASSERT_FALSE(node.empty()) << "node";
  const std::string package = actionlint.substr(0, actionlint.rfind('/'));
  CommandResult run = RunCommand({node, SourcePath("tests/manifests/actionlint.cjs"), package,
                                  SourcePath(kWorkflow)});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  // And it does find mistakes.
  TempDir dir;
  CommandResult bad = RunCommand({node, SourcePath("tests/manifests/actionlint.cjs"), package,
                                  dir.Write("bad.yaml", "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
                                                        "    steps:\n      - run: echo ${{ github.nope }}\n")});
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing::manifests
