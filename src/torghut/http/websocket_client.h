// A blocking WebSocket client (Boost.Beast underneath; only websocket_client.cc includes it), for
// one thread that owns the connection — the forwarder's session loop, tests, benchmarks.
//
//   WebSocketClient ws;
//   Status s = ws.Connect("wss://stream.data.alpaca.markets/v2/iex", {});
//   s = ws.Write(R"({"action":"auth","key":"…","secret":"…"})");
//   std::string frame;
//   s = ws.Read(&frame, 500ms);
//   // Ok: a text frame; DeadlineExceeded: none yet (still connected); Unavailable: the
//   // connection ended (the message says how).
//
// `wss://` runs TLS 1.2+ with the peer's certificate verified against the system's trust store (or
// `ca_file`) and its host name checked; there is no switch to turn verification off. `ws://` is
// plain TCP (the simulator on loopback).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "torghut/core/status.h"

namespace torghut::http {

struct WebSocketUrl {
  bool tls = false;
  std::string host;
  uint16_t port = 0;
  std::string target = "/";  // path and query
};
// ws://host[:port]/path, wss://…; InvalidArgument names what is wrong.
Result<WebSocketUrl> ParseWebSocketUrl(std::string_view url);

struct WebSocketClientOptions {
  // Extra headers of the upgrade request (e.g. Alpaca's key headers).
  std::vector<std::pair<std::string, std::string>> headers;
  // Resolve + connect + TLS + upgrade, altogether.
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds write_timeout{10'000};
  // PEM file of trusted CAs for wss:// instead of the system's store ("" = system).
  std::string ca_file;
  // Frames larger than this end the connection (Unavailable).
  size_t max_message_bytes = 64 * 1024 * 1024;
  // Read delivers binary frames too, their bytes unchanged, instead of skipping them. (Alpaca's
  // trade_updates stream on paper-api sends its JSON in binary frames.)
  bool binary_frames = false;
};

class WebSocketClient {
 public:
  WebSocketClient();
  ~WebSocketClient();  // closes without waiting
  WebSocketClient(const WebSocketClient&) = delete;
  WebSocketClient& operator=(const WebSocketClient&) = delete;

  // Connects (closing any previous connection). Unavailable/DeadlineExceeded with the stage that
  // failed ("connect", "TLS handshake: certificate verify failed", "upgrade: 404 Not Found", …).
  Status Connect(std::string_view url, const WebSocketClientOptions& options);
  // Waits up to `timeout` for the next text frame (binary frames are skipped unless
  // `binary_frames`).
  Status Read(std::string* out, std::chrono::milliseconds timeout);
  // Waits up to `timeout` for the next frame, text or binary (`*binary` says which).
  Status ReadMessage(std::string* out, bool* binary, std::chrono::milliseconds timeout);
  // Sends one text frame. A failure or a write timeout ends the connection (Unavailable).
  Status Write(std::string_view text);
  // Sends one binary frame (e.g. msgpack), as Write.
  Status WriteBinary(std::string_view bytes);
  // A close frame, waiting up to `timeout` for the peer's; then the socket is closed.
  void Close(std::chrono::milliseconds timeout = std::chrono::milliseconds(1000));
  bool connected() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace torghut::http
