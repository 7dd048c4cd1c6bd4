// Watch stream framing: events split across chunks at every byte, several per chunk,
// blank lines, truncation, garbage, huge events.
#include "operator/kube/watch_decoder.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/unit/kube/kube_wire_capture.h"

namespace keyroll::kube {
namespace {
namespace KEYROLL_UNITY_ID {

TEST(WatchDecoder, DecodesTheRealCaptureInOneChunk) {
  std::string body = testing::CaptureWatchEvents();
  ASSERT_FALSE(body.empty());
  WatchDecoder d;
  std::vector<WatchEvent> out;
  ASSERT_TRUE(d.Feed(body, out).ok());
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].type, WatchEventType::kAdded);
  EXPECT_EQ(out[1].type, WatchEventType::kModified);
  EXPECT_EQ(out[2].type, WatchEventType::kDeleted);
  EXPECT_EQ(out[3].type, WatchEventType::kBookmark);
  EXPECT_EQ(out[1].object["data"]["k"], "2");
  EXPECT_EQ(out[3].object["metadata"]["resourceVersion"], "2850");
  EXPECT_TRUE(d.Finish(out).ok());
  EXPECT_EQ(out.size(), 4u);
}

TEST(WatchDecoder, EverySplitPointGivesTheSameEvents) {
  std::string body = testing::CaptureWatchEvents();
  for (size_t cut = 0; cut <= body.size(); cut += 7) {
    WatchDecoder d;
    std::vector<WatchEvent> out;
    ASSERT_TRUE(d.Feed(std::string_view(body).substr(0, cut), out).ok()) << cut;
    ASSERT_TRUE(d.Feed(std::string_view(body).substr(cut), out).ok()) << cut;
    ASSERT_EQ(out.size(), 4u) << cut;
    EXPECT_EQ(out[2].object["metadata"]["resourceVersion"], "2850");
  }
}

TEST(WatchDecoder, ByteByByte) {
  std::string body = testing::CaptureWatchEvents();
  WatchDecoder d;
  std::vector<WatchEvent> out;
  for (char c : body) ASSERT_TRUE(d.Feed(std::string_view(&c, 1), out).ok());
  EXPECT_EQ(out.size(), 4u);
  EXPECT_EQ(d.pending_bytes(), 0u);
}

TEST(WatchDecoder, BlankLinesAndCrlfAreSkipped) {
  WatchDecoder d;
  std::vector<WatchEvent> out;
  ASSERT_TRUE(d.Feed("\n\r\n{\"type\":\"ADDED\",\"object\":{\"a\":1}}\r\n\n  \n", out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].object["a"], 1);
}

TEST(WatchDecoder, TruncatedFinalLineIsAnError) {
  WatchDecoder d;
  std::vector<WatchEvent> out;
  ASSERT_TRUE(d.Feed("{\"type\":\"ADDED\",\"object\":{\"a\":1}}\n{\"type\":\"MODI", out).ok());
  EXPECT_EQ(out.size(), 1u);
  auto fin = d.Finish(out);
  ASSERT_FALSE(fin.ok());
  EXPECT_EQ(fin.error().reason, Reason::kDecode);
  EXPECT_NE(fin.error().message.find("truncated"), std::string::npos);
}

TEST(WatchDecoder, CompleteFinalEventWithoutNewlineIsDelivered) {
  WatchDecoder d;
  std::vector<WatchEvent> out;
  ASSERT_TRUE(d.Feed("{\"type\":\"DELETED\",\"object\":{\"b\":2}}", out).ok());
  EXPECT_TRUE(out.empty());
  ASSERT_TRUE(d.Finish(out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, WatchEventType::kDeleted);
}

TEST(WatchDecoder, GarbageAndUnknownTypesAreErrors) {
  for (std::string bad : {"<html>proxy error</html>\n", "{\"type\":\"ADDED\"}\n",
                          "{\"type\":\"EXPLODED\",\"object\":{}}\n", "[1,2,3]\n",
                          "{\"type\":5,\"object\":{}}\n", "{\"type\":\"ADDED\",\"object\":\"x\"}\n"}) {
    WatchDecoder d;
    std::vector<WatchEvent> out;
    auto r = d.Feed(bad, out);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().reason, Reason::kDecode);
    EXPECT_TRUE(out.empty());
  }
}

TEST(WatchDecoder, ErrorEventCarriesStatus) {
  std::ifstream in(std::string(KEYROLL_SOURCE_DIR) + "/tests/unit/testdata/k8s-wire/watch-410-too-old.txt");
  std::string line, body;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '{') body += line + "\n";
  }
  WatchDecoder d;
  std::vector<WatchEvent> out;
  ASSERT_TRUE(d.Feed(body, out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, WatchEventType::kError);
  EXPECT_EQ(out[0].object["code"], 410);
  EXPECT_EQ(out[0].object["reason"], "Expired");
}

TEST(WatchDecoder, HugeEventsAcrossManyChunks) {
  std::string big(3 << 20, 'x');
  std::string line = "{\"type\":\"ADDED\",\"object\":{\"data\":{\"k\":\"" + big + "\"}}}\n";
  WatchDecoder d;
  std::vector<WatchEvent> out;
  for (size_t i = 0; i < line.size(); i += 16384) {
    ASSERT_TRUE(d.Feed(std::string_view(line).substr(i, 16384), out).ok());
  }
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].object["data"]["k"].get<std::string>().size(), big.size());
}

TEST(WatchDecoder, AnEventAboveTheLimitIsRefused) {
  WatchDecoder d(1024);
  std::vector<WatchEvent> out;
  auto r = d.Feed(std::string(2048, 'y'), out);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("larger than"), std::string::npos);
}

TEST(WatchDecoder, ManyEventsInOneChunk) {
  std::string body;
  for (int i = 0; i < 500; ++i) {
    body += "{\"type\":\"MODIFIED\",\"object\":{\"metadata\":{\"resourceVersion\":\"" + std::to_string(i) + "\"}}}\n";
  }
  WatchDecoder d;
  std::vector<WatchEvent> out;
  ASSERT_TRUE(d.Feed(body, out).ok());
  ASSERT_EQ(out.size(), 500u);
  EXPECT_EQ(out[499].object["metadata"]["resourceVersion"], "499");
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::kube
