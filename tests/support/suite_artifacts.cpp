#include "tests/support/suite_artifacts.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace keyroll::testing {
namespace {

const char* Dir() {
  const char* d = std::getenv("KEYROLL_TEST_ARTIFACTS_DIR");
  return d && *d ? d : nullptr;
}

}  // namespace

bool SuiteArtifactsWanted() { return Dir() != nullptr; }

void SaveSuiteArtifact(const std::string& kind, const std::string& text) {
  const char* dir = Dir();
  if (!dir) return;
  static std::atomic<int> counter{0};
  std::filesystem::create_directories(dir);
  std::ofstream out(std::string(dir) + "/" + kind + "-" + std::to_string(getpid()) + "-" +
                    std::to_string(++counter) + ".txt");
  out << text;
}

void SaveSuiteArtifactFile(const std::string& kind, const std::string& path) {
  if (!Dir() || path.empty()) return;
  std::ifstream in(path);
  if (!in) return;
  std::ostringstream text;
  text << in.rdbuf();
  SaveSuiteArtifact(kind, text.str());
}

}  // namespace keyroll::testing
