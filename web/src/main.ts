// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// Entry point: make the document URL end in '/' (every URL the console uses
// is relative to it), then start the app.

import './style.css';
import { App } from './app';
import { trailingSlashTarget } from './route';

const target = trailingSlashTarget(location.pathname, location.search, location.hash);
if (target !== null) {
  location.replace(target);
} else {
  const root = document.getElementById('app');
  if (root) new App(root).start();
}
