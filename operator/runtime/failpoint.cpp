#include "operator/runtime/failpoint.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>

#include "operator/log/logging.h"

namespace keyroll::runtime {

namespace failpoint_detail {

std::atomic<bool> armed{false};

namespace {

enum class Action { kKill, kSleep, kError };

struct Point {
  Action action = Action::kKill;
  long sleep_ms = 0;
  long only_hit = 0;  // 0: every hit
  long hits = 0;
};

std::mutex mu;
std::map<std::string, Point, std::less<>> points;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool ParseNumber(std::string_view s, long* out) {
  if (s.empty() || s.size() > 9) return false;
  long n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + (c - '0');
  }
  *out = n;
  return true;
}

// One "name=action[@N]" term.
std::string ParseTerm(std::string_view term, std::string* name, Point* point) {
  auto eq = term.find('=');
  if (eq == std::string_view::npos) return "missing '=' in \"" + std::string(term) + "\"";
  *name = std::string(Trim(term.substr(0, eq)));
  std::string_view action = Trim(term.substr(eq + 1));
  if (name->empty()) return "empty failpoint name";
  if (auto at = action.rfind('@'); at != std::string_view::npos) {
    if (!ParseNumber(action.substr(at + 1), &point->only_hit) || point->only_hit < 1)
      return "bad hit number in \"" + std::string(term) + "\"";
    action = action.substr(0, at);
  }
  if (action == "kill") {
    point->action = Action::kKill;
  } else if (action == "error") {
    point->action = Action::kError;
  } else if (action.substr(0, 6) == "sleep(" && action.size() > 7 && action.back() == ')') {
    point->action = Action::kSleep;
    if (!ParseNumber(action.substr(6, action.size() - 7), &point->sleep_ms))
      return "bad sleep duration in \"" + std::string(term) + "\"";
  } else {
    return "unknown action in \"" + std::string(term) + "\" (kill, sleep(MS), error)";
  }
  return "";
}

// Arms the failpoints from the environment before main() runs.
const bool kFromEnvironment = [] {
  const char* spec = std::getenv("KEYROLL_FAILPOINTS");
  if (spec == nullptr || *spec == '\0') return false;
  std::string error = ConfigureFailpoints(spec);
  if (!error.empty()) log::Error("KEYROLL_FAILPOINTS ignored", {{"error", error}});
  return error.empty();
}();

}  // namespace

bool Hit(std::string_view name) {
  Point fire;
  long hit = 0;
  {
    std::lock_guard lock(mu);
    auto it = points.find(name);
    if (it == points.end()) return false;
    hit = ++it->second.hits;
    if (it->second.only_hit != 0 && it->second.only_hit != hit) return false;
    fire = it->second;
  }
  std::string hit_text = std::to_string(hit);
  switch (fire.action) {
    case Action::kKill:
      log::Error("failpoint: killing the process", {{"failpoint", std::string(name)}, {"hit", hit_text}});
      log::Flush();
      ::kill(::getpid(), SIGKILL);
      ::pause();
      return false;
    case Action::kSleep:
      log::Info("failpoint: sleeping", {{"failpoint", std::string(name)}, {"hit", hit_text},
                                        {"ms", std::to_string(fire.sleep_ms)}});
      std::this_thread::sleep_for(std::chrono::milliseconds(fire.sleep_ms));
      return false;
    case Action::kError:
      log::Info("failpoint: injecting an error", {{"failpoint", std::string(name)}, {"hit", hit_text}});
      return true;
  }
  return false;
}

}  // namespace failpoint_detail

std::string ConfigureFailpoints(std::string_view spec) {
  using namespace failpoint_detail;
  std::map<std::string, Point, std::less<>> parsed;
  std::string_view rest = spec;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    std::string_view term = Trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (term.empty()) continue;
    std::string name;
    Point point;
    std::string error = ParseTerm(term, &name, &point);
    if (!error.empty()) {
      std::lock_guard lock(mu);
      points.clear();
      armed.store(false);
      return error;
    }
    parsed[name] = point;
  }
  std::lock_guard lock(mu);
  points = std::move(parsed);
  armed.store(!points.empty());
  return "";
}

}  // namespace keyroll::runtime
