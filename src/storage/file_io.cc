// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "storage/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

namespace k2c {
namespace fs = std::filesystem;

Status ErrnoStatus(const std::string& what, int err) {
  return Status::IOError(what + ": " + std::strerror(err));
}

Status WriteAll(int fd, const char* data, size_t len, const fs::path& path) {
  size_t done = 0;
  while (done < len) {
    const ssize_t n = ::write(fd, data + done, len - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("write " + path.string(), errno);
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status WriteFile(const fs::path& path, std::string_view body, bool durable) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, kPrivateFileMode);
  if (fd < 0) return ErrnoStatus("open " + path.string(), errno);
  Status s = WriteAll(fd, body.data(), body.size(), path);
  if (s.ok() && durable && ::fsync(fd) != 0) s = ErrnoStatus("fsync " + path.string(), errno);
  if (::close(fd) != 0 && s.ok()) s = ErrnoStatus("close " + path.string(), errno);
  return s;
}

Status SyncDirectory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open directory " + dir.string(), errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return ErrnoStatus("fsync directory " + dir.string(), err);
  return Status::Ok();
}

Status MakeDirectories(const fs::path& dir) {
  std::vector<fs::path> missing;
  std::error_code ec;
  for (fs::path p = dir; !p.empty() && !fs::exists(p, ec); p = p.parent_path()) {
    missing.push_back(p);
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), kPrivateDirMode) != 0 && errno != EEXIST) {
      return ErrnoStatus("create directory " + it->string(), errno);
    }
    K2C_RETURN_IF_ERROR(SyncDirectory(it->has_parent_path() ? it->parent_path() : "."));
  }
  return Status::Ok();
}

Status PWriteAll(int fd, const char* data, size_t len, uint64_t offset, const fs::path& path) {
  size_t done = 0;
  while (done < len) {
    const ssize_t n = ::pwrite(fd, data + done, len - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("write " + path.string(), errno);
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status CopyRange(const fs::path& from, uint64_t offset, uint64_t length, int out_fd,
                 const fs::path& out_path) {
  const int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return ErrnoStatus("open " + from.string(), errno);
  Status s;
  off_t pos = static_cast<off_t>(offset);
  uint64_t left = length;
  bool in_kernel = true;
  std::string buffer;
  while (s.ok() && left > 0) {
    const size_t chunk = static_cast<size_t>(std::min<uint64_t>(left, 1 << 30));
    if (in_kernel) {
      const ssize_t n = ::copy_file_range(in, &pos, out_fd, nullptr, chunk, 0);
      if (n > 0) {
        if (left != kToEndOfFile) left -= static_cast<uint64_t>(n);
        continue;
      }
      if (n == 0) break;
      if (errno == EINTR) continue;
      if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP) {
        s = ErrnoStatus("copy " + from.string() + " to " + out_path.string(), errno);
        break;
      }
      in_kernel = false;  // Not supported here: read and write instead.
      buffer.resize(1 << 16);
    }
    const ssize_t n = ::pread(in, buffer.data(), std::min(chunk, buffer.size()), pos);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      s = ErrnoStatus("read " + from.string(), errno);
      break;
    }
    pos += n;
    if (left != kToEndOfFile) left -= static_cast<uint64_t>(n);
    s = WriteAll(out_fd, buffer.data(), static_cast<size_t>(n), out_path);
  }
  ::close(in);
  if (s.ok() && length != kToEndOfFile && left > 0) {
    s = Status::IOError(from.string() + " ended " + std::to_string(left) +
                        " bytes before the range copied from it");
  }
  return s;
}

Result<std::string> ReadRange(int fd, const fs::path& path, uint64_t size, uint64_t offset,
                              uint64_t length) {
  if (offset >= size || length == 0) return std::string();
  std::string out(static_cast<size_t>(std::min(length, size - offset)), '\0');
  size_t done = 0;
  while (done < out.size()) {
    const ssize_t n =
        ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("read " + path.string(), errno);
    }
    // The store replaces objects by rename and never truncates one, so this
    // is a file changed behind its back: give what is there.
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  out.resize(done);
  return out;
}

Result<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("no object at " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status::IOError("read " + path.string());
  return ss.str();
}

}  // namespace k2c
