// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// The end-to-end test of the console (e2e/), in Debian's Chromium driven by
// playwright-core, against a real worker, broker and S3 server that
// tests/integration/test_console.py starts; it is not run by `npm test`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['e2e/**/*.e2e.test.ts'],
    // One browser walks the pages in order: the steps share its state.
    fileParallelism: false,
    sequence: { concurrent: false },
    // Waiting for a window to close and its object to appear takes a minute.
    testTimeout: 240_000,
    hookTimeout: 60_000,
  },
});
