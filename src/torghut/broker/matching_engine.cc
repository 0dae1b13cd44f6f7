#include "torghut/broker/matching_engine.h"

#include <fmt/format.h>

#include <algorithm>

namespace torghut::broker {

namespace {

using trading::OrderStatus;
using trading::OrderType;
using trading::Side;
using trading::TimeInForce;

constexpr size_t kMaxClientOrderId = 48;
// Kinds of generated ids (the fourth group of the UUID-shaped id).
constexpr uint32_t kOrderId = 1, kClientOrderId = 3;  // 2: executions (the fills file)

Decimal Bps(Decimal bps) {  // bps / 10000
  return bps.Div(Decimal::FromUnits(10'000 * Decimal::kOne)).value();
}

bool IsWhole(Decimal d) {
  return d.units() % Decimal::kOne == 0;
}

bool IsOpen(OrderStatus s) {
  return s == OrderStatus::kNew || s == OrderStatus::kPartiallyFilled;
}

}  // namespace

Status ValidateMatchingEngineOptions(const MatchingEngineOptions& o) {
  if (o.cash.is_negative()) return InvalidArgument("cash must be ≥ 0");
  if (!(o.participation > Decimal()) || o.participation > Decimal::FromUnits(Decimal::kOne)) {
    return InvalidArgument("participation must be in (0, 1]");
  }
  if (o.commission_per_share.is_negative()) {
    return InvalidArgument("commission per share must be ≥ 0");
  }
  if (o.slippage_bps.is_negative() ||
      o.slippage_bps >= Decimal::FromUnits(10'000 * Decimal::kOne)) {
    return InvalidArgument("slippage must be in [0, 10000) bps");
  }
  return Status::Ok();
}

MatchingEngine::MatchingEngine(MatchingEngineOptions options, TradingCalendar calendar)
    : options_(std::move(options)),
      calendar_(std::move(calendar)),
      cash_(options_.cash),
      last_equity_(options_.cash) {}

std::string MatchingEngine::NewId(uint32_t kind, uint64_t seq) const {
  const uint64_t ns = options_.id_namespace;
  return fmt::format("{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}", ns >> 32, (ns >> 16) & 0xffff,
                     ns & 0xfff, 0x8000 | kind, seq);
}

MatchingEngine::Order* MatchingEngine::Find(std::string_view order_id) {
  auto it = by_id_.find(order_id);
  return it == by_id_.end() ? nullptr : &orders_[it->second - 1];
}

std::optional<Decimal> MatchingEngine::LastPrice(std::string_view symbol) const {
  auto it = books_.find(symbol);
  if (it == books_.end()) return std::nullopt;
  return it->second.last;
}

// ---- time ----

std::optional<EpochMillis> MatchingEngine::DayExpiry(EpochMillis submitted) const {
  const Timestamp t = Timestamp::FromMillis(submitted);
  if (auto s = calendar_.SessionAt(t); s && t < s->regular_close) return s->regular_close.millis();
  if (auto s = calendar_.SessionAt(calendar_.NextSessionStartAfter(t))) {
    return s->regular_close.millis();
  }
  return std::nullopt;
}

void MatchingEngine::AdvanceTo(EpochMillis now) {
  if (now < now_) return;
  now_ = now;
  while (!expiries_.empty() && expiries_.begin()->first <= now_) {
    const auto [at, seq] = *expiries_.begin();
    Finish(orders_[seq - 1], OrderStatus::kExpired, at);
  }
  if (!next_close_ || now_ >= *next_close_) {
    if (next_close_) {
      if (auto e = Equity(); e.ok()) last_equity_ = *e;
    }
    next_close_ = DayExpiry(now_);
  }
}

// ---- account arithmetic ----

std::optional<Decimal> MatchingEngine::ReferencePrice(const Order& order) const {
  if (order.o.limit_price) return order.o.limit_price;
  auto it = books_.find(order.o.symbol);
  if (it == books_.end()) return std::nullopt;
  if (it->second.last) return it->second.last;
  return order.o.side == Side::kBuy ? it->second.ask : it->second.bid;
}

void MatchingEngine::Track(const Order& order, Decimal qty, bool add) {
  Book& b = books_[order.o.symbol];
  auto adjust = [add](Decimal* total, Decimal delta) {
    *total = (add ? total->Add(delta) : total->Sub(delta)).value_or(*total);
  };
  if (order.o.side == Side::kSell) {
    adjust(&b.sell_qty, qty);
  } else if (order.o.limit_price) {
    adjust(&b.limit_buy_notional, qty.Mul(*order.o.limit_price).value_or(Decimal()));
  } else {
    adjust(&b.market_buy_qty, qty);
  }
}

Result<Decimal> MatchingEngine::Reserved(uint64_t except) const {
  Decimal total;
  for (const auto& [symbol, book] : books_) {
    TORGHUT_ASSIGN_OR_RETURN(total, total.Add(book.limit_buy_notional));
    const std::optional<Decimal> buy_ref = book.last ? book.last : book.ask;
    if (!book.market_buy_qty.is_zero() && buy_ref) {
      TORGHUT_ASSIGN_OR_RETURN(Decimal notional, book.market_buy_qty.Mul(*buy_ref));
      TORGHUT_ASSIGN_OR_RETURN(total, total.Add(notional));
    }
    if (book.sell_qty.is_zero()) continue;
    // Sells beyond the long position open shorts.
    auto pos = positions_.find(symbol);
    const Decimal held = pos == positions_.end() ? Decimal() : std::max(pos->second.qty, Decimal());
    const std::optional<Decimal> sell_ref = book.last ? book.last : book.bid;
    if (book.sell_qty > held && sell_ref) {
      TORGHUT_ASSIGN_OR_RETURN(Decimal shorts, book.sell_qty.Sub(held));
      TORGHUT_ASSIGN_OR_RETURN(Decimal notional, shorts.Mul(*sell_ref));
      TORGHUT_ASSIGN_OR_RETURN(total, total.Add(notional));
    }
  }
  if (except != UINT64_MAX) {
    const Order& order = orders_[except - 1];
    const std::optional<Decimal> price = ReferencePrice(order);
    if (order.o.side == Side::kBuy && IsOpen(order.o.status) && price) {
      TORGHUT_ASSIGN_OR_RETURN(Decimal remaining, order.o.qty.Sub(order.o.filled_qty));
      TORGHUT_ASSIGN_OR_RETURN(Decimal own, remaining.Mul(*price));
      TORGHUT_ASSIGN_OR_RETURN(total, total.Sub(own));
    }
  }
  return std::max(total, Decimal());
}

Result<Decimal> MatchingEngine::GrossPositionValue() const {
  Decimal gross;
  for (const auto& [symbol, p] : positions_) {
    auto book = books_.find(symbol);
    const Decimal price =
        book != books_.end() && book->second.last ? *book->second.last : p.avg_entry_price;
    TORGHUT_ASSIGN_OR_RETURN(Decimal value, p.qty.Abs().Mul(price));
    TORGHUT_ASSIGN_OR_RETURN(gross, gross.Add(value));
  }
  return gross;
}

Result<Decimal> MatchingEngine::Equity() const {
  Decimal equity = cash_;
  for (const auto& [symbol, p] : positions_) {
    auto book = books_.find(symbol);
    const Decimal price =
        book != books_.end() && book->second.last ? *book->second.last : p.avg_entry_price;
    TORGHUT_ASSIGN_OR_RETURN(Decimal value, p.qty.Mul(price));
    TORGHUT_ASSIGN_OR_RETURN(equity, equity.Add(value));
  }
  return equity;
}

Result<Decimal> MatchingEngine::BuyingPower(uint64_t except) const {
  TORGHUT_ASSIGN_OR_RETURN(Decimal equity, Equity());
  TORGHUT_ASSIGN_OR_RETURN(Decimal gross, GrossPositionValue());
  TORGHUT_ASSIGN_OR_RETURN(Decimal reserved, Reserved(except));
  TORGHUT_ASSIGN_OR_RETURN(Decimal bp, equity.Sub(gross));
  TORGHUT_ASSIGN_OR_RETURN(bp, bp.Sub(reserved));
  return std::max(bp, Decimal());
}

Decimal MatchingEngine::SellableQty(std::string_view symbol) const {
  auto pos = positions_.find(symbol);
  const Decimal held = pos == positions_.end() ? Decimal() : std::max(pos->second.qty, Decimal());
  auto book = books_.find(symbol);
  if (book == books_.end()) return held;
  return std::max(held.Sub(book->second.sell_qty).value_or(Decimal()), Decimal());
}

// ---- orders ----

Status MatchingEngine::Validate(const OrderRequest& r) const {
  if (r.symbol.empty()) return InvalidArgument("symbol is required");
  if (!(r.qty > Decimal())) return InvalidArgument("qty must be > 0");
  if (r.type == OrderType::kLimit) {
    if (!r.limit_price) return InvalidArgument("limit_price is required for limit orders");
    if (!(*r.limit_price > Decimal())) return InvalidArgument("limit_price must be > 0");
  } else if (r.limit_price) {
    return InvalidArgument("limit_price is only for limit orders");
  }
  if (r.time_in_force == TimeInForce::kOpg || r.time_in_force == TimeInForce::kCls) {
    return InvalidArgument(
        fmt::format("time_in_force {} is not supported", trading::ToString(r.time_in_force)));
  }
  if (r.client_order_id.size() > kMaxClientOrderId) {
    return InvalidArgument("client_order_id must be no more than 48 characters");
  }
  if (by_client_id_.count(r.client_order_id) != 0) {
    return InvalidArgument("client_order_id must be unique");
  }
  return Status::Ok();
}

Result<BrokerOrder> MatchingEngine::SubmitOrder(const OrderRequest& request) {
  return SubmitOrderAt(request, now_);
}

Result<BrokerOrder> MatchingEngine::SubmitOrderAt(const OrderRequest& request, EpochMillis at) {
  const EpochMillis now = std::min(at, now_);
  OrderRequest r = request;
  const uint64_t seq = next_seq_;
  if (r.client_order_id.empty()) r.client_order_id = NewId(kClientOrderId, seq);
  TORGHUT_RETURN_IF_ERROR(Validate(r));
  Order order;
  order.seq = seq;
  order.whole_shares = IsWhole(r.qty);
  BrokerOrder& o = order.o;
  o.id = NewId(kOrderId, seq);
  o.client_order_id = r.client_order_id;
  o.symbol = r.symbol;
  o.side = r.side;
  o.type = r.type;
  o.time_in_force = r.time_in_force;
  o.qty = r.qty;
  o.limit_price = r.limit_price;
  o.status = OrderStatus::kNew;
  o.created_at = o.updated_at = o.submitted_at = now;
  Decimal exposing = r.qty;
  if (r.side == Side::kSell) {
    const Decimal sellable = SellableQty(r.symbol);
    if (r.qty > sellable && !options_.allow_shorts) {
      return FailedPrecondition(
          fmt::format("insufficient qty available for order (requested: {}, available: {})",
                      r.qty.ToString(), sellable.ToString()));
    }
    exposing = r.qty > sellable ? r.qty.Sub(sellable).value() : Decimal();
  }
  if (!exposing.is_zero()) {
    std::optional<Decimal> price = ReferencePrice(order);
    if (price) {
      if (!r.limit_price && r.side == Side::kBuy) {
        TORGHUT_ASSIGN_OR_RETURN(Decimal slip, price->Mul(Bps(options_.slippage_bps)));
        TORGHUT_ASSIGN_OR_RETURN(price, price->Add(slip));
      }
      Result<Decimal> notional = exposing.Mul(*price);
      if (!notional.ok()) return InvalidArgument("order notional out of range");
      TORGHUT_ASSIGN_OR_RETURN(Decimal bp, BuyingPower());
      if (*notional > bp) return FailedPrecondition("insufficient buying power");
    }
  }
  if (r.time_in_force == TimeInForce::kDay) order.expires_at = DayExpiry(now);
  ++next_seq_;
  by_id_[o.id] = seq;
  by_client_id_[o.client_order_id] = seq;
  books_[o.symbol].open.push_back(seq);
  if (order.expires_at) expiries_.emplace(*order.expires_at, seq);
  orders_.push_back(std::move(order));
  Track(orders_.back(), r.qty, /*add=*/true);
  Emit("new", orders_.back(), now);
  return orders_.back().o;
}

void MatchingEngine::CloseOpen(Order& order) {
  auto& open = books_[order.o.symbol].open;
  open.erase(std::remove(open.begin(), open.end(), order.seq), open.end());
  if (order.expires_at) expiries_.erase({*order.expires_at, order.seq});
}

void MatchingEngine::Finish(Order& order, OrderStatus status, EpochMillis ts) {
  if (!IsOpen(order.o.status)) return;
  CloseOpen(order);
  Track(order, order.o.qty.Sub(order.o.filled_qty).value_or(Decimal()), /*add=*/false);
  order.o.status = status;
  order.o.updated_at = ts;
  if (status == OrderStatus::kCanceled) order.o.canceled_at = ts;
  if (status == OrderStatus::kExpired) order.o.expired_at = ts;
  Emit(std::string(trading::ToString(status)), order, ts);
}

void MatchingEngine::Emit(std::string event, const Order& order, EpochMillis ts) {
  TradeUpdate u;
  u.event = std::move(event);
  u.timestamp = ts;
  u.order = order.o;
  events_.push_back(std::move(u));
}

std::vector<TradeUpdate> MatchingEngine::TakeEvents() {
  std::vector<TradeUpdate> out;
  out.swap(events_);
  return out;
}

Result<std::optional<BrokerOrder>> MatchingEngine::GetOrderByClientOrderId(
    std::string_view client_order_id) {
  auto it = by_client_id_.find(client_order_id);
  if (it == by_client_id_.end()) return std::optional<BrokerOrder>();
  return std::optional<BrokerOrder>(orders_[it->second - 1].o);
}

Result<BrokerOrder> MatchingEngine::GetOrder(std::string_view order_id) {
  Order* order = Find(order_id);
  if (order == nullptr) return NotFound("order not found");
  return order->o;
}

Result<std::vector<BrokerOrder>> MatchingEngine::ListOrders(const OrderQuery& q) {
  if (q.status != "open" && q.status != "closed" && q.status != "all") {
    return InvalidArgument("status must be open, closed or all");
  }
  if (q.direction != "asc" && q.direction != "desc") {
    return InvalidArgument("direction must be asc or desc");
  }
  if (q.limit < 1 || q.limit > 500) return InvalidArgument("limit must be 1..500");
  std::vector<const Order*> picked;
  for (const Order& order : orders_) {
    const bool open = IsOpen(order.o.status);
    if ((q.status == "open" && !open) || (q.status == "closed" && open)) continue;
    if (q.after && order.o.submitted_at <= *q.after) continue;
    if (q.until && order.o.submitted_at >= *q.until) continue;
    if (!q.symbols.empty() &&
        std::find(q.symbols.begin(), q.symbols.end(), order.o.symbol) == q.symbols.end()) {
      continue;
    }
    picked.push_back(&order);
  }
  // orders_ is in submission order (submission times never go back): desc is its reverse.
  if (q.direction == "desc") std::reverse(picked.begin(), picked.end());
  std::vector<BrokerOrder> out;
  for (size_t i = 0; i < picked.size() && out.size() < static_cast<size_t>(q.limit); ++i) {
    out.push_back(picked[i]->o);
  }
  return out;
}

Status MatchingEngine::CancelOrder(std::string_view order_id) {
  Order* order = Find(order_id);
  if (order == nullptr) return NotFound("order not found");
  if (!IsOpen(order->o.status)) return FailedPrecondition("order is not cancelable");
  Finish(*order, OrderStatus::kCanceled, now_);
  return Status::Ok();
}

Result<std::vector<std::string>> MatchingEngine::CancelAllOrders() {
  std::vector<std::string> ids;
  for (Order& order : orders_) {
    if (!IsOpen(order.o.status)) continue;
    ids.push_back(order.o.id);
    Finish(order, OrderStatus::kCanceled, now_);
  }
  return ids;
}

size_t MatchingEngine::open_orders() const {
  size_t n = 0;
  for (const auto& [symbol, book] : books_) n += book.open.size();
  return n;
}

Result<BrokerOrder> MatchingEngine::ClosePosition(std::string_view symbol,
                                                  std::optional<Decimal> qty) {
  auto pos = positions_.find(symbol);
  if (pos == positions_.end() || pos->second.qty.is_zero()) {
    return NotFound("position does not exist");
  }
  OrderRequest r;
  r.symbol = std::string(symbol);
  r.side = pos->second.qty.is_negative() ? Side::kBuy : Side::kSell;
  r.qty = qty ? *qty : pos->second.qty.Abs();
  if (r.qty > pos->second.qty.Abs()) {
    return FailedPrecondition(
        fmt::format("insufficient qty available for order (requested: {}, available: {})",
                    r.qty.ToString(), pos->second.qty.Abs().ToString()));
  }
  r.type = OrderType::kMarket;
  r.time_in_force = TimeInForce::kDay;
  return SubmitOrder(r);
}

// ---- account views ----

Result<Account> MatchingEngine::GetAccount() {
  Account a;
  a.account_number = options_.account_number;
  a.status = "ACTIVE";
  a.cash = cash_;
  TORGHUT_ASSIGN_OR_RETURN(a.equity, Equity());
  a.last_equity = last_equity_;
  TORGHUT_ASSIGN_OR_RETURN(a.buying_power, BuyingPower());
  return a;
}

std::vector<BrokerPosition> MatchingEngine::Positions() const {
  std::vector<BrokerPosition> out;
  for (const auto& [symbol, p] : positions_) {
    if (p.qty.is_zero()) continue;
    BrokerPosition bp;
    bp.symbol = symbol;
    bp.qty = p.qty;
    bp.avg_entry_price = p.avg_entry_price;
    const std::optional<Decimal> last = LastPrice(symbol);
    const Decimal price = last ? *last : p.avg_entry_price;
    bp.market_value = p.qty.Mul(price).value();
    bp.unrealized_pl = price.Sub(p.avg_entry_price).value().Mul(p.qty).value();
    out.push_back(std::move(bp));
  }
  return out;
}

Result<std::vector<BrokerPosition>> MatchingEngine::ListPositions() {
  return Positions();
}

Result<MarketClock> MatchingEngine::GetClock() {
  MarketClock c;
  c.timestamp = now_;
  const Timestamp t = Timestamp::FromMillis(now_);
  c.is_open = calendar_.PhaseAt(t) == SessionPhase::kRegular;
  std::optional<SessionTimes> today = calendar_.SessionAt(t);
  std::optional<SessionTimes> next = calendar_.SessionAt(calendar_.NextSessionStartAfter(t));
  if (!next) return Internal("no next session in the calendar");
  c.next_open =
      today && t < today->regular_open ? today->regular_open.millis() : next->regular_open.millis();
  c.next_close = today && t < today->regular_close ? today->regular_close.millis()
                                                   : next->regular_close.millis();
  return c;
}

}  // namespace torghut::broker
