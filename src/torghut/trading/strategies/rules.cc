// The rules of SPEC §6 and MakeRule. Each is a few lines of logic on the bar's indicator values;
// the shared parts (parameters, state maps, snapshots) are here once.
#include <fmt/format.h>

#include <map>

#include "torghut/trading/internal/params.h"
#include "torghut/trading/strategies/rule.h"

namespace torghut::trading {
namespace {

using internal::ParamReader;

constexpr std::string_view kMacdRsi = "macd-rsi";
constexpr std::string_view kMacdCross = "macd-cross";
constexpr std::string_view kBollinger = "bollinger-reversion";
constexpr std::string_view kTypes[] = {kMacdRsi, kMacdCross, kBollinger};

bool Defined(double v) {
  return std::isfinite(v);
}

std::string Fmt(double v) {
  return fmt::format("{:.4f}", v);
}

// "warm-up: a, b undefined" for the inputs a rule needs that are not defined yet; "" otherwise.
std::string Missing(std::initializer_list<std::pair<const char*, double>> needed) {
  std::string names;
  for (const auto& [name, v] : needed) {
    if (!Defined(v)) names += (names.empty() ? "" : ", ") + std::string(name);
  }
  return names.empty() ? "" : "warm-up: " + names + " undefined";
}

// macd-rsi (the original): a level test, stateless.
class MacdRsi final : public Rule {
 public:
  MacdRsi(double buy_below, double sell_above) : buy_below_(buy_below), sell_above_(sell_above) {}
  std::string_view type() const override { return kMacdRsi; }
  RuleSignal Evaluate(std::string_view, const RuleInputs& in) override {
    RuleSignal s;
    s.skip = Missing({{"macd", in.macd}, {"macd_signal", in.macd_signal}, {"rsi14", in.rsi14}});
    if (!s.skip.empty()) return s;
    if (in.macd > in.macd_signal && in.rsi14 < buy_below_) {
      s.kind = SignalKind::kBuy;
    } else if (in.macd < in.macd_signal && in.rsi14 > sell_above_) {
      s.kind = SignalKind::kSell;
    }
    return s;
  }
  std::string Why(const RuleSignal& s, const RuleInputs& in) const override {
    return s.kind == SignalKind::kBuy
               ? fmt::format("macd {} > macd_signal {} and rsi14 {} < {}", Fmt(in.macd),
                             Fmt(in.macd_signal), Fmt(in.rsi14), buy_below_)
               : fmt::format("macd {} < macd_signal {} and rsi14 {} > {}", Fmt(in.macd),
                             Fmt(in.macd_signal), Fmt(in.rsi14), sell_above_);
  }
  std::string ParamsJson() const override {
    return fmt::format(R"({{"rsi_buy_below":{},"rsi_sell_above":{}}})", buy_below_, sell_above_);
  }
  void Save(BinaryWriter&) const override {}
  Status Load(BinaryReader&) override { return Status::Ok(); }

 private:
  double buy_below_, sell_above_;
};

// macd-cross: fires on the bar where macd crosses macd_signal. Remembers, per symbol, which side
// macd was on at the last bar where the two differed (a bar where they are equal crosses nothing).
class MacdCross final : public Rule {
 public:
  explicit MacdCross(std::optional<double> rsi_max) : rsi_max_(rsi_max) {}
  std::string_view type() const override { return kMacdCross; }
  RuleSignal Evaluate(std::string_view symbol, const RuleInputs& in) override {
    RuleSignal s;
    s.skip = Missing({{"macd", in.macd}, {"macd_signal", in.macd_signal}});
    if (!s.skip.empty()) return s;
    const double diff = in.macd - in.macd_signal;
    const int side = diff > 0 ? 1 : diff < 0 ? -1 : 0;
    if (side == 0) return s;
    int8_t& prev = sides_[std::string(symbol)];
    if (prev < 0 && side > 0) {
      if (rsi_max_ && !(Defined(in.rsi14) && in.rsi14 < *rsi_max_)) {
        s.skip = fmt::format("macd crossed above macd_signal but rsi14 {} is not below {}",
                             Defined(in.rsi14) ? Fmt(in.rsi14) : "undefined", *rsi_max_);
      } else {
        s.kind = SignalKind::kBuy;
      }
    } else if (prev > 0 && side < 0) {
      s.kind = SignalKind::kSell;
    }
    prev = static_cast<int8_t>(side);
    return s;
  }
  std::string Why(const RuleSignal& s, const RuleInputs& in) const override {
    return fmt::format("macd {} crossed {} macd_signal {}", Fmt(in.macd),
                       s.kind == SignalKind::kBuy ? "above" : "below", Fmt(in.macd_signal));
  }
  std::string ParamsJson() const override {
    return rsi_max_ ? fmt::format(R"({{"rsi_max":{}}})", *rsi_max_) : "{}";
  }
  void Save(BinaryWriter& w) const override {
    w.PutU64(sides_.size());
    for (const auto& [symbol, side] : sides_) {
      w.PutString(symbol);
      w.PutU8(static_cast<uint8_t>(side + 1));
    }
  }
  Status Load(BinaryReader& r) override {
    sides_.clear();
    uint64_t n = 0;
    if (!r.GetU64(&n) || n > (1u << 24))
      return r.ok() ? DataLoss("macd-cross: bad state") : r.Error();
    for (uint64_t i = 0; i < n; ++i) {
      std::string symbol;
      uint8_t side = 0;
      if (!r.GetString(&symbol) || !r.GetU8(&side) || side > 2) {
        return r.ok() ? DataLoss("macd-cross: bad state") : r.Error();
      }
      sides_[symbol] = static_cast<int8_t>(side) - 1;
    }
    return Status::Ok();
  }

