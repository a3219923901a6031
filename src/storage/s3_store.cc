// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "storage/s3_store.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <optional>
#include <string_view>
#include <utility>

#include "common/log_text.h"
#include "storage/bucket_name.h"
#include "storage/s3_errors.h"
#include "storage/s3_xml.h"

namespace k2c {
namespace {

// Idle clients kept for reuse; more concurrent callers still work, their extra
// clients are just closed afterwards.
constexpr size_t kMaxIdleClients = 16;
constexpr size_t kMaxKeyBytes = 1024;  // S3's limit on key length.
constexpr uint64_t kMaxGetObjectBytes = 1ull << 30;
constexpr int kMaxPartNumber = 10000;
// S3's (and COS's) limit on user metadata: names plus values, in bytes.
constexpr size_t kMaxMetadataBytes = 2048;
constexpr std::string_view kAmzMetaPrefix = "x-amz-meta-";
// COS's own spelling of the same headers, read too on COS endpoints.
constexpr std::string_view kCosMetaPrefix = "x-cos-meta-";

// Base64 of the MD5 of `data`, the Content-MD5 header value. Sent besides the
// signed SHA-256 because it is the older check, verified more widely by
// S3-compatible stores than x-amz-content-sha256.
std::string ContentMd5(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_md5(), nullptr) != 1) return {};
  unsigned char b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
  const int n = EVP_EncodeBlock(b64, md, static_cast<int>(len));
  return std::string(reinterpret_cast<const char*>(b64), n);
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool IsIpLiteral(std::string_view host) {
  if (!host.empty() && host.front() == '[') return true;
  return !host.empty() && std::all_of(host.begin(), host.end(),
                                      [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

// Query string for the wire: like the canonical one but a valueless
// subresource is sent bare ("?uploads"), as S3 documents it.
std::string WireQuery(const HttpFields& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  for (const auto& [k, v] : query) encoded.emplace_back(UriEncode(k, true), UriEncode(v, true));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [k, v] : encoded) {
    if (!out.empty()) out.push_back('&');
    out += k;
    if (!v.empty()) out += "=" + v;
  }
  return out;
}

bool IsSuccess(long status) { return status >= 200 && status <= 299; }

// The <Code> of an error response, or "" if the body is not an S3 error.
std::string ErrorCodeOf(const HttpResponse& response) {
  Result<S3ErrorBody> body = ParseS3Error(response.body);
  return body.ok() ? body->code : std::string();
}

// OK if `metadata` can be sent as x-amz-meta-* headers and comes back from
// HeadObject exactly as given. Names are restricted to what every S3-compatible
// store and proxy passes unchanged; leading or trailing spaces of a value
// would be stripped by HTTP; non-ASCII values are not portable in headers.
Status ValidateMetadata(std::string_view operation, const ObjectMetadata& metadata) {
  size_t total = 0;
  for (const auto& [name, value] : metadata) {
    const bool name_ok = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
    if (!name_ok) {
      return Status::InvalidArgument(std::string(operation) + ": metadata name '" +
                                     (HasControlChar(name) ? "?" : name) +
                                     "' must be non-empty lower case [a-z0-9-]");
    }
    const bool value_ok =
        std::all_of(value.begin(), value.end(), [](char c) { return c >= 0x20 && c <= 0x7E; }) &&
        (value.empty() || (value.front() != ' ' && value.back() != ' '));
    if (!value_ok) {
      return Status::InvalidArgument(std::string(operation) + ": the value of metadata '" + name +
                                     "' must be printable ASCII without leading or trailing "
                                     "spaces");
    }
    total += name.size() + value.size();
  }
  if (total > kMaxMetadataBytes) {
    return Status::InvalidArgument(std::string(operation) + ": metadata names and values total " +
                                   std::to_string(total) + " bytes; S3 allows at most " +
                                   std::to_string(kMaxMetadataBytes));
  }
  return Status::Ok();
}

// The first byte position of a Content-Range value "bytes <first>-<last>/<size
// or *>", or nullopt if `value` is not one.
std::optional<uint64_t> ContentRangeFirst(std::string_view value) {
  constexpr std::string_view kUnit = "bytes ";
  if (!value.starts_with(kUnit)) return std::nullopt;
  value.remove_prefix(kUnit.size());
  uint64_t first = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), first);
  if (ec != std::errc() || end == value.data() || end == value.data() + value.size() ||
      *end != '-') {
    return std::nullopt;
  }
  return first;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

bool IsTencentCosEndpoint(std::string_view endpoint) {
  const size_t scheme_end = endpoint.find("://");
  if (scheme_end != std::string_view::npos) endpoint.remove_prefix(scheme_end + 3);
  if (endpoint.empty() || endpoint.front() == '[') return false;  // IPv6 literal.
  std::string host(endpoint.substr(0, endpoint.find_first_of(":/")));
  for (char& c : host) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (!host.empty() && host.back() == '.') host.pop_back();  // Fully qualified form.
  return EndsWith(host, ".myqcloud.com") || EndsWith(host, ".tencentcos.cn");
}

// ----------------------------------------------------------------- S3Options

Status S3Options::Validate() const {
  const size_t scheme_end = endpoint.find("://");
  const std::string scheme = scheme_end == std::string::npos ? "" : endpoint.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") {
    return Status::InvalidArgument("[storage] endpoint '" + endpoint +
                                   "' must start with http:// or https://");
  }
  std::string rest = endpoint.substr(scheme_end + 3);
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.empty() || rest.find_first_of("/?#@ ") != std::string::npos || HasControlChar(rest)) {
    return Status::InvalidArgument("[storage] endpoint '" + endpoint +
                                   "' must be scheme://host[:port] with no path, query or user");
  }
  const std::string host =
      rest.front() == '[' ? rest.substr(0, rest.find(']') + 1) : rest.substr(0, rest.find(':'));
  if (!path_style && IsIpLiteral(host)) {
    return Status::InvalidArgument("[storage] endpoint '" + endpoint +
                                   "' is an IP address, which cannot carry the bucket in the "
                                   "host name: set path_style = true");
  }
  if (region.empty()) return Status::InvalidArgument("[storage] region must be set");
  if (access_key_id.empty() || secret_access_key.empty()) {
    return Status::InvalidArgument("[storage] access key id and secret access key must be set");
  }
  if (HasControlChar(access_key_id) || HasControlChar(secret_access_key) ||
      HasControlChar(session_token)) {
    return Status::InvalidArgument("[storage] credentials contain control characters");
  }
  if (connect_timeout_ms <= 0 || request_timeout_ms <= 0) {
    return Status::InvalidArgument(
        "[storage] connect_timeout_ms and request_timeout_ms must be positive");
  }
  if (!server_side_encryption.empty() && server_side_encryption != "AES256" &&
      server_side_encryption != "aws:kms") {
    return Status::InvalidArgument(
        "[storage] server_side_encryption must be empty, \"AES256\" or "
        "\"aws:kms\", not '" +
        server_side_encryption + "'");
  }
  static constexpr std::string_view kCannedAcls[] = {"",
                                                     "private",
                                                     "public-read",
                                                     "public-read-write",
                                                     "authenticated-read",
                                                     "bucket-owner-read",
                                                     "bucket-owner-full-control",
                                                     "aws-exec-read"};
  if (std::find(std::begin(kCannedAcls), std::end(kCannedAcls), canned_acl) ==
      std::end(kCannedAcls)) {
    return Status::InvalidArgument("[storage] canned_acl '" + canned_acl +
                                   "' is not an S3 canned ACL");
  }
  return Status::Ok();
}

