#include "torghut/http/client.h"

#include <curl/curl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>
#include <mutex>

#include "torghut/core/time.h"

namespace torghut::http {

namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// -1 unless `s` is a non-negative decimal integer.
int64_t ParseCount(std::string_view s) {
  s = Trim(s);
  int64_t v = -1;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < 0) return -1;
  return v;
}

// What one transfer needs in its callbacks.
struct Transfer {
  ClientResponse* response;
  bool sent = false;            // the request went out on a connection (PREREQFUNCTION ran)
  bool refused_resend = false;  // libcurl wanted a second connection for the same request
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  static_cast<Transfer*>(user)->response->body.append(data, size * n);
  return size * n;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  ClientResponse& r = *static_cast<Transfer*>(user)->response;
  const std::string_view line(data, size * n);
  if (line.starts_with("HTTP/")) {
    r.headers.clear();  // a new answer (after "100 Continue"): only the final one's headers count
    return size * n;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return size * n;
  std::string name(Trim(line.substr(0, colon)));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  r.headers.emplace_back(std::move(name), std::string(Trim(line.substr(colon + 1))));
  return size * n;
}

int OnPrereq(void* user, char*, char*, int, int) {
  static_cast<Transfer*>(user)->sent = true;
  return CURL_PREREQFUNC_OK;
}

// libcurl opens a socket per connection attempt. Once the request went out on one connection, a
// second one would carry it again (libcurl's re-send after a kept-alive connection died): refuse.
curl_socket_t OnOpenSocket(void* user, curlsocktype, curl_sockaddr* address) {
  auto* t = static_cast<Transfer*>(user);
  if (t->sent) {
    t->refused_resend = true;
    return CURL_SOCKET_BAD;
  }
  return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

Failure Classify(CURLcode rc, const Transfer& t) {
  if (t.refused_resend) return Failure::kConnectionLost;
  switch (rc) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return Failure::kBadUrl;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return Failure::kUnresolved;
    case CURLE_COULDNT_CONNECT:
      return Failure::kRefused;
    case CURLE_OPERATION_TIMEDOUT:
      return t.sent ? Failure::kTimedOut : Failure::kConnectTimeout;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
      return t.sent ? Failure::kConnectionLost : Failure::kTls;
    default:
      return t.sent ? Failure::kConnectionLost : Failure::kNotSent;
  }
}

std::string_view Explain(Failure f) {
  switch (f) {
    case Failure::kBadUrl:
      return "bad URL";
    case Failure::kUnresolved:
      return "host not found";
    case Failure::kRefused:
      return "connection refused";
    case Failure::kConnectTimeout:
      return "no connection in time";
    case Failure::kTls:
      return "TLS failed";
    case Failure::kNotSent:
      return "request not sent";
    case Failure::kTimedOut:
      return "timed out waiting for the answer (the request was sent)";
    case Failure::kConnectionLost:
      return "connection closed before the answer (the request was sent)";
    case Failure::kNone:
      break;
  }
  return "";
}

}  // namespace

std::string_view FailureName(Failure f) {
  switch (f) {
    case Failure::kNone:
      return "none";
    case Failure::kBadUrl:
      return "bad_url";
    case Failure::kUnresolved:
      return "unresolved";
    case Failure::kRefused:
      return "refused";
    case Failure::kConnectTimeout:
      return "connect_timeout";
    case Failure::kTls:
      return "tls";
    case Failure::kNotSent:
      return "not_sent";
    case Failure::kTimedOut:
      return "timed_out";
    case Failure::kConnectionLost:
      return "connection_lost";
  }
  return "unknown";
}

bool MayHaveReachedServer(Failure f) {
  return f == Failure::kTimedOut || f == Failure::kConnectionLost;
}

std::string_view ClientResponse::Header(std::string_view lower_name) const {
  for (auto it = headers.rbegin(); it != headers.rend(); ++it) {
    if (it->first == lower_name) return it->second;
  }
  return {};
}

int64_t ClientResponse::RetryAfterMs() const {
  const std::string_view v = Trim(Header("retry-after"));
  if (v.empty()) return -1;
  if (const int64_t seconds = ParseCount(v); seconds >= 0) return seconds * kMillisPerSecond;
  const time_t at = curl_getdate(std::string(v).c_str(), nullptr);
  if (at < 0) return -1;
  return std::max<int64_t>(0, (static_cast<int64_t>(at) - std::time(nullptr)) * kMillisPerSecond);
}

RateLimit ClientResponse::RateLimitHeaders() const {
  RateLimit r;
  r.limit = ParseCount(Header("x-ratelimit-limit"));
  r.remaining = ParseCount(Header("x-ratelimit-remaining"));
  r.reset = ParseCount(Header("x-ratelimit-reset"));
  return r;
}

