// The simulator's LLM reviewer over real sockets with the project's HTTP client: OpenAI's chat
// completions shape, each review rule, determinism, auth and bad bodies, every fault switch and
// the /sim/status counters.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>

#include "torghut/http/client.h"
#include "torghut/http/server.h"
#include "torghut/sim/llm_reviewer.h"
#include "torghut/sim/market_server.h"
#include "torghut/testing/test_support.h"

namespace torghut::sim {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr int64_t kNowSeconds = 1704205810;

// A review request document (SPEC §6) for `action` with the given spread (null: unknown) and
// rsi14 (absent when nullopt).
json Document(const std::string& action, const json& spread, std::optional<double> rsi,
              const std::string& price = "187.25") {
  json inputs = {{"macd", 0.12}, {"macd_signal", 0.08}};
  if (rsi) inputs["rsi14"] = *rsi;
  return {{"prompt_version", "v1"},
          {"decision",
           {{"decision_hash", "ab12"},
            {"strategy", "macd-rsi-default"},
            {"symbol", "AAPL"},
            {"timeframe", "1Min"},
            {"action", action},
            {"qty", "2"},
            {"order_type", "market"},
            {"limit_price", nullptr},
            {"reference_price", price},
            {"signal_event_ts", "2024-01-02T14:31:00.000Z"},
            {"rationale", "macd above signal"},
            {"inputs", inputs}}},
          {"portfolio",
           {{"equity", "100000"},
            {"cash", "100000"},
            {"buying_power", "100000"},
            {"exposure_by_symbol", json::object()},
            {"positions", json::array()}}},
          {"market", {{"price", price}, {"spread", spread}, {"as_of", "2024-01-02T14:31:00Z"}}},
          {"recent_decisions", json::array()},
          {"policy",
           {{"min_confidence", 0.5},
            {"adjustment_allowed", false},
            {"min_qty_multiplier", 0.5},
            {"max_qty_multiplier", 1.25}}}};
}

std::string ChatBody(const std::string& user_content) {
  json body = {{"model", "gpt-4o-mini"},
               {"messages",
                {{{"role", "system"}, {"content", "You review trades. Answer in JSON."}},
                 {{"role", "user"}, {"content", user_content}}}},
               {"temperature", 0.2},
               {"max_tokens", 300},
               {"response_format", {{"type", "json_object"}}}};
  return body.dump();
}

class LlmReviewerTest : public ::testing::Test {
 protected:
  void Start(MarketServerOptions o = {}) {
    o.generator.symbols = {"AAPL"};
    o.start = Timestamp::FromSeconds(kNowSeconds);
    market_ = std::make_unique<MarketServer>(std::move(o), &clock_);
    http::Router router;
    market_->Register(router);
    http::ServerConfig config;
    config.port = 0;
    config.threads = 2;  // a request held by a wait fault must not stall the others
    config.access_log = false;
    server_ = std::make_unique<http::Server>(config, std::move(router), &metrics_);
    ASSERT_TRUE(server_->Start().ok());
    ASSERT_TRUE(market_->Start().ok());
    base_ = "http://127.0.0.1:" + std::to_string(server_->port());
  }
  void TearDown() override {
    if (market_) market_->Stop();  // first: it releases requests a wait fault holds
    if (server_) server_->Stop();
  }
  http::ClientResponse Chat(const std::string& body, const std::string& key = "sim-llm-key") {
    http::HeaderList headers;
    if (!key.empty()) headers.emplace_back("Authorization", "Bearer " + key);
    return client_.Post(base_ + "/v1/chat/completions", body, headers);
  }
  // The review in a 200 reply's content, parsed.
  json Review(const http::ClientResponse& r) {
    EXPECT_EQ(r.status, 200) << r.body;
    const json reply = json::parse(r.body, nullptr, false);
    if (!reply.is_object() || !reply.contains("choices")) return json();
    return json::parse(reply["choices"][0]["message"]["content"].get<std::string>(), nullptr,
                       false);
  }
  json Review(const json& document) { return Review(Chat(ChatBody(document.dump()))); }
  json SimStatus() { return json::parse(client_.Get(base_ + "/sim/status").body, nullptr, false); }
  void Faults(const std::string& body) {
    ASSERT_EQ(client_.Post(base_ + "/sim/faults", body).status, 200) << body;
  }

