#include "torghut/app/roles.h"

#include <pthread.h>

#include <nlohmann/json.hpp>

#include "torghut/processor/ta_http.h"

namespace torghut::app {

http::Readiness AllReady(const std::vector<std::unique_ptr<Role>>& roles) {
  bool ready = true;
  nlohmann::json j = nlohmann::json::object();
  for (const auto& role : roles) {
    const http::Readiness r = role->Ready();
    ready = ready && r.ready;
    j[std::string(role->name())] = nlohmann::json::parse(r.json, nullptr, false);
  }
  j["ready"] = ready;
  return http::Readiness{ready, j.dump()};
}

struct RoleThreads::Running {
  Role* role;
  std::atomic<bool> stop{false};
  Status status;
  std::thread thread;
};

RoleThreads::RoleThreads(const std::vector<std::unique_ptr<Role>>& roles) {
  for (const auto& role : roles) {
    auto r = std::make_unique<Running>();
    r->role = role.get();
    Running* raw = r.get();
    r->thread = std::thread([raw] {
      const std::string name(raw->role->name());
      pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
      raw->status = raw->role->Run(raw->stop);
    });
    running_.push_back(std::move(r));
  }
}

RoleThreads::~RoleThreads() {
  (void)StopInOrder();
}

Status RoleThreads::StopInOrder() {
  Status first;
  for (auto& r : running_) {
    if (!r->thread.joinable()) continue;
    r->stop.store(true);
    r->thread.join();
    if (!r->status.ok() && first.ok()) {
      first = r->status.WithContext(std::string(r->role->name()));
    }
  }
  return first;
}

void ForwarderRole::AddRoutes(http::Router& router, http::Registry& metrics) {
  metrics_ = &metrics;
  router.Get("/ws/status", [this](const http::Request&) {
    forwarder::Forwarder* f = running_.load();
    return http::Response::Json(200, (f ? f->Health() : forwarder::ForwarderHealth{}).Json());
  });
}

Status ForwarderRole::Run(const std::atomic<bool>& stop) {
  fwd_ = std::make_unique<forwarder::Forwarder>(config_(), bus_, metrics_, calendar_);
  running_.store(fwd_.get());
  return fwd_->Run(stop);
}

http::Readiness ForwarderRole::Ready() const {
  forwarder::Forwarder* f = running_.load();
  const forwarder::ForwarderHealth h = f ? f->Health() : forwarder::ForwarderHealth{};
  return http::Readiness{h.ready, h.Json()};
}

void TaRole::AddRoutes(http::Router& router, http::Registry& metrics) {
  processor::AddTaRoutes(router, metrics, service_, config_, http_config_, "/ta");
}

http::Readiness TaRole::Ready() const {
  return processor::TaReadiness(service_.Report());
}

}  // namespace torghut::app
