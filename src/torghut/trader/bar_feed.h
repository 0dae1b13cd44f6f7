// The trader's input (SPEC §6 Input): the TA service's signal and microbar topics, consumed as
// TRADING_GROUP_ID, decoded and joined into final bars.
//
//   BarFeed feed(bus, config, stored_offsets);      // stored: the store's trade_bus_offsets
//   TORGHUT_RETURN_IF_ERROR(feed.Start());
//   std::vector<TradingBar> bars;
//   TORGHUT_RETURN_IF_ERROR(feed.Poll(&bars, 100ms));
//   ... evaluate, store decisions + cursors + feed.Positions() in one transaction ...
//   feed.Commit();                                  // bus offsets, only after that
//
// A partition starts where the store says the trader got to (offsets recorded with the decisions
// they produced), else at the group's committed offset, else TRADING_AUTO_OFFSET_RESET: the store
// is the truth, so a crash between the store's commit and the bus's never re-evaluates or skips a
// bar. Positions never pass a row that still waits in the joiner for its partner.
// Single-threaded (the trader's loop).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "torghut/bus/bus.h"
#include "torghut/core/status.h"
#include "torghut/store/trading_store.h"
#include "torghut/trader/trader_config.h"
#include "torghut/trading/bar.h"

namespace torghut::trader {

struct BarFeedCounters {
  int64_t rows = 0, bad_rows = 0, bars = 0, skipped_rows = 0;  // skipped: revisions, missing pairs
};

class BarFeed {
 public:
  // `bus` must outlive the feed. `stored`: what the store recorded for this group.
  BarFeed(bus::Bus* bus, const TraderConfig& config, std::vector<store::BusOffset> stored);
  ~BarFeed();

  Status Start();
  // Appends the bars completed by the messages of one poll.
  Status Poll(std::vector<trading::TradingBar>* bars, std::chrono::milliseconds timeout);
  // The next offset the trader has yet to handle, per assigned topic partition: what a
  // CommitEvaluation records and Commit then commits.
  std::vector<store::BusOffset> Positions(int64_t now_ms) const;
  Status Commit();
  Status Close();

  std::vector<trading::BarJoiner::Skip> TakeSkips() { return joiner_.TakeSkips(); }
  const BarFeedCounters& counters() const { return counters_; }
  bool assigned() const { return !next_.empty(); }

 private:
  void OnAssigned(const std::vector<bus::TopicPartition>& tps);
  void OnRevoked(const std::vector<bus::TopicPartition>& tps);
  int TopicIndex(std::string_view topic) const;

  bus::Bus* bus_;
  TraderConfig config_;
  std::map<std::pair<std::string, int32_t>, int64_t> stored_;
  std::unique_ptr<bus::Consumer> consumer_;
  trading::BarJoiner joiner_;
  // Per (topic index, partition) owned: the next offset to read.
  std::map<std::pair<int, int32_t>, int64_t> next_;
  std::vector<bus::Message> batch_;
  BarFeedCounters counters_;
};

}  // namespace torghut::trader
