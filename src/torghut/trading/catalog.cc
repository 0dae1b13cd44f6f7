#include "torghut/trading/catalog.h"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <map>
#include <set>
#include <sstream>

#include "torghut/trading/internal/strategy_yaml.h"
#include "torghut/trading/strategies/validate.h"

namespace torghut::trading {
namespace {

using internal::CatalogProblem;
using internal::LineOf;

// At most this many problems are spelled out; the rest are counted.
constexpr size_t kMaxProblemsShown = 20;

std::string FormatProblems(std::string_view file, const std::vector<CatalogProblem>& problems) {
  std::string out;
  for (size_t i = 0; i < problems.size() && i < kMaxProblemsShown; ++i) {
    const CatalogProblem& p = problems[i];
    if (!out.empty()) out += "; ";
    out += p.line > 0 ? fmt::format("{}:{}: ", file, p.line) : fmt::format("{}: ", file);
    if (!p.strategy.empty()) out += fmt::format("strategy '{}': ", p.strategy);
    out += p.reason;
  }
  if (problems.size() > kMaxProblemsShown) {
    out += fmt::format("; and {} more problems", problems.size() - kMaxProblemsShown);
  }
  return out;
}

// ValidateStrategy's message names the strategy first; the problem carries the name already.
std::string WithoutStrategyPrefix(const Strategy& s, std::string message) {
  const std::string prefix = fmt::format("strategy '{}': ", s.name);
  if (message.compare(0, prefix.size(), prefix) == 0) message.erase(0, prefix.size());
  return message;
}

// Counts documents; remembers where the second one starts.
class DocumentCounter final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override {
    if (++documents_ == 2) second_line_ = mark.line >= 0 ? mark.line + 1 : 0;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
  int second_line() const { return second_line_; }

 private:
  int documents_ = 0;
  int second_line_ = 0;
};

// The 1-based line where a second document (or text the parser cannot take as part of the first)
// begins; nullopt when `text` is at most one document. Counted with a bound rather than with
// YAML::LoadAll: yaml-cpp 0.7's parser, given a stray ',' outside any flow collection, reports
// empty documents forever, and LoadAll collects them until memory runs out (fixed upstream after
// 0.8, jbeder/yaml-cpp#1319). Throws YAML::ParserException on a syntax error.
std::optional<int> SecondDocumentLine(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentCounter counter;
  for (int documents = 0; documents < 2; ++documents) {
    if (!parser.HandleNextDocument(counter)) return std::nullopt;
  }
  return counter.second_line();
}

// The list of strategy entries of the document, or a problem with its shape.
std::optional<YAML::Node> EntriesOf(const YAML::Node& root, std::vector<CatalogProblem>* problems) {
  const std::string expected = "expected a list of strategies, or a map with the key strategies";
  if (root.IsSequence()) return root;
  if (!root.IsMap()) {
    problems->push_back({LineOf(root), "", "the catalog is a single value: " + expected});
    return std::nullopt;
  }
  std::optional<YAML::Node> entries;
  for (const auto& kv : root) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
    if (key != "strategies") {
      problems->push_back(
          {LineOf(kv.first), "",
           fmt::format("unknown top-level key '{}': {}", key.substr(0, 64), expected)});
    } else if (entries) {
      problems->push_back({LineOf(kv.first), "", "the key strategies is given twice"});
    } else if (!kv.second.IsSequence()) {
      problems->push_back({LineOf(kv.first), "", "strategies must be a list of strategies"});
    } else {
      entries = kv.second;
    }
  }
  if (!entries && problems->empty()) {
    problems->push_back({LineOf(root), "", "no strategies key: " + expected});
  }
  return problems->empty() ? entries : std::nullopt;
}

}  // namespace

std::string_view ToString(CatalogMode mode) {
  return mode == CatalogMode::kSync ? "sync" : "merge";
}

Result<CatalogMode> ParseCatalogMode(std::string_view text) {
  if (text == "merge") return CatalogMode::kMerge;
  if (text == "sync") return CatalogMode::kSync;
  return InvalidArgument(
      fmt::format("unknown catalog mode '{}' (expected merge or sync)", text.substr(0, 64)));
}

