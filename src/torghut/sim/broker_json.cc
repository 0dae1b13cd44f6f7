#include "torghut/sim/broker_json.h"

#include <fmt/format.h>

#include <map>
#include <optional>

#include "torghut/core/time.h"

namespace torghut::sim {

namespace {

Json Str(const Decimal& d) {
  return d.ToString();
}
Json OptStr(const std::optional<Decimal>& d) {
  return d ? Json(d->ToString()) : Json(nullptr);
}
Json OptTime(const std::optional<broker::EpochMillis>& t) {
  return t ? Json(Rfc3339Millis(*t)) : Json(nullptr);
}

// The top-level members of a JSON object as text: strings as themselves, numbers as the digits
// written (so "qty": 1.10 is exactly 1.10), booleans as "true"/"false"; nested values are marked
// and skipped. nlohmann's SAX interface hands numbers over with their original text.
struct FlatObject {
  struct Value {
    enum Kind { kString, kNumber, kBool, kNull, kNested } kind = kNull;
    std::string text;
  };
  std::map<std::string, Value, std::less<>> members;
  int depth = 0;
  bool object = false;  // the document is an object
  std::string current_key;

  void Set(Value::Kind kind, std::string text) {
    if (depth == 1) members[current_key] = Value{kind, std::move(text)};
  }
  bool null() {
    Set(Value::kNull, "");
    return true;
  }
  bool boolean(bool v) {
    Set(Value::kBool, v ? "true" : "false");
    return true;
  }
  bool number_integer(int64_t v) {
    Set(Value::kNumber, std::to_string(v));
    return true;
  }
  bool number_unsigned(uint64_t v) {
    Set(Value::kNumber, std::to_string(v));
    return true;
  }
  bool number_float(double, const std::string& text) {
    Set(Value::kNumber, text);
    return true;
  }
  bool string(std::string& v) {
    Set(Value::kString, v);
    return true;
  }
  bool binary(nlohmann::json::binary_t&) { return true; }
  bool start_object(size_t) {
    if (depth == 0) object = true;
    if (depth == 1) Set(Value::kNested, "");
    ++depth;
    return true;
  }
  bool key(std::string& k) {
    if (depth == 1) current_key = k;
    return true;
  }
  bool end_object() {
    --depth;
    return true;
  }
  bool start_array(size_t) {
    if (depth == 0) return false;  // not an object
    if (depth == 1) Set(Value::kNested, "");
    ++depth;
    return true;
  }
  bool end_array() {
    --depth;
    return true;
  }
  bool parse_error(size_t, const std::string&, const nlohmann::detail::exception&) { return false; }
};

}  // namespace

http::Response AlpacaError(int status, int code, std::string_view message) {
  Json j;
  j["code"] = code;
  j["message"] = std::string(message);
  return http::Response::Json(status, j.dump());
}

std::string AssetId(std::string_view symbol) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (unsigned char c : symbol) h = (h ^ c) * 1099511628211ull;
  return fmt::format("{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}", h >> 32, (h >> 16) & 0xffff,
                     (h >> 4) & 0xfff, h & 0xfff, (h * 31) & 0xffffffffffffull);
}

std::string Rfc3339Millis(broker::EpochMillis ms) {
  return FormatRfc3339(Timestamp::FromMillis(ms));
}

Json OrderJson(const broker::BrokerOrder& o) {
  Json j;
  j["id"] = o.id;
  j["client_order_id"] = o.client_order_id;
  j["created_at"] = Rfc3339Millis(o.created_at);
  j["updated_at"] = Rfc3339Millis(o.updated_at);
  j["submitted_at"] = Rfc3339Millis(o.submitted_at);
  j["filled_at"] = OptTime(o.filled_at);
  j["expired_at"] = OptTime(o.expired_at);
  j["canceled_at"] = OptTime(o.canceled_at);
  j["failed_at"] = o.status == trading::OrderStatus::kRejected ? Json(Rfc3339Millis(o.updated_at))
                                                               : Json(nullptr);
  j["replaced_at"] = nullptr;
  j["replaced_by"] = nullptr;
  j["replaces"] = nullptr;
  j["asset_id"] = AssetId(o.symbol);
  j["symbol"] = o.symbol;
  j["asset_class"] = "us_equity";
  j["notional"] = nullptr;
  j["qty"] = Str(o.qty);
  j["filled_qty"] = Str(o.filled_qty);
  j["filled_avg_price"] = OptStr(o.filled_avg_price);
  j["order_class"] = "";
  j["order_type"] = std::string(trading::ToString(o.type));
  j["type"] = std::string(trading::ToString(o.type));
  j["side"] = std::string(trading::ToString(o.side));
  j["time_in_force"] = std::string(trading::ToString(o.time_in_force));
  j["limit_price"] = OptStr(o.limit_price);
  j["stop_price"] = nullptr;
  j["status"] = std::string(trading::ToString(o.status));
  j["extended_hours"] = false;
  j["legs"] = nullptr;
  j["trail_percent"] = nullptr;
  j["trail_price"] = nullptr;
  j["hwm"] = nullptr;
  return j;
}

