#include "torghut/bus/kafka/kafka_bus.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <set>
#include <unordered_map>

#include "torghut/core/log.h"

namespace torghut::bus::kafka {

using std::chrono::milliseconds;

std::string_view ClassifyKafkaError(int code) {
  switch (static_cast<rd_kafka_resp_err_t>(code)) {
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
    case RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED:
    case RD_KAFKA_RESP_ERR_ILLEGAL_SASL_STATE:
    case RD_KAFKA_RESP_ERR_UNSUPPORTED_SASL_MECHANISM:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR__SSL:
      return "kafka_auth";
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__RESOLVE:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
    case RD_KAFKA_RESP_ERR_BROKER_NOT_AVAILABLE:
      return "kafka_metadata";
    default:
      return "kafka_produce";
  }
}

namespace {

Status KafkaStatus(rd_kafka_resp_err_t e, std::string_view what) {
  std::string msg = std::string(what) + ": " + rd_kafka_err2str(e);
  switch (e) {
    case RD_KAFKA_RESP_ERR__QUEUE_FULL:
      return ResourceExhausted(msg);
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
      return NotFound(msg);
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
      return InvalidArgument(msg);
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
      return DeadlineExceeded(msg);
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
    case RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED:
      return Unauthenticated(msg);
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
      return PermissionDenied(msg);
    case RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE:
      return FailedPrecondition(msg + " (this broker does not implement the request)");
    case RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION:
    case RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID:
    case RD_KAFKA_RESP_ERR__STATE:
      // The group moved on: the commit did not happen and the partitions' new owner will read
      // from the previous commit (at-least-once).
      return Aborted(msg);
    default:
      return Unavailable(msg);
  }
}

// A librdkafka configuration built from properties; owns the conf until handed to rd_kafka_new.
Result<rd_kafka_conf_t*> BuildConf(
    std::initializer_list<const std::map<std::string, std::string>*> maps) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  for (const auto* m : maps) {
    for (const auto& [k, v] : *m) {
      if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        return InvalidArgument("kafka property " + k + ": " + err);
      }
    }
  }
  return conf;
}

