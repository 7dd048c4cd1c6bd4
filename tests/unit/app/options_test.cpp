// Flags: defaults, every flag parsed, help/version, and clear errors with exit code 2.
#include "operator/app/options.h"

#include <gtest/gtest.h>


namespace keyroll::app {
namespace {
namespace KEYROLL_UNITY_ID {

using namespace std::chrono_literals;

ParseOutcome Parse(std::vector<std::string> args) {
  args.insert(args.begin(), "keyroll");
  return ParseOptions(args);
}

TEST(Options, DefaultsFollowControllerRuntime) {
  auto r = Parse({});
  ASSERT_TRUE(r.options) << r.message;
  const Options& o = *r.options;
  EXPECT_EQ(o.kubeconfig, "");
  EXPECT_EQ(o.watch_namespace, "");
  EXPECT_FALSE(o.leader_elect);
  EXPECT_EQ(o.leader_election_id, "keyroll-leader");
  EXPECT_EQ(o.lease_duration, 15s);
  EXPECT_EQ(o.renew_deadline, 10s);
  EXPECT_EQ(o.retry_period, 2s);
  EXPECT_EQ(o.metrics_bind_address.ToString(), "0.0.0.0:8080");
  EXPECT_EQ(o.health_probe_bind_address.ToString(), "0.0.0.0:8081");
  EXPECT_EQ(o.max_concurrent_reconciles, 4);
  EXPECT_EQ(o.log_level, spdlog::level::info);
  EXPECT_EQ(o.log_format, log::Format::kText);
  EXPECT_EQ(o.provider_ca_file, "");
  EXPECT_EQ(o.sync_period, 10h);
  EXPECT_EQ(o.kube_api_qps, 100);
  EXPECT_EQ(o.kube_api_burst, 200);
  EXPECT_EQ(o.provider_read_timeout, 10s);
}

TEST(Options, RateLimitAndProviderTimeoutFlags) {
  auto r = Parse({"--kube-api-qps", "20", "--kube-api-burst", "30", "--provider-read-timeout", "2s"});
  ASSERT_TRUE(r.options) << r.message;
  EXPECT_EQ(r.options->kube_api_qps, 20);
  EXPECT_EQ(r.options->kube_api_burst, 30);
  EXPECT_EQ(r.options->provider_read_timeout, 2s);
  EXPECT_TRUE(Parse({"--kube-api-qps", "0"}).options);  // no limit
  for (auto bad : std::vector<std::vector<std::string>>{{"--kube-api-qps", "-1"},
                                                         {"--kube-api-burst", "0"},
                                                         {"--provider-read-timeout", "1h"}}) {
    auto b = Parse(bad);
    EXPECT_FALSE(b.options) << bad[0];
    EXPECT_EQ(b.exit_code, 2) << bad[0];
  }
}

TEST(Options, ParsesEveryFlag) {
  auto r = Parse({"--kubeconfig", "/k/config", "--context", "kind", "--namespace=payments",
                  "--leader-elect", "--leader-election-namespace", "keyroll-system",
                  "--leader-election-id", "other", "--lease-duration", "30s", "--renew-deadline",
                  "20s", "--retry-period", "500ms", "--metrics-bind-address", "127.0.0.1:0",
                  "--health-probe-bind-address", "0", "--max-concurrent-reconciles", "8",
                  "--log-level", "debug", "--log-format", "json", "--provider-ca-file",
                  "/tmp/ca.pem", "--sync-period", "1h30m"});
  ASSERT_TRUE(r.options) << r.message;
  const Options& o = *r.options;
  EXPECT_EQ(o.kubeconfig, "/k/config");
  EXPECT_EQ(o.context, "kind");
  EXPECT_EQ(o.watch_namespace, "payments");
  EXPECT_TRUE(o.leader_elect);
  EXPECT_EQ(o.leader_election_namespace, "keyroll-system");
  EXPECT_EQ(o.leader_election_id, "other");
  EXPECT_EQ(o.lease_duration, 30s);
  EXPECT_EQ(o.renew_deadline, 20s);
  EXPECT_EQ(o.retry_period, 500ms);
  EXPECT_EQ(o.metrics_bind_address.ToString(), "127.0.0.1:0");
  EXPECT_TRUE(o.health_probe_bind_address.disabled);
  EXPECT_EQ(o.max_concurrent_reconciles, 8);
  EXPECT_EQ(o.log_level, spdlog::level::debug);
  EXPECT_EQ(o.log_format, log::Format::kJson);
  EXPECT_EQ(o.provider_ca_file, "/tmp/ca.pem");
  EXPECT_EQ(o.sync_period, 90min);
}

TEST(Options, HelpAndVersionExitZeroWithText) {
  auto help = Parse({"--help"});
  EXPECT_FALSE(help.options);
  EXPECT_EQ(help.exit_code, 0);
  for (const char* flag : {"--kubeconfig", "--namespace", "--leader-elect", "--metrics-bind-address",
                           "--health-probe-bind-address", "--max-concurrent-reconciles",
                           "--log-level", "--log-format", "--provider-ca-file", "--version"}) {
    EXPECT_NE(help.message.find(flag), std::string::npos) << flag;
  }
  auto version = Parse({"--version"});
  EXPECT_FALSE(version.options);
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.message.find(std::string("keyroll ") + Version()), std::string::npos)
      << version.message;
}

TEST(Options, BadCommandLinesExitTwoWithAClearMessage) {
  struct Case {
    std::vector<std::string> args;
    std::string expect;  // part of the message
  };
  std::vector<Case> cases = {
      {{"--no-such-flag"}, "--no-such-flag"},
      {{"--log-level", "loud"}, "--log-level"},
      {{"--log-format", "xml"}, "--log-format"},
      {{"--max-concurrent-reconciles", "zero"}, "--max-concurrent-reconciles"},
      {{"--max-concurrent-reconciles", "0"}, "--max-concurrent-reconciles"},
      {{"--lease-duration", "15"}, "--lease-duration"},
      {{"--renew-deadline", "-1s"}, "--renew-deadline"},
      {{"--lease-duration", "5s"}, "greater than --renew-deadline"},
      {{"--retry-period", "10s"}, "greater than --retry-period"},
      {{"--metrics-bind-address", "8080"}, "--metrics-bind-address"},
      {{"--health-probe-bind-address", ":70000"}, "--health-probe-bind-address"},
      {{"--leader-election-id", ""}, "--leader-election-id"},
      {{"--kubeconfig"}, "--kubeconfig"},
  };
  for (const auto& c : cases) {
    auto r = Parse(c.args);
    EXPECT_FALSE(r.options) << c.args[0];
    EXPECT_EQ(r.exit_code, 2) << c.args[0];
    EXPECT_NE(r.message.find(c.expect), std::string::npos)
        << "args " << c.args[0] << ": message was: " << r.message;
  }
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::app
