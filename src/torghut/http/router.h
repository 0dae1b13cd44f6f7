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

  static Response Json(int status, std::string body);
  static Response Text(int status, std::string body, std::string content_type = "text/plain");
  // {"ok":false,"message":message}
  static Response Error(int status, std::string_view message);
};

using Handler = std::function<Response(const Request&)>;

class Router {
 public:
  // Exact paths. `route` names the route in metrics and the access log (default: the path).
  void Get(std::string path, Handler handler, std::string route = "");
  void Post(std::string path, Handler handler, std::string route = "");
  // Every path starting with `prefix` (e.g. static assets under "/torghut/"); exact paths win.
  void GetPrefix(std::string prefix, Handler handler, std::string route = "");

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
  std::vector<std::pair<std::string, Entry>> prefixes_;                     // GET only
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