Json AccountJson(const broker::Account& a, const AccountExtras& x) {
  Json j;
  j["id"] = AssetId("account:" + a.account_number);
  j["account_number"] = a.account_number;
  j["status"] = a.status;
  j["crypto_status"] = "INACTIVE";
  j["currency"] = "USD";
  j["buying_power"] = Str(a.buying_power);
  j["regt_buying_power"] = Str(a.buying_power);
  j["daytrading_buying_power"] = "0";
  j["effective_buying_power"] = Str(a.buying_power);
  j["non_marginable_buying_power"] = Str(a.buying_power);
  j["cash"] = Str(a.cash);
  j["accrued_fees"] = "0";
  j["pending_transfer_in"] = "0";
  j["portfolio_value"] = Str(a.equity);
  j["pattern_day_trader"] = false;
  j["trading_blocked"] = false;
  j["transfers_blocked"] = false;
  j["account_blocked"] = false;
  j["created_at"] = Rfc3339Millis(x.created_at);
  j["trade_suspended_by_user"] = false;
  j["multiplier"] = "1";
  j["shorting_enabled"] = x.shorting_enabled;
  j["equity"] = Str(a.equity);
  j["last_equity"] = Str(a.last_equity);
  j["long_market_value"] = Str(x.long_market_value);
  j["short_market_value"] = Str(x.short_market_value);
  j["position_market_value"] =
      Str(x.long_market_value.Sub(x.short_market_value).value_or(Decimal()));
  j["initial_margin"] = "0";
  j["maintenance_margin"] = "0";
  j["last_maintenance_margin"] = "0";
  j["sma"] = "0";
  j["daytrade_count"] = 0;
  j["balance_asof"] = Rfc3339Millis(x.now).substr(0, 10);
  return j;
}

Json PositionJson(const broker::BrokerPosition& p, Decimal qty_available, Decimal last) {
  const Decimal cost_basis = p.qty.Mul(p.avg_entry_price).value_or(Decimal());
  Json plpc = "0";
  if (!cost_basis.is_zero()) {
    plpc = Str(p.unrealized_pl.Div(cost_basis.Abs())
                   .value_or(Decimal())
                   .RoundTo(6, RoundingMode::kHalfEven));
  }
  Json j;
  j["asset_id"] = AssetId(p.symbol);
  j["symbol"] = p.symbol;
  j["exchange"] = "NASDAQ";
  j["asset_class"] = "us_equity";
  j["asset_marginable"] = false;
  j["qty"] = Str(p.qty);
  j["qty_available"] = Str(qty_available);
  j["avg_entry_price"] = Str(p.avg_entry_price);
  j["side"] = p.qty.is_negative() ? "short" : "long";
  j["market_value"] = Str(p.market_value);
  j["cost_basis"] = Str(cost_basis);
  j["unrealized_pl"] = Str(p.unrealized_pl);
  j["unrealized_plpc"] = plpc;
  j["unrealized_intraday_pl"] = Str(p.unrealized_pl);
  j["unrealized_intraday_plpc"] = plpc;
  j["current_price"] = Str(last);
  j["lastday_price"] = Str(last);
  j["change_today"] = "0";
  return j;
}

Json ClockJson(const broker::MarketClock& c) {
  Json j;
  j["timestamp"] = Rfc3339Millis(c.timestamp);
  j["is_open"] = c.is_open;
  j["next_open"] = Rfc3339Millis(c.next_open);
  j["next_close"] = Rfc3339Millis(c.next_close);
  return j;
}

