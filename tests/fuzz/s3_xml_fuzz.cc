// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// libFuzzer target for the S3 XML response parsers: every parser in
// storage/s3_xml.h that reads a server's answer gets the whole input. Built
// with -DK2C_FUZZ=ON; run by scripts/fuzz.sh.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "storage/s3_xml.h"

namespace {

// The parsers promise Status::Internal, and nothing else, for bad input.
void CheckFailure(const k2c::Status& status) {
  if (status.code() != k2c::StatusCode::kInternal) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view xml(reinterpret_cast<const char*>(data), size);

  k2c::Result<k2c::S3ErrorBody> error = k2c::ParseS3Error(xml);
  if (!error.ok()) CheckFailure(error.status());

  k2c::Result<std::string> upload_id = k2c::ParseInitiateMultipartUploadResult(xml);
  if (upload_id.ok()) {
    if (upload_id->empty()) __builtin_trap();
  } else {
    CheckFailure(upload_id.status());
  }

  k2c::Result<k2c::ListPage> page = k2c::ParseListObjectsV2Result(xml);
  if (!page.ok()) CheckFailure(page.status());

  k2c::Result<k2c::CompleteMultipartOutcome> complete =
      k2c::ParseCompleteMultipartUploadResult(xml);
  if (!complete.ok()) CheckFailure(complete.status());
  return 0;
}
