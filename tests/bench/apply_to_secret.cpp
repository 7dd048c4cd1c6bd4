// apply_to_secret: how long keyroll takes from a SigningKeyRotation being created to its
// Secret existing (and to the resource reporting Ready), over --tries fresh resources in one
// running E2EEnvironment (fake API server, QStash fake over TLS, keyroll process). Times come
// from watches (FirstSeen), not polling. Interleaved with every try, the "floor": the bare
// round trips that work needs, made by this program with the product's own clients — one
// QStash GET /v2/keys with the product client (pooled keep-alive connections, as keyroll reads), one Secret create and
// one status merge-patch — in a second namespace keyroll does not watch.
// Then the same resource's rotation: a requestID is set (gate open: no consumers, never
// rotated) and the time until its Secret is MODIFIED (watch) is taken, checked to hold the
// fake's new keys; its floor is what the rotation needs — the intent status write, QStash
// POST /v2/keys/rotate (fresh TLS, a separate account), the Secret update, the final status
// write.
// Not a test: run by hand (tests/bench/run-apply-latency); prints a table.
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>
#include <spdlog/spdlog.h>

#include "operator/providers/qstash/client.h"
#include "tests/bench/bench_resources.h"
#include "tests/bench/bench_stats.h"
#include "tests/bench/first_seen.h"
#include "tests/support/e2e_environment.h"
#include "tests/support/wait.h"

