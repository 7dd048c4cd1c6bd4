// The CRD and the operator agree on status: a real API server prunes every status field the
// schema does not declare, so a field keyroll writes but the CRD lacks would be lost on the
// first write (an intent like status.pendingRevocation with it, and the crash-safety it buys).
// The operator's StatusToJson with every field set goes through the schema (the fake API
// server's CrdSchema, which prunes and validates as apiextensions-apiserver does): nothing
// is pruned, nothing is invalid.
#include <gtest/gtest.h>

#include "operator/rotation/status_json.h"
#include "tests/fakes/kube/crd_schema.h"
#include "tests/fakes/kube/yaml_json.h"
#include "tests/manifests/manifest_files.h"

namespace keyroll::testing::manifests {
namespace {
namespace KEYROLL_UNITY_ID {

using json = nlohmann::json;
using rotation::ParseTimestamp;

// Every field of Status set (auth0: the kids and the revocation intent too).
rotation::Status EveryField() {
  const rotation::Time t = ParseTimestamp("2026-11-22T03:00:00Z").value();
  rotation::Status s;
  s.observed_generation = 4;
  s.phase = "Rotating";
  s.keys = rotation::KeysStatus{"3f2a9c1e", "9b0d77a2", std::string(64, 'a'), t, "kidCurrent", "kidNext", "kidPrevious"};
  s.rotation_count = 7;
  s.last_rotation_time = t;
  s.next_rotation_time = t;
  s.last_handled_request_id = "2026-11-22";
  s.last_handled_rotate_request = "manual-1";
  s.pending_rotation = rotation::PendingRotation{t, "3f2a9c1e", "9b0d77a2", "Schedule", "r", "m"};
  s.pending_revocation = rotation::PendingRevocation{"kidPrevious", t, std::string(64, 'a')};
  s.consumers = {{"Deployment", "api", true, "", 0, ""}, {"StatefulSet", "worker", false, "rolling out", 2, "abc"}};
  s.consumers_ready = "1/2";
  s.conditions = {{"Ready", "False", 4, t, "RotationPending", "rotation in progress"}};
  return s;
}

// Every JSON pointer to a leaf of `o`.
void Leaves(const json& o, const std::string& at, std::vector<std::string>& out) {
  if (o.is_object()) {
    for (const auto& [k, v] : o.items()) Leaves(v, at + "/" + k, out);
  } else if (o.is_array()) {
    for (size_t i = 0; i < o.size(); ++i) Leaves(o[i], at + "/" + std::to_string(i), out);
  } else {
    out.push_back(at);
  }
}

TEST(CrdStatus, EveryFieldTheOperatorWritesIsKeptAndValid) {
  const json crd = fakes::ParseYamlDocuments(ReadFile(Crd())).at(0);
  const fakes::CrdSchema schema(crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]);
  const json status = rotation::StatusToJson(EveryField());
  json o = {{"apiVersion", "keyroll.dev/v1alpha1"},
            {"kind", "SigningKeyRotation"},
            {"metadata", {{"name", "tenant"}, {"namespace", "payments"}}},
            {"spec", {{"provider", {{"auth0", {{"domain", "tenant.eu.auth0.com"}, {"clientSecretRef", {{"name", "auth0"}}}}}}}}},
            {"status", status}};
  EXPECT_EQ(schema.PruneAndDefault(o), std::vector<std::string>{});
  EXPECT_EQ(o["status"], status);
  std::vector<std::string> causes;
  for (const auto& c : schema.Validate(o)) causes.push_back(c.field + ": " + c.message);
  EXPECT_EQ(causes, std::vector<std::string>{});
  // The test covers what it says: every leaf of Status, the revocation intent among them.
  std::vector<std::string> leaves;
  Leaves(status, "", leaves);
  EXPECT_GT(leaves.size(), 35u);
  for (const char* p : {"/pendingRevocation/kid", "/pendingRevocation/startedAt", "/pendingRevocation/keysHash"})
    EXPECT_NE(std::find(leaves.begin(), leaves.end(), p), leaves.end()) << p;
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing::manifests
