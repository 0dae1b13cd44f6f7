#include "torghut/http/websocket_client.h"

// Boost 1.74's asio headers use std::exchange without including <utility>.
#include <utility>

#include <fmt/format.h>
#include <openssl/ssl.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <functional>
#include <optional>

namespace torghut::http {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

Result<WebSocketUrl> ParseWebSocketUrl(std::string_view url) {
  WebSocketUrl u;
  std::string_view rest;
  if (url.substr(0, 5) == "ws://") {
    rest = url.substr(5);
  } else if (url.substr(0, 6) == "wss://") {
    u.tls = true;
    rest = url.substr(6);
  } else {
    return InvalidArgument(fmt::format("'{}' is not a ws:// or wss:// URL", url));
  }
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  u.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  u.port = u.tls ? 443 : 80;
  size_t colon = authority.rfind(':');
  if (!authority.empty() && authority.front() == '[') {  // [v6]:port
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return InvalidArgument(fmt::format("'{}': bad host", url));
    u.host = std::string(authority.substr(1, close - 1));
    colon = close + 1 < authority.size() && authority[close + 1] == ':' ? close + 1
                                                                        : std::string_view::npos;
  } else {
    u.host = std::string(authority.substr(0, colon));
  }
  if (colon != std::string_view::npos) {
    const std::string_view digits = authority.substr(colon + 1);
    uint32_t p = 0;
    if (digits.empty() || digits.size() > 5) {
      return InvalidArgument(fmt::format("'{}': bad port", url));
    }
    for (char c : digits) {
      if (c < '0' || c > '9') return InvalidArgument(fmt::format("'{}': bad port", url));
      p = p * 10 + static_cast<uint32_t>(c - '0');
    }
    if (p == 0 || p > 65535) return InvalidArgument(fmt::format("'{}': bad port", url));
    u.port = static_cast<uint16_t>(p);
  }
  if (u.host.empty()) return InvalidArgument(fmt::format("'{}': no host", url));
  return u;
}

namespace {

std::string Describe(const beast::error_code& ec) {
  if (ec.category() == net::error::get_ssl_category()) {
    // OpenSSL's reason string ("certificate verify failed") rather than a bare number.
    char buf[256];
    ::ERR_error_string_n(static_cast<unsigned long>(ec.value()), buf, sizeof buf);
    return ec.message().empty() ? std::string(buf) : ec.message();
  }
  return ec.message();
}

// One connection over a plain or a TLS stream. Every asynchronous operation is driven to
// completion (or cancelled and drained) on the caller's thread before a method returns, except a
// read that timed out, which stays pending for the next Read.
class Connection {
 public:
  virtual ~Connection() = default;
  // `binary` null: text frames only (binary ones are skipped); else any frame, and which it was.
  virtual Status Read(std::string* out, bool* binary, SteadyClock::time_point deadline) = 0;
  virtual Status Write(std::string_view message, bool binary, SteadyClock::time_point deadline) = 0;
  virtual void Close(SteadyClock::time_point deadline) = 0;
  virtual bool open() const = 0;
};

// Runs handlers until `done()` or the deadline; false on timeout.
bool RunUntil(net::io_context& ioc, const std::function<bool()>& done,
              SteadyClock::time_point deadline) {
  while (!done()) {
    const auto now = SteadyClock::now();
    if (now >= deadline) return false;
    if (ioc.stopped()) ioc.restart();
    ioc.run_one_for(deadline - now);
  }
  return true;
}

template <class WsStream>
class ConnectionOf final : public Connection {
 public:
  template <class... Args>
  explicit ConnectionOf(net::io_context& ioc, Args&&... args)
      : ioc_(ioc), ws_(std::forward<Args>(args)...) {}
  ~ConnectionOf() override { Abort(); }

  WsStream& ws() { return ws_; }
  void set_open(bool open) { open_ = open; }
  void set_binary_frames(bool deliver) { binary_frames_ = deliver; }
  bool open() const override { return open_; }

  Status Read(std::string* out, bool* binary, SteadyClock::time_point deadline) override {
    while (true) {
      if (!open_) return Unavailable(closed_reason_.empty() ? "not connected" : closed_reason_);
      if (!read_pending_) {
        read_pending_ = true;
        read_done_ = false;
        ws_.async_read(buffer_, [this](beast::error_code ec, size_t) {
          read_done_ = true;
          read_ec_ = ec;
        });
      }
      if (!RunUntil(
              ioc_, [this] { return read_done_; }, deadline)) {
        return DeadlineExceeded("no frame yet");
      }
      read_pending_ = false;
      if (read_ec_) {
        open_ = false;
        if (read_ec_ == websocket::error::closed) {
          const auto& r = ws_.reason();
          closed_reason_ = fmt::format("closed by the server (code {}{}{})",
                                       static_cast<int>(r.code), r.reason.empty() ? "" : ": ",
                                       std::string(r.reason.data(), r.reason.size()));
        } else {
          closed_reason_ = "connection lost: " + Describe(read_ec_);
        }
        Abort();
        return Unavailable(closed_reason_);
      }
      // A binary frame reaches a caller that asked for binary frames (ReadMessage) or set
      // binary_frames (Alpaca's paper stream sends its JSON in binary frames); otherwise skipped.
      const bool wanted = ws_.got_text() || binary != nullptr || binary_frames_;
      if (binary != nullptr) *binary = !ws_.got_text();
      const auto data = buffer_.data();
      if (wanted) out->assign(static_cast<const char*>(data.data()), data.size());
      buffer_.consume(buffer_.size());
      if (wanted) return Status::Ok();
    }
  }

