// One version everywhere: `keyroll --version`, scripts/version (the image tag scripts/image
// uses), the chart's appVersion, deploy/'s image tag (kustomization and Deployment) and the
// Dockerfile's VERSION label all say the version in CMakeLists.txt's project().
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "tests/manifests/manifest_files.h"

namespace keyroll::testing::manifests {
namespace {
namespace KEYROLL_UNITY_ID {

std::string ProjectVersion() {
  std::smatch m;
  const std::string cmake = ReadFile(SourcePath("CMakeLists.txt"));
  EXPECT_TRUE(std::regex_search(cmake, m, std::regex(R"(project\(keyroll VERSION ([0-9.]+) )")));
  return m[1];
}

TEST(Version, IsTheSameEverywhere) {
  const std::string version = ProjectVersion();
  ASSERT_FALSE(version.empty());

  CommandResult binary = RunCommand({BuiltBinary("keyroll"), "--version"});
  EXPECT_EQ(binary.exit_code, 0) << binary.output;
  EXPECT_EQ(binary.output, "keyroll " + version + "\n");

  EXPECT_EQ(RunCommand({SourcePath("scripts/version")}).output, version + "\n");
  EXPECT_NE(ReadFile(SourcePath("scripts/image")).find("\"keyroll:$version\""), std::string::npos)
      << "scripts/image tags the image with scripts/version";

  YAML::Node chart = YAML::LoadFile(SourcePath("helm/keyroll/Chart.yaml"));
  EXPECT_EQ(chart["appVersion"].as<std::string>(), version);
  EXPECT_EQ(YAML::LoadFile(SourcePath("helm/keyroll/values.yaml"))["image"]["tag"].as<std::string>(), "")
      << "the chart's image tag defaults to its appVersion";

  YAML::Node kustomization = YAML::LoadFile(SourcePath("deploy/kustomization.yaml"));
  ASSERT_EQ(kustomization["images"].size(), 1u);
  EXPECT_EQ(kustomization["images"][0]["name"].as<std::string>(), "keyroll");
  EXPECT_EQ(kustomization["images"][0]["newTag"].as<std::string>(), version);
  EXPECT_NE(ReadFile(SourcePath("deploy/deployment.yaml")).find("image: keyroll:" + version + "\n"),
            std::string::npos);

  EXPECT_NE(ReadFile(SourcePath("Dockerfile")).find("\nARG VERSION=" + version + "\n"), std::string::npos);
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing::manifests