 private:
  std::optional<double> rsi_max_;
  std::map<std::string, int8_t, std::less<>> sides_;  // ordered: snapshots are deterministic
};

// bollinger-reversion: buy below the lower band; the sell is an exit back at the middle band.
class BollingerReversion final : public Rule {
 public:
  std::string_view type() const override { return kBollinger; }
  RuleSignal Evaluate(std::string_view, const RuleInputs& in) override {
    RuleSignal s;
    s.skip =
        Missing({{"close", in.close}, {"boll_lower", in.boll_lower}, {"boll_mid", in.boll_mid}});
    if (!s.skip.empty()) return s;
    if (in.close < in.boll_lower) {
      s.kind = SignalKind::kBuy;
    } else if (in.close >= in.boll_mid) {
      s.kind = SignalKind::kSell;
      s.exit_only = true;
    }
    return s;
  }
  std::string Why(const RuleSignal& s, const RuleInputs& in) const override {
    return s.kind == SignalKind::kBuy
               ? fmt::format("close {} < boll_lower {}", Fmt(in.close), Fmt(in.boll_lower))
               : fmt::format("close {} >= boll_mid {}", Fmt(in.close), Fmt(in.boll_mid));
  }
  std::string ParamsJson() const override { return "{}"; }
  void Save(BinaryWriter&) const override {}
  Status Load(BinaryReader&) override { return Status::Ok(); }
};

ExitParams ReadExits(ParamReader& p) {
  ExitParams e;
  const Decimal hundred = Decimal::FromUnits(100 * Decimal::kOne);
  e.stop_loss_pct = p.OptionalDecimal("stop_loss_pct", Decimal::FromUnits(1), hundred);
  e.take_profit_pct = p.OptionalDecimal("take_profit_pct", Decimal::FromUnits(1),
                                        Decimal::FromUnits(1000 * Decimal::kOne));
  e.max_hold_seconds = p.OptionalInt("max_hold_seconds", 1, 366LL * 86'400);
  e.flatten_before_close_minutes = p.OptionalInt("flatten_before_close_minutes", 1, 24 * 60);
  return e;
}

}  // namespace

std::span<const std::string_view> RuleTypes() {
  return kTypes;
}

Result<CompiledRule> MakeRule(std::string_view type, std::string_view params_json) {
  TORGHUT_ASSIGN_OR_RETURN(ParamReader p, ParamReader::Parse(params_json));
  CompiledRule out;
  if (type == kMacdRsi) {
    const double below = p.Number("rsi_buy_below", 35, 0, 100);
    const double above = p.Number("rsi_sell_above", 65, 0, 100);
    out.rule = std::make_unique<MacdRsi>(below, above);
  } else if (type == kMacdCross) {
    out.rule = std::make_unique<MacdCross>(p.OptionalNumber("rsi_max", 0, 100));
  } else if (type == kBollinger) {
    out.rule = std::make_unique<BollingerReversion>();
  } else {
    std::string known;
    for (std::string_view t : kTypes) known += (known.empty() ? "" : ", ") + std::string(t);
    return NotFound(fmt::format("unknown rule type '{}' (known: {})", type, known));
  }
  out.exits = ReadExits(p);
  TORGHUT_RETURN_IF_ERROR(p.Finish());
  return out;
}

}  // namespace torghut::trading
