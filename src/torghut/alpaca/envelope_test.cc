#include "torghut/alpaca/envelope.h"

#include <gtest/gtest.h>

#include "torghut/alpaca/message_json.h"

namespace torghut::alpaca {
namespace {

class EnvelopeTest : public ::testing::Test {
 protected:
  SymbolTable symbols_;
  EnvelopeDecoder decoder_{&symbols_};
};

TEST_F(EnvelopeTest, EncodeDecodeRoundTrip) {
  market::Trade t;
  t.symbol = symbols_.Intern("MSFT");
  t.id = 788438001;
  t.price = 323.32;
  t.size = 100;
  t.exchange = 'J';
  t.tape = 'C';
  t.conditions.Add("@");
  t.ts = *ParseRfc3339("2024-01-02T14:30:00.002522449Z");
  std::string payload;
  AppendTradeJson(t, "MSFT", &payload);

  EnvelopeHeader h;
  h.ingest_ts = *ParseRfc3339("2024-01-02T14:30:00.012Z");
  h.event_ts = t.ts;
  h.feed = "sip";
  h.channel = Channel::kTrades;
  h.symbol = "MSFT";
  h.seq = 42;
  h.source = market::Source::kSim;
  std::string json;
  AppendEnvelopeJson(h, payload, &json);
  EXPECT_EQ(json.substr(0, 60), R"({"ingestTs":"2024-01-02T14:30:00.012Z","eventTs":"2024-01-02)");

  Envelope env;
  ASSERT_TRUE(decoder_.Decode(json, &env).ok()) << json;
  EXPECT_EQ(env.header.ingest_ts, h.ingest_ts);
  EXPECT_EQ(env.header.event_ts, h.event_ts);
  EXPECT_EQ(env.header.feed, "sip");
  EXPECT_EQ(env.header.channel, Channel::kTrades);
  EXPECT_EQ(env.header.symbol, "MSFT");
  EXPECT_EQ(env.header.seq, 42);
  EXPECT_TRUE(env.header.is_final);
  EXPECT_EQ(env.header.source, market::Source::kSim);
  EXPECT_EQ(env.header.version, 1);
  EXPECT_EQ(env.header.provider, "alpaca");
  ASSERT_TRUE(env.has_message);
  EXPECT_EQ(env.message.type, MessageType::kTrade);
  EXPECT_EQ(std::get<market::Trade>(env.message.event), t);
  EXPECT_EQ(env.payload_json, payload);
}

// As the existing forwarder writes them: key order of a Kotlin data class, updated bars with
// isFinal=false, and unknown keys that readers must ignore.
TEST_F(EnvelopeTest, DecodesForwarderStyleEnvelopes) {
  const char* json =
      R"({"ingestTs":"2024-01-02T14:31:00.120Z","eventTs":"2024-01-02T14:30:00Z","feed":"iex",)"
      R"("channel":"updatedBars","symbol":"SPY","seq":7,"payload":{"T":"u","S":"SPY","o":470.1,)"
      R"("h":471.2,"l":469.5,"c":470.7,"v":12400,"t":"2024-01-02T14:30:00Z","n":100,"vw":470.34},)"
      R"("isFinal":false,"source":"ws","version":1,"provider":"alpaca","traceId":"abc","extra":{"x":[1]}})";
  Envelope env;
  ASSERT_TRUE(decoder_.Decode(json, &env).ok());
  EXPECT_FALSE(env.header.is_final);
  EXPECT_EQ(env.header.channel, Channel::kUpdatedBars);
  ASSERT_TRUE(env.has_message);
  EXPECT_EQ(env.message.type, MessageType::kUpdatedBar);
  EXPECT_EQ(std::get<market::Bar>(env.message.event).volume, 12400);
}

TEST_F(EnvelopeTest, PayloadWithoutTypeOrSymbolTakesThemFromTheEnvelope) {
  const char* json =
      R"({"eventTs":1704205800000,"ingestTs":1704205800010,"channel":"quotes","symbol":"AAPL",)"
      R"("seq":1,"payload":{"bp":1.5,"bs":2,"ap":1.6,"as":3,"t":"2024-01-02T14:30:00Z"}})";
  Envelope env;
  ASSERT_TRUE(decoder_.Decode(json, &env).ok());
  EXPECT_EQ(env.header.event_ts, Timestamp::FromMillis(1704205800000));
  ASSERT_TRUE(env.has_message);
  const auto& q = std::get<market::Quote>(env.message.event);
  EXPECT_EQ(symbols_.Name(q.symbol), "AAPL");
  EXPECT_DOUBLE_EQ(q.ask_price, 1.6);
}

TEST_F(EnvelopeTest, StatusPayloadsThatAreNotMarketDataDecodeWithoutAMessage) {
  const char* json =
      R"({"channel":"status","symbol":"*","payload":{"status":"healthy","attempt":0}})";
  Envelope env;
  ASSERT_TRUE(decoder_.Decode(json, &env).ok());
  EXPECT_FALSE(env.has_message);
  EXPECT_EQ(env.payload_json, R"({"status":"healthy","attempt":0})");
}

TEST_F(EnvelopeTest, BadEnvelopesGetAClearReason) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "not valid JSON"},
      {"[1,2]", "not a JSON object"},
      {R"({"channel":"trades","symbol":"AAPL"})", "missing key \"payload\""},
      {R"({"symbol":"AAPL","payload":{}})", "missing key \"channel\""},
      {R"({"channel":"nope","symbol":"AAPL","payload":{}})", "unknown channel"},
      {R"({"channel":"trades","symbol":"AAPL","payload":[1]})", "payload is not an object"},
      {R"({"channel":"trades","symbol":"AAPL","eventTs":"yesterday","payload":{}})", "eventTs"},
      {R"({"channel":"trades","symbol":"AAPL","seq":"x","payload":{}})", "seq is not an integer"},
      {R"({"channel":"trades","symbol":"AAPL","payload":{"i":1,"s":1,"t":"2024-01-02T14:30:00Z"}})",
       "missing_field"},
      {R"({"channel":"trades","symbol":"AAPL","payload":{}} junk)", "not valid JSON"},
      // A status payload passed on unread must still be JSON (found by the fuzzer: the text was
      // accepted, and re-encoding it produced an envelope that no longer parsed).
      {R"({"channel":"status","symbol":"A","payload":{"a":"b":"c"}})", "not valid JSON"},
      {R"({"channel":"status","symbol":"A","payload":{"eventTs":0,"channel":"status&,*symbol":"A","payloAd":{}}})",
       "not valid JSON"},
      // A value skipped unread is not checked by On-Demand, which takes `"k":"a":"b"` as one
      // field (found by the fuzzer in a quote's payload): keys not ours, short or long, in the
      // payload or the envelope, and values of the wrong type.
      {R"({"eventTs":1700001,"channel":"quotes","symbol":"APAL","seq":1,"payload":{"bp":1.5,"bs":2,"ap":1.610,"channel":"t":"2024-01-02T14:30:00Z"},"as":3,"t":"2024-01-02T14:30:00Z"}})",
       "not valid JSON"},
      {R"({"channel":"trades","symbol":"A","payload":{"i":1,"p":1,"s":1,"t":"2024-01-02T14:30:00Z","r":"a":"b"}})",
       "not valid JSON"},
      {R"({"channel":"trades","symbol":"A","payload":{"i":1,"p":"x":"y","s":1,"t":"2024-01-02T14:30:00Z"}})",
       "not valid JSON"},
      {R"({"channel":"trades","note":"a":"b","symbol":"A","payload":{"i":1,"p":1,"s":1,"t":"2024-01-02T14:30:00Z"}})",
       "not valid JSON"},
  };
  for (auto [json, reason] : cases) {
    Envelope env;
    Status s = decoder_.Decode(json, &env);
    EXPECT_FALSE(s.ok()) << json;
    EXPECT_NE(s.message().find(reason), std::string::npos) << json << " → " << s.message();
  }
}

