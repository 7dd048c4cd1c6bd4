// Lists as a real server answers them: envelopes, limit/continue paging over a consistent
// snapshot, label and field selectors, resourceVersion semantics (compare
// /work/shared/k8s-wire/200-list-*.txt).
#include <set>

#include "tests/integration/fake_kube_fixture.h"

namespace keyroll::fakes {
namespace {
namespace KEYROLL_UNITY_ID {

constexpr const char* kConfigMaps = "/api/v1/namespaces/wire-capture/configmaps";

std::string Escape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

std::string Name(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "cm%04d", i);
  return buf;
}

TEST_F(FakeKubeTest, PagesOverTwoThousandObjectsFromOneSnapshot) {
  std::set<std::string> expected = {"kube-root-ca.crt"};  // in every namespace, as on a cluster
  for (int i = 0; i < 2000; ++i) {
    api().Create("v1", "configmaps", "wire-capture", {{"metadata", {{"name", Name(i)}}}, {"data", {{"i", std::to_string(i)}}}});
    expected.insert(Name(i));
  }
  HttpAnswer first = client().Get(std::string(kConfigMaps) + "?limit=500");
  ASSERT_EQ(first.status, 200);
  json page = first.Json();
  EXPECT_EQ(page["kind"], "ConfigMapList");
  EXPECT_EQ(page["apiVersion"], "v1");
  EXPECT_EQ(page["metadata"]["remainingItemCount"], 1501);
  EXPECT_FALSE(page["items"][0].contains("kind"));  // typed lists omit kind on items
  std::string snapshot_rv = page["metadata"]["resourceVersion"];

  std::set<std::string> seen;
  int pages = 0;
  while (true) {
    ++pages;
    ASSERT_EQ(page["metadata"]["resourceVersion"], snapshot_rv);
    for (const auto& item : page["items"]) {
      seen.insert(item["metadata"]["name"].get<std::string>());
      if (item["metadata"]["name"] != "kube-root-ca.crt") {  // the data as it was when the list began
        EXPECT_EQ(item["data"]["i"], std::to_string(std::stoi(item["metadata"]["name"].get<std::string>().substr(2))));
      }
    }
    // Changes between pages must not show up in this list: new, deleted and (twice) changed objects.
    api().Create("v1", "configmaps", "wire-capture", {{"metadata", {{"name", "zz-new-" + std::to_string(pages)}}}});
    api().Delete("v1", "configmaps", "wire-capture", Name(1999 - pages));
    for (const char* value : {"changed", "changed again"})
      api().MergePatch("v1", "configmaps", "wire-capture", Name(1500 + pages), {{"data", {{"i", value}}}});
    if (!page["metadata"].contains("continue")) break;
    std::string token = page["metadata"]["continue"];
    HttpAnswer next = client().Get(std::string(kConfigMaps) + "?limit=500&continue=" + token);
    ASSERT_EQ(next.status, 200) << next.body;
    page = next.Json();
  }
  EXPECT_EQ(pages, 5);
  EXPECT_EQ(seen, expected);
  HttpAnswer now = client().Get(kConfigMaps);
  EXPECT_EQ(now.Json()["items"].size(), 2001u);  // 5 created, 5 deleted
  EXPECT_FALSE(now.Json()["metadata"].contains("continue"));
}

TEST_F(FakeKubeTest, AllNamespaceListAndContinueTokenFormat) {
  api().Create("v1", "namespaces", "", {{"metadata", {{"name", "b"}}}});
  for (const char* ns : {"wire-capture", "b"}) {
    for (const char* name : {"x", "y"}) api().Create("v1", "secrets", ns, {{"metadata", {{"name", name}}}});
  }
  HttpAnswer page1 = client().Get("/api/v1/secrets?limit=3");
  json list = page1.Json();
  ASSERT_EQ(list["items"].size(), 3u);
  EXPECT_EQ(list["items"][0]["metadata"]["namespace"], "b");  // ordered by namespace/name
  EXPECT_EQ(list["metadata"]["remainingItemCount"], 1);
  HttpAnswer page2 = client().Get("/api/v1/secrets?limit=3&continue=" + list["metadata"]["continue"].get<std::string>());
  ASSERT_EQ(page2.Json()["items"].size(), 1u);
  EXPECT_EQ(page2.Json()["items"][0]["metadata"]["name"], "y");
  EXPECT_EQ(client().Get("/api/v1/secrets?limit=3&continue=%21%21").status, 400);
}

TEST_F(FakeKubeTest, LabelSelectorsFullSyntax) {
  for (int i = 1; i <= 4; ++i) {
    json labels = {{"n", std::to_string(i)}};
    if (i % 2 == 0) labels["even"] = "yes";
    api().Create("v1", "configmaps", "wire-capture", {{"metadata", {{"name", "cm" + std::to_string(i)}, {"labels", labels}}}});
  }
  auto names = [&](const std::string& selector) {
    HttpAnswer a = client().Get(std::string(kConfigMaps) + "?labelSelector=" + Escape(selector));
    EXPECT_EQ(a.status, 200) << selector << ": " << a.body;
    std::vector<std::string> out;
    json list = a.Json();
    for (const auto& item : list["items"]) out.push_back(item["metadata"]["name"]);
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(names("n in (1,3)"), (V{"cm1", "cm3"}));
  EXPECT_EQ(names("n notin (1,3)"), (V{"cm2", "cm4", "kube-root-ca.crt"}));
  EXPECT_EQ(names("n=2"), (V{"cm2"}));
  EXPECT_EQ(names("n==2"), (V{"cm2"}));
  // Objects without the label match != and ! (the namespace's kube-root-ca.crt too).
  EXPECT_EQ(names("n!=2"), (V{"cm1", "cm3", "cm4", "kube-root-ca.crt"}));
  EXPECT_EQ(names("even"), (V{"cm2", "cm4"}));
  EXPECT_EQ(names("!even"), (V{"cm1", "cm3", "kube-root-ca.crt"}));
  EXPECT_EQ(names("even,n!=4"), (V{"cm2"}));
  EXPECT_EQ(names("n>2"), (V{"cm3", "cm4"}));
  HttpAnswer bad = client().Get(std::string(kConfigMaps) + "?labelSelector=" + Escape("n in 1"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.Json()["reason"], "BadRequest");
}

TEST_F(FakeKubeTest, FieldSelectorsByNameAndNamespace) {
  for (const char* name : {"cm1", "cm2"}) api().Create("v1", "configmaps", "wire-capture", {{"metadata", {{"name", name}}}});
  api().Create("v1", "configmaps", "default", {{"metadata", {{"name", "cm2"}}}});
  HttpAnswer one = client().Get(std::string(kConfigMaps) + "?fieldSelector=metadata.name%3Dcm2");
  ASSERT_EQ(one.Json()["items"].size(), 1u);
  EXPECT_EQ(one.Json()["items"][0]["metadata"]["name"], "cm2");
  HttpAnswer not_one = client().Get(std::string(kConfigMaps) + "?fieldSelector=metadata.name!%3Dcm2");
  EXPECT_EQ(not_one.Json()["items"].size(), 2u);  // cm1 and kube-root-ca.crt
  HttpAnswer across = client().Get("/api/v1/configmaps?fieldSelector=metadata.name%3D%3Dcm2,metadata.namespace%3Ddefault");
  ASSERT_EQ(across.Json()["items"].size(), 1u);
  EXPECT_EQ(across.Json()["items"][0]["metadata"]["namespace"], "default");
  EXPECT_EQ(client().Get("/api/v1/secrets?fieldSelector=type%3DOpaque").status, 200);
}

TEST_F(FakeKubeTest, ListAtExactResourceVersionShowsThePast) {
  json before = client().Get(kConfigMaps).Json();
  std::string rv = before["metadata"]["resourceVersion"];
  api().Create("v1", "configmaps", "wire-capture", {{"metadata", {{"name", "later"}}}});
  HttpAnswer past = client().Get(std::string(kConfigMaps) + "?resourceVersionMatch=Exact&resourceVersion=" + rv);
  ASSERT_EQ(past.status, 200);
  EXPECT_EQ(past.Json()["items"].size(), 1u);  // the namespace's kube-root-ca.crt
  EXPECT_EQ(past.Json()["metadata"]["resourceVersion"], rv);
  HttpAnswer current = client().Get(std::string(kConfigMaps) + "?resourceVersion=0");
  EXPECT_EQ(current.Json()["items"].size(), 2u);
  HttpAnswer future = client().Get(std::string(kConfigMaps) + "?resourceVersion=99999999");
  EXPECT_EQ(future.status, 504);
}

TEST_F(FakeKubeTest, CustomResourceListsKeepKindAndTablesShowPrinterColumns) {
  CreateWidgetCrd();
  MustCreate("/apis/wire.example.com/v1alpha1/namespaces/wire-capture/widgets",
             {{"metadata", {{"name", "w"}}}, {"spec", {{"size", 4}}}});
  client().Patch("/apis/wire.example.com/v1alpha1/namespaces/wire-capture/widgets/w/status",
                 R"({"status":{"phase":"Ready"}})");
  json list = client().Get("/apis/wire.example.com/v1alpha1/namespaces/wire-capture/widgets").Json();
  EXPECT_EQ(list["kind"], "WidgetList");
  EXPECT_EQ(list["items"][0]["kind"], "Widget");
  EXPECT_EQ(list["metadata"]["continue"], "");
  HttpAnswer table = client().Get("/apis/wire.example.com/v1alpha1/namespaces/wire-capture/widgets",
                                  {{"Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"}});
  json t = table.Json();
  EXPECT_EQ(t["kind"], "Table");
  EXPECT_EQ(t["apiVersion"], "meta.k8s.io/v1");
  std::vector<std::string> columns;
  for (const auto& c : t["columnDefinitions"]) columns.push_back(c["name"]);
  EXPECT_EQ(columns, (std::vector<std::string>{"Name", "Phase", "Size"}));
  EXPECT_EQ(t["rows"][0]["cells"], json::parse(R"J(["w","Ready",4])J"));
  EXPECT_EQ(t["rows"][0]["object"]["kind"], "PartialObjectMetadata");
  json secrets = client().Get("/api/v1/namespaces/wire-capture/secrets",
                              {{"Accept", "application/json;as=Table;v=v1;g=meta.k8s.io"}}).Json();
  EXPECT_EQ(secrets["columnDefinitions"].size(), 4u);  // Name, Type, Data, Age
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::fakes
