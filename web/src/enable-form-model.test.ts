// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import {
  FALLBACK_INFO,
  buildTaskSettings,
  compressionsFor,
  defaultFormat,
  formatsOf,
  validateBucketName,
  validateWindowMinutes,
  windowBoundsMinutes,
} from './enable-form-model';

const bounds = { min: 5, max: 60, initial: 5 };

describe('windowBoundsMinutes', () => {
  it('converts the worker bounds to minutes', () => {
    expect(windowBoundsMinutes(FALLBACK_INFO)).toEqual({ min: 5, max: 60, initial: 5 });
    expect(windowBoundsMinutes(null)).toEqual({ min: 5, max: 60, initial: 5 });
  });
  it('rounds inwards and clamps the default', () => {
    const w = { ...FALLBACK_INFO.window, min_ms: 90_000, max_ms: 7_250_000, default_ms: 60_000 };
    expect(windowBoundsMinutes({ window: w })).toEqual({ min: 2, max: 120, initial: 2 });
    const d = { ...FALLBACK_INFO.window, default_ms: 900_000 };
    expect(windowBoundsMinutes({ window: d }).initial).toBe(15);
  });
});

describe('validation', () => {
  it('accepts whole minutes within the range', () => {
    expect(validateWindowMinutes('5', bounds)).toBeNull();
    expect(validateWindowMinutes(' 60 ', bounds)).toBeNull();
  });
  it('explains what is wrong with the window', () => {
    expect(validateWindowMinutes('', bounds)).toMatch(/Enter/);
    expect(validateWindowMinutes('4', bounds)).toBe('The window must be between 5 and 60 minutes.');
    expect(validateWindowMinutes('61', bounds)).toBe('The window must be between 5 and 60 minutes.');
    expect(validateWindowMinutes('7.5', bounds)).toMatch(/whole number/);
    expect(validateWindowMinutes('-5', bounds)).toMatch(/whole number/);
  });
  it('wants a bucket name without spaces or slashes', () => {
    expect(validateBucketName('archive')).toBeNull();
    expect(validateBucketName('  ')).toMatch(/Choose a bucket/);
    expect(validateBucketName('a/b')).toMatch(/slashes/);
    expect(validateBucketName('a b')).toMatch(/spaces/);
  });
});

describe('formats and compressions', () => {
  it('lists a format’s compressions, the default first', () => {
    const formats = formatsOf(FALLBACK_INFO);
    expect(compressionsFor(formats, 'avro')).toEqual(['snappy', 'deflate', 'none']);
    expect(compressionsFor(formats, 'parquet')[0]).toBe('zstd');
    expect(compressionsFor(formats, 'nope')).toEqual(['none']);
  });
  it('defaults to text, else the first format offered', () => {
    expect(defaultFormat(formatsOf(null))).toBe('text');
    expect(defaultFormat([{ name: 'jsonl', compressions: ['none'], lossless: true, summary: '' }])).toBe('jsonl');
  });
  it('falls back to the documented formats when info has none', () => {
    expect(formatsOf({ formats: [] }).map((f) => f.name)).toEqual(['text', 'jsonl', 'avro', 'parquet']);
  });
});

describe('buildTaskSettings', () => {
  it('builds the PUT body with the window as minutes', () => {
    const result = buildTaskSettings(
      { bucket: ' archive ', windowMinutes: '15', start: 'earliest', format: 'jsonl', compression: 'zstd' },
      bounds,
    );
    expect(result).toEqual({
      ok: true,
      settings: { bucket: 'archive', window: '15m', start: 'earliest', format: 'jsonl', compression: 'zstd' },
    });
  });
  it('reports every field in error', () => {
    const result = buildTaskSettings({ bucket: '', windowMinutes: '99', start: 'latest', format: 'text', compression: 'none' }, bounds);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors.bucket).toBeTruthy();
      expect(result.errors.window).toBe('The window must be between 5 and 60 minutes.');
    }
  });
  it('only sends latest or earliest', () => {
    const result = buildTaskSettings({ bucket: 'b', windowMinutes: '5', start: 'bogus', format: 'text', compression: 'none' }, bounds);
    expect(result.ok && result.settings.start).toBe('latest');
  });
});
