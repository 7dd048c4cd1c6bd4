// Dockerfile and .dockerignore: no Docker engine runs here, so these check the text — a
// Debian 12 build stage that installs through scripts/install-deps and builds the binary
// where operator/CMakeLists.txt puts it, a runtime stage FROM scratch holding the root
// filesystem scripts/image-rootfs lays out (the one scripts/image builds and image_test runs),
// the same labels and ports as scripts/image, and the same non-root user as the manifests.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/manifests/manifest_files.h"

namespace keyroll::testing::manifests {
namespace {
namespace KEYROLL_UNITY_ID {

std::string Dockerfile() { return ReadFile(SourcePath("Dockerfile")); }

bool Has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

TEST(Dockerfile, BuildStageUsesTheProjectsDependencyScript) {
  const std::string text = Dockerfile();
  EXPECT_TRUE(Has(text, "\nFROM debian:12 AS build\n"));
  EXPECT_TRUE(Has(text, "COPY scripts/install-deps /tmp/install-deps"));
  EXPECT_TRUE(Has(text, "RUN /tmp/install-deps --build-only"));
  EXPECT_TRUE(Has(text, "-DCMAKE_BUILD_TYPE=Release"));
  EXPECT_TRUE(Has(text, "--target keyroll"));
}

TEST(Dockerfile, BinaryPathMatchesWhereCMakeBuildsIt) {
  // operator/CMakeLists.txt defines the keyroll executable, so it lands in <build>/operator/.
  EXPECT_TRUE(Has(ReadFile(SourcePath("operator/CMakeLists.txt")), "add_executable(keyroll "));
  EXPECT_TRUE(Has(Dockerfile(), "scripts/image-rootfs /build/operator/keyroll /rootfs"));
}

// The labels (org.opencontainers.image.*) a file sets, in any order.
std::set<std::string> OciLabels(const std::string& text) {
  static const std::regex label(R"((org\.opencontainers\.image\.[a-z]+)=)");
  std::set<std::string> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), label); it != std::sregex_iterator(); ++it) {
    out.insert((*it)[1]);
  }
  return out;
}

TEST(Dockerfile, RuntimeStageIsTheRootFilesystemScriptsImageBuilds) {
  const std::string text = Dockerfile();
  EXPECT_TRUE(Has(text, "\nFROM scratch\n"));
  EXPECT_GT(text.rfind("\nFROM scratch\n"), text.find("\nFROM debian:12 AS build\n"));
  EXPECT_TRUE(Has(text, "\nCOPY --from=build /rootfs /\n"));
  const std::string image = ReadFile(SourcePath("scripts/image"));
  EXPECT_TRUE(Has(image, "scripts/image-rootfs \"$binary\" \"$work/rootfs\""));
  EXPECT_EQ(OciLabels(text), OciLabels(image));
  EXPECT_EQ(OciLabels(text).size(), 5u);
  EXPECT_TRUE(Has(text, "\nEXPOSE 8080/tcp 8081/tcp\n"));
  EXPECT_TRUE(Has(image, "--port 8080/tcp --port 8081/tcp"));
  EXPECT_TRUE(Has(image, "--user 65532:65532"));
  EXPECT_TRUE(Has(image, "--entrypoint '[\"/usr/local/bin/keyroll\"]'"));
}

TEST(Dockerfile, RunsAsTheManifestsNonRootUser) {
  const std::string text = Dockerfile();
  EXPECT_TRUE(Has(text, "\nUSER 65532:65532\n"));
  EXPECT_TRUE(Has(text, "\nENTRYPOINT [\"/usr/local/bin/keyroll\"]\n"));
  EXPECT_TRUE(Has(ReadFile(SourcePath("deploy/deployment.yaml")), "runAsUser: 65532"));
  // The user is set after the last FROM, so it applies to the runtime image.
  EXPECT_GT(text.rfind("USER 65532"), text.rfind("\nFROM "));
}

TEST(Dockerfile, IgnoreFileKeepsBuildOutputAndGitOut) {
  const std::string ignore = ReadFile(SourcePath(".dockerignore"));
  for (const char* entry : {"\n.git\n", "\nbuild/\n", "\nbuild-*/\n"}) {
    EXPECT_TRUE(Has("\n" + ignore, entry)) << entry;
  }
  // What the build needs must stay in the context.
  for (const char* kept : {"operator", "CMakeLists.txt", "scripts", "tests"}) {
    EXPECT_FALSE(Has(ignore, std::string("\n") + kept + "\n")) << kept;
  }
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing::manifests
