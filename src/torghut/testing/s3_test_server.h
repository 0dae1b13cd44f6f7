// An S3-protocol server for tests: s3rver (tests/s3, installed by scripts/setup.sh from its
// lockfile) on a free loopback port, started by tests/s3/s3rver_launch.mjs with SigV4 signatures
// verified and known credentials, its objects in a scratch directory (header-only; tests only).
//
//   S3TestServer s3(dir / "s3");
//   ASSERT_TRUE(s3.Start()) << s3.log();        // fails the test when it cannot start
//   object_store::S3ObjectStore store(s3.Config("ta"));
//   ... s3.Env("ta") ...                          // TA_CHECKPOINT_DIR=s3://… TA_S3_* for `torghut
//   ta` s3.Stop();  s3.Start();                       // an outage keeps the objects and the port
//
// Readiness is polled (a TCP connect, with a deadline), never a fixed sleep.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "torghut/object_store/s3_object_store.h"
#include "torghut/testing/store_servers.h"
#include "torghut/testing/test_support.h"

namespace torghut::testing {

class S3TestServer {
 public:
  static constexpr const char* kBucket = "torghut-test";
  static constexpr const char* kAccessKey = "TORGHUTTESTKEY";
  static constexpr const char* kSecretKey = "torghut-test-secret";

  explicit S3TestServer(std::filesystem::path dir) : dir_(std::move(dir)), port_(FreePort()) {}
  ~S3TestServer() { Stop(); }
  S3TestServer(const S3TestServer&) = delete;
  S3TestServer& operator=(const S3TestServer&) = delete;

  bool Start() {
    std::filesystem::create_directories(dir_ / "data");
    const std::string script = std::string(TORGHUT_SOURCE_DIR) + "/tests/s3/s3rver_launch.mjs";
    // s3rver's ListObjectsV2 continuation tokens use DES, which OpenSSL 3 keeps in its legacy
    // provider: without it every second page is a 500.
    const std::vector<std::string> args = {"node",
                                           "--openssl-legacy-provider",
                                           script,
                                           "--port",
                                           std::to_string(port_),
                                           "--dir",
                                           (dir_ / "data").string(),
                                           "--bucket",
                                           kBucket,
                                           "--access-key",
                                           kAccessKey,
                                           "--secret-key",
                                           kSecretKey};
    pid_ = ::fork();
    if (pid_ == 0) {
      const int fd = ::open((dir_ / "s3rver.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      std::vector<char*> argv;
      for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::execvp(argv[0], argv.data());
      ::_exit(127);
    }
    if (pid_ < 0) return false;
    return WaitFor([&] { return !Alive() || Listening(); }, std::chrono::seconds(30)) && Alive() &&
           Listening();
  }

  void Stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string log() const { return Slurp(dir_ / "s3rver.log"); }

  object_store::S3Config Config(const std::string& prefix) const {
    object_store::S3Config c;
    c.endpoint = endpoint();
    c.bucket = kBucket;
    c.prefix = prefix;
    c.access_key_id = kAccessKey;
    c.secret_access_key = kSecretKey;
    return c;
  }
  // The environment of a `torghut ta` whose checkpoints live under s3://<bucket>/<prefix>.
  std::string Env(const std::string& prefix, const std::string& secret = kSecretKey) const {
    return EnvWithoutSecret(prefix) + " TA_S3_SECRET_ACCESS_KEY=" + secret;
  }
  // The same with the secret read from a file (TA_S3_SECRET_ACCESS_KEY_FILE).
  std::string EnvWithSecretFile(const std::string& prefix,
                                const std::filesystem::path& file) const {
    return EnvWithoutSecret(prefix) + " TA_S3_SECRET_ACCESS_KEY_FILE=" + file.string();
  }

 private:
  std::string EnvWithoutSecret(const std::string& prefix) const {
    return "TA_CHECKPOINT_DIR=s3://" + std::string(kBucket) + "/" + prefix +
           " TA_S3_ENDPOINT=" + endpoint() + " TA_S3_ACCESS_KEY_ID=" + kAccessKey;
  }
  bool Alive() const { return pid_ > 0 && ::waitpid(pid_, nullptr, WNOHANG) == 0; }
  bool Listening() const {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port_));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
  }

  std::filesystem::path dir_;
  int port_;
  pid_t pid_ = -1;
};

}  // namespace torghut::testing
