// The order object inside other Alpaca bodies (a trade_updates event's "order"), read by the same
// code as ParseAlpacaOrder (wire.h).
#pragma once

#include "torghut/broker/alpaca/internal/json_value.h"
#include "torghut/broker/broker.h"

namespace torghut::broker::internal {

// kDataLoss naming the field (prefixed `what`) when `object` is not an Alpaca order object.
Result<BrokerOrder> OrderFromJson(const JsonValue& object, const std::string& what = "order");

}  // namespace torghut::broker::internal
