// vocabulary.h — keyroll's product vocabulary in one screen: API coordinates, condition
// types and reasons, phases, annotation and label keys, event reasons, metric names and
// default Secret data keys. Everything user-visible is spelled here and nowhere else.
// The metric section also lists every label value keyroll's result counters can take:
// operator/http/metrics.cpp pre-creates exactly these series, and
// tests/unit/rotation/metric_results_test.cpp drives Decide through every outcome and checks
// that the results it emits are exactly these lists.
#pragma once

#include <array>
#include <string_view>

namespace keyroll::rotation::vocab {

// --- API coordinates --------------------------------------------------------------
inline constexpr std::string_view kGroup = "keyroll.dev";
inline constexpr std::string_view kVersion = "v1alpha1";
inline constexpr std::string_view kApiVersion = "keyroll.dev/v1alpha1";
inline constexpr std::string_view kKind = "SigningKeyRotation";
inline constexpr std::string_view kPlural = "signingkeyrotations";
inline constexpr std::string_view kShortName = "skr";
inline constexpr std::string_view kFieldManager = "keyroll";

// --- Condition types (metav1.Condition) ------------------------------------------
inline constexpr std::string_view kCondReady = "Ready";
inline constexpr std::string_view kCondKeysSynced = "KeysSynced";
inline constexpr std::string_view kCondConsumersUpToDate = "ConsumersUpToDate";
inline constexpr std::string_view kCondRotationAllowed = "RotationAllowed";

inline constexpr std::string_view kTrue = "True";
inline constexpr std::string_view kFalse = "False";
inline constexpr std::string_view kUnknown = "Unknown";

// --- Condition reasons -------------------------------------------------------------
// Positive reasons.
inline constexpr std::string_view kReasonReady = "Ready";
inline constexpr std::string_view kReasonSynced = "Synced";            // first sync / restore
inline constexpr std::string_view kReasonRotated = "Rotated";          // keyroll rotated
inline constexpr std::string_view kReasonOutOfBandRotation = "OutOfBandRotation";
inline constexpr std::string_view kReasonDrift = "Drift";              // rotated by someone else mid-rotation
inline constexpr std::string_view kReasonUpToDate = "UpToDate";
inline constexpr std::string_view kReasonNoConsumers = "NoConsumers";
inline constexpr std::string_view kReasonAllowed = "Allowed";
// Problems and gate violations (the gate policy names are these reasons).
inline constexpr std::string_view kReasonInvalidSpec = "InvalidSpec";
inline constexpr std::string_view kReasonSecretConflict = "SecretConflict";
inline constexpr std::string_view kReasonForbidden = "Forbidden";      // RBAC refused a write
inline constexpr std::string_view kReasonConflict = "Conflict";        // same provider account
inline constexpr std::string_view kReasonSuspended = "Suspended";
inline constexpr std::string_view kReasonProviderError = "ProviderError";
inline constexpr std::string_view kReasonSecretDiffersFromProvider = "SecretDiffersFromProvider";
inline constexpr std::string_view kReasonConsumerNotFound = "ConsumerNotFound";
inline constexpr std::string_view kReasonConsumerRolloutFailed = "ConsumerRolloutFailed";
inline constexpr std::string_view kReasonConsumerCannotComplete = "ConsumerCannotComplete";  // OnDelete, partition
inline constexpr std::string_view kReasonConsumerStale = "ConsumerStale";
inline constexpr std::string_view kReasonMinIntervalNotElapsed = "MinIntervalNotElapsed";
inline constexpr std::string_view kReasonRotationPending = "RotationPending";
inline constexpr std::string_view kReasonSyncing = "Syncing";

// --- Phases --------------------------------------------------------------------------
inline constexpr std::string_view kPhaseSyncing = "Syncing";
inline constexpr std::string_view kPhaseRotating = "Rotating";
inline constexpr std::string_view kPhaseWaitingForConsumers = "WaitingForConsumers";
inline constexpr std::string_view kPhaseReady = "Ready";
inline constexpr std::string_view kPhaseBlocked = "Blocked";
inline constexpr std::string_view kPhaseFailed = "Failed";

// --- Annotations and labels ----------------------------------------------------------
// On consumer pod templates (RolloutRestart) and on the target Secret: the keysHash.
inline constexpr std::string_view kAnnotationKeysHash = "keyroll.dev/keys-hash";
// On consumer workloads (restart: None): the keysHash the consumer has loaded.
inline constexpr std::string_view kAnnotationObservedKeysHash = "keyroll.dev/observed-keys-hash";
// On the SigningKeyRotation: an imperative rotation request (what `keyroll rotate` sets).
inline constexpr std::string_view kAnnotationRotateRequest = "keyroll.dev/rotate-request";
// On the target Secret: the owning SigningKeyRotation's name (an annotation, because a
// resource name may be longer than a label value's 63 characters).
inline constexpr std::string_view kAnnotationOwner = "keyroll.dev/owner";
inline constexpr std::string_view kLabelManagedBy = "app.kubernetes.io/managed-by";
inline constexpr std::string_view kManagedByValue = "keyroll";

// --- Event reasons -------------------------------------------------------------------
inline constexpr std::string_view kEventKeysSynced = "KeysSynced";
inline constexpr std::string_view kEventRotationStarted = "RotationStarted";
inline constexpr std::string_view kEventRotated = "Rotated";
inline constexpr std::string_view kEventRotationFailed = "RotationFailed";
inline constexpr std::string_view kEventRotationNotApplied = "RotationNotApplied";
inline constexpr std::string_view kEventRotationBlocked = "RotationBlocked";
inline constexpr std::string_view kEventOutOfBandRotation = "OutOfBandRotation";
inline constexpr std::string_view kEventDrift = "Drift";
inline constexpr std::string_view kEventConsumerRestarted = "ConsumerRestarted";
// Something keeps removing keyroll's restart annotation (decide.cpp: kMaxRestartAttempts).
inline constexpr std::string_view kEventConsumerRestartReverted = "ConsumerRestartReverted";
// Pods that read the target Secret with no workload controlling them (controller/bare_pods.h).
inline constexpr std::string_view kEventBarePodsNotRestarted = "BarePodsNotRestarted";
inline constexpr std::string_view kEventInvalidSpec = "InvalidSpec";
inline constexpr std::string_view kEventSecretConflict = "SecretConflict";
inline constexpr std::string_view kEventProviderError = "ProviderError";
inline constexpr std::string_view kEventPreviousKeyRevoked = "PreviousKeyRevoked";
inline constexpr std::string_view kEventRevokeFailed = "RevokeFailed";
// A revocation intent found unresolved (a crash) whose key was not revoked and may not be now.
inline constexpr std::string_view kEventRevocationNotApplied = "RevocationNotApplied";
inline constexpr std::string_view kEventNormal = "Normal";
inline constexpr std::string_view kEventWarning = "Warning";

// --- Metric names (DESIGN.md) --------------------------------------------------------
inline constexpr std::string_view kMetricRotationsTotal = "keyroll_rotations_total";
inline constexpr std::string_view kMetricReconcileTotal = "keyroll_reconcile_total";
inline constexpr std::string_view kMetricReconcileDuration = "keyroll_reconcile_duration_seconds";
inline constexpr std::string_view kMetricProviderRequestsTotal = "keyroll_provider_requests_total";
inline constexpr std::string_view kMetricConsumersStale = "keyroll_consumers_stale";
inline constexpr std::string_view kMetricKeyAgeSeconds = "keyroll_key_age_seconds";
inline constexpr std::string_view kMetricLastRotationTimestamp = "keyroll_last_rotation_timestamp_seconds";
inline constexpr std::string_view kMetricWorkqueueDepth = "keyroll_workqueue_depth";
// Values of keyroll_rotations_total{result}: Plan::rotation_result.
inline constexpr std::string_view kRotationResultSucceeded = "succeeded";
inline constexpr std::string_view kRotationResultFailed = "failed";
inline constexpr std::string_view kRotationResultNotApplied = "not_applied";
inline constexpr std::string_view kRotationResultDrift = "drift";
// keyroll_revocations_total{result} (rotation.revokePrevious): Plan::revoke_result.
inline constexpr std::string_view kMetricRevocationsTotal = "keyroll_revocations_total";
inline constexpr std::string_view kRevokeResultSucceeded = "succeeded";
inline constexpr std::string_view kRevokeResultFailed = "failed";
inline constexpr std::string_view kRevokeResultNotPrevious = "not_previous";
// keyroll_rotations_total{result}: every value Plan::rotation_result can hold.
inline constexpr std::array kRotationResults = {kRotationResultSucceeded, kRotationResultFailed,
                                                kRotationResultNotApplied, kRotationResultDrift};
// keyroll_revocations_total{result}: every value Plan::revoke_result can hold.
inline constexpr std::array kRevokeResults = {kRevokeResultSucceeded, kRevokeResultFailed,
                                              kRevokeResultNotPrevious};

// keyroll_reconcile_total{result}: the controller's (a reconcile that backs off is an error).
inline constexpr std::string_view kReconcileResultSuccess = "success";
inline constexpr std::string_view kReconcileResultError = "error";
inline constexpr std::array kReconcileResults = {kReconcileResultSuccess, kReconcileResultError};

// keyroll_rotation_blocked{namespace,name,reason}: every reason the gate holds a due rotation
// with (gate.h's chain; tests/unit/rotation/gate_test.cpp checks the list is exactly those).
inline constexpr std::array kBlockedReasons = {
    kReasonConflict,         kReasonSuspended,       kReasonProviderError,
    kReasonSecretConflict,   kReasonDrift,           kReasonSecretDiffersFromProvider,
    kReasonConsumerNotFound, kReasonConsumerRolloutFailed, kReasonConsumerCannotComplete,
    kReasonConsumerStale,    kReasonMinIntervalNotElapsed};

// Per-resource gauges for the alerts (resource_gauges.h says what each reports).
inline constexpr std::string_view kMetricRotationBlocked = "keyroll_rotation_blocked";
inline constexpr std::string_view kMetricMaxKeyAgeSeconds = "keyroll_max_key_age_seconds";
inline constexpr std::string_view kMetricResourceReady = "keyroll_resource_ready";

// The shell's metrics (DESIGN.md's are in vocabulary.h).
inline constexpr std::string_view kMetricWorkqueueAddsTotal = "keyroll_workqueue_adds_total";
inline constexpr std::string_view kMetricWorkqueueRetriesTotal = "keyroll_workqueue_retries_total";
inline constexpr std::string_view kMetricWorkqueueQueueDuration = "keyroll_workqueue_queue_duration_seconds";
inline constexpr std::string_view kMetricWorkqueueWorkDuration = "keyroll_workqueue_work_duration_seconds";
inline constexpr std::string_view kMetricLeaderIsLeader = "keyroll_leader_is_leader";
inline constexpr std::string_view kMetricBuildInfo = "keyroll_build_info";

// Auth0's JWKS entry in the target Secret.
inline constexpr std::string_view kAuth0JwksKey = "jwks.json";

// --- Defaults for the target Secret's data keys (the SDKs' env var names) -------------
inline constexpr std::string_view kQStashCurrentKey = "QSTASH_CURRENT_SIGNING_KEY";
inline constexpr std::string_view kQStashNextKey = "QSTASH_NEXT_SIGNING_KEY";
inline constexpr std::string_view kQStashDefaultUrl = "https://qstash.upstash.io";
// The token Secret's data key when tokenSecretRef.key is omitted (the SDKs' env var name).
inline constexpr std::string_view kQStashTokenKey = "QSTASH_TOKEN";
inline constexpr std::string_view kAuth0CurrentKey = "AUTH0_CURRENT_SIGNING_CERT";
inline constexpr std::string_view kAuth0NextKey = "AUTH0_NEXT_SIGNING_CERT";
inline constexpr std::string_view kAuth0ClientIdKey = "AUTH0_CLIENT_ID";
inline constexpr std::string_view kAuth0ClientSecretKey = "AUTH0_CLIENT_SECRET";
// Every provider's default target key pair (current, next): the Secret projection hashes
// these pairs before any resource names them (controller/projections.cpp).
inline constexpr std::array<std::array<std::string_view, 2>, 2> kDefaultKeyPairs = {{
    {kQStashCurrentKey, kQStashNextKey},
    {kAuth0CurrentKey, kAuth0NextKey},
}};

}  // namespace keyroll::rotation::vocab
