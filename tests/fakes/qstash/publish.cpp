// The fake's publish endpoint, POST /v2/publish/<destination URL>, like QStash's: the body is
// delivered to the destination with an Upstash-Signature JWT signed with the account's
// current key. Unlike QStash, delivery is synchronous and attempted once (no retries, no
// queue, no callbacks), and the answer also carries what the destination said:
//   201 {"messageId": "msg_...", "destinationStatus": 200 | 0, "destinationError"?: "..."}
#include <httplib.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "operator/base/crypto.h"
#include "operator/base/encoding.h"
#include "operator/providers/qstash/receiver.h"
#include "tests/fakes/qstash/fake_qstash.h"

namespace keyroll::fakes {

void FakeQStash::HandlePublish(const httplib::Request& req, httplib::Response& res) {
  std::string token;
  if (!Admit(req, res, "publish", &token)) return;
  std::string destination = req.matches[1];
  if (destination.rfind("http://", 0) != 0 && destination.rfind("https://", 0) != 0) {
    return SetError(res, 400, "invalid destination url: must start with http:// or https://");
  }
  auto scheme_end = destination.find("://") + 3;
  auto path_start = destination.find('/', scheme_end);
  std::string origin = destination.substr(0, path_start);
  std::string path = path_start == std::string::npos ? "/" : destination.substr(path_start);

  std::string current;
  {
    std::lock_guard lock(mu_);
    current = accounts_.at(token).state.current;
  }
  std::string message_id = "msg_" + base::HexLower(base::RandomBytes(12));
  providers::qstash::DeliveryClaims claims;
  claims.url = destination;
  claims.iat = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                   .count();
  claims.jti = message_id;
  std::string signature = providers::qstash::SignDelivery(providers::SecretValue(current), req.body, claims);

  httplib::Client client(origin);
  client.enable_server_certificate_verification(false);  // a test destination's certificate
  client.set_connection_timeout(std::chrono::seconds(5));
  client.set_read_timeout(std::chrono::seconds(10));
  std::string content_type = req.get_header_value("Content-Type");
  httplib::Headers headers = {{"Upstash-Signature", signature}, {"Upstash-Message-Id", message_id}};
  auto delivered = client.Post(path, headers, req.body, content_type.empty() ? "text/plain" : content_type);

  nlohmann::json answer = {{"messageId", message_id}};
  if (delivered) {
    answer["destinationStatus"] = delivered->status;
  } else {
    answer["destinationStatus"] = 0;
    answer["destinationError"] = httplib::to_string(delivered.error());
  }
  spdlog::debug("fake-qstash: published {} -> {}", message_id, answer["destinationStatus"].get<int>());
  res.status = 201;
  res.set_header("Fake-Destination-Status", std::to_string(answer["destinationStatus"].get<int>()));
  res.set_content(answer.dump(), "application/json");
}

}  // namespace keyroll::fakes
