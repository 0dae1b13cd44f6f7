#include "torghut/http/static_site.h"

#include <gtest/gtest.h>

#include <fstream>

#include "torghut/testing/test_support.h"

namespace torghut::http {
namespace {

void Write(const std::filesystem::path& p, const std::string& body) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << body;
}

Response Get(const Router& router, std::string path) {
  Request r;
  r.method = "GET";
  r.path = std::move(path);
  return router.Dispatch(r);
}

std::string HeaderOf(const Response& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

class StaticSiteTest : public ::testing::Test {
 protected:
  StaticSiteTest() : dir_("static-site") {
    site_.root = dir_.path() / "dist";
    site_.pages = {{"/torghut/visuals", "index.html"},
                   {"/torghut/charts", "index.html"},
                   {"/torghut/trading", "trading.html"}};
    site_.not_built_hint = "build it";
  }
  testing::ScratchDir dir_;
  StaticSite site_;
};

TEST_F(StaticSiteTest, PagesAnswerWithIndexAndAssetsWithTheirTypeAndCaching) {
  Write(site_.root / "index.html", "<!doctype html><title>t</title>");
  Write(site_.root / "assets/index-abc123.js", "console.log(1)");
  Write(site_.root / "assets/index-abc123.css", "body{}");
  Write(site_.root / "favicon.svg", "<svg/>");
  Router router;
  router.Get("/torghut/api-like", [](const Request&) { return Response::Json(200, "{}"); });
  AddStaticSite(router, site_);

  for (const char* page : {"/torghut/visuals", "/torghut/charts", "/torghut", "/torghut/"}) {
    const Response r = Get(router, page);
    EXPECT_EQ(r.status, 200) << page;
    EXPECT_EQ(r.body, "<!doctype html><title>t</title>") << page;
    EXPECT_EQ(r.content_type, "text/html; charset=utf-8") << page;
    EXPECT_EQ(HeaderOf(r, "Cache-Control"), "no-cache") << page;
  }
  const Response js = Get(router, "/torghut/assets/index-abc123.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.body, "console.log(1)");
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(HeaderOf(js, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(Get(router, "/torghut/assets/index-abc123.css").content_type,
            "text/css; charset=utf-8");
  const Response svg = Get(router, "/torghut/favicon.svg");
  EXPECT_EQ(svg.content_type, "image/svg+xml");
  EXPECT_EQ(HeaderOf(svg, "Cache-Control"), "no-cache");  // not content-hashed
  // Exact routes under the prefix still win.
  EXPECT_EQ(Get(router, "/torghut/api-like").body, "{}");
}

TEST_F(StaticSiteTest, EachPageAnswersWithItsOwnFile) {
  Write(site_.root / "index.html", "visuals");
  Write(site_.root / "trading.html", "trading");
  Router router;
  AddStaticSite(router, site_);
  EXPECT_EQ(Get(router, "/torghut/visuals").body, "visuals");
  EXPECT_EQ(Get(router, "/torghut/charts").body, "visuals");
  const Response trading = Get(router, "/torghut/trading");
  EXPECT_EQ(trading.body, "trading");
  EXPECT_EQ(HeaderOf(trading, "Cache-Control"), "no-cache");
  // A page whose own file is missing says so (the other pages still answer).
  std::filesystem::remove(site_.root / "trading.html");
  const Response missing = Get(router, "/torghut/trading");
  EXPECT_EQ(missing.status, 503);
  EXPECT_NE(missing.body.find("no trading.html in"), std::string::npos) << missing.body;
  EXPECT_EQ(Get(router, "/torghut/visuals").body, "visuals");
}

TEST_F(StaticSiteTest, PathsOutsideTheRootAreRefusedAndMissingFilesAre404) {
  Write(site_.root / "index.html", "index");
  Write(dir_.path() / "secret.txt", "do not serve");
  Router router;
  AddStaticSite(router, site_);
  for (const char* bad : {"/torghut/../secret.txt", "/torghut/assets/../../secret.txt",
                          "/torghut/a\\..\\..\\secret.txt"}) {
    const Response r = Get(router, bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(r.body.find("do not serve"), std::string::npos);
    EXPECT_NE(r.body.find("bad path"), std::string::npos) << r.body;
  }
  EXPECT_EQ(Get(router, std::string("/torghut/index.html\0x", 21)).status, 400);
  const Response missing = Get(router, "/torghut/assets/nope.js");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body, "{\"ok\":false,\"message\":\"no such file: /torghut/assets/nope.js\"}");
  // A directory is not a file.
  Write(site_.root / "assets/x.js", "x");
  EXPECT_EQ(Get(router, "/torghut/assets").status, 404);
  // "." segments and doubled slashes stay inside the root.
  EXPECT_EQ(Get(router, "/torghut/./assets//x.js").body, "x");
}

TEST_F(StaticSiteTest, AnUnbuiltSiteSays503AndHowToBuildItThenServesOnceBuilt) {
  Router router;
  AddStaticSite(router, site_);
  const Response r = Get(router, "/torghut/visuals");
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("the web UI is not built"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("build it"), std::string::npos) << r.body;
  // Files are read per request: a build that appears later is served without a restart.
  Write(site_.root / "index.html", "built");
  EXPECT_EQ(Get(router, "/torghut/visuals").body, "built");
}

TEST(ContentTypeTest, KnownAndUnknownExtensions) {
  EXPECT_EQ(ContentTypeFor("a.html"), "text/html; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("a.js.map"), "application/json");
  EXPECT_EQ(ContentTypeFor("a.woff2"), "font/woff2");
  EXPECT_EQ(ContentTypeFor("a.bin"), "application/octet-stream");
  EXPECT_EQ(ContentTypeFor("js"), "application/octet-stream");
}

}  // namespace
}  // namespace torghut::http
