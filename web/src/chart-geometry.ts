// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// The arithmetic of the history chart (scales, ticks, SVG path data), kept
// apart from the DOM so it is unit-tested.

import type { Segments } from './rate';

/**
 * The top of an axis from 0 that holds v in `count` equal steps, each a
 * round number (1, 2 or 5 × 10^k), so every tick label is round too (40 in
 * steps of 10, not 50 in steps of 12.5).
 */
export function axisMax(v: number, count = 4): number {
  const need = v > 0 && Number.isFinite(v) ? v / count : 1;
  const base = 10 ** Math.floor(Math.log10(need));
  const step = [1, 2, 5, 10].map((m) => m * base).find((s) => s >= need * (1 - 1e-12)) ?? 10 * base;
  return step * count;
}

/** `count` + 1 evenly spaced ticks from 0 to max inclusive. */
export function valueTicks(max: number, count = 4): number[] {
  const ticks: number[] = [];
  for (let i = 0; i <= count; i++) ticks.push((max * i) / count);
  return ticks;
}

const TIME_STEPS_MS = [60_000, 2 * 60_000, 5 * 60_000, 10 * 60_000, 15 * 60_000, 30 * 60_000, 3_600_000];

/** Tick times on round minutes between t0 and t1, about `count` of them. */
export function timeTicks(t0: number, t1: number, count = 5): number[] {
  if (!(t1 > t0)) return [t0];
  const span = t1 - t0;
  const step = TIME_STEPS_MS.find((s) => span / s <= count) ?? TIME_STEPS_MS[TIME_STEPS_MS.length - 1]!;
  const ticks: number[] = [];
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) ticks.push(t);
  return ticks;
}

export type Scale = (v: number) => number;

/** Maps [d0, d1] linearly onto [r0, r1]; a zero-width domain maps to the middle. */
export function linearScale(d0: number, d1: number, r0: number, r1: number): Scale {
  if (d1 === d0) return () => (r0 + r1) / 2;
  const k = (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

const round1 = (n: number): string => String(Math.round(n * 10) / 10);

/** SVG path data for segments: one "M … L …" run per segment, lone points as a dot-sized run. */
export function segmentsPath(segments: Segments, x: Scale, y: Scale): string {
  const parts: string[] = [];
  for (const segment of segments) {
    if (segment.length === 0) continue;
    const [first, ...rest] = segment;
    parts.push(`M${round1(x(first!.t))} ${round1(y(first!.v))}`);
    if (rest.length === 0) {
      // A single point still shows as a short horizontal stroke.
      parts.push(`h0.1`);
    }
    for (const p of rest) parts.push(`L${round1(x(p.t))} ${round1(y(p.v))}`);
  }
  return parts.join(' ');
}
