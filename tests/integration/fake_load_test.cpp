// Each fake (QStash, Auth0, the API server) as a process under load it must survive: its
// stdout and stderr go to a pipe that is full before it starts and never read; hundreds of
// clients connect and send nothing, hundreds start a TLS handshake and vanish, and hundreds
// of real TLS clients make requests meanwhile. The fake keeps answering, a request that hangs
// (QStash, Auth0: the hung fault) holds no worker, and it exits within 5 s of SIGTERM.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kAdmin[] = "load-test-admin-token";
constexpr char kToken[] = "load-test-account-token";

struct FakeUnderTest {
  std::string binary;
  std::vector<std::string> args;  // besides --state-dir
  std::string path;               // a GET that answers 200
  httplib::Headers headers;
  bool provider = false;          // has the hung fault (a provider fake)
  std::string hang_account;       // the fault's "account"
  std::string hang_path;          // a request of that account: GET, or POST with hang_form
  httplib::Headers hang_headers;
  std::string hang_form;
};

// A pipe whose buffer is full: whoever writes to it blocks (the launcher never reads).
struct FullPipe {
  int read_end = -1, write_end = -1;
  FullPipe() {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe");
    read_end = fds[0];
    write_end = fds[1];
    fcntl(write_end, F_SETPIPE_SZ, 4096);
    // A second, non-blocking open of the same pipe fills it without making the fake's end
    // non-blocking.
    int filler = open(("/proc/self/fd/" + std::to_string(write_end)).c_str(), O_WRONLY | O_NONBLOCK);
    if (filler < 0) throw std::runtime_error("reopen pipe");
    std::string chunk(4096, 'x');
    while (write(filler, chunk.data(), chunk.size()) > 0) {
    }
    close(filler);
  }
  ~FullPipe() {
    close(read_end);
    if (write_end >= 0) close(write_end);
  }
};

