// Clock: the only way wall-clock time enters Torghut. Components take a `const Clock&` so tests,
// replays and backtests can drive time themselves (FakeClock) and results never depend on when a
// test happens to run.
//
//   const Clock& clock = SystemClock();
//   int64_t now_ms = clock.NowMillis();
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace torghut {

class Clock {
 public:
  virtual ~Clock() = default;
  // Nanoseconds since the Unix epoch, UTC.
  virtual int64_t NowNanos() const = 0;
  int64_t NowMillis() const { return NowNanos() / 1'000'000; }
};

// The real wall clock (std::chrono::system_clock). Thread-safe.
inline const Clock& SystemClock() {
  struct System final : Clock {
    int64_t NowNanos() const override {
      return std::chrono::duration_cast<std::chrono::nanoseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    }
  };
  static const System clock;
  return clock;
}

// A clock that moves only when told to. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t start_nanos = 0) : now_(start_nanos) {}
  int64_t NowNanos() const override { return now_.load(std::memory_order_relaxed); }
  void Set(int64_t nanos) { now_.store(nanos, std::memory_order_relaxed); }
  void AdvanceMillis(int64_t ms) { now_.fetch_add(ms * 1'000'000, std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace torghut
