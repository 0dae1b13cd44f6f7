// Alpaca decode throughput: bytes of `sim generate` JSONL → domain events, on one core.
//
//   decode_bench [--file=FILE] [google-benchmark flags]
//
// Two framings of the same messages: one message object per line (how files are replayed) and
// frames of 100 messages (how the live stream batches them). The peer, measured in the same run
// on the same bytes, is simdjson On-Demand visiting every key and value without building events —
// the physical floor of parsing this JSON. Reported: bytes/s (MB/s) and messages/s.
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "torghut/alpaca/frame_decoder.h"
#include "torghut/sim/generator.h"

namespace {

std::string g_file;

struct Corpus {
  std::vector<std::string> lines;   // one message per line
  std::vector<std::string> frames;  // 100 messages per frame
  size_t bytes_lines = 0, bytes_frames = 0;
};

const Corpus& Data() {
  static Corpus* c = [] {
    auto* corpus = new Corpus;
    if (!g_file.empty()) {
      std::ifstream in(g_file);
      for (std::string line; std::getline(in, line);) corpus->lines.push_back(line);
    } else {
      torghut::sim::GeneratorOptions o;
      o.symbols = {"AAPL", "MSFT", "NVDA", "TSLA", "AMZN", "META", "GOOG", "AMD", "SPY", "QQQ"};
      o.seconds = 600;
      torghut::sim::Generator gen(o);
      for (std::string line; gen.Next(&line);) corpus->lines.push_back(line);
    }
    for (size_t i = 0; i < corpus->lines.size(); i += 100) {
      std::string frame = "[";
      for (size_t k = i; k < std::min(i + 100, corpus->lines.size()); ++k) {
        if (k > i) frame += ',';
        frame += corpus->lines[k];
      }
      frame += ']';
      corpus->frames.push_back(std::move(frame));
    }
    for (const auto& l : corpus->lines) corpus->bytes_lines += l.size() + 1;
    for (const auto& f : corpus->frames) corpus->bytes_frames += f.size();
    return corpus;
  }();
  return *c;
}

void Report(benchmark::State& state, size_t bytes, size_t messages) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * messages));
}

void DecodeAll(benchmark::State& state, const std::vector<std::string>& docs, size_t bytes) {
  torghut::SymbolTable symbols;
  torghut::alpaca::FrameDecoder decoder(&symbols);
  torghut::alpaca::MessageBatch batch;
  int64_t decoded = 0;
  for (auto _ : state) {
    for (const std::string& doc : docs) {
      if (!decoder.Decode(doc, &batch).ok()) state.SkipWithError("decode failed");
      decoded += static_cast<int64_t>(batch.messages.size());
      benchmark::DoNotOptimize(batch.messages.data());
    }
  }
  Report(state, bytes, Data().lines.size());
  state.counters["decoded_per_pass"] =
      static_cast<double>(decoded) / static_cast<double>(state.iterations());
}

// The reference: parse each document and visit every key and scalar, building nothing.
simdjson::error_code Visit(simdjson::ondemand::object obj, size_t* sink) {
  for (auto field : obj) {
    simdjson::ondemand::raw_json_string key;
    if (auto e = field.key().get(key)) return e;
    simdjson::ondemand::value v;
    if (auto e = field.value().get(v)) return e;
    simdjson::ondemand::json_type type;
    if (auto e = v.type().get(type)) return e;
    switch (type) {
      case simdjson::ondemand::json_type::number: {
        double d;
        if (auto e = v.get_double().get(d)) return e;
        *sink += static_cast<size_t>(d);
        break;
      }
      case simdjson::ondemand::json_type::string: {
        std::string_view s;
        if (auto e = v.get_string().get(s)) return e;
        *sink += s.size();
        break;
      }
      case simdjson::ondemand::json_type::array: {
        for (auto element : v.get_array()) {
          std::string_view s;
          if (element.get_string().get(s) == simdjson::SUCCESS) *sink += s.size();
        }
        break;
      }
      default:
        break;
    }
  }
  return simdjson::SUCCESS;
}

void ReferenceAll(benchmark::State& state, const std::vector<std::string>& docs, size_t bytes) {
  simdjson::ondemand::parser parser;
  std::vector<simdjson::padded_string> padded;
  for (const auto& d : docs) padded.emplace_back(d);
  size_t sink = 0;
  for (auto _ : state) {
    for (const simdjson::padded_string& doc : padded) {
      simdjson::ondemand::document d = parser.iterate(doc);
      simdjson::ondemand::json_type type = d.type();
      if (type == simdjson::ondemand::json_type::array) {
        for (auto element : d.get_array()) {
          if (Visit(element.get_object(), &sink)) state.SkipWithError("parse failed");
        }
      } else if (Visit(d.get_object(), &sink)) {
        state.SkipWithError("parse failed");
      }
    }
  }
  benchmark::DoNotOptimize(sink);
  Report(state, bytes, Data().lines.size());
}

void BM_Decode_Lines(benchmark::State& s) {
  DecodeAll(s, Data().lines, Data().bytes_lines);
}
// Lines read in place (as replay reads them from the mapped file): no copy into a padded buffer.
void BM_Decode_LinesInPlace(benchmark::State& state) {
  std::vector<simdjson::padded_string> padded;
  for (const auto& l : Data().lines) padded.emplace_back(l);
  torghut::SymbolTable symbols;
  torghut::alpaca::FrameDecoder decoder(&symbols);
  torghut::alpaca::MessageBatch batch;
  for (auto _ : state) {
    for (const simdjson::padded_string& doc : padded) {
      if (!decoder.DecodePadded(std::string_view(doc.data(), doc.size()), &batch).ok()) {
        state.SkipWithError("decode failed");
      }
      benchmark::DoNotOptimize(batch.messages.data());
    }
  }
  Report(state, Data().bytes_lines, Data().lines.size());
}
void BM_Decode_Frames100(benchmark::State& s) {
  DecodeAll(s, Data().frames, Data().bytes_frames);
}
void BM_SimdjsonReference_Lines(benchmark::State& s) {
  ReferenceAll(s, Data().lines, Data().bytes_lines);
}
void BM_SimdjsonReference_Frames100(benchmark::State& s) {
  ReferenceAll(s, Data().frames, Data().bytes_frames);
}

BENCHMARK(BM_Decode_Lines)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Decode_LinesInPlace)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SimdjsonReference_Lines)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Decode_Frames100)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SimdjsonReference_Frames100)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--file=", 7) == 0) {
      g_file = argv[i] + 7;
      for (int k = i; k + 1 < argc; ++k) argv[k] = argv[k + 1];
      --argc;
      --i;
    }
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
