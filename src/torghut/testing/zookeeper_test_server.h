// A real ZooKeeper for tests (Debian's `zookeeper` package), standalone on loopback with its data
// in a scratch directory, stopped when the object goes away (header-only; test programs only).
//
//   ZooKeeperTestServer zk(dir / "zk");
//   ASSERT_TRUE(zk.Start()) << zk.log();     // fails the test when it cannot start: never skips
//   ... zk.port() ...;  zk.Stop();  zk.Start();   // an outage keeps the data and the port
//
// Readiness is the server answering `srvr` with its version — `ruok` says "imok" before the
// database is loaded, while connections are still dropped (polled with a deadline, not a fixed
// sleep). The tick is 500 ms, so a client's session may be as short as 1 s (2 ticks) and as long as
// 10 s.
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

#include "torghut/testing/store_servers.h"
#include "torghut/testing/test_support.h"

namespace torghut::testing {

class ZooKeeperTestServer {
 public:
  // The server and a logger that writes to stderr (server.log).
  static constexpr const char* kClasspath =
      "/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar";

  explicit ZooKeeperTestServer(std::filesystem::path dir)
      : dir_(std::move(dir)), port_(FreePort()) {}
  ~ZooKeeperTestServer() { Stop(); }
  ZooKeeperTestServer(const ZooKeeperTestServer&) = delete;
  ZooKeeperTestServer& operator=(const ZooKeeperTestServer&) = delete;

  // Starts the server (again, after Stop) and waits until it serves requests.
  bool Start() {
    std::filesystem::create_directories(dir_ / "data");
    WriteFile(dir_ / "zoo.cfg",
              "tickTime=500\n"
              "dataDir=" +
                  (dir_ / "data").string() + "\n" + "clientPort=" + std::to_string(port_) + "\n" +
                  "clientPortAddress=127.0.0.1\n"
                  "admin.enableServer=false\n"
                  "4lw.commands.whitelist=ruok,srvr\n");
    pid_ = ::fork();
    if (pid_ == 0) {
      const int fd = ::open((dir_ / "server.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      const std::string cfg = (dir_ / "zoo.cfg").string();
      ::execlp("java", "java", "-cp", kClasspath, "org.apache.zookeeper.server.ZooKeeperServerMain",
               cfg.c_str(), nullptr);
      ::_exit(127);
    }
    if (pid_ < 0) return false;
    return WaitFor(
               [&] {
                 if (!Alive()) return true;  // died: stop waiting
                 return FourLetterWord("srvr").find("Zookeeper version") != std::string::npos;
               },
               std::chrono::seconds(60)) &&
           Alive();
  }

  // SIGKILL and wait: the keeper vanishes as in a crash (its clients' sessions expire).
  void Stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  int port() const { return port_; }
  std::string log() const { return Slurp(dir_ / "server.log"); }

  // The answer to a four-letter command ("" when the server does not answer).
  std::string FourLetterWord(const std::string& word) const {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return "";
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port_));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval tv{.tv_sec = 1, .tv_usec = 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string out;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::write(fd, word.data(), word.size()) == static_cast<ssize_t>(word.size())) {
      char buf[512];
      for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;)
        out.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return out;
  }

 private:
  bool Alive() const { return pid_ > 0 && ::waitpid(pid_, nullptr, WNOHANG) == 0; }

  std::filesystem::path dir_;
  int port_;
  pid_t pid_ = -1;
};

}  // namespace torghut::testing