  Status Write(std::string_view text, bool binary, SteadyClock::time_point deadline) override {
    if (!open_) return Unavailable(closed_reason_.empty() ? "not connected" : closed_reason_);
    bool done = false;
    beast::error_code ec;
    ws_.binary(binary);
    ws_.async_write(net::buffer(text.data(), text.size()), [&](beast::error_code e, size_t) {
      done = true;
      ec = e;
    });
    if (!RunUntil(
            ioc_, [&] { return done; }, deadline)) {
      closed_reason_ = "write timed out";
      open_ = false;
      Abort();
      RunUntil(
          ioc_, [&] { return done; }, SteadyClock::now() + std::chrono::seconds(1));
      return Unavailable(closed_reason_);
    }
    if (ec) {
      open_ = false;
      closed_reason_ = "write failed: " + Describe(ec);
      Abort();
      return Unavailable(closed_reason_);
    }
    return Status::Ok();
  }

  void Close(SteadyClock::time_point deadline) override {
    if (open_) {
      bool done = false;
      ws_.async_close(websocket::close_code::normal, [&](beast::error_code) { done = true; });
      RunUntil(
          ioc_, [&] { return done; }, deadline);
      // The server answers with its own close frame, which ends a pending read.
      if (read_pending_)
        RunUntil(
            ioc_, [this] { return read_done_; }, deadline);
      open_ = false;
      if (!done) {
        Abort();
        RunUntil(
            ioc_, [&] { return done; }, SteadyClock::now() + std::chrono::seconds(1));
      }
    }
    Abort();
  }

 private:
  // Closes the socket and waits for a pending read to report (its handler refers to this).
  void Abort() {
    beast::error_code ec;
    auto& socket = beast::get_lowest_layer(ws_).socket();
    if (socket.is_open()) {
      socket.shutdown(tcp::socket::shutdown_both, ec);
      socket.close(ec);
    }
    if (read_pending_ && !read_done_) {
      RunUntil(
          ioc_, [this] { return read_done_; }, SteadyClock::now() + std::chrono::seconds(5));
    }
    read_pending_ = false;
  }

  net::io_context& ioc_;
  WsStream ws_;
  beast::flat_buffer buffer_;
  bool open_ = false;
  bool binary_frames_ = false;
  bool read_pending_ = false, read_done_ = false;
  beast::error_code read_ec_;
  std::string closed_reason_;
};

using PlainWs = websocket::stream<beast::tcp_stream>;
using TlsWs = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace

class WebSocketClient::Impl {
 public:
  ~Impl() { connection.reset(); }  // before the io_context it runs on

  // Runs one step of the connect sequence; on timeout cancels it and reports which step.
  template <class Start>
  Status Step(std::string_view stage, beast::tcp_stream& lowest, SteadyClock::time_point deadline,
              Start start) {
    bool done = false;
    beast::error_code ec;
    start([&](beast::error_code e) {
      done = true;
      ec = e;
    });
    if (!RunUntil(
            ioc, [&] { return done; }, deadline)) {
      lowest.close();
      RunUntil(
          ioc, [&] { return done; }, SteadyClock::now() + std::chrono::seconds(5));
      return DeadlineExceeded(fmt::format("{}: timed out", stage));
    }
    if (ec) return Unavailable(fmt::format("{}: {}", stage, Describe(ec)));
    return Status::Ok();
  }

