// deploy/: `kubectl kustomize deploy/` renders, the RBAC is least privilege (no wildcards,
// only allowed verbs, never delete), and the operator's Deployment runs locked down with the
// controller-runtime style flags, probes and resources.
#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/manifests/manifest_files.h"

namespace keyroll::testing::manifests {
namespace {
namespace KEYROLL_UNITY_ID {

// Renders deploy/ once per test binary (each test case runs in its own process under CTest).
const std::vector<YAML::Node>& Rendered() {
  static const std::vector<YAML::Node> docs = [] {
    const std::string kubectl = FindOnPath("kubectl");
    EXPECT_FALSE(kubectl.empty()) << "kubectl (with built-in kustomize) must be on PATH";
    if (kubectl.empty()) return std::vector<YAML::Node>{};
    TempDir dir;
    CommandResult run =
        RunCommand({kubectl, "kustomize", SourcePath("deploy"), "--output", dir.File("all.yaml")});
    EXPECT_EQ(run.exit_code, 0) << run.output;
    if (run.exit_code != 0) return std::vector<YAML::Node>{};
    return LoadDocuments(dir.File("all.yaml"));
  }();
  return docs;
}

std::vector<YAML::Node> OfKind(const std::string& kind) {
  std::vector<YAML::Node> out;
  for (const YAML::Node& doc : Rendered()) {
    if (doc["kind"].as<std::string>() == kind) out.push_back(doc);
  }
  return out;
}

YAML::Node OnlyOne(const std::string& kind) {
  std::vector<YAML::Node> docs = OfKind(kind);
  EXPECT_EQ(docs.size(), 1u) << kind;
  return docs.empty() ? YAML::Node() : docs[0];
}

std::vector<std::string> Strings(const YAML::Node& list) {
  std::vector<std::string> out;
  for (const auto& item : list) out.push_back(item.as<std::string>());
  return out;
}

TEST(Deploy, KustomizeRendersEveryPart) {
  std::multiset<std::string> kinds;
  for (const YAML::Node& doc : Rendered()) kinds.insert(doc["kind"].as<std::string>());
  EXPECT_EQ(kinds, (std::multiset<std::string>{"Namespace", "CustomResourceDefinition",
                                               "ServiceAccount", "ClusterRole",
                                               "ClusterRoleBinding", "Role", "RoleBinding",
                                               "Deployment", "Service"}));
  const std::set<std::string> cluster_scoped = {"Namespace", "CustomResourceDefinition",
                                                "ClusterRole", "ClusterRoleBinding"};
  for (const YAML::Node& doc : Rendered()) {
    const std::string kind = doc["kind"].as<std::string>();
    if (cluster_scoped.count(kind)) {
      EXPECT_FALSE(doc["metadata"]["namespace"]) << kind;
    } else {
      EXPECT_EQ(doc["metadata"]["namespace"].as<std::string>(""), "keyroll-system") << kind;
    }
  }
}

TEST(Deploy, RenderedCrdIsTheOneInCrds) {
  YAML::Node crd = OnlyOne("CustomResourceDefinition");
  std::vector<YAML::Node> source = LoadDocuments(Crd());
  ASSERT_EQ(source.size(), 1u);
  EXPECT_TRUE(SameData(crd["spec"], source[0]["spec"]));
  EXPECT_FALSE(SameData(crd["spec"]["names"], source[0]["spec"]["versions"][0]));
}

// "resource:verbs" for every rule of every Role and ClusterRole, e.g. "ClusterRole
// secrets: get,list,...". Also the summary printed for humans.
std::vector<std::string> RbacSummary() {
  std::vector<std::string> out;
  for (const char* kind : {"ClusterRole", "Role"}) {
    for (const YAML::Node& role : OfKind(kind)) {
      for (const auto& rule : role["rules"]) {
        for (const std::string& group : Strings(rule["apiGroups"])) {
          for (const std::string& resource : Strings(rule["resources"])) {
            std::string verbs;
            for (const std::string& verb : Strings(rule["verbs"])) {
              verbs += (verbs.empty() ? "" : ",") + verb;
            }
            out.push_back(std::string(kind) + " " + (group.empty() ? "core" : group) + "/" +
                          resource + ": " + verbs);
          }
        }
      }
    }
  }
  return out;
}

TEST(Deploy, RbacIsExactlyTheLeastPrivilegeSet) {
  const std::vector<std::string> want = {
      "ClusterRole keyroll.dev/signingkeyrotations: get,list,watch",
      // status get/patch and secrets patch were granted but never used (found by
      // tests/robustness/least_privilege_test.cpp): removed.
      "ClusterRole keyroll.dev/signingkeyrotations/status: update",
      "ClusterRole keyroll.dev/signingkeyrotations/finalizers: update",
      "ClusterRole core/secrets: get,list,watch,create,update",
      "ClusterRole apps/deployments: get,list,watch,patch",
      "ClusterRole apps/statefulsets: get,list,watch,patch",
      "ClusterRole apps/daemonsets: get,list,watch,patch",
      "ClusterRole batch/jobs: list,watch",
      "ClusterRole batch/cronjobs: list,watch",
      // pods list is opt-in (deploy/components/list-pods): it shows every pod's spec.
      "ClusterRole core/events: create,patch",
      "ClusterRole argoproj.io/rollouts: get,list,watch,patch",
      "Role coordination.k8s.io/leases: get,create,update",
  };
  const std::vector<std::string> got = RbacSummary();
  for (const std::string& line : got) std::cout << "  rbac: " << line << "\n";
  EXPECT_EQ(got, want);
}

TEST(Deploy, RbacHasNoWildcardsAndNoDelete) {
  const std::set<std::string> allowed = {"get", "list", "watch", "create", "update", "patch"};
  int rules = 0;
  for (const char* kind : {"ClusterRole", "Role"}) {
    for (const YAML::Node& role : OfKind(kind)) {
      for (const auto& rule : role["rules"]) {
        ++rules;
        for (const char* field : {"apiGroups", "resources", "verbs", "resourceNames"}) {
          for (const std::string& value : Strings(rule[field])) {
            EXPECT_EQ(value.find('*'), std::string::npos) << kind << " " << field;
          }
        }
        EXPECT_FALSE(rule["nonResourceURLs"]);
        for (const std::string& verb : Strings(rule["verbs"])) {
          EXPECT_TRUE(allowed.count(verb)) << "verb " << verb << " is not allowed";
        }
      }
    }
  }
  // 8 ClusterRole rules (one per API group and purpose; pods list is opt-in) and the Lease Role
  EXPECT_EQ(rules, 9);
}

TEST(Deploy, BindingsGiveTheRolesToTheOperatorServiceAccount) {
  const std::string sa = OnlyOne("ServiceAccount")["metadata"]["name"].as<std::string>();
  for (const auto& [binding, role] : std::map<std::string, std::string>{
           {"ClusterRoleBinding", "ClusterRole"}, {"RoleBinding", "Role"}}) {
    YAML::Node b = OnlyOne(binding);
    EXPECT_EQ(b["roleRef"]["kind"].as<std::string>(), role);
    EXPECT_EQ(b["roleRef"]["name"].as<std::string>(),
              OnlyOne(role)["metadata"]["name"].as<std::string>());
    ASSERT_EQ(b["subjects"].size(), 1u);
    EXPECT_EQ(b["subjects"][0]["kind"].as<std::string>(), "ServiceAccount");
    EXPECT_EQ(b["subjects"][0]["name"].as<std::string>(), sa);
    EXPECT_EQ(b["subjects"][0]["namespace"].as<std::string>(), "keyroll-system");
  }
  YAML::Node pod = OnlyOne("Deployment")["spec"]["template"]["spec"];
  EXPECT_EQ(pod["serviceAccountName"].as<std::string>(), sa);
}

TEST(Deploy, OperatorContainerIsLockedDown) {
  YAML::Node pod = OnlyOne("Deployment")["spec"]["template"]["spec"];
  ASSERT_EQ(pod["containers"].size(), 1u);
  YAML::Node c = pod["containers"][0];
  YAML::Node sc = c["securityContext"];
  EXPECT_TRUE(sc["runAsNonRoot"].as<bool>());
  EXPECT_EQ(sc["runAsUser"].as<int>(), 65532);
  EXPECT_TRUE(sc["readOnlyRootFilesystem"].as<bool>());
  EXPECT_FALSE(sc["allowPrivilegeEscalation"].as<bool>(true));
  EXPECT_EQ(Strings(sc["capabilities"]["drop"]), std::vector<std::string>{"ALL"});
  EXPECT_FALSE(sc["capabilities"]["add"]);
  EXPECT_EQ(sc["seccompProfile"]["type"].as<std::string>(), "RuntimeDefault");
  EXPECT_TRUE(pod["securityContext"]["runAsNonRoot"].as<bool>());
  EXPECT_EQ(pod["securityContext"]["seccompProfile"]["type"].as<std::string>(), "RuntimeDefault");
  EXPECT_FALSE(pod["hostNetwork"]);
}

TEST(Deploy, OperatorFlagsProbesResourcesAndEnv) {
  YAML::Node deployment = OnlyOne("Deployment");
  YAML::Node c = deployment["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(c["image"].as<std::string>(), "keyroll:0.1.0");
  EXPECT_EQ(Strings(c["args"]),
            (std::vector<std::string>{"--leader-elect", "--metrics-bind-address=:8080",
                                      "--health-probe-bind-address=:8081", "--log-format=json"}));
  std::map<std::string, int> ports;
  for (const auto& p : c["ports"]) ports[p["name"].as<std::string>()] = p["containerPort"].as<int>();
  EXPECT_EQ(ports, (std::map<std::string, int>{{"metrics", 8080}, {"health", 8081}}));
  EXPECT_EQ(c["livenessProbe"]["httpGet"]["path"].as<std::string>(), "/healthz");
  EXPECT_EQ(c["livenessProbe"]["httpGet"]["port"].as<std::string>(), "health");
  EXPECT_EQ(c["readinessProbe"]["httpGet"]["path"].as<std::string>(), "/readyz");
  EXPECT_EQ(c["readinessProbe"]["httpGet"]["port"].as<std::string>(), "health");
  EXPECT_EQ(c["resources"]["requests"]["cpu"].as<std::string>(), "10m");
  EXPECT_EQ(c["resources"]["requests"]["memory"].as<std::string>(), "32Mi");
  EXPECT_EQ(c["resources"]["limits"]["memory"].as<std::string>(), "128Mi");
  ASSERT_EQ(c["env"].size(), 1u);
  EXPECT_EQ(c["env"][0]["name"].as<std::string>(), "POD_NAMESPACE");
  EXPECT_EQ(c["env"][0]["valueFrom"]["fieldRef"]["fieldPath"].as<std::string>(),
            "metadata.namespace");
  // The selector picks the pod template's labels.
  for (const auto& label : deployment["spec"]["selector"]["matchLabels"]) {
    EXPECT_EQ(deployment["spec"]["template"]["metadata"]["labels"][label.first.as<std::string>()]
                  .as<std::string>(""),
              label.second.as<std::string>());
  }
}

TEST(Deploy, MetricsServiceSelectsTheOperator) {
  YAML::Node service = OnlyOne("Service");
  ASSERT_EQ(service["spec"]["ports"].size(), 1u);
  EXPECT_EQ(service["spec"]["ports"][0]["name"].as<std::string>(), "metrics");
  EXPECT_EQ(service["spec"]["ports"][0]["port"].as<int>(), 8080);
  EXPECT_EQ(service["spec"]["ports"][0]["targetPort"].as<std::string>(), "metrics");
  YAML::Node labels = OnlyOne("Deployment")["spec"]["template"]["metadata"]["labels"];
  ASSERT_GT(service["spec"]["selector"].size(), 0u);
  for (const auto& s : service["spec"]["selector"]) {
    EXPECT_EQ(labels[s.first.as<std::string>()].as<std::string>(""), s.second.as<std::string>());
  }
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing::manifests
