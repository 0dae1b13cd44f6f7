// The health report of `torghut health` (SPEC §9): one line per component, each ok / degraded /
// down with a detail and, when not ok, the next step an operator takes; the overall state is the
// worst component's, and it is the process's exit code.
//
//   HealthReport report;
//   report.components.push_back({"ta", HealthState::kDegraded, "suspended",
//                                "set TA_JOB_STATE=running and restart torghut ta"});
//   std::fputs(report.Text().c_str(), stdout);   // or report.Json()
//   return report.ExitCode();                    // 0 ok, 1 degraded, 2 down
//
// Contract: pure (no I/O, no clock). An empty report is ok. `next_step` is empty for ok lines and
// one short imperative line otherwise (the renderers print what they are given).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace torghut::ops {

enum class HealthState { kOk = 0, kDegraded = 1, kDown = 2 };

// "ok", "degraded", "down".
std::string_view HealthStateName(HealthState s);
// The worse of two states (down > degraded > ok).
HealthState Worst(HealthState a, HealthState b);

struct ComponentHealth {
  std::string name;  // forwarder, bus, ta, ta_store, disk, replicas, trading_store, trading, llm
  HealthState state = HealthState::kOk;
  std::string detail;     // what was seen, one line
  std::string next_step;  // when not ok: what to run or check, one line
};

struct HealthReport {
  std::vector<ComponentHealth> components;

  HealthState Overall() const;
  // 0 healthy, 1 any degraded, 2 any down.
  int ExitCode() const { return static_cast<int>(Overall()); }
  // One line per component: "<name padded> <state padded> <detail>", then an indented
  // "  -> <next step>" line when it has one; a last line "overall: <state>".
  std::string Text() const;
  // {"state": overall, "exit_code": N, "components": [{name, state, detail, next_step}]}
  // (next_step is null for ok components).
  std::string Json() const;
};

}  // namespace torghut::ops
