// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { Poller, type PollEnv } from './poller';

/** A manual clock and visibility for the poller. */
function fakeEnv() {
  let now = 0;
  let hidden = false;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const visibleListeners = new Set<() => void>();
  let nextId = 1;
  const env: PollEnv = {
    setTimeout: (fn, ms) => {
      const id = nextId++;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout: (id) => {
      timers.delete(id as number);
    },
    isHidden: () => hidden,
    onVisible: (fn) => {
      visibleListeners.add(fn);
      return () => visibleListeners.delete(fn);
    },
  };
  const flush = async (): Promise<void> => {
    for (let i = 0; i < 10; i++) await Promise.resolve();
  };
  return {
    env,
    pendingTimers: () => [...timers.values()].map((t) => t.at - now),
    async advance(ms: number) {
      now += ms;
      for (const [id, t] of [...timers]) {
        if (t.at <= now) {
          timers.delete(id);
          t.fn();
        }
      }
      await flush();
    },
    async setHidden(value: boolean) {
      hidden = value;
      if (!value) for (const fn of visibleListeners) fn();
      await flush();
    },
    flush,
    listenerCount: () => visibleListeners.size,
  };
}

describe('Poller', () => {
  it('ticks at once, then every interval', async () => {
    const clock = fakeEnv();
    let ticks = 0;
    const poller = new Poller(async () => {
      ticks++;
    }, 5000, clock.env);
    poller.start();
    await clock.flush();
    expect(ticks).toBe(1);
    await clock.advance(4999);
    expect(ticks).toBe(1);
    await clock.advance(1);
    expect(ticks).toBe(2);
    poller.stop();
    await clock.advance(10_000);
    expect(ticks).toBe(2);
    expect(clock.listenerCount()).toBe(0);
  });

  it('waits the delay a tick asks for (Retry-After)', async () => {
    const clock = fakeEnv();
    let ticks = 0;
    const poller = new Poller(async () => {
      ticks++;
      return ticks === 1 ? 2000 : undefined;
    }, 10_000, clock.env);
    poller.start();
    await clock.flush();
    expect(clock.pendingTimers()).toEqual([2000]);
    await clock.advance(2000);
    expect(ticks).toBe(2);
    expect(clock.pendingTimers()).toEqual([10_000]);
    poller.stop();
  });

  it('does not tick while hidden and catches up when shown', async () => {
    const clock = fakeEnv();
    let ticks = 0;
    const poller = new Poller(async () => {
      ticks++;
    }, 1000, clock.env);
    poller.start();
    await clock.flush();
    await clock.setHidden(true);
    await clock.advance(1000);
    await clock.advance(5000);
    expect(ticks).toBe(1);
    await clock.setHidden(false);
    expect(ticks).toBe(2);
    poller.stop();
  });

  it('never overlaps ticks and keeps polling after a failure', async () => {
    const clock = fakeEnv();
    let running = 0;
    let maxRunning = 0;
    let ticks = 0;
    let release: () => void = () => {};
    const poller = new Poller(
      () => {
        ticks++;
        running++;
        maxRunning = Math.max(maxRunning, running);
        return new Promise<void>((resolve, reject) => {
          release = () => {
            running--;
            if (ticks === 1) reject(new Error('boom'));
            else resolve();
          };
        });
      },
      1000,
      clock.env,
    );
    poller.start();
    poller.runNow(); // asked while the first tick runs: queued, not parallel
    expect(maxRunning).toBe(1);
    release();
    await clock.flush();
    expect(ticks).toBe(2);
    expect(maxRunning).toBe(1);
    release();
    await clock.flush();
    await clock.advance(1000);
    expect(ticks).toBe(3);
    poller.stop();
  });
});
