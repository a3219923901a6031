// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

// The one place where an S3 answer becomes a StatusCode. Transport failures
// (no HTTP answer at all) are classified in http_client.cc instead.

#include <string_view>

#include "common/status.h"

namespace k2c {

// Everything the classifier looks at. Views only: build it on the stack right
// before calling ClassifyS3Error.
struct S3ErrorInput {
  // What was attempted, for the message: the operation name (e.g. "PutObject"),
  // the bucket and the key ("" for bucket-level calls).
  std::string_view operation;
  std::string_view bucket;
  std::string_view key;
  int http_status = 0;
  std::string_view s3_code;  // <Code> from the error body; "" when there was no body (HEAD).
  // <Message>; shown for codes where it helps, never for auth codes, and never
  // when it looks like echoed credentials. Callers must strip known secrets.
  std::string_view s3_message;
  std::string_view request_id;     // <RequestId> or the x-amz-request-id header.
  std::string_view bucket_region;  // x-amz-bucket-region header, if any (wrong-region redirects).
};

// Maps an S3 error answer to a Status whose code says what the caller should
// do and whose message says what to fix, always ending with
// "(S3 <code>, HTTP <status>, request id <id>)". Never returns OK: call it only
// for a non-2xx status, or for a 200 that carried an <Error> (see
// CompleteMultipartUpload). Messages never contain credentials.
//
//   SlowDown / any 503 / 429                 -> Throttled
//   InternalError, RequestTimeout, 500/502/504, other 5xx, BadDigest,
//   XAmzContentSHA256Mismatch, IncompleteBody, OperationAborted,
//   ConditionalRequestConflict (a concurrent conditional write) -> Unavailable
//   NoSuchBucket (or a body-less 404 on a bucket call) -> NotFound, names the bucket setting
//   NoSuchKey, NoSuchUpload, other 404       -> NotFound
//   AccessDenied & co., other 403            -> PermissionDenied (bucket + operation)
//   InvalidAccessKeyId, SignatureDoesNotMatch, ExpiredToken, 401 -> Unauthenticated
//   object calls: 412 / PreconditionFailed, FileAlreadyExists, ObjectAlreadyExists
//                                            -> AlreadyExists (a create-only write lost)
//   RequestTimeTooSkewed, 301/307 wrong region, other 409/412, 501 -> FailedPrecondition
//   other 4xx                                -> InvalidArgument
//   anything else                            -> Internal
Status ClassifyS3Error(const S3ErrorInput& in);

}  // namespace k2c
