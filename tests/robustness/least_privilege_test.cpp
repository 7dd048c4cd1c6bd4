// Least privilege: the operator runs against the fake API server as a user that holds exactly
// the RBAC of deploy/ (rendered with `kubectl kustomize deploy/`, turned into the fake's
// allow rules by least_privilege/rbac_permissions.py: one permission per apiGroup, resource,
// verb and namespace). With all of them everything works: sync, rotation, consumer restart,
// events, the leader Lease, a restart. Then each permission is removed in a test of its own
// (generated from the same list): the operator must say so where a user looks — a log line
// naming the forbidden request and, where it can still write them, a Forbidden event or
// condition — instead of failing silently. Fake only: a real cluster's RBAC cannot be
// swapped per test.
#include <gtest/gtest.h>

#include <sstream>

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>

#include "tests/support/e2e_environment.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

constexpr const char* kUser = "keyroll-sa";
constexpr const char* kOperatorNamespace = "keyroll-system";
constexpr const char* kSecret = "qstash-signing-keys";

struct Permission {
  std::string group, resource, verb, ns;
  std::string Name() const {  // a gtest-safe parameter name
    std::string n = (group.empty() ? "core" : group) + "_" + resource + "_" + verb;
    for (char& c : n)
      if (!isalnum(static_cast<unsigned char>(c))) c = '_';
    return n;
  }
  std::string Text() const { return verb + " " + resource + (group.empty() ? "" : "." + group); }
};

// Rendered once per process (also at test discovery, so every permission is its own test).
const std::vector<Permission>& Permissions() {
  static const std::vector<Permission> permissions = [] {
    std::vector<Permission> out;
    std::string dir = "/tmp/keyroll-rbac-" + std::to_string(getpid());
    std::string cmd = "mkdir -p " + dir + " && kubectl kustomize " KEYROLL_SOURCE_DIR "/deploy --output " + dir +
                      "/rendered.yaml && python3 " KEYROLL_SOURCE_DIR
                      "/tests/robustness/least_privilege/rbac_permissions.py " + dir + "/rendered.yaml " + dir +
                      "/permissions.json";
    if (std::system(cmd.c_str()) == 0) {
      std::ifstream in(dir + "/permissions.json");
      for (const auto& p : json::parse(in, nullptr, false))
        out.push_back({p.value("apiGroup", ""), p.value("resource", ""), p.value("verb", ""), p.value("namespace", "")});
    }
    std::system(("rm -rf " + dir).c_str());
    return out;
  }();
  return permissions;
}

// The fake's allow rules: every permission except `skip` (-1: none) and those of `skip_group`.
json AuthzRules(int skip, const std::string& skip_group = "") {
  json rules = json::array();
  const auto& perms = Permissions();
  for (int i = 0; i < static_cast<int>(perms.size()); ++i) {
    if (i == skip || (!skip_group.empty() && perms[i].group == skip_group)) continue;
    const auto& p = perms[i];
    json r = {{"apiGroups", {p.group}}, {"resources", {p.resource}}, {"verbs", {p.verb}}};
    if (!p.ns.empty()) r["namespaces"] = {p.ns};
    rules.push_back(r);
  }
  return {{"users", {{kUser, {{"rules", rules}}}}}};
}

// An environment whose operator authenticates as kUser with the rules of AuthzRules(skip),
// electing a leader in keyroll-system. The operator is not started (a missing permission may
// keep it from ever being ready).
struct RbacSetup {
  TempDir dir;
  std::string token = "keyroll-sa-token-" + std::to_string(getpid()) + "-" + std::to_string(rand());
  std::unique_ptr<E2EEnvironment> env;

