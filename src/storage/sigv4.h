// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

// AWS Signature Version 4 (header form with a single-chunk payload, and
// presigned query-string URLs) as pure functions: nothing here reads a clock,
// the network or global state, so every step can be checked against AWS's
// published vectors without a socket.

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace k2c {

// Ordered name/value pairs. Duplicated names are allowed (SigV4 joins them).
using HttpFields = std::vector<std::pair<std::string, std::string>>;

// The payload hash to sign when the body is not hashed. S3 accepts it over TLS
// only; kafka2cos always signs the real hash of what it uploads.
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
// Hex SHA-256 of the empty string: the payload hash of GET, HEAD and DELETE.
inline constexpr std::string_view kEmptyPayloadSha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// Who signs. The secret and token never leave this struct except as HMAC
// input and the x-amz-security-token header.
struct SigV4Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // Empty unless using temporary (STS) credentials.
};

// The parts of an HTTP request that SigV4 covers.
struct SigV4Request {
  std::string method;  // Upper case: "GET", "PUT", ...
  // The path *before* percent-encoding, e.g. "/bucket/dt=1/a b.bin". The
  // signer encodes it once with UriEncodePath(); the sender must put exactly
  // UriEncodePath(path) on the wire.
  std::string path;
  // Query parameters before encoding; a valueless one ("?uploads") has an empty
  // value. Order does not matter.
  HttpFields query;
  // Headers to sign; must contain "host" (any case). Every header given here is
  // signed. Must not contain authorization, x-amz-date, x-amz-content-sha256 or
  // x-amz-security-token: the signer owns those.
  HttpFields headers;
  // Lower-case hex SHA-256 of the body (Sha256Hex), or kUnsignedPayload.
  std::string payload_sha256;
};

// Where the signature is valid.
struct SigV4Scope {
  std::string region;   // e.g. "us-east-1"
  std::string service;  // "s3" for S3.
};

// Choices that differ between S3 and AWS's generic test suite.
struct SigV4Options {
  // S3 requires the payload hash in an x-amz-content-sha256 header (signed).
  // Other services, and the generic suite, do not send it.
  bool add_content_sha256_header = true;
};

// The outcome of signing: headers to add to the request as sent, plus the
// intermediate strings so tests (and debugging of SignatureDoesNotMatch) can
// compare each step with the server's.
struct SigV4Signature {
  // Headers the sender must add, in this order: x-amz-date,
  // x-amz-content-sha256 (if enabled), x-amz-security-token (if a session token
  // is set), authorization. Names are lower case.
  HttpFields headers_to_add;
  std::string canonical_request;
  std::string string_to_sign;
  std::string authorization;  // The full Authorization header value.
  std::string signature;      // The hex signature alone.
};

// Signs `request` as of `now`. Deterministic: the same inputs always give the
// same headers. InvalidArgument when a required input is missing (access key,
// secret, host header, payload hash, region, service) or a reserved header is
// passed in; the message never contains credential material.
Result<SigV4Signature> SignRequest(const SigV4Request& request, const SigV4Credentials& credentials,
                                   const SigV4Scope& scope,
                                   std::chrono::system_clock::time_point now,
                                   const SigV4Options& options = {});

// The longest validity of a presigned URL: SigV4 refuses X-Amz-Expires above
// seven days.
inline constexpr std::chrono::seconds kMaxPresignExpiry{604800};

// A GET presigned with SigV4 query-string authentication, in pieces: the URL
// is scheme://host + encoded_path + "?" + query, the scheme being the
// caller's. The intermediate strings are there for tests, as in
// SigV4Signature.
struct SigV4PresignedUrl {
  // UriEncodePath(path): the path encoded once.
  std::string encoded_path;
  // Encoded, ready for the wire: the signed X-Amz-* parameters in canonical
  // order, then X-Amz-Signature. Holds the access key id and, when one is
  // set, the session token: whoever has the URL may use it until it expires.
  std::string query;
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;  // The hex signature alone (also the last parameter of `query`).
};

// Presigns a GET of `path` (unencoded, as SigV4Request.path) on `host`
// (host[:port], as the request's Host header will carry it), valid for
// `expires` from `now`. Only the host is signed (X-Amz-SignedHeaders=host) and
// the payload is UNSIGNED-PAYLOAD, as S3 wants it for presigned URLs; a
// session token is sent and signed as X-Amz-Security-Token. Deterministic.
// InvalidArgument when the credentials, region, service or host are missing,
// or `expires` is outside 1 s .. kMaxPresignExpiry; the message never
// contains credential material.
Result<SigV4PresignedUrl> PresignGet(const SigV4Credentials& credentials, const SigV4Scope& scope,
                                     std::string_view host, std::string_view path,
                                     std::chrono::system_clock::time_point now,
                                     std::chrono::seconds expires);

// RFC 3986 percent-encoding as S3 wants it: unreserved characters
// (A-Z a-z 0-9 - . _ ~) pass, every other byte becomes %XX (upper-case hex).
// '/' passes only when `encode_slash` is false.
std::string UriEncode(std::string_view in, bool encode_slash);

// Encodes a path once, segment by segment ('/' kept), as S3 expects both on
// the wire and in the canonical request. S3 does not double-encode and does
// not normalise "." or ".." segments. An empty path becomes "/".
std::string UriEncodePath(std::string_view path);

// The canonical query string: keys and values encoded with UriEncode (slash
// encoded), sorted by key then value, joined as k=v&k=v. A valueless key gives
// "k=". Also usable as the query string on the wire.
std::string CanonicalQueryString(const HttpFields& query);

// "YYYYMMDDTHHMMSSZ" in UTC, the x-amz-date format.
std::string FormatAmzDate(std::chrono::system_clock::time_point t);

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

// Raw 32-byte HMAC-SHA256 of `data` under `key`.
std::string HmacSha256(std::string_view key, std::string_view data);

}  // namespace k2c
