// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "format/stream_compression.h"

#include <zlib.h>
#include <zstd.h>

#include <utility>

namespace k2c {
namespace {

constexpr size_t kChunk = 64 << 10;  // Output grown per decompression step.

Status GzipFrame(int level, std::string_view in, std::string* out) {
  z_stream zs{};
  // 15 window bits + 16: a gzip header and trailer, which zcat, DuckDB and
  // every gzip reader expect, not a raw zlib stream.
  if (deflateInit2(&zs, level == 0 ? Z_DEFAULT_COMPRESSION : level, Z_DEFLATED, 15 + 16, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    return Status::Internal("gzip: deflateInit2 failed");
  }
  const size_t before = out->size();
  out->resize(before + deflateBound(&zs, in.size()));
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out->data() + before);
  zs.avail_out = static_cast<uInt>(out->size() - before);
  const int rc = deflate(&zs, Z_FINISH);
  const size_t written = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) {
    out->resize(before);
    return Status::Internal("gzip: deflate did not finish (" + std::to_string(rc) + ")");
  }
  out->resize(before + written);
  return Status::Ok();
}

Status ZstdFrame(int level, std::string_view in, std::string* out) {
  const size_t before = out->size();
  out->resize(before + ZSTD_compressBound(in.size()));
  const size_t n = ZSTD_compress(out->data() + before, out->size() - before, in.data(), in.size(),
                                 level == 0 ? ZSTD_CLEVEL_DEFAULT : level);
  if (ZSTD_isError(n)) {
    out->resize(before);
    return Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(n));
  }
  out->resize(before + n);
  return Status::Ok();
}

Status TooLarge(uint64_t max_bytes) {
  return Status::ResourceExhausted("decompressed object is larger than " +
                                   std::to_string(max_bytes) + " bytes");
}

Status GunzipAll(std::string_view in, uint64_t max_bytes, std::string* out) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) return Status::Internal("gzip: inflateInit2 failed");
  struct End {
    z_stream* zs;
    ~End() { inflateEnd(zs); }
  } end{&zs};
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  const uint64_t start = out->size();
  bool in_member = zs.avail_in > 0;
  while (zs.avail_in > 0) {
    const size_t before = out->size();
    out->resize(before + kChunk);
    zs.next_out = reinterpret_cast<Bytef*>(out->data() + before);
    zs.avail_out = kChunk;
    const int rc = inflate(&zs, Z_NO_FLUSH);
    out->resize(before + (kChunk - zs.avail_out));
    if (out->size() - start > max_bytes) return TooLarge(max_bytes);
    if (rc == Z_STREAM_END) {
      in_member = false;
      if (zs.avail_in == 0) break;
      // Another member follows (one per compressed block).
      if (inflateReset(&zs) != Z_OK) return Status::Internal("gzip: inflateReset failed");
      in_member = true;
      continue;
    }
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) break;
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return Status::InvalidArgument(std::string("not a valid gzip stream: ") +
                                     (zs.msg != nullptr ? zs.msg : "inflate failed") +
                                     " at compressed byte " + std::to_string(zs.total_in));
    }
  }
  if (in_member) return Status::DataLoss("gzip stream is truncated (its last member has no end)");
  return Status::Ok();
}

Status UnzstdAll(std::string_view in, uint64_t max_bytes, std::string* out) {
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> dctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (!dctx) return Status::Internal("zstd: cannot create a context");
  // Bounded window: a hostile frame cannot make the decoder reserve more.
  ZSTD_DCtx_setParameter(dctx.get(), ZSTD_d_windowLogMax, 27);
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  const uint64_t start = out->size();
  size_t last = 0;
  while (input.pos < input.size) {
    const size_t before = out->size();
    out->resize(before + kChunk);
    ZSTD_outBuffer output{out->data() + before, kChunk, 0};
    last = ZSTD_decompressStream(dctx.get(), &output, &input);
    out->resize(before + output.pos);
    if (ZSTD_isError(last)) {
      return Status::InvalidArgument(std::string("not a valid zstd stream: ") +
                                     ZSTD_getErrorName(last) + " at compressed byte " +
                                     std::to_string(input.pos));
    }
    if (out->size() - start > max_bytes) return TooLarge(max_bytes);
    if (output.pos == 0 && input.pos == input.size) break;
  }
  // Flush what the decoder still holds.
  while (last != 0) {
    const size_t before = out->size();
    out->resize(before + kChunk);
    ZSTD_outBuffer output{out->data() + before, kChunk, 0};
    last = ZSTD_decompressStream(dctx.get(), &output, &input);
    out->resize(before + output.pos);
    if (ZSTD_isError(last)) {
      return Status::InvalidArgument(std::string("not a valid zstd stream: ") +
                                     ZSTD_getErrorName(last));
    }
    if (out->size() - start > max_bytes) return TooLarge(max_bytes);
    if (output.pos == 0) break;
  }
  if (last != 0) return Status::DataLoss("zstd stream is truncated (its last frame has no end)");
  return Status::Ok();
}

