// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import type { ArchivedObject, Manifest, ObjectPage } from './api-types';
import { MAX_MANIFEST_RANGE_MS, confirmedWindows, fetchBatch, manifestRanges, windowStarts } from './object-pager';

const obj = (key: string, window_start_ms = 0): ArchivedObject => ({
  key,
  window_start: new Date(window_start_ms).toISOString(),
  window_start_ms,
  partition: 0,
  first_offset: 0,
  last_offset: null,
  records: null,
  size: 1,
  format: 'text',
  compression: 'none',
});

/** A fake listing: pages in order, each reached by the previous page's cursor. */
function listing(pages: ObjectPage[]) {
  const asked: Array<string | undefined> = [];
  const fetchPage = async (cursor: string | undefined): Promise<ObjectPage> => {
    asked.push(cursor);
    const index = cursor === undefined ? 0 : Number(cursor.slice(1));
    const page = pages[index];
    if (!page) throw new Error(`no page for ${cursor}`);
    return page;
  };
  return { fetchPage, asked };
}

describe('fetchBatch', () => {
  it('returns the first page when it has objects', async () => {
    const { fetchPage, asked } = listing([{ objects: [obj('a')], cursor: 'c1' }]);
    const batch = await fetchBatch(fetchPage, undefined);
    expect(batch).toEqual({ objects: [obj('a')], cursor: 'c1', calls: 1 });
    expect(asked).toEqual([undefined]);
  });

  it('keeps asking through empty pages until an object arrives', async () => {
    const { fetchPage, asked } = listing([
      { objects: [], cursor: 'c1' },
      { objects: [], cursor: 'c2' },
      { objects: [obj('b')], cursor: 'c3' },
    ]);
    const batch = await fetchBatch(fetchPage, undefined);
    expect(batch.objects.map((o) => o.key)).toEqual(['b']);
    expect(batch.cursor).toBe('c3');
    expect(asked).toEqual([undefined, 'c1', 'c2']);
  });

  it('stops at the end of the listing', async () => {
    const { fetchPage } = listing([
      { objects: [], cursor: 'c1' },
      { objects: [], cursor: null },
    ]);
    expect(await fetchBatch(fetchPage, undefined)).toEqual({ objects: [], cursor: null, calls: 2 });
  });

  it('makes at most 10 extra calls per batch', async () => {
    const pages: ObjectPage[] = Array.from({ length: 30 }, (_, i) => ({ objects: [], cursor: `c${i + 1}` }));
    const { fetchPage, asked } = listing(pages);
    const batch = await fetchBatch(fetchPage, undefined);
    expect(batch.calls).toBe(11);
    expect(batch.cursor).toBe('c11');
    expect(batch.objects).toEqual([]);
    // The next click goes on from there.
    const next = await fetchBatch(fetchPage, batch.cursor ?? undefined);
    expect(next.calls).toBe(11);
    expect(asked[11]).toBe('c11');
  });

  it('starts from a given cursor', async () => {
    const { fetchPage, asked } = listing([
      { objects: [obj('a')], cursor: 'c1' },
      { objects: [obj('b'), obj('c')], cursor: null },
    ]);
    const batch = await fetchBatch(fetchPage, 'c1');
    expect(batch.objects.map((o) => o.key)).toEqual(['b', 'c']);
    expect(batch.cursor).toBeNull();
    expect(asked).toEqual(['c1']);
  });
});

describe('window completeness', () => {
  it('collects confirmed window starts and distinct object windows', () => {
    const manifests = [{ window_start_ms: 300_000 }, { window_start_ms: 600_000 }] as Manifest[];
    expect(confirmedWindows(manifests)).toEqual(new Set([300_000, 600_000]));
    expect(windowStarts([obj('a', 600_000), obj('b', 0), obj('c', 600_000)])).toEqual([0, 600_000]);
  });

  it('asks one range covering every window start', () => {
    expect(manifestRanges([])).toEqual([]);
    expect(manifestRanges([600_000, 0, 300_000])).toEqual([{ from: 0, to: 600_001 }]);
  });

  it('splits ranges longer than the API takes', () => {
    const far = MAX_MANIFEST_RANGE_MS + 10;
    const ranges = manifestRanges([0, 5, far]);
    expect(ranges).toEqual([
      { from: 0, to: 6 },
      { from: far, to: far + 1 },
    ]);
    for (const r of ranges) expect(r.to - r.from).toBeLessThanOrEqual(MAX_MANIFEST_RANGE_MS);
  });
});
