// The keyroll image, built for real: scripts/image makes an OCI archive from the built binary
// (buildah, FROM scratch, no engine); its config runs keyroll as 65532:65532 with the OCI
// labels; its root filesystem, unpacked, has nothing 65532 may write, and keyroll started
// from it (mounted read-only, chroot as 65532) against the fake API server becomes Ready.
// Prints the image's size.
// One test case: building the image is the slow part (~10-25 s) and every check needs it.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/manifests/manifest_files.h"
#include "tests/support/cluster.h"
#include "tests/support/wait.h"

namespace keyroll::testing::manifests {
namespace {
namespace KEYROLL_UNITY_ID {

nlohmann::json Blob(const std::string& layout, const std::string& digest) {
  return nlohmann::json::parse(ReadFile(layout + "/blobs/sha256/" + digest.substr(digest.find(':') + 1)));
}

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Paths under `root` that uid/gid 65532 could write (symlinks aside).
std::vector<std::string> WritableBy65532(const std::string& root) {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    struct stat st {};
    if (lstat(entry.path().c_str(), &st) != 0 || S_ISLNK(st.st_mode)) continue;
    const bool writable = st.st_uid == 65532 || (st.st_mode & S_IWOTH) ||
                          (st.st_gid == 65532 && (st.st_mode & S_IWGRP));
    if (writable) out.push_back(entry.path().string());
  }
  return out;
}

TEST(Image, BuildsAsOciAndRunsAsNonRootUntilReady) {
  if (geteuid() != 0) GTEST_SKIP() << "buildah's vfs store and chroot need root (CI runs as root)";
  const std::string buildah = FindOnPath("buildah");
  ASSERT_FALSE(buildah.empty()) << "buildah (scripts/install-deps)";
  const std::string version = Trimmed(RunCommand({SourcePath("scripts/version")}).output);
  ASSERT_FALSE(version.empty());

  // Build.
  TempDir dir;
  const std::string archive = dir.File("keyroll.oci.tar");
  const auto started = std::chrono::steady_clock::now();
  CommandResult built = RunCommand({SourcePath("scripts/image"), BuiltBinary("keyroll"), archive},
                                   std::chrono::seconds(240));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  ASSERT_EQ(built.exit_code, 0) << built.output;

  // Config: user, entrypoint, labels.
  const std::string layout = dir.File("layout");
  std::filesystem::create_directory(layout);
  ASSERT_EQ(RunCommand({"/usr/bin/tar", "-xf", archive, "-C", layout}).exit_code, 0);
  const nlohmann::json index = nlohmann::json::parse(ReadFile(layout + "/index.json"));
  ASSERT_EQ(index["manifests"].size(), 1u);
  EXPECT_EQ(index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"], "keyroll:" + version);
  const nlohmann::json manifest = Blob(layout, index["manifests"][0]["digest"]);
  const nlohmann::json config = Blob(layout, manifest["config"]["digest"])["config"];
  EXPECT_EQ(config["User"], "65532:65532");
  EXPECT_EQ(config["Entrypoint"], nlohmann::json::array({"/usr/local/bin/keyroll"}));
  EXPECT_TRUE(config.value("Cmd", nlohmann::json()).empty()) << config.dump();
  EXPECT_TRUE(config["ExposedPorts"].contains("8080/tcp"));
  EXPECT_TRUE(config["ExposedPorts"].contains("8081/tcp"));
  const nlohmann::json labels = config["Labels"];
  EXPECT_EQ(labels.value("org.opencontainers.image.version", ""), version);
  EXPECT_GE(labels.value("org.opencontainers.image.revision", "").size(), 7u) << labels.dump();
  EXPECT_NE(labels.value("org.opencontainers.image.source", "").find("https://"), std::string::npos);

  // Root filesystem: every layer unpacked in order (as root, so owners are kept).
  const std::string rootfs = dir.File("rootfs");
  std::filesystem::create_directory(rootfs);
  std::uintmax_t compressed = 0;
  for (const auto& layer : manifest["layers"]) {
    const std::string digest = layer["digest"];
    compressed += layer["size"].get<std::uintmax_t>();
    CommandResult unpacked = RunCommand({"/usr/bin/tar", "-xzf",
                                         layout + "/blobs/sha256/" + digest.substr(7), "-C", rootfs});
    ASSERT_EQ(unpacked.exit_code, 0) << unpacked.output;
  }
  std::uintmax_t unpacked_bytes = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(rootfs)) {
    if (entry.is_regular_file() && !entry.is_symlink()) unpacked_bytes += entry.file_size();
  }
  for (const char* path : {"usr/local/bin/keyroll", "etc/ssl/certs/ca-certificates.crt",
                           "usr/share/zoneinfo/Europe/Berlin", "etc/passwd",
                           "usr/share/keyroll/debian-packages.txt", "usr/share/doc/libssl3/copyright"}) {
    EXPECT_TRUE(std::filesystem::exists(rootfs + "/" + path)) << path;
  }
  EXPECT_NE(ReadFile(rootfs + "/etc/passwd").find(":65532:65532:"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(rootfs + "/bin/sh")) << "no shell in the image";
  EXPECT_EQ(WritableBy65532(rootfs), std::vector<std::string>{});

  // `keyroll --version` from the image agrees with scripts/version.
  CommandResult v = RunCommand({"/usr/sbin/chroot", "--userspec=65532:65532", rootfs,
                                "/usr/local/bin/keyroll", "--version"});
  EXPECT_EQ(v.exit_code, 0) << v.output;
  EXPECT_EQ(Trimmed(v.output), "keyroll " + version);

  // Run it against the fake API server (the CRD installed) until /readyz answers 200.
  TestClusterOptions options;
  options.fake_args = {"--crd", SourcePath("crds/keyroll.dev_signingkeyrotations.yaml")};
  TestCluster cluster(options);
  ASSERT_TRUE(cluster.is_fake()) << "unset KEYROLL_TEST_KUBECONFIG: the image runs against the fake";
  // Written as root, readable by 65532: the only file the test adds.
  std::filesystem::create_directories(rootfs + "/etc/keyroll");
  std::filesystem::copy_file(cluster.kubeconfig_path(), rootfs + "/etc/keyroll/kubeconfig");
  std::filesystem::permissions(rootfs + "/etc/keyroll/kubeconfig", std::filesystem::perms(0644));
  const int probe_port = FreePort(), metrics_port = FreePort();
  // In a private mount namespace the root filesystem is bind-mounted read-only over itself,
  // so nothing in it is writable, not even for root; then chroot as 65532 and exec keyroll.
  const std::string read_only_chroot =
      "mount --bind \"$0\" \"$0\" && mount -o remount,bind,ro \"$0\" \"$0\" && "
      "exec /usr/sbin/chroot --userspec=65532:65532 \"$0\" \"$@\"";
  Process keyroll({{"/usr/bin/unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c",
                    read_only_chroot, rootfs, "/usr/local/bin/keyroll",
                    "--kubeconfig=/etc/keyroll/kubeconfig",
                    "--health-probe-bind-address=127.0.0.1:" + std::to_string(probe_port),
                    "--metrics-bind-address=127.0.0.1:" + std::to_string(metrics_port)},
                   {},
                   dir.File("keyroll.log")});
  const std::string curl = FindOnPath("curl");
  ASSERT_FALSE(curl.empty());
  const std::string readyz = "http://127.0.0.1:" + std::to_string(probe_port) + "/readyz";
  const bool ready = WaitUntil([&] {
    return !keyroll.running() || RunCommand({curl, "-sf", readyz}).exit_code == 0;
  }, std::chrono::seconds(60));
  ASSERT_TRUE(ready && keyroll.running()) << keyroll.Output();
  CommandResult metrics = RunCommand({curl, "-sf", "http://127.0.0.1:" + std::to_string(metrics_port) + "/metrics"});
  EXPECT_NE(metrics.output.find("keyroll_build_info{version=\"" + version + "\"} 1"), std::string::npos)
      << metrics.output;

  std::cout << "  image keyroll:" << version << ": archive "
            << std::filesystem::file_size(archive) / 1024 << " KiB, layers " << compressed / 1024
            << " KiB compressed, root filesystem " << unpacked_bytes / 1024 << " KiB, built in "
            << seconds << " s\n";
  RecordProperty("image_archive_bytes", std::to_string(std::filesystem::file_size(archive)));
  RecordProperty("image_rootfs_bytes", std::to_string(unpacked_bytes));
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing::manifests
