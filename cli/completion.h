// completion: `kubectl keyroll completion bash|zsh` — a shell script that completes the
// subcommands and flags of kubectl-keyroll (and, for kubectl's own plugin completion, of
// `kubectl keyroll`).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace keyroll::cli {

// nullopt for an unknown shell.
std::optional<std::string> CompletionScript(const std::string& shell);

// For `kubectl keyroll <TAB>` (kubectl 1.26+ runs kubectl_complete-keyroll, which calls
// `kubectl-keyroll __complete ARGS... CURRENT`): the candidates, one a line, then cobra's
// ":4" directive (no file names). Subcommands first, flags for a word starting with '-'.
std::string CompleteWords(const std::vector<std::string>& args);

}  // namespace keyroll::cli
