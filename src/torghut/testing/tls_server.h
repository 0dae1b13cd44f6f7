// A real TLS server for tests (header-only; needs the `openssl` command): `openssl s_server -www`
// on loopback with a certificate for "localhost" signed by a throwaway CA. It answers any HTTP
// request with a 200 status page, and does not speak WebSocket.
//
//   testing::TlsTestServer tls("torghut-tls");
//   ASSERT_TRUE(tls.Start()) << tls.error();
//   client.Get("https://localhost:" + std::to_string(tls.port()) + "/");  // trust tls.ca_file()
#pragma once

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include "torghut/testing/test_support.h"

namespace torghut::testing {

class TlsTestServer {
 public:
  explicit TlsTestServer(const std::string& prefix) : dir_(prefix) {}
  ~TlsTestServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  TlsTestServer(const TlsTestServer&) = delete;
  TlsTestServer& operator=(const TlsTestServer&) = delete;

  // Makes the certificates and starts the server; false (see error()) when either fails or the
  // server does not accept connections within 10 s.
  bool Start() {
    const std::string d = dir_.path().string();
    const std::string script =
        "set -e; cd " + d +
        "; openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 "
        "-subj /CN=torghut-test-ca 2>/dev/null"
        "; openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr "
        "-subj /CN=localhost 2>/dev/null"
        "; printf 'subjectAltName=DNS:localhost\\n' > ext.cnf"
        "; openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
        "-out server.pem -days 2 -extfile ext.cnf 2>/dev/null";
    if (std::system(script.c_str()) != 0) return Fail("cannot make the test certificates");
    port_ = FreePort();
    if (port_ == 0) return Fail("no free port");
    pid_ = ::fork();
    if (pid_ == 0) {
      const std::string cmd =
          "exec openssl s_server -quiet -www -accept 127.0.0.1:" + std::to_string(port_) +
          " -cert " + d + "/server.pem -key " + d + "/server.key >" + d + "/s_server.log 2>&1";
      ::execl("/bin/sh", "sh", "-c", cmd.c_str(), nullptr);
      ::_exit(127);
    }
    // Ready once it accepts TCP connections.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      if (Accepts()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // poll period
    }
    return Fail("openssl s_server did not start");
  }

  uint16_t port() const { return port_; }
  std::string ca_file() const { return (dir_.path() / "ca.pem").string(); }
  const std::string& error() const { return error_; }

 private:
  bool Fail(std::string why) {
    error_ = std::move(why);
    return false;
  }
  static sockaddr_in Loopback(uint16_t port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return addr;
  }
  // A port the kernel just handed out and freed again.
  static uint16_t FreePort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr = Loopback(0);
    socklen_t len = sizeof addr;
    uint16_t port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port = ntohs(addr.sin_port);
    }
    ::close(fd);
    return port;
  }
  bool Accepts() const {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr = Loopback(port_);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
  }

  ScratchDir dir_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
  std::string error_;
};

}  // namespace torghut::testing
