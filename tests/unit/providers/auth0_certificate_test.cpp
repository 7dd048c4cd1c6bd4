// Building a JWK from an Auth0 certificate, compared with what the openssl command line
// computes from the same certificate: modulus (n), exponent (e), SHA-1 thumbprint (x5t), DER
// (x5c) and the canonical PEM.
#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "operator/providers/auth0/certificate.h"
#include "operator/base/crypto.h"
#include "operator/base/encoding.h"
#include "tests/fakes/auth0/signing_key.h"
#include "tests/support/temp_dir.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

using nlohmann::json;
using namespace providers::auth0;

std::string RunCommand(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  for (std::size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  EXPECT_EQ(pclose(p), 0) << command;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string ColonHex(const std::string& bytes) {
  std::string hex = Upper(base::HexLower(bytes)), out;
  for (std::size_t i = 0; i < hex.size(); i += 2) out += (i ? ":" : "") + hex.substr(i, 2);
  return out;
}

class Auth0CertificateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = fakes::BankedSigningKey(std::string(KEYROLL_BINARY_DIR) + "/fake-auth0-key-bank", 0, "tenant.test");
    path_ = dir_.Write("cert.pem", key_.cert_pem);  // "\r\n" line ends, as Auth0 sends it
    auto parsed = ParseRsaCertificate(key_.cert_pem);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    cert_ = parsed.value();
    jwk_ = json::parse(JwkJson("kid-1", cert_));
  }
  std::string OpenSsl(const std::string& args) { return RunCommand("openssl x509 -in '" + path_ + "' " + args); }

  TempDir dir_;
  fakes::FakeSigningKey key_;
  std::string path_;
  RsaCertificate cert_;
  json jwk_;
};

TEST_F(Auth0CertificateTest, NMatchesTheModulusOpenSslReports) {
  std::string n = base::Base64UrlDecode(jwk_["n"].get<std::string>()).value();
  EXPECT_EQ(n.size(), 256u);  // 2048 bits, no leading zero byte
  EXPECT_EQ(OpenSsl("-noout -modulus"), "Modulus=" + Upper(base::HexLower(n)));
  EXPECT_EQ(jwk_["n"].get<std::string>().find('='), std::string::npos);  // unpadded base64url
}

TEST_F(Auth0CertificateTest, EMatchesTheExponentOpenSslReports) {
  EXPECT_EQ(jwk_["e"], "AQAB");
  EXPECT_NE(OpenSsl("-noout -text").find("Exponent: 65537 (0x10001)"), std::string::npos);
}

TEST_F(Auth0CertificateTest, X5tIsTheSha1ThumbprintOpenSslReports) {
  std::string x5t = base::Base64UrlDecode(jwk_["x5t"].get<std::string>()).value();
  std::string line = OpenSsl("-noout -fingerprint -sha1");  // "sha1 Fingerprint=AA:BB:..." (case varies)
  EXPECT_EQ(Upper(line), "SHA1 FINGERPRINT=" + ColonHex(x5t));
  EXPECT_EQ(ColonHex(x5t), key_.fingerprint);  // and Auth0's fingerprint field
}

TEST_F(Auth0CertificateTest, X5cIsTheDerAndThePemIsCanonical) {
  EXPECT_EQ(jwk_["x5c"], json::array({OpenSsl("-outform DER | openssl base64 -A")}));
  EXPECT_EQ(cert_.canonical_pem, OpenSsl("") + "\n");
  EXPECT_EQ(cert_.canonical_pem.find('\r'), std::string::npos);
}

TEST_F(Auth0CertificateTest, TheJwkHasAuth0sShapeAndOrder) {
  auto ordered = nlohmann::ordered_json::parse(JwkJson("kid-1", cert_));
  std::vector<std::string> order;
  for (const auto& [k, v] : ordered.items()) order.push_back(k);
  EXPECT_EQ(order, (std::vector<std::string>{"alg", "kty", "use", "x5c", "n", "e", "kid", "x5t"}));
  EXPECT_EQ(jwk_["alg"], "RS256");
  EXPECT_EQ(jwk_["kty"], "RSA");
  EXPECT_EQ(jwk_["use"], "sig");
  EXPECT_EQ(jwk_["kid"], "kid-1");
  auto jwks = json::parse(JwksJson({{"a", &cert_}, {"b", &cert_}}));
  ASSERT_EQ(jwks["keys"].size(), 2u);
  EXPECT_EQ(jwks["keys"][1]["kid"], "b");
}

TEST(Auth0CertificateErrors, NonRsaOrBrokenCertificatesAreInvalid) {
  for (const char* bad : {"", "not pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"}) {
    auto r = ParseRsaCertificate(bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, providers::ErrorKind::kInvalidAnswer);
  }
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
