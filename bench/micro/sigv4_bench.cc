// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// Micro-benchmark of AWS Signature Version 4 signing, done once per S3 request.
// Measures the signature of a PutObject alone (payload hash given, either
// UNSIGNED-PAYLOAD or a precomputed SHA-256), and then the hashing that
// S3Store does before every upload (Sha256Hex of the whole body), on its own
// and together with the signature, so that the two costs can be told apart.
// Inputs are fixed: AWS's documented example keys, a fixed date, a fixed body.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "storage/sigv4.h"

namespace k2c {
namespace {

// The example credentials of AWS's SigV4 test suite (not a real account,
// and not shaped like a real key id, so secret scanners stay quiet).
const SigV4Credentials& Credentials() {
  static const SigV4Credentials kCredentials{"AKIDEXAMPLE",
                                             "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
  return kCredentials;
}

const SigV4Scope& Scope() {
  static const SigV4Scope kScope{"us-east-1", "s3"};
  return kScope;
}

std::chrono::system_clock::time_point Now() {
  return std::chrono::system_clock::time_point(std::chrono::seconds(1'768'471'200));  // 2026-01-15.
}

// A PutObject as S3Store builds it (virtual-hosted style, default key
// template, the headers it always sends), with `payload_sha256` to sign.
SigV4Request PutObjectRequest(std::string payload_sha256) {
  SigV4Request request;
  request.method = "PUT";
  request.path = "/k2c-prod/orders/20260115T100000Z_p3_o1234567.txt";
  request.headers = {
      {"host", "archive-bucket.s3.us-east-1.amazonaws.com"},
      {"content-md5", "Q2hlY2sgSW50ZWdyaXR5IQ=="},  // Fixed; not checked here.
      {"content-type", "application/octet-stream"},
  };
  request.payload_sha256 = std::move(payload_sha256);
  return request;
}

// A deterministic body: repeated newline-terminated JSON-looking records.
std::string MakeBody(size_t size) {
  const std::string line = R"({"event":"order_created","order_id":1234567,"amount":"19.99"})"
                           "\n";
  std::string body;
  body.reserve(size);
  while (body.size() < size) body.append(line, 0, std::min(line.size(), size - body.size()));
  return body;
}

// Signs `request`; false (and the benchmark marked failed) on an error.
bool SignOnce(benchmark::State& state, const SigV4Request& request) {
  Result<SigV4Signature> signature = SignRequest(request, Credentials(), Scope(), Now());
  if (!signature.ok()) {
    state.SkipWithError(signature.status().ToString().c_str());
    return false;
  }
  benchmark::DoNotOptimize(signature->authorization.data());
  benchmark::ClobberMemory();
  return true;
}

// Signature only, payload not hashed (S3 accepts this over TLS only).
void BM_SignPutObjectUnsignedPayload(benchmark::State& state) {
  const SigV4Request request = PutObjectRequest(std::string(kUnsignedPayload));
  for (auto _ : state) {
    if (!SignOnce(state, request)) break;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SignPutObjectUnsignedPayload);

// Signature only, with the body's hash already computed (what kafka2cos
// signs; the hash itself is measured below).
void BM_SignPutObjectPrecomputedHash(benchmark::State& state) {
  const SigV4Request request = PutObjectRequest(Sha256Hex(MakeBody(1 << 20)));
  for (auto _ : state) {
    if (!SignOnce(state, request)) break;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SignPutObjectPrecomputedHash);

// Hashing a body alone: Sha256Hex as S3Store calls it before each request.
void BM_Sha256HexBody(benchmark::State& state) {
  const std::string body = MakeBody(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    std::string hash = Sha256Hex(body);
    benchmark::DoNotOptimize(hash.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}
BENCHMARK(BM_Sha256HexBody)->Arg(1 << 20);

// What one upload pays: hash the body, then sign with that hash.
void BM_SignPutObjectHashingBody(benchmark::State& state) {
  const std::string body = MakeBody(static_cast<size_t>(state.range(0)));
  SigV4Request request = PutObjectRequest("");
  for (auto _ : state) {
    request.payload_sha256 = Sha256Hex(body);
    if (!SignOnce(state, request)) break;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}
BENCHMARK(BM_SignPutObjectHashingBody)->Arg(1 << 20);

}  // namespace
}  // namespace k2c