  FakeClock clock_{kNowSeconds * kNanosPerSecond};
  http::HttpClient client_;
  http::Registry metrics_;
  std::unique_ptr<MarketServer> market_;
  std::unique_ptr<http::Server> server_;
  std::string base_;
};

// The review schema every non-faulted answer keeps (SPEC §6).
void ExpectReview(const json& r, const std::string& verdict, double confidence, const json& flags) {
  ASSERT_TRUE(r.is_object()) << r;
  EXPECT_EQ(r.size(), 4u) << r;
  EXPECT_EQ(r["verdict"], verdict) << r;
  EXPECT_DOUBLE_EQ(r["confidence"].get<double>(), confidence);
  EXPECT_EQ(r["risk_flags"], flags) << r;
  ASSERT_TRUE(r["rationale"].is_string());
  EXPECT_FALSE(r["rationale"].get<std::string>().empty());
  EXPECT_LE(r["rationale"].get<std::string>().size(), 280u);
}

TEST_F(LlmReviewerTest, WideSpreadVetoesNamingTheNumbers) {
  Start();
  const json r = Review(Document("buy", "0.50", 31.5));
  ExpectReview(r, "veto", 0.8, {"wide_spread"});
  const std::string why = r["rationale"];
  EXPECT_NE(why.find("0.5"), std::string::npos) << why;
  EXPECT_NE(why.find("26.7 bps"), std::string::npos) << why;  // 0.50 / 187.25
  EXPECT_NE(why.find("187.25"), std::string::npos) << why;
  // The wide spread wins over an extreme RSI; exactly 20 bps is not wide.
  ExpectReview(Review(Document("buy", "0.50", 90)), "veto", 0.8, {"wide_spread"});
  ExpectReview(Review(Document("buy", "0.20", 50, "100")), "approve", 0.9, json::array());
  ExpectReview(Review(Document("buy", "0.21", 50, "100")), "veto", 0.8, {"wide_spread"});
}

TEST_F(LlmReviewerTest, RsiExtremeVetoesBuysHighAndSellsLow) {
  Start();
  json r = Review(Document("buy", "0.02", 85));
  ExpectReview(r, "veto", 0.75, {"rsi_extreme"});
  EXPECT_NE(r["rationale"].get<std::string>().find("85"), std::string::npos) << r;
  ExpectReview(Review(Document("buy", "0.02", 80)), "veto", 0.75, {"rsi_extreme"});
  r = Review(Document("sell", nullptr, 15.5));
  ExpectReview(r, "veto", 0.75, {"rsi_extreme"});
  EXPECT_NE(r["rationale"].get<std::string>().find("15.5"), std::string::npos) << r;
  ExpectReview(Review(Document("sell", "0.02", 20)), "veto", 0.75, {"rsi_extreme"});
  // The other side of each extreme is not one.
  ExpectReview(Review(Document("sell", "0.02", 85)), "approve", 0.9, json::array());
  ExpectReview(Review(Document("buy", "0.02", 15)), "approve", 0.9, json::array());
  ExpectReview(Review(Document("buy", "0.02", 79.9)), "approve", 0.9, json::array());
}

TEST_F(LlmReviewerTest, ApprovesInOpenAisReplyShape) {
  Start();
  const std::string body = ChatBody(Document("buy", "0.02", 31.5).dump());
  const http::ClientResponse res = Chat(body);
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_NE(res.Header("content-type").find("application/json"), std::string::npos);
  const json reply = json::parse(res.body);
  EXPECT_EQ(reply["id"], "chatcmpl-sim-1");
  EXPECT_EQ(reply["object"], "chat.completion");
  EXPECT_EQ(reply["created"], kNowSeconds);
  EXPECT_EQ(reply["model"], "gpt-4o-mini");
  ASSERT_EQ(reply["choices"].size(), 1u);
  const json& choice = reply["choices"][0];
  EXPECT_EQ(choice["index"], 0);
  EXPECT_EQ(choice["finish_reason"], "stop");
  EXPECT_EQ(choice["message"]["role"], "assistant");
  const std::string content = choice["message"]["content"];
  const json review = json::parse(content);
  ExpectReview(review, "approve", 0.9, json::array());
  const std::string why = review["rationale"];
  EXPECT_NE(why.find("1.1 bps"), std::string::npos) << why;  // 0.02 / 187.25
  EXPECT_NE(why.find("31.5"), std::string::npos) << why;
  const json& usage = reply["usage"];
  EXPECT_GE(usage["prompt_tokens"].get<int64_t>(), 100);  // the document is hundreds of bytes
  EXPECT_EQ(usage["completion_tokens"].get<int64_t>(), static_cast<int64_t>(content.size() / 4));
  EXPECT_EQ(usage["total_tokens"].get<int64_t>(),
            usage["prompt_tokens"].get<int64_t>() + usage["completion_tokens"].get<int64_t>());
  // An unknown spread and no RSI still approve (the rules need their inputs).
  ExpectReview(Review(Document("sell", nullptr, std::nullopt)), "approve", 0.9, json::array());
}

TEST_F(LlmReviewerTest, SameBodySameContentAndUsage) {
  Start();
  for (const json& doc : {Document("buy", "0.02", 31.5), Document("buy", "0.9", 31.5),
                          Document("sell", "0.01", 12.25)}) {
    const std::string body = ChatBody(doc.dump());
    const json a = json::parse(Chat(body).body), b = json::parse(Chat(body).body);
    EXPECT_EQ(a["choices"][0]["message"]["content"], b["choices"][0]["message"]["content"]);
    EXPECT_EQ(a["usage"], b["usage"]);
    EXPECT_NE(a["id"], b["id"]);  // a new completion each time
    EXPECT_EQ(a["created"], b["created"]);
  }
  // A later clock changes only `created`.
  clock_.AdvanceMillis(5'000);
  EXPECT_EQ(json::parse(Chat(ChatBody(Document("buy", "0.02", 31.5).dump())).body)["created"],
            kNowSeconds + 5);
}

TEST_F(LlmReviewerTest, RefusesMissingAndWrongKeysWithOpenAisError) {
  MarketServerOptions o;
  o.llm_api_key = "k-123";
  Start(o);
  const std::string body = ChatBody(Document("buy", "0.02", 31.5).dump());
  for (const std::string key : {"", "sim-llm-key", "k-1234"}) {
    const http::ClientResponse r = Chat(body, key);
    EXPECT_EQ(r.status, 401) << key;
    const json e = json::parse(r.body, nullptr, false);
    ASSERT_TRUE(e.contains("error")) << r.body;
    EXPECT_EQ(e["error"].size(), 4u) << r.body;
    EXPECT_TRUE(e["error"]["message"].is_string());
    EXPECT_EQ(e["error"]["type"], "invalid_request_error");
    EXPECT_TRUE(e["error"]["param"].is_null());
    EXPECT_EQ(e["error"]["code"], "invalid_api_key");
  }
  http::ClientResponse basic =
      client_.Post(base_ + "/v1/chat/completions", body, {{"Authorization", "Basic k-123"}});
  EXPECT_EQ(basic.status, 401);
  ExpectReview(Review(Chat(body, "k-123")), "approve", 0.9, json::array());
  EXPECT_EQ(SimStatus()["llm"]["errors_sent"], 4);
}

TEST_F(LlmReviewerTest, BadBodiesAre400s) {
  Start();
  const json no_decision = {{"prompt_version", "v1"}, {"market", {{"price", "1"}}}};
  json hold = Document("buy", "0.02", 31.5);
  hold["decision"]["action"] = "hold";
  json bad_spread = Document("buy", "wide", 31.5);
  const std::string bodies[] = {
      "not json",
      R"({"model":"m"})",
      R"({"model":"m","messages":[]})",
      R"({"messages":[{"role":"user","content":"{}"}]})",
      R"({"model":"m","messages":[{"role":"system","content":"only a system message"}]})",
      ChatBody("I am prose, not a review request"),
      ChatBody(no_decision.dump()),
      ChatBody(hold.dump()),
      ChatBody(bad_spread.dump()),
  };
  for (const std::string& body : bodies) {
    const http::ClientResponse r = Chat(body);
    EXPECT_EQ(r.status, 400) << body;
    const json e = json::parse(r.body, nullptr, false);
    ASSERT_TRUE(e.contains("error")) << r.body;
    EXPECT_EQ(e["error"]["type"], "invalid_request_error") << r.body;
    EXPECT_TRUE(e["error"]["param"].is_null());
    EXPECT_FALSE(e["error"]["message"].get<std::string>().empty());
  }
  const json s = SimStatus()["llm"];
  EXPECT_EQ(s["requests"], 9);
  EXPECT_EQ(s["errors_sent"], 9);
  EXPECT_EQ(s["by_verdict"], json::parse(R"({"approve":0,"veto":0})"));
}

TEST_F(LlmReviewerTest, ContentFaultsShapeTheNextNAnswers) {
  Start();
  const std::string body = ChatBody(Document("buy", "0.02", 31.5).dump());
  Faults(R"({"llm_http_500":2})");
  for (int i = 0; i < 2; ++i) {
    const http::ClientResponse r = Chat(body);
    EXPECT_EQ(r.status, 500);
    const json e = json::parse(r.body, nullptr, false);
    EXPECT_EQ(e["error"]["type"], "server_error") << r.body;
    EXPECT_TRUE(e["error"]["param"].is_null());
    EXPECT_TRUE(e["error"]["message"].is_string());
  }
  ExpectReview(Review(Chat(body)), "approve", 0.9, json::array());

  Faults(R"({"llm_not_json":1})");
  http::ClientResponse r = Chat(body);
  ASSERT_EQ(r.status, 200);
  const std::string prose = json::parse(r.body)["choices"][0]["message"]["content"];
  EXPECT_FALSE(prose.empty());
  EXPECT_TRUE(json::parse(prose, nullptr, false).is_discarded()) << prose;
  ExpectReview(Review(Chat(body)), "approve", 0.9, json::array());

  Faults(R"({"llm_bad_schema":1})");
  const json bad = Review(Chat(body));
  ASSERT_TRUE(bad.is_object()) << bad;  // JSON, but not a review
  EXPECT_NE(bad["verdict"], "approve");
  EXPECT_NE(bad["verdict"], "veto");
  EXPECT_NE(bad["verdict"], "adjust");
  EXPECT_GT(bad["confidence"].get<double>(), 1.0);
  ExpectReview(Review(Chat(body)), "approve", 0.9, json::array());

  Faults(R"({"llm_long_rationale":1})");
  const json veto = Review(Document("buy", "0.50", 31.5));
  EXPECT_EQ(veto["verdict"], "veto");
  EXPECT_EQ(veto["risk_flags"], json::array({"wide_spread"}));
  EXPECT_GT(veto["rationale"].get<std::string>().size(), 280u) << veto;
  ExpectReview(Review(Chat(body)), "approve", 0.9, json::array());

  const json s = SimStatus()["llm"];
  EXPECT_EQ(s["faults"]["http_500"], 2);
  EXPECT_EQ(s["faults"]["not_json"], 1);
  EXPECT_EQ(s["faults"]["bad_schema"], 1);
  EXPECT_EQ(s["faults"]["long_rationale"], 1);
  EXPECT_EQ(s["errors_sent"], 2);
  EXPECT_EQ(s["requests"], 9);
  // Reviews the client could read: 4 approvals and the long-rationale veto.
  EXPECT_EQ(s["by_verdict"], json::parse(R"({"approve":4,"veto":1})"));
}

TEST_F(LlmReviewerTest, DelayAnswersLateAndStatusShowsIt) {
  Start();
  const std::string body = ChatBody(Document("buy", "0.02", 31.5).dump());
  Faults(R"({"llm_delay_ms":300})");
  EXPECT_EQ(SimStatus()["llm"]["delay_ms"], 300);
  const auto t0 = std::chrono::steady_clock::now();
  ExpectReview(Review(Chat(body)), "approve", 0.9, json::array());
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 300ms);
  EXPECT_EQ(SimStatus()["llm"]["faults"]["delayed"], 1);
  Faults(R"({"llm_delay_ms":0})");
  ExpectReview(Review(Chat(body)), "approve", 0.9, json::array());
  EXPECT_EQ(SimStatus()["llm"]["faults"]["delayed"], 1);
}

TEST_F(LlmReviewerTest, HangOutlastsTheClientsTimeoutUntilCleared) {
  Start();
  const std::string body = ChatBody(Document("buy", "0.02", 31.5).dump());
  Faults(R"({"llm_hang_ms":60000})");
  http::ClientOptions o;
  o.timeout_ms = 300;
  o.headers = {{"Authorization", "Bearer sim-llm-key"}};
  http::HttpClient impatient(o);
  const auto t0 = std::chrono::steady_clock::now();
  const http::ClientResponse r = impatient.Post(base_ + "/v1/chat/completions", body);
  EXPECT_FALSE(r.answered());
  EXPECT_EQ(r.failure, http::Failure::kTimedOut) << r.error;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 10s);
  // The held request holds no lock: the status answers while it waits.
  EXPECT_TRUE(testing::WaitFor([&] { return SimStatus()["llm"]["faults"]["hung"] == 1; }, 5s));
  Faults(R"({"llm_hang_ms":0})");
  const auto t1 = std::chrono::steady_clock::now();
  ExpectReview(Review(Chat(body)), "approve", 0.9, json::array());
  EXPECT_LT(std::chrono::steady_clock::now() - t1, 10s);
  const json s = SimStatus()["llm"];
  EXPECT_EQ(s["hang_ms"], 0);
  EXPECT_EQ(s["faults"]["hung"], 1);
  EXPECT_EQ(s["requests"], 2);
}

