// A one-line progress bar on stderr, drawn only when stderr is a terminal and at most ~10 times a
// second, so it costs nothing in pipelines and logs.
//
//   Progress progress("replay", total_bytes);
//   progress.Update(done_bytes, events);   // cheap; call as often as you like
//   progress.Finish();
//
// The line shows the label, the bar, the share done, the items, the time taken and the time left
// (from the rate so far), then `detail()` when one is given (called only when drawing, e.g. the
// simulated time of a backtest).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace torghut::io {

class Progress {
 public:
  Progress(std::string label, uint64_t total, std::function<std::string()> detail = {});
  void Update(uint64_t done, int64_t items);
  void Finish();
  bool enabled() const { return enabled_; }

 private:
  void Draw(uint64_t done, int64_t items);
  std::string label_;
  uint64_t total_;
  std::function<std::string()> detail_;
  bool enabled_;
  uint32_t calls_ = 0;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace torghut::io
