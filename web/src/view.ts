// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// What every view gets from the app, and what it gives back.

import type { ApiClient } from './api';
import type { Info } from './api-types';
import type { Route } from './route';

export interface AppContext {
  /** The API client; its 401s sign the user out. */
  api: ApiClient;
  /** /v1/info once read, else null (views then use the documented defaults). */
  info(): Info | null;
  /** Resolves once /v1/info was read (null if it could not be). */
  infoReady(): Promise<Info | null>;
  /** Shows a short confirmation in the notice area. */
  notify(text: string): void;
  /** Goes to a route (also re-renders when it is the current one). */
  navigate(route: Route): void;
}

export interface View {
  /** The view's root, placed in <main>. */
  el: HTMLElement;
  /** The document title's first part. */
  title: string;
  /** Stops timers and requests when the view is left. */
  destroy(): void;
}
