// The matching engine: one simulated brokerage account that fills orders against the market it is
// shown (SPEC §10 and §11). `torghut sim serve` puts Alpaca's trading API in front of it and
// `torghut backtest` calls it in process; it does no I/O and reads no clock — its time is the time
// of the events it is given.
//
//   TORGHUT_ASSIGN_OR_RETURN(TradingCalendar cal, TradingCalendar::NewYork());
//   broker::MatchingEngineOptions o;
//   o.cash = Decimal::Parse("100000").value();
//   broker::MatchingEngine engine(o, cal);
//   engine.AdvanceTo(Timestamp::FromSeconds(1704205800).millis());   // 2024-01-02 09:30 ET
//   broker::OrderRequest req;
//   req.client_order_id = "th-1";
//   req.symbol = "AAPL";
//   req.qty = Decimal::Parse("10").value();
//   Result<broker::BrokerOrder> order = engine.SubmitOrder(req);     // status new
//   engine.OnTrade("AAPL", Decimal::Parse("187.25").value(), Decimal::Parse("100").value(),
//                  Timestamp::FromSeconds(1704205801).millis());     // fills 10 @ 187.25
//   for (const broker::TradeUpdate& u : engine.TakeEvents()) { /* new, fill */ }
//
// Semantics (every choice is deterministic: the same calls give the same orders, fills, ids and
// events):
// - Time: AdvanceTo and the ts of OnTrade/OnQuote move the engine's clock forward (never back; a
//   late print does not rewind it). An order is submitted at the engine's current time.
// - Market orders fill at the first trade printed at or after their submission, or — when a quote
//   comes first and `fill_at_quotes` — at the touch (the ask for a buy, the bid for a sell).
// - Limit orders fill when a trade crosses the limit (buy: price ≤ limit; sell: price ≥ limit),
//   or a quote's touch does, at that price (the limit or better).
// - Liquidity: one trade (or quote side) fills at most `participation` × its size, shared by the
//   open orders of the symbol in submission order; the rest of an order waits for later prints.
//   Orders in whole shares fill in whole shares.
// - Slippage moves every fill price against the order by `slippage_bps` (never through a limit);
//   commission is `commission_per_share` × shares, taken from cash.
// - time_in_force: `day` orders expire at the first regular close (core/calendar.h, early closes
//   included) after their submission; `gtc` never expires; `ioc` fills what the first print after
//   submission allows and cancels the rest; `fok` fills whole on that print or is canceled. `opg`
//   and `cls` are refused.
// - The account is cash-like (1×): buying power = equity − gross position value − the notional
//   reserved by open orders that buy (priced at their limit, else at the symbol's last trade,
//   else its ask) or open shorts (the open sells beyond the long position, at the last trade, else
//   the bid). For a long-only account that is cash − open buy notional; a short's proceeds sit in
//   cash and as much again is held as collateral.
// - Validation (Status code → Alpaca's HTTP status): kInvalidArgument (422) for qty ≤ 0, a missing
//   or needless limit price, an unsupported time_in_force, a client_order_id over 48 characters or
//   used before; kFailedPrecondition (403) for a sell beyond the shares available when shorting is
//   off ("insufficient qty available for order (requested: 5, available: 0)") and for insufficient
//   buying power. A market buy submitted before any price of its symbol is known is checked when
//   it would fill: unaffordable then, it is `rejected` (or, after a partial fill, its rest is
//   canceled).
// - Positions: average entry price by average cost (adding to a position re-averages, reducing
//   keeps it, crossing zero starts the new side at the fill price).
// Not thread-safe: one thread, or a lock around it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "torghut/broker/broker.h"
#include "torghut/core/calendar.h"
#include "torghut/core/decimal.h"
#include "torghut/core/status.h"

namespace torghut::broker {

struct MatchingEngineOptions {
  Decimal cash = Decimal::FromUnits(100'000 * Decimal::kOne);
  bool allow_shorts = false;
  // The share of a print's size that open orders may take, in (0, 1].
  Decimal participation = Decimal::FromUnits(Decimal::kOne);
  bool fill_at_quotes = true;
  Decimal commission_per_share;  // ≥ 0
  Decimal slippage_bps;          // ≥ 0
  // Mixed into every order, execution and generated client order id, so that two runs of a
  // simulator against one store do not reuse ids (a backtest keeps 0: byte-identical reports).
  uint64_t id_namespace = 0;
  std::string account_number = "SIM00000001";
};

// InvalidArgument naming the bad option.
Status ValidateMatchingEngineOptions(const MatchingEngineOptions& options);

class MatchingEngine final : public Broker {
 public:
  // Precondition: ValidateMatchingEngineOptions(options).ok().
  MatchingEngine(MatchingEngineOptions options, TradingCalendar calendar);

  // ---- the market ----
  // Moves the clock to `now` (if later): day orders whose close has come expire.
  void AdvanceTo(EpochMillis now);
  void OnTrade(std::string_view symbol, Decimal price, Decimal size, EpochMillis ts);
  void OnQuote(std::string_view symbol, Decimal bid, Decimal ask, Decimal bid_size,
               Decimal ask_size, EpochMillis ts);

