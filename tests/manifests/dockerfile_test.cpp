// Dockerfile and .dockerignore: no Docker engine runs here, so these check the text — a
// Debian 12 build stage that installs through scripts/install-deps and builds the binary
// where operator/CMakeLists.txt puts it, a slim runtime stage with runtime libraries only,
// and the same non-root user as the manifests.
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/manifests/manifest_files.h"

namespace keyroll::testing::manifests {
namespace {

std::string Dockerfile() { return ReadFile(SourcePath("Dockerfile")); }

bool Has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

TEST(Dockerfile, BuildStageUsesTheProjectsDependencyScript) {
  const std::string text = Dockerfile();
  EXPECT_TRUE(Has(text, "\nFROM debian:12 AS build\n"));
  EXPECT_TRUE(Has(text, "COPY scripts/install-deps /tmp/install-deps"));
  EXPECT_TRUE(Has(text, "RUN /tmp/install-deps"));
  EXPECT_TRUE(Has(text, "-DCMAKE_BUILD_TYPE=Release"));
  EXPECT_TRUE(Has(text, "--target keyroll"));
}

TEST(Dockerfile, BinaryPathMatchesWhereCMakeBuildsIt) {
  // operator/CMakeLists.txt defines the keyroll executable, so it lands in <build>/operator/.
  EXPECT_TRUE(Has(ReadFile(SourcePath("operator/CMakeLists.txt")), "add_executable(keyroll "));
  EXPECT_TRUE(Has(Dockerfile(), "install -m 0755 /build/operator/keyroll /usr/local/bin/keyroll"));
}

TEST(Dockerfile, RuntimeStageIsSlimWithRuntimeLibrariesOnly) {
  const std::string text = Dockerfile();
  EXPECT_TRUE(Has(text, "\nFROM debian:12-slim\n"));
  std::smatch m;
  ASSERT_TRUE(std::regex_search(text, m, std::regex(R"(ARG RUNTIME_PACKAGES="([^"]+)\")")));
  std::string list = std::regex_replace(m[1].str(), std::regex(R"(\\\n)"), " ");
  std::istringstream words(list);
  std::vector<std::string> packages;
  for (std::string p; words >> p;) packages.push_back(p);
  EXPECT_GE(packages.size(), 8u);
  for (const std::string& p : packages) {
    EXPECT_EQ(p.find("-dev"), std::string::npos) << p << ": no -dev packages at run time";
  }
  for (const char* needed : {"ca-certificates", "tzdata", "libssl3", "libyaml-cpp0.7",
                             "libcpp-httplib0.11", "libspdlog1.10", "libfmt9"}) {
    EXPECT_NE(std::find(packages.begin(), packages.end(), needed), packages.end()) << needed;
  }
  EXPECT_TRUE(Has(text, "apt-get install -y --no-install-recommends $RUNTIME_PACKAGES"));
  EXPECT_TRUE(Has(text, "ldd /usr/local/bin/keyroll")) << "the build checks the library list";
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

}  // namespace
}  // namespace keyroll::testing::manifests