TEST_F(LlmReviewerTest, SpecModeSwitchShapesTheNextNThenReturnsToOk) {
  Start();
  const std::string body = ChatBody(Document("buy", "0.02", 31.5).dump());
  Faults(R"({"llm":"http_500","llm_count":1})");
  EXPECT_EQ(SimStatus()["llm"]["mode"], "http_500");
  EXPECT_EQ(SimStatus()["llm"]["mode_left"], 1);
  http::ClientResponse r = Chat(body);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(json::parse(r.body, nullptr, false)["error"]["type"], "server_error") << r.body;
  ExpectReview(Review(Chat(body)), "approve", 0.9, json::array());
  EXPECT_EQ(SimStatus()["llm"]["mode"], "ok");

  Faults(R"({"llm":"not_json"})");  // no count: until changed
  for (int i = 0; i < 3; ++i) {
    r = Chat(body);
    ASSERT_EQ(r.status, 200);
    const std::string content = json::parse(r.body)["choices"][0]["message"]["content"];
    EXPECT_TRUE(json::parse(content, nullptr, false).is_discarded()) << content;
  }
  EXPECT_EQ(SimStatus()["llm"]["mode_left"], -1);
  Faults(R"({"llm":"ok"})");
  ExpectReview(Review(Chat(body)), "approve", 0.9, json::array());

  Faults(R"({"llm":"bad_schema","llm_count":1})");
  EXPECT_EQ(Review(Chat(body))["verdict"], "maybe");
  Faults(R"({"llm":"long_rationale","llm_count":1})");
  EXPECT_GT(Review(Chat(body))["rationale"].get<std::string>().size(), 280u);
  ExpectReview(Review(Chat(body)), "approve", 0.9, json::array());

  Faults(R"({"llm":"slow","llm_count":1})");
  const auto t0 = std::chrono::steady_clock::now();
  ExpectReview(Review(Chat(body)), "approve", 0.9, json::array());
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(LlmReviewer::kSlowMs));

  const json s = SimStatus()["llm"];
  EXPECT_EQ(s["faults"]["http_500"], 1);
  EXPECT_EQ(s["faults"]["not_json"], 3);
  EXPECT_EQ(s["faults"]["bad_schema"], 1);
  EXPECT_EQ(s["faults"]["long_rationale"], 1);
  EXPECT_EQ(s["faults"]["delayed"], 1);
  EXPECT_EQ(s["mode"], "ok");
  EXPECT_EQ(client_.Post(base_ + "/sim/faults", R"({"llm":"maybe"})").status, 400);
}

