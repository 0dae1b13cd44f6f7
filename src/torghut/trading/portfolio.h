// What the engine knows of the account when it decides (SPEC §6 Account, Risk): supplied by the
// caller — the trader from the broker (and its own open orders), a backtest from its matching
// engine — so the engine itself never asks anyone.
//
//   PortfolioView p;
//   p.equity = ...; p.cash = ...; p.buying_power = ...;
//   p.positions["AAPL"] = {.qty = 10, .avg_entry_price = 187.25};
//   p.open["AAPL"].buy_qty = 5;   // open (unfilled) orders count in notional, power and position
#pragma once

#include <map>
#include <string>

#include "torghut/core/decimal.h"

namespace torghut::trading {

// A symbol's open, unfilled orders at the broker.
struct OpenOrders {
  Decimal buy_qty, buy_notional;  // remaining shares and their notional at the order's price
  Decimal sell_qty;
};

struct AccountPosition {
  Decimal qty;  // negative when short
  Decimal avg_entry_price;
};

struct PortfolioView {
  Decimal equity, cash, buying_power;
  std::map<std::string, AccountPosition, std::less<>> positions;
  std::map<std::string, OpenOrders, std::less<>> open;
  // Realized + unrealized P&L since the start of the New York trading day (a loss is negative).
  Decimal day_pnl;

  Decimal PositionQty(std::string_view symbol) const {
    auto it = positions.find(symbol);
    return it == positions.end() ? Decimal() : it->second.qty;
  }
  const OpenOrders& Open(std::string_view symbol) const {
    static const OpenOrders kNone;
    auto it = open.find(symbol);
    return it == open.end() ? kNone : it->second;
  }
};

}  // namespace torghut::trading
