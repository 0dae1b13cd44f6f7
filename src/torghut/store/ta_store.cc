#include "torghut/store/ta_store.h"

#include <fmt/format.h>

#include "torghut/core/symbols.h"

namespace torghut::store {

namespace {
struct ResolutionInfo {
  Resolution r;
  std::string_view name;
  int64_t ms;
};
constexpr ResolutionInfo kResolutions[] = {
    {Resolution::k1s, "1s", 1000},     {Resolution::k5s, "5s", 5000},
    {Resolution::k15s, "15s", 15000},  {Resolution::k1m, "1m", 60000},
    {Resolution::k5m, "5m", 300000},
};
}  // namespace

Result<Resolution> ParseResolution(std::string_view text) {
  for (const ResolutionInfo& i : kResolutions) {
    if (i.name == text) return i.r;
  }
  return InvalidArgument(
      fmt::format("resolution '{}' is not one of 1s, 5s, 15s, 1m, 5m", text.substr(0, 16)));
}

std::string_view ResolutionName(Resolution r) {
  return kResolutions[static_cast<int>(r)].name;
}

int64_t ResolutionMillis(Resolution r) {
  return kResolutions[static_cast<int>(r)].ms;
}

Status ValidateRangeQuery(const RangeQuery& q) {
  TORGHUT_RETURN_IF_ERROR(ValidateSymbol(q.symbol));
  if (q.to < q.from) return InvalidArgument("range end is before its start");
  if (q.limit < 1 || q.limit > 100000) {
    return InvalidArgument(fmt::format("limit {} is outside [1, 100000]", q.limit));
  }
  if (ResolutionMillis(q.resolution) < ta::WindowNanos(q.window_size) / kNanosPerMilli) {
    return InvalidArgument(fmt::format("resolution {} is finer than the {} window",
                                       ResolutionName(q.resolution),
                                       ta::WindowSizeName(q.window_size)));
  }
  return Status::Ok();
}

namespace {
template <typename Row>
Status ValidateBatch(std::span<const Row> rows) {
  for (size_t i = 0; i < rows.size(); ++i) {
    if (Status s = ValidateSymbol(rows[i].id.symbol); !s.ok()) {
      return s.WithContext(fmt::format("row {} of the batch (nothing of it was written)", i));
    }
  }
  return Status::Ok();
}
}  // namespace

Status ValidateRows(std::span<const ta::MicrobarRow> rows) {
  return ValidateBatch(rows);
}
Status ValidateRows(std::span<const ta::SignalRow> rows) {
  return ValidateBatch(rows);
}

}  // namespace torghut::store
