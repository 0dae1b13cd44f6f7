#include "torghut/api/web_ui.h"

#include <gtest/gtest.h>

#include <fstream>

#include "torghut/testing/test_support.h"

namespace torghut::api {
namespace {

http::Response Get(const http::Router& router, std::string path) {
  http::Request r;
  r.method = "GET";
  r.path = std::move(path);
  return router.Dispatch(r);
}

TEST(WebUiTest, ServesBothPageNamesAndRedirectsTheRoot) {
  testing::ScratchDir dir("web-ui");
  std::ofstream(dir.path() / "index.html") << "ui";
  ConfigReader cfg(EnvSource::FromMap({{"TORGHUT_WEB_DIR", dir.path().string()}}));
  const WebUiConfig config = ReadWebUiConfig(cfg);
  ASSERT_TRUE(cfg.Finish().ok());
  EXPECT_TRUE(config.enabled);
  http::Router router;
  AddWebUi(router, config);
  EXPECT_EQ(Get(router, "/torghut/visuals").body, "ui");
  EXPECT_EQ(Get(router, "/torghut/charts").body, "ui");
  const http::Response root = Get(router, "/");
  EXPECT_EQ(root.status, 302);
  ASSERT_EQ(root.headers.size(), 1u);
  EXPECT_EQ(root.headers[0], (std::pair<std::string, std::string>{"Location", "/torghut/visuals"}));
}

TEST(WebUiTest, DisabledMeansNoRoutesAndBadSettingsAreErrors) {
  ConfigReader off(EnvSource::FromMap({{"TORGHUT_VISUALS_ENABLED", "false"}}));
  const WebUiConfig config = ReadWebUiConfig(off);
  ASSERT_TRUE(off.Finish().ok());
  EXPECT_FALSE(config.enabled);
  http::Router router;
  AddWebUi(router, config);
  EXPECT_EQ(Get(router, "/torghut/visuals").status, 404);
  EXPECT_EQ(Get(router, "/").status, 404);

  ConfigReader bad(EnvSource::FromMap({{"TORGHUT_VISUALS_ENABLED", "sometimes"}}));
  ReadWebUiConfig(bad);
  const Status s = bad.Finish();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("TORGHUT_VISUALS_ENABLED"), std::string::npos) << s.message();
}

TEST(WebUiTest, DefaultDirectoryIsThisCheckoutsBuild) {
  ConfigReader cfg(EnvSource::FromMap({}));
  EXPECT_EQ(ReadWebUiConfig(cfg).dir, std::string(TORGHUT_SOURCE_DIR) + "/web/dist");
}

}  // namespace
}  // namespace torghut::api
