// result.h — the core's Result<T, E> and Err are base's (one Result for the whole product).
#pragma once

#include "operator/base/result.h"

namespace keyroll::rotation {

using base::Err;
using base::Result;

}  // namespace keyroll::rotation
