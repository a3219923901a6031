// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "storage/local_upload.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>

#include "storage/file_io.h"

namespace k2c {
namespace fs = std::filesystem;
namespace {

constexpr const char* kDataFile = "data";
constexpr const char* kCompleteFile = "complete";

std::string PartETag(int number, uint64_t size) {
  return fmt::format("part-{:05d}-{}", number, size);
}

}  // namespace

fs::path LocalUpload::SpanPath(int number) const { return dir_ / fmt::format("at-{:05d}", number); }

fs::path LocalUpload::OwnPath(int number) const {
  return dir_ / fmt::format("part-{:05d}", number);
}

std::optional<LocalUpload::Span> LocalUpload::ReadSpan(int number) const {
  auto text = ReadFile(SpanPath(number));
  if (!text.ok()) return std::nullopt;
  // A claim whose writer has not finished (or failed) is empty: not a span.
  unsigned long long offset = 0, size = 0;
  char end = 0;
  if (std::sscanf(text->c_str(), "%llu %llu%c", &offset, &size, &end) != 3 || end != '\n') {
    return std::nullopt;
  }
  return Span{offset, size};
}

Status LocalUpload::WriteInPlace(int span_fd, const fs::path& span_path, uint64_t offset,
                                 std::string_view body) {
  const fs::path data = dir_ / kDataFile;
  const int fd = ::open(data.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, kPrivateFileMode);
  if (fd < 0) return ErrnoStatus("open " + data.string(), errno);
  Status s = PWriteAll(fd, body.data(), body.size(), offset, data);
  if (::close(fd) != 0 && s.ok()) s = ErrnoStatus("close " + data.string(), errno);
  K2C_RETURN_IF_ERROR(s);
  const std::string span = fmt::format("{} {}\n", offset, body.size());
  return WriteAll(span_fd, span.data(), span.size(), span_path);
}

Result<std::string> LocalUpload::WritePart(int number, std::string_view body) {
  std::optional<uint64_t> at;
  if (number == 1) {
    at = 0;
  } else if (auto previous = ReadSpan(number - 1)) {
    at = previous->offset + previous->size;
  }
  std::error_code ec;
  if (at && !fs::exists(OwnPath(number), ec)) {
    const fs::path span = SpanPath(number);
    const int claim =
        ::open(span.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, kPrivateFileMode);
    if (claim >= 0) {
      Status s = WriteInPlace(claim, span, *at, body);
      if (::close(claim) != 0 && s.ok()) s = ErrnoStatus("close " + span.string(), errno);
      if (!s.ok()) {
        fs::remove(span, ec);
        return s;
      }
      return PartETag(number, body.size());
    }
    if (errno != EEXIST) return ErrnoStatus("create " + span.string(), errno);
    // Sent before: this copy replaces the one in place, in a file of its own.
  }
  // The span goes first, so a crash between the two leaves no stale part.
  fs::remove(SpanPath(number), ec);
  K2C_RETURN_IF_ERROR(WriteFile(OwnPath(number), body, /*durable=*/false));
  return PartETag(number, body.size());
}

Result<fs::path> LocalUpload::Assemble(const std::vector<CompletedPart>& parts) {
  struct Source {
    fs::path file;
    uint64_t offset = 0;
    uint64_t size = kToEndOfFile;
  };
  std::vector<Source> sources;
  bool in_order = !parts.empty();
  uint64_t end = 0;
  std::error_code ec;
  for (const CompletedPart& part : parts) {
    const fs::path own = OwnPath(part.number);
    if (fs::is_regular_file(own, ec)) {
      sources.push_back(Source{own});
      in_order = false;
    } else if (auto span = ReadSpan(part.number)) {
      sources.push_back(Source{dir_ / kDataFile, span->offset, span->size});
      in_order = in_order && span->offset == end;
      end += span->size;
    } else {
      return Status::InvalidArgument("upload " + dir_.filename().string() + " has no part " +
                                     std::to_string(part.number));
    }
  }
  const fs::path data = dir_ / kDataFile;
  if (in_order) {
    // Parts sent after the last one listed would be published too: then copy.
    const int fd = ::open(data.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("open " + data.string(), errno);
    struct stat st {};
    Status s;
    if (::fstat(fd, &st) != 0) s = ErrnoStatus("stat " + data.string(), errno);
    const bool exact = s.ok() && static_cast<uint64_t>(st.st_size) == end;
    if (exact && ::fsync(fd) != 0) s = ErrnoStatus("fsync " + data.string(), errno);
    ::close(fd);
    K2C_RETURN_IF_ERROR(s);
    if (exact) return data;
  }
  const fs::path complete = dir_ / kCompleteFile;
  const int out =
      ::open(complete.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, kPrivateFileMode);
  if (out < 0) return ErrnoStatus("open " + complete.string(), errno);
  Status s;
  for (const Source& source : sources) {
    s = CopyRange(source.file, source.offset, source.size, out, complete);
    if (!s.ok()) break;
  }
  if (s.ok() && ::fsync(out) != 0) s = ErrnoStatus("fsync " + complete.string(), errno);
  if (::close(out) != 0 && s.ok()) s = ErrnoStatus("close " + complete.string(), errno);
  if (!s.ok()) {
    fs::remove(complete, ec);
    return s;
  }
  return complete;
}

}  // namespace k2c
