// verify_cmd.cpp — see verify_cmd.h.
#include "cli/verify_cmd.h"

#include <fstream>
#include <iostream>
#include <iterator>

#include "cli/cluster_state.h"
#include "cli/colour.h"
#include "cli/errors.h"
#include "operator/base/encoding.h"
#include "operator/providers/qstash/receiver.h"
#include "operator/providers/secret_value.h"
#include "operator/base/fingerprint.h"
#include "operator/rotation/parse_spec.h"
#include "operator/rotation/vocabulary.h"

namespace keyroll::cli {

namespace qstash = providers::qstash;
using providers::SecretValue;

namespace {

std::string ReadBody(const std::string& path) {
  if (path == "-") return {std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CliError(kExitUsage, "cannot read the body file \"" + path + "\"");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// data[key] of the Secret, decoded; nullopt when absent.
std::optional<SecretValue> KeyOf(const nlohmann::json& secret, const std::string& key) {
  auto data = secret.find("data");
  if (data == secret.end() || !data->is_object()) return std::nullopt;
  auto it = data->find(key);
  if (it == data->end() || !it->is_string()) return std::nullopt;
  auto decoded = base::Base64Decode(it->get<std::string>());
  if (!decoded) return std::nullopt;
  return SecretValue(std::move(*decoded));
}

// The reason a key refused the delivery, in the user's words.
std::string Explain(const std::string& reason) {
  if (reason == "signature mismatch") return "not signed with this key";
  return reason;
}

}  // namespace

int RunVerify(const GlobalOptions& options, const std::string& name, const VerifyOptions& v,
              std::ostream& out) {
  std::string body = ReadBody(v.body_file);  // a usage error before any cluster call
  Session session = Connect(options);
  auto resource = rotation::ParseResource(ReadResource(*session.client, session.ns, name));
  if (!resource.spec.ok())
    throw CliError(kExitError, "the spec is invalid: " + rotation::JoinFieldErrors(resource.spec.error()));
  const rotation::Spec& spec = resource.spec.value();
  if (!rotation::AsQStash(spec))
    throw CliError(kExitUsage, "verify checks QStash deliveries; \"" + name + "\" is not a QStash resource");
  const auto& t = spec.target;
  auto secret = session.client->Get(kube::resources::kSecrets, session.ns, t.secret_name);
  if (!secret) throw FromKube(secret.error(), "Secret \"" + t.secret_name + "\"");
  auto current = KeyOf(*secret, t.current_key), next = KeyOf(*secret, t.next_key);
  secret->clear();  // the encoded values are not needed any more
  if (!current || !next)
    throw CliError(kExitError,
                   "Secret \"" + t.secret_name + "\" lacks " + (current ? t.next_key : t.current_key));

  qstash::VerifyOptions vo;
  vo.url = v.url;
  const std::string cur_fp = base::Fingerprint(current->reveal()),
                    next_fp = base::Fingerprint(next->reveal());
  auto result = qstash::Receiver(*current, *next).Verify(v.signature, body, vo);
  if (result.ok()) {
    bool by_current = result.key == qstash::VerifiedBy::kCurrent;
    out << Paint("verified") << " with the " << (by_current ? "current" : "next") << " key ("
        << (by_current ? t.current_key + " " + cur_fp : t.next_key + " " + next_fp) << ") of Secret \""
        << t.secret_name << "\"\n";
    return kExitOk;
  }
  std::string with_current = qstash::VerifyWithKey(*current, v.signature, body, vo);
  std::string with_next = qstash::VerifyWithKey(*next, v.signature, body, vo);
  out << Paint("rejected") << ": " << result.reason << "\n"
      << "  current key (" << t.current_key << " " << cur_fp << "): " << Explain(with_current) << "\n"
      << "  next key (" << t.next_key << " " << next_fp << "): " << Explain(with_next) << "\n";
  if (with_current == "signature mismatch" && with_next == "signature mismatch")
    out << "  signed with a key the Secret does not hold: one rotated out (two or more rotations ago), "
           "another account's, or not QStash's\n";
  return kExitRejected;
}

}  // namespace keyroll::cli
