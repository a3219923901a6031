// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

// The S3 XML documents kafka2cos reads and writes. Parsers never crash on
// hostile or truncated input: malformed XML, a wrong root element or a missing
// required field is Status::Internal ("unexpected response").

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "storage/object_store.h"

namespace k2c {

// The fields of an S3 <Error> document that kafka2cos uses.
struct S3ErrorBody {
  std::string code;        // e.g. "NoSuchBucket"; may be empty if the server omits it.
  std::string message;     // Human text from the server.
  std::string request_id;  // <RequestId>, for support tickets.
};

// Parses an <Error> document. Internal if `xml` is not one.
Result<S3ErrorBody> ParseS3Error(std::string_view xml);

// Returns the <UploadId> of an <InitiateMultipartUploadResult>. Internal if it
// is missing or empty.
Result<std::string> ParseInitiateMultipartUploadResult(std::string_view xml);

// Parses a ListObjectsV2 <ListBucketResult>. `next_token` is set only when
// <IsTruncated> is true; a truncated page without <NextContinuationToken> is
// Internal (continuing would restart the listing or loop). ETags are kept as
// the server sent them, quotes included.
Result<ListPage> ParseListObjectsV2Result(std::string_view xml);

// What a 200 response to CompleteMultipartUpload said. S3 answers 200 as soon
// as it starts assembling and may later write an <Error> into the same body,
// so a 200 alone does not mean success.
// The bucket names of a ListBuckets <ListAllMyBucketsResult>, in its order.
Result<std::vector<std::string>> ParseListAllMyBucketsResult(std::string_view xml);

struct CompleteMultipartOutcome {
  std::optional<S3ErrorBody> error;  // Set when the body is an <Error>.
  std::string etag;                  // The object's ETag on success (may be empty).
};

// Parses a CompleteMultipartUpload response body: a
// <CompleteMultipartUploadResult> (or moto's <CompleteMultipartUploadResponse>)
// or an <Error>. Leading whitespace (S3 sends
// it to keep the connection alive while assembling) is ignored. Internal for
// anything else, including an empty body, because then the outcome is unknown.
Result<CompleteMultipartOutcome> ParseCompleteMultipartUploadResult(std::string_view xml);

// Builds the CompleteMultipartUpload request body listing `parts` in the given
// order. ETags are XML-escaped.
std::string BuildCompleteMultipartUploadXml(const std::vector<CompletedPart>& parts);

// Escapes the five XML special characters (& < > " ').
std::string XmlEscape(std::string_view text);

}  // namespace k2c
