// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "format/format_factories.h"

namespace k2c {

Result<std::unique_ptr<Format>> MakeAvroFormat(const FormatInfo&, const FormatSettings&) {
  return Status::Internal("the avro format is not built yet");
}

}  // namespace k2c
