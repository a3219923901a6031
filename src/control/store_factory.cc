// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "control/store_factory.h"

#include <spdlog/spdlog.h>

#include "storage/local_store.h"
#include "storage/s3_store.h"

namespace k2c {

Result<std::unique_ptr<ObjectStore>> MakeObjectStore(const StorageConfig& storage) {
  if (storage.type == StorageConfig::Type::kLocal) {
    return std::unique_ptr<ObjectStore>(std::make_unique<LocalStore>(storage.root));
  }
  S3Options options;
  options.endpoint = storage.endpoint;
  options.region = storage.region;
  options.path_style = storage.path_style;
  options.access_key_id = storage.access_key_id;
  options.secret_access_key = storage.secret_access_key;
  options.session_token = storage.session_token;
  options.verify_tls = storage.verify_tls;
  options.ca_file = storage.ca_file;
  options.connect_timeout_ms = static_cast<int>(storage.connect_timeout.count());
  options.request_timeout_ms = static_cast<int>(storage.request_timeout.count());
  options.server_side_encryption = storage.server_side_encryption;
  options.canned_acl = storage.canned_acl;
  auto store = S3Store::Create(options);
  if (!store.ok()) return store.status().WithContext("[storage]");
  spdlog::info("event=storage_configured {}", options.ToString());
  return std::unique_ptr<ObjectStore>(std::move(store.value()));
}

}  // namespace k2c
