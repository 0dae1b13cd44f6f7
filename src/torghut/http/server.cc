#include "torghut/http/server.h"

// Boost 1.74's asio headers use std::exchange without including <utility>.
#include <utility>

#include <fmt/format.h>
#include <pthread.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <atomic>
#include <chrono>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "torghut/core/log.h"
#include "torghut/http/internal/serving.h"
#include "torghut/http/internal/write_queue.h"

namespace torghut::http {

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

namespace {

// The wire form of a Response (HTTP/1.1, server and cache headers, Content-Length).
std::shared_ptr<bhttp::response<bhttp::string_body>> ToBeast(Response res, bool keep_alive) {
  auto out = std::make_shared<bhttp::response<bhttp::string_body>>();
  out->version(11);
  out->result(static_cast<unsigned>(res.status));
  out->set(bhttp::field::server, "torghut");
  out->set(bhttp::field::content_type, res.content_type);
  out->set(bhttp::field::cache_control, "no-store");
  for (auto& [k, v] : res.headers) out->set(k, v);
  out->body() = std::move(res.body);
  out->keep_alive(keep_alive);
  out->prepare_payload();
  return out;
}

}  // namespace

class Server::Impl {
 public:
  Impl(ServerConfig config, Router router, Registry* metrics)
      : config_(std::move(config)),
        router_(std::move(router)),
        metrics_(metrics),
        requests_(metrics, config_.access_log),
        connections_(&metrics->GetGauge("torghut_http_connections", "Open HTTP connections"),
                     &metrics->GetCounter("torghut_http_connections_refused_total",
                                          "Connections closed at accept: over the connection "
                                          "limit")) {}
  ~Impl() { Stop(); }

  Status Start();
  void Stop();
  uint16_t port() const { return bound_port_; }
  std::string address() const {
    return config_.host.find(':') != std::string::npos
               ? fmt::format("[{}]:{}", config_.host, bound_port_)
               : fmt::format("{}:{}", config_.host, bound_port_);
  }

  class Session;
  class WsSession;
  class SseSession;
  void Accept();

  ServerConfig config_;
  Router router_;
  Registry* metrics_;
  internal::RequestLog requests_;
  internal::ConnectionSet connections_;
  uint16_t bound_port_ = 0;
  std::vector<std::thread> threads_;
  bool started_ = false, stopped_ = false;
  // Declared last: destroyed first, while everything its pending handlers touch still exists.
  net::io_context ioc_;
  std::optional<tcp::acceptor> acceptor_;
};

// A WebSocket connection after the upgrade (see WebSocketPeer). Everything runs on the
// connection's strand; the public calls post there.
class Server::Impl::WsSession : public internal::Connection,
                                public WebSocketPeer,
                                public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(beast::tcp_stream stream, Impl* owner, std::string remote)
      : ws_(std::move(stream)), owner_(owner), remote_(std::move(remote)) {
    owner_->connections_.Opened();
  }
  ~WsSession() override { owner_->connections_.Closed(); }

