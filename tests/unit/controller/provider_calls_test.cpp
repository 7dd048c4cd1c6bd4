// Rotate and revoke off the reconcile workers (ProviderCache::RotateBounded, RevokeBounded,
// TakeCall): a call that does not answer lets the worker go at once, the resource is told
// its call is in flight until it lands, its key is woken when it lands, and the outcome is
// handed over exactly once, with the provider's error kind unchanged. The provider is a
// stand-in whose rotate blocks until the test opens it; the kube client is never used.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "operator/controller/provider_cache.h"
#include "tests/unit/controller/test_gate.h"

namespace keyroll::controller {
namespace {
namespace KEYROLL_UNITY_ID {

using keyroll::testing::Gate;

class GatedProvider final : public providers::Provider {
 public:
  explicit GatedProvider(std::shared_ptr<Gate> gate, std::optional<providers::ErrorKind> fail = std::nullopt)
      : gate_(std::move(gate)), fail_(fail) {}
  providers::Result<providers::KeySet> ReadKeys() override { return Keys(); }
  providers::Result<providers::KeySet> Rotate() override {
    ++rotates;
    gate_->Wait();
    if (fail_) return providers::ProviderError{*fail_, "refused", 401, std::nullopt};
    return Keys();
  }
  bool SupportsRevokePrevious() const override { return true; }
  providers::Result<providers::RevokeOutcome> RevokePrevious(const std::string& kid) override {
    ++revokes;
    gate_->Wait();
    return providers::RevokeOutcome{true, kid, Keys()};
  }
  std::string AccountId() const override { return "account"; }
  std::string Name() const override { return "gated"; }
  std::atomic<int> rotates{0}, revokes{0};

 private:
  static providers::KeySet Keys() { return {providers::SecretValue("current"), providers::SecretValue("next"), {}, {}}; }
  std::shared_ptr<Gate> gate_;
  std::optional<providers::ErrorKind> fail_;
};

// Reads that answer at once, or (hung) when the test opens the gate.
class ReadProvider final : public providers::Provider {
 public:
  ReadProvider(std::string account, std::shared_ptr<Gate> gate = nullptr) : account_(std::move(account)), gate_(std::move(gate)) {}
  providers::Result<providers::KeySet> ReadKeys() override {
    if (gate_) gate_->Wait();
    return providers::KeySet{providers::SecretValue("current"), providers::SecretValue("next"), {}, {}};
  }
  providers::Result<providers::KeySet> Rotate() override { return ReadKeys(); }
  std::string AccountId() const override { return account_; }
  std::string Name() const override { return "read"; }

