// Scenario 7: invalid SigningKeyRotations, in two kinds.
// - deploy/examples/invalid/*.yaml: what the CRD refuses (one mistake each, named in the file's
//   "# expect: CODE field=<path> reason=<reason>" header). The API server answers 422 with that
//   cause, on the fake and on a real cluster alike. The fake does not evaluate CEL rules: a CEL
//   example it admits must then be refused by keyroll itself (Ready=False InvalidSpec naming the
//   field). An unknown field (400 under strict validation) is pruned under the default
//   fieldValidation: the resource is created without it.
// - what the schema admits and only keyroll can judge (cron semantics, time zones, duration
//   bounds): Ready=False InvalidSpec with a message naming the field, no Secret written, no
//   provider call, and the operator keeps running and healthy.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <regex>

#include "tests/support/e2e_environment.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

struct InvalidExample {
  std::string file;
  std::string code, field, reason;  // from the header
  json object;
};

std::vector<InvalidExample> LoadInvalidExamples() {
  std::vector<InvalidExample> out;
  std::string dir = std::string(KEYROLL_SOURCE_DIR) + "/deploy/examples/invalid";
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".yaml") continue;
    std::string text = ReadFile(entry.path().string());
    std::smatch m;
    if (!std::regex_search(text, m, std::regex("# expect: (\\d+) field=(\\S+) reason=([A-Za-z]+)"))) continue;
    out.push_back({entry.path().filename().string(), m[1], m[2], m[3], YamlDocuments(text).at(0)});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.file < b.file; });
  return out;
}

bool NamesField(const kube::KubeError& e, const std::string& field, const std::string& reason) {
  for (const auto& c : e.causes)
    if (c.field == field && c.type == reason) return true;
  return false;
}

// Keyroll refuses it: Ready=False InvalidSpec naming `field`, phase Failed.
void ExpectInvalidSpec(E2EEnvironment& env, const std::string& name, const std::string& field) {
  json skr = env.WaitSkr(name, [](const json& s) { return HasCondition(s, "Ready", "False", "InvalidSpec"); });
  ASSERT_TRUE(HasCondition(skr, "Ready", "False", "InvalidSpec")) << ConditionSummary(skr);
  std::string message = StrAt(FindCondition(skr, "Ready"), "/message");
  EXPECT_NE(message.find(field), std::string::npos) << "message does not name " << field << ": " << message;
  EXPECT_EQ(skr["status"].value("phase", ""), "Failed") << ConditionSummary(skr);
}

TEST(E2EInvalidSpec, TheApiServerRefusesEveryInvalidExampleWithItsField) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  auto examples = LoadInvalidExamples();
  ASSERT_GE(examples.size(), 15u);
  E2EEnvironment env;
  int refused = 0;
  std::vector<std::pair<std::string, std::string>> admitted;  // CEL examples the fake admits: name, field
  for (const auto& ex : examples) {
    SCOPED_TRACE(ex.file);
    const std::string name = ex.object["metadata"]["name"];
    auto created = env.kube().Create(kube::resources::kSigningKeyRotations, env.ns(), ex.object);
    if (ex.code == "400") {
      // An unknown field: pruned under the default fieldValidation (Warn), on any server.
      ASSERT_TRUE(created.ok()) << created.error().ToString();
      std::string pointer = "/" + std::regex_replace(ex.field, std::regex("\\."), "/");
      EXPECT_FALSE(created->contains(json::json_pointer(pointer))) << "not pruned: " << ex.field;
      // What is left is valid (and names no fake provider URL): remove it.
      EXPECT_TRUE(env.kube().Delete(kube::resources::kSigningKeyRotations, env.ns(), name).ok());
      continue;
    }
    if (!created.ok()) {
      EXPECT_EQ(created.error().code, 422) << created.error().ToString();
      EXPECT_TRUE(NamesField(created.error(), ex.field, ex.reason)) << created.error().ToString();
      ++refused;
      continue;
    }
    // Only CEL rules may pass the fake (it does not evaluate them); a real server refuses all.
    EXPECT_TRUE(env.cluster().is_fake()) << "a real API server admitted " << name;
    admitted.emplace_back(name, ex.field);
  }
  EXPECT_GE(refused, 8) << "every schema (non-CEL) example is refused";
  std::cout << "invalid examples: " << refused << " refused at admission, " << admitted.size()
            << " admitted (CEL rules: the fake does not evaluate them)\n";
  for (const auto& [name, field] : admitted) {
    SCOPED_TRACE(name);
    ExpectInvalidSpec(env, name, field);
  }
  auto secrets = env.kube().List(kube::resources::kSecrets, env.ns());
  ASSERT_TRUE(secrets.ok());
  for (const auto& s : secrets->items) EXPECT_EQ(kube::NameOf(s), "qstash");
}

TEST(E2EInvalidSpec, WhatOnlyKeyrollCanJudgeGetsInvalidSpecAndNoSecret) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env;
  // Each admitted by the schema's patterns; each wrong in a way only keyroll knows.
  const std::vector<std::pair<json, std::string>> cases = {
      {{{"rotation", {{"schedule", "61 3 * * 1"}}}}, "spec.rotation.schedule"},
      {{{"rotation", {{"schedule", "0 3 * * 1"}, {"timeZone", "Mars/Olympus_Mons"}}}}, "spec.rotation.timeZone"},
      {{{"refreshInterval", "1s"}}, "spec.refreshInterval"},
      {{{"rotation", {{"maxKeyAge", "30s"}}}}, "spec.rotation.maxKeyAge"},
  };
  std::vector<std::string> names;
  for (size_t i = 0; i < cases.size(); ++i) {
    std::string name = "judged-" + std::to_string(i);
    json spec = {{"provider", {{"qstash", {{"url", env.qstash_url()}, {"tokenSecretRef", {{"name", "qstash"}}}}}}},
                 {"target", {{"secretName", name + "-keys"}}}};
    spec.merge_patch(cases[i].first);
    env.CreateSkr({{"apiVersion", "keyroll.dev/v1alpha1"}, {"kind", "SigningKeyRotation"},
                   {"metadata", {{"name", name}}}, {"spec", spec}});
    names.push_back(name);
  }
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].second);
    ExpectInvalidSpec(env, names[i], cases[i].second);
  }
  // Events follow the status write, so the last one may still be on its way.
  int events = 0;
  WaitUntil([&] {
    events = CountEvents(AllEvents(env.kube(), env.ns()), "InvalidSpec");
    return events >= static_cast<int>(cases.size());
  });
  EXPECT_GE(events, static_cast<int>(cases.size()));
  // Nothing was written: the only Secret is the token Secret; the provider was never asked.
  auto secrets = env.kube().List(kube::resources::kSecrets, env.ns());
  ASSERT_TRUE(secrets.ok());
  for (const auto& s : secrets->items) EXPECT_EQ(kube::NameOf(s), "qstash");
  EXPECT_EQ(env.account().requests.count("rotate"), 0u);
  EXPECT_EQ(env.account().requests.count("get_keys"), 0u);
  EXPECT_TRUE(env.keyroll().running());
  EXPECT_EQ(env.keyroll().Probe("/healthz").status, 200);

  // Fixing a resource clears the condition and syncs it.
  PatchSkr(env.kube(), env.ns(), names[0], {{"spec", {{"rotation", {{"schedule", "0 3 * * 1"}}}}}});
  json skr = env.WaitSkr(names[0], IsReadyAndSynced);
  EXPECT_TRUE(IsReadyAndSynced(skr)) << ConditionSummary(skr);
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
