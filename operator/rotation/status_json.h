// status_json.h — Status <-> JSON in the CRD's shape (camelCase, RFC 3339 times, empty
// fields omitted). ParseStatus is lenient: a field of the wrong type is dropped, never
// thrown; a pendingRotation or pendingRevocation object is always kept (even partial) so an
// intent is never lost. StatusToJson(ParseStatus(StatusToJson(s))) == StatusToJson(s).
#pragma once

#include <nlohmann/json.hpp>

#include "operator/rotation/status.h"

namespace keyroll::rotation {

nlohmann::json StatusToJson(const Status& status);
Status ParseStatus(const nlohmann::json& status);

}  // namespace keyroll::rotation
