// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "storage/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <ctime>
#include <map>

namespace k2c {
namespace {

constexpr char kAlgorithm[] = "AWS4-HMAC-SHA256";
constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kUpperHexDigits[] = "0123456789ABCDEF";

std::string HexEncode(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHexDigits[c >> 4]);
    out.push_back(kHexDigits[c & 0xF]);
  }
  return out;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// SigV4 wants header values trimmed and inner runs of spaces collapsed to one
// (even inside quotes), so a proxy re-spacing a header cannot change meaning.
std::string NormalizeHeaderValue(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  bool pending_space = false;
  for (char c : v) {
    if (IsSpace(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

bool IsReservedHeader(const std::string& lower_name) {
  return lower_name == "authorization" || lower_name == "x-amz-date" ||
         lower_name == "x-amz-content-sha256" || lower_name == "x-amz-security-token";
}

// Inputs every signature needs, whichever form carries it.
Status CheckSigningInputs(const SigV4Credentials& credentials, const SigV4Scope& scope) {
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
    return Status::InvalidArgument("SigV4: access key id and secret access key must be set");
  }
  if (scope.region.empty() || scope.service.empty()) {
    return Status::InvalidArgument("SigV4: region and service must be set");
  }
  return Status::Ok();
}

// The signed headers of a request in canonical form.
struct CanonicalHeaders {
  std::string block;        // "name:value\n" per header, sorted by name.
  std::string signed_list;  // "name;name;...", the SignedHeaders value.
};

// Canonicalises the caller's `headers` (any case; must contain host, must not
// contain a header the signer owns) together with the signer's own
// `signer_headers` (lower case).
Result<CanonicalHeaders> CanonicalizeHeaders(const HttpFields& headers,
                                             const HttpFields& signer_headers) {
  // std::map gives the byte-order sort by lower-case name that SigV4 requires;
  // duplicates are joined with ',' in the order given.
  std::map<std::string, std::string> canonical;
  auto add_header = [&canonical](const std::string& lower_name, std::string_view value) {
    auto [it, inserted] = canonical.emplace(lower_name, NormalizeHeaderValue(value));
    if (!inserted) {
      it->second.push_back(',');
      it->second += NormalizeHeaderValue(value);
    }
  };
  for (const auto& [name, value] : headers) {
    std::string lower = ToLower(name);
    if (IsReservedHeader(lower)) {
      // Name only: the value of a header like this may be a credential.
      return Status::InvalidArgument("SigV4: header '" + lower +
                                     "' is set by the signer and must not be passed in");
    }
    add_header(lower, value);
  }
  if (canonical.find("host") == canonical.end()) {
    return Status::InvalidArgument("SigV4: the host header must be signed");
  }
  for (const auto& [name, value] : signer_headers) add_header(name, value);

  CanonicalHeaders out;
  for (const auto& [name, value] : canonical) {
    if (!out.signed_list.empty()) out.signed_list.push_back(';');
    out.signed_list += name;
    out.block += name;
    out.block.push_back(':');
    out.block += value;
    out.block.push_back('\n');
  }
  return out;
}

// The canonical request: what both forms sign, differing only in where the
// authentication parameters go (headers, or the query).
std::string CanonicalRequest(const std::string& method, std::string_view path,
                             const HttpFields& query, const CanonicalHeaders& headers,
                             const std::string& payload_sha256) {
  return method + "\n" + UriEncodePath(path) + "\n" + CanonicalQueryString(query) + "\n" +
         headers.block + "\n" + headers.signed_list + "\n" + payload_sha256;
}

// "YYYYMMDD/region/service/aws4_request" for a request signed at `amz_date`.
std::string CredentialScope(const std::string& amz_date, const SigV4Scope& scope) {
  return amz_date.substr(0, 8) + "/" + scope.region + "/" + scope.service + "/aws4_request";
}

// The steps after the canonical request, the same in both forms: the string
// to sign, the signing key derived from the secret, and the hex signature.
void SignCanonicalRequest(const std::string& canonical_request, const std::string& amz_date,
                          const std::string& credential_scope, const std::string& secret,
                          const SigV4Scope& scope, std::string* string_to_sign,
                          std::string* signature) {
  *string_to_sign = std::string(kAlgorithm) + "\n" + amz_date + "\n" + credential_scope + "\n" +
                    Sha256Hex(canonical_request);
  const std::string k_date = HmacSha256("AWS4" + secret, amz_date.substr(0, 8));
  const std::string k_region = HmacSha256(k_date, scope.region);
  const std::string k_service = HmacSha256(k_region, scope.service);
  const std::string k_signing = HmacSha256(k_service, "aws4_request");
  *signature = HexEncode(HmacSha256(k_signing, *string_to_sign));
}

}  // namespace

std::string UriEncode(std::string_view in, bool encode_slash) {
  std::string out;
  out.reserve(in.size() * 3);
  for (unsigned char c : in) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved || (c == '/' && !encode_slash)) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kUpperHexDigits[c >> 4]);
      out.push_back(kUpperHexDigits[c & 0xF]);
    }
  }
  return out;
}

