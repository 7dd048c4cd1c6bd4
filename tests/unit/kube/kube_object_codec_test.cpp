// ObjectCodec: every blob decodes to the object it was made of, whichever dictionary was
// newest then; objects of one kind cost a fraction of their MessagePack; a change of shape
// brings a new dictionary; a foreign blob is refused, not misread.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "operator/kube/object_codec.h"

namespace keyroll::kube {
namespace {
namespace KEYROLL_UNITY_ID {

using nlohmann::json;

std::string Hex(uint64_t seed, size_t length) {
  std::string out;
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  while (out.size() < length) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    out += "0123456789abcdef"[x & 15];
  }
  return out;
}

// A resource as the cache keeps it; `with_status` as after its first sync.
json Resource(int i, bool with_status) {
  const std::string name = "r-" + std::to_string(i);
  json o = {{"metadata",
             {{"name", name}, {"namespace", "team-" + std::to_string(i % 7)}, {"uid", Hex(i, 8) + "-" + Hex(i + 1, 27)},
              {"resourceVersion", std::to_string(1000 + i)}, {"generation", 1},
              {"creationTimestamp", "2026-12-02T01:17:07Z"}}},
            {"spec",
             {{"provider", {{"qstash", {{"tokenSecretRef", {{"name", name + "-token"}, {"key", "QSTASH_TOKEN"}}}}}}},
              {"target", {{"secretName", name + "-keys"}}},
              {"consumers", {{"discover", true}, {"maxConcurrentRestarts", 2}}}}}};
  if (with_status) {
    json conditions = json::array();
    for (const char* type : {"KeysSynced", "ConsumersUpToDate", "RotationAllowed", "Ready"})
      conditions.push_back({{"type", type}, {"status", "True"}, {"reason", "Synced"}, {"observedGeneration", 1},
                            {"lastTransitionTime", "2026-12-02T01:17:11Z"},
                            {"message", "Secret \"" + name + "-keys\" holds the provider's keys (current " +
                                            Hex(i + 2, 8) + ", next " + Hex(i + 3, 8) + ")"}});
    o["status"] = {{"conditions", conditions}, {"phase", "Ready"}, {"observedGeneration", 1},
                   {"keys", {{"keysHash", Hex(i + 4, 64)}, {"currentFingerprint", Hex(i + 2, 8)}}}};
  }
  return o;
}

size_t PackedSize(const json& o) { return json::to_msgpack(o).size(); }

TEST(ObjectCodec, EveryBlobDecodesToItsObjectAcrossDictionaries) {
  ObjectCodec codec;
  std::vector<std::pair<std::string, json>> made;
  for (int i = 0; i < 300; ++i) {
    json o = Resource(i, i >= 150);  // a shape change halfway
    made.emplace_back(codec.Encode(o), o);
  }
  EXPECT_GE(codec.dictionaries(), 2) << "the status-carrying objects bring a dictionary of their own";
  for (const auto& [blob, o] : made) EXPECT_EQ(codec.Decode(blob), o);
}

TEST(ObjectCodec, SimilarObjectsCostAFractionOfTheirMessagePack) {
  ObjectCodec codec;
  size_t packed = 0, encoded = 0;
  for (int i = 0; i < 1000; ++i) {
    json o = Resource(i, true);
    std::string blob = codec.Encode(o);
    if (i < 100) continue;  // past the first dictionary
    packed += PackedSize(o);
    encoded += blob.size();
  }
  EXPECT_LT(encoded * 4, packed) << encoded << " bytes encoded for " << packed << " of MessagePack";
  EXPECT_LE(codec.dictionaries(), 2) << "one shape: no new dictionary at every trial";
}

TEST(ObjectCodec, ObjectsUnlikeAnyOtherAreKeptAndReadBack) {
  ObjectCodec codec;
  std::vector<std::pair<std::string, json>> made;
  for (int i = 0; i < 200; ++i) {
    json o = {{"metadata", {{"name", Hex(i, 1 + i % 40)}}}, {"data", Hex(i * 7, i * 13 % 900)}, {"n", i}};
    if (i % 3 == 0) o = json::object();  // tiny: never worth compressing
    made.emplace_back(codec.Encode(o), o);
  }
  EXPECT_LE(codec.dictionaries(), ObjectCodec::kMaxDictionaries);
  for (const auto& [blob, o] : made) EXPECT_EQ(codec.Decode(blob), o);
}

TEST(ObjectCodec, EncodesAndDecodesFromManyThreads) {
  ObjectCodec codec;
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 250; ++i) {
        json o = Resource(t * 1000 + i, i % 2 == 0);
        if (codec.Decode(codec.Encode(o)) != o) ++mismatches;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(ObjectCodec, RefusesBlobsItDidNotMake) {
  ObjectCodec codec;
  for (int i = 0; i < 20; ++i) codec.Encode(Resource(i, false));
  ASSERT_EQ(codec.dictionaries(), 1);
  EXPECT_THROW(codec.Decode(""), std::exception);
  EXPECT_THROW(codec.Decode(std::string(1, '\x07') + "whatever"), std::exception);  // no dictionary 7
  EXPECT_THROW(codec.Decode(std::string(1, '\x01') + "not a zstd frame"), std::exception);
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::kube
