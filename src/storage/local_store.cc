// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "storage/local_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <vector>

#include "common/log_text.h"
#include "common/random_id.h"
#include "storage/bucket_name.h"
#include "storage/file_io.h"
#include "storage/local_upload.h"

namespace k2c {
namespace fs = std::filesystem;
namespace {

constexpr size_t kMaxNameBytes = 255;  // NAME_MAX of Linux file systems.

// Moves `tmp` to `dest` atomically and makes the move durable. With
// `if_absent`, link(2) instead of rename(2): it never replaces an existing
// name, so AlreadyExists tells the caller someone else published first.
Status Publish(const fs::path& tmp, const fs::path& dest, bool if_absent) {
  K2C_RETURN_IF_ERROR(MakeDirectories(dest.parent_path()));
  if (if_absent) {
    if (::link(tmp.c_str(), dest.c_str()) != 0) {
      if (errno == EEXIST) {
        return Status::AlreadyExists("object " + dest.string() +
                                     " already exists: another writer published it first");
      }
      return ErrnoStatus("link into " + dest.string(), errno);
    }
    ::unlink(tmp.c_str());
  } else if (::rename(tmp.c_str(), dest.c_str()) != 0) {
    return ErrnoStatus("rename into " + dest.string(), errno);
  }
  return SyncDirectory(dest.parent_path());
}

// Metadata sidecars: one "name=value" line per entry (names [a-z0-9-],
// values printable ASCII, so neither holds '=' at the start or a newline).
std::string EncodeMetadata(const ObjectMetadata& metadata) {
  std::string out;
  for (const auto& [name, value] : metadata) out += name + "=" + value + "\n";
  return out;
}

ObjectMetadata DecodeMetadata(std::string_view text) {
  ObjectMetadata metadata;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    const size_t eq = line.find('=');
    if (eq != std::string_view::npos) {
      metadata[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
    }
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return metadata;
}

}  // namespace

LocalStore::LocalStore(fs::path root, Options options)
    : root_(std::move(root)), options_(std::move(options)) {}

Result<fs::path> LocalStore::BucketDir(const Bucket& bucket) const {
  // The S3 rules also keep the name one plain directory name.
  K2C_RETURN_IF_ERROR(ValidateBucketName(bucket.name));
  return root_ / bucket.name;
}

Result<fs::path> LocalStore::ObjectPath(const Bucket& bucket, const ObjectKey& key) const {
  auto dir = BucketDir(bucket);
  if (!dir.ok()) return dir.status();
  K2C_RETURN_IF_ERROR(CheckKey(key));
  return *dir / key.value;
}

Status LocalStore::CheckKey(const ObjectKey& key) const {
  const std::string& k = key.value;
  if (k.empty() || k.front() == '/' || k.back() == '/') {
    return Status::InvalidArgument("object key '" + k +
                                   "' must not be empty or start or end with '/' in the local "
                                   "store");
  }
  if (HasControlChar(k)) {
    return Status::InvalidArgument("object keys in the local store have no control characters");
  }
  size_t start = 0;
  while (start <= k.size()) {
    size_t end = k.find('/', start);
    if (end == std::string::npos) end = k.size();
    const std::string_view part(k.data() + start, end - start);
    if (part.empty() || part == ".." || part == "." || part == kTempDir || part == kMetaDir) {
      return Status::InvalidArgument("object key '" + k + "' has a forbidden path segment '" +
                                     std::string(part) + "'");
    }
    // The metadata sidecar adds ".meta" to the last segment.
    if (part.size() + 5 > kMaxNameBytes) {
      return Status::InvalidArgument("object key '" + k + "' has a path segment of " +
                                     std::to_string(part.size()) + " bytes; the local store " +
                                     "takes at most " + std::to_string(kMaxNameBytes - 5));
    }
    start = end + 1;
  }
  return Status::Ok();
}

Result<fs::path> LocalStore::MetadataPath(const Bucket& bucket, const ObjectKey& key) const {
  auto path = ObjectPath(bucket, key);
  if (!path.ok()) return path.status();
  return root_ / bucket.name / kMetaDir / (key.value + ".meta");
}

Status LocalStore::PublishFile(const Bucket& bucket, const fs::path& tmp, const fs::path& dest,
                               const ObjectKey& key, const WriteOptions& options) {
  auto meta = MetadataPath(bucket, key);
  if (!meta.ok()) return meta.status();
  K2C_RETURN_IF_ERROR(Publish(tmp, dest, options.if_absent));
  // The object is ours now; its sidecar follows (replacing one left by an
  // object deleted earlier). A crash in between leaves no metadata.
  std::error_code ec;
  if (options.metadata.empty()) {
    fs::remove(*meta, ec);
    return Status::Ok();
  }
  K2C_RETURN_IF_ERROR(MakeDirectories(meta->parent_path()));
  const fs::path meta_tmp = root_ / bucket.name / kTempDir / ("meta-" + RandomHex64());
  Status s = WriteFile(meta_tmp, EncodeMetadata(options.metadata), /*durable=*/true);
  if (s.ok()) s = Publish(meta_tmp, *meta, /*if_absent=*/false);
  if (!s.ok()) fs::remove(meta_tmp, ec);
  return s.WithContext("metadata of " + dest.string());
}

Result<fs::path> LocalStore::UploadDir(const Bucket& bucket, const MultipartId& id) const {
  auto dir = BucketDir(bucket);
  if (!dir.ok()) return dir.status();
  const bool hex = !id.value.empty() && std::all_of(id.value.begin(), id.value.end(), [](char c) {
    return std::isxdigit(static_cast<unsigned char>(c));
  });
  if (!hex) return Status::InvalidArgument("invalid upload id '" + id.value + "'");
  return *dir / kTempDir / ("mpu-" + id.value);
}

Status LocalStore::CreateBucket(const Bucket& bucket) {
  auto dir = BucketDir(bucket);
  if (!dir.ok()) return dir.status();
  return MakeDirectories(*dir / kTempDir).WithContext("create bucket directory");
}

Result<std::vector<std::string>> LocalStore::ListBuckets() {
  std::error_code ec;
  fs::directory_iterator it(root_, ec);
  if (ec) return Status::Unavailable("list " + root_.string() + ": " + ec.message());
  std::vector<std::string> names;
  for (const fs::directory_entry& entry : it) {
    std::error_code dir_ec;
    const std::string name = entry.path().filename().string();
    if (entry.is_directory(dir_ec) && ValidateBucketName(name).ok()) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

Status LocalStore::HeadBucket(const Bucket& bucket) {
  auto dir = BucketDir(bucket);
  if (!dir.ok()) return dir.status();
  std::error_code ec;
  if (!fs::is_directory(*dir, ec)) {
    return Status::NotFound("bucket '" + bucket.name + "' does not exist: no directory " +
                            dir->string());
  }
  if (::access(dir->c_str(), W_OK) != 0) {
    return Status::PermissionDenied("bucket directory " + dir->string() + " is not writable");
  }
  return Status::Ok();
}

Status LocalStore::PutObject(const Bucket& bucket, const ObjectKey& key, std::string_view body,
                             const WriteOptions& options) {
  auto dest = ObjectPath(bucket, key);
  if (!dest.ok()) return dest.status();
  K2C_RETURN_IF_ERROR(HeadBucket(bucket));
  const fs::path tmp_dir = root_ / bucket.name / kTempDir;
  K2C_RETURN_IF_ERROR(MakeDirectories(tmp_dir));
  std::error_code ec;
  const fs::path tmp = tmp_dir / ("put-" + RandomHex64());
  Status s = WriteFile(tmp, body, /*durable=*/true);
  if (s.ok()) s = PublishFile(bucket, tmp, *dest, key, options);
  fs::remove(tmp, ec);  // Left over after a link or a failure.
  return s;
}

Result<MultipartId> LocalStore::CreateMultipart(const Bucket& bucket, const ObjectKey& key,
                                                const WriteOptions& options) {
  auto dest = ObjectPath(bucket, key);
  if (!dest.ok()) return dest.status();
  K2C_RETURN_IF_ERROR(HeadBucket(bucket));
  MultipartId id{RandomHex64()};
  auto dir = UploadDir(bucket, id);
  if (!dir.ok()) return dir.status();
  K2C_RETURN_IF_ERROR(MakeDirectories(*dir));
  // Kept with the upload until Complete publishes it with the object.
  K2C_RETURN_IF_ERROR(
      WriteFile(*dir / "metadata", EncodeMetadata(options.metadata), /*durable=*/false));
  return id;
}

Result<std::string> LocalStore::UploadPart(const Bucket& bucket, const ObjectKey& key,
                                           const MultipartId& id, int number,
                                           std::string_view body) {
  auto dest = ObjectPath(bucket, key);
  if (!dest.ok()) return dest.status();
  if (number < 1 || number > 10000) {
    return Status::InvalidArgument("part number " + std::to_string(number) + " outside 1..10000");
  }
  auto dir = UploadDir(bucket, id);
  if (!dir.ok()) return dir.status();
  std::error_code ec;
  if (!fs::is_directory(*dir, ec)) return Status::NotFound("no such upload " + id.value);
  // Not fsynced: a part only matters once Complete has made the object, and
  // that fsyncs the whole object; after a crash the upload is redone anyway.
  return LocalUpload(*dir).WritePart(number, body);
}

Status LocalStore::CompleteMultipart(const Bucket& bucket, const ObjectKey& key,
                                     const MultipartId& id, const std::vector<CompletedPart>& parts,
                                     const WriteOptions& options) {
  auto dest = ObjectPath(bucket, key);
  if (!dest.ok()) return dest.status();
  auto dir = UploadDir(bucket, id);
  if (!dir.ok()) return dir.status();
  std::error_code ec;
  if (!fs::is_directory(*dir, ec)) return Status::NotFound("no such upload " + id.value);
  auto assembled = LocalUpload(*dir).Assemble(parts);
  if (!assembled.ok()) return assembled.status();
  WriteOptions publish = options;
  auto stored = ReadFile(*dir / "metadata");
  publish.metadata = stored.ok() ? DecodeMetadata(*stored) : ObjectMetadata{};
  // A refused create leaves the upload open, as S3 does: the caller aborts it.
  K2C_RETURN_IF_ERROR(PublishFile(bucket, *assembled, *dest, key, publish));
  fs::remove_all(*dir, ec);
  return Status::Ok();
}

Result<ObjectHead> LocalStore::HeadObject(const Bucket& bucket, const ObjectKey& key) {
  auto path = ObjectPath(bucket, key);
  if (!path.ok()) return path.status();
  std::error_code ec;
  const auto size = fs::file_size(*path, ec);
  if (ec || !fs::is_regular_file(*path, ec)) {
    return Status::NotFound("no object '" + key.value + "' in bucket '" + bucket.name + "'");
  }
  ObjectHead head;
  head.size = size;
  auto meta = MetadataPath(bucket, key);
  if (!meta.ok()) return meta.status();
  auto text = ReadFile(*meta);
  if (text.ok()) head.metadata = DecodeMetadata(*text);
  return head;
}

Status LocalStore::AbortMultipart(const Bucket& bucket, const ObjectKey& /*key*/,
                                  const MultipartId& id) {
  auto dir = UploadDir(bucket, id);
  if (!dir.ok()) return dir.status();
  std::error_code ec;
  fs::remove_all(*dir, ec);
  if (ec) return Status::IOError("remove " + dir->string() + ": " + ec.message());
  return Status::Ok();
}

Result<std::string> LocalStore::GetObject(const Bucket& bucket, const ObjectKey& key) {
  auto path = ObjectPath(bucket, key);
  if (!path.ok()) return path.status();
  std::error_code ec;
  if (!fs::is_regular_file(*path, ec)) {
    return Status::NotFound("no object '" + key.value + "' in bucket '" + bucket.name + "'");
  }
  return ReadFile(*path);
}

Result<std::string> LocalStore::GetObjectRange(const Bucket& bucket, const ObjectKey& key,
                                               uint64_t offset, uint64_t length) {
  auto path = ObjectPath(bucket, key);
  if (!path.ok()) return path.status();
  // O_NONBLOCK: a FIFO at the key must not hang the open; it is no object.
  const int fd = ::open(path->c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      return Status::NotFound("no object '" + key.value + "' in bucket '" + bucket.name + "'");
    }
    return ErrnoStatus("open " + path->string(), errno);
  }
  // Size and bytes both come from the open file, so an object replaced
  // meanwhile is read consistently as it was when opened.
  struct stat st {};
  Result<std::string> out = std::string();
  if (::fstat(fd, &st) != 0) {
    out = ErrnoStatus("stat " + path->string(), errno);
  } else if (!S_ISREG(st.st_mode)) {
    out = Status::NotFound("no object '" + key.value + "' in bucket '" + bucket.name + "'");
  } else {
    out = ReadRange(fd, *path, static_cast<uint64_t>(st.st_size), offset, length);
  }
  ::close(fd);
  return out;
}

Status LocalStore::DeleteObject(const Bucket& bucket, const ObjectKey& key) {
  auto path = ObjectPath(bucket, key);
  if (!path.ok()) return path.status();
  std::error_code ec;
  fs::remove(*path, ec);
  if (ec) return Status::IOError("delete " + path->string() + ": " + ec.message());
  auto meta = MetadataPath(bucket, key);
  if (meta.ok()) fs::remove(*meta, ec);
  return Status::Ok();
}

Status LocalStore::ListInto(const fs::path& dir, const std::string& dir_key,
                            const std::string& prefix, const std::string& token, size_t limit,
                            std::vector<ObjectInfo>* out) {
  // Keys sort as whole strings, so among its siblings a directory "a" holds
  // the keys starting "a/": it sorts as "a/" (the file "a-b" < "a/x" < "a0").
  // A file has no '/' and a directory has no file of its own name beside it,
  // so sorting siblings by these names orders all their keys.
  struct Entry {
    std::string sort_name;  // The name, plus '/' for a directory.
    bool directory = false;
    fs::directory_entry entry;
  };
  std::vector<Entry> entries;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    list_entries_read_.fetch_add(1, std::memory_order_relaxed);
    std::string name = it->path().filename().string();
    // Classified as the whole-tree walk did (recursive_directory_iterator):
    // the hidden directories are skipped at any depth, a symbolic link to a
    // directory is neither followed nor listed, one to a file is listed.
    std::error_code type_ec;
    const bool directory = it->is_directory(type_ec);
    if (directory && (name == kTempDir || name == kMetaDir)) continue;
    const bool descend = directory && !it->is_symlink(type_ec);
    if (!descend && (directory || !it->is_regular_file(type_ec))) continue;
    if (descend) name.push_back('/');
    // Every key below the entry starts with `key` (a file's key is `key`).
    const std::string key = dir_key + name;
    const bool matches_prefix = key.starts_with(prefix) || (descend && prefix.starts_with(key));
    if (!matches_prefix) continue;
    // Keys sorting at or before the token: none below a directory that sorts
    // before the token without being a prefix of it.
    if (!token.empty() && key <= token && !(descend && token.starts_with(key))) continue;
    entries.push_back(Entry{std::move(name), descend, *it});
  }
  if (ec) return Status::IOError("list " + dir.string() + ": " + ec.message());
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.sort_name < b.sort_name; });
  for (Entry& e : entries) {
    if (out->size() >= limit) break;
    std::string key = dir_key + e.sort_name;
    if (e.directory) {
      K2C_RETURN_IF_ERROR(ListInto(e.entry.path(), key, prefix, token, limit, out));
      continue;
    }
    std::error_code size_ec;
    const uintmax_t size = e.entry.file_size(size_ec);
    if (size_ec) continue;  // Deleted since it was read: no longer an object.
    out->push_back(ObjectInfo{ObjectKey{std::move(key)}, size, ""});
  }
  return Status::Ok();
}

