// The server over real loopback sockets: routing, limits, JSON errors, keep-alive, the access
// log, metrics, readiness and liveness, admin auth, and shutdown with open connections.
#include "torghut/http/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "torghut/core/log.h"
#include "torghut/testing/http_client.h"
#include "torghut/testing/test_support.h"

namespace torghut::http {
namespace {

using testing::HttpClient;
using testing::HttpResult;
using testing::RawExchange;

class FakeClock : public Clock {
 public:
  int64_t NowNanos() const override { return now_ms.load() * 1'000'000; }
  std::atomic<int64_t> now_ms{1'000'000};
};

class ServerTest : public ::testing::Test {
 protected:
  ServerTest() {
    config_.port = 0;
    config_.admin_token = "admin-token-123";
    config_.read_timeout_ms = 2000;
    config_.max_body_bytes = 1024;
    config_.max_header_bytes = 2048;
    config_.not_ready_kill_after_ms = 5000;
    log::SetSinkForTest([this](std::string_view line) {
      std::lock_guard lock(log_mu_);
      log_ += std::string(line) + "\n";
    });
  }
  ~ServerTest() override {
    if (server_) server_->Stop();
    log::SetSinkForTest(nullptr);
  }

  void StartServer() {
    Router router;
    AddStandardEndpoints(
        router, metrics_,
        [this] {
          return Readiness{ready_.load(), ready_.load()
                                              ? "{\"ready\":true}"
                                              : "{\"ready\":false,\"error_class\":\"x\"}"};
        },
        config_, &clock_);
    router.Get("/hello", [](const Request& r) {
      nlohmann::json j;
      j["ok"] = true;
      j["name"] = r.Query("name").value_or("");
      j["agent"] = std::string(r.Header("user-agent").substr(0, 4));
      return Response::Json(200, j.dump());
    });
    router.Get("/throw", [](const Request&) -> Response {
      throw std::runtime_error("secret internal detail");
    });
    router.Post("/admin", [this](const Request& r) {
      if (auto denied = RequireAdmin(r, config_.admin_token)) return *denied;
      return Response::Json(200, "{\"ok\":true,\"got\":" + std::to_string(r.body.size()) + "}");
    });
    server_ = std::make_unique<Server>(config_, std::move(router), &metrics_);
    ASSERT_TRUE(server_->Start().ok());
    base_ = "http://127.0.0.1:" + std::to_string(server_->port());
  }
  std::string Log() {
    std::lock_guard lock(log_mu_);
    return log_;
  }

