// result: kube::Result<T>, a value or a KubeError (base::Result with the API client's error).
#pragma once

#include "operator/base/result.h"
#include "operator/kube/errors.h"

namespace keyroll::kube {

template <typename T>
using Result = base::Result<T, KubeError>;

// For operations that return nothing on success.
struct Unit {
  friend bool operator==(const Unit&, const Unit&) = default;
};
using EmptyResult = Result<Unit>;

}  // namespace keyroll::kube
