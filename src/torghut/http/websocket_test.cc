// WebSocket routes of the server and the WebSocket client, over real loopback sockets; binary
// frames from a raw-socket peer; TLS certificate verification against a real TLS server
// (`openssl s_server`).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <mutex>
#include <thread>

#include "torghut/http/server.h"
#include "torghut/http/websocket_client.h"
#include "torghut/testing/http_client.h"
#include "torghut/testing/test_support.h"
#include "torghut/testing/tls_server.h"

namespace torghut::http {
namespace {

using namespace std::chrono_literals;

class WebSocketTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Router router;
    // /echo/…: echoes text frames; "close" → a close frame, "drop" → the TCP connection cut,
    // "burst N" → N frames.
    router.WebSocket("/echo/", [this](const Request& upgrade, std::shared_ptr<WebSocketPeer> peer) {
      WebSocketCallbacks cb;
      if (upgrade.path == "/echo/refuse") {
        cb.reject = Response::Error(403, "refused");
        return cb;
      }
      header_seen_ = std::string(upgrade.Header("x-key"));
      cb.on_open = [peer] { peer->Send("hello"); };
      cb.on_text = [peer](std::string_view text) {
        if (text == "close") return peer->Close("bye");
        if (text == "drop") return peer->Drop();
        if (text.substr(0, 6) == "burst ") {
          const int n = std::stoi(std::string(text.substr(6)));
          for (int i = 0; i < n; ++i) peer->Send("frame " + std::to_string(i));
          return;
        }
        peer->Send("echo " + std::string(text));
      };
      // Binary frames come back binary, reversed; "text" as a binary frame answers in text.
      cb.on_binary = [peer](std::string_view bytes) {
        if (bytes == "text") return peer->Send("text reply");
        peer->SendBinary(std::string(bytes.rbegin(), bytes.rend()));
      };
      cb.on_closed = [this] { closed_.fetch_add(1); };
      return cb;
    });
    // /exact: only that path (no on_binary: binary frames are dropped).
    router.WebSocketAt("/exact", [](const Request&, std::shared_ptr<WebSocketPeer> peer) {
      WebSocketCallbacks cb;
      cb.on_open = [peer] { peer->Send("exact"); };
      cb.on_text = [peer](std::string_view text) { peer->Send("echo " + std::string(text)); };
      return cb;
    });
    ServerConfig config;
    config.port = 0;
    config.access_log = false;
    server_ = std::make_unique<Server>(config, std::move(router), &metrics_);
    ASSERT_TRUE(server_->Start().ok());
    base_ = "ws://127.0.0.1:" + std::to_string(server_->port());
  }
  void TearDown() override { server_->Stop(); }

  // Waits (with a deadline) until the server saw `n` connections end.
  bool WaitClosed(int n) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (closed_.load() < n) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(5ms);  // poll period
    }
    return true;
  }

  Registry metrics_;
  std::unique_ptr<Server> server_;
  std::string base_;
  std::string header_seen_;
  std::atomic<int> closed_{0};
};

TEST_F(WebSocketTest, BinaryFramesBothWaysInOrderWithText) {
  WebSocketClient ws;
  ASSERT_TRUE(ws.Connect(base_ + "/echo/bin", {}).ok());
  std::string frame;
  bool binary = true;
  ASSERT_TRUE(ws.ReadMessage(&frame, &binary, 5s).ok());
  EXPECT_EQ(frame, "hello");
  EXPECT_FALSE(binary);
  const std::string bytes("\x93\x01\x00\xff", 4);  // not UTF-8: only a binary frame carries it
  ASSERT_TRUE(ws.WriteBinary(bytes).ok());
  ASSERT_TRUE(ws.WriteBinary("text").ok());
  ASSERT_TRUE(ws.Write("plain").ok());
  ASSERT_TRUE(ws.ReadMessage(&frame, &binary, 5s).ok());
  EXPECT_TRUE(binary);
  EXPECT_EQ(frame, std::string("\xff\x00\x01\x93", 4));
  ASSERT_TRUE(ws.ReadMessage(&frame, &binary, 5s).ok());
  EXPECT_FALSE(binary);
  EXPECT_EQ(frame, "text reply");
  // Read() skips binary frames: the next text frame is the echo.
  ASSERT_TRUE(ws.WriteBinary("xy").ok());
  ASSERT_TRUE(ws.Write("after").ok());
  ASSERT_TRUE(ws.Read(&frame, 5s).ok());
  EXPECT_EQ(frame, "echo plain");
  ASSERT_TRUE(ws.Read(&frame, 5s).ok());
  EXPECT_EQ(frame, "echo after");
}