  void Start(bhttp::request<bhttp::string_body> req, WebSocketCallbacks callbacks) {
    callbacks_ = std::move(callbacks);
    req_ = std::move(req);
    if (callbacks_.reject) return Reject(std::move(*callbacks_.reject));
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(bhttp::field::server, "torghut"); }));
    ws_.async_accept(req_, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->Finish();
      self->accepted_ = true;
      if (self->callbacks_.on_open) self->callbacks_.on_open();
      self->ReadNext();
      self->WriteNext();
    });
  }

  void Send(std::string text) override { Queue(std::move(text), /*binary=*/false); }
  void SendBinary(std::string bytes) override { Queue(std::move(bytes), /*binary=*/true); }
  void Close(std::string reason) override {
    net::post(ws_.get_executor(), [self = shared_from_this(), reason = std::move(reason)] {
      self->close_reason_ = reason;
      self->close_requested_ = true;
      self->WriteNext();
    });
  }
  void Drop() override {
    net::post(ws_.get_executor(), [self = shared_from_this()] { self->DropNow(); });
  }
  void Close() override { Drop(); }  // server stop
  size_t QueuedBytes() const override { return writes_.QueuedBytes(); }
  const std::string& remote() const override { return remote_; }

 private:
  void Reject(Response res) {
    auto out = ToBeast(std::move(res), /*keep_alive=*/false);
    bhttp::async_write(
        ws_.next_layer(), *out,
        [self = shared_from_this(), out](beast::error_code, size_t) { self->DropNow(); });
  }

  void Queue(std::string message, bool binary) {
    writes_.Count(message.size());
    net::post(ws_.get_executor(),
              [self = shared_from_this(), message = std::move(message), binary]() mutable {
                self->writes_.Push(std::move(message), binary);
                self->WriteNext();
              });
  }

  void ReadNext() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->Finish();
      const auto data = self->buffer_.data();
      const std::string_view message(static_cast<const char*>(data.data()), data.size());
      if (self->ws_.got_text()) {
        if (self->callbacks_.on_text) self->callbacks_.on_text(message);
      } else if (self->callbacks_.on_binary) {
        self->callbacks_.on_binary(message);
      }
      self->buffer_.consume(self->buffer_.size());
      self->ReadNext();
    });
  }

  // Writes the queued frames one by one, then the close frame once asked for.
  void WriteNext() {
    if (!accepted_ || finished_ || writes_.writing()) return;
    if (writes_.empty()) {
      if (close_requested_ && !closing_) {
        closing_ = true;
        ws_.async_close(websocket::close_reason(websocket::close_code::normal, close_reason_),
                        [self = shared_from_this()](beast::error_code ec) {
                          if (ec) self->DropNow();  // the pending read ends the session
                        });
      }
      return;
    }
    ws_.binary(writes_.front_binary());
    writes_.WriteNext([this](auto buffer, auto done) { ws_.async_write(buffer, std::move(done)); },
                      [self = shared_from_this()](const beast::error_code& ec) {
                        if (ec) return self->DropNow();
                        self->WriteNext();
                      });
  }

  void DropNow() {
    boost::system::error_code ec;
    beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(ws_).close();
    if (!accepted_) Finish();  // no read pending to report the end
  }

  void Finish() {
    if (finished_) return;
    finished_ = true;
    auto on_closed = std::move(callbacks_.on_closed);
    callbacks_ = {};  // the callbacks may hold this peer: break the cycle
    if (on_closed) on_closed();
  }

  websocket::stream<beast::tcp_stream> ws_;
  Impl* owner_;
  std::string remote_;
  bhttp::request<bhttp::string_body> req_;
  WebSocketCallbacks callbacks_;
  beast::flat_buffer buffer_;
  internal::WriteQueue writes_;
  std::string close_reason_;
  bool accepted_ = false, close_requested_ = false, closing_ = false, finished_ = false;
};

// A Server-Sent Events response: the header, then events as they are sent, until the client goes
// away (a read on the socket ends) or Close(). No Content-Length and "Connection: close": the body
// is everything until the connection ends, which every EventSource client handles.
class Server::Impl::SseSession : public internal::Connection,
                                 public EventStreamPeer,
                                 public std::enable_shared_from_this<SseSession> {
 public:
  SseSession(beast::tcp_stream stream, Impl* owner) : stream_(std::move(stream)), owner_(owner) {
    owner_->connections_.Opened();
  }
  ~SseSession() override { owner_->connections_.Closed(); }

  void Start(EventStreamCallbacks callbacks) {
    if (callbacks.reject) return Reject(std::move(*callbacks.reject));
    on_closed_ = std::move(callbacks.on_closed);
    stream_.expires_never();
    writes_.PushFront(
        "HTTP/1.1 200 OK\r\nServer: torghut\r\nContent-Type: text/event-stream\r\n"
        "Cache-Control: no-store\r\nX-Accel-Buffering: no\r\nConnection: close\r\n\r\n"
        ": stream open\n\n");
    WriteNext();
    // A client sends nothing more; the read ends when it goes away.
    stream_.async_read_some(
        net::buffer(sink_),
        [self = shared_from_this()](beast::error_code, size_t) { self->DropNow(); });
  }

  void Send(std::string_view event, std::string_view data) override {
    std::string text;
    text.reserve(event.size() + data.size() + 16);
    text += "event: ";
    text += event;
    text += "\ndata: ";
    text += data;
    text += "\n\n";
    writes_.Count(text.size());
    net::post(stream_.get_executor(),
              [self = shared_from_this(), text = std::move(text)]() mutable {
                self->writes_.Push(std::move(text));
                self->WriteNext();
              });
  }
  // Both the peer's Close() and the server's stop: the stream ends now.
  void Close() override {
    net::post(stream_.get_executor(), [self = shared_from_this()] { self->DropNow(); });
  }
  size_t QueuedBytes() const override { return writes_.QueuedBytes(); }

 private:
  // The stream never opens: a plain HTTP answer, then the connection closes.
  void Reject(Response res) {
    auto out = ToBeast(std::move(res), /*keep_alive=*/false);
    bhttp::async_write(stream_, *out, [self = shared_from_this(), out](beast::error_code, size_t) {
      self->DropNow();
    });
  }

  void WriteNext() {
    if (finished_) return;
    writes_.WriteNext(
        [this](auto buffer, auto done) { net::async_write(stream_, buffer, std::move(done)); },
        [self = shared_from_this()](const beast::error_code& ec) {
          if (ec) return self->DropNow();
          self->WriteNext();
        });
  }
  void DropNow() {
    if (!finished_) {
      finished_ = true;
      boost::system::error_code ec;
      stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
      stream_.close();
      auto on_closed = std::move(on_closed_);
      on_closed_ = nullptr;
      if (on_closed) on_closed();
    }
  }
  beast::tcp_stream stream_;
  Impl* owner_;
  std::function<void()> on_closed_;
  internal::WriteQueue writes_;
  std::array<char, 512> sink_{};
  bool finished_ = false;
};