std::vector<TopicPartition> ToVector(const rd_kafka_topic_partition_list_t* list) {
  std::vector<TopicPartition> out;
  for (int i = 0; list != nullptr && i < list->cnt; ++i) {
    out.push_back({list->elems[i].topic, list->elems[i].partition});
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

class KafkaProducer final : public Producer {
 public:
  explicit KafkaProducer(ProducerOptions options) : options_(std::move(options)) {}
  ~KafkaProducer() override {
    for (auto& [name, rkt] : topics_) rd_kafka_topic_destroy(rkt);
    if (rk_ != nullptr) rd_kafka_destroy(rk_);
  }

  Status Init(const KafkaOptions& kafka) {
    std::map<std::string, std::string> bound = {
        {"queue.buffering.max.messages", std::to_string(options_.queue_max_messages)}};
    TORGHUT_ASSIGN_OR_RETURN(rd_kafka_conf_t * conf,
                             BuildConf({&kafka.properties, &kafka.producer_properties, &bound}));
    rd_kafka_conf_set_opaque(conf, this);
    rd_kafka_conf_set_dr_msg_cb(conf, &KafkaProducer::OnDelivery);
    rd_kafka_conf_set_error_cb(conf, &KafkaProducer::OnError);
    char err[512];
    rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (rk_ == nullptr) return InvalidArgument(std::string("kafka producer: ") + err);
    return Status::Ok();
  }

  Status Produce(std::string_view topic, std::string_view key, std::string_view value,
                 int64_t timestamp_ms, uint64_t token) override {
    rd_kafka_topic_t* rkt = Topic(topic);
    if (rkt == nullptr) return InvalidArgument("bad topic name '" + std::string(topic) + "'");
    // rd_kafka_produceva, not the RD_KAFKA_V_* macros (GNU statement expressions).
    rd_kafka_vu_t vu[6];
    vu[0].vtype = RD_KAFKA_VTYPE_RKT;
    vu[0].u.rkt = rkt;
    vu[1].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
    vu[1].u.i = RD_KAFKA_MSG_F_COPY;
    vu[2].vtype = RD_KAFKA_VTYPE_KEY;
    vu[2].u.mem = {const_cast<char*>(key.data()), key.size()};
    vu[3].vtype = RD_KAFKA_VTYPE_VALUE;
    vu[3].u.mem = {const_cast<char*>(value.data()), value.size()};
    vu[4].vtype = RD_KAFKA_VTYPE_TIMESTAMP;
    vu[4].u.i64 = timestamp_ms;
    vu[5].vtype = RD_KAFKA_VTYPE_OPAQUE;
    vu[5].u.ptr = reinterpret_cast<void*>(token);
    if (rd_kafka_error_t* error = rd_kafka_produceva(rk_, vu, 6)) {
      const rd_kafka_resp_err_t e = rd_kafka_error_code(error);
      rd_kafka_error_destroy(error);
      return KafkaStatus(e, "produce to " + std::string(topic));
    }
    ++in_flight_;
    return Status::Ok();
  }

  int Poll(milliseconds timeout) override {
    served_ = 0;
    rd_kafka_poll(rk_, static_cast<int>(timeout.count()));
    return served_;
  }

  Status Flush(milliseconds timeout) override {
    // rd_kafka_flush serves delivery reports while it waits; it returns once all are served.
    if (rd_kafka_flush(rk_, static_cast<int>(timeout.count())) == RD_KAFKA_RESP_ERR__TIMED_OUT) {
      return DeadlineExceeded(std::to_string(in_flight_) + " messages still undelivered");
    }
    return Status::Ok();
  }

  int64_t InFlight() const override { return in_flight_; }

  // Why deliveries fail: a rejected credential first (the most specific and the one a human must
  // fix); else the class of the last failed delivery (what closed the caller's gate); else what
  // librdkafka's own threads last reported (brokers down before anything was produced).
  std::string ErrorClass() const override {
    std::lock_guard<std::mutex> lock(error_mu_);
    if (client_class_ == "kafka_auth") return client_class_;
    return !delivery_class_.empty() ? delivery_class_ : client_class_;
  }

 private:
  rd_kafka_topic_t* Topic(std::string_view name) {
    if (last_topic_ != nullptr && last_topic_name_ == name) return last_topic_;
    auto it = topics_.find(std::string(name));
    if (it == topics_.end()) {
      if (!ValidateTopicName(name).ok()) return nullptr;
      rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk_, std::string(name).c_str(), nullptr);
      if (rkt == nullptr) return nullptr;
      it = topics_.emplace(std::string(name), rkt).first;
    }
    last_topic_name_ = it->first;
    last_topic_ = it->second;
    return last_topic_;
  }

  void SetDeliveryClass(std::string_view c) {
    std::lock_guard<std::mutex> lock(error_mu_);
    delivery_class_ = std::string(c);
    if (c.empty()) client_class_.clear();  // a delivery got through: nothing is wrong now
  }
  void SetClientClass(std::string_view c) {
    std::lock_guard<std::mutex> lock(error_mu_);
    client_class_ = std::string(c);
  }

  // Runs on the thread inside rd_kafka_poll/flush: the caller's.
  static void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    auto* self = static_cast<KafkaProducer*>(opaque);
    DeliveryReport r;
    r.topic = rd_kafka_topic_name(m->rkt);
    r.partition = m->partition;
    r.token = reinterpret_cast<uint64_t>(m->_private);
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      r.offset = m->offset;
      self->SetDeliveryClass("");
    } else {
      r.status = KafkaStatus(m->err, "delivery to " + std::string(r.topic));
      self->SetDeliveryClass(ClassifyKafkaError(m->err));
    }
    --self->in_flight_;
    ++self->served_;
    if (self->options_.on_delivery) self->options_.on_delivery(r);
  }

  // librdkafka's own threads report client-level errors (brokers down, auth) here.
  static void OnError(rd_kafka_t*, int err, const char* reason, void* opaque) {
    auto* self = static_cast<KafkaProducer*>(opaque);
    self->SetClientClass(ClassifyKafkaError(err));
    log::Warn("bus", "kafka producer error",
              {{"error", rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err))},
               {"reason", reason},
               {"class", std::string(ClassifyKafkaError(err))}});
  }

  ProducerOptions options_;
  rd_kafka_t* rk_ = nullptr;
  std::unordered_map<std::string, rd_kafka_topic_t*> topics_;
  std::string_view last_topic_name_;
  rd_kafka_topic_t* last_topic_ = nullptr;
  int64_t in_flight_ = 0;
  int served_ = 0;
  mutable std::mutex error_mu_;
  std::string delivery_class_, client_class_;  // guarded by error_mu_
};

