// Both object store backends against the same contract, and the S3 one against a real
// S3-protocol server (s3rver with SigV4 verified): pages of ListObjectsV2, error classes,
// retries of 5xx.
#include "torghut/object_store/object_store.h"

#include <gtest/gtest.h>

#include <memory>

#include "torghut/http/client.h"
#include "torghut/object_store/local_object_store.h"
#include "torghut/object_store/s3_object_store.h"
#include "torghut/testing/s3_test_server.h"
#include "torghut/testing/test_support.h"

namespace torghut::object_store {
namespace {

// One s3rver for the whole program (each test uses its own prefix); stopped at exit.
testing::S3TestServer& Server() {
  static testing::ScratchDir dir("torghut-s3");
  static testing::S3TestServer server(dir.path() / "s3");
  static const bool started = [] {
    const bool ok = server.Start();
    EXPECT_TRUE(ok) << server.log();
    return ok;
  }();
  (void)started;
  return server;
}

std::string UniquePrefix() {
  static int n = 0;
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string(info->name()) + "-" + std::to_string(++n);
  for (char& c : name) {
    if (c == '/') c = '-';
  }
  return "t/" + name;
}

void InjectFaults(int count) {
  http::HttpClient client;
  const http::ClientResponse r =
      client.Post(Server().endpoint() + "/__faults?count=" + std::to_string(count), "");
  ASSERT_EQ(r.status, 204) << r.error;
}

class ObjectStoreContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "local") {
      store_ = std::make_unique<LocalObjectStore>(dir_.path() / "objects");
    } else {
      store_ = std::make_unique<S3ObjectStore>(Server().Config(UniquePrefix()));
    }
  }
  testing::ScratchDir dir_{"torghut-objects"};
  std::unique_ptr<ObjectStore> store_;
};

TEST_P(ObjectStoreContract, PutGetListDelete) {
  EXPECT_FALSE(store_->Get("a/missing").value().has_value());
  ASSERT_TRUE(store_->Put("a/one", "1").ok());
  ASSERT_TRUE(store_->Put("a/two", std::string("bin\0ary", 7)).ok());
  ASSERT_TRUE(store_->Put("a-b/three", "").ok());
  ASSERT_TRUE(store_->Put("b/c/four", "4").ok());
  ASSERT_TRUE(store_->Put("a/one", "1 again").ok());  // replaced whole
  EXPECT_EQ(store_->Get("a/one").value().value(), "1 again");
  EXPECT_EQ(store_->Get("a/two").value().value(), std::string("bin\0ary", 7));
  EXPECT_EQ(store_->Get("a-b/three").value().value(), "");

  auto keys = [&](std::string_view prefix) {
    std::vector<std::string> out;
    for (const ObjectInfo& o : store_->List(prefix).value()) out.push_back(o.key);
    return out;
  };
  EXPECT_EQ(keys("a/"), (std::vector<std::string>{"a/one", "a/two"}));
  EXPECT_EQ(keys("a"), (std::vector<std::string>{"a-b/three", "a/one", "a/two"}));
  EXPECT_EQ(keys("a/t"), (std::vector<std::string>{"a/two"}));
  EXPECT_EQ(keys("b/"), (std::vector<std::string>{"b/c/four"}));
  EXPECT_TRUE(keys("nothing/").empty());
  EXPECT_GT(store_->List("a/one").value().at(0).modified_ms, 1'600'000'000'000);

  ASSERT_TRUE(store_->Delete("a/one").ok());
  ASSERT_TRUE(store_->Delete("a/one").ok());  // missing: still OK
  EXPECT_FALSE(store_->Get("a/one").value().has_value());
  EXPECT_EQ(keys("a/"), (std::vector<std::string>{"a/two"}));
}

INSTANTIATE_TEST_SUITE_P(Backends, ObjectStoreContract, ::testing::Values("local", "s3"),
                         [](const auto& p) { return p.param; });

TEST(LocalObjectStore, TempFilesOfAnInterruptedPutAreNotObjects) {
  testing::ScratchDir dir("torghut-objects");
  LocalObjectStore store(dir.path());
  ASSERT_TRUE(store.Put("p/x", "whole").ok());
  testing::WriteFile(dir.path() / "p/y.tmp4242", "torn");
  ASSERT_EQ(store.List("p/").value().size(), 1u);
  EXPECT_EQ(store.List("p/").value()[0].key, "p/x");
}

