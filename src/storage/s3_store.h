// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "storage/http_client.h"
#include "storage/object_store.h"
#include "storage/sigv4.h"

namespace k2c {

// How to reach an S3-compatible service. Plain config: Validate() checks it,
// ToString() prints it with secrets redacted.
struct S3Options {
  // scheme://host[:port], no path. E.g. "https://s3.us-east-1.amazonaws.com",
  // "https://cos.ap-guangzhou.myqcloud.com", "http://127.0.0.1:8333".
  std::string endpoint;
  // Signing region, e.g. "us-east-1" or "ap-guangzhou". Required.
  std::string region;
  // true: http://host/bucket/key (local servers, IP endpoints, dotted bucket
  // names over TLS). false: http://bucket.host/key (AWS and COS default).
  bool path_style = false;
  std::string access_key_id;
  std::string secret_access_key;  // Secret: never printed.
  std::string session_token;      // Optional (STS). Secret: never printed.
  // Verify the server's TLS certificate. Only turn off for test endpoints.
  bool verify_tls = true;
  // PEM CA bundle for private CAs; empty uses the system store.
  std::string ca_file;
  int connect_timeout_ms = 5000;
  // Upper bound for one whole request (upload of one part or object included).
  int request_timeout_ms = 60000;
  // "" (none), "AES256" or "aws:kms": sent as x-amz-server-side-encryption on
  // PutObject and CreateMultipart.
  std::string server_side_encryption;
  // Canned ACL sent as x-amz-acl on PutObject and CreateMultipart. "private"
  // makes the intent explicit on stores that default otherwise; AWS buckets
  // with ACLs disabled (Object Ownership "bucket owner enforced", the default
  // since 2023) reject every ACL but bucket-owner-full-control with
  // AccessControlListNotSupported, so set "" there (objects are private).
  std::string canned_acl = "private";

  // OK, or InvalidArgument naming the first bad field.
  Status Validate() const;
  // One line for logs; secrets are shown as "<redacted>"/"<empty>", the access
  // key id by its last four characters only.
  std::string ToString() const;
};

// True if `endpoint` (scheme://host[:port], as in S3Options) is Tencent COS:
// its host ends with ".myqcloud.com" or ".tencentcos.cn". Such endpoints get
// COS's own headers besides the S3 ones (see S3Store).
bool IsTencentCosEndpoint(std::string_view endpoint);

// ObjectStore over the S3 REST API with SigV4 header signing.
//
// Each method makes exactly one HTTP request (no retries: the caller retries
// with Backoff) and maps failures via ClassifyS3Error / HttpClient. Uploads
// send the payload's SHA-256 (signed) and Content-MD5, so a body corrupted in
// transit is rejected by the server rather than stored.
//
// Thread-safe: concurrent calls each borrow an HttpClient from a small pool,
// so uploads on several threads proceed in parallel and each thread's next
// call usually reuses a warm connection.
class S3Store : public ObjectStore {
 private:
  // Only Create() can make one, so every S3Store has validated options.
  struct ConstructorKey {
    explicit ConstructorKey() = default;
  };

 public:
  // Wall-clock source for request signing (S3 rejects requests more than 15
  // minutes off). Injected so tests can pin the signing time.
  using WallClock = std::function<std::chrono::system_clock::time_point()>;

  // Validates `options`; InvalidArgument if they are unusable.
  static Result<std::unique_ptr<S3Store>> Create(S3Options options, WallClock clock = {});
  // Use Create(); public only for std::make_unique.
  S3Store(ConstructorKey, S3Options options, WallClock clock);

  // The overloads without WriteOptions, which overriding would hide.
  using ObjectStore::CompleteMultipart;
  using ObjectStore::CreateMultipart;
  using ObjectStore::PutObject;

