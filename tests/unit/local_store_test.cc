// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "storage/local_store.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <vector>

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

TEST_F(LocalStoreTest, BucketsAreTheDirectoriesWithBucketNames) {
  ASSERT_TRUE(store_->CreateBucket(Bucket{"logs"}).ok());
  ASSERT_TRUE(store_->CreateBucket(bucket_).ok());
  fs::create_directories(root_ / "Not_A_Bucket");
  fs::create_directories(root_ / ".hidden");
  std::ofstream(root_ / "file-not-dir") << "x";
  auto names = store_->ListBuckets();
  ASSERT_TRUE(names.ok()) << names.status().ToString();
  EXPECT_EQ(*names, (std::vector<std::string>{"archive", "logs"}));
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

TEST_F(LocalStoreTest, GetObjectRangeReadsTheBytesAskedFor) {
  ASSERT_TRUE(store_->CreateBucket(bucket_).ok());
  const ObjectKey digits{"d/digits"};
  ASSERT_TRUE(store_->PutObject(bucket_, digits, "0123456789").ok());
  ASSERT_TRUE(store_->PutObject(bucket_, ObjectKey{"d/empty"}, "").ok());
  const uint64_t kAll = std::numeric_limits<uint64_t>::max();
  struct Case {
    uint64_t offset, length;
    std::string want;
  };
  for (const Case& c : std::vector<Case>{{0, 3, "012"},
                                         {9, 1, "9"},   // The last byte.
                                         {8, 5, "89"},  // Crossing the end.
                                         {0, 10, "0123456789"},
                                         {4, 0, ""},
                                         {10, 1, ""},   // At the end.
                                         {100, 5, ""},  // Past it.
                                         {kAll, kAll, ""},
                                         {5, kAll, "56789"}}) {
    Result<std::string> got = store_->GetObjectRange(bucket_, digits, c.offset, c.length);
    ASSERT_TRUE(got.ok()) << c.offset << "+" << c.length << ": " << got.status().ToString();
    EXPECT_EQ(*got, c.want) << c.offset << "+" << c.length;
  }
  EXPECT_EQ(store_->GetObjectRange(bucket_, ObjectKey{"d/empty"}, 0, 1).value(), "");
  // Absent, whatever the range; a directory is no object either.
  for (const char* key : {"d/absent", "absent/x", "d/digits/x", "d"}) {
    for (const uint64_t length : {uint64_t{0}, uint64_t{4}}) {
      EXPECT_EQ(store_->GetObjectRange(bucket_, ObjectKey{key}, 0, length).status().code(),
                StatusCode::kNotFound)
          << key;
    }
  }
  EXPECT_EQ(store_->GetObjectRange(bucket_, ObjectKey{"../x"}, 0, 1).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(LocalStoreTest, GetObjectRangeReadsOnlyTheRangeOfAHugeObject) {
  // An 8 GiB sparse object: reading all of it would take seconds and 8 GiB of
  // memory, so this passes only if just the range is read.
  ASSERT_TRUE(store_->CreateBucket(bucket_).ok());
  ASSERT_TRUE(store_->PutObject(bucket_, ObjectKey{"huge"}, "").ok());
  const fs::path path = root_ / "archive" / "huge";
  const uint64_t size = 8ull << 30;
  const uint64_t mark = 5ull << 30;
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(mark));
    f.write("marker", 6);
  }
  fs::resize_file(path, size);
  EXPECT_EQ(store_->GetObjectRange(bucket_, ObjectKey{"huge"}, mark - 2, 10).value(),
            std::string("\0\0marker\0\0", 10));
  EXPECT_EQ(store_->GetObjectRange(bucket_, ObjectKey{"huge"}, size - 1, 100).value(),
            std::string(1, '\0'));
  EXPECT_EQ(store_->HeadObject(bucket_, ObjectKey{"huge"})->size, size);
}

TEST_F(LocalStoreTest, PresignGetUrlIsRefusedWithAHint) {
  ASSERT_TRUE(store_->CreateBucket(bucket_).ok());
  ASSERT_TRUE(store_->PutObject(bucket_, ObjectKey{"k"}, "x").ok());
  const Status s =
      store_->PresignGetUrl(bucket_, ObjectKey{"k"}, std::chrono::seconds(60)).status();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  EXPECT_NE(s.message().find("download the object through the API"), std::string::npos)
      << s.ToString();
}

TEST_F(LocalStoreTest, ListObjectsOrdersKeysAsWholeStrings) {
  ASSERT_TRUE(store_->CreateBucket(bucket_).ok());
  for (const std::string key : {"a0", "a/x", "a-b", "a/x-y/z", "a/x.y", "b"}) {
    ASSERT_TRUE(store_->PutObject(bucket_, ObjectKey{key}, key).ok());
  }
  WriteOptions with_metadata;
  with_metadata.metadata = {{"m", "v"}};
  ASSERT_TRUE(store_->PutObject(bucket_, ObjectKey{"a/m"}, "x", with_metadata).ok());
  // A directory named like the store's own, deeper down, is skipped as well.
  fs::create_directories(root_ / "archive" / "a" / LocalStore::kTempDir);
  std::ofstream(root_ / "archive" / "a" / LocalStore::kTempDir / "junk") << "junk";
  auto page = store_->ListObjects(bucket_, "", "");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  std::vector<std::string> keys;
  for (const ObjectInfo& o : page->objects) keys.push_back(o.key.value);
  // '-' (0x2D) < '.' (0x2E) < '/' (0x2F) < '0' (0x30).
  EXPECT_EQ(keys, (std::vector<std::string>{"a-b", "a/m", "a/x", "a/x-y/z", "a/x.y", "a0", "b"}));
  EXPECT_EQ(page->objects[3].size, 7u);
  EXPECT_EQ(page->next_token, "");
}

// "key(size),key(size),... | next_token", for readable comparisons.
std::string Describe(const ListPage& page) {
  std::string out;
  for (const ObjectInfo& o : page.objects) {
    out += o.key.value + "(" + std::to_string(o.size) + "),";
  }
  return out + " | " + page.next_token;
}

TEST_F(LocalStoreTest, ListObjectsListsALinkToAFileUnderItsOwnKey) {
  // The store makes no links, but an operator might. The whole-tree walk
  // before the pruned one named a link by its resolved target (fs::relative
  // resolves links), listing the target twice, or under "../" when the link
  // left the bucket. Its own key is what GetObject reads it by.
  ASSERT_TRUE(store_->CreateBucket(bucket_).ok());
  ASSERT_TRUE(store_->PutObject(bucket_, ObjectKey{"d/target"}, "abc").ok());
  const fs::path dir = root_ / "archive";
  fs::create_symlink(dir / "d" / "target", dir / "link");
  fs::create_directory_symlink(dir / "d", dir / "dir-link");  // Not followed, not listed.
  auto page = store_->ListObjects(bucket_, "", "");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(Describe(*page), "d/target(3),link(3), | ");
  EXPECT_EQ(store_->GetObject(bucket_, ObjectKey{"link"}).value(), "abc");
}

// ListObjects as it was before it pruned its walk, the reference the pruned
// walk must agree with: the whole tree walked (WalkWholeTree), then filtered,
// sorted and cut (ReferenceList). Split in two only so that a test can walk
// an unchanging tree once for many listings.
std::vector<ObjectInfo> WalkWholeTree(const fs::path& dir) {
  std::vector<ObjectInfo> all;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory() && (it->path().filename() == LocalStore::kTempDir ||
                               it->path().filename() == LocalStore::kMetaDir)) {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file()) continue;
    std::string key = fs::relative(it->path(), dir).generic_string();
    all.push_back(ObjectInfo{ObjectKey{std::move(key)}, it->file_size(), ""});
  }
  EXPECT_FALSE(ec) << ec.message();
  return all;
}

