#include "torghut/llm/llm_reviewer.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "torghut/core/log.h"
#include "torghut/core/time.h"
#include "torghut/llm/prompts.h"
#include "torghut/llm/review_policy.h"

namespace torghut::llm {

namespace {

using ordered_json = nlohmann::ordered_json;

std::string Rfc3339Millis(int64_t ms) {
  char buf[kRfc3339MaxLen];
  return std::string(FormatRfc3339(Timestamp::FromMillis(ms), buf, FracDigits::kMillis));
}

ordered_json Dec(const std::optional<Decimal>& d) {
  return d ? ordered_json(d->ToString()) : ordered_json();
}

}  // namespace

LlmReviewer::LlmReviewer(LlmConfig config, trading::TradingMode mode, ChatModel* model,
                         const Clock* clock)
    : config_(std::move(config)),
      mode_(mode),
      model_(model),
      clock_(clock),
      breaker_(config_.circuit, clock) {
  stats_.shadow_mode = config_.shadow_mode;
  stats_.fail_mode = config_.fail_mode;
}

std::string LlmReviewer::RequestDocument(const trading::Decision& d,
                                         const trading::PortfolioView& portfolio) const {
  // The indicator values the rule saw: the engine records them under "values" of its inputs
  // document (with the rule, its params and the holding); a flat document is taken as is.
  const ordered_json recorded = ordered_json::parse(d.inputs_json, nullptr, false);
  const ordered_json inputs = !recorded.is_object() ? ordered_json::object()
                              : recorded.contains("values") && recorded["values"].is_object()
                                  ? recorded["values"]
                                  : recorded;
  ordered_json decision = {{"decision_hash", d.decision_hash},
                           {"strategy", d.strategy_name},
                           {"symbol", d.symbol},
                           {"timeframe", trading::ToString(d.timeframe)},
                           {"action", trading::ToString(d.action)},
                           {"qty", d.qty.ToString()},
                           {"order_type", trading::ToString(d.order_type)},
                           {"limit_price", Dec(d.limit_price)},
                           {"reference_price", Dec(d.reference_price)},
                           {"signal_event_ts", Rfc3339Millis(d.signal_event_ts)},
                           {"rationale", d.rationale},
                           {"inputs", inputs}};
  if (recorded.is_object() && recorded.contains("rule")) decision["rule"] = recorded["rule"];
  if (recorded.is_object() && recorded.contains("params")) decision["params"] = recorded["params"];
  ordered_json exposure = ordered_json::object();
  ordered_json positions = ordered_json::array();
  for (const auto& [symbol, p] : portfolio.positions) {
    const Result<Decimal> value = p.qty.Mul(p.avg_entry_price);
    exposure[symbol] = value.ok() ? value->ToString() : "";
    positions.push_back(
        {{"symbol", symbol},
         {"qty", p.qty.ToString()},
         {"avg_entry_price", p.avg_entry_price.ToString()},
         {"market_value", value.ok() ? ordered_json(value->ToString()) : ordered_json()}});
  }
  // The spread: the quote-side input of the signal row when TA had quotes for the symbol.
  ordered_json spread;
  if (inputs.contains("imbalance_spread") && inputs["imbalance_spread"].is_number()) {
    const double v = inputs["imbalance_spread"].get<double>();
    Result<Decimal> s = std::isfinite(v) ? Decimal::FromDouble(v, 6)
                                         : Result<Decimal>(InvalidArgument("not finite"));
    if (s.ok()) spread = s->ToString();
  }
  ordered_json recent = ordered_json::array();
  if (auto it = recent_.find({d.strategy_name, d.symbol}); it != recent_.end()) {
    for (const Recent& r : it->second) {
      recent.push_back({{"created_at", Rfc3339Millis(r.created_at)},
                        {"action", trading::ToString(r.action)},
                        {"qty", r.qty.ToString()},
                        {"llm_verdict", trading::ToString(r.verdict)}});
    }
  }
  ordered_json doc = {{"prompt_version", config_.prompt_version},
                      {"decision", std::move(decision)},
                      {"portfolio",
                       {{"equity", portfolio.equity.ToString()},
                        {"cash", portfolio.cash.ToString()},
                        {"buying_power", portfolio.buying_power.ToString()},
                        {"exposure_by_symbol", std::move(exposure)},
                        {"positions", std::move(positions)}}},
                      {"market",
                       {{"price", Dec(d.reference_price)},
                        {"spread", spread},
                        {"as_of", Rfc3339Millis(d.signal_event_ts)}}},
                      {"recent_decisions", std::move(recent)},
                      {"policy",
                       {{"min_confidence", config_.policy.min_confidence.ToDouble()},
                        {"adjustment_allowed", config_.policy.adjustment_allowed},
                        {"min_qty_multiplier", config_.policy.min_qty_multiplier.ToDouble()},
                        {"max_qty_multiplier", config_.policy.max_qty_multiplier.ToDouble()}}}};
  return doc.dump();
}

std::vector<std::string> LlmReviewer::FailReasons(std::string_view code) const {
  if (config_.shadow_mode) return {};
  if (mode_ == trading::TradingMode::kLive || config_.fail_mode == FailMode::kVeto) {
    return {std::string(code)};
  }
  return {};
}

void LlmReviewer::Remember(const trading::Decision& d, trading::LlmVerdict v) {
  if (config_.recent_decisions <= 0) return;
  std::deque<Recent>& q = recent_[{d.strategy_name, d.symbol}];
  q.push_back({d.created_at, d.action, d.qty, v});
  while (static_cast<int64_t>(q.size()) > config_.recent_decisions) q.pop_front();
}

trading::ReviewOutcome LlmReviewer::Review(const trading::Decision& d,
                                           const trading::PortfolioView& portfolio) {
  trading::ReviewOutcome out;
  trading::LlmReview rec;
  rec.decision_hash = d.decision_hash;
  rec.model = std::string(model_->model());
  rec.created_at = clock_->NowMillis();
  rec.verdict = trading::LlmVerdict::kError;
  auto finish = [&](trading::ReviewOutcome o) {
    Remember(d, rec.verdict);
    std::lock_guard lock(mu_);
    if (config_.shadow_mode) ++stats_.shadow;
    o.review = std::move(rec);
    return o;
  };
  const Result<std::string_view> system = SystemPrompt(config_.prompt_version);
  if (!system.ok()) {
    rec.error = system.status().message();
    out.reasons = FailReasons("llm_error");
    return finish(std::move(out));
  }
  if (!breaker_.Allow()) {
    rec.verdict = trading::LlmVerdict::kSkipped;
    rec.error = "llm_circuit_open";
    {
      std::lock_guard lock(mu_);
      ++stats_.circuit_skips;
    }
    out.reasons = FailReasons("llm_circuit_open");
    return finish(std::move(out));
  }
  const std::string document = RequestDocument(d, portfolio);
  const int64_t started = clock_->NowMillis();
  Result<ChatReply> reply = model_->Complete({std::string(*system), document}, &rec.request_json);
  rec.latency_ms = clock_->NowMillis() - started;
  Result<ParsedReview> parsed = reply.ok() ? ParseReview(reply->content) : reply.status();
  if (reply.ok()) {
    rec.response_json = reply->raw;
    rec.prompt_tokens = reply->prompt_tokens;
    rec.completion_tokens = reply->completion_tokens;
  }
  {
    std::lock_guard lock(mu_);
    ++stats_.requests;
    stats_.last_latency_ms = rec.latency_ms;
    stats_.prompt_tokens += rec.prompt_tokens;
    stats_.completion_tokens += rec.completion_tokens;
  }
  if (!parsed.ok()) {
    // Not an answer we can use: the call failed, or its content broke the schema.
    const std::string code =
        reply.ok() ? std::string(ParseErrorCode(parsed.status())) : "llm_error";
    const std::string kind = reply.ok() ? code : std::string(ErrorKind(reply.status()));
    rec.error = parsed.status().message();
    breaker_.RecordFailure(kind);
    {
      std::lock_guard lock(mu_);
      ++stats_.errors;
      ++stats_.errors_by_kind[kind];
    }
    log::Warn("llm", "review failed",
              {{"decision", d.decision_hash}, {"kind", kind}, {"error", *rec.error}});
    out.reasons = FailReasons(code);
    return finish(std::move(out));
  }
  breaker_.RecordSuccess();
  rec.verdict = parsed->verdict;
  rec.confidence = parsed->confidence;
  rec.adjusted_qty = parsed->adjusted_qty;
  rec.adjusted_order_type = parsed->adjusted_order_type;
  rec.limit_price = parsed->limit_price;
  rec.rationale = parsed->rationale;
  rec.risk_flags = parsed->risk_flags;
  {
    std::lock_guard lock(mu_);
    switch (parsed->verdict) {
      case trading::LlmVerdict::kApprove:
        ++stats_.approve;
        break;
      case trading::LlmVerdict::kVeto:
        ++stats_.veto;
        break;
      default:
        ++stats_.adjust;
        break;
    }
  }
  if (config_.shadow_mode) return finish(std::move(out));
  GuardResult g = ApplyPolicy(*parsed, d, config_.policy);
  out.reasons = std::move(g.reasons);
  out.qty = g.qty;
  out.order_type = g.order_type;
  out.limit_price = g.limit_price;
  return finish(std::move(out));
}

LlmStats LlmReviewer::Stats() const {
  std::lock_guard lock(mu_);
  LlmStats s = stats_;
  s.circuit = breaker_.Snapshot();
  return s;
}

}  // namespace torghut::llm
