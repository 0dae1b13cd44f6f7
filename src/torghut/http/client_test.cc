// The HTTP client against the project's own server on loopback: every verb with JSON bodies,
// headers both ways, one kept-alive connection, timeouts, refused and dropped connections (and
// which of them may have reached the server), Retry-After and the rate-limit headers, the retry
// helper, https with a trusted CA, and no secret in any error.
#include "torghut/http/client.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>

#include "torghut/http/retry.h"
#include "torghut/http/server.h"
#include "torghut/testing/tls_server.h"

namespace torghut::http {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Router router;
    auto echo = [](const Request& r) {
      json j;
      j["method"] = r.method;
      j["body"] = r.body;
      j["content_type"] = std::string(r.Header("content-type"));
      j["x_request"] = std::string(r.Header("x-request"));
      j["x_client"] = std::string(r.Header("x-client"));
      j["query"] = std::string(r.Query("q").value_or(""));
      Response res = Response::Json(200, j.dump());
      res.headers.emplace_back("X-Reply", "pong");
      return res;
    };
    for (const char* m : {"GET", "POST", "PUT", "PATCH", "DELETE"}) router.Add(m, "/echo", echo);
    router.Get("/remote", [](const Request& r) { return Response::Text(200, r.remote); });
    router.Get("/slow", [this](const Request&) {
      std::unique_lock lock(mu_);
      slow_cv_.wait_for(lock, 10s, [this] { return release_slow_; });
      return Response::Json(200, "{}");
    });
    router.Post("/drop", [this](const Request&) {
      ++drops_;
      Response res;
      res.drop_connection = true;
      return res;
    });
    router.Get("/limited", [this](const Request&) {
      if (limited_calls_.fetch_add(1) < 2) {
        Response res = Response::Json(429, R"({"message":"too many requests."})");
        res.headers.emplace_back("Retry-After", "2");
        res.headers.emplace_back("X-Ratelimit-Limit", "200");
        res.headers.emplace_back("X-Ratelimit-Remaining", "0");
        res.headers.emplace_back("X-Ratelimit-Reset", "1704207660");
        return res;
      }
      return Response::Json(200, R"({"ok":true})");
    });
    ServerConfig config;
    config.port = 0;
    config.threads = 2;  // /slow blocks one
    config.access_log = false;
    server_ = std::make_unique<Server>(config, std::move(router), &metrics_);
    ASSERT_TRUE(server_->Start().ok());
    base_ = "http://127.0.0.1:" + std::to_string(server_->port());
  }
  void TearDown() override {
    {
      std::lock_guard lock(mu_);
      release_slow_ = true;
    }
    slow_cv_.notify_all();
    server_->Stop();
  }

  Registry metrics_;
  std::unique_ptr<Server> server_;
  std::string base_;
  std::mutex mu_;
  std::condition_variable slow_cv_;
  bool release_slow_ = false;
  std::atomic<int> drops_{0}, limited_calls_{0};
};

TEST_F(HttpClientTest, EveryVerbCarriesJsonBodiesAndHeadersBothWays) {
  ClientOptions o;
  o.headers = {{"X-Client", "torghut-test"}};
  HttpClient client(o);
  ClientResponse r = client.Get(base_ + "/echo?q=a%20b", {{"X-Request", "one"}});
  ASSERT_EQ(r.status, 200) << r.error;
  json j = json::parse(r.body);
  EXPECT_EQ(j["method"], "GET");
  EXPECT_EQ(j["body"], "");
  EXPECT_EQ(j["content_type"], "");  // no body, no content type
  EXPECT_EQ(j["x_request"], "one");
  EXPECT_EQ(j["x_client"], "torghut-test");
  EXPECT_EQ(j["query"], "a b");
  EXPECT_EQ(r.Header("x-reply"), "pong");
  EXPECT_EQ(r.Header("content-type"), "application/json");
  EXPECT_EQ(r.Header("x-absent"), "");

  const std::string body = R"({"symbol":"AAPL","qty":"1.5","note":"ü"})";
  for (const char* method : {"POST", "PUT", "PATCH"}) {
    ClientRequest q;
    q.method = method;
    q.url = base_ + "/echo";
    q.body = body;
    q.headers = {{"X-Request", method}};
    r = client.Send(q);
    ASSERT_EQ(r.status, 200) << method << ": " << r.error;
    j = json::parse(r.body);
    EXPECT_EQ(j["method"], method);
    EXPECT_EQ(j["body"], body) << method;
    EXPECT_EQ(j["content_type"], "application/json") << method;
    EXPECT_EQ(j["x_request"], method);
    EXPECT_EQ(j["x_client"], "torghut-test");
  }
  r = client.Delete(base_ + "/echo");
  ASSERT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(json::parse(r.body)["method"], "DELETE");
  // The shorthands send JSON too.
  r = client.Patch(base_ + "/echo", R"({"a":1})");
  EXPECT_EQ(json::parse(r.body)["content_type"], "application/json");
  // Error statuses are answers, not failures.
  r = client.Get(base_ + "/nowhere");
  EXPECT_EQ(r.status, 404);
  EXPECT_TRUE(r.answered());
  EXPECT_EQ(r.failure, Failure::kNone);
  EXPECT_NE(r.body.find("no such endpoint"), std::string::npos);
}

