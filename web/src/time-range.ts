// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// The archive browser's filters: <input type="datetime-local"> values read
// as UTC (the archive's windows are UTC, whatever the browser's zone), the
// default range, and the query they make.

import type { ObjectQuery } from './api-types';

const DAY_MS = 86_400_000;
const pad2 = (n: number): string => String(n).padStart(2, '0');

/**
 * Parses "2026-12-02T09:30" (seconds optional) as UTC epoch milliseconds.
 * Returns null for an empty field and NaN for text that is not such a time.
 */
export function parseUtcInput(value: string): number | null {
  const text = value.trim();
  if (text === '') return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(text);
  if (!m) return Number.NaN;
  const [, y, mo, d, hh, mm, ss, frac] = m;
  const ms = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(hh),
    Number(mm),
    Number(ss ?? 0),
    Number((frac ?? '0').padEnd(3, '0')),
  );
  // Date.UTC rolls 2026-02-31 over to March: refuse instead.
  const check = new Date(ms);
  if (check.getUTCDate() !== Number(d) || check.getUTCMonth() !== Number(mo) - 1 || Number(hh) > 23) {
    return Number.NaN;
  }
  return ms;
}

/** Epoch milliseconds as a datetime-local value in UTC, to the minute. */
export function toUtcInput(ms: number): string {
  const d = new Date(ms);
  return (
    `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}` +
    `T${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`
  );
}

/** RFC 3339 in UTC without zero milliseconds: "2026-12-02T09:00:00Z". */
export function toRfc3339(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/**
 * The default filter: the last 24 hours. The end is rounded up to the next
 * minute so the window being written now is inside the range.
 */
export function defaultRange(nowMs: number): { from: string; to: string } {
  const to = Math.ceil((nowMs + 1) / 60_000) * 60_000;
  return { from: toUtcInput(to - DAY_MS), to: toUtcInput(to) };
}

export interface FilterValues {
  partition: string;
  from: string;
  to: string;
}

export type FilterResult = { ok: true; query: ObjectQuery } | { ok: false; error: string };

/** Validates the archive filters and builds the objects query (empty fields left out). */
export function buildObjectQuery(values: FilterValues, limit = 100): FilterResult {
  const query: ObjectQuery = {};
  const partition = values.partition.trim();
  if (partition !== '') {
    if (!/^\d+$/.test(partition) || Number(partition) > 2_147_483_647) {
      return { ok: false, error: 'The partition is a whole number, 0 or more.' };
    }
    query.partition = Number(partition);
  }
  const from = parseUtcInput(values.from);
  const to = parseUtcInput(values.to);
  if (from !== null && Number.isNaN(from)) return { ok: false, error: '“From” is not a date and time.' };
  if (to !== null && Number.isNaN(to)) return { ok: false, error: '“To” is not a date and time.' };
  if (from !== null && to !== null && from >= to) return { ok: false, error: '“From” must be before “To”.' };
  if (from !== null) query.from = toRfc3339(from);
  if (to !== null) query.to = toRfc3339(to);
  query.limit = limit;
  return { ok: true, query };
}
