// metric_vocabulary.h — the label values of keyroll's result counters as lists, and the
// names of the metrics that vocabulary.h does not spell (the shell's workqueue, leader and
// build metrics). operator/http/metrics.cpp takes every name and pre-created value from here
// or vocabulary.h, so a series it starts at 0 is one that something counts:
// tests/unit/rotation/metric_results_test.cpp drives Decide through every outcome and checks
// that the results it emits are exactly these lists.
#pragma once

#include <array>
#include <string_view>

#include "operator/rotation/vocabulary.h"

namespace keyroll::rotation::vocab {

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

}  // namespace keyroll::rotation::vocab
