// faults: what a provider fake (QStash, Auth0) can be told to do wrong, and the queue it
// takes them from. Each fault applies to the next `count` authenticated requests of its op.
// Ops: get_keys (QStash GET /v2/keys, Auth0 key list), rotate, and for Auth0 also token,
// get_key (one key) and revoke. "performed" below means the rotation (or revocation) happens.
//
// kind            | wire behaviour                                   | rotation performed?
// status          | answers `status` with the service's error body   | no
// rate-limit      | 429 + Burst-RateLimit-* (+ Retry-After)          | no
// drop-before     | closes the connection without answering          | no
// drop-after      | performs, then closes without answering          | yes (rotate-then-drop)
// latency         | performs, waits `latency`, then answers normally | yes
// truncated       | performs, sends headers and half the body, closes| yes
// non-json        | performs, answers 200 with an HTML page          | yes
// wrong-json      | performs, answers 200 with a malformed key set   | yes
// hang            | reads the request, then never answers; the      | no
//                 | connection stays open (the worker is freed)     |
// (A TLS handshake that never completes is an endpoint, not a fault: POST /_fake/black-hole.)
#pragma once

#include <chrono>
#include <deque>
#include <mutex>
#include <optional>
#include <string>

namespace keyroll::fakes {

enum class FaultKind { kStatus, kRateLimit, kDropBefore, kDropAfter, kLatency, kTruncated, kNonJson, kWrongJson, kHang };
enum class FaultOp { kAny, kGetKeys, kRotate, kToken, kGetKey, kRevoke };

struct Fault {
  FaultKind kind = FaultKind::kStatus;
  FaultOp op = FaultOp::kAny;
  int count = 1;                            // < 0: until cleared
  std::string account;                      // "" = any account
  int status = 503;                         // kStatus
  std::chrono::milliseconds latency{0};     // kLatency
  // kWrongJson: the fake's own list of malformed answers (QStash: current-number |
  //             missing-next | missing-current | equal | empty-current | null-next | array |
  //             string; Auth0: see fake_auth0.h)
  //             kStatus with variant "echo-secrets" (QStash): the error body echoes the
  //             Authorization header, the token and the account's keys
  std::string variant = "current-number";
  int retry_after_seconds = 1;              // kRateLimit: Burst-RateLimit-Reset = now + this
  bool send_retry_after = true;             // kRateLimit: also send Retry-After
};

// A fault of `kind` on the next `count` requests of `op`, every other field at its default.
inline Fault MakeFault(FaultKind kind, FaultOp op, int count = 1) {
  Fault f;
  f.kind = kind;
  f.op = op;
  f.count = count;
  return f;
}

// Parses "status", "drop-after", ... and "any" / "get_keys" / "rotate" / "token" / "get_key" /
// "revoke".
std::optional<FaultKind> ParseFaultKind(const std::string& name);
std::optional<FaultOp> ParseFaultOp(const std::string& name);

class FaultQueue {
 public:
  void Add(Fault fault);
  void Clear();
  // The first queued fault that applies to op and account, consuming one use.
  std::optional<Fault> Take(FaultOp op, const std::string& account = "");

 private:
  std::mutex mu_;
  std::deque<Fault> faults_;
};

}  // namespace keyroll::fakes
