// bench_resources: a fresh SigningKeyRotation for the benchmarks, with its own QStash account
// and token Secret ("<name>-token"): keyroll lets only the oldest resource of an account
// rotate and reports the others Blocked (Conflict), so resources sharing one account would
// never be Ready. Target Secret "<name>-keys"; the CRD's default refreshInterval (5m), so
// synced resources stay quiet; no consumers.
#pragma once

#include <string>

#include "tests/support/e2e_environment.h"

namespace keyroll::bench {

struct BenchResource {
  nlohmann::json skr;  // not created yet
  std::string token;   // the account's token (never print)
};

inline BenchResource NewBenchResource(testing::E2EEnvironment& env, const std::string& name,
                                      const std::string& ns) {
  BenchResource r;
  r.token = env.qstash().CreateAccount();
  testing::CreateObject(env.kube(), kube::resources::kSecrets, ns,
                        {{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", {{"name", name + "-token"}}},
                         {"type", "Opaque"}, {"stringData", {{"QSTASH_TOKEN", r.token}}}});
  r.skr = testing::MakeQStashSkr(name, env.qstash_url(), name + "-keys");
  r.skr["spec"]["provider"]["qstash"]["tokenSecretRef"]["name"] = name + "-token";
  r.skr["spec"].erase("refreshInterval");
  return r;
}

}  // namespace keyroll::bench