Result<ListPage> LocalStore::ListObjects(const Bucket& bucket, const std::string& prefix,
                                         const std::string& continuation_token) {
  auto dir = BucketDir(bucket);
  if (!dir.ok()) return dir.status();
  K2C_RETURN_IF_ERROR(HeadBucket(bucket));
  ListPage page;
  // Start in the deepest directory the prefix names ("a/b/" for "a/b/c"). A
  // segment that no key can have (empty, ".", "..", a hidden directory), or a
  // directory that is not there, leaves nothing to list.
  const size_t last_slash = prefix.rfind('/');
  const std::string start_key =
      last_slash == std::string::npos ? "" : prefix.substr(0, last_slash + 1);
  fs::path start = *dir;
  for (size_t pos = 0; pos < start_key.size();) {
    const size_t slash = start_key.find('/', pos);
    const std::string segment = start_key.substr(pos, slash - pos);
    if (segment.empty() || segment == "." || segment == ".." || segment == kTempDir ||
        segment == kMetaDir) {
      return page;
    }
    start /= segment;
    std::error_code ec;
    if (!fs::is_directory(fs::symlink_status(start, ec))) return page;
    pos = slash + 1;
  }
  const size_t page_size = std::max<size_t>(options_.list_page_size, 1);
  std::vector<ObjectInfo> found;
  K2C_RETURN_IF_ERROR(
      ListInto(start, start_key, prefix, continuation_token, page_size + 1, &found));
  if (found.size() > page_size) {
    found.resize(page_size);
    page.next_token = found.back().key.value;
  }
  page.objects = std::move(found);
  return page;
}

Status LocalStore::EnsureBucket(const Bucket& bucket) { return CreateBucket(bucket); }

}  // namespace k2c