  explicit RbacSetup(int skip, const std::string& skip_group = "") {
    std::string authz = dir.Write("authz.json", AuthzRules(skip, skip_group).dump());
    E2EOptions o;
    o.start_operator = false;
    o.cluster.fake_args = {"--authz", authz, "--token", token + ":" + kUser};
    o.operator_user_yaml = "    token: " + token + "\n";
    o.operator_args = {"--leader-elect", "--leader-election-namespace", kOperatorNamespace,
                       "--leader-election-id", "keyroll-lp"};
    env = std::make_unique<E2EEnvironment>(o);
    if (env->cluster().is_fake())
      (void)env->kube().Create(kube::resources::kNamespaces, "",
                               {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", kOperatorNamespace}}}});
  }
};

bool LeaseHeld(E2EEnvironment& env) {
  auto lease = env.kube().Get(kube::resources::kLeases, kOperatorNamespace, "keyroll-lp");
  return lease && !StrAt(*lease, "/spec/holderIdentity").empty();
}

// The whole workflow: consumers of every kind (a declared Deployment and StatefulSet, a
// discovered DaemonSet), sync, a requested rotation, the consumers' restarts.
void CreateWorkload(E2EEnvironment& env) {
  env.CreateDeployment(MakeDeployment("api", kSecret, SecretUse::kEnvFrom));
  env.CreateWorkload(MakeStatefulSet("worker", kSecret, SecretUse::kEnvFrom));
  env.CreateWorkload(MakeDaemonSet("edge", kSecret, SecretUse::kVolume));
  env.CreateSkr(MakeQStashSkr("payments", env.qstash_url(), kSecret, {"api", "StatefulSet/worker"}));
}

TEST(RobustnessLeastPrivilege, TheRenderedRbacHasPermissionsToTest) {
  ASSERT_GE(Permissions().size(), 10u) << "kubectl kustomize deploy/ or rbac_permissions.py failed";
}

TEST(RobustnessLeastPrivilege, ExactlyTheDeployedRbacIsEnoughForEverything) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  ASSERT_FALSE(Permissions().empty());
  RbacSetup setup(-1);
  auto& env = *setup.env;
  if (!env.cluster().is_fake()) GTEST_SKIP() << "the fake's allow rules stand in for RBAC";
  env.StartOperator();
  ASSERT_TRUE(WaitUntil([&] { return LeaseHeld(env); })) << "no leader lease";
  CreateWorkload(env);
  json skr = env.WaitSkr("payments", IsReadyAndSynced, std::chrono::seconds(30));
  ASSERT_TRUE(IsReadyAndSynced(skr)) << ConditionSummary(skr);
  EXPECT_TRUE(env.SecretMatchesProvider(kSecret));

  RequestRotation(env.kube(), env.ns(), "payments", "lp-1");
  skr = env.WaitSkr("payments", [](const json& s) {
    return IsReadyAndSynced(s) && StrAt(s, "/status/lastHandledRequestID") == "lp-1" &&
           s["status"].value("rotationCount", 0) == 1;
  }, std::chrono::seconds(40));
  ASSERT_EQ(skr["status"].value("rotationCount", 0), 1) << ConditionSummary(skr);
  EXPECT_EQ(env.account().rotations, 1);
  EXPECT_TRUE(env.SecretMatchesProvider(kSecret));
  for (const char* c : {"api", "StatefulSet/worker", "DaemonSet/edge"})
    EXPECT_EQ(env.workloads().LastRolledHash(c), StrAt(skr, "/status/keys/keysHash")) << c << " was not restarted";
  EXPECT_GE(AllEvents(env.kube(), env.ns()).size(), 2u) << "no events recorded";

  // A restart: it takes the lease again and finds nothing to do.
  env.keyroll().Restart();
  ASSERT_TRUE(env.keyroll().WaitReady());
  skr = env.WaitSkr("payments", IsReadyAndSynced);
  EXPECT_TRUE(IsReadyAndSynced(skr)) << ConditionSummary(skr);
  // The old leader released the lease on SIGTERM; the new one takes it within a retry period.
  EXPECT_TRUE(WaitUntil([&] { return LeaseHeld(env); })) << "the restarted operator holds no lease";
  EXPECT_EQ(env.account().rotations, 1);
  EXPECT_TRUE(env.keyroll().LogLinesWith("forbidden").empty()) << "a permission was missing";
  EXPECT_EQ(env.FindLeaks(), std::vector<std::string>{});
}

// The token Secret of another namespace is never used, even where it exists and is valid:
// references are same-namespace only (a namespace's users must not borrow another's token).
TEST(RobustnessLeastPrivilege, ATokenSecretInAnotherNamespaceIsRefused) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env;
  if (!env.cluster().is_fake()) GTEST_SKIP() << "a real API server prunes or rejects the namespace field at admission";
  // The fake prunes it too (the CRD's schema has no namespace field): let the field reach
  // keyroll, which must refuse it itself.
  ASSERT_NO_THROW(AdmitAnySigningKeyRotation(env.kube()));
  const std::string other = env.ns() + "-other";
  const std::string other_token = env.qstash().CreateAccount();
  (void)env.kube().Create(kube::resources::kNamespaces, "",
                          {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", other}}}});
  CreateObject(env.kube(), kube::resources::kSecrets, other,
               {{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", {{"name", "borrowed"}}},
                {"type", "Opaque"}, {"stringData", {{"QSTASH_TOKEN", other_token}}}});
  json skr = MakeQStashSkr("borrower", env.qstash_url(), kSecret);
  skr["spec"]["provider"]["qstash"]["tokenSecretRef"] = {{"name", "borrowed"}, {"namespace", other}, {"key", "QSTASH_TOKEN"}};
  env.CreateSkr(skr);
  skr = env.WaitSkr("borrower", [](const json& s) { return HasCondition(s, "Ready", "False", "InvalidSpec"); });
  ASSERT_TRUE(HasCondition(skr, "Ready", "False", "InvalidSpec")) << ConditionSummary(skr);
  EXPECT_NE(ConditionSummary(skr).find("spec.provider.qstash.tokenSecretRef.namespace"), std::string::npos)
      << ConditionSummary(skr);
  EXPECT_NE(ConditionSummary(skr).find("cross-namespace"), std::string::npos) << ConditionSummary(skr);
  int calls = 0;
  const auto other_account = env.qstash().Account(other_token);  // a copy: no dangling temporary
  ASSERT_TRUE(other_account.has_value());
  for (const auto& [op, n] : other_account->requests) calls += n;
  EXPECT_EQ(calls, 0) << "the other namespace's token was used";
  EXPECT_FALSE(env.SecretData(kSecret).has_value());
  (void)env.kube().Delete(kube::resources::kNamespaces, "", other);
}

// Permissions keyroll needs only on some paths, or that the fake cannot exercise. Without one
// of them the whole workflow still completes here; if the refused request happens, the log
// names it (never silent).
const std::map<std::string, std::string>& NotAlwaysExercised() {
  static const std::map<std::string, std::string> m = {
      {"update signingkeyrotations/finalizers.keyroll.dev",
       "needed where OwnerReferencesPermissionEnforcement is on (e.g. OpenShift); the fake does not enforce it"},
      {"get signingkeyrotations.keyroll.dev",
       "a fresh read right after keyroll's own status write, only while the watch lags behind it"},
      {"get deployments.apps", "a fresh read right after a restart patch, only while the watch lags behind it"},
      {"get statefulsets.apps", "a fresh read right after a restart patch, only while the watch lags behind it"},
      {"get daemonsets.apps", "a fresh read right after a restart patch, only while the watch lags behind it"},
      {"patch events", "bumps the count of an identical repeated event"},
      // Argo Rollouts is not installed here: keyroll lists rollouts (a 404, checked again every
      // 10 s) and never gets to watch, read or patch one (tests/e2e/argo_rollouts_test.cpp does).
      {"watch rollouts.argoproj.io", "Argo Rollouts is not installed in this test"},
      {"get rollouts.argoproj.io", "Argo Rollouts is not installed in this test"},
      {"patch rollouts.argoproj.io", "Argo Rollouts is not installed in this test"},
  };
  return m;
}

// The API server's Forbidden message names verb and resource; in a JSON log line its quotes
// are escaped.
bool LogNames(const std::string& log, const Permission& p) {
  for (const char* q : {"\\\"", "\""})
    if (log.find("cannot " + p.verb + " resource " + q + p.resource + q) != std::string::npos) return true;
  return false;
}

// The log without its lines about the refused pods list (deploy/ does not grant it).
std::string WithoutPodsListRefusals(const std::string& log) {
  const Permission pods_list{"", "pods", "list", ""};
  std::istringstream in(log);
  std::string out;
  for (std::string line; std::getline(in, line);)
    if (!LogNames(line, pods_list)) out += line + "\n";
  return out;
}

bool HasForbiddenEvent(E2EEnvironment& env, const std::string& fragment) {
  for (const auto& e : SkrEvents(env.kube(), env.ns(), "payments"))
    if (e.value("reason", "") == "Forbidden" && e.value("message", "").find(fragment) != std::string::npos) return true;
  return false;
}

std::string LogTail(E2EEnvironment& env) {
  std::string log = env.keyroll().CurrentLog();
  return log.size() > 4000 ? log.substr(log.size() - 4000) : log;
}

class RobustnessLeastPrivilegeRemoved : public ::testing::TestWithParam<int> {};

TEST_P(RobustnessLeastPrivilegeRemoved, TheOperatorSaysWhatItMayNotDo) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  const Permission& p = Permissions().at(GetParam());
  RbacSetup setup(GetParam());
  auto& env = *setup.env;
  if (!env.cluster().is_fake()) GTEST_SKIP() << "the fake's allow rules stand in for RBAC";
  env.keyroll().Start();
  CreateWorkload(env);

  if (auto it = NotAlwaysExercised().find(p.Text()); it != NotAlwaysExercised().end()) {
    std::cout << "without " << p.Text() << ": not always exercised (" << it->second << ")\n";
    json skr = env.WaitSkr("payments", IsReadyAndSynced, std::chrono::seconds(30));
    ASSERT_TRUE(IsReadyAndSynced(skr)) << ConditionSummary(skr);
    RequestRotation(env.kube(), env.ns(), "payments", "lp-1");
    skr = env.WaitSkr("payments", [](const json& s) {
      return IsReadyAndSynced(s) && s["status"].value("rotationCount", 0) == 1;
    }, std::chrono::seconds(40));
    EXPECT_EQ(skr["status"].value("rotationCount", 0), 1) << ConditionSummary(skr);
    EXPECT_TRUE(env.SecretMatchesProvider(kSecret));
    // deploy/ grants no pods list (opt-in): the bare-Pod look after a rotation is refused and
    // logged as such. Any other refusal must be the removed permission's.
    const std::string log = WithoutPodsListRefusals(env.keyroll().AllLogs());
    if (log.find("forbidden") != std::string::npos) {
      EXPECT_TRUE(LogNames(log, p)) << LogTail(env);
    }
    return;
  }

  // Drive every path that needs a permission: sync, then a rotation and the restart.
  env.WaitSkr("payments", IsReadyAndSynced, std::chrono::seconds(10));
  RequestRotation(env.kube(), env.ns(), "payments", "lp-1");
  bool logged = WaitUntil([&] { return LogNames(env.keyroll().CurrentLog(), p); }, std::chrono::seconds(20));
  EXPECT_TRUE(logged) << "without " << p.Text() << " the log never names the refused request; log tail:\n"
                      << LogTail(env);
  // Where keyroll can still write them, the resource says it too.
  if (p.resource == "secrets" && (p.verb == "create" || p.verb == "update")) {
    const std::string what = p.verb == "create" ? "create Secret " : "write Secret ";
    json skr = env.WaitSkr("payments", [](const json& s) { return HasCondition(s, "Ready", "False", "Forbidden"); });
    EXPECT_TRUE(HasCondition(skr, "Ready", "False", "Forbidden")) << ConditionSummary(skr);
    EXPECT_NE(StrAt(FindCondition(skr, "Ready"), "/message").find(what + kSecret), std::string::npos)
        << ConditionSummary(skr);
    EXPECT_TRUE(WaitUntil([&] { return HasForbiddenEvent(env, what + kSecret); })) << "no Forbidden event";
  }
  if (p.resource == "signingkeyrotations/status") {
    EXPECT_TRUE(WaitUntil([&] { return HasForbiddenEvent(env, "update the status"); })) << "no Forbidden event";
  }
  const std::map<std::string, std::string> patched = {
      {"deployments", "patch Deployment api"}, {"statefulsets", "patch StatefulSet worker"}, {"daemonsets", "patch DaemonSet edge"}};
  if (auto it = patched.find(p.resource); it != patched.end() && p.verb == "patch") {
    EXPECT_TRUE(WaitUntil([&] { return HasForbiddenEvent(env, it->second); })) << "no Forbidden event";
  }
  if (p.resource != "leases") {  // a leader that cannot renew its lease must stop (client-go does)
    EXPECT_TRUE(env.keyroll().running()) << "the operator died without " << p.Text();
    EXPECT_EQ(env.keyroll().Probe("/healthz").status, 200);
  }
  EXPECT_EQ(env.FindLeaks(), std::vector<std::string>{});
}

// The chart's argoRollouts.enabled=false: no argoproj.io permission at all. keyroll treats
// Rollouts as not installed (one warning naming the refused list, no retry storm), is Ready,
// and the whole workflow works.
TEST(RobustnessLeastPrivilege, WithoutTheArgoRolloutsRulesRolloutsCountAsNotInstalled) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  RbacSetup setup(-1, "argoproj.io");
  auto& env = *setup.env;
  if (!env.cluster().is_fake()) GTEST_SKIP() << "the fake's allow rules stand in for RBAC";
  env.StartOperator();
  ASSERT_TRUE(env.keyroll().WaitReady()) << LogTail(env);
  CreateWorkload(env);
  json skr = env.WaitSkr("payments", IsReadyAndSynced, std::chrono::seconds(30));
  ASSERT_TRUE(IsReadyAndSynced(skr)) << ConditionSummary(skr);
  RequestRotation(env.kube(), env.ns(), "payments", "lp-1");
  skr = env.WaitSkr("payments", [](const json& s) {
    return IsReadyAndSynced(s) && s["status"].value("rotationCount", 0) == 1;
  }, std::chrono::seconds(40));
  EXPECT_EQ(skr["status"].value("rotationCount", 0), 1) << ConditionSummary(skr);
  const auto lines = env.keyroll().LogLinesWith("treated as not installed");
  ASSERT_EQ(lines.size(), 1u) << LogTail(env);
  EXPECT_TRUE(LogNames(lines[0], Permission{"argoproj.io", "rollouts", "list", ""})) << lines[0];
  EXPECT_EQ(env.keyroll().LogLinesWith("forbidden").size(), 1u) << "only the one list, said once";
}

// deploy/ grants no pods list (opt-in: deploy/components/list-pods, the chart's podsList.enabled):
// an OnDelete StatefulSet's condition cannot name its pods, the log names the refused list and
// how to grant it, and the condition still says what to do.
TEST(RobustnessLeastPrivilege, WithoutPodsListTheOnDeleteConditionStillSaysWhatToDo) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  for (const auto& p : Permissions()) ASSERT_NE(p.Text(), "list pods") << "deploy/ grants pods list by default";
  const Permission pods_list{"", "pods", "list", ""};
  RbacSetup setup(-1);  // exactly deploy/'s rules
  auto& env = *setup.env;
  if (!env.cluster().is_fake()) GTEST_SKIP() << "the fake's allow rules stand in for RBAC";
  env.StartOperator();
  env.CreateWorkload(MakeStatefulSet("ledger", kSecret, SecretUse::kEnvFrom, 2, "OnDelete"));
  ASSERT_TRUE(WaitUntil([&] { return env.workloads().Rollouts().size() == 1; }));
  env.CreateSkr(MakeQStashSkr("payments", env.qstash_url(), kSecret, {"StatefulSet/ledger"}));
  json skr = env.WaitSkr("payments", [](const json& s) {
    return StrAt(FindCondition(s, "Ready"), "/reason") == "ConsumerCannotComplete";
  });
  const std::string message = StrAt(FindCondition(skr, "Ready"), "/message");
  EXPECT_NE(message.find("(delete them, or use consumers.restart: None)"), std::string::npos) << message;
  EXPECT_TRUE(WaitUntil([&] { return LogNames(env.keyroll().CurrentLog(), pods_list); })) << LogTail(env);
  EXPECT_NE(env.keyroll().CurrentLog().find("podsList.enabled=true"), std::string::npos) << LogTail(env);
  EXPECT_TRUE(env.keyroll().running());
}

INSTANTIATE_TEST_SUITE_P(EachPermission, RobustnessLeastPrivilegeRemoved,
                         ::testing::Range(0, static_cast<int>(Permissions().size())),
                         [](const ::testing::TestParamInfo<int>& info) { return Permissions().at(info.param).Name(); });

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
