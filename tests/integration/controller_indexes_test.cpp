// The controller's indexes (resource_index.h, secret_readers.h) change what is looked at,
// not what is decided: a Deployment no resource consumes causes no reconcile, a consumer
// does, and the account-conflict check still names the oldest resource of an account as
// resources come and go.
#include <thread>

#include "tests/integration/controller_fixture.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

const kube::ResourceRef kSkr = kube::resources::kSigningKeyRotations;

json DeploymentReading(const std::string& name, const std::string& secret) {
  return {{"apiVersion", "apps/v1"}, {"kind", "Deployment"},
          {"metadata", {{"name", name}, {"labels", {{"app", name}}}}},
          {"spec", {{"replicas", 1}, {"selector", {{"matchLabels", {{"app", name}}}}},
                    {"template", {{"metadata", {{"labels", {{"app", name}}}}},
                                  {"spec", {{"containers", {{{"name", "c"}, {"image", "demo"},
                                                             {"envFrom", {{{"secretRef", {{"name", secret}}}}}}}}}}}}}}}};
}

class ControllerIndexTest : public ControllerTest {
 protected:
  // keyroll_reconcile_total summed over results.
  double Reconciles() {
    auto [code, body] = HttpGet(LoggedAddress(Log(), "metrics server listening"), "/metrics");
    EXPECT_EQ(code, 200);
    std::istringstream in(body);
    double sum = 0;
    for (std::string line; std::getline(in, line);)
      if (line.rfind("keyroll_reconcile_total{", 0) == 0) sum += std::stod(line.substr(line.rfind(' ') + 1));
    return sum;
  }
  // Waits until no reconcile happened for `quiet`; returns the count then.
  double SettledReconciles(std::chrono::milliseconds quiet = 1500ms) {
    double last = Reconciles();
    for (int i = 0; i < 40; ++i) {
      std::this_thread::sleep_for(quiet);
      double now = Reconciles();
      if (now == last) return now;
      last = now;
    }
    ADD_FAILURE() << "keyroll never settled";
    return last;
  }
  void CreateToken(const std::string& name) {
    MustOk(client().Create(kube::resources::kSecrets, ns(),
                           {{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", {{"name", name}}},
                            {"data", {{"QSTASH_TOKEN", base::Base64Encode(token_)}}}}),
           "create token Secret");
  }
};

TEST_F(ControllerIndexTest, ADeploymentNoResourceConsumesCausesNoReconcile) {
  StartKeyroll();
  CreateSkr("payments", QStashSpec({{"target", {{"secretName", "payments-keys"}}}}));
  ASSERT_TRUE(WaitUntil([&] { return ConditionIs("payments", "Ready", "True"); }, 30s)) << Log();
  const double before = SettledReconciles();
  ASSERT_GT(before, 0) << "the metric must count reconciles, or this test proves nothing";

  // Add, change and delete a Deployment that reads another Secret.
  MustOk(client().Create(kube::resources::kDeployments, ns(), DeploymentReading("unrelated", "other-secret")),
         "create Deployment");
  MustOk(client().MergePatch(kube::resources::kDeployments, ns(), "unrelated",
                             {{"metadata", {{"labels", {{"touched", "yes"}}}}}}),
         "patch Deployment");
  MustOk(client().Delete(kube::resources::kDeployments, ns(), "unrelated"), "delete Deployment");
  EXPECT_EQ(SettledReconciles(), before) << "a Deployment no resource consumes queued a reconcile";

  // A Deployment that reads the target Secret is a consumer: it is queued and found.
  MustOk(client().Create(kube::resources::kDeployments, ns(), DeploymentReading("api", "payments-keys")),
         "create consumer");
  EXPECT_TRUE(WaitUntil([&] { return Reconciles() > before; }, 30s)) << Log();
  ASSERT_TRUE(WaitUntil([&] {
    auto o = Get(kSkr, "payments");
    if (!o) return false;
    for (const auto& c : o->value("status", json::object()).value("consumers", json::array()))
      if (c.value("name", "") == "api") return true;
    return false;
  }, 30s)) << Log();
}

TEST_F(ControllerIndexTest, TheNextOldestResourceOwnsTheAccountWhenTheOwnerGoes) {
  StartKeyroll();
  CreateSkr("first", QStashSpec({{"target", {{"secretName", "first-keys"}}}}));
  ASSERT_TRUE(WaitUntil([&] { return ConditionIs("first", "Ready", "True"); }, 30s)) << Log();
  std::this_thread::sleep_for(1100ms);  // creationTimestamp has whole seconds
  CreateSkr("second", QStashSpec({{"target", {{"secretName", "second-keys"}}}}));
  std::this_thread::sleep_for(1100ms);
  CreateToken("qstash-copy");  // the same account through another token Secret
  json third = {{"target", {{"secretName", "third-keys"}}},
                {"provider", {{"qstash", {{"tokenSecretRef", {{"name", "qstash-copy"}}}}}}}};
  CreateSkr("third", QStashSpec(third));
  for (const char* younger : {"second", "third"}) {
    ASSERT_TRUE(WaitUntil([&] { return ConditionIs(younger, "RotationAllowed", "False", "Conflict"); }, 30s)) << Log();
    EXPECT_NE(Condition(younger, "RotationAllowed").value("message", "").find("first"), std::string::npos);
  }

  MustOk(client().Delete(kSkr, ns(), "first"), "delete the owner");
  ASSERT_TRUE(WaitUntil([&] { return ConditionIs("second", "RotationAllowed", "True"); }, 30s))
      << "the next oldest did not take the account over\n" << Log();
  ASSERT_TRUE(WaitUntil([&] {
    return ConditionIs("third", "RotationAllowed", "False", "Conflict") &&
           Condition("third", "RotationAllowed").value("message", "").find("second") != std::string::npos;
  }, 30s)) << Log();

  // A new resource is younger than every other: Conflict with the owner, "second".
  CreateSkr("fourth", QStashSpec({{"target", {{"secretName", "fourth-keys"}}}}));
  ASSERT_TRUE(WaitUntil([&] {
    return ConditionIs("fourth", "RotationAllowed", "False", "Conflict") &&
           Condition("fourth", "RotationAllowed").value("message", "").find("second") != std::string::npos;
  }, 30s)) << Log();

  EXPECT_EQ(qstash_->Account(token_)->rotations, 0);
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
