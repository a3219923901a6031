// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// How a view reports a failed API call: the message goes into the view's
// role="alert" region (hidden while empty, so it is found only when it says
// something); a worker that is starting is retried after its Retry-After.

import { ApiError } from './api';
import { h } from './dom';

export const STARTING_MESSAGE = 'The worker is starting: retrying…';
export const UNREACHABLE_MESSAGE = 'Cannot reach the worker: retrying…';

/** The text to show for any error of an API call. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 503) return STARTING_MESSAGE;
    if (err.status === 0) return UNREACHABLE_MESSAGE;
    return err.message;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}

export class AlertRegion {
  readonly el: HTMLElement;

  constructor(id?: string) {
    this.el = h('p', { class: 'alert', role: 'alert', id, hidden: true });
  }

  show(text: string): void {
    if (this.el.textContent !== text) this.el.textContent = text;
    this.el.hidden = false;
  }

  clear(): void {
    this.el.textContent = '';
    this.el.hidden = true;
  }
}

/**
 * Shows an error in the alert region. Returns how long to wait before
 * retrying when the failure is temporary (503 or no answer), else null.
 * A 401 shows nothing: the app signs out and shows the login view.
 */
export function reportError(err: unknown, alert: AlertRegion): number | null {
  if (err instanceof ApiError && err.status === 401) return null;
  if (err instanceof DOMException && err.name === 'AbortError') return null;
  alert.show(errorText(err));
  if (err instanceof ApiError && err.retryable) return err.retryAfterMs ?? 5000;
  return null;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => window.setTimeout(resolve, ms));

/**
 * Runs a load, retrying while the worker answers 503 (or nothing) and the
 * view is still shown. Resolves to the result, or undefined after a lasting
 * error (already shown) or when the view went away.
 */
export async function loadWithRetry<T>(
  load: () => Promise<T>,
  alert: AlertRegion,
  isActive: () => boolean,
): Promise<T | undefined> {
  for (;;) {
    try {
      const result = await load();
      alert.clear();
      return result;
    } catch (err) {
      if (!isActive()) return undefined;
      const retryMs = reportError(err, alert);
      if (retryMs === null) return undefined;
      await sleep(retryMs);
      if (!isActive()) return undefined;
    }
  }
}

/** A visible loading line ("Loading topics…"), polite for screen readers. */
export function loadingLine(text: string): HTMLElement {
  return h('p', { class: 'loading', role: 'status' }, text);
}