std::string S3Options::ToString() const {
  auto secret = [](const std::string& s) { return s.empty() ? "<empty>" : "<redacted>"; };
  // Like `aws configure list`: enough to tell keys apart, not enough to use one.
  const std::string key_hint = access_key_id.size() >= 8
                                   ? "****" + access_key_id.substr(access_key_id.size() - 4)
                                   : (access_key_id.empty() ? "<empty>" : "****");
  return "S3Options{endpoint=" + endpoint + ", region=" + region +
         ", path_style=" + (path_style ? "true" : "false") + ", access_key_id=" + key_hint +
         ", secret_access_key=" + secret(secret_access_key) +
         ", session_token=" + secret(session_token) +
         ", verify_tls=" + (verify_tls ? "true" : "false") +
         ", ca_file=" + (ca_file.empty() ? "<system>" : ca_file) +
         ", connect_timeout_ms=" + std::to_string(connect_timeout_ms) +
         ", request_timeout_ms=" + std::to_string(request_timeout_ms) +
         ", server_side_encryption=" +
         (server_side_encryption.empty() ? "<none>" : server_side_encryption) +
         ", canned_acl=" + (canned_acl.empty() ? "<none>" : canned_acl) + "}";
}

// ------------------------------------------------------------------- S3Store

struct S3Store::Call {
  Call(const char* operation_name, std::string http_method, const Bucket& target_bucket,
       const ObjectKey* target_key = nullptr, HttpFields query_fields = {})
      : operation(operation_name),
        bucket(&target_bucket),
        key(target_key),
        method(std::move(http_method)),
        query(std::move(query_fields)) {}

