// A strategy as a whole is usable (SPEC §6 catalog fields): the checks the catalog, `torghut
// strategy seed` and the engine all apply, so a strategy that one accepts the others accept too.
//
//   if (Status s = ValidateStrategy(strategy); !s.ok()) { /* "strategy 'x': params.foo ..." */ }
#pragma once

#include "torghut/core/status.h"
#include "torghut/trading/model.h"

namespace torghut::trading {

// kInvalidArgument (kNotFound for an unknown rule type) with every problem, prefixed by the
// strategy's name: name ([A-Za-z0-9._-]{1,64}), symbols (valid tickers), rule type and params
// (strategies/rule.h), sizing (qty > 0 or notional > 0, not both), limit orders need
// limit_offset_bps (|bps| < 10000: positive is through the reference price, negative rests away),
// max_notional_per_trade > 0, 0 < max_position_pct_equity ≤ 100.
Status ValidateStrategy(const Strategy& s);

}  // namespace torghut::trading
