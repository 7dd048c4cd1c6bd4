// Validation of QStash key answers: a table of bodies and what must happen to each.
#include "operator/providers/qstash/keys_answer.h"

#include <gtest/gtest.h>

namespace keyroll::providers::qstash {
namespace {
namespace KEYROLL_UNITY_ID {

TEST(ParseKeysAnswer, AcceptsAValidAnswer) {
  auto keys = ParseKeysAnswer(R"({"current":"sig_aaa","next":"sig_bbb","extra":1})");
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->current.reveal(), "sig_aaa");
  EXPECT_EQ(keys->next.reveal(), "sig_bbb");
}

TEST(ParseKeysAnswer, RejectsEverythingElseNamingTheProblemWithoutTheKeys) {
  struct Case {
    const char* body;
    const char* expected_in_message;
  } cases[] = {
      {"", "not JSON"},
      {"<html>502</html>", "not JSON"},
      {R"({"current":"sig_aaa","next":"sig_b)", "not JSON"},  // truncated
      {"[\"sig_aaa\",\"sig_bbb\"]", "array, not an object"},
      {"\"sig_aaa\"", "string, not an object"},
      {"null", "null, not an object"},
      {R"({"next":"sig_bbb"})", "\"current\" is missing"},
      {R"({"current":"sig_aaa"})", "\"next\" is missing"},
      {R"({"current":12345,"next":"sig_bbb"})", "\"current\" is a number"},
      {R"({"current":"sig_aaa","next":null})", "\"next\" is a null"},
      {R"({"current":"sig_aaa","next":["x"]})", "\"next\" is a array"},
      {R"({"current":"","next":"sig_bbb"})", "\"current\" is empty"},
      {R"({"current":"sig_aaa","next":""})", "\"next\" is empty"},
      {R"({"current":"sig_aaa","next":"sig_aaa"})", "are the same key"},
      {R"({"current":"sig_a\naa","next":"sig_bbb"})", "control characters"},
  };
  for (const auto& c : cases) {
    auto keys = ParseKeysAnswer(c.body);
    ASSERT_FALSE(keys.ok()) << c.body;
    EXPECT_EQ(keys.error().kind, ErrorKind::kInvalidAnswer) << c.body;
    EXPECT_NE(keys.error().message.find(c.expected_in_message), std::string::npos)
        << c.body << " -> " << keys.error().message;
    EXPECT_EQ(keys.error().message.find("sig_"), std::string::npos) << keys.error().message;
  }
}

TEST(ErrorMessageFromBody, ExtractsAndScrubsTheErrorMember) {
  EXPECT_EQ(ErrorMessageFromBody(R"({"error":"Unauthorized"})"), "Unauthorized");
  EXPECT_EQ(ErrorMessageFromBody(R"({"error":"bad key sig_abcdef"})"), "bad key [REDACTED]");
  EXPECT_EQ(ErrorMessageFromBody("not json"), "");
  EXPECT_EQ(ErrorMessageFromBody(R"({"error":5})"), "");
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::providers::qstash
