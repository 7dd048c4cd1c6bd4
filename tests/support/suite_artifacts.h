// suite_artifacts: what the whole-suite secrecy scan (scripts/secrecy-scan) reads. When
// KEYROLL_TEST_ARTIFACTS_DIR is set (scripts/test sets it), tests leave there every keyroll
// log (Process), keyroll's last /metrics (KeyrollOperator) and every Event and
// SigningKeyRotation (status included) of the cluster before its teardown (TestCluster).
// Unset: nothing is kept.
#pragma once

#include <string>

namespace keyroll::testing {

// Writes `text` to <dir>/<kind>-<pid>-<n>.txt; does nothing when the variable is unset.
void SaveSuiteArtifact(const std::string& kind, const std::string& text);
// Copies the file at `path` the same way (a missing file is skipped).
void SaveSuiteArtifactFile(const std::string& kind, const std::string& path);
bool SuiteArtifactsWanted();

}  // namespace keyroll::testing
