// secret_readers.cpp — see secret_readers.h.
#include "operator/controller/secret_readers.h"

#include <algorithm>

#include "operator/kube/client.h"
#include "operator/rotation/discovery.h"

namespace keyroll::controller {
namespace {

std::string Prefix(const std::string& ns, const std::string& secret) {
  std::string p = ns;
  p += '\0';
  p += secret;
  p += '\0';
  return p;
}

// The (Secret, reader) pairs of one workload, sorted and unique. The reader is its kind as
// one digit, then its name.
std::vector<std::string> PairsOf(rotation::WorkloadKind kind, const nlohmann::json& workload) {
  const std::string ns = kube::NamespaceOf(workload);
  const std::string reader = static_cast<char>('0' + static_cast<int>(kind)) + kube::NameOf(workload);
  std::vector<std::string> pairs;
  for (const auto& secret : rotation::SecretsReadBy(workload)) pairs.push_back(Prefix(ns, secret) + reader);
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  return pairs;
}

}  // namespace

void SecretReaders::Add(rotation::WorkloadKind kind, const nlohmann::json& workload) {
  std::vector<std::string> pairs = PairsOf(kind, workload);
  std::lock_guard lock(mu_);
  for (auto& p : pairs) pairs_.insert(std::move(p));
}

void SecretReaders::Update(rotation::WorkloadKind kind, const nlohmann::json& old_workload,
                           const nlohmann::json& new_workload) {
  std::vector<std::string> before = PairsOf(kind, old_workload), after = PairsOf(kind, new_workload);
  if (before == after) return;  // most updates (status, replicas) change no Secret read
  std::lock_guard lock(mu_);
  for (const auto& p : before) pairs_.erase(p);
  for (auto& p : after) pairs_.insert(std::move(p));
}

void SecretReaders::Remove(rotation::WorkloadKind kind, const nlohmann::json& workload) {
  std::vector<std::string> pairs = PairsOf(kind, workload);
  std::lock_guard lock(mu_);
  for (const auto& p : pairs) pairs_.erase(p);
}

std::vector<WorkloadName> SecretReaders::ReadersOf(const std::string& ns, const std::string& secret) const {
  const std::string prefix = Prefix(ns, secret);
  std::vector<WorkloadName> out;
  std::lock_guard lock(mu_);
  for (auto it = pairs_.lower_bound(prefix); it != pairs_.end() && it->compare(0, prefix.size(), prefix) == 0; ++it)
    out.push_back({static_cast<rotation::WorkloadKind>((*it)[prefix.size()] - '0'), it->substr(prefix.size() + 1)});
  return out;
}

}  // namespace keyroll::controller