TEST_F(LlmReviewerTest, SpecHangModeHoldsUntilTheSwitchChanges) {
  Start();
  const std::string body = ChatBody(Document("buy", "0.02", 31.5).dump());
  Faults(R"({"llm":"hang","llm_count":1})");
  http::ClientOptions o;
  o.timeout_ms = 300;
  o.headers = {{"Authorization", "Bearer sim-llm-key"}};
  http::HttpClient impatient(o);
  const http::ClientResponse r = impatient.Post(base_ + "/v1/chat/completions", body);
  EXPECT_EQ(r.failure, http::Failure::kTimedOut) << r.error;
  EXPECT_TRUE(testing::WaitFor([&] { return SimStatus()["llm"]["faults"]["hung"] == 1; }, 5s));
  // The count is spent: the next request answers while the first one is still held.
  ExpectReview(Review(Chat(body)), "approve", 0.9, json::array());
  Faults(R"({"llm":"ok"})");
  ExpectReview(Review(Chat(body)), "approve", 0.9, json::array());
  EXPECT_EQ(SimStatus()["llm"]["faults"]["hung"], 1);
}

TEST_F(LlmReviewerTest, FaultValuesAreChecked) {
  Start();
  EXPECT_EQ(client_.Post(base_ + "/sim/faults", R"({"llm_hang_ms":-1})").status, 400);
  EXPECT_EQ(client_.Post(base_ + "/sim/faults", R"({"llm_not_json":true})").status, 400);
  EXPECT_EQ(client_.Post(base_ + "/sim/faults", R"({"llm":5})").status, 400);
  // Checked whole: a bad llm_count applies nothing, not even the good mode beside it.
  EXPECT_EQ(client_.Post(base_ + "/sim/faults", R"({"llm":"hang","llm_count":-1})").status, 400);
  EXPECT_EQ(SimStatus()["llm"]["hang_ms"], 0);
  EXPECT_EQ(SimStatus()["llm"]["mode"], "ok");
}

}  // namespace
}  // namespace torghut::sim
