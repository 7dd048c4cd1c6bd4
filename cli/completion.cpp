// completion.cpp — see completion.h. Static word lists: the command set is small and a
// script that never calls the cluster completes instantly.
#include "cli/completion.h"

namespace keyroll::cli {
namespace {

constexpr const char* kCommands = "status why rotate inspect verify check completion version";
constexpr const char* kFlags =
    "--kubeconfig --context --namespace -n --all-namespaces -A --output -o --wait --timeout "
    "--signature --body --url --read-provider --provider-ca-file --operator-namespace --lease-name --help";

std::vector<std::string> Split(const std::string& words) {
  std::vector<std::string> out;
  for (size_t i = 0, j; i < words.size(); i = j + 1) {
    j = words.find(' ', i);
    if (j == std::string::npos) j = words.size();
    out.push_back(words.substr(i, j - i));
  }
  return out;
}

}  // namespace

std::string CompleteWords(const std::vector<std::string>& args) {
  const std::string current = args.empty() ? "" : args.back();
  const bool first = args.size() <= 1;
  std::string out;
  if (first || current.rfind('-', 0) == 0)
    for (const auto& w : Split(first && current.rfind('-', 0) != 0 ? kCommands : kFlags))
      if (w.rfind(current, 0) == 0) out += w + "\n";
  return out + ":4\n";  // cobra's ShellCompDirectiveNoFileComp
}

std::optional<std::string> CompletionScript(const std::string& shell) {
  const std::string words = std::string(kCommands) + " " + kFlags;
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