  const char* operation = "";
  // Service-level calls (ListBuckets) address the endpoint itself, with
  // `bucket` empty.
  bool service_level = false;
  const Bucket* bucket = nullptr;
  const ObjectKey* key = nullptr;  // Null for bucket-level calls.
  std::string method;
  HttpFields query;
  HttpFields headers;  // Besides host and the signer's own; all are signed.
  std::string_view body;
  uint64_t max_response_bytes = HttpRequest{}.max_response_bytes;
};

Result<std::unique_ptr<S3Store>> S3Store::Create(S3Options options, WallClock clock) {
  K2C_RETURN_IF_ERROR(options.Validate());
  if (!clock) clock = [] { return std::chrono::system_clock::now(); };
  return std::make_unique<S3Store>(ConstructorKey(), std::move(options), std::move(clock));
}

S3Store::S3Store(ConstructorKey, S3Options options, WallClock clock)
    : options_(std::move(options)), clock_(std::move(clock)) {
  const size_t scheme_end = options_.endpoint.find("://");
  scheme_ = options_.endpoint.substr(0, scheme_end);
  authority_ = options_.endpoint.substr(scheme_end + 3);
  if (!authority_.empty() && authority_.back() == '/') authority_.pop_back();
  cos_dialect_ = IsTencentCosEndpoint(options_.endpoint);
}

std::unique_ptr<HttpClient> S3Store::BorrowClient() {
  {
    std::lock_guard<std::mutex> lock(pool_mu_);
    if (!idle_clients_.empty()) {
      std::unique_ptr<HttpClient> client = std::move(idle_clients_.back());
      idle_clients_.pop_back();
      return client;
    }
  }
  return std::make_unique<HttpClient>(HttpClientOptions{options_.verify_tls, options_.ca_file});
}

void S3Store::ReturnClient(std::unique_ptr<HttpClient> client) {
  std::lock_guard<std::mutex> lock(pool_mu_);
  if (idle_clients_.size() < kMaxIdleClients) idle_clients_.push_back(std::move(client));
}

Status S3Store::AddNewObjectHeaders(const WriteOptions& options, Call* call) const {
  K2C_RETURN_IF_ERROR(ValidateMetadata(call->operation, options.metadata));
  call->headers.emplace_back("content-type", "application/octet-stream");
  if (!options_.canned_acl.empty()) call->headers.emplace_back("x-amz-acl", options_.canned_acl);
  if (!options_.server_side_encryption.empty()) {
    call->headers.emplace_back("x-amz-server-side-encryption", options_.server_side_encryption);
  }
  for (const auto& [name, value] : options.metadata) {
    call->headers.emplace_back(std::string(kAmzMetaPrefix) + name, value);
  }
  return Status::Ok();
}

void S3Store::AddCreateOnlyHeaders(Call* call) const {
  call->headers.emplace_back("if-none-match", "*");
  if (cos_dialect_) call->headers.emplace_back("x-cos-forbid-overwrite", "true");
}

Status S3Store::CheckKey(const ObjectKey& key) const {
  const std::string& k = key.value;
  if (k.empty() || k.size() > kMaxKeyBytes || HasControlChar(k)) {
    return Status::InvalidArgument(
        "object keys must be 1-1024 bytes without control characters "
        "(got " +
        std::to_string(k.size()) + " bytes)");
  }
  return Status::Ok();
}

