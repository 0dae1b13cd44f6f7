#include "torghut/object_store/s3_object_store.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>

#include "torghut/core/time.h"

namespace torghut::object_store {
namespace {

bool Unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

// RFC 3986 percent-encoding as SigV4 canonicalizes it (upper-case hex); '/' kept when asked.
std::string Encode(std::string_view s, bool keep_slash) {
  std::string out;
  for (char c : s) {
    if (Unreserved(c) || (keep_slash && c == '/')) {
      out += c;
    } else {
      out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    }
  }
  return out;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  std::string out;
  for (unsigned int i = 0; i < len; ++i) out += fmt::format("{:02x}", md[i]);
  return out;
}

std::string XmlUnescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    static constexpr std::pair<std::string_view, char> kEntities[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    bool done = false;
    for (const auto& [entity, c] : kEntities) {
      if (s.substr(i, entity.size()) == entity) {
        out += c;
        i += entity.size() - 1;
        done = true;
        break;
      }
    }
    if (!done) out += '&';
  }
  return out;
}

// The text of the first <tag>…</tag> at or after `from` (nullopt when absent); `from` moves past.
std::optional<std::string> XmlText(std::string_view xml, std::string_view tag, size_t* from) {
  const std::string open = fmt::format("<{}>", tag), close = fmt::format("</{}>", tag);
  const size_t b = xml.find(open, *from);
  if (b == std::string_view::npos) return std::nullopt;
  const size_t e = xml.find(close, b + open.size());
  if (e == std::string_view::npos) return std::nullopt;
  *from = e + close.size();
  return XmlUnescape(xml.substr(b + open.size(), e - b - open.size()));
}

std::string XmlText(std::string_view xml, std::string_view tag) {
  size_t from = 0;
  return XmlText(xml, tag, &from).value_or("");
}

bool ValidSegment(std::string_view seg) {
  return !seg.empty() && seg != "." && seg != ".." &&
         std::all_of(seg.begin(), seg.end(), [](char c) { return Unreserved(c) && c != '~'; });
}

}  // namespace

Result<S3Url> ParseS3Url(std::string_view url) {
  constexpr std::string_view kScheme = "s3://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return InvalidArgument(fmt::format("'{}' is not an s3://bucket/prefix URL", url));
  }
  std::string_view rest = url.substr(kScheme.size());
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  const size_t slash = rest.find('/');
  S3Url out;
  out.bucket = std::string(rest.substr(0, slash));
  const bool bucket_ok =
      out.bucket.size() >= 3 && out.bucket.size() <= 63 &&
      std::all_of(out.bucket.begin(), out.bucket.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
      });
  if (!bucket_ok) {
    return InvalidArgument(
        fmt::format("'{}': the bucket name must be 3 to 63 characters of [a-z0-9.-]", url));
  }
  if (slash != std::string_view::npos) {
    std::string_view prefix = rest.substr(slash + 1);
    out.prefix = std::string(prefix);
    size_t start = 0;
    while (start <= prefix.size()) {
      const size_t end = std::min(prefix.find('/', start), prefix.size());
      if (!ValidSegment(prefix.substr(start, end - start))) {
        return InvalidArgument(fmt::format(
            "'{}': each prefix part must be non-empty [A-Za-z0-9._-] (no '.' or '..')", url));
      }
      start = end + 1;
    }
  }
  return out;
}

S3ObjectStore::S3ObjectStore(S3Config config) : config_(std::move(config)) {
  while (!config_.endpoint.empty() && config_.endpoint.back() == '/') config_.endpoint.pop_back();
  http::ClientOptions o;
  o.connect_timeout_ms = config_.connect_timeout_ms;
  o.timeout_ms = config_.timeout_ms;
  o.aws_sigv4 = fmt::format("aws:amz:{}:s3", config_.region);
  o.aws_access_key_id = config_.access_key_id;
  o.aws_secret_access_key = config_.secret_access_key;
  client_ = std::make_unique<http::HttpClient>(std::move(o));
}

S3ObjectStore::~S3ObjectStore() = default;

std::string S3ObjectStore::FullKey(std::string_view key) const {
  return config_.prefix.empty() ? std::string(key) : config_.prefix + "/" + std::string(key);
}

std::string S3ObjectStore::Describe(std::string_view key) const {
  return fmt::format("s3://{}/{}", config_.bucket, FullKey(key));
}

