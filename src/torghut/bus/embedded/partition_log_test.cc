// The embedded log's own promises: crash recovery, retention by whole segments, writers and
// readers in several processes, index-assisted seeks.
#include "torghut/bus/embedded/partition_log.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <random>

#include "torghut/core/clock.h"
#include "torghut/testing/bus_test_support.h"
#include "torghut/testing/test_support.h"

namespace torghut::bus::embedded {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class PartitionLogTest : public ::testing::Test {
 protected:
  // Appends records "v<i>" for i in [from, to), one per batch of `per_batch`.
  static void AppendValues(PartitionWriter& w, int from, int to, int per_batch = 10,
                           int64_t ts = 1000) {
    for (int i = from; i < to;) {
      std::string batch;
      int n = 0;
      for (; n < per_batch && i < to; ++n, ++i) {
        EncodeRecord(batch, "k", "v" + std::to_string(i), ts);
      }
      ASSERT_TRUE(w.Append(batch.data(), batch.size(), static_cast<size_t>(n), ts).ok());
    }
  }

  static std::vector<std::string> ReadAll(const fs::path& dir, int64_t from = 0) {
    PartitionReader r(dir);
    EXPECT_TRUE(r.Seek(from).ok());
    std::vector<std::string> values;
    std::vector<RecordView> batch;
    while (true) {
      EXPECT_TRUE(r.Read(64 << 10, &batch).ok());
      if (batch.empty()) break;
      for (const auto& rec : batch) values.emplace_back(rec.value);
    }
    return values;
  }

  static int64_t FileSize(const fs::path& p) { return static_cast<int64_t>(fs::file_size(p)); }

