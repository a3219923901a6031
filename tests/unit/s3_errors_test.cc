// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "storage/s3_errors.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace k2c {
namespace {

struct Case {
  const char* operation;
  const char* key;  // "" for bucket-level calls.
  int http;
  const char* code;
  StatusCode want;
  std::vector<const char*> message_contains;
};

// Input -> expected table. Every row uses bucket "logs" and request id "RID1".
const Case kCases[] = {
    // Throttling.
    {"PutObject", "k", 503, "SlowDown", StatusCode::kThrottled, {"slow down"}},
    {"PutObject", "k", 503, "", StatusCode::kThrottled, {}},
    {"UploadPart", "k", 503, "ServiceUnavailable", StatusCode::kThrottled, {}},
    {"GetObject", "k", 429, "", StatusCode::kThrottled, {}},
    {"GetObject", "k", 400, "Throttling", StatusCode::kThrottled, {}},
    // Transient.
    {"PutObject", "k", 500, "InternalError", StatusCode::kUnavailable, {"retry"}},
    {"PutObject", "k", 500, "", StatusCode::kUnavailable, {}},
    {"PutObject", "k", 502, "", StatusCode::kUnavailable, {}},
    {"PutObject", "k", 504, "", StatusCode::kUnavailable, {}},
    {"PutObject", "k", 599, "", StatusCode::kUnavailable, {}},
    {"PutObject", "k", 400, "RequestTimeout", StatusCode::kUnavailable, {"timed out"}},
    {"UploadPart", "k", 400, "BadDigest", StatusCode::kUnavailable, {"corrupted"}},
    {"UploadPart", "k", 400, "XAmzContentSHA256Mismatch", StatusCode::kUnavailable, {"corrupted"}},
    {"PutObject", "k", 400, "IncompleteBody", StatusCode::kUnavailable, {}},
    {"PutObject", "k", 409, "OperationAborted", StatusCode::kUnavailable, {}},
    // AWS: another conditional write to the key is in flight; the retry gets a definite answer.
    {"PutObject",
     "k",
     409,
     "ConditionalRequestConflict",
     StatusCode::kUnavailable,
     {"concurrent conditional write", "retry"}},
    {"CompleteMultipart", "k", 409, "ConditionalRequestConflict", StatusCode::kUnavailable, {}},
    // A 200 carrying an <Error> (CompleteMultipartUpload).
    {"CompleteMultipart", "k", 200, "InternalError", StatusCode::kUnavailable, {"HTTP 200"}},
    {"CompleteMultipart", "k", 200, "SlowDown", StatusCode::kThrottled, {}},
    {"CompleteMultipart", "k", 200, "WeirdNewCode", StatusCode::kInternal, {"WeirdNewCode"}},
    // Not found.
    {"PutObject",
     "k",
     404,
     "NoSuchBucket",
     StatusCode::kNotFound,
     {"bucket 'logs' does not exist", "check [storage]/task bucket"}},
    {"HeadBucket", "", 404, "", StatusCode::kNotFound, {"bucket 'logs' does not exist"}},
    {"GetObject",
     "a/b.bin",
     404,
     "NoSuchKey",
     StatusCode::kNotFound,
     {"object 'a/b.bin' does not exist in bucket 'logs'"}},
    {"GetObject", "a/b.bin", 404, "", StatusCode::kNotFound, {"object 'a/b.bin'"}},
    {"HeadObject", "a/b.bin", 404, "", StatusCode::kNotFound, {"object 'a/b.bin' does not exist"}},
    {"UploadPart", "k", 404, "NoSuchUpload", StatusCode::kNotFound, {"multipart upload"}},
    // Not allowed.
    {"PutObject",
     "k",
     403,
     "AccessDenied",
     StatusCode::kPermissionDenied,
     {"may not PutObject on bucket 'logs'", "s3:PutObject"}},
    {"ListObjects",
     "",
     403,
     "AccessDenied",
     StatusCode::kPermissionDenied,
     {"ListObjects", "s3:ListBucket"}},
    {"HeadBucket",
     "",
     403,
     "",
     StatusCode::kPermissionDenied,
     {"HeadBucket", "'logs'", "or the access key / secret key is wrong"}},
    {"DeleteObject",
     "k",
     403,
     "AllAccessDisabled",
     StatusCode::kPermissionDenied,
     {"s3:DeleteObject"}},
    {"HeadObject", "k", 403, "", StatusCode::kPermissionDenied, {"HeadObject", "s3:GetObject"}},
    // Credentials rejected.
    {"PutObject",
     "k",
     403,
     "InvalidAccessKeyId",
     StatusCode::kUnauthenticated,
     {"check the access key / secret key"}},
    {"PutObject",
     "k",
     403,
     "SignatureDoesNotMatch",
     StatusCode::kUnauthenticated,
     {"check the access key / secret key"}},
    {"PutObject", "k", 400, "ExpiredToken", StatusCode::kUnauthenticated, {"expired"}},
    {"PutObject", "k", 401, "", StatusCode::kUnauthenticated, {}},
    // State must change first.
    {"PutObject", "k", 403, "RequestTimeTooSkewed", StatusCode::kFailedPrecondition, {"clock"}},
    {"PutObject",
     "k",
     400,
     "AuthorizationHeaderMalformed",
     StatusCode::kFailedPrecondition,
     {"region"}},
    {"PutObject",
     "k",
     400,
     "AccessControlListNotSupported",
     StatusCode::kFailedPrecondition,
     {"canned_acl"}},
    {"HeadBucket", "", 301, "", StatusCode::kFailedPrecondition, {"endpoint and region"}},
    {"PutObject", "k", 301, "PermanentRedirect", StatusCode::kFailedPrecondition, {}},
    // Create-only writes (If-None-Match: *, COS x-cos-forbid-overwrite) that found an object.
    {"PutObject",
     "a/b.bin",
     412,
     "PreconditionFailed",
     StatusCode::kAlreadyExists,
     {"already exists at key 'a/b.bin' in bucket 'logs'", "another writer published it first"}},
    {"PutObject", "k", 412, "", StatusCode::kAlreadyExists, {"already exists at key 'k'"}},
    {"CompleteMultipart",
     "k",
     412,
     "PreconditionFailed",
     StatusCode::kAlreadyExists,
     {"another writer published it first"}},
    {"CompleteMultipart", "k", 200, "PreconditionFailed", StatusCode::kAlreadyExists, {}},
    {"PutObject",
     "k",
     409,
     "FileAlreadyExists",
     StatusCode::kAlreadyExists,
     {"already exists at key 'k'", "another writer published it first"}},
    {"CompleteMultipart", "k", 409, "FileAlreadyExists", StatusCode::kAlreadyExists, {}},
    {"PutObject", "k", 409, "ObjectAlreadyExists", StatusCode::kAlreadyExists, {}},
    // Bucket-level calls never write create-only: a 412 there is some other conflict.
    {"HeadBucket", "", 412, "", StatusCode::kFailedPrecondition, {}},
    {"PutObject", "k", 409, "BucketNotEmpty", StatusCode::kFailedPrecondition, {}},
    {"PutObject", "k", 501, "NotImplemented", StatusCode::kFailedPrecondition, {"compatible"}},
    // Our request is wrong.
    {"CompleteMultipart", "k", 400, "EntityTooSmall", StatusCode::kInvalidArgument, {"5 MiB"}},
    {"CompleteMultipart", "k", 400, "InvalidPart", StatusCode::kInvalidArgument, {}},
    {"CompleteMultipart", "k", 400, "InvalidPartOrder", StatusCode::kInvalidArgument, {}},
    {"PutObject", "k", 400, "InvalidBucketName", StatusCode::kInvalidArgument, {"bucket name"}},
    {"PutObject", "k", 400, "InvalidArgument", StatusCode::kInvalidArgument, {}},
    {"GetObject", "k", 416, "InvalidRange", StatusCode::kInvalidArgument, {}},
    {"PutObject", "k", 400, "", StatusCode::kInvalidArgument, {}},
    // Nonsense.
    {"PutObject", "k", 200, "", StatusCode::kInternal, {}},
    {"PutObject", "k", 0, "", StatusCode::kInternal, {}},
};

TEST(S3ErrorsTest, ClassificationTable) {
  for (const Case& c : kCases) {
    S3ErrorInput in;
    in.operation = c.operation;
    in.bucket = "logs";
    in.key = c.key;
    in.http_status = c.http;
    in.s3_code = c.code;
    in.request_id = "RID1";
    const Status s = ClassifyS3Error(in);
    const std::string row = std::string(c.operation) + " " + std::to_string(c.http) + " " + c.code;
    EXPECT_EQ(s.code(), c.want) << row << " -> " << s.ToString();
    // Every message carries the raw S3 code, the HTTP status and the request id.
    EXPECT_NE(s.message().find("HTTP " + std::to_string(c.http)), std::string::npos) << row;
    EXPECT_NE(s.message().find("request id RID1"), std::string::npos) << row;
    EXPECT_NE(s.message().find(*c.code ? c.code : "<no code>"), std::string::npos) << row;
    EXPECT_NE(s.message().find(c.operation), std::string::npos) << row;
    for (const char* part : c.message_contains) {
      EXPECT_NE(s.message().find(part), std::string::npos) << row << ": " << s.message();
    }
  }
}

TEST(S3ErrorsTest, MessageNamesTargetAndMissingRequestId) {
  S3ErrorInput in;
  in.operation = "PutObject";
  in.bucket = "logs";
  in.key = "t/p=0/x.bin";
  in.http_status = 500;
  in.s3_code = "InternalError";
  EXPECT_EQ(ClassifyS3Error(in).message(),
            "PutObject s3://logs/t/p=0/x.bin: transient server error; retry (S3 InternalError, "
            "HTTP 500, request id <none>)");
}

TEST(S3ErrorsTest, AuthErrorsDropServerMessage) {
  // Servers may echo the string to sign or the key id in <Message>.
  S3ErrorInput in;
  in.operation = "PutObject";
  in.bucket = "logs";
  in.http_status = 403;
  in.s3_code = "SignatureDoesNotMatch";
  in.s3_message = "AWS4-HMAC-SHA256 AKIAEXAMPLE stringtosign";
  const Status s = ClassifyS3Error(in);
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(s.message().find("AKIAEXAMPLE"), std::string::npos);
  EXPECT_EQ(s.message().find("stringtosign"), std::string::npos);
}

TEST(S3ErrorsTest, EchoedCredentialsInServerMessageAreDropped) {
  S3ErrorInput in;
  in.operation = "GetObject";
  in.bucket = "logs";
  in.http_status = 400;
  in.s3_code = "InvalidArgument";
  in.s3_message = "authorization=AWS4-HMAC-SHA256 Credential=AK/..., Signature=abc";
  const Status s = ClassifyS3Error(in);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message().find("Signature"), std::string::npos) << s.message();
}

TEST(S3ErrorsTest, GenericBadRequestKeepsServerMessage) {
  S3ErrorInput in;
  in.operation = "PutObject";
  in.bucket = "logs";
  in.http_status = 400;
  in.s3_code = "InvalidArgument";
  in.s3_message = "x-amz-server-side-encryption header is not supported";
  EXPECT_NE(ClassifyS3Error(in).message().find("x-amz-server-side-encryption header"),
            std::string::npos);
}

TEST(S3ErrorsTest, RedirectNamesTheBucketRegion) {
  S3ErrorInput in;
  in.operation = "HeadBucket";
  in.bucket = "logs";
  in.http_status = 301;
  in.bucket_region = "eu-central-1";
  const Status s = ClassifyS3Error(in);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("eu-central-1"), std::string::npos);
}

}  // namespace
}  // namespace k2c
