// StrategyStore: where strategies are kept — the part of the trading store that the catalog and
// `torghut strategy` use. store::TradingStore implements it (store/trading_store.h), so trading/
// depends on no store (docs/adr/010) and a test or a backtest may keep strategies elsewhere.
//
//   void Disable(trading::StrategyStore& store, int64_t now_ms) {
//     auto all = store.ListStrategies();
//     if (all.ok() && !all->empty()) (void)store.SetStrategyEnabled(all->front().name, false,
//     now_ms);
//   }
//
// Errors as the trading store's: kUnavailable to back off on, kDataLoss for a stored value the
// model cannot read. Not thread-safe unless the implementation says so.
#pragma once

#include <string_view>
#include <vector>

#include "torghut/core/status.h"
#include "torghut/trading/model.h"

namespace torghut::trading {

class StrategyStore {
 public:
  virtual ~StrategyStore() = default;
  // Insert or replace by name (created_at of an existing row is kept).
  virtual Status UpsertStrategy(const Strategy& s) = 0;
  virtual Result<std::vector<Strategy>> ListStrategies() = 0;  // by name
  // Sets enabled and updated_at = now. kNotFound when no strategy has this name.
  virtual Status SetStrategyEnabled(std::string_view name, bool enabled, EpochMillis now) = 0;
};

}  // namespace torghut::trading