TEST_F(EnvelopeTest, KeysThatAreNotOursAreSkippedWhenTheTextIsValid) {
  Envelope env;
  Status s = decoder_.Decode(
      R"({"channel":"trades","note":{"a":[1,"b"]},"symbol":"A","payload":{"i":7,"p":1.5,"s":3,)"
      R"("t":"2024-01-02T14:30:00Z","r":"x","extra_key":[{}]}})",
      &env);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_TRUE(env.has_message);
  const auto& trade = std::get<market::Trade>(env.message.event);
  EXPECT_EQ(trade.id, 7);
  EXPECT_EQ(trade.size, 3);
}

TEST_F(EnvelopeTest, ChannelNamesRoundTrip) {
  for (int i = 0; i <= static_cast<int>(Channel::kCancelErrors); ++i) {
    Channel c = static_cast<Channel>(i), back;
    ASSERT_TRUE(ParseChannel(ChannelName(c), &back));
    EXPECT_EQ(back, c);
  }
  EXPECT_EQ(ChannelFor(MessageType::kCancel), Channel::kCancelErrors);
  EXPECT_EQ(ChannelFor(MessageType::kCorrection), Channel::kCorrections);
  EXPECT_EQ(ChannelFor(MessageType::kTrade), Channel::kTrades);
}

}  // namespace
}  // namespace torghut::alpaca
