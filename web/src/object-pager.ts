// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// Paging through a task's objects, and which of their windows a manifest
// confirms. The worker may answer a page with no object before the end of
// the listing (it reads at most a few store pages per call), so one click on
// "Load more" keeps asking until something arrives or the listing ends.

import type { ArchivedObject, Manifest, ObjectPage } from './api-types';

/** Calls allowed after the first one of a batch while pages come back empty. */
export const MAX_EXTRA_CALLS = 10;

export interface Batch {
  objects: ArchivedObject[];
  /** Where to go on from; null when the listing is complete. */
  cursor: string | null;
  calls: number;
}

/**
 * Fetches pages starting at `cursor` (undefined: the first page) until at
 * least one object arrived, the cursor is null, or MAX_EXTRA_CALLS more
 * calls were made.
 */
export async function fetchBatch(
  fetchPage: (cursor: string | undefined) => Promise<ObjectPage>,
  cursor: string | undefined,
  maxExtraCalls: number = MAX_EXTRA_CALLS,
): Promise<Batch> {
  const objects: ArchivedObject[] = [];
  let next: string | undefined = cursor;
  let calls = 0;
  for (;;) {
    const page = await fetchPage(next);
    calls += 1;
    objects.push(...page.objects);
    if (page.cursor === null || page.cursor === undefined) return { objects, cursor: null, calls };
    if (objects.length > 0 || calls > maxExtraCalls) return { objects, cursor: page.cursor, calls };
    next = page.cursor;
  }
}

/** Window starts (epoch ms) a manifest confirms. */
export function confirmedWindows(manifests: readonly Manifest[]): Set<number> {
  return new Set(manifests.map((m) => m.window_start_ms));
}

/** The distinct window starts of objects, ascending. */
export function windowStarts(objects: readonly ArchivedObject[]): number[] {
  return [...new Set(objects.map((o) => o.window_start_ms))].sort((a, b) => a - b);
}

/** The manifests path takes ranges of at most 366 days. */
export const MAX_MANIFEST_RANGE_MS = 366 * 86_400_000;

/**
 * The [from, to) ranges to ask manifests for so every given window start is
 * covered. An object listed for a range may belong to a window that started
 * before the range (the window holding `from`), so the ranges come from the
 * objects themselves rather than from the filter.
 */
export function manifestRanges(starts: readonly number[]): Array<{ from: number; to: number }> {
  const sorted = [...new Set(starts)].sort((a, b) => a - b);
  const ranges: Array<{ from: number; to: number }> = [];
  for (const start of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && start + 1 - last.from <= MAX_MANIFEST_RANGE_MS) {
      last.to = start + 1;
    } else {
      ranges.push({ from: start, to: start + 1 });
    }
  }
  return ranges;
}
