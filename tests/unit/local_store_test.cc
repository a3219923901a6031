// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "storage/local_store.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace k2c {
namespace {

namespace fs = std::filesystem;

class LocalStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("k2c-local-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    store_ = std::make_unique<LocalStore>(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
  std::unique_ptr<LocalStore> store_;
  Bucket bucket_{"archive"};
};

TEST_F(LocalStoreTest, MissingBucketIsNotFoundUntilCreated) {
  Status s = store_->HeadBucket(bucket_);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_NE(s.message().find("bucket 'archive' does not exist"), std::string::npos);
  EXPECT_EQ(store_->PutObject(bucket_, ObjectKey{"a"}, "x").code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_->CreateBucket(bucket_).ok());
  EXPECT_TRUE(store_->HeadBucket(bucket_).ok());
}

TEST_F(LocalStoreTest, PutGetListDeleteAndOverwrite) {
  ASSERT_TRUE(store_->CreateBucket(bucket_).ok());
  ASSERT_TRUE(store_->PutObject(bucket_, ObjectKey{"i/t/b.txt"}, "one").ok());
  ASSERT_TRUE(store_->PutObject(bucket_, ObjectKey{"i/t/a.txt"}, std::string("\0z", 2)).ok());
  ASSERT_TRUE(store_->PutObject(bucket_, ObjectKey{"i/t/b.txt"}, "two").ok());
  EXPECT_EQ(*store_->GetObject(bucket_, ObjectKey{"i/t/b.txt"}), "two");
  EXPECT_EQ(*store_->GetObject(bucket_, ObjectKey{"i/t/a.txt"}), std::string("\0z", 2));
  auto page = store_->ListObjects(bucket_, "i/t/", "");
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->objects.size(), 2u);
  EXPECT_EQ(page->objects[0].key.value, "i/t/a.txt");
  EXPECT_EQ(page->objects[1].size, 3u);
  ASSERT_TRUE(store_->DeleteObject(bucket_, ObjectKey{"i/t/a.txt"}).ok());
  ASSERT_TRUE(store_->DeleteObject(bucket_, ObjectKey{"i/t/a.txt"}).ok());
  EXPECT_EQ(store_->GetObject(bucket_, ObjectKey{"i/t/a.txt"}).status().code(),
            StatusCode::kNotFound);
}

TEST_F(LocalStoreTest, MultipartIsInvisibleUntilCompleteAndAbortCleansUp) {
  ASSERT_TRUE(store_->CreateBucket(bucket_).ok());
  const ObjectKey key{"big/obj"};
  auto id = store_->CreateMultipart(bucket_, key);
  ASSERT_TRUE(id.ok());
  auto e1 = store_->UploadPart(bucket_, key, *id, 1, "hello ");
  auto e2 = store_->UploadPart(bucket_, key, *id, 2, "world");
  ASSERT_TRUE(e1.ok() && e2.ok());
  EXPECT_TRUE(store_->ListObjects(bucket_, "", "")->objects.empty()) << "temp files never listed";
  ASSERT_TRUE(store_->CompleteMultipart(bucket_, key, *id, {{1, *e1}, {2, *e2}}).ok());
  EXPECT_EQ(*store_->GetObject(bucket_, key), "hello world");
  auto id2 = store_->CreateMultipart(bucket_, key);
  ASSERT_TRUE(store_->UploadPart(bucket_, key, *id2, 1, "zzz").ok());
  ASSERT_TRUE(store_->AbortMultipart(bucket_, key, *id2).ok());
  EXPECT_EQ(*store_->GetObject(bucket_, key), "hello world");
  EXPECT_TRUE(fs::is_empty(root_ / "archive" / LocalStore::kTempDir));
}

