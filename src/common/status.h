// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace k2c {

// What the caller should do about an error. Each code maps to one action so
// that retry decisions are made by looking at the code, never at the message.
enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // Caller's input is wrong; fix it, do not retry.
  kNotFound,            // Object, bucket or topic is absent.
  kPermissionDenied,    // Credentials valid but not allowed; retry after access is fixed.
  kUnauthenticated,     // Credentials rejected (bad key or signature).
  kUnavailable,         // Transient: 5xx, reset, refused. Retry with backoff.
  kThrottled,           // Server asked us to slow down (SlowDown, 503). Back off harder.
  kDeadlineExceeded,    // Timed out; the write may or may not have happened.
  kFailedPrecondition,  // State must change before the call can succeed.
  kIOError,             // Local file system error.
  kInternal,            // A bug or an unexpected response.
  kCancelled,           // Shutdown in progress; never retried.
  kAlreadyExists,       // A create-only write found the object there; never retried:
                        // someone else published first (adopt, docs/design.md).
  kDataLoss,            // Stored data is truncated or unreadable; never retried.
  kResourceExhausted,   // A bound was reached (a decoded object's size); not retried.
};

// Human-readable name of a code, e.g. "PermissionDenied".
const char* StatusCodeName(StatusCode code);

// A cheap value describing success or one failure. Messages never contain
// secrets: callers build them from names and codes, not from credentials.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) {
    return {StatusCode::kInvalidArgument, std::move(m)};
  }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status PermissionDenied(std::string m) {
    return {StatusCode::kPermissionDenied, std::move(m)};
  }
  static Status Unauthenticated(std::string m) {
    return {StatusCode::kUnauthenticated, std::move(m)};
  }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status Throttled(std::string m) { return {StatusCode::kThrottled, std::move(m)}; }
  static Status DeadlineExceeded(std::string m) {
    return {StatusCode::kDeadlineExceeded, std::move(m)};
  }
  static Status FailedPrecondition(std::string m) {
    return {StatusCode::kFailedPrecondition, std::move(m)};
  }
  static Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
  static Status Cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status DataLoss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
  static Status ResourceExhausted(std::string m) {
    return {StatusCode::kResourceExhausted, std::move(m)};
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // True for errors that a later identical call may not hit (transient
  // network and server trouble, throttling, timeouts).
  bool IsRetryable() const {
    return code_ == StatusCode::kUnavailable || code_ == StatusCode::kThrottled ||
           code_ == StatusCode::kDeadlineExceeded;
  }

  // "Code: message", or "OK".
  std::string ToString() const;

  // Returns a copy whose message is prefixed with `context: `.
  Status WithContext(const std::string& context) const {
    if (ok()) return *this;
    return Status(code_, context + ": " + message_);
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}          // NOLINT: implicit by design.
  Result(Status status) : status_(std::move(status)) {}  // NOLINT: implicit by design.

  bool ok() const { return value_.has_value(); }
  // The error; Status::Ok() when a value is held.
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace k2c

// Returns early from the enclosing function when `expr` is not OK.
#define K2C_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::k2c::Status k2c_status_ = (expr);        \
    if (!k2c_status_.ok()) return k2c_status_; \
  } while (0)
