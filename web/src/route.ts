// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// Hash-based routes. The page may live under any path prefix behind a
// reverse proxy, so the path itself is never used for routing: only the
// fragment after '#', which the server never sees.

export type Route =
  | { name: 'login' }
  | { name: 'topics' }
  | { name: 'task'; topic: string }
  | { name: 'archive'; topic: string }
  | { name: 'not-found'; hash: string };

/** Reads a location.hash ("#/tasks/orders/archive") into a route; empty means the topic list. */
export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  if (path === '' || path === '/') return { name: 'topics' };
  const parts = path.replace(/^\//, '').split('/');
  if (parts.length === 1 && parts[0] === 'login') return { name: 'login' };
  if (parts.length === 1 && parts[0] === 'topics') return { name: 'topics' };
  if (parts[0] === 'tasks' && parts.length >= 2 && parts.length <= 3 && parts[1] !== '') {
    let topic: string;
    try {
      topic = decodeURIComponent(parts[1] ?? '');
    } catch {
      return { name: 'not-found', hash };
    }
    if (parts.length === 2) return { name: 'task', topic };
    if (parts[2] === 'archive') return { name: 'archive', topic };
  }
  return { name: 'not-found', hash };
}

/** The hash of a route, for links and navigation: the inverse of parseRoute. */
export function routeHash(route: Route): string {
  switch (route.name) {
    case 'login':
      return '#/login';
    case 'topics':
      return '#/topics';
    case 'task':
      return `#/tasks/${encodeURIComponent(route.topic)}`;
    case 'archive':
      return `#/tasks/${encodeURIComponent(route.topic)}/archive`;
    case 'not-found':
      return route.hash;
  }
}

/**
 * Where to send the browser so the document URL ends in '/': relative asset
 * and API URLs ("./v1/topics") resolve against the directory of the page, so
 * "/kafka2cos" must become "/kafka2cos/". Null when nothing needs to change.
 */
export function trailingSlashTarget(pathname: string, search: string, hash: string): string | null {
  if (pathname.endsWith('/') || pathname.endsWith('/index.html')) return null;
  return `${pathname}/${search}${hash}`;
}
