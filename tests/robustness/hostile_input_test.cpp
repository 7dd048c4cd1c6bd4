// Hostile input: every SigningKeyRotation in tests/robustness/hostile/ (one hostile change
// each, its "# expect: field=<path>" header names the field) is applied through the fake API
// server with the CRD's schema taken out (as under a CRD applied without its schema, or an
// older one): nothing refuses them at admission, so keyroll itself must cope: Ready=False
// reason InvalidSpec naming the field, an InvalidSpec event, no Secret written, no call to
// the provider account the hostile resources point at, the operator stays up, and valid
// resources beside them (on a second account) keep syncing and rotating.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <regex>
#include <set>

#include "tests/support/e2e_environment.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

struct HostileCase {
  std::string file;
  std::string field;
  json object;
};

std::vector<HostileCase> LoadCorpus(const std::string& qstash_url) {
  std::vector<HostileCase> out;
  const std::string dir = std::string(KEYROLL_SOURCE_DIR) + "/tests/robustness/hostile";
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".yaml") continue;
    std::string text = ReadFile(entry.path().string());
    std::smatch m;
    if (!std::regex_search(text, m, std::regex("# expect: field=(\\S+)")))
      throw std::runtime_error(entry.path().string() + " has no expect header");
    json object = YamlDocuments(text).at(0);
    // Point the hostile resources at the test's fake account (unless the URL is the hostile
    // part), so "no provider call" is something the fake can count.
    json::json_pointer q("/spec/provider/qstash");
    if (object.contains(q) && object.at(q).is_object() && !object.at(q).contains("url"))
      object.at(q)["url"] = qstash_url;
    out.push_back({entry.path().filename().string(), m[1], std::move(object)});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.file < b.file; });
  return out;
}

// A valid resource on its own account: token Secret `token_secret`, target `name`-keys.
json ValidSkr(const std::string& name, const std::string& url, const std::string& token_secret) {
  json skr = MakeQStashSkr(name, url, name + "-keys");
  skr["spec"]["provider"]["qstash"]["tokenSecretRef"]["name"] = token_secret;
  return skr;
}

// A new account on the fake and its token Secret `secret`; returns the token.
std::string NewAccount(E2EEnvironment& env, const std::string& secret) {
  std::string token = env.qstash().CreateAccount();
  CreateObject(env.kube(), kube::resources::kSecrets, env.ns(),
               {{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", {{"name", secret}}},
                {"type", "Opaque"}, {"stringData", {{"QSTASH_TOKEN", token}}}});
  return token;
}

bool MatchesAccount(E2EEnvironment& env, const std::string& secret, const std::string& token) {
  auto data = env.SecretData(secret);
  auto acc = env.qstash().Account(token);
  return data && acc && (*data)["QSTASH_CURRENT_SIGNING_KEY"] == acc->current &&
         (*data)["QSTASH_NEXT_SIGNING_KEY"] == acc->next;
}

TEST(RobustnessHostileInput, EveryHostileResourceGetsInvalidSpecNamingItsFieldAndNothingElseHappens) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env;
  if (!env.cluster().is_fake()) {
    GTEST_SKIP() << "a real API server rejects these at admission (schema + CEL); this checks keyroll's own validation";
  }
  ASSERT_NO_THROW(AdmitAnySigningKeyRotation(env.kube()));
  auto corpus = LoadCorpus(env.qstash_url());
  ASSERT_GE(corpus.size(), 50u);

  // The valid resources use accounts of their own (one each: two resources on one account
  // would be a Conflict), so the hostile account must see no request at all.
  const std::string before_token = NewAccount(env, "qstash-before");
  const std::string after_token = NewAccount(env, "qstash-after");
  env.CreateSkr(ValidSkr("valid-before", env.qstash_url(), "qstash-before"));
  json before = env.WaitSkr("valid-before", IsReadyAndSynced);
  ASSERT_TRUE(IsReadyAndSynced(before)) << ConditionSummary(before);

  for (const auto& c : corpus) {
    SCOPED_TRACE(c.file);
    ASSERT_NO_THROW(env.CreateSkr(c.object));
  }
  env.CreateSkr(ValidSkr("valid-after", env.qstash_url(), "qstash-after"));

  int named = 0;
  for (const auto& c : corpus) {
    SCOPED_TRACE(c.file);
    std::string name = c.object["metadata"]["name"];
    json skr = env.WaitSkr(name, [](const json& s) { return HasCondition(s, "Ready", "False", "InvalidSpec"); });
    if (!HasCondition(skr, "Ready", "False", "InvalidSpec")) {
      ADD_FAILURE() << "not rejected: " << ConditionSummary(skr);
      continue;  // report every case in one run
    }
    std::string message = StrAt(FindCondition(skr, "Ready"), "/message");
    EXPECT_NE(message.find(c.field), std::string::npos) << "message does not name " << c.field << ": " << message;
    EXPECT_LE(message.size(), 1024u) << "condition message is not bounded";
    EXPECT_EQ(skr["status"].value("phase", ""), "Failed") << ConditionSummary(skr);
    named += message.find(c.field) != std::string::npos;
  }
  std::cout << "hostile inputs tried: " << corpus.size() << ", rejected naming their field: " << named << "\n";

  int events = 0;
  WaitUntil([&] {
    events = CountEvents(AllEvents(env.kube(), env.ns()), "InvalidSpec");
    return events >= static_cast<int>(corpus.size());
  });
  EXPECT_GE(events, static_cast<int>(corpus.size()));

  // The valid ones keep working: synced, and a requested rotation happens.
  json after = env.WaitSkr("valid-after", IsReadyAndSynced);
  ASSERT_TRUE(IsReadyAndSynced(after)) << ConditionSummary(after);
  EXPECT_TRUE(MatchesAccount(env, "valid-before-keys", before_token));
  RequestRotation(env.kube(), env.ns(), "valid-after", "after-hostile-1");
  json rotated = env.WaitSkr("valid-after", [](const json& s) {
    return s["status"].value("lastHandledRequestID", "") == "after-hostile-1" && IsReadyAndSynced(s);
  });
  EXPECT_EQ(rotated["status"].value("lastHandledRequestID", ""), "after-hostile-1") << ConditionSummary(rotated);
  EXPECT_EQ(env.qstash().Account(after_token)->rotations, 1);
  WaitUntil([&] { return MatchesAccount(env, "valid-after-keys", after_token); });
  EXPECT_TRUE(MatchesAccount(env, "valid-after-keys", after_token));
  EXPECT_TRUE(MatchesAccount(env, "valid-before-keys", before_token));

  // Nothing written for the hostile ones: only the token Secrets and the valid targets exist.
  auto secrets = env.kube().List(kube::resources::kSecrets, env.ns());
  ASSERT_TRUE(secrets.ok());
  std::set<std::string> names;
  for (const auto& s : secrets->items) names.insert(kube::NameOf(s));
  EXPECT_EQ(names, (std::set<std::string>{"qstash", "qstash-before", "qstash-after", "valid-before-keys",
                                          "valid-after-keys"}));
  // No provider call on the account the hostile resources name.
  int hostile_calls = 0;
  for (const auto& [op, n] : env.account().requests) hostile_calls += n;
  EXPECT_EQ(hostile_calls, 0);
  EXPECT_TRUE(env.keyroll().running());
  EXPECT_EQ(env.keyroll().Probe("/healthz").status, 200);
  EXPECT_EQ(env.keyroll().Probe("/readyz").status, 200);
  EXPECT_TRUE(env.FindLeaks().empty());
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
