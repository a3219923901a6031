// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string_view>

#include "common/status.h"

namespace k2c {

// The one owner of what a bucket name may be: S3's rules for new buckets
// (which COS's "<name>-<appid>" names also follow): 3-63 characters of
// a-z 0-9 '.' '-', beginning and ending with a letter or digit, no "..",
// not shaped like an IPv4 address, none of the prefixes and suffixes S3
// reserves. Applied where a name enters (config file, API, records of the
// tasks topic) and again by each store before it builds a request, so no
// name can change the host or path a signed request goes to.
// InvalidArgument naming the rule that is broken.
Status ValidateBucketName(std::string_view name);

}  // namespace k2c
