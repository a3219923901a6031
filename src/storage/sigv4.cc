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
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
    return Status::InvalidArgument("SigV4: access key id and secret access key must be set");
  }
  if (scope.region.empty() || scope.service.empty()) {
    return Status::InvalidArgument("SigV4: region and service must be set");
  }
  if (request.method.empty()) return Status::InvalidArgument("SigV4: method must be set");
  if (request.payload_sha256.empty()) {
    return Status::InvalidArgument("SigV4: payload hash must be set (hex SHA-256 or " +
                                   std::string(kUnsignedPayload) + ")");
  }

  const std::string amz_date = FormatAmzDate(now);
  const std::string date = amz_date.substr(0, 8);

  SigV4Signature out;
  out.headers_to_add.emplace_back("x-amz-date", amz_date);
  if (options.add_content_sha256_header) {
    out.headers_to_add.emplace_back("x-amz-content-sha256", request.payload_sha256);
  }
  if (!credentials.session_token.empty()) {
    out.headers_to_add.emplace_back("x-amz-security-token", credentials.session_token);
  }

  // std::map gives the byte-order sort by lower-case name that SigV4 requires;
  // duplicates are joined with ',' in the order given.
  std::map<std::string, std::string> canonical_headers;
  auto add_header = [&canonical_headers](const std::string& lower_name, std::string_view value) {
    auto [it, inserted] = canonical_headers.emplace(lower_name, NormalizeHeaderValue(value));
    if (!inserted) {
      it->second.push_back(',');
      it->second += NormalizeHeaderValue(value);
    }
  };
  for (const auto& [name, value] : request.headers) {
    std::string lower = ToLower(name);
    if (IsReservedHeader(lower)) {
      // Name only: the value of a header like this may be a credential.
      return Status::InvalidArgument("SigV4: header '" + lower +
                                     "' is set by the signer and must not be passed in");
    }
    add_header(lower, value);
  }
  if (canonical_headers.find("host") == canonical_headers.end()) {
    return Status::InvalidArgument("SigV4: the host header must be signed");
  }
  for (const auto& [name, value] : out.headers_to_add) add_header(name, value);

  std::string signed_headers;
  std::string canonical_header_block;
  for (const auto& [name, value] : canonical_headers) {
    if (!signed_headers.empty()) signed_headers.push_back(';');
    signed_headers += name;
    canonical_header_block += name;
    canonical_header_block.push_back(':');
    canonical_header_block += value;
    canonical_header_block.push_back('\n');
  }

  out.canonical_request = request.method + "\n" + UriEncodePath(request.path) + "\n" +
                          CanonicalQueryString(request.query) + "\n" + canonical_header_block +
                          "\n" + signed_headers + "\n" + request.payload_sha256;

  const std::string credential_scope =
      date + "/" + scope.region + "/" + scope.service + "/aws4_request";
  out.string_to_sign = std::string(kAlgorithm) + "\n" + amz_date + "\n" + credential_scope + "\n" +
                       Sha256Hex(out.canonical_request);

  const std::string k_date = HmacSha256("AWS4" + credentials.secret_access_key, date);
  const std::string k_region = HmacSha256(k_date, scope.region);
  const std::string k_service = HmacSha256(k_region, scope.service);
  const std::string k_signing = HmacSha256(k_service, "aws4_request");
  out.signature = HexEncode(HmacSha256(k_signing, out.string_to_sign));

  out.authorization = std::string(kAlgorithm) + " Credential=" + credentials.access_key_id + "/" +
                      credential_scope + ", SignedHeaders=" + signed_headers +
                      ", Signature=" + out.signature;
  out.headers_to_add.emplace_back("authorization", out.authorization);
  return out;
}

}  // namespace k2c
