// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { axisMax, linearScale, segmentsPath, timeTicks, valueTicks } from './chart-geometry';

describe('axisMax', () => {
  it('makes every one of the steps a round number', () => {
    expect(axisMax(40, 4)).toBe(40); // 0 10 20 30 40, not 0 12.5 25 37.5 50
    expect(valueTicks(axisMax(40, 4), 4)).toEqual([0, 10, 20, 30, 40]);
    expect(axisMax(41, 4)).toBe(80);
    expect(axisMax(1.3, 4)).toBeCloseTo(2);
    expect(axisMax(7, 4)).toBe(8);
    expect(axisMax(0, 4)).toBe(4);
    expect(axisMax(Number.NaN, 4)).toBe(4);
    expect(axisMax(120_000, 4)).toBe(200_000);
  });
});

describe('ticks', () => {
  it('spaces value ticks evenly from zero', () => {
    expect(valueTicks(100, 4)).toEqual([0, 25, 50, 75, 100]);
  });
  it('puts time ticks on round minutes', () => {
    const t0 = Date.UTC(2026, 11, 2, 9, 3, 20);
    const t1 = Date.UTC(2026, 11, 2, 10, 3, 20);
    const ticks = timeTicks(t0, t1, 5);
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    expect(ticks.length).toBeLessThanOrEqual(5);
    for (const t of ticks) {
      expect(t % (15 * 60_000)).toBe(0);
      expect(t).toBeGreaterThanOrEqual(t0);
      expect(t).toBeLessThanOrEqual(t1);
    }
    expect(timeTicks(5, 5)).toEqual([5]);
  });
});

describe('linearScale and segmentsPath', () => {
  it('maps domains to ranges, flipped too', () => {
    const y = linearScale(0, 10, 200, 0);
    expect(y(0)).toBe(200);
    expect(y(10)).toBe(0);
    expect(y(5)).toBe(100);
    expect(linearScale(3, 3, 0, 10)(3)).toBe(5);
  });
  it('starts a new run after each gap', () => {
    const x = linearScale(0, 10, 0, 100);
    const y = linearScale(0, 10, 100, 0);
    const path = segmentsPath(
      [
        [
          { t: 0, v: 0 },
          { t: 5, v: 5 },
        ],
        [{ t: 10, v: 10 }],
      ],
      x,
      y,
    );
    expect(path).toBe('M0 100 L50 50 M100 0 h0.1');
    expect(segmentsPath([], x, y)).toBe('');
  });
});
