// The LLM review in process: the answer's schema, the policy guard's every reason and boundary,
// the circuit breaker's transitions on a fake clock, the fail and shadow modes — and the shadow
// leak test through the trading engine: with shadow on, whatever the model does (approve, veto,
// adjust, fail, time out, break the schema, the circuit open), the decisions are byte-identical
// to the ones made with no reviewer at all — with a scripted model and against the simulator's
// reviewer and each of its faults over HTTP.
#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "torghut/core/calendar.h"
#include "torghut/core/clock.h"
#include "torghut/http/client.h"
#include "torghut/http/server.h"
#include "torghut/llm/circuit_breaker.h"
#include "torghut/llm/llm_reviewer.h"
#include "torghut/llm/prompts.h"
#include "torghut/llm/review_policy.h"
#include "torghut/sim/market_server.h"
#include "torghut/trading/engine.h"

namespace torghut::llm {
namespace {

using trading::LlmVerdict;

Decimal D(std::string_view s) {
  return Decimal::Parse(s).value();
}

trading::Decision Buy(std::string_view qty = "10") {
  trading::Decision d;
  d.decision_hash = "h1";
  d.strategy_name = "s1";
  d.symbol = "AAPL";
  d.action = trading::Side::kBuy;
  d.qty = D(qty);
  d.order_type = trading::OrderType::kMarket;
  d.reference_price = D("187.25");
  return d;
}

ParsedReview Review(LlmVerdict v, std::string_view confidence = "0.9") {
  ParsedReview r;
  r.verdict = v;
  r.confidence = D(confidence);
  return r;
}

ReviewPolicy Adjustable() {
  ReviewPolicy p;
  p.adjustment_allowed = true;
  return p;
}

// ---- the schema ----

TEST(ParseReview, AcceptsTheSchemaWithNumbersOrStrings) {
  auto r = ParseReview(
      R"({"verdict":"adjust","confidence":0.75,"adjusted_qty":"8","adjusted_order_type":"limit",)"
      R"("limit_price":187.1,"rationale":"smaller, at a limit","risk_flags":["size"]})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->verdict, LlmVerdict::kAdjust);
  EXPECT_EQ(r->confidence, D("0.75"));
  EXPECT_EQ(r->adjusted_qty, D("8"));
  EXPECT_EQ(r->adjusted_order_type, trading::OrderType::kLimit);
  EXPECT_EQ(r->limit_price, D("187.1"));
  EXPECT_EQ(r->risk_flags, std::vector<std::string>{"size"});
}

TEST(ParseReview, NamesWhatIsWrong) {
  struct Case {
    std::string content;
    std::string_view code;
    std::string mentions;
  };
  const std::string long_rationale(281, 'x');
  for (const Case& c : std::vector<Case>{
           {"I approve this trade.", kNotJson, "not JSON"},
           {"[1,2]", kInvalid, "object"},
           {R"({"confidence":0.9,"rationale":"r"})", kInvalid, "verdict"},
           {R"({"verdict":"maybe","confidence":0.9,"rationale":"r"})", kInvalid, "maybe"},
           {R"({"verdict":"approve","confidence":7,"rationale":"r"})", kInvalid, "[0, 1]"},
           {R"({"verdict":"approve","confidence":-0.1,"rationale":"r"})", kInvalid, "[0, 1]"},
           {R"({"verdict":"approve","rationale":"r"})", kInvalid, "confidence"},
           {R"({"verdict":"approve","confidence":0.9})", kInvalid, "rationale"},
           {R"({"verdict":"approve","confidence":0.9,"rationale":")" + long_rationale + "\"}",
            kInvalid, "280"},
           {R"({"verdict":"approve","confidence":0.9,"rationale":"r","risk_flags":[1]})", kInvalid,
            "risk_flags"},
           {R"({"verdict":"adjust","confidence":0.9,"rationale":"r","adjusted_order_type":"stop"})",
            kInvalid, "adjusted_order_type"},
           {R"({"verdict":"adjust","confidence":0.9,"rationale":"r","adjusted_qty":"ten"})",
            kInvalid, "adjusted_qty"},
       }) {
    SCOPED_TRACE(c.content);
    auto r = ParseReview(c.content);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(ParseErrorCode(r.status()), c.code);
    EXPECT_NE(r.status().message().find(c.mentions), std::string::npos) << r.status().message();
  }
  // Exactly 280 characters is allowed.
  EXPECT_TRUE(ParseReview(R"({"verdict":"approve","confidence":0.9,"rationale":")" +
                          std::string(280, 'x') + "\"}")
                  .ok());
}

// ---- the policy guard ----

TEST(PolicyGuard, ConfidenceBelowTheMinimumVetoesEvenAnApprove) {
  EXPECT_EQ(ApplyPolicy(Review(LlmVerdict::kApprove, "0.49"), Buy(), {}).reasons,
            std::vector<std::string>{"llm_confidence_below_min"});
  EXPECT_TRUE(ApplyPolicy(Review(LlmVerdict::kApprove, "0.5"), Buy(), {}).reasons.empty());
  EXPECT_EQ(ApplyPolicy(Review(LlmVerdict::kVeto, "0.1"), Buy(), {}).reasons,
            std::vector<std::string>{"llm_confidence_below_min"});
}

TEST(PolicyGuard, VetoApproveAndAdjustNotAllowed) {
  EXPECT_EQ(ApplyPolicy(Review(LlmVerdict::kVeto), Buy(), {}).reasons,
            std::vector<std::string>{"llm_veto"});
  const GuardResult approve = ApplyPolicy(Review(LlmVerdict::kApprove), Buy(), {});
  EXPECT_TRUE(approve.reasons.empty());
  EXPECT_FALSE(approve.qty || approve.order_type || approve.limit_price);
  ParsedReview adjust = Review(LlmVerdict::kAdjust);
  adjust.adjusted_qty = D("8");
  EXPECT_EQ(ApplyPolicy(adjust, Buy(), {}).reasons,
            std::vector<std::string>{"llm_adjustment_not_allowed"});
}

TEST(PolicyGuard, AdjustedQtyWithinTheMultipliersInclusive) {
  struct Case {
    std::string qty;
    bool ok;
  };
  // Decision qty 10; multipliers [0.5, 1.25] → [5, 12.5].
  for (const Case& c : std::vector<Case>{{"5", true},
                                         {"4.999999999", false},
                                         {"12.5", true},
                                         {"12.500000001", false},
                                         {"0", false},
                                         {"-1", false},
                                         {"10", true}}) {
    SCOPED_TRACE(c.qty);
    ParsedReview r = Review(LlmVerdict::kAdjust);
    r.adjusted_qty = D(c.qty);
    const GuardResult g = ApplyPolicy(r, Buy("10"), Adjustable());
    if (c.ok) {
      EXPECT_TRUE(g.reasons.empty());
      EXPECT_EQ(g.qty, D(c.qty));
    } else {
      EXPECT_EQ(g.reasons, std::vector<std::string>{"llm_adjusted_qty_out_of_bounds"});
      EXPECT_FALSE(g.qty);
    }
  }
}

TEST(PolicyGuard, OrderTypeSwitchesNeedALimitPriceForALimit) {
  ParsedReview to_limit = Review(LlmVerdict::kAdjust);
  to_limit.adjusted_order_type = trading::OrderType::kLimit;
  EXPECT_EQ(ApplyPolicy(to_limit, Buy(), Adjustable()).reasons,
            std::vector<std::string>{"llm_limit_price_missing"});
  to_limit.limit_price = D("0");
  EXPECT_EQ(ApplyPolicy(to_limit, Buy(), Adjustable()).reasons,
            std::vector<std::string>{"llm_limit_price_missing"});
  to_limit.limit_price = D("187.1");
  const GuardResult g = ApplyPolicy(to_limit, Buy(), Adjustable());
  EXPECT_TRUE(g.reasons.empty());
  EXPECT_EQ(g.order_type, trading::OrderType::kLimit);
  EXPECT_EQ(g.limit_price, D("187.1"));
  // Limit → market: the limit price goes (the engine drops it for a market order).
  trading::Decision limit = Buy();
  limit.order_type = trading::OrderType::kLimit;
  limit.limit_price = D("187");
  ParsedReview to_market = Review(LlmVerdict::kAdjust);
  to_market.adjusted_order_type = trading::OrderType::kMarket;
  const GuardResult m = ApplyPolicy(to_market, limit, Adjustable());
  EXPECT_TRUE(m.reasons.empty());
  EXPECT_EQ(m.order_type, trading::OrderType::kMarket);
  EXPECT_FALSE(m.limit_price);
  // A limit decision adjusted in size keeps its own limit price.
  ParsedReview smaller = Review(LlmVerdict::kAdjust);
  smaller.adjusted_qty = D("6");
  EXPECT_TRUE(ApplyPolicy(smaller, limit, Adjustable()).reasons.empty());
}

// ---- the circuit breaker ----

TEST(CircuitBreaker, OpensHalfOpensAndClosesOnTheInjectedClock) {
  FakeClock clock(int64_t{1'000'000} * kNanosPerMilli);
  CircuitConfig c;  // 3 errors within 300 s open it for 600 s
  CircuitBreaker b(c, &clock);
  EXPECT_EQ(b.Snapshot().state, CircuitState::kClosed);
  // Errors outside the window do not add up.
  b.RecordFailure("timeout");
  clock.AdvanceMillis(200'000);
  b.RecordFailure("timeout");
  clock.AdvanceMillis(150'000);  // the first is now 350 s old
  b.RecordFailure("timeout");
  EXPECT_EQ(b.Snapshot().state, CircuitState::kClosed);
  EXPECT_EQ(b.Snapshot().recent_error_count, 2);
  EXPECT_TRUE(b.Allow());
  // A success clears the count; three in a row open it.
  b.RecordSuccess();
  EXPECT_EQ(b.Snapshot().recent_error_count, 0);
  for (int i = 0; i < 3; ++i) b.RecordFailure("http 500");
  CircuitSnapshot s = b.Snapshot();
  EXPECT_EQ(s.state, CircuitState::kOpen);
  EXPECT_TRUE(s.open);
  EXPECT_EQ(s.open_until_ms, clock.NowMillis() + 600'000);
  EXPECT_EQ(s.last_error, "http 500");
  EXPECT_EQ(s.opened_total, 1);
  EXPECT_FALSE(b.Allow());
  clock.AdvanceMillis(599'999);
  EXPECT_FALSE(b.Allow());
  // Cooldown over: half-open is reported with no call made, and `open` is false.
  clock.AdvanceMillis(1);
  s = b.Snapshot();
  EXPECT_EQ(s.state, CircuitState::kHalfOpen);
  EXPECT_FALSE(s.open);
  // One trial at a time.
  EXPECT_TRUE(b.Allow());
  EXPECT_FALSE(b.Allow());
  // The trial fails: open again for a full cooldown.
  b.RecordFailure("timeout");
  s = b.Snapshot();
  EXPECT_EQ(s.state, CircuitState::kOpen);
  EXPECT_EQ(s.open_until_ms, clock.NowMillis() + 600'000);
  EXPECT_EQ(s.opened_total, 2);
  clock.AdvanceMillis(600'000);
  ASSERT_TRUE(b.Allow());
  // The trial succeeds: closed, calls flow.
  b.RecordSuccess();
  EXPECT_EQ(b.Snapshot().state, CircuitState::kClosed);
  EXPECT_TRUE(b.Allow());
  EXPECT_TRUE(b.Allow());
}

// ---- the reviewer ----

// A model that answers from a script: each call takes the next behaviour.
class ScriptedModel final : public ChatModel {
 public:
  using Behaviour = std::function<Result<ChatReply>()>;
  std::deque<Behaviour> script;
  int calls = 0;
  std::string last_user;
  std::string_view model() const override { return "scripted"; }
  Result<ChatReply> Complete(const ChatRequest& r, std::string* body) override {
    ++calls;
    last_user = r.user;
    *body = R"({"model":"scripted"})";
    if (script.empty()) return Unavailable("no script");
    Behaviour b = script.front();
    script.pop_front();
    return b();
  }
};

ScriptedModel::Behaviour Answer(std::string content) {
  return [content] {
    ChatReply r;
    r.content = content;
    r.raw = R"({"choices":[]})";
    r.prompt_tokens = 120;
    r.completion_tokens = 30;
    return Result<ChatReply>(r);
  };
}
ScriptedModel::Behaviour Fail(Status s) {
  return [s] { return Result<ChatReply>(s); };
}

const char kApprove[] =
    R"({"verdict":"approve","confidence":0.9,"rationale":"fine","risk_flags":[]})";
const char kVeto[] =
    R"({"verdict":"veto","confidence":0.8,"rationale":"spread","risk_flags":["wide_spread"]})";
const char kAdjust[] =
    R"({"verdict":"adjust","confidence":0.8,"adjusted_qty":6,"rationale":"smaller","risk_flags":[]})";

LlmConfig Config(bool shadow, FailMode fail = FailMode::kVeto) {
  LlmConfig c;
  c.enabled = true;
  c.shadow_mode = shadow;
  c.fail_mode = fail;
  c.policy.adjustment_allowed = true;
  return c;
}

TEST(LlmReviewer, VerdictsAndFailuresInEachMode) {
  FakeClock clock(int64_t{1'700'000'000'000} * kNanosPerMilli);
  struct Case {
    std::string name;
    ScriptedModel::Behaviour behaviour;
    LlmVerdict verdict;
    std::vector<std::string> veto_mode, pass_through;  // reasons in each fail mode (paper)
  };
  const std::vector<Case> cases = {
      {"approve", Answer(kApprove), LlmVerdict::kApprove, {}, {}},
      {"veto", Answer(kVeto), LlmVerdict::kVeto, {"llm_veto"}, {"llm_veto"}},
      {"timeout", Fail(DeadlineExceeded("llm: no answer")), LlmVerdict::kError, {"llm_error"}, {}},
      {"http 500", Fail(Unavailable("llm: 500")), LlmVerdict::kError, {"llm_error"}, {}},
      {"not json", Answer("Sure, buy it."), LlmVerdict::kError, {"llm_response_not_json"}, {}},
      {"bad schema",
       Answer(R"({"verdict":"maybe","confidence":7})"),
       LlmVerdict::kError,
       {"llm_response_invalid"},
       {}},
  };
  for (const Case& c : cases) {
    for (FailMode mode : {FailMode::kVeto, FailMode::kPassThrough}) {
      SCOPED_TRACE(c.name + " / " + std::string(ToString(mode)));
      ScriptedModel model;
      model.script = {c.behaviour};
      LlmReviewer reviewer(Config(false, mode), trading::TradingMode::kPaper, &model, &clock);
      const trading::ReviewOutcome out = reviewer.Review(Buy(), {});
      EXPECT_EQ(out.reasons, mode == FailMode::kVeto ? c.veto_mode : c.pass_through);
      ASSERT_TRUE(out.review.has_value());
      EXPECT_EQ(out.review->verdict, c.verdict);
      EXPECT_EQ(out.review->decision_hash, "h1");
      EXPECT_EQ(out.review->model, "scripted");
      EXPECT_FALSE(out.review->request_json.empty());
      EXPECT_EQ(out.review->error.has_value(), c.verdict == LlmVerdict::kError);
    }
    // Live mode vetoes on any failure, whatever the fail mode.
    ScriptedModel model;
    model.script = {c.behaviour};
    LlmReviewer live(Config(false, FailMode::kPassThrough), trading::TradingMode::kLive, &model,
                     &clock);
    EXPECT_EQ(live.Review(Buy(), {}).reasons, c.veto_mode) << c.name;
  }
  // Tokens and latency are recorded with an answer.
  ScriptedModel model;
  model.script = {Answer(kApprove)};
  LlmReviewer reviewer(Config(false), trading::TradingMode::kPaper, &model, &clock);
  const trading::ReviewOutcome out = reviewer.Review(Buy(), {});
  EXPECT_EQ(out.review->prompt_tokens, 120);
  EXPECT_EQ(out.review->completion_tokens, 30);
  EXPECT_EQ(out.review->confidence, D("0.9"));
  EXPECT_EQ(out.review->rationale, "fine");
  const LlmStats s = reviewer.Stats();
  EXPECT_EQ(s.requests, 1);
  EXPECT_EQ(s.approve, 1);
  EXPECT_EQ(s.prompt_tokens, 120);
}

TEST(LlmReviewer, AnAdjustmentAppliesAndTheCircuitSkipsCallsWhileOpen) {
  FakeClock clock(int64_t{1'700'000'000'000} * kNanosPerMilli);
  ScriptedModel model;
  model.script = {Answer(kAdjust), Fail(Unavailable("down")), Fail(Unavailable("down")),
                  Fail(Unavailable("down")), Answer(kApprove)};
  LlmReviewer reviewer(Config(false), trading::TradingMode::kPaper, &model, &clock);
  const trading::ReviewOutcome adjusted = reviewer.Review(Buy("10"), {});
  EXPECT_TRUE(adjusted.reasons.empty());
  EXPECT_EQ(adjusted.qty, D("6"));
  for (int i = 0; i < 3; ++i) reviewer.Review(Buy(), {});
  EXPECT_EQ(reviewer.Stats().circuit.state, CircuitState::kOpen);
  EXPECT_EQ(reviewer.Stats().errors_by_kind.at("unavailable"), 3);
  // Open: no call, the fail mode decides, the skipped review is recorded.
  const trading::ReviewOutcome skipped = reviewer.Review(Buy(), {});
  EXPECT_EQ(model.calls, 4);
  EXPECT_EQ(skipped.reasons, std::vector<std::string>{"llm_circuit_open"});
  EXPECT_EQ(skipped.review->verdict, LlmVerdict::kSkipped);
  EXPECT_EQ(reviewer.Stats().circuit_skips, 1);
  // After the cooldown one trial goes out, succeeds, and the circuit closes.
  clock.AdvanceMillis(600'000);
  EXPECT_EQ(reviewer.Stats().circuit.state, CircuitState::kHalfOpen);
  EXPECT_TRUE(reviewer.Review(Buy(), {}).reasons.empty());
  EXPECT_EQ(model.calls, 5);
  EXPECT_EQ(reviewer.Stats().circuit.state, CircuitState::kClosed);
}

TEST(LlmReviewer, TheRequestDocumentCarriesDecisionPortfolioMarketRecentAndPolicy) {
  FakeClock clock(int64_t{1'700'000'000'000} * kNanosPerMilli);
  ScriptedModel model;
  model.script = {Answer(kApprove), Answer(kApprove)};
  LlmReviewer reviewer(Config(false), trading::TradingMode::kPaper, &model, &clock);
  trading::Decision d = Buy("3");
  d.inputs_json = R"({"rule":"macd-rsi","params":{"rsi_buy_below":35},"values":{"rsi14":31.5,)"
                  R"("imbalance_spread":0.02}})";
  d.signal_event_ts = 1'700'000'000'000;
  trading::PortfolioView p;
  p.equity = D("100000");
  p.cash = D("90000");
  p.buying_power = D("90000");
  p.positions["AAPL"] = {D("10"), D("180")};
  reviewer.Review(d, p);
  reviewer.Review(d, p);
  const nlohmann::json doc = nlohmann::json::parse(model.last_user);
  EXPECT_EQ(doc["prompt_version"], "v1");
  EXPECT_EQ(doc["decision"]["symbol"], "AAPL");
  EXPECT_EQ(doc["decision"]["action"], "buy");
  EXPECT_EQ(doc["decision"]["qty"], "3");
  EXPECT_EQ(doc["decision"]["inputs"]["rsi14"], 31.5);
  EXPECT_EQ(doc["decision"]["rule"], "macd-rsi");
  EXPECT_EQ(doc["decision"]["params"]["rsi_buy_below"], 35);
  EXPECT_EQ(doc["portfolio"]["equity"], "100000");
  EXPECT_EQ(doc["portfolio"]["exposure_by_symbol"]["AAPL"], "1800");
  EXPECT_EQ(doc["portfolio"]["positions"][0]["qty"], "10");
  EXPECT_EQ(doc["market"]["price"], "187.25");
  EXPECT_EQ(doc["market"]["spread"], "0.02");
  EXPECT_EQ(doc["market"]["as_of"], "2023-11-14T22:13:20.000Z");
  ASSERT_EQ(doc["recent_decisions"].size(), 1u);  // the first review, seen by the second
  EXPECT_EQ(doc["recent_decisions"][0]["llm_verdict"], "approve");
  EXPECT_EQ(doc["policy"]["min_confidence"], 0.5);
  EXPECT_EQ(doc["policy"]["adjustment_allowed"], true);
  EXPECT_TRUE(SystemPrompt("v1").ok());
  EXPECT_NE(SystemPrompt("v1")->find("JSON"), std::string_view::npos);
  EXPECT_FALSE(SystemPrompt("v9").ok());
}

// ---- shadow mode never leaks ----

std::vector<trading::TradingBar> Bars() {
  std::vector<trading::TradingBar> bars;
  constexpr trading::EpochMillis kOpen = 1704207600000;  // 2024-01-02 10:00 New York
  for (int i = 0; i < 12; ++i) {
    trading::TradingBar b;
    b.symbol = i % 2 == 0 ? "AAPL" : "MSFT";
    b.timeframe = trading::Timeframe::k1Sec;
    b.event_ts = kOpen + (i / 2 + 1) * 1000;
    b.version = 1;
    const double close = 100 + i;
    b.close = Decimal::FromDouble(close, 4).value();
    b.inputs.event_ts = b.event_ts;
    b.inputs.close = close;
    b.inputs.macd = (i / 2) % 2 == 0 ? 1 : -1;  // buy, then sell, alternately
    b.inputs.macd_signal = 0;
    b.inputs.rsi14 = (i / 2) % 2 == 0 ? 30 : 70;
    // MSFT's quotes are wide (5 on ~100: 500 bps): the simulator's reviewer vetoes those.
    b.inputs.imbalance_spread = b.symbol == "MSFT" ? 5.0 : 0.01;
    bars.push_back(b);
  }
  return bars;
}

// Every decision of the bars above through an engine with `reviewer` (nullptr: none), serialised.
std::string Decisions(trading::Reviewer* reviewer, size_t* reviews = nullptr) {
  static const TradingCalendar calendar = TradingCalendar::NewYork().value();
  trading::TradingSettings s;
  s.enabled = true;
  s.session = trading::SessionRule::kAlways;
  s.check_signal_age = false;
  trading::TradingEngine engine(s, &calendar, reviewer);
  trading::Strategy st;
  st.name = "s1";
  st.enabled = true;
  st.base_timeframe = trading::Timeframe::k1Sec;
  st.type = "macd-rsi";
  st.params_json = "{}";
  EXPECT_TRUE(engine.SetStrategies({st}).ok());
  trading::PortfolioView p;
  p.equity = p.cash = p.buying_power = D("100000");
  std::string out;
  for (const trading::TradingBar& b : Bars()) {
    const trading::EngineStep step = engine.OnBar(b, b.event_ts + 5, p);
    if (reviews != nullptr) *reviews += step.reviews.size();
    for (const trading::Decision& d : step.decisions) {
      nlohmann::json j = {{"hash", d.decision_hash},
                          {"action", trading::ToString(d.action)},
                          {"qty", d.qty.ToString()},
                          {"type", trading::ToString(d.order_type)},
                          {"status", trading::ToString(d.status)},
                          {"reasons", d.risk_reasons},
                          {"inputs", d.inputs_json},
                          {"rationale", d.rationale}};
      out += j.dump() + "\n";
    }
  }
  return out;
}

TEST(ShadowMode, NeverChangesADecisionWhateverTheModelDoes) {
  const std::string without = Decisions(nullptr);
  ASSERT_FALSE(without.empty());
  ASSERT_NE(without.find("\"buy\""), std::string::npos);
  ASSERT_NE(without.find("\"sell\""), std::string::npos);
  struct Case {
    std::string name;
    ScriptedModel::Behaviour behaviour;
  };
  const std::vector<Case> cases = {
      {"approve", Answer(kApprove)},
      {"veto", Answer(kVeto)},
      {"adjust", Answer(kAdjust)},
      {"timeout", Fail(DeadlineExceeded("llm: no answer"))},
      {"http 500", Fail(Unavailable("llm: 500"))},
      {"not json", Answer("no")},
      {"bad schema", Answer(R"({"verdict":"maybe"})")},
      {"long rationale", Answer(R"({"verdict":"veto","confidence":0.9,"rationale":")" +
                                std::string(300, 'r') + "\"}")},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    FakeClock clock(int64_t{1'700'000'000'000} * kNanosPerMilli);
    ScriptedModel model;
    for (int i = 0; i < 100; ++i) model.script.push_back(c.behaviour);
    LlmReviewer reviewer(Config(/*shadow=*/true), trading::TradingMode::kPaper, &model, &clock);
    EXPECT_EQ(Decisions(&reviewer), without);
    const LlmStats s = reviewer.Stats();
    EXPECT_GT(s.shadow, 0);  // reviews were made (and recorded)
    EXPECT_EQ(s.shadow, s.requests + s.circuit_skips);
  }
  // And with the circuit open from the start of the run (failures opened it).
  FakeClock clock(int64_t{1'700'000'000'000} * kNanosPerMilli);
  ScriptedModel model;
  LlmReviewer reviewer(Config(true), trading::TradingMode::kPaper, &model, &clock);
  for (int i = 0; i < 3; ++i) reviewer.Review(Buy(), {});  // "no script": unavailable
  ASSERT_EQ(reviewer.Stats().circuit.state, CircuitState::kOpen);
  EXPECT_EQ(Decisions(&reviewer), without);
  EXPECT_GT(reviewer.Stats().circuit_skips, 0);
  // Not in shadow, a veto does change the outcome (the test above can fail).
  FakeClock clock2(int64_t{1'700'000'000'000} * kNanosPerMilli);
  ScriptedModel vetoes;
  for (int i = 0; i < 100; ++i) vetoes.script.push_back(Answer(kVeto));
  LlmReviewer enforcing(Config(false), trading::TradingMode::kPaper, &vetoes, &clock2);
  const std::string vetoed = Decisions(&enforcing);
  EXPECT_NE(vetoed, without);
  EXPECT_NE(vetoed.find("llm_veto"), std::string::npos);
}

// The same, against the simulator's reviewer over HTTP, through each of its faults (SPEC §10's
// `llm` switch): the real client, the real answers, the real failures.
TEST(ShadowMode, AgainstEachFaultOfTheSimulatorsReviewer) {
  sim::MarketServerOptions o;
  o.generator.symbols = {"AAPL", "MSFT"};
  sim::MarketServer market(o);
  http::Router router;
  market.Register(router);
  http::ServerConfig sc;
  sc.port = 0;
  sc.threads = 8;  // as `sim serve`: requests held by `hang` must not block /sim/faults
  sc.access_log = false;
  http::Registry metrics;
  http::Server server(sc, std::move(router), &metrics);
  ASSERT_TRUE(server.Start().ok());
  ASSERT_TRUE(market.Start().ok());
  const std::string base = "http://" + server.address();
  http::HttpClient admin;
  auto fault = [&](const std::string& mode) {
    const http::ClientResponse r =
        admin.Post(base + "/sim/faults", nlohmann::json{{"llm", mode}}.dump());
    ASSERT_EQ(r.status, 200) << r.body;
  };
  const std::string without = Decisions(nullptr);
  size_t decisions = 0;
  for (size_t at = without.find('\n'); at != std::string::npos; at = without.find('\n', at + 1)) {
    ++decisions;
  }
  LlmConfig config = Config(/*shadow=*/true);
  config.base_url = base + "/v1";
  config.api_key = "sim-llm-key";
  config.model = "sim";
  config.timeout_ms = 300;  // `hang` and `slow` (2 s) both outlast it
  for (const std::string mode :
       {"ok", "http_500", "hang", "slow", "not_json", "bad_schema", "long_rationale"}) {
    SCOPED_TRACE(mode);
    fault(mode);
    FakeClock clock(int64_t{1'700'000'000'000} * kNanosPerMilli);
    OpenAiChatClient chat(config);
    LlmReviewer reviewer(config, trading::TradingMode::kPaper, &chat, &clock);
    size_t reviews = 0;
    EXPECT_EQ(Decisions(&reviewer, &reviews), without);
    EXPECT_EQ(reviews, decisions);  // one stored review per decision, whatever happened
    const LlmStats s = reviewer.Stats();
    if (mode == "ok") {
      EXPECT_GT(s.veto, 0);  // the wide spreads: vetoes that shadow mode did not apply
      EXPECT_GT(s.approve, 0);
      EXPECT_EQ(s.errors, 0);
    } else {
      EXPECT_GT(s.errors, 0);
      EXPECT_EQ(s.circuit.state, CircuitState::kOpen);  // 3 failures in a row open it
      EXPECT_GT(s.circuit_skips, 0);
    }
  }
  // The control: enforcing, the simulator's vetoes do change the decisions.
  fault("ok");
  FakeClock clock(int64_t{1'700'000'000'000} * kNanosPerMilli);
  LlmConfig enforcing = config;
  enforcing.shadow_mode = false;
  OpenAiChatClient chat(enforcing);
  LlmReviewer reviewer(enforcing, trading::TradingMode::kPaper, &chat, &clock);
  const std::string vetoed = Decisions(&reviewer);
  EXPECT_NE(vetoed, without);
  EXPECT_NE(vetoed.find("llm_veto"), std::string::npos);
  market.Stop();
  server.Stop();
}

}  // namespace
}  // namespace torghut::llm
