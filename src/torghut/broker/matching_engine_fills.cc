// The matching half of the engine (matching_engine.h): prints in, fills and their accounting out.
#include <algorithm>

#include "torghut/broker/matching_engine.h"

namespace torghut::broker {

namespace {

using trading::OrderStatus;
using trading::Side;
using trading::TimeInForce;

constexpr uint32_t kExecutionId = 2;

// `price` moved against the order by `bps`, to 4 decimals, never through `limit`.
Decimal Slipped(Decimal price, Decimal bps, bool buy, std::optional<Decimal> limit) {
  if (bps.is_zero()) return price;
  const Decimal ratio = bps.Div(Decimal::FromUnits(10'000 * Decimal::kOne)).value();
  const Decimal move = price.Mul(ratio).value_or(Decimal());
  Decimal out = (buy ? price.Add(move) : price.Sub(move)).value_or(price);
  out = out.RoundTo(4, RoundingMode::kHalfUp);
  if (limit) out = buy ? std::min(out, *limit) : std::max(out, *limit);
  return out;
}

}  // namespace

void MatchingEngine::OnTrade(std::string_view symbol, Decimal price, Decimal size, EpochMillis ts) {
  AdvanceTo(ts);
  Book& book = books_[std::string(symbol)];
  if (!book.last || ts >= book.last_ts) {  // a late print does not replace a newer price
    book.last = price;
    book.last_ts = ts;
  }
  Match(symbol, price, size, ts, std::nullopt);
}

void MatchingEngine::OnQuote(std::string_view symbol, Decimal bid, Decimal ask, Decimal bid_size,
                             Decimal ask_size, EpochMillis ts) {
  AdvanceTo(ts);
  Book& book = books_[std::string(symbol)];
  if (bid > Decimal()) book.bid = bid;
  if (ask > Decimal()) book.ask = ask;
  if (!options_.fill_at_quotes) return;
  if (ask > Decimal()) Match(symbol, ask, ask_size, ts, Side::kBuy);
  if (bid > Decimal()) Match(symbol, bid, bid_size, ts, Side::kSell);
}

void MatchingEngine::Match(std::string_view symbol, Decimal price, Decimal size, EpochMillis ts,
                           std::optional<Side> side) {
  auto book = books_.find(symbol);
  if (book == books_.end() || book->second.open.empty()) return;
  Decimal available = size.Mul(options_.participation, RoundingMode::kDown).value_or(size);
  const std::vector<uint64_t> open = book->second.open;  // Finish() edits the book's list
  for (uint64_t seq : open) {
    Order& order = orders_[seq - 1];
    BrokerOrder& o = order.o;
    if ((side && o.side != *side) || o.submitted_at > ts) continue;
    const bool buy = o.side == Side::kBuy;
    const bool crosses =
        !o.limit_price || (buy ? price <= *o.limit_price : price >= *o.limit_price);
    const bool immediate =
        o.time_in_force == TimeInForce::kIoc || o.time_in_force == TimeInForce::kFok;
    const Decimal remaining = o.qty.Sub(o.filled_qty).value();
    Decimal qty = crosses ? std::min(remaining, available) : Decimal();
    if (order.whole_shares) qty = qty.RoundTo(0, RoundingMode::kDown);
    if (o.time_in_force == TimeInForce::kFok && qty < remaining) qty = Decimal();
    if (qty > Decimal()) {
      if (Fill(order, qty, Slipped(price, options_.slippage_bps, buy, o.limit_price), ts)) {
        available = available.Sub(qty).value();
      } else {
        // Unaffordable at the price it met: never filled → rejected; else the rest is canceled.
        Finish(order, o.filled_qty.is_zero() ? OrderStatus::kRejected : OrderStatus::kCanceled, ts);
        continue;
      }
    }
    if (immediate) Finish(order, OrderStatus::kCanceled, ts);  // no-op once filled
  }
}

bool MatchingEngine::Fill(Order& order, Decimal qty, Decimal price, EpochMillis ts) {
  BrokerOrder& o = order.o;
  const bool buy = o.side == Side::kBuy;
  Result<Decimal> notional = qty.Mul(price);
  Result<Decimal> commission = qty.Mul(options_.commission_per_share);
  if (!notional.ok() || !commission.ok()) return false;
  Result<Decimal> cash = buy ? cash_.Sub(*notional) : cash_.Add(*notional);
  if (cash.ok()) cash = cash->Sub(*commission);
  if (!cash.ok()) return false;
  if (buy) {
    Result<Decimal> reserved = Reserved(order.seq);
    if (!reserved.ok() || *cash < *reserved) return false;
  }
  Result<Decimal> filled = o.filled_qty.Add(qty);
  Result<Decimal> filled_notional = order.filled_notional.Add(*notional);
  if (!filled.ok() || !filled_notional.ok()) return false;

  // The position, by average cost.
  Position& p = positions_[o.symbol];
  const Decimal signed_qty = buy ? qty : qty.Negate().value();
  const Decimal new_qty = p.qty.Add(signed_qty).value();
  const bool adds = p.qty.is_zero() || (p.qty.is_negative() != buy);
  if (adds) {
    const Decimal held_cost = p.qty.Abs().Mul(p.avg_entry_price).value();
    p.avg_entry_price = held_cost.Add(*notional).value().Div(new_qty.Abs()).value();
  } else if (qty > p.qty.Abs()) {
    p.avg_entry_price = price;  // crossed zero: the new side starts at this fill
  }
  p.qty = new_qty;
  const Decimal position_qty = p.qty;
  if (p.qty.is_zero()) positions_.erase(o.symbol);
  cash_ = *cash;

  Track(order, qty, /*add=*/false);
  o.filled_qty = *filled;
  order.filled_notional = *filled_notional;
  o.filled_avg_price = filled_notional->Div(*filled).value();
  o.updated_at = ts;
  const bool done = o.filled_qty == o.qty;
  o.status = done ? OrderStatus::kFilled : OrderStatus::kPartiallyFilled;
  if (done) {
    o.filled_at = ts;
    CloseOpen(order);
  }
  ++fills_;
  Emit(done ? "fill" : "partial_fill", order, ts);
  TradeUpdate& u = events_.back();
  u.execution_id = NewId(kExecutionId, next_execution_++);
  u.price = price;
  u.qty = qty;
  u.position_qty = position_qty;
  return true;
}

}  // namespace torghut::broker
