// The embedded bus (BUS=embedded): Kafka's model on local disk, for one machine with nothing
// installed. Layout under EmbeddedOptions::dir:
//
//   topics/<topic>/partitions                 the partition count (text)
//   topics/<topic>/<p>/                       one PartitionWriter/Reader log (partition_log.h)
//   groups/<group>/members/<member>           one file per live member, flock'ed while it lives
//   groups/<group>/<topic>.<p>.owner          flock'ed by the member that reads partition p
//   groups/<group>/<topic>.<p>.offset         the committed position (replaced atomically)
//
// Consumer groups work across processes with no coordinator: every member lists the live members
// (a member file whose lock can be taken belongs to a dead member and is removed), sorts them,
// takes its range of each topic's partitions, releases what it no longer owns (on_revoked first)
// and takes an owner lock before reading a partition, so two members never read one partition at
// once and a handover happens only after the previous owner committed and let go.
//
// Producers append from a background thread ("bus-writer"), one write per partition per batch;
// a delivery report means the record is in the file (fsync policy: see FsyncPolicy). Consumers in
// the same process are woken as soon as a batch is written; consumers in other processes notice
// within 50 ms.
//
// The parts: partition_log.h (the log of one partition), producer.cc, consumer.cc and
// consumer_group.cc (the membership, assignment and committed-offset protocol), with their private
// headers and the per-process shared state in internal/.
#pragma once

#include <memory>

#include "torghut/bus/bus.h"
#include "torghut/bus/bus_config.h"

namespace torghut::bus::embedded {

struct SharedState;

class EmbeddedBus final : public Bus {
 public:
  static Result<std::unique_ptr<EmbeddedBus>> Open(const EmbeddedOptions& options);
  ~EmbeddedBus() override;

  std::string_view Backend() const override { return "embedded"; }
  Result<std::unique_ptr<Producer>> NewProducer(ProducerOptions options) override;
  Result<std::unique_ptr<Consumer>> NewConsumer(ConsumerOptions options) override;
  Status EnsureTopic(std::string_view topic, int32_t partitions) override;
  Result<std::vector<std::string>> ListTopics() override;
  Result<std::vector<PartitionOffsets>> Offsets(std::string_view topic) override;
  Result<std::vector<std::string>> ListGroups() override;
  Result<std::vector<PartitionLag>> GroupLag(std::string_view group,
                                             std::string_view topic) override;

  // Applies retention (age by the options' clock, size) to every partition this process can
  // write. Producers also do this every minute on their own.
  Status ApplyRetention();

 private:
  explicit EmbeddedBus(std::shared_ptr<SharedState> state);
  std::shared_ptr<SharedState> state_;
};

}  // namespace torghut::bus::embedded
