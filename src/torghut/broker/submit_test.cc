// The exactly-once submit protocol against an in-memory Broker that injects each fault — the
// order accepted and its answer lost, a 5xx or a timeout without an order, 429s, refused
// connections, lookups failing or stale — and counts the orders made per client_order_id: one per
// request in every case, and never a POST after an uncertain one without a lookup first.
#include "torghut/broker/submit.h"

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <random>

namespace torghut::broker {
namespace {

enum class Post {
  kOk,                 // accepted and answered
  kAcceptLoseAnswer,   // accepted; the connection drops before the answer
  kAcceptUnreadable,   // accepted; the answer does not parse
  k500NoOrder,         // a 5xx: nothing was created, but the client cannot know
  kTimeoutNoOrder,     // timed out before the broker saw it
  k429,                // rate limited beyond the client's wait
  kRefused,            // connection refused
  kBusinessRejection,  // 403 insufficient buying power
  kInvalid,            // 422 invalid order
};
enum class Lookup { kOk, kFail, kStaleNotFound };

class FaultyBroker final : public Broker {
 public:
  std::deque<Post> posts;         // one per SubmitOrder; kOk once empty
  std::deque<Lookup> lookups;     // one per lookup; kOk once empty
  bool refuse_duplicates = true;  // Alpaca's rule; switched off to show the protocol needs it not
  std::map<std::string, std::vector<BrokerOrder>> orders;  // every order made, by client id
  std::vector<std::string> calls;                          // "post", "lookup", in order

  int OrdersFor(const std::string& id) const {
    auto it = orders.find(id);
    return it == orders.end() ? 0 : static_cast<int>(it->second.size());
  }

  std::string_view name() const override { return "faulty"; }

  Result<BrokerOrder> SubmitOrder(const OrderRequest& r) override {
    calls.push_back("post");
    const Post p = Pop(posts, Post::kOk);
    switch (p) {
      case Post::k500NoOrder:
        return DeadlineExceeded("HTTP 500: internal error (the order may exist)");
      case Post::kTimeoutNoOrder:
        return DeadlineExceeded("timed out (the request may have reached the broker)");
      case Post::k429:
        return ResourceExhausted("rate limited (429)");
      case Post::kRefused:
        return Unavailable("connection refused");
      case Post::kBusinessRejection:
        return FailedPrecondition("HTTP 403: insufficient buying power (code 40310000)");
      case Post::kInvalid:
        return InvalidArgument("HTTP 422: qty must be > 0 (code 40010001)");
      default:
        break;
    }
    if (refuse_duplicates && OrdersFor(r.client_order_id) > 0) {
      return InvalidArgument("HTTP 422: client_order_id must be unique (code 40010001)");
    }
    BrokerOrder o;
    o.id = "order-" + std::to_string(++next_id_);
    o.client_order_id = r.client_order_id;
    o.symbol = r.symbol;
    o.side = r.side;
    o.qty = r.qty;
    o.status = trading::OrderStatus::kAccepted;
    orders[r.client_order_id].push_back(o);
    if (p == Post::kAcceptLoseAnswer) return DeadlineExceeded("connection lost");
    if (p == Post::kAcceptUnreadable) return DataLoss("order.id: missing");
    return o;
  }

  Result<std::optional<BrokerOrder>> GetOrderByClientOrderId(std::string_view id) override {
    calls.push_back("lookup");
    const Lookup l = Pop(lookups, Lookup::kOk);
    if (l == Lookup::kFail) return Unavailable("lookup: connection refused");
    auto it = orders.find(std::string(id));
    if (l == Lookup::kStaleNotFound || it == orders.end()) return std::optional<BrokerOrder>();
    return std::optional<BrokerOrder>(it->second.front());
  }

  Result<BrokerOrder> GetOrder(std::string_view) override { return Internal("unused"); }
  Result<std::vector<BrokerOrder>> ListOrders(const OrderQuery&) override {
    return Internal("unused");
  }
  Status CancelOrder(std::string_view) override { return Internal("unused"); }
  Result<std::vector<std::string>> CancelAllOrders() override { return Internal("unused"); }
  Result<Account> GetAccount() override { return Internal("unused"); }
  Result<std::vector<BrokerPosition>> ListPositions() override { return Internal("unused"); }
  Result<MarketClock> GetClock() override { return Internal("unused"); }