ListPage ReferenceList(const std::vector<ObjectInfo>& tree, const std::string& prefix,
                       const std::string& continuation_token, size_t page_size) {
  std::vector<ObjectInfo> all;
  for (const ObjectInfo& o : tree) {
    const std::string& key = o.key.value;
    if (key.compare(0, prefix.size(), prefix) != 0) continue;
    if (!continuation_token.empty() && key <= continuation_token) continue;
    all.push_back(o);
  }
  std::sort(all.begin(), all.end(),
            [](const ObjectInfo& a, const ObjectInfo& b) { return a.key.value < b.key.value; });
  ListPage page;
  if (all.size() > page_size) {
    all.resize(page_size);
    page.next_token = all.back().key.value;
  }
  page.objects = std::move(all);
  return page;
}

TEST_F(LocalStoreTest, PrunedListingMatchesTheWholeTreeWalkOnARandomTree) {
  constexpr size_t kPageSize = 7;
  store_ = std::make_unique<LocalStore>(root_, LocalStore::Options{.list_page_size = kPageSize});
  ASSERT_TRUE(store_->CreateBucket(bucket_).ok());
  const fs::path dir = root_ / "archive";
  std::mt19937 rng(20260102);  // Fixed: a failure reproduces.
  const auto pick = [&rng](size_t n) {
    return std::uniform_int_distribution<size_t>(0, n - 1)(rng);
  };
  // Few, similar names, so that siblings differ in the characters that sort
  // around '/' ('-' '.' < '/' < '0').
  const auto name = [&] {
    static constexpr char kChars[] = {'a', '-', '.', '0', 'b'};
    std::string n;
    do {
      n.clear();
      for (size_t len = 1 + pick(3); n.size() < len;) n.push_back(kChars[pick(sizeof(kChars))]);
    } while (n == "." || n == "..");
    return n;
  };
  std::vector<std::string> keys;
  for (int i = 0; keys.size() < 300 && i < 5000; ++i) {
    std::string key = name();
    for (size_t depth = pick(4); depth > 0; --depth) key = name() + "/" + key;
    // A file cannot be where a directory is, nor below a file.
    std::error_code ec;
    fs::path p = dir;
    bool clash = fs::exists(dir / key, ec);
    const std::string parent =
        key.substr(0, key.rfind('/') == std::string::npos ? 0 : key.rfind('/'));
    for (const auto& part : fs::path(parent)) {
      p /= part;
      clash = clash || (fs::exists(p, ec) && !fs::is_directory(p, ec));
    }
    if (clash) continue;
    fs::create_directories((dir / key).parent_path());
    std::ofstream(dir / key) << std::string(pick(5), 'x');
    keys.push_back(key);
  }
  ASSERT_GE(keys.size(), 250u);
  // What the walk must skip as the old one did: the store's own directories
  // (at the top and deeper) and a link to a directory. (A link to a file is
  // left out: the old walk listed it under its target's key, see
  // ListObjectsListsALinkToAFileUnderItsOwnKey.)
  ASSERT_TRUE(
      store_->PutObject(bucket_, ObjectKey{"meta/with-meta"}, "m", {.metadata = {{"k", "v"}}})
          .ok());
  keys.push_back("meta/with-meta");
  fs::create_directories(dir / "meta" / LocalStore::kMetaDir);
  std::ofstream(dir / "meta" / LocalStore::kMetaDir / "hidden") << "h";
  std::ofstream(dir / LocalStore::kTempDir / "tmp") << "t";
  fs::create_directory_symlink(dir / "meta", dir / "a.link");

  std::vector<std::string> prefixes = {"",
                                       "a",
                                       "a/",
                                       "a-",
                                       "a.",
                                       "a0",
                                       "zz",
                                       "zz/",
                                       "a/zz/",
                                       "a//",
                                       "./",
                                       "../",
                                       "/",
                                       "a.link/",
                                       "b.link",
                                       ".k2c-tmp/",
                                       ".k2c-meta/",
                                       "meta/.k2c-meta/",
                                       "meta/with-meta",
                                       "meta/with-meta/"};
  for (int i = 0; i < 25; ++i) {
    const std::string& key = keys[pick(keys.size())];
    for (size_t cut = 1; cut < key.size(); ++cut) prefixes.push_back(key.substr(0, cut));
    prefixes.push_back(key);
    prefixes.push_back(key + "/");
  }
  std::sort(prefixes.begin(), prefixes.end());
  prefixes.erase(std::unique(prefixes.begin(), prefixes.end()), prefixes.end());

  const std::vector<ObjectInfo> tree = WalkWholeTree(dir);
  size_t pages = 0;
  for (const std::string& prefix : prefixes) {
    std::string token;
    do {
      auto page = store_->ListObjects(bucket_, prefix, token);
      ASSERT_TRUE(page.ok()) << page.status().ToString();
      ASSERT_EQ(Describe(*page), Describe(ReferenceList(tree, prefix, token, kPageSize)))
          << "prefix '" << prefix << "' token '" << token << "'";
      token = page->next_token;
      ++pages;
    } while (!token.empty());
  }
  // Tokens no page handed out: any string is a position in key order.
  for (int i = 0; i < 200; ++i) {
    const std::string& prefix = prefixes[pick(prefixes.size())];
    std::string token = keys[pick(keys.size())];
    token.resize(pick(token.size() + 2), "/-0"[pick(3)]);
    auto page = store_->ListObjects(bucket_, prefix, token);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    ASSERT_EQ(Describe(*page), Describe(ReferenceList(tree, prefix, token, kPageSize)))
        << "prefix '" << prefix << "' token '" << token << "'";
  }
  EXPECT_GT(pages, prefixes.size());  // Paging was exercised, not just single pages.
}

