// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "sink/multipart_stream.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>

#include "storage/memory_store.h"

namespace k2c {
namespace {

class MultipartStreamTest : public ::testing::Test {
 protected:
  void SetUp() override { store_.CreateBucket(bucket_); }

  std::shared_ptr<MultipartStream> MakeStream() {
    UploadOptions options;
    options.initial_backoff = std::chrono::milliseconds(1);
    options.max_backoff = std::chrono::milliseconds(2);
    return std::make_shared<MultipartStream>(&store_, &pool_, bucket_, ObjectKey{"k"}, options,
                                             [this](const Status&, int) { ++failures_; });
  }

  static SegmentBody Body(std::string_view text) {
    SegmentBody body;
    EXPECT_TRUE(body.Append(text).ok());
    return body;
  }

  void WaitNoOpenUploads() {
    for (int i = 0; i < 2000 && store_.open_uploads() != 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  Bucket bucket_{"b"};
  MemoryStore store_;
  UploadPool pool_{"test-stream", 2};
  std::atomic<int> failures_{0};
};

TEST_F(MultipartStreamTest, PartsThenTailMakeTheObjectInOrder) {
  auto stream = MakeStream();
  stream->AddPart(Body("one,"));
  stream->AddPart(Body("two,"));
  stream->AddPart(Body("three,"));
  int attempts = 0;
  ASSERT_TRUE(stream->Finish(Body("tail"), &attempts).ok());
  EXPECT_EQ(attempts, 1);
  EXPECT_EQ(store_.Objects(bucket_).at("k"), "one,two,three,tail");
  EXPECT_EQ(stream->parts_added(), 3);
  EXPECT_EQ(store_.open_uploads(), 0u);
}

TEST_F(MultipartStreamTest, TransientFailuresAreRetriedAndReported) {
  store_.FailCalls(Status::Unavailable("injected 503"), 4);
  auto stream = MakeStream();
  stream->AddPart(Body("a"));
  ASSERT_TRUE(stream->Finish(SegmentBody()).ok());
  EXPECT_EQ(store_.Objects(bucket_).at("k"), "a");
  EXPECT_EQ(failures_.load(), 4);
}

TEST_F(MultipartStreamTest, UploadGoneAtCompleteBreaksTheStreamAndPublishesNothing) {
  auto stream = MakeStream();
  stream->AddPart(Body("a"));
  // Let the part go first, so the next call is Complete.
  for (int i = 0; i < 2000 && store_.open_uploads() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  store_.FailCalls(Status::NotFound("NoSuchUpload"), 1);
  Status s = stream->Finish(Body("b"));
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
  EXPECT_EQ(stream->broken().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store_.Objects(bucket_).empty());
  WaitNoOpenUploads();
  EXPECT_EQ(store_.open_uploads(), 0u);
}

TEST_F(MultipartStreamTest, CancelAbortsAndFinishReturnsCancelled) {
  store_.FailCalls(Status::Unavailable("down"), -1);
  auto stream = MakeStream();
  stream->AddPart(Body("a"));
  stream->Cancel();
  EXPECT_EQ(stream->Finish(Body("b")).code(), StatusCode::kCancelled);
  store_.FailCalls(Status::Ok(), 0);
  WaitNoOpenUploads();
  EXPECT_EQ(store_.open_uploads(), 0u);
  EXPECT_TRUE(store_.Objects(bucket_).empty());
  EXPECT_TRUE(stream->broken().ok());
}

}  // namespace
}  // namespace k2c
