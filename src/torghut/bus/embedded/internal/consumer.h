// The embedded bus's consumer (see embedded_bus.h): a member of a consumer group that reads the
// partitions the group protocol (internal/consumer_group.h) assigns it, rebalancing every 200 ms
// and woken at once by same-process producers. Private to bus/embedded/; EmbeddedBus::NewConsumer
// hands it out.
#pragma once

#include <memory>

#include "torghut/bus/bus.h"
#include "torghut/bus/embedded/internal/shared_state.h"

namespace torghut::bus::embedded {

// Precondition: options.group_id is a valid name.
std::unique_ptr<Consumer> NewEmbeddedConsumer(std::shared_ptr<SharedState> state,
                                              ConsumerOptions options);

}  // namespace torghut::bus::embedded
