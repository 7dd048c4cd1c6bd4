// signing_key: the fake Auth0 tenant's signing keys: RSA 2048 keys with self-signed X.509
// certificates generated with OpenSSL, shaped as Auth0 sends them (PEM with "\r\n" line
// ends, SHA-1 fingerprint "CC:FB:..." and hex thumbprint). RSA generation takes a while
// (a quarter second on a busy machine), so a KeyPool makes the first keys in parallel and,
// once keys are being rotated, keeps a few spare ones made on a background thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace keyroll::fakes {

struct FakeSigningKey {
  std::string kid;              // 22 base64url characters, like Auth0's
  std::string cert_pem;         // "\r\n" line ends
  std::string cert_der;
  std::string private_key_pem;  // PKCS#8, for tests that sign tokens
  std::string fingerprint;      // SHA-1 of the DER, "CC:FB:..." (upper-case colon hex)
  std::string thumbprint;       // SHA-1 of the DER, upper-case hex
  bool current = false;
  bool next = false;
  bool previous = false;
  bool revoked = false;
  std::int64_t current_since = 0;  // unix seconds; 0: never
  std::int64_t current_until = 0;
  std::int64_t revoked_at = 0;
};

// A fresh key and certificate (CN = common_name). Throws std::runtime_error on failure.
FakeSigningKey GenerateSigningKey(const std::string& common_name, int bits = 2048);  // tests may ask for less

// A key pair from a bank directory (rsa-2048-INDEX.pem, made and stored on first use) with a
// fresh certificate. Tests share the bank so that each test process does not pay for RSA
// generation; the certificates (serials, thumbprints) and kids are still new every time.
FakeSigningKey BankedSigningKey(const std::string& bank_dir, int index, const std::string& common_name);

// RS256 signature (RSASSA-PKCS1-v1_5 with SHA-256) of data with a PEM private key.
std::string SignRs256(const std::string& private_key_pem, const std::string& data);

class KeyPool {
 public:
  // With a bank_dir, keys come from BankedSigningKey (index 0, 1, 2, ... for this pool: all
  // different) and no spares are made.
  KeyPool(std::string common_name, std::size_t spare, std::string bank_dir = "");
  ~KeyPool();
  KeyPool(const KeyPool&) = delete;
  KeyPool& operator=(const KeyPool&) = delete;
  // n fresh keys, generated in parallel (no spares are kept for these).
  std::vector<FakeSigningKey> TakeFirst(std::size_t n);
  // A spare key, or a freshly generated one when none is ready; from now on spares are kept.
  FakeSigningKey Take();

 private:
  void Fill();
  FakeSigningKey NewKey();
  std::string common_name_;
  std::size_t spare_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<FakeSigningKey> ready_;
  bool stopping_ = false;
  bool keep_spares_ = false;
  std::string bank_dir_;
  int next_bank_index_ = 0;  // off until the first rotation: most tests never rotate
  std::thread thread_;
};

}  // namespace keyroll::fakes
