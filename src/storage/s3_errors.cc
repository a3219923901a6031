// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "storage/s3_errors.h"

#include <string>

namespace k2c {
namespace {

// "s3://bucket/key" or "s3://bucket", so logs show exactly what was touched.
std::string Target(const S3ErrorInput& in) {
  std::string t = "s3://" + std::string(in.bucket);
  if (!in.key.empty()) {
    t.push_back('/');
    t += in.key;
  }
  return t;
}

// The IAM action an operation needs, to make AccessDenied actionable.
const char* IamAction(std::string_view operation) {
  if (operation == "GetObject" || operation == "HeadObject") return "s3:GetObject";
  if (operation == "DeleteObject") return "s3:DeleteObject";
  if (operation == "AbortMultipart") return "s3:AbortMultipartUpload";
  if (operation == "ListObjects" || operation == "HeadBucket") return "s3:ListBucket";
  return "s3:PutObject";  // PutObject, CreateMultipart, UploadPart, CompleteMultipart.
}

bool IsOneOf(std::string_view code, std::initializer_list<std::string_view> codes) {
  for (std::string_view c : codes) {
    if (code == c) return true;
  }
  return false;
}

}  // namespace

Status ClassifyS3Error(const S3ErrorInput& in) {
  const std::string_view code = in.s3_code;
  const int http = in.http_status;
  const std::string what = std::string(in.operation) + " " + Target(in) + ": ";
  const std::string bucket(in.bucket);

  // Server text helps for the long tail of 400s; auth errors carry nothing
  // useful and some servers echo the string to sign there, so it is dropped.
  // A server or proxy that echoes request headers into <Message> would leak
  // the Authorization header or session token; such text is never shown.
  const bool message_is_safe = in.s3_message.find("AWS4-HMAC-SHA256") == std::string_view::npos &&
                               in.s3_message.find("Signature=") == std::string_view::npos &&
                               in.s3_message.find("Credential=") == std::string_view::npos &&
                               in.s3_message.find("ecurity-token") == std::string_view::npos;
  auto with_server_message = [&](std::string m) {
    if (!in.s3_message.empty() && message_is_safe) {
      m += ": \"" + std::string(in.s3_message.substr(0, 300)) + "\"";
    }
    return m;
  };
  const std::string suffix =
      " (S3 " + (code.empty() ? std::string("<no code>") : std::string(code)) + ", HTTP " +
      std::to_string(http) + ", request id " +
      (in.request_id.empty() ? std::string("<none>") : std::string(in.request_id)) + ")";
  auto make = [&](StatusCode c, const std::string& m) { return Status(c, what + m + suffix); };

  // --- Credentials: rejected outright. Never print the keys. ---
  if (IsOneOf(code,
              {"InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidSecurity", "InvalidToken"}) ||
      (http == 401 && code.empty())) {
    return make(StatusCode::kUnauthenticated,
                "credentials rejected: check the access key / secret key (and session token, if "
                "any) configured for [storage]");
  }
  if (IsOneOf(code, {"ExpiredToken", "TokenRefreshRequired"})) {
    return make(StatusCode::kUnauthenticated,
                "the session token has expired: refresh the temporary credentials");
  }
  if (code == "RequestTimeTooSkewed") {
    return make(StatusCode::kFailedPrecondition,
                "the local clock differs from the server's by more than 15 minutes: fix the "
                "host's time synchronisation (NTP)");
  }
  if (code == "AuthorizationHeaderMalformed" || code == "IllegalLocationConstraintException") {
    return make(StatusCode::kFailedPrecondition,
                with_server_message("the request was signed for the wrong region: check [storage] "
                                    "region (and endpoint)"));
  }
  if (code == "AccessControlListNotSupported") {
    return make(StatusCode::kFailedPrecondition,
                "bucket '" + bucket +
                    "' has ACLs disabled (Object Ownership: bucket owner enforced): set [storage] "
                    "canned_acl to empty; objects in such buckets are private anyway");
  }

  // --- Throttling: back off harder. ---
  if (IsOneOf(code, {"SlowDown", "Throttling", "ThrottlingException", "RequestLimitExceeded",
                     "TooManyRequests", "TooManyRequestsException"}) ||
      http == 503 || http == 429) {
    return make(StatusCode::kThrottled, "the server asked us to slow down");
  }

  // --- Transient: retry with backoff. ---
  if (IsOneOf(code, {"BadDigest", "XAmzContentSHA256Mismatch"})) {
    return make(StatusCode::kUnavailable,
                "the payload was corrupted in transit (checksum mismatch); retrying resends it");
  }
  if (code == "RequestTimeout") {
    return make(StatusCode::kUnavailable,
                "the server timed out waiting for the request body; retry");
  }
  if (code == "IncompleteBody") {
    return make(StatusCode::kUnavailable, "the server received a truncated body; retry");
  }
  if (code == "OperationAborted") {
    return make(StatusCode::kUnavailable, "a conflicting operation is in progress; retry");
  }
  if (code == "ConditionalRequestConflict") {
    // AWS: another conditional write to the key was in flight. Once it ends
    // the retry either succeeds or gets a definite PreconditionFailed.
    return make(StatusCode::kUnavailable,
                "a concurrent conditional write to the same key is in progress; retry");
  }
  if (IsOneOf(code, {"InternalError", "ServiceUnavailable"})) {
    return make(StatusCode::kUnavailable, "transient server error; retry");
  }
  if (code == "NotImplemented" || http == 501) {
    return make(StatusCode::kFailedPrecondition,
                with_server_message("the server does not implement this request; the S3 "
                                    "endpoint may not be compatible"));
  }
  if (http >= 500 && http <= 599) {
    return make(StatusCode::kUnavailable, "transient server error; retry");
  }

  // --- Missing things. ---
  if (code == "NoSuchBucket" || (http == 404 && code.empty() && in.key.empty())) {
    return make(StatusCode::kNotFound,
                "bucket '" + bucket + "' does not exist: check [storage]/task bucket");
  }
  if (code == "NoSuchKey" || (http == 404 && code.empty())) {
    return make(StatusCode::kNotFound,
                "object '" + std::string(in.key) + "' does not exist in bucket '" + bucket + "'");
  }
  if (code == "NoSuchUpload") {
    return make(StatusCode::kNotFound,
                "the multipart upload no longer exists (completed, aborted, or expired by a "
                "lifecycle rule); restart the upload");
  }
  if (http == 404) {
    return make(StatusCode::kNotFound, with_server_message("not found"));
  }

  // --- Not allowed. ---
  if (IsOneOf(code, {"AccessDenied", "AllAccessDisabled", "AccountProblem", "InvalidPayer",
                     "InvalidObjectState"}) ||
      http == 403) {
    // HEAD answers carry no body, so a bad signature looks like any 403.
    const std::string maybe_bad_key =
        code.empty() ? " (or the access key / secret key is wrong: this answer had no error code)"
                     : "";
    return make(StatusCode::kPermissionDenied,
                "access denied" + maybe_bad_key + ": the configured credentials may not " +
                    std::string(in.operation) + " on bucket '" + bucket + "' (needs " +
                    IamAction(in.operation) +
                    "; with server-side encryption via KMS also kms:GenerateDataKey / "
                    "kms:Decrypt): check the bucket policy and IAM permissions");
  }

  // --- Wrong endpoint / region. ---
  if (IsOneOf(code, {"PermanentRedirect", "TemporaryRedirect", "Redirect"}) ||
      (http >= 300 && http <= 399)) {
    std::string m = "bucket '" + bucket + "' must be addressed through another endpoint";
    if (!in.bucket_region.empty())
      m += " (it is in region '" + std::string(in.bucket_region) + "')";
    return make(StatusCode::kFailedPrecondition, m + ": check [storage] endpoint and region");
  }

  // --- Create-only write lost: If-None-Match: * (S3 answers 412) or COS-style
  // forbid-overwrite (409). Only ever sent for objects, so a bucket-level
  // answer like this is some other conflict (below). ---
  if (!in.key.empty() && (http == 412 || code == "PreconditionFailed" ||
                          IsOneOf(code, {"FileAlreadyExists", "ObjectAlreadyExists"}))) {
    return make(StatusCode::kAlreadyExists,
                "an object already exists at key '" + std::string(in.key) + "' in bucket '" +
                    bucket +
                    "': another writer published it first (or an earlier attempt of this "
                    "write succeeded); nothing was overwritten");
  }

  // --- State conflicts. ---
  if (http == 409 || http == 412 || code == "PreconditionFailed") {
    return make(StatusCode::kFailedPrecondition, with_server_message("conflicting state"));
  }

  // --- Our request is wrong. ---
  if (code == "EntityTooSmall") {
    return make(StatusCode::kInvalidArgument,
                "a part other than the last is smaller than the server's minimum (5 MiB on S3)");
  }
  if (IsOneOf(code, {"InvalidPart", "InvalidPartOrder"})) {
    return make(StatusCode::kInvalidArgument,
                with_server_message("the part list does not match the uploaded parts"));
  }
  if (code == "InvalidBucketName") {
    return make(StatusCode::kInvalidArgument,
                "'" + bucket + "' is not a valid bucket name: check [storage]/task bucket");
  }
  if (http >= 400 && http <= 499) {
    return make(StatusCode::kInvalidArgument, with_server_message("request rejected"));
  }

  return make(StatusCode::kInternal, with_server_message("unexpected response"));
}

}  // namespace k2c
