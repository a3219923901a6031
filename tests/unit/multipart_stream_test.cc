// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "sink/multipart_stream.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
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
    return std::make_shared<MultipartStream>(&store_, &pool_, "lane", bucket_, ObjectKey{"k"},
                                             options, [this](const Status&, int) { ++failures_; });
  }

  // Finish(), waiting for its callback (bounded: a hung test fails).
  static Status FinishAndWait(MultipartStream& stream, SegmentBody tail, int* attempts = nullptr) {
    auto result = std::make_shared<std::promise<std::pair<Status, int>>>();
    auto future = result->get_future();
    stream.Finish(std::move(tail), [result](const Status& s, int n) { result->set_value({s, n}); });
    if (future.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
      ADD_FAILURE() << "Finish() never called back";
      return Status::Internal("no callback");
    }
    auto [status, n] = future.get();
    if (attempts != nullptr) *attempts = n;
    return status;
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
  ASSERT_TRUE(FinishAndWait(*stream, Body("tail"), &attempts).ok());
  EXPECT_EQ(attempts, 1);
  EXPECT_EQ(store_.Objects(bucket_).at("k"), "one,two,three,tail");
  EXPECT_EQ(stream->parts_added(), 3);
  EXPECT_EQ(store_.open_uploads(), 0u);
}

TEST_F(MultipartStreamTest, TransientFailuresAreRetriedAndReported) {
  store_.FailCalls(Status::Unavailable("injected 503"), 4);
  auto stream = MakeStream();
  stream->AddPart(Body("a"));
  ASSERT_TRUE(FinishAndWait(*stream, SegmentBody()).ok());
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
  Status s = FinishAndWait(*stream, Body("b"));
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
  EXPECT_EQ(FinishAndWait(*stream, Body("b")).code(), StatusCode::kCancelled);
  store_.FailCalls(Status::Ok(), 0);
  WaitNoOpenUploads();
  EXPECT_EQ(store_.open_uploads(), 0u);
  EXPECT_TRUE(store_.Objects(bucket_).empty());
  EXPECT_TRUE(stream->broken().ok());
}

TEST_F(MultipartStreamTest, CancelWhileARetryWaitsEndsAtOnceAndHoldsNoThread) {
  // Backoffs of a minute: a stream that waited for its retry on a pool
  // thread would hold it (and this test) that long.
  UploadOptions slow;
  slow.initial_backoff = std::chrono::seconds(60);
  slow.max_backoff = std::chrono::seconds(60);
  store_.FailCalls(Status::Unavailable("down"), -1);
  auto stream = std::make_shared<MultipartStream>(&store_, &pool_, "lane", bucket_, ObjectKey{"k"},
                                                  slow, nullptr);
  stream->AddPart(Body("a"));
  auto result = std::make_shared<std::promise<Status>>();
  auto future = result->get_future();
  stream->Finish(Body("b"), [result](const Status& s, int) { result->set_value(s); });
  // Both pool threads stay free for other work while the retry waits.
  for (int i = 0; i < 2000 && store_.calls() < 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::promise<void> ran[2];
  pool_.Submit("other", [&] { ran[0].set_value(); });
  pool_.Submit("other", [&] { ran[1].set_value(); });
  EXPECT_EQ(ran[0].get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(ran[1].get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  stream->Cancel();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(future.get().code(), StatusCode::kCancelled);
  store_.FailCalls(Status::Ok(), 0);
  EXPECT_TRUE(store_.Objects(bucket_).empty());
}

TEST_F(MultipartStreamTest, ARequestTheStoreRefusesBreaksTheStreamWithoutRetrying) {
  auto stream = MakeStream();
  store_.FailCalls(Status::InvalidArgument("KeyTooLongError"), 1);
  stream->AddPart(Body("a"));
  Status s = FinishAndWait(*stream, Body("b"));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_EQ(stream->broken().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(failures_.load(), 0);
  EXPECT_TRUE(store_.Objects(bucket_).empty());
}

}  // namespace
}  // namespace k2c