  Status HeadBucket(const Bucket& bucket) override;
  Status CheckKey(const ObjectKey& key) const override;
  Status EnsureBucket(const Bucket& bucket) override;
  Status PutObject(const Bucket& bucket, const ObjectKey& key, std::string_view body,
                   const WriteOptions& options) override;
  Result<MultipartId> CreateMultipart(const Bucket& bucket, const ObjectKey& key,
                                      const WriteOptions& options) override;
  Result<std::string> UploadPart(const Bucket& bucket, const ObjectKey& key, const MultipartId& id,
                                 int number, std::string_view body) override;
  Status CompleteMultipart(const Bucket& bucket, const ObjectKey& key, const MultipartId& id,
                           const std::vector<CompletedPart>& parts,
                           const WriteOptions& options) override;
  Status AbortMultipart(const Bucket& bucket, const ObjectKey& key, const MultipartId& id) override;
  Result<ObjectHead> HeadObject(const Bucket& bucket, const ObjectKey& key) override;
  Result<std::string> GetObject(const Bucket& bucket, const ObjectKey& key) override;
  // One GET with a signed `Range: bytes=<offset>-<last>`; a 206 must place its
  // bytes at `offset` (Content-Range), else Internal. A server that ignores
  // Range answers 200 with the whole object, which is cut here (bounded like
  // GetObject). Length 0 is a HEAD, as S3 has no empty range.
  Result<std::string> GetObjectRange(const Bucket& bucket, const ObjectKey& key, uint64_t offset,
                                     uint64_t length) override;
  Status DeleteObject(const Bucket& bucket, const ObjectKey& key) override;
  Result<ListPage> ListObjects(const Bucket& bucket, const std::string& prefix,
                               const std::string& continuation_token) override;
  Result<std::vector<std::string>> ListBuckets() override;

  // A SigV4 presigned GET (query-string authentication, see PresignGet)
  // addressed exactly as this store's own requests are (endpoint, path-style
  // or virtual-hosted), signed with its credentials as of its clock. No
  // request is made. InvalidArgument when `expires` is outside 1 s .. 7 days
  // (604800 s, the SigV4 limit), and for the buckets and keys its requests
  // refuse. The URL carries the access key id and any session token (never
  // the secret): it is itself a credential until it expires.
  Result<std::string> PresignGetUrl(const Bucket& bucket, const ObjectKey& key,
                                    std::chrono::seconds expires) override;

 private:
  struct Call;  // One request to build, sign and send; defined in the .cc.

  // Where a request about an object (or, with a null key, a bucket) goes.
  struct Address {
    std::string host;  // host[:port], the Host header.
    std::string path;  // Unencoded, as SigV4Request.path.
  };
  // The address of `bucket` / `key` as configured (path-style or
  // virtual-hosted). InvalidArgument for a bucket name or key S3 refuses;
  // FailedPrecondition for a dotted bucket in virtual-hosted style over TLS.
  // `operation` prefixes the messages.
  Result<Address> AddressOf(const char* operation, const Bucket& bucket,
                            const ObjectKey* key) const;
  // scheme://host followed by `target` (the encoded path and query), after
  // checking that it connects to `host` and nowhere else.
  Result<std::string> UrlOf(const char* operation, const Bucket& bucket, const std::string& host,
                            const std::string& target) const;

  // Builds, signs and sends `call`; returns the response for any HTTP status,
  // or the transport error.
  Result<HttpResponse> Execute(const Call& call);
  // The Status for a non-2xx response (or a 200 carrying an <Error>).
  Status ErrorFromResponse(const Call& call, const HttpResponse& response) const;

  // True if server-provided `text` contains the secret key or session token.
  bool ContainsSecret(std::string_view text) const;

  // Headers every request creating an object carries (PutObject and
  // CreateMultipart alike): content type, ACL, server-side encryption and
  // `options.metadata` as x-amz-meta-<name>. One place, so a multipart object
  // can never end up less private, less encrypted or with other metadata than
  // a single-put one. InvalidArgument (nothing added) for metadata S3 would
  // reject or not return unchanged.
  Status AddNewObjectHeaders(const WriteOptions& options, Call* call) const;
  // Headers that make the request publishing an object (PutObject,
  // CompleteMultipart) fail if an object is already at the key.
  void AddCreateOnlyHeaders(Call* call) const;

  std::unique_ptr<HttpClient> BorrowClient();
  void ReturnClient(std::unique_ptr<HttpClient> client);

  const S3Options options_;
  const WallClock clock_;
  std::string scheme_;     // "http" or "https".
  std::string authority_;  // host[:port] exactly as in the endpoint.
  // Tencent COS (IsTencentCosEndpoint). Create-only writes then also send
  // x-cos-forbid-overwrite: COS documents that header as its create-only
  // switch, but not `If-None-Match: *` on writes, so the standard header alone
  // might be ignored there and the write would silently replace the object.
  bool cos_dialect_ = false;

  std::mutex pool_mu_;
  std::vector<std::unique_ptr<HttpClient>> idle_clients_;  // Guarded by pool_mu_.
};

}  // namespace k2c