TEST_F(LocalStoreTest, CompleteJoinsLargePartsInOrderAndKeepsTheUploadOnAMissingPart) {
  ASSERT_TRUE(store_->CreateBucket(bucket_).ok());
  const ObjectKey key{"big/parts"};
  auto id = store_->CreateMultipart(bucket_, key);
  ASSERT_TRUE(id.ok());
  // Parts larger than one copy chunk of the fallback path, with distinct bytes.
  const std::string p1(300000, 'a'), p2(200001, 'b'), p3(70000, 'c');
  auto e2 = store_->UploadPart(bucket_, key, *id, 2, "stale");
  ASSERT_TRUE(e2.ok());
  e2 = store_->UploadPart(bucket_, key, *id, 2, p2);  // A retried part replaces the first.
  auto e1 = store_->UploadPart(bucket_, key, *id, 1, p1);
  ASSERT_TRUE(e1.ok() && e2.ok());
  EXPECT_EQ(store_->CompleteMultipart(bucket_, key, *id, {{1, *e1}, {2, *e2}, {3, "x"}}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->GetObject(bucket_, key).status().code(), StatusCode::kNotFound);
  auto e3 = store_->UploadPart(bucket_, key, *id, 3, p3);
  ASSERT_TRUE(e3.ok()) << "the upload survives a refused Complete";
  ASSERT_TRUE(store_->CompleteMultipart(bucket_, key, *id, {{1, *e1}, {2, *e2}, {3, *e3}}).ok());
  EXPECT_EQ(*store_->GetObject(bucket_, key), p1 + p2 + p3);
  EXPECT_TRUE(fs::is_empty(root_ / "archive" / LocalStore::kTempDir));
}

TEST_F(LocalStoreTest, RejectsPathTraversalAndBadBucketNames) {
  ASSERT_TRUE(store_->CreateBucket(bucket_).ok());
  EXPECT_EQ(store_->PutObject(bucket_, ObjectKey{"../escape"}, "x").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->PutObject(bucket_, ObjectKey{"/abs"}, "x").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->PutObject(Bucket{"../x"}, ObjectKey{"a"}, "x").code(),
            StatusCode::kInvalidArgument);
  EXPECT_FALSE(fs::exists(root_ / "escape"));
}

TEST_F(LocalStoreTest, CheckKeyRefusesWhatTheFileSystemWouldMangleOrRefuse) {
  EXPECT_TRUE(store_->CheckKey(ObjectKey{"inst/orders/2026/p0_o1.txt"}).ok());
  EXPECT_TRUE(store_->CheckKey(ObjectKey{std::string(250, 'a')}).ok());
  for (const std::string& key :
       {std::string("a//b"), std::string("a/./b"), std::string("a/\n/b"), std::string("a\0b", 3),
        std::string(251, 'a'),  // + ".meta" > NAME_MAX
        std::string("a/.k2c-meta/b"), std::string("a/")}) {
    Status s = store_->CheckKey(ObjectKey{key});
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << key;
  }
  // Every call that takes a key applies it: a long segment used to fail
  // with ENAMETOOLONG (an IOError, retried forever).
  ASSERT_TRUE(store_->CreateBucket(bucket_).ok());
  EXPECT_EQ(store_->PutObject(bucket_, ObjectKey{"a/" + std::string(300, 'b')}, "x").code(),
            StatusCode::kInvalidArgument);
}

TEST_F(LocalStoreTest, ObjectsAndDirectoriesArePrivate) {
  // Issue 11: the store promises private objects; they were 0644.
  ASSERT_TRUE(store_->CreateBucket(bucket_).ok());
  WriteOptions with_metadata;
  with_metadata.metadata = {{"kafka2cos-writer", "w"}};
  ASSERT_TRUE(
      store_->PutObject(bucket_, ObjectKey{"inst/orders/2026/obj.txt"}, "x", with_metadata).ok());
  auto id = store_->CreateMultipart(bucket_, ObjectKey{"inst/orders/2026/big.txt"});
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(store_->UploadPart(bucket_, ObjectKey{"inst/orders/2026/big.txt"}, *id, 1, "y").ok());
  for (const auto& entry : fs::recursive_directory_iterator(root_)) {
    const auto perms = entry.status().permissions() & fs::perms::all;
    if (entry.is_directory()) {
      EXPECT_EQ(perms, fs::perms::owner_all) << entry.path();
    } else {
      EXPECT_EQ(perms, fs::perms::owner_read | fs::perms::owner_write) << entry.path();
    }
  }
}

TEST_F(LocalStoreTest, CreateOnlyPublishLetsTheFirstWriterWinAndKeepsItsMetadata) {
  ASSERT_TRUE(store_->CreateBucket(bucket_).ok());
  const ObjectKey key{"t/obj.txt"};
  WriteOptions first;
  first.if_absent = true;
  first.metadata = {{"kafka2cos-first-offset", "0"}, {"kafka2cos-last-offset", "9"}};
  ASSERT_TRUE(store_->PutObject(bucket_, key, "winner", first).ok());
  WriteOptions second = first;
  second.metadata["kafka2cos-last-offset"] = "3";
  EXPECT_EQ(store_->PutObject(bucket_, key, "late", second).code(), StatusCode::kAlreadyExists);
  auto id = store_->CreateMultipart(bucket_, key, second);
  ASSERT_TRUE(id.ok());
  auto etag = store_->UploadPart(bucket_, key, *id, 1, "late part");
  ASSERT_TRUE(etag.ok());
  EXPECT_EQ(store_->CompleteMultipart(bucket_, key, *id, {{1, *etag}}, second).code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->GetObject(bucket_, key).value(), "winner");
  auto head = store_->HeadObject(bucket_, key);
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->size, 6u);
  EXPECT_EQ(head->metadata.at("kafka2cos-last-offset"), "9");
  // Sidecars are not objects.
  auto page = store_->ListObjects(bucket_, "", "");
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].key.value, key.value);
  EXPECT_EQ(store_->HeadObject(bucket_, ObjectKey{"t/none"}).status().code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace k2c