std::string UriEncodePath(std::string_view path) {
  if (path.empty()) return "/";
  return UriEncode(path, /*encode_slash=*/false);
}

std::string CanonicalQueryString(const HttpFields& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [k, v] : query) {
    encoded.emplace_back(UriEncode(k, true), UriEncode(v, true));
  }
  // Sorting the encoded forms (byte order) is what AWS specifies; sorting raw
  // keys would order e.g. "a b" and "a-b" differently.
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [k, v] : encoded) {
    if (!out.empty()) out.push_back('&');
    out += k;
    out.push_back('=');
    out += v;
  }
  return out;
}

std::string FormatAmzDate(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[20];
  const size_t n = std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
  return std::string(buf, n);
}

std::string Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // EVP_Digest only fails on allocation failure; an empty result then makes
  // the signature wrong and the server rejects it, which is loud enough.
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1) return {};
  return HexEncode(std::string_view(reinterpret_cast<const char*>(md), len));
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), md, &len) == nullptr) {
    return {};
  }
  return std::string(reinterpret_cast<const char*>(md), len);
}

Result<SigV4Signature> SignRequest(const SigV4Request& request, const SigV4Credentials& credentials,
                                   const SigV4Scope& scope,
                                   std::chrono::system_clock::time_point now,
                                   const SigV4Options& options) {
  K2C_RETURN_IF_ERROR(CheckSigningInputs(credentials, scope));
  if (request.method.empty()) return Status::InvalidArgument("SigV4: method must be set");
  if (request.payload_sha256.empty()) {
    return Status::InvalidArgument("SigV4: payload hash must be set (hex SHA-256 or " +
                                   std::string(kUnsignedPayload) + ")");
  }

  const std::string amz_date = FormatAmzDate(now);
  SigV4Signature out;
  out.headers_to_add.emplace_back("x-amz-date", amz_date);
  if (options.add_content_sha256_header) {
    out.headers_to_add.emplace_back("x-amz-content-sha256", request.payload_sha256);
  }
  if (!credentials.session_token.empty()) {
    out.headers_to_add.emplace_back("x-amz-security-token", credentials.session_token);
  }
  Result<CanonicalHeaders> headers = CanonicalizeHeaders(request.headers, out.headers_to_add);
  if (!headers.ok()) return headers.status();

  out.canonical_request = CanonicalRequest(request.method, request.path, request.query, *headers,
                                           request.payload_sha256);
  const std::string credential_scope = CredentialScope(amz_date, scope);
  SignCanonicalRequest(out.canonical_request, amz_date, credential_scope,
                       credentials.secret_access_key, scope, &out.string_to_sign, &out.signature);
  out.authorization = std::string(kAlgorithm) + " Credential=" + credentials.access_key_id + "/" +
                      credential_scope + ", SignedHeaders=" + headers->signed_list +
                      ", Signature=" + out.signature;
  out.headers_to_add.emplace_back("authorization", out.authorization);
  return out;
}

Result<SigV4PresignedUrl> PresignGet(const SigV4Credentials& credentials, const SigV4Scope& scope,
                                     std::string_view host, std::string_view path,
                                     std::chrono::system_clock::time_point now,
                                     std::chrono::seconds expires) {
  K2C_RETURN_IF_ERROR(CheckSigningInputs(credentials, scope));
  if (host.empty())
    return Status::InvalidArgument("SigV4: the host of a presigned URL must be set");
  if (expires < std::chrono::seconds(1) || expires > kMaxPresignExpiry) {
    return Status::InvalidArgument("SigV4: a presigned URL must expire within 1 to " +
                                   std::to_string(kMaxPresignExpiry.count()) +
                                   " seconds (7 days, the SigV4 limit), not " +
                                   std::to_string(expires.count()));
  }
  // The headers are not sent by the signer but by whoever follows the URL:
  // only Host, which every HTTP/1.1 client sends, can be required of it.
  Result<CanonicalHeaders> headers =
      CanonicalizeHeaders({{"host", std::string(host)}}, /*signer_headers=*/{});
  if (!headers.ok()) return headers.status();

  const std::string amz_date = FormatAmzDate(now);
  const std::string credential_scope = CredentialScope(amz_date, scope);
  // The authentication parameters are part of the signed query; only the
  // signature itself cannot be, so it is appended afterwards.
  HttpFields query = {
      {"X-Amz-Algorithm", kAlgorithm},
      {"X-Amz-Credential", credentials.access_key_id + "/" + credential_scope},
      {"X-Amz-Date", amz_date},
      {"X-Amz-Expires", std::to_string(expires.count())},
      {"X-Amz-SignedHeaders", headers->signed_list},
  };
  if (!credentials.session_token.empty()) {
    query.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }

  SigV4PresignedUrl out;
  out.encoded_path = UriEncodePath(path);
  out.canonical_request =
      CanonicalRequest("GET", path, query, *headers, std::string(kUnsignedPayload));
  SignCanonicalRequest(out.canonical_request, amz_date, credential_scope,
                       credentials.secret_access_key, scope, &out.string_to_sign, &out.signature);
  out.query = CanonicalQueryString(query) + "&X-Amz-Signature=" + out.signature;
  return out;
}

}  // namespace k2c
