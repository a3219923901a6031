// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "format/format.h"

namespace k2c {

// Whole-object compression of the `text` and `jsonl` formats.
//
// An object is a sequence of independent frames (zstd) or members (gzip),
// each compressing about kCompressionBlockBytes of records. RFC 8878 and
// RFC 1952 both define such a concatenation as one valid stream, and zstd,
// zcat, Python's gzip, pyarrow and DuckDB read it as one. Independent frames
// let an open window hold at most one block of uncompressed records and no
// compressor state between blocks: a streaming context per open window
// would cost about 1 MiB (zstd) or 256 KiB (zlib) per partition, whatever
// its traffic. docs/formats.md says how to read such objects with
// python-zstandard, whose decompress() stops after the first frame.
enum class StreamCodec { kNone, kGzip, kZstd };

inline constexpr uint64_t kCompressionBlockBytes = 1ull << 20;

// "none", "gzip", "zstd"; InvalidArgument otherwise.
Result<StreamCodec> StreamCodecFromName(std::string_view name);
// "", ".gz", ".zst": appended to the format's extension.
std::string_view StreamCodecSuffix(StreamCodec codec);

// Appends `in` compressed as one frame (member) to `out`. `level` 0: the
// codec's default. An empty `in` still makes a valid (empty) frame.
Status CompressFrame(StreamCodec codec, int level, std::string_view in, std::string* out);

// Appends the decompression of every frame (member) of `in` to `out`.
// DataLoss for a truncated stream, InvalidArgument for a corrupt one,
// ResourceExhausted past `max_bytes` of output.
Status DecompressAll(StreamCodec codec, std::string_view in, uint64_t max_bytes, std::string* out);

// The bytes of a `text` or `jsonl` object without its compression: `object`
// itself, or its decompression in `*storage`.
Result<std::string_view> Uncompressed(const Format& format, std::string_view object,
                                      const ReadLimits& limits, std::string* storage);

// Wraps a writer of uncompressed bytes: what it emits is gathered into
// blocks of kCompressionBlockBytes, each written as one frame. kNone
// returns `inner` itself.
std::unique_ptr<ObjectWriter> CompressingWriter(std::unique_ptr<ObjectWriter> inner,
                                                StreamCodec codec, int level);

}  // namespace k2c
