#include "torghut/alpaca/frame_decoder.h"

#include <gtest/gtest.h>

#include <string>

#include "torghut/alpaca/message_json.h"

namespace torghut::alpaca {
namespace {

class FrameDecoderTest : public ::testing::Test {
 protected:
  MessageBatch Decode(std::string_view frame, bool expect_ok = true) {
    MessageBatch batch;
    Status s = decoder_.Decode(frame, &batch);
    EXPECT_EQ(s.ok(), expect_ok) << s.message() << " for " << frame.substr(0, 200);
    return batch;
  }
  int64_t Skipped(const MessageBatch& b, SkipReason r) {
    return b.stats.skipped[static_cast<size_t>(r)];
  }

  SymbolTable symbols_;
  FrameDecoder decoder_{&symbols_};
};

Timestamp T(std::string_view s) {
  return *ParseRfc3339(s);
}

TEST_F(FrameDecoderTest, DecodesATrade) {
  auto b = Decode(R"([{"T":"t","S":"AAPL","i":52983525029461,"x":"V","p":226.195,"s":100,)"
                  R"("c":["@","I"],"t":"2024-01-02T14:30:00.123456789Z","z":"C"}])");
  ASSERT_EQ(b.messages.size(), 1u);
  EXPECT_EQ(b.messages[0].type, MessageType::kTrade);
  const auto& t = std::get<market::Trade>(b.messages[0].event);
  EXPECT_EQ(symbols_.Name(t.symbol), "AAPL");
  EXPECT_EQ(t.id, 52983525029461);
  EXPECT_EQ(t.exchange, 'V');
  EXPECT_DOUBLE_EQ(t.price, 226.195);
  EXPECT_EQ(t.size, 100);
  ASSERT_EQ(t.conditions.count, 2);
  EXPECT_EQ(t.conditions.at(0), "@");
  EXPECT_EQ(t.conditions.at(1), "I");
  EXPECT_EQ(t.ts, T("2024-01-02T14:30:00.123456789Z"));
  EXPECT_EQ(t.tape, 'C');
  EXPECT_EQ(b.stats.decoded, 1);
  EXPECT_EQ(b.stats.by_type[static_cast<size_t>(MessageType::kTrade)], 1);
}

TEST_F(FrameDecoderTest, DecodesAQuote) {
  auto b = Decode(R"([{"T":"q","S":"MSFT","bx":"J","bp":273.69,"bs":18,"ax":"K","ap":273.71,)"
                  R"("as":7,"c":["R"],"t":"2024-01-02T14:30:00.000866266Z","z":"B"}])");
  ASSERT_EQ(b.messages.size(), 1u);
  const auto& q = std::get<market::Quote>(b.messages[0].event);
  EXPECT_EQ(q.bid_exchange, 'J');
  EXPECT_DOUBLE_EQ(q.bid_price, 273.69);
  EXPECT_EQ(q.bid_size, 18);
  EXPECT_EQ(q.ask_exchange, 'K');
  EXPECT_DOUBLE_EQ(q.ask_price, 273.71);
  EXPECT_EQ(q.ask_size, 7);
  EXPECT_EQ(q.conditions.at(0), "R");
  EXPECT_EQ(q.tape, 'B');
}

TEST_F(FrameDecoderTest, DecodesBarsOfEveryKind) {
  auto b = Decode(
      R"([{"T":"b","S":"SPY","o":470.1,"h":471,"l":469.5,"c":470.7,"v":12345,"t":"2024-01-02T14:30:00Z","n":99,"vw":470.33},)"
      R"({"T":"u","S":"SPY","o":470.1,"h":471.2,"l":469.5,"c":470.7,"v":12400,"t":"2024-01-02T14:30:00Z","n":100,"vw":470.34},)"
      R"({"T":"d","S":"SPY","o":468,"h":472,"l":467,"c":470,"v":50000000,"t":"2024-01-02T05:00:00Z"}])");
  ASSERT_EQ(b.messages.size(), 3u);
  EXPECT_EQ(b.messages[0].type, MessageType::kBar);
  EXPECT_EQ(b.messages[1].type, MessageType::kUpdatedBar);
  EXPECT_EQ(b.messages[2].type, MessageType::kDailyBar);
  const auto& bar = std::get<market::Bar>(b.messages[0].event);
  EXPECT_EQ(bar.kind, market::BarKind::kMinute);
  EXPECT_DOUBLE_EQ(bar.open, 470.1);
  EXPECT_DOUBLE_EQ(bar.high, 471);
  EXPECT_DOUBLE_EQ(bar.low, 469.5);
  EXPECT_DOUBLE_EQ(bar.close, 470.7);
  EXPECT_EQ(bar.volume, 12345);
  EXPECT_EQ(bar.trade_count, 99);
  EXPECT_DOUBLE_EQ(bar.vwap, 470.33);
  EXPECT_EQ(std::get<market::Bar>(b.messages[1].event).kind, market::BarKind::kUpdated);
  const auto& daily = std::get<market::Bar>(b.messages[2].event);
  EXPECT_EQ(daily.kind, market::BarKind::kDaily);
  EXPECT_EQ(daily.trade_count, 0);  // optional keys absent
}

TEST_F(FrameDecoderTest, StatusCodesKeepOnlyTheirPrintableAsciiPrefix) {
  // A multi-byte character at the end of the code's room used to be cut in half, and the event
  // no longer re-encoded to valid JSON (found by the fuzzer).
  auto b = Decode(
      "[{\"T\":\"s\",\"S\":\"AAPL\",\"sc\":\"Tg\xd9\xb7\x61x\",\"rc\":\"LUDP\","
      "\"t\":\"2024-01-02T15:00:00Z\",\"z\":\"C\"}]");
  ASSERT_EQ(b.messages.size(), 1u);
  const auto& s = std::get<market::TradingStatus>(b.messages[0].event);
  EXPECT_STREQ(s.status_code.data(), "Tg");
  EXPECT_STREQ(s.reason_code.data(), "LUDP");
  std::string json;
  ASSERT_TRUE(AppendMessageJson(b.messages[0], symbols_, &json));
  MessageBatch back;
  ASSERT_TRUE(FrameDecoder(&symbols_).Decode(json, &back).ok()) << json;
}

TEST_F(FrameDecoderTest, DecodesStatusLuldCorrectionAndCancel) {
  auto b = Decode(
      R"([{"T":"s","S":"AAPL","sc":"H","sm":"Trading Halt","rc":"T12","rm":"Trading Halted; For information requested by NASDAQ","t":"2024-01-02T15:00:00Z","z":"C"},)"
      R"({"T":"l","S":"AAPL","u":190.5,"d":172.3,"i":"B","t":"2024-01-02T15:00:01Z","z":"C"},)"
      R"({"T":"c","S":"EEM","x":"M","oi":52983525033527,"op":39.1582,"os":440000,"oc":["@"],"ci":52983525033528,"cp":39.1582,"cs":440001,"cc":["@"],"z":"B","t":"2024-01-02T15:00:02Z"},)"
      R"({"T":"x","S":"AAPL","i":52983525029461,"x":"V","p":226.195,"s":100,"a":"C","z":"C","t":"2024-01-02T15:00:03Z"}])");
  ASSERT_EQ(b.messages.size(), 4u);
  const auto& s = std::get<market::TradingStatus>(b.messages[0].event);
  EXPECT_STREQ(s.status_code.data(), "H");
  EXPECT_STREQ(s.reason_code.data(), "T12");
  const auto& l = std::get<market::Luld>(b.messages[1].event);
  EXPECT_DOUBLE_EQ(l.limit_up, 190.5);
  EXPECT_DOUBLE_EQ(l.limit_down, 172.3);
  EXPECT_EQ(l.indicator, 'B');
  const auto& c = std::get<market::Correction>(b.messages[2].event);
  EXPECT_EQ(c.original_id, 52983525033527);
  EXPECT_EQ(c.original_size, 440000);
  EXPECT_EQ(c.corrected_id, 52983525033528);
  EXPECT_EQ(c.corrected_size, 440001);
  EXPECT_EQ(c.exchange, 'M');
  const auto& x = std::get<market::Cancel>(b.messages[3].event);
  EXPECT_EQ(x.id, 52983525029461);
  EXPECT_EQ(x.action, 'C');
  EXPECT_EQ(x.size, 100);
}

TEST_F(FrameDecoderTest, ControlMessagesAndErrorClasses) {
  auto b = Decode(R"([{"T":"success","msg":"connected"},{"T":"success","msg":"authenticated"}])");
  ASSERT_EQ(b.controls.size(), 2u);
  EXPECT_EQ(b.controls[0].kind, ControlMessage::Kind::kConnected);
  EXPECT_EQ(b.controls[1].kind, ControlMessage::Kind::kAuthenticated);
  EXPECT_EQ(std::get<size_t>(b.messages[1].event), 1u);

  const std::pair<int, ErrorClass> cases[] = {
      {400, ErrorClass::kProtocol},        {401, ErrorClass::kProtocol},
      {402, ErrorClass::kConfiguration},   {403, ErrorClass::kProtocol},
      {404, ErrorClass::kProtocol},        {405, ErrorClass::kSymbolLimit},
      {406, ErrorClass::kConnectionLimit}, {407, ErrorClass::kRetryable},
      {409, ErrorClass::kConfiguration},   {410, ErrorClass::kConfiguration},
      {411, ErrorClass::kConfiguration},   {500, ErrorClass::kRetryable},
      {599, ErrorClass::kUnknown}};
  for (auto [code, cls] : cases) {
    auto e = Decode(R"([{"T":"error","code":)" + std::to_string(code) + R"(,"msg":"boom"}])");
    ASSERT_EQ(e.controls.size(), 1u) << code;
    EXPECT_EQ(e.controls[0].kind, ControlMessage::Kind::kError);
    EXPECT_EQ(e.controls[0].code, code);
    EXPECT_EQ(e.controls[0].message, "boom");
    EXPECT_EQ(e.controls[0].error_class, cls) << code;
  }

  auto sub = Decode(R"([{"T":"subscription","trades":["AAPL","MSFT"],"quotes":["AAPL"],"bars":[],)"
                    R"("updatedBars":["SPY"],"dailyBars":[],"statuses":["*"],"lulds":[],)"
                    R"("corrections":["AAPL","MSFT"],"cancelErrors":["AAPL","MSFT"]}])");
  ASSERT_EQ(sub.controls.size(), 1u);
  const Subscription& s = sub.controls[0].subscription;
  EXPECT_EQ(s.trades, (std::vector<std::string>{"AAPL", "MSFT"}));
  EXPECT_EQ(s.quotes, (std::vector<std::string>{"AAPL"}));
  EXPECT_TRUE(s.bars.empty());
  EXPECT_EQ(s.updated_bars, (std::vector<std::string>{"SPY"}));
  EXPECT_EQ(s.statuses, (std::vector<std::string>{"*"}));
  EXPECT_EQ(s.cancel_errors.size(), 2u);
  // The next subscription replaces the whole set (nothing leaks from the previous one).
  auto sub2 = Decode(R"([{"T":"subscription","quotes":["NVDA"]}])");
  EXPECT_TRUE(sub2.controls[0].subscription.trades.empty());
  EXPECT_EQ(sub2.controls[0].subscription.quotes, (std::vector<std::string>{"NVDA"}));
}

TEST_F(FrameDecoderTest, KeyOrderDoesNotMatterAndUnknownKeysAreIgnored) {
  auto b = Decode(R"([{"z":"C","t":"2024-01-02T14:30:00Z","new_key":{"a":[1,2,{"b":3}]},)"
                  R"("s":5,"p":10.5,"i":7,"S":"IBM","T":"t"}])");
  ASSERT_EQ(b.messages.size(), 1u);
  const auto& t = std::get<market::Trade>(b.messages[0].event);
  EXPECT_EQ(t.id, 7);
  EXPECT_EQ(t.size, 5);
  EXPECT_EQ(symbols_.Name(t.symbol), "IBM");
}

TEST_F(FrameDecoderTest, UnknownTypesAreCountedAndSkipped) {
  auto b = Decode(
      R"([{"T":"zz","S":"AAPL"},{"T":"t","S":"AAPL","i":1,"p":1.5,"s":1,"t":"2024-01-02T14:30:00Z"},)"
      R"({"T":"o","x":1}])");
  ASSERT_EQ(b.messages.size(), 1u);
  EXPECT_EQ(b.stats.messages, 3);
  EXPECT_EQ(Skipped(b, SkipReason::kUnknownType), 2);
  EXPECT_NE(b.stats.first_error.find("unknown message type \"zz\""), std::string::npos)
      << b.stats.first_error;
}

TEST_F(FrameDecoderTest, MalformedMembersAreSkippedWithReasonsAndNeighboursKept) {
  const std::string good = R"({"T":"t","S":"AAPL","i":1,"p":1.5,"s":1,"t":"2024-01-02T14:30:00Z"})";
  const std::pair<std::string, SkipReason> bad[] = {
      {R"(42)", SkipReason::kNotAnObject},
      {R"("str")", SkipReason::kNotAnObject},
      {R"({"S":"AAPL"})", SkipReason::kMissingType},
      {R"({"T":7})", SkipReason::kBadType},
      {R"({"T":"t","S":"AAPL","i":1,"s":1,"t":"2024-01-02T14:30:00Z"})", SkipReason::kMissingField},
      {R"({"T":"t","S":"AAPL","i":1,"p":"1.5","s":1,"t":"2024-01-02T14:30:00Z"})",
       SkipReason::kBadType},
      {R"({"T":"t","S":"AAPL","i":1,"p":1.5,"s":1.5,"t":"2024-01-02T14:30:00Z"})",
       SkipReason::kBadType},
      {R"({"T":"t","S":"AAPL","i":1,"p":1.5,"s":1,"t":"2024-13-02T14:30:00Z"})",
       SkipReason::kBadTimestamp},
      {R"({"T":"t","S":"AAPL","i":1,"p":1.5,"s":1,"t":null})", SkipReason::kBadType},
      {R"({"T":"t","S":"aapl","i":1,"p":1.5,"s":1,"t":"2024-01-02T14:30:00Z"})",
       SkipReason::kBadSymbol},
      {R"({"T":"t","S":"AAPL","i":1,"p":1.5,"s":-3,"t":"2024-01-02T14:30:00Z"})",
       SkipReason::kBadValue},
      {R"({"T":"t","S":"AAPL","i":1,"p":1.5,"s":1,"c":7,"t":"2024-01-02T14:30:00Z"})",
       SkipReason::kBadType},
      {R"({"T":"b","S":"AAPL","o":1,"h":1,"l":1,"c":["x"],"v":1,"t":"2024-01-02T14:30:00Z"})",
       SkipReason::kBadType},
      {R"({"T":"q","S":"AAPL","bp":1,"bs":1,"ap":1,"t":"2024-01-02T14:30:00Z"})",
       SkipReason::kMissingField},
      {R"({"T":"x","S":"AAPL","i":1,"p":1,"s":1,"a":"Q","t":"2024-01-02T14:30:00Z"})",
       SkipReason::kBadValue},
      {R"({"T":"error","msg":"no code"})", SkipReason::kMissingField},
      {R"({"T":"t","S":"AAPL","i":1,"p":1e999,"s":1,"t":"2024-01-02T14:30:00Z"})",
       SkipReason::kBadType},
  };
  for (const auto& [message, reason] : bad) {
    auto b = Decode("[" + good + "," + message + "," + good + "]");
    EXPECT_EQ(b.messages.size(), 2u) << message;
    EXPECT_EQ(b.stats.messages, 3) << message;
    EXPECT_EQ(b.stats.total_skipped(), 1) << message;
    EXPECT_EQ(Skipped(b, reason), 1) << message << " first_error=" << b.stats.first_error;
    EXPECT_NE(b.stats.first_error.find("message 2: "), std::string::npos) << b.stats.first_error;
  }
}

TEST_F(FrameDecoderTest, IntegralDoublesAreAcceptedAsSizes) {
  auto b = Decode(R"([{"T":"t","S":"AAPL","i":1,"p":1.5,"s":100.0,"t":"2024-01-02T14:30:00Z"}])");
  ASSERT_EQ(b.messages.size(), 1u);
  EXPECT_EQ(std::get<market::Trade>(b.messages[0].event).size, 100);
}

TEST_F(FrameDecoderTest, NonJsonFramesAreRejectedWithAReason) {
  for (std::string_view frame :
       {"", "   ", "not json", "[{\"T\":\"t\"", "[1,2", "{\"T\":}", "[] trailing", "[{}]]", "42",
        "\"just a string\"", "[{\"T\":\"t\",\"S\":\"A\" \"i\":1}]"}) {
    MessageBatch batch;
    batch.messages.emplace_back();  // must be cleared, not appended to
    Status s = decoder_.Decode(frame, &batch);
    EXPECT_FALSE(s.ok()) << "accepted: " << frame;
    EXPECT_FALSE(s.message().empty());
    EXPECT_TRUE(batch.messages.empty()) << frame;
  }
  // The decoder is still usable afterwards.
  auto b = Decode(R"([{"T":"success","msg":"connected"}])");
  EXPECT_EQ(b.controls.size(), 1u);
}

TEST_F(FrameDecoderTest, ALoneObjectIsAOneMessageFrame) {
  auto b = Decode(R"({"T":"t","S":"AAPL","i":1,"p":1.5,"s":1,"t":"2024-01-02T14:30:00Z"})");
  EXPECT_EQ(b.messages.size(), 1u);
  auto empty = Decode("[]");
  EXPECT_EQ(empty.messages.size(), 0u);
  EXPECT_EQ(empty.stats.messages, 0);
}

TEST_F(FrameDecoderTest, VeryLargeFrames) {
  // 200,000 trades over 50 symbols in one frame (~20 MB), every 1000th malformed.
  std::string frame = "[";
  const int n = 200'000;
  for (int i = 0; i < n; ++i) {
    if (i) frame += ',';
    market::Trade t;
    t.id = i;
    t.price = 100 + i * 0.01;
    t.size = 1 + i % 500;
    t.ts = Timestamp::FromNanos(1'704'205'800'000'000'000 + int64_t{i} * 1000);
    t.exchange = 'V';
    t.tape = 'C';
    std::string sym = "S";
    sym += std::to_string(i % 50);
    if (i % 1000 == 999) {
      frame += R"({"T":"t","S":")" + sym + R"(","p":"oops"})";
      continue;
    }
    AppendTradeJson(t, sym, &frame);
  }
  frame += "]";
  auto b = Decode(frame);
  EXPECT_EQ(b.stats.messages, n);
  EXPECT_EQ(b.messages.size(), static_cast<size_t>(n - n / 1000));
  EXPECT_EQ(b.stats.total_skipped(), n / 1000);
  EXPECT_EQ(symbols_.size(), 50u);
  const auto& last = std::get<market::Trade>(b.messages.back().event);
  EXPECT_EQ(last.id, n - 2);
  EXPECT_EQ(last.size, 1 + (n - 2) % 500);
}

TEST_F(FrameDecoderTest, RawJsonCaptureAndEncoderRoundTrip) {
  FrameDecoder raw_decoder(&symbols_, /*capture_raw_json=*/true);
  const std::string frame =
      R"([{"T":"t","S":"AAPL","i":9,"x":"V","p":226.195,"s":100,"c":["@","\"","\\"],"t":"2024-01-02T14:30:00.5Z","z":"C"}, )"
      R"({"T":"q","S":"AAPL","bx":"J","bp":1.25,"bs":18,"ax":"K","ap":1.5,"as":7,"t":"2024-01-02T14:30:00Z"}])";
  MessageBatch b;
  ASSERT_TRUE(raw_decoder.Decode(frame, &b).ok());
  ASSERT_EQ(b.messages.size(), 2u);
  EXPECT_EQ(b.messages[0].raw_json.substr(0, 11), R"({"T":"t","S)");
  EXPECT_EQ(b.messages[0].raw_json.back(), '}');
  EXPECT_EQ(b.messages[1].raw_json.substr(0, 8), R"({"T":"q")");

  // Encode what was decoded, decode again: the same events.
  std::string re = "[";
  for (size_t i = 0; i < b.messages.size(); ++i) {
    if (i) re += ',';
    ASSERT_TRUE(AppendMessageJson(b.messages[i], symbols_, &re));
  }
  re += "]";
  MessageBatch again;
  ASSERT_TRUE(raw_decoder.Decode(re, &again).ok()) << re;
  ASSERT_EQ(again.messages.size(), 2u);
  EXPECT_EQ(std::get<market::Trade>(again.messages[0].event),
            std::get<market::Trade>(b.messages[0].event));
  const market::Conditions& c = std::get<market::Trade>(again.messages[0].event).conditions;
  ASSERT_EQ(c.count, 3);  // quote and backslash codes survive encoding
  EXPECT_EQ(c.at(1), "\"");
  EXPECT_EQ(c.at(2), "\\");
}

