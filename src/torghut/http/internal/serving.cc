#include "torghut/http/internal/serving.h"

#include <exception>

#include "torghut/core/log.h"

namespace torghut::http::internal {

void RequestLog::Observe(std::string_view route, int status, double seconds) {
  std::pair<Counter*, Histogram*> m;
  {
    std::lock_guard lock(mu_);
    auto& slot = by_route_[{std::string(route), status}];
    if (slot.first == nullptr) {
      slot.first = &metrics_->GetCounter(
          "torghut_http_requests_total", "HTTP requests by route and status code",
          {{"route", std::string(route)}, {"code", std::to_string(status)}});
      slot.second =
          &metrics_->GetHistogram("torghut_http_request_duration_seconds",
                                  "Time from a complete request to its response written",
                                  LatencyBucketsSeconds(), {{"route", std::string(route)}});
    }
    m = slot;
  }
  m.first->Inc();
  m.second->Observe(seconds);
}

void RequestLog::Answered(const RequestLine& r, size_t bytes, double seconds) {
  Observe(r.route, r.status, seconds);
  if (!access_log_) return;
  log::Info("http", "request",
            {{"method", r.method},
             {"path", r.path},
             {"route", r.route},
             {"status", r.status},
             {"bytes", static_cast<int64_t>(bytes)},
             {"us", static_cast<int64_t>(seconds * 1e6)},
             {"remote", r.remote}});
}

void RequestLog::StreamOpened(const RequestLine& r) {
  Observe(r.route, r.status, 0);
  if (!access_log_) return;
  log::Info("http", "request",
            {{"method", r.method},
             {"path", r.path},
             {"route", r.route},
             {"status", r.status},
             {"remote", r.remote}});
}

void RequestLog::Dropped(const RequestLine& r) {
  if (!access_log_) return;
  log::Info("http", "request dropped without an answer",
            {{"method", r.method}, {"path", r.path}, {"route", r.route}, {"remote", r.remote}});
}

bool ConnectionSet::Admit(size_t max) {
  std::lock_guard lock(mu_);
  if (stopping_.load()) return false;
  if (active_.load() >= max) {
    refused_->Inc();
    return false;
  }
  Opened();
  return true;
}

void ConnectionSet::Opened() {
  active_.fetch_add(1);
  open_->Add(1);
}

void ConnectionSet::Closed() {
  active_.fetch_sub(1);
  open_->Add(-1);
}

bool ConnectionSet::Track(const std::shared_ptr<Connection>& c) {
  std::lock_guard lock(mu_);
  if (stopping_.load()) return false;
  // Forget connections that ended, so the set holds only live ones.
  for (auto it = live_.begin(); it != live_.end();) {
    it = it->expired() ? live_.erase(it) : std::next(it);
  }
  live_.insert(c);
  return true;
}

void ConnectionSet::CloseAll() {
  stopping_.store(true);
  std::lock_guard lock(mu_);
  for (const auto& weak : live_) {
    if (auto c = weak.lock()) c->Close();
  }
}

bool ParseTarget(std::string_view target, Request* r) {
  const size_t q = target.find('?');
  bool ok = PercentDecode(target.substr(0, q), false, &r->path);
  if (ok && q != std::string_view::npos) ok = ParseQuery(target.substr(q + 1), &r->query);
  return ok && !r->path.empty() && r->path.front() == '/';
}

Response DispatchGuarded(const Router& router, const Request& r, std::string* route) {
  try {
    return router.Dispatch(r, route);
  } catch (const std::exception& e) {
    log::Error("http", "handler failed", {{"path", r.path}, {"error", e.what()}});
  } catch (...) {
    log::Error("http", "handler failed", {{"path", r.path}});
  }
  return Response::Error(500, "internal error");
}

}  // namespace torghut::http::internal
