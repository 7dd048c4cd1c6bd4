// Status error parsing against real kube-apiserver answers (tests/unit/testdata/k8s-wire).
#include "operator/kube/errors.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/unit/kube/kube_wire_capture.h"

namespace keyroll::kube {
namespace {
namespace KEYROLL_UNITY_ID {

using testing::LoadCapture;

KubeError FromCapture(const std::string& name) {
  auto c = LoadCapture(name);
  EXPECT_GT(c.status, 0) << name;
  return ErrorFromResponse(c.status, c.body, c.headers["Retry-After"]);
}

TEST(KubeErrors, NotFoundCarriesNameAndKind) {
  KubeError e = FromCapture("404-notfound.txt");
  EXPECT_TRUE(IsNotFound(e));
  EXPECT_EQ(e.code, 404);
  EXPECT_EQ(e.name, "missing");
  EXPECT_EQ(e.kind, "secrets");
  EXPECT_EQ(e.message, "secrets \"missing\" not found");
  EXPECT_FALSE(IsRetryable(e));
}

TEST(KubeErrors, ConflictAndAlreadyExistsAreDistinctFor409) {
  KubeError conflict = FromCapture("409-conflict-stale-update.txt");
  KubeError exists = FromCapture("409-alreadyexists.txt");
  EXPECT_TRUE(IsConflict(conflict));
  EXPECT_FALSE(IsAlreadyExists(conflict));
  EXPECT_TRUE(IsAlreadyExists(exists));
  EXPECT_FALSE(IsConflict(exists));
  EXPECT_EQ(conflict.code, 409);
  EXPECT_EQ(exists.code, 409);
  EXPECT_NE(conflict.message.find("the object has been modified"), std::string::npos);
}

TEST(KubeErrors, ForbiddenKeepsMessage) {
  KubeError e = FromCapture("403-forbidden.txt");
  EXPECT_TRUE(IsForbidden(e));
  EXPECT_EQ(e.kind, "secrets");
  EXPECT_NE(e.ToString().find("Forbidden (403): secrets is forbidden"), std::string::npos);
}

TEST(KubeErrors, ExpiredListIsGone) {
  KubeError e = FromCapture("410-list-exact-compacted.txt");
  EXPECT_TRUE(IsGone(e));
  EXPECT_EQ(e.status_reason, "Expired");
  EXPECT_EQ(e.code, 410);
}

TEST(KubeErrors, InvalidHasCauses) {
  KubeError e = FromCapture("422-invalid-name.txt");
  EXPECT_TRUE(IsInvalid(e));
  ASSERT_EQ(e.causes.size(), 1u);
  EXPECT_EQ(e.causes[0].field, "metadata.name");
  EXPECT_EQ(e.causes[0].type, "FieldValueInvalid");
  EXPECT_EQ(e.kind, "Secret");

  KubeError cel = FromCapture("422-cr-cel-invalid.txt");
  EXPECT_TRUE(IsInvalid(cel));
  EXPECT_EQ(cel.group, "wire.example.com");
  ASSERT_EQ(cel.causes.size(), 1u);
  EXPECT_EQ(cel.causes[0].field, "spec");
  EXPECT_NE(cel.causes[0].message.find("size must be below 100"), std::string::npos);
}

TEST(KubeErrors, BadRequests) {
  EXPECT_EQ(FromCapture("400-bad-json.txt").reason, Reason::kBadRequest);
  KubeError sel = FromCapture("400-bad-fieldselector.txt");
  EXPECT_EQ(sel.reason, Reason::kBadRequest);
  EXPECT_NE(sel.message.find("not a known field selector"), std::string::npos);
}

TEST(KubeErrors, TooManyRequestsRetryAfterFromHeaderOrDetails) {
  KubeError h = ErrorFromResponse(
      429, R"({"kind":"Status","apiVersion":"v1","status":"Failure","message":"slow down","reason":"TooManyRequests","code":429})",
      "7");
  EXPECT_TRUE(IsTooManyRequests(h));
  ASSERT_TRUE(h.retry_after.has_value());
  EXPECT_EQ(h.retry_after->count(), 7);
  EXPECT_TRUE(IsRetryable(h));

  KubeError d = ErrorFromResponse(
      429, R"({"kind":"Status","status":"Failure","reason":"TooManyRequests","details":{"retryAfterSeconds":3},"code":429})");
  ASSERT_TRUE(d.retry_after.has_value());
  EXPECT_EQ(d.retry_after->count(), 3);
}

TEST(KubeErrors, NonStatusBodiesStillGiveClearErrors) {
  KubeError html = ErrorFromResponse(502, "<html><body>Bad Gateway</body></html>");
  EXPECT_EQ(html.code, 502);
  EXPECT_TRUE(IsRetryable(html));
  EXPECT_NE(html.message.find("HTTP 502"), std::string::npos);
  EXPECT_NE(html.message.find("Bad Gateway"), std::string::npos);

  KubeError empty = ErrorFromResponse(503, "");
  EXPECT_EQ(empty.reason, Reason::kServiceUnavailable);
  EXPECT_NE(empty.message.find("empty body"), std::string::npos);

  KubeError notfound = ErrorFromResponse(404, "404 page not found\n");
  EXPECT_TRUE(IsNotFound(notfound));

  KubeError unauth = ErrorFromResponse(401, R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401})");
  EXPECT_TRUE(IsUnauthorized(unauth));

  KubeError garbage = ErrorFromResponse(500, std::string("\x01\x02{{{", 5), "soon");
  EXPECT_EQ(garbage.reason, Reason::kInternalError);
  EXPECT_FALSE(garbage.retry_after.has_value());
}

TEST(KubeErrors, WatchErrorEventStatusIsGone) {
  auto c = LoadCapture("watch-410-too-old.txt");
  auto line = c.body.substr(0, c.body.find('\n'));
  auto j = nlohmann::json::parse(line);
  KubeError e = ErrorFromStatus(j["object"]["code"].get<int>(), j["object"].dump());
  EXPECT_TRUE(IsGone(e));
  EXPECT_NE(e.message.find("too old resource version"), std::string::npos);
}

TEST(KubeErrors, NetworkKindsAreRetryableOrNot) {
  EXPECT_TRUE(IsRetryable(NetworkError("connection refused")));
  EXPECT_FALSE(IsRetryable(TlsError("certificate signed by unknown authority")));
  EXPECT_FALSE(IsRetryable(ConfigError("bad kubeconfig")));
  EXPECT_EQ(std::string(ReasonName(Reason::kTls)), "TLSError");
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::kube
