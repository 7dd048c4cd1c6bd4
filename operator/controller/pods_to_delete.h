// pods_to_delete: an OnDelete StatefulSet or DaemonSet whose rollout cannot complete by itself
// loads the new keys only when someone deletes its pods; the condition names them. Only in
// that case keyroll reads the workload (GET: its selector, uid and current revision are not in
// the informer's projection) and lists its pods by the selector (RBAC: pods list), keeping
// those it controls that still run an old template:
//  - StatefulSet: label controller-revision-hash != status.updateRevision;
//  - DaemonSet: label pod-template-generation != the DaemonSet's annotation
//    deprecated.daemonset.template.generation (what the DaemonSet controller compares).
// A failed read is logged and leaves the workload as it was: the condition then says
// "delete them" without names. Never any other kind, never a pod's spec or data.
#pragma once

#include <string>

#include "operator/kube/client.h"
#include "operator/rotation/observed.h"

namespace keyroll::controller {

// Fills w.pods_to_delete / pods_to_delete_count when w is such a workload; else does nothing.
void AddPodsToDelete(kube::Client& client, const std::string& ns, rotation::ObservedWorkload& w);

}  // namespace keyroll::controller
