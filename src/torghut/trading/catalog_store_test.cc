// The catalog against a real trading store — SQLite, and Postgres 15 started per test on loopback
// (a server that cannot start fails the test): merge and sync, invalid files that change nothing,
// and hot reload driven by a fake clock.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <deque>
#include <filesystem>

#include "torghut/core/clock.h"
#include "torghut/store/store_config.h"
#include "torghut/testing/store_servers.h"
#include "torghut/testing/test_support.h"
#include "torghut/trading/catalog.h"
#include "torghut/trading/catalog_watcher.h"

namespace torghut::trading {
namespace {

constexpr EpochMillis kT0 = 1'710'000'000'000;  // 2024-03-09T16:00:00Z

constexpr std::string_view kCatalogA = R"(strategies:
  - name: alpha
    enabled: true
    symbols: [AAPL]
    qty: 1
  - name: beta
    enabled: true
    type: macd-cross
    symbols: MSFT,NVDA
    notional: "2500.5"
)";

// alpha changed (its quantity), beta gone, gamma new.
constexpr std::string_view kCatalogB = R"(- name: alpha
  enabled: true
  symbols: [AAPL]
  qty: 2
- name: gamma
  enabled: true
  type: bollinger-reversion
  symbols: [AMD]
)";

class CatalogStore : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = std::make_unique<testing::ScratchDir>("torghut-catalog");
    store::StoreConfig config;
    config.data_dir = dir_->path();
    config.trading_backend = GetParam();
    if (GetParam() == "postgres") {
      pg_ = std::make_unique<testing::PostgresTestServer>(dir_->path() / "pg");
      ASSERT_TRUE(pg_->Start()) << "postgres did not start:\n" << pg_->log();
      config.db_dsn = pg_->dsn();
    }
    auto opened = store::OpenTradingStore(config);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    auto migrated = store_->Migrate();
    ASSERT_TRUE(migrated.ok()) << migrated.status().ToString();
    path_ = (dir_->path() / "strategies.yaml").string();
  }

  std::vector<Strategy> Stored() {
    auto list = store_->ListStrategies();
    EXPECT_TRUE(list.ok()) << list.status().ToString();
    return list.ok() ? std::move(list).value() : std::vector<Strategy>{};
  }

  const Strategy* Find(const std::vector<Strategy>& list, std::string_view name) {
    for (const Strategy& s : list) {
      if (s.name == name) return &s;
    }
    return nullptr;
  }

  void Write(std::string_view content) {
    // Replaced atomically, as a careful writer (or Kubernetes) does.
    const std::string tmp = path_ + ".tmp";
    testing::WriteFile(tmp, std::string(content));
    std::filesystem::rename(tmp, path_);
  }

  CatalogWatcher MakeWatcher(CatalogMode mode = CatalogMode::kMerge) {
    return CatalogWatcher({.path = path_, .reload_seconds = 10, .mode = mode}, *store_);
  }

  std::unique_ptr<testing::ScratchDir> dir_;
  std::unique_ptr<testing::PostgresTestServer> pg_;
  std::unique_ptr<store::TradingStore> store_;
  std::string path_;
};

// Every stored field, the times included: what "the store is as it was" means.
void ExpectSameRows(const std::vector<Strategy>& got, const std::vector<Strategy>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_TRUE(SameDefinition(got[i], want[i])) << got[i].name;
    EXPECT_EQ(got[i].created_at, want[i].created_at) << got[i].name;
    EXPECT_EQ(got[i].updated_at, want[i].updated_at) << got[i].name;
  }
}

