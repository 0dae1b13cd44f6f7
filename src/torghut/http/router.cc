#include "torghut/http/router.h"

#include "torghut/core/json_text.h"

namespace torghut::http {

std::string_view Request::Header(std::string_view lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string_view() : std::string_view(it->second);
}

std::optional<std::string_view> Request::Query(std::string_view name) const {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return std::string_view(it->second);
}

Response Response::Json(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response Response::Text(int status, std::string body, std::string content_type) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  r.content_type = std::move(content_type);
  return r;
}

Response Response::Error(int status, std::string_view message) {
  std::string body = "{\"ok\":false,\"message\":";
  AppendJsonString(message, &body);
  body += '}';
  return Json(status, std::move(body));
}

void Router::Add(std::string method, std::string path, Handler handler, std::string route) {
  if (route.empty()) route = path;
  exact_[std::move(path)][std::move(method)] = Entry{std::move(handler), std::move(route)};
}

void Router::Get(std::string path, Handler handler, std::string route) {
  Add("GET", std::move(path), std::move(handler), std::move(route));
}

void Router::Post(std::string path, Handler handler, std::string route) {
  Add("POST", std::move(path), std::move(handler), std::move(route));
}

void Router::Put(std::string path, Handler handler, std::string route) {
  Add("PUT", std::move(path), std::move(handler), std::move(route));
}

void Router::Patch(std::string path, Handler handler, std::string route) {
  Add("PATCH", std::move(path), std::move(handler), std::move(route));
}

void Router::Delete(std::string path, Handler handler, std::string route) {
  Add("DELETE", std::move(path), std::move(handler), std::move(route));
}

void Router::GetPrefix(std::string prefix, Handler handler, std::string route) {
  AddPrefix("GET", std::move(prefix), std::move(handler), std::move(route));
}

void Router::AddPrefix(std::string method, std::string prefix, Handler handler, std::string route) {
  if (route.empty()) route = prefix + "*";
  prefixes_.push_back(
      {std::move(method), std::move(prefix), Entry{std::move(handler), std::move(route)}});
}

void Router::WebSocket(std::string prefix, WebSocketAccept accept, std::string route) {
  if (route.empty()) route = prefix + "*";
  websockets_.push_back({std::move(prefix), false, std::move(accept), std::move(route)});
}

void Router::WebSocketAt(std::string path, WebSocketAccept accept, std::string route) {
  if (route.empty()) route = path;
  websockets_.push_back({std::move(path), true, std::move(accept), std::move(route)});
}

const WebSocketAccept* Router::FindWebSocket(std::string_view path, std::string* route) const {
  for (const WebSocketEntry& e : websockets_) {
    if (e.exact ? path == e.prefix : path.substr(0, e.prefix.size()) == e.prefix) {
      if (route != nullptr) *route = e.route;
      return &e.accept;
    }
  }
  return nullptr;
}

void Router::EventStream(std::string path, EventStreamAccept accept, std::string route) {
  if (route.empty()) route = path;
  event_streams_[std::move(path)] = {std::move(accept), std::move(route)};
}

const EventStreamAccept* Router::FindEventStream(std::string_view path, std::string* route) const {
  auto it = event_streams_.find(path);
  if (it == event_streams_.end()) return nullptr;
  if (route != nullptr) *route = it->second.second;
  return &it->second.first;
}

Response Router::Dispatch(const Request& request, std::string* route) const {
  const std::string method = request.method == "HEAD" ? "GET" : request.method;
  if (route != nullptr) *route = "unmatched";
  auto path = exact_.find(request.path);
  if (path != exact_.end()) {
    auto m = path->second.find(method);
    if (m == path->second.end()) {
      std::string allow;
      for (const auto& [name, entry] : path->second) allow += (allow.empty() ? "" : ", ") + name;
      Response r = Response::Error(405, "method " + request.method + " not allowed on " +
                                            request.path + " (allowed: " + allow + ")");
      r.headers.emplace_back("Allow", allow);
      return r;
    }
    if (route != nullptr) *route = m->second.route;
    return m->second.handler(request);
  }
  for (const PrefixEntry& p : prefixes_) {
    if (p.method == method && request.path.compare(0, p.prefix.size(), p.prefix) == 0) {
      if (route != nullptr) *route = p.entry.route;
      return p.entry.handler(request);
    }
  }
  if (FindEventStream(request.path) != nullptr) {  // the server answers GET itself
    Response r = Response::Error(
        405, "method " + request.method + " not allowed on " + request.path + " (allowed: GET)");
    r.headers.emplace_back("Allow", "GET");
    return r;
  }
  if (method == "GET" && FindWebSocket(request.path) != nullptr) {
    Response r = Response::Error(426, request.path +
                                          " is a WebSocket endpoint: connect with a "
                                          "WebSocket client (Upgrade: websocket)");
    r.headers.emplace_back("Upgrade", "websocket");
    return r;
  }
  return Response::Error(404, "no such endpoint: " + request.method + " " + request.path);
}

std::optional<Response> RequireAdmin(const Request& request, std::string_view admin_token) {
  if (admin_token.empty()) {
    return Response::Error(403, "admin endpoints are off: set TORGHUT_ADMIN_TOKEN to enable them");
  }
  const std::string_view auth = request.Header("authorization");
  constexpr std::string_view kBearer = "Bearer ";
  std::string_view given;
  if (auth.size() > kBearer.size() && auth.substr(0, kBearer.size()) == kBearer) {
    given = auth.substr(kBearer.size());
  }
  // Constant time over the configured token's length: no early exit on the first difference.
  unsigned diff = given.size() == admin_token.size() ? 0 : 1;
  for (size_t i = 0; i < admin_token.size(); ++i) {
    diff |= static_cast<unsigned char>(admin_token[i]) ^
            static_cast<unsigned char>(i < given.size() ? given[i] : 0);
  }
  if (diff == 0) return std::nullopt;
  Response r = Response::Error(
      401, given.empty() ? "missing Authorization: Bearer <admin token>" : "wrong admin token");
  r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

bool PercentDecode(std::string_view in, bool plus_is_space, std::string* out) {
  out->clear();
  out->reserve(in.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = hex(in[i + 1]), lo = hex(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      *out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      *out += ' ';
    } else {
      *out += c;
    }
  }
  return true;
}

bool ParseQuery(std::string_view query, std::map<std::string, std::string, std::less<>>* out) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    std::string key, value;
    if (!PercentDecode(pair.substr(0, eq), true, &key)) return false;
    if (eq != std::string_view::npos && !PercentDecode(pair.substr(eq + 1), true, &value)) {
      return false;
    }
    (*out)[std::move(key)] = std::move(value);
  }
  return true;
}

}  // namespace torghut::http