Result<S3Store::Address> S3Store::AddressOf(const char* operation, const Bucket& bucket,
                                            const ObjectKey* key) const {
  const std::string& name = bucket.name;
  K2C_RETURN_IF_ERROR(ValidateBucketName(name).WithContext(operation));
  if (!options_.path_style && scheme_ == "https" && name.find('.') != std::string::npos) {
    return Status::FailedPrecondition(
        std::string(operation) + ": bucket '" + name +
        "' contains dots, which break TLS certificate matching in virtual-hosted style: set "
        "[storage] path_style = true");
  }
  if (key != nullptr) K2C_RETURN_IF_ERROR(CheckKey(*key).WithContext(operation));

  Address address;
  address.host = options_.path_style ? authority_ : name + "." + authority_;
  if (options_.path_style) address.path = "/" + name;
  if (key != nullptr) {
    address.path += "/" + key->value;
  } else if (!options_.path_style) {
    address.path = "/";
  }
  return address;
}

Result<std::string> S3Store::UrlOf(const char* operation, const Bucket& bucket,
                                   const std::string& host, const std::string& target) const {
  std::string url = scheme_ + "://" + host + target;
  // Signed requests (and presigned URLs) go to the configured endpoint and
  // nowhere else, whatever a bucket name or key contains: checked with the
  // parser that sends them.
  Result<std::string> goes_to = UrlAuthority(url);
  if (!goes_to.ok() || !EqualsIgnoreCase(*goes_to, host)) {
    return Status::InvalidArgument(std::string(operation) + ": bucket '" + bucket.name +
                                   "' would send the request to '" +
                                   (goes_to.ok() ? *goes_to : goes_to.status().message()) +
                                   "' instead of '" + host + "'; refused");
  }
  return url;
}

Result<HttpResponse> S3Store::Execute(const Call& call) {
  Result<Address> address = call.service_level ? Result<Address>(Address{authority_, "/"})
                                               : AddressOf(call.operation, *call.bucket, call.key);
  if (!address.ok()) return address.status();

  SigV4Request to_sign;
  to_sign.method = call.method;
  to_sign.path = address->path;
  to_sign.query = call.query;
  to_sign.headers.emplace_back("host", address->host);
  for (const auto& h : call.headers) to_sign.headers.push_back(h);
  to_sign.payload_sha256 = Sha256Hex(call.body);

  Result<SigV4Signature> signature = SignRequest(
      to_sign, {options_.access_key_id, options_.secret_access_key, options_.session_token},
      {options_.region, "s3"}, clock_());
  if (!signature.ok()) return signature.status().WithContext(call.operation);

  std::string target = UriEncodePath(address->path);
  if (!call.query.empty()) target += "?" + WireQuery(call.query);
  Result<std::string> url = UrlOf(call.operation, *call.bucket, address->host, target);
  if (!url.ok()) return url.status();

  HttpRequest request;
  request.method = call.method;
  request.url = std::move(url).value();
  request.headers = std::move(to_sign.headers);
  for (auto& h : signature->headers_to_add) request.headers.push_back(std::move(h));
  request.body = call.body;
  request.max_response_bytes = call.max_response_bytes;
  request.timeouts.connect = std::chrono::milliseconds(options_.connect_timeout_ms);
  request.timeouts.total = std::chrono::milliseconds(options_.request_timeout_ms);

  std::unique_ptr<HttpClient> client = BorrowClient();
  Result<HttpResponse> response = client->Send(request);
  ReturnClient(std::move(client));
  if (!response.ok()) return response.status().WithContext(call.operation);
  return response;
}

bool S3Store::ContainsSecret(std::string_view text) const {
  return text.find(options_.secret_access_key) != std::string_view::npos ||
         (!options_.session_token.empty() &&
          text.find(options_.session_token) != std::string_view::npos);
}

Status S3Store::ErrorFromResponse(const Call& call, const HttpResponse& response) const {
  S3ErrorBody body;
  if (!response.body.empty()) {
    // A non-XML error page (from a proxy, say) still gets classified by status.
    Result<S3ErrorBody> parsed = ParseS3Error(response.body);
    if (parsed.ok()) body = std::move(parsed).value();
  }
  const std::string header_request_id = response.Header("x-amz-request-id");
  const std::string bucket_region = response.Header("x-amz-bucket-region");
  S3ErrorInput in;
  in.operation = call.operation;
  in.bucket = call.bucket->name;
  in.key = call.key != nullptr ? std::string_view(call.key->value) : std::string_view();
  in.http_status = static_cast<int>(response.status);
  in.s3_code = body.code;
  if (!ContainsSecret(body.message)) in.s3_message = body.message;
  in.request_id = body.request_id.empty() ? header_request_id : body.request_id;
  in.bucket_region = bucket_region;
  return ClassifyS3Error(in);
}

