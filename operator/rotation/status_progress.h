// status_progress.h — which status changes may wait for the next write (issue 17: a wave of
// restarts in batches wrote the status after every batch, 4 writes for 5 consumers, 2 at a time).
// A change is only progress
//  - while consumers roll out in batches: ConsumersUpToDate reason ConsumerStale, and the written
//    status has a consumer waiting for a restart slot (the wave moves on by itself; a single
//    batch's progress is written at once, as before);
//  - when every condition keeps its status and reason (a transition is written at once) and
//    KeysSynced its message;
//  - and what differs is the consumers' words and readiness, consumersReady, the other
//    conditions' messages, and first restarts (0 -> 1) to the keys already written.
// A second restart of a consumer for the same keys (something removed keyroll's annotation: the
// kMaxRestartAttempts guard) is never held back: its count must survive a crash.
#pragma once

#include "operator/rotation/status.h"

namespace keyroll::rotation {

bool OnlyProgress(const Status& written, const Status& next);

}  // namespace keyroll::rotation
