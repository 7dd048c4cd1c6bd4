// Fuzzes the kubeconfig parser (yaml-cpp underneath): any text, never a crash or a throw.
#include <cstddef>
#include <cstdint>
#include <string>

#include "operator/kube/kubeconfig.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto config = keyroll::kube::ParseKubeconfig(text, "/nonexistent-fuzz-dir", "", "fuzz");
  (void)config;
  return 0;
}