TEST_F(FrameDecoderTest, DecodePaddedReadsInPlace) {
  // A line followed by more text, as inside a mapped JSONL file: only the line is decoded.
  const std::string buffer =
      R"({"T":"t","S":"AAPL","i":1,"p":1.5,"s":1,"t":"2024-01-02T14:30:00Z"})"
      "\n{\"T\":\"q\",\"S\":\"AAPL\"} and then a lot more bytes that are not JSON at all .......";
  const std::string_view line(buffer.data(), buffer.find('\n'));
  MessageBatch in_place, copied;
  ASSERT_TRUE(decoder_.DecodePadded(line, &in_place).ok());
  ASSERT_TRUE(decoder_.Decode(line, &copied).ok());
  ASSERT_EQ(in_place.messages.size(), 1u);
  EXPECT_EQ(std::get<market::Trade>(in_place.messages[0].event),
            std::get<market::Trade>(copied.messages[0].event));
  EXPECT_FALSE(decoder_.DecodePadded(std::string_view(buffer.data(), 10), &in_place).ok());
}

TEST_F(FrameDecoderTest, StatsAccumulate) {
  FrameStats total;
  total.Add(Decode(R"([{"T":"zz"},{"T":"success","msg":"connected"}])").stats);
  total.Add(Decode(R"([{"T":"t"}])").stats);
  EXPECT_EQ(total.messages, 3);
  EXPECT_EQ(total.decoded, 1);
  EXPECT_EQ(total.total_skipped(), 2);
  EXPECT_NE(total.first_error.find("zz"), std::string::npos);
}

}  // namespace
}  // namespace torghut::alpaca