TEST(S3ObjectStore, ListReadsEveryPage) {
  S3Config c = Server().Config(UniquePrefix());
  c.max_keys = 2;
  S3ObjectStore store(c);
  std::vector<std::string> want;
  for (int i = 0; i < 7; ++i) {
    want.push_back("k/" + std::to_string(i));
    ASSERT_TRUE(store.Put(want.back(), "v").ok());
  }
  ASSERT_TRUE(store.Put("other/x", "v").ok());
  std::vector<std::string> got;
  const auto listed = store.List("k/");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  for (const ObjectInfo& o : *listed) got.push_back(o.key);
  EXPECT_EQ(got, want);
}

TEST(S3ObjectStore, AWrongSecretOrKeyIsAnAuthError) {
  S3Config c = Server().Config(UniquePrefix());
  c.secret_access_key = "not-the-secret";
  S3ObjectStore wrong_secret(c);
  const Status put = wrong_secret.Put("x", "v");
  EXPECT_EQ(put.code(), StatusCode::kUnauthenticated) << put.ToString();
  EXPECT_NE(put.message().find("SignatureDoesNotMatch"), std::string::npos) << put.message();
  EXPECT_EQ(put.message().find("not-the-secret"), std::string::npos);
  EXPECT_EQ(wrong_secret.Get("x").status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(wrong_secret.List("").status().code(), StatusCode::kUnauthenticated);

  c = Server().Config(UniquePrefix());
  c.access_key_id = "NOSUCHKEY";
  S3ObjectStore wrong_key(c);
  const Status get = wrong_key.Get("x").status();
  EXPECT_EQ(get.code(), StatusCode::kUnauthenticated) << get.ToString();
  EXPECT_NE(get.message().find("InvalidAccessKeyId"), std::string::npos) << get.message();
  // The right pair still works (the refusals were about the credentials, not the server).
  S3ObjectStore right(Server().Config(UniquePrefix()));
  EXPECT_TRUE(right.Put("x", "v").ok());
}

TEST(S3ObjectStore, NoServerOrNoBucketIsUnavailable) {
  S3Config c = Server().Config(UniquePrefix());
  c.endpoint = "http://127.0.0.1:" + std::to_string(testing::FreePort());
  c.retry.max_attempts = 2;
  c.retry.initial_backoff_ms = 10;
  S3ObjectStore down(c);
  const Status put = down.Put("x", "v");
  EXPECT_EQ(put.code(), StatusCode::kUnavailable) << put.ToString();
  EXPECT_NE(put.message().find("unreachable"), std::string::npos) << put.message();
  EXPECT_EQ(down.Get("x").status().code(), StatusCode::kUnavailable);

  c = Server().Config(UniquePrefix());
  c.bucket = "no-such-bucket";
  S3ObjectStore no_bucket(c);
  const Status get = no_bucket.Get("x").status();  // not "missing object": the bucket is gone
  EXPECT_EQ(get.code(), StatusCode::kUnavailable) << get.ToString();
  EXPECT_NE(get.message().find("NoSuchBucket"), std::string::npos) << get.message();
  EXPECT_EQ(no_bucket.Put("x", "v").code(), StatusCode::kUnavailable);
}

TEST(S3ObjectStore, ServerErrorsAreRetriedWithBackoff) {
  S3Config c = Server().Config(UniquePrefix());
  c.retry = {.max_attempts = 3, .initial_backoff_ms = 10, .max_backoff_ms = 20};
  S3ObjectStore store(c);
  InjectFaults(2);  // two 503 SlowDown, then the real answer
  ASSERT_TRUE(store.Put("x", "after two 503s").ok());
  EXPECT_EQ(store.Get("x").value().value(), "after two 503s");
  InjectFaults(3);  // more than the attempts
  const Status s = store.Put("x", "never");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  EXPECT_NE(s.message().find("SlowDown"), std::string::npos) << s.message();
  EXPECT_EQ(store.Get("x").value().value(), "after two 503s");
}

TEST(S3Url, BucketAndPrefixOrAClearError) {
  EXPECT_EQ(ParseS3Url("s3://bucket").value().bucket, "bucket");
  EXPECT_EQ(ParseS3Url("s3://bucket").value().prefix, "");
  EXPECT_EQ(ParseS3Url("s3://my.bucket-1/a/b/").value().prefix, "a/b");
  for (const char* bad : {"s3:/bucket", "http://bucket/x", "s3://", "s3://ab", "s3://Bucket/x",
                          "s3://bucket//x", "s3://bucket/a/../b", "s3://bucket/a b"}) {
    EXPECT_EQ(ParseS3Url(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace torghut::object_store
