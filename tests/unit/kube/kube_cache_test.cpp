// The informer store and the relist diff: handlers must see each change exactly once.
#include "operator/kube/cache.h"

#include <gtest/gtest.h>

namespace keyroll::kube {
namespace {
namespace KEYROLL_UNITY_ID {

nlohmann::json Obj(const std::string& ns, const std::string& name, const std::string& rv,
                   const std::string& uid = "", const std::string& data = "x") {
  return {{"metadata", {{"namespace", ns}, {"name", name}, {"resourceVersion", rv},
                        {"uid", uid.empty() ? "uid-" + name : uid}, {"managedFields", {{{"big", "junk"}}}}}},
          {"data", {{"k", data}}},
          {"spec", {{"huge", std::string(1000, 'z')}}}};
}

WatchEvent Ev(WatchEventType t, nlohmann::json o) { return {t, std::move(o)}; }

TEST(RelistDiff, ExactChanges) {
  std::map<std::string, nlohmann::json> cached = {
      {"a/same", Obj("a", "same", "1")},
      {"a/changed", Obj("a", "changed", "2")},
      {"a/gone", Obj("a", "gone", "3")},
      {"a/recreated", Obj("a", "recreated", "4", "old-uid")}};
  std::map<std::string, nlohmann::json> listed = {
      {"a/same", Obj("a", "same", "1")},
      {"a/changed", Obj("a", "changed", "7")},
      {"a/new", Obj("a", "new", "8")},
      {"a/recreated", Obj("a", "recreated", "9", "new-uid")}};
  auto d = ComputeRelistDiff(cached, listed);
  ASSERT_EQ(d.size(), 5u);
  EXPECT_EQ(d[0].type, DeltaType::kDeleted);
  EXPECT_EQ(d[0].key, "a/gone");
  EXPECT_EQ(d[1].type, DeltaType::kDeleted);
  EXPECT_EQ(d[1].key, "a/recreated");
  EXPECT_EQ(d[2].type, DeltaType::kUpdated);
  EXPECT_EQ(d[2].key, "a/changed");
  EXPECT_EQ(d[2].old_object["metadata"]["resourceVersion"], "2");
  EXPECT_EQ(d[2].new_object["metadata"]["resourceVersion"], "7");
  EXPECT_EQ(d[3].type, DeltaType::kAdded);
  EXPECT_EQ(d[3].key, "a/new");
  EXPECT_EQ(d[4].type, DeltaType::kAdded);
  EXPECT_EQ(d[4].key, "a/recreated");
  EXPECT_TRUE(ComputeRelistDiff(listed, listed).empty());
  EXPECT_EQ(ObjectKey(Obj("", "cluster-scoped", "1")), "cluster-scoped");
}

TEST(Store, ProjectionKeepsOnlyChosenFieldsAndIdentity) {
  Store s(KeepFields({"data"}));
  auto deltas = s.Replace({Obj("a", "one", "5")});
  ASSERT_EQ(deltas.size(), 1u);
  auto got = s.Get("a", "one");
  ASSERT_TRUE(got);
  EXPECT_EQ((*got)["data"]["k"], "x");
  EXPECT_FALSE(got->contains("spec"));
  EXPECT_FALSE((*got)["metadata"].contains("managedFields"));
  EXPECT_EQ((*got)["metadata"]["resourceVersion"], "5");
  EXPECT_EQ((*got)["metadata"]["uid"], "uid-one");
  EXPECT_EQ(deltas[0].new_object, *got);  // handlers see projections too
  Store nulls([](const nlohmann::json&) { return nlohmann::json(); });
  nulls.Replace({Obj("a", "one", "5")});
  EXPECT_EQ((*nulls.Get("a", "one"))["metadata"]["name"], "one");
}

TEST(Store, ApplyIgnoresRepeatsAndUnknownDeletes) {
  Store s;
  ASSERT_TRUE(s.Apply(Ev(WatchEventType::kAdded, Obj("a", "x", "1"))));
  EXPECT_FALSE(s.Apply(Ev(WatchEventType::kAdded, Obj("a", "x", "1"))));    // replayed
  EXPECT_FALSE(s.Apply(Ev(WatchEventType::kModified, Obj("a", "x", "1"))));  // same version
  auto up = s.Apply(Ev(WatchEventType::kModified, Obj("a", "x", "2", "", "y")));
  ASSERT_TRUE(up);
  EXPECT_EQ(up->type, DeltaType::kUpdated);
  EXPECT_EQ(up->old_object["data"]["k"], "x");
  EXPECT_EQ(up->new_object["data"]["k"], "y");
  auto add_as_mod = s.Apply(Ev(WatchEventType::kModified, Obj("b", "z", "3")));
  ASSERT_TRUE(add_as_mod);
  EXPECT_EQ(add_as_mod->type, DeltaType::kAdded);
  auto del = s.Apply(Ev(WatchEventType::kDeleted, Obj("a", "x", "4")));
  ASSERT_TRUE(del);
  EXPECT_EQ(del->type, DeltaType::kDeleted);
  EXPECT_EQ(del->old_object["data"]["k"], "y");  // the last known state
  EXPECT_FALSE(s.Apply(Ev(WatchEventType::kDeleted, Obj("a", "x", "4"))));
  EXPECT_FALSE(s.Apply(Ev(WatchEventType::kBookmark, Obj("", "", "9"))));
  EXPECT_EQ(s.size(), 1u);
}

// The reflector projects and packs each item as its page arrives (a Listing): the store
// must end up exactly as after a Replace of the full objects, with the same deltas.
TEST(Store, WithoutOldObjectsUpdatesCarryNoneAndDeletesStillDo) {
  Store s(nullptr, /*unpack_old_on_update=*/false);
  ASSERT_TRUE(s.Apply(Ev(WatchEventType::kAdded, Obj("a", "x", "1"))));
  auto up = s.Apply(Ev(WatchEventType::kModified, Obj("a", "x", "2", "", "y")));
  ASSERT_TRUE(up);
  EXPECT_TRUE(up->old_object.is_null());
  EXPECT_EQ(up->new_object["data"]["k"], "y");
  auto relist = s.Replace({Obj("a", "x", "3", "", "z")});
  ASSERT_EQ(relist.size(), 1u);
  EXPECT_TRUE(relist[0].old_object.is_null());
  auto del = s.Apply(Ev(WatchEventType::kDeleted, Obj("a", "x", "4")));
  ASSERT_TRUE(del);
  EXPECT_EQ(del->old_object["data"]["k"], "z") << "on_delete needs the last known object";
}

TEST(Store, ReplaceWithAListingEqualsReplaceOfFullObjects) {
  Store full(KeepFields({"data"}));
  Store paged(KeepFields({"data"}));
  full.Replace({Obj("a", "x", "1"), Obj("a", "gone", "1")});
  paged.Replace({Obj("a", "x", "1"), Obj("a", "gone", "1")});
  std::vector<nlohmann::json> listed = {Obj("a", "x", "2", "", "y"), Obj("b", "z", "3")};
  Listing listing;
  for (const auto& o : listed) paged.AddToListing(listing, o);
  auto d_full = full.Replace(listed);
  std::vector<Delta> d_paged;
  paged.Replace(std::move(listing), [&](const std::vector<Delta>& d) { d_paged.insert(d_paged.end(), d.begin(), d.end()); });
  ASSERT_EQ(d_full.size(), 3u);  // gone deleted, x updated, z added
  ASSERT_EQ(d_paged.size(), d_full.size());
  for (size_t i = 0; i < d_full.size(); ++i) {
    EXPECT_EQ(d_paged[i].type, d_full[i].type);
    EXPECT_EQ(d_paged[i].key, d_full[i].key);
    EXPECT_EQ(d_paged[i].old_object, d_full[i].old_object);
    EXPECT_EQ(d_paged[i].new_object, d_full[i].new_object);
  }
  EXPECT_EQ(d_full[1].old_object["data"]["k"], "x");
  EXPECT_EQ(paged.List(), full.List());
  EXPECT_FALSE(paged.Get("b", "z")->contains("spec"));  // still a projection
}

// A relist of many objects reaches the handlers in bounded chunks, not as one vector.
TEST(Store, ARelistIsHandedOnInChunks) {
  Store s;
  Listing listing;
  for (int i = 0; i < 1000; ++i) s.AddToListing(listing, Obj("a", "o" + std::to_string(i), "1"));
  std::vector<size_t> chunks;
  s.Replace(std::move(listing), [&](const std::vector<Delta>& d) { chunks.push_back(d.size()); });
  ASSERT_GT(chunks.size(), 1u);
  size_t total = 0;
  for (size_t c : chunks) {
    EXPECT_LE(c, 256u);
    total += c;
  }
  EXPECT_EQ(total, 1000u);
  EXPECT_EQ(s.size(), 1000u);
}

// Objects come back from the packed store exactly as projected: strings, numbers, bools,
// nulls, nesting and unicode.
TEST(Store, PackedObjectsComeBackUnchanged) {
  Store s;
  nlohmann::json o = Obj("a", "x", "1");
  o["spec"] = {{"n", 42}, {"neg", -7}, {"f", 1.5}, {"b", true}, {"z", nullptr}, {"u", "\u00e9\u6f22"},
               {"list", {1, "two", {{"three", 3}}}}, {"big", 9007199254740993LL}};
  s.Replace({o});
  EXPECT_EQ(*s.Get("a", "x"), o);
}

TEST(Store, ListByNamespace) {
  Store s;
  s.Replace({Obj("a", "1", "1"), Obj("a", "2", "1"), Obj("ab", "3", "1"), Obj("b", "4", "1")});
  EXPECT_EQ(s.List("a").size(), 2u);
  EXPECT_EQ(s.List("ab").size(), 1u);
  EXPECT_EQ(s.List().size(), 4u);
  EXPECT_TRUE(s.List("c").empty());
  EXPECT_FALSE(s.Get("a", "4"));
}

TEST(Store, ReplaceAfterMissedEventsGivesTheMissedChangesOnly) {
  Store s;
  s.Replace({Obj("a", "keep", "1"), Obj("a", "edit", "1"), Obj("a", "drop", "1")});
  auto d = s.Replace({Obj("a", "keep", "1"), Obj("a", "edit", "5"), Obj("a", "born", "6")});
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].type, DeltaType::kDeleted);
  EXPECT_EQ(d[0].key, "a/drop");
  EXPECT_EQ(d[1].type, DeltaType::kAdded);  // then in key order: a/born < a/edit
  EXPECT_EQ(d[1].key, "a/born");
  EXPECT_EQ(d[2].type, DeltaType::kUpdated);
  EXPECT_EQ(d[2].key, "a/edit");
  EXPECT_EQ(s.size(), 3u);
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::kube
