// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "kafka/offset_lists.h"

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <memory>

namespace k2c {
namespace {

using ListPtr = std::unique_ptr<rd_kafka_topic_partition_list_t,
                                decltype(&rd_kafka_topic_partition_list_destroy)>;

ListPtr MakeList(const std::string& topic, const std::vector<int32_t>& partitions, int64_t offset) {
  ListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())),
               &rd_kafka_topic_partition_list_destroy);
  for (int32_t p : partitions) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p)->offset = offset;
  }
  return list;
}

// librdkafka answers in place, element by element: the order asked is kept.
std::vector<PartitionOffset> ReadList(const rd_kafka_topic_partition_list_t& list) {
  std::vector<PartitionOffset> out(static_cast<size_t>(list.cnt));
  for (int i = 0; i < list.cnt; ++i) {
    const rd_kafka_topic_partition_t& tp = list.elems[i];
    PartitionOffset& o = out[static_cast<size_t>(i)];
    o.partition = tp.partition;
    o.err = tp.err;
    o.offset = tp.err == RD_KAFKA_RESP_ERR_NO_ERROR ? tp.offset : -1;
    if (tp.metadata != nullptr && tp.metadata_size > 0) {
      o.metadata.assign(static_cast<const char*>(tp.metadata), tp.metadata_size);
    }
  }
  return out;
}

// librdkafka's C calls match answers to questions by a linear search too
// (rd_kafka_topic_partition_list_find), so a list is asked in chunks: the
// cost grows with partitions x chunk, not partitions squared, for one
// request per chunk and broker.
constexpr size_t kChunk = 256;

// Asks `ask(list, timeout_ms)` for `partitions` of `topic`, each listed with
// `offset`, chunk by chunk within `timeout`; the answers go to `out` in order.
template <class Ask>
rd_kafka_resp_err_t InChunks(const std::string& topic, const std::vector<int32_t>& partitions,
                             int64_t offset, std::chrono::milliseconds timeout, Ask&& ask,
                             std::vector<PartitionOffset>* out) {
  out->clear();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (size_t from = 0; from < partitions.size(); from += kChunk) {
    const std::vector<int32_t> chunk(partitions.begin() + static_cast<std::ptrdiff_t>(from),
                                     partitions.begin() + static_cast<std::ptrdiff_t>(std::min(
                                                              partitions.size(), from + kChunk)));
    ListPtr list = MakeList(topic, chunk, offset);
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    const rd_kafka_resp_err_t err = ask(list, static_cast<int>(std::max<int64_t>(1, left.count())));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      out->clear();
      return err;
    }
    std::vector<PartitionOffset> part = ReadList(*list);
    out->insert(out->end(), std::make_move_iterator(part.begin()),
                std::make_move_iterator(part.end()));
  }
  return RD_KAFKA_RESP_ERR_NO_ERROR;
}

}  // namespace

rd_kafka_resp_err_t CommittedOffsets(rd_kafka_t* consumer, const std::string& topic,
                                     const std::vector<int32_t>& partitions,
                                     std::chrono::milliseconds timeout,
                                     std::vector<PartitionOffset>* out) {
  const auto ask = [consumer](ListPtr& list, int timeout_ms) {
    return rd_kafka_committed(consumer, list.get(), timeout_ms);
  };
  return InChunks(topic, partitions, RD_KAFKA_OFFSET_INVALID, timeout, ask, out);
}

rd_kafka_resp_err_t LogOffsets(rd_kafka_t* handle, const std::string& topic,
                               const std::vector<int32_t>& partitions, int64_t which,
                               std::chrono::milliseconds timeout,
                               std::vector<PartitionOffset>* out) {
  // offsets_for_times reads each offset as the time asked for; "end" and
  // "beginning" are ListOffsets' latest and earliest.
  const auto ask = [handle](ListPtr& list, int timeout_ms) {
    return rd_kafka_offsets_for_times(handle, list.get(), timeout_ms);
  };
  return InChunks(topic, partitions, which, timeout, ask, out);
}

}  // namespace k2c
