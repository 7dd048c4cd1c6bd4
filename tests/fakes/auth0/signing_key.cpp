#include "tests/fakes/auth0/signing_key.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <memory>
#include <stdexcept>

#include "operator/base/crypto.h"
#include "operator/base/encoding.h"
#include "operator/base/pem.h"

namespace keyroll::fakes {
namespace {

using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using CertPtr = std::unique_ptr<X509, decltype(&X509_free)>;
using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;

void Check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("fake-auth0 signing key: ") + what + " failed");
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(len));
}

std::string WithCrLf(const std::string& pem) {
  std::string out;
  for (char c : pem) {
    if (c == '\n') out += "\r\n";
    else out.push_back(c);
  }
  return out;
}

// A fresh self-signed certificate (new serial, so a new thumbprint) for an existing key.
FakeSigningKey Certify(const KeyPtr& key, const std::string& common_name) {
  CertPtr cert(X509_new(), X509_free);
  Check(cert != nullptr, "X509_new");
  X509_set_version(cert.get(), 2);
  std::string serial = base::RandomBytes(16);
  serial[0] = static_cast<char>(serial[0] & 0x7f);
  BIGNUM* bn = BN_bin2bn(reinterpret_cast<const unsigned char*>(serial.data()), 16, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 10L * 365 * 24 * 3600);  // Auth0's are long-lived too
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name.c_str()),
                             -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  Check(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "X509_sign");

  FakeSigningKey out;
  out.kid = base::Base64UrlEncode(base::RandomBytes(16), false);
  BioPtr cert_bio(BIO_new(BIO_s_mem()), BIO_free);
  Check(PEM_write_bio_X509(cert_bio.get(), cert.get()) == 1, "PEM_write_bio_X509");
  out.cert_pem = WithCrLf(BioText(cert_bio.get()));
  BioPtr key_bio(BIO_new(BIO_s_mem()), BIO_free);
  Check(PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "PEM_write_bio_PrivateKey");
  out.private_key_pem = BioText(key_bio.get());
  unsigned char* der = nullptr;
  int len = i2d_X509(cert.get(), &der);
  Check(len > 0, "i2d_X509");
  out.cert_der.assign(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  std::string hex = base::HexLower(base::Sha1(out.cert_der));
  for (char& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  out.thumbprint = hex;
  for (std::size_t i = 0; i < hex.size(); i += 2) out.fingerprint += (i ? ":" : "") + hex.substr(i, 2);
  return out;
}

}  // namespace

FakeSigningKey GenerateSigningKey(const std::string& common_name, int bits) {
  KeyPtr key(EVP_RSA_gen(static_cast<unsigned>(bits)), EVP_PKEY_free);
  Check(key != nullptr, "EVP_RSA_gen");
  return Certify(key, common_name);
}

FakeSigningKey BankedSigningKey(const std::string& bank_dir, int index, const std::string& common_name) {
  namespace fs = std::filesystem;
  fs::path path = fs::path(bank_dir) / ("rsa-2048-" + std::to_string(index) + ".pem");
  std::ifstream in(path, std::ios::binary);
  if (in) {
    std::stringstream pem;
    pem << in.rdbuf();
    std::string text = pem.str();
    KeyPtr key(base::PrivateKeyFromPem(text).release(), EVP_PKEY_free);
    if (key != nullptr && EVP_PKEY_get_bits(key.get()) == 2048) return Certify(key, common_name);
  }
  FakeSigningKey fresh = GenerateSigningKey(common_name);
  // Written aside and renamed: processes filling the bank at once never see half a file.
  fs::create_directories(bank_dir);
  fs::path tmp = path.string() + "." + base::HexLower(base::RandomBytes(6)) + ".tmp";
  std::ofstream(tmp, std::ios::binary) << fresh.private_key_pem;
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) fs::remove(tmp, ec);
  return fresh;
}

std::string SignRs256(const std::string& private_key_pem, const std::string& data) {
  base::PkeyPtr key = base::PrivateKeyFromPem(private_key_pem);
  Check(key != nullptr, "PEM_read_bio_PrivateKey");
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  Check(EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1, "EVP_DigestSignInit");
  std::size_t len = 0;
  Check(EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1,
        "EVP_DigestSign");
  std::string sig(len, '\0');
  Check(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                       reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1,
        "EVP_DigestSign");
  sig.resize(len);
  return sig;
}

KeyPool::KeyPool(std::string common_name, std::size_t spare, std::string bank_dir)
    : common_name_(std::move(common_name)), spare_(spare), bank_dir_(std::move(bank_dir)) {
  if (spare_ > 0 && bank_dir_.empty()) thread_ = std::thread([this] { Fill(); });
}

FakeSigningKey KeyPool::NewKey() {
  if (bank_dir_.empty()) return GenerateSigningKey(common_name_);
  int index;
  {
    std::lock_guard lock(mu_);
    index = next_bank_index_++;
  }
  return BankedSigningKey(bank_dir_, index, common_name_);
}

KeyPool::~KeyPool() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void KeyPool::Fill() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (!keep_spares_ || ready_.size() >= spare_) {
      wake_.wait(lock);
      continue;
    }
    lock.unlock();
    FakeSigningKey key = GenerateSigningKey(common_name_);
    lock.lock();
    ready_.push_back(std::move(key));
  }
}

std::vector<FakeSigningKey> KeyPool::TakeFirst(std::size_t n) {
  std::vector<std::future<FakeSigningKey>> pending;
  for (std::size_t i = 0; i < n; ++i) {
    pending.push_back(std::async(std::launch::async, [this] { return NewKey(); }));
  }
  std::vector<FakeSigningKey> out;
  for (auto& f : pending) out.push_back(f.get());
  return out;
}

FakeSigningKey KeyPool::Take() {
  {
    std::lock_guard lock(mu_);
    keep_spares_ = true;
    if (!ready_.empty()) {
      FakeSigningKey key = std::move(ready_.front());
      ready_.pop_front();
      wake_.notify_all();
      return key;
    }
  }
  wake_.notify_all();
  return NewKey();
}

}  // namespace keyroll::fakes
