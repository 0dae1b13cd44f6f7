#include "torghut/ta/indicator_set.h"

namespace torghut::ta {

IndicatorSet::IndicatorSet(int64_t vwap_window_seconds, int32_t realized_vol_window)
    : vwap_window_(vwap_window_seconds * kNanosPerSecond), vol_(realized_vol_window) {}

void IndicatorSet::Apply(const BarClose& bar, SignalRow* out) {
  if (bar.session_start.nanos() != session_start_ns_) {
    session_start_ns_ = bar.session_start.nanos();
    vwap_session_.Reset();
  }
  macd_.Update(bar.close);
  rsi14_.Update(bar.close);
  boll_.Update(bar.close);
  vwap_session_.Update(bar.notional, bar.volume);
  vwap_window_.Update(bar.end.nanos(), bar.notional, bar.volume);
  vol_.Update(bar.close);

  out->ema12 = macd_.fast().value();
  out->ema26 = macd_.slow().value();
  out->macd = macd_.macd();
  out->macd_signal = macd_.signal();
  out->macd_hist = macd_.hist();
  out->rsi14 = rsi14_.value();
  out->boll_mid = boll_.mid();
  out->boll_upper = boll_.upper();
  out->boll_lower = boll_.lower();
  out->vwap_session = vwap_session_.value();
  out->vwap_w5m = vwap_window_.value();
  out->vol_realized_w60s = vol_.value();
}

void IndicatorSet::Save(BinaryWriter& w) const {
  macd_.Save(w);
  rsi14_.Save(w);
  boll_.Save(w);
  vwap_session_.Save(w);
  vwap_window_.Save(w);
  vol_.Save(w);
  w.PutI64(session_start_ns_);
}

bool IndicatorSet::Load(BinaryReader& r) {
  return macd_.Load(r) && rsi14_.Load(r) && boll_.Load(r) && vwap_session_.Load(r) &&
         vwap_window_.Load(r) && vol_.Load(r) && r.GetI64(&session_start_ns_);
}

size_t IndicatorSet::HeapBytes() const {
  return vwap_window_.HeapBytes() + 20 * sizeof(double) + 60 * sizeof(double);
}

}  // namespace torghut::ta
