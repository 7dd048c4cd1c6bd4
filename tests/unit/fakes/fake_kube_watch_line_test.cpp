// The watch event text the fake assembles around an object's text must be byte for byte what
// dumping {"type", "object"} as one document gave (the bytes clients and captures saw).
#include <gtest/gtest.h>

#include "tests/fakes/kube/object_rules.h"
#include "tests/fakes/kube/resource_types.h"
#include "tests/fakes/kube/watch_line.h"

namespace keyroll::fakes {
namespace {
namespace KEYROLL_UNITY_ID {

using json = nlohmann::json;

std::vector<json> Objects() {
  return {
      json::parse(R"({"kind":"Secret","apiVersion":"v1","metadata":{"name":"s","namespace":"n",
                  "resourceVersion":"12","labels":{"a":"b"}},"data":{"k":"dmFsdWU="},"type":"Opaque"})"),
      json::parse(R"({"metadata":{"name":"ünïcødé \"quoted\" \\ back\nline\t\u0001"},"spec":{"n":1.5,
                  "i":-3,"b":true,"z":null,"list":[1,"two",{"three":3}],"empty":{}}})"),
      json::object(),
      {{"kind", "Status"}, {"apiVersion", "v1"}, {"code", 410}, {"reason", "Expired"}},
  };
}

TEST(WatchLine, IsTheDumpOfTheWholeEvent) {
  for (const std::string type : {"ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"}) {
    for (const json& object : Objects()) {
      EXPECT_EQ(WatchLine(type, object.dump()), json({{"type", type}, {"object", object}}).dump() + "\n")
          << type << " " << object.dump();
    }
  }
}

TEST(ServedText, IsTheTextOfTheObjectAsServed) {
  ResourceType secrets = *ResourceRegistry().Find("", "v1", "secrets");
  ResourceType skr = secrets;
  skr.group = "keyroll.dev";
  skr.kind = "SigningKeyRotation";
  for (const json& object : Objects()) {
    EXPECT_EQ(ServedText(secrets, "v1", object), AsServed(secrets, "v1", object).dump()) << object.dump();
    EXPECT_EQ(ServedText(skr, "v1alpha1", object), AsServed(skr, "v1alpha1", object).dump()) << object.dump();
  }
  // Stored at one version, watched at another: the served apiVersion replaces the stored one.
  json stored = {{"kind", "SigningKeyRotation"}, {"apiVersion", "keyroll.dev/v1"}, {"spec", json::object()}};
  EXPECT_EQ(json::parse(ServedText(skr, "v1alpha1", stored))["apiVersion"], "keyroll.dev/v1alpha1");
  EXPECT_EQ(ServedText(skr, "v1", stored), stored.dump());
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::fakes
