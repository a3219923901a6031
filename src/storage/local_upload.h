// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "storage/object_store.h"

namespace k2c {

// The parts of one multipart upload of the local store, in the upload's
// directory. kafka2cos's uploaders send parts in order, one at a time, so
// each part is written straight into the upload's one `data` file after the
// part before it ("in place"), and completing the upload publishes that file
// as it is: every byte is written once, with no copy at the end. A part that
// does not follow its predecessor there (sent out of order, or sent again)
// is kept in a file of its own, and completing then assembles the object
// from both, as S3's semantics require. Files: `data`; `at-NNNNN`, the span
// ("offset size") of part NNNNN in `data`, created first as a claim; `part-
// NNNNN`, a part of its own; `complete`, an assembled object.
//
// Not thread-safe for one part number; different part numbers of one upload
// may be written concurrently (the claim keeps `data` consistent).
class LocalUpload {
 public:
  explicit LocalUpload(std::filesystem::path dir) : dir_(std::move(dir)) {}

  // Stores part `number` (1..10000, checked by the caller) and returns its
  // ETag. Not durable: completing fsyncs what it publishes.
  Result<std::string> WritePart(int number, std::string_view body);

  // A durable file holding `parts` in their order, to be published as the
  // object: `data` itself when the parts lie there in order from its start
  // and fill it exactly, else a new `complete` file assembled from `data` and
  // the parts' own files. InvalidArgument if a part was never written.
  Result<std::filesystem::path> Assemble(const std::vector<CompletedPart>& parts);

 private:
  struct Span {
    uint64_t offset = 0;
    uint64_t size = 0;
  };
  std::filesystem::path SpanPath(int number) const;
  std::filesystem::path OwnPath(int number) const;
  std::optional<Span> ReadSpan(int number) const;
  // Writes `body` at `offset` of `data` under the claim `span_fd` (the file
  // `span_path`), then the span into the claim.
  Status WriteInPlace(int span_fd, const std::filesystem::path& span_path, uint64_t offset,
                      std::string_view body);

  std::filesystem::path dir_;
};

}  // namespace k2c
