// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// The task page's history chart: archived records per second (left axis,
// solid line) and lag (right axis, dashed line) over the last hour, drawn
// as inline SVG. Colours come from the stylesheet (the CSP allows no inline
// styles); the dashes tell the series apart without colour.

import type { HistorySample } from './api-types';
import { axisMax, linearScale, segmentsPath, timeTicks, valueTicks } from './chart-geometry';
import { h, svg, uniqueId } from './dom';
import { formatCompact, formatCount, formatUtcClock } from './format';
import { allPoints, archiveRateSegments, lagSegments, lastHour } from './rate';

/** The width drawn when the box's is unknown, and the bounds of any other. */
const DEFAULT_WIDTH = 640;
const MIN_WIDTH = 544;
const MAX_WIDTH = 2000;
const HEIGHT = 240;
const M = { left: 52, right: 60, top: 20, bottom: 44 };

/**
 * The chart for the samples, or the "No history yet" note when fewer than
 * two; drawn `width` CSS pixels wide (clamped), so text keeps its size.
 */
export function historyChart(rawSamples: readonly HistorySample[], width = DEFAULT_WIDTH): HTMLElement {
  const WIDTH = Number.isFinite(width) ? Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, Math.round(width))) : DEFAULT_WIDTH;
  const samples = lastHour(rawSamples);
  if (samples.length < 2) {
    return h('p', { class: 'empty', id: 'history-empty' }, 'No history yet');
  }

  const rate = archiveRateSegments(samples);
  const lag = lagSegments(samples);
  const ratePoints = allPoints(rate);
  const lagPoints = allPoints(lag);
  const t0 = samples[0]!.at_ms;
  const t1 = samples[samples.length - 1]!.at_ms;
  const rateMax = axisMax(Math.max(0, ...ratePoints.map((p) => p.v)), 4);
  const lagMax = axisMax(Math.max(0, ...lagPoints.map((p) => p.v)), 4);

  const x = linearScale(t0, t1, M.left, WIDTH - M.right);
  const yRate = linearScale(0, rateMax, HEIGHT - M.bottom, M.top);
  const yLag = linearScale(0, lagMax, HEIGHT - M.bottom, M.top);
  const bottom = HEIGHT - M.bottom;

  const titleId = uniqueId('chart-title');
  const descId = uniqueId('chart-desc');
  const latestRate = ratePoints[ratePoints.length - 1]?.v;
  const latestLag = lagPoints[lagPoints.length - 1]?.v ?? 0;
  const description =
    `From ${formatUtcClock(t0)} to ${formatUtcClock(t1)} UTC. ` +
    (ratePoints.length > 0
      ? `Archive rate up to ${formatCompact(Math.max(...ratePoints.map((p) => p.v)))} records/s, ` +
        `latest ${formatCompact(latestRate ?? 0)} records/s. `
      : 'No archive rate yet. ') +
    `Lag up to ${formatCount(Math.max(...lagPoints.map((p) => p.v)))} records, latest ${formatCount(latestLag)}.`;

  const grid = valueTicks(1, 4).map((f) => {
    const y = M.top + (bottom - M.top) * (1 - f);
    return svg('line', { class: 'chart-grid', x1: M.left, x2: WIDTH - M.right, y1: y, y2: y });
  });
  const leftLabels = valueTicks(rateMax, 4).map((v) =>
    svg('text', { class: 'chart-tick', x: M.left - 6, y: yRate(v) + 4, 'text-anchor': 'end' }, formatCompact(v)),
  );
  const rightLabels = valueTicks(lagMax, 4).map((v) =>
    svg('text', { class: 'chart-tick', x: WIDTH - M.right + 6, y: yLag(v) + 4, 'text-anchor': 'start' }, formatCompact(v)),
  );
  // Round minutes along the axis; a span too short to hold two gets its two ends, with seconds.
  const minuteTicks = timeTicks(t0, t1, Math.max(5, Math.floor((WIDTH - M.left - M.right) / 110)));
  const shortSpan = minuteTicks.length < 2;
  const timeLabels = (shortSpan ? [t0, t1] : minuteTicks).map((t) =>
    svg(
      'g',
      undefined,
      svg('line', { class: 'chart-axis', x1: x(t), x2: x(t), y1: bottom, y2: bottom + 4 }),
      svg('text', { class: 'chart-tick', x: x(t), y: bottom + 16, 'text-anchor': 'middle' }, formatUtcClock(t, shortSpan)),
    ),
  );

  const chart = svg(
    'svg',
    {
      class: 'chart',
      id: 'history-chart-svg',
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      role: 'img',
      'aria-labelledby': `${titleId} ${descId}`,
      preserveAspectRatio: 'xMidYMid meet',
    },
    svg('title', { id: titleId }, 'Archived records per second and lag over the last hour'),
    svg('desc', { id: descId }, description),
    ...grid,
    svg('line', { class: 'chart-axis', x1: M.left, x2: WIDTH - M.right, y1: bottom, y2: bottom }),
    ...leftLabels,
    ...rightLabels,
    ...timeLabels,
    svg('text', { class: 'chart-label chart-label-rate', x: M.left, y: M.top - 8, 'text-anchor': 'start' }, 'records/s'),
    svg('text', { class: 'chart-label chart-label-lag', x: WIDTH - M.right, y: M.top - 8, 'text-anchor': 'end' }, 'lag (records)'),
    svg('text', { class: 'chart-label', x: (M.left + WIDTH - M.right) / 2, y: HEIGHT - 6, 'text-anchor': 'middle' }, 'time (UTC)'),
    svg('path', { class: 'chart-line chart-lag', d: segmentsPath(lag, x, yLag) }),
    svg('path', { class: 'chart-line chart-rate', d: segmentsPath(rate, x, yRate) }),
  );

  const legend = h(
    'ul',
    { class: 'chart-legend', 'aria-hidden': 'true' },
    h('li', undefined, h('span', { class: 'swatch swatch-rate' }), 'archived records/s (left)'),
    h('li', undefined, h('span', { class: 'swatch swatch-lag' }), 'lag in records (right)'),
  );
  return h('figure', { class: 'chart-figure' }, chart, legend);
}
