// Realized P&L from fills (SPEC §6 P&L; the trading page's realizedPnl, SPEC §7; the backtest's
// days and by_strategy, SPEC §11): average cost per (strategy, symbol), exact decimals, per
// America/New_York trading day.
//
//   TORGHUT_ASSIGN_OR_RETURN(TimeZone ny, TimeZone::Load("America/New_York"));
//   TORGHUT_ASSIGN_OR_RETURN(trading::PnlReport r,
//                            trading::ComputeRealizedPnl(fills, ny, {.day = "2024-03-11"}));
//   r.totals.realized.ToString();               // "12.5"
//   for (const trading::PnlLine& l : r.lines)   // per (day, strategy, symbol)
//     ...;
//   r.series;                                   // one point per fill that realized something
//
// Definitions (a position is per strategy and symbol: fills are attributed to the strategy whose
// decision made them, so two strategies on one symbol keep separate books):
// - The book holds a signed quantity and its cost basis: for a long, what was paid for it
//   (qty × price plus the buys' commissions); for a short, what was received (qty × price less
//   the sells' commissions). A fill that opens or adds to the position adds to both.
// - A fill that reduces the position by c of its |q| shares releases basis B = basis × c / |q|
//   (computed exactly, rounded once, half to even, to 9 decimals; the whole basis when c = |q|,
//   so a closed position leaves no residue). Its realized P&L is c × price − commission − B for a
//   long, B − c × price − commission for a short.
// - A sell larger than the long position: without `allow_shorts` the excess is not counted (no
//   short is opened); a warning names the fill, the shares held and the excess, and the whole
//   commission is charged to the part that closed (to realized P&L alone when nothing was held:
//   it was paid). With `allow_shorts` the fill closes the long and opens a short with the excess
//   (the commission split between the two parts by quantity). A buy larger than a short flips
//   the same way.
// - Round trip: from flat until the position is flat again. Its P&L is the sum of the realized
//   P&L of the fills that reduced it (partial closes included). It is judged when it ends: a win
//   when > 0, a loss when < 0, neither when exactly 0; the win or loss counts on the day, line
//   and strategy of the fill that ended it. A flip ends one round trip and starts the next. A
//   round trip still open at the end of the input is not judged.
// - The trading day of a fill is the America/New_York calendar date of its filled_at.
//
// Pure functions; no I/O, no floating point. Thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "torghut/core/calendar.h"
#include "torghut/core/decimal.h"
#include "torghut/core/status.h"
#include "torghut/trading/model.h"

namespace torghut::trading {

struct PnlOptions {
  bool allow_shorts = false;  // TRADING_ALLOW_SHORTS: a sell beyond the position opens a short
  // Empty, or one commission per fill (same order as the fills), each >= 0.
  std::span<const Decimal> commissions;
  // "YYYY-MM-DD": report only that New York day. Earlier fills still build the books (the
  // average cost of a position opened before the day); later fills are ignored. "" = every day.
  std::string day;
};

// Realized P&L of one (day, strategy, symbol).
struct PnlLine {
  std::string day;  // YYYY-MM-DD, America/New_York
  std::string strategy_name;
  std::string symbol;
  Decimal realized;     // net of the commissions it carries (see the definitions above)
  Decimal closed_qty;   // shares that reduced a position
  Decimal commissions;  // commissions of the day's fills, opening ones included (for fees)
  int64_t fills = 0;
  int64_t wins = 0, losses = 0;  // round trips that ended on this line
};

// A point of the realized-P&L chart: one per fill that realized something.
struct PnlPoint {
  EpochMillis ts = 0;  // the fill's filled_at
  std::string fill_id;
  Decimal realized;    // this fill's
  Decimal cumulative;  // running total over the report, this fill included
};

// A sell larger than the long position held (shorts not allowed).
struct PnlWarning {
  std::string fill_id;
  std::string strategy_name;
  std::string symbol;
  std::string day;
  EpochMillis ts = 0;
  Decimal held;    // shares held before the fill
  Decimal sold;    // the fill's shares
  Decimal excess;  // sold − held, not counted
  std::string message;
};

// A position still open after the last fill considered.
struct PnlOpenPosition {
  std::string strategy_name;
  std::string symbol;
  Decimal qty;                  // negative when short
  Decimal cost_basis;           // see the definitions above
  Decimal avg_price;            // cost_basis / |qty|, rounded half to even to 9 decimals
  Decimal round_trip_realized;  // realized so far by partial closes of this round trip
};

struct PnlTotals {
  Decimal realized;
  Decimal closed_qty;
  Decimal commissions;
  int64_t fills = 0;
  int64_t wins = 0, losses = 0;
  // wins / (wins + losses), rounded half to even to 9 decimals; nullopt when nothing was judged.
  std::optional<Decimal> win_rate() const;
};

struct PnlReport {
  std::vector<PnlLine> lines;  // by day, then strategy, then symbol
  PnlTotals totals;            // the sum of the lines
  std::vector<PnlPoint> series;
  std::vector<PnlWarning> warnings;   // in fill order
  std::vector<PnlOpenPosition> open;  // by strategy, then symbol
};

// The realized P&L of `fills` (processed in filled_at order; fills with equal times in the given
// order). kInvalidArgument for a fill whose qty is not > 0 or whose price is negative, for
// commissions that are not one per fill or are negative, and for a malformed `day`; kOutOfRange
// when a sum leaves the Decimal range.
Result<PnlReport> ComputeRealizedPnl(std::span<const Fill> fills, const TimeZone& new_york,
                                     const PnlOptions& options = {});

// The America/New_York calendar date of an instant: "YYYY-MM-DD".
std::string NewYorkDay(EpochMillis t, const TimeZone& new_york);

}  // namespace torghut::trading
