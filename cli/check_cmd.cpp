// check_cmd.cpp — see check_cmd.h. Each check is one line: ok, FAIL or "?" (cannot tell).
#include "cli/check_cmd.h"

#include "cli/colour.h"
#include "cli/errors.h"
#include "cli/format.h"
#include "operator/runtime/leader_election_record.h"
#include "operator/rotation/vocabulary.h"

namespace keyroll::cli {

using nlohmann::json;
namespace vocab = rotation::vocab;

namespace {

enum class Verdict { Ok, Fail, Unknown };

struct Line {
  Verdict verdict;
  std::string text;
};

std::string Word(Verdict v) {
  switch (v) {
    case Verdict::Ok:
      return Green("ok  ");
    case Verdict::Fail:
      return Red("FAIL");
    case Verdict::Unknown:
      return Yellow("?   ");
  }
  return "";
}

bool ConditionTrue(const json& object, const std::string& type) {
  for (const auto& c : object.value("status", json::object()).value("conditions", json::array()))
    if (c.value("type", "") == type) return c.value("status", "") == "True";
  return false;
}

Line CheckCrd(kube::Client& client) {
  const std::string name = std::string(vocab::kPlural) + "." + std::string(vocab::kGroup);
  auto crd = client.Request("GET", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/" + name);
  if (!crd) {
    if (kube::IsNotFound(crd.error()))
      return {Verdict::Fail, "CRD " + name + " is not installed (kubectl apply -k deploy/)"};
    if (kube::IsForbidden(crd.error())) return {Verdict::Unknown, "CRD " + name + ": you may not read CRDs"};
    throw FromKube(crd.error(), "CRD " + name);
  }
  std::string served, storage;
  bool ours = false;
  for (const auto& v : crd->value("spec", json::object()).value("versions", json::array())) {
    if (!v.value("served", false)) continue;
    std::string n = v.value("name", "");
    served += (served.empty() ? "" : ", ") + n;
    if (v.value("storage", false)) storage = n;
    ours = ours || n == vocab::kVersion;
  }
  bool established = ConditionTrue(*crd, "Established");
  std::string text = "CRD " + name + " installed: serves " + served + " (storage " + storage + ")" +
                     (established ? ", Established" : ", not Established yet");
  if (!ours) return {Verdict::Fail, text + "; this kubectl-keyroll speaks " + std::string(vocab::kVersion)};
  return {established ? Verdict::Ok : Verdict::Fail, text};
}

// The operator's Deployment (label app.kubernetes.io/name=keyroll); its namespace is where
// the Lease lives.
Line CheckDeployment(kube::Client& client, const CheckOptions& check, std::string* operator_ns) {
  kube::ListOptions options;
  options.label_selector = "app.kubernetes.io/name=keyroll";
  auto list = client.ListAll(kube::resources::kDeployments, check.operator_namespace, options);
  if (!list) {
    if (kube::IsForbidden(list.error())) return {Verdict::Unknown, "operator: you may not list Deployments"};
    throw FromKube(list.error(), "Deployments");
  }
  if (list->items.empty())
    return {Verdict::Fail,
            "operator: no Deployment labelled app.kubernetes.io/name=keyroll" +
                (check.operator_namespace.empty() ? std::string(" in any namespace")
                                                  : " in \"" + check.operator_namespace + "\"")};
  const json& d = list->items.front();
  *operator_ns = kube::NamespaceOf(d);
  const json status = d.value("status", json::object());
  std::string counts = std::to_string(status.value("availableReplicas", 0)) + "/" +
                       std::to_string(d.value("spec", json::object()).value("replicas", 1));
  bool available = ConditionTrue(d, "Available");
  return {available ? Verdict::Ok : Verdict::Fail,
          "operator: Deployment " + *operator_ns + "/" + kube::NameOf(d) +
              (available ? " available (" : " not available (") + counts + ")"};
}

Line CheckLease(kube::Client& client, const std::string& ns, const std::string& name) {
  if (ns.empty())
    return {Verdict::Unknown, "leader: no operator namespace to look for Lease \"" + name + "\" in"};
  auto lease = client.Get(kube::resources::kLeases, ns, name);
  if (!lease) {
    if (kube::IsNotFound(lease.error()))
      return {Verdict::Unknown, "leader: no Lease " + ns + "/" + name + " (leader election off?)"};
    if (kube::IsForbidden(lease.error()))
      return {Verdict::Unknown, "leader: you may not read Leases in \"" + ns + "\""};
    throw FromKube(lease.error(), "Lease " + ns + "/" + name);
  }
  auto r = runtime::RecordFromLease(*lease);
  if (r.holder_identity.empty() || !r.renew_time)
    return {Verdict::Fail, "leader: Lease " + ns + "/" + name + " has no holder"};
  auto age =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now() - *r.renew_time);
  bool renewing = age.count() <= r.lease_duration_seconds;
  return {renewing ? Verdict::Ok : Verdict::Fail,
          "leader: " + r.holder_identity + " holds Lease " + ns + "/" + name + ", renewed " + FormatAge(age) +
              " ago (duration " + std::to_string(r.lease_duration_seconds) + "s)" +
              (renewing ? "" : ": not renewing")};
}

// A SelfSubjectAccessReview: may the current user `verb` `resource` in `ns`?
Line CheckAccess(kube::Client& client, const std::string& ns, const std::string& verb,
                 const std::string& group, const std::string& resource, const std::string& for_what) {
  json review = {{"apiVersion", "authorization.k8s.io/v1"},
                 {"kind", "SelfSubjectAccessReview"},
                 {"spec",
                  {{"resourceAttributes",
                    {{"namespace", ns}, {"verb", verb}, {"group", group}, {"resource", resource}}}}}};
  auto answer = client.Request("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                               review.dump(), "application/json");
  std::string what = verb + " " + resource + " in \"" + ns + "\" (" + for_what + ")";
  if (!answer)
    return {Verdict::Unknown, "cannot ask whether you may " + what + ": " + answer.error().ToString()};
  const json status = answer->value("status", json::object());
  if (status.value("allowed", false)) return {Verdict::Ok, "you may " + what};
  std::string reason = status.value("reason", "");
  return {Verdict::Fail, "you may not " + what + (reason.empty() ? "" : ": " + reason)};
}

}  // namespace

int RunCheck(const GlobalOptions& options, const CheckOptions& check, std::ostream& out) {
  Session session = Connect(options);
  kube::Client& client = *session.client;
  std::string operator_ns = check.operator_namespace;
  std::vector<Line> lines;
  lines.push_back(CheckCrd(client));
  lines.push_back(CheckDeployment(client, check, &operator_ns));
  lines.push_back(CheckLease(client, operator_ns, check.lease_name));
  const std::string ns = session.ns.empty() ? "default" : session.ns;
  lines.push_back(CheckAccess(client, ns, "patch", std::string(vocab::kGroup), std::string(vocab::kPlural),
                              "kubectl keyroll rotate"));
  lines.push_back(
      CheckAccess(client, ns, "get", "", "secrets", "why, inspect and verify read the target Secret"));
  bool all_ok = true;
  for (const auto& l : lines) {
    out << Word(l.verdict) << "  " << l.text << "\n";
    all_ok = all_ok && l.verdict != Verdict::Fail;
  }
  return all_ok ? kExitOk : kExitError;
}

}  // namespace keyroll::cli