// ---------------------------------------------------------------------------------------------

class KafkaConsumer final : public Consumer {
 public:
  explicit KafkaConsumer(ConsumerOptions options) : options_(std::move(options)) {}
  ~KafkaConsumer() override {
    (void)Close();
    if (rk_ != nullptr) rd_kafka_destroy(rk_);
  }

  Status Init(const KafkaOptions& kafka) {
    std::map<std::string, std::string> group = {
        {"group.id", options_.group_id},
        {"enable.auto.commit", "false"},
        {"enable.auto.offset.store", "false"},
        {"enable.partition.eof", "false"},
        {"auto.offset.reset", options_.reset == OffsetReset::kEarliest ? "earliest" : "latest"}};
    TORGHUT_ASSIGN_OR_RETURN(rd_kafka_conf_t * conf,
                             BuildConf({&kafka.properties, &kafka.consumer_properties, &group}));
    rd_kafka_conf_set_opaque(conf, this);
    rd_kafka_conf_set_rebalance_cb(conf, &KafkaConsumer::OnRebalance);
    char err[512];
    rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (rk_ == nullptr) return InvalidArgument(std::string("kafka consumer: ") + err);
    rd_kafka_poll_set_consumer(rk_);
    return Status::Ok();
  }

  Status Subscribe(const std::vector<std::string>& topics) override {
    if (topics.empty()) return InvalidArgument("subscribe needs at least one topic");
    rd_kafka_topic_partition_list_t* list =
        rd_kafka_topic_partition_list_new(static_cast<int>(topics.size()));
    for (const std::string& t : topics) {
      if (Status s = ValidateTopicName(t); !s.ok()) {
        rd_kafka_topic_partition_list_destroy(list);
        return s;
      }
      rd_kafka_topic_partition_list_add(list, t.c_str(), RD_KAFKA_PARTITION_UA);
    }
    const rd_kafka_resp_err_t e = rd_kafka_subscribe(rk_, list);
    rd_kafka_topic_partition_list_destroy(list);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaStatus(e, "subscribe");
    return Status::Ok();
  }

