// Alpaca's streams in msgpack (SPEC §10): a client that upgrades with `Content-Type:
// application/msgpack` (or sends binary frames) speaks the same messages as msgpack — maps, arrays,
// strings, integers, float64 prices — with event times ("t") as the msgpack timestamp extension
// (type −1) instead of RFC 3339 strings. These convert between the JSON text Torghut builds and
// that form.
//
//   std::string bytes;
//   Status s =
//   alpaca::JsonToMsgpack(R"([{"T":"t","S":"AAPL","p":187.25,"t":"2024-01-02T14:30:00.123456789Z"}])",
//                                    &bytes);                 // an array of one map; "t" → ext −1
//   Result<std::string> json = alpaca::MsgpackToJson(bytes);  // the same JSON again
//
//   // A frame of many messages without re-encoding each for every client:
//   std::string frame;
//   alpaca::AppendMsgpackArrayHeader(2, &frame);
//   frame += packed_message_1;  // JsonToMsgpack of one message object each
//   frame += packed_message_2;
//
// Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "torghut/core/status.h"

namespace torghut::alpaca {

// Appends the msgpack form of the JSON document `json` to `*out`. A string under a map key "t"
// that parses as RFC 3339 becomes a timestamp extension (nanoseconds kept). InvalidArgument when
// `json` is not JSON.
Status JsonToMsgpack(std::string_view json, std::string* out);
// The JSON text of one msgpack document; timestamp extensions become RFC 3339 strings (UTC, "Z",
// as many fractional digits as needed), binary and other extensions are refused. InvalidArgument
// when `bytes` is not exactly one msgpack document.
Result<std::string> MsgpackToJson(std::string_view bytes);
// The header of a msgpack array of `n` elements (the elements follow, each already packed).
void AppendMsgpackArrayHeader(size_t n, std::string* out);

}  // namespace torghut::alpaca
