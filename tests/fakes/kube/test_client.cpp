#include "tests/fakes/kube/test_client.h"

#include "operator/base/pem.h"

namespace keyroll::fakes {
namespace {

std::unique_ptr<httplib::ClientImpl> NewClient(int port, const std::string& ca_pem) {
  if (ca_pem.empty()) return std::make_unique<httplib::ClientImpl>("127.0.0.1", port);
  auto client = std::make_unique<httplib::SSLClient>("127.0.0.1", port);
  X509_STORE* store = X509_STORE_new();
  base::AddCertificatesFromPem(store, ca_pem);
  client->set_ca_cert_store(store);  // the client owns the store from here
  client->enable_server_certificate_verification(true);
  return client;
}

HttpAnswer From(const httplib::Result& r) {
  HttpAnswer a;
  if (!r) return a;
  a.status = r->status;
  a.body = r->body;
  a.headers = r->headers;
  return a;
}

}  // namespace

nlohmann::json HttpAnswer::Json() const {
  return nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
}

std::string HttpAnswer::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

KubeTestClient::KubeTestClient(int port, const std::string& ca_pem, const std::string& token)
    : client_(NewClient(port, ca_pem)), token_(token) {
  client_->set_keep_alive(true);
  client_->set_read_timeout(60, 0);
}

httplib::Headers KubeTestClient::Headers(const httplib::Headers& extra) const {
  httplib::Headers h = extra;
  if (!token_.empty()) h.emplace("Authorization", "Bearer " + token_);
  return h;
}

HttpAnswer KubeTestClient::Get(const std::string& path, const httplib::Headers& extra) {
  return From(client_->Get(path.c_str(), Headers(extra)));
}

HttpAnswer KubeTestClient::Post(const std::string& path, const nlohmann::json& body) {
  return PostRaw(path, body.dump(), "application/json");
}

HttpAnswer KubeTestClient::PostRaw(const std::string& path, const std::string& body,
                                   const std::string& content_type) {
  return From(client_->Post(path.c_str(), Headers(), body, content_type.c_str()));
}

HttpAnswer KubeTestClient::Put(const std::string& path, const nlohmann::json& body) {
  return From(client_->Put(path.c_str(), Headers(), body.dump(), "application/json"));
}

HttpAnswer KubeTestClient::Patch(const std::string& path, const std::string& body,
                                 const std::string& content_type) {
  return From(client_->Patch(path.c_str(), Headers(), body, content_type.c_str()));
}

HttpAnswer KubeTestClient::Delete(const std::string& path, const std::string& body) {
  if (body.empty()) return From(client_->Delete(path.c_str(), Headers()));
  return From(client_->Delete(path.c_str(), Headers(), body, "application/json"));
}

WatchStream::WatchStream(int port, const std::string& ca_pem, const std::string& token,
                         const std::string& path)
    : client_(NewClient(port, ca_pem)) {
  client_->set_read_timeout(120, 0);
  httplib::Headers headers = {{"Authorization", "Bearer " + token}};
  thread_ = std::thread([this, path, headers] {
    auto result = client_->Get(
        path.c_str(), headers,
        [this](const httplib::Response& response) {
          status_ = response.status;
          return true;
        },
        [this](const char* data, size_t len) {
          std::lock_guard<std::mutex> lock(mu_);
          partial_.append(data, len);
          size_t nl;
          while ((nl = partial_.find('\n')) != std::string::npos) {
            events_.push_back(nlohmann::json::parse(partial_.substr(0, nl), nullptr, false));
            partial_.erase(0, nl + 1);
          }
          return !stop_;
        });
    complete_ = static_cast<bool>(result) && !stop_;
    ended_ = true;
  });
}

WatchStream::~WatchStream() { Stop(); }

void WatchStream::Stop() {
  stop_ = true;
  client_->stop();
  if (thread_.joinable()) thread_.join();
}

std::vector<nlohmann::json> WatchStream::Events() const {
  std::lock_guard<std::mutex> lock(mu_);
  return events_;
}

bool WatchStream::WaitForEvents(size_t n, std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (Events().size() < n) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace keyroll::fakes
