// Alpaca's trading API bodies, as its documentation shows them, read into the broker types; the
// order request written; bodies that are not Alpaca's refused as kDataLoss naming the field.
#include "torghut/broker/alpaca/wire.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "torghut/broker/alpaca/config.h"
#include "torghut/broker/alpaca/internal/json_value.h"
#include "torghut/core/time.h"

namespace torghut::broker {
namespace {

using trading::OrderStatus;

Decimal D(std::string_view s) {
  return Decimal::Parse(s).value();
}
int64_t Ms(std::string_view rfc3339) {
  return ParseRfc3339(rfc3339).value().millis();
}

// The sample order object of Alpaca's Orders reference (a notional market order).
constexpr char kDocsOrder[] = R"({
  "id": "61e69015-8549-4bfd-b9c3-01e75843f47d",
  "client_order_id": "eb9e2aaa-f71a-4f51-b5b4-52a6c565dad4",
  "created_at": "2021-03-16T18:38:01.942282Z",
  "updated_at": "2021-03-16T18:38:01.942282Z",
  "submitted_at": "2021-03-16T18:38:01.937734Z",
  "filled_at": null, "expired_at": null, "canceled_at": null, "failed_at": null,
  "replaced_at": null, "replaced_by": null, "replaces": null,
  "asset_id": "b0b6dd9d-8b9b-48a9-ba46-b9d54906e415",
  "symbol": "AAPL", "asset_class": "us_equity",
  "notional": "500", "qty": null, "filled_qty": "0", "filled_avg_price": null,
  "order_class": "", "order_type": "market", "type": "market", "side": "buy",
  "time_in_force": "day", "limit_price": null, "stop_price": null, "status": "accepted",
  "extended_hours": false, "legs": null, "trail_percent": null, "trail_price": null, "hwm": null
})";

// A filled limit order as Torghut sends them (qty and prices as strings, fractional shares).
constexpr char kFilledLimitOrder[] = R"({
  "id": "a8ced16c-bd19-4abc-8442-33bb0488ff8c",
  "client_order_id": "th-0123456789abcdef0123456789abcdef01234567",
  "created_at": "2024-03-22T14:30:00.464983Z",
  "updated_at": "2024-03-22T14:30:00.480000Z",
  "submitted_at": "2024-03-22T14:30:00.470000Z",
  "filled_at": "2024-03-22T14:30:00.476511Z",
  "expired_at": null, "canceled_at": null,
  "symbol": "MSFT", "asset_class": "us_equity", "notional": null,
  "qty": "2.5", "filled_qty": "2.5", "filled_avg_price": "421.355",
  "order_type": "limit", "type": "limit", "side": "sell", "time_in_force": "day",
  "limit_price": "421.30", "stop_price": null, "status": "filled", "extended_hours": false,
  "commission": 0
})";

TEST(AlpacaWireTest, ReadsTheDocumentedOrderObject) {
  Result<BrokerOrder> o = ParseAlpacaOrder(kDocsOrder);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->id, "61e69015-8549-4bfd-b9c3-01e75843f47d");
  EXPECT_EQ(o->client_order_id, "eb9e2aaa-f71a-4f51-b5b4-52a6c565dad4");
  EXPECT_EQ(o->symbol, "AAPL");
  EXPECT_EQ(o->side, trading::Side::kBuy);
  EXPECT_EQ(o->type, trading::OrderType::kMarket);
  EXPECT_EQ(o->time_in_force, trading::TimeInForce::kDay);
  EXPECT_EQ(o->status, OrderStatus::kAccepted);
  EXPECT_EQ(o->qty, Decimal());  // a notional order has no qty
  EXPECT_EQ(o->filled_qty, Decimal());
  EXPECT_FALSE(o->filled_avg_price.has_value());
  EXPECT_FALSE(o->limit_price.has_value());
  EXPECT_EQ(o->created_at, Ms("2021-03-16T18:38:01.942Z"));
  EXPECT_EQ(o->submitted_at, Ms("2021-03-16T18:38:01.937Z"));
  EXPECT_FALSE(o->filled_at.has_value());
  EXPECT_FALSE(o->canceled_at.has_value());
}

TEST(AlpacaWireTest, ReadsAFilledLimitOrderWithExactDecimals) {
  Result<BrokerOrder> o = ParseAlpacaOrder(kFilledLimitOrder);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->side, trading::Side::kSell);
  EXPECT_EQ(o->type, trading::OrderType::kLimit);
  EXPECT_EQ(o->status, OrderStatus::kFilled);
  EXPECT_EQ(o->qty, D("2.5"));
  EXPECT_EQ(o->filled_qty, D("2.5"));
  EXPECT_EQ(o->filled_avg_price, D("421.355"));
  EXPECT_EQ(o->limit_price, D("421.3"));
  EXPECT_EQ(o->filled_at, Ms("2024-03-22T14:30:00.476Z"));
  EXPECT_EQ(o->updated_at, Ms("2024-03-22T14:30:00.480Z"));
}

