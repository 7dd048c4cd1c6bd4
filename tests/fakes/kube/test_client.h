// test_client: what tests use to talk to the fake over real HTTP(S): a small client that
// verifies the fake's CA and sends a bearer token, and a watch stream read on its own thread.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace keyroll::fakes {

struct HttpAnswer {
  int status = 0;  // 0: no answer (connection error)
  std::string body;
  httplib::Headers headers;
  nlohmann::json Json() const;  // null when the body is not JSON
  std::string Header(const std::string& name) const;
};

class KubeTestClient {
 public:
  // ca_pem empty: plain HTTP.
  KubeTestClient(int port, const std::string& ca_pem, const std::string& token);
  HttpAnswer Get(const std::string& path, const httplib::Headers& extra = {});
  HttpAnswer Post(const std::string& path, const nlohmann::json& body);
  HttpAnswer PostRaw(const std::string& path, const std::string& body, const std::string& content_type);
  HttpAnswer Put(const std::string& path, const nlohmann::json& body);
  HttpAnswer Patch(const std::string& path, const std::string& body,
                   const std::string& content_type = "application/merge-patch+json");
  HttpAnswer Delete(const std::string& path, const std::string& body = "");
  void set_token(const std::string& token) { token_ = token; }

 private:
  httplib::Headers Headers(const httplib::Headers& extra = {}) const;
  std::unique_ptr<httplib::ClientImpl> client_;
  std::string token_;
};

// Starts a watch request (path includes ?watch=true...) and collects its events.
class WatchStream {
 public:
  WatchStream(int port, const std::string& ca_pem, const std::string& token, const std::string& path);
  ~WatchStream();
  WatchStream(const WatchStream&) = delete;
  WatchStream& operator=(const WatchStream&) = delete;

  std::vector<nlohmann::json> Events() const;
  // Waits until at least n events arrived; false on timeout.
  bool WaitForEvents(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;
  bool ended() const { return ended_; }          // the response is over (cleanly or not)
  bool complete() const { return complete_; }    // the server ended it cleanly
  int status() const { return status_; }
  void Stop();  // closes the connection from the client side

 private:
  std::unique_ptr<httplib::ClientImpl> client_;
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<nlohmann::json> events_;
  std::string partial_;
  std::atomic<bool> stop_{false}, ended_{false}, complete_{false};
  std::atomic<int> status_{0};
};

}  // namespace keyroll::fakes