TEST_P(CatalogStore, MergeUpsertsOnlyWhatChangedAndKeepsCreatedAt) {
  const auto a = ParseCatalog(kCatalogA, path_).value();
  auto first = ApplyCatalog(a, CatalogMode::kMerge, kT0, *store_);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(DescribeApply(*first), "2 new, 0 updated, 0 unchanged, 0 disabled");
  const std::vector<Strategy> after_a = Stored();
  ASSERT_EQ(after_a.size(), 2u);
  EXPECT_EQ(after_a[1].notional, Decimal::Parse("2500.5").value());
  EXPECT_EQ(after_a[1].symbols, (std::vector<std::string>{"MSFT", "NVDA"}));
  EXPECT_EQ(after_a[0].created_at, kT0);

  auto again = ApplyCatalog(a, CatalogMode::kMerge, kT0 + 1000, *store_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->unchanged, 2);
  ExpectSameRows(Stored(), after_a);  // not even updated_at moved

  const auto b = ParseCatalog(kCatalogB, path_).value();
  auto merged = ApplyCatalog(b, CatalogMode::kMerge, kT0 + 2000, *store_);
  ASSERT_TRUE(merged.ok());
  EXPECT_EQ(DescribeApply(*merged), "1 new, 1 updated, 0 unchanged, 0 disabled");
  const auto rows = Stored();
  ASSERT_EQ(rows.size(), 3u);
  const Strategy* alpha = Find(rows, "alpha");
  ASSERT_NE(alpha, nullptr);
  EXPECT_EQ(alpha->qty, Decimal::Parse("2").value());
  EXPECT_EQ(alpha->created_at, kT0);
  EXPECT_EQ(alpha->updated_at, kT0 + 2000);
  ASSERT_NE(Find(rows, "beta"), nullptr);
  EXPECT_TRUE(Find(rows, "beta")->enabled);  // merge leaves strategies the file does not name
}

TEST_P(CatalogStore, SyncDisablesWhatTheFileDropsAndNeverDeletes) {
  Strategy off;
  off.name = "already-off";
  off.type = "macd-rsi";
  off.created_at = off.updated_at = kT0 - 5000;
  ASSERT_TRUE(store_->UpsertStrategy(off).ok());
  ASSERT_TRUE(
      ApplyCatalog(ParseCatalog(kCatalogA, path_).value(), CatalogMode::kMerge, kT0, *store_).ok());

  auto synced =
      ApplyCatalog(ParseCatalog(kCatalogB, path_).value(), CatalogMode::kSync, kT0 + 1000, *store_);
  ASSERT_TRUE(synced.ok()) << synced.status().ToString();
  EXPECT_EQ(DescribeApply(*synced), "1 new, 1 updated, 0 unchanged, 1 disabled");
  const auto rows = Stored();
  ASSERT_EQ(rows.size(), 4u);  // nothing deleted
  EXPECT_FALSE(Find(rows, "beta")->enabled);
  EXPECT_EQ(Find(rows, "beta")->updated_at, kT0 + 1000);
  EXPECT_EQ(Find(rows, "already-off")->updated_at, kT0 - 5000);  // untouched: it was disabled
  EXPECT_TRUE(Find(rows, "alpha")->enabled);
  EXPECT_TRUE(Find(rows, "gamma")->enabled);

  // An empty catalog in sync mode disables everything; merge would have done nothing.
  auto emptied = ApplyCatalog({}, CatalogMode::kSync, kT0 + 2000, *store_);
  ASSERT_TRUE(emptied.ok());
  EXPECT_EQ(emptied->disabled, 2);
  for (const Strategy& s : Stored()) EXPECT_FALSE(s.enabled) << s.name;
}

TEST_P(CatalogStore, ApplyRefusesAnInvalidStrategyBeforeWritingAnything) {
  auto valid = ParseCatalog(kCatalogA, path_).value();
  Strategy bad = valid[0];
  bad.name = "zeta";
  bad.qty = Decimal();
  valid.push_back(bad);
  auto r = ApplyCatalog(valid, CatalogMode::kSync, kT0, *store_);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("strategy 'zeta': qty must be > 0"), std::string::npos);
  EXPECT_TRUE(Stored().empty());
}

