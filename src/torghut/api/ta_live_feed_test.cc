// The live stream over real sockets and a real SQLite store: the initial window, a provisional
// row and its final version as they are written, a bad symbol, and the stream ending with the
// client.
#include "torghut/api/ta_live_feed.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "torghut/http/server.h"
#include "torghut/store/store_config.h"
#include "torghut/testing/test_support.h"

namespace torghut::api {
namespace {

using namespace std::chrono_literals;
constexpr int64_t kT0 = 1'704'205'800;  // 2024-01-02T14:30:00Z

ta::MicrobarRow Bar(int64_t second, int64_t version, bool final) {
  ta::MicrobarRow r;
  r.id.symbol = "AAPL";
  r.id.window_start = Timestamp::FromSeconds(kT0 + second);
  r.id.window_end = r.id.event_ts = Timestamp::FromSeconds(kT0 + second + 1);
  r.id.ingest_ts = r.id.event_ts;
  r.id.is_final = final;
  r.id.version = version;
  r.o = r.h = r.l = r.c = 100 + static_cast<double>(second % 5);
  r.v = 10;
  r.vwap = r.c;
  r.count = 1;
  return r;
}

// A raw HTTP client that keeps reading the stream.
class StreamClient {
 public:
  StreamClient(uint16_t port, const std::string& target) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    const std::string req =
        "GET " + target + " HTTP/1.1\r\nHost: t\r\nAccept: text/event-stream\r\n\r\n";
    EXPECT_EQ(::send(fd_, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
  }
  ~StreamClient() { Close(); }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  // Reads until `text` contains `needle` `times` times (or the deadline, or EOF).
  bool ReadUntil(const std::string& needle, int times, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (testing::CountOccurrences(text, needle) < times) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[65536];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return testing::CountOccurrences(text, needle) >= times;
      text.append(buf, static_cast<size_t>(n));
    }
    return true;
  }
  std::string text;

 private:
  int fd_ = -1;
};

TEST(TaLiveFeedTest, StreamsTheWindowThenEachNewVersionAndEndsWithTheClient) {
  testing::ScratchDir dir("torghut-live");
  store::StoreConfig c;
  c.data_dir = dir.path();
  auto writer = store::OpenTaStore(c).value();
  ASSERT_TRUE(writer->Migrate().ok());
  std::vector<ta::MicrobarRow> bars;
  for (int64_t s = 0; s < 60; ++s) bars.push_back(Bar(s, 3, true));
  ASSERT_TRUE(writer->WriteMicrobars(bars).ok());

  TaLiveFeed feed(store::OpenTaStore(c).value(), /*poll_ms=*/50, /*lookback_ms=*/10'000);
  http::Router router;
  feed.Register(router);
  http::Registry metrics;
  http::ServerConfig config;
  config.port = 0;
  config.access_log = false;
  http::Server server(config, std::move(router), &metrics);
  ASSERT_TRUE(server.Start().ok());

  StreamClient client(server.port(), "/api/torghut/ta/stream?symbol=AAPL");
  // The window: the newest bar and the ten seconds before it.
  ASSERT_TRUE(client.ReadUntil("event: bar", 11, 10s)) << client.text;
  EXPECT_EQ(client.text.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << client.text;
  EXPECT_NE(client.text.find("Content-Type: text/event-stream"), std::string::npos);
  EXPECT_NE(client.text.find("\"event_ts\":\"2024-01-02T14:31:00.000Z\""), std::string::npos);
  EXPECT_EQ(client.text.find("\"event_ts\":\"2024-01-02T14:30:40.000Z\""), std::string::npos);
  // A provisional row, then its final version: one event each.
  ASSERT_TRUE(writer->WriteMicrobars(std::vector<ta::MicrobarRow>{Bar(60, 1, false)}).ok());
  ASSERT_TRUE(client.ReadUntil("\"event_ts\":\"2024-01-02T14:31:01.000Z\"", 1, 10s)) << client.text;
  EXPECT_NE(client.text.find("\"is_final\":0"), std::string::npos);
  ASSERT_TRUE(writer->WriteMicrobars(std::vector<ta::MicrobarRow>{Bar(60, 2, true)}).ok());
  ASSERT_TRUE(client.ReadUntil("\"event_ts\":\"2024-01-02T14:31:01.000Z\"", 2, 10s)) << client.text;
  // Nothing is sent twice for a version already sent.
  EXPECT_EQ(testing::CountOccurrences(client.text, "\"event_ts\":\"2024-01-02T14:31:00.000Z\""), 1);
  EXPECT_EQ(feed.streams(), 1u);
  client.Close();
  EXPECT_TRUE(testing::WaitFor([&] { return feed.streams() == 0; }, 10s));

  StreamClient bad(server.port(), "/api/torghut/ta/stream?symbol=no%20such");
  ASSERT_TRUE(bad.ReadUntil("symbol must match", 1, 10s)) << bad.text;
  EXPECT_EQ(bad.text.rfind("HTTP/1.1 400", 0), 0u) << bad.text;
  server.Stop();
}

}  // namespace
}  // namespace torghut::api
