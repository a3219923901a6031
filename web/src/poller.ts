// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// Refreshing a view on an interval, only while the tab is visible: a hidden
// tab asks nothing, and catches up as soon as it is shown again. A tick
// never overlaps the previous one, and may ask for a different delay before
// the next (a 503's Retry-After).

export interface PollEnv {
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
  isHidden: () => boolean;
  /** Calls fn whenever the page becomes visible; returns the unsubscribe function. */
  onVisible: (fn: () => void) => () => void;
}

export function browserPollEnv(): PollEnv {
  return {
    setTimeout: (fn, ms) => window.setTimeout(fn, ms),
    clearTimeout: (handle) => window.clearTimeout(handle as number),
    isHidden: () => document.visibilityState === 'hidden',
    onVisible: (fn) => {
      const listener = (): void => {
        if (document.visibilityState === 'visible') fn();
      };
      document.addEventListener('visibilitychange', listener);
      return () => document.removeEventListener('visibilitychange', listener);
    },
  };
}

/** A tick returns nothing for the usual interval, or the milliseconds to wait instead. */
export type Tick = () => Promise<number | void>;

export class Poller {
  private timer: unknown = null;
  private running = false;
  private stopped = true;
  /** A tick was due while hidden or while another ran: run when possible. */
  private due = false;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly tick: Tick,
    private readonly intervalMs: number,
    private readonly env: PollEnv = browserPollEnv(),
  ) {}

  /** Runs the first tick now, then every interval. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.unsubscribe = this.env.onVisible(() => {
      if (this.due) this.runNow();
    });
    this.runNow();
  }

  stop(): void {
    this.stopped = true;
    this.due = false;
    this.clearTimer();
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /** Runs a tick now (after a user action), restarting the interval. */
  runNow(): void {
    if (this.stopped) return;
    this.clearTimer();
    if (this.running) {
      this.due = true;
      return;
    }
    if (this.env.isHidden()) {
      this.due = true;
      return;
    }
    this.due = false;
    this.running = true;
    let delay = this.intervalMs;
    this.tick()
      .then((wanted) => {
        if (typeof wanted === 'number' && wanted > 0) delay = wanted;
      })
      .catch(() => {
        // The tick shows its own errors; polling goes on.
      })
      .finally(() => {
        this.running = false;
        if (this.stopped) return;
        if (this.due) {
          this.runNow();
          return;
        }
        this.timer = this.env.setTimeout(() => {
          this.timer = null;
          this.runNow();
        }, delay);
      });
  }

  private clearTimer(): void {
    if (this.timer !== null) {
      this.env.clearTimeout(this.timer);
      this.timer = null;
    }
  }
}
