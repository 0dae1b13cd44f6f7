// Real database servers for tests, started on loopback with their data in a scratch directory and
// stopped when the object goes away (header-only; test programs only).
//
//   ClickHouseTestServer ch(dir / "ch");     // Debian's clickhouse-server
//   ASSERT_TRUE(ch.Start()) << ch.log();     // fails the test when it cannot start: never skips
//   ... ch.url() ...;  ch.Stop();  ch.Start();   // outages keep data and ports
//   ch.set_extra_config("<remote_servers>…</remote_servers>");   // before Start: a config.d file
//   PostgresTestServer pg(dir / "pg");       // Debian's postgresql-15 (initdb + pg_ctl)
//
// Readiness is polled with a deadline (a condition, not a fixed sleep).
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "torghut/store/clickhouse/clickhouse_http.h"
#include "torghut/testing/test_support.h"

namespace torghut::testing {

// A TCP port that was free a moment ago (the kernel's choice for port 0).
inline int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

class ClickHouseTestServer {
 public:
  explicit ClickHouseTestServer(std::filesystem::path dir)
      : dir_(std::move(dir)),
        http_port_(FreePort()),
        tcp_port_(FreePort()),
        interserver_port_(FreePort()) {}
  ~ClickHouseTestServer() { Stop(); }

  // XML elements merged into the server's configuration (clusters, keeper, macros): Start writes
  // them to a config.d file beside a copy of Debian's config.xml and users.xml in the data dir.
  void set_extra_config(std::string xml) { extra_config_ = std::move(xml); }

  // Starts the server (again, after Stop) and waits until it answers queries.
  bool Start() {
    std::filesystem::create_directories(dir_ / "tmp");
    std::string config = "/etc/clickhouse-server/config.xml";
    if (!extra_config_.empty()) {
      const std::filesystem::path etc = dir_ / "etc";
      std::filesystem::create_directories(etc / "config.d");
      for (const char* f : {"config.xml", "users.xml"}) {
        std::filesystem::copy_file(std::filesystem::path("/etc/clickhouse-server") / f, etc / f,
                                   std::filesystem::copy_options::overwrite_existing);
      }
      WriteFile(etc / "config.d" / "extra.xml", "<yandex>\n" + extra_config_ + "\n</yandex>\n");
      config = (etc / "config.xml").string();
    }
    const std::vector<std::string> args = {
        "clickhouse-server",
        "--config-file=" + config,
        "--",
        "--path=" + (dir_ / "").string(),
        "--tmp_path=" + (dir_ / "tmp/").string(),
        "--http_port=" + std::to_string(http_port_),
        "--tcp_port=" + std::to_string(tcp_port_),
        "--interserver_http_port=" + std::to_string(interserver_port_),
        "--listen_host=127.0.0.1",
        // Replicas fetch parts from each other at this host and the interserver port.
        "--interserver_http_host=127.0.0.1",
        "--logger.log=" + (dir_ / "server.log").string(),
        "--logger.errorlog=" + (dir_ / "server.err.log").string(),
    };
    pid_ = Spawn(args, dir_ / "stdout.log");
    if (pid_ <= 0) return false;
    store::ClickHouseHttp probe({.url = url(), .timeout_ms = 1000, .connect_timeout_ms = 200});
    return WaitFor(
               [&] {
                 if (!Alive()) return true;  // died: stop waiting
                 return probe.Query("SELECT 1").ok();
               },
               std::chrono::seconds(60)) &&
           Alive();
  }

  // SIGTERM and wait (the server flushes and exits).
  void Stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(http_port_); }
  int tcp_port() const { return tcp_port_; }
  std::filesystem::path dir() const { return dir_; }
  std::string log() const { return Slurp(dir_ / "server.err.log"); }

 private:
  bool Alive() const { return pid_ > 0 && ::waitpid(pid_, nullptr, WNOHANG) == 0; }

  static pid_t Spawn(const std::vector<std::string>& args, const std::filesystem::path& out) {
    const pid_t pid = ::fork();
    if (pid != 0) return pid;
    const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }

  std::filesystem::path dir_;
  int http_port_, tcp_port_, interserver_port_;
  std::string extra_config_;
  pid_t pid_ = -1;
};

class PostgresTestServer {
 public:
  static constexpr const char* kBin = "/usr/lib/postgresql/15/bin/";

  explicit PostgresTestServer(std::filesystem::path dir)
      : dir_(std::move(dir)), port_(FreePort()) {}
  ~PostgresTestServer() { Stop(); }

  // initdb on first start (as the postgres user when running as root: initdb refuses root), then
  // pg_ctl start -w.
  bool Start() {
    if (!std::filesystem::exists(dir_ / "PG_VERSION")) {
      std::filesystem::create_directories(dir_);
      if (::geteuid() == 0) {
        const passwd* pw = ::getpwnam("postgres");
        if (!pw || ::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) return false;
      }
      if (Run(std::string(kBin) + "initdb -D " + dir_.string() + " -A trust -U postgres") != 0) {
        return false;
      }
    }
    const std::string options =
        // TCP on loopback only: a Unix socket path under a long test directory would exceed the
        // 107-byte limit.
        "-p " + std::to_string(port_) +
        " -c unix_socket_directories= -c listen_addresses=127.0.0.1 -c fsync=off";
    started_ = Run(std::string(kBin) + "pg_ctl -D " + dir_.string() + " -l " +
                   (dir_ / "server.log").string() + " -o '" + options + "' -w -t 60 start") == 0;
    return started_;
  }

  void Stop() {
    if (!started_) return;
    Run(std::string(kBin) + "pg_ctl -D " + dir_.string() + " -m fast -w stop");
    started_ = false;
  }

  std::string dsn(const std::string& dbname = "postgres") const {
    return "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres dbname=" + dbname +
           " connect_timeout=3";
  }
  // Another database on the running server (a test that needs stores apart on one server).
  bool CreateDatabase(const std::string& name) const {
    return Run(std::string(kBin) + "createdb -h 127.0.0.1 -p " + std::to_string(port_) +
               " -U postgres " + name) == 0;
  }
  std::string log() const { return Slurp(dir_ / "server.log"); }

 private:
  int Run(const std::string& command) const {
    const std::string line = (::geteuid() == 0 ? "runuser -u postgres -- " : "") + command + " >>" +
                             (dir_.parent_path() / "pg_ctl.out").string() + " 2>&1";
    const int status = std::system(line.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  std::filesystem::path dir_;
  int port_;
  bool started_ = false;
};

}  // namespace torghut::testing
