// object_rules: what the API server does to an object on its way into storage: decoding the
// body, name validation (RFC 1123), generateName, uid/creationTimestamp, metadata.generation,
// the status subresource split, resourceVersion preconditions and per-kind defaults
// (Secret stringData -> data, Namespace phase, Deployment defaults, CRD status), and for
// custom resources their CRD's schema: pruning, defaults and validation (crd_schema.h).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/fakes/kube/resource_types.h"

namespace keyroll::fakes {

using json = nlohmann::json;

// Decodes a request body that must hold an object of `type`; 400 BadRequest as a real server
// words it otherwise.
json ParseObjectBody(const ResourceType& type, const std::string& body);

// Completes a new object for `type` served at `version` in namespace `url_ns` ("" when
// cluster-scoped). Throws ApiError (400 namespace mismatch, 422 invalid/missing name).
json PrepareCreate(const ResourceType& type, const std::string& version, const std::string& url_ns,
                   json object);

// The object an update of the main resource (status_only=false) or of /status stores.
// Throws 409 Conflict when incoming carries a resourceVersion other than current's.
json PrepareUpdate(const ResourceType& type, const std::string& version, const json& current,
                   json incoming, bool status_only);

// Sets kind and apiVersion as served at `version` (a CRD may serve several versions).
json AsServed(const ResourceType& type, const std::string& version, json object);
// The JSON text of AsServed(type, version, object), without copying the object when it already
// has the served kind and apiVersion (a stored object does, unless a CRD serves several
// versions): per watch event a copy of the object was a tenth of the fake's CPU.
std::string ServedText(const ResourceType& type, const std::string& version, const json& object);
// The same, answering with `recorded` (the object's text as stored with its change; may be
// null) when the object is already served so: no dump at all.
std::string ServedText(const ResourceType& type, const std::string& version, const json& object,
                       const std::string* recorded);

// Warnings (the text of a `Warning: 299 - "..."` header) collected while this thread handles
// a request: unknown fields pruned from a custom resource. The write handler clears and sends them.
std::vector<std::string>& PendingWarnings();
// Set by the write handler for ?fieldValidation=Strict: unknown fields are a 400, not pruned.
bool& StrictFieldValidation();

std::string NewUid();
std::string NowRfc3339();

}  // namespace keyroll::fakes