TEST(AlpacaWireTest, ReadsNumbersFromTheirTextWhetherQuotedOrNot) {
  nlohmann::json j = nlohmann::json::parse(kFilledLimitOrder);
  std::string body = j.dump();
  // A JSON number written by hand keeps its exact text: 0.1 is the decimal 0.1.
  const std::string from = R"("filled_avg_price":"421.355")";
  body.replace(body.find(from), from.size(), R"("filled_avg_price":0.1)");
  Result<BrokerOrder> o = ParseAlpacaOrder(body);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->filled_avg_price, D("0.1"));
}

TEST(AlpacaWireTest, AnOrderThatIsNotAlpacasIsDataLossNamingTheField) {
  struct Case {
    std::string from, to, field;
  };
  const std::vector<Case> cases = {
      {R"("filled_qty": "2.5")", R"("filled_qty": null)", "order.filled_qty: null"},
      {R"("filled_qty": "2.5")", R"("filled_qty": "2.5.1")", "order.filled_qty: '2.5.1'"},
      {R"("side": "sell")", R"("side": "short")", "order.side"},
      {R"("status": "filled")", R"("status": "FILLED")", "order.status"},
      {R"("order_type": "limit", "type": "limit")", R"("type": "stop_limit")", "order.type"},
      {R"("created_at": "2024-03-22T14:30:00.464983Z")", R"("created_at": "yesterday")",
       "order.created_at: 'yesterday' is not an RFC 3339 time"},
      {R"("symbol": "MSFT")", R"("symbol": 7)", "order.symbol: not a string"},
  };
  for (const Case& c : cases) {
    std::string body = kFilledLimitOrder;
    ASSERT_NE(body.find(c.from), std::string::npos) << c.from;
    body.replace(body.find(c.from), c.from.size(), c.to);
    Result<BrokerOrder> o = ParseAlpacaOrder(body);
    ASSERT_FALSE(o.ok()) << c.to;
    EXPECT_EQ(o.status().code(), StatusCode::kDataLoss);
    EXPECT_NE(o.status().message().find(c.field), std::string::npos) << o.status().message();
  }
  EXPECT_EQ(ParseAlpacaOrder("<html>502 Bad Gateway</html>").status().code(),
            StatusCode::kDataLoss);
  EXPECT_EQ(ParseAlpacaOrder(R"({"id":"x"} trailing)").status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(ParseAlpacaOrder("[]").status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(ParseAlpacaOrders("{}").status().code(), StatusCode::kDataLoss);
  // Nesting is bounded.
  EXPECT_EQ(ParseAlpacaOrder(std::string(1000, '[') + std::string(1000, ']')).status().code(),
            StatusCode::kDataLoss);
}

TEST(AlpacaWireTest, ReadsAnOrderListAndNamesTheBadEntry) {
  const std::string list = std::string("[") + kDocsOrder + "," + kFilledLimitOrder + "]";
  Result<std::vector<BrokerOrder>> orders = ParseAlpacaOrders(list);
  ASSERT_TRUE(orders.ok()) << orders.status().ToString();
  ASSERT_EQ(orders->size(), 2u);
  EXPECT_EQ((*orders)[1].symbol, "MSFT");
  EXPECT_TRUE(ParseAlpacaOrders("[]").value().empty());
  Result<std::vector<BrokerOrder>> bad = ParseAlpacaOrders(std::string("[") + kDocsOrder + ",{}]");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("orders[1].id: missing"), std::string::npos)
      << bad.status().message();
}

TEST(AlpacaWireTest, ReadsTheDocumentedAccountRoundingDigitsBeyondNine) {
  // From Alpaca's Trading API reference (Get Account), abridged.
  constexpr char kAccount[] = R"({
    "id": "1d9eed04-be39-4e01-9b84-a48ac5bbafcf", "admin_configurations": {},
    "user_configurations": null, "account_number": "PALPACA_123", "status": "ACTIVE",
    "crypto_status": "ACTIVE", "currency": "USD", "buying_power": "245432.61",
    "regt_buying_power": "245432.61", "daytrading_buying_power": "0", "bod_dtbp": 0,
    "cash": "122086.5", "portfolio_value": "123346.11", "pattern_day_trader": true,
    "trading_blocked": false, "created_at": "2023-01-01T18:20:20.272275Z", "multiplier": "2",
    "equity": "123346.11", "last_equity": "122011.09751111286868",
    "long_market_value": "1259.61", "short_market_value": "0"})";
  Result<Account> a = ParseAlpacaAccount(kAccount);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->account_number, "PALPACA_123");
  EXPECT_EQ(a->status, "ACTIVE");
  EXPECT_EQ(a->equity, D("123346.11"));
  EXPECT_EQ(a->cash, D("122086.5"));
  EXPECT_EQ(a->buying_power, D("245432.61"));
  EXPECT_EQ(a->last_equity, D("122011.097511113"));  // …1112|86868 rounds up
  EXPECT_EQ(
      internal::FieldReader(internal::ParseJson(R"({"x":"-0.0000000005"})").value(), "t").Dec("x"),
      D("-0.000000001"));
  EXPECT_EQ(internal::FieldReader(internal::ParseJson(R"({"x":"1.0000000004999"})").value(), "t")
                .Dec("x"),
            D("1"));
  Result<Account> bad = ParseAlpacaAccount(R"({"account_number":"P","status":"ACTIVE"})");
  EXPECT_EQ(bad.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(bad.status().message().find("account.equity: missing"), std::string::npos);
}

