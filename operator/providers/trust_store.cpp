// trust_store.cpp — see trust_store.h.
#include "operator/providers/trust_store.h"

#include <openssl/x509.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>

#include "operator/base/pem.h"

namespace keyroll::providers {
namespace {

std::atomic<int> parses{0};

std::string DefaultDirectory() {
  const char* env = std::getenv(X509_get_default_cert_dir_env());
  return env != nullptr && *env != '\0' ? env : X509_get_default_cert_dir();
}

// Adds the lazy hashed-directory lookup (what X509_STORE_set_default_paths adds besides the file).
void AddDirectoryLookup(X509_STORE* store) {
  if (X509_LOOKUP* dir = X509_STORE_add_lookup(store, X509_LOOKUP_hash_dir()))
    X509_LOOKUP_add_dir(dir, TrustStoreDirectory().c_str(), X509_FILETYPE_PEM);
}

X509_STORE* BuildSystemStore() {
  ++parses;
  X509_STORE* store = X509_STORE_new();
  if (X509_LOOKUP* file = X509_STORE_add_lookup(store, X509_LOOKUP_file()))
    X509_LOOKUP_load_file(file, nullptr, X509_FILETYPE_DEFAULT);  // the default bundle (or SSL_CERT_FILE)
  AddDirectoryLookup(store);
  return store;
}

// The system certificates (already parsed) plus those of `pem`; nullptr when `pem` has none.
X509_STORE* BuildCustomStore(X509_STORE* system, const std::string& pem) {
  ++parses;
  X509_STORE* store = X509_STORE_new();
  const int custom = base::AddCertificatesFromPem(store, pem);
  if (custom == 0) {
    X509_STORE_free(store);
    return nullptr;
  }
  X509_STORE_lock(system);
  STACK_OF(X509_OBJECT)* objects = X509_STORE_get0_objects(system);
  for (int i = 0; i < sk_X509_OBJECT_num(objects); ++i)
    if (X509* cert = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objects, i))) X509_STORE_add_cert(store, cert);
  X509_STORE_unlock(system);
  AddDirectoryLookup(store);
  return store;
}

struct Stores {
  std::mutex mu;
  X509_STORE* system = nullptr;
  std::map<std::string, X509_STORE*> custom;  // by PEM text
};

Stores& AllStores() {
  static Stores* stores = new Stores;  // never destroyed: clients may outlive static destruction
  return *stores;
}

constexpr size_t kMaxCustomStores = 16;  // distinct bundles in use are few; a flood just rebuilds

}  // namespace

const std::string& TrustStoreDirectory() {
  static const std::string dir = DefaultDirectory();
  return dir;
}

X509_STORE* SharedTrustStore(const std::string& custom_pem) {
  Stores& s = AllStores();
  std::lock_guard lock(s.mu);
  if (s.system == nullptr) s.system = BuildSystemStore();
  X509_STORE* store = s.system;
  if (!custom_pem.empty()) {
    auto it = s.custom.find(custom_pem);
    if (it == s.custom.end()) {
      X509_STORE* built = BuildCustomStore(s.system, custom_pem);
      if (built == nullptr) return nullptr;
      if (s.custom.size() >= kMaxCustomStores) {
        for (auto& [pem, old] : s.custom) X509_STORE_free(old);  // clients keep their own references
        s.custom.clear();
      }
      it = s.custom.emplace(custom_pem, built).first;
    }
    store = it->second;
  }
  X509_STORE_up_ref(store);
  return store;
}

int TrustStoreParses() { return parses.load(); }

}  // namespace keyroll::providers