  Status Poll(std::vector<Message>* out, size_t max, milliseconds timeout) override {
    out->clear();
    ReleaseMessages();
    if (closed_) return FailedPrecondition("consumer is closed");
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (out->size() < max) {
      const auto now = std::chrono::steady_clock::now();
      const int wait =
          out->empty() && now < deadline
              ? static_cast<int>(std::chrono::duration_cast<milliseconds>(deadline - now).count())
              : 0;
      rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, wait);
      if (m == nullptr) {
        if (!out->empty() || std::chrono::steady_clock::now() >= deadline) break;
        continue;
      }
      if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        const rd_kafka_resp_err_t e = m->err;
        rd_kafka_message_destroy(m);
        char fatal[256];
        if (rd_kafka_fatal_error(rk_, fatal, sizeof fatal) != RD_KAFKA_RESP_ERR_NO_ERROR) {
          return Internal(std::string("kafka consumer fatal error: ") + fatal);
        }
        log::Warn("bus", "kafka consumer error", {{"error", rd_kafka_err2name(e)}});
        continue;  // transient: librdkafka recovers on its own
      }
      rd_kafka_timestamp_type_t type;
      const int64_t ts = rd_kafka_message_timestamp(m, &type);
      if (!skip_before_ts_.empty()) {
        const TopicPartition tp{rd_kafka_topic_name(m->rkt), m->partition};
        if (auto it = skip_before_ts_.find(tp); it != skip_before_ts_.end()) {
          if (ts < *options_.start_timestamp_ms) {
            rd_kafka_message_destroy(m);
            continue;
          }
          skip_before_ts_.erase(it);
        }
      }
      held_.push_back(m);
      Message msg;
      msg.topic = rd_kafka_topic_name(m->rkt);
      msg.partition = m->partition;
      msg.offset = m->offset;
      msg.timestamp_ms = ts;
      msg.key = std::string_view(static_cast<const char*>(m->key), m->key_len);
      msg.value = std::string_view(static_cast<const char*>(m->payload), m->len);
      out->push_back(msg);
    }
    return Status::Ok();
  }

  Status Commit(const std::vector<TopicPartitionOffset>& positions) override {
    if (positions.empty()) return Status::Ok();
    rd_kafka_topic_partition_list_t* list =
        rd_kafka_topic_partition_list_new(static_cast<int>(positions.size()));
    for (const auto& p : positions) {
      rd_kafka_topic_partition_list_add(list, p.topic.c_str(), p.partition)->offset = p.offset;
    }
    rd_kafka_resp_err_t e = rd_kafka_commit(rk_, list, /*async=*/0);
    for (int i = 0; e == RD_KAFKA_RESP_ERR_NO_ERROR && i < list->cnt; ++i) e = list->elems[i].err;
    rd_kafka_topic_partition_list_destroy(list);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaStatus(e, "commit");
    return Status::Ok();
  }

  Status Seek(const TopicPartitionOffset& position) override {
    if (assigning_ != nullptr) {
      // Inside on_assigned: librdkafka cannot seek a partition before it is assigned, so the
      // position goes into the assignment itself.
      rd_kafka_topic_partition_t* tp = rd_kafka_topic_partition_list_find(
          assigning_, position.topic.c_str(), position.partition);
      if (tp == nullptr)
        return FailedPrecondition("seek on a partition not assigned to this member");
      tp->offset = position.offset;
      skip_before_ts_.erase({position.topic, position.partition});
      return Status::Ok();
    }
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(list, position.topic.c_str(), position.partition)->offset =
        position.offset;
    rd_kafka_error_t* error = rd_kafka_seek_partitions(rk_, list, 10'000);
    rd_kafka_resp_err_t e = list->elems[0].err;
    rd_kafka_topic_partition_list_destroy(list);
    if (error != nullptr) {
      e = rd_kafka_error_code(error);
      rd_kafka_error_destroy(error);
    }
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaStatus(e, "seek");
    return Status::Ok();
  }

  std::vector<TopicPartition> Assignment() const override { return assignment_; }

  Status Close() override {
    if (closed_ || rk_ == nullptr) return Status::Ok();
    closed_ = true;
    ReleaseMessages();
    // Leaves the group; the revocation callback runs inside.
    const rd_kafka_resp_err_t e = rd_kafka_consumer_close(rk_);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaStatus(e, "close");
    return Status::Ok();
  }

 private:
  void ReleaseMessages() {
    for (rd_kafka_message_t* m : held_) rd_kafka_message_destroy(m);
    held_.clear();
  }

  static void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                          rd_kafka_topic_partition_list_t* partitions, void* opaque) {
    auto* self = static_cast<KafkaConsumer*>(opaque);
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      if (self->options_.start_timestamp_ms) {
        for (int i = 0; i < partitions->cnt; ++i) {
          partitions->elems[i].offset = *self->options_.start_timestamp_ms;
        }
        const rd_kafka_resp_err_t e = rd_kafka_offsets_for_times(rk, partitions, 10'000);
        for (int i = 0; i < partitions->cnt; ++i) {
          rd_kafka_topic_partition_t& tp = partitions->elems[i];
          if (e == RD_KAFKA_RESP_ERR_NO_ERROR && tp.err == RD_KAFKA_RESP_ERR_NO_ERROR &&
              tp.offset >= 0) {
            continue;  // the broker's time index answered
          }
          // No answer (-1: nothing that late, or a broker without a time index such as the mock
          // cluster): read from the earliest offset and drop messages until the first one at or
          // after the timestamp — the same position Kafka's lookup would give.
          tp.offset = RD_KAFKA_OFFSET_BEGINNING;
          self->skip_before_ts_.insert({tp.topic, tp.partition});
        }
      }
      self->assignment_ = ToVector(partitions);
      self->assigning_ = partitions;
      if (self->options_.on_assigned) self->options_.on_assigned(self->assignment_);
      self->assigning_ = nullptr;
      rd_kafka_assign(rk, partitions);
    } else {
      const std::vector<TopicPartition> revoked = ToVector(partitions);
      // The owner commits here, while it still owns the partitions.
      if (self->options_.on_revoked && !revoked.empty()) self->options_.on_revoked(revoked);
      self->assignment_.clear();
      rd_kafka_assign(rk, nullptr);
    }
  }

  ConsumerOptions options_;
  rd_kafka_t* rk_ = nullptr;
  std::vector<rd_kafka_message_t*> held_;
  std::vector<TopicPartition> assignment_;
  std::set<TopicPartition> skip_before_ts_;  // partitions still looking for start_timestamp_ms
  rd_kafka_topic_partition_list_t* assigning_ = nullptr;  // set while on_assigned runs
  bool closed_ = false;
};

}  // namespace

