// Scenario 7: invalid SigningKeyRotations (deploy/examples/invalid/*.yaml, one mistake each,
// named in the file's "# expect: ... field=<path>" header). The fake API server does not
// validate CRD schemas, so keyroll must: Ready=False reason InvalidSpec with a message naming
// the field, no Secret written, and the operator keeps running and healthy.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "tests/support/e2e_environment.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {

struct InvalidExample {
  std::string file;
  std::string field;  // from the header
  json object;
};

std::vector<InvalidExample> LoadInvalidExamples() {
  std::vector<InvalidExample> out;
  std::string dir = std::string(KEYROLL_SOURCE_DIR) + "/deploy/examples/invalid";
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".yaml") continue;
    std::string text = ReadFile(entry.path().string());
    std::smatch m;
    if (!std::regex_search(text, m, std::regex("# expect: \\d+ field=(\\S+)"))) continue;
    // keyroll defaults spec.target itself (secretName = metadata.name, per the operator
    // contract), so a missing target is valid to it; only the CRD schema requires it.
    if (entry.path().filename() == "missing-target.yaml") continue;
    json object = YamlDocuments(text).at(0);
    // A real API server applies the CRD default tokenSecretRef.key = QSTASH_TOKEN; the fake
    // does not, so do it here and let each file keep exactly its one mistake.
    json::json_pointer ref("/spec/provider/qstash/tokenSecretRef");
    if (object.contains(ref) && object.at(ref).is_object() && !object.at(ref).contains("key")) {
      object.at(ref)["key"] = "QSTASH_TOKEN";
    }
    out.push_back({entry.path().filename().string(), m[1], object});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.file < b.file; });
  return out;
}

TEST(E2EInvalidSpec, EveryInvalidExampleIsRejectedWithItsFieldAndNoSecret) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  auto examples = LoadInvalidExamples();
  ASSERT_GE(examples.size(), 15u);
  E2EEnvironment env;
  if (!env.cluster().is_fake()) {
    GTEST_SKIP() << "a real API server rejects these at admission (schema + CEL); this checks keyroll's own validation";
  }
  for (const auto& ex : examples) env.CreateSkr(ex.object);

  for (const auto& ex : examples) {
    SCOPED_TRACE(ex.file);
    std::string name = ex.object["metadata"]["name"];
    json skr = env.WaitSkr(name, [](const json& s) { return HasCondition(s, "Ready", "False", "InvalidSpec"); });
    ASSERT_TRUE(HasCondition(skr, "Ready", "False", "InvalidSpec")) << ConditionSummary(skr);
    std::string message = StrAt(FindCondition(skr, "Ready"), "/message");
    EXPECT_NE(message.find(ex.field), std::string::npos) << "message does not name " << ex.field << ": " << message;
    EXPECT_EQ(skr["status"].value("phase", ""), "Failed") << ConditionSummary(skr);
  }
  // Events follow the status write, so the last one may still be on its way.
  int events = 0;
  WaitUntil([&] {
    events = CountEvents(AllEvents(env.kube(), env.ns()), "InvalidSpec");
    return events >= static_cast<int>(examples.size());
  });
  EXPECT_GE(events, static_cast<int>(examples.size()));
  // Nothing was written: the only Secret is the token Secret.
  auto secrets = env.kube().List(kube::resources::kSecrets, env.ns());
  ASSERT_TRUE(secrets.ok());
  for (const auto& s : secrets->items) EXPECT_EQ(kube::NameOf(s), "qstash");
  EXPECT_EQ(env.account().requests.count("rotate"), 0u);
  EXPECT_TRUE(env.keyroll().running());
  EXPECT_EQ(env.keyroll().Probe("/healthz").status, 200);

  // Fixing a resource clears the condition and syncs it.
  std::string fixed = "invalid-bad-cron";
  PatchSkr(env.kube(), env.ns(), fixed,
           {{"spec", {{"rotation", {{"schedule", "0 3 * * 1"}}},
                      {"provider", {{"qstash", {{"url", env.qstash_url()},
                                                {"tokenSecretRef", {{"name", "qstash"}, {"key", "QSTASH_TOKEN"}}}}}}}}}});
  json skr = env.WaitSkr(fixed, IsReadyAndSynced);
  EXPECT_TRUE(IsReadyAndSynced(skr)) << ConditionSummary(skr);
}

}  // namespace
}  // namespace keyroll::testing