class Server::Impl::Session : public internal::Connection,
                              public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Impl* owner) : stream_(std::move(socket)), owner_(owner) {
    boost::system::error_code ec;
    const tcp::endpoint peer = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = fmt::format("{}:{}", peer.address().to_string(), peer.port());
  }
  ~Session() override { owner_->connections_.Closed(); }  // admitted by Accept()

  void Start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Read(); });
  }
  // From Stop(): ends the connection from its own executor.
  void Close() override {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      boost::system::error_code ec;
      self->stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
      self->stream_.close();
    });
  }

 private:
  void Read() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(owner_->config_.max_header_bytes));
    parser_->body_limit(owner_->config_.max_body_bytes);
    stream_.expires_after(std::chrono::milliseconds(owner_->config_.read_timeout_ms));
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    started_ = SteadyClock::now();
    if (ec == bhttp::error::end_of_stream || ec == net::error::eof || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset ||
        ec == net::error::bad_descriptor) {
      return Shutdown();
    }
    if (ec == bhttp::error::body_limit) {
      return Send(Response::Error(413, fmt::format("request body over {} bytes",
                                                   owner_->config_.max_body_bytes)),
                  "rejected", false);
    }
    if (ec == bhttp::error::header_limit) {
      return Send(Response::Error(431, fmt::format("request headers over {} bytes",
                                                   owner_->config_.max_header_bytes)),
                  "rejected", false);
    }
    if (ec) {
      if (ec.category() == bhttp::make_error_code(bhttp::error::bad_version).category()) {
        return Send(Response::Error(400, "malformed HTTP request: " + ec.message()), "rejected",
                    false);
      }
      return Shutdown();
    }
    Handle(parser_->release());
  }

  void Handle(bhttp::request<bhttp::string_body> req) {
    Request r;
    r.method = std::string(req.method_string());
    const std::string_view target(req.target().data(), req.target().size());
    const bool keep_alive = req.keep_alive();
    if (!internal::ParseTarget(target, &r)) {
      method_ = r.method;
      path_ = std::string(target.substr(0, target.find('?')));
      return Send(Response::Error(400, "malformed request target"), "rejected", keep_alive);
    }
    for (const auto& field : req) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers[std::move(name)] = std::string(field.value());
    }
    r.body = std::move(req.body());
    r.remote = remote_;
    std::string route;
    if (r.method == "GET") {
      if (const EventStreamAccept* accept = owner_->router_.FindEventStream(r.path, &route)) {
        return OpenEventStream(*accept, r, route);
      }
    }
    if (websocket::is_upgrade(req)) {
      if (const WebSocketAccept* accept = owner_->router_.FindWebSocket(r.path, &route)) {
        return Upgrade(*accept, std::move(req), r, route);
      }
    }
    Response res = internal::DispatchGuarded(owner_->router_, r, &route);
    method_ = std::move(r.method);
    path_ = std::move(r.path);
    Send(std::move(res), route, keep_alive);
  }

  // Runs a stream route's accept (a throw becomes a 500 rejection) and records the request as the
  // HTTP layer does for every other one; `opened` is the status of an accepted stream.
  template <class Callbacks, class Accept, class Peer>
  Callbacks AcceptStream(const Accept& accept, const Request& r, const std::string& route,
                         const std::shared_ptr<Peer>& peer, int opened) {
    Callbacks callbacks;
    try {
      callbacks = accept(r, peer);
    } catch (const std::exception& e) {
      log::Error("http", "stream accept failed", {{"path", r.path}, {"error", e.what()}});
      callbacks.reject = Response::Error(500, "internal error");
    }
    const int status = callbacks.reject ? callbacks.reject->status : opened;
    owner_->requests_.StreamOpened({r.method, r.path, route, status, remote_});
    return callbacks;
  }

  // Hands the connection to an event stream; this session ends here.
  void OpenEventStream(const EventStreamAccept& accept, const Request& r,
                       const std::string& route) {
    auto sse = std::make_shared<SseSession>(std::move(stream_), owner_);
    if (!owner_->connections_.Track(sse)) return sse->Close();
    sse->Start(AcceptStream<EventStreamCallbacks>(accept, r, route, sse, 200));
  }

  // Hands the connection to a WebSocket session; this session ends here.
  void Upgrade(const WebSocketAccept& accept, bhttp::request<bhttp::string_body> req,
               const Request& r, const std::string& route) {
    auto ws = std::make_shared<WsSession>(std::move(stream_), owner_, remote_);
    if (!owner_->connections_.Track(ws)) return ws->Drop();
    ws->Start(std::move(req), AcceptStream<WebSocketCallbacks>(accept, r, route, ws, 101));
  }

  void Send(Response res, const std::string& route, bool keep_alive) {
    if (method_.empty()) method_ = "-";
    if (res.drop_connection) {
      owner_->requests_.Dropped({method_, path_, route, 0, remote_});
      boost::system::error_code ec;
      stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
      stream_.close();
      return;
    }
    const size_t bytes = res.body.size();
    const int status = res.status;
    auto out = ToBeast(std::move(res), keep_alive);
    if (method_ == "HEAD") out->body().clear();  // Content-Length still says what GET would send
    close_after_ = !keep_alive;                  // also after a request that failed to parse
    stream_.expires_after(std::chrono::milliseconds(owner_->config_.read_timeout_ms));
    bhttp::async_write(
        stream_, *out,
        [self = shared_from_this(), out, route, status, bytes](beast::error_code ec, size_t) {
          self->OnWritten(ec, route, status, bytes);
        });
  }

  void OnWritten(beast::error_code ec, const std::string& route, int status, size_t bytes) {
    const double seconds = std::chrono::duration<double>(SteadyClock::now() - started_).count();
    owner_->requests_.Answered({method_, path_, route, status, remote_}, bytes, seconds);
    method_.clear();
    path_.clear();
    if (ec || close_after_) return Shutdown();
    Read();
  }

  void Shutdown() {
    boost::system::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Impl* owner_;
  std::string remote_ = "-";
  std::string method_, path_;
  SteadyClock::time_point started_;
  bool close_after_ = false;
};

