// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// Downloading an archived object. A plain link cannot carry the bearer
// token, so the bytes are fetched with it, kept as a Blob, and saved through
// a blob: URL on a temporary <a download> (the CSP allows blob:).

import type { ApiClient } from './api';
import { keyFileName } from './format';

export interface Progress {
  received: number;
  /** From Content-Length; null when the worker did not say. */
  total: number | null;
}

/** Reads a Content-Length header; null when missing or not a number. */
export function contentLength(header: string | null): number | null {
  if (header === null || !/^\d+$/.test(header.trim())) return null;
  return Number(header.trim());
}

async function readBody(response: Response, onProgress: (p: Progress) => void): Promise<Blob> {
  const total = contentLength(response.headers.get('Content-Length'));
  const type = response.headers.get('Content-Type') ?? 'application/octet-stream';
  if (!response.body) return response.blob();
  const reader = response.body.getReader();
  const chunks: BlobPart[] = [];
  let received = 0;
  onProgress({ received, total });
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value as Uint8Array<ArrayBuffer>);
    received += value.byteLength;
    onProgress({ received, total });
  }
  return new Blob(chunks, { type });
}

/** Hands a blob to the browser's download manager under a file name. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked a little later: some browsers resolve the URL after click() returns.
  window.setTimeout(() => URL.revokeObjectURL(url), 5000);
}

/** Fetches an object with the token and saves it as the key's last segment. */
export async function downloadObject(
  api: ApiClient,
  topic: string,
  key: string,
  onProgress: (p: Progress) => void,
  signal?: AbortSignal,
): Promise<void> {
  const response = await api.fetchObject(topic, key, signal);
  const blob = await readBody(response, onProgress);
  saveBlob(blob, keyFileName(key));
}
