// ca_file.cpp — see ca_file.h.
#include "operator/providers/ca_file.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <mutex>
#include <sstream>
#include <unordered_map>

namespace keyroll::providers {
namespace {

// What says the file is the one read: a rotation through a Kubernetes volume swaps a symlink
// (new inode); an editor or `cp` rewrites it (new size, mtime or ctime).
struct Stamp {
  dev_t dev = 0;
  ino_t ino = 0;
  off_t size = 0;
  timespec mtime{}, ctime{};
  bool operator==(const Stamp& o) const {
    return dev == o.dev && ino == o.ino && size == o.size && mtime.tv_sec == o.mtime.tv_sec &&
           mtime.tv_nsec == o.mtime.tv_nsec && ctime.tv_sec == o.ctime.tv_sec && ctime.tv_nsec == o.ctime.tv_nsec;
  }
};

struct Cached {
  Stamp stamp;
  std::string text;
};

constexpr size_t kMaxFiles = 16;  // one flag names one file; tests use a few

std::optional<Stamp> StampOf(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return Stamp{st.st_dev, st.st_ino, st.st_size, st.st_mtim, st.st_ctim};
}

// A file changed less than this long ago may change again within the same timestamp tick,
// keeping every field of its stamp: it is read every time until it is older (git's "racy
// clean" rule).
bool SettledLongEnough(const Stamp& s) {
  const auto changed = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::seconds(std::max(s.mtime.tv_sec, s.ctime.tv_sec))));
  return std::chrono::system_clock::now() - changed > std::chrono::seconds(2);
}

std::optional<std::string> ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

}  // namespace

std::optional<std::string> ReadCaFile(const std::string& path) {
  static std::mutex mu;
  static std::unordered_map<std::string, Cached> files;
  const std::optional<Stamp> before = StampOf(path);
  const bool stamp_tells = before && SettledLongEnough(*before);
  if (stamp_tells) {
    std::lock_guard lock(mu);
    if (auto it = files.find(path); it != files.end() && it->second.stamp == *before) return it->second.text;
  }
  std::optional<std::string> text = ReadWhole(path);
  if (!text) return std::nullopt;
  // Kept only when the file did not change while it was read.
  if (stamp_tells && StampOf(path) == before) {
    std::lock_guard lock(mu);
    if (files.size() >= kMaxFiles && !files.count(path)) files.clear();
    files[path] = Cached{*before, *text};
  }
  return text;
}

}  // namespace keyroll::providers