  // Every state change since the last call, in order: new, partial_fill, fill, canceled, expired,
  // rejected (a TradeUpdate each, the order as it is after the event).
  std::vector<TradeUpdate> TakeEvents();
  EpochMillis now() const { return now_; }
  // The last trade price of `symbol`, if any.
  std::optional<Decimal> LastPrice(std::string_view symbol) const;
  // Positions by symbol (non-zero quantities only), sorted.
  std::vector<BrokerPosition> Positions() const;
  // Closes (part of) a position with a market order: all of it, or `qty` shares of it.
  // NotFound when there is no position; errors as SubmitOrder otherwise.
  Result<BrokerOrder> ClosePosition(std::string_view symbol, std::optional<Decimal> qty);
  size_t open_orders() const;
  // Shares of `symbol` held long and not promised to open sell orders.
  Decimal SellableQty(std::string_view symbol) const;
  int64_t fills() const { return fills_; }

  // An order submitted at `at` (at most the engine's clock): it fills at its symbol's prints of
  // time ≥ `at` given after this call. For a driver whose symbols are not in step — a backtest fed
  // symbol by symbol by the input merge, where the clock is the newest of every symbol's time —
  // an order is placed at its own symbol's time, not at another symbol's later one.
  Result<BrokerOrder> SubmitOrderAt(const OrderRequest& request, EpochMillis at);

  // ---- Broker ----
  std::string_view name() const override { return "matching-engine"; }
  // SubmitOrderAt(request, now()).
  Result<BrokerOrder> SubmitOrder(const OrderRequest& request) override;
  Result<std::optional<BrokerOrder>> GetOrderByClientOrderId(
      std::string_view client_order_id) override;
  Result<BrokerOrder> GetOrder(std::string_view order_id) override;
  Result<std::vector<BrokerOrder>> ListOrders(const OrderQuery& query) override;
  Status CancelOrder(std::string_view order_id) override;
  Result<std::vector<std::string>> CancelAllOrders() override;
  Result<Account> GetAccount() override;
  Result<std::vector<BrokerPosition>> ListPositions() override;
  Result<MarketClock> GetClock() override;

 private:
  struct Order {
    BrokerOrder o;
    uint64_t seq = 0;
    Decimal filled_notional;  // Σ fill qty × price
    std::optional<EpochMillis> expires_at;
    bool whole_shares = true;  // qty is a whole number: fills are too
  };
  struct Position {
    Decimal qty;  // negative when short
    Decimal avg_entry_price;
  };
  struct Book {  // what the engine knows of one symbol
    std::optional<Decimal> last, bid, ask;
    EpochMillis last_ts = 0;
    std::vector<uint64_t> open;  // open orders, in submission order
    // What the open orders still want, kept as they change (buying power is O(symbols)):
    Decimal limit_buy_notional;  // Σ remaining × limit of limit buys
    Decimal market_buy_qty;      // Σ remaining of market buys
    Decimal sell_qty;            // Σ remaining of sells
  };

  Order* Find(std::string_view order_id);
  std::string NewId(uint32_t kind, uint64_t seq) const;
  Status Validate(const OrderRequest& r) const;
  // The price an open order is priced at for buying power: its limit, else the last trade, else
  // the ask (nullopt when nothing is known).
  std::optional<Decimal> ReferencePrice(const Order& order) const;
  // Adds (or removes) `qty` of `order` to (from) its book's open totals.
  void Track(const Order& order, Decimal qty, bool add);
  // Notional reserved by open orders that buy or open shorts; `except` (a buy) is left out.
  Result<Decimal> Reserved(uint64_t except = UINT64_MAX) const;
  Result<Decimal> GrossPositionValue() const;
  Result<Decimal> Equity() const;
  Result<Decimal> BuyingPower(uint64_t except = UINT64_MAX) const;
  // One print (trade or quote side) on `symbol` at `price` with `size` shares available.
  // `side`: the orders it can fill (nullopt: both, a trade).
  void Match(std::string_view symbol, Decimal price, Decimal size, EpochMillis ts,
             std::optional<trading::Side> side);
  // Fills `qty` of `order` at `price`; false (nothing changed) when a buy is unaffordable.
  bool Fill(Order& order, Decimal qty, Decimal price, EpochMillis ts);
  // Ends an open order: canceled, expired or rejected.
  void Finish(Order& order, trading::OrderStatus status, EpochMillis ts);
  void Emit(std::string event, const Order& order, EpochMillis ts);
  void CloseOpen(Order& order);  // removes it from its book's open list and the expiry queue
  std::optional<EpochMillis> DayExpiry(EpochMillis submitted) const;

  MatchingEngineOptions options_;
  TradingCalendar calendar_;
  Decimal cash_;
  Decimal last_equity_;
  EpochMillis now_ = 0;
  std::optional<EpochMillis> next_close_;  // the next regular close (for last_equity)
  uint64_t next_seq_ = 1;
  uint64_t next_execution_ = 1;
  int64_t fills_ = 0;
  std::vector<Order> orders_;  // by seq − 1
  std::map<std::string, uint64_t, std::less<>> by_id_, by_client_id_;
  std::map<std::string, Book, std::less<>> books_;
  std::map<std::string, Position, std::less<>> positions_;
  std::set<std::pair<EpochMillis, uint64_t>> expiries_;  // (expires_at, seq) of open day orders
  std::vector<TradeUpdate> events_;
};

}  // namespace torghut::broker
