// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// The archive browser of one task: its objects in a time range (UTC), page
// by page, each downloadable (and linkable when the store presigns URLs),
// with whether a manifest confirms its window complete.

import { ApiError } from './api';
import type { ArchivedObject, ObjectQuery } from './api-types';
import { AlertRegion, errorText, loadWithRetry, loadingLine } from './alerts';
import { copyText } from './clipboard';
import { h, setText, uniqueId } from './dom';
import { downloadObject } from './download';
import { formatBytes, formatCount, formatIn, formatProgress, formatUtc, keyFileName } from './format';
import { confirmedWindows, fetchBatch, manifestRanges } from './object-pager';
import { routeHash } from './route';
import { buildObjectQuery, defaultRange, toRfc3339 } from './time-range';
import type { AppContext, View } from './view';

type Completeness = 'complete' | 'pending' | 'unknown';

const COMPLETENESS_TEXT: Record<Completeness, string> = {
  complete: 'complete',
  pending: 'not yet confirmed',
  unknown: 'completeness unknown',
};

const dash = '—';

export function archiveView(ctx: AppContext, topic: string): View {
  let active = true;
  // Each "Show" starts a new generation; answers of an older one are dropped.
  let generation = 0;
  let query: ObjectQuery = {};
  let cursor: string | null = null;
  let shown = 0;
  const completeness = new Map<number, Completeness>();
  const badges = new Map<number, HTMLElement[]>();
  // Known once /v1/info is read; the first listing waits for it (see below).
  let presign = ctx.info()?.store.presigned_urls === true;

  const range = defaultRange(Date.now());
  const partitionInput = h('input', { id: 'filter-partition', type: 'number', min: 0, step: 1, inputmode: 'numeric', placeholder: 'all' });
  const fromInput = h('input', { id: 'filter-from', type: 'datetime-local', value: range.from });
  const toInput = h('input', { id: 'filter-to', type: 'datetime-local', value: range.to });
  const showButton = h('button', { type: 'submit', class: 'button primary' }, 'Show');
  const filterError = h('p', { id: 'filter-error', class: 'alert', role: 'alert', hidden: true });
  const filterForm = h(
    'form',
    { id: 'archive-filter', class: 'filters', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'filter-partition' }, 'Partition'), partitionInput),
    h('div', { class: 'field' }, h('label', { for: 'filter-from' }, 'From (UTC)'), fromInput),
    h('div', { class: 'field' }, h('label', { for: 'filter-to' }, 'To (UTC)'), toInput),
    h('div', { class: 'field field-button' }, showButton),
  );

  const alert = new AlertRegion('archive-alert');
  const loading = loadingLine('Loading objects…');
  loading.hidden = true;
  const emptyNote = h('p', { id: 'objects-empty', class: 'empty', hidden: true }, 'Nothing archived in this range.');
  const countNote = h('p', { id: 'objects-count', class: 'muted', hidden: true });
  const loadMore = h('button', { type: 'button', id: 'load-more', class: 'button', hidden: true }, 'Load more');
  const tbody = h('tbody');
  const table = h(
    'table',
    { id: 'objects-table', class: 'table', hidden: true },
    h('caption', { class: 'visually-hidden' }, `Archived objects of ${topic}`),
    h(
      'thead',
      undefined,
      h(
        'tr',
        undefined,
        h('th', { scope: 'col' }, 'Window start (UTC)'),
        h('th', { scope: 'col', class: 'num' }, 'Partition'),
        h('th', { scope: 'col', class: 'num' }, 'First offset'),
        h('th', { scope: 'col', class: 'num' }, 'Last offset'),
        h('th', { scope: 'col', class: 'num' }, 'Records'),
        h('th', { scope: 'col', class: 'num' }, 'Size'),
        h('th', { scope: 'col' }, 'Format'),
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')),
      ),
    ),
    tbody,
  );
  const bucketLead = h('p', { class: 'lead' }, `Objects the task of ${topic} wrote. Times are UTC.`);

  const el = h(
    'section',
    { class: 'view', id: 'archive-view', 'aria-labelledby': 'archive-heading' },
    h(
      'nav',
      { class: 'breadcrumb', 'aria-label': 'Breadcrumb' },
      h('a', { href: routeHash({ name: 'topics' }) }, 'Topics'),
      ' › ',
      h('a', { href: routeHash({ name: 'task', topic }) }, topic),
      ' › Archive',
    ),
    h('h1', { id: 'archive-heading' }, `Archive of ${topic}`),
    bucketLead,
    filterForm,
    filterError,
    alert.el,
    loading,
    emptyNote,
    h('div', { class: 'table-wrap' }, table),
    countNote,
    loadMore,
  );

  const setBadge = (badge: HTMLElement, state: Completeness | undefined): void => {
    const value = state ?? 'unknown';
    badge.dataset['complete'] = value === 'complete' ? 'true' : 'false';
    badge.dataset['state'] = state ? value : 'checking';
    setText(badge, state ? COMPLETENESS_TEXT[value] : 'checking…');
  };

  /** Asks the manifests of the windows not yet known complete, and marks their rows. */
  const checkWindows = async (starts: number[], gen: number): Promise<void> => {
    const unknown = starts.filter((s) => completeness.get(s) !== 'complete');
    if (unknown.length === 0) return;
    try {
      for (const r of manifestRanges(unknown)) {
        const { manifests } = await ctx.api.manifests(topic, { from: toRfc3339(r.from), to: toRfc3339(r.to) });
        if (gen !== generation || !active) return;
        const confirmed = confirmedWindows(manifests);
        for (const s of unknown) {
          if (s >= r.from && s < r.to) completeness.set(s, confirmed.has(s) ? 'complete' : 'pending');
        }
      }
    } catch (err) {
      if (gen !== generation || !active) return;
      for (const s of unknown) if (!completeness.has(s)) completeness.set(s, 'unknown');
      if (!(err instanceof ApiError && err.status === 401)) alert.show(`Window completeness is not available: ${errorText(err)}`);
    }
    for (const s of unknown) for (const badge of badges.get(s) ?? []) setBadge(badge, completeness.get(s));
  };

  const download = async (obj: ArchivedObject, button: HTMLButtonElement, status: HTMLElement): Promise<void> => {
    button.disabled = true;
    status.classList.remove('error-text');
    setText(status, 'Downloading…');
    try {
      await downloadObject(ctx.api, topic, obj.key, (p) => {
        setText(status, `Downloading… ${formatProgress(p.received, p.total)}`);
      });
      setText(status, 'Downloaded');
    } catch (err) {
      if (!active) return;
      let message = errorText(err);
      if (err instanceof ApiError && err.status === 503) {
        // Here a 503 means too many downloads at once, not a starting worker.
        message = `${err.message}: try again in ${Math.round((err.retryAfterMs ?? 5000) / 1000)} s`;
      }
      status.classList.add('error-text');
      setText(status, 'Download failed');
      if (!(err instanceof ApiError && err.status === 401)) alert.show(`${keyFileName(obj.key)}: ${message}`);
    } finally {
      button.disabled = false;
    }
  };

  const copyLink = async (obj: ArchivedObject, button: HTMLButtonElement, status: HTMLElement, cell: HTMLElement): Promise<void> => {
    button.disabled = true;
    status.classList.remove('error-text');
    setText(status, 'Getting a link…');
    try {
      const { url, expires_at } = await ctx.api.presign(topic, obj.key);
      const expiresMs = Date.parse(expires_at);
      const expiry = Number.isNaN(expiresMs)
        ? `it expires at ${expires_at}`
        : `it expires ${formatIn(expiresMs, Date.now())} (${formatUtc(expiresMs)} UTC)`;
      cell.querySelector('.link-fallback')?.remove();
      if (await copyText(url)) {
        setText(status, `Link copied; ${expiry}.`);
      } else {
        // No clipboard (insecure context, permission refused): show the URL to copy by hand.
        const id = uniqueId('presigned');
        const input = h('input', { id, type: 'text', readonly: true, value: url, class: 'link-input' });
        cell.append(
          h('div', { class: 'link-fallback' }, h('label', { for: id }, `Link to ${keyFileName(obj.key)}`), input),
        );
        setText(status, `Copy the link below; ${expiry}.`);
        input.focus();
        input.select();
      }
    } catch (err) {
      if (!active) return;
      status.classList.add('error-text');
      setText(status, 'No link');
      if (!(err instanceof ApiError && err.status === 401)) alert.show(`${keyFileName(obj.key)}: ${errorText(err)}`);
    } finally {
      button.disabled = false;
    }
  };

  const objectRow = (obj: ArchivedObject): HTMLTableRowElement => {
    const badge = h('span', { class: 'completeness' });
    setBadge(badge, completeness.get(obj.window_start_ms));
    const list = badges.get(obj.window_start_ms) ?? [];
    list.push(badge);
    badges.set(obj.window_start_ms, list);

    const nameId = uniqueId('object-name');
    const status = h('span', { class: 'row-status', 'aria-live': 'polite' });
    const downloadButton = h(
      'button',
      { type: 'button', class: 'button small', 'data-action': 'download', title: obj.key, 'aria-describedby': nameId },
      'Download',
    );
    const actions = h(
      'td',
      { class: 'actions-cell' },
      h('span', { id: nameId, class: 'visually-hidden' }, keyFileName(obj.key)),
      downloadButton,
    );
    downloadButton.addEventListener('click', () => void download(obj, downloadButton, status));
    if (presign) {
      const copyButton = h(
        'button',
        { type: 'button', class: 'button small', 'data-action': 'copy-link', 'aria-describedby': nameId },
        'Copy link',
      );
      copyButton.addEventListener('click', () => void copyLink(obj, copyButton, status, actions));
      actions.append(' ', copyButton);
    }
    actions.append(' ', status);

    return h(
      'tr',
      { 'data-key': obj.key, 'data-window': obj.window_start_ms, 'data-partition': obj.partition },
      h(
        'td',
        { class: 'window-cell' },
        h('time', { datetime: obj.window_start }, formatUtc(obj.window_start_ms)),
        ' ',
        badge,
      ),
      h('td', { class: 'num' }, obj.partition),
      h('td', { class: 'num' }, String(obj.first_offset)),
      h('td', { class: 'num' }, obj.last_offset === null ? dash : String(obj.last_offset)),
      h('td', { class: 'num' }, obj.records === null ? dash : formatCount(obj.records)),
      h('td', { class: 'num', 'data-value': obj.size }, formatBytes(obj.size)),
      h('td', { title: obj.compression ? `compression: ${obj.compression}` : undefined }, obj.format),
      actions,
    );
  };

  /** Fetches the next objects (from the start when cursor is undefined) and appends them. */
  const loadNext = async (from: string | undefined): Promise<void> => {
    const gen = generation;
    loading.hidden = false;
    loadMore.disabled = true;
    const batch = await loadWithRetry(
      () => fetchBatch((c) => ctx.api.objects(topic, c ? { ...query, cursor: c } : query), from),
      alert,
      () => active && gen === generation,
    );
    if (gen !== generation || !active) return;
    loading.hidden = true;
    loadMore.disabled = false;
    if (!batch) return;

    cursor = batch.cursor;
    tbody.append(...batch.objects.map(objectRow));
    shown += batch.objects.length;
    table.hidden = shown === 0;
    emptyNote.hidden = !(shown === 0 && cursor === null);
    loadMore.hidden = cursor === null;
    countNote.hidden = shown === 0 && cursor === null;
    setText(
      countNote,
      shown === 0
        ? 'Nothing found yet; the listing goes on: load more to keep looking.'
        : `${formatCount(shown)} object${shown === 1 ? '' : 's'}${cursor === null ? '.' : '; more may follow.'}`,
    );
    await checkWindows([...new Set(batch.objects.map((o) => o.window_start_ms))], gen);
  };

  const show = (): void => {
    const result = buildObjectQuery({ partition: partitionInput.value, from: fromInput.value, to: toInput.value });
    if (!result.ok) {
      filterError.textContent = result.error;
      filterError.hidden = false;
      return;
    }
    filterError.hidden = true;
    alert.clear();
    generation += 1;
    query = result.query;
    cursor = null;
    shown = 0;
    completeness.clear();
    badges.clear();
    tbody.replaceChildren();
    table.hidden = true;
    emptyNote.hidden = true;
    countNote.hidden = true;
    loadMore.hidden = true;
    void loadNext(undefined);
  };

  filterForm.addEventListener('submit', (event) => {
    event.preventDefault();
    show();
  });
  loadMore.addEventListener('click', () => {
    if (cursor !== null) void loadNext(cursor);
  });

  // The bucket, for the lead line; the listing does not need it.
  ctx.api
    .task(topic)
    .then((task) => {
      if (active) setText(bucketLead, `Objects the task of ${topic} wrote to bucket ${task.bucket}. Times are UTC.`);
    })
    .catch(() => {
      // The listing reports its own errors (a missing task included).
    });

  void ctx.infoReady().then((info) => {
    if (!active) return;
    presign = info?.store.presigned_urls === true;
    show();
  });

  return {
    el,
    title: `Archive of ${topic}`,
    destroy() {
      active = false;
    },
  };
}
