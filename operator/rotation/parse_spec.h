// parse_spec.h — turn a SigningKeyRotation (as JSON from the API server) into a validated
// Spec with defaults, or a list of FieldErrors naming every problem with its path
// ("spec.rotation.schedule: ..."). The operator validates everything itself, not only
// what the CRD schema cannot: wrong types, missing fields, both/neither provider, names,
// cross-namespace refs, cron, time zone, durations, bounds, selectors, string sizes,
// unknown fields. Never throws.
#pragma once

#include <nlohmann/json.hpp>

#include "operator/rotation/field_error.h"
#include "operator/rotation/observed.h"
#include "operator/rotation/result.h"
#include "operator/rotation/spec.h"

namespace keyroll::rotation {

// `resource` is the whole object (metadata is read for defaults and the rotate-request
// annotation, which is validated as metadata.annotations[keyroll.dev/rotate-request]).
Result<Spec, FieldErrors> ParseSpec(const nlohmann::json& resource);

// metadata as ResourceMeta; lenient (missing fields stay empty). Never throws.
ResourceMeta ParseResourceMeta(const nlohmann::json& resource);

// Everything Decide needs from the resource: meta, ParseSpec, ParseStatus.
ObservedResource ParseResource(const nlohmann::json& resource);

}  // namespace keyroll::rotation