http::ClientResponse S3ObjectStore::Send(std::string method, std::string url, std::string body) {
  http::ClientRequest req;
  req.method = std::move(method);
  req.url = std::move(url);
  req.headers = {{"x-amz-content-sha256", Sha256Hex(body)}};
  req.content_type = "application/octet-stream";
  req.body = std::move(body);
  std::lock_guard lock(mu_);
  return http::SendWithRetry(*client_, req, config_.retry);
}

Status S3ObjectStore::Failed(std::string_view op, std::string_view key,
                             const http::ClientResponse& r) const {
  const std::string where = Describe(key);
  if (!r.answered()) {
    return Unavailable(fmt::format("{} {}: {} unreachable ({}): {}", op, where, config_.endpoint,
                                   http::FailureName(r.failure), r.error));
  }
  const std::string code = XmlText(r.body, "Code");
  const std::string message = XmlText(r.body, "Message");
  const std::string line =
      fmt::format("{} {}: HTTP {} {}{}{}", op, where, r.status,
                  code.empty() ? "(no S3 error code)" : code, message.empty() ? "" : ": ", message);
  if (r.status == 401 || r.status == 403) return Unauthenticated(line);
  if (r.status == 404 && code == "NoSuchBucket") return Unavailable(line);
  if (r.status == 429 || r.status >= 500) return Unavailable(line);
  return FailedPrecondition(line);
}

Status S3ObjectStore::Put(std::string_view key, std::string_view bytes) {
  const std::string url = fmt::format("{}/{}/{}", config_.endpoint, config_.bucket,
                                      Encode(FullKey(key), /*keep_slash=*/true));
  const http::ClientResponse r = Send("PUT", url, std::string(bytes));
  if (r.status == 200) return Status::Ok();
  return Failed("PUT", key, r);
}

Result<std::optional<std::string>> S3ObjectStore::Get(std::string_view key) {
  const std::string url = fmt::format("{}/{}/{}", config_.endpoint, config_.bucket,
                                      Encode(FullKey(key), /*keep_slash=*/true));
  http::ClientResponse r = Send("GET", url);
  if (r.status == 200) return std::optional<std::string>(std::move(r.body));
  if (r.status == 404 && XmlText(r.body, "Code") != "NoSuchBucket") {
    return std::optional<std::string>();
  }
  return Failed("GET", key, r);
}

Result<std::vector<ObjectInfo>> S3ObjectStore::List(std::string_view prefix) {
  const std::string full_prefix = FullKey(prefix);
  const size_t strip = config_.prefix.empty() ? 0 : config_.prefix.size() + 1;
  std::vector<ObjectInfo> out;
  std::string token;
  for (;;) {
    // SigV4 signs the query string as sent: parameters sorted by name, RFC 3986-encoded.
    std::string query;
    if (!token.empty()) query += "continuation-token=" + Encode(token, false) + "&";
    query += fmt::format("list-type=2&max-keys={}&prefix={}", config_.max_keys,
                         Encode(full_prefix, false));
    const http::ClientResponse r =
        Send("GET", fmt::format("{}/{}?{}", config_.endpoint, config_.bucket, query));
    if (r.status != 200) return Failed("LIST", prefix, r);
    size_t from = 0;
    while (std::optional<std::string> contents = XmlText(r.body, "Contents", &from)) {
      std::string key = XmlText(*contents, "Key");
      if (key.size() < strip || key.compare(0, full_prefix.size(), full_prefix) != 0) continue;
      ObjectInfo info{key.substr(strip), 0};
      if (Result<Timestamp> t = ParseRfc3339(XmlText(*contents, "LastModified")); t.ok()) {
        info.modified_ms = t->millis();
      }
      out.push_back(std::move(info));
    }
    if (XmlText(r.body, "IsTruncated") != "true") break;
    token = XmlText(r.body, "NextContinuationToken");
    if (token.empty()) {
      return Unavailable(
          fmt::format("LIST {}: a truncated page without NextContinuationToken", Describe(prefix)));
    }
  }
  std::sort(out.begin(), out.end(),
            [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
  return out;
}

Status S3ObjectStore::Delete(std::string_view key) {
  const std::string url = fmt::format("{}/{}/{}", config_.endpoint, config_.bucket,
                                      Encode(FullKey(key), /*keep_slash=*/true));
  const http::ClientResponse r = Send("DELETE", url);
  if (r.status == 204 || r.status == 200) return Status::Ok();
  if (r.status == 404 && XmlText(r.body, "Code") == "NoSuchKey") return Status::Ok();
  return Failed("DELETE", key, r);
}

}  // namespace torghut::object_store
