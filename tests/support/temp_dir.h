// temp_dir: a private directory for one test, removed when the test ends.
#pragma once

#include <string>

namespace keyroll::testing {

class TempDir {
 public:
  TempDir();  // under $TMPDIR (or /tmp), mode 0700
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }
  // Writes content to File(name) and returns that path.
  std::string Write(const std::string& name, const std::string& content) const;
  // Keep the directory after the test (for debugging a failure); KEYROLL_KEEP_TMP=1 does too.
  void Keep() { keep_ = true; }

 private:
  std::string path_;
  bool keep_ = false;
};

std::string ReadFile(const std::string& path);

}  // namespace keyroll::testing