// ---------------------------------------------------------------------------------------------

// A plain client handle for metadata and offset queries.
struct KafkaBus::Admin {
  rd_kafka_t* rk = nullptr;
  ~Admin() {
    if (rk != nullptr) rd_kafka_destroy(rk);
  }
};

KafkaBus::KafkaBus(const KafkaOptions& options) : options_(options) {}
KafkaBus::~KafkaBus() = default;

Result<std::unique_ptr<KafkaBus>> KafkaBus::Open(const KafkaOptions& options) {
  if (options.properties.count("bootstrap.servers") == 0) {
    return InvalidArgument("KAFKA_BOOTSTRAP_SERVERS is required when BUS=kafka");
  }
  std::unique_ptr<KafkaBus> bus(new KafkaBus(options));
  TORGHUT_ASSIGN_OR_RETURN(rd_kafka_conf_t * conf, BuildConf({&options.properties}));
  char err[512];
  bus->admin_ = std::make_unique<Admin>();
  // Metadata queries must never create the topic they ask about (a consumer-type handle asks
  // the broker not to).
  rd_kafka_conf_set(conf, "allow.auto.create.topics", "false", err, sizeof err);
  bus->admin_->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (bus->admin_->rk == nullptr) return InvalidArgument(std::string("kafka: ") + err);
  return bus;
}

Result<std::unique_ptr<Producer>> KafkaBus::NewProducer(ProducerOptions options) {
  auto p = std::make_unique<KafkaProducer>(std::move(options));
  TORGHUT_RETURN_IF_ERROR(p->Init(options_));
  return std::unique_ptr<Producer>(std::move(p));
}

Result<std::unique_ptr<Consumer>> KafkaBus::NewConsumer(ConsumerOptions options) {
  if (options.group_id.empty()) return InvalidArgument("a consumer needs a group id");
  auto c = std::make_unique<KafkaConsumer>(std::move(options));
  TORGHUT_RETURN_IF_ERROR(c->Init(options_));
  return std::unique_ptr<Consumer>(std::move(c));
}

namespace {

constexpr int kAdminTimeoutMs = 10'000;

// Partition count of `topic`, or kNotFound.
Result<int32_t> PartitionCount(rd_kafka_t* rk, std::string_view topic) {
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, std::string(topic).c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  const rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, rkt, &md, kAdminTimeoutMs);
  rd_kafka_topic_destroy(rkt);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaStatus(e, "metadata");
  int32_t n = 0;
  rd_kafka_resp_err_t topic_err = RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
  if (md->topic_cnt == 1) {
    topic_err = md->topics[0].err;
    n = md->topics[0].partition_cnt;
  }
  rd_kafka_metadata_destroy(md);
  if (topic_err != RD_KAFKA_RESP_ERR_NO_ERROR || n == 0) {
    return NotFound("topic '" + std::string(topic) + "' does not exist");
  }
  return n;
}

}  // namespace

