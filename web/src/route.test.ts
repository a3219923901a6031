// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { parseRoute, routeHash, trailingSlashTarget, type Route } from './route';

describe('parseRoute', () => {
  it('defaults to the topic list', () => {
    expect(parseRoute('')).toEqual({ name: 'topics' });
    expect(parseRoute('#')).toEqual({ name: 'topics' });
    expect(parseRoute('#/')).toEqual({ name: 'topics' });
    expect(parseRoute('#/topics')).toEqual({ name: 'topics' });
  });
  it('reads login, task and archive routes', () => {
    expect(parseRoute('#/login')).toEqual({ name: 'login' });
    expect(parseRoute('#/tasks/orders.v2_eu-1')).toEqual({ name: 'task', topic: 'orders.v2_eu-1' });
    expect(parseRoute('#/tasks/orders/archive')).toEqual({ name: 'archive', topic: 'orders' });
    expect(parseRoute('#/tasks/a%2Fb')).toEqual({ name: 'task', topic: 'a/b' });
  });
  it('reports anything else as not found', () => {
    expect(parseRoute('#/tasks/')).toEqual({ name: 'not-found', hash: '#/tasks/' });
    expect(parseRoute('#/tasks/x/other')).toEqual({ name: 'not-found', hash: '#/tasks/x/other' });
    expect(parseRoute('#/tasks/%E0%A4%A')).toEqual({ name: 'not-found', hash: '#/tasks/%E0%A4%A' });
    expect(parseRoute('#main')).toEqual({ name: 'not-found', hash: '#main' });
  });
});

describe('routeHash', () => {
  it('round-trips through parseRoute', () => {
    const routes: Route[] = [
      { name: 'login' },
      { name: 'topics' },
      { name: 'task', topic: 'orders.v2_eu-1' },
      { name: 'archive', topic: 'weird/topic' },
    ];
    for (const route of routes) expect(parseRoute(routeHash(route))).toEqual(route);
  });
  it('encodes topic names', () => {
    expect(routeHash({ name: 'archive', topic: 'a b' })).toBe('#/tasks/a%20b/archive');
  });
});

describe('trailingSlashTarget', () => {
  it('leaves directory URLs and index.html alone', () => {
    expect(trailingSlashTarget('/', '', '')).toBeNull();
    expect(trailingSlashTarget('/kafka2cos/', '', '#/topics')).toBeNull();
    expect(trailingSlashTarget('/kafka2cos/index.html', '', '')).toBeNull();
  });
  it('adds the slash and keeps query and fragment', () => {
    expect(trailingSlashTarget('/kafka2cos', '', '')).toBe('/kafka2cos/');
    expect(trailingSlashTarget('/a/b', '?x=1', '#/tasks/orders')).toBe('/a/b/?x=1#/tasks/orders');
  });
});
