// scripts/secrecy-scan finds a planted secret in every encoding it claims (plain, base64 and
// base64url at each alignment, hex in both cases, percent-encoding) and in every place the
// suite keeps (process logs, metrics, Events, SigningKeyRotations, Leases, workloads,
// ConfigMaps, test output); in a Secret keyroll writes it finds a token and a signing key of
// another account than the resource's (or, when it cannot tell the resource's account, keys of
// two accounts), but lets the resource's own key be.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "operator/base/encoding.h"
#include "tests/manifests/manifest_files.h"
#include "tests/support/temp_dir.h"

namespace keyroll::testing::manifests {
namespace {
namespace KEYROLL_UNITY_ID {

std::string Hex(const std::string& s, bool upper) {
  static const char* lower = "0123456789abcdef";
  static const char* higher = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    out += (upper ? higher : lower)[c >> 4];
    out += (upper ? higher : lower)[c & 15];
  }
  return out;
}

std::string Percent(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
    else out += "%" + Hex(std::string(1, static_cast<char>(c)), true);
  }
  return out;
}

// The secret inside a longer text, encoded the way `name` says.
std::map<std::string, std::string> Encodings(const std::string& secret) {
  std::map<std::string, std::string> out = {{"plain", secret}, {"hex", Hex(secret, false)},
                                            {"HEX", Hex(secret, true)}, {"percent", Percent(secret)}};
  for (int k = 0; k < 3; ++k) {
    // k bytes before it: the secret's base64 starts mid-group.
    const std::string text = std::string("\x01\x02", k) + secret + "tail";
    out["base64@" + std::to_string(k)] = base::Base64Encode(text);
    out["base64url@" + std::to_string(k)] = base::Base64UrlEncode(text, true);
  }
  return out;
}

TEST(SecrecyScan, FindsAPlantedSecretInEveryEncodingAndPlace) {
  // "+/=" make its percent-encoding differ; "???~~~>>>" put + and / into its base64 at every
  // alignment, so base64url differs too.
  const std::string token = "tok+/=KR???~~~>>>" + Hex("planted-secrecy-token", false);
  const std::string key = "sig_PlantedSigningKeyNotALeak9";
  const std::string other_key = "sig_AnotherAccountsKeyPlanted7";
  TempDir ledger, artifacts;
  ledger.Write("issued-1.txt", "token:" + base::Base64Encode(token) + "\nkey:" + base::Base64Encode(key) +
                                   ":sha256-aaaa\nkey:" + base::Base64Encode(other_key) + ":sha256-bbbb\n");

  const std::vector<std::string> places = {"keyroll-log", "fake-qstash-log", "demo-consumer-log", "metrics",
                                           "objects-events", "objects-signingkeyrotations", "objects-leases",
                                           "objects-deployments", "objects-configmaps"};
  std::set<std::string> planted;
  for (const auto& place : places) {
    for (const auto& [encoding, text] : Encodings(token)) {
      planted.insert(artifacts.Write(place + "-" + encoding + ".txt", "{\"x\": \"before " + text + " after\"}\n"));
    }
  }
  const std::string clean = artifacts.Write("keyroll-log-clean.txt", "nothing secret here\n");
  // Target Secrets, one object a line, and whose keys each may hold (tests/support/secret_accounts.h).
  auto target = [](const std::string& uid, const std::string& value) {
    return "{\"metadata\": {\"uid\": \"" + uid + "\", \"namespace\": \"n\", \"name\": \"" + uid +
           "\"}, \"data\": {\"K\": \"" + base::Base64Encode(value) + "\"}}\n";
  };
  artifacts.Write("secret-accounts-1.txt", "{\"uid\": \"own\", \"account\": \"sha256-aaaa\"}\n"
                                           "{\"uid\": \"foreign\", \"account\": \"sha256-aaaa\"}\n"
                                           "{\"uid\": \"orphan\", \"account\": \"\", \"why\": \"gone\"}\n");
  const std::string secret_with_key = artifacts.Write("objects-secrets-target.txt", target("own", key));
  planted.insert(artifacts.Write("objects-secrets-leaky.txt", "{\"data\": {\"T\": \"" + base::Base64Encode(token) + "\"}}\n"));
  // Another account's key in a Secret, on the second line (a finding names the file).
  planted.insert(artifacts.Write("objects-secrets-foreign.txt", target("own", key) + target("foreign", other_key)));
  // Whose account an orphan's resource had cannot be told: one account's keys are let be, two not.
  artifacts.Write("objects-secrets-orphan-one.txt", target("orphan", key));
  const std::string mixed = target("orphan", key);
  planted.insert(artifacts.Write("objects-secrets-orphan-two.txt",
                                 mixed.substr(0, mixed.size() - 3) + ", \"L\": \"" + base::Base64Encode(other_key) + "\"}}\n"));
  TempDir outside;
  planted.insert(outside.Write("LastTest.log", "test output " + token + "\n"));

  CommandResult run = RunCommand({SourcePath("scripts/secrecy-scan"), ledger.path(), artifacts.path(),
                                  outside.File("LastTest.log")});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  std::set<std::string> found, encodings;
  std::istringstream lines(run.output);
  for (std::string line; std::getline(lines, line);) {
    const std::string leak = "secrecy-scan: LEAK ";
    if (line.rfind(leak, 0) != 0) continue;
    found.insert(line.substr(leak.size(), line.find(": ", leak.size()) - leak.size()));
    auto open = line.find('('), close = line.find(')');
    encodings.insert(line.substr(open + 1, close - open - 1));
    EXPECT_EQ(line.find(token), std::string::npos) << "a finding never shows the secret";
  }
  for (const auto& file : planted) EXPECT_TRUE(found.count(file)) << "not found: " << file << "\n" << run.output;
  EXPECT_FALSE(found.count(clean));
  EXPECT_FALSE(found.count(secret_with_key)) << "a resource's own signing key belongs in its target Secret";
  EXPECT_NE(run.output.find("of another account in Secret n/foreign"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("of more than one account in Secret n/orphan (whose own cannot be told: gone)"),
            std::string::npos) << run.output;
  EXPECT_EQ(found.size(), planted.size()) << run.output;
  for (const char* e : {"plain", "base64@0", "base64@1", "base64@2", "base64url@0", "base64url@1", "base64url@2",
                        "hex", "HEX", "percent"}) {
    EXPECT_TRUE(encodings.count(e)) << e << " never reported:\n" << run.output;
  }
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing::manifests
