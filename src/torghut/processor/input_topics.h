// The TA service's topics on the bus: its three inputs (trades, quotes, minute bars) and what it
// writes (rows, heartbeats), and how far each input partition goes.
//
//   TORGHUT_ASSIGN_OR_RETURN(int32_t partitions, PrepareTaTopics(*bus, config));
//   EndOffsets ends(bus, {trades, quotes, bars}, &clock);
//   bool caught_up = ends.Reached(InputKind::kQuotes, partition, fetched_position);
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "torghut/bus/bus.h"
#include "torghut/core/clock.h"
#include "torghut/core/status.h"
#include "torghut/processor/ta_service_config.h"
#include "torghut/ta/input_merge.h"

namespace torghut::processor {

// Creates what is missing (inputs with the partition count of whichever input exists, else 3;
// the row topics when rows are published; the status topic) and returns the input partition
// count. kFailedPrecondition when the inputs' partition counts differ: keys are symbols, so one
// symbol must share a partition index on every input topic.
Result<int32_t> PrepareTaTopics(bus::Bus& bus, const TaServiceConfig& config);

// The end offset of every input partition, read from the bus at most every `refresh_ms` once a
// reader has reached the cached value (so "caught up" is re-checked before it is trusted, and a
// reader far behind costs no bus calls). Single-threaded.
class EndOffsets {
 public:
  EndOffsets(bus::Bus* bus, std::array<std::string, ta::kInputKinds> topics, const Clock* clock,
             int64_t refresh_ms = 100)
      : bus_(bus), topics_(std::move(topics)), clock_(clock), refresh_ms_(refresh_ms) {}

  // True when `next` (the next offset the consumer delivers) has reached the partition's end.
  // False when the bus cannot say.
  bool Reached(ta::InputKind kind, int32_t partition, int64_t next);
  // Messages after `next` as of the cached end (0 when unknown).
  int64_t Lag(ta::InputKind kind, int32_t partition, int64_t next) const;

 private:
  bus::Bus* bus_;
  std::array<std::string, ta::kInputKinds> topics_;
  const Clock* clock_;
  int64_t refresh_ms_;
  std::array<std::vector<int64_t>, ta::kInputKinds> high_;
  std::array<int64_t, ta::kInputKinds> read_at_ms_{};
};

}  // namespace torghut::processor