 private:
  std::string account_;
  std::shared_ptr<Gate> gate_;
};

struct Woken {
  std::mutex mu;
  std::condition_variable cv;
  std::multiset<std::string> keys;
  bool WaitFor(const std::string& key) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(10), [&] { return keys.count(key) > 0; });
  }
};

struct Fixture {
  // Never called (no Secret is read here): a client of an address nothing listens on.
  std::unique_ptr<kube::Client> client = [] {
    kube::Config c;
    c.server = "http://127.0.0.1:1";
    return std::move(kube::Client::Create(c).value());
  }();
  ProviderCacheOptions options = [] {
    ProviderCacheOptions o;
    o.read_wait = std::chrono::milliseconds(0);  // never wait: every call is "in flight" first
    return o;
  }();
  ProviderCache cache{*client, options, nullptr};
  Woken woken;
  Fixture() {
    cache.SetWake([this](const std::string& key) {
      std::lock_guard lock(woken.mu);
      woken.keys.insert(key);
      woken.cv.notify_all();
    });
  }
};

rotation::Time Now() { return rotation::Time{} + std::chrono::hours(1); }

// Issue 17: at a cold start with 1,000 hung accounts, each first read held a worker for the
// whole wait (100 ms), 100 worker-seconds in all. While a call hangs (runs past slow_after),
// workers do not wait: a new account's read is then "in flight" at once, and its key is
// woken when it lands.
TEST(ProviderCalls, WhileAReadHangsWorkersDoNotWaitForReads) {
  Fixture f;  // read_wait 0 there; this test needs a wait that a read at once never outlasts
  ProviderCacheOptions options;
  options.read_wait = std::chrono::seconds(2);
  options.io.slow_after = std::chrono::milliseconds(200);
  ProviderCache cache{*f.client, options, nullptr};
  cache.SetWake([&f](const std::string& key) {
    std::lock_guard lock(f.woken.mu);
    f.woken.keys.insert(key);
    f.woken.cv.notify_all();
  });
  auto handle = [](std::shared_ptr<providers::Provider> p) { return ProviderHandle{p, std::nullopt, p->AccountId()}; };
  auto answering = handle(std::make_shared<ReadProvider>("answering"));
  EXPECT_FALSE(cache.ReadBounded("ns/a", answering, std::nullopt, Now).pending) << "waited, and it landed";

  auto gate = std::make_shared<Gate>();
  EXPECT_TRUE(cache.ReadBounded("ns/hung", handle(std::make_shared<ReadProvider>("hung", gate)), std::nullopt, Now).pending)
      << "its wait (2 s) ran out; by then the read had run past slow_after";
  auto fresh = handle(std::make_shared<ReadProvider>("fresh"));
  EXPECT_TRUE(cache.ReadBounded("ns/fresh", fresh, std::nullopt, Now).pending) << "no wait now, however fast the read";
  ASSERT_TRUE(f.woken.WaitFor("ns/fresh"));
  EXPECT_TRUE(cache.Latest("ns/fresh", fresh).keys.has_value());
  gate->Open();
  ASSERT_TRUE(f.woken.WaitFor("ns/hung"));
}

TEST(ProviderCalls, AHungRotateLetsTheWorkerGoAndItsOutcomeIsHandedOverOnce) {
  Fixture f;
  auto gate = std::make_shared<Gate>();
  auto provider = std::make_shared<GatedProvider>(gate);
  ProviderHandle handle{provider, std::nullopt, provider->AccountId()};

  EXPECT_FALSE(f.cache.RotateBounded("ns/a", handle, Now).has_value());
  EXPECT_TRUE(f.cache.TakeCall("ns/a").in_flight);
  EXPECT_TRUE(f.cache.TakeCall("ns/a").in_flight);  // still: nothing may be decided meanwhile
  EXPECT_FALSE(f.cache.TakeCall("ns/b").in_flight);  // other resources are not concerned

  gate->Open();
  ASSERT_TRUE(f.woken.WaitFor("ns/a"));
  ProviderCache::Call landed = f.cache.TakeCall("ns/a");
  EXPECT_FALSE(landed.in_flight);
  ASSERT_TRUE(landed.rotate.has_value());
  ASSERT_TRUE(landed.rotate->keys.has_value());
  EXPECT_EQ(landed.rotate->keys->keys_hash, KeysOf({providers::SecretValue("current"), providers::SecretValue("next"), {}, {}}).keys_hash);
  // Handed over once; the rotate was made once.
  ProviderCache::Call again = f.cache.TakeCall("ns/a");
  EXPECT_FALSE(again.in_flight || again.rotate || again.revoke);
  EXPECT_EQ(provider->rotates.load(), 1);
  // The answer is the account's latest read (what the Secret write needs).
  EXPECT_EQ(f.cache.Latest("ns/a", handle).keys, landed.rotate->keys);
}

TEST(ProviderCalls, ARefusedRotateKeepsItsErrorKind) {
  Fixture f;
  auto gate = std::make_shared<Gate>();
  gate->Open();
  auto provider = std::make_shared<GatedProvider>(gate, providers::ErrorKind::kUnauthorized);
  ProviderHandle handle{provider, std::nullopt, provider->AccountId()};
  std::optional<rotation::RotateOutcome> out = f.cache.RotateBounded("ns/a", handle, Now);
  if (!out) {
    ASSERT_TRUE(f.woken.WaitFor("ns/a"));
    out = f.cache.TakeCall("ns/a").rotate;
  }
  ASSERT_TRUE(out && out->error);
  EXPECT_EQ(out->error->kind, rotation::ProviderErrorKind::Unauthorized);
}

TEST(ProviderCalls, AHungRevokeIsInFlightUntilItLands) {
  Fixture f;
  auto gate = std::make_shared<Gate>();
  auto provider = std::make_shared<GatedProvider>(gate);
  ProviderHandle handle{provider, std::nullopt, provider->AccountId()};
  EXPECT_FALSE(f.cache.RevokeBounded("ns/a", handle, "kid-1", Now).has_value());
  EXPECT_TRUE(f.cache.TakeCall("ns/a").in_flight);
  gate->Open();
  ASSERT_TRUE(f.woken.WaitFor("ns/a"));
  ProviderCache::Call landed = f.cache.TakeCall("ns/a");
  ASSERT_TRUE(landed.revoke.has_value());
  EXPECT_TRUE(landed.revoke->revoked);
  EXPECT_EQ(landed.revoke->kid, "kid-1");
  EXPECT_EQ(provider->revokes.load(), 1);
}

TEST(ProviderCalls, ACallLandingAfterTheCacheIsGoneTouchesNothing) {
  auto gate = std::make_shared<Gate>();
  auto provider = std::make_shared<GatedProvider>(gate);
  {
    Fixture f;
    ProviderHandle handle{provider, std::nullopt, provider->AccountId()};
    EXPECT_FALSE(f.cache.RotateBounded("ns/a", handle, Now).has_value());
  }  // shutdown while the rotate hangs
  gate->Open();
  for (int i = 0; i < 200 && provider->rotates.load() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the call lands on a closed sink
  EXPECT_EQ(provider->rotates.load(), 1);
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::controller
