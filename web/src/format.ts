// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// Turning API numbers into text a person reads. Pure functions, no DOM, so
// they are unit-tested in node.

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** Bytes in binary units: "512 B", "1.5 KiB", "23.4 MiB" (what the worker's config uses). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${bytes} B`;
  // Three significant digits at most: 1.23 KiB, 12.3 MiB, 123 GiB.
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  const text = value.toFixed(digits).replace(/\.?0+$/, '');
  return `${text} ${BYTE_UNITS[unit]}`;
}

/** A count with thousands separators, independent of the browser's locale. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '—';
  const sign = n < 0 ? '-' : '';
  const digits = String(Math.trunc(Math.abs(n)));
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Short numbers for chart axes: 950, 1.2k, 34M. */
export function formatCompact(n: number): string {
  const abs = Math.abs(n);
  const trim = (v: number): string => (v >= 10 ? v.toFixed(0) : v.toFixed(1).replace(/\.0$/, ''));
  if (abs >= 1e9) return `${trim(n / 1e9)}G`;
  if (abs >= 1e6) return `${trim(n / 1e6)}M`;
  if (abs >= 1e3) return `${trim(n / 1e3)}k`;
  if (abs === 0 || abs >= 10) return n.toFixed(0);
  return n.toFixed(abs >= 1 ? 1 : 2).replace(/\.?0+$/, '');
}

/** How long ago `thenMs` was: "just now", "42 s ago", "3 min ago", "5 h ago", "2 d ago". */
export function formatAgo(thenMs: number, nowMs: number): string {
  const seconds = Math.floor((nowMs - thenMs) / 1000);
  // Clocks of workers and browser differ a little: a time slightly ahead is "now".
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} d ago`;
}

/** How long until `thenMs`: "in 15 min", "in 40 s". */
export function formatIn(thenMs: number, nowMs: number): string {
  const seconds = Math.round((thenMs - nowMs) / 1000);
  if (seconds <= 0) return 'now';
  if (seconds < 60) return `in ${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 120) return `in ${minutes} min`;
  return `in ${Math.round(minutes / 60)} h`;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** "2026-12-02 09:05" in UTC (the archive's windows are UTC); seconds only when not zero. */
export function formatUtc(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '—';
  const date = `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
  let time = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
  if (d.getUTCSeconds() !== 0 || d.getUTCMilliseconds() !== 0) time += `:${pad2(d.getUTCSeconds())}`;
  return `${date} ${time}`;
}

/** "09:05" UTC, for chart axis ticks. */
export function formatUtcClock(ms: number, seconds = false): string {
  const d = new Date(ms);
  const hm = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
  return seconds ? `${hm}:${pad2(d.getUTCSeconds())}` : hm;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses the worker's duration strings ("5m", "90s", "1h", "1h30m") to milliseconds; null if unreadable. */
export function parseDurationMs(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let consumed = 0;
  for (let match = re.exec(trimmed); match; match = re.exec(trimmed)) {
    total += Number(match[1]) * (DURATION_UNITS[match[2] ?? ''] ?? 0);
    consumed = re.lastIndex;
  }
  return consumed === trimmed.length ? total : null;
}

/** A window for people: "5m" -> "5 min", "1h" -> "60 min"; unknown forms as given. */
export function formatWindow(text: string): string {
  const ms = parseDurationMs(text);
  if (ms === null) return text;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}

/** The last `/`-separated segment of an object key: the download's file name. */
export function keyFileName(key: string): string {
  const segments = key.split('/').filter((s) => s !== '');
  return segments[segments.length - 1] ?? 'object';
}

/** Download progress: "1.2 MiB of 3.4 MiB (35%)", or just the bytes when the size is unknown. */
export function formatProgress(received: number, total: number | null): string {
  if (total === null || !(total > 0)) return formatBytes(received);
  const percent = Math.min(100, Math.floor((received / total) * 100));
  return `${formatBytes(received)} of ${formatBytes(total)} (${percent}%)`;
}