// Starts argv with stdout and stderr on the full pipe's write end.
pid_t Launch(const std::vector<std::string>& argv, int out) {
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out, 1);
    dup2(out, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

int Connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// The first bytes of a TLS ClientHello (record header, handshake header, version), then
// nothing more: a client that went away mid-handshake, or stalls in it.
void SendPartialHello(int fd) {
  const unsigned char hello[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, 0x5a, 0x5b};
  (void)!write(fd, hello, sizeof hello);
}

class FakeLoad : public ::testing::TestWithParam<FakeUnderTest> {
 protected:
  void SetUp() override {
    // A refused connection is reset: OpenSSL's write on it must fail, not kill the test.
    signal(SIGPIPE, SIG_IGN);
    const auto& f = GetParam();
    std::vector<std::string> argv = {BuiltBinary(f.binary), "--state-dir", dir_.File("state")};
    argv.insert(argv.end(), f.args.begin(), f.args.end());
    pid_ = Launch(argv, pipe_.write_end);
    close(pipe_.write_end);
    pipe_.write_end = -1;
    ASSERT_TRUE(WaitUntil([&] {
      std::ifstream in(dir_.File("state/port"));
      std::string line;
      if (!std::getline(in, line) || (port_ = std::atoi(line.c_str())) <= 0) return false;
      int fd = Connect(port_);  // the whole file was written: the port takes connections
      if (fd >= 0) close(fd);
      return fd >= 0;
    }, seconds(60)));
  }

  void TearDown() override {
    if (pid_ > 0 && waitpid(pid_, nullptr, WNOHANG) == 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  std::unique_ptr<httplib::SSLClient> Client() {
    auto c = std::make_unique<httplib::SSLClient>("127.0.0.1", port_);
    c->set_ca_cert_path(dir_.File("state/ca.crt"));
    c->enable_server_certificate_verification(true);
    c->set_connection_timeout(seconds(5));
    c->set_read_timeout(seconds(5));
    return c;
  }

  // One GET that answers 200, retried while the fake refuses (it may, under load).
  bool Answered(httplib::SSLClient& c, int attempts = 40) {
    const auto& f = GetParam();
    for (int i = 0; i < attempts; ++i) {
      auto r = c.Get(f.path.c_str(), f.headers);
      if (r && r->status == 200) return true;
      std::this_thread::sleep_for(milliseconds(50));
    }
    return false;
  }

  TempDir dir_;
  FullPipe pipe_;
  pid_t pid_ = -1;
  int port_ = 0;
};

TEST_P(FakeLoad, KeepsAnsweringUnderHostileClientsAndStopsWithinFiveSeconds) {
  const auto& f = GetParam();
  const auto t0 = std::chrono::steady_clock::now();
  auto mark = [&](const char* what) {
    std::cerr << what << " at " << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() << " s\n";
  };
  ASSERT_TRUE(Answered(*Client()));

  // A provider fake: one account hangs (every request of it is accepted, never answered).
  std::vector<std::thread> hung;
  std::atomic<int> hung_answered{0};
  if (f.provider) {
    auto admin = Client();
    auto r = admin->Post("/_fake/faults", {{"Authorization", std::string("Bearer ") + kAdmin}},
                         nlohmann::json{{"kind", "hang"}, {"count", -1}, {"account", f.hang_account}}.dump(), "application/json");
    ASSERT_TRUE(r && r->status == 201) << (r ? r->body : httplib::to_string(r.error()));
    for (int i = 0; i < 50; ++i)
      hung.emplace_back([&] {
        auto c = Client();
        c->set_read_timeout(seconds(3));
        auto res = f.hang_form.empty()
                       ? c->Get(f.hang_path.c_str(), f.hang_headers)
                       : c->Post(f.hang_path.c_str(), f.hang_headers, f.hang_form, "application/x-www-form-urlencoded");
        if (res) ++hung_answered;
      });
  }

  mark("hung requests started");
  // Hostile clients: 300 that connect and send nothing, 200 that stop mid-handshake (half of
  // them hang up at once, half stay).
  std::vector<int> held;
  for (int i = 0; i < 300; ++i)
    if (int fd = Connect(port_); fd >= 0) held.push_back(fd);
  for (int i = 0; i < 200; ++i) {
    int fd = Connect(port_);
    if (fd < 0) continue;
    SendPartialHello(fd);
    if (i % 2 == 0) close(fd);
    else held.push_back(fd);
  }

  mark("hostile clients connected");
  // Meanwhile, 200 real TLS clients, a few requests each on one keep-alive connection.
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 200; ++i)
    clients.emplace_back([&] {
      auto c = Client();
      bool all = true;
      for (int n = 0; n < 3; ++n) all = all && Answered(*c);
      if (all) ++ok;
    });
  for (auto& t : clients) t.join();
  mark("real clients done");
  EXPECT_EQ(ok.load(), 200) << "real clients that got no answer while hostile ones were connected";

  // Still answering with the hostile connections open, and a fresh client gets in.
  EXPECT_TRUE(Answered(*Client()));

  // SIGTERM with everything still connected (and the hung requests parked): gone within 5 s.
  const auto sent = std::chrono::steady_clock::now();
  ASSERT_EQ(kill(pid_, SIGTERM), 0);
  int status = 0;
  bool exited = WaitUntil([&] { return waitpid(pid_, &status, WNOHANG) == pid_; }, seconds(5), milliseconds(10));
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - sent).count();
  EXPECT_TRUE(exited) << "the fake did not exit within 5 s of SIGTERM";
  if (exited) {
    pid_ = -1;
    EXPECT_TRUE(WIFEXITED(status)) << "status " << status;
    RecordProperty("exit_seconds", std::to_string(took));
  }
  for (int fd : held) close(fd);
  mark("stopped");
  for (auto& t : hung) t.join();
  mark("hung joined");
  EXPECT_EQ(hung_answered.load(), 0) << "a hung account's request got an answer";
}

FakeUnderTest QStash() {
  FakeUnderTest f;
  f.binary = "fake-qstash";
  f.args = {"--admin-token", kAdmin, "--account", kToken, "--account", "other-account-token"};
  f.path = "/v2/keys";
  f.headers = {{"Authorization", "Bearer other-account-token"}};
  f.provider = true;
  f.hang_account = kToken;
  f.hang_path = "/v2/keys";
  f.hang_headers = {{"Authorization", std::string("Bearer ") + kToken}};
  return f;
}

FakeUnderTest Auth0() {
  FakeUnderTest f;
  f.binary = "fake-auth0";
  f.args = {"--admin-token", kAdmin, "--client", std::string("hung-client:") + kToken, "--client", "ok-client:s3cret"};
  f.path = "/.well-known/jwks.json";
  f.provider = true;
  f.hang_account = "hung-client";
  f.hang_path = "/oauth/token";
  f.hang_form = std::string("grant_type=client_credentials&client_id=hung-client&client_secret=") + kToken;
  return f;
}

FakeUnderTest Kube() {
  FakeUnderTest f;
  f.binary = "fake-kube-apiserver";
  f.args = {"--token", std::string(kAdmin) + ":admin"};
  f.path = "/api/v1/namespaces/default";
  f.headers = {{"Authorization", std::string("Bearer ") + kAdmin}};
  return f;
}

INSTANTIATE_TEST_SUITE_P(Fakes, FakeLoad, ::testing::Values(QStash(), Auth0(), Kube()),
                         [](const auto& info) {
                           std::string n = info.param.binary.substr(5);
                           n.erase(std::remove(n.begin(), n.end(), '-'), n.end());
                           return n;
                         });

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
