#include "torghut/http/static_site.h"

#include <algorithm>
#include <fstream>
#include <memory>
#include <sstream>
#include <system_error>

namespace torghut::http {
namespace {

constexpr std::string_view kHashedAssetsDir = "assets/";

bool ReadWholeFile(const std::filesystem::path& path, std::string* out) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return false;
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buf;
  buf << in.rdbuf();  // (an empty file sets buf's failbit: not an error here)
  *out = std::move(buf).str();
  return true;
}

// The path below the prefix as a relative path that stays inside the root, or false.
bool SafeRelative(std::string_view rest, std::filesystem::path* out) {
  if (rest.find('\0') != std::string_view::npos || rest.find('\\') != std::string_view::npos) {
    return false;
  }
  std::filesystem::path p;
  size_t start = 0;
  while (start <= rest.size()) {
    size_t end = rest.find('/', start);
    if (end == std::string_view::npos) end = rest.size();
    const std::string_view segment = rest.substr(start, end - start);
    if (segment == "..") return false;
    if (!segment.empty() && segment != ".") p /= std::string(segment);
    start = end + 1;
  }
  *out = p;
  return true;
}

}  // namespace

std::string ContentTypeFor(std::string_view name) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
  };
  for (const auto& [ext, type] : kTypes) {
    if (name.size() >= ext.size() && name.substr(name.size() - ext.size()) == ext) {
      return std::string(type);
    }
  }
  return "application/octet-stream";
}

void AddStaticSite(Router& router, StaticSite site) {
  auto s = std::make_shared<const StaticSite>(std::move(site));
  // A page's HTML file, read per request.
  auto page = [s](const std::string& file) {
    std::string body;
    if (!ReadWholeFile(s->root / file, &body)) {
      return Response::Error(503, "the web UI is not built (no " + file + " in " +
                                      s->root.string() + ")" +
                                      (s->not_built_hint.empty() ? "" : ": ") + s->not_built_hint);
    }
    Response r = Response::Text(200, std::move(body), "text/html; charset=utf-8");
    r.headers.emplace_back("Cache-Control", "no-cache");
    return r;
  };
  auto index = [page]() { return page("index.html"); };
  for (const StaticPage& p : s->pages) {
    router.Get(
        p.path, [page, file = p.file](const Request&) { return page(file); }, p.path);
  }
  const std::string bare = s->url_prefix.substr(0, s->url_prefix.size() - 1);
  if (!bare.empty())
    router.Get(
        bare, [index](const Request&) { return index(); }, bare);
  router.GetPrefix(
      s->url_prefix,
      [s, index](const Request& r) {
        const std::string_view rest = std::string_view(r.path).substr(s->url_prefix.size());
        std::filesystem::path relative;
        if (!SafeRelative(rest, &relative)) return Response::Error(400, "bad path: " + r.path);
        if (relative.empty()) return index();
        std::string body;
        if (!ReadWholeFile(s->root / relative, &body)) {
          return Response::Error(404, "no such file: " + r.path);
        }
        Response res = Response::Text(200, std::move(body), ContentTypeFor(relative.string()));
        res.headers.emplace_back("Cache-Control", rest.starts_with(kHashedAssetsDir)
                                                      ? "public, max-age=31536000, immutable"
                                                      : "no-cache");
        return res;
      },
      s->url_prefix + "*");
}

}  // namespace torghut::http
