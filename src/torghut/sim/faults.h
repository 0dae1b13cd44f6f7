// The simulator's admin surface (a loopback tool, no auth): the fault switches of POST /sim/faults
// and the report of GET /sim/status. Each part of the simulated service adds its own switches and
// its own status fields, so a new part joins without touching the others.
//
//   sim::Faults faults;
//   faults.AddSwitches({{"http_429", sim::FaultValue::kCount}}, [&](const nlohmann::json& f) {
//     if (f.contains("http_429")) throttle = f["http_429"].get<int64_t>();
//   });
//   faults.AddStatus([&](nlohmann::json* status) { (*status)["sent"] = sent; });
//   faults.Register(router);     // POST /sim/faults, GET /sim/status
//
// A POST is one JSON object of switches; it is checked whole (an unknown key or a bad value is a
// 400 naming it, and nothing is applied) and then handed to every part that owns one of its keys.
// Add* before Register; the handlers run on HTTP threads and must be thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "torghut/http/router.h"

namespace torghut::sim {

enum class FaultValue : uint8_t {
  kFlag,    // true / false
  kCount,   // an integer ≥ 0 (a count, or milliseconds)
  kChoice,  // one of the switch's `choices` (a string)
};

struct FaultSwitch {
  std::string key;
  FaultValue value = FaultValue::kCount;
  std::vector<std::string> choices = {};  // kChoice: the accepted values
};

class Faults {
 public:
  using Apply = std::function<void(const nlohmann::json& faults)>;
  using StatusWriter = std::function<void(nlohmann::json* status)>;

  // `apply` receives every accepted POST that names at least one of `switches`.
  void AddSwitches(std::vector<FaultSwitch> switches, Apply apply);
  // Adds fields to the GET /sim/status object.
  void AddStatus(StatusWriter write);
  void Register(http::Router& router);

  http::Response Post(const http::Request& r) const;
  http::Response Status() const;

 private:
  struct Owner {
    std::vector<std::string> keys;
    Apply apply;
  };
  std::map<std::string, FaultSwitch> switches_;
  std::vector<Owner> owners_;
  std::vector<StatusWriter> status_;
};

}  // namespace torghut::sim
