// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// What the enable form allows and sends, without the DOM: the window's
// bounds from /v1/info, validation messages, the compressions of a format,
// and the PUT body.

import type { FormatInfo, Info, TaskSettings } from './api-types';

/** What /v1/info says by default; used when /v1/info cannot be read. */
export const FALLBACK_INFO: Info = {
  instance: '',
  version: '',
  store: { type: 's3', presigned_urls: false },
  window: { min: '5m', max: '60m', min_ms: 300_000, max_ms: 3_600_000, default: '5m', default_ms: 300_000 },
  formats: [
    { name: 'text', compressions: ['none', 'gzip', 'zstd'], lossless: false, summary: 'One line per record value.' },
    { name: 'jsonl', compressions: ['none', 'gzip', 'zstd'], lossless: true, summary: 'One JSON object per record.' },
    { name: 'avro', compressions: ['snappy', 'deflate', 'none'], lossless: true, summary: 'Avro object container files.' },
    { name: 'parquet', compressions: ['zstd', 'snappy', 'gzip', 'none'], lossless: true, summary: 'Columnar Parquet files.' },
  ],
};

export const DEFAULT_FORMAT = 'text';

export const START_HINTS: Record<'latest' | 'earliest', string> = {
  latest: 'latest: only records produced from now on',
  earliest: 'earliest: everything Kafka still holds',
};

export interface WindowBounds {
  min: number;
  max: number;
  /** The preselected value. */
  initial: number;
}

/** The window range in whole minutes, from the worker's millisecond bounds. */
export function windowBoundsMinutes(info: Pick<Info, 'window'> | null): WindowBounds {
  const w = info?.window ?? FALLBACK_INFO.window;
  const min = Math.max(1, Math.ceil(w.min_ms / 60_000));
  const max = Math.max(min, Math.floor(w.max_ms / 60_000));
  const wanted = Math.round((w.default_ms || w.min_ms) / 60_000);
  const initial = Math.min(Math.max(wanted, min), max);
  return { min, max, initial };
}

/** A message for a window field value outside what the worker takes, or null when fine. */
export function validateWindowMinutes(raw: string, bounds: WindowBounds): string | null {
  const text = raw.trim();
  if (text === '') return 'Enter the window in minutes.';
  if (!/^\d+$/.test(text)) return 'The window is a whole number of minutes.';
  const minutes = Number(text);
  if (minutes < bounds.min || minutes > bounds.max) {
    return `The window must be between ${bounds.min} and ${bounds.max} minutes.`;
  }
  return null;
}

/** A message for a missing or malformed bucket name, or null when fine. */
export function validateBucketName(raw: string): string | null {
  const name = raw.trim();
  if (name === '') return 'Choose a bucket or enter its name.';
  if (/[\s/]/.test(name)) return 'A bucket name has no spaces or slashes.';
  return null;
}

/** The formats to offer, the worker's or the fallback list. */
export function formatsOf(info: Pick<Info, 'formats'> | null): FormatInfo[] {
  return info?.formats && info.formats.length > 0 ? info.formats : FALLBACK_INFO.formats;
}

/** The compressions a format takes, the default first. */
export function compressionsFor(formats: readonly FormatInfo[], format: string): string[] {
  return formats.find((f) => f.name === format)?.compressions ?? ['none'];
}

/** The initial format: text when offered, else the first. */
export function defaultFormat(formats: readonly FormatInfo[]): string {
  return formats.some((f) => f.name === DEFAULT_FORMAT) ? DEFAULT_FORMAT : (formats[0]?.name ?? DEFAULT_FORMAT);
}

export interface EnableFormValues {
  bucket: string;
  windowMinutes: string;
  start: string;
  format: string;
  compression: string;
}

export type EnableFormResult =
  | { ok: true; settings: TaskSettings }
  | { ok: false; errors: Partial<Record<'bucket' | 'window', string>> };

/** Validates the form's values and builds the PUT body (window as "15m"). */
export function buildTaskSettings(values: EnableFormValues, bounds: WindowBounds): EnableFormResult {
  const errors: Partial<Record<'bucket' | 'window', string>> = {};
  const bucketError = validateBucketName(values.bucket);
  if (bucketError) errors.bucket = bucketError;
  const windowError = validateWindowMinutes(values.windowMinutes, bounds);
  if (windowError) errors.window = windowError;
  if (errors.bucket || errors.window) return { ok: false, errors };
  return {
    ok: true,
    settings: {
      bucket: values.bucket.trim(),
      window: `${Number(values.windowMinutes.trim())}m`,
      start: values.start === 'earliest' ? 'earliest' : 'latest',
      format: values.format,
      compression: values.compression,
    },
  };
}
