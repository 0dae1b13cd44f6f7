// The Beast-free half of serving connections, shared by every kind the server runs (plain HTTP,
// WebSocket, event stream): what a request records (the count in
// `torghut_http_requests_total{route,code}`, the time in `torghut_http_request_duration_seconds`,
// one access-log line), the set of live connections Stop() closes, and the router call that turns
// a throwing handler into a 500. Kept out of server.cc, the one translation unit with Beast.
//
//   internal::RequestLog requests(&metrics, config.access_log);
//   requests.Answered({"GET", "/status", "/status", 200, remote}, bytes, seconds);
//   internal::ConnectionSet connections(&open_gauge, &refused_counter);
//   if (connections.Admit(config.max_connections)) { auto s = make_shared<Session>(…);
//                                                    if (connections.Track(s)) s->Start(); }
//   connections.CloseAll();                         // Stop(): no connection is admitted after
//
// Thread-safe, all of it.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "torghut/http/metrics.h"
#include "torghut/http/router.h"

namespace torghut::http::internal {

struct RequestLine {
  std::string_view method, path, route;
  int status = 0;
  std::string_view remote;
};

class RequestLog {
 public:
  // `metrics` must outlive this.
  RequestLog(Registry* metrics, bool access_log) : metrics_(metrics), access_log_(access_log) {}

  // A request answered: `bytes` of body, `seconds` from the complete request to the answer
  // written.
  void Answered(const RequestLine& r, size_t bytes, double seconds);
  // A WebSocket or event stream opened (status 101 / 200) or its upgrade rejected.
  void StreamOpened(const RequestLine& r);
  // A request whose connection was closed without an answer (Response::drop_connection).
  void Dropped(const RequestLine& r);

 private:
  void Observe(std::string_view route, int status, double seconds);

  Registry* metrics_;
  bool access_log_;
  std::mutex mu_;
  // The registry looks metrics up by labels; remember them per (route, status) instead.
  std::map<std::pair<std::string, int>, std::pair<Counter*, Histogram*>> by_route_;
};

// What Stop() closes: an HTTP, WebSocket or event-stream connection.
class Connection {
 public:
  virtual ~Connection() = default;
  // Ends the connection from its own executor (called from any thread).
  virtual void Close() = 0;
};

// The open connections of one server: counted in the `open` gauge, refused past the limit (the
// `refused` counter), and all closed by CloseAll().
class ConnectionSet {
 public:
  // Both must outlive this.
  ConnectionSet(Gauge* open, Counter* refused) : open_(open), refused_(refused) {}

  // A connection just accepted: true when it may be served (it is then counted as open until its
  // Closed()); false once stopping or when `max` are open (counted as refused, unless stopping).
  bool Admit(size_t max);
  // Counting for connection objects that take over an admitted socket.
  void Opened();
  void Closed();
  // Remembers `c` for CloseAll(); false (do not start it) once CloseAll() ran. Under the lock that
  // CloseAll() closes connections with: a connection is either seen and closed, or refused here.
  bool Track(const std::shared_ptr<Connection>& c);
  // From now on nothing is admitted; closes every live connection.
  void CloseAll();
  bool stopping() const { return stopping_.load(); }

 private:
  Gauge* open_;
  Counter* refused_;
  std::atomic<size_t> active_{0};
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::set<std::weak_ptr<Connection>, std::owner_less<std::weak_ptr<Connection>>> live_;
};

// Splits a request target ("/a%20b?x=1") into the decoded path and query of `r`; false when it
// is malformed (a bad escape, or a path that does not start with '/').
bool ParseTarget(std::string_view target, Request* r);

// The router's answer; a handler that throws is logged and answered 500 without detail.
Response DispatchGuarded(const Router& router, const Request& r, std::string* route);

}  // namespace torghut::http::internal
