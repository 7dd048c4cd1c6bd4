// The provider HTTPS clients share one parsed trust store (trust_store.h) instead of parsing
// the system bundle per call, and verification is unchanged: the fake's CA verifies, any
// other CA (or the system store alone) does not, a custom CA keeps the system CAs, and a
// CA file is re-read for every client.
#include <gtest/gtest.h>
#include <openssl/x509_vfy.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "operator/providers/http_exchange.h"
#include "operator/providers/http_endpoint.h"
#include "operator/providers/qstash/client.h"
#include "operator/providers/trust_store.h"
#include "tests/fakes/common/tls_cert.h"
#include "tests/fakes/qstash/fake_qstash.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

using providers::ErrorKind;

class ProviderTrustStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_.Start();
    token_ = fake_.CreateAccount();
    dir_ = std::filesystem::temp_directory_path() / ("keyroll-trust-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    providers::CloseIdleProviderConnections();
    fake_.Stop();
    std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<providers::qstash::Client> Client(const providers::TlsOptions& tls) {
    providers::qstash::ClientOptions o;
    o.url = fake_.base_url();
    o.token = providers::SecretValue(token_);
    o.tls = tls;
    o.retry.max_attempts = 1;
    auto c = providers::qstash::Client::Create(std::move(o));
    EXPECT_TRUE(c.ok());
    return std::move(c.value());
  }
  providers::TlsOptions Inline(const std::string& pem) {
    providers::TlsOptions t;
    t.ca_pem = pem;
    return t;
  }
  void WriteFile(const std::string& pem) { std::ofstream(dir_ / "ca.crt", std::ios::trunc) << pem; }

  fakes::FakeQStash fake_;
  std::string token_;
  std::filesystem::path dir_;
};

int CertificatesIn(X509_STORE* store) {
  int n = 0;
  STACK_OF(X509_OBJECT)* objects = X509_STORE_get0_objects(store);
  for (int i = 0; i < sk_X509_OBJECT_num(objects); ++i)
    if (X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objects, i)) != nullptr) ++n;
  return n;
}

TEST_F(ProviderTrustStoreTest, RepeatedCallsParseTheBundleOnlyOnce) {
  auto client = Client(Inline(fake_.ca_cert_pem()));
  ASSERT_TRUE(client->ReadKeys().ok());
  const int parses = providers::TrustStoreParses();
  EXPECT_GE(parses, 1);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(client->ReadKeys().ok()) << "call " << i;
  EXPECT_EQ(providers::TrustStoreParses(), parses) << "each call parsed a trust store again";
  auto second = Client(Inline(fake_.ca_cert_pem()));  // another client, same CA: same store
  ASSERT_TRUE(second->ReadKeys().ok());
  EXPECT_EQ(providers::TrustStoreParses(), parses);
}

TEST_F(ProviderTrustStoreTest, VerificationStaysOnWithTheSharedStore) {
  auto other_ca = fakes::GenerateTlsMaterial("some other CA").ca_cert_pem;
  for (int i = 0; i < 2; ++i) {  // also after the stores were built and shared
    auto wrong = Client(Inline(other_ca))->ReadKeys();
    ASSERT_FALSE(wrong.ok());
    EXPECT_NE(wrong.error().message.find("certificate verification failed"), std::string::npos)
        << wrong.error().message;
    auto system_only = Client(providers::TlsOptions{})->ReadKeys();  // the fake's CA is no system CA
    ASSERT_FALSE(system_only.ok());
    EXPECT_NE(system_only.error().message.find("certificate verification failed"), std::string::npos)
        << system_only.error().message;
    EXPECT_TRUE(Client(Inline(fake_.ca_cert_pem()))->ReadKeys().ok());
  }
}

TEST_F(ProviderTrustStoreTest, ACustomCaIsTrustedBesidesTheSystemCas) {
  X509_STORE* system = providers::SharedTrustStore("");
  X509_STORE* custom = providers::SharedTrustStore(fake_.ca_cert_pem());
  ASSERT_NE(system, nullptr);
  ASSERT_NE(custom, nullptr);
  const int system_certs = CertificatesIn(system);
  ASSERT_GT(system_certs, 0) << "no system CA bundle on this machine: the check would prove nothing";
  EXPECT_EQ(CertificatesIn(custom), system_certs + 1);
  X509_STORE* again = providers::SharedTrustStore(fake_.ca_cert_pem());
  EXPECT_EQ(again, custom) << "the same PEM text must share one store";
  X509_STORE_free(again);
  X509_STORE_free(custom);
  X509_STORE_free(system);
  EXPECT_EQ(providers::SharedTrustStore("no certificate here"), nullptr);
}

TEST_F(ProviderTrustStoreTest, ACaFileIsReadAgainForEveryClient) {
  providers::TlsOptions tls;
  tls.ca_file = (dir_ / "ca.crt").string();
  WriteFile(fake_.ca_cert_pem());
  auto client = Client(tls);
  ASSERT_TRUE(client->ReadKeys().ok());
  WriteFile(fakes::GenerateTlsMaterial("rotated CA").ca_cert_pem);  // the file rotates
  auto after = client->ReadKeys();
  ASSERT_FALSE(after.ok());
  EXPECT_NE(after.error().message.find("certificate verification failed"), std::string::npos);
  WriteFile(fake_.ca_cert_pem());
  EXPECT_TRUE(client->ReadKeys().ok());
  WriteFile("");  // empty file: the system store alone, as before
  auto empty = client->ReadKeys();
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().kind, ErrorKind::kUnavailable) << empty.error().message;
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
