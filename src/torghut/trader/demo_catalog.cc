#include "torghut/trader/demo_catalog.h"

#include <filesystem>

#include "torghut/io/atomic_file.h"

namespace torghut::trader {

std::string_view DemoCatalogYaml() {
  return R"(# Torghut's demo strategies, written by `torghut up` on its first start. Edit freely: the
# file is read again every TRADING_STRATEGY_RELOAD_SECONDS (10) and applied when it changes (an
# invalid edit is reported at /trading/status and changes nothing). Fields: SPEC §6.
strategies:
  - name: demo-macd-cross
    description: MACD crossing its signal line on 1-second bars, with a stop and a take-profit
    enabled: true
    base_timeframe: 1Sec
    type: macd-cross
    qty: 5
    params:
      stop_loss_pct: 0.2
      take_profit_pct: 0.3
      max_hold_seconds: 120
  - name: demo-bollinger
    description: buy below the lower Bollinger band, sell back at the middle band
    enabled: true
    base_timeframe: 1Sec
    type: bollinger-reversion
    notional: 2000
    params:
      max_hold_seconds: 180
  - name: macd-rsi-default
    description: the original rule (MACD above its signal with RSI below 35), on minute bars
    enabled: true
    base_timeframe: 1Min
    type: macd-rsi
    qty: 1
)";
}

Status WriteDemoCatalogIfMissing(const std::string& path) {
  if (path.empty()) return Status::Ok();
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) return Status::Ok();
  const std::filesystem::path p(path);
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
  return WriteFileAtomically(p, std::string(DemoCatalogYaml()));
}

}  // namespace torghut::trader
