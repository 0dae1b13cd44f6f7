// The TA engine's settings from the environment (SPEC §4 names), shared by every role that runs
// the engine (`torghut ta`, `torghut replay`, `torghut up`, `torghut backtest`).
#pragma once

#include "torghut/core/config.h"
#include "torghut/ta/engine.h"

namespace torghut::ta {

// Reads TA_MAX_OUT_OF_ORDER_MS, TA_WATERMARK_IDLE_TIMEOUT_MS, TA_VWAP_WINDOW_SECONDS,
// TA_REALIZED_VOL_WINDOW, TA_QUOTE_STALE_AFTER_MS and TA_REVISION_HORIZON_MS; bad values are
// recorded in `cfg` (check cfg.Finish()).
EngineConfig ReadEngineConfig(ConfigReader& cfg);

// One line per variable, for --help footers.
inline constexpr const char* kEngineEnvHelp =
    "  TA_MAX_OUT_OF_ORDER_MS        watermark lag behind the newest trade (default 2000)\n"
    "  TA_WATERMARK_IDLE_TIMEOUT_MS  idle partitions stop holding the watermark (default 30000)\n"
    "  TA_VWAP_WINDOW_SECONDS        rolling VWAP window (default 300)\n"
    "  TA_REALIZED_VOL_WINDOW        bars in the realized-volatility window (default 60)\n"
    "  TA_QUOTE_STALE_AFTER_MS       quotes older than this are not used (default 15000)\n"
    "  TA_REVISION_HORIZON_MS        final bars stay revisable this long (default 10000)\n";

}  // namespace torghut::ta