 private:
  template <typename T>
  static T Pop(std::deque<T>& q, T fallback) {
    if (q.empty()) return fallback;
    const T v = q.front();
    q.pop_front();
    return v;
  }
  int next_id_ = 0;
};

OrderRequest Request(std::string id = "th-0123456789abcdef0123456789abcdef01234567") {
  OrderRequest r;
  r.client_order_id = std::move(id);
  r.symbol = "AAPL";
  r.qty = Decimal::Parse("3").value();
  return r;
}

class SubmitTest : public ::testing::Test {
 protected:
  SubmitTest() {
    policy_.sleep = [this](int64_t ms) { waits_.push_back(ms); };
  }
  Result<BrokerOrder> Submit() { return SubmitExactlyOnce(broker_, request_, policy_, &report_); }

  FaultyBroker broker_;
  OrderRequest request_ = Request();
  SubmitPolicy policy_;
  SubmitReport report_;
  std::vector<int64_t> waits_;
};

TEST_F(SubmitTest, AnAnsweredPostIsTheOrder) {
  Result<BrokerOrder> o = Submit();
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->client_order_id, request_.client_order_id);
  EXPECT_EQ(report_.sends, 1);
  EXPECT_EQ(report_.lookups, 0);
  EXPECT_FALSE(report_.found_by_lookup);
  EXPECT_EQ(broker_.OrdersFor(request_.client_order_id), 1);
  EXPECT_TRUE(waits_.empty());
}

TEST_F(SubmitTest, AcceptedThenTheAnswerLostIsFoundByLookupNotSentAgain) {
  broker_.refuse_duplicates = false;  // a second POST would make a second order
  broker_.posts = {Post::kAcceptLoseAnswer};
  Result<BrokerOrder> o = Submit();
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->id, "order-1");
  EXPECT_TRUE(report_.found_by_lookup);
  EXPECT_EQ(report_.sends, 1);
  EXPECT_EQ(report_.lookups, 1);
  EXPECT_EQ(broker_.calls, (std::vector<std::string>{"post", "lookup"}));
  EXPECT_EQ(broker_.OrdersFor(request_.client_order_id), 1);
  ASSERT_EQ(report_.steps.size(), 2u);
  EXPECT_NE(report_.steps[0].find("send 1: deadline_exceeded"), std::string::npos);
  EXPECT_NE(report_.steps[1].find("lookup 1: found (order order-1"), std::string::npos);
}

TEST_F(SubmitTest, AnUnreadableAcceptanceIsLookedUpToo) {
  broker_.refuse_duplicates = false;
  broker_.posts = {Post::kAcceptUnreadable};
  Result<BrokerOrder> o = Submit();
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_TRUE(report_.found_by_lookup);
  EXPECT_EQ(broker_.OrdersFor(request_.client_order_id), 1);
}

TEST_F(SubmitTest, A500WithoutAnOrderIsLookedUpThenSentAgainWithTheSameId) {
  broker_.refuse_duplicates = false;
  broker_.posts = {Post::k500NoOrder};
  Result<BrokerOrder> o = Submit();
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_FALSE(report_.found_by_lookup);
  EXPECT_EQ(broker_.calls, (std::vector<std::string>{"post", "lookup", "post"}));
  EXPECT_EQ(broker_.OrdersFor(request_.client_order_id), 1);
  EXPECT_EQ(broker_.orders.size(), 1u);  // the same client_order_id both times
  EXPECT_EQ(waits_, (std::vector<int64_t>{500}));
}

TEST_F(SubmitTest, RateLimitsAndRefusedConnectionsAreSentAgainWithoutALookup) {
  broker_.refuse_duplicates = false;
  broker_.posts = {Post::k429, Post::kRefused};
  Result<BrokerOrder> o = Submit();
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(broker_.calls, (std::vector<std::string>{"post", "post", "post"}));
  EXPECT_EQ(broker_.OrdersFor(request_.client_order_id), 1);
  EXPECT_EQ(waits_, (std::vector<int64_t>{500, 1000}));  // doubling backoff
}

