// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// The console is served by the worker at `/` and `/assets/...`, possibly
// behind a reverse proxy under a path prefix, so every URL in the build must
// be relative to the document (base './'). Nothing is loaded from elsewhere.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  base: './',
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // The polyfill would be one more script; every supported browser has
    // modulepreload, and the CSP forbids inline scripts anyway.
    modulePreload: { polyfill: false },
  },
  test: {
    // Only the pure logic modules are unit-tested; they need no DOM.
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
});
