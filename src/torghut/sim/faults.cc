#include "torghut/sim/faults.h"

#include <algorithm>

#include "torghut/core/log.h"

namespace torghut::sim {

void Faults::AddSwitches(std::vector<FaultSwitch> switches, Apply apply) {
  Owner owner;
  for (FaultSwitch& s : switches) {
    owner.keys.push_back(s.key);
    const std::string& key = owner.keys.back();
    switches_[key] = std::move(s);
  }
  owner.apply = std::move(apply);
  owners_.push_back(std::move(owner));
}

void Faults::AddStatus(StatusWriter write) {
  status_.push_back(std::move(write));
}

void Faults::Register(http::Router& router) {
  router.Post("/sim/faults", [this](const http::Request& r) { return Post(r); });
  router.Get("/sim/status", [this](const http::Request&) { return Status(); });
}

http::Response Faults::Post(const http::Request& r) const {
  const nlohmann::json f = nlohmann::json::parse(r.body, nullptr, false);
  if (!f.is_object()) return http::Response::Error(400, "body must be a JSON object");
  for (const auto& [k, v] : f.items()) {
    auto s = switches_.find(k);
    if (s == switches_.end()) return http::Response::Error(400, "unknown fault '" + k + "'");
    const FaultSwitch& sw = s->second;
    bool ok = false;
    switch (sw.value) {
      case FaultValue::kFlag:
        ok = v.is_boolean();
        break;
      case FaultValue::kCount:
        ok = v.is_number_integer() && v.get<int64_t>() >= 0;
        break;
      case FaultValue::kChoice:
        ok = v.is_string() && std::find(sw.choices.begin(), sw.choices.end(),
                                        v.get<std::string>()) != sw.choices.end();
        break;
    }
    if (!ok) return http::Response::Error(400, "fault '" + k + "' has a bad value");
  }
  for (const Owner& owner : owners_) {
    if (std::any_of(owner.keys.begin(), owner.keys.end(),
                    [&](const std::string& k) { return f.contains(k); })) {
      owner.apply(f);
    }
  }
  log::Info("sim", "faults", {{"faults", f.dump()}});
  return http::Response::Json(200, R"({"ok":true})");
}

http::Response Faults::Status() const {
  nlohmann::json j = nlohmann::json::object();
  for (const StatusWriter& write : status_) write(&j);
  return http::Response::Json(200, j.dump());
}

}  // namespace torghut::sim