  template <class WsStream>
  Status Handshake(ConnectionOf<WsStream>& c, const WebSocketUrl& u,
                   const WebSocketClientOptions& opts, SteadyClock::time_point deadline) {
    auto& lowest = beast::get_lowest_layer(c.ws());
    const std::string where = fmt::format("{}:{}", u.host, u.port);
    tcp::resolver resolver(ioc);
    tcp::resolver::results_type endpoints;
    if (Status s = Step("resolve " + where, lowest, deadline,
                        [&](auto done) {
                          resolver.async_resolve(
                              u.host, std::to_string(u.port),
                              [&, done](beast::error_code ec, tcp::resolver::results_type r) {
                                endpoints = std::move(r);
                                done(ec);
                              });
                        });
        !s.ok()) {
      return s;
    }
    if (Status s = Step("connect " + where, lowest, deadline,
                        [&](auto done) {
                          lowest.async_connect(
                              endpoints,
                              [done](beast::error_code ec, const tcp::endpoint&) { done(ec); });
                        });
        !s.ok()) {
      return s;
    }
    if constexpr (std::is_same_v<WsStream, TlsWs>) {
      auto& tls = c.ws().next_layer();
      // SNI, and the certificate must name the host we asked for.
      if (!SSL_set_tlsext_host_name(tls.native_handle(), u.host.c_str())) {
        return Unavailable(fmt::format("TLS {}: cannot set the server name", where));
      }
      tls.set_verify_mode(ssl::verify_peer);
      tls.set_verify_callback(ssl::host_name_verification(u.host));
      if (Status s = Step("TLS handshake with " + where, lowest, deadline,
                          [&](auto done) { tls.async_handshake(ssl::stream_base::client, done); });
          !s.ok()) {
        return s;
      }
    }
    lowest.expires_never();  // the websocket stream's own timeouts take over
    c.ws().set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    c.ws().read_message_max(opts.max_message_bytes);
    c.ws().set_option(websocket::stream_base::decorator([&opts](websocket::request_type& req) {
      req.set(beast::http::field::user_agent, "torghut");
      for (const auto& [k, v] : opts.headers) req.set(k, v);
    }));
    websocket::response_type response;
    const std::string host_header = fmt::format("{}:{}", u.host, u.port);
    Status s = Step("upgrade " + where + u.target, lowest, deadline, [&](auto done) {
      c.ws().async_handshake(response, host_header, u.target, done);
    });
    if (!s.ok() && response.result_int() != 0 && response.result_int() != 101) {
      return Unavailable(fmt::format("upgrade {}{}: HTTP {} {}", where, u.target,
                                     response.result_int(), response.body()));
    }
    // Only the connect sequence above uses the decorator's reference to `opts`.
    c.ws().set_option(websocket::stream_base::decorator([](websocket::request_type&) {}));
    return s;
  }

  net::io_context ioc;
  std::optional<ssl::context> tls_context;
  std::unique_ptr<Connection> connection;
  WebSocketClientOptions options;
};

WebSocketClient::WebSocketClient() : impl_(std::make_unique<Impl>()) {}
WebSocketClient::~WebSocketClient() = default;

Status WebSocketClient::Connect(std::string_view url, const WebSocketClientOptions& options) {
  impl_->connection.reset();
  Result<WebSocketUrl> u = ParseWebSocketUrl(url);
  if (!u.ok()) return u.status();
  impl_->options = options;
  const auto deadline = SteadyClock::now() + options.connect_timeout;
  if (!u->tls) {
    auto c = std::make_unique<ConnectionOf<PlainWs>>(impl_->ioc, impl_->ioc);
    if (Status s = impl_->Handshake(*c, *u, impl_->options, deadline); !s.ok()) return s;
    c->set_open(true);
    c->set_binary_frames(options.binary_frames);
    impl_->connection = std::move(c);
    return Status::Ok();
  }
  impl_->tls_context.emplace(ssl::context::tls_client);
  auto& ctx = *impl_->tls_context;
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                  ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  boost::system::error_code ec;
  if (options.ca_file.empty()) {
    ctx.set_default_verify_paths(ec);
  } else {
    ctx.load_verify_file(options.ca_file, ec);
  }
  if (ec) {
    return InvalidArgument(fmt::format("TLS trust store {}: {}",
                                       options.ca_file.empty() ? "(system)" : options.ca_file,
                                       ec.message()));
  }
  auto c = std::make_unique<ConnectionOf<TlsWs>>(impl_->ioc, impl_->ioc, ctx);
  if (Status s = impl_->Handshake(*c, *u, impl_->options, deadline); !s.ok()) return s;
  c->set_open(true);
  c->set_binary_frames(options.binary_frames);
  impl_->connection = std::move(c);
  return Status::Ok();
}

Status WebSocketClient::Read(std::string* out, std::chrono::milliseconds timeout) {
  if (!impl_->connection) return Unavailable("not connected");
  return impl_->connection->Read(out, nullptr, SteadyClock::now() + timeout);
}

Status WebSocketClient::ReadMessage(std::string* out, bool* binary,
                                    std::chrono::milliseconds timeout) {
  if (!impl_->connection) return Unavailable("not connected");
  return impl_->connection->Read(out, binary, SteadyClock::now() + timeout);
}

Status WebSocketClient::Write(std::string_view text) {
  if (!impl_->connection) return Unavailable("not connected");
  return impl_->connection->Write(text, false, SteadyClock::now() + impl_->options.write_timeout);
}

Status WebSocketClient::WriteBinary(std::string_view bytes) {
  if (!impl_->connection) return Unavailable("not connected");
  return impl_->connection->Write(bytes, true, SteadyClock::now() + impl_->options.write_timeout);
}

void WebSocketClient::Close(std::chrono::milliseconds timeout) {
  if (impl_->connection) impl_->connection->Close(SteadyClock::now() + timeout);
  impl_->connection.reset();
}

bool WebSocketClient::connected() const {
  return impl_->connection != nullptr && impl_->connection->open();
}

}  // namespace torghut::http
