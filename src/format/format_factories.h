// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

// The constructors of each format, for MakeFormat only: everything else goes
// through format.h. `settings` are validated.

#include <memory>

#include "format/format.h"

namespace k2c {

// The rule of the formats that keep header keys as strings (avro, parquet):
// InvalidArgument, naming the record and pointing at `jsonl`, when one of
// `record`'s header keys is not valid UTF-8.
Status CheckHeaderKeysAreText(const RecordView& record);

Result<std::unique_ptr<Format>> MakeTextFormat(const FormatInfo& info,
                                               const FormatSettings& settings);
Result<std::unique_ptr<Format>> MakeJsonlFormat(const FormatInfo& info,
                                                const FormatSettings& settings);
Result<std::unique_ptr<Format>> MakeAvroFormat(const FormatInfo& info,
                                               const FormatSettings& settings);
Result<std::unique_ptr<Format>> MakeParquetFormat(const FormatInfo& info,
                                                  const FormatSettings& settings);

}  // namespace k2c