TEST(AlpacaWireTest, ReadsPositionsWithShortsNegative) {
  // Alpaca's GET /v2/positions example, plus a short.
  constexpr char kPositions[] = R"([
    {"asset_id":"4ce9353c-66d1-46c2-898f-fce867ab0247","symbol":"NVDA","exchange":"NASDAQ",
     "asset_class":"us_equity","asset_marginable":true,"qty":"4","avg_entry_price":"826.63",
     "side":"long","market_value":"3706","cost_basis":"3306.52","unrealized_pl":"399.48",
     "unrealized_plpc":"0.1208158426381815","current_price":"926.5","qty_available":"4"},
    {"asset_id":"8ccae427-5dd0-45b3-b5fe-7ba5e422c766","symbol":"TSLA","exchange":"NASDAQ",
     "qty":"-10","avg_entry_price":"201.3075","side":"short","market_value":"-1789.8",
     "unrealized_pl":"223.275"},
    {"symbol":"AMD","qty":"3","avg_entry_price":"150","side":"short","market_value":"-450",
     "unrealized_pl":"0"}])";
  Result<std::vector<BrokerPosition>> p = ParseAlpacaPositions(kPositions);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ(p->size(), 3u);
  EXPECT_EQ((*p)[0].symbol, "NVDA");
  EXPECT_EQ((*p)[0].qty, D("4"));
  EXPECT_EQ((*p)[0].avg_entry_price, D("826.63"));
  EXPECT_EQ((*p)[0].market_value, D("3706"));
  EXPECT_EQ((*p)[0].unrealized_pl, D("399.48"));
  EXPECT_EQ((*p)[1].qty, D("-10"));
  EXPECT_EQ((*p)[1].avg_entry_price, D("201.3075"));
  EXPECT_EQ((*p)[2].qty, D("-3"));  // side short, written positive
  EXPECT_TRUE(ParseAlpacaPositions("[]").value().empty());
}

TEST(AlpacaWireTest, ReadsTheClockWithItsNewYorkOffset) {
  Result<MarketClock> c = ParseAlpacaClock(
      R"({"timestamp":"2024-03-22T16:36:27.528041708-04:00","is_open":false,
          "next_open":"2024-03-25T09:30:00-04:00","next_close":"2024-03-25T16:00:00-04:00"})");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->timestamp, Ms("2024-03-22T20:36:27.528Z"));
  EXPECT_FALSE(c->is_open);
  EXPECT_EQ(c->next_open, Ms("2024-03-25T13:30:00Z"));
  EXPECT_EQ(c->next_close, Ms("2024-03-25T20:00:00Z"));
  EXPECT_EQ(ParseAlpacaClock(R"({"timestamp":"2024-03-22T16:36:27Z","is_open":"false",)"
                             R"("next_open":"2024-03-25T09:30:00-04:00",)"
                             R"("next_close":"2024-03-25T16:00:00-04:00"})")
                .status()
                .code(),
            StatusCode::kDataLoss);
}

