// The embedded bus's producer (see embedded_bus.h): Produce queues per partition, a background
// thread ("bus-writer") appends each partition's batch in one write, and Poll serves the delivery
// reports. Private to bus/embedded/; EmbeddedBus::NewProducer hands it out.
#pragma once

#include <memory>

#include "torghut/bus/bus.h"
#include "torghut/bus/embedded/internal/shared_state.h"

namespace torghut::bus::embedded {

// Precondition: options.queue_max_messages > 0.
std::unique_ptr<Producer> NewEmbeddedProducer(std::shared_ptr<SharedState> state,
                                              ProducerOptions options);

}  // namespace torghut::bus::embedded
