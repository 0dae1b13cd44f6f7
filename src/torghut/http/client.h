// A plain HTTP/1.1 client (libcurl underneath; only client.cc includes it): GET, POST, PUT, PATCH
// and DELETE with JSON bodies, request and response headers, connect and total timeouts, a kept-
// alive connection, and a precise reason when no HTTP answer came.
//
//   http::ClientOptions o;
//   o.headers = {{"APCA-API-KEY-ID", key}, {"APCA-API-SECRET-KEY", secret}};
//   http::HttpClient client(o);
//   http::ClientResponse r = client.Post(base + "/v2/orders", R"({"symbol":"AAPL"})");
//   if (!r.answered()) {
//     // r.failure says why; MayHaveReachedServer(r.failure): the order may exist — look it up
//     // before sending it again. r.error is one line naming no header value.
//   } else if (r.status == 429) {
//     int64_t wait_ms = r.RetryAfterMs();  // -1 when the server did not say
//   }
//
// Connections: one client keeps its connections open between requests (one libcurl handle and its
// connection cache); two requests in a row to the same host use one TCP connection. Not
// thread-safe: use one client per thread (or a lock around it).
//
// Retries are the caller's policy (http/retry.h): the client never sends a request twice. (libcurl
// on its own would re-send a request on a fresh connection when a kept-alive one closed before any
// byte of the answer; the client refuses that second connection and reports kConnectionLost.)
//
// Secrets: request headers (keys, Authorization) never appear in `error` or any other text the
// client produces; URLs are not part of `error` either, so the caller decides what to show.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "torghut/core/status.h"

namespace torghut::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct ClientOptions {
  int64_t connect_timeout_ms = 10'000;  // TCP connect (+ TLS handshake)
  int64_t timeout_ms = 30'000;          // a whole request, connect included
  // PEM file of trusted CAs for https:// instead of the system's store ("" = system). Certificates
  // and host names are always verified.
  std::string ca_file;
  // Sent with every request (API keys, Authorization), before the request's own headers.
  HeaderList headers;
  // A connection idle longer than this is not reused but replaced: a server that drops idle
  // connections after its own keep-alive timeout does so while nothing is in flight.
  int64_t max_idle_reuse_ms = 30'000;
  // AWS Signature Version 4, computed by libcurl (CURLOPT_AWS_SIGV4) for every request when
  // `aws_sigv4` is set, e.g. "aws:amz:us-east-1:s3". libcurl signs the query string as given, so
  // the caller sends its parameters sorted and RFC 3986-encoded; x-amz-* request headers are
  // signed too (S3 wants x-amz-content-sha256). The key pair never appears in any text.
  std::string aws_sigv4;
  std::string aws_access_key_id;
  std::string aws_secret_access_key;
};

struct ClientRequest {
  std::string method = "GET";  // GET, HEAD, POST, PUT, PATCH, DELETE
  std::string url;             // http:// or https://
  HeaderList headers;
  std::string body;  // sent when not empty (and always for POST, PUT and PATCH)
  std::string content_type = "application/json";  // for a body
  int64_t timeout_ms = 0;                         // 0: ClientOptions::timeout_ms
};

// Why a request got no HTTP answer.
enum class Failure : uint8_t {
  kNone = 0,        // an answer came (of any status)
  kBadUrl,          // malformed URL or an unsupported scheme
  kUnresolved,      // the host name did not resolve
  kRefused,         // connection refused or the host unreachable
  kConnectTimeout,  // no connection within the connect timeout
  kTls,             // TLS handshake or certificate verification failed
  kNotSent,         // any other failure before the request went out
  kTimedOut,        // sent, but no complete answer within the timeout
  kConnectionLost,  // sent, but the connection closed or reset before a complete answer
};
std::string_view FailureName(Failure f);  // "refused", "timed_out", …
// kTimedOut and kConnectionLost: the server may have received (and acted on) the request. Every
// other failure happened before any byte of the request was sent.
bool MayHaveReachedServer(Failure f);

// X-Ratelimit-* as Alpaca sends them; -1 when a header is absent or not a number.
struct RateLimit {
  int64_t limit = -1;      // requests allowed per window
  int64_t remaining = -1;  // left in this window
  int64_t reset = -1;      // when the window resets, Unix seconds
};

struct ClientResponse {
  int status = 0;      // the HTTP status; 0 when no answer came
  HeaderList headers;  // the final answer's headers in arrival order, names lower-cased
  std::string body;    // decoded (gzip/deflate are accepted and undone)
  Failure failure = Failure::kNone;
  std::string error;  // when no answer: why, in one line (e.g. "connection refused: …")

  bool answered() const { return status != 0; }
  // The last value of a header ("" when absent); `lower_name` is lower case.
  std::string_view Header(std::string_view lower_name) const;
  // Retry-After in milliseconds (delta-seconds, or an HTTP date against the system clock); -1
  // when absent or unparsable.
  int64_t RetryAfterMs() const;
  RateLimit RateLimitHeaders() const;
};

class HttpClient {
 public:
  explicit HttpClient(ClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // One attempt; blocks until the answer, a failure or the timeout.
  ClientResponse Send(const ClientRequest& request);

  ClientResponse Get(std::string url, HeaderList headers = {});
  ClientResponse Delete(std::string url, HeaderList headers = {});
  // JSON bodies (ClientRequest::content_type to send something else).
  ClientResponse Post(std::string url, std::string body, HeaderList headers = {});
  ClientResponse Put(std::string url, std::string body, HeaderList headers = {});
  ClientResponse Patch(std::string url, std::string body, HeaderList headers = {});

  const ClientOptions& options() const { return options_; }

 private:
  ClientOptions options_;
  struct Handle;
  std::unique_ptr<Handle> handle_;
};

}  // namespace torghut::http
