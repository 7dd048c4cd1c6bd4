// api_error: the Kubernetes `Status` error bodies the fake answers with, shaped exactly as a
// real kube-apiserver sends them (see /work/shared/k8s-wire/*.txt). Handlers throw ApiError;
// the server turns it into the HTTP status and JSON body.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace keyroll::fakes {

using json = nlohmann::json;

// What an error is about: the resource (plural), its group and the object's name.
struct ErrorSubject {
  std::string resource;  // plural, e.g. "secrets"; goes into details.kind
  std::string group;     // "" for the core group; omitted from details when empty
  std::string name;      // omitted from details when empty
};

class ApiError : public std::runtime_error {
 public:
  ApiError(int code, json status);
  int code() const { return code_; }
  const json& status() const { return status_; }
  // Extra response headers (Retry-After for 429).
  int retry_after_seconds() const { return retry_after_seconds_; }
  ApiError& WithRetryAfter(int seconds);

 private:
  int code_;
  json status_;
  int retry_after_seconds_ = 0;
};

// A Status of status "Failure". details is omitted when null.
json FailureStatus(int code, const std::string& reason, const std::string& message,
                   const json& details = nullptr);
json SubjectDetails(const ErrorSubject& subject);

// "secrets" or "deployments.apps": how messages name a resource.
std::string QualifiedResource(const std::string& resource, const std::string& group);

ApiError NotFound(const ErrorSubject& subject);       // secrets "x" not found
ApiError NotFoundPath();                              // the server could not find the requested resource
ApiError AlreadyExists(const ErrorSubject& subject);  // secrets "x" already exists
ApiError Conflict(const ErrorSubject& subject);       // Operation cannot be fulfilled ... modified
ApiError BadRequest(const std::string& message);
ApiError Unauthorized();
ApiError Forbidden(const std::string& user, const std::string& verb, const ErrorSubject& subject,
                   const std::string& subresource, const std::string& ns);
ApiError Expired(const std::string& message);
ApiError MethodNotAllowed();
ApiError UnsupportedMediaType(const std::string& content_type);
ApiError InternalError(const std::string& message);
ApiError TooManyRequests(int retry_after_seconds);
ApiError Timeout(const std::string& message, int retry_after_seconds);

// 422 Invalid with one cause. kind_qualified is "Secret" or "Widget.wire.example.com".
struct InvalidCause {
  std::string reason;   // FieldValueInvalid, FieldValueRequired, ...
  std::string message;  // Invalid value: "Bad_Name": ...
  std::string field;    // metadata.name
};
ApiError Invalid(const std::string& kind, const std::string& group, const std::string& name,
                 const InvalidCause& cause);
// 422 Invalid with several causes, in order (the message lists them in brackets).
ApiError Invalid(const std::string& kind, const std::string& group, const std::string& name,
                 const std::vector<InvalidCause>& causes);
// The generic 422 a failed json-patch `test` gets.
ApiError InvalidRequest();

}  // namespace keyroll::fakes
