// keyroll-sandbox: keyroll's whole job on one machine with no cluster, told as a timeline.
//   keyroll-sandbox [--state-dir DIR] [--once] [--keyroll PATH] [--demo-consumer PATH]
// Starts the fake API server and fake QStash, keyroll and two demo consumers (a Deployment and
// a StatefulSet); shows the Secret being written, the consumers restarted, a rotation requested
// and held while the Deployment is stale, the rotation done, and deliveries to both verified
// with zero rejections. Then it keeps
// running (Ctrl-C stops it) so kubectl can look around; --once exits after the timeline
// (exit 0 only when every step happened and no delivery was rejected).
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <filesystem>
#include <thread>

#include "operator/kube/resource.h"
#include "operator/providers/fingerprint.h"
#include "tests/fakes/sandbox/consumer_pod.h"
#include "tests/fakes/sandbox/sandbox_world.h"
#include "tests/fakes/sandbox/timeline.h"
#include "tests/support/wait.h"

namespace keyroll::sandbox {
namespace {

std::atomic<bool> g_stop{false};

struct Deliveries {
  int published = 0, verified = 0, rejected = 0, unreachable = 0;
};


nlohmann::json Condition(const nlohmann::json& resource, const std::string& type) {
  for (const auto& c : resource.value("status", nlohmann::json::object()).value("conditions", nlohmann::json::array())) {
    if (c.value("type", "") == type) return c;
  }
  return nlohmann::json::object();
}

class Story {
 public:
  Story(World& world, Timeline& t)
      : world_(world),
        t_(t),
        pod_(world.client(), ConsumerPodOptions{kNamespace, kDeployment, "Deployment", kSecretName,
                                                "QSTASH_CURRENT_SIGNING_KEY", "QSTASH_NEXT_SIGNING_KEY",
                                                world.options().demo_consumer_binary,
                                                world.options().state_dir + "/demo-consumer.log"}),
        ledger_(world.client(), ConsumerPodOptions{kNamespace, kStatefulSet, "StatefulSet", kSecretName,
                                                   "QSTASH_CURRENT_SIGNING_KEY", "QSTASH_NEXT_SIGNING_KEY",
                                                   world.options().demo_consumer_binary,
                                                   world.options().state_dir + "/demo-ledger.log"}) {}

  bool Run() {
    pod_.Hold(true);  // hold the first rollout back, to show the gate waiting for it
    world_.StartKeyroll();
    t_.Say("keyroll started (log: " + world_.keyroll_log_path() + ")");

    if (!Wait("keyroll writes the Secret", [&] { return SecretExists(); })) return false;
    auto keys = world_.qstash().Account(world_.qstash_token());
    t_.Say("keyroll wrote Secret demo/" + std::string(kSecretName) + " with QStash's keys: current " +
           Fp(keys->current) + ", next " + Fp(keys->next));

    if (!Wait("keyroll restarts the consumers", [&] { return pod_.RolloutPending() && ledger_.Restarted(); }))
      return false;
    t_.Say("keyroll restarted Deployment demo/demo-consumer and StatefulSet demo/demo-ledger (pod template "
           "keyroll.dev/keys-hash set)");
    t_.Detail("the sandbox holds the Deployment's rollout back: it is stale, its pods lack the keys");
    if (!Wait("the StatefulSet rolls out", [&] { return SyncPod(ledger_, "demo-ledger"); })) return false;

    world_.RequestRotation("sandbox-1");
    t_.Say("rotation requested: spec.rotation.requestID=sandbox-1");
    if (!Wait("keyroll holds the rotation", [&] {
          auto r = world_.Resource();
          auto c = Condition(r, "RotationAllowed");
          // The StatefulSet has rolled out, the held Deployment has not.
          return c.value("status", "") == "False" && c.value("reason", "") == "ConsumerStale" &&
                 r.value("status", nlohmann::json::object()).value("consumersReady", "") == "1/2";
        }))
      return false;
    auto held = Condition(world_.Resource(), "RotationAllowed");
    t_.Say("rotation held: RotationAllowed=False, reason ConsumerStale (consumers ready " +
           world_.Resource()["status"].value("consumersReady", std::string("?")) + ")");
    t_.Detail(held.value("message", ""));
    std::this_thread::sleep_for(std::chrono::seconds(2));
    t_.Detail("QStash rotations so far: " + std::to_string(world_.qstash().Account(world_.qstash_token())->rotations));

    pod_.Hold(false);
    if (!Wait("the Deployment rolls out", [&] { return SyncPod(pod_, "demo-consumer"); })) return false;
    for (int i = 0; i < 3; ++i) Deliver();
    t_.Say("deliveries so far: " + Summary());

    if (!Wait("keyroll rotates", [&] {
          Deliver();  // the running pod still holds the old pair: it verifies with next
          return world_.qstash().Account(world_.qstash_token())->rotations == 1;
        }))
      return false;
    auto rotated = world_.qstash().Account(world_.qstash_token());
    t_.Say("keyroll rotated at QStash: current " + Fp(rotated->current) + " (the old next), next " +
           Fp(rotated->next));

    if (!Wait("the Secret and the consumers catch up", [&] {
          SyncPods();
          Deliver();
          auto r = world_.Resource();
          return r.value("status", nlohmann::json::object()).value("phase", "") == "Ready" &&
                 r["status"].value("rotationCount", 0) == 1 && !pod_.RolloutPending() && !ledger_.RolloutPending();
        }))
      return false;
    t_.Say("Secret updated, both consumers restarted with the new keys, phase Ready");
    for (int i = 0; i < 3; ++i) Deliver();
    t_.Say("deliveries: " + Summary());
    return deliveries_.rejected == 0 && deliveries_.unreachable == 0;
  }