TEST_F(HttpClientTest, OneClientKeepsOneConnectionAlive) {
  // The server sees the client's address and port: the same port is the same connection.
  HttpClient client;
  const ClientResponse a = client.Get(base_ + "/remote");
  const ClientResponse b = client.Get(base_ + "/remote");
  ASSERT_EQ(a.status, 200) << a.error;
  ASSERT_EQ(b.status, 200) << b.error;
  EXPECT_EQ(a.body, b.body);
  // A POST in between does not change that.
  ASSERT_EQ(client.Post(base_ + "/echo", "{}").status, 200);
  EXPECT_EQ(client.Get(base_ + "/remote").body, a.body);
  // Another client is another connection.
  HttpClient other;
  const ClientResponse c = other.Get(base_ + "/remote");
  ASSERT_EQ(c.status, 200);
  EXPECT_NE(c.body, a.body);
}

TEST_F(HttpClientTest, ATimeoutIsReportedAsPossiblyReceived) {
  ClientOptions o;
  o.timeout_ms = 300;
  HttpClient client(o);
  const auto start = std::chrono::steady_clock::now();
  const ClientResponse r = client.Get(base_ + "/slow");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_FALSE(r.answered());
  EXPECT_EQ(r.failure, Failure::kTimedOut) << r.error;
  EXPECT_TRUE(MayHaveReachedServer(r.failure));
  EXPECT_NE(r.error.find("timed out"), std::string::npos) << r.error;
  // A per-request timeout overrides the client's.
  {
    std::lock_guard lock(mu_);
    release_slow_ = true;
  }
  slow_cv_.notify_all();
  ClientRequest q;
  q.url = base_ + "/slow";
  q.timeout_ms = 5'000;
  EXPECT_EQ(client.Send(q).status, 200);
}

TEST_F(HttpClientTest, ARefusedConnectionNeverReachedTheServer) {
  // A bound socket that does not listen: connecting to it is refused, and the port stays ours.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  HttpClient client;
  const ClientResponse r =
      client.Post("http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/x", "{}");
  ::close(fd);
  EXPECT_FALSE(r.answered());
  EXPECT_EQ(r.failure, Failure::kRefused) << r.error;
  EXPECT_FALSE(MayHaveReachedServer(r.failure));
  EXPECT_NE(r.error.find("connection refused"), std::string::npos) << r.error;
  // Unknown schemes and malformed URLs are not sent either.
  EXPECT_EQ(client.Get("nosuch://127.0.0.1/").failure, Failure::kBadUrl);
  EXPECT_FALSE(MayHaveReachedServer(client.Get("http://[::1/").failure));
}

TEST_F(HttpClientTest, AServerThatClosesWithoutAnsweringIsALostConnectionAndNotResent) {
  HttpClient client;
  // On a fresh connection.
  ClientResponse r = client.Post(base_ + "/drop", R"({"order":1})");
  EXPECT_FALSE(r.answered());
  EXPECT_EQ(r.failure, Failure::kConnectionLost) << r.error;
  EXPECT_TRUE(MayHaveReachedServer(r.failure));
  EXPECT_EQ(drops_.load(), 1);
  // On a kept-alive connection: libcurl would carry the request again on a new connection; the
  // client does not, so the server sees it once.
  ASSERT_EQ(client.Get(base_ + "/echo").status, 200);
  r = client.Post(base_ + "/drop", R"({"order":2})");
  EXPECT_EQ(r.failure, Failure::kConnectionLost) << r.error;
  EXPECT_EQ(drops_.load(), 2);
  // The client recovers on the next request.
  EXPECT_EQ(client.Get(base_ + "/echo").status, 200);
  // Retrying a request that must not run twice stops at the uncertain outcome.
  int sleeps = 0;
  ClientRequest q;
  q.method = "POST";
  q.url = base_ + "/drop";
  q.body = "{}";
  r = SendWithRetry(client, q, RetryPolicy{}, RetryableIfNotIdempotent, [&](int64_t) { ++sleeps; });
  EXPECT_EQ(r.failure, Failure::kConnectionLost);
  EXPECT_EQ(drops_.load(), 3);
  EXPECT_EQ(sleeps, 0);
}