TEST_F(WebSocketTest, AnExactRouteServesItsPathOnly) {
  WebSocketClient ws;
  ASSERT_TRUE(ws.Connect(base_ + "/exact", {}).ok());
  std::string frame;
  ASSERT_TRUE(ws.Read(&frame, 5s).ok());
  EXPECT_EQ(frame, "exact");
  ASSERT_TRUE(ws.WriteBinary("ignored").ok());  // no on_binary: dropped
  ASSERT_TRUE(ws.Write("x").ok());
  ASSERT_TRUE(ws.Read(&frame, 5s).ok());
  EXPECT_EQ(frame, "echo x");
  WebSocketClient other;
  Status s = other.Connect(base_ + "/exactly", {});
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("404"), std::string::npos) << s.message();
  testing::HttpClient http;
  const std::string plain = "http://127.0.0.1:" + std::to_string(server_->port());
  EXPECT_EQ(http.Get(plain + "/exact").status, 426);
  EXPECT_EQ(http.Get(plain + "/exactly").status, 404);
}

TEST_F(WebSocketTest, EchoesTextFramesInOrderAndSendsUpgradeHeaders) {
  WebSocketClient ws;
  WebSocketClientOptions o;
  o.headers = {{"X-Key", "k1"}};
  ASSERT_TRUE(ws.Connect(base_ + "/echo/a", o).ok());
  std::string frame;
  ASSERT_TRUE(ws.Read(&frame, 5s).ok());
  EXPECT_EQ(frame, "hello");
  EXPECT_EQ(header_seen_, "k1");
  ASSERT_TRUE(ws.Write("ping 1").ok());
  ASSERT_TRUE(ws.Write("burst 500").ok());
  ASSERT_TRUE(ws.Read(&frame, 5s).ok());
  EXPECT_EQ(frame, "echo ping 1");
  for (int i = 0; i < 500; ++i) {
    ASSERT_TRUE(ws.Read(&frame, 5s).ok());
    ASSERT_EQ(frame, "frame " + std::to_string(i));
  }
  ws.Close();
  EXPECT_TRUE(WaitClosed(1));
}

TEST_F(WebSocketTest, AReadTimeoutKeepsTheConnection) {
  WebSocketClient ws;
  ASSERT_TRUE(ws.Connect(base_ + "/echo/a", {}).ok());
  std::string frame;
  ASSERT_TRUE(ws.Read(&frame, 5s).ok());
  Status s = ws.Read(&frame, 50ms);
  EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded) << s.ToString();
  EXPECT_TRUE(ws.connected());
  ASSERT_TRUE(ws.Write("again").ok());
  ASSERT_TRUE(ws.Read(&frame, 5s).ok());
  EXPECT_EQ(frame, "echo again");
}

TEST_F(WebSocketTest, ServerCloseAndDropEndTheClientsConnectionWithTheReason) {
  WebSocketClient a, b;
  ASSERT_TRUE(a.Connect(base_ + "/echo/a", {}).ok());
  ASSERT_TRUE(b.Connect(base_ + "/echo/b", {}).ok());
  std::string frame;
  ASSERT_TRUE(a.Read(&frame, 5s).ok());
  ASSERT_TRUE(b.Read(&frame, 5s).ok());
  ASSERT_TRUE(a.Write("close").ok());
  Status s = a.Read(&frame, 5s);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("closed by the server (code 1000: bye)"), std::string::npos)
      << s.message();
  EXPECT_FALSE(a.connected());
  ASSERT_TRUE(b.Write("drop").ok());
  s = b.Read(&frame, 5s);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("connection lost"), std::string::npos) << s.message();
  EXPECT_TRUE(WaitClosed(2));
  // The client reconnects on the same object.
  ASSERT_TRUE(b.Connect(base_ + "/echo/b", {}).ok());
  ASSERT_TRUE(b.Read(&frame, 5s).ok());
  EXPECT_EQ(frame, "hello");
}

TEST_F(WebSocketTest, RejectedUpgradesAndPlainRequestsGetHttpErrors) {
  WebSocketClient ws;
  Status s = ws.Connect(base_ + "/echo/refuse", {});
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("HTTP 403"), std::string::npos) << s.message();
  s = ws.Connect(base_ + "/nowhere", {});
  EXPECT_NE(s.message().find("HTTP 404"), std::string::npos) << s.message();
  testing::HttpClient http;
  auto r = http.Get("http://127.0.0.1:" + std::to_string(server_->port()) + "/echo/x");
  EXPECT_EQ(r.status, 426);
  EXPECT_NE(r.body.find("WebSocket endpoint"), std::string::npos) << r.body;
  s = ws.Connect("ws://127.0.0.1:1/echo/a", {});
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("connect 127.0.0.1:1"), std::string::npos) << s.message();
  EXPECT_EQ(ws.Connect("http://x/", {}).code(), StatusCode::kInvalidArgument);
}

TEST_F(WebSocketTest, ServerStopEndsOpenWebSockets) {
  WebSocketClient ws;
  ASSERT_TRUE(ws.Connect(base_ + "/echo/a", {}).ok());
  std::string frame;
  ASSERT_TRUE(ws.Read(&frame, 5s).ok());
  server_->Stop();  // returns only once every connection is closed
  EXPECT_EQ(ws.Read(&frame, 5s).code(), StatusCode::kUnavailable);
  EXPECT_EQ(closed_.load(), 1);
}

