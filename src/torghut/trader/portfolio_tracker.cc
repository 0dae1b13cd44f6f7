#include "torghut/trader/portfolio_tracker.h"

namespace torghut::trader {

void PortfolioTracker::SetAccount(const broker::Account& a,
                                  const std::vector<broker::BrokerPosition>& positions) {
  view_.equity = a.equity;
  view_.cash = a.cash;
  view_.buying_power = a.buying_power;
  view_.day_pnl = a.equity.Sub(a.last_equity).value_or(Decimal());
  view_.positions.clear();
  for (const broker::BrokerPosition& p : positions) {
    view_.positions[p.symbol] = {p.qty, p.avg_entry_price};
  }
  known_ = true;
}

void PortfolioTracker::OnFill(const trading::Fill& f) {
  trading::AccountPosition& pos = view_.positions[f.symbol];
  const Decimal notional = f.qty.Mul(f.price).value_or(Decimal());
  if (f.side == trading::Side::kBuy) {
    const Decimal qty = pos.qty.Add(f.qty).value_or(pos.qty);
    if (qty > Decimal() && !pos.qty.is_negative()) {
      const Decimal cost = pos.qty.Mul(pos.avg_entry_price).value_or(Decimal());
      pos.avg_entry_price = cost.Add(notional).value_or(cost).Div(qty).value_or(f.price);
    }
    pos.qty = qty;
    view_.cash = view_.cash.Sub(notional).value_or(view_.cash);
    view_.buying_power = view_.buying_power.Sub(notional).value_or(view_.buying_power);
  } else {
    pos.qty = pos.qty.Sub(f.qty).value_or(pos.qty);
    view_.cash = view_.cash.Add(notional).value_or(view_.cash);
    view_.buying_power = view_.buying_power.Add(notional).value_or(view_.buying_power);
  }
  if (pos.qty.is_zero()) view_.positions.erase(f.symbol);
}

void PortfolioTracker::SetOpenOrders(const std::vector<trading::Execution>& open) {
  view_.open.clear();
  for (const trading::Execution& e : open) {
    const Decimal remaining = e.submitted_qty.Sub(e.filled_qty).value_or(Decimal());
    if (remaining <= Decimal()) continue;
    trading::OpenOrders& o = view_.open[e.symbol];
    if (e.side == trading::Side::kBuy) {
      o.buy_qty = o.buy_qty.Add(remaining).value_or(o.buy_qty);
      Decimal price;
      if (e.limit_price) {
        price = *e.limit_price;
      } else if (auto it = last_close_.find(e.symbol); it != last_close_.end()) {
        price = it->second;
      }
      o.buy_notional =
          o.buy_notional.Add(remaining.Mul(price).value_or(Decimal())).value_or(o.buy_notional);
    } else {
      o.sell_qty = o.sell_qty.Add(remaining).value_or(o.sell_qty);
    }
  }
}

}  // namespace torghut::trader
