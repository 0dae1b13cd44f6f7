#include "torghut/http/router.h"

#include <gtest/gtest.h>

namespace torghut::http {
namespace {

Request Make(std::string method, std::string path) {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  return r;
}

TEST(RouterTest, DispatchesByPathAndMethodWithJsonErrors) {
  Router router;
  router.Get("/a", [](const Request&) { return Response::Json(200, "{\"a\":1}"); });
  router.Post(
      "/a", [](const Request& r) { return Response::Json(201, r.body); }, "post-a");
  router.GetPrefix("/static/", [](const Request& r) { return Response::Text(200, r.path); });
  std::string route;
  EXPECT_EQ(router.Dispatch(Make("GET", "/a"), &route).body, "{\"a\":1}");
  EXPECT_EQ(route, "/a");
  Request post = Make("POST", "/a");
  post.body = "x";
  const Response created = router.Dispatch(post, &route);
  EXPECT_EQ(created.status, 201);
  EXPECT_EQ(route, "post-a");
  // HEAD is GET (the server drops the body).
  EXPECT_EQ(router.Dispatch(Make("HEAD", "/a")).status, 200);
  EXPECT_EQ(router.Dispatch(Make("GET", "/static/app.js"), &route).body, "/static/app.js");
  EXPECT_EQ(route, "/static/*");

  const Response missing = router.Dispatch(Make("GET", "/nope"), &route);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body, "{\"ok\":false,\"message\":\"no such endpoint: GET /nope\"}");
  EXPECT_EQ(route, "unmatched");
  const Response wrong = router.Dispatch(Make("DELETE", "/a"));
  EXPECT_EQ(wrong.status, 405);
  ASSERT_EQ(wrong.headers.size(), 1u);
  EXPECT_EQ(wrong.headers[0].first, "Allow");
  EXPECT_EQ(wrong.headers[0].second, "GET, POST");
  // Prefix routes answer GET only.
  EXPECT_EQ(router.Dispatch(Make("POST", "/static/x")).status, 404);
}

TEST(RouterTest, PrefixRoutesByMethod) {
  Router router;
  router.Get("/v2/orders", [](const Request&) { return Response::Text(200, "list"); });
  router.AddPrefix(
      "GET", "/v2/orders/", [](const Request& r) { return Response::Text(200, "get " + r.path); },
      "/v2/orders/{id}");
  router.AddPrefix("DELETE", "/v2/orders/",
                   [](const Request& r) { return Response::Text(204, "del " + r.path); });
  std::string route;
  EXPECT_EQ(router.Dispatch(Make("GET", "/v2/orders"), &route).body, "list");  // exact wins
  EXPECT_EQ(router.Dispatch(Make("GET", "/v2/orders/42"), &route).body, "get /v2/orders/42");
  EXPECT_EQ(route, "/v2/orders/{id}");
  EXPECT_EQ(router.Dispatch(Make("HEAD", "/v2/orders/42")).status, 200);
  EXPECT_EQ(router.Dispatch(Make("DELETE", "/v2/orders/42"), &route).body, "del /v2/orders/42");
  EXPECT_EQ(route, "/v2/orders/*");
  EXPECT_EQ(router.Dispatch(Make("POST", "/v2/orders/42")).status, 404);
  // An exact WebSocket route claims its own path only.
  router.WebSocketAt("/stream", [](const Request&, std::shared_ptr<WebSocketPeer>) {
    return WebSocketCallbacks{};
  });
  EXPECT_NE(router.FindWebSocket("/stream"), nullptr);
  EXPECT_EQ(router.FindWebSocket("/streams"), nullptr);
  EXPECT_EQ(router.Dispatch(Make("GET", "/stream")).status, 426);
  EXPECT_EQ(router.Dispatch(Make("GET", "/streams")).status, 404);
}

TEST(RouterTest, ErrorBodiesEscapeTheMessage) {
  EXPECT_EQ(Response::Error(400, "bad \"symbol\"\n").body,
            "{\"ok\":false,\"message\":\"bad \\\"symbol\\\"\\n\"}");
}

TEST(RouterTest, RequireAdminIsOffWithoutATokenAndChecksTheBearer) {
  Request r = Make("POST", "/savepoint");
  auto off = RequireAdmin(r, "");
  ASSERT_TRUE(off.has_value());
  EXPECT_EQ(off->status, 403);
  EXPECT_NE(off->body.find("TORGHUT_ADMIN_TOKEN"), std::string::npos);

  auto missing = RequireAdmin(r, "s3cret-token");
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->status, 401);
  EXPECT_EQ(missing->headers.at(0).second, "Bearer");
  for (const char* wrong : {"Bearer s3cret-toke", "Bearer s3cret-tokenX", "Bearer S3cret-token",
                            "Basic s3cret-token", "s3cret-token", "Bearer "}) {
    r.headers["authorization"] = wrong;
    auto denied = RequireAdmin(r, "s3cret-token");
    ASSERT_TRUE(denied.has_value()) << wrong;
    EXPECT_EQ(denied->status, 401) << wrong;
    // The configured token is never echoed.
    EXPECT_EQ(denied->body.find("s3cret"), std::string::npos);
  }
  r.headers["authorization"] = "Bearer s3cret-token";
  EXPECT_FALSE(RequireAdmin(r, "s3cret-token").has_value());
}

TEST(RouterTest, QueryStringsAndPathsDecode) {
  std::map<std::string, std::string, std::less<>> q;
  ASSERT_TRUE(ParseQuery("symbol=BRK.B&from=2024-01-02T14%3A30%3A00Z&x=a+b&flag&symbol=AAPL", &q));
  EXPECT_EQ(q["symbol"], "AAPL");  // the last value wins
  EXPECT_EQ(q["from"], "2024-01-02T14:30:00Z");
  EXPECT_EQ(q["x"], "a b");
  EXPECT_EQ(q.count("flag"), 1u);
  EXPECT_FALSE(ParseQuery("a=%zz", &q));
  EXPECT_FALSE(ParseQuery("a=%2", &q));
  std::string path;
  ASSERT_TRUE(PercentDecode("/a%20b+c", false, &path));
  EXPECT_EQ(path, "/a b+c");
}

}  // namespace
}  // namespace torghut::http