TEST(WebSocketUrlTest, Parses) {
  auto u = ParseWebSocketUrl("wss://stream.data.alpaca.markets/v2/iex");
  ASSERT_TRUE(u.ok());
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->host, "stream.data.alpaca.markets");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->target, "/v2/iex");
  u = ParseWebSocketUrl("ws://127.0.0.1:9000");
  ASSERT_TRUE(u.ok());
  EXPECT_FALSE(u->tls);
  EXPECT_EQ(u->port, 9000);
  EXPECT_EQ(u->target, "/");
  EXPECT_FALSE(ParseWebSocketUrl("ws://h:0/").ok());
  EXPECT_FALSE(ParseWebSocketUrl("ws://h:99999/").ok());
  EXPECT_FALSE(ParseWebSocketUrl("ws:///x").ok());
}

// One WebSocket connection served by hand on a raw socket (the project's server sends text frames
// only): the upgrade, then a binary frame and a text frame, then it waits for the client to go.
class RawWebSocketPeer {
 public:
  RawWebSocketPeer() {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listener_, 1);
    socklen_t len = sizeof addr;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~RawWebSocketPeer() {
    thread_.join();
    ::close(listener_);
  }
  uint16_t port() const { return port_; }

 private:
  static std::string Frame(uint8_t opcode, const std::string& payload) {
    std::string f;
    f.push_back(static_cast<char>(0x80 | opcode));   // FIN, unmasked (server to client)
    f.push_back(static_cast<char>(payload.size()));  // < 126 bytes
    return f + payload;
  }
  void Serve() {
    const int fd = ::accept(listener_, nullptr, nullptr);
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string request;
    char buf[4096];
    while (request.find("\r\n\r\n") == std::string::npos) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      request.append(buf, static_cast<size_t>(n));
    }
    std::string lower = request;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const size_t at = lower.find("sec-websocket-key:");
    std::string key = request.substr(at + 18, request.find("\r\n", at) - at - 18);
    key.erase(0, key.find_first_not_of(' '));
    // RFC 6455: base64(SHA-1(key + the protocol's GUID)).
    const std::string input = key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    EVP_Digest(input.data(), input.size(), digest, &digest_len, EVP_sha1(), nullptr);
    unsigned char accept[64];
    EVP_EncodeBlock(accept, digest, static_cast<int>(digest_len));
    const std::string reply =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Accept: " +
        std::string(reinterpret_cast<char*>(accept)) + "\r\n\r\n" +
        Frame(0x2, R"({"stream":"binary"})") + Frame(0x1, R"({"stream":"text"})");
    ::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL);
    ::recv(fd, buf, sizeof buf, 0);  // the client's close frame (or the end): then hang up
    ::close(fd);
  }

  int listener_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
};

TEST(WebSocketBinaryFramesTest, AreSkippedUnlessAskedFor) {
  for (const bool binary : {false, true}) {
    RawWebSocketPeer peer;
    WebSocketClient ws;
    WebSocketClientOptions o;
    o.binary_frames = binary;
    ASSERT_TRUE(ws.Connect("ws://127.0.0.1:" + std::to_string(peer.port()) + "/stream", o).ok());
    std::string frame;
    ASSERT_TRUE(ws.Read(&frame, 5s).ok());
    if (binary) {
      EXPECT_EQ(frame, R"({"stream":"binary"})");
      ASSERT_TRUE(ws.Read(&frame, 5s).ok());
    }
    EXPECT_EQ(frame, R"({"stream":"text"})");
    ws.Close(200ms);
  }
}

// A real TLS server (testing/tls_server.h). It does not speak WebSocket, so a verified handshake
// ends at the upgrade step.
class TlsVerificationTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(tls_.Start()) << tls_.error(); }
  testing::TlsTestServer tls_{"torghut-tls"};
};

TEST_F(TlsVerificationTest, AnUntrustedCertificateIsRefusedAndATrustedOneIsAccepted) {
  const std::string url = "wss://localhost:" + std::to_string(tls_.port()) + "/v2/iex";
  WebSocketClient ws;
  // The system trust store does not know the throwaway CA.
  Status s = ws.Connect(url, {});
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("TLS handshake"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("certificate verify failed"), std::string::npos) << s.message();
  // Trusting the CA: the TLS handshake succeeds, and the failure moves to the upgrade (s_server
  // answers HTTP, not WebSocket).
  WebSocketClientOptions trusted;
  trusted.ca_file = tls_.ca_file();
  s = ws.Connect(url, trusted);
  EXPECT_EQ(s.message().find("TLS handshake"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("upgrade localhost"), std::string::npos) << s.message();
  // The certificate names "localhost": reaching the same server as 127.0.0.1 fails the host check.
  s = ws.Connect("wss://127.0.0.1:" + std::to_string(tls_.port()) + "/v2/iex", trusted);
  EXPECT_NE(s.message().find("TLS handshake"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace torghut::http
