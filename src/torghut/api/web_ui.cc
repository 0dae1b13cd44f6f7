#include "torghut/api/web_ui.h"

#include "torghut/http/static_site.h"

namespace torghut::api {

WebUiConfig ReadWebUiConfig(ConfigReader& cfg) {
  WebUiConfig c;
  c.enabled = cfg.Bool("TORGHUT_VISUALS_ENABLED", true);
  c.dir = cfg.String("TORGHUT_WEB_DIR", TORGHUT_WEB_DIST_DIR);
  return c;
}

void AddWebUi(http::Router& router, const WebUiConfig& config) {
  if (!config.enabled) return;
  http::AddStaticSite(router, {.url_prefix = "/torghut/",
                               .root = config.dir,
                               .pages = {{"/torghut/visuals", "index.html"},
                                         {"/torghut/charts", "index.html"},
                                         {"/torghut/trading", "trading.html"}},
                               .not_built_hint = "run scripts/setup.sh (it runs `npm ci && npm run "
                                                 "build` in web/), or set TORGHUT_WEB_DIR"});
  router.Get("/", [](const http::Request&) {
    http::Response r = http::Response::Text(302, "see /torghut/visuals\n");
    r.headers.emplace_back("Location", "/torghut/visuals");
    return r;
  });
}

}  // namespace torghut::api
