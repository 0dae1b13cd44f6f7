// A built web UI served from a directory under a URL prefix (SPEC §8: the UI comes from the same
// port as the API).
//
//   http::StaticSite site{.url_prefix = "/torghut/", .root = "web/dist",
//                         .pages = {{"/torghut/visuals", "index.html"},
//                                   {"/torghut/trading", "trading.html"}}};
//   http::AddStaticSite(router, site);
//
// Each of `pages` answers with its HTML file under root (the prefix itself with index.html): the
// page's script reads the rest of the URL. They are marked `no-cache` so a new build shows at
// once; files under root/assets/ carry a content hash in their names and are cached for a year.
// Paths that would leave `root` (`..`, a NUL) are 400, missing files 404, and a page whose HTML
// file is missing is 503 saying how to build the UI.
// Files are read per request (the OS caches them), so a rebuilt UI is served without a restart.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "torghut/http/router.h"

namespace torghut::http {

struct StaticPage {
  std::string path;  // the URL path, e.g. /torghut/trading
  std::string file;  // the HTML file under root that answers it, e.g. trading.html
};

struct StaticSite {
  std::string url_prefix = "/torghut/";  // must end in '/'
  std::filesystem::path root;
  std::vector<StaticPage> pages;
  std::string not_built_hint;  // appended to the 503 message when a page's file is missing
};

void AddStaticSite(Router& router, StaticSite site);

// The Content-Type for a file name ("application/octet-stream" when unknown).
std::string ContentTypeFor(std::string_view file_name);

}  // namespace torghut::http