Status KafkaBus::EnsureTopic(std::string_view topic, int32_t /*partitions*/) {
  TORGHUT_RETURN_IF_ERROR(ValidateTopicName(topic));
  return PartitionCount(admin_->rk, topic).status();
}

Result<std::vector<std::string>> KafkaBus::ListTopics() {
  const rd_kafka_metadata_t* md = nullptr;
  const rd_kafka_resp_err_t e = rd_kafka_metadata(admin_->rk, 1, nullptr, &md, kAdminTimeoutMs);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaStatus(e, "metadata");
  std::vector<std::string> topics;
  for (int i = 0; i < md->topic_cnt; ++i) {
    if (md->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR) topics.emplace_back(md->topics[i].topic);
  }
  rd_kafka_metadata_destroy(md);
  std::sort(topics.begin(), topics.end());
  return topics;
}

Result<std::vector<PartitionOffsets>> KafkaBus::Offsets(std::string_view topic) {
  TORGHUT_RETURN_IF_ERROR(ValidateTopicName(topic));
  TORGHUT_ASSIGN_OR_RETURN(int32_t n, PartitionCount(admin_->rk, topic));
  std::vector<PartitionOffsets> out;
  for (int32_t p = 0; p < n; ++p) {
    PartitionOffsets o;
    o.partition = p;
    const rd_kafka_resp_err_t e = rd_kafka_query_watermark_offsets(
        admin_->rk, std::string(topic).c_str(), p, &o.low, &o.high, kAdminTimeoutMs);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaStatus(e, "watermarks");
    out.push_back(o);
  }
  return out;
}

Result<std::vector<std::string>> KafkaBus::ListGroups() {
  const rd_kafka_group_list* list = nullptr;
  const rd_kafka_resp_err_t e = rd_kafka_list_groups(admin_->rk, nullptr, &list, kAdminTimeoutMs);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaStatus(e, "list groups");
  std::vector<std::string> groups;
  for (int i = 0; i < list->group_cnt; ++i) groups.emplace_back(list->groups[i].group);
  rd_kafka_group_list_destroy(list);
  std::sort(groups.begin(), groups.end());
  return groups;
}

Result<std::vector<PartitionLag>> KafkaBus::GroupLag(std::string_view group,
                                                     std::string_view topic) {
  TORGHUT_ASSIGN_OR_RETURN(std::vector<PartitionOffsets> offsets, Offsets(topic));
  // A consumer handle in the group that never subscribes: it can read the group's commits
  // without joining (and so without disturbing the members).
  std::map<std::string, std::string> g = {{"group.id", std::string(group)}};
  TORGHUT_ASSIGN_OR_RETURN(rd_kafka_conf_t * conf, BuildConf({&options_.properties, &g}));
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (rk == nullptr) return InvalidArgument(std::string("kafka: ") + err);
  rd_kafka_topic_partition_list_t* list =
      rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size()));
  for (const auto& o : offsets) {
    rd_kafka_topic_partition_list_add(list, std::string(topic).c_str(), o.partition);
  }
  const rd_kafka_resp_err_t e = rd_kafka_committed(rk, list, kAdminTimeoutMs);
  std::vector<PartitionLag> out;
  if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int i = 0; i < list->cnt; ++i) {
      const PartitionOffsets& o = offsets[static_cast<size_t>(i)];
      PartitionLag lag;
      lag.topic = std::string(topic);
      lag.partition = o.partition;
      lag.committed = list->elems[i].offset >= 0 ? list->elems[i].offset : -1;
      lag.high = o.high;
      lag.lag = o.high - std::max(lag.committed, o.low);
      out.push_back(lag);
    }
  }
  rd_kafka_topic_partition_list_destroy(list);
  rd_kafka_destroy(rk);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaStatus(e, "committed offsets");
  return out;
}

}  // namespace torghut::bus::kafka
