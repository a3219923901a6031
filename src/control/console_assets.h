// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <span>
#include <string_view>

namespace k2c {

// One file of the web console (web/dist), compiled into the binary so that
// a worker serves the console with no network and nothing installed beside
// it. The table is generated at build time by scripts/embed_web.py.
struct ConsoleAsset {
  std::string_view path;          // "/index.html", "/assets/index-3f2a.js"
  std::string_view content_type;  // From the file's extension.
  std::string_view body;
  // Vite names assets by their content's hash: cacheable for ever.
  bool immutable = false;
};

// Every file; when the console was not built (no web/dist), one
// index.html that says how to build it.
std::span<const ConsoleAsset> ConsoleAssets();

// The file served at `path` ("/" is index.html), or null.
const ConsoleAsset* FindConsoleAsset(std::string_view path);

}  // namespace k2c
