// The portfolio view the trading engine decides against (trading/portfolio.h), kept by the trader:
// the broker's account and positions at each reconciliation (the broker is the source of truth),
// moved in between by the fills the trader sees, with the open orders the store holds.
//
//   tracker.SetAccount(account, positions);        // reconciliation
//   tracker.OnFill(fill);                          // trade_updates, between reconciliations
//   tracker.SetOpenOrders(store->ListOpenExecutions().value());
//   engine.OnBar(bar, now, tracker.view());
#pragma once

#include <map>
#include <string>
#include <vector>

#include "torghut/broker/broker.h"
#include "torghut/trading/model.h"
#include "torghut/trading/portfolio.h"

namespace torghut::trader {

class PortfolioTracker {
 public:
  // Day P&L = equity − last_equity (the account's equity at the previous close).
  void SetAccount(const broker::Account& account, const std::vector<broker::BrokerPosition>& pos);
  void OnFill(const trading::Fill& fill);
  // Open orders at the broker; a market buy's notional is priced at the symbol's last close.
  void SetOpenOrders(const std::vector<trading::Execution>& open);
  // The newest close seen per symbol (prices open market orders).
  void OnClose(const std::string& symbol, Decimal close) { last_close_[symbol] = close; }

  const trading::PortfolioView& view() const { return view_; }
  bool known() const { return known_; }  // an account has been read

 private:
  trading::PortfolioView view_;
  std::map<std::string, Decimal, std::less<>> last_close_;
  bool known_ = false;
};

}  // namespace torghut::trader
