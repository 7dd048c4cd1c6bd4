// spec.provider.*.caBundle (TlsOptions::ca_pem) and --provider-ca-file (ca_file) are trusted
// in addition to the system roots, never instead: the CRD promises it. The "system roots"
// here are OpenSSL's default trust file, pointed at a test CA with SSL_CERT_FILE.
#include <gtest/gtest.h>

#include <cstdlib>

#include "operator/providers/http_endpoint.h"
#include "operator/providers/trust_store.h"
#include "tests/fakes/qstash/fake_qstash.h"
#include "tests/integration/auth0_client_fixture.h"
#include "tests/support/temp_dir.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// The QStash fake plays a server whose CA is only in the "system roots" (its CA has another
// name than the Auth0 fake's: two test CAs with one subject would shadow each other).
class Auth0CaBundleTest : public Auth0ClientTest {
 protected:
  void SetUp() override {
    Auth0ClientTest::SetUp();
    qstash_.Start();
  }
  void TearDown() override {
    providers::CloseIdleProviderConnections();
    qstash_.Stop();
    Auth0ClientTest::TearDown();
  }
  // The HTTP status of GET path (0: no answer, e.g. the certificate was not trusted).
  static int Get(const std::string& base, const std::string& path, const providers::TlsOptions& tls) {
    auto url = providers::ParseBaseUrl(base);
    EXPECT_TRUE(url.ok());
    auto client = providers::MakeHttpClient(*url, tls, providers::HttpTimeouts{});
    EXPECT_TRUE(client.ok()) << (client.ok() ? "" : client.error().message);
    if (!client.ok()) return -1;
    auto res = (*client)->Get(path.c_str());
    return res ? res->status : 0;
  }
  // The test's PEM files, in a directory removed when the test ends.
  std::string WriteFile(const std::string& name, const std::string& text) const {
    return tmp_.Write(name + ".pem", text);
  }
  fakes::FakeQStash qstash_;
  TempDir tmp_;
};

// SharedTrustStore parses the system roots once per process: a test that points
// SSL_CERT_FILE elsewhere only sees its roots when no client was made before it in this
// process. ctest runs each test in its own process; a run of the whole binary may not.
#define KEYROLL_SKIP_IF_SYSTEM_ROOTS_CACHED()                                                     \
  if (providers::TrustStoreParses() > 0)                                                          \
  GTEST_SKIP() << "the system roots were already parsed in this process (SharedTrustStore keeps " \
                  "them): run this test in a process of its own, as ctest does"

TEST_F(Auth0CaBundleTest, CaBundleIsTrustedInAdditionToTheSystemRoots) {
  KEYROLL_SKIP_IF_SYSTEM_ROOTS_CACHED();
  ScopedEnv roots("SSL_CERT_FILE", WriteFile("system-roots", qstash_.ca_cert_pem()));
  providers::TlsOptions bundle;
  bundle.ca_pem = fake_.ca_cert_pem();  // spec.provider.auth0.caBundle
  EXPECT_EQ(Get(fake_.base_url(), "/.well-known/jwks.json", bundle), 200);
  // The server whose CA is only in the system roots is still trusted with a caBundle set.
  EXPECT_NE(Get(qstash_.base_url(), "/v2/keys", bundle), 0);
  EXPECT_NE(Get(qstash_.base_url(), "/v2/keys", {}), 0);
  // Verification is really on: without the caBundle the Auth0 fake is not trusted.
  EXPECT_EQ(Get(fake_.base_url(), "/.well-known/jwks.json", {}), 0);
  // And the Auth0 client itself works with the bundle under these roots.
  auto keys = Make()->ReadKeys();
  EXPECT_TRUE(keys.ok()) << (keys.ok() ? "" : Err(keys).message);
  auto plain = Options(client_);
  plain.tls.ca_pem.clear();
  auto refused = Make(plain)->ReadKeys();
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(Err(refused).message.find("TLS"), std::string::npos) << refused.error().message;
}

TEST_F(Auth0CaBundleTest, CaFileAndCaBundleAreBothTrusted) {
  ScopedEnv roots("SSL_CERT_FILE", WriteFile("empty-roots", ""));
  providers::TlsOptions both;
  both.ca_file = WriteFile("provider-ca", qstash_.ca_cert_pem());  // --provider-ca-file
  both.ca_pem = fake_.ca_cert_pem();                                // caBundle
  EXPECT_EQ(Get(fake_.base_url(), "/.well-known/jwks.json", both), 200);
  EXPECT_NE(Get(qstash_.base_url(), "/v2/keys", both), 0);
  providers::TlsOptions file_only;
  file_only.ca_file = both.ca_file;
  EXPECT_EQ(Get(fake_.base_url(), "/.well-known/jwks.json", file_only), 0);
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
