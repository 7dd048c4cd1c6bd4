// crd_check: a manifest file against keyroll's CRD (crds/) as a real API server admits it
// under strict field validation (kubectl's default), without an API server:
//   1. unknown fields: a 400 UnknownField each, and nothing else is checked;
//   2. defaults, then the structural schema: the fake API server's CrdSchema (crd_schema.h);
//   3. unless a blocking schema error (as apiextensions-apiserver: type, required, enum, too
//      long, too many), every x-kubernetes-validations rule, by a real CEL evaluator
//      (@bufbuild/cel through tests/manifests/cel/cel-check.cjs; scripts/install-tools).
// Several files are checked with one node process.
#pragma once

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/fakes/kube/crd_schema.h"
#include "tests/fakes/kube/yaml_json.h"
#include "tests/manifests/manifest_files.h"
#include "tests/support/temp_dir.h"

namespace keyroll::testing::manifests {

struct CrdCheck {
  std::vector<SchemaError> errors;  // code, field, reason, message (as the API server words them)
  int cel_evaluated = 0;            // CEL rules evaluated on this object
  std::vector<std::string> cel_rules_failed;  // the rule text of each CEL failure
};

struct CrdCheckRun {
  bool ran = false;    // false: the CEL evaluator could not run (see output)
  std::string output;  // the evaluator's output, for messages
  std::map<std::string, CrdCheck> by_file;
};

inline nlohmann::json CrdOpenApi() {
  static const nlohmann::json crd = fakes::ParseYamlDocuments(ReadFile(Crd())).at(0);
  return crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
}

inline CrdCheckRun CheckAgainstCrd(const std::vector<std::string>& files) {
  using json = nlohmann::json;
  CrdCheckRun run;
  const fakes::CrdSchema schema(CrdOpenApi());
  json cel_input = {{"schema", CrdOpenApi()}, {"objects", json::array()}};
  std::vector<std::string> cel_files;
  for (const auto& file : files) {
    CrdCheck& check = run.by_file[file];
    json object = fakes::ParseYamlDocuments(ReadFile(file)).at(0);
    auto unknown = schema.PruneAndDefault(object);
    for (const auto& field : unknown) {
      check.errors.push_back({"400", field, "UnknownField", "strict decoding error: unknown field \"" + field + "\""});
    }
    if (!unknown.empty()) continue;
    bool blocking = false;
    for (const auto& c : schema.Validate(object)) {
      if (c.field == "<nil>") {
        blocking = true;  // the "rules not checked" cause: CEL is skipped, as on a server
        continue;
      }
      check.errors.push_back({"422", c.field, c.reason, c.message});
    }
    if (blocking) continue;
    cel_input["objects"].push_back(object);
    cel_files.push_back(file);
  }
  const std::string cel_dir = ToolPath("cel");
  if (cel_dir.empty()) {
    run.output = "no CEL evaluator: run scripts/install-tools (it unpacks @bufbuild/cel into $KEYROLL_TOOLS_DIR/cel)";
    return run;
  }
  const std::string node = FindOnPath("node");
  if (node.empty()) {
    run.output = "node is not on PATH (scripts/install-deps installs npm and node)";
    return run;
  }
  TempDir dir;
  const std::string input = dir.Write("cel-input.json", cel_input.dump());
  CommandResult cel = RunCommand({node, SourcePath("tests/manifests/cel/cel-check.cjs"), cel_dir, input});
  run.output = cel.output;
  if (cel.exit_code != 0) return run;
  std::istringstream lines(cel.output);
  size_t i = 0;
  for (std::string line; std::getline(lines, line) && i < cel_files.size(); ++i) {
    json result = json::parse(line, nullptr, false);
    if (!result.is_object()) return run;
    CrdCheck& check = run.by_file[cel_files[i]];
    check.cel_evaluated = result["evaluated"].get<int>();
    for (const auto& f : result["failures"]) {
      check.errors.push_back({"422", f["field"].get<std::string>().empty() ? "<root>" : f["field"].get<std::string>(),
                              "FieldValueInvalid", "Invalid value: \"object\": " + f["message"].get<std::string>()});
      check.cel_rules_failed.push_back(f["rule"].get<std::string>() + (f["why"] == "false" ? "" : " (" + f["why"].get<std::string>() + ")"));
    }
  }
  run.ran = i == cel_files.size();
  return run;
}

}  // namespace keyroll::testing::manifests
