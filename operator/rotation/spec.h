// spec.h — SigningKeyRotation.spec as plain value types, with the defaults ParseSpec
// fills in. Where DESIGN.md is silent the default is what a user would expect:
//   target.secretName      = metadata.name
//   target.currentKey/nextKey = QSTASH_CURRENT_SIGNING_KEY / QSTASH_NEXT_SIGNING_KEY
//                            (auth0: AUTH0_CURRENT_SIGNING_CERT / AUTH0_NEXT_SIGNING_CERT)
//   target.deletionPolicy  = Delete (owner reference: the Secret goes with the resource)
//   refreshInterval        = 5m   (allowed 10s..168h)
//   rotation.timeZone      = UTC
//   rotation.minInterval   = 1h   (allowed 0s..8760h)
//   rotation.maxKeyAge     = none (allowed 1m..87600h)
//   rotation.suspend       = false
//   rotation.revokePrevious = false (auth0 only)
//   consumers.discover     = true (the safe choice: a forgotten reader is still covered)
//   consumers.restart      = RolloutRestart
//   consumers.maxConcurrentRestarts = 1 (allowed 1..100)
//   consumers.runningJobs  = Wait
//   qstash.url             = https://qstash.upstash.io
//   auth0.clientSecretRef keys = AUTH0_CLIENT_ID / AUTH0_CLIENT_SECRET,
//   auth0.audience         = https://<domain>/api/v2/
// No rotation happens automatically without schedule or maxKeyAge; requestID and the
// rotate-request annotation always work.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "operator/rotation/selector.h"
#include "operator/rotation/timestamp.h"
#include "operator/rotation/workload.h"

namespace keyroll::rotation {

struct SecretKeyRef {
  std::string name;
  std::string key;
  bool operator==(const SecretKeyRef&) const = default;
};

struct QStashProvider {
  SecretKeyRef token_secret_ref;
  std::string url;  // https URL without credentials, query or fragment
  std::string ca_bundle;  // PEM CA certificates trusted in addition to the system roots
  bool operator==(const QStashProvider&) const = default;
};

struct Auth0ClientSecretRef {
  std::string name;
  std::string client_id_key;
  std::string client_secret_key;
  bool operator==(const Auth0ClientSecretRef&) const = default;
};

struct Auth0Provider {
  std::string domain;  // host or host:port
  Auth0ClientSecretRef client_secret_ref;
  std::string audience;
  std::string ca_bundle;  // PEM CA certificates trusted in addition to the system roots
  bool operator==(const Auth0Provider&) const = default;
};

using Provider = std::variant<QStashProvider, Auth0Provider>;

enum class DeletionPolicy { Delete, Retain };

struct Target {
  std::string secret_name;
  std::string current_key;
  std::string next_key;
  StringMap labels;
  StringMap annotations;
  DeletionPolicy deletion_policy = DeletionPolicy::Delete;
  bool operator==(const Target&) const = default;
};

struct RotationPolicy {
  std::string schedule;  // "" = no schedule; validated by CronSchedule::Parse
  std::string time_zone = "UTC";
  std::optional<Seconds> max_key_age;
  std::string request_id;
  Seconds min_interval = std::chrono::hours{1};
  bool suspend = false;
  // auth0 only: revoke the key used before the last rotation once every consumer holds the
  // keys written after it (never while suspended or while another resource owns the account).
  bool revoke_previous = false;
  bool operator==(const RotationPolicy&) const = default;
};

// A declared consumer: a workload of `kind` in the resource's namespace, by name or by label
// selector (exactly one of name / selector is set).
struct WorkloadRef {
  WorkloadKind kind = WorkloadKind::Deployment;
  std::string name;
  std::optional<LabelSelector> selector;
  bool operator==(const WorkloadRef&) const = default;
};

enum class RestartPolicy { RolloutRestart, None };

// A running Job whose pods started before the current keys were written holds the keys of
// before: Wait holds rotations until it finishes; Ignore says those old keys do not matter.
enum class RunningJobsPolicy { Wait, Ignore };

struct Consumers {
  // spec.consumers.deployments, .statefulSets, .daemonSets and .rollouts, in that order.
  std::vector<WorkloadRef> workloads;
  bool discover = true;
  RestartPolicy restart = RestartPolicy::RolloutRestart;
  int max_concurrent_restarts = 1;
  RunningJobsPolicy running_jobs = RunningJobsPolicy::Wait;
  bool operator==(const Consumers&) const = default;
};

struct Spec {
  Provider provider;
  Target target;
  Seconds refresh_interval = std::chrono::minutes{5};
  RotationPolicy rotation;
  Consumers consumers;
  bool operator==(const Spec&) const = default;
};

inline const QStashProvider* AsQStash(const Spec& s) { return std::get_if<QStashProvider>(&s.provider); }
inline const Auth0Provider* AsAuth0(const Spec& s) { return std::get_if<Auth0Provider>(&s.provider); }

}  // namespace keyroll::rotation
