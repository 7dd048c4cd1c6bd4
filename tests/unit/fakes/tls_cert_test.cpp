#include "tests/fakes/common/tls_cert.h"

#include <gtest/gtest.h>

namespace keyroll::fakes {
namespace {
namespace KEYROLL_UNITY_ID {

TEST(TlsCert, GeneratesPemCaCertAndKey) {
  TlsMaterial m = GenerateTlsMaterial("fake-test", "kubernetes.default.svc");
  EXPECT_NE(m.ca_cert_pem.find("-----BEGIN CERTIFICATE-----"), std::string::npos);
  EXPECT_NE(m.server_cert_pem.find("-----BEGIN CERTIFICATE-----"), std::string::npos);
  EXPECT_NE(m.server_key_pem.find("PRIVATE KEY-----"), std::string::npos);
  EXPECT_NE(m.ca_cert_pem, m.server_cert_pem);
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::fakes
