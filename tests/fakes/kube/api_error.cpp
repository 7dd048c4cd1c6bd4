#include "tests/fakes/kube/api_error.h"

namespace keyroll::fakes {

ApiError::ApiError(int code, json status)
    : std::runtime_error(status.value("message", std::string("error"))),
      code_(code),
      status_(std::move(status)) {}

ApiError& ApiError::WithRetryAfter(int seconds) {
  retry_after_seconds_ = seconds;
  return *this;
}

json FailureStatus(int code, const std::string& reason, const std::string& message,
                   const json& details) {
  json s = {{"kind", "Status"},     {"apiVersion", "v1"},    {"metadata", json::object()},
            {"status", "Failure"},  {"message", message},    {"reason", reason},
            {"code", code}};
  if (!details.is_null()) s["details"] = details;
  return s;
}

json SubjectDetails(const ErrorSubject& subject) {
  json d = json::object();
  if (!subject.name.empty()) d["name"] = subject.name;
  if (!subject.group.empty()) d["group"] = subject.group;
  if (!subject.resource.empty()) d["kind"] = subject.resource;
  return d;
}

std::string QualifiedResource(const std::string& resource, const std::string& group) {
  return group.empty() ? resource : resource + "." + group;
}

namespace {
std::string Named(const ErrorSubject& s) {
  return QualifiedResource(s.resource, s.group) + " \"" + s.name + "\"";
}
}  // namespace

ApiError NotFound(const ErrorSubject& subject) {
  return ApiError(404, FailureStatus(404, "NotFound", Named(subject) + " not found",
                                     SubjectDetails(subject)));
}

ApiError NotFoundPath() {
  return ApiError(404, FailureStatus(404, "NotFound",
                                     "the server could not find the requested resource",
                                     json::object()));
}

ApiError AlreadyExists(const ErrorSubject& subject) {
  return ApiError(409, FailureStatus(409, "AlreadyExists", Named(subject) + " already exists",
                                     SubjectDetails(subject)));
}

ApiError Conflict(const ErrorSubject& subject) {
  return ApiError(
      409, FailureStatus(409, "Conflict",
                         "Operation cannot be fulfilled on " + Named(subject) +
                             ": the object has been modified; please apply your changes to the "
                             "latest version and try again",
                         SubjectDetails(subject)));
}

ApiError BadRequest(const std::string& message) {
  return ApiError(400, FailureStatus(400, "BadRequest", message));
}

ApiError Unauthorized() {
  return ApiError(401, FailureStatus(401, "Unauthorized", "Unauthorized"));
}

ApiError Forbidden(const std::string& user, const std::string& verb, const ErrorSubject& subject,
                   const std::string& subresource, const std::string& ns) {
  std::string what = QualifiedResource(subject.resource, subject.group);
  if (!subject.name.empty()) what += " \"" + subject.name + "\"";
  std::string resource = subject.resource;
  if (!subresource.empty()) resource += "/" + subresource;
  std::string where = ns.empty() ? "at the cluster scope" : "in the namespace \"" + ns + "\"";
  std::string message = what + " is forbidden: User \"" + user + "\" cannot " + verb +
                        " resource \"" + resource + "\" in API group \"" + subject.group + "\" " +
                        where;
  return ApiError(403, FailureStatus(403, "Forbidden", message, SubjectDetails(subject)));
}

ApiError Expired(const std::string& message) {
  return ApiError(410, FailureStatus(410, "Expired", message));
}

ApiError MethodNotAllowed() {
  return ApiError(405, FailureStatus(405, "MethodNotAllowed",
                                     "the server does not allow this method on the requested "
                                     "resource",
                                     json::object()));
}

ApiError UnsupportedMediaType(const std::string& content_type) {
  return ApiError(415, FailureStatus(415, "UnsupportedMediaType",
                                     "the body of the request was in an unknown format - "
                                     "accepted media types include: application/json-patch+json, "
                                     "application/merge-patch+json, "
                                     "application/strategic-merge-patch+json (got \"" +
                                         content_type + "\")"));
}

ApiError InternalError(const std::string& message) {
  json details = {{"causes", json::array({{{"message", message}}})}};
  return ApiError(500, FailureStatus(500, "InternalError",
                                     "Internal error occurred: " + message, details));
}

ApiError TooManyRequests(int retry_after_seconds) {
  json details = {{"retryAfterSeconds", retry_after_seconds}};
  ApiError e(429, FailureStatus(429, "TooManyRequests",
                                "Too many requests, please try again later.", details));
  e.WithRetryAfter(retry_after_seconds);
  return e;
}

ApiError Timeout(const std::string& message, int retry_after_seconds) {
  json details = {{"retryAfterSeconds", retry_after_seconds}};
  ApiError e(504, FailureStatus(504, "Timeout", message, details));
  e.WithRetryAfter(retry_after_seconds);
  return e;
}

ApiError Invalid(const std::string& kind, const std::string& group, const std::string& name,
                 const InvalidCause& cause) {
  return Invalid(kind, group, name, std::vector<InvalidCause>{cause});
}

ApiError Invalid(const std::string& kind, const std::string& group, const std::string& name,
                 const std::vector<InvalidCause>& causes) {
  std::string qualified = group.empty() ? kind : kind + "." + group;
  json details = {{"name", name}, {"kind", kind}, {"causes", json::array()}};
  if (!group.empty()) details["group"] = group;
  // As field.ErrorList's aggregate prints: one error bare, several in brackets.
  std::string errors;
  for (const auto& cause : causes) {
    details["causes"].push_back(
        {{"reason", cause.reason}, {"message", cause.message}, {"field", cause.field}});
    if (!errors.empty()) errors += ", ";
    errors += cause.field + ": " + cause.message;
  }
  if (causes.size() > 1) errors = "[" + errors + "]";
  std::string message = qualified + " \"" + name + "\" is invalid: " + errors;
  return ApiError(422, FailureStatus(422, "Invalid", message, details));
}

ApiError InvalidRequest() {
  return ApiError(422, FailureStatus(422, "Invalid",
                                     "the server rejected our request due to an error in our "
                                     "request",
                                     json::object()));
}

}  // namespace keyroll::fakes