Status Server::Impl::Start() {
  if (started_) return FailedPrecondition("HTTP server already started");
  boost::system::error_code ec;
  const net::ip::address ip = net::ip::make_address(config_.host, ec);
  if (ec) return InvalidArgument(fmt::format("{}: not an IP address", config_.host));
  const tcp::endpoint endpoint(ip, config_.port);
  acceptor_.emplace(net::make_strand(ioc_));  // accept and close never run concurrently
  const std::string where = fmt::format("{}:{}", config_.host, config_.port);
  if (acceptor_->open(endpoint.protocol(), ec); ec) {
    return Unavailable(fmt::format("HTTP {}: {}", where, ec.message()));
  }
  acceptor_->set_option(net::socket_base::reuse_address(true), ec);
  if (acceptor_->bind(endpoint, ec); ec) {
    return Unavailable(fmt::format("HTTP {}: {} (set TORGHUT_HTTP_ADDR)", where, ec.message()));
  }
  if (acceptor_->listen(net::socket_base::max_listen_connections, ec); ec) {
    return Unavailable(fmt::format("HTTP {}: {}", where, ec.message()));
  }
  bound_port_ = acceptor_->local_endpoint().port();
  started_ = true;
  Accept();
  for (int i = 0; i < config_.threads; ++i) {
    threads_.emplace_back([this] {
      pthread_setname_np(pthread_self(), "http-io");
      ioc_.run();
    });
  }
  log::Info("http", "listening", {{"addr", address()}, {"threads", config_.threads}});
  return Status::Ok();
}

void Server::Impl::Accept() {
  acceptor_->async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_->is_open()) return;
    if (!ec) {
      if (connections_.Admit(config_.max_connections)) {
        auto session = std::make_shared<Session>(std::move(socket), this);
        if (connections_.Track(session)) session->Start();
      } else {
        boost::system::error_code ignored;
        socket.close(ignored);
      }
    }
    if (connections_.stopping()) return;
    Accept();
  });
}

void Server::Impl::Stop() {
  if (!started_ || stopped_) return;
  stopped_ = true;
  connections_.CloseAll();  // also: nothing more is admitted
  net::post(acceptor_->get_executor(), [this] {
    boost::system::error_code ec;
    acceptor_->close(ec);
  });
  // Every connection closes, the acceptor stops: run() returns once no work is left. A handler
  // in the middle of a request finishes first.
  for (auto& t : threads_) t.join();
  threads_.clear();
}

Server::Server(ServerConfig config, Router router, Registry* metrics)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(router), metrics)) {}
Server::~Server() = default;
Status Server::Start() {
  return impl_->Start();
}
void Server::Stop() {
  impl_->Stop();
}
uint16_t Server::port() const {
  return impl_->port();
}
std::string Server::address() const {
  return impl_->address();
}

}  // namespace torghut::http