TEST_F(LocalStoreTest, AListingPageCostsWhatItsKeysNeedNotTheBucket) {
  store_ = std::make_unique<LocalStore>(root_, LocalStore::Options{.list_page_size = 5});
  ASSERT_TRUE(store_->CreateBucket(bucket_).ok());
  const fs::path dir = root_ / "archive";
  // `top`/00..19/f0..f9: 200 objects; written directly, fsyncs are not the point.
  constexpr uint64_t kDirs = 20, kFiles = 10;
  const auto grow = [&dir](const std::string& top) {
    for (uint64_t d = 0; d < kDirs; ++d) {
      const fs::path sub = dir / top / fmt::format("{:02d}", d);
      fs::create_directories(sub);
      for (uint64_t f = 0; f < kFiles; ++f) std::ofstream(sub / fmt::format("f{}", f)) << "x";
    }
  };
  grow("m");
  // The entries one listing reads, and its page.
  const auto cost = [this](const std::string& prefix, const std::string& token) {
    const uint64_t before = store_->list_entries_read();
    auto page = store_->ListObjects(bucket_, prefix, token);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return std::make_pair(store_->list_entries_read() - before, Describe(*page));
  };
  struct Probe {
    std::string prefix, token;
    uint64_t entries;  // What the page has to read.
  };
  const uint64_t root = 2;  // m and the store's temp directory.
  const std::vector<Probe> probes = {
      {"m/17/", "", kFiles},                        // One directory.
      {"m/17/f", "", kFiles},                       // Mid-name: the same.
      {"", "", root + kDirs + kFiles},              // The first page: root, m, m/00.
      {"", "m/12/f3", root + kDirs + kFiles},       // Mid-bucket: root, m, m/12 only.
      {"m/", "m/19/f8", kDirs + kFiles},            // The last page: m, m/19.
      {"m/1", "m/11/f9", kDirs + kFiles + kFiles},  // m, m/11 (all <= the token), m/12.
  };
  std::vector<std::pair<uint64_t, std::string>> small;
  for (const Probe& p : probes) {
    small.push_back(cost(p.prefix, p.token));
    EXPECT_EQ(small.back().first, p.entries) << "'" << p.prefix << "' '" << p.token << "'";
  }

  // Four times the objects elsewhere in the bucket, before and after the
  // prefix: the same pages, at the same cost (plus the new root entries).
  for (const std::string top : {"a", "l", "n", "z"}) grow(top);
  for (size_t i = 0; i < probes.size(); ++i) {
    const auto big = cost(probes[i].prefix, probes[i].token);
    const uint64_t new_root_entries = probes[i].prefix.empty() ? 4 : 0;
    EXPECT_EQ(big.first, small[i].first + new_root_entries) << i;
    if (!probes[i].prefix.empty()) {
      EXPECT_EQ(big.second, small[i].second) << i;
    }
  }
}

}  // namespace
}  // namespace k2c
