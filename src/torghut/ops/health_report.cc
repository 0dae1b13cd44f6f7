#include "torghut/ops/health_report.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace torghut::ops {

std::string_view HealthStateName(HealthState s) {
  switch (s) {
    case HealthState::kOk:
      return "ok";
    case HealthState::kDegraded:
      return "degraded";
    case HealthState::kDown:
      return "down";
  }
  return "down";
}

HealthState Worst(HealthState a, HealthState b) {
  return static_cast<int>(a) >= static_cast<int>(b) ? a : b;
}

HealthState HealthReport::Overall() const {
  HealthState s = HealthState::kOk;
  for (const ComponentHealth& c : components) s = Worst(s, c.state);
  return s;
}

std::string HealthReport::Text() const {
  size_t width = 0;
  for (const ComponentHealth& c : components) width = std::max(width, c.name.size());
  std::string out;
  for (const ComponentHealth& c : components) {
    std::string line = c.name;
    line.resize(width + 2, ' ');
    std::string state(HealthStateName(c.state));
    state.resize(10, ' ');
    out += line + state + c.detail + "\n";
    if (!c.next_step.empty()) out += "  -> " + c.next_step + "\n";
  }
  out += "overall: " + std::string(HealthStateName(Overall())) + "\n";
  return out;
}

std::string HealthReport::Json() const {
  nlohmann::json list = nlohmann::json::array();
  for (const ComponentHealth& c : components) {
    list.push_back(
        {{"name", c.name},
         {"state", std::string(HealthStateName(c.state))},
         {"detail", c.detail},
         {"next_step", c.next_step.empty() ? nlohmann::json() : nlohmann::json(c.next_step)}});
  }
  return nlohmann::json{{"state", std::string(HealthStateName(Overall()))},
                        {"exit_code", ExitCode()},
                        {"components", std::move(list)}}
      .dump();
}

}  // namespace torghut::ops
