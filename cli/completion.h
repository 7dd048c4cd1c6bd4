// completion: `kubectl keyroll completion bash|zsh` — a shell script that completes the
// subcommands and flags of kubectl-keyroll (and, for kubectl's own plugin completion, of
// `kubectl keyroll`).
#pragma once

#include <optional>
#include <string>

namespace keyroll::cli {

// nullopt for an unknown shell.
std::optional<std::string> CompletionScript(const std::string& shell);

}  // namespace keyroll::cli
