// completion.cpp — see completion.h. Static word lists: the command set is small and a
// script that never calls the cluster completes instantly.
#include "cli/completion.h"

namespace keyroll::cli {
namespace {

constexpr const char* kWords =
    "status why rotate inspect verify check completion version "
    "--kubeconfig --context --namespace -n --all-namespaces -A --output -o --wait --timeout "
    "--signature --body --url --help";

}  // namespace

std::optional<std::string> CompletionScript(const std::string& shell) {
  const std::string words = kWords;
  if (shell == "bash")
    return "# kubectl-keyroll bash completion: source <(kubectl keyroll completion bash)\n"
           "_kubectl_keyroll() {\n"
           "  local cur=${COMP_WORDS[COMP_CWORD]}\n"
           "  COMPREPLY=( $(compgen -W \"" +
           words +
           "\" -- \"$cur\") )\n"
           "}\n"
           "complete -F _kubectl_keyroll kubectl-keyroll\n";
  if (shell == "zsh")
    return "#compdef kubectl-keyroll\n"
           "# kubectl-keyroll zsh completion: source <(kubectl keyroll completion zsh)\n"
           "_kubectl_keyroll() { compadd -- " +
           words +
           " }\n"
           "compdef _kubectl_keyroll kubectl-keyroll\n";
  return std::nullopt;
}

}  // namespace keyroll::cli
