// Rows as flat JSON objects whose keys are the TA store's column names (SPEC §3, §5):
//   {"symbol":"AAPL","event_ts":"2024-01-02T14:30:01.000Z","seq":17,...,"vwap":187.2,"count":3}
// Timestamps are ISO-8601 UTC with milliseconds; NaN indicators are null; doubles use the shortest
// text that reads back to the same bits, so equal rows give equal bytes.
#pragma once

#include <string>
#include <string_view>

#include "torghut/core/status.h"

#include "torghut/ta/rows.h"

namespace torghut::ta {

// Appends one JSON object (no newline) to `out`.
void AppendMicrobarJson(const MicrobarRow& row, std::string* out);
void AppendSignalJson(const SignalRow& row, std::string* out);

// The inverse, for readers of the TA topics (the trader): every column present and of its type
// (null indicators → NaN), unknown keys ignored; kInvalidArgument naming the first bad column.
// Parse(Append(row)) == row.
Status ParseMicrobarJson(std::string_view json, MicrobarRow* row);
Status ParseSignalJson(std::string_view json, SignalRow* row);

}  // namespace torghut::ta
