#include "torghut/testing/kafka_mock_cluster.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <string>
#include <vector>

namespace torghut::bus::kafka {

struct MockCluster::Handles {
  rd_kafka_t* rk = nullptr;
  rd_kafka_mock_cluster_t* cluster = nullptr;
  ~Handles() {
    if (cluster != nullptr) rd_kafka_mock_cluster_destroy(cluster);
    if (rk != nullptr) rd_kafka_destroy(rk);
  }
};

Result<std::unique_ptr<MockCluster>> MockCluster::Start(int brokers) {
  if (brokers < 1 || brokers > 16) return InvalidArgument("mock cluster needs 1..16 brokers");
  std::unique_ptr<MockCluster> m(new MockCluster());
  m->handles_ = std::make_unique<Handles>();
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // The handle only hosts the cluster's threads; it never connects anywhere.
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
  m->handles_->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (m->handles_->rk == nullptr) return Internal(std::string("rd_kafka_new: ") + err);
  m->handles_->cluster = rd_kafka_mock_cluster_new(m->handles_->rk, brokers);
  if (m->handles_->cluster == nullptr) return Unavailable("cannot start the mock cluster");
  m->bootstrap_ = rd_kafka_mock_cluster_bootstraps(m->handles_->cluster);
  return m;
}

MockCluster::~MockCluster() = default;

Status MockCluster::CreateTopic(std::string_view topic, int partitions, int replication) {
  const rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(
      handles_->cluster, std::string(topic).c_str(), partitions, replication);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return InvalidArgument("cannot create topic " + std::string(topic) + ": " +
                           rd_kafka_err2str(e));
  }
  return Status::Ok();
}

Status MockCluster::SetBrokerDown(int32_t broker_id) {
  const rd_kafka_resp_err_t e = rd_kafka_mock_broker_set_down(handles_->cluster, broker_id);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) return InvalidArgument(rd_kafka_err2str(e));
  return Status::Ok();
}

Status MockCluster::SetBrokerUp(int32_t broker_id) {
  const rd_kafka_resp_err_t e = rd_kafka_mock_broker_set_up(handles_->cluster, broker_id);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) return InvalidArgument(rd_kafka_err2str(e));
  return Status::Ok();
}

void MockCluster::PushRequestErrors(int16_t api_key, int count, int error) {
  std::vector<rd_kafka_resp_err_t> errors(static_cast<size_t>(count),
                                          static_cast<rd_kafka_resp_err_t>(error));
  rd_kafka_mock_push_request_errors_array(handles_->cluster, api_key, errors.size(), errors.data());
}

}  // namespace torghut::bus::kafka
