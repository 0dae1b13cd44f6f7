// An HTTP client for tests (libcurl; header-only; link CURL::libcurl), plus a raw-socket exchange
// for requests no well-behaved client would send.
//
//   HttpClient client;                                   // one keep-alive connection
//   HttpResult r = client.Get("http://127.0.0.1:" + port + "/healthz");
//   EXPECT_EQ(r.status, 200); r.Header("content-type"); r.new_connections;
//   std::string reply = RawExchange(port, "GARBAGE\r\n\r\n");  // until the server closes
#pragma once

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace torghut::testing {

struct HttpResult {
  long status = 0;  // 0: no response (see error)
  std::string body;
  std::map<std::string, std::string> headers;  // lower-cased names
  std::string error;
  long new_connections = 0;  // connections curl opened for this request (0: reused)
  std::string Header(const std::string& lower) const {
    auto it = headers.find(lower);
    return it == headers.end() ? "" : it->second;
  }
};

class HttpClient {
 public:
  HttpClient() : curl_(curl_easy_init()) {}
  ~HttpClient() { curl_easy_cleanup(curl_); }
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpResult Get(const std::string& url, const std::vector<std::string>& headers = {}) {
    return Do("GET", url, "", headers);
  }
  HttpResult Post(const std::string& url, const std::string& body,
                  const std::vector<std::string>& headers = {}) {
    return Do("POST", url, body, headers);
  }
  HttpResult Do(const std::string& method, const std::string& url, const std::string& body,
                const std::vector<std::string>& headers, long timeout_ms = 30000) {
    HttpResult r;
    curl_easy_reset(curl_);
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, method.c_str());
    if (method == "HEAD") curl_easy_setopt(curl_, CURLOPT_NOBODY, 1L);
    if (method == "POST" || !body.empty()) {
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.data());
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    }
    curl_slist* list = nullptr;
    for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &Append);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &r.body);
    curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, &OnHeader);
    curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &r.headers);
    const CURLcode rc = curl_easy_perform(curl_);
    curl_slist_free_all(list);
    if (rc != CURLE_OK) {
      r.error = curl_easy_strerror(rc);
      return r;
    }
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &r.status);
    curl_easy_getinfo(curl_, CURLINFO_NUM_CONNECTS, &r.new_connections);
    return r;
  }

 private:
  static size_t Append(char* data, size_t size, size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
  }
  static size_t OnHeader(char* data, size_t size, size_t n, void* out) {
    std::string line(data, size * n);
    const size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
      while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
      (*static_cast<std::map<std::string, std::string>*>(out))[name] = value;
    }
    return size * n;
  }
  CURL* curl_;
};

// Sends `bytes` to 127.0.0.1:port and returns everything received until the server closes the
// connection (or `timeout_ms` without data passes; then `*timed_out` is set).
inline std::string RawExchange(uint16_t port, const std::string& bytes, int timeout_ms = 10000,
                               bool* timed_out = nullptr) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return out;
  }
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  char buf[4096];
  if (timed_out != nullptr) *timed_out = false;
  while (true) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n > 0) {
      out.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && timed_out != nullptr && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      *timed_out = true;
    }
    break;
  }
  ::close(fd);
  return out;
}

}  // namespace torghut::testing