  ServerConfig config_;
  Registry metrics_;
  FakeClock clock_;
  std::atomic<bool> ready_{true};
  std::unique_ptr<Server> server_;
  std::string base_;
  std::mutex log_mu_;
  std::string log_;
};

TEST_F(ServerTest, RoutesRequestsAndKeepsTheConnectionAlive) {
  StartServer();
  HttpClient client;
  HttpResult a = client.Get(base_ + "/hello?name=BRK.B%20x", {"User-Agent: test-agent"});
  ASSERT_EQ(a.status, 200) << a.error;
  EXPECT_EQ(a.Header("content-type"), "application/json");
  EXPECT_EQ(nlohmann::json::parse(a.body)["name"], "BRK.B x");
  EXPECT_EQ(nlohmann::json::parse(a.body)["agent"], "test");
  EXPECT_EQ(a.new_connections, 1);
  HttpResult b = client.Get(base_ + "/hello");
  EXPECT_EQ(b.status, 200);
  EXPECT_EQ(b.new_connections, 0) << "the second request reuses the connection";
  HttpResult head = client.Do("HEAD", base_ + "/hello", "", {});
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
}

TEST_F(ServerTest, ErrorsAreJsonWithAMessageAndNeverInternalDetail) {
  StartServer();
  HttpClient client;
  HttpResult missing = client.Get(base_ + "/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(nlohmann::json::parse(missing.body)["ok"], false);
  HttpResult method = client.Do("DELETE", base_ + "/hello", "", {});
  EXPECT_EQ(method.status, 405);
  EXPECT_EQ(method.Header("allow"), "GET");
  HttpResult thrown = client.Get(base_ + "/throw");
  EXPECT_EQ(thrown.status, 500);
  EXPECT_EQ(thrown.body, "{\"ok\":false,\"message\":\"internal error\"}");
  EXPECT_NE(Log().find("secret internal detail"), std::string::npos) << "logged for the operator";
  // The server keeps serving after a failing handler.
  EXPECT_EQ(client.Get(base_ + "/hello").status, 200);
}

TEST_F(ServerTest, RequestLimitsAnswer413And431And400) {
  StartServer();
  HttpClient client;
  HttpResult big = client.Post(base_ + "/admin", std::string(4096, 'x'),
                               {"Authorization: Bearer admin-token-123"});
  EXPECT_EQ(big.status, 413);
  EXPECT_NE(big.body.find("request body over 1024 bytes"), std::string::npos) << big.body;
  HttpResult small = client.Post(base_ + "/admin", std::string(1000, 'x'),
                                 {"Authorization: Bearer admin-token-123"});
  EXPECT_EQ(small.status, 200);
  EXPECT_EQ(small.body, "{\"ok\":true,\"got\":1000}");

  HttpResult headers = client.Get(base_ + "/hello", {"X-Big: " + std::string(4000, 'y')});
  EXPECT_EQ(headers.status, 431);

  const std::string garbage = RawExchange(server_->port(), "NOT A REQUEST\r\n\r\n");
  EXPECT_EQ(garbage.rfind("HTTP/1.1 400", 0), 0u) << garbage;
  EXPECT_NE(garbage.find("{\"ok\":false,\"message\":\"malformed HTTP request"), std::string::npos);
  const std::string bad_target = RawExchange(server_->port(),
                                             "GET /a%zz HTTP/1.1\r\nHost: x\r\n"
                                             "Connection: close\r\n\r\n");
  EXPECT_EQ(bad_target.rfind("HTTP/1.1 400", 0), 0u) << bad_target;
}

TEST_F(ServerTest, AnIdleOrSlowConnectionIsClosedAfterTheReadTimeout) {
  StartServer();
  bool timed_out = true;
  // Half a request, then nothing: the server closes it (the client's own limit is 10 s).
  const std::string reply =
      RawExchange(server_->port(), "GET /hello HTTP/1.1\r\nHost: x\r\n", 10000, &timed_out);
  EXPECT_FALSE(timed_out) << "the server closed the connection";
  EXPECT_TRUE(reply.empty()) << reply;
}

TEST_F(ServerTest, AdminEndpointsNeedTheBearerTokenAndAreOffWithoutOne) {
  StartServer();
  HttpClient client;
  EXPECT_EQ(client.Post(base_ + "/admin", "{}").status, 401);
  EXPECT_EQ(client.Post(base_ + "/admin", "{}", {"Authorization: Bearer wrong"}).status, 401);
  EXPECT_EQ(client.Post(base_ + "/admin", "{}", {"Authorization: Bearer admin-token-123"}).status,
            200);
  server_->Stop();
  config_.admin_token.clear();
  StartServer();
  EXPECT_EQ(client.Post(base_ + "/admin", "{}", {"Authorization: Bearer admin-token-123"}).status,
            403);
}

TEST_F(ServerTest, ReadinessAndLivenessFollowTheRole) {
  StartServer();
  HttpClient client;
  EXPECT_EQ(client.Get(base_ + "/readyz").status, 200);
  EXPECT_EQ(client.Get(base_ + "/healthz").body, "{\"status\":\"ok\"}");
  ready_ = false;
  HttpResult not_ready = client.Get(base_ + "/readyz");
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_EQ(nlohmann::json::parse(not_ready.body)["error_class"], "x");
  // Not ready, but not yet for HEALTH_NOT_READY_KILL_AFTER_MS: still alive.
  clock_.now_ms += 4000;
  EXPECT_EQ(client.Get(base_ + "/healthz").status, 200);
  clock_.now_ms += 1000;
  HttpResult dead = client.Get(base_ + "/healthz");
  EXPECT_EQ(dead.status, 503);
  EXPECT_EQ(nlohmann::json::parse(dead.body)["not_ready_for_ms"], 5000);
  // Ready again: alive again, and the clock restarts.
  ready_ = true;
  EXPECT_EQ(client.Get(base_ + "/healthz").status, 200);
  ready_ = false;
  EXPECT_EQ(client.Get(base_ + "/healthz").status, 200);
}

TEST_F(ServerTest, MetricsCountRequestsAndTheAccessLogHasOneLinePerRequest) {
  StartServer();
  HttpClient client;
  for (int i = 0; i < 3; ++i) client.Get(base_ + "/hello?name=x");
  client.Get(base_ + "/nope");
  HttpResult m = client.Get(base_ + "/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(m.Header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(m.body.find("torghut_http_requests_total{route=\"/hello\",code=\"200\"} 3\n"),
            std::string::npos)
      << m.body;
  EXPECT_NE(m.body.find("torghut_http_requests_total{route=\"unmatched\",code=\"404\"} 1\n"),
            std::string::npos);
  EXPECT_NE(m.body.find("torghut_http_request_duration_seconds_count{route=\"/hello\"} 3\n"),
            std::string::npos);
  EXPECT_NE(m.body.find("torghut_http_connections 1\n"), std::string::npos);
  // The access log: method, path (no query string), status, size, time, peer. (The line of the
  // /metrics request itself may still be on its way: it is written after the response.)
  const std::string log = Log();
  EXPECT_EQ(testing::CountOccurrences(log, "\"path\":\"/hello\""), 3) << log;
  EXPECT_EQ(
      testing::CountOccurrences(log, "\"path\":\"/nope\",\"route\":\"unmatched\",\"status\":404"),
      1)
      << log;
  EXPECT_NE(log.find("\"method\":\"GET\",\"path\":\"/hello\",\"route\":\"/hello\",\"status\":200"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("\"remote\":\"127.0.0.1:"), std::string::npos);
}

TEST_F(ServerTest, StopClosesOpenConnectionsAndABusyPortIsAClearError) {
  StartServer();
  HttpClient client;
  ASSERT_EQ(client.Get(base_ + "/hello").status, 200);  // an idle keep-alive connection stays
  ServerConfig same = config_;
  same.port = server_->port();
  Server second(same, Router(), &metrics_);
  const Status s = second.Start();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("127.0.0.1:" + std::to_string(same.port)), std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("TORGHUT_HTTP_ADDR"), std::string::npos);
  server_->Stop();  // returns although the client holds its connection open
  EXPECT_NE(client.Get(base_ + "/hello").status, 200);
}

TEST(ServerConfigTest, AddressesParseAndBadOnesAreReported) {
  std::string host;
  uint16_t port = 0;
  EXPECT_TRUE(ParseHostPort("127.0.0.1:8080", &host, &port));
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 8080);
  EXPECT_TRUE(ParseHostPort("[::1]:0", &host, &port));
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 0);
  EXPECT_TRUE(ParseHostPort("0.0.0.0:65535", &host, &port));
  for (const char* bad : {"8080", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "host:80", ":8080",
                          "[::1]8080", "1.2.3.4:8x"}) {
    EXPECT_FALSE(ParseHostPort(bad, &host, &port)) << bad;
  }
  ConfigReader cfg(
      EnvSource::FromMap({{"TORGHUT_HTTP_ADDR", "nowhere"}, {"TORGHUT_HTTP_THREADS", "0"}}));
  ReadServerConfig(cfg);
  const Status s = cfg.Finish();
  EXPECT_NE(s.message().find("TORGHUT_HTTP_ADDR"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("TORGHUT_HTTP_THREADS"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace torghut::http
