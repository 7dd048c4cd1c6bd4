// QStash delivery signatures: SignDelivery checked against an independent HMAC (the openssl
// command line), and the Receiver's accept/reject rules.
#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "operator/base/crypto.h"
#include "operator/base/encoding.h"
#include "operator/providers/qstash/receiver.h"
#include "tests/support/temp_dir.h"

namespace keyroll::providers::qstash {
namespace {
namespace KEYROLL_UNITY_ID {

using nlohmann::json;
using std::chrono::seconds;

const SecretValue kCurrent("sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r");
const SecretValue kNext("sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs");
const SecretValue kOther("sig_3xPpNq2ZzUeJ7aTz6HkQqL8mVdWb");
constexpr std::int64_t kIat = 1700000000;
const std::string kUrl = "http://127.0.0.1:9999/hook";

std::chrono::system_clock::time_point At(std::int64_t unix) { return std::chrono::system_clock::time_point(seconds(unix)); }

VerifyOptions Opts(std::int64_t now = kIat + 10, std::optional<std::string> url = kUrl) {
  VerifyOptions o;
  o.now = At(now);
  o.url = std::move(url);
  return o;
}

std::string Sign(const SecretValue& key, const std::string& body) {
  return SignDelivery(key, body, DeliveryClaims{kUrl, kIat, seconds(300), "msg_1"});
}

// A JWT with arbitrary header and claims (for the negative cases).
std::string Forge(const SecretValue& key, const json& header, const json& claims) {
  std::string signed_part = base::Base64UrlEncode(header.dump(), false) + "." + base::Base64UrlEncode(claims.dump(), false);
  return signed_part + "." + base::Base64UrlEncode(base::HmacSha256(key.reveal(), signed_part), false);
}

json GoodClaims(const std::string& body) {
  return {{"iss", "Upstash"}, {"sub", kUrl},        {"exp", kIat + 300}, {"nbf", kIat},
          {"iat", kIat},      {"jti", "msg_1"},     {"body", base::Base64UrlEncode(base::Sha256(body), true)}};
}
const json kHeader = {{"alg", "HS256"}, {"typ", "JWT"}};

std::string RunCommand(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return out;
  char buf[256];
  while (std::size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  pclose(p);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

TEST(SignDelivery, MatchesAnIndependentHmacFromTheOpensslCommand) {
  // Fixed vector: printf '%s' 'header.payload' |
  //   openssl dgst -sha256 -hmac 'sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r' -binary | basenc --base64url
  EXPECT_EQ(base::Base64UrlEncode(base::HmacSha256(kCurrent.reveal(), "header.payload"), true),
            "2Woo728u1AWJRMXFqzjVWGEQ45OegT9gpIO0mH4x3Fg=");

  std::string jwt = Sign(kCurrent, "hello");
  auto last_dot = jwt.rfind('.');
  keyroll::testing::TempDir dir;
  std::string input = dir.Write("signing-input", jwt.substr(0, last_dot));
  std::string expected = RunCommand("openssl dgst -sha256 -hmac '" + kCurrent.reveal() + "' -binary '" + input +
                             "' | basenc --base64url | tr -d '='");
  ASSERT_EQ(expected.size(), 43u) << "openssl or basenc missing?";
  EXPECT_EQ(jwt.substr(last_dot + 1), expected);
}

TEST(SignDelivery, CarriesTheQStashHeaderAndClaims) {
  std::string jwt = Sign(kCurrent, "hello");
  auto d1 = jwt.find('.'), d2 = jwt.rfind('.');
  json header = json::parse(*base::Base64UrlDecode(jwt.substr(0, d1)));
  json claims = json::parse(*base::Base64UrlDecode(jwt.substr(d1 + 1, d2 - d1 - 1)));
  EXPECT_EQ(header, kHeader);
  EXPECT_EQ(claims["iss"], "Upstash");
  EXPECT_EQ(claims["sub"], kUrl);
  EXPECT_EQ(claims["iat"], kIat);
  EXPECT_EQ(claims["nbf"], kIat);
  EXPECT_EQ(claims["exp"], kIat + 300);
  EXPECT_EQ(claims["jti"], "msg_1");
  // printf %s hello | openssl dgst -sha256 -binary | basenc --base64url
  EXPECT_EQ(claims["body"], "LPJNul-wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=");
}

TEST(Receiver, AcceptsTheCurrentKey) {
  auto v = Receiver(kCurrent, kNext).Verify(Sign(kCurrent, "hello"), "hello", Opts());
  EXPECT_TRUE(v.ok()) << v.reason;
  EXPECT_EQ(v.key, VerifiedBy::kCurrent);
}

TEST(Receiver, FallsBackToTheNextKey) {
  // A consumer one rotation behind: QStash now signs with what the consumer holds as next.
  auto v = Receiver(kOther, kCurrent).Verify(Sign(kCurrent, "hello"), "hello", Opts());
  EXPECT_TRUE(v.ok()) << v.reason;
  EXPECT_EQ(v.key, VerifiedBy::kNext);
}

TEST(Receiver, RejectsWhenNeitherKeyMatches) {
  auto v = Receiver(kOther, kNext).Verify(Sign(kCurrent, "hello"), "hello", Opts());
  EXPECT_FALSE(v.ok());
  EXPECT_EQ(v.reason, "signature matches neither the current nor the next key");
}

TEST(Receiver, RejectsExpiredAndNotYetValidWithinTolerance) {
  Receiver r(kCurrent, kNext);
  std::string jwt = Sign(kCurrent, "hello");
  EXPECT_EQ(r.Verify(jwt, "hello", Opts(kIat + 301)).reason, "the JWT has expired");
  EXPECT_TRUE(r.Verify(jwt, "hello", Opts(kIat + 300)).ok());
  auto tolerant = Opts(kIat + 310);
  tolerant.tolerance = seconds(20);
  EXPECT_TRUE(r.Verify(jwt, "hello", tolerant).ok());
  EXPECT_EQ(r.Verify(jwt, "hello", Opts(kIat - 5)).reason, "the JWT is not yet valid (nbf)");
  auto early = Opts(kIat - 5);
  early.tolerance = seconds(10);
  EXPECT_TRUE(r.Verify(jwt, "hello", early).ok());
}

TEST(Receiver, RejectsWrongIssuerSubjectAndBody) {
  Receiver r(kCurrent, kNext);
  json claims = GoodClaims("hello");
  claims["iss"] = "Someone";
  EXPECT_EQ(r.Verify(Forge(kCurrent, kHeader, claims), "hello", Opts()).reason, "the issuer (iss) is not Upstash");
  EXPECT_EQ(r.Verify(Sign(kCurrent, "hello"), "hello", Opts(kIat, "http://127.0.0.1:9999/other")).reason,
            "the subject (sub) does not match the URL");
  EXPECT_TRUE(r.Verify(Sign(kCurrent, "hello"), "hello", Opts(kIat, std::nullopt)).ok());  // no url: no sub check
  EXPECT_EQ(r.Verify(Sign(kCurrent, "hello"), "hellO", Opts()).reason, "the body hash does not match the body");
  claims = GoodClaims("hello");
  claims["body"] = base::Base64UrlEncode(base::Sha256("hello"), false);  // without '=': still equal
  EXPECT_TRUE(r.Verify(Forge(kCurrent, kHeader, claims), "hello", Opts()).ok());
  claims.erase("exp");
  EXPECT_EQ(r.Verify(Forge(kCurrent, kHeader, claims), "hello", Opts()).reason, "the JWT has no expiry (exp)");
}

TEST(Receiver, RejectsTamperedTokens) {
  Receiver r(kCurrent, kNext);
  std::string jwt = Sign(kCurrent, "hello");
  auto d1 = jwt.find('.'), d2 = jwt.rfind('.');
  json claims = GoodClaims("evil");
  std::string swapped = jwt.substr(0, d1) + "." + base::Base64UrlEncode(claims.dump(), false) + jwt.substr(d2);
  EXPECT_FALSE(r.Verify(swapped, "evil", Opts()).ok());
  std::string flipped = jwt;
  flipped[d2 + 3] = flipped[d2 + 3] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(r.Verify(flipped, "hello", Opts()).ok());
}

TEST(Receiver, RejectsOtherAlgorithmsAndGarbage) {
  Receiver r(kCurrent, kNext);
  json none = {{"alg", "none"}, {"typ", "JWT"}};
  EXPECT_EQ(r.Verify(Forge(kCurrent, none, GoodClaims("hello")), "hello", Opts()).reason,
            "the JWT algorithm is not HS256");
  json hs512 = {{"alg", "HS512"}};
  EXPECT_EQ(r.Verify(Forge(kCurrent, hs512, GoodClaims("hello")), "hello", Opts()).reason,
            "the JWT algorithm is not HS256");
  for (const char* garbage : {"", "garbage", "a.b", "a.b.c.d", "!!!.???.###", "e30.e30.", "bnVsbA.bnVsbA.AAAA"}) {
    auto v = r.Verify(garbage, "hello", Opts());
    EXPECT_FALSE(v.ok()) << garbage;
    EXPECT_FALSE(v.reason.empty()) << garbage;
  }
}

TEST(Receiver, ReasonsNeverContainKeyMaterial) {
  Receiver r(kCurrent, kNext);
  for (const std::string& jwt : {Sign(kOther, "x"), Sign(kCurrent, "x"), std::string("x.y.z")}) {
    auto v = r.Verify(jwt, "y", Opts());
    EXPECT_EQ(v.reason.find("sig_"), std::string::npos) << v.reason;
  }
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::providers::qstash
