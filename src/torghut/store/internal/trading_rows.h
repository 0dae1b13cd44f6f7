// How the trading store's rows travel through SqlConnection (text parameters and results): value
// encoders, the JSON encodings of list and position columns, a checked row reader, and the one
// column list per table that both INSERT and SELECT follow. Private to store/sql.
//
//   RowReader r(row);
//   Decision d = ReadDecision(r);
//   TORGHUT_RETURN_IF_ERROR(r.status());   // kDataLoss naming the first unreadable column
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "torghut/store/sql/sql_connection.h"
#include "torghut/store/trading_store.h"

namespace torghut::store::internal {

// ---- parameters: text or NULL ----
inline SqlValue Text(std::string_view s) {
  return std::string(s);
}
inline SqlValue Int(int64_t v) {
  return std::to_string(v);
}
inline SqlValue Bool(bool v) {
  return std::string(v ? "1" : "0");
}
inline SqlValue Dec(Decimal d) {
  return d.ToString();
}
inline SqlValue Dec(const std::optional<Decimal>& d) {
  return d ? SqlValue(d->ToString()) : std::nullopt;
}
inline SqlValue OptInt(const std::optional<int64_t>& v) {
  return v ? Int(*v) : std::nullopt;
}
inline SqlValue OptText(const std::optional<std::string>& v) {
  return v;
}
template <typename E>
SqlValue Enum(E v) {
  return std::string(trading::ToString(v));
}
template <typename E>
SqlValue OptEnum(const std::optional<E>& v) {
  return v ? Enum(*v) : std::nullopt;
}

// ---- JSON columns ----
// `["a","b,c"]`: a JSON array of strings, compact, UTF-8 kept as is (invalid UTF-8 is replaced
// by U+FFFD rather than failing the write).
std::string EncodeList(const std::vector<std::string>& items);
// kDataLoss unless `text` is a JSON array of strings.
Result<std::vector<std::string>> DecodeList(std::string_view text);
// `[{"symbol":"AAPL","qty":"3","avg_entry_price":"187.25","market_value":"561.75"}]`, decimals as
// strings so that they stay exact.
std::string EncodePositions(const std::vector<Position>& positions);
// Accepts decimals as JSON strings (or integers); kDataLoss when an entry lacks a field or holds
// anything else.
Result<std::vector<Position>> DecodePositions(std::string_view text);

// Reads the columns of one result row in order, recording the first failure (a NULL where a
// value is required reads as empty/zero and is not itself a failure: the schema forbids it).
class RowReader {
 public:
  explicit RowReader(const SqlRow& row) : row_(row) {}
  std::string Str();
  std::optional<std::string> OptStr();
  int64_t Int();
  std::optional<int64_t> OptInt();
  bool Bool();
  Decimal Dec();
  std::optional<Decimal> OptDec();
  std::vector<std::string> List();
  std::vector<Position> Positions();
  // An enum column through its model parser, e.g. r.Enum(trading::ParseSide).
  template <typename E>
  E Enum(Result<E> (*parse)(std::string_view)) {
    const std::string s = Str();
    Result<E> v = parse(s);
    if (!v.ok()) Fail(v.status().message());
    return v.value_or(E{});
  }
  template <typename E>
  std::optional<E> OptEnum(Result<E> (*parse)(std::string_view)) {
    if (!Peek()) {
      Next();
      return std::nullopt;
    }
    return Enum(parse);
  }
  Status status() const { return status_; }

 private:
  const SqlValue& Next();
  bool Peek() const { return i_ < row_.size() && row_[i_].has_value(); }
  void Fail(std::string_view why);

  const SqlRow& row_;
  size_t i_ = 0;
  Status status_;
};

// ---- column lists, one per table, in the order the Read functions consume them ----
// `{ms col}` is the SqlConnection time rewrite.

inline constexpr std::string_view kStrategyCols =
    "name, description, enabled, base_timeframe, universe_type, symbols, max_notional_per_trade, "
    "max_position_pct_equity, type, params, qty, notional, order_type, limit_offset_bps, "
    "time_in_force, {ms created_at}, {ms updated_at}";
inline constexpr std::string_view kDecisionCols =
    "decision_hash, client_order_id, strategy_name, symbol, timeframe, {ms signal_event_ts}, "
    "action, qty, order_type, time_in_force, limit_price, reference_price, status, reasons, "
    "inputs_json, rationale, {ms created_at}, {ms updated_at}";
inline constexpr std::string_view kExecutionCols =
    "decision_hash, client_order_id, broker_order_id, symbol, side, order_type, time_in_force, "
    "qty, limit_price, filled_qty, avg_fill_price, status, {ms submitted_at}, {ms updated_at}";
inline constexpr std::string_view kFillCols =
    "fill_id, client_order_id, strategy_name, symbol, side, qty, price, {ms filled_at}";
inline constexpr std::string_view kSnapshotCols =
    "{ms taken_at}, equity, cash, buying_power, positions";
inline constexpr std::string_view kCursorCols =
    "strategy_name, symbol, timeframe, {ms event_ts}, {ms updated_at}";
inline constexpr std::string_view kOffsetCols =
    "consumer_group, topic, topic_partition, next_offset, {ms updated_at}";
inline constexpr std::string_view kLlmCols =
    "decision_hash, model, verdict, confidence, adjusted_qty, adjusted_order_type, limit_price, "
    "rationale, risk_flags, request_json, response_json, prompt_tokens, completion_tokens, "
    "latency_ms, error, {ms created_at}";
inline constexpr std::string_view kReplayCols =
    "replay_id, group_id, previous_group_id, {ms window_from}, {ms window_to}, symbols, "
    "{ms started_at}, {ms finished_at}, outcome";

Strategy ReadStrategy(RowReader& r);
Decision ReadDecision(RowReader& r);
Execution ReadExecution(RowReader& r);
Fill ReadFill(RowReader& r);
PositionSnapshot ReadSnapshot(RowReader& r);
TradeCursor ReadCursor(RowReader& r);
BusOffset ReadOffset(RowReader& r);
LlmReview ReadLlm(RowReader& r);
VerdictCount ReadVerdictCount(RowReader& r);  // verdict, count
ReplayRun ReadReplay(RowReader& r);

}  // namespace torghut::store::internal
