// Mapping Auth0's key list to a KeySet: the good shapes (with and without a previous key,
// revoked and plain older keys) and a table of every ambiguity, each an InvalidAnswer that
// names the problem and never echoes a certificate.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "operator/providers/auth0/certificate.h"
#include "operator/providers/auth0/signing_keys.h"
#include "tests/fakes/auth0/signing_key.h"
#include "tests/fakes/common/tls_cert.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

using nlohmann::json;
using providers::ErrorKind;
using namespace providers::auth0;

class Auth0SigningKeysTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    for (int i = 0; i < 4; ++i) certs_.push_back(fakes::GenerateSigningKey("tenant.test", 1024).cert_pem);
  }
  static json Key(const std::string& kid, int cert, json flags = json::object()) {
    json k = {{"kid", kid}, {"cert", certs_[cert]}, {"fingerprint", "AA:BB"}, {"thumbprint", "AABB"}};
    k.update(flags);
    return k;
  }
  // current "c" (cert 0), next "n" (cert 1), previous "p" (cert 2), plain "o" (cert 3).
  static json Standard() {
    return json::array({Key("p", 2, {{"previous", true}, {"current_until", "2026-01-01T00:00:00.000Z"}}),
                        Key("c", 0, {{"current", true}, {"current_since", "2026-01-01T00:00:00.000Z"}}),
                        Key("n", 1, {{"next", true}}), Key("o", 3)});
  }
  static std::vector<std::string> certs_;
};
std::vector<std::string> Auth0SigningKeysTest::certs_;

std::vector<std::string> Kids(const providers::KeySet& keys) {
  std::vector<std::string> kids;
  auto doc = json::parse(keys.extra_data.at("jwks.json").reveal());
  for (const auto& k : doc["keys"]) kids.push_back(k["kid"]);
  return kids;
}

providers::Result<providers::KeySet> Map(const json& list) {
  auto keys = ParseSigningKeyList(list.dump());
  if (!keys) return keys.error();
  return KeySetFromSigningKeys(*keys);
}

TEST_F(Auth0SigningKeysTest, CurrentNextAndPreviousMapToTheKeySet) {
  auto keys = Map(Standard());
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  EXPECT_EQ(keys->current.reveal(), ParseRsaCertificate(certs_[0]).value().canonical_pem);
  EXPECT_EQ(keys->next.reveal(), ParseRsaCertificate(certs_[1]).value().canonical_pem);
  EXPECT_EQ(keys->metadata, (std::map<std::string, std::string>{
                                {"currentKid", "c"}, {"nextKid", "n"}, {"previousKid", "p"}}));
  EXPECT_EQ(Kids(*keys), (std::vector<std::string>{"c", "n", "p"}));  // the plain older key is not in it
  EXPECT_EQ(keys->extra_data.size(), 1u);
}

TEST_F(Auth0SigningKeysTest, ARevokedOrMissingPreviousKeyIsLeftOut) {
  json list = Standard();
  list[0]["revoked"] = true;
  list[0]["revoked_at"] = "2026-01-02T00:00:00.000Z";
  auto keys = Map(list);
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  EXPECT_EQ(keys->metadata.at("previousKid"), "");
  EXPECT_EQ(Kids(*keys), (std::vector<std::string>{"c", "n"}));
  list.erase(0);
  auto without = Map(list);
  ASSERT_TRUE(without.ok()) << without.error().message;
  EXPECT_EQ(without->extra_data, keys->extra_data);  // same JWKS either way
  EXPECT_EQ(*without, *keys);
}

TEST_F(Auth0SigningKeysTest, NullFlagsReadAsFalseAndUnknownMembersAreIgnored) {
  json list = Standard();
  list[3]["current"] = nullptr;
  list[3]["pkcs7"] = "-----BEGIN PKCS7-----...";
  list[1]["something_new"] = {1, 2};
  EXPECT_TRUE(Map(list).ok());
}

