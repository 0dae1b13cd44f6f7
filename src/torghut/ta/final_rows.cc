#include "torghut/ta/final_rows.h"

#include "torghut/ta/row_json.h"

namespace torghut::ta {
namespace {

template <typename Row>
void Keep(std::map<FinalRowCollector::Key, Row, FinalRowCollector::KeyLess>& rows, const Row& row) {
  if (!row.id.is_final) return;
  FinalRowCollector::Key key{row.id.symbol, row.id.window_size, row.id.event_ts.nanos()};
  auto [it, inserted] = rows.try_emplace(std::move(key), row);
  if (!inserted && row.id.version >= it->second.id.version) it->second = row;
}

}  // namespace

void FinalRowCollector::OnMicrobar(const MicrobarRow& row) {
  Keep(microbars_, row);
}
void FinalRowCollector::OnSignal(const SignalRow& row) {
  Keep(signals_, row);
}

std::string FinalRowCollector::MicrobarsJsonl() const {
  std::string out;
  for (const auto& [key, row] : microbars_) {
    AppendMicrobarJson(row, &out);
    out.push_back('\n');
  }
  return out;
}

std::string FinalRowCollector::SignalsJsonl() const {
  std::string out;
  for (const auto& [key, row] : signals_) {
    AppendSignalJson(row, &out);
    out.push_back('\n');
  }
  return out;
}

}  // namespace torghut::ta
