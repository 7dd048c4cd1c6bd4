// Fuzzes what a kubeconfig exec credential plugin prints (ParseExecCredential). Properties:
//   - any output: an answer or an error, never a crash (nor an exception);
//   - an accepted credential has a token, or a client certificate with its key;
//   - an error never quotes the token or the key the output held (errors are logged);
//   - an expiry that parses, written back in RFC 3339, parses to the same time.
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <string>

#include <nlohmann/json.hpp>

#include "operator/kube/exec_credential.h"

using nlohmann::json;

namespace {

std::string StatusString(const json& doc, const char* key) {
  if (!doc.is_object() || !doc.contains("status") || !doc["status"].is_object()) return "";
  const json& s = doc["status"];
  return s.contains(key) && s[key].is_string() ? s[key].get<std::string>() : "";
}

// Every letter and digit moved to the next one of its kind: a value as valid as s, but another.
std::string Shifted(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = c == 'z' ? 'a' : static_cast<char>(c + 1);
    else if (c >= 'A' && c <= 'Z') c = c == 'Z' ? 'A' : static_cast<char>(c + 1);
    else if (c >= '0' && c <= '9') c = c == '9' ? '0' : static_cast<char>(c + 1);
  }
  return s;
}

std::string Rfc3339(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string out(reinterpret_cast<const char*>(data), size);
  for (const char* version : {"client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"}) {
    auto cred = keyroll::kube::ParseExecCredential(out, version);
    if (cred) {
      if (cred->token.empty() && (cred->client_cert_pem.empty() || cred->client_key_pem.empty())) __builtin_trap();
      continue;
    }
    auto doc = json::parse(out, nullptr, false);
    if (doc.is_discarded()) continue;
    // The error may quote kind and apiVersion (not secrets) in fixed wording, and a fuzzed token
    // can be a piece of those (one was: "k8s.io/v1', the kubeconfig asks for client.a"). So a
    // secret found in the error counts only if the error changes with the secret's letters
    // and digits: then it is quoted, not met by chance.
    for (const char* secret : {"token", "clientKeyData"}) {
      std::string s = StatusString(doc, secret);
      if (s.size() < 6 || cred.error().message.find(s) == std::string::npos) continue;
      json other = doc;
      other["status"][secret] = Shifted(s);
      auto again = keyroll::kube::ParseExecCredential(other.dump(), version);
      if (!again && again.error().message != cred.error().message) __builtin_trap();  // the error quotes a secret
    }
  }
  auto doc = json::parse(out, nullptr, false);
  if (!doc.is_discarded()) {
    std::string expiry = StatusString(doc, "expirationTimestamp");
    auto t = keyroll::kube::ParseRfc3339(expiry);
    // Between 1970 and the far future (which means "never"), the time survives a round trip.
    if (t && *t != std::chrono::system_clock::time_point::max() &&
        *t >= std::chrono::system_clock::from_time_t(0)) {
      auto again = keyroll::kube::ParseRfc3339(Rfc3339(*t));
      if (!again || *again != *t) __builtin_trap();
    }
  }
  return 0;
}
