// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

// The POSIX file operations of the local store and its multipart uploads:
// whole writes and reads that retry EINTR and short counts, in-kernel copies,
// and durable directories. Every failure is an IOError naming the path.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <string_view>

#include "common/status.h"

namespace k2c {

// The store promises private objects: only the worker's user may read them.
inline constexpr mode_t kPrivateFileMode = 0600;
inline constexpr mode_t kPrivateDirMode = 0700;

// IOError "<what>: <strerror(err)>".
Status ErrnoStatus(const std::string& what, int err);

// Writes all `len` bytes at `data` to `fd` (at its file offset, or at
// `offset` for PWriteAll); `path` names it in errors.
Status WriteAll(int fd, const char* data, size_t len, const std::filesystem::path& path);
Status PWriteAll(int fd, const char* data, size_t len, uint64_t offset,
                 const std::filesystem::path& path);

// Writes `body` to `path` (created private or truncated); if `durable`,
// fsyncs it before returning.
Status WriteFile(const std::filesystem::path& path, std::string_view body, bool durable);

// The whole file; NotFound if it cannot be opened.
Result<std::string> ReadFile(const std::filesystem::path& path);

// Up to `length` bytes at `offset` of the regular file open as `fd`, whose
// size is `size`; fewer if the file is shorter than `size` said.
Result<std::string> ReadRange(int fd, const std::filesystem::path& path, uint64_t size,
                              uint64_t offset, uint64_t length);

inline constexpr uint64_t kToEndOfFile = std::numeric_limits<uint64_t>::max();

// Appends `length` bytes of `from` starting at `offset` (kToEndOfFile: all
// that follows it) to `out_fd` at its file offset. The copy stays in the
// kernel (copy_file_range) where the file system allows, so assembling an
// object does not pull its bytes through user space. IOError if `from` ends
// before `length` bytes.
Status CopyRange(const std::filesystem::path& from, uint64_t offset, uint64_t length, int out_fd,
                 const std::filesystem::path& out_path);

// fsyncs the directory, so names created or removed in it survive a crash.
Status SyncDirectory(const std::filesystem::path& dir);

// Creates `dir` and its missing parents, private, and fsyncs the parent of
// each one it creates, so that a file published into a new directory keeps
// its path after a crash.
Status MakeDirectories(const std::filesystem::path& dir);

}  // namespace k2c
