// A built web UI served from a directory under a URL prefix (SPEC §8: the UI comes from the same
// port as the API).
//
//   http::StaticSite site{.url_prefix = "/torghut/", .root = "web/dist",
//                         .pages = {"/torghut/visuals", "/torghut/charts"}};
//   http::AddStaticSite(router, site);
//
// `pages` (and the prefix itself) answer with root/index.html — the single-page app picks the view
// from the URL — marked `no-cache` so a new build shows at once; files under root/assets/ carry a
// content hash in their names and are cached for a year. Paths that would leave `root` (`..`, a
// NUL) are 400, missing files 404, and a root without index.html is 503 saying how to build it.
// Files are read per request (the OS caches them), so a rebuilt UI is served without a restart.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "torghut/http/router.h"

namespace torghut::http {

struct StaticSite {
  std::string url_prefix = "/torghut/";  // must end in '/'
  std::filesystem::path root;
  std::vector<std::string> pages;
  std::string not_built_hint;  // appended to the 503 message when root has no index.html
};

void AddStaticSite(Router& router, StaticSite site);

// The Content-Type for a file name ("application/octet-stream" when unknown).
std::string ContentTypeFor(std::string_view file_name);

}  // namespace torghut::http
