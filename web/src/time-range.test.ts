// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { buildObjectQuery, defaultRange, parseUtcInput, toRfc3339, toUtcInput } from './time-range';

describe('parseUtcInput', () => {
  it('reads datetime-local values as UTC', () => {
    expect(parseUtcInput('2026-12-02T09:30')).toBe(Date.UTC(2026, 11, 2, 9, 30));
    expect(parseUtcInput('2026-12-02T09:30:15')).toBe(Date.UTC(2026, 11, 2, 9, 30, 15));
    expect(parseUtcInput('2026-12-02 09:30:15.5')).toBe(Date.UTC(2026, 11, 2, 9, 30, 15, 500));
  });
  it('tells empty from invalid', () => {
    expect(parseUtcInput('')).toBeNull();
    expect(parseUtcInput('   ')).toBeNull();
    expect(parseUtcInput('yesterday')).toBeNaN();
    expect(parseUtcInput('2026-02-31T00:00')).toBeNaN();
    expect(parseUtcInput('2026-12-02T24:00')).toBeNaN();
  });
});

describe('formatting', () => {
  it('round-trips through the input format', () => {
    const ms = Date.UTC(2026, 0, 5, 7, 8);
    expect(toUtcInput(ms)).toBe('2026-01-05T07:08');
    expect(parseUtcInput(toUtcInput(ms))).toBe(ms);
  });
  it('writes RFC 3339 without zero milliseconds', () => {
    expect(toRfc3339(Date.UTC(2026, 11, 2, 9))).toBe('2026-12-02T09:00:00Z');
    expect(toRfc3339(Date.UTC(2026, 11, 2, 9, 0, 0, 1))).toBe('2026-12-02T09:00:00.001Z');
  });
  it('defaults to the last 24 hours, ending after now', () => {
    const now = Date.UTC(2026, 11, 2, 9, 30, 20);
    expect(defaultRange(now)).toEqual({ from: '2026-12-01T09:31', to: '2026-12-02T09:31' });
    // Exactly on a minute: still after now.
    expect(defaultRange(Date.UTC(2026, 11, 2, 9, 30)).to).toBe('2026-12-02T09:31');
  });
});

describe('buildObjectQuery', () => {
  it('builds the query from the filters', () => {
    expect(buildObjectQuery({ partition: '3', from: '2026-12-02T09:00', to: '2026-12-03T09:00' })).toEqual({
      ok: true,
      query: { partition: 3, from: '2026-12-02T09:00:00Z', to: '2026-12-03T09:00:00Z', limit: 100 },
    });
  });
  it('leaves empty filters out', () => {
    expect(buildObjectQuery({ partition: '', from: '', to: '' })).toEqual({ ok: true, query: { limit: 100 } });
    expect(buildObjectQuery({ partition: '0', from: '', to: '' }, 50)).toEqual({ ok: true, query: { partition: 0, limit: 50 } });
  });
  it('refuses bad filters with a reason', () => {
    expect(buildObjectQuery({ partition: '-1', from: '', to: '' })).toMatchObject({ ok: false });
    expect(buildObjectQuery({ partition: '1.5', from: '', to: '' })).toMatchObject({ ok: false });
    expect(buildObjectQuery({ partition: '', from: 'nope', to: '' })).toMatchObject({ ok: false, error: '“From” is not a date and time.' });
    expect(buildObjectQuery({ partition: '', from: '2026-12-02T10:00', to: '2026-12-02T09:00' })).toMatchObject({
      ok: false,
      error: '“From” must be before “To”.',
    });
  });
});