Status S3Store::HeadBucket(const Bucket& bucket) {
  Call call("HeadBucket", "HEAD", bucket);
  Result<HttpResponse> r = Execute(call);
  if (!r.ok()) return r.status();
  return IsSuccess(r->status) ? Status::Ok() : ErrorFromResponse(call, *r);
}

Status S3Store::PutObject(const Bucket& bucket, const ObjectKey& key, std::string_view body,
                          const WriteOptions& options) {
  Call call("PutObject", "PUT", bucket, &key);
  call.body = body;
  call.headers.emplace_back("content-md5", ContentMd5(body));
  K2C_RETURN_IF_ERROR(AddNewObjectHeaders(options, &call));
  if (options.if_absent) AddCreateOnlyHeaders(&call);
  Result<HttpResponse> r = Execute(call);
  if (!r.ok()) return r.status();
  return IsSuccess(r->status) ? Status::Ok() : ErrorFromResponse(call, *r);
}

Result<MultipartId> S3Store::CreateMultipart(const Bucket& bucket, const ObjectKey& key,
                                             const WriteOptions& options) {
  Call call("CreateMultipart", "POST", bucket, &key, HttpFields{{"uploads", ""}});
  // `options.if_absent` is checked by CompleteMultipart: S3 does not take
  // If-None-Match here, and only the publishing request can be decisive.
  K2C_RETURN_IF_ERROR(AddNewObjectHeaders(options, &call));
  Result<HttpResponse> r = Execute(call);
  if (!r.ok()) return r.status();
  if (!IsSuccess(r->status)) return ErrorFromResponse(call, *r);
  Result<std::string> upload_id = ParseInitiateMultipartUploadResult(r->body);
  if (!upload_id.ok()) return upload_id.status().WithContext(call.operation);
  return MultipartId{std::move(upload_id).value()};
}

Result<std::string> S3Store::UploadPart(const Bucket& bucket, const ObjectKey& key,
                                        const MultipartId& id, int number, std::string_view body) {
  if (number < 1 || number > kMaxPartNumber || id.value.empty()) {
    return Status::InvalidArgument("UploadPart: part number must be 1..10000 (got " +
                                   std::to_string(number) + ") and the upload id non-empty");
  }
  Call call("UploadPart", "PUT", bucket, &key,
            HttpFields{{"partNumber", std::to_string(number)}, {"uploadId", id.value}});
  call.body = body;
  call.headers.emplace_back("content-md5", ContentMd5(body));
  Result<HttpResponse> r = Execute(call);
  if (!r.ok()) return r.status();
  if (!IsSuccess(r->status)) return ErrorFromResponse(call, *r);
  std::string etag = r->Header("etag");
  if (etag.empty()) {
    return Status::Internal("UploadPart: the server accepted part " + std::to_string(number) +
                            " of s3://" + bucket.name + "/" + key.value + " but sent no ETag");
  }
  return etag;
}