TEST_F(SubmitTest, TimeoutsAreResolvedByLookupsAndAtMostMaxSendsPosts) {
  broker_.refuse_duplicates = false;
  broker_.posts = {Post::kTimeoutNoOrder, Post::kTimeoutNoOrder};
  Result<BrokerOrder> o = Submit();
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(report_.sends, 3);
  EXPECT_EQ(report_.lookups, 2);
  EXPECT_EQ(broker_.OrdersFor(request_.client_order_id), 1);

  // Every send uncertain: the outcome stays unknown, and no fourth POST.
  FaultyBroker b;
  b.posts = {Post::kTimeoutNoOrder, Post::k500NoOrder, Post::kTimeoutNoOrder};
  SubmitReport r;
  o = SubmitExactlyOnce(b, request_, policy_, &r);
  ASSERT_FALSE(o.ok());
  EXPECT_TRUE(OutcomeUnknown(o.status())) << o.status().ToString();
  EXPECT_NE(o.status().message().find("outcome unknown after 3 sends"), std::string::npos);
  EXPECT_EQ(r.sends, 3);
  EXPECT_EQ(r.lookups, 3);
  EXPECT_EQ(b.OrdersFor(request_.client_order_id), 0);
}

TEST_F(SubmitTest, AFailingLookupIsRetriedAndNeverFollowedByAPost) {
  broker_.refuse_duplicates = false;
  broker_.posts = {Post::kAcceptLoseAnswer};
  broker_.lookups = {Lookup::kFail, Lookup::kFail};
  Result<BrokerOrder> o = Submit();
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(broker_.calls, (std::vector<std::string>{"post", "lookup", "lookup", "lookup"}));
  EXPECT_EQ(broker_.OrdersFor(request_.client_order_id), 1);

  // Lookups that never work: unknown, and the request is not sent again.
  for (Post first : {Post::kAcceptLoseAnswer, Post::k500NoOrder}) {
    FaultyBroker b;
    b.refuse_duplicates = false;
    b.posts = {first};
    b.lookups.assign(10, Lookup::kFail);
    SubmitReport r;
    o = SubmitExactlyOnce(b, request_, policy_, &r);
    ASSERT_FALSE(o.ok());
    EXPECT_TRUE(OutcomeUnknown(o.status()));
    EXPECT_NE(o.status().message().find("4 lookups by client_order_id failed"), std::string::npos)
        << o.status().message();
    EXPECT_EQ(r.sends, 1);
    EXPECT_EQ(r.lookups, policy_.max_lookups);
    EXPECT_EQ(b.OrdersFor(request_.client_order_id), first == Post::kAcceptLoseAnswer ? 1 : 0);
  }
}

TEST_F(SubmitTest, AResendRefusedAsADuplicateIsLookedUpAgain) {
  // The first lookup is stale (the broker has the order but does not show it yet): the re-send is
  // refused as a reused client_order_id, and the next lookup finds the order.
  broker_.posts = {Post::kAcceptLoseAnswer};
  broker_.lookups = {Lookup::kStaleNotFound};
  Result<BrokerOrder> o = Submit();
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(broker_.calls, (std::vector<std::string>{"post", "lookup", "post", "lookup"}));
  EXPECT_TRUE(report_.found_by_lookup);
  EXPECT_EQ(broker_.OrdersFor(request_.client_order_id), 1);
  EXPECT_TRUE(IsClientOrderIdInUse(
      InvalidArgument("alpaca POST /v2/orders: HTTP 422: client_order_id must be unique")));
  EXPECT_FALSE(IsClientOrderIdInUse(InvalidArgument("qty must be > 0")));
  EXPECT_FALSE(IsClientOrderIdInUse(FailedPrecondition("client_order_id must be unique")));
}

