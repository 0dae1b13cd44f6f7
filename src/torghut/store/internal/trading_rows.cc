#include "torghut/store/internal/trading_rows.h"

#include <fmt/format.h>

#include <charconv>
#include <nlohmann/json.hpp>

namespace torghut::store::internal {
namespace {

using nlohmann::json;
using trading::ParseDecisionStatus;
using trading::ParseLlmVerdict;
using trading::ParseOrderStatus;
using trading::ParseOrderType;
using trading::ParseSide;
using trading::ParseTimeframe;
using trading::ParseTimeInForce;

std::string Dump(const json& j) {
  return j.dump(-1, ' ', /*ensure_ascii=*/false, json::error_handler_t::replace);
}

// A JSON value parsed without exceptions; discarded() on malformed text.
json ParseJson(std::string_view text) {
  return json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
}

// A decimal from a JSON string, or an integer (a JSON fraction would already have gone through a
// double, so it is refused rather than silently rounded).
Result<Decimal> JsonDecimal(const json& j) {
  if (j.is_string()) return Decimal::Parse(j.get_ref<const std::string&>());
  if (j.is_number_integer()) return Decimal::Parse(j.dump());
  return InvalidArgument(fmt::format("{} is not a decimal string", j.dump().substr(0, 40)));
}

}  // namespace

std::string EncodeList(const std::vector<std::string>& items) {
  return Dump(json(items));
}

Result<std::vector<std::string>> DecodeList(std::string_view text) {
  const json j = ParseJson(text);
  if (!j.is_array()) {
    return DataLoss(fmt::format("list column holds '{}', not a JSON array", text.substr(0, 60)));
  }
  std::vector<std::string> out;
  out.reserve(j.size());
  for (const json& item : j) {
    if (!item.is_string()) {
      return DataLoss(
          fmt::format("list column holds '{}', not an array of strings", text.substr(0, 60)));
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::string EncodePositions(const std::vector<Position>& positions) {
  json a = json::array();
  for (const Position& p : positions) {
    a.push_back({{"symbol", p.symbol},
                 {"qty", p.qty.ToString()},
                 {"avg_entry_price", p.avg_entry_price.ToString()},
                 {"market_value", p.market_value.ToString()}});
  }
  return Dump(a);
}

Result<std::vector<Position>> DecodePositions(std::string_view text) {
  const json j = ParseJson(text);
  if (!j.is_array()) {
    return DataLoss(
        fmt::format("positions column holds '{}', not a JSON array", text.substr(0, 60)));
  }
  std::vector<Position> out;
  for (const json& e : j) {
    if (!e.is_object() || !e.contains("symbol") || !e["symbol"].is_string()) {
      return DataLoss("a position entry has no symbol");
    }
    Position p;
    p.symbol = e["symbol"].get<std::string>();
    for (auto [field, target] :
         {std::pair{"qty", &p.qty}, std::pair{"avg_entry_price", &p.avg_entry_price},
          std::pair{"market_value", &p.market_value}}) {
      if (!e.contains(field)) {
        return DataLoss(fmt::format("position {} has no '{}'", p.symbol, field));
      }
      Result<Decimal> d = JsonDecimal(e[field]);
      if (!d.ok()) {
        return DataLoss(fmt::format("position {} '{}': {}", p.symbol, field, d.status().message()));
      }
      *target = *d;
    }
    out.push_back(std::move(p));
  }
  return out;
}

// ---- RowReader ----

const SqlValue& RowReader::Next() {
  static const SqlValue kNullValue;
  return i_ < row_.size() ? row_[i_++] : kNullValue;
}

void RowReader::Fail(std::string_view why) {
  if (status_.ok()) {
    status_ = DataLoss(fmt::format("trading store column {}: {}", i_, why));
  }
}

std::string RowReader::Str() {
  const SqlValue& v = Next();
  return v ? *v : std::string();
}

std::optional<std::string> RowReader::OptStr() {
  return Next();
}

int64_t RowReader::Int() {
  const SqlValue& v = Next();
  int64_t out = 0;
  if (v && std::from_chars(v->data(), v->data() + v->size(), out).ec != std::errc()) {
    Fail(fmt::format("'{}' is not an integer", v->substr(0, 40)));
  }
  return out;
}

std::optional<int64_t> RowReader::OptInt() {
  if (!Peek()) {
    Next();
    return std::nullopt;
  }
  return Int();
}

bool RowReader::Bool() {
  const std::string s = Str();
  return s == "1" || s == "t" || s == "true";
}

Decimal RowReader::Dec() {
  const SqlValue& v = Next();
  if (!v) return Decimal();
  auto d = Decimal::Parse(*v);
  if (!d.ok()) Fail(fmt::format("'{}' is not a decimal", v->substr(0, 40)));
  return d.value_or(Decimal());
}

std::optional<Decimal> RowReader::OptDec() {
  if (!Peek()) {
    Next();
    return std::nullopt;
  }
  return Dec();
}

std::vector<std::string> RowReader::List() {
  auto list = DecodeList(Str());
  if (!list.ok()) Fail(list.status().message());
  return list.value_or({});
}

std::vector<Position> RowReader::Positions() {
  auto positions = DecodePositions(Str());
  if (!positions.ok()) Fail(positions.status().message());
  return positions.value_or({});
}

// ---- rows ----

Strategy ReadStrategy(RowReader& r) {
  Strategy s;
  s.name = r.Str();
  s.description = r.Str();
  s.enabled = r.Bool();
  s.base_timeframe = r.Enum(ParseTimeframe);
  s.universe_type = r.Str();
  s.symbols = r.List();
  s.max_notional_per_trade = r.OptDec();
  s.max_position_pct_equity = r.OptDec();
  s.type = r.Str();
  s.params_json = r.Str();
  s.qty = r.OptDec();
  s.notional = r.OptDec();
  s.order_type = r.Enum(ParseOrderType);
  s.limit_offset_bps = r.OptDec();
  s.time_in_force = r.Enum(ParseTimeInForce);
  s.created_at = r.Int();
  s.updated_at = r.Int();
  return s;
}

Decision ReadDecision(RowReader& r) {
  Decision d;
  d.decision_hash = r.Str();
  d.client_order_id = r.Str();
  d.strategy_name = r.Str();
  d.symbol = r.Str();
  d.timeframe = r.Enum(ParseTimeframe);
  d.signal_event_ts = r.Int();
  d.action = r.Enum(ParseSide);
  d.qty = r.Dec();
  d.order_type = r.Enum(ParseOrderType);
  d.time_in_force = r.Enum(ParseTimeInForce);
  d.limit_price = r.OptDec();
  d.reference_price = r.OptDec();
  d.status = r.Enum(ParseDecisionStatus);
  d.risk_reasons = r.List();
  d.inputs_json = r.Str();
  d.rationale = r.Str();
  d.created_at = r.Int();
  d.updated_at = r.Int();
  return d;
}

Execution ReadExecution(RowReader& r) {
  Execution e;
  e.decision_hash = r.Str();
  e.client_order_id = r.Str();
  e.broker_order_id = r.OptStr();
  e.symbol = r.Str();
  e.side = r.Enum(ParseSide);
  e.order_type = r.Enum(ParseOrderType);
  e.time_in_force = r.Enum(ParseTimeInForce);
  e.submitted_qty = r.Dec();
  e.limit_price = r.OptDec();
  e.filled_qty = r.Dec();
  e.avg_fill_price = r.OptDec();
  e.status = r.Enum(ParseOrderStatus);
  e.submitted_at = r.Int();
  e.updated_at = r.Int();
  return e;
}

Fill ReadFill(RowReader& r) {
  Fill f;
  f.fill_id = r.Str();
  f.client_order_id = r.Str();
  f.strategy_name = r.Str();
  f.symbol = r.Str();
  f.side = r.Enum(ParseSide);
  f.qty = r.Dec();
  f.price = r.Dec();
  f.filled_at = r.Int();
  return f;
}

PositionSnapshot ReadSnapshot(RowReader& r) {
  PositionSnapshot p;
  p.taken_at = r.Int();
  p.equity = r.Dec();
  p.cash = r.Dec();
  p.buying_power = r.Dec();
  p.positions = r.Positions();
  return p;
}

TradeCursor ReadCursor(RowReader& r) {
  TradeCursor c;
  c.strategy_name = r.Str();
  c.symbol = r.Str();
  c.timeframe = r.Enum(ParseTimeframe);
  c.event_ts = r.Int();
  c.updated_at = r.Int();
  return c;
}

BusOffset ReadOffset(RowReader& r) {
  BusOffset o;
  o.consumer_group = r.Str();
  o.topic = r.Str();
  o.partition = static_cast<int32_t>(r.Int());
  o.next_offset = r.Int();
  o.updated_at = r.Int();
  return o;
}

LlmReview ReadLlm(RowReader& r) {
  LlmReview l;
  l.decision_hash = r.Str();
  l.model = r.Str();
  l.verdict = r.Enum(ParseLlmVerdict);
  l.confidence = r.OptDec();
  l.adjusted_qty = r.OptDec();
  l.adjusted_order_type = r.OptEnum(ParseOrderType);
  l.limit_price = r.OptDec();
  l.rationale = r.Str();
  l.risk_flags = r.List();
  l.request_json = r.Str();
  l.response_json = r.Str();
  l.prompt_tokens = r.Int();
  l.completion_tokens = r.Int();
  l.latency_ms = r.Int();
  l.error = r.OptStr();
  l.created_at = r.Int();
  return l;
}

VerdictCount ReadVerdictCount(RowReader& r) {
  VerdictCount c;
  c.verdict = r.Enum(ParseLlmVerdict);
  c.count = r.Int();
  return c;
}

ReplayRun ReadReplay(RowReader& r) {
  ReplayRun x;
  x.replay_id = r.Str();
  x.group_id = r.Str();
  x.previous_group_id = r.Str();
  x.window_from = r.OptInt();
  x.window_to = r.OptInt();
  x.symbols = r.List();
  x.started_at = r.Int();
  x.finished_at = r.OptInt();
  x.outcome = r.OptStr();
  return x;
}

}  // namespace torghut::store::internal
