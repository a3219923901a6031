// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import type { TaskStatus, WorkerStatus } from './api-types';
import { consumerHealth } from './consumer-health';

const MIN = 60_000;
const NOW = 1_000 * MIN;
const task = { window: '5m', updated_ms: NOW - 100 * MIN };

const worker: WorkerStatus = {
  worker: 'w1',
  state: 'running',
  partitions: [0, 1],
  records_archived: 10,
  bytes_archived: 100,
  objects_written: 1,
  upload_failures: 0,
  last_object_key: 'k',
  last_object_ms: NOW - MIN,
  last_error: '',
  last_error_ms: 0,
  updated_ms: NOW,
};

function status(over: Partial<TaskStatus> = {}): TaskStatus {
  return {
    topic: 't',
    state: 'running',
    group: 'g',
    partitions: [
      { partition: 0, worker: 'w1', committed_offset: 5, end_offset: 5, lag: 0 },
      { partition: 1, worker: 'w1', committed_offset: 5, end_offset: 5, lag: 0 },
    ],
    workers: [worker],
    records_archived: 10,
    bytes_archived: 100,
    objects_written: 1,
    lag: 0,
    last_object_key: 'k',
    last_object_ms: NOW - MIN,
    last_error: '',
    last_error_ms: 0,
    ...over,
  };
}

describe('consumerHealth', () => {
  it('is normal with no lag', () => {
    expect(consumerHealth(task, status(), NOW)).toEqual({ level: 'ok', text: expect.stringMatching(/^Consuming normally: every record/) });
  });

  it('calls lag within two windows of the last object normal: the window is still open', () => {
    const h = consumerHealth(task, status({ lag: 40, last_object_ms: NOW - 9 * MIN }), NOW);
    expect(h.level).toBe('ok');
    expect(h.text).toMatch(/open window/);
  });

  it('calls records waiting past two windows (and the slack) with no object a stall', () => {
    const h = consumerHealth(task, status({ lag: 40, last_object_ms: NOW - 12 * MIN }), NOW);
    expect(h.level).toBe('error');
    expect(h.text).toBe('Not consuming normally: 40 records wait and no object was written for 12 min (the window is 5 min).');
  });

  it('counts from the enable or resume when that is later than the last object', () => {
    const resumed = { window: '5m', updated_ms: NOW - 2 * MIN };
    expect(consumerHealth(resumed, status({ lag: 40, last_object_ms: NOW - 60 * MIN }), NOW).level).toBe('ok');
  });

  it('waits for the first window before judging a new task', () => {
    const fresh = { window: '5m', updated_ms: NOW - 3 * MIN };
    const h = consumerHealth(fresh, status({ lag: 1, last_object_ms: 0 }), NOW);
    expect(h).toEqual({ level: 'pending', text: expect.stringMatching(/first object/) });
    expect(consumerHealth(task, status({ lag: 1, last_object_ms: 0 }), NOW).level).toBe('error');
  });

  it('reports pause, blocked partitions, no workers and unheld partitions before lag', () => {
    expect(consumerHealth(task, status({ state: 'paused', lag: 3 }), NOW)).toMatchObject({ level: 'warn', text: expect.stringMatching(/^Paused/) });
    expect(consumerHealth(task, status({ blocked_partitions: [1, 2] }), NOW).text).toBe(
      'Not consuming partitions 1, 2: blocked until the cause shown in State is fixed.',
    );
    expect(consumerHealth(task, status({ workers: [] }), NOW).level).toBe('error');
    const unheld = status({
      partitions: [
        { partition: 0, worker: 'w1', committed_offset: 5, end_offset: 5, lag: 0 },
        { partition: 1, worker: '', committed_offset: 5, end_offset: 5, lag: 0 },
      ],
    });
    expect(consumerHealth(task, unheld, NOW)).toEqual({ level: 'warn', text: 'No worker holds partition 1 (a rebalance, or too few workers alive).' });
  });
});