TEST_F(HttpClientTest, RetryAfterAndRateLimitHeadersReachTheCallerAndTheRetryHelperHonoursThem) {
  HttpClient client;
  ClientResponse r = client.Get(base_ + "/limited");
  ASSERT_EQ(r.status, 429);
  EXPECT_EQ(r.RetryAfterMs(), 2000);
  const RateLimit rl = r.RateLimitHeaders();
  EXPECT_EQ(rl.limit, 200);
  EXPECT_EQ(rl.remaining, 0);
  EXPECT_EQ(rl.reset, 1704207660);
  EXPECT_EQ(client.Get(base_ + "/echo").RateLimitHeaders().limit, -1);

  limited_calls_ = 0;
  std::vector<int64_t> waits;
  ClientRequest q;
  q.url = base_ + "/limited";
  r = SendWithRetry(client, q, RetryPolicy{}, RetryableIfIdempotent,
                    [&](int64_t ms) { waits.push_back(ms); });
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(limited_calls_.load(), 3);
  EXPECT_EQ(waits, (std::vector<int64_t>{2000, 2000}));

  // Attempts are bounded: the last answer is returned as it is.
  limited_calls_ = 0;
  RetryPolicy two;
  two.max_attempts = 2;
  waits.clear();
  r = SendWithRetry(client, q, two, RetryableIfIdempotent,
                    [&](int64_t ms) { waits.push_back(ms); });
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(waits.size(), 1u);
}

TEST(RetryPolicyTest, BackoffDoublesToItsCapAndRetryAfterIsCapped) {
  RetryPolicy p;
  ClientResponse none;  // no answer, no Retry-After
  none.failure = Failure::kRefused;
  std::vector<int64_t> waits;
  for (int attempt = 1; attempt <= 6; ++attempt) waits.push_back(RetryDelayMs(p, attempt, none));
  EXPECT_EQ(waits, (std::vector<int64_t>{500, 1000, 2000, 4000, 5000, 5000}));
  ClientResponse slow;
  slow.status = 429;
  slow.headers = {{"retry-after", "3600"}};
  EXPECT_EQ(RetryDelayMs(p, 1, slow), 10'000);
  slow.headers = {{"retry-after", "Thu, 01 Jan 1970 00:00:00 GMT"}};  // a date in the past
  EXPECT_EQ(RetryDelayMs(p, 3, slow), 0);
  slow.headers = {{"retry-after", "soon"}};
  EXPECT_EQ(slow.RetryAfterMs(), -1);
  EXPECT_EQ(RetryDelayMs(p, 3, slow), 2000);

  // What each predicate retries.
  ClientResponse timed_out;
  timed_out.failure = Failure::kTimedOut;
  ClientResponse server_error;
  server_error.status = 503;
  ClientResponse bad;
  bad.status = 422;
  EXPECT_TRUE(RetryableIfIdempotent(none));
  EXPECT_TRUE(RetryableIfIdempotent(timed_out));
  EXPECT_TRUE(RetryableIfIdempotent(server_error));
  EXPECT_TRUE(RetryableIfIdempotent(slow));
  EXPECT_FALSE(RetryableIfIdempotent(bad));
  EXPECT_TRUE(RetryableIfNotIdempotent(none));
  EXPECT_FALSE(RetryableIfNotIdempotent(timed_out));
  EXPECT_FALSE(RetryableIfNotIdempotent(server_error));
  EXPECT_TRUE(RetryableIfNotIdempotent(slow));
}

TEST_F(HttpClientTest, SecretsNeverAppearInErrors) {
  ClientOptions o;
  o.timeout_ms = 300;
  o.headers = {{"APCA-API-KEY-ID", "key-id-123"},
               {"APCA-API-SECRET-KEY", "secret-456"},
               {"Authorization", "Bearer token-789"}};
  HttpClient client(o);
  for (const ClientResponse& r : {client.Get(base_ + "/slow"), client.Post(base_ + "/drop", "{}"),
                                  client.Get("http://127.0.0.1:1/")}) {
    ASSERT_FALSE(r.answered());
    EXPECT_FALSE(r.error.empty());
    for (const char* secret : {"key-id-123", "secret-456", "token-789", "APCA", "Authorization"}) {
      EXPECT_EQ(r.error.find(secret), std::string::npos) << r.error;
    }
  }
}

TEST(HttpClientTlsTest, HttpsVerifiesTheServerAgainstTheSystemOrTheGivenCa) {
  testing::TlsTestServer tls("torghut-client-tls");
  ASSERT_TRUE(tls.Start()) << tls.error();
  const std::string url = "https://localhost:" + std::to_string(tls.port()) + "/";
  // The system trust store does not know the throwaway CA: nothing is sent.
  HttpClient untrusting;
  ClientResponse r = untrusting.Get(url);
  EXPECT_EQ(r.failure, Failure::kTls) << r.error;
  EXPECT_FALSE(MayHaveReachedServer(r.failure));
  ClientOptions o;
  o.ca_file = tls.ca_file();
  HttpClient trusting(o);
  r = trusting.Get(url);
  EXPECT_EQ(r.status, 200) << r.error;
  // The certificate names "localhost": 127.0.0.1 fails the host check.
  r = trusting.Get("https://127.0.0.1:" + std::to_string(tls.port()) + "/");
  EXPECT_EQ(r.failure, Failure::kTls) << r.error;
}

}  // namespace
}  // namespace torghut::http
