#include "torghut/ta/row_json.h"

#include <fmt/format.h>

#include <iterator>

namespace torghut::ta {
namespace {

void AppendTs(std::string* out, const char* key, Timestamp t) {
  char buf[kRfc3339MaxLen];
  out->append("\"").append(key).append("\":\"");
  out->append(FormatRfc3339(t, buf, FracDigits::kMillis));
  out->append("\",");
}

void AppendDouble(std::string* out, const char* key, double v) {
  out->append("\"").append(key).append("\":");
  if (IsNull(v)) {
    out->append("null,");
  } else {
    fmt::format_to(std::back_inserter(*out), "{},", v);
  }
}

void AppendInt(std::string* out, const char* key, int64_t v) {
  fmt::format_to(std::back_inserter(*out), "\"{}\":{},", key, v);
}

void AppendIdentity(const RowIdentity& id, std::string* out) {
  // Symbols are validated (^[A-Z0-9._:-]{1,32}$) before they reach a row: no escaping needed.
  out->append("{\"symbol\":\"").append(id.symbol).append("\",");
  AppendTs(out, "event_ts", id.event_ts);
  AppendInt(out, "seq", id.seq);
  AppendTs(out, "ingest_ts", id.ingest_ts);
  AppendInt(out, "is_final", id.is_final ? 1 : 0);
  out->append("\"source\":\"").append(SourceName(id.source)).append("\",");
  out->append("\"window_size\":\"").append(WindowSizeName(id.window_size)).append("\",");
  out->append("\"window_step\":\"").append(WindowSizeName(id.window_step)).append("\",");
  AppendTs(out, "window_start", id.window_start);
  AppendTs(out, "window_end", id.window_end);
  AppendInt(out, "version", id.version);
}

void CloseObject(std::string* out) {
  out->back() = '}';
}

}  // namespace

void AppendMicrobarJson(const MicrobarRow& r, std::string* out) {
  AppendIdentity(r.id, out);
  AppendDouble(out, "o", r.o);
  AppendDouble(out, "h", r.h);
  AppendDouble(out, "l", r.l);
  AppendDouble(out, "c", r.c);
  AppendInt(out, "v", r.v);
  AppendDouble(out, "vwap", r.vwap);
  AppendInt(out, "count", r.count);
  CloseObject(out);
}

void AppendSignalJson(const SignalRow& r, std::string* out) {
  AppendIdentity(r.id, out);
  AppendDouble(out, "macd", r.macd);
  AppendDouble(out, "macd_signal", r.macd_signal);
  AppendDouble(out, "macd_hist", r.macd_hist);
  AppendDouble(out, "ema12", r.ema12);
  AppendDouble(out, "ema26", r.ema26);
  AppendDouble(out, "rsi14", r.rsi14);
  AppendDouble(out, "boll_mid", r.boll_mid);
  AppendDouble(out, "boll_upper", r.boll_upper);
  AppendDouble(out, "boll_lower", r.boll_lower);
  AppendDouble(out, "vwap_session", r.vwap_session);
  AppendDouble(out, "vwap_w5m", r.vwap_w5m);
  AppendDouble(out, "imbalance_spread", r.imbalance_spread);
  AppendDouble(out, "imbalance_bid_px", r.imbalance_bid_px);
  AppendDouble(out, "imbalance_ask_px", r.imbalance_ask_px);
  AppendDouble(out, "imbalance_bid_sz", r.imbalance_bid_sz);
  AppendDouble(out, "imbalance_ask_sz", r.imbalance_ask_sz);
  AppendDouble(out, "vol_realized_w60s", r.vol_realized_w60s);
  CloseObject(out);
}

}  // namespace torghut::ta
