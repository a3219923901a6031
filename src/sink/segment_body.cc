// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "sink/segment_body.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include "storage/file_io.h"

namespace k2c {
namespace {

// Spilled bodies buffer this much before writing to their file.
constexpr size_t kWriteBuffer = 64 * 1024;

// Spool files are anonymous (O_TMPFILE): errors name the spool's directory.
Status WriteAt(int fd, std::string_view data, uint64_t offset, const Spool* spool) {
  const std::filesystem::path where =
      std::filesystem::path(spool != nullptr ? spool->dir() : "") / "(spool file)";
  return PWriteAll(fd, data.data(), data.size(), offset, where);
}

}  // namespace

SegmentBody::~SegmentBody() { Reset(); }

SegmentBody::SegmentBody(SegmentBody&& other) noexcept { *this = std::move(other); }

SegmentBody& SegmentBody::operator=(SegmentBody&& other) noexcept {
  if (this == &other) return *this;
  Reset();
  budget_ = other.budget_;
  spool_ = other.spool_;
  memory_ = std::move(other.memory_);
  charged_ = std::exchange(other.charged_, 0);
  size_ = std::exchange(other.size_, 0);
  file_bytes_ = std::exchange(other.file_bytes_, 0);
  fd_ = std::exchange(other.fd_, -1);
  reserve_ = other.reserve_;
  other.memory_.clear();
  other.memory_.shrink_to_fit();
  return *this;
}

void SegmentBody::Reset() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
    if (spool_ != nullptr) spool_->Release(file_bytes_);
  }
  if (budget_ != nullptr && charged_ > 0) budget_->Release(charged_);
  charged_ = 0;
  memory_.clear();
  memory_.shrink_to_fit();
  size_ = 0;
  file_bytes_ = 0;
}

void SegmentBody::Recharge() {
  const uint64_t now = memory_.capacity();
  if (budget_ != nullptr) {
    if (now > charged_) budget_->Charge(now - charged_);
    if (now < charged_) budget_->Release(charged_ - now);
  }
  charged_ = now;
}

Status SegmentBody::Append(std::string_view data) {
  if (fd_ >= 0 && memory_.size() + data.size() > kWriteBuffer) {
    K2C_RETURN_IF_ERROR(Flush());
    if (data.size() >= kWriteBuffer) {
      // Large records go straight to the file, never through memory.
      K2C_RETURN_IF_ERROR(WriteAt(fd_, data, file_bytes_, spool_));
      file_bytes_ += data.size();
      size_ += data.size();
      if (spool_ != nullptr) spool_->Charge(data.size());
      return Status::Ok();
    }
  }
  MakeRoom(memory_.size() + data.size());
  memory_.append(data);
  size_ += data.size();
  Recharge();
  return Status::Ok();
}

void SegmentBody::MakeRoom(uint64_t total) {
  if (total <= memory_.capacity() || reserve_ == 0) return;
  // Not earlier than a quarter of the reserve: the budget is charged the
  // whole capacity, and a window that ends just past the mark (many
  // partitions with small windows) should not be charged a full part.
  if (total > reserve_ / 4 && total <= reserve_) memory_.reserve(reserve_);
}

Status SegmentBody::Flush() {
  if (fd_ < 0 || memory_.empty()) return Status::Ok();
  K2C_RETURN_IF_ERROR(WriteAt(fd_, memory_, file_bytes_, spool_));
  file_bytes_ += memory_.size();
  if (spool_ != nullptr) spool_->Charge(memory_.size());
  // Free the buffer, not just empty it: with many spilled bodies, idle
  // write buffers would otherwise add up to partitions x buffer size.
  std::string().swap(memory_);
  Recharge();
  return Status::Ok();
}

Status SegmentBody::Spill() {
  if (fd_ >= 0) return Status::Ok();
  if (spool_ == nullptr) return Status::FailedPrecondition("no spool directory configured");
  fd_ = ::open(spool_->dir().c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    return Status::IOError("create spool file in " + spool_->dir() + ": " + std::strerror(errno));
  }
  return Flush();
}

Result<std::string_view> SegmentBody::Read(uint64_t offset, uint64_t length,
                                           std::string* scratch) const {
  if (offset + length > size_) return Status::Internal("read past the end of a body");
  if (fd_ < 0) return std::string_view(memory_).substr(offset, length);
  if (offset + length > file_bytes_) {
    return Status::Internal("spilled body read before Flush()");
  }
  scratch->resize(length);
  uint64_t done = 0;
  while (done < length) {
    const ssize_t n =
        ::pread(fd_, scratch->data() + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return Status::IOError(std::string("read spool file: ") +
                             (n < 0 ? std::strerror(errno) : "unexpected end"));
    }
    done += static_cast<uint64_t>(n);
  }
  return std::string_view(*scratch);
}

Result<std::string> SegmentBody::ToString() const {
  std::string scratch;
  auto view = Read(0, size_, &scratch);
  if (!view.ok()) return view.status();
  return std::string(*view);
}

}  // namespace k2c
