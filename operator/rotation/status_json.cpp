// status_json.cpp — field-by-field mapping; see status.h for meanings.
#include "operator/rotation/status_json.h"

namespace keyroll::rotation {

using nlohmann::json;

namespace {

void PutString(json& j, const char* key, const std::string& v) {
  if (!v.empty()) j[key] = v;
}
void PutTime(json& j, const char* key, const std::optional<Time>& t) {
  if (t) j[key] = FormatTimestamp(*t);
}

std::string GetString(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
std::optional<Time> GetTime(const json& j, const char* key) {
  auto s = GetString(j, key);
  return s.empty() ? std::nullopt : ParseTimestamp(s);
}
int64_t GetInt(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

}  // namespace

json StatusToJson(const Status& s) {
  json j = json::object();
  if (s.observed_generation) j["observedGeneration"] = s.observed_generation;
  PutString(j, "phase", s.phase);
  if (s.keys) {
    json k = json::object();
    PutString(k, "currentFingerprint", s.keys->current_fingerprint);
    PutString(k, "nextFingerprint", s.keys->next_fingerprint);
    PutString(k, "keysHash", s.keys->keys_hash);
    PutTime(k, "syncedAt", s.keys->synced_at);
    PutString(k, "currentKid", s.keys->current_kid);
    PutString(k, "nextKid", s.keys->next_kid);
    PutString(k, "previousKid", s.keys->previous_kid);
    j["keys"] = k;
  }
  if (s.rotation_count) j["rotationCount"] = s.rotation_count;
  PutTime(j, "lastRotationTime", s.last_rotation_time);
  PutTime(j, "nextRotationTime", s.next_rotation_time);
  PutString(j, "lastHandledRequestID", s.last_handled_request_id);
  PutString(j, "lastHandledRotateRequest", s.last_handled_rotate_request);
  if (s.pending_rotation) {
    const auto& p = *s.pending_rotation;
    json pj = json::object();
    pj["startedAt"] = FormatTimestamp(p.started_at);
    PutString(pj, "fromFingerprint", p.from_fingerprint);
    PutString(pj, "expectedCurrentFingerprint", p.expected_current_fingerprint);
    PutString(pj, "trigger", p.trigger);
    PutString(pj, "requestID", p.request_id);
    PutString(pj, "rotateRequest", p.rotate_request);
    j["pendingRotation"] = pj;
  }
  if (s.pending_revocation) {
    const auto& p = *s.pending_revocation;
    json pj = json::object();
    PutString(pj, "kid", p.kid);
    pj["startedAt"] = FormatTimestamp(p.started_at);
    PutString(pj, "keysHash", p.keys_hash);
    j["pendingRevocation"] = pj;
  }
  if (!s.consumers.empty()) {
    json list = json::array();
    for (const auto& c : s.consumers) {
      json cj = {{"kind", c.kind}, {"name", c.name}, {"upToDate", c.up_to_date}};
      PutString(cj, "message", c.message);
      if (c.restarts > 0) cj["restarts"] = c.restarts;
      PutString(cj, "restartedKeysHash", c.restarted_keys_hash);
      list.push_back(cj);
    }
    j["consumers"] = list;
  }
  PutString(j, "consumersReady", s.consumers_ready);
  if (!s.conditions.empty()) {
    json list = json::array();
    for (const auto& c : s.conditions)
      list.push_back({{"type", c.type},
                      {"status", c.status},
                      {"observedGeneration", c.observed_generation},
                      {"lastTransitionTime", FormatTimestamp(c.last_transition_time)},
                      {"reason", c.reason},
                      {"message", c.message}});
    j["conditions"] = list;
  }
  return j;
}

Status ParseStatus(const json& j) {
  Status s;
  if (!j.is_object()) return s;
  s.observed_generation = GetInt(j, "observedGeneration");
  s.phase = GetString(j, "phase");
  if (auto k = j.find("keys"); k != j.end() && k->is_object()) {
    KeysStatus ks;
    ks.current_fingerprint = GetString(*k, "currentFingerprint");
    ks.next_fingerprint = GetString(*k, "nextFingerprint");
    ks.keys_hash = GetString(*k, "keysHash");
    ks.synced_at = GetTime(*k, "syncedAt");
    ks.current_kid = GetString(*k, "currentKid");
    ks.next_kid = GetString(*k, "nextKid");
    ks.previous_kid = GetString(*k, "previousKid");
    s.keys = ks;
  }
  s.rotation_count = GetInt(j, "rotationCount");
  s.last_rotation_time = GetTime(j, "lastRotationTime");
  s.next_rotation_time = GetTime(j, "nextRotationTime");
  s.last_handled_request_id = GetString(j, "lastHandledRequestID");
  s.last_handled_rotate_request = GetString(j, "lastHandledRotateRequest");
  if (auto p = j.find("pendingRotation"); p != j.end() && p->is_object()) {
    PendingRotation pr;
    // An unreadable startedAt keeps the intent (epoch = long settled), never drops it.
    pr.started_at = GetTime(*p, "startedAt").value_or(Time{});
    pr.from_fingerprint = GetString(*p, "fromFingerprint");
    pr.expected_current_fingerprint = GetString(*p, "expectedCurrentFingerprint");
    pr.trigger = GetString(*p, "trigger");
    pr.request_id = GetString(*p, "requestID");
    pr.rotate_request = GetString(*p, "rotateRequest");
    s.pending_rotation = pr;
  }
  if (auto p = j.find("pendingRevocation"); p != j.end() && p->is_object()) {
    PendingRevocation pr;  // kept even partial, like pendingRotation: an intent is never dropped
    pr.kid = GetString(*p, "kid");
    pr.started_at = GetTime(*p, "startedAt").value_or(Time{});
    pr.keys_hash = GetString(*p, "keysHash");
    s.pending_revocation = pr;
  }
  if (auto c = j.find("consumers"); c != j.end() && c->is_array()) {
    for (const auto& item : *c) {
      if (!item.is_object()) continue;
      ConsumerStatus cs;
      cs.kind = GetString(item, "kind");
      cs.name = GetString(item, "name");
      auto u = item.find("upToDate");
      cs.up_to_date = u != item.end() && u->is_boolean() && u->get<bool>();
      cs.message = GetString(item, "message");
      cs.restarts = GetInt(item, "restarts");
      cs.restarted_keys_hash = GetString(item, "restartedKeysHash");
      s.consumers.push_back(cs);
    }
  }
  s.consumers_ready = GetString(j, "consumersReady");
  if (auto c = j.find("conditions"); c != j.end() && c->is_array()) {
    for (const auto& item : *c) {
      if (!item.is_object()) continue;
      Condition cond;
      cond.type = GetString(item, "type");
      if (cond.type.empty()) continue;
      cond.status = GetString(item, "status");
      cond.observed_generation = GetInt(item, "observedGeneration");
      cond.last_transition_time = GetTime(item, "lastTransitionTime").value_or(Time{});
      cond.reason = GetString(item, "reason");
      cond.message = GetString(item, "message");
      s.conditions.push_back(cond);
    }
  }
  return s;
}

}  // namespace keyroll::rotation
