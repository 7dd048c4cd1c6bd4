#include "tests/fakes/sandbox/consumer_pod.h"

#include <regex>

#include "operator/base/encoding.h"
#include "operator/kube/resource.h"
#include "operator/providers/fingerprint.h"
#include "tests/support/wait.h"

namespace keyroll::sandbox {
namespace {

int64_t IntAt(const nlohmann::json& obj, const nlohmann::json::json_pointer& ptr) {
  return obj.contains(ptr) && obj[ptr].is_number_integer() ? obj[ptr].get<int64_t>() : 0;
}

std::string StringAt(const nlohmann::json& obj, const nlohmann::json::json_pointer& ptr) {
  return obj.contains(ptr) && obj[ptr].is_string() ? obj[ptr].get<std::string>() : "";
}

}  // namespace

ConsumerPod::ConsumerPod(kube::Client& client, ConsumerPodOptions options)
    : client_(client), options_(std::move(options)) {}

ConsumerPod::~ConsumerPod() = default;

bool ConsumerPod::RolloutPending() {
  auto dep = client_.Get(resource(), options_.namespace_name, options_.workload);
  if (!dep.ok()) return false;
  return IntAt(*dep, "/metadata/generation"_json_pointer) >
         IntAt(*dep, "/status/observedGeneration"_json_pointer);
}

bool ConsumerPod::Restarted() {
  auto w = client_.Get(resource(), options_.namespace_name, options_.workload);
  return w.ok() && !StringAt(*w, "/spec/template/metadata/annotations/keyroll.dev~1keys-hash"_json_pointer).empty();
}

std::optional<RolloutStep> ConsumerPod::Sync() {
  auto dep = client_.Get(resource(), options_.namespace_name, options_.workload);
  if (!dep.ok()) return std::nullopt;
  int64_t generation = IntAt(*dep, "/metadata/generation"_json_pointer);
  int64_t observed = IntAt(*dep, "/status/observedGeneration"_json_pointer);
  if (generation <= observed || held_ || generation == rolled_out_generation_) return std::nullopt;

  RolloutStep step;
  step.keys_hash = StringAt(*dep, "/spec/template/metadata/annotations/keyroll.dev~1keys-hash"_json_pointer);
  if (!StartPod(step)) return step.waiting_for_secret ? std::optional(step) : std::nullopt;
  if (!ReportRolloutComplete(generation)) return std::nullopt;
  rolled_out_generation_ = generation;
  return step;
}

bool ConsumerPod::StartPod(RolloutStep& step) {
  // The kubelet resolves envFrom at container start: read the Secret now.
  auto secret = client_.Get(kube::resources::kSecrets, options_.namespace_name, options_.secret_name);
  if (!secret.ok()) {
    step.waiting_for_secret = true;
    return false;
  }
  auto data = (*secret).value("data", nlohmann::json::object());
  auto decode = [&](const std::string& key) -> std::optional<std::string> {
    if (!data.contains(key) || !data[key].is_string()) return std::nullopt;
    return base::Base64Decode(data[key].get<std::string>());
  };
  auto current = decode(options_.current_key);
  auto next = decode(options_.next_key);
  if (!current || !next) {
    step.waiting_for_secret = true;
    return false;
  }
  step.current_fp = providers::Fingerprint(providers::SecretValue(*current));
  step.next_fp = providers::Fingerprint(providers::SecretValue(*next));

  pod_.reset();  // the old pod goes away before the new one starts (Recreate-like, simple)
  port_ = 0;
  static int generation = 0;
  testing::ProcessOptions opts;
  opts.argv = {options_.demo_consumer_binary, "--listen", "127.0.0.1:0"};
  opts.env = {{options_.current_key, *current}, {options_.next_key, *next}};
  opts.log_path = options_.log_path + "." + std::to_string(++generation);
  pod_ = std::make_unique<testing::Process>(opts);
  std::regex listening(R"(listening on http://127\.0\.0\.1:(\d+))");
  bool up = testing::WaitUntil(
      [&] {
        std::smatch m;
        std::string out = pod_->Output();
        if (!std::regex_search(out, m, listening)) return false;
        port_ = std::stoi(m[1]);
        return true;
      },
      std::chrono::seconds(10));
  step.started_pod = up;
  return up;
}

const kube::ResourceRef& ConsumerPod::resource() const {
  return options_.kind == "StatefulSet" ? kube::resources::kStatefulSets : kube::resources::kDeployments;
}

bool ConsumerPod::ReportRolloutComplete(int64_t generation) {
  nlohmann::json status = {{"observedGeneration", generation}, {"replicas", 1},       {"updatedReplicas", 1},
                           {"readyReplicas", 1},              {"availableReplicas", 1}};
  if (options_.kind == "StatefulSet") {
    // Its one pod runs the update revision: current == update, as the StatefulSet controller
    // reports a finished rolling update.
    const std::string revision = options_.workload + "-r" + std::to_string(generation);
    status["currentReplicas"] = 1;
    status["currentRevision"] = revision;
    status["updateRevision"] = revision;
  } else {
    status["conditions"] = {{{"type", "Available"}, {"status", "True"}, {"reason", "MinimumReplicasAvailable"}},
                            {{"type", "Progressing"}, {"status", "True"}, {"reason", "NewReplicaSetAvailable"}}};
  }
  return client_.MergePatchStatus(resource(), options_.namespace_name, options_.workload, {{"status", status}}).ok();
}

}  // namespace keyroll::sandbox
