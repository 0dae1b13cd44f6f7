// `torghut bus topics | dump | groups | produce`: the oncall view of either bus backend (the
// embedded bus has no kcat). Settings from BUS / KAFKA_* / BUS_* (see bus/bus_config.h).
#include <simdjson.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>

#include "torghut/app/commands.h"
#include "torghut/bus/bus_config.h"

namespace torghut::app {
namespace {

using namespace std::chrono_literals;

volatile std::sig_atomic_t g_stop = 0;

// Opens the configured bus, or prints one line and returns null (*exit_code set).
std::unique_ptr<bus::Bus> OpenConfiguredBus(const char* command, int* exit_code) {
  ConfigReader cfg(EnvSource::Process());
  const bus::BusConfig config = bus::ReadBusConfig(cfg);
  if (Status s = cfg.Finish(); !s.ok()) {
    std::fprintf(stderr, "torghut bus %s: %s\n", command, s.message().c_str());
    *exit_code = kExitUsage;
    return nullptr;
  }
  Result<std::unique_ptr<bus::Bus>> b = bus::OpenBus(config);
  if (!b.ok()) {
    std::fprintf(stderr, "torghut bus %s: %s\n", command, b.status().message().c_str());
    *exit_code = b.status().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailure;
    return nullptr;
  }
  return std::move(b).value();
}

int Fail(const char* command, const Status& s) {
  std::fprintf(stderr, "torghut bus %s: %s\n", command, s.ToString().c_str());
  return s.code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailure;
}

int RunTopics() {
  int code = kExitOk;
  auto b = OpenConfiguredBus("topics", &code);
  if (!b) return code;
  Result<std::vector<std::string>> topics = b->ListTopics();
  if (!topics.ok()) return Fail("topics", topics.status());
  std::printf("%-40s %9s %14s %14s\n", "TOPIC", "PARTITION", "EARLIEST", "END");
  for (const std::string& t : *topics) {
    Result<std::vector<bus::PartitionOffsets>> offsets = b->Offsets(t);
    if (!offsets.ok()) return Fail("topics", offsets.status());
    for (const auto& o : *offsets) {
      std::printf("%-40s %9d %14lld %14lld\n", t.c_str(), o.partition,
                  static_cast<long long>(o.low), static_cast<long long>(o.high));
    }
  }
  return kExitOk;
}

struct DumpFlags {
  std::string topic;
  std::string group;
  bool from_beginning = false;
  bool follow = false;
  bool with_key = false;
  int64_t count = 0;
};

// Prints message values, one per line. Stops after --count messages, or (without --follow) once
// it has read up to the end offsets seen when it started.
int RunDump(const DumpFlags& flags) {
  int code = kExitOk;
  auto b = OpenConfiguredBus("dump", &code);
  if (!b) return code;
  Result<std::vector<bus::PartitionOffsets>> ends = b->Offsets(flags.topic);
  if (!ends.ok()) return Fail("dump", ends.status());
  bus::ConsumerOptions opts;
  // A throwaway group unless one is named: dumping must never move a service's offsets.
  opts.group_id =
      flags.group.empty()
          ? "torghut-dump-" + std::to_string(::getpid()) + "-" +
                std::to_string(std::chrono::system_clock::now().time_since_epoch().count())
          : flags.group;
  opts.reset = flags.from_beginning ? bus::OffsetReset::kEarliest : bus::OffsetReset::kLatest;
  Result<std::unique_ptr<bus::Consumer>> consumer = b->NewConsumer(opts);
  if (!consumer.ok()) return Fail("dump", consumer.status());
  if (Status s = (*consumer)->Subscribe({flags.topic}); !s.ok()) return Fail("dump", s);
  std::map<int32_t, int64_t> remaining_end;  // partition -> end offset still to reach
  for (const auto& o : *ends) {
    if (o.high > o.low) remaining_end[o.partition] = o.high;
  }
  const bool stop_at_end = !flags.follow && flags.count == 0;
  if (stop_at_end && (!flags.from_beginning || remaining_end.empty())) return kExitOk;
  std::signal(SIGINT, [](int) { g_stop = 1; });
  std::signal(SIGTERM, [](int) { g_stop = 1; });
  int64_t printed = 0;
  std::vector<bus::Message> batch;
  while (!g_stop) {
    if (Status s = (*consumer)->Poll(&batch, 1000, 200ms); !s.ok()) return Fail("dump", s);
    for (const bus::Message& m : batch) {
      if (flags.with_key)
        std::fwrite(m.key.data(), 1, m.key.size(), stdout), std::fputc('\t', stdout);
      std::fwrite(m.value.data(), 1, m.value.size(), stdout);
      std::fputc('\n', stdout);
      ++printed;
      if (auto it = remaining_end.find(m.partition);
          it != remaining_end.end() && m.offset + 1 >= it->second) {
        remaining_end.erase(it);
      }
      if (flags.count > 0 && printed >= flags.count) break;
    }
    if (flags.count > 0 && printed >= flags.count) break;
    if (stop_at_end && remaining_end.empty()) break;
  }
  std::fflush(stdout);
  (void)(*consumer)->Close();
  return kExitOk;
}

struct GroupsFlags {
  std::vector<std::string> groups;
  std::vector<std::string> topics;
};

int RunGroups(const GroupsFlags& flags) {
  int code = kExitOk;
  auto b = OpenConfiguredBus("groups", &code);
  if (!b) return code;
  std::vector<std::string> groups = flags.groups;
  if (groups.empty()) {
    Result<std::vector<std::string>> listed = b->ListGroups();
    if (!listed.ok())
      return Fail("groups", listed.status().WithContext("name groups with --group"));
    groups = *listed;
  }
  std::vector<std::string> topics = flags.topics;
  if (topics.empty()) {
    Result<std::vector<std::string>> listed = b->ListTopics();
    if (!listed.ok()) return Fail("groups", listed.status());
    topics = *listed;
  }
  std::printf("%-32s %-32s %9s %14s %14s %10s\n", "GROUP", "TOPIC", "PARTITION", "COMMITTED", "END",
              "LAG");
  for (const std::string& g : groups) {
    for (const std::string& t : topics) {
      Result<std::vector<bus::PartitionLag>> lags = b->GroupLag(g, t);
      if (!lags.ok()) return Fail("groups", lags.status());
      bool any = !flags.topics.empty();  // named topics are always shown
      for (const auto& l : *lags) any = any || l.committed >= 0;
      if (!any) continue;
      for (const auto& l : *lags) {
        std::printf("%-32s %-32s %9d %14s %14lld %10lld\n", g.c_str(), t.c_str(), l.partition,
                    l.committed < 0 ? "-" : std::to_string(l.committed).c_str(),
                    static_cast<long long>(l.high), static_cast<long long>(l.lag));
      }
    }
  }
  return kExitOk;
}

struct ProduceFlags {
  std::string topic;
  std::string key;
  std::string key_field;
  std::string file;
};

// Produces one message per input line; the key is --key, or a top-level string field of the
// line's JSON (--key-field symbol), or empty.
int RunProduce(const ProduceFlags& flags) {
  int code = kExitOk;
  auto b = OpenConfiguredBus("produce", &code);
  if (!b) return code;
  int64_t delivered = 0, failed = 0;
  Status first_failure;
  bus::ProducerOptions opts;
  opts.on_delivery = [&](const bus::DeliveryReport& r) {
    if (r.status.ok()) {
      ++delivered;
    } else {
      if (failed++ == 0) first_failure = r.status;
    }
  };
  Result<std::unique_ptr<bus::Producer>> producer = b->NewProducer(opts);
  if (!producer.ok()) return Fail("produce", producer.status());
  std::ifstream file;
  if (!flags.file.empty() && flags.file != "-") {
    file.open(flags.file);
    if (!file) return Fail("produce", InvalidArgument("cannot open " + flags.file));
  }
  std::istream& in = flags.file.empty() || flags.file == "-" ? std::cin : file;
  simdjson::ondemand::parser parser;
  std::string line;
  int64_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    std::string key = flags.key;
    if (!flags.key_field.empty()) {
      simdjson::padded_string padded(line);
      std::string_view v;
      auto doc = parser.iterate(padded);
      if (doc.error() || doc[flags.key_field].get_string().get(v) != simdjson::SUCCESS) {
        std::fprintf(stderr,
                     "torghut bus produce: line %lld has no string field \"%s\"; %lld lines "
                     "before it were produced\n",
                     static_cast<long long>(line_no), flags.key_field.c_str(),
                     static_cast<long long>(line_no - 1));
        (void)(*producer)->Flush(30s);
        return kExitUsage;
      }
      key = std::string(v);
    }
    if (Status s = bus::ProduceWait(**producer, flags.topic, key, line, 0, 0, 30s); !s.ok()) {
      (void)(*producer)->Flush(30s);
      return Fail("produce", s.WithContext("line " + std::to_string(line_no)));
    }
  }
  if (Status s = (*producer)->Flush(60s); !s.ok()) return Fail("produce", s);
  std::fprintf(stderr, "torghut bus produce: %lld delivered, %lld failed to %s\n",
               static_cast<long long>(delivered), static_cast<long long>(failed),
               flags.topic.c_str());
  if (failed > 0) return Fail("produce", first_failure);
  return kExitOk;
}

}  // namespace

