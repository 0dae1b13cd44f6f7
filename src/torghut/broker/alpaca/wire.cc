#include "torghut/broker/alpaca/wire.h"

#include <fmt/format.h>

#include "torghut/broker/alpaca/internal/json_value.h"
#include "torghut/broker/alpaca/internal/order_json.h"
#include "torghut/core/json_text.h"

namespace torghut::broker {

using internal::FieldReader;
using internal::JsonValue;
using internal::ParseJson;

namespace {

constexpr size_t kMaxClientOrderIdLength = 48;  // Alpaca's documented limit

void AppendField(std::string_view key, std::string_view value, std::string* out) {
  if (out->size() > 1) out->push_back(',');
  AppendJsonString(key, out);
  out->push_back(':');
  AppendJsonString(value, out);
}

// Reads an enum member with its trading:: parser (which names the accepted forms).
template <typename E, typename Parse>
E EnumField(FieldReader& f, std::string_view key, const std::string& text, Parse parse,
            E fallback) {
  if (!f.status().ok()) return fallback;
  Result<E> v = parse(text);
  if (!v.ok()) {
    f.Fail(key, v.status().message());
    return fallback;
  }
  return *v;
}

Result<JsonValue> ParseArray(std::string_view json, std::string_view what) {
  TORGHUT_ASSIGN_OR_RETURN(JsonValue doc, ParseJson(json));
  if (!doc.is_array()) return DataLoss(fmt::format("{}: not a JSON array", what));
  return doc;
}

}  // namespace

std::string AlpacaOrderRequestJson(const OrderRequest& r) {
  std::string out = "{";
  AppendField("symbol", r.symbol, &out);
  AppendField("qty", r.qty.ToString(), &out);
  AppendField("side", trading::ToString(r.side), &out);
  AppendField("type", trading::ToString(r.type), &out);
  AppendField("time_in_force", trading::ToString(r.time_in_force), &out);
  if (r.limit_price) AppendField("limit_price", r.limit_price->ToString(), &out);
  AppendField("client_order_id", r.client_order_id, &out);
  out.push_back('}');
  return out;
}

Status ValidateOrderRequest(const OrderRequest& r) {
  if (r.client_order_id.empty()) return InvalidArgument("order without a client_order_id");
  if (r.client_order_id.size() > kMaxClientOrderIdLength) {
    return InvalidArgument(fmt::format("client_order_id '{}' is longer than {} characters",
                                       r.client_order_id, kMaxClientOrderIdLength));
  }
  if (r.symbol.empty()) return InvalidArgument(r.client_order_id + ": order without a symbol");
  if (r.qty <= Decimal()) {
    return InvalidArgument(
        fmt::format("{}: qty must be positive, not {}", r.client_order_id, r.qty.ToString()));
  }
  if (r.type == trading::OrderType::kLimit && (!r.limit_price || *r.limit_price <= Decimal())) {
    return InvalidArgument(r.client_order_id + ": a limit order needs a positive limit_price");
  }
  if (r.type == trading::OrderType::kMarket && r.limit_price) {
    return InvalidArgument(r.client_order_id + ": a market order has no limit_price");
  }
  return Status::Ok();
}

namespace internal {

Result<BrokerOrder> OrderFromJson(const JsonValue& object, const std::string& what) {
  FieldReader f(object, what);
  BrokerOrder o;
  o.id = f.String("id");
  o.client_order_id = f.String("client_order_id");
  o.symbol = f.String("symbol");
  o.side = EnumField(f, "side", f.String("side"), trading::ParseSide, o.side);
  std::optional<std::string> type = f.OptString("type");
  if (!type) type = f.OptString("order_type");
  if (!type && f.status().ok()) f.Fail("type", "missing");
  o.type = EnumField(f, "type", type.value_or(""), trading::ParseOrderType, o.type);
  o.time_in_force = EnumField(f, "time_in_force", f.String("time_in_force"),
                              trading::ParseTimeInForce, o.time_in_force);
  o.status = EnumField(f, "status", f.String("status"), trading::ParseOrderStatus, o.status);
  o.qty = f.OptDec("qty").value_or(Decimal());
  o.filled_qty = f.Dec("filled_qty");
  o.filled_avg_price = f.OptDec("filled_avg_price");
  o.limit_price = f.OptDec("limit_price");
  o.created_at = f.Time("created_at");
  o.updated_at = f.OptTime("updated_at").value_or(o.created_at);
  o.submitted_at = f.OptTime("submitted_at").value_or(o.created_at);
  o.filled_at = f.OptTime("filled_at");
  o.canceled_at = f.OptTime("canceled_at");
  o.expired_at = f.OptTime("expired_at");
  if (!f.status().ok()) return f.status();
  return o;
}

}  // namespace internal

Result<BrokerOrder> ParseAlpacaOrder(std::string_view json) {
  TORGHUT_ASSIGN_OR_RETURN(JsonValue doc, ParseJson(json));
  return internal::OrderFromJson(doc);
}

Result<std::vector<BrokerOrder>> ParseAlpacaOrders(std::string_view json) {
  TORGHUT_ASSIGN_OR_RETURN(JsonValue doc, ParseArray(json, "orders"));
  std::vector<BrokerOrder> out;
  out.reserve(doc.items.size());
  for (size_t i = 0; i < doc.items.size(); ++i) {
    TORGHUT_ASSIGN_OR_RETURN(BrokerOrder o,
                             internal::OrderFromJson(doc.items[i], fmt::format("orders[{}]", i)));
    out.push_back(std::move(o));
  }
  return out;
}

Result<Account> ParseAlpacaAccount(std::string_view json) {
  TORGHUT_ASSIGN_OR_RETURN(JsonValue doc, ParseJson(json));
  FieldReader f(doc, "account");
  Account a;
  a.account_number = f.String("account_number");
  a.status = f.String("status");
  a.equity = f.Dec("equity");
  a.last_equity = f.Dec("last_equity");
  a.cash = f.Dec("cash");
  a.buying_power = f.Dec("buying_power");
  if (!f.status().ok()) return f.status();
  return a;
}

Result<std::vector<BrokerPosition>> ParseAlpacaPositions(std::string_view json) {
  TORGHUT_ASSIGN_OR_RETURN(JsonValue doc, ParseArray(json, "positions"));
  std::vector<BrokerPosition> out;
  out.reserve(doc.items.size());
  for (size_t i = 0; i < doc.items.size(); ++i) {
    FieldReader f(doc.items[i], fmt::format("positions[{}]", i));
    BrokerPosition p;
    p.symbol = f.String("symbol");
    p.qty = f.Dec("qty");
    p.avg_entry_price = f.Dec("avg_entry_price");
    p.market_value = f.OptDec("market_value").value_or(Decimal());
    p.unrealized_pl = f.OptDec("unrealized_pl").value_or(Decimal());
    const std::optional<std::string> side = f.OptString("side");
    if (!f.status().ok()) return f.status();
    if (side == "short" && p.qty > Decimal()) {
      TORGHUT_ASSIGN_OR_RETURN(p.qty, p.qty.Negate());
    }
    out.push_back(std::move(p));
  }
  return out;
}

Result<MarketClock> ParseAlpacaClock(std::string_view json) {
  TORGHUT_ASSIGN_OR_RETURN(JsonValue doc, ParseJson(json));
  FieldReader f(doc, "clock");
  MarketClock c;
  c.timestamp = f.Time("timestamp");
  c.is_open = f.Bool("is_open");
  c.next_open = f.Time("next_open");
  c.next_close = f.Time("next_close");
  if (!f.status().ok()) return f.status();
  return c;
}

Result<std::vector<std::string>> ParseAlpacaCancelAll(std::string_view json) {
  TORGHUT_ASSIGN_OR_RETURN(JsonValue doc, ParseArray(json, "canceled orders"));
  std::vector<std::string> ids;
  ids.reserve(doc.items.size());
  for (size_t i = 0; i < doc.items.size(); ++i) {
    FieldReader f(doc.items[i], fmt::format("canceled orders[{}]", i));
    std::string id = f.String("id");
    if (!f.status().ok()) return f.status();
    ids.push_back(std::move(id));
  }
  return ids;
}

std::optional<AlpacaError> ParseAlpacaError(std::string_view body) {
  Result<JsonValue> doc = ParseJson(body);
  if (!doc.ok() || !doc->is_object()) return std::nullopt;
  const JsonValue* message = doc->Find("message");
  if (message == nullptr || message->type != JsonValue::Type::kString) return std::nullopt;
  AlpacaError e;
  e.message = message->text;
  if (const JsonValue* code = doc->Find("code");
      code != nullptr && code->type == JsonValue::Type::kNumber) {
    int64_t v = 0;
    bool digits = !code->text.empty();
    for (char c : code->text) {
      if (c < '0' || c > '9' || v > (INT64_MAX - 9) / 10) {
        digits = false;
        break;
      }
      v = v * 10 + (c - '0');
    }
    if (digits) e.code = v;
  }
  return e;
}

}  // namespace torghut::broker