struct HttpClient::Handle {
  CURL* curl = nullptr;
  char error[CURL_ERROR_SIZE] = {};
  ~Handle() {
    if (curl != nullptr) curl_easy_cleanup(curl);
  }
};

HttpClient::HttpClient(ClientOptions options)
    : options_(std::move(options)), handle_(std::make_unique<Handle>()) {
  GlobalInit();
  handle_->curl = curl_easy_init();
}

HttpClient::~HttpClient() = default;

ClientResponse HttpClient::Send(const ClientRequest& request) {
  ClientResponse r;
  CURL* curl = handle_->curl;
  if (curl == nullptr) {
    r.failure = Failure::kNotSent;
    r.error = "request not sent: curl_easy_init failed";
    return r;
  }
  // A reset keeps the connection cache: the next request reuses the open connection.
  curl_easy_reset(curl);
  Transfer t{&r};
  handle_->error[0] = '\0';

  curl_slist* list = nullptr;
  auto add = [&list](std::string_view name, std::string_view value) {
    std::string line(name);
    line += value.empty() ? ";" : ": ";  // "Name;" sends an empty header; "Name:" would drop it
    line += value;
    list = curl_slist_append(list, line.c_str());
  };
  for (const auto& [name, value] : options_.headers) add(name, value);
  for (const auto& [name, value] : request.headers) add(name, value);
  const std::string& m = request.method;
  const bool has_body = !request.body.empty() || m == "POST" || m == "PUT" || m == "PATCH";
  if (has_body && !request.content_type.empty()) add("Content-Type", request.content_type);
  list = curl_slist_append(list, "Expect:");  // no "100 Continue" round trip for large bodies

  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  if (m == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (m != "POST" && (m != "GET" || has_body)) {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, m.c_str());  // POSTFIELDS alone means POST
  }
  if (has_body) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout_ms));
  curl_easy_setopt(
      curl, CURLOPT_TIMEOUT_MS,
      static_cast<long>(request.timeout_ms > 0 ? request.timeout_ms : options_.timeout_ms));
  curl_easy_setopt(
      curl, CURLOPT_MAXAGE_CONN,
      static_cast<long>(std::max<int64_t>(1, options_.max_idle_reuse_ms / kMillisPerSecond)));
  if (!options_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());
  if (!options_.aws_sigv4.empty()) {
    curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, options_.aws_sigv4.c_str());
    curl_easy_setopt(curl, CURLOPT_USERNAME, options_.aws_access_key_id.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, options_.aws_secret_access_key.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, handle_->error);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(curl, CURLOPT_PREREQFUNCTION, OnPrereq);
  curl_easy_setopt(curl, CURLOPT_PREREQDATA, &t);
  curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, OnOpenSocket);
  curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, &t);

  const CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(list);
  if (rc == CURLE_OK) {
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    r.status = static_cast<int>(status);
    return r;
  }
  r.status = 0;
  r.headers.clear();
  r.body.clear();
  r.failure = Classify(rc, t);
  // curl's own text names the host and port at most, never a header.
  const std::string_view detail =
      handle_->error[0] != '\0' ? handle_->error : curl_easy_strerror(rc);
  r.error = std::string(Explain(r.failure));
  if (!t.refused_resend) {
    r.error += ": ";
    r.error += Trim(detail);
  }
  return r;
}

namespace {

ClientRequest Request(std::string_view method, std::string url, std::string body,
                      HeaderList headers) {
  ClientRequest q;
  q.method = std::string(method);
  q.url = std::move(url);
  q.body = std::move(body);
  q.headers = std::move(headers);
  return q;
}

}  // namespace

ClientResponse HttpClient::Get(std::string url, HeaderList headers) {
  return Send(Request("GET", std::move(url), "", std::move(headers)));
}

ClientResponse HttpClient::Delete(std::string url, HeaderList headers) {
  return Send(Request("DELETE", std::move(url), "", std::move(headers)));
}

ClientResponse HttpClient::Post(std::string url, std::string body, HeaderList headers) {
  return Send(Request("POST", std::move(url), std::move(body), std::move(headers)));
}

ClientResponse HttpClient::Put(std::string url, std::string body, HeaderList headers) {
  return Send(Request("PUT", std::move(url), std::move(body), std::move(headers)));
}

ClientResponse HttpClient::Patch(std::string url, std::string body, HeaderList headers) {
  return Send(Request("PATCH", std::move(url), std::move(body), std::move(headers)));
}

}  // namespace torghut::http