TEST_P(CatalogStore, EveryKindOfInvalidFileLeavesTheStoreAsItWas) {
  Write(kCatalogA);
  FakeClock clock(kT0 * kNanosPerMilli);
  CatalogWatcher watcher = MakeWatcher(CatalogMode::kSync);
  ASSERT_EQ(watcher.Poll(clock.NowMillis()).outcome, CatalogPoll::Outcome::kApplied);
  const std::vector<Strategy> before = Stored();

  struct Case {
    std::string what, content, want;
  };
  const Case cases[] = {
      {"syntax", "- name: alpha\n  symbols: [AAPL\n", ":3: not valid YAML/JSON"},
      {"duplicate name", "- name: x\n- name: x\n",
       ":2: strategy 'x': the name is already used at line 1"},
      {"bad field", "- name: x\n  enabled: true\n  colour: red\n",
       ":3: strategy 'x': unknown field 'colour'"},
      {"unknown rule", "- name: x\n  type: astrology\n", ":1: strategy 'x': unknown rule type"},
      {"bad param", "- name: x\n  params: {rsi_buy_below: lots}\n",
       ":1: strategy 'x': params.rsi_buy_below must be a number"},
      {"bad decimal", "- name: x\n  qty: 1,5\n", ":2: strategy 'x': qty: '1,5' is not a decimal"},
      {"empty", "", ": the catalog is empty"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    Write(c.content);
    clock.AdvanceMillis(10'000);
    const CatalogPoll poll = watcher.Poll(clock.NowMillis());
    EXPECT_EQ(poll.outcome, CatalogPoll::Outcome::kInvalid);
    EXPECT_TRUE(poll.report);
    EXPECT_EQ(poll.error.message().rfind(path_, 0), 0u) << poll.error.message();
    EXPECT_NE(poll.error.message().find(c.want), std::string::npos) << poll.error.message();
    EXPECT_EQ(watcher.status().last_error, poll.error.message());
    ExpectSameRows(Stored(), before);
  }
  EXPECT_EQ(watcher.status().errors, static_cast<int64_t>(std::size(cases)));
  EXPECT_EQ(watcher.status().reloads, 1);
  EXPECT_EQ(watcher.status().digest, Sha256Hex(kCatalogA));  // still the applied content
}

TEST_P(CatalogStore, HotReloadAppliesOnlyWhenTheContentChanges) {
  Write(kCatalogA);
  FakeClock clock(kT0 * kNanosPerMilli);
  CatalogWatcher watcher = MakeWatcher();

  CatalogPoll first = watcher.Poll(clock.NowMillis());
  ASSERT_EQ(first.outcome, CatalogPoll::Outcome::kApplied) << first.error.ToString();
  EXPECT_EQ(first.applied.inserted, 2);
  ASSERT_EQ(first.strategies.size(), 2u);  // the store's list, for the engine
  EXPECT_EQ(first.strategies[0].name, "alpha");
  CatalogStatus s = watcher.status();
  EXPECT_EQ(s.path, path_);
  EXPECT_EQ(s.digest, Sha256Hex(kCatalogA));
  EXPECT_EQ(s.digest.size(), 64u);
  EXPECT_EQ(s.loaded_at, kT0);
  EXPECT_EQ(s.strategies, 2);
  EXPECT_EQ(s.reloads, 1);
  const std::vector<Strategy> after_a = Stored();

  clock.AdvanceMillis(9'999);
  EXPECT_EQ(watcher.Poll(clock.NowMillis()).outcome, CatalogPoll::Outcome::kNotDue);

  Write(kCatalogA);  // rewritten, same bytes
  clock.AdvanceMillis(1);
  EXPECT_EQ(watcher.Poll(clock.NowMillis()).outcome, CatalogPoll::Outcome::kUnchanged);
  ExpectSameRows(Stored(), after_a);
  EXPECT_EQ(watcher.status().reloads, 1);
  EXPECT_EQ(watcher.status().loaded_at, kT0);

  Write(kCatalogB);
  clock.AdvanceMillis(5'000);
  EXPECT_EQ(watcher.Poll(clock.NowMillis()).outcome, CatalogPoll::Outcome::kNotDue);
  clock.AdvanceMillis(5'000);
  const CatalogPoll changed = watcher.Poll(clock.NowMillis());
  ASSERT_EQ(changed.outcome, CatalogPoll::Outcome::kApplied);
  EXPECT_EQ(DescribeApply(changed.applied), "1 new, 1 updated, 0 unchanged, 0 disabled");
  EXPECT_EQ(changed.strategies.size(), 3u);
  s = watcher.status();
  EXPECT_EQ(s.digest, Sha256Hex(kCatalogB));
  EXPECT_EQ(s.loaded_at, kT0 + 20'000);
  EXPECT_EQ(s.strategies, 2);
  EXPECT_EQ(s.reloads, 2);
  EXPECT_EQ(Find(Stored(), "alpha")->updated_at, kT0 + 20'000);
}

TEST_P(CatalogStore, ABrokenEditIsReportedOnceThenTheFixApplies) {
  Write(kCatalogA);
  FakeClock clock(kT0 * kNanosPerMilli);
  CatalogWatcher watcher = MakeWatcher();
  ASSERT_EQ(watcher.Poll(clock.NowMillis()).outcome, CatalogPoll::Outcome::kApplied);
  const std::vector<Strategy> before = Stored();

  Write("- name: alpha\n  qty: 1\n  qty: 2\n");
  clock.AdvanceMillis(10'000);
  const CatalogPoll broken = watcher.Poll(clock.NowMillis());
  EXPECT_EQ(broken.outcome, CatalogPoll::Outcome::kInvalid);
  EXPECT_TRUE(broken.report);
  EXPECT_EQ(broken.error.message(), path_ + ":3: strategy 'alpha': field 'qty' is given twice");
  clock.AdvanceMillis(10'000);
  const CatalogPoll again = watcher.Poll(clock.NowMillis());
  EXPECT_EQ(again.outcome, CatalogPoll::Outcome::kInvalid);
  EXPECT_FALSE(again.report);  // the same content is not reported every poll
  EXPECT_EQ(again.error.message(), broken.error.message());
  EXPECT_EQ(watcher.status().errors, 1);
  EXPECT_EQ(watcher.status().last_error, broken.error.message());
  ExpectSameRows(Stored(), before);

  // Reverting to the applied content clears the error without re-applying it.
  Write(kCatalogA);
  clock.AdvanceMillis(10'000);
  EXPECT_EQ(watcher.Poll(clock.NowMillis()).outcome, CatalogPoll::Outcome::kUnchanged);
  EXPECT_EQ(watcher.status().last_error, "");

  // Broken again (a different error), then fixed: the fix applies.
  Write("- name: alpha\n  qty: one\n");
  clock.AdvanceMillis(10'000);
  EXPECT_TRUE(watcher.Poll(clock.NowMillis()).report);
  Write(kCatalogB);
  clock.AdvanceMillis(10'000);
  const CatalogPoll fixed = watcher.Poll(clock.NowMillis());
  EXPECT_EQ(fixed.outcome, CatalogPoll::Outcome::kApplied);
  EXPECT_EQ(watcher.status().last_error, "");
  EXPECT_EQ(watcher.status().errors, 2);
  EXPECT_EQ(watcher.status().reloads, 2);
  EXPECT_EQ(Find(Stored(), "alpha")->qty, Decimal::Parse("2").value());
}

TEST_P(CatalogStore, ARemovedFileChangesNothingAndIsReportedOnce) {
  Write(kCatalogA);
  FakeClock clock(kT0 * kNanosPerMilli);
  CatalogWatcher watcher = MakeWatcher(CatalogMode::kSync);
  ASSERT_EQ(watcher.Poll(clock.NowMillis()).outcome, CatalogPoll::Outcome::kApplied);
  const std::vector<Strategy> before = Stored();

  std::filesystem::remove(path_);
  clock.AdvanceMillis(10'000);
  const CatalogPoll gone = watcher.Poll(clock.NowMillis());
  EXPECT_EQ(gone.outcome, CatalogPoll::Outcome::kUnreadable);
  EXPECT_TRUE(gone.report);
  EXPECT_NE(gone.error.message().find(path_ + ": cannot open: No such file or directory"),
            std::string::npos)
      << gone.error.message();
  clock.AdvanceMillis(10'000);
  EXPECT_FALSE(watcher.Poll(clock.NowMillis()).report);
  ExpectSameRows(Stored(), before);  // sync mode did not read "no file" as "no strategies"
  EXPECT_EQ(watcher.status().digest, Sha256Hex(kCatalogA));
  EXPECT_NE(watcher.status().last_error, "");
  EXPECT_EQ(watcher.status().errors, 1);

  Write(kCatalogA);
  clock.AdvanceMillis(10'000);
  EXPECT_EQ(watcher.Poll(clock.NowMillis()).outcome, CatalogPoll::Outcome::kUnchanged);
  EXPECT_EQ(watcher.status().last_error, "");
}

TEST_P(CatalogStore, ContentThatChangesWhileReadIsNotUsed) {
  // Reads as a writer caught mid-write gives them: a prefix, then the whole file; then whole.
  const std::string whole(kCatalogB);
  const std::string prefix = whole.substr(0, whole.find("- name: gamma"));  // valid on its own
  std::deque<Result<std::string>> reads = {prefix, whole, whole, whole};
  CatalogWatcher watcher({.path = path_, .reload_seconds = 10}, *store_,
                         [&](const std::string&) -> Result<std::string> {
                           Result<std::string> r = reads.front();
                           reads.pop_front();
                           return r;
                         });
  EXPECT_EQ(watcher.Poll(kT0).outcome, CatalogPoll::Outcome::kChanging);
  EXPECT_TRUE(Stored().empty());  // the prefix (alpha alone) was not applied
  // Read again at the next call, due or not.
  const CatalogPoll next = watcher.Poll(kT0 + 1);
  ASSERT_EQ(next.outcome, CatalogPoll::Outcome::kApplied) << next.error.ToString();
  EXPECT_EQ(next.strategies.size(), 2u);
  EXPECT_TRUE(reads.empty());

  // A file that disappears between the two reads is not used either.
  reads = {std::string("- name: alpha\n"), Unavailable(path_ + ": cannot open: gone")};
  EXPECT_EQ(watcher.Poll(kT0 + 10'001).outcome, CatalogPoll::Outcome::kChanging);
  EXPECT_EQ(Stored().size(), 2u);
}

TEST_P(CatalogStore, StatusJsonIsTheTradingStatusCatalogObject) {
  CatalogWatcher watcher = MakeWatcher();
  EXPECT_EQ(CatalogStatusJson(watcher.status()),
            "{\"path\":\"" + path_ +
                "\",\"digest\":null,\"loaded_at\":null,\"last_error\":null,\"strategies\":0}");
  Write(kCatalogA);
  ASSERT_EQ(watcher.Poll(kT0).outcome, CatalogPoll::Outcome::kApplied);
  EXPECT_EQ(CatalogStatusJson(watcher.status()),
            "{\"path\":\"" + path_ + "\",\"digest\":\"" + Sha256Hex(kCatalogA) +
                "\",\"loaded_at\":\"2024-03-09T16:00:00.000Z\",\"last_error\":null,"
                "\"strategies\":2}");
}

INSTANTIATE_TEST_SUITE_P(Backends, CatalogStore, ::testing::Values("sqlite", "postgres"),
                         [](const ::testing::TestParamInfo<std::string>& backend) {
                           return backend.param;
                         });

TEST(Sha256Hex, MatchesTheKnownDigests) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace torghut::trading
