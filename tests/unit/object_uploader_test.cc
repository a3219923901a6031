// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "sink/object_uploader.h"

#include <gtest/gtest.h>

#include <thread>

#include "storage/memory_store.h"

namespace k2c {
namespace {

// A body holding `text`, spilled to a spool file when `spill` is set.
SegmentBody Body(std::string_view text, Spool* spool = nullptr) {
  SegmentBody body(nullptr, spool);
  EXPECT_TRUE(body.Append(text).ok());
  if (spool != nullptr) {
    EXPECT_TRUE(body.Spill().ok());
    EXPECT_TRUE(body.Flush().ok());
  }
  return body;
}

class ObjectUploaderTest : public ::testing::Test {
 protected:
  void SetUp() override { store_.CreateBucket(bucket_); }
  UploadOptions Options(uint64_t part_size) {
    UploadOptions o;
    o.part_size = part_size;
    o.initial_backoff = std::chrono::milliseconds(1);
    o.max_backoff = std::chrono::milliseconds(2);
    return o;
  }
  Bucket bucket_{"b"};
  ObjectKey key_{"k/obj.txt"};
  MemoryStore store_;
  CancelToken cancel_;
};

TEST_F(ObjectUploaderTest, SmallBodyIsOnePut) {
  ObjectUploader up(&store_, Options(100));
  int attempts = 0;
  ASSERT_TRUE(up.Upload(bucket_, key_, Body("hello"), cancel_, nullptr, &attempts).ok());
  EXPECT_EQ(attempts, 1);
  EXPECT_EQ(store_.Objects(bucket_).at(key_.value), "hello");
}

TEST_F(ObjectUploaderTest, LargeBodyGoesInPartsAndFailedAttemptsAreAborted) {
  ObjectUploader up(&store_, Options(5));
  store_.FailCalls(Status::Unavailable("reset"), 2);
  std::vector<std::string> reported;
  const std::string body = "0123456789abcdefghij!";
  Spool spool(::testing::TempDir(), 1 << 20);
  ASSERT_TRUE(up.Upload(bucket_, key_, Body(body, &spool), cancel_, [&](const Status& s, int) {
                  reported.push_back(s.ToString());
                }).ok());
  EXPECT_EQ(store_.Objects(bucket_).at(key_.value), body);
  EXPECT_EQ(reported.size(), 2u);
  EXPECT_EQ(store_.open_uploads(), 0u) << "failed multipart attempts must be aborted";
  EXPECT_EQ(store_.publishes(), 1);
}

TEST_F(ObjectUploaderTest, NonRetryableErrorsAreRetriedUntilFixed) {
  ObjectUploader up(&store_, Options(100));
  store_.FailCalls(Status::Unauthenticated("bad key"), 4);
  int attempts = 0;
  ASSERT_TRUE(up.Upload(bucket_, key_, Body("x"), cancel_, nullptr, &attempts).ok());
  EXPECT_EQ(attempts, 5);
}

TEST_F(ObjectUploaderTest, CancelStopsRetryingAndPublishesNothing) {
  ObjectUploader up(&store_, Options(100));
  store_.FailCalls(Status::Unavailable("down"), -1);
  std::thread canceller([this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    cancel_.Cancel();
  });
  Status s = up.Upload(bucket_, key_, Body("x"), cancel_, nullptr);
  canceller.join();
  EXPECT_EQ(s.code(), StatusCode::kCancelled);
  store_.FailCalls(Status::Ok(), 0);
  EXPECT_TRUE(store_.Objects(bucket_).empty());
}

}  // namespace
}  // namespace k2c
