// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// From the worker's history samples (cumulative counters) to the series the
// chart draws. The records counter restarts at zero when a worker restarts:
// such a step has no rate at all (a gap), never a negative one.

import type { HistorySample } from './api-types';

export interface Point {
  /** Epoch milliseconds. */
  t: number;
  v: number;
}

/** A series as runs of connected points; a gap separates two runs. */
export type Segments = Point[][];

/**
 * Archived records per second between consecutive samples, placed at the
 * later sample. Steps where the counter went down (a restart) or time did
 * not advance break the line.
 */
export function archiveRateSegments(samples: readonly HistorySample[]): Segments {
  const segments: Segments = [];
  let current: Point[] = [];
  for (let i = 1; i < samples.length; i++) {
    const prev = samples[i - 1]!;
    const next = samples[i]!;
    const dtMs = next.at_ms - prev.at_ms;
    const delta = next.records_archived - prev.records_archived;
    if (dtMs <= 0 || delta < 0) {
      if (current.length > 0) segments.push(current);
      current = [];
      continue;
    }
    current.push({ t: next.at_ms, v: delta / (dtMs / 1000) });
  }
  if (current.length > 0) segments.push(current);
  return segments;
}

/** Lag as one line through every sample (lag is a level, not a counter). */
export function lagSegments(samples: readonly HistorySample[]): Segments {
  if (samples.length === 0) return [];
  return [samples.map((s) => ({ t: s.at_ms, v: s.lag }))];
}

/** Only the samples of the hour before the newest one, oldest first. */
export function lastHour(samples: readonly HistorySample[]): HistorySample[] {
  const sorted = [...samples].sort((a, b) => a.at_ms - b.at_ms);
  const newest = sorted[sorted.length - 1];
  if (!newest) return [];
  return sorted.filter((s) => s.at_ms >= newest.at_ms - 3_600_000);
}

/** The points of segments, flattened (for extents and summaries). */
export function allPoints(segments: Segments): Point[] {
  return segments.flat();
}
