// ObjectStore over an S3-compatible bucket (AWS S3, MinIO, Ceph, s3rver): path-style requests
// (<endpoint>/<bucket>/<prefix>/<key>) signed with AWS Signature Version 4 by libcurl.
//
//   S3Config c;
//   c.endpoint = "http://127.0.0.1:9000";  c.bucket = "torghut";  c.prefix = "ta/checkpoints";
//   c.access_key_id = key;  c.secret_access_key = secret;
//   S3ObjectStore store(c);
//   TORGHUT_RETURN_IF_ERROR(store.Put("groups/g/partition-0/checkpoint-1.tacp", bytes));
//
// Requests: PutObject, GetObject, ListObjectsV2 (prefix + continuation token, every page),
// DeleteObject. Every request is idempotent, so each is retried with backoff (`retry`) when no
// answer came (refused, timed out, connection lost), on 429 and on 5xx. Error classes
// (object_store.h): 401/403 (InvalidAccessKeyId, SignatureDoesNotMatch, AccessDenied, …) →
// kUnauthenticated; no answer, NoSuchBucket, 5xx after the retries → kUnavailable. The message
// names the operation, the s3:// location and the server's error code — never a credential.
//
// Thread-safe (one connection, requests serialized).
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "torghut/http/client.h"
#include "torghut/http/retry.h"
#include "torghut/object_store/object_store.h"

namespace torghut::object_store {

struct S3Config {
  std::string endpoint;  // scheme://host[:port], e.g. http://127.0.0.1:9000
  std::string region = "us-east-1";
  std::string bucket;
  std::string prefix;  // "" or "a/b" (no leading or trailing '/')
  std::string access_key_id;
  std::string secret_access_key;
  int64_t connect_timeout_ms = 5'000;
  int64_t timeout_ms = 10'000;  // one request (a checkpoint is small); then retried
  http::RetryPolicy retry{.max_attempts = 4, .initial_backoff_ms = 200, .max_backoff_ms = 2'000};
  int max_keys = 1000;  // keys per ListObjectsV2 page
};

// "s3://bucket" or "s3://bucket/prefix/parts" → bucket and prefix; a clear error otherwise
// (bucket names are [a-z0-9.-]{3,63}; prefix segments [A-Za-z0-9._-]).
struct S3Url {
  std::string bucket;
  std::string prefix;
};
Result<S3Url> ParseS3Url(std::string_view url);
inline bool IsS3Url(std::string_view location) {
  return location.substr(0, 5) == "s3://";
}

class S3ObjectStore final : public ObjectStore {
 public:
  explicit S3ObjectStore(S3Config config);
  ~S3ObjectStore() override;

  Status Put(std::string_view key, std::string_view bytes) override;
  Result<std::optional<std::string>> Get(std::string_view key) override;
  Result<std::vector<ObjectInfo>> List(std::string_view prefix) override;
  Status Delete(std::string_view key) override;
  std::string Describe(std::string_view key) const override;
  bool remote() const override { return true; }

 private:
  std::string FullKey(std::string_view key) const;
  http::ClientResponse Send(std::string method, std::string url, std::string body = {});
  Status Failed(std::string_view op, std::string_view key, const http::ClientResponse& r) const;

  S3Config config_;
  std::mutex mu_;
  std::unique_ptr<http::HttpClient> client_;
};

}  // namespace torghut::object_store
