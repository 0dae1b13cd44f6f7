#include "torghut/ta/engine_env.h"

namespace torghut::ta {

EngineConfig ReadEngineConfig(ConfigReader& cfg) {
  EngineConfig c;
  c.max_out_of_order_ms = cfg.Int("TA_MAX_OUT_OF_ORDER_MS", c.max_out_of_order_ms, 0, 3'600'000);
  c.idle_timeout_ms = cfg.Int("TA_WATERMARK_IDLE_TIMEOUT_MS", c.idle_timeout_ms, 1, 86'400'000);
  c.vwap_window_seconds = cfg.Int("TA_VWAP_WINDOW_SECONDS", c.vwap_window_seconds, 1, 86'400);
  c.realized_vol_window =
      static_cast<int32_t>(cfg.Int("TA_REALIZED_VOL_WINDOW", c.realized_vol_window, 2, 100'000));
  c.quote_stale_after_ms =
      cfg.Int("TA_QUOTE_STALE_AFTER_MS", c.quote_stale_after_ms, 0, 86'400'000);
  c.revision_horizon_ms = cfg.Int("TA_REVISION_HORIZON_MS", c.revision_horizon_ms, 0, 3'600'000);
  if (Status s = c.Validate(); !s.ok()) cfg.AddError(s.message());
  return c;
}

}  // namespace torghut::ta
