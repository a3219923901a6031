// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "storage/bucket_name.h"

#include <array>
#include <string>

namespace k2c {
namespace {

bool IsLowerOrDigit(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// Four dot-separated runs of 1-3 digits, e.g. 192.168.5.4.
bool LooksLikeIpv4(std::string_view name) {
  int groups = 0;
  size_t run = 0;
  for (char c : name) {
    if (c >= '0' && c <= '9') {
      if (++run > 3) return false;
    } else if (c == '.' && run > 0) {
      ++groups;
      run = 0;
    } else {
      return false;
    }
  }
  return run > 0 && groups == 3;
}

}  // namespace

Status ValidateBucketName(std::string_view name) {
  const std::string quoted = "bucket name '" + std::string(name) + "' ";
  const auto refuse = [&](const std::string& why) {
    return Status::InvalidArgument(quoted + why +
                                   " (S3 bucket naming rules: 3-63 characters of a-z 0-9 . -, "
                                   "starting and ending with a letter or digit)");
  };
  if (name.size() < 3 || name.size() > 63) {
    return refuse("has " + std::to_string(name.size()) + " characters");
  }
  for (char c : name) {
    if (!IsLowerOrDigit(c) && c != '.' && c != '-') {
      return refuse("contains a character other than a-z 0-9 . -");
    }
  }
  if (!IsLowerOrDigit(name.front()) || !IsLowerOrDigit(name.back())) {
    return refuse("must start and end with a letter or digit");
  }
  if (name.find("..") != std::string_view::npos) return refuse("contains \"..\"");
  if (LooksLikeIpv4(name)) return refuse("is formatted like an IP address");
  constexpr std::array<std::string_view, 3> kReservedPrefixes = {"xn--", "sthree-",
                                                                 "amzn-s3-demo-"};
  for (std::string_view prefix : kReservedPrefixes) {
    if (name.substr(0, prefix.size()) == prefix) {
      return refuse("starts with the reserved prefix \"" + std::string(prefix) + "\"");
    }
  }
  constexpr std::array<std::string_view, 3> kReservedSuffixes = {"-s3alias", "--ol-s3", "--x-s3"};
  for (std::string_view suffix : kReservedSuffixes) {
    if (name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix) {
      return refuse("ends with the reserved suffix \"" + std::string(suffix) + "\"");
    }
  }
  return Status::Ok();
}

}  // namespace k2c
