// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// The client of the worker's control API. Every URL is relative to the
// document ("./v1/..."), so the console works under any path prefix a
// reverse proxy adds. fetch is injected so the client is tested in node.

import type {
  Bucket,
  Deleted,
  History,
  Info,
  ManifestList,
  ObjectPage,
  ObjectQuery,
  PresignedUrl,
  TaskSettings,
  Task,
  TaskStatus,
  TopicList,
} from './api-types';

/** The default wait before retrying a 503 without a usable Retry-After. */
export const DEFAULT_RETRY_MS = 5000;

/** An error answer of the API (`{"error":{"code","message"}}`), or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** How long to wait before retrying, for 503 and network failures. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The worker is starting or unreachable for now: the same call later may work. */
  get retryable(): boolean {
    return this.status === 503 || this.status === 0;
  }
}

/**
 * Reads a Retry-After header: delta seconds or an HTTP date. Kept between
 * 1 s and 5 min so a bad header neither hammers the worker nor stalls the page.
 */
export function parseRetryAfter(header: string | null, nowMs: number = Date.now()): number {
  if (header === null || header.trim() === '') return DEFAULT_RETRY_MS;
  const text = header.trim();
  let ms: number;
  if (/^\d+$/.test(text)) {
    ms = Number(text) * 1000;
  } else {
    const at = Date.parse(text);
    if (Number.isNaN(at)) return DEFAULT_RETRY_MS;
    ms = at - nowMs;
  }
  return Math.min(Math.max(ms, 1000), 300_000);
}

/**
 * The path of an object under .../objects/: each segment percent-encoded,
 * the '/' separators kept (what the worker's docs recommend). Dot segments
 * are escaped too, or the browser would resolve them away.
 */
export function encodeObjectKey(key: string): string {
  return key
    .split('/')
    .map((segment) => {
      if (segment === '.') return '%2E';
      if (segment === '..') return '%2E%2E';
      return encodeURIComponent(segment);
    })
    .join('/');
}

/** The query string of an objects listing, leaving out what is not set. */
export function objectQueryString(query: ObjectQuery): string {
  const params = new URLSearchParams();
  if (query.from) params.set('from', query.from);
  if (query.to) params.set('to', query.to);
  if (query.partition !== undefined) params.set('partition', String(query.partition));
  if (query.limit !== undefined) params.set('limit', String(query.limit));
  if (query.cursor) params.set('cursor', query.cursor);
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface ApiClientOptions {
  fetch: FetchLike;
  /** The bearer token to send, or null to send none (a worker without a token). */
  getToken: () => string | null;
  /** Told about every 401, after which the call still rejects. */
  onUnauthorized?: (error: ApiError) => void;
  /** Where the API lives relative to the document. */
  base?: string;
}

interface RequestOptions {
  body?: unknown;
  signal?: AbortSignal;
}

const topicPath = (topic: string): string => `tasks/${encodeURIComponent(topic)}`;

export class ApiClient {
  private readonly base: string;

  constructor(private readonly options: ApiClientOptions) {
    this.base = options.base ?? './v1/';
  }

  info(): Promise<Info> {
    return this.json('GET', 'info');
  }

  buckets(): Promise<{ buckets: Bucket[] }> {
    return this.json('GET', 'buckets');
  }

  topics(signal?: AbortSignal): Promise<TopicList> {
    return this.json('GET', 'topics', signal ? { signal } : {});
  }

  task(topic: string): Promise<Task> {
    return this.json('GET', topicPath(topic));
  }

  putTask(topic: string, settings: TaskSettings): Promise<Task> {
    return this.json('PUT', topicPath(topic), { body: settings });
  }

  deleteTask(topic: string): Promise<Deleted> {
    return this.json('DELETE', topicPath(topic));
  }

  pauseTask(topic: string): Promise<Task> {
    return this.json('POST', `${topicPath(topic)}/pause`);
  }

  resumeTask(topic: string): Promise<Task> {
    return this.json('POST', `${topicPath(topic)}/resume`);
  }

  status(topic: string): Promise<TaskStatus> {
    return this.json('GET', `${topicPath(topic)}/status`);
  }

  history(topic: string): Promise<History> {
    return this.json('GET', `${topicPath(topic)}/history`);
  }

  objects(topic: string, query: ObjectQuery): Promise<ObjectPage> {
    return this.json('GET', `${topicPath(topic)}/objects${objectQueryString(query)}`);
  }

  manifests(topic: string, range: { from?: string; to?: string }): Promise<ManifestList> {
    const params = new URLSearchParams();
    if (range.from) params.set('from', range.from);
    if (range.to) params.set('to', range.to);
    const qs = params.toString();
    return this.json('GET', `${topicPath(topic)}/manifests${qs ? `?${qs}` : ''}`);
  }

  /** The document-relative URL of an object's bytes. */
  objectUrl(topic: string, key: string): string {
    return `${this.base}${topicPath(topic)}/objects/${encodeObjectKey(key)}`;
  }

  presign(topic: string, key: string): Promise<PresignedUrl> {
    return this.json('GET', `${topicPath(topic)}/objects/${encodeObjectKey(key)}?presign=1`);
  }

  /** Starts downloading an object: the caller reads the body (for progress). */
  fetchObject(topic: string, key: string, signal?: AbortSignal): Promise<Response> {
    return this.send('GET', `${topicPath(topic)}/objects/${encodeObjectKey(key)}`, signal ? { signal } : {});
  }

  private async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.send(method, path, options);
    try {
      return (await response.json()) as T;
    } catch {
      throw new ApiError(response.status, 'bad_response', 'The worker answered something that is not JSON');
    }
  }

  private async send(method: string, path: string, options: RequestOptions): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    const token = this.options.getToken();
    if (token) headers['Authorization'] = `Bearer ${token}`;
    // The token travels in the header only; credentials stay the default
    // (same-origin) so a single-sign-on proxy in front keeps its own cookie.
    const init: RequestInit = { method, headers, cache: 'no-store' };
    if (options.body !== undefined) {
      // Only with a body: the worker refuses a declared type other than JSON.
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(options.body);
    }
    if (options.signal) init.signal = options.signal;

    let response: Response;
    try {
      response = await this.options.fetch(`${this.base}${path}`, init);
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') throw err;
      throw new ApiError(0, 'network', 'Cannot reach the worker', DEFAULT_RETRY_MS);
    }
    if (response.ok) return response;
    throw await this.errorOf(response);
  }

  private async errorOf(response: Response): Promise<ApiError> {
    let code = `status_${response.status}`;
    let message = `HTTP ${response.status}${response.statusText ? ' ' + response.statusText : ''}`;
    try {
      const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
      if (body && typeof body.error === 'object' && body.error) {
        if (typeof body.error.code === 'string') code = body.error.code;
        if (typeof body.error.message === 'string' && body.error.message !== '') message = body.error.message;
      }
    } catch {
      // Not the API's error body (a proxy's page, say): keep the HTTP status.
    }
    const retryAfterMs = response.status === 503 ? parseRetryAfter(response.headers.get('Retry-After')) : null;
    const error = new ApiError(response.status, code, message, retryAfterMs);
    if (response.status === 401) this.options.onUnauthorized?.(error);
    return error;
  }
}