// Gathers the inner writer's bytes into blocks and writes each as a frame.
class CompressingObjectWriter final : public ObjectWriter {
 public:
  CompressingObjectWriter(std::unique_ptr<ObjectWriter> inner, StreamCodec codec, int level)
      : inner_(std::move(inner)), codec_(codec), level_(level) {}

  Status Append(const RecordView& record, std::string* out, bool* kept) override {
    K2C_RETURN_IF_ERROR(inner_->Append(record, &block_, kept));
    if (block_.size() < kCompressionBlockBytes) return Status::Ok();
    return EmitBlock(out);
  }

  Status Flush(std::string* out) override {
    K2C_RETURN_IF_ERROR(inner_->Flush(&block_));
    if (block_.empty()) return Status::Ok();
    return EmitBlock(out);
  }

  Status Finish(std::string* out) override {
    K2C_RETURN_IF_ERROR(inner_->Finish(&block_));
    // An object whose records were all dropped still gets one (empty)
    // frame: a zero-byte file is not a valid gzip or zstd stream.
    if (block_.empty() && emitted_) return Status::Ok();
    return EmitBlock(out);
  }

  uint64_t buffered_bytes() const override { return block_.capacity() + inner_->buffered_bytes(); }

 private:
  Status EmitBlock(std::string* out) {
    const Status s = codec_ == StreamCodec::kGzip ? GzipFrame(level_, block_, out)
                                                  : ZstdFrame(level_, block_, out);
    // Free, not only clear: an idle partition should not keep a block.
    std::string().swap(block_);
    emitted_ = true;
    return s;
  }

  std::unique_ptr<ObjectWriter> inner_;
  const StreamCodec codec_;
  const int level_;
  std::string block_;
  bool emitted_ = false;
};

}  // namespace

Result<StreamCodec> StreamCodecFromName(std::string_view name) {
  if (name == "none") return StreamCodec::kNone;
  if (name == "gzip") return StreamCodec::kGzip;
  if (name == "zstd") return StreamCodec::kZstd;
  return Status::InvalidArgument("unknown compression '" + std::string(name) +
                                 "' (known: none, gzip, zstd)");
}

std::string_view StreamCodecSuffix(StreamCodec codec) {
  switch (codec) {
    case StreamCodec::kGzip:
      return ".gz";
    case StreamCodec::kZstd:
      return ".zst";
    case StreamCodec::kNone:
      break;
  }
  return "";
}

Status CompressFrame(StreamCodec codec, int level, std::string_view in, std::string* out) {
  switch (codec) {
    case StreamCodec::kGzip:
      return GzipFrame(level, in, out);
    case StreamCodec::kZstd:
      return ZstdFrame(level, in, out);
    case StreamCodec::kNone:
      break;
  }
  out->append(in);
  return Status::Ok();
}

Status DecompressAll(StreamCodec codec, std::string_view in, uint64_t max_bytes, std::string* out) {
  switch (codec) {
    case StreamCodec::kGzip:
      return GunzipAll(in, max_bytes, out);
    case StreamCodec::kZstd:
      return UnzstdAll(in, max_bytes, out);
    case StreamCodec::kNone:
      break;
  }
  if (in.size() > max_bytes) return TooLarge(max_bytes);
  out->append(in);
  return Status::Ok();
}

Result<std::string_view> Uncompressed(const Format& format, std::string_view object,
                                      const ReadLimits& limits, std::string* storage) {
  auto codec = StreamCodecFromName(format.compression());
  if (!codec.ok()) return codec.status();
  if (*codec == StreamCodec::kNone) {
    if (object.size() > limits.max_decoded_bytes) return TooLarge(limits.max_decoded_bytes);
    return object;
  }
  storage->clear();
  K2C_RETURN_IF_ERROR(DecompressAll(*codec, object, limits.max_decoded_bytes, storage));
  return std::string_view(*storage);
}

std::unique_ptr<ObjectWriter> CompressingWriter(std::unique_ptr<ObjectWriter> inner,
                                                StreamCodec codec, int level) {
  if (codec == StreamCodec::kNone) return inner;
  return std::make_unique<CompressingObjectWriter>(std::move(inner), codec, level);
}

}  // namespace k2c
