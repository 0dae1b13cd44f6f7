#include "torghut/trading/pnl.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <tuple>
#include <utility>

#include "torghut/core/time.h"

namespace torghut::trading {
namespace {

__extension__ typedef __int128 Int128;  // exact products of two decimals' units

// n / d rounded half to even; d > 0.
Int128 RoundHalfEven(Int128 n, Int128 d) {
  Int128 q = n / d;
  const Int128 r = n % d;
  const Int128 twice = (r < 0 ? -r : r) * 2;
  if (twice > d || (twice == d && q % 2 != 0)) q += n < 0 ? -1 : 1;
  return q;
}

// whole × part / of, exactly, rounded once (half to even) to 9 decimals. `of` > 0.
Result<Decimal> ProRata(Decimal whole, Decimal part, Decimal of) {
  const Int128 q = RoundHalfEven(Int128{whole.units()} * part.units(), of.units());
  if (q > INT64_MAX || q < INT64_MIN) return OutOfRange("P&L: a cost basis share is out of range");
  return Decimal::FromUnits(static_cast<int64_t>(q));
}

// One (strategy, symbol) position: signed quantity, cost basis (pnl.h), and the realized P&L of
// the round trip in progress.
struct Book {
  Decimal qty;
  Decimal basis;
  Decimal trip;
};

// Folds the fills into books, lines and the rest of the report.
class Ledger {
 public:
  Ledger(const TimeZone& ny, const PnlOptions& options) : ny_(ny), options_(options) {}

  // Returns false (with nothing changed) once fills are past the reported day.
  Result<bool> Apply(const Fill& f, Decimal commission) {
    const std::string day = NewYorkDay(f.filled_at, ny_);
    if (!options_.day.empty() && day > options_.day) return false;
    const bool reported = options_.day.empty() || day == options_.day;
    Book& b = books_[{f.strategy_name, f.symbol}];
    const bool buy = f.side == Side::kBuy;
    const bool reduces = (buy && b.qty.is_negative()) || (!buy && b.qty > Decimal());

    Decimal realized, closed;
    std::optional<bool> won;  // set when this fill ends a round trip with a non-zero result
    Decimal to_open = f.qty, open_commission = commission;
    if (reduces) {
      const Decimal held = b.qty.Abs();
      closed = std::min(f.qty, held);
      TORGHUT_ASSIGN_OR_RETURN(to_open, f.qty.Sub(closed));
      Decimal close_commission = commission;
      if (!to_open.is_zero() && !options_.allow_shorts) {
        if (reported) Warn(f, day, held, to_open);
        to_open = Decimal();
        open_commission = Decimal();
      } else if (!to_open.is_zero()) {
        TORGHUT_ASSIGN_OR_RETURN(close_commission, ProRata(commission, closed, f.qty));
        TORGHUT_ASSIGN_OR_RETURN(open_commission, commission.Sub(close_commission));
      }
      Decimal released = b.basis;
      if (closed != held) {
        TORGHUT_ASSIGN_OR_RETURN(released, ProRata(b.basis, closed, held));
      }
      TORGHUT_ASSIGN_OR_RETURN(Decimal gross, closed.Mul(f.price));
      // Long: proceeds − commission − basis released. Short: basis released − cost − commission.
      TORGHUT_ASSIGN_OR_RETURN(Decimal a, buy ? released.Sub(gross) : gross.Sub(released));
      TORGHUT_ASSIGN_OR_RETURN(realized, a.Sub(close_commission));
      TORGHUT_ASSIGN_OR_RETURN(b.basis, b.basis.Sub(released));
      TORGHUT_ASSIGN_OR_RETURN(b.qty, buy ? b.qty.Add(closed) : b.qty.Sub(closed));
      TORGHUT_ASSIGN_OR_RETURN(b.trip, b.trip.Add(realized));
      if (b.qty.is_zero()) {
        if (!b.trip.is_zero()) won = b.trip > Decimal();
        b.trip = Decimal();
      }
    } else if (!buy && b.qty.is_zero() && !options_.allow_shorts) {
      // Nothing held and no shorts: nothing opens, but the commission was paid.
      if (reported) Warn(f, day, Decimal(), f.qty);
      TORGHUT_ASSIGN_OR_RETURN(realized, Decimal().Sub(commission));
      to_open = Decimal();
    }
    if (!to_open.is_zero()) {
      TORGHUT_ASSIGN_OR_RETURN(Decimal amount, to_open.Mul(f.price));
      TORGHUT_ASSIGN_OR_RETURN(Decimal value,
                               buy ? amount.Add(open_commission) : amount.Sub(open_commission));
      TORGHUT_ASSIGN_OR_RETURN(b.basis, b.basis.Add(value));
      TORGHUT_ASSIGN_OR_RETURN(b.qty, buy ? b.qty.Add(to_open) : b.qty.Sub(to_open));
    }
    if (reported) TORGHUT_RETURN_IF_ERROR(Record(f, day, realized, closed, commission, won));
    return true;
  }