TEST(AlpacaWireTest, ReadsCancelAllAndErrors) {
  Result<std::vector<std::string>> ids = ParseAlpacaCancelAll(
      R"([{"id":"d56ba3ea-4ed1-4bd7-b5e0-8e6f4e5c0001","status":200},
          {"id":"d56ba3ea-4ed1-4bd7-b5e0-8e6f4e5c0002","status":500,"body":{"code":50010000}}])");
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  EXPECT_EQ(*ids, (std::vector<std::string>{"d56ba3ea-4ed1-4bd7-b5e0-8e6f4e5c0001",
                                            "d56ba3ea-4ed1-4bd7-b5e0-8e6f4e5c0002"}));

  std::optional<AlpacaError> e =
      ParseAlpacaError(R"({"buying_power":"176531.28","code":40310000,"cost_basis":"48640000",)"
                       R"("message":"insufficient buying power"})");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, 40310000);
  EXPECT_EQ(e->message, "insufficient buying power");
  e = ParseAlpacaError(R"({"message": "forbidden."})");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, 0);
  EXPECT_EQ(e->message, "forbidden.");
  EXPECT_FALSE(ParseAlpacaError("<html>Bad Gateway</html>").has_value());
  EXPECT_FALSE(ParseAlpacaError(R"({"code":40010001})").has_value());
}

TEST(AlpacaWireTest, WritesTheOrderRequestWithStringNumbers) {
  OrderRequest r;
  r.client_order_id = "th-0123456789abcdef0123456789abcdef01234567";
  r.symbol = "AAPL";
  r.side = trading::Side::kBuy;
  r.qty = D("1.5");
  r.type = trading::OrderType::kLimit;
  r.limit_price = D("187.25");
  nlohmann::json j = nlohmann::json::parse(AlpacaOrderRequestJson(r));
  EXPECT_EQ(j, nlohmann::json::parse(R"({"symbol":"AAPL","qty":"1.5","side":"buy",
      "type":"limit","time_in_force":"day","limit_price":"187.25",
      "client_order_id":"th-0123456789abcdef0123456789abcdef01234567"})"));
  EXPECT_TRUE(ValidateOrderRequest(r).ok());

  r.type = trading::OrderType::kMarket;
  EXPECT_EQ(ValidateOrderRequest(r).code(), StatusCode::kInvalidArgument);  // market + limit
  r.limit_price.reset();
  EXPECT_TRUE(ValidateOrderRequest(r).ok());
  EXPECT_FALSE(nlohmann::json::parse(AlpacaOrderRequestJson(r)).contains("limit_price"));
  OrderRequest bad = r;
  bad.client_order_id = std::string(49, 'x');
  EXPECT_EQ(ValidateOrderRequest(bad).code(), StatusCode::kInvalidArgument);
  bad = r;
  bad.client_order_id.clear();
  EXPECT_EQ(ValidateOrderRequest(bad).code(), StatusCode::kInvalidArgument);
  bad = r;
  bad.qty = Decimal();
  EXPECT_EQ(ValidateOrderRequest(bad).code(), StatusCode::kInvalidArgument);
  bad = r;
  bad.type = trading::OrderType::kLimit;
  EXPECT_EQ(ValidateOrderRequest(bad).code(), StatusCode::kInvalidArgument);  // no price
}

TEST(AlpacaConfigTest, ReadsTheEnvironmentAndDerivesTheStreamUrl) {
  ConfigReader cfg(EnvSource::FromMap({{"APCA_API_BASE_URL", "http://127.0.0.1:8089/v2/"},
                                       {"APCA_API_KEY_ID", "PKTESTKEY1234"},
                                       {"APCA_API_SECRET_KEY", "s3cr3t-value-xyz"}}));
  AlpacaConfig c = ReadAlpacaConfig(cfg, true);
  ASSERT_TRUE(cfg.Finish().ok()) << cfg.Finish().ToString();
  EXPECT_EQ(c.base_url, "http://127.0.0.1:8089");
  EXPECT_EQ(c.key_id, "PKTESTKEY1234");
  EXPECT_EQ(c.secret_key, "s3cr3t-value-xyz");
  EXPECT_EQ(TradeUpdatesUrl(c.base_url).value(), "ws://127.0.0.1:8089/stream");
  EXPECT_EQ(TradeUpdatesUrl(kAlpacaPaperUrl).value(), "wss://paper-api.alpaca.markets/stream");
  EXPECT_EQ(TradeUpdatesUrl("ftp://x").status().code(), StatusCode::kInvalidArgument);

  ConfigReader missing(EnvSource::FromMap({{"APCA_API_BASE_URL", "paper-api.alpaca.markets"}}));
  c = ReadAlpacaConfig(missing, true);
  const Status s = missing.Finish();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("APCA_API_BASE_URL"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("APCA_API_KEY_ID"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("APCA_API_SECRET_KEY"), std::string::npos) << s.message();
  ConfigReader defaults(EnvSource::FromMap({}));
  c = ReadAlpacaConfig(defaults, false);
  EXPECT_TRUE(defaults.Finish().ok());
  EXPECT_EQ(c.base_url, kAlpacaPaperUrl);
}

}  // namespace
}  // namespace torghut::broker
