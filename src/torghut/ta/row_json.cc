#include "torghut/ta/row_json.h"

#include <fmt/format.h>
#include <simdjson.h>

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

namespace torghut::ta {
namespace {

// Reads the columns of one row object; remembers the first problem.
class Columns {
 public:
  explicit Columns(std::string_view json) : padded_(json) {
    if (parser_.parse(padded_).get(object_) != simdjson::SUCCESS) {
      status_ = InvalidArgument("TA row is not a JSON object");
    }
  }
  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  std::string_view Str(const char* key) {
    std::string_view v;
    if (ok() && object_[key].get(v) != simdjson::SUCCESS) Fail(key, "a string");
    return v;
  }
  int64_t Int(const char* key) {
    int64_t v = 0;
    if (ok() && object_[key].get(v) != simdjson::SUCCESS) Fail(key, "an integer");
    return v;
  }
  double Double(const char* key) {
    if (!ok()) return kNull;
    simdjson::dom::element e;
    if (object_[key].get(e) != simdjson::SUCCESS) {
      Fail(key, "present");
      return kNull;
    }
    if (e.is_null()) return kNull;
    double v = 0;
    if (e.get(v) != simdjson::SUCCESS) Fail(key, "a number or null");
    return v;
  }
  Timestamp Ts(const char* key) {
    const std::string_view text = Str(key);
    if (!ok()) return Timestamp();
    Result<Timestamp> t = ParseRfc3339(text);
    if (!t.ok()) Fail(key, "an RFC 3339 time");
    return t.value_or(Timestamp());
  }

 private:
  void Fail(const char* key, const char* what) {
    if (ok()) status_ = InvalidArgument(fmt::format("TA row: \"{}\" must be {}", key, what));
  }
  simdjson::dom::parser parser_;
  simdjson::padded_string padded_;
  simdjson::dom::object object_;
  Status status_;
};

Status ReadIdentity(Columns& c, RowIdentity* id) {
  id->symbol = std::string(c.Str("symbol"));
  id->event_ts = c.Ts("event_ts");
  id->seq = c.Int("seq");
  id->ingest_ts = c.Ts("ingest_ts");
  id->is_final = c.Int("is_final") != 0;
  const std::string_view source = c.Str("source");
  const std::string_view window = c.Str("window_size");
  const std::string_view step = c.Str("window_step");
  id->window_start = c.Ts("window_start");
  id->window_end = c.Ts("window_end");
  id->version = c.Int("version");
  if (!c.ok()) return c.status();
  if (!ParseSource(source, &id->source)) return InvalidArgument("TA row: unknown source");
  if (!ParseWindowSize(window, &id->window_size) || !ParseWindowSize(step, &id->window_step)) {
    return InvalidArgument("TA row: unknown window size");
  }
  return Status::Ok();
}

}  // namespace

Status ParseMicrobarJson(std::string_view json, MicrobarRow* r) {
  Columns c(json);
  TORGHUT_RETURN_IF_ERROR(ReadIdentity(c, &r->id));
  r->o = c.Double("o");
  r->h = c.Double("h");
  r->l = c.Double("l");
  r->c = c.Double("c");
  r->v = c.Int("v");
  r->vwap = c.Double("vwap");
  r->count = c.Int("count");
  return c.status();
}

Status ParseSignalJson(std::string_view json, SignalRow* r) {
  Columns c(json);
  TORGHUT_RETURN_IF_ERROR(ReadIdentity(c, &r->id));
  r->macd = c.Double("macd");
  r->macd_signal = c.Double("macd_signal");
  r->macd_hist = c.Double("macd_hist");
  r->ema12 = c.Double("ema12");
  r->ema26 = c.Double("ema26");
  r->rsi14 = c.Double("rsi14");
  r->boll_mid = c.Double("boll_mid");
  r->boll_upper = c.Double("boll_upper");
  r->boll_lower = c.Double("boll_lower");
  r->vwap_session = c.Double("vwap_session");
  r->vwap_w5m = c.Double("vwap_w5m");
  r->imbalance_spread = c.Double("imbalance_spread");
  r->imbalance_bid_px = c.Double("imbalance_bid_px");
  r->imbalance_ask_px = c.Double("imbalance_ask_px");
  r->imbalance_bid_sz = c.Double("imbalance_bid_sz");
  r->imbalance_ask_sz = c.Double("imbalance_ask_sz");
  r->vol_realized_w60s = c.Double("vol_realized_w60s");
  return c.status();
}

}  // namespace torghut::ta