void AddBusCommand(CLI::App& root, int* exit_code) {
  CLI::App* cmd = root.add_subcommand(
      "bus", "Inspect either bus backend: topics, dump messages, group lag; produce lines");
  cmd->require_subcommand(1, 1);
  cmd->footer(bus::kBusEnvHelp);

  cmd->add_subcommand("topics", "Topics with earliest and end offsets per partition")
      ->callback([exit_code] { *exit_code = RunTopics(); });

  auto dump = std::make_shared<DumpFlags>();
  CLI::App* d = cmd->add_subcommand("dump", "Print message values of a topic, one per line");
  d->add_option("--topic", dump->topic, "Topic")->required();
  d->add_flag("--from-beginning", dump->from_beginning, "Start at the earliest stored message");
  d->add_option("--count", dump->count, "Stop after this many messages");
  d->add_option("--group", dump->group, "Consume as this group (default: a throwaway group)");
  d->add_flag("--follow", dump->follow, "Keep waiting for new messages until interrupted");
  d->add_flag("--with-key", dump->with_key, "Print KEY<TAB>VALUE");
  d->callback([dump, exit_code] { *exit_code = RunDump(*dump); });

  auto groups = std::make_shared<GroupsFlags>();
  CLI::App* g = cmd->add_subcommand("groups", "Committed offsets and lag per partition");
  g->add_option("--group", groups->groups, "Group(s) (default: every group the bus lists)");
  g->add_option("--topic", groups->topics, "Topic(s) (default: every topic)");
  g->callback([groups, exit_code] { *exit_code = RunGroups(*groups); });

  auto produce = std::make_shared<ProduceFlags>();
  CLI::App* p = cmd->add_subcommand("produce", "Produce each line of FILE (or stdin) as a message");
  p->add_option("--topic", produce->topic, "Topic")->required();
  p->add_option("--key", produce->key, "Key for every message");
  p->add_option("--key-field", produce->key_field,
                "Key each message by this top-level JSON string field (e.g. symbol)");
  p->add_option("file", produce->file, "Input file (default stdin)");
  p->callback([produce, exit_code] { *exit_code = RunProduce(*produce); });
}

}  // namespace torghut::app