TEST_F(Auth0SigningKeysTest, EveryAmbiguityIsAnInvalidAnswerNamingIt) {
  auto ec_cert = fakes::GenerateTlsMaterial("ec").server_cert_pem;
  struct Case {
    const char* name;
    std::function<void(json&)> change;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {"no current", [](json& l) { l[1].erase("current"); }, "no key is flagged current"},
      {"two current", [](json& l) { l[3]["current"] = true; }, "keys c and o are both flagged current"},
      {"no next", [](json& l) { l[2]["next"] = false; }, "no key is flagged next"},
      {"two next", [](json& l) { l[3]["next"] = true; }, "keys n and o are both flagged next"},
      {"current and next", [](json& l) { l[1]["next"] = true; l[2].erase("next"); }, "key c is flagged both current and next"},
      {"revoked current", [](json& l) { l[1]["revoked"] = true; }, "key c is revoked but flagged current"},
      {"revoked next", [](json& l) { l[2]["revoked"] = true; }, "key n is revoked but flagged next"},
      {"two previous", [](json& l) { l[3]["previous"] = true; }, "keys p and o are both flagged previous"},
      {"previous and current", [](json& l) { l[0].erase("previous"); l[1]["previous"] = true; }, "key c is flagged previous and current"},
      {"missing kid", [](json& l) { l[2].erase("kid"); }, "key #3 has no kid"},
      {"empty kid", [](json& l) { l[2]["kid"] = ""; }, "key #3 has no kid"},
      {"kid with a slash", [](json& l) { l[2]["kid"] = "../x"; }, "unexpected characters"},
      {"kid a number", [](json& l) { l[2]["kid"] = 7; }, "key #3 has no kid"},
      {"missing cert", [](json& l) { l[2].erase("cert"); }, "key n has no cert"},
      {"cert a number", [](json& l) { l[2]["cert"] = 5; }, "key n has no cert"},
      {"cert not PEM", [](json& l) { l[2]["cert"] = "hello"; }, "key n: the certificate is not a PEM certificate"},
      {"cert garbage", [](json& l) { l[2]["cert"] = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"; },
       "key n: the certificate does not parse as X.509"},
      {"EC cert", [&](json& l) { l[2]["cert"] = ec_cert; }, "key n: the certificate's key is not an RSA key"},
      {"bad previous cert", [](json& l) { l[0]["cert"] = "hello"; }, "key p: the certificate is not a PEM"},
      {"same cert twice", [](json& l) { l[2]["cert"] = l[1]["cert"]; }, "have the same certificate"},
      {"flag a string", [](json& l) { l[1]["current"] = "true"; }, "key c: \"current\" is a string, not a boolean"},
      {"revoked a number", [](json& l) { l[0]["revoked"] = 1; }, "\"revoked\" is a number"},
      {"duplicate kid", [](json& l) { l[3]["kid"] = "c"; }, "kid c is listed twice"},
      {"element not object", [](json& l) { l[3] = "o"; }, "key #4 is a JSON string, not an object"},
      {"not an array", [](json& l) { l = json{{"keys", l}}; }, "not an array"},
      {"empty array", [](json& l) { l = json::array(); }, "no key is flagged current"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    json list = Standard();
    c.change(list);
    auto keys = Map(list);
    ASSERT_FALSE(keys.ok());
    EXPECT_EQ(keys.error().kind, ErrorKind::kInvalidAnswer);
    EXPECT_NE(keys.error().message.find(c.expected), std::string::npos) << keys.error().message;
    EXPECT_EQ(keys.error().message.find("MII"), std::string::npos) << keys.error().message;  // no certificate
  }
  auto not_json = ParseSigningKeyList("<html>");
  ASSERT_FALSE(not_json.ok());
  EXPECT_NE(not_json.error().message.find("not JSON"), std::string::npos);
}

TEST_F(Auth0SigningKeysTest, OneKeyObjectAndTheRotateAnswerParse) {
  auto key = ParseSigningKey(Key("n", 1, {{"next", true}, {"revoked_at", "x"}}).dump());
  ASSERT_TRUE(key.ok()) << key.error().message;
  EXPECT_EQ(key->kid, "n");
  EXPECT_TRUE(key->next);
  EXPECT_FALSE(key->current);
  EXPECT_EQ(key->fingerprint, "AA:BB");
  EXPECT_TRUE(ParseSigningKey(json{{"cert", certs_[0]}, {"kid", "k"}}.dump()).ok());
  EXPECT_FALSE(ParseSigningKey(R"({"kid":12345})").ok());
  EXPECT_FALSE(ParseSigningKey("[]").ok());
}

TEST(Auth0KidTest, OnlyUrlSafeKidsAreValid) {
  EXPECT_TRUE(IsValidKid("NjVBRjY5MDlCMUIwNzU4RTA2QzZFMDQ4QzQ2MDAyQjVDNjk1RTM2Qg"));
  EXPECT_TRUE(IsValidKid("a-b_c.d~e"));
  for (const char* bad : {"", "a/b", "a b", "a?b", "a%2F", "..\\x", "a#b"}) EXPECT_FALSE(IsValidKid(bad)) << bad;
  EXPECT_FALSE(IsValidKid(std::string(257, 'a')));
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
