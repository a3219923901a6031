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
  ASSERT_TRUE(up.Attempt(bucket_, key_, Body("hello"), cancel_).ok());
  EXPECT_EQ(store_.Objects(bucket_).at(key_.value), "hello");
  EXPECT_EQ(store_.publishes(), 1);
}

TEST_F(ObjectUploaderTest, LargeBodyGoesInPartsAndAFailedAttemptEndsIt) {
  ObjectUploader up(&store_, Options(5));
  const std::string body = "0123456789abcdefghij!";
  Spool spool(::testing::TempDir(), 1 << 20);
  const SegmentBody spilled = Body(body, &spool);
  // A failure ends the attempt: no retry inside (the caller schedules it).
  store_.FailCalls(Status::Unavailable("reset"), 1);
  Status first = up.Attempt(bucket_, key_, spilled, cancel_);
  EXPECT_EQ(first.code(), StatusCode::kUnavailable) << first.ToString();
  EXPECT_TRUE(store_.Objects(bucket_).empty());
  ASSERT_TRUE(up.Attempt(bucket_, key_, spilled, cancel_).ok());
  EXPECT_EQ(store_.Objects(bucket_).at(key_.value), body);
  EXPECT_EQ(store_.publishes(), 1);
}

TEST_F(ObjectUploaderTest, OnlyCancellationRefusalsAndTakenKeysAreNotRetried) {
  EXPECT_TRUE(IsRetriedUploadError(Status::Unavailable("reset")));
  EXPECT_TRUE(IsRetriedUploadError(Status::Throttled("SlowDown")));
  EXPECT_TRUE(IsRetriedUploadError(Status::DeadlineExceeded("timeout")));
  // Fixed by the operator without touching the task (seed S5): retried.
  EXPECT_TRUE(IsRetriedUploadError(Status::PermissionDenied("AccessDenied")));
  EXPECT_TRUE(IsRetriedUploadError(Status::Unauthenticated("bad key")));
  EXPECT_TRUE(IsRetriedUploadError(Status::NotFound("NoSuchBucket")));
  EXPECT_FALSE(IsRetriedUploadError(Status::InvalidArgument("KeyTooLongError")));
  EXPECT_FALSE(IsRetriedUploadError(Status::AlreadyExists("412")));
  EXPECT_FALSE(IsRetriedUploadError(Status::Cancelled("stop")));
}

TEST_F(ObjectUploaderTest, TooManyPartsIsRefusedBeforeAnyRequest) {
  ObjectUploader up(&store_, Options(1));
  const std::string body(kMaxParts + 1, 'x');
  Status s = up.Attempt(bucket_, key_, Body(body), cancel_);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_NE(s.message().find("storage.part_size"), std::string::npos) << s.ToString();
  EXPECT_EQ(store_.open_uploads(), 0u);
  EXPECT_TRUE(store_.Objects(bucket_).empty());
}

TEST_F(ObjectUploaderTest, CancelledOrRefusedByTheGuardPublishesNothing) {
  ObjectUploader up(&store_, Options(5));
  int guarded = 0;
  const PublishGuard lost = [&] {
    ++guarded;
    return Status::Cancelled("partitions lost");
  };
  EXPECT_EQ(up.Attempt(bucket_, key_, Body("x"), cancel_, WriteOptions{}, lost).code(),
            StatusCode::kCancelled);
  EXPECT_EQ(up.Attempt(bucket_, key_, Body("0123456789ab"), cancel_, WriteOptions{}, lost).code(),
            StatusCode::kCancelled);
  EXPECT_EQ(guarded, 2);
  EXPECT_EQ(store_.open_uploads(), 0u) << "a multipart attempt refused at the end is aborted";
  cancel_.Cancel();
  EXPECT_EQ(up.Attempt(bucket_, key_, Body("x"), cancel_).code(), StatusCode::kCancelled);
  EXPECT_TRUE(store_.Objects(bucket_).empty());
  EXPECT_EQ(store_.open_uploads(), 0u);
}

}  // namespace
}  // namespace k2c
