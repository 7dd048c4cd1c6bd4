#include "operator/runtime/leader_election_record.h"

#include <cctype>
#include <cstdio>

namespace keyroll::runtime {

namespace {

using nlohmann::json;

// Reads `n` digits at text[pos...]; advances pos. nullopt if any is not a digit.
std::optional<int> Digits(std::string_view text, size_t& pos, size_t n) {
  if (pos + n > text.size()) return std::nullopt;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = text[pos + i];
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  pos += n;
  return v;
}

bool Expect(std::string_view text, size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

std::string StringField(const json& spec, const char* key) {
  auto it = spec.find(key);
  return it != spec.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int IntField(const json& spec, const char* key) {
  auto it = spec.find(key);
  if (it == spec.end() || !it->is_number_integer()) return 0;
  const long long v = it->get<long long>();
  return v < 0 || v > 1'000'000'000 ? 0 : static_cast<int>(v);
}

std::optional<MicroTime> TimeField(const json& spec, const char* key) {
  auto it = spec.find(key);
  if (it == spec.end() || !it->is_string()) return std::nullopt;
  return ParseMicroTime(it->get_ref<const std::string&>());
}

}  // namespace

std::string FormatMicroTime(MicroTime t) {
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<microseconds> hms{t - day};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%06lldZ", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), int(hms.hours().count()),
                int(hms.minutes().count()), int(hms.seconds().count()),
                static_cast<long long>(hms.subseconds().count()));
  return buf;
}

std::optional<MicroTime> ParseMicroTime(std::string_view text) {
  using namespace std::chrono;
  size_t pos = 0;
  const auto y = Digits(text, pos, 4);
  if (!y || !Expect(text, pos, '-')) return std::nullopt;
  const auto mo = Digits(text, pos, 2);
  if (!mo || !Expect(text, pos, '-')) return std::nullopt;
  const auto d = Digits(text, pos, 2);
  if (!d || pos >= text.size() || (text[pos] != 'T' && text[pos] != 't')) return std::nullopt;
  ++pos;
  const auto h = Digits(text, pos, 2);
  if (!h || !Expect(text, pos, ':')) return std::nullopt;
  const auto mi = Digits(text, pos, 2);
  if (!mi || !Expect(text, pos, ':')) return std::nullopt;
  const auto s = Digits(text, pos, 2);
  if (!s) return std::nullopt;
  long long micros = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int n = 0;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
      if (n < 6) micros = micros * 10 + (text[pos] - '0');
      ++n;
      ++pos;
    }
    if (n == 0 || n > 9) return std::nullopt;
    for (int i = n; i < 6; ++i) micros *= 10;
  }
  int offset_minutes = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    const auto oh = Digits(text, pos, 2);
    if (!oh || !Expect(text, pos, ':')) return std::nullopt;
    const auto om = Digits(text, pos, 2);
    if (!om || *oh > 23 || *om > 59) return std::nullopt;
    offset_minutes = sign * (*oh * 60 + *om);
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  const year_month_day ymd{year{*y}, month{unsigned(*mo)}, day{unsigned(*d)}};
  if (!ymd.ok() || *h > 23 || *mi > 59 || *s > 60) return std::nullopt;
  return MicroTime{sys_days{ymd}} + hours{*h} + minutes{*mi} + seconds{*s} +
         microseconds{micros} - minutes{offset_minutes};
}

LeaderElectionRecord RecordFromLease(const json& lease) {
  LeaderElectionRecord r;
  if (!lease.is_object()) return r;
  auto spec = lease.find("spec");
  if (spec == lease.end() || !spec->is_object()) return r;
  r.holder_identity = StringField(*spec, "holderIdentity");
  r.lease_duration_seconds = IntField(*spec, "leaseDurationSeconds");
  r.acquire_time = TimeField(*spec, "acquireTime");
  r.renew_time = TimeField(*spec, "renewTime");
  r.lease_transitions = IntField(*spec, "leaseTransitions");
  return r;
}

json LeaseSpecFromRecord(const LeaderElectionRecord& r) {
  json spec = json::object();
  spec["holderIdentity"] = r.holder_identity;
  spec["leaseDurationSeconds"] = r.lease_duration_seconds;
  if (r.acquire_time) spec["acquireTime"] = FormatMicroTime(*r.acquire_time);
  if (r.renew_time) spec["renewTime"] = FormatMicroTime(*r.renew_time);
  spec["leaseTransitions"] = r.lease_transitions;
  return spec;
}

json NewLease(const std::string& ns, const std::string& name, const LeaderElectionRecord& r) {
  return {{"apiVersion", "coordination.k8s.io/v1"},
          {"kind", "Lease"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"spec", LeaseSpecFromRecord(r)}};
}

LeaderElectionRecord AcquiringRecord(const std::string& identity, int lease_duration_seconds,
                                     MicroTime now) {
  return {identity, lease_duration_seconds, now, now, 0};
}

bool LeaseValid(const LeaderElectionRecord& observed,
                std::chrono::steady_clock::time_point observed_at,
                std::chrono::steady_clock::time_point now) {
  return observed_at + std::chrono::seconds(observed.lease_duration_seconds) > now;
}

std::optional<LeaderElectionRecord> NextRecord(const LeaderElectionRecord& current,
                                               bool current_valid, const std::string& identity,
                                               int lease_duration_seconds, MicroTime now) {
  const bool mine = current.holder_identity == identity;
  if (!current.holder_identity.empty() && current_valid && !mine) return std::nullopt;
  LeaderElectionRecord next = AcquiringRecord(identity, lease_duration_seconds, now);
  if (mine) {
    next.acquire_time = current.acquire_time ? current.acquire_time : now;
    next.lease_transitions = current.lease_transitions;
  } else {
    next.lease_transitions = current.lease_transitions + 1;
  }
  return next;
}

LeaderElectionRecord ReleasedRecord(const LeaderElectionRecord& current, MicroTime now) {
  return {"", 1, now, now, current.lease_transitions};
}

}  // namespace keyroll::runtime
