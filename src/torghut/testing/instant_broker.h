// A broker for engine tests (header-only, test programs only): every planned decision fills at
// once, whole, at its reference price, and the portfolio the engine sees next is what its
// decisions made.
//
//   testing::InstantBroker broker(Decimal::Parse("100000").value());
//   for (const Decision& d : engine.OnBar(bar, now, broker.portfolio).decisions) {
//     if (d.status == DecisionStatus::kPlanned) broker.Fill(engine, d, bar.event_ts);
//   }
#pragma once

#include "torghut/trading/engine.h"

namespace torghut::testing {

struct InstantBroker {
  explicit InstantBroker(Decimal cash) {
    portfolio.equity = portfolio.cash = portfolio.buying_power = cash;
  }
  trading::PortfolioView portfolio;
  int64_t fills = 0;

  void Fill(trading::TradingEngine& engine, const trading::Decision& d, trading::EpochMillis t) {
    const Decimal price = *d.reference_price;
    trading::AccountPosition& pos = portfolio.positions[d.symbol];
    const Decimal notional = d.qty.Mul(price).value();
    if (d.action == trading::Side::kBuy) {
      const Decimal qty = pos.qty.Add(d.qty).value();
      if (qty > Decimal()) {
        pos.avg_entry_price =
            pos.qty.Mul(pos.avg_entry_price).value().Add(notional).value().Div(qty).value();
      }
      pos.qty = qty;
      portfolio.cash = portfolio.cash.Sub(notional).value();
    } else {
      pos.qty = pos.qty.Sub(d.qty).value();
      portfolio.cash = portfolio.cash.Add(notional).value();
    }
    portfolio.buying_power = portfolio.cash;
    ++fills;
    engine.OnFill(trading::Fill{d.client_order_id + "-fill", d.client_order_id, d.strategy_name,
                                d.symbol, d.action, d.qty, price, t});
  }
};

}  // namespace torghut::testing
