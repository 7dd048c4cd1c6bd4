// consumer_pod: plays the workload controller (Deployment or StatefulSet) and the kubelet for
// one of the sandbox's demo consumers. When the pod template changes (generation >
// observedGeneration) it starts a new demo-consumer process with the keys the Secret holds at
// that moment — exactly what a pod reading the Secret through envFrom gets — then reports the
// rollout complete in the workload's status, as that kind's controller writes it (a
// StatefulSet: its pod at updateRevision). A rollout can be held back to show keyroll's gate
// waiting for it.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "operator/kube/client.h"
#include "tests/support/process.h"

namespace keyroll::sandbox {

struct ConsumerPodOptions {
  std::string namespace_name;
  std::string workload;                // its name
  std::string kind = "Deployment";     // or StatefulSet
  std::string secret_name;
  std::string current_key = "QSTASH_CURRENT_SIGNING_KEY";
  std::string next_key = "QSTASH_NEXT_SIGNING_KEY";
  std::string demo_consumer_binary;
  std::string log_path;
};

// What one call to Sync did, for the timeline.
struct RolloutStep {
  bool started_pod = false;      // a new demo-consumer runs with the Secret's keys
  std::string keys_hash;         // the template's keyroll.dev/keys-hash
  std::string current_fp, next_fp;
  bool waiting_for_secret = false;
};

class ConsumerPod {
 public:
  ConsumerPod(kube::Client& client, ConsumerPodOptions options);
  ~ConsumerPod();

  // One pass of the control loop. Returns what changed, or nullopt when nothing did.
  std::optional<RolloutStep> Sync();
  // While held, template changes are seen but not rolled out (the Deployment stays stale).
  void Hold(bool held) { held_ = held; }
  bool RolloutPending();  // template changed, not yet rolled out
  bool Restarted();       // keyroll set keyroll.dev/keys-hash on the pod template
  int port() const { return port_; }  // the running demo-consumer's port (0: none)

 private:
  bool StartPod(RolloutStep& step);
  bool ReportRolloutComplete(int64_t generation);
  const kube::ResourceRef& resource() const;

  kube::Client& client_;
  ConsumerPodOptions options_;
  std::unique_ptr<testing::Process> pod_;
  int port_ = 0;
  bool held_ = false;
  int64_t rolled_out_generation_ = 0;
};

}  // namespace keyroll::sandbox
