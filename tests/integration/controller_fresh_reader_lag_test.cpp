// FreshReader (read-your-writes over an informer cache) against an API server while its cache
// lags (a watch down), without kept answers (every read it does not trust goes live). The cache is a
// Store the test fills by hand, as a watch that is down (or late) would leave it; an object
// the cache holds carries data.from = "cache", so a test sees which one a read returned.
// Found by RobustnessApiFaults.InternalErrorStorms: with the secrets watch down through an
// outage, the reader trusted the lagging cache again 5 s after keyroll's own write, and every
// Secret write after a console rotation was refused 409 for the rest of the outage.
#include "operator/controller/fresh_reader.h"

#include <thread>

#include <gtest/gtest.h>

#include "tests/support/cluster.h"

namespace keyroll::controller {
namespace {
namespace KEYROLL_UNITY_ID {

using keyroll::testing::TestCluster;
using nlohmann::json;

json Cm(const std::string& name, const std::string& v) {
  return {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", name}}}, {"data", {{"v", v}}}};
}

class FreshReaderLagTest : public ::testing::Test {
 protected:
  FreshReaderLagTest() : reader_(cluster_.client(), kube::resources::kConfigMaps, store_, nullptr) {}

  // Creates the object on the server and shows it in the cache (as the watch would).
  json Create(const std::string& name) {
    auto made = cluster_.client().Create(kube::resources::kConfigMaps, ns(), Cm(name, "1"));
    EXPECT_TRUE(made.ok()) << made.error().ToString();
    Cache(*made);
    return *made;
  }
  json Update(const std::string& name, const std::string& v) {
    auto r = cluster_.client().MergePatch(kube::resources::kConfigMaps, ns(), name, {{"data", {{"v", v}}}});
    EXPECT_TRUE(r.ok()) << r.error().ToString();
    return *r;
  }
  // The watch delivers `object` (marked as coming from the cache).
  void Cache(json object) {
    object["data"]["from"] = "cache";
    store_.Apply({kube::WatchEventType::kModified, object});
  }
  std::string Read(const std::string& name, std::string* from = nullptr) {
    auto got = reader_.Get(ns(), name);
    if (!got) return "<none>";
    if (from) *from = (*got)["data"].value("from", "server");
    return (*got)["data"].value("v", "");
  }
  const std::string& ns() const { return cluster_.namespace_name(); }

  TestCluster cluster_;
  kube::Store store_;
  FreshReader reader_;
};

TEST_F(FreshReaderLagTest, ReadsLiveUntilTheCacheShowsOurWriteHoweverLongThatTakes) {
  Create("a");
  const FreshReader::Prior prior = reader_.Before(ns(), "a");
  json ours = Update("a", "2");
  reader_.Wrote(ns(), "a", ours, prior);
  std::string from;
  EXPECT_EQ(Read("a", &from), "2");
  EXPECT_EQ(from, "server");
  // Longer than the 5 s after which the cache used to be trusted again; the watch is still down.
  std::this_thread::sleep_for(std::chrono::seconds(6));
  EXPECT_EQ(Read("a", &from), "2") << "a lagging cache was trusted again";
  EXPECT_EQ(from, "server");
  Cache(ours);  // the watch is back
  EXPECT_EQ(Read("a", &from), "2");
  EXPECT_EQ(from, "cache");
}

TEST_F(FreshReaderLagTest, AfterAConflictReadsLiveUntilTheCacheCatchesUp) {
  Create("b");
  json theirs = Update("b", "2");  // someone else's write; the cache has not seen it
  std::string from;
  EXPECT_EQ(Read("b", &from), "1");
  EXPECT_EQ(from, "cache");
  reader_.Stale(ns(), "b");  // our write with the cache's version was refused 409
  EXPECT_EQ(Read("b", &from), "2");
  EXPECT_EQ(from, "server");
  Cache(theirs);
  EXPECT_EQ(Read("b", &from), "2");
  EXPECT_EQ(from, "cache");
}

TEST_F(FreshReaderLagTest, SomeoneWritingAfterUsEndsTheLiveReadsOnceTheCacheShowsTheirVersion) {
  Create("c");
  const FreshReader::Prior prior = reader_.Before(ns(), "c");
  json ours = Update("c", "2");
  reader_.Wrote(ns(), "c", ours, prior);
  json theirs = Update("c", "3");  // the cache will never show our version
  std::string from;
  EXPECT_EQ(Read("c", &from), "3");
  EXPECT_EQ(from, "server");
  Cache(theirs);
  EXPECT_EQ(Read("c", &from), "3");
  EXPECT_EQ(from, "cache");
}

TEST_F(FreshReaderLagTest, ADeletedObjectIsNoneOnceTheServerSaysSo) {
  Create("d");
  reader_.Stale(ns(), "d");
  ASSERT_TRUE(cluster_.client().Delete(kube::resources::kConfigMaps, ns(), "d").ok());
  EXPECT_EQ(Read("d"), "<none>");
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::controller
