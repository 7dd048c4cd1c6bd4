// policy.cpp — see policy.h.
#include "operator/rotation/policy.h"

#include "operator/rotation/cron.h"
#include "operator/rotation/duration.h"

namespace keyroll::rotation {

const char* ToString(TriggerKind kind) {
  switch (kind) {
    case TriggerKind::RequestID: return "RequestID";
    case TriggerKind::RotateRequest: return "RotateRequest";
    case TriggerKind::Schedule: return "Schedule";
    case TriggerKind::MaxKeyAge: return "MaxKeyAge";
  }
  return "Unknown";
}

namespace {

std::optional<Time> ScheduleDue(const PolicyInput& in) {
  if (in.rotation.schedule.empty()) return std::nullopt;
  std::optional<Time> anchor = in.status.last_rotation_time ? in.status.last_rotation_time : in.created;
  if (!anchor && in.status.keys) anchor = in.status.keys->synced_at;
  if (!anchor) return std::nullopt;
  auto cron = CronSchedule::Parse(in.rotation.schedule, in.rotation.time_zone);
  if (!cron) return std::nullopt;  // ParseSpec refused it already
  auto next = cron->NextAfter(*anchor);
  if (!next) return std::nullopt;
  return *next;
}

std::optional<Time> KeyAgeDue(const PolicyInput& in) {
  if (!in.rotation.max_key_age || !in.status.keys || !in.status.keys->synced_at) return std::nullopt;
  return *in.status.keys->synced_at + *in.rotation.max_key_age;
}

}  // namespace

std::optional<Trigger> RotationDue(const PolicyInput& in, Time now) {
  const auto& r = in.rotation;
  if (!r.request_id.empty() && r.request_id != in.status.last_handled_request_id)
    return Trigger{TriggerKind::RequestID, "requestID \"" + r.request_id + "\" was requested"};
  if (!in.rotate_request.empty() && in.rotate_request != in.status.last_handled_rotate_request)
    return Trigger{TriggerKind::RotateRequest,
                   "rotate-request \"" + std::string(in.rotate_request) + "\" was requested"};
  auto sched = ScheduleDue(in);
  auto age = KeyAgeDue(in);
  if (sched && *sched <= now && (!age || *sched <= *age))
    return Trigger{TriggerKind::Schedule,
                   "schedule \"" + r.schedule + "\" fired at " + FormatTimestamp(*sched)};
  if (age && *age <= now)
    return Trigger{TriggerKind::MaxKeyAge, "current key is older than maxKeyAge " +
                                               FormatDuration(*r.max_key_age)};
  return std::nullopt;
}

std::optional<Time> NextRotationTime(const PolicyInput& in) {
  if (in.rotation.suspend) return std::nullopt;
  auto sched = ScheduleDue(in);
  auto age = KeyAgeDue(in);
  if (sched && age) return std::min(*sched, *age);
  return sched ? sched : age;
}

void AdoptRequests(const PolicyInput& in, Status& status) {
  status.last_handled_request_id = in.rotation.request_id;
  status.last_handled_rotate_request = std::string(in.rotate_request);
}

}  // namespace keyroll::rotation
