// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import {
  formatAgo,
  formatBytes,
  formatCompact,
  formatCount,
  formatIn,
  formatProgress,
  formatUtc,
  formatUtcClock,
  formatWindow,
  keyFileName,
  parseDurationMs,
} from './format';

describe('formatBytes', () => {
  it('keeps small sizes in bytes', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
  });
  it('uses binary units with at most three significant digits', () => {
    expect(formatBytes(1024)).toBe('1 KiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(12.345 * 1024 * 1024)).toBe('12.3 MiB');
    expect(formatBytes(123.4 * 1024 ** 3)).toBe('123 GiB');
    expect(formatBytes(2 * 1024 ** 4)).toBe('2 TiB');
  });
  it('refuses nonsense', () => {
    expect(formatBytes(-1)).toBe('—');
    expect(formatBytes(Number.NaN)).toBe('—');
  });
});

describe('formatCount', () => {
  it('groups thousands whatever the locale', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(1000)).toBe('1,000');
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(-12345)).toBe('-12,345');
  });
});

describe('formatCompact', () => {
  it('shortens axis numbers', () => {
    expect(formatCompact(0)).toBe('0');
    expect(formatCompact(0.5)).toBe('0.5');
    expect(formatCompact(2.5)).toBe('2.5');
    expect(formatCompact(950)).toBe('950');
    expect(formatCompact(1200)).toBe('1.2k');
    expect(formatCompact(25_000)).toBe('25k');
    expect(formatCompact(3_400_000)).toBe('3.4M');
  });
});

describe('formatAgo / formatIn', () => {
  const now = 1_764_666_000_000;
  it('says how long ago', () => {
    expect(formatAgo(now - 2000, now)).toBe('just now');
    expect(formatAgo(now + 3000, now)).toBe('just now');
    expect(formatAgo(now - 42_000, now)).toBe('42 s ago');
    expect(formatAgo(now - 3 * 60_000 - 5000, now)).toBe('3 min ago');
    expect(formatAgo(now - 5 * 3_600_000, now)).toBe('5 h ago');
    expect(formatAgo(now - 3 * 86_400_000, now)).toBe('3 d ago');
  });
  it('says how long until', () => {
    expect(formatIn(now + 15 * 60_000, now)).toBe('in 15 min');
    expect(formatIn(now + 40_000, now)).toBe('in 40 s');
    expect(formatIn(now - 1, now)).toBe('now');
  });
});

describe('formatUtc', () => {
  it('prints UTC, to the minute unless seconds are set', () => {
    expect(formatUtc(Date.UTC(2026, 11, 2, 9, 5))).toBe('2026-12-02 09:05');
    expect(formatUtc(Date.UTC(2026, 11, 2, 9, 5, 7))).toBe('2026-12-02 09:05:07');
    expect(formatUtcClock(Date.UTC(2026, 0, 1, 23, 59))).toBe('23:59');
    expect(formatUtcClock(Date.UTC(2026, 0, 1, 23, 59, 7), true)).toBe('23:59:07');
  });
});

describe('durations', () => {
  it('parses the worker duration strings', () => {
    expect(parseDurationMs('5m')).toBe(300_000);
    expect(parseDurationMs('90s')).toBe(90_000);
    expect(parseDurationMs('1h30m')).toBe(5_400_000);
    expect(parseDurationMs('250ms')).toBe(250);
    expect(parseDurationMs('5 minutes')).toBeNull();
    expect(parseDurationMs('')).toBeNull();
  });
  it('shows windows in minutes', () => {
    expect(formatWindow('5m')).toBe('5 min');
    expect(formatWindow('1h')).toBe('60 min');
    expect(formatWindow('90s')).toBe('90 s');
    expect(formatWindow('weird')).toBe('weird');
  });
});

describe('keyFileName', () => {
  it('takes the last segment of a key', () => {
    expect(keyFileName('inst/orders/20261202T090000Z_p0_o0.jsonl.zst')).toBe('20261202T090000Z_p0_o0.jsonl.zst');
    expect(keyFileName('flat.txt')).toBe('flat.txt');
    expect(keyFileName('a/b/')).toBe('b');
  });
});

describe('formatProgress', () => {
  it('shows a share when the size is known', () => {
    expect(formatProgress(512, 2048)).toBe('512 B of 2 KiB (25%)');
    expect(formatProgress(1024, null)).toBe('1 KiB');
    expect(formatProgress(10, 0)).toBe('10 B');
  });
});