  Result<PnlReport> Finish() {
    PnlReport r;
    for (auto& [key, line] : lines_) r.lines.push_back(std::move(line));
    r.totals = totals_;
    r.series = std::move(series_);
    r.warnings = std::move(warnings_);
    for (const auto& [key, b] : books_) {
      if (b.qty.is_zero()) continue;
      PnlOpenPosition p{key.first, key.second, b.qty, b.basis, Decimal(), b.trip};
      TORGHUT_ASSIGN_OR_RETURN(p.avg_price, b.basis.Div(b.qty.Abs()));
      r.open.push_back(std::move(p));
    }
    return r;
  }

 private:
  void Warn(const Fill& f, const std::string& day, Decimal held, Decimal excess) {
    warnings_.push_back(
        {f.fill_id, f.strategy_name, f.symbol, day, f.filled_at, held, f.qty, excess,
         fmt::format("fill {}: sell of {} {} by strategy {} is larger than the {} held; the "
                     "excess {} is not counted (shorts are not allowed)",
                     f.fill_id, f.qty.ToString(), f.symbol, f.strategy_name, held.ToString(),
                     excess.ToString())});
  }

  Status Record(const Fill& f, const std::string& day, Decimal realized, Decimal closed,
                Decimal commission, std::optional<bool> won) {
    PnlLine& line = lines_[{day, f.strategy_name, f.symbol}];
    if (line.fills == 0) {
      line.day = day;
      line.strategy_name = f.strategy_name;
      line.symbol = f.symbol;
    }
    for (auto [sum, total, v] : {std::tuple{&line.realized, &totals_.realized, realized},
                                 std::tuple{&line.closed_qty, &totals_.closed_qty, closed},
                                 std::tuple{&line.commissions, &totals_.commissions, commission}}) {
      TORGHUT_ASSIGN_OR_RETURN(*sum, sum->Add(v));
      TORGHUT_ASSIGN_OR_RETURN(*total, total->Add(v));
    }
    ++line.fills;
    ++totals_.fills;
    if (won) {
      ++(*won ? line.wins : line.losses);
      ++(*won ? totals_.wins : totals_.losses);
    }
    if (!closed.is_zero() || !realized.is_zero()) {
      series_.push_back({f.filled_at, f.fill_id, realized, totals_.realized});
    }
    return Status::Ok();
  }

  const TimeZone& ny_;
  const PnlOptions& options_;
  std::map<std::pair<std::string, std::string>, Book> books_;
  std::map<std::tuple<std::string, std::string, std::string>, PnlLine> lines_;
  PnlTotals totals_;
  std::vector<PnlPoint> series_;
  std::vector<PnlWarning> warnings_;
};

bool ValidDay(std::string_view d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (d[i] < '0' || d[i] > '9') return false;
  }
  return true;
}

}  // namespace

std::optional<Decimal> PnlTotals::win_rate() const {
  if (wins + losses == 0) return std::nullopt;
  const Result<Decimal> w = Decimal::FromInt(wins), n = Decimal::FromInt(wins + losses);
  if (!w.ok() || !n.ok()) return std::nullopt;
  Result<Decimal> rate = w->Div(*n);
  return rate.ok() ? std::optional<Decimal>(*rate) : std::nullopt;
}

std::string NewYorkDay(EpochMillis t, const TimeZone& new_york) {
  const Timestamp at = Timestamp::FromMillis(t);
  const CivilTime c = ToCivil(at + int64_t{new_york.UtcOffsetSeconds(at)} * kNanosPerSecond);
  return fmt::format("{:04}-{:02}-{:02}", c.year, c.month, c.day);
}

Result<PnlReport> ComputeRealizedPnl(std::span<const Fill> fills, const TimeZone& new_york,
                                     const PnlOptions& options) {
  if (!options.commissions.empty() && options.commissions.size() != fills.size()) {
    return InvalidArgument(fmt::format("P&L: {} commissions for {} fills (give one per fill)",
                                       options.commissions.size(), fills.size()));
  }
  if (!options.day.empty() && !ValidDay(options.day)) {
    return InvalidArgument(
        fmt::format("P&L: day '{}' is not YYYY-MM-DD", options.day.substr(0, 32)));
  }
  for (size_t i = 0; i < fills.size(); ++i) {
    const Fill& f = fills[i];
    if (f.qty <= Decimal() || f.price.is_negative()) {
      return InvalidArgument(
          fmt::format("P&L: fill {} has qty {} and price {} (need qty > 0, "
                      "price >= 0)",
                      f.fill_id, f.qty.ToString(), f.price.ToString()));
    }
    if (!options.commissions.empty() && options.commissions[i].is_negative()) {
      return InvalidArgument(fmt::format("P&L: fill {} has a negative commission", f.fill_id));
    }
  }
  std::vector<size_t> order(fills.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return fills[a].filled_at < fills[b].filled_at; });

  Ledger ledger(new_york, options);
  for (size_t i : order) {
    const Decimal commission = options.commissions.empty() ? Decimal() : options.commissions[i];
    TORGHUT_ASSIGN_OR_RETURN(bool more, ledger.Apply(fills[i], commission));
    if (!more) break;
  }
  return ledger.Finish();
}

}  // namespace torghut::trading