Status S3Store::CompleteMultipart(const Bucket& bucket, const ObjectKey& key, const MultipartId& id,
                                  const std::vector<CompletedPart>& parts,
                                  const WriteOptions& options) {
  if (parts.empty() || id.value.empty()) {
    return Status::InvalidArgument("CompleteMultipart: needs an upload id and at least one part");
  }
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].number < 1 || parts[i].number > kMaxPartNumber || parts[i].etag.empty() ||
        (i > 0 && parts[i].number <= parts[i - 1].number)) {
      return Status::InvalidArgument(
          "CompleteMultipart: parts must have ETags and strictly ascending numbers in 1..10000");
    }
  }
  const std::string xml = BuildCompleteMultipartUploadXml(parts);
  Call call("CompleteMultipart", "POST", bucket, &key, HttpFields{{"uploadId", id.value}});
  call.body = xml;
  call.headers.emplace_back("content-md5", ContentMd5(xml));
  call.headers.emplace_back("content-type", "application/xml");
  if (options.if_absent) AddCreateOnlyHeaders(&call);
  Result<HttpResponse> r = Execute(call);
  if (!r.ok()) return r.status();
  if (!IsSuccess(r->status)) return ErrorFromResponse(call, *r);
  Result<CompleteMultipartOutcome> outcome = ParseCompleteMultipartUploadResult(r->body);
  if (!outcome.ok()) {
    return outcome.status().WithContext("CompleteMultipart s3://" + bucket.name + "/" + key.value +
                                        " (HTTP " + std::to_string(r->status) +
                                        "; outcome unknown)");
  }
  if (outcome->error.has_value()) {
    // S3 reports late failures inside a 200; classify them like any error.
    const S3ErrorBody& e = *outcome->error;
    S3ErrorInput in;
    in.operation = call.operation;
    in.bucket = bucket.name;
    in.key = key.value;
    in.http_status = static_cast<int>(r->status);
    in.s3_code = e.code;
    if (!ContainsSecret(e.message)) in.s3_message = e.message;
    const std::string header_request_id = r->Header("x-amz-request-id");
    in.request_id = e.request_id.empty() ? std::string_view(header_request_id) : e.request_id;
    return ClassifyS3Error(in);
  }
  return Status::Ok();
}

Status S3Store::AbortMultipart(const Bucket& bucket, const ObjectKey& key, const MultipartId& id) {
  if (id.value.empty()) return Status::InvalidArgument("AbortMultipart: empty upload id");
  Call call("AbortMultipart", "DELETE", bucket, &key, HttpFields{{"uploadId", id.value}});
  Result<HttpResponse> r = Execute(call);
  if (!r.ok()) return r.status();
  if (IsSuccess(r->status)) return Status::Ok();
  // Already gone (aborted, completed or expired) is what the caller wanted.
  if (r->status == 404 && ErrorCodeOf(*r) == "NoSuchUpload") return Status::Ok();
  return ErrorFromResponse(call, *r);
}

Result<ObjectHead> S3Store::HeadObject(const Bucket& bucket, const ObjectKey& key) {
  Call call("HeadObject", "HEAD", bucket, &key);
  Result<HttpResponse> r = Execute(call);
  if (!r.ok()) return r.status();
  // A HEAD answer has no body: ErrorFromResponse classifies by status alone.
  if (!IsSuccess(r->status)) return ErrorFromResponse(call, *r);
  ObjectHead head;
  const std::string length = r->Header("content-length");
  const auto [end, ec] = std::from_chars(length.data(), length.data() + length.size(), head.size);
  if (length.empty() || ec != std::errc() || end != length.data() + length.size()) {
    return Status::Internal("HeadObject: the server sent no valid Content-Length for s3://" +
                            bucket.name + "/" + key.value);
  }
  head.etag = r->Header("etag");
  // Header names arrive lower-cased. "x-amz-meta-" sorts before "x-cos-meta-",
  // so where a COS server sends both spellings the S3 one is kept.
  for (const auto& [name, value] : r->headers) {
    std::string_view prefix;
    if (name.starts_with(kAmzMetaPrefix)) {
      prefix = kAmzMetaPrefix;
    } else if (cos_dialect_ && name.starts_with(kCosMetaPrefix)) {
      prefix = kCosMetaPrefix;
    }
    if (!prefix.empty() && name.size() > prefix.size()) {
      head.metadata.emplace(name.substr(prefix.size()), value);
    }
  }
  return head;
}

Result<std::string> S3Store::GetObject(const Bucket& bucket, const ObjectKey& key) {
  Call call("GetObject", "GET", bucket, &key);
  // Whole objects are read into memory (verification and tests); the read
  // side streams them instead.
  call.max_response_bytes = kMaxGetObjectBytes;
  Result<HttpResponse> r = Execute(call);
  if (!r.ok()) return r.status();
  if (!IsSuccess(r->status)) return ErrorFromResponse(call, *r);
  return std::move(r->body);
}