  torghut::testing::ScratchDir scratch_{"torghut-plog"};
  const fs::path dir_ = scratch_.path();
};

TEST_F(PartitionLogTest, TornTailIsCutOnReopenAndAppendsContinue) {
  EmbeddedOptions opts;
  {
    auto w = PartitionWriter::Open(dir_, opts).value();
    AppendValues(*w, 0, 100);
    EXPECT_EQ(w->end_offset(), 100);
  }
  // A crash mid-append: the first 17 bytes of a record made it to the file.
  std::string next;
  EncodeRecord(next, "k", "never-acknowledged", 1000);
  const fs::path log = SegmentPath(dir_, 0, "log");
  const int64_t good_size = FileSize(log);
  {
    std::ofstream out(log, std::ios::app | std::ios::binary);
    out.write(next.data(), 17);
  }
  // Readers in the meantime see the complete records only.
  EXPECT_EQ(ReadAll(dir_).size(), 100u);
  auto w = PartitionWriter::Open(dir_, opts).value();
  EXPECT_EQ(w->end_offset(), 100);
  EXPECT_EQ(w->recovered_cut_bytes(), 17);
  EXPECT_EQ(FileSize(log), good_size);
  AppendValues(*w, 100, 110);
  const auto values = ReadAll(dir_);
  ASSERT_EQ(values.size(), 110u);
  for (int i = 0; i < 110; ++i) EXPECT_EQ(values[static_cast<size_t>(i)], "v" + std::to_string(i));
}

TEST_F(PartitionLogTest, RecordWithBadChecksumAtTheTailIsCut) {
  EmbeddedOptions opts;
  {
    auto w = PartitionWriter::Open(dir_, opts).value();
    AppendValues(*w, 0, 50);
  }
  const fs::path log = SegmentPath(dir_, 0, "log");
  {
    std::fstream f(log, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(FileSize(log) - 1);
    f.put('#');  // last byte of the last value
  }
  auto w = PartitionWriter::Open(dir_, opts).value();
  EXPECT_EQ(w->end_offset(), 49);
  EXPECT_GT(w->recovered_cut_bytes(), 0);
  EXPECT_EQ(ReadAll(dir_).size(), 49u);
}

// Several processes append to one partition (two TA members publishing rows to the same output
// partition): every record lands exactly once, offsets stay consecutive across segment rolls,
// each writer's own records keep their order, and a writer opened before the others appended
// continues after them.
TEST_F(PartitionLogTest, WritersInSeveralProcessesInterleave) {
  EmbeddedOptions opts;
  opts.segment_bytes = 8 << 10;  // rolls while the others write
  auto stale = PartitionWriter::Open(dir_, opts).value();
  AppendValues(*stale, 0, 10);
  constexpr int kWriters = 3, kEach = 1500;
  std::vector<pid_t> children;
  for (int c = 0; c < kWriters; ++c) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      auto w = PartitionWriter::Open(dir_, opts);
      if (!w.ok()) ::_exit(2);
      for (int i = 0; i < kEach; ++i) {
        std::string batch;
        EncodeRecord(batch, "k", "c" + std::to_string(c) + "-" + std::to_string(i), 1000);
        if (!(*w)->Append(batch.data(), batch.size(), 1, 1000).ok()) ::_exit(3);
      }
      ::_exit(0);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  std::string last;
  EncodeRecord(last, "k", "last", 1000);
  EXPECT_EQ(stale->Append(last.data(), last.size(), 1, 1000).value(), 10 + kWriters * kEach);

  const std::vector<std::string> values = ReadAll(dir_);
  ASSERT_EQ(values.size(), static_cast<size_t>(10 + kWriters * kEach + 1));
  std::vector<int> next(kWriters, 0);
  for (size_t i = 10; i + 1 < values.size(); ++i) {
    const int c = values[i][1] - '0';
    ASSERT_TRUE(c >= 0 && c < kWriters) << values[i];
    EXPECT_EQ(values[i], "c" + std::to_string(c) + "-" + std::to_string(next[c]++));
  }
  EXPECT_EQ(values.back(), "last");
  auto reopened = PartitionWriter::Open(dir_, opts).value();
  EXPECT_EQ(reopened->end_offset(), 10 + kWriters * kEach + 1);
  EXPECT_GT(reopened->segment_count(), 3u);
}

TEST_F(PartitionLogTest, SeeksUseTheIndexAndSurviveAGarbageIndex) {
  EmbeddedOptions opts;
  opts.segment_bytes = 64 << 10;
  opts.index_interval_bytes = 512;
  {
    auto w = PartitionWriter::Open(dir_, opts).value();
    AppendValues(*w, 0, 5000, 7);
    EXPECT_GE(w->segment_count(), 3u);
  }
  std::mt19937 rng(7);
  for (int trial = 0; trial < 50; ++trial) {
    const int64_t target = std::uniform_int_distribution<int64_t>(0, 4999)(rng);
    PartitionReader r(dir_);
    ASSERT_TRUE(r.Seek(target).ok());
    std::vector<RecordView> batch;
    ASSERT_TRUE(r.Read(4096, &batch).ok());
    ASSERT_FALSE(batch.empty());
    EXPECT_EQ(batch.front().offset, target);
    EXPECT_EQ(batch.front().value, "v" + std::to_string(target));
  }
  // Scribble over every index: seeks still land right (the index is only a hint).
  for (int64_t base : ListSegments(dir_)) {
    std::ofstream idx(SegmentPath(dir_, base, "idx"), std::ios::binary | std::ios::trunc);
    for (int i = 0; i < 40; ++i) idx.write("\x05\x00\x00\x00\x10\x00\x00\x00", 8);
  }
  PartitionReader r(dir_);
  ASSERT_TRUE(r.Seek(4321).ok());
  std::vector<RecordView> batch;
  ASSERT_TRUE(r.Read(4096, &batch).ok());
  ASSERT_FALSE(batch.empty());
  EXPECT_EQ(batch.front().value, "v4321");
  EXPECT_EQ(r.Seek(5001).code(), StatusCode::kOutOfRange);
  EXPECT_TRUE(r.Seek(5000).ok());  // exactly the end is a valid position
}

TEST_F(PartitionLogTest, RetentionDeletesWholeOldSegmentsOnly) {
  FakeClock clock(int64_t{1'700'000'000'000} * 1'000'000);
  EmbeddedOptions opts;
  opts.segment_bytes = 4096;
  opts.retention_ms = 24 * 3600 * 1000;
  opts.clock = &clock;
  const int64_t now_ms = clock.NowMillis();
  auto w = PartitionWriter::Open(dir_, opts).value();
  AppendValues(*w, 0, 300, 5, now_ms - 3 * 24 * 3600 * 1000);  // three days old
  AppendValues(*w, 300, 600, 5, now_ms - 1000);                // fresh
  const std::vector<int64_t> before = ListSegments(dir_);
  ASSERT_GT(before.size(), 4u);
  ASSERT_TRUE(w->ApplyRetention(now_ms).ok());
  const std::vector<int64_t> after = ListSegments(dir_);
  ASSERT_LT(after.size(), before.size());
  // What is left starts exactly at a former segment boundary, and every fresh record is there.
  EXPECT_NE(std::find(before.begin(), before.end(), after.front()), before.end());
  EXPECT_LE(after.front(), 300);
  const auto values = ReadAll(dir_, after.front());
  EXPECT_EQ(static_cast<int64_t>(values.size()), 600 - after.front());
  EXPECT_EQ(values.back(), "v599");
  EXPECT_EQ(PartitionReader(dir_).Seek(0).code(), StatusCode::kOutOfRange);

  // Size limit: keep at most ~3 segments; the active one stays even when everything is old.
  opts.retention_bytes = 3 * 4096;
  w.reset();
  w = PartitionWriter::Open(dir_, opts).value();
  ASSERT_TRUE(w->ApplyRetention(now_ms).ok());
  EXPECT_LE(ListSegments(dir_).size(), 3u);
  ASSERT_TRUE(w->ApplyRetention(now_ms + int64_t{30} * 24 * 3600 * 1000).ok());
  EXPECT_EQ(ListSegments(dir_).size(), 1u);
  EXPECT_EQ(w->end_offset(), 600);
}

// A child process appends as fast as it can and reports every acknowledged (partition, offset,
// token) on a pipe; the parent kills it with SIGKILL mid-stream, reopens the bus and finds every
// acknowledged record where its report said.
TEST_F(PartitionLogTest, KillDashNineDuringHeavyAppendsLosesNothingAcknowledged) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(fds[0]);
    EmbeddedOptions opts;
    opts.dir = dir_.string();
    opts.segment_bytes = 1 << 20;  // many segment rolls during the run
    auto bus = EmbeddedBus::Open(opts).value();
    ProducerOptions popts;
    popts.on_delivery = [&](const DeliveryReport& r) {
      if (!r.status.ok()) ::_exit(3);
      const int64_t rec[3] = {r.partition, r.offset, static_cast<int64_t>(r.token)};
      if (::write(fds[1], rec, sizeof rec) != sizeof rec) ::_exit(4);
    };
    auto producer = bus->NewProducer(popts).value();
    const std::string pad(150, 'x');
    for (uint64_t i = 0;; ++i) {
      const std::string key = "SYM" + std::to_string(i % 13);
      (void)ProduceWait(*producer, "crash.v1", key, std::to_string(i) + ":" + pad, 0, i, 10s);
      producer->Poll(0ms);
    }
  }
  ::close(fds[1]);
  std::vector<std::array<int64_t, 3>> acked;
  std::array<int64_t, 3> rec;
  size_t have = 0;
  char* p = reinterpret_cast<char*>(rec.data());
  bool killed = false;
  while (true) {
    const ssize_t n = ::read(fds[0], p + have, sizeof rec - have);
    if (n <= 0) break;
    have += static_cast<size_t>(n);
    if (have == sizeof rec) {
      acked.push_back(rec);
      have = 0;
      if (!killed && acked.size() >= 50'000) {
        ::kill(child, SIGKILL);  // mid-stream: the writer thread is appending right now
        killed = true;
      }
    }
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  ASSERT_GE(acked.size(), 50'000u);

  // Reopen: every writer recovers its partition (cutting a torn tail if there is one).
  EmbeddedOptions opts;
  const fs::path topic_dir = dir_ / "topics" / "crash.v1";
  int64_t cut = 0;
  std::map<int32_t, std::unique_ptr<PartitionWriter>> writers;
  for (int32_t part = 0; part < 3; ++part) {
    writers[part] = PartitionWriter::Open(topic_dir / std::to_string(part), opts).value();
    cut += writers[part]->recovered_cut_bytes();
  }
  std::map<int32_t, std::map<int64_t, std::string>> stored;
  for (int32_t part = 0; part < 3; ++part) {
    PartitionReader r(topic_dir / std::to_string(part));
    ASSERT_TRUE(r.Seek(0).ok());
    std::vector<RecordView> batch;
    while (true) {
      ASSERT_TRUE(r.Read(1 << 20, &batch).ok());
      if (batch.empty()) break;
      for (const auto& v : batch) {
        stored[part][v.offset] = std::string(v.value.substr(0, v.value.find(':')));
      }
    }
    EXPECT_EQ(r.position(), writers[part]->end_offset());
    EXPECT_EQ(static_cast<int64_t>(stored[part].size()), writers[part]->end_offset());
  }
  for (const auto& [part, offset, token] : acked) {
    auto it = stored[static_cast<int32_t>(part)].find(offset);
    ASSERT_NE(it, stored[static_cast<int32_t>(part)].end()) << "lost acked offset " << offset;
    EXPECT_EQ(it->second, std::to_string(token));
  }
  ::testing::Test::RecordProperty("torn_bytes_cut", static_cast<int>(cut));
}

// Several processes may read: a consumer here sees what another process appends.
TEST_F(PartitionLogTest, ConsumerSeesAnotherProcesssAppends) {
  EmbeddedOptions opts;
  opts.dir = dir_.string();
  auto bus = EmbeddedBus::Open(opts).value();
  ASSERT_TRUE(bus->EnsureTopic("shared.v1", 2).ok());
  auto consumer = bus->NewConsumer({.group_id = "reader"}).value();
  const Status sub = consumer->Subscribe({"shared.v1"});
  ASSERT_TRUE(sub.ok()) << sub.ToString();
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto child_bus = EmbeddedBus::Open(opts).value();
    auto producer = child_bus->NewProducer({}).value();
    for (int i = 0; i < 1000; ++i) {
      if (!ProduceWait(*producer, "shared.v1", "K" + std::to_string(i % 5), std::to_string(i), 0, 0,
                       10s)
               .ok()) {
        ::_exit(2);
      }
    }
    ::_exit(producer->Flush(10s).ok() ? 0 : 1);
  }
  const auto got = testing::ConsumeN(*consumer, 1000);
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(got.size(), 1000u);
}

}  // namespace
}  // namespace torghut::bus::embedded