Json AssetJson(std::string_view symbol, bool shortable) {
  Json j;
  j["id"] = AssetId(symbol);
  j["class"] = "us_equity";
  j["exchange"] = "NASDAQ";
  j["symbol"] = std::string(symbol);
  j["name"] = std::string(symbol) + " (simulated)";
  j["status"] = "active";
  j["tradable"] = true;
  j["marginable"] = false;
  j["maintenance_margin_requirement"] = 100;
  j["shortable"] = shortable;
  j["easy_to_borrow"] = shortable;
  j["fractionable"] = true;
  j["attributes"] = Json::array();
  return j;
}

Json TradeUpdateJson(const broker::TradeUpdate& u) {
  Json data;
  data["event"] = u.event;
  if (!u.execution_id.empty()) data["execution_id"] = u.execution_id;
  data["order"] = OrderJson(u.order);
  data["timestamp"] = Rfc3339Millis(u.timestamp);
  if (u.price) data["price"] = Str(*u.price);
  if (u.qty) data["qty"] = Str(*u.qty);
  if (u.position_qty) data["position_qty"] = Str(*u.position_qty);
  Json j;
  j["stream"] = "trade_updates";
  j["data"] = std::move(data);
  return j;
}

Result<broker::OrderRequest> ParseOrderBody(std::string_view body) {
  FlatObject f;
  if (!nlohmann::json::sax_parse(body, &f) || !f.object) {
    return InvalidArgument(std::string(kBadBody));
  }
  auto text = [&](std::string_view k) -> std::optional<FlatObject::Value> {
    auto it = f.members.find(k);
    if (it == f.members.end() || it->second.kind == FlatObject::Value::kNull) return std::nullopt;
    return it->second;
  };
  auto decimal = [&](std::string_view k) -> Result<std::optional<Decimal>> {
    auto v = text(k);
    if (!v) return std::optional<Decimal>();
    if (v->kind != FlatObject::Value::kString && v->kind != FlatObject::Value::kNumber) {
      return InvalidArgument(fmt::format("invalid {}", k));
    }
    Result<Decimal> d = Decimal::Parse(v->text);
    if (!d.ok()) return InvalidArgument(fmt::format("invalid {}", k));
    return std::optional<Decimal>(*d);
  };
  broker::OrderRequest r;
  auto symbol = text("symbol");
  if (!symbol || symbol->kind != FlatObject::Value::kString || symbol->text.empty()) {
    return InvalidArgument("symbol is required");
  }
  r.symbol = symbol->text;
  if (text("notional")) return InvalidArgument("notional orders are not supported");
  TORGHUT_ASSIGN_OR_RETURN(std::optional<Decimal> qty, decimal("qty"));
  if (!qty) return InvalidArgument("qty is required");
  r.qty = *qty;
  auto side = text("side");
  if (!side) return InvalidArgument("side is required");
  Result<trading::Side> s = trading::ParseSide(side->text);
  if (!s.ok()) return InvalidArgument("side must be buy or sell");
  r.side = *s;
  auto type = text("type");
  if (!type) type = text("order_type");
  if (!type) return InvalidArgument("type is required");
  Result<trading::OrderType> t = trading::ParseOrderType(type->text);
  if (!t.ok()) return InvalidArgument(fmt::format("order type {} is not supported", type->text));
  r.type = *t;
  auto tif = text("time_in_force");
  if (!tif) return InvalidArgument("time_in_force is required");
  Result<trading::TimeInForce> tf = trading::ParseTimeInForce(tif->text);
  if (!tf.ok()) return InvalidArgument("invalid time_in_force");
  r.time_in_force = *tf;
  TORGHUT_ASSIGN_OR_RETURN(r.limit_price, decimal("limit_price"));
  if (text("stop_price")) return InvalidArgument("stop orders are not supported");
  if (auto c = text("order_class"); c && c->text != "" && c->text != "simple") {
    return InvalidArgument(fmt::format("order_class {} is not supported", c->text));
  }
  if (auto cid = text("client_order_id")) {
    if (cid->kind != FlatObject::Value::kString) return InvalidArgument("invalid client_order_id");
    r.client_order_id = cid->text;
  }
  return r;
}

}  // namespace torghut::sim