  // After the timeline: keep the consumer rolled out and deliver now and then.
  void KeepRunning() {
    auto last = std::chrono::steady_clock::now();
    while (!g_stop) {
      SyncPods();
      if (std::chrono::steady_clock::now() - last > std::chrono::seconds(5)) {
        int before = deliveries_.rejected;
        Deliver();
        if (deliveries_.rejected != before) t_.Say("a delivery was REJECTED: " + Summary());
        last = std::chrono::steady_clock::now();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
  }

  std::string Summary() const {
    return std::to_string(deliveries_.published) + " published, " + std::to_string(deliveries_.verified) +
           " verified, " + std::to_string(deliveries_.rejected) + " rejected";
  }

 private:
  static std::string Fp(const std::string& key) { return providers::Fingerprint(providers::SecretValue(key)); }

  bool SecretExists() {
    return world_.client().Get(kube::resources::kSecrets, kNamespace, kSecretName).ok();
  }

  // One pass of one simulated workload controller; true when its pod runs.
  bool SyncPod(ConsumerPod& pod, const std::string& name) {
    if (auto step = pod.Sync(); step && step->started_pod) {
      t_.Say(name + " rolled out: its pod started with current " + step->current_fp + ", next " + step->next_fp);
    }
    return pod.port() != 0;
  }
  void SyncPods() {
    SyncPod(pod_, "demo-consumer");
    SyncPod(ledger_, "demo-ledger");
  }

  // One delivery to each running consumer.
  void Deliver() {
    for (ConsumerPod* pod : {&pod_, &ledger_}) {
      if (pod->port() == 0) continue;
      int status = world_.Publish(pod->port(), "{\"order\":" + std::to_string(deliveries_.published + 1) + "}");
      ++deliveries_.published;
      if (status == 200) ++deliveries_.verified;
      else if (status == 0) ++deliveries_.unreachable;
      else ++deliveries_.rejected;
    }
  }

  bool Wait(const std::string& what, const std::function<bool()>& cond) {
    bool ok = testing::WaitUntil([&] { return g_stop || cond(); }, std::chrono::seconds(90),
                                 std::chrono::milliseconds(200));
    if (g_stop) return false;
    if (!ok || !world_.KeyrollRunning()) {
      t_.Say("FAILED waiting for: " + what + " (keyroll " +
             (world_.KeyrollRunning() ? "running" : "not running") + "; see " + world_.keyroll_log_path() + ")");
      return false;
    }
    return true;
  }

  World& world_;
  Timeline& t_;
  ConsumerPod pod_;     // the Deployment demo-consumer
  ConsumerPod ledger_;  // the StatefulSet demo-ledger
  Deliveries deliveries_;
};

std::string BesideMe(const std::string& relative) {
  auto self = std::filesystem::read_symlink("/proc/self/exe").parent_path();  // build/tests/fakes/sandbox
  return (self / relative).lexically_normal().string();
}

}  // namespace
}  // namespace keyroll::sandbox

int main(int argc, char** argv) {
  using namespace keyroll::sandbox;
  const char* runtime = std::getenv("XDG_RUNTIME_DIR");
  WorldOptions options;
  options.state_dir = std::string(runtime && *runtime ? runtime : "/tmp") + "/keyroll-sandbox";
  options.keyroll_binary = BesideMe("../../../operator/keyroll");
  options.demo_consumer_binary = BesideMe("../qstash/demo-consumer");
  options.source_dir = KEYROLL_SOURCE_DIR;
  bool once = false;

  CLI::App app{"keyroll-sandbox: keyroll's whole job on one machine, no cluster needed"};
  app.add_option("--state-dir", options.state_dir, "kubeconfig, CA files and logs");
  app.add_option("--keyroll", options.keyroll_binary, "the keyroll binary");
  app.add_option("--demo-consumer", options.demo_consumer_binary, "the demo-consumer binary");
  app.add_option("--source-dir", options.source_dir, "the repository (for crds/)");
  app.add_flag("--once", once, "exit after the timeline instead of running until Ctrl-C");
  CLI11_PARSE(app, argc, argv);

  struct sigaction sa {};
  sa.sa_handler = [](int) { g_stop = true; };
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  spdlog::set_level(spdlog::level::warn);  // the fakes' own chatter stays out of the timeline

  Timeline t;
  try {
    std::filesystem::remove_all(options.state_dir);
    World world(options);
    world.StartFakes();
    t.Say("fake Kubernetes API server up at " + world.api_url());
    t.Say("fake QStash up at " + world.qstash().base_url() + " with one account");
    world.ApplyDemoObjects();
    t.Say("applied: the SigningKeyRotation CRD, namespace demo, token Secret demo/qstash,");
    t.Detail("Deployment demo/demo-consumer and StatefulSet demo/demo-ledger (both read the keys through envFrom),");
    t.Detail("SigningKeyRotation demo/payments naming both as consumers");

    Story story(world, t);
    bool ok = story.Run();
    if (g_stop) return 0;
    t.Say(ok ? "done: one rotation, zero rejected deliveries" : "the timeline did not complete");
    std::printf("\nLook around while it runs:\n"
                "  kubectl --kubeconfig %s get skr -n demo\n"
                "  kubectl --kubeconfig %s describe skr payments -n demo\n"
                "  kubectl --kubeconfig %s get events -n demo\n"
                "keyroll's log: %s\n",
                world.kubeconfig_path().c_str(), world.kubeconfig_path().c_str(),
                world.kubeconfig_path().c_str(), world.keyroll_log_path().c_str());
    // The kubectl plugin (cli/), found on PATH as kubectl-keyroll once build/cli is there.
    const std::string kubeconfig = world.kubeconfig_path();
    const char* kc = kubeconfig.c_str();
    std::printf("With the plugin on PATH (export PATH=$PWD/build/cli:$PATH):\n"
                "  kubectl keyroll status -n demo --kubeconfig %s\n"
                "  kubectl keyroll why payments -n demo --kubeconfig %s\n"
                "  kubectl keyroll rotate payments --wait -n demo --kubeconfig %s\n",
                kc, kc, kc);
    if (once) return ok ? 0 : 1;
    std::printf("Press Ctrl-C to stop.\n");
    std::fflush(stdout);
    story.KeepRunning();
    t.Say("stopping; deliveries: " + story.Summary());
    return 0;
  } catch (const std::exception& e) {
    t.Say(std::string("sandbox failed: ") + e.what());
    return 1;
  }
}
