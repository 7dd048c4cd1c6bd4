// PEM loading with certificates the test's own CA issues (tests/fakes/common/tls_cert).
#include "operator/base/pem.h"

#include <gtest/gtest.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tests/fakes/common/tls_cert.h"

namespace keyroll::base {
namespace {
namespace KEYROLL_UNITY_ID {

TEST(Pem, ReadsEveryCertificateInABundleInOrder) {
  fakes::TlsMaterial tls = fakes::GenerateTlsMaterial("pem-test");
  auto certs = CertificatesFromPem(tls.server_cert_pem + tls.ca_cert_pem);
  ASSERT_EQ(certs.size(), 2u);
  X509Ptr ca = CertificateFromPem(tls.ca_cert_pem);
  ASSERT_TRUE(ca);
  EXPECT_EQ(X509_cmp(certs[1].get(), ca.get()), 0);
  EXPECT_NE(X509_cmp(certs[0].get(), ca.get()), 0);
  EXPECT_EQ(X509_check_issued(ca.get(), certs[0].get()), X509_V_OK);
}

TEST(Pem, ReadsThePrivateKeyThatMatchesTheCertificate) {
  fakes::TlsMaterial tls = fakes::GenerateTlsMaterial("pem-test");
  PkeyPtr key = PrivateKeyFromPem(tls.server_key_pem);
  X509Ptr cert = CertificateFromPem(tls.server_cert_pem);
  ASSERT_TRUE(key);
  ASSERT_TRUE(cert);
  EXPECT_EQ(X509_check_private_key(cert.get(), key.get()), 1);
}

TEST(Pem, GivesNothingForTextThatIsNotPem) {
  for (const char* junk : {"", "not pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"}) {
    EXPECT_TRUE(CertificatesFromPem(junk).empty()) << junk;
    EXPECT_FALSE(CertificateFromPem(junk)) << junk;
    EXPECT_FALSE(PrivateKeyFromPem(junk)) << junk;
  }
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::base