CatalogConfig ReadCatalogConfig(ConfigReader& cfg) {
  CatalogConfig c;
  c.path = cfg.String("TRADING_STRATEGY_CONFIG_PATH", "");
  c.reload_seconds = cfg.Int("TRADING_STRATEGY_RELOAD_SECONDS", 10, 1, 86'400);
  c.mode = *ParseCatalogMode(cfg.Enum("TRADING_STRATEGY_CONFIG_MODE", {"merge", "sync"}, "merge"));
  return c;
}

const char kCatalogEnvHelp[] =
    "Strategy catalog:\n"
    "  TRADING_STRATEGY_CONFIG_PATH     YAML or JSON strategy catalog (unset: none)\n"
    "  TRADING_STRATEGY_RELOAD_SECONDS  how often the catalog is re-read (default 10; applied\n"
    "                                   only when its content changed)\n"
    "  TRADING_STRATEGY_CONFIG_MODE     merge (upsert the file's strategies, default) | sync\n"
    "                                   (also disable strategies missing from the file)\n";

namespace {

Result<std::vector<Strategy>> ParseDocument(std::string_view text, std::string_view file) {
  if (text.size() > kMaxCatalogBytes) {
    return InvalidArgument(fmt::format("{}: {} bytes is more than a catalog may hold ({})", file,
                                       text.size(), kMaxCatalogBytes));
  }
  const std::string owned(text);
  std::vector<CatalogProblem> problems;
  if (const std::optional<int> line = SecondDocumentLine(owned)) {
    problems.push_back({*line, "",
                        "more follows the first YAML document (a second document, or text that "
                        "is not part of it): a catalog is one document"});
    return InvalidArgument(FormatProblems(file, problems));
  }
  const YAML::Node root = YAML::Load(owned);
  if (root.IsNull()) {
    problems.push_back({0, "", "the catalog is empty (an empty list is written [])"});
    return InvalidArgument(FormatProblems(file, problems));
  }

  const std::optional<YAML::Node> entries = EntriesOf(root, &problems);
  if (!entries) return InvalidArgument(FormatProblems(file, problems));

  std::vector<Strategy> strategies;
  std::map<std::string, int> first_line;  // name → the line of the entry that defined it
  size_t index = 0;
  for (const YAML::Node& entry : *entries) {
    const size_t before = problems.size();
    Strategy s = internal::StrategyFromYaml(entry, index++, &problems);
    if (problems.size() != before) continue;  // malformed fields: validation would only repeat
    const auto [it, fresh] = first_line.emplace(s.name, LineOf(entry));
    if (!fresh) {
      problems.push_back(
          {LineOf(entry), s.name, fmt::format("the name is already used at line {}", it->second)});
      continue;
    }
    if (Status v = ValidateStrategy(s); !v.ok()) {
      problems.push_back({LineOf(entry), s.name, WithoutStrategyPrefix(s, v.message())});
      continue;
    }
    strategies.push_back(std::move(s));
  }
  if (!problems.empty()) return InvalidArgument(FormatProblems(file, problems));
  return strategies;
}

}  // namespace

Result<std::vector<Strategy>> ParseCatalog(std::string_view text, std::string_view file) {
  // yaml-cpp reports by exception: a syntax error, or (a bug here) a look at an absent node.
  // Either ends here, as a Status.
  try {
    return ParseDocument(text, file);
  } catch (const YAML::Exception& e) {
    const int line = e.mark.line >= 0 ? e.mark.line + 1 : 0;
    return InvalidArgument(FormatProblems(file, {{line, "", "not valid YAML/JSON: " + e.msg}}));
  }
}

std::string DescribeApply(const CatalogApplyReport& r) {
  return fmt::format("{} new, {} updated, {} unchanged, {} disabled", r.inserted, r.updated,
                     r.unchanged, r.disabled);
}

bool SameDefinition(const Strategy& a, const Strategy& b) {
  return a.name == b.name && a.description == b.description && a.enabled == b.enabled &&
         a.base_timeframe == b.base_timeframe && a.universe_type == b.universe_type &&
         a.symbols == b.symbols && a.max_notional_per_trade == b.max_notional_per_trade &&
         a.max_position_pct_equity == b.max_position_pct_equity && a.type == b.type &&
         a.params_json == b.params_json && a.qty == b.qty && a.notional == b.notional &&
         a.order_type == b.order_type && a.limit_offset_bps == b.limit_offset_bps &&
         a.time_in_force == b.time_in_force;
}

Result<CatalogApplyReport> ApplyCatalog(std::span<const Strategy> catalog, CatalogMode mode,
                                        EpochMillis now, StrategyStore& store) {
  std::set<std::string, std::less<>> names;
  for (const Strategy& s : catalog) {
    TORGHUT_RETURN_IF_ERROR(ValidateStrategy(s));
    if (!names.insert(s.name).second) {
      return InvalidArgument(fmt::format("strategy '{}' appears twice in the catalog", s.name));
    }
  }
  TORGHUT_ASSIGN_OR_RETURN(std::vector<Strategy> stored, store.ListStrategies());
  std::map<std::string, const Strategy*, std::less<>> by_name;
  for (const Strategy& s : stored) by_name.emplace(s.name, &s);

  CatalogApplyReport report;
  for (const Strategy& s : catalog) {
    const auto it = by_name.find(s.name);
    if (it != by_name.end() && SameDefinition(s, *it->second)) {
      ++report.unchanged;
      continue;
    }
    Strategy row = s;
    row.created_at = it != by_name.end() ? it->second->created_at : now;
    row.updated_at = now;
    TORGHUT_RETURN_IF_ERROR(store.UpsertStrategy(row));
    ++(it != by_name.end() ? report.updated : report.inserted);
  }
  if (mode == CatalogMode::kSync) {
    for (const Strategy& s : stored) {
      if (!s.enabled || names.count(s.name) != 0) continue;
      TORGHUT_RETURN_IF_ERROR(store.SetStrategyEnabled(s.name, false, now));
      ++report.disabled;
    }
  }
  return report;
}

}  // namespace torghut::trading