namespace keyroll::bench {
namespace {

using testing::json;
namespace res = kube::resources;

struct Samples {
  std::vector<double> to_secret, to_ready, get_keys, secret_create, status_write, floor_sum, bare_get;
  std::vector<double> to_rotated, rotate_call, secret_update, rotate_floor_sum;
};

template <typename T>
T Must(kube::Result<T> r, const std::string& what) {
  if (!r) throw std::runtime_error(what + ": " + r.error().ToString());
  return std::move(*r);
}

// The floor namespace: a SigningKeyRotation there takes the status writes; keyroll does not
// watch it (--namespace), so nothing else touches it.
std::string MakeFloorNamespace(testing::E2EEnvironment& env) {
  std::string ns = env.ns() + "-floor";
  testing::CreateObject(env.kube(), res::kNamespaces, "", {{"apiVersion", "v1"}, {"kind", "Namespace"},
                                                            {"metadata", {{"name", ns}}}});
  testing::CreateObject(env.kube(), res::kSigningKeyRotations, ns, NewBenchResource(env, "floor", ns).skr);
  return ns;
}

// The QStash client for one account, trusting the fake's CA (as --provider-ca-file does).
std::unique_ptr<providers::qstash::Client> QStashClient(testing::E2EEnvironment& env, const std::string& token) {
  providers::qstash::ClientOptions qo;
  qo.url = env.qstash_url();
  qo.token = providers::SecretValue(token);
  qo.tls.ca_pem = env.qstash().ca_cert_pem();
  auto client = providers::qstash::Client::Create(std::move(qo));
  if (!client) throw std::runtime_error("QStash client: " + client.error().message);
  return std::move(*client);
}

// The same GET with a plain httplib client that trusts only the fake's CA file (no system
// trust store), also over a fresh TLS connection: the wire cost alone.
void BareGet(testing::E2EEnvironment& env, const std::string& ca_file, const std::string& token, Samples& s) {
  auto t0 = Clock::now();
  httplib::SSLClient cli("127.0.0.1", env.qstash().port());
  cli.set_ca_cert_path(ca_file.c_str());
  cli.enable_server_certificate_verification(true);
  auto res = cli.Get("/v2/keys", {{"Authorization", "Bearer " + token}});
  if (!res || res->status != 200) throw std::runtime_error("bare GET /v2/keys failed");
  s.bare_get.push_back(MillisBetween(t0, Clock::now()));
}

void FloorTry(testing::E2EEnvironment& env, const std::string& token, const std::string& ns, int i, Samples& s) {
  auto qstash = QStashClient(env, token);
  auto t0 = Clock::now();
  auto keys = qstash->ReadKeys();
  auto t1 = Clock::now();
  if (!keys) throw std::runtime_error("floor: QStash read failed: " + keys.error().message);
  json secret = {{"apiVersion", "v1"}, {"kind", "Secret"},
                 {"metadata", {{"name", "floor-" + std::to_string(i)}}}, {"type", "Opaque"},
                 {"stringData", {{"QSTASH_CURRENT_SIGNING_KEY", keys.value().current.reveal()},
                                 {"QSTASH_NEXT_SIGNING_KEY", keys.value().next.reveal()}}}};
  Must(env.kube().Create(res::kSecrets, ns, secret), "floor: create Secret");
  auto t2 = Clock::now();
  json status = {{"status", {{"phase", "Ready"}, {"observedGeneration", 1}, {"rotationCount", i}}}};
  Must(env.kube().MergePatchStatus(res::kSigningKeyRotations, ns, "floor", status), "floor: status write");
  auto t3 = Clock::now();
  s.get_keys.push_back(MillisBetween(t0, t1));
  s.secret_create.push_back(MillisBetween(t1, t2));
  s.status_write.push_back(MillisBetween(t2, t3));
  s.floor_sum.push_back(MillisBetween(t0, t3));
}

// The rotation's floor: intent status write, rotate (a fresh account of its own), Secret update,
// status write — on the floor namespace's objects.
void RotateFloorTry(testing::E2EEnvironment& env, const std::string& ns, int i, Samples& s) {
  auto qstash = QStashClient(env, env.qstash().CreateAccount());
  auto t0 = Clock::now();
  json intent = {{"status", {{"phase", "Rotating"}, {"rotationCount", i}}}};
  Must(env.kube().MergePatchStatus(res::kSigningKeyRotations, ns, "floor", intent), "floor: intent write");
  auto t1 = Clock::now();
  auto keys = qstash->Rotate();
  auto t2 = Clock::now();
  if (!keys) throw std::runtime_error("floor: QStash rotate failed: " + keys.error().message);
  json secret = {{"apiVersion", "v1"}, {"kind", "Secret"},
                 {"metadata", {{"name", "floor-" + std::to_string(i)}}}, {"type", "Opaque"},
                 {"stringData", {{"QSTASH_CURRENT_SIGNING_KEY", keys.value().current.reveal()},
                                 {"QSTASH_NEXT_SIGNING_KEY", keys.value().next.reveal()}}}};
  Must(env.kube().Update(res::kSecrets, ns, secret), "floor: update Secret");
  auto t3 = Clock::now();
  json done = {{"status", {{"phase", "Ready"}, {"rotationCount", i + 1}}}};
  Must(env.kube().MergePatchStatus(res::kSigningKeyRotations, ns, "floor", done), "floor: status write");
  auto t4 = Clock::now();
  s.rotate_call.push_back(MillisBetween(t1, t2));
  s.secret_update.push_back(MillisBetween(t2, t3));
  s.rotate_floor_sum.push_back(MillisBetween(t0, t4));
}

// A rotation request on a synced resource; false when its Secret did not change within 30 s
// or does not hold the provider's new keys.
bool RotateTry(testing::E2EEnvironment& env, FirstSeen& modified, const std::string& name,
               const std::string& token, Samples& s) {
  auto t0 = Clock::now();
  testing::RequestRotation(env.kube(), env.ns(), name, "bench-" + name);
  bool done = testing::WaitUntil([&] { return modified.When(name + "-keys").has_value(); },
                                 std::chrono::seconds(30), std::chrono::milliseconds(2));
  if (!done) return false;
  if (*modified.When(name + "-keys") < t0) throw std::runtime_error(name + "-keys was modified before the request");
  s.to_rotated.push_back(MillisBetween(t0, *modified.When(name + "-keys")));
  return testing::WaitUntil([&] {
    auto data = env.SecretData(name + "-keys");
    auto account = env.qstash().Account(token);
    return data && account && data->count("QSTASH_CURRENT_SIGNING_KEY") &&
           data->at("QSTASH_CURRENT_SIGNING_KEY") == account->current && account->rotations == 1;
  }, std::chrono::seconds(5));
}

// One fresh resource (and account; the floor then reads that account); false when keyroll did
// not get there within 30 s.
bool KeyrollTry(testing::E2EEnvironment& env, FirstSeen& secrets, FirstSeen& ready, const std::string& name,
                std::string& token, Samples* s) {
  auto resource = NewBenchResource(env, name, env.ns());
  token = resource.token;
  auto t0 = Clock::now();
  env.CreateSkr(resource.skr);
  bool done = testing::WaitUntil([&] { return secrets.When(name + "-keys") && ready.When(name); },
                                 std::chrono::seconds(30), std::chrono::milliseconds(5));
  if (!done) return false;
  if (s) {
    s->to_secret.push_back(MillisBetween(t0, *secrets.When(name + "-keys")));
    s->to_ready.push_back(MillisBetween(t0, *ready.When(name)));
  }
  return true;
}

int Run(int tries) {
  testing::E2EEnvironment env;
  FirstSeen secrets(env.cluster().config(), res::kSecrets, env.ns(),
                    [](const kube::WatchEvent& e) { return e.type == kube::WatchEventType::kAdded; });
  FirstSeen ready(env.cluster().config(), res::kSigningKeyRotations, env.ns(),
                  [](const kube::WatchEvent& e) { return testing::IsReadyAndSynced(e.object); });
  FirstSeen modified(env.cluster().config(), res::kSecrets, env.ns(),
                     [](const kube::WatchEvent& e) { return e.type == kube::WatchEventType::kModified; });
  std::string floor_ns = MakeFloorNamespace(env);
  std::string ca_file = env.cluster().temp_dir().Write("bench-qstash-ca.crt", env.qstash().ca_cert_pem());

  // Warm-up (not counted): both watches running, keyroll's first reconcile and connections.
  std::string token;
  if (!KeyrollTry(env, secrets, ready, "warmup", token, nullptr)) throw std::runtime_error("warm-up try timed out");
  Samples s;
  FloorTry(env, token, floor_ns, 0, s);
  s = {};

  const auto settle = std::chrono::milliseconds(250);  // keyroll's trailing writes (Events) land
  int keyroll_gets = 0;
  for (int i = 1; i <= tries; ++i) {
    std::this_thread::sleep_for(settle);
    if (!KeyrollTry(env, secrets, ready, "bench-" + std::to_string(i), token, &s)) {
      std::fprintf(stderr, "try %d: keyroll did not sync within 30 s; log tail:\n%s\n", i,
                   env.keyroll().CurrentLog().c_str());
      return 1;
    }
    std::this_thread::sleep_for(settle);
    keyroll_gets += env.qstash().Account(token)->requests["get_keys"];  // before the floor's read
    FloorTry(env, token, floor_ns, i, s);
    BareGet(env, ca_file, token, s);
    std::this_thread::sleep_for(settle);
    if (!RotateTry(env, modified, "bench-" + std::to_string(i), token, s)) {
      std::fprintf(stderr, "try %d: the rotation did not reach the Secret within 30 s; log tail:\n%s\n", i,
                   env.keyroll().CurrentLog().c_str());
      return 1;
    }
    std::this_thread::sleep_for(settle);
    RotateFloorTry(env, floor_ns, i, s);
  }

  std::printf("\napply_to_secret: %d fresh SigningKeyRotations, each followed by one floor try\n\n", tries);
  PrintHeader("measurement");
  PrintRow("keyroll: create -> Secret ADDED (watch)", Summarise(s.to_secret));
  PrintRow("keyroll: create -> status Ready (watch)", Summarise(s.to_ready));
  PrintRow("floor: QStash GET /v2/keys (product client, pooled)", Summarise(s.get_keys));
  PrintRow("floor: Secret create", Summarise(s.secret_create));
  PrintRow("floor: status write (merge-patch)", Summarise(s.status_write));
  PrintRow("floor: sum of the three", Summarise(s.floor_sum));
  PrintRow("bare: GET /v2/keys (httplib, fake's CA only)", Summarise(s.bare_get));
  double floor_to_secret = Summarise(s.get_keys).median + Summarise(s.secret_create).median;
  std::printf("\nratio median(create->Secret) / (median GET + median Secret create): %.1fx\n",
              Summarise(s.to_secret).median / floor_to_secret);
  std::printf("ratio median(create->Ready)  / median(floor sum):                  %.1fx\n",
              Summarise(s.to_ready).median / Summarise(s.floor_sum).median);
  double bare = Summarise(s.bare_get).median + Summarise(s.secret_create).median + Summarise(s.status_write).median;
  std::printf("ratio median(create->Ready)  / (bare GET + Secret create + status write): %.1fx\n",
              Summarise(s.to_ready).median / bare);
  std::printf("QStash GET /v2/keys by keyroll per try: %.2f\n", static_cast<double>(keyroll_gets) / tries);
  std::printf("\nrotation: requestID set -> Secret holds the new keys\n\n");
  PrintHeader("measurement");
  PrintRow("keyroll: request -> Secret MODIFIED (watch)", Summarise(s.to_rotated));
  PrintRow("floor: QStash POST rotate (fresh TLS)", Summarise(s.rotate_call));
  PrintRow("floor: Secret update", Summarise(s.secret_update));
  PrintRow("floor: intent + rotate + Secret + status", Summarise(s.rotate_floor_sum));
  std::printf("\nratio median(request->Secret) / median(rotation floor): %.1fx\n",
              Summarise(s.to_rotated).median / Summarise(s.rotate_floor_sum).median);
  std::printf("ratio p99(request->Secret) / median(rotation floor):    %.1fx\n",
              Percentile(s.to_rotated, 99) / Summarise(s.rotate_floor_sum).median);
  std::printf("ratio p99(create->Ready) / median(floor sum):           %.1fx\n",
              Percentile(s.to_ready, 99) / Summarise(s.floor_sum).median);
  std::printf("p99 create->Secret %.1f ms, create->Ready %.1f ms, request->Secret %.1f ms\n",
              Percentile(s.to_secret, 99), Percentile(s.to_ready, 99), Percentile(s.to_rotated, 99));
  return 0;
}

}  // namespace
}  // namespace keyroll::bench

int main(int argc, char** argv) {
  int tries = 200;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--tries" && i + 1 < argc) {
      tries = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: %s [--tries N]   (default 200)\n", argv[0]);
      return 2;
    }
  }
  if (tries < 1) {
    std::fprintf(stderr, "--tries must be at least 1\n");
    return 2;
  }
  spdlog::set_level(spdlog::level::warn);  // the in-process QStash fake logs every request at info
  try {
    return keyroll::bench::Run(tries);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "apply_to_secret: %s\n", e.what());
    return 1;
  }
}
