#include "operator/rotation/selector.h"

#include <gtest/gtest.h>

#include "operator/rotation/discovery.h"

namespace keyroll::rotation {
namespace {
namespace KEYROLL_UNITY_ID {

TEST(Selector, MatchesLikeTheApiServer) {
  LabelSelector s{{{"app", "pay"}},
                  {{"tier", SelectorOperator::In, {"web", "api"}},
                   {"legacy", SelectorOperator::DoesNotExist, {}},
                   {"env", SelectorOperator::NotIn, {"dev"}},
                   {"team", SelectorOperator::Exists, {}}}};
  EXPECT_TRUE(Matches(s, {{"app", "pay"}, {"tier", "web"}, {"team", "x"}}));
  EXPECT_TRUE(Matches(s, {{"app", "pay"}, {"tier", "api"}, {"team", "x"}, {"env", "prod"}}));
  EXPECT_FALSE(Matches(s, {{"app", "other"}, {"tier", "web"}, {"team", "x"}}));
  EXPECT_FALSE(Matches(s, {{"app", "pay"}, {"tier", "db"}, {"team", "x"}}));
  EXPECT_FALSE(Matches(s, {{"app", "pay"}, {"tier", "web"}, {"team", "x"}, {"legacy", ""}}));
  EXPECT_FALSE(Matches(s, {{"app", "pay"}, {"tier", "web"}, {"team", "x"}, {"env", "dev"}}));
  EXPECT_FALSE(Matches(s, {{"app", "pay"}, {"tier", "web"}}));
  EXPECT_EQ(ToQueryString(s), "app=pay,tier in (web,api),!legacy,env notin (dev),team");
}

TEST(Discovery, FindsEveryWayAPodReadsASecret) {
  using nlohmann::json;
  auto dep = [](json pod) { return json{{"spec", {{"template", {{"spec", pod}}}}}}; };
  EXPECT_TRUE(WorkloadReadsSecret(dep({{"containers", {{{"env", {{{"name", "K"}, {"valueFrom", {{"secretKeyRef", {{"name", "keys"}, {"key", "K"}}}}}}}}}}}}), "keys"));
  EXPECT_TRUE(WorkloadReadsSecret(dep({{"initContainers", {{{"envFrom", {{{"secretRef", {{"name", "keys"}}}}}}}}}}), "keys"));
  EXPECT_TRUE(WorkloadReadsSecret(dep({{"volumes", {{{"name", "v"}, {"secret", {{"secretName", "keys"}}}}}}}), "keys"));
  EXPECT_TRUE(WorkloadReadsSecret(dep({{"volumes", {{{"name", "v"}, {"projected", {{"sources", {{{"secret", {{"name", "keys"}}}}}}}}}}}}), "keys"));
  EXPECT_FALSE(WorkloadReadsSecret(dep({{"volumes", {{{"name", "v"}, {"secret", {{"secretName", "other"}}}}}}}), "keys"));
  EXPECT_FALSE(WorkloadReadsSecret(dep({{"containers", {{{"envFrom", {{{"configMapRef", {{"name", "keys"}}}}}}}}}}), "keys"));
  for (const char* junk : {"null", "[]", R"({"spec": 1})", R"({"spec": {"template": {"spec": {"containers": 5, "volumes": [1, null]}}}})"})
    EXPECT_FALSE(WorkloadReadsSecret(json::parse(junk), "keys")) << junk;
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::rotation
