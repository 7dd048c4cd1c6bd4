// The metrics and probe servers over real loopback HTTP, and bind address parsing.
#include <atomic>

#include <gtest/gtest.h>
#include <httplib.h>

#include "operator/http/bind_address.h"
#include "operator/http/metrics_server.h"
#include "operator/http/probe_server.h"

namespace keyroll::http {
namespace {
namespace KEYROLL_UNITY_ID {

BindAddress Loopback() { return BindAddress{false, "127.0.0.1", 0}; }

TEST(BindAddress, ParsesControllerRuntimeForms) {
  BindAddress a;
  std::string error;
  ASSERT_TRUE(ParseBindAddress(":8080", &a, &error)) << error;
  EXPECT_EQ(a.host, "0.0.0.0");
  EXPECT_EQ(a.port, 8080);
  EXPECT_FALSE(a.disabled);
  ASSERT_TRUE(ParseBindAddress("127.0.0.1:0", &a, &error)) << error;
  EXPECT_EQ(a.ToString(), "127.0.0.1:0");
  ASSERT_TRUE(ParseBindAddress("[::1]:9090", &a, &error)) << error;
  EXPECT_EQ(a.host, "::1");
  EXPECT_EQ(a.ToString(), "[::1]:9090");
  ASSERT_TRUE(ParseBindAddress("0", &a, &error)) << error;
  EXPECT_TRUE(a.disabled);
}

TEST(BindAddress, RejectsNonsenseWithAClearMessage) {
  for (const char* bad : {"", "8080", "host:", ":65536", ":80a", "::1:80", "[::1]80", "a b:80",
                          ":99999999999999999999"}) {
    BindAddress a;
    std::string error;
    EXPECT_FALSE(ParseBindAddress(bad, &a, &error)) << bad;
    EXPECT_NE(error.find("invalid bind address"), std::string::npos) << bad;
  }
}

TEST(MetricsServer, ServesPrometheusTextOnAnEphemeralPort) {
  Metrics metrics("test");
  metrics.RotationDone("succeeded");
  MetricsServer server(metrics);
  std::string error;
  ASSERT_TRUE(server.Start(Loopback(), &error)) << error;
  ASSERT_GT(server.port(), 0);

  httplib::Client client("127.0.0.1", server.port());
  auto res = client.Get("/metrics");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type").rfind("text/plain; version=0.0.4", 0), 0u);
  EXPECT_NE(res->body.find("keyroll_rotations_total{result=\"succeeded\"} 1"), std::string::npos);

  metrics.RotationDone("succeeded");  // a scrape sees current values
  res = client.Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_NE(res->body.find("keyroll_rotations_total{result=\"succeeded\"} 2"), std::string::npos);

  EXPECT_EQ(client.Get("/nothing-here")->status, 404);
  server.Stop();
  EXPECT_EQ(server.port(), 0);
}

TEST(MetricsServer, StopClosesTheListeningSocket) {
  Metrics metrics;
  MetricsServer server(metrics);
  std::string error;
  ASSERT_TRUE(server.Start(Loopback(), &error)) << error;
  int port = server.port();
  server.Stop();
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(std::chrono::seconds(2));
  EXPECT_FALSE(client.Get("/metrics")) << "nothing may answer after Stop()";
}

TEST(MetricsServer, DisabledAddressServesNothing) {
  Metrics metrics;
  MetricsServer server(metrics);
  std::string error;
  EXPECT_TRUE(server.Start(BindAddress{true, "", 0}, &error));
  EXPECT_EQ(server.port(), 0);
  server.Stop();
}

TEST(MetricsServer, PortInUseIsAClearError) {
  Metrics metrics;
  MetricsServer first(metrics), second(metrics);
  std::string error;
  ASSERT_TRUE(first.Start(Loopback(), &error)) << error;
  EXPECT_FALSE(second.Start(BindAddress{false, "127.0.0.1", first.port()}, &error));
  EXPECT_NE(error.find("cannot listen on 127.0.0.1:" + std::to_string(first.port())),
            std::string::npos)
      << error;
}

TEST(ProbeServer, HealthzAndReadyzFollowTheirChecks) {
  std::atomic<bool> alive{true}, synced{false};
  ProbeServer server;
  server.AddLivenessCheck("workers", [&] {
    return alive ? CheckResult::Ok() : CheckResult::Fail("a worker is stuck for 10m");
  });
  server.AddReadinessCheck("informers", [&] {
    return synced ? CheckResult::Ok() : CheckResult::Fail("caches not synced");
  });
  std::string error;
  ASSERT_TRUE(server.Start(Loopback(), &error)) << error;
  httplib::Client client("127.0.0.1", server.port());

  auto res = client.Get("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "ok");

  res = client.Get("/readyz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 500);
  EXPECT_NE(res->body.find("[-]informers failed: caches not synced"), std::string::npos) << res->body;

  synced = true;
  res = client.Get("/readyz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "ok");

  res = client.Get("/readyz?verbose");
  ASSERT_TRUE(res);
  EXPECT_NE(res->body.find("[+]informers ok"), std::string::npos) << res->body;

  alive = false;
  res = client.Get("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 500);
  EXPECT_NE(res->body.find("a worker is stuck"), std::string::npos);
  server.Stop();
}

TEST(ProbeServer, ACheckThatThrowsFailsInsteadOfCrashing) {
  ProbeServer server;
  server.AddReadinessCheck("broken", []() -> CheckResult { throw std::runtime_error("oops"); });
  std::string error;
  ASSERT_TRUE(server.Start(Loopback(), &error)) << error;
  httplib::Client client("127.0.0.1", server.port());
  auto res = client.Get("/readyz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 500);
  EXPECT_NE(res->body.find("[-]broken failed: check threw: oops"), std::string::npos);
  res = client.Get("/healthz");  // no liveness checks: alive
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::http