TEST_F(SubmitTest, BrokerRejectionsAreFinalAtOnce) {
  broker_.posts = {Post::kBusinessRejection};
  Result<BrokerOrder> o = Submit();
  EXPECT_EQ(o.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(OutcomeUnknown(o.status()));
  EXPECT_EQ(broker_.calls, (std::vector<std::string>{"post"}));

  FaultyBroker b;
  b.posts = {Post::kInvalid};
  o = SubmitExactlyOnce(b, request_, policy_);
  EXPECT_EQ(o.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(b.calls, (std::vector<std::string>{"post"}));  // a first 422 is not a collision

  // A genuine 422 to a re-send stands once a lookup finds nothing.
  FaultyBroker c;
  c.posts = {Post::k500NoOrder, Post::kInvalid};
  o = SubmitExactlyOnce(c, request_, policy_);
  EXPECT_EQ(o.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(c.calls, (std::vector<std::string>{"post", "lookup", "post", "lookup"}));
  EXPECT_EQ(c.OrdersFor(request_.client_order_id), 0);
}

TEST_F(SubmitTest, NothingReachingTheBrokerIsAKnownFailure) {
  broker_.posts = {Post::kRefused, Post::kRefused, Post::kRefused};
  Result<BrokerOrder> o = Submit();
  EXPECT_EQ(o.status().code(), StatusCode::kUnavailable);
  EXPECT_FALSE(OutcomeUnknown(o.status()));
  EXPECT_EQ(report_.sends, 3);
  EXPECT_EQ(report_.lookups, 0);
  EXPECT_EQ(broker_.OrdersFor(request_.client_order_id), 0);
}

TEST_F(SubmitTest, RecoveryLooksUpFirstAndSendsOnlyWhenTheBrokerHasNone) {
  // Crashed after the POST landed: found, nothing sent.
  broker_.refuse_duplicates = false;
  ASSERT_TRUE(broker_.SubmitOrder(request_).ok());
  broker_.calls.clear();
  Result<BrokerOrder> o = RecoverSubmission(broker_, request_, policy_, &report_);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(broker_.calls, (std::vector<std::string>{"lookup"}));
  EXPECT_EQ(report_.sends, 0);
  EXPECT_EQ(broker_.OrdersFor(request_.client_order_id), 1);

  // Crashed before the POST: sent once.
  FaultyBroker b;
  b.refuse_duplicates = false;
  o = RecoverSubmission(b, request_, policy_);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(b.calls, (std::vector<std::string>{"lookup", "post"}));
  EXPECT_EQ(b.OrdersFor(request_.client_order_id), 1);

  // The broker cannot be asked: nothing is sent.
  FaultyBroker c;
  c.lookups.assign(10, Lookup::kFail);
  o = RecoverSubmission(c, request_, policy_);
  EXPECT_TRUE(OutcomeUnknown(o.status()));
  EXPECT_EQ(c.OrdersFor(request_.client_order_id), 0);
  EXPECT_EQ(std::count(c.calls.begin(), c.calls.end(), "post"), 0);
}

TEST_F(SubmitTest, BackoffDoublesUpToItsCap) {
  policy_.max_sends = 6;
  policy_.initial_backoff_ms = 100;
  policy_.max_backoff_ms = 500;
  broker_.posts.assign(5, Post::kRefused);
  ASSERT_TRUE(Submit().ok());
  EXPECT_EQ(waits_, (std::vector<int64_t>{100, 200, 400, 500, 500}));
}

// Random fault sequences over many requests, duplicates not refused by the broker: every request
// makes at most one order; exactly one when the answer is an order (and it is that order); none
// when the failure is a known one.
TEST_F(SubmitTest, RandomFaultsNeverMakeTwoOrders) {
  std::mt19937 rng(20240322);
  const std::vector<Post> post_faults = {
      Post::kOk,         Post::kAcceptLoseAnswer, Post::kAcceptUnreadable,
      Post::k500NoOrder, Post::kTimeoutNoOrder,   Post::k429,
      Post::kRefused};
  const std::vector<Lookup> lookup_faults = {Lookup::kOk, Lookup::kOk, Lookup::kFail};
  FaultyBroker b;
  b.refuse_duplicates = false;
  int ok = 0, unknown = 0, known = 0;
  for (int i = 0; i < 2000; ++i) {
    for (int k = 0; k < 4; ++k) {
      b.posts.push_back(post_faults[rng() % post_faults.size()]);
      b.lookups.push_back(lookup_faults[rng() % lookup_faults.size()]);
    }
    const OrderRequest r = Request("th-" + std::to_string(i));
    const bool recover = rng() % 4 == 0;
    Result<BrokerOrder> o =
        recover ? RecoverSubmission(b, r, policy_) : SubmitExactlyOnce(b, r, policy_);
    const int made = b.OrdersFor(r.client_order_id);
    ASSERT_LE(made, 1) << "request " << i;
    if (o.ok()) {
      ++ok;
      ASSERT_EQ(made, 1) << "request " << i;
      ASSERT_EQ(o->client_order_id, r.client_order_id);
    } else if (OutcomeUnknown(o.status())) {
      ++unknown;
    } else {
      ++known;
      ASSERT_EQ(made, 0) << "request " << i << ": " << o.status().ToString();
    }
    b.posts.clear();
    b.lookups.clear();
  }
  // The mix exercised every outcome.
  EXPECT_GT(ok, 1000);
  EXPECT_GT(unknown, 0);
  EXPECT_GT(known, 0);
}

}  // namespace
}  // namespace torghut::broker
