// THE Auth0 key test: a JWKS built by keyroll's client verifies RS256 tokens signed with the
// tenant's private key, checked with OpenSSL independently of keyroll's code: the token is
// signed by the `openssl dgst` command, and verified with OpenSSL EVP using an RSA public key
// rebuilt from the JWKS n/e with this file's own base64url decoding.
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "tests/integration/auth0_client_fixture.h"
#include "tests/support/temp_dir.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

using nlohmann::json;

// Test-local base64url (no keyroll code on the verification path).
std::string B64UrlDecode(std::string s) {
  for (char& c : s) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (s.size() % 4) s += '=';
  std::string out(s.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(s.data()),
                          static_cast<int>(s.size()));
  EXPECT_GE(n, 0);
  std::size_t pad = s.size() - s.find_last_not_of('=') - 1;
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

std::string B64UrlEncode(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return out;
}

std::string RunCommand(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  EXPECT_EQ(pclose(p), 0) << command;
  return out;
}

// header.payload.signature, signed by the openssl CLI with the PEM private key.
std::string SignWithOpenSslCli(const TempDir& dir, const std::string& private_key_pem, const std::string& kid,
                               const std::string& subject) {
  std::string header = B64UrlEncode(json{{"alg", "RS256"}, {"typ", "JWT"}, {"kid", kid}}.dump());
  std::string payload = B64UrlEncode(json{{"sub", subject}, {"iss", "https://tenant/"}}.dump());
  std::string input = header + "." + payload;
  std::string key = dir.Write("key-" + kid + ".pem", private_key_pem);
  std::string data = dir.Write("input-" + kid, input);
  std::string sig = RunCommand("openssl dgst -sha256 -sign '" + key + "' '" + data + "'");
  EXPECT_EQ(sig.size(), 256u);  // RSA 2048
  return input + "." + B64UrlEncode(sig);
}

// Verifies a compact RS256 JWS with the JWK of its kid from the JWKS; false when no JWK has
// that kid or the signature does not verify.
bool VerifyWithJwks(const std::string& token, const std::string& jwks_text) {
  auto dot1 = token.find('.');
  auto dot2 = token.rfind('.');
  json header = json::parse(B64UrlDecode(token.substr(0, dot1)));
  json jwks = json::parse(jwks_text);
  for (const auto& jwk : jwks["keys"]) {
    if (jwk["kid"] != header["kid"]) continue;
    EXPECT_EQ(jwk["kty"], "RSA");
    EXPECT_EQ(jwk["alg"], "RS256");
    EXPECT_EQ(jwk["use"], "sig");
    std::string n = B64UrlDecode(jwk["n"]);
    std::string e = B64UrlDecode(jwk["e"]);
    BIGNUM* bn_n = BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()), static_cast<int>(n.size()), nullptr);
    BIGNUM* bn_e = BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()), static_cast<int>(e.size()), nullptr);
    OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n);
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e);
    OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX* kctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr);
    EVP_PKEY* pub = nullptr;
    EVP_PKEY_fromdata_init(kctx);
    EVP_PKEY_fromdata(kctx, &pub, EVP_PKEY_PUBLIC_KEY, params);
    std::string input = token.substr(0, dot2);
    std::string sig = B64UrlDecode(token.substr(dot2 + 1));
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    int ok = pub != nullptr && EVP_DigestVerifyInit(md, nullptr, EVP_sha256(), nullptr, pub) == 1 &&
             EVP_DigestVerify(md, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                              reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(pub);
    EVP_PKEY_CTX_free(kctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn_n);
    BN_free(bn_e);
    return ok == 1;
  }
  return false;
}

std::string Jwks(const providers::KeySet& keys) { return keys.extra_data.at("jwks.json").reveal(); }

std::string Tampered(std::string token) {
  auto dot = token.find('.');
  token[dot + 2] = token[dot + 2] == 'A' ? 'B' : 'A';
  return token;
}

TEST_F(Auth0ClientTest, KeyrollsJwksVerifiesTokensSignedByTheTenant) {
  TempDir dir;
  auto client = Make();
  auto keys = client->ReadKeys();
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  std::string kid = keys->metadata.at("currentKid");
  std::string token = SignWithOpenSslCli(dir, fake_.CurrentPrivateKeyPem(), kid, "first");
  EXPECT_TRUE(VerifyWithJwks(token, Jwks(*keys)));
  EXPECT_FALSE(VerifyWithJwks(Tampered(token), Jwks(*keys)));  // the check can fail

  // Rotation: tokens of the new current key verify, and the old ones still do (previous).
  auto rotated = client->Rotate();
  ASSERT_TRUE(rotated.ok()) << rotated.error().message;
  ASSERT_EQ(rotated->metadata.at("currentKid"), keys->metadata.at("nextKid"));
  std::string next_token = SignWithOpenSslCli(dir, fake_.CurrentPrivateKeyPem(), rotated->metadata.at("currentKid"),
                                              "second");
  EXPECT_TRUE(VerifyWithJwks(next_token, Jwks(*keys)));  // the JWKS written before the rotation
  EXPECT_TRUE(VerifyWithJwks(next_token, Jwks(*rotated)));
  EXPECT_TRUE(VerifyWithJwks(token, Jwks(*rotated)));

  // A key's token does not verify under another key's JWK.
  std::string wrong_kid = SignWithOpenSslCli(dir, fake_.CurrentPrivateKeyPem(), kid, "third");
  EXPECT_FALSE(VerifyWithJwks(wrong_kid, Jwks(*rotated)));

  // Revoking the previous key removes it: its tokens no longer verify.
  auto revoked = client->RevokePrevious();
  ASSERT_TRUE(revoked.ok()) << revoked.error().message;
  EXPECT_FALSE(VerifyWithJwks(token, Jwks(revoked->keys)));
  EXPECT_TRUE(VerifyWithJwks(next_token, Jwks(revoked->keys)));
}

TEST_F(Auth0ClientTest, TheJwksCertificatesAreTheTenantsCertificates) {
  TempDir dir;
  auto keys = Make()->ReadKeys();
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  json jwks = json::parse(Jwks(*keys));
  ASSERT_EQ(jwks["keys"].size(), 2u);
  // x5c[0] is the DER of the certificate Auth0 lists, and the Secret's current entry is it in
  // PEM: both as the openssl CLI sees them.
  std::string current_pem = dir.Write("current.pem", keys->current.reveal());
  std::string der_b64 = RunCommand("openssl x509 -in '" + current_pem + "' -outform DER | openssl base64 -A");
  EXPECT_EQ(jwks["keys"][0]["x5c"][0], der_b64);
  std::string listed = dir.Write("listed.pem", fake_.Keys()[0].cert_pem);  // "\r\n" as Auth0 sends it
  EXPECT_EQ(RunCommand("openssl x509 -in '" + listed + "'"), keys->current.reveal());
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
