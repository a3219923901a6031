// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "storage/memory_store.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace k2c {
namespace {

TEST(MemoryStoreTest, GetObjectRangeReadsTheBytesAskedFor) {
  MemoryStore store;
  const Bucket b{"bkt"};
  store.CreateBucket(b);
  ASSERT_TRUE(store.PutObject(b, ObjectKey{"digits"}, "0123456789").ok());
  ASSERT_TRUE(store.PutObject(b, ObjectKey{"empty"}, "").ok());
  const uint64_t kAll = std::numeric_limits<uint64_t>::max();
  struct Case {
    uint64_t offset, length;
    std::string want;
  };
  for (const Case& c : std::vector<Case>{{0, 3, "012"},
                                         {9, 1, "9"},   // The last byte.
                                         {8, 5, "89"},  // Crossing the end.
                                         {4, 0, ""},
                                         {10, 1, ""},   // At the end.
                                         {100, 5, ""},  // Past it.
                                         {5, kAll, "56789"}}) {
    Result<std::string> got = store.GetObjectRange(b, ObjectKey{"digits"}, c.offset, c.length);
    ASSERT_TRUE(got.ok()) << c.offset << "+" << c.length << ": " << got.status().ToString();
    EXPECT_EQ(*got, c.want) << c.offset << "+" << c.length;
  }
  EXPECT_EQ(store.GetObjectRange(b, ObjectKey{"empty"}, 0, 1).value(), "");
  for (const uint64_t length : {uint64_t{0}, uint64_t{3}}) {
    EXPECT_EQ(store.GetObjectRange(b, ObjectKey{"absent"}, 0, length).status().code(),
              StatusCode::kNotFound);
    EXPECT_EQ(store.GetObjectRange(Bucket{"none"}, ObjectKey{"digits"}, 0, length).status().code(),
              StatusCode::kNotFound);
  }
}

// The ObjectStore default, for stores that do not override it: the same
// answers, cut from GetObject.
TEST(MemoryStoreTest, DefaultGetObjectRangeCutsTheWholeObject) {
  MemoryStore store;
  const Bucket b{"bkt"};
  store.CreateBucket(b);
  ASSERT_TRUE(store.PutObject(b, ObjectKey{"digits"}, "0123456789").ok());
  ObjectStore& base = store;
  const auto range = [&](uint64_t offset, uint64_t length) {
    return base.ObjectStore::GetObjectRange(b, ObjectKey{"digits"}, offset, length).value();
  };
  EXPECT_EQ(range(0, 3), "012");
  EXPECT_EQ(range(9, 1), "9");
  EXPECT_EQ(range(8, 5), "89");
  EXPECT_EQ(range(4, 0), "");
  EXPECT_EQ(range(10, 1), "");
  EXPECT_EQ(range(5, std::numeric_limits<uint64_t>::max()), "56789");
  EXPECT_EQ(base.ObjectStore::GetObjectRange(b, ObjectKey{"absent"}, 0, 0).status().code(),
            StatusCode::kNotFound);
}

TEST(MemoryStoreTest, GetObjectRangeTakesInjectedFailures) {
  MemoryStore store;
  const Bucket b{"bkt"};
  store.CreateBucket(b);
  ASSERT_TRUE(store.PutObject(b, ObjectKey{"k"}, "abc").ok());
  store.FailCalls(Status::Unavailable("injected"), 1);
  EXPECT_EQ(store.GetObjectRange(b, ObjectKey{"k"}, 0, 1).status().code(),
            StatusCode::kUnavailable);
  EXPECT_EQ(store.GetObjectRange(b, ObjectKey{"k"}, 1, 1).value(), "b");
}

TEST(MemoryStoreTest, PresignGetUrlIsRefusedWithAHint) {
  MemoryStore store;
  store.CreateBucket(Bucket{"bkt"});
  const Status s =
      store.PresignGetUrl(Bucket{"bkt"}, ObjectKey{"k"}, std::chrono::seconds(60)).status();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  EXPECT_NE(s.message().find("no URLs of its own"), std::string::npos) << s.ToString();
}

}  // namespace
}  // namespace k2c
