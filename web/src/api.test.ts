// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
import { describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError, encodeObjectKey, objectQueryString, parseRetryAfter, type FetchLike } from './api';

interface Call {
  url: string;
  init: RequestInit;
}

/** A fake fetch answering from a queue, recording every call. */
function fakeFetch(...answers: Array<Response | Error>): { fetch: FetchLike; calls: Call[] } {
  const calls: Call[] = [];
  const fetch: FetchLike = async (url, init) => {
    calls.push({ url, init: init ?? {} });
    const answer = answers.shift();
    if (!answer) throw new Error('no more answers');
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { fetch, calls };
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

const errorBody = (code: string, message: string) => ({ error: { code, message } });

const headersOf = (call: Call): Record<string, string> => call.init.headers as Record<string, string>;

describe('ApiClient requests', () => {
  it('uses document-relative URLs and the bearer token', async () => {
    const { fetch, calls } = fakeFetch(json({ instance: 'demo', topics: [] }));
    const api = new ApiClient({ fetch, getToken: () => 's3cret' });
    const list = await api.topics();
    expect(list.instance).toBe('demo');
    expect(calls[0]!.url).toBe('./v1/topics');
    expect(calls[0]!.init.method).toBe('GET');
    expect(headersOf(calls[0]!)['Authorization']).toBe('Bearer s3cret');
    expect(headersOf(calls[0]!)['Content-Type']).toBeUndefined();
    expect(calls[0]!.init.cache).toBe('no-store');
  });

  it('sends no Authorization header without a token', async () => {
    const { fetch, calls } = fakeFetch(json({ instance: 'demo', topics: [] }));
    await new ApiClient({ fetch, getToken: () => null }).topics();
    expect('Authorization' in headersOf(calls[0]!)).toBe(false);
  });

  it('PUTs task settings as JSON under the encoded topic', async () => {
    const task = { topic: 'a.b_c-d', bucket: 'archive', state: 'running' };
    const { fetch, calls } = fakeFetch(json(task, 201));
    const api = new ApiClient({ fetch, getToken: () => 't' });
    const settings = { bucket: 'archive', window: '15m', start: 'latest', format: 'jsonl', compression: 'zstd' } as const;
    const saved = await api.putTask('a.b_c-d', settings);
    expect(saved.bucket).toBe('archive');
    expect(calls[0]!.url).toBe('./v1/tasks/a.b_c-d');
    expect(calls[0]!.init.method).toBe('PUT');
    expect(headersOf(calls[0]!)['Content-Type']).toBe('application/json');
    expect(JSON.parse(calls[0]!.init.body as string)).toEqual(settings);
  });

  it('POSTs pause and resume without a body or content type', async () => {
    const { fetch, calls } = fakeFetch(json({ state: 'paused' }), json({ state: 'running' }));
    const api = new ApiClient({ fetch, getToken: () => 't' });
    await api.pauseTask('orders');
    await api.resumeTask('orders');
    expect(calls.map((c) => [c.init.method, c.url])).toEqual([
      ['POST', './v1/tasks/orders/pause'],
      ['POST', './v1/tasks/orders/resume'],
    ]);
    for (const c of calls) {
      expect(c.init.body).toBeUndefined();
      expect(headersOf(c)['Content-Type']).toBeUndefined();
    }
  });

  it('encodes topics that need it', async () => {
    const { fetch, calls } = fakeFetch(json({ deleted: true }), json({ samples: [] }));
    const api = new ApiClient({ fetch, getToken: () => 't' });
    await api.deleteTask('we ird');
    await api.history('x/y');
    expect(calls[0]!.url).toBe('./v1/tasks/we%20ird');
    expect(calls[0]!.init.method).toBe('DELETE');
    expect(calls[1]!.url).toBe('./v1/tasks/x%2Fy/history');
  });

  it('builds object listing and manifest queries, leaving empty ones out', async () => {
    const { fetch, calls } = fakeFetch(
      json({ objects: [], cursor: null }),
      json({ objects: [], cursor: null }),
      json({ manifests: [] }),
    );
    const api = new ApiClient({ fetch, getToken: () => 't' });
    await api.objects('orders', { from: '2026-12-02T09:00:00Z', to: '2026-12-03T09:00:00Z', partition: 0, limit: 100 });
    await api.objects('orders', { limit: 100, cursor: 'abc+/=' });
    await api.manifests('orders', { from: '2026-12-02T09:00:00Z' });
    expect(calls[0]!.url).toBe(
      './v1/tasks/orders/objects?from=2026-12-02T09%3A00%3A00Z&to=2026-12-03T09%3A00%3A00Z&partition=0&limit=100',
    );
    expect(calls[1]!.url).toBe('./v1/tasks/orders/objects?limit=100&cursor=abc%2B%2F%3D');
    expect(calls[2]!.url).toBe('./v1/tasks/orders/manifests?from=2026-12-02T09%3A00%3A00Z');
  });

  it('addresses objects with each key segment encoded and slashes kept', async () => {
    const { fetch, calls } = fakeFetch(new Response('bytes'), json({ url: 'u', expires_at: 'e' }));
    const api = new ApiClient({ fetch, getToken: () => 't' });
    const key = 'inst/orders/2026 12/a+b#c?.txt';
    expect(api.objectUrl('orders', key)).toBe('./v1/tasks/orders/objects/inst/orders/2026%2012/a%2Bb%23c%3F.txt');
    const response = await api.fetchObject('orders', key);
    expect(await response.text()).toBe('bytes');
    await api.presign('orders', key);
    expect(calls[0]!.url).toBe(api.objectUrl('orders', key));
    expect(calls[1]!.url).toBe(`${api.objectUrl('orders', key)}?presign=1`);
    expect(headersOf(calls[0]!)['Authorization']).toBe('Bearer t');
  });
});

describe('ApiClient errors', () => {
  it('turns the error body into an ApiError', async () => {
    const { fetch } = fakeFetch(json(errorBody('preflight_failed', 'cannot write to bucket archive: AccessDenied'), 422));
    const api = new ApiClient({ fetch, getToken: () => 't' });
    const err = await api.putTask('t', { bucket: 'archive', window: '5m', start: 'latest', format: 'text', compression: 'none' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 422, code: 'preflight_failed', message: 'cannot write to bucket archive: AccessDenied' });
    expect((err as ApiError).retryable).toBe(false);
  });

  it('keeps the HTTP status when the body is not the API error', async () => {
    const { fetch } = fakeFetch(new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
    const err = (await new ApiClient({ fetch, getToken: () => null }).info().catch((e: unknown) => e)) as ApiError;
    expect(err.status).toBe(502);
    expect(err.message).toBe('HTTP 502 Bad Gateway');
  });

  it('tells the app about a 401 and still rejects', async () => {
    const onUnauthorized = vi.fn();
    const { fetch } = fakeFetch(json(errorBody('unauthorized', 'missing or wrong bearer token'), 401));
    const api = new ApiClient({ fetch, getToken: () => 'old', onUnauthorized });
    await expect(api.status('orders')).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it('does not call the 401 hook for other errors', async () => {
    const onUnauthorized = vi.fn();
    const { fetch } = fakeFetch(json(errorBody('not_found', 'no task'), 404));
    await expect(new ApiClient({ fetch, getToken: () => 't', onUnauthorized }).task('x')).rejects.toMatchObject({ status: 404 });
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it('makes 503 retryable after Retry-After', async () => {
    const { fetch } = fakeFetch(json(errorBody('unavailable', 'waiting for Kafka'), 503, { 'Retry-After': '7' }));
    const err = (await new ApiClient({ fetch, getToken: () => null }).topics().catch((e: unknown) => e)) as ApiError;
    expect(err.retryable).toBe(true);
    expect(err.retryAfterMs).toBe(7000);
    expect(err.message).toBe('waiting for Kafka');
  });

  it('makes a network failure a retryable status 0', async () => {
    const { fetch } = fakeFetch(new TypeError('Failed to fetch'));
    const err = (await new ApiClient({ fetch, getToken: () => null }).topics().catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(0);
    expect(err.retryable).toBe(true);
  });

  it('reports a success answer that is not JSON', async () => {
    const { fetch } = fakeFetch(new Response('oops', { status: 200 }));
    await expect(new ApiClient({ fetch, getToken: () => null }).info()).rejects.toMatchObject({ code: 'bad_response' });
  });
});

describe('helpers', () => {
  it('parses Retry-After seconds and dates, within bounds', () => {
    const now = Date.UTC(2026, 11, 2, 9, 0, 0);
    expect(parseRetryAfter(null)).toBe(5000);
    expect(parseRetryAfter('')).toBe(5000);
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('0')).toBe(1000);
    expect(parseRetryAfter('99999')).toBe(300_000);
    expect(parseRetryAfter('Wed, 02 Dec 2026 09:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('soon')).toBe(5000);
  });

  it('encodes key segments, escaping dot segments', () => {
    expect(encodeObjectKey('a/b c/d')).toBe('a/b%20c/d');
    expect(encodeObjectKey('a/./../b')).toBe('a/%2E/%2E%2E/b');
    expect(encodeObjectKey('x%y')).toBe('x%25y');
  });

  it('orders and omits object query parameters', () => {
    expect(objectQueryString({})).toBe('');
    expect(objectQueryString({ partition: 0 })).toBe('?partition=0');
    expect(objectQueryString({ cursor: '', from: '' })).toBe('');
    expect(objectQueryString({ to: '2026-12-02T09:00:00+08:00' })).toBe('?to=2026-12-02T09%3A00%3A00%2B08%3A00');
  });
});
