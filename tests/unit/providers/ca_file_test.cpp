// ReadCaFile: the CA bundle's text, cached while the file stays the same, never stale.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>

#include "operator/providers/ca_file.h"
#include "tests/support/temp_dir.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

using providers::ReadCaFile;

// Dates the file's mtime `seconds` back, so that the cache trusts its stamp.
void Age(const std::string& path, int seconds) {
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  timespec times[2] = {st.st_atim, st.st_mtim};
  times[0].tv_sec -= seconds;
  times[1].tv_sec -= seconds;
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
}

void Rewrite(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::trunc) << text; }

// A file a minute old, read once: the cache holds it from now on.
std::string CachedFile(const TempDir& dir, const std::string& text) {
  const std::string path = dir.Write("ca.crt", text);
  Age(path, 60);
  EXPECT_EQ(ReadCaFile(path), text);
  return path;
}

TEST(ReadCaFile, AMissingFileIsNotRead) {
  TempDir dir;
  EXPECT_FALSE(ReadCaFile(dir.File("absent.crt")));
}

TEST(ReadCaFile, AFileJustWrittenIsReadEveryTime) {
  TempDir dir;
  const std::string path = dir.Write("ca.crt", "first text");
  EXPECT_EQ(ReadCaFile(path), "first text");
  Rewrite(path, "other text");  // same size, most likely the same timestamp tick
  EXPECT_EQ(ReadCaFile(path), "other text");
}

TEST(ReadCaFile, AnUnchangedOldFileReadsTheSame) {
  TempDir dir;
  const std::string path = CachedFile(dir, "the bundle");
  EXPECT_EQ(ReadCaFile(path), "the bundle");
}

TEST(ReadCaFile, ARewriteOfTheSameSizeWithTheOldMtimeIsSeen) {
  TempDir dir;
  const std::string path = CachedFile(dir, "first text");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  Rewrite(path, "other text");
  timespec times[2] = {st.st_atim, st.st_mtim};  // the old mtime back: only ctime tells
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
  EXPECT_EQ(ReadCaFile(path), "other text");
}

TEST(ReadCaFile, ASwappedFileIsSeen) {
  // A Secret or ConfigMap volume rotates by renaming a new file over the old (new inode).
  TempDir dir;
  const std::string path = CachedFile(dir, "first text");
  const std::string next = dir.Write("next.crt", "new bundle");
  Age(next, 60);
  ASSERT_EQ(std::rename(next.c_str(), path.c_str()), 0);
  EXPECT_EQ(ReadCaFile(path), "new bundle");
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
