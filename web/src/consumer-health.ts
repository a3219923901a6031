// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// "Does the consumer group consume normally?" — the check the seed asks an
// operator to make in the console after fixing access. One sentence and a
// level from the task's live status, judged the way the alert rules of
// docs/operations.md judge it: committed lag is normal while a window is open
// (offsets are committed with the window's objects), so the sign of trouble
// is records waiting with no object for two windows, not lag itself.

import type { Task, TaskStatus } from './api-types';
import { parseDurationMs } from './format';

export type HealthLevel = 'ok' | 'pending' | 'warn' | 'error';

export interface ConsumerHealth {
  level: HealthLevel;
  text: string;
}

/** Slack past two windows before "no object" counts as a stall: the grace and an upload. */
const STALL_SLACK_MS = 60_000;

const plural = (n: number, word: string): string => `${word}${n === 1 ? '' : 's'}`;
const partitionList = (ps: readonly number[]): string => `${plural(ps.length, 'partition')} ${ps.join(', ')}`;

function minutes(ms: number): string {
  const m = Math.max(1, Math.round(ms / 60_000));
  return `${m} min`;
}

export function consumerHealth(
  task: Pick<Task, 'window' | 'updated_ms'>,
  status: TaskStatus,
  nowMs: number,
): ConsumerHealth {
  if (status.state === 'paused') {
    return { level: 'warn', text: 'Paused: the consumer group does not consume. Resume to archive again.' };
  }
  const blocked = status.blocked_partitions ?? [];
  if (blocked.length > 0) {
    return {
      level: 'error',
      text: `Not consuming ${partitionList(blocked)}: blocked until the cause shown in State is fixed.`,
    };
  }
  if (status.workers.length === 0) {
    return { level: 'error', text: 'No worker reports this task: check that the workers are running.' };
  }
  const unassigned = status.partitions.filter((p) => !p.worker).map((p) => p.partition);
  if (unassigned.length > 0) {
    return {
      level: 'warn',
      text: `No worker holds ${partitionList(unassigned)} (a rebalance, or too few workers alive).`,
    };
  }
  if (status.lag === 0) {
    return { level: 'ok', text: 'Consuming normally: every record is archived.' };
  }
  const windowMs = parseDurationMs(task.window) ?? 0;
  // Since the last object, or since the task was enabled or resumed if later.
  const since = Math.max(status.last_object_ms, task.updated_ms);
  const quietMs = nowMs - since;
  if (windowMs > 0 && since > 0 && quietMs > 2 * windowMs + STALL_SLACK_MS) {
    return {
      level: 'error',
      text:
        `Not consuming normally: ${status.lag} ${plural(status.lag, 'record')} wait and no object ` +
        `was written for ${minutes(quietMs)} (the window is ${minutes(windowMs)}).`,
    };
  }
  if (status.last_object_ms === 0) {
    return { level: 'pending', text: 'Consuming: the first object is written when the current window closes.' };
  }
  return {
    level: 'ok',
    text: 'Consuming normally: the lag is the open window, committed when its objects are written.',
  };
}
