// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import type { HistorySample } from './api-types';
import { allPoints, archiveRateSegments, lagSegments, lastHour } from './rate';

const s = (at_ms: number, records_archived: number, lag = 0): HistorySample => ({ at_ms, records_archived, lag });

describe('archiveRateSegments', () => {
  it('divides record deltas by the time between samples', () => {
    const segments = archiveRateSegments([s(0, 0), s(15_000, 1500), s(30_000, 1500), s(45_000, 4500)]);
    expect(segments).toEqual([
      [
        { t: 15_000, v: 100 },
        { t: 30_000, v: 0 },
        { t: 45_000, v: 200 },
      ],
    ]);
  });

  it('gives no rate, not a negative one, when the counter goes down', () => {
    const segments = archiveRateSegments([s(0, 1000), s(10_000, 2000), s(20_000, 50), s(30_000, 550)]);
    expect(segments).toEqual([[{ t: 10_000, v: 100 }], [{ t: 30_000, v: 50 }]]);
    expect(allPoints(segments).every((p) => p.v >= 0)).toBe(true);
  });

  it('skips steps where time did not advance', () => {
    expect(archiveRateSegments([s(1000, 0), s(1000, 10), s(2000, 20)])).toEqual([[{ t: 2000, v: 10 }]]);
  });

  it('has nothing for fewer than two samples', () => {
    expect(archiveRateSegments([])).toEqual([]);
    expect(archiveRateSegments([s(0, 5)])).toEqual([]);
  });
});

describe('lagSegments and lastHour', () => {
  it('draws lag through every sample', () => {
    expect(lagSegments([s(0, 0, 5), s(1, 0, 7)])).toEqual([
      [
        { t: 0, v: 5 },
        { t: 1, v: 7 },
      ],
    ]);
    expect(lagSegments([])).toEqual([]);
  });

  it('keeps the hour before the newest sample, sorted', () => {
    const hour = 3_600_000;
    const kept = lastHour([s(2 * hour, 3), s(0, 1), s(hour + 1, 2), s(hour - 1, 9)]);
    expect(kept.map((x) => x.at_ms)).toEqual([hour + 1, 2 * hour]);
  });
});
