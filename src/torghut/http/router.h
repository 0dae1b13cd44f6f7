// Requests, responses and routing for every role's HTTP port (no Beast here: handlers and their
// tests never see the socket layer).
//
//   http::Router router;
//   router.Get("/status", [&](const http::Request&) {
//     return http::Response::Json(200, service.Report().ToJson());
//   });
//   router.Post("/savepoint", [&](const http::Request& r) {
//     if (auto denied = http::RequireAdmin(r, admin_token)) return *denied;
//     ...
//   });
//   http::Response res = router.Dispatch(request);  // 404 / 405 as JSON errors
//
// Error bodies are always `{"ok":false,"message":"…"}` with a message a user can act on.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace torghut::http {

struct Request {
  std::string method;  // upper case: GET, POST, …
  std::string path;    // percent-decoded, without the query string
  std::map<std::string, std::string, std::less<>> query;    // decoded; the last value of a key wins
  std::map<std::string, std::string, std::less<>> headers;  // names lower-cased
  std::string body;
  std::string remote;  // peer address, for the access log

  // "" when absent.
  std::string_view Header(std::string_view lower_name) const;
  std::optional<std::string_view> Query(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  // The server closes the connection without answering at all: a fault a simulator injects (the
  // request arrived and may have been acted on; the client sees the connection end).
  bool drop_connection = false;

  static Response Json(int status, std::string body);
  static Response Text(int status, std::string body, std::string content_type = "text/plain");
  // {"ok":false,"message":message}
  static Response Error(int status, std::string_view message);
};

using Handler = std::function<Response(const Request&)>;

// A WebSocket connection the server accepted on a WebSocket route. Thread-safe; every call only
// queues work on the connection's own strand. Frames (text and binary) are sent in call order.
class WebSocketPeer {
 public:
  virtual ~WebSocketPeer() = default;
  virtual void Send(std::string text) = 0;
  // One binary frame (e.g. msgpack).
  virtual void SendBinary(std::string bytes) = 0;
  // A close frame (1000, `reason`) after everything queued so far.
  virtual void Close(std::string reason = "") = 0;
  // Ends the TCP connection at once, without a close frame (a network fault, as a client sees it).
  virtual void Drop() = 0;
  // Bytes queued and not yet written: how far a slow reader is behind.
  virtual size_t QueuedBytes() const = 0;
  virtual const std::string& remote() const = 0;
};

// What a WebSocket route does with an upgrade request: `reject` answers it as plain HTTP instead
// of upgrading; otherwise the callbacks run on the connection's strand (one at a time per
// connection): on_open first, on_text per text frame, on_binary per binary frame (binary frames are
// dropped when it is unset), on_closed once at the end (however it ended).
struct WebSocketCallbacks {
  std::optional<Response> reject;
  std::function<void()> on_open;
  std::function<void(std::string_view text)> on_text;
  std::function<void(std::string_view bytes)> on_binary;
  std::function<void()> on_closed;
};
using WebSocketAccept =
    std::function<WebSocketCallbacks(const Request& upgrade, std::shared_ptr<WebSocketPeer> peer)>;

// A Server-Sent Events response (text/event-stream) the server keeps open. Thread-safe; events
// are written in call order. The stream ends when the client goes away (on_closed) or on Close().
class EventStreamPeer {
 public:
  virtual ~EventStreamPeer() = default;
  // One event: "event: <event>\ndata: <data>\n\n" (`data` must not contain a newline).
  virtual void Send(std::string_view event, std::string_view data) = 0;
  virtual void Close() = 0;
  virtual size_t QueuedBytes() const = 0;
};
struct EventStreamCallbacks {
  std::optional<Response> reject;  // answer with this instead of opening the stream
  std::function<void()> on_closed;
};
using EventStreamAccept = std::function<EventStreamCallbacks(
    const Request& request, std::shared_ptr<EventStreamPeer> peer)>;

class Router {
 public:
  // Exact paths. `route` names the route in metrics and the access log (default: the path).
  void Get(std::string path, Handler handler, std::string route = "");
  void Post(std::string path, Handler handler, std::string route = "");
  void Put(std::string path, Handler handler, std::string route = "");
  void Patch(std::string path, Handler handler, std::string route = "");
  void Delete(std::string path, Handler handler, std::string route = "");
  // Any method (upper case) on an exact path.
  void Add(std::string method, std::string path, Handler handler, std::string route = "");
  // Every path starting with `prefix` (e.g. static assets under "/torghut/"); exact paths win.
  void GetPrefix(std::string prefix, Handler handler, std::string route = "");
  // `method` on every path starting with `prefix` (e.g. DELETE "/v2/orders/" for
  // /v2/orders/{id}); exact paths win, then the first prefix registered for the method that
  // matches the path (another method on it falls through to 404, as for GetPrefix).
  void AddPrefix(std::string method, std::string prefix, Handler handler, std::string route = "");
  // WebSocket upgrades (GET with `Upgrade: websocket`) of paths starting with `prefix`. A plain GET
  // of such a path is 426 Upgrade Required.
  void WebSocket(std::string prefix, WebSocketAccept accept, std::string route = "");
  // WebSocket upgrades of exactly `path` (a plain GET of it is 426; any other path is not this
  // route's: an upgrade of /v2/unknown is a plain 404).
  void WebSocketAt(std::string path, WebSocketAccept accept, std::string route = "");
  // GET `path` answered with a Server-Sent Events stream.
  void EventStream(std::string path, EventStreamAccept accept, std::string route = "");
  const EventStreamAccept* FindEventStream(std::string_view path,
                                           std::string* route = nullptr) const;
  // The WebSocket route for `path`, or nullptr.
  const WebSocketAccept* FindWebSocket(std::string_view path, std::string* route = nullptr) const;

  // Runs the matching handler. No route → 404; a route without this method → 405 with `Allow`.
  // HEAD is answered like GET. `route` receives the matched route's name ("unmatched" if none).
  Response Dispatch(const Request& request, std::string* route = nullptr) const;

 private:
  struct Entry {
    Handler handler;
    std::string route;
  };
  const Entry* Find(std::string_view method, std::string_view path) const;
  std::map<std::string, std::map<std::string, Entry>, std::less<>> exact_;  // path → method →
  struct PrefixEntry {
    std::string method, prefix;
    Entry entry;
  };
  std::vector<PrefixEntry> prefixes_;
  struct WebSocketEntry {
    std::string prefix;
    bool exact = false;
    WebSocketAccept accept;
    std::string route;
  };
  std::vector<WebSocketEntry> websockets_;
  std::map<std::string, std::pair<EventStreamAccept, std::string>, std::less<>> event_streams_;
};

// For mutating endpoints (SPEC §7): nullopt when `request` carries `Authorization: Bearer <token>`
// for the configured token; otherwise the response to send — 403 when no token is configured (the
// endpoint is off), 401 with `WWW-Authenticate: Bearer` when the header is missing or wrong.
// Compares in constant time.
std::optional<Response> RequireAdmin(const Request& request, std::string_view admin_token);

// Percent-decoding ('+' is a space in query strings); false on a malformed escape.
bool PercentDecode(std::string_view in, bool plus_is_space, std::string* out);
// Splits "a=1&b=x%20y" into decoded pairs; false on a malformed escape.
bool ParseQuery(std::string_view query, std::map<std::string, std::string, std::less<>>* out);

}  // namespace torghut::http