Result<std::string> S3Store::GetObjectRange(const Bucket& bucket, const ObjectKey& key,
                                            uint64_t offset, uint64_t length) {
  if (length == 0) {
    // "bytes=a-(a-1)" is no range to S3; HEAD still says whether the object
    // is there, as the contract wants.
    Result<ObjectHead> head = HeadObject(bucket, key);
    if (!head.ok()) return head.status().WithContext("GetObjectRange");
    return std::string();
  }
  const uint64_t max = std::numeric_limits<uint64_t>::max();
  const uint64_t last = length - 1 > max - offset ? max : offset + length - 1;
  const std::string range = "bytes=" + std::to_string(offset) + "-" + std::to_string(last);
  Call call("GetObjectRange", "GET", bucket, &key);
  call.headers.emplace_back("range", range);
  // A server ignoring Range sends the whole object: bounded as GetObject is.
  call.max_response_bytes = kMaxGetObjectBytes;
  Result<HttpResponse> r = Execute(call);
  if (!r.ok()) return r.status();
  // InvalidRange: the range starts at or past the end (an empty object has
  // no byte at all): nothing there to read, which is no error.
  if (r->status == 416) return std::string();
  if (!IsSuccess(r->status)) return ErrorFromResponse(call, *r);
  if (r->status == 206) {
    // Bytes from elsewhere in the object would be returned as if they were
    // the range asked for: only a 206 that says where it starts is taken.
    const std::optional<uint64_t> first = ContentRangeFirst(r->Header("content-range"));
    if (!first.has_value() || *first != offset || r->body.size() > length) {
      return Status::Internal("GetObjectRange: the server answered Content-Range '" +
                              r->Header("content-range") + "' with " +
                              std::to_string(r->body.size()) + " bytes for " + range + " of s3://" +
                              bucket.name + "/" + key.value);
    }
    return std::move(r->body);
  }
  if (offset >= r->body.size()) return std::string();
  return r->body.substr(static_cast<size_t>(offset), static_cast<size_t>(length));
}

Result<std::string> S3Store::PresignGetUrl(const Bucket& bucket, const ObjectKey& key,
                                           std::chrono::seconds expires) {
  static constexpr char kOperation[] = "PresignGetUrl";
  Result<Address> address = AddressOf(kOperation, bucket, &key);
  if (!address.ok()) return address.status();
  Result<SigV4PresignedUrl> presigned =
      PresignGet({options_.access_key_id, options_.secret_access_key, options_.session_token},
                 {options_.region, "s3"}, address->host, address->path, clock_(), expires);
  if (!presigned.ok()) return presigned.status().WithContext(kOperation);
  return UrlOf(kOperation, bucket, address->host, presigned->encoded_path + "?" + presigned->query);
}

Status S3Store::DeleteObject(const Bucket& bucket, const ObjectKey& key) {
  Call call("DeleteObject", "DELETE", bucket, &key);
  Result<HttpResponse> r = Execute(call);
  if (!r.ok()) return r.status();
  if (IsSuccess(r->status)) return Status::Ok();
  // S3 answers 204 for a missing key; some compatible servers say NoSuchKey.
  if (r->status == 404 && ErrorCodeOf(*r) == "NoSuchKey") return Status::Ok();
  return ErrorFromResponse(call, *r);
}

Result<ListPage> S3Store::ListObjects(const Bucket& bucket, const std::string& prefix,
                                      const std::string& continuation_token) {
  Call call("ListObjects", "GET", bucket, nullptr, HttpFields{{"list-type", "2"}});
  if (!prefix.empty()) call.query.emplace_back("prefix", prefix);
  if (!continuation_token.empty()) {
    call.query.emplace_back("continuation-token", continuation_token);
  }
  Result<HttpResponse> r = Execute(call);
  if (!r.ok()) return r.status();
  if (!IsSuccess(r->status)) return ErrorFromResponse(call, *r);
  Result<ListPage> page = ParseListObjectsV2Result(r->body);
  if (!page.ok()) return page.status().WithContext(call.operation);
  return page;
}

Result<std::vector<std::string>> S3Store::ListBuckets() {
  static const Bucket kNoBucket{""};
  Call call("ListBuckets", "GET", kNoBucket);
  call.service_level = true;
  Result<HttpResponse> r = Execute(call);
  if (!r.ok()) return r.status();
  if (!IsSuccess(r->status)) return ErrorFromResponse(call, *r);
  Result<std::vector<std::string>> names = ParseListAllMyBucketsResult(r->body);
  if (!names.ok()) return names.status().WithContext(call.operation);
  return names;
}

Status S3Store::EnsureBucket(const Bucket& bucket) { return ValidateBucketName(bucket.name); }

}  // namespace k2c
